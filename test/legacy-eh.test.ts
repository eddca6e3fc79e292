// Legacy exception handling (try/catch/catch_all/delegate/rethrow) on every
// engine: the official scripts (spec/legacy/exceptions/core) on the
// interpreter, the lowered engine and the host; test/fixtures/lower/legacy-eh.wast
// (legacy handlers mixed with try_table and stack switching, exceptions across
// resumes both ways) on the interpreter, the lowered engine and V8's own WasmFX.
// The reference interpreter has no legacy instructions: the scripts'
// assertions are the oracle, with V8, which runs them natively.
// (test/legacy-eh-frontend.test.ts: the front end; test/diff-lowered.test.ts
// mixes legacy try into the unstructured generator's programs.)

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join, relative } from 'node:path';
import { parseScript } from '../src/script/script-parser.ts';
import { parseModule } from '../src/text/parser.ts';
import { runScript, type RunOptions, type RunSummary } from '../src/script/runner.ts';
import { InterpEngine } from '../src/script/engine-interp.ts';
import { hostEngine } from '../src/script/engine-host.ts';
import { createPolyfill } from '../src/host/polyfill.ts';
import { hostNamespace, type WasmNamespace } from '../src/host/namespace.ts';
import { encodeModule } from '../src/binary/encoder.ts';
import { validateModule } from '../src/valid/validator.ts';
import { desugarLegacyEH, LEGACY_EH_OPS, usesLegacyEH } from '../src/syntax/legacy-eh.ts';
import { lowerModule } from '../src/lower/index.ts';
import { filesUnder, repoRoot, specDir } from './helpers/spec.ts';
import { validModulesOf } from './helpers/modules.ts';

const dir = join(specDir(), 'legacy', 'exceptions', 'core');
const scripts = filesUnder(dir, '.wast');
const fixture = join(repoRoot, 'test', 'fixtures', 'lower', 'legacy-eh.wast');
const host = hostNamespace()! as WasmNamespace & { validate(b: Uint8Array): boolean };

const run = (file: string, engine: RunOptions['engine']): RunSummary =>
  runScript(parseScript(readFileSync(file, 'utf8'), relative(repoRoot, file)), { engine });

const failures = (s: RunSummary): string[] =>
  s.results.filter((r) => r.outcome !== 'passed').map((r) => `${r.file}:${r.line}: ${r.kind} ${r.outcome}: ${r.message}`);

test('legacy exceptions: the official scripts pass on interp, lowered and host, nothing skipped', () => {
  assert.deepEqual(scripts.map((f) => relative(dir, f)).sort(), ['rethrow.wast', 'throw.wast', 'try_catch.wast', 'try_delegate.wast']);
  let commands = 0;
  for (const file of scripts) {
    const engines = [
      new InterpEngine(),
      hostEngine(createPolyfill(host) as WasmNamespace, { name: 'lowered' }),
      hostEngine(host),
    ];
    for (const engine of engines) {
      const s = run(file, engine);
      assert.deepEqual(failures(s), [], `${relative(dir, file)} on ${engine.name}`);
      assert.ok(s.passed > 0);
      commands += s.passed;
    }
  }
  assert.ok(commands >= 3 * 90, `only ${commands} commands`);
});

test('legacy exceptions mixed with try_table and stack switching: the same on interp, lowered and native', () => {
  for (const engine of [new InterpEngine(), hostEngine(createPolyfill(host) as WasmNamespace, { name: 'lowered' })]) {
    const s = run(fixture, engine);
    assert.deepEqual(failures(s), [], engine.name);
    assert.equal(s.passed, 7);
  }
  // V8's WasmFX (a child Node with the native engine's flags, which allow the two mechanisms in one module)
  const r = spawnSync(process.execPath, [join(repoRoot, 'src', 'cli', 'main.ts'), 'wast', '--engine', 'native', fixture], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^7 passed, 0 failed, 0 skipped$/m);
});


test('legacy exceptions: the rewrite to try_table leaves none, validates, and the host accepts it', () => {
  const ms = [...scripts, fixture].flatMap(validModulesOf).filter(usesLegacyEH);
  assert.ok(ms.length >= 6, `only ${ms.length} modules`);
  for (const m of ms) {
    const d = desugarLegacyEH(m);
    for (const f of d.funcs) for (const i of f.body) assert.ok(!LEGACY_EH_OPS.has(i.op), i.op);
    validateModule(d);
    // (V8 refuses legacy instructions next to try_table by default: the rewritten module has only try_table)
    const low = lowerModule(d).module;
    assert.ok(host.validate(encodeModule(low)), 'the host rejects the rewritten module');
  }
  // nothing to rewrite: the same object
  const plain = validModulesOf(join(specDir(), 'core', 'try_table.wast'))[0]!;
  assert.equal(desugarLegacyEH(plain), plain);
});

test('the polyfill hands V8 a module mixing legacy try and try_table, which V8 alone refuses', async () => {
  // the fixture's module without its stack switching: the "mixed" export only
  const text = `(module (tag $e (param i32))
    (func (export "mixed") (result i32)
      (block $t (result exnref)
        (try_table (catch_all_ref $t) (try (do (throw $e (i32.const 42))) (catch_all (rethrow 0))))
        (unreachable))
      (try (param exnref) (result i32) (do (throw_ref)) (catch $e))))`;
  const bytes = encodeModule(parseModule(text));
  assert.equal(host.validate(bytes), false, 'V8 accepts mixed exception handling now: this test can go');
  const poly = createPolyfill(host) as unknown as { instantiate(b: Uint8Array, i: object): Promise<{ instance: { exports: Record<string, () => number> } }> };
  const { instance } = await poly.instantiate(bytes, {});
  assert.equal(instance.exports.mixed!(), 42);
});

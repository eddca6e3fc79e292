// The host engine (src/script/engine-host.ts): WAST scripts run on a
// `WebAssembly`-shaped namespace.
//
// - the whole core suite on the host's own WebAssembly (V8, no stack switching):
//   nothing fails; only commands that need stack switching are skipped, with the reason;
// - the stack-switching scripts on wasmfx's own namespace (src/host/js-api.ts), which has
//   stack switching: the engine is the namespace's, whatever namespace it is;
// - the CLI: `wast --engine host|native` (native re-runs each script in a child Node
//   with V8's flags; a child that dies is one failure), `run --engine host|native`.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseScript } from '../src/script/script-parser.ts';
import { runScript, type CommandResult } from '../src/script/runner.ts';
import { hostEngine } from '../src/script/engine-host.ts';
import { hostNamespace, type WasmNamespace } from '../src/host/namespace.ts';
import { WebAssembly as wasmfxNamespace } from '../src/host/js-api.ts';
import { NATIVE_FLAGS } from '../src/cli/engines.ts';
import { runScriptInChild } from '../src/cli/wast.ts';
import { coreWastFiles, repoRoot, specDir } from './helpers/spec.ts';

const core = join(specDir(), 'core');
const ns = hostNamespace()!;
const REASON = 'stack switching needs --engine lowered or native';

const run = (file: string, space: WasmNamespace) =>
  runScript(parseScript(readFileSync(file, 'utf8'), relative(core, file)), { engine: hostEngine(space) });

const failures = (rs: readonly CommandResult[]): string[] =>
  rs.filter((r) => r.outcome === 'failed').map((r) => `${r.file}:${r.line}: ${r.kind}: ${r.message}`);

test('core suite on the host WebAssembly: no failures; stack switching skipped with the reason', () => {
  const files = coreWastFiles();
  assert.ok(files.length >= 240);
  const totals = { passed: 0, failed: [] as string[], skipped: 0 };
  const skippedFiles = new Set<string>();
  for (const file of files) {
    const s = run(file, ns);
    totals.passed += s.passed;
    totals.failed.push(...failures(s.results));
    for (const r of s.results) {
      if (r.outcome !== 'skipped') continue;
      totals.skipped++;
      skippedFiles.add(r.file);
      assert.equal(r.message, REASON, `${r.file}:${r.line}`);
    }
  }
  assert.deepEqual(totals.failed, []);
  assert.ok(totals.passed >= 62000, `only ${totals.passed} passed`);
  // skipped: the stack-switching scripts and tag.wast's module with a continuation type
  for (const f of skippedFiles) assert.match(f, /^stack-switching\/|^tag\.wast$/);
  assert.ok(totals.skipped < 200, `${totals.skipped} skipped`);
});

test("stack switching on wasmfx's own namespace through the host engine: everything passes", () => {
  for (const file of coreWastFiles('stack-switching')) {
    const s = run(file, wasmfxNamespace as unknown as WasmNamespace);
    assert.deepEqual(failures(s.results), []);
    assert.equal(s.skipped, 0, file);
    assert.ok(s.passed > 0);
  }
});

// ---- the CLI ---------------------------------------------------------------------------------------

const main = join(repoRoot, 'src', 'cli', 'main.ts');
const tmp = mkdtempSync(join(tmpdir(), 'wasmfx-host-'));

function wasmfx(args: string[]) {
  const r = spawnSync(process.execPath, [main, ...args], { timeout: 120_000 });
  return { code: r.status, stdout: r.stdout.toString('utf8'), stderr: r.stderr.toString('utf8') };
}

function file(name: string, text: string): string {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
}

test('wast --engine host: failures, skips with their reason, spectest output with -v', () => {
  const script = file('s.wast', `(module
  (import "spectest" "print_f64" (func $p (param f64)))
  (func (export "div") (param i32 i32) (result i32) (i32.div_u (local.get 0) (local.get 1)))
  (func (export "nan") (result f32) (f32.const nan:0x200001))
  (func (export "show") (call $p (f64.const -nan:0x4000000000001))))
(assert_trap (invoke "div" (i32.const 1) (i32.const 0)) "integer divide by zero")
(assert_return (invoke "nan") (f32.const nan:0x200001))
(assert_return (invoke "nan") (f32.const nan:0x200000))
(invoke "show")
(module (type $f (func)) (type $c (cont $f)) (func (export "k")))
(assert_return (invoke "k"))
`);
  const r = wasmfx(['wast', '--engine', 'host', script]);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /s\.wast:8: assert_return: wrong return values: got \(f32\.const nan:0x200001\), expected \(f32\.const nan:0x200000\)/);
  assert.match(r.stdout, /4 passed, 1 failed, 2 skipped\n$/);
  const v = wasmfx(['wast', '--engine', 'host', '-v', script]);
  assert.match(v.stdout, /-nan:0x4000000000001 : f64/);
  assert.match(v.stdout, new RegExp(`s\\.wast:11: assert_return: skipped \\(${REASON}\\)`));
});

test('wast --engine native: the stack-switching scripts on V8, each in its own child', () => {
  const r = wasmfx(['wast', '--engine', 'native', join(core, 'stack-switching')]);
  // V8 (Node 26) runs everything but switch (skipped: it aborts running it), and rejects the
  // valid modules that use resume_throw_ref (it expects other operands)
  const failed = r.stdout.split('\n').filter((l) => / (module|assert_\w+|action|register|instance): /.test(l));
  for (const l of failed) assert.match(l, /resume_throw\.wast:\d+: module: the host rejects this valid module: .*resume_throw_ref/);
  const m = /(\d+) passed, (\d+) failed, (\d+) skipped\n$/.exec(r.stdout);
  assert.ok(m, r.stdout + r.stderr);
  assert.ok(Number(m[1]) >= 140, r.stdout);
  assert.ok(Number(m[2]) <= 4, r.stdout);
  const v = wasmfx(['wast', '--engine', 'native', '-v', join(core, 'stack-switching', 'cont.wast')]);
  assert.match(v.stdout, /cont\.wast:\d+: assert_return: skipped \(V8 does not implement switch/);
});

test('a script whose child dies counts one failure at the command it was running', () => {
  // a stack far larger than the thread's: the runaway recursion crashes the child
  const entry = { name: 'native', description: '', reexec: { nodeFlags: [...NATIVE_FLAGS, '--stack-size=65500'], present: () => false } };
  const script = file('crash.wast', `(module (func $f (export "f") (call $f)))
(assert_return (invoke "f" (i32.const 1)))
(assert_exhaustion (invoke "f") "call stack exhausted")
(assert_return (invoke "f"))
`);
  const reported: CommandResult[] = [];
  const s = runScriptInChild(entry, script, false, false, (r) => reported.push(r), () => {});
  assert.deepEqual(reported.map((r) => [r.line, r.outcome]), [[1, 'passed'], [2, 'failed'], [3, 'failed']]);
  assert.match(reported[2]!.message!, /the engine aborted \(signal SIG\w+\); the rest of the script did not run/);
  assert.equal(s.failed, 2);
});

test('run --engine host|native: exact results, traps exit 1, stack switching needs native', () => {
  const prog = file('p.wat', `(module
  (import "spectest" "print_f32" (func $pf (param f32)))
  (func (export "echo") (param i64 f32 f64) (result i64 f32 f64)
    (call $pf (local.get 1)) (local.get 0) (local.get 1) (local.get 2))
  (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1))))`);
  for (const engine of ['host', 'native']) {
    const r = wasmfx(['run', '--engine', engine, '--invoke', 'echo', prog, '-5', 'nan:0x200001', '-nan:0x4000000000001']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'nan:0x200001 : f32\n-5\nnan:0x200001\n-nan:0x4000000000001\n');
    const t = wasmfx(['run', '--engine', engine, '--invoke', 'div', prog, '1', '0']);
    assert.equal(t.code, 1);
    assert.match(t.stderr, /p\.wat: divide by zero/);
    assert.equal(wasmfx(['run', '--engine', engine, '--fuel', '10', '--invoke', 'div', prog, '1', '1']).code, 2);
  }
  const gen = join(repoRoot, 'examples', 'generator.wat');
  const h = wasmfx(['run', '--engine', 'host', '--invoke', 'sum', gen]);
  assert.equal(h.code, 1);
  assert.match(h.stderr, new RegExp(REASON));
  const n = wasmfx(['run', '--engine', 'native', '--invoke', 'sum', gen]);
  assert.equal(n.code, 0, n.stderr);
  assert.equal(n.stdout, '55\n');
});

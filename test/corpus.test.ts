// Real compiler output (test/fixtures/corpus/, built with the commands in its README): Kotlin/Wasm
// coroutines compiled to stack switching, for WASI (try_table, a large name section) and for JS
// (legacy try/catch, JS string builtins, Kotlin's own loader). Every stage of the front end, and
// execution: the WASI program with `wasmfx run` on the interpreter and the lowered engine, the JS
// one through its loader with the polyfill installed.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { decodeModule } from '../src/binary/decoder.ts';
import { encodeModule } from '../src/binary/encoder.ts';
import { validateModule } from '../src/valid/validator.ts';
import { printModule } from '../src/text/printer.ts';
import { parseModule } from '../src/text/parser.ts';
import { lowerModule, usesStackSwitching } from '../src/lower/index.ts';
import { usesLegacyEH } from '../src/syntax/legacy-eh.ts';
import { repoRoot } from './helpers/spec.ts';

const dir = join(repoRoot, 'test', 'fixtures', 'corpus');
const wasi = gunzipSync(readFileSync(join(dir, 'kotlin-gen-wasi.wasm.gz')));
const js = gunzipSync(readFileSync(join(dir, 'kotlin-js', 'gen.wasm.gz')));
const EXPECTED = 'fib: 0,1,1,2,3,5,8,13,21,34,55,89,144,233,377,610,987,1597,2584,4181\ncaught: twenty\n';
const host = (globalThis as unknown as { WebAssembly: { validate(b: Uint8Array, o?: object): boolean } }).WebAssembly;
const cli = join(repoRoot, 'src', 'cli', 'main.ts');

/** Byte equality without assert's diff of two large arrays (it takes minutes). */
const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;

for (const [name, bytes] of [['wasi', wasi], ['js', js]] as const) {
  test(`corpus: Kotlin ${name}: decode, validate, encode, print -> parse, lower`, () => {
    const m = decodeModule(bytes);
    validateModule(m);
    assert.ok(usesStackSwitching(m), 'Kotlin compiled its coroutines without stack switching');
    assert.equal(usesLegacyEH(m), name === 'js');
    assert.ok(m.names.funcs.size > 3000, `only ${m.names.funcs.size} function names`);
    // Kotlin pads its LEB128s: our encoding is shorter, and stable from then on
    const ours = encodeModule(m);
    assert.ok(sameBytes(encodeModule(decodeModule(ours)), ours), 'decode -> encode is not stable');
    // the text keeps everything, names included (repeated ones too: Kotlin repeats many)
    const again = parseModule(printModule(m));
    for (const k of Object.keys(m.names) as (keyof typeof m.names)[]) {
      const size = (x: unknown): number => (x instanceof Map ? [...x.values()].reduce((a: number, v) => a + (v instanceof Map ? v.size : 1), 0) : 0);
      assert.equal(size(again.names[k]), size(m.names[k]), `names of ${k} lost in print -> parse`);
    }
    assert.ok(sameBytes(encodeModule(again), ours), 'print -> parse -> encode differs from encode');
    const low = encodeModule(lowerModule(m).module);
    assert.ok(host.validate(low, { builtins: ['js-string'], importedStringConstants: "'" }), 'V8 rejects the lowered module');
  });
}

test('corpus: the Kotlin WASI program runs with wasmfx run on interp and lowered', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'wasmfx-corpus-'));
  try {
    const file = join(tmp, 'gen.wasm');
    writeFileSync(file, wasi);
    for (const engine of ['interp', 'lowered']) {
      const r = spawnSync(process.execPath, [cli, 'run', '--engine', engine, file], { encoding: 'utf8', timeout: 120_000 });
      assert.equal(r.stdout, EXPECTED, `${engine}: ${r.stderr}`);
      assert.equal(r.status, 0);
    }
    // lowered beforehand (a WASI program that imports the runtime too): on lowered, which links
    // it; elsewhere an unknown import that says so. Lowered standalone: on the host's own engine.
    const low = join(tmp, 'gen.lowered.wasm');
    writeFileSync(low, encodeModule(lowerModule(decodeModule(wasi)).module));
    const sa = join(tmp, 'gen.standalone.wasm');
    writeFileSync(sa, encodeModule(lowerModule(decodeModule(wasi), { standalone: true }).module));
    for (const [f, engine] of [[low, 'lowered'], [sa, 'host'], [sa, 'lowered']]) {
      const r = spawnSync(process.execPath, [cli, 'run', '--engine', engine!, f!], { encoding: 'utf8', timeout: 120_000 });
      assert.deepEqual([r.status, r.stdout], [0, EXPECTED], `${f} on ${engine}: ${r.stderr}`);
    }
    const refused = spawnSync(process.execPath, [cli, 'run', '--engine', 'host', low], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /gen\.lowered\.wasm: offset 0x[0-9a-f]+: unknown import "wasmfx:rt"\."[a-z]+" \(a module lowered by wasmfx: it runs on the lowered engine/);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('corpus: the Kotlin JS program runs through its own loader with the polyfill installed', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'wasmfx-corpus-'));
  try {
    cpSync(join(dir, 'kotlin-js'), tmp, { recursive: true });
    writeFileSync(join(tmp, 'gen.wasm'), js);
    const main = join(tmp, 'main.mjs');
    const polyfill = new URL('../src/host/polyfill.ts', import.meta.url).href;
    writeFileSync(main, `const { installPolyfill } = await import(${JSON.stringify(polyfill)});\n` +
      `if (!installPolyfill()) throw new Error('the host runs stack switching itself');\nawait import('./gen.mjs');\n`);
    const r = spawnSync(process.execPath, [main], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.stdout, EXPECTED, r.stderr);
    assert.equal(r.status, 0);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

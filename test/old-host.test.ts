// On a host without the Wasm 3.0 features lowered modules need (Node 20 lacks GC, Node 22
// exception references; src/host/host-wasm3.ts), simulated here by Node 26 with exnref turned
// off: `wasmfx run` and the JS API's `instantiate` fall back to the interpreter, asking for the
// lowered engine is a located, clear error (exit 1), and the polyfill's CompileError says why
// instead of the host's "invalid value type 'exn'".

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { readFileSync } from 'node:fs';
import { repoRoot } from './helpers/spec.ts';
import { parseModule } from '../src/text/parser.ts';
import { encodeModule } from '../src/binary/encoder.ts';

const OLD = ['--no-experimental-wasm-exnref'];
const main = join(repoRoot, 'src', 'cli', 'main.ts');
const example = join(repoRoot, 'examples', 'generator.wat');
const NEEDS = /running stack switching lowered needs a host with Wasm 3\.0 \(GC, exception references, tail calls\)/;

const node = (args: string[], input?: string) => {
  const r = spawnSync(process.execPath, [...OLD, ...args], { timeout: 120_000, ...(input !== undefined ? { input } : {}) });
  return { code: r.status, stdout: r.stdout.toString('utf8'), stderr: r.stderr.toString('utf8') };
};

test('old host: wasmfx run uses the interpreter by default, --engine lowered says why it cannot', () => {
  const def = node([main, 'run', '--invoke', 'sum', example]);
  assert.equal(def.stderr, '');
  assert.equal(def.stdout, '55\n');
  assert.equal(def.code, 0);
  const low = node([main, 'run', '--engine', 'lowered', '--invoke', 'sum', example]);
  assert.equal(low.code, 1);
  assert.equal(low.stdout, '');
  assert.match(low.stderr, /^wasmfx: --engine lowered: /);
  assert.match(low.stderr, NEEDS);
  assert.match(low.stderr, /--engine interp runs everything\n$/);
  const wast = node([main, 'wast', '--engine', 'lowered', join(repoRoot, 'test', 'fixtures', 'lower', 'switch-arrive.wast')]);
  assert.equal(wast.code, 1);
  assert.match(wast.stderr, NEEDS);
});

test('old host: instantiate falls back to the interpreter; the polyfill explains its CompileError', () => {
  const bytes = encodeModule(parseModule(readFileSync(example, 'utf8'), 'generator.wat'));
  const script = `
    const api = await import(${JSON.stringify(pathToFileURL(join(repoRoot, 'src', 'index.ts')).href)});
    const { WebAssembly: P } = await import(${JSON.stringify(pathToFileURL(join(repoRoot, 'src', 'host', 'polyfill.ts')).href)});
    const bytes = new Uint8Array(${JSON.stringify([...bytes])});
    const { instance } = await api.instantiate(bytes);
    console.log('default', instance.exports.sum());
    try { await api.instantiate(bytes, {}, { engine: 'lowered' }); } catch (e) { console.log('lowered', e.constructor.name, e.message); }
    try { await P.instantiate(bytes); } catch (e) { console.log('polyfill', e instanceof P.CompileError, e.message); }
    // a module without stack switching is the host's, as ever
    console.log('plain', P.validate(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0])));
  `;
  const r = node(['--input-type=module', '-'], script);
  assert.equal(r.stderr, '');
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines[0], 'default 55');
  assert.match(lines[1]!, /^lowered CompileError stack switching: /);
  assert.match(lines[1]!, NEEDS);
  assert.match(lines[2]!, /^polyfill true stack switching: /);
  assert.match(lines[2]!, NEEDS);
  assert.equal(lines[3], 'plain true');
});

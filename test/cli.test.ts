// The `wasmfx` command as a user runs it: outputs, exit codes (0 ok, 1 bad
// input, 2 usage), and error messages with locations and no stack traces.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './helpers/spec.ts';

const main = join(repoRoot, 'src', 'cli', 'main.ts');
const example = join(repoRoot, 'examples', 'generator.wat');
const tmp = mkdtempSync(join(tmpdir(), 'wasmfx-cli-'));

function wasmfx(args: string[], input?: string | Uint8Array) {
  const r = spawnSync(process.execPath, [main, ...args], {
    input: typeof input === 'string' ? Buffer.from(input) : input,
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout.toString('utf8'), stderr: r.stderr.toString('utf8'), raw: r.stdout };
}

const noStack = (s: string) => assert.doesNotMatch(s, /\n\s+at .*\(|node:internal|TypeError|RangeError/);

test('--help lists the commands, each with --help', () => {
  const r = wasmfx(['--help']);
  assert.equal(r.code, 0);
  for (const c of ['parse', 'print', 'validate', 'wast']) {
    assert.match(r.stdout, new RegExp(`\\b${c}\\b`));
    const h = wasmfx([c, '--help']);
    assert.equal(h.code, 0, c);
    assert.match(h.stdout, /Usage: wasmfx/);
  }
});

test('usage errors exit 2', () => {
  assert.equal(wasmfx([]).code, 2);
  assert.equal(wasmfx(['frobnicate']).code, 2);
  assert.equal(wasmfx(['parse']).code, 2);
  assert.equal(wasmfx(['print', '--bogus', example]).code, 2);
});

test('parse, validate and print the shipped example', () => {
  const out = join(tmp, 'gen.wasm');
  const p = wasmfx(['parse', example, '-o', out]);
  assert.equal(p.code, 0, p.stderr);
  const bytes = readFileSync(out);
  assert.deepEqual([...bytes.subarray(0, 4)], [0, 0x61, 0x73, 0x6d]);
  const v = wasmfx(['validate', out]);
  assert.equal(v.code, 0, v.stderr);
  assert.match(v.stdout, /valid/);
  const t = wasmfx(['print', out]);
  assert.equal(t.code, 0, t.stderr);
  assert.match(t.stdout, /resume/);
  assert.match(t.stdout, /\(on \$yield/);
  // The printed text parses back to the same binary.
  const again = wasmfx(['parse', '-', '-o', '-'], t.stdout);
  assert.equal(again.code, 0, again.stderr);
  assert.deepEqual(again.raw, bytes);
});

test('stdin and stdout', () => {
  const r = wasmfx(['parse', '-'], '(module (func (export "f") (result i32) (i32.const 7)))');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual([...r.raw.subarray(0, 4)], [0, 0x61, 0x73, 0x6d]);
  const v = wasmfx(['validate', '-q', '-'], r.raw);
  assert.equal(v.code, 0);
  assert.equal(v.stdout, '');
});

test('malformed text: file:line:col, exit 1, no stack trace', () => {
  const f = join(tmp, 'bad.wat');
  writeFileSync(f, '(module\n  (func (result i32)\n    (i32.const 1) (i32.frob)))\n');
  for (const cmd of ['parse', 'print', 'validate']) {
    const r = wasmfx([cmd, f]);
    assert.equal(r.code, 1, cmd);
    assert.match(r.stderr, new RegExp(`^${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3:\\d+: unknown operator`));
    noStack(r.stderr);
  }
});

test('malformed binary: file: offset, exit 1', () => {
  const f = join(tmp, 'bad.wasm');
  writeFileSync(f, Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 5, 1, 0x60]));
  const r = wasmfx(['validate', f]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /bad\.wasm: offset 0x[0-9a-f]+: /);
  noStack(r.stderr);
});

test('invalid module: location and function, exit 1', () => {
  const f = join(tmp, 'invalid.wat');
  writeFileSync(f, '(module\n  (func $f (result i32)\n    (i64.const 1)))\n');
  const r = wasmfx(['validate', f]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /invalid\.wat:3:\d+: type mismatch/);
  assert.match(r.stderr, /\(in func \$f\)/);
  noStack(r.stderr);
  // an invalid type definition: where it is written (text: line:col; binary: its byte offset)
  const t = join(tmp, 'fwd.wat');
  writeFileSync(t, '(module\n  (type $a (func (param (ref null $b))))\n  (type $b (func)))\n');
  const rt = wasmfx(['validate', t]);
  assert.equal(rt.code, 1);
  assert.match(rt.stderr, /fwd\.wat:2:3: unknown type 1/);
  const b = join(tmp, 'fwd.wasm');
  writeFileSync(b, Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 9, 2, 0x60, 1, 0x63, 1, 0, 0x60, 0, 0]));
  const rb = wasmfx(['validate', b]);
  assert.equal(rb.code, 1);
  assert.match(rb.stderr, /fwd\.wasm: offset 0xb: unknown type 1/);
});

test('missing files and garbage input', () => {
  const r = wasmfx(['validate', join(tmp, 'nope.wat')]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /nope\.wat: cannot read: no such file/);
  const g = wasmfx(['validate', '-'], Uint8Array.from([0xff, 0xfe, 0x00, 0x81]));
  assert.equal(g.code, 1);
  noStack(g.stderr);
});

test('wast --validate-only: counts and failures', () => {
  const f = join(tmp, 'small.wast');
  writeFileSync(
    f,
    [
      '(module (func (export "f") (result i32) (i32.const 1)))',
      '(assert_return (invoke "f") (i32.const 1))',
      '(assert_invalid (module (func (result i32) (i64.const 1))) "type mismatch")',
      '(assert_malformed (module quote "(func (i32.frob))") "unknown operator")',
      '(assert_malformed (module binary "\\00asm\\02\\00\\00\\00") "unknown binary version")',
      '(assert_invalid (module (func)) "type mismatch")',
    ].join('\n'),
  );
  const r = wasmfx(['wast', '--validate-only', f]);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /small\.wast:6: assert_invalid: /);
  assert.match(r.stdout, /^4 passed, 1 failed, 1 skipped$/m);
});

test('print shows names from a name section with padded sizes (as Kotlin writes it); a malformed one is a warning', () => {
  // (module (func)) with a name section: subsection 1 (functions) with 5-byte LEB128s for its size, count and index
  const head = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00, 0x0a, 0x04, 0x01, 0x02, 0x00, 0x0b];
  const names = [0x04, ...Buffer.from('name'), 0x01, 0x8d, 0x80, 0x80, 0x80, 0x00, 0x81, 0x80, 0x80, 0x80, 0x00, 0x80, 0x80, 0x80, 0x80, 0x00, 0x02, ...Buffer.from('go')];
  const bin = (payload: number[]) => new Uint8Array([...head, 0x00, payload.length, ...payload]);
  const padded = join(tmp, 'padded.wasm');
  writeFileSync(padded, bin(names));
  const r = wasmfx(['print', padded]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /\(func \$go /);
  assert.equal(r.stderr, '');
  const broken = join(tmp, 'broken-names.wasm');
  writeFileSync(broken, bin([0x04, ...Buffer.from('name'), 0x01, 0x05, 0x01]));
  const b = wasmfx(['print', broken]);
  assert.equal(b.code, 0);
  assert.match(b.stderr, /^wasmfx: warning: .*broken-names\.wasm: the name section is malformed; printed without its names\n$/);
  assert.match(b.stdout, /\(func \(;0;\)/);
});

test('output into a pipe that closes early ends quietly (no EPIPE stack trace)', () => {
  const big = join(tmp, 'big.wat');
  writeFileSync(big, `(module\n${'  (func (result i32) (i32.const 1))\n'.repeat(20000)})\n`);
  const r = spawnSync('sh', ['-c', `"${process.execPath}" "${main}" print "${big}" | head -1`], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.stdout, '(module\n');
  assert.equal(r.stderr, '');
});

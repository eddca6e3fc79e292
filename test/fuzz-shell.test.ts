// The fuzz shell's continuation marks and its runs on V8's own stack switching
// (test/helpers/fuzz-shell.ts, test/helpers/fuzz-shell-native.ts), on small
// hand-written modules: where a continuation meets JS the shell prints a mark,
// and a comparison with V8 stops there; a module that aborts V8 (its `switch`)
// is reported as crashed and the next module runs in a new child.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseModule } from '../src/text/parser.ts';
import { encodeModule } from '../src/binary/encoder.ts';
import { WebAssembly as Interp } from '../src/host/js-api.ts';
import { firstDifference, isContinuationMark, runFuzzShell, type ShellNamespace } from './helpers/fuzz-shell.ts';
import { runNatively } from './helpers/fuzz-shell-native.ts';

const wasm = (wat: string): Uint8Array => encodeModule(parseModule(wat, 'test.wat'));

// function indices: 0 log-i32 (imported), 1 $g, 2 a, 3 k, 4 c, 5 b
const CROSSING = wasm(`(module
  (type $f (func)) (type $c (cont $f))
  (import "fuzzing-support" "log-i32" (func $log (param i32)))
  (func $g) (elem declare func $g)
  (global (export "null") (ref null $c) (ref.null $c))
  (func (export "a") (result i32) (call $log (i32.const 7)) (i32.const 1))
  (func (export "k") (result (ref null $c)) (cont.new $c (ref.func $g)))
  (func (export "c") (param contref) (call $log (i32.const 8)))
  (func (export "b") (result i32) (i32.const 2)))`);

// V8 (Node 26) compiles switch and aborts running it
const SWITCHING = wasm(`(module
  (rec (type $f (func (param (ref null $c)))) (type $c (cont $f)))
  (tag $t)
  (func $g (type $f))
  (func $h (type $f) (drop (switch $c $t (cont.new $c (ref.func $g)))))
  (elem declare func $g $h)
  (func (export "run") (resume $c (on $t switch) (ref.null $c) (cont.new $c (ref.func $h)))))`);

const interp = (bytes: Uint8Array): string[] =>
  runFuzzShell(Interp as unknown as ShellNamespace, bytes, { markContinuations: true }).lines;

test('fuzz shell: a continuation at the JS boundary is marked', () => {
  assert.deepEqual(interp(CROSSING), [
    '[fuzz-exec] export null',
    '[LoggingExternalInterface logging null]',
    '[fuzz-exec] export a',
    '[LoggingExternalInterface logging 7]',
    '[fuzz-exec] note result: a => 1',
    '[fuzz-exec] export k',
    '[continuation at the JS boundary: a continuation returned by function 3]',
    '[fuzz-exec] note result: k => object',
    '[fuzz-exec] export c',
    '[continuation at the JS boundary: call of function 4]',
    '[LoggingExternalInterface logging 8]',
    '[fuzz-exec] export b',
    '[fuzz-exec] note result: b => 2',
  ]);
  // (without the option: no marks)
  const plain = runFuzzShell(Interp as unknown as ShellNamespace, CROSSING).lines;
  assert.equal(plain.filter(isContinuationMark).length, 0);
  assert.equal(plain.length, 11);
});

test('fuzz shell on V8 with wasmfx: compared up to the first mark; a crash loses one module only', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wasmfx-fuzz-shell-'));
  try {
    const files = [['crossing', CROSSING], ['switching', SWITCHING], ['again', CROSSING]] as const;
    for (const [name, bytes] of files) writeFileSync(join(dir, `${name}.wasm`), bytes);
    const runs = await runNatively(files.map(([name]) => join(dir, `${name}.wasm`)));
    const ours = interp(CROSSING);
    for (const name of ['crossing', 'again']) {
      const r = runs.get(join(dir, `${name}.wasm`));
      assert.equal(r?.kind, 'ran', `${name}: ${JSON.stringify(r)}`);
      const lines = (r as { lines: string[] }).lines;
      // V8 refuses a continuation at the boundary where the interpreter passes an object
      assert.notEqual(firstDifference(ours, lines), null);
      assert.equal(firstDifference(ours, lines, isContinuationMark), null);
      assert.deepEqual(lines.slice(0, 6), ours.slice(0, 6));
    }
    const crashed = runs.get(join(dir, 'switching.wasm'));
    assert.equal(crashed?.kind, 'crashed');
    assert.match((crashed as { output: string }).output, /unimplemented code/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// The package root's JS API, as a user imports it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as wasmfx from '../src/index.ts';

test('read, check, write', () => {
  const m = wasmfx.parseModule('(module (func (export "f") (result i32) i32.const 42))', 'x.wat');
  wasmfx.validateModule(m);
  const bytes = wasmfx.encodeModule(m);
  assert.deepEqual(wasmfx.encodeModule(wasmfx.readModule(bytes)), bytes);
  assert.match(wasmfx.printModule(wasmfx.decodeModule(bytes)), /i32\.const 42/);
  assert.deepEqual(wasmfx.watToWasm('(module)'), Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
  assert.throws(() => wasmfx.parseModule('(module (func (i32.frob)))', 'bad.wat'), (e: unknown) =>
    e instanceof wasmfx.WasmSyntaxError && e.format() === 'bad.wat:1:16: unknown operator i32.frob');
});

const PROGRAM = `(module
      (import "env" "log" (func $log (param i32)))
      (type $ft (func)) (type $ct (cont $ft))
      (tag $yield (param i32))
      (func $gen (suspend $yield (i32.const 1)) (suspend $yield (i32.const 2)))
      (elem declare func $gen)
      (func (export "run") (result i32)
        (local $k (ref null $ct)) (local $n i32)
        (local.set $k (cont.new $ct (ref.func $gen)))
        (block $done
          (loop $next
            (block $on (result i32 (ref $ct))
              (resume $ct (on $yield $on) (local.get $k))
              (br $done))
            (local.set $k) (call $log) (local.set $n (i32.add (local.get $n) (i32.const 1)))
            (br $next)))
        (local.get $n))
      (func $inner (unreachable))
      (func $trapper (export "trap") (call $inner)))`;

test('instantiate runs WasmFX code with JS imports on the lowered engine (the default)', async () => {
  const logged: number[] = [];
  const { instance } = await wasmfx.instantiate(PROGRAM, { env: { log: (x: number) => void logged.push(x) } });
  const exports = instance.exports as Record<string, (...a: unknown[]) => unknown>;
  assert.equal(exports.run!(), 2);
  assert.deepEqual(logged, [1, 2]);
  assert.throws(() => exports.trap!(), (e: unknown) => e instanceof wasmfx.WebAssembly.RuntimeError || (e as Error).name === 'RuntimeError');
});

test('instantiate with the interpreter: traps carry backtraces', async () => {
  const logged: number[] = [];
  const { instance } = await wasmfx.instantiate(PROGRAM, { env: { log: (x: number) => void logged.push(x) } }, { engine: 'interp' });
  const exports = instance.exports as Record<string, (...a: unknown[]) => unknown>;
  assert.equal(exports.run!(), 2);
  assert.deepEqual(logged, [1, 2]);
  assert.throws(() => exports.trap!(), (e: unknown) => {
    assert.ok(e instanceof wasmfx.Trap);
    assert.equal(e.detail, 'unreachable executed');
    assert.deepEqual(e.backtrace.map((f) => f.name), ['inner', 'trapper']);
    return true;
  });
});

test('the WebAssembly namespace stands in for the built-in one', () => {
  const mod = new wasmfx.WebAssembly.Module('(module (memory (export "mem") 1) (global (export "g") (mut i32) (i32.const 5)))');
  const inst = new wasmfx.WebAssembly.Instance(mod, {});
  const exp = inst.exports as Record<string, { value?: unknown; buffer?: ArrayBuffer }>;
  assert.equal(exp.g!.value, 5);
  assert.equal(exp.mem!.buffer!.byteLength, 65536);
  assert.equal(wasmfx.WebAssembly.validate(Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0])), true);
});

test('continuations cross the JS boundary as opaque objects (null as null), on the interpreter and the lowered engine', async () => {
  const wat = `(module
    (type $ft (func (param i32) (result i32)))
    (type $ct (cont $ft))
    (tag $yield (param i32) (result i32))
    (func $gen (type $ft) (local.get 0) (suspend $yield) (i32.add (i32.const 100)))
    (elem declare func $gen)
    ;; runs a new generator to its first suspension; returns the continuation (the host keeps it)
    (func (export "start") (param i32) (result (ref null $ct))
      (block $y (result i32 (ref $ct))
        (drop (resume $ct (on $yield $y) (local.get 0) (cont.new $ct (ref.func $gen))))
        (return (ref.null $ct)))
      (return))
    ;; finishes a continuation the host hands back
    (func (export "finish") (param (ref null $ct)) (param i32) (result i32)
      (if (ref.is_null (local.get 0)) (then (return (i32.const -1))))
      (resume $ct (local.get 1) (local.get 0)))
    (func (export "nothing") (result (ref null $ct)) (ref.null $ct)))`;
  for (const engine of ['interp', 'lowered'] as const) {
    const { instance } = await wasmfx.instantiate(wat, {}, { engine });
    const ex = instance.exports as Record<string, (...a: unknown[]) => unknown>;
    const k = ex['start']!(7);
    assert.equal(typeof k, 'object', engine);
    assert.notEqual(k, null, engine);
    assert.equal(ex['finish']!(k, 5), 105, engine);
    assert.throws(() => ex['finish']!(k, 5), /continuation|consumed/i, `${engine}: one shot`);
    assert.equal(ex['nothing']!(), null, engine);
    assert.equal(ex['finish']!(null, 1), -1, engine);
    assert.throws(() => ex['finish']!({}, 1), TypeError, `${engine}: not a continuation`);
  }
});

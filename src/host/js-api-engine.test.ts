// The JS API over the real interpreter (src/exec/engine.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LinkError, Trap } from '../util/errors.ts';
import { Exception, Global, Memory, Module, RuntimeError, Table, Tag, WebAssembly, instantiate as instantiateAny, instantiateSync as instantiateSyncAny } from './js-api.ts';
import { parseModule } from '../text/parser.ts';
import { encodeModule } from '../binary/encoder.ts';
import { GENERATOR_WAT } from '../../test/helpers/exec-testkit.ts';

// (these tests are about the interpreter's JS API: `instantiate` defaults to the lowered engine)
const instantiate: typeof instantiateAny = (s, i, o) => instantiateAny(s, i, { engine: 'interp', ...o });
const instantiateSync: typeof instantiateSyncAny = (s, i, o) => instantiateSyncAny(s, i, { engine: 'interp', ...o });

type Fn = (...a: unknown[]) => unknown;

test('calls with conversions, host callbacks, multi-value', async () => {
  const log: unknown[] = [];
  const { instance } = await instantiate(`(module
    (import "env" "log" (func $log (param i32 i64 f32 f64)))
    (import "env" "pair" (func $pair (param i32) (result i32 i64)))
    (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
    (func (export "swap") (param i64 f64) (result f64 i64) local.get 1 local.get 0)
    (func (export "callLog") (call $log (i32.const -1) (i64.const 1) (f32.const 0.5) (f64.const -2)))
    (func (export "sumPair") (param i32) (result i64) (local $b i64)
      (call $pair (local.get 0)) (local.set $b) (i64.extend_i32_s) (local.get $b) (i64.add))
    (func (export "fac") (param i64) (result i64)
      (if (result i64) (i64.eqz (local.get 0)) (then (i64.const 1))
        (else (i64.mul (local.get 0) (call 6 (i64.sub (local.get 0) (i64.const 1))))))))`, {
    env: {
      log: (...a: unknown[]) => void log.push(a),
      pair: (x: number) => [x * 2, BigInt(x)],
    },
  });
  const ex = instance.exports as Record<string, Fn>;
  assert.equal(ex.add!(2 ** 31 - 1, 1), -(2 ** 31));
  assert.deepEqual(ex.swap!(3n, 1.5), [1.5, 3n]);
  ex.callLog!();
  assert.deepEqual(log, [[-1, 1n, 0.5, -2]]);
  assert.equal(ex.sumPair!(21), 63n);
  assert.equal(ex.fac!(20n), 2432902008176640000n);
});

test('traps surface as Trap; JS exceptions pass through', () => {
  const boom = new Error('boom');
  const { instance } = instantiateSync(`(module
    (import "env" "throw" (func $t))
    (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
    (func (export "callThrow") (call $t))
    (func (export "unreachable") unreachable))`, { env: { throw: () => { throw boom; } } });
  const ex = instance.exports as Record<string, Fn>;
  assert.throws(() => ex.div!(1, 0), (e: unknown) => e instanceof Trap && e.detail === 'integer divide by zero');
  assert.throws(() => ex.unreachable!(), (e: unknown) => e instanceof Trap && e.detail === 'unreachable executed');
  assert.throws(() => ex.callThrow!(), (e: unknown) => e === boom);
});

test('memory, table, global and start through the engine', () => {
  const mem = new Memory({ initial: 1, maximum: 2 });
  const tab = new Table({ element: 'anyfunc', initial: 2 });
  const g = new Global({ value: 'i32', mutable: true }, 5);
  const { instance } = instantiateSync(`(module
    (import "env" "mem" (memory 1 2))
    (import "env" "tab" (table 2 funcref))
    (import "env" "g" (global $g (mut i32)))
    (type $t (func (result i32)))
    (func $seven (type $t) (i32.const 7))
    (func $start (global.set $g (i32.add (global.get $g) (i32.const 1))) (i32.store8 (i32.const 3) (i32.const 9)))
    (start $start)
    (elem (i32.const 1) func $seven)
    (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
    (func (export "callAt") (param i32) (result i32) (call_indirect (type $t) (local.get 0))))`, {
    env: { mem, tab, g },
  });
  const ex = instance.exports as Record<string, Fn>;
  assert.equal(g.value, 6);
  assert.equal(new Uint8Array(mem.buffer)[3], 9);
  assert.equal(ex.callAt!(1), 7);
  assert.throws(() => ex.callAt!(0), (e: unknown) => e instanceof Trap && e.detail.startsWith('uninitialized element'));
  const view = new Uint8Array(mem.buffer);
  assert.equal(ex.grow!(1), 1);
  // as in the JS API: a grow detaches the old buffer; the new one keeps the contents
  assert.equal(view.length, 0);
  assert.equal(mem.buffer.byteLength, 2 * 65536);
  assert.equal(new Uint8Array(mem.buffer)[3], 9);
  assert.equal(ex.grow!(1), -1);
  // a table entry set from JS is callable from Wasm
  tab.set(0, tab.get(1));
  assert.equal(ex.callAt!(0), 7);
  // exported functions of one instance imported by another
  const { instance: i2 } = instantiateSync(`(module
    (import "m" "f" (func $f (param i32) (result i32)))
    (func (export "twice") (param i32) (result i32) (call $f (call $f (local.get 0)))))`, {
    m: { f: instantiateSync('(module (func (export "inc") (param i32) (result i32) (i32.add (local.get 0) (i32.const 1))))').instance.exports.inc },
  });
  assert.equal((i2.exports.twice as Fn)(40), 42);
});

test('exceptions: tags imported from JS keep identity', () => {
  const tag = new Tag({ parameters: ['i32'] });
  const a = instantiateSync(`(module
    (import "m" "tag" (tag $e (param i32)))
    (func (export "throw") (param i32) (throw $e (local.get 0))))`, { m: { tag } });
  const b = instantiateSync(`(module
    (import "m" "tag" (tag $e (param i32)))
    (import "m" "throw" (func $throw (param i32)))
    (func (export "catch") (param i32) (result i32)
      (block $h (result i32)
        (try_table (catch $e $h) (call $throw (local.get 0)))
        (i32.const -1))))`, { m: { tag, throw: a.instance.exports.throw } });
  assert.equal((b.instance.exports.catch as Fn)(17), 17);
  const other = new Tag({ parameters: ['i32'] });
  const c = instantiateSync(`(module
    (import "m" "tag" (tag $e (param i32)))
    (import "m" "throw" (func $throw (param i32)))
    (func (export "catch") (param i32) (result i32)
      (block $h (result i32)
        (try_table (catch $e $h) (call $throw (local.get 0)))
        (i32.const -1))))`, { m: { tag: other, throw: a.instance.exports.throw } });
  assert.throws(() => (c.instance.exports.catch as Fn)(17));
});

test('stack switching: a generator through the JS API', () => {
  const { instance } = instantiateSync(GENERATOR_WAT);
  assert.equal((instance.exports.sum as Fn)(5), 5 + 4 + 3 + 2 + 1);
});

test('link errors from type mismatches', () => {
  const { instance } = instantiateSync('(module (func (export "f") (param i32)))');
  assert.throws(() => instantiateSync('(module (import "m" "f" (func (param i64))))', { m: { f: instance.exports.f } }), LinkError);
});

test('traps are WebAssembly.RuntimeErrors (and Traps) with the backtrace of every Wasm frame, through nested calls', () => {
  const inner = instantiateSync(`(module $inner (func $boom (export "boom") unreachable))`);
  const { instance } = instantiateSync(`(module $outer
    (import "m" "js" (func $js))
    (func $outer (export "outer") (call $js)))`, { m: { js: () => (inner.instance.exports.boom as Fn)() } });
  assert.throws(() => (instance.exports.outer as Fn)(), (e: unknown) => {
    assert.ok(e instanceof RuntimeError && e instanceof Trap);
    assert.equal(e.constructor, RuntimeError);
    assert.equal(e.name, 'RuntimeError');
    assert.equal(e.detail, 'unreachable executed');
    assert.deepEqual(e.backtrace.map((f) => f.name), ['boom', 'outer']);
    return true;
  });
});

test('each backtrace frame is located in its own module: line:col for text, the byte offset for binaries', () => {
  const inner = instantiateSync(new Module(encodeModule(parseModule('(module $inner (func $boom (export "boom") unreachable))')), 'inner.wasm'));
  const { instance } = instantiateSync(`(module $outer
    (import "m" "js" (func $js))
    (func $outer (export "outer")
      (call $js)))`, { m: { js: () => (inner.instance.exports.boom as Fn)() } });
  assert.throws(() => (instance.exports.outer as Fn)(), (e: unknown) => {
    assert.ok(e instanceof Trap);
    assert.match(e.format(), /wasm backtrace:\n {2}0: inner!\$boom @ inner\.wasm:0x[0-9a-f]+\n {2}1: outer!\$outer @ <input>:4:8$/);
    return true;
  });
});

test('exceptions: JS values thrown into Wasm are caught by catch_all and come out unchanged; Wasm exceptions are Exceptions', () => {
  const tag = new Tag({ parameters: ['i32'] });
  const thrown: unknown[] = [];
  const { instance } = instantiateSync(`(module
    (import "m" "tag" (tag $t (param i32)))
    (import "m" "js" (func $js (param i32)))
    (import "m" "jstag" (tag $jstag (param externref)))
    (func (export "catchAll") (param i32) (result i32)
      (block $h (try_table (catch_all $h) (call $js (local.get 0))) (return (i32.const 0)))
      (i32.const 1))
    (func (export "rethrow") (param i32)
      (block $h (result exnref) (try_table (catch_all_ref $h) (call $js (local.get 0))) (return))
      (throw_ref))
    (func (export "catchJs") (param i32) (result externref)
      (block $h (result externref) (try_table (catch $jstag $h) (call $js (local.get 0))) (return (ref.null extern))))
    (func (export "catchTag") (param i32) (result i32)
      (block $h (result i32) (try_table (catch $t $h) (call $js (local.get 0))) (return (i32.const -1))))
    (func (export "throw") (param i32) (throw $t (local.get 0))))`, {
    m: {
      tag,
      jstag: WebAssembly.JSTag,
      js: (x: number) => {
        const v = x === 0 ? new Error('js') : x === 1 ? 'a string' : new Exception(tag, [x]);
        thrown.push(v);
        throw v;
      },
    },
  });
  const ex = instance.exports as Record<string, Fn>;
  assert.equal(ex.catchAll!(0), 1);
  assert.equal(ex.catchAll!(5), 1);
  assert.throws(() => ex.rethrow!(0), (e: unknown) => e === thrown.at(-1));
  assert.throws(() => ex.rethrow!(1), (e: unknown) => e === 'a string');
  assert.throws(() => ex.rethrow!(9), (e: unknown) => e === thrown.at(-1) && e instanceof Exception);
  assert.equal(ex.catchJs!(1), 'a string');
  assert.equal(ex.catchTag!(42), 42);
  assert.throws(() => ex.catchTag!(0), (e: unknown) => e === thrown.at(-1));
  // a Wasm exception reaching JS: an Exception, the same object each time it comes out
  let first: unknown;
  assert.throws(() => ex.throw!(3), (e: unknown) => {
    first = e;
    return e instanceof Exception && e.is(tag) && e.getArg(tag, 0) === 3;
  });
  assert.notEqual(first, undefined);
});

test('traps and exhaustion of nested calls are not catchable by catch_all', () => {
  const inner = instantiateSync('(module (func (export "boom") unreachable))');
  const { instance } = instantiateSync(`(module
    (import "m" "js" (func $js))
    (func (export "f") (result i32)
      (block $h (try_table (catch_all $h) (call $js)) (return (i32.const 0)))
      (i32.const 1)))`, { m: { js: () => (inner.instance.exports.boom as Fn)() } });
  assert.throws(() => (instance.exports.f as Fn)(), RuntimeError);
});

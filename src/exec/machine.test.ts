// The machine on programs without stack switching: control flow and the translator's
// corner cases (pending locals and constants, fused branches), calls, tail calls,
// exceptions, GC, memories, tables, limits (depth, stack bytes, fuel, interrupts), backtraces.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { call, func, host, load, throwsKind } from '../../test/helpers/exec-testkit.ts';
import { invoke } from './engine.ts';
import { compileFunc } from './compile.ts';
import { disasm } from './disasm.ts';
import type { RuntimeError, UncaughtException } from '../util/errors.ts';
import { HostRef, WasmExn, type WasmFunc } from '../runtime/value.ts';

test('pending locals are materialised before the local changes', () => {
  const inst = load(`(module
    (func (export "swap") (param i32 i32) (result i32 i32)
      (local.get 0) (local.get 1) (local.set 0) (local.set 1) (local.get 0) (local.get 1))
    (func (export "tee") (param i32) (result i32 i32)
      (local.get 0) (local.tee 0 (i32.add (local.get 0) (i32.const 1))))
    (func (export "set-below") (param i32) (result i32)
      (local.get 0)
      (local.set 0 (i32.const 100))
      (i32.add (local.get 0)))
    (func (export "retarget") (param i32 i32) (result i32)
      (local.set 1 (i32.mul (local.get 0) (local.get 1)))
      (local.set 0 (i32.sub (local.get 1) (i32.const 1)))
      (local.get 0))
    (func (export "retarget-aliased") (param i32) (result i32)
      (local.get 0)
      (local.set 0 (i32.add (local.get 0) (i32.const 5)))
      (i32.sub (local.get 0)))
  )`);
  assert.deepEqual(call(inst, 'swap', [1, 2]), [2, 1]);
  assert.deepEqual(call(inst, 'tee', [5]), [5, 6]);
  assert.deepEqual(call(inst, 'set-below', [7]), [107]);
  assert.deepEqual(call(inst, 'retarget', [6, 7]), [41]);
  assert.deepEqual(call(inst, 'retarget-aliased', [10]), [-5]);
});

test('blocks, loops and ifs with parameters, multi-value branches', () => {
  const inst = load(`(module
    (func (export "block-params") (param i32) (result i32)
      (local.get 0) (i32.const 1)
      (block (param i32 i32) (result i32) (i32.add)))
    (func (export "if-params") (param i32 i32) (result i32)
      (local.get 0) (local.get 1)
      (if (param i32) (result i32) (then (i32.const 10) (i32.add)) (else (i32.const 20) (i32.sub))))
    (func (export "loop-params") (param i32) (result i32)
      ;; sums 1..n with the accumulator and counter carried as loop parameters
      (i32.const 0) (local.get 0)
      (loop $l (param i32 i32) (result i32)
        (local.set 0)
        (i32.add (local.get 0))
        (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
        (local.get 0)
        (br_if $l (local.get 0))
        (drop)))
    (func (export "br-values") (param i32) (result i32 i32)
      (block $b (result i32 i32)
        (local.get 0) (i32.const 7)
        (br_if $b (i32.gt_s (local.get 0) (i32.const 10)))
        (drop) (drop)
        (i32.const -1) (i32.const -2)))
    (func (export "br-table") (param i32) (result i32)
      (block $d (result i32)
        (block $c (result i32)
          (block $b (result i32)
            (block $a (result i32)
              (local.get 0) (local.get 0)
              (br_table $a $b $c $d))
            (i32.const 100) (i32.add) (return))
          (i32.const 200) (i32.add) (return))
        (i32.const 300) (i32.add) (return))
      (i32.const 400) (i32.add))
    (func (export "br-table-return") (param i32) (result i32)
      (drop (block $a (result i32) (local.get 0) (local.get 0) (br_table $a 1))) (i32.const -1))
    (func (export "select") (param i32 i32 i32) (result i32 f64)
      (select (local.get 0) (local.get 1) (local.get 2))
      (select (f64.const 1.5) (f64.const 2.5) (local.get 2)))
    (func (export "cond-return") (param i32) (result i32)
      (i32.const 5)
      (br_if 0 (local.get 0))
      (drop)
      (i32.const 6))
  )`);
  assert.deepEqual(call(inst, 'block-params', [41]), [42]);
  assert.deepEqual(call(inst, 'if-params', [1, 5]), [11]);
  assert.deepEqual(call(inst, 'if-params', [7, 0]), [-13]);
  assert.deepEqual(call(inst, 'loop-params', [10]), [55]);
  assert.deepEqual(call(inst, 'br-values', [11]), [11, 7]);
  assert.deepEqual(call(inst, 'br-values', [3]), [-1, -2]);
  assert.deepEqual([0, 1, 2, 3, 4, 99].map((i) => call(inst, 'br-table', [i])[0]), [100, 201, 302, 403, 404, 499]);
  assert.deepEqual(call(inst, 'br-table-return', [0]), [-1]);
  assert.deepEqual(call(inst, 'br-table-return', [1]), [1]);
  assert.deepEqual(call(inst, 'select', [1, 2, 1]), [1, 1.5]);
  assert.deepEqual(call(inst, 'select', [1, 2, 0]), [2, 2.5]);
  assert.deepEqual(call(inst, 'cond-return', [1]), [5]);
  assert.deepEqual(call(inst, 'cond-return', [0]), [6]);
});

test('comparisons fuse with br_if and if', () => {
  const inst = load(`(module
    (func (export "count") (param i32) (result i32) (local i32)
      (loop $l
        (local.set 1 (i32.add (local.get 1) (i32.const 1)))
        (br_if $l (i32.lt_u (local.get 1) (local.get 0))))
      (local.get 1))
    (func (export "sign") (param i32) (result i32)
      (if (result i32) (i32.ge_s (local.get 0) (i32.const 0)) (then (i32.const 1)) (else (i32.const -1))))
    (func (export "eqz") (param i32) (result i32)
      (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 1)) (else (i32.const 0))))
  )`);
  assert.deepEqual(call(inst, 'count', [1000]), [1000]);
  assert.deepEqual(call(inst, 'count', [0]), [1]);
  assert.deepEqual(call(inst, 'sign', [-3]), [-1]);
  assert.deepEqual(call(inst, 'sign', [0]), [1]);
  assert.deepEqual(call(inst, 'eqz', [0]), [1]);
  assert.deepEqual(call(inst, 'eqz', [2]), [0]);
  const code = disasm(compileFunc(func(inst, 'count') as WasmFunc));
  assert.match(code, /J_LT_U/);
  assert.doesNotMatch(code, /I32_LT_U/);
});

test('calls, recursion, indirect calls and call_ref', () => {
  const inst = load(`(module
    (type $ii (func (param i32) (result i32)))
    (type $v (func))
    (table 4 funcref)
    (elem (i32.const 0) $fib $double)
    (func $fib (export "fib") (type $ii)
      (if (result i32) (i32.lt_s (local.get 0) (i32.const 2))
        (then (local.get 0))
        (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                       (call $fib (i32.sub (local.get 0) (i32.const 2)))))))
    (func $double (type $ii) (i32.shl (local.get 0) (i32.const 1)))
    (func (export "indirect") (param i32 i32) (result i32)
      (call_indirect (type $ii) (local.get 1) (local.get 0)))
    (func (export "wrong-type") (call_indirect (type $v) (i32.const 0)))
    (func (export "ref") (param i32) (result i32) (call_ref $ii (local.get 0) (ref.func $double)))
    (func (export "null-ref") (result i32) (call_ref $ii (i32.const 1) (ref.null $ii)))
    (func (export "multi") (result i32 i64 f64) (call $three))
    (func $three (result i32 i64 f64) (i32.const 1) (i64.const 2) (f64.const 3))
  )`);
  assert.deepEqual(call(inst, 'fib', [20]), [6765]);
  assert.deepEqual(call(inst, 'indirect', [1, 21]), [42]);
  assert.deepEqual(call(inst, 'indirect', [0, 10]), [55]);
  throwsKind(() => call(inst, 'indirect', [2, 1]), 'trap', 'uninitialized element');
  throwsKind(() => call(inst, 'indirect', [7, 1]), 'trap', 'undefined element');
  throwsKind(() => call(inst, 'wrong-type'), 'trap', 'indirect call type mismatch');
  assert.deepEqual(call(inst, 'ref', [4]), [8]);
  throwsKind(() => call(inst, 'null-ref'), 'trap', 'null function reference');
  assert.deepEqual(call(inst, 'multi'), [1, 2n, 3]);
});

test('tail calls run in constant stack', () => {
  const inst = load(`(module
    (type $t (func (param i64 i64) (result i64)))
    (table funcref (elem $even $odd))
    (func $even (export "even") (param i64 i64) (result i64)
      (if (result i64) (i64.eqz (local.get 0)) (then (local.get 1))
        (else (return_call $odd (i64.sub (local.get 0) (i64.const 1)) (i64.add (local.get 1) (i64.const 1))))))
    (func $odd (param i64 i64) (result i64)
      (if (result i64) (i64.eqz (local.get 0)) (then (i64.sub (i64.const 0) (local.get 1)))
        (else (return_call_indirect (type $t) (i64.sub (local.get 0) (i64.const 1)) (local.get 1) (i32.const 0)))))
    (func (export "via-ref") (param i64) (result i64)
      (return_call_ref $t (local.get 0) (i64.const 0) (ref.func $even)))
  )`);
  assert.deepEqual(call(inst, 'even', [1_000_000n, 0n], { maxCallDepth: 100 }), [500_000n]);
  assert.deepEqual(call(inst, 'via-ref', [7n], { maxCallDepth: 100 }), [-4n]);
});

test('host functions: arguments and results of every type', () => {
  const seen: unknown[] = [];
  const f = host(['i32', 'i64', 'f32', 'f64', { nullable: true, heap: 'extern' } as never], ['f64', 'i64'], (args) => {
    seen.push(...args);
    return [(args[3] as number) * 2, (args[1] as bigint) + 1n];
  });
  const inst = load(`(module
    (import "h" "f" (func $f (param i32 i64 f32 f64 externref) (result f64 i64)))
    (func (export "run") (param externref) (result f64 i64)
      (call $f (i32.const -1) (i64.const 41) (f32.const 1.5) (f64.const 2.25) (local.get 0)))
  )`, { h: { f } });
  const ext = new HostRef('x');
  assert.deepEqual(call(inst, 'run', [ext]), [4.5, 42n]);
  assert.deepEqual(seen, [-1, 41n, 0x3fc00000, 2.25, ext]);
});

test('exceptions: catch, catch_ref, catch_all, throw_ref, uncaught', () => {
  const inst = load(`(module
    (tag $a (param i32))
    (tag $b (param i64 f64))
    (func $thrower (param i32)
      (if (i32.eqz (local.get 0)) (then (throw $a (i32.const 11))))
      (throw $b (i64.const 22) (f64.const 3.5)))
    (func (export "catch") (param i32) (result i32)
      (block $ca (result i32)
        (block $cb (result i64 f64)
          (try_table (catch $a $ca) (catch $b $cb) (call $thrower (local.get 0)))
          (unreachable))
        (drop)
        (i32.wrap_i64))
      )
    (func (export "rethrow") (result i32)
      (block $outer (result i32)
        (try_table (catch $a $outer)
          (block $r (result exnref)
            (try_table (catch_all_ref $r) (call $thrower (i32.const 0)))
            (unreachable))
          (throw_ref))
        (unreachable)))
    (func (export "catch-ref") (result i32)
      (local $e exnref)
      (block $r (result i32 exnref)
        (try_table (catch_ref $a $r) (call $thrower (i32.const 0)))
        (unreachable))
      (local.set $e)
      (i32.add (i32.const 100))
      (if (ref.is_null (local.get $e)) (then (unreachable))))
    (func (export "catch-all") (result i32)
      (block $h
        (try_table (catch_all $h) (call $thrower (i32.const 1)))
        (return (i32.const 0)))
      (i32.const 1))
    (func (export "uncaught") (call $thrower (i32.const 1)))
    (func (export "null") (throw_ref (ref.null exn)))
    (func (export "in-loop") (result i32) (local i32)
      (loop $l
        (block $h
          (try_table (catch_all $h) (call $thrower (i32.const 0)))
          (unreachable))
        (local.set 0 (i32.add (local.get 0) (i32.const 1)))
        (br_if $l (i32.lt_s (local.get 0) (i32.const 1000))))
      (local.get 0))
  )`);
  assert.deepEqual(call(inst, 'catch', [0]), [11]);
  assert.deepEqual(call(inst, 'catch', [1]), [22]);
  assert.deepEqual(call(inst, 'rethrow'), [11]);
  assert.deepEqual(call(inst, 'catch-ref'), [111]);
  assert.deepEqual(call(inst, 'catch-all'), [1]);
  const e = throwsKind<UncaughtException>(() => call(inst, 'uncaught'), 'exception');
  assert.ok(e.exn instanceof WasmExn);
  assert.deepEqual((e.exn as WasmExn).payload, [22n, 3.5]);
  assert.deepEqual(e.backtrace.map((f) => f.name ?? f.func), ['thrower', 5]);
  throwsKind(() => call(inst, 'null'), 'trap', 'null exception reference');
  assert.deepEqual(call(inst, 'in-loop'), [1000]);
});

test('GC: structs, arrays, packed fields, casts, i31', () => {
  const inst = load(`(module
    (type $pt (sub (struct (field $x (mut i32)) (field $y (mut f64)))))
    (type $pt3 (sub $pt (struct (field $x (mut i32)) (field $y (mut f64)) (field $z (mut i8)))))
    (type $bytes (array (mut i8)))
    (type $refs (array (mut (ref null $pt))))
    (data $d "\\01\\02\\ff")
    (func (export "struct") (result i32 f64 i32 i32)
      (local $p (ref $pt3))
      (local.set $p (struct.new $pt3 (i32.const 1) (f64.const 2.5) (i32.const 300)))
      (struct.set $pt $x (local.get $p) (i32.const 7))
      (struct.get $pt $x (local.get $p))
      (struct.get $pt $y (local.get $p))
      (struct.get_s $pt3 $z (local.get $p))
      (struct.get_u $pt3 $z (local.get $p)))
    (func (export "array") (result i32 i32 i32)
      (local $a (ref $bytes))
      (local.set $a (array.new_data $bytes $d (i32.const 0) (i32.const 3)))
      (array.set $bytes (local.get $a) (i32.const 0) (i32.const 0x1ff))
      (array.get_u $bytes (local.get $a) (i32.const 0))
      (array.get_s $bytes (local.get $a) (i32.const 2))
      (array.len (local.get $a)))
    (func (export "array-oob") (result i32)
      (array.get_u $bytes (array.new_default $bytes (i32.const 2)) (i32.const 2)))
    (func (export "copy-fill") (result i32)
      (local $a (ref $bytes))
      (local.set $a (array.new $bytes (i32.const 1) (i32.const 10)))
      (array.fill $bytes (local.get $a) (i32.const 2) (i32.const 5) (i32.const 3))
      (array.copy $bytes $bytes (local.get $a) (i32.const 0) (local.get $a) (i32.const 1) (i32.const 9))
      (i32.add (array.get_u $bytes (local.get $a) (i32.const 0))
        (i32.add (array.get_u $bytes (local.get $a) (i32.const 1)) (array.get_u $bytes (local.get $a) (i32.const 4)))))
    (func (export "casts") (param anyref) (result i32 i32 i32)
      (ref.test (ref $pt) (local.get 0))
      (ref.test (ref $pt3) (local.get 0))
      (ref.test (ref i31) (local.get 0)))
    (func (export "mk") (param i32) (result anyref)
      (if (result anyref) (local.get 0)
        (then (struct.new $pt3 (i32.const 0) (f64.const 0) (i32.const 0)))
        (else (ref.i31 (i32.const -5)))))
    (func (export "cast-fail") (param anyref) (result i32)
      (struct.get $pt $x (ref.cast (ref $pt) (local.get 0))))
    (func (export "br-on-cast") (param anyref) (result i32)
      (block $is (result (ref $pt))
        (br_on_cast $is anyref (ref $pt) (local.get 0))
        (return (i31.get_s (ref.cast (ref i31)))))
      (struct.get $pt $x))
    (func (export "null-struct") (result i32) (struct.get $pt $x (ref.null $pt)))
    (func (export "i31") (result i32 i32) (i31.get_s (ref.i31 (i32.const -1))) (i31.get_u (ref.i31 (i32.const -1))))
  )`);
  assert.deepEqual(call(inst, 'struct'), [7, 2.5, 44, 44]);
  assert.deepEqual(call(inst, 'array'), [0xff, -1, 3]);
  throwsKind(() => call(inst, 'array-oob'), 'trap', 'out of bounds array access');
  assert.deepEqual(call(inst, 'copy-fill'), [1 + 5 + 1]);
  const s = call(inst, 'mk', [1])[0]!;
  const i = call(inst, 'mk', [0])[0]!;
  assert.equal(i, -5);
  assert.deepEqual(call(inst, 'casts', [s]), [1, 1, 0]);
  assert.deepEqual(call(inst, 'casts', [i]), [0, 0, 1]);
  throwsKind(() => call(inst, 'cast-fail', [i]), 'trap', 'cast failure');
  assert.deepEqual(call(inst, 'br-on-cast', [s]), [0]);
  assert.deepEqual(call(inst, 'br-on-cast', [i]), [-5]);
  throwsKind(() => call(inst, 'null-struct'), 'trap', 'null structure reference');
  assert.deepEqual(call(inst, 'i31'), [-1, 0x7fffffff]);
});

test('memories: loads, stores, bounds, growth, memory64, bulk operations', () => {
  const inst = load(`(module
    (memory $m 1 3)
    (memory $m64 i64 1)
    (func (export "rw") (param i32) (result i32 i64 f32 f64 i32)
      (i32.store (local.get 0) (i32.const -2))
      (i64.store offset=8 (local.get 0) (i64.const -3))
      (f32.store offset=16 (local.get 0) (f32.const 1.5))
      (f64.store offset=24 (local.get 0) (f64.const -0.25))
      (i32.store8 offset=32 (local.get 0) (i32.const 0x1ff))
      (i32.load (local.get 0)) (i64.load offset=8 (local.get 0)) (f32.load offset=16 (local.get 0))
      (f64.load offset=24 (local.get 0)) (i32.load8_s offset=32 (local.get 0)))
    (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
    (func (export "grow") (param i32) (result i32 i32) (memory.grow (local.get 0)) (memory.size))
    (func (export "rw64") (param i64) (result i64 i64)
      (i64.store $m64 (local.get 0) (i64.const 0x1122334455667788))
      (i64.load $m64 (local.get 0))
      (i64.load16_u $m64 offset=6 (local.get 0)))
    (func (export "fill-copy") (result i32)
      (memory.fill (i32.const 100) (i32.const 7) (i32.const 10))
      (memory.copy (i32.const 105) (i32.const 100) (i32.const 10))
      (i32.load8_u (i32.const 114)))
  )`);
  assert.deepEqual(call(inst, 'rw', [1000]), [-2, -3n, 0x3fc00000, -0.25, -1]);
  throwsKind(() => call(inst, 'load', [65534]), 'trap', 'out of bounds memory access');
  throwsKind(() => call(inst, 'rw', [-1]), 'trap', 'out of bounds memory access');
  assert.deepEqual(call(inst, 'grow', [1]), [1, 2]);
  assert.deepEqual(call(inst, 'load', [65534]), [0]);
  assert.deepEqual(call(inst, 'grow', [5]), [-1, 2]);
  assert.deepEqual(call(inst, 'rw64', [16n]), [0x1122334455667788n, 0x1122n]);
  throwsKind(() => call(inst, 'rw64', [0xffff_ffff_ffff_fff0n]), 'trap', 'out of bounds memory access');
  assert.deepEqual(call(inst, 'fill-copy'), [7]);
});

test('traps carry backtraces with function names and source offsets', () => {
  const wat = `(module
    (func $inner (param i32) (result i32) (i32.div_s (i32.const 1) (local.get 0)))
    (func $middle (param i32) (result i32) (call $inner (local.get 0)))
    (func (export "outer") (param i32) (result i32) (call $middle (local.get 0)))
  )`;
  const inst = load(wat);
  const e = throwsKind<RuntimeError>(() => call(inst, 'outer', [0]), 'trap', 'integer divide by zero');
  assert.deepEqual(e.backtrace.map((f) => f.name ?? f.func), ['inner', 'middle', 2]);
  assert.equal(e.backtrace[0]!.offset, wat.indexOf('(i32.div_s') + 1);
  assert.equal(e.backtrace[1]!.offset, wat.indexOf('(call $inner') + 1);
  assert.ok(e.backtrace.every((f) => !f.continuationBoundary));
});

test('limits: call depth, stack bytes, fuel, interrupts', () => {
  const inst = load(`(module
    (func $rec (export "rec") (param i32) (result i32)
      (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))
        (else (i32.add (i32.const 1) (call $rec (i32.sub (local.get 0) (i32.const 1)))))))
    (func (export "spin") (loop $l (br $l)))
    (func (export "count") (param i32) (result i32) (local i32)
      (loop $l
        (local.set 1 (i32.add (local.get 1) (i32.const 1)))
        (br_if $l (i32.lt_s (local.get 1) (local.get 0))))
      (local.get 1))
  )`);
  assert.deepEqual(call(inst, 'rec', [100_000]), [100_000]);
  throwsKind(() => call(inst, 'rec', [100_000_000]), 'exhaustion', 'call stack exhausted');
  throwsKind(() => call(inst, 'rec', [1000], { maxCallDepth: 500 }), 'exhaustion', 'call stack exhausted');
  throwsKind(() => call(inst, 'rec', [100_000], { maxStackBytes: 1 << 20 }), 'exhaustion', 'call stack exhausted');
  throwsKind(() => call(inst, 'spin', [], { fuel: 10_000 }), 'exhaustion', 'out of fuel');
  assert.deepEqual(call(inst, 'count', [100], { fuel: 1000 }), [100]);
  throwsKind(() => call(inst, 'count', [10_000], { fuel: 1000 }), 'exhaustion', 'out of fuel');
  const flag = new Int32Array(new SharedArrayBuffer(4));
  flag[0] = 1;
  throwsKind(() => call(inst, 'spin', [], { interrupt: flag }), 'exhaustion', 'interrupted');
  flag[0] = 0;
  assert.deepEqual(call(inst, 'count', [10], { interrupt: flag }), [10]);
});

test('deep recursion through host frames ends in exhaustion', () => {
  let inst: ReturnType<typeof load> | null = null;
  const back = host(['i32'], ['i32'], (a) => invoke(func(inst!, 'f'), a));
  inst = load(`(module
    (import "h" "back" (func $back (param i32) (result i32)))
    (func (export "f") (param i32) (result i32)
      (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))
        (else (call $back (i32.sub (local.get 0) (i32.const 1))))))
  )`, { h: { back } });
  assert.deepEqual(call(inst, 'f', [100]), [0]);
  throwsKind(() => call(inst, 'f', [10_000_000]), 'exhaustion', 'call stack exhausted');
});

test('the start function runs through invoke', () => {
  const inst = load(`(module
    (global $g (export "g") (mut i32) (i32.const 0))
    (func $start (global.set $g (i32.const 42)))
    (start $start)
  )`);
  const g = inst.exports.get('g')!;
  assert.equal(g.kind === 'global' && g.value.value, 42);
});

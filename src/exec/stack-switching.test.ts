// Stack switching on the machine: generators, schedulers, nested handlers,
// symmetric switch, cont.bind, resume_throw, one-shot checks, unhandled tags,
// limits inside continuations, backtraces through continuations, idle continuations.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GENERATOR_WAT, call, func, host, load, throwsKind } from '../../test/helpers/exec-testkit.ts';
import { invoke } from './engine.ts';
import type { Exhaustion, RuntimeError, UncaughtException } from '../util/errors.ts';
import { WasmExn } from '../runtime/value.ts';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

test('a generator', () => {
  const inst = load(GENERATOR_WAT);
  assert.deepEqual(call(inst, 'sum', [10]), [55]);
  assert.deepEqual(call(inst, 'sum', [1]), [1]);
  assert.deepEqual(call(inst, 'sum', [100_000]), [(100_000 * 100_001) / 2 | 0]);
});

test('payloads and resume values of every kind', () => {
  const inst = load(`(module
    (type $ft (func (param i64 f64 f32 externref) (result i32)))
    (type $ct (cont $ft))
    (tag $t (param i32 i64 f64 f32 externref) (result i64 f64 f32 externref))
    (type $bt (func (result i32 i64 f64 f32 externref (ref $ct))))
    (func $body (param i64 f64 f32 externref) (result i32)
      (local.get 0) (local.get 1) (local.get 2) (local.get 3)
      (suspend $t (i32.const 7) (local.get 0) (local.get 1) (local.get 2) (local.get 3))
      ;; check that we got back what was passed in
      (drop) (drop) (drop) (drop) (drop) (drop) (drop) (drop)
      (i32.const 99))
    (elem declare func $body)
    (global $k (mut (ref null $ct)) (ref.null $ct))
    (func (export "start") (param i64 f64 f32 externref) (result i32 i64 f64 f32 externref)
      (local $k (ref $ct))
      (block $h (type $bt)
        (resume $ct (on $t $h) (local.get 0) (local.get 1) (local.get 2) (local.get 3) (cont.new $ct (ref.func $body)))
        (unreachable))
      (local.set $k)
      (global.set $k (local.get $k)))
    (func (export "finish") (result i32)
      (resume $ct (i64.const 1) (f64.const 2) (f32.const 3) (ref.null extern) (global.get $k)))
  )`);
  const ext = { marker: 1 };
  const { HostRef } = { HostRef: class { value: unknown; constructor(v: unknown) { this.value = v; } } };
  const h = new HostRef(ext);
  const r = call(inst, 'start', [-5n, 2.5, 0x40490fdb, h as never]);
  assert.deepEqual(r, [7, -5n, 2.5, 0x40490fdb, h]);
  assert.deepEqual(call(inst, 'finish'), [99]);
});

test('a scheduler with many tasks', () => {
  const inst = load(`(module
    (type $ft (func))
    (type $ct (cont $ft))
    (type $tt (func (param i32)))
    (type $tct (cont $tt))
    (tag $yield)
    (global $count (mut i32) (i32.const 0))
    (table $q 1024 (ref null $ct))
    (global $head (mut i32) (i32.const 0))
    (global $tail (mut i32) (i32.const 0))
    (func $push (param (ref null $ct))
      (table.set $q (global.get $tail) (local.get 0))
      (global.set $tail (i32.and (i32.add (global.get $tail) (i32.const 1)) (i32.const 1023))))
    (func $pop (result (ref null $ct))
      (local $k (ref null $ct))
      (if (i32.eq (global.get $head) (global.get $tail)) (then (return (ref.null $ct))))
      (local.set $k (table.get $q (global.get $head)))
      (global.set $head (i32.and (i32.add (global.get $head) (i32.const 1)) (i32.const 1023)))
      (local.get $k))
    (func $task (param $rounds i32)
      (loop $l
        (global.set $count (i32.add (global.get $count) (i32.const 1)))
        (suspend $yield)
        (local.set $rounds (i32.sub (local.get $rounds) (i32.const 1)))
        (br_if $l (local.get $rounds))))
    (elem declare func $task)
    (func (export "run") (param $tasks i32) (param $rounds i32) (result i32)
      (local $k (ref null $ct))
      (block $b (loop $l
        (br_if $b (i32.eqz (local.get $tasks)))
        (call $push (cont.bind $tct $ct (local.get $rounds) (cont.new $tct (ref.func $task))))
        (local.set $tasks (i32.sub (local.get $tasks) (i32.const 1)))
        (br $l)))
      (loop $sched
        (local.set $k (call $pop))
        (if (ref.is_null (local.get $k)) (then (return (global.get $count))))
        (block $on_yield (result (ref $ct))
          (resume $ct (on $yield $on_yield) (local.get $k))
          (br $sched))
        (call $push)
        (br $sched))
      (unreachable))
  )`);
  assert.deepEqual(call(inst, 'run', [1000, 20]), [20_000]);
});

test('nested handlers: the inner one forwards the tags it does not handle', () => {
  const m = load(`(module
    (type $ft (func (result i32)))
    (type $ct (cont $ft))
    (type $at (func (param i32) (result i32)))
    (type $act (cont $at))
    (tag $ask (result i32))
    (tag $log (param i32))
    (global $logged (mut i32) (i32.const 0))
    (func $leaf (result i32)
      (local $x i32)
      (local.set $x (suspend $ask))
      (suspend $log (local.get $x))
      (i32.add (local.get $x) (suspend $ask)))
    (func $inner (result i32)
      (local $k (ref null $ct))
      (local.set $k (cont.new $ct (ref.func $leaf)))
      (loop $l
        (block $on_log (result i32 (ref $ct))
          (return (resume $ct (on $log $on_log) (local.get $k))))
        (local.set $k)
        (global.set $logged (i32.add (global.get $logged)))
        (br $l))
      (unreachable))
    (elem declare func $leaf $inner)
    (func (export "run") (result i32 i32)
      (local $k (ref null $act))
      (local $answer i32)
      (local $r i32)
      (block $first (result (ref $act))
        (local.set $r (resume $ct (on $ask $first) (cont.new $ct (ref.func $inner))))
        (return (local.get $r) (global.get $logged)))
      (local.set $k)
      (loop $l
        (local.set $answer (i32.add (local.get $answer) (i32.const 10)))
        (block $on_ask (result (ref $act))
          (local.set $r (resume $act (on $ask $on_ask) (local.get $answer) (local.get $k)))
          (return (local.get $r) (global.get $logged)))
        (local.set $k)
        (br $l))
      (unreachable))
  )`);
  // leaf: x = 10 (first answer), logs 10, then x + 20 = 30
  assert.deepEqual(call(m, 'run'), [30, 10]);
});

test('switch between coroutines', () => {
  const inst = load(`(module
    (rec
      (type $ft (func (param i32 (ref null $ct)) (result i32)))
      (type $ct (cont $ft)))
    (tag $swap (result i32))
    (global $trace (mut i32) (i32.const 0))
    (func $ping (type $ft) (param $n i32) (param $peer (ref null $ct)) (result i32)
      (loop $l
        (global.set $trace (i32.add (i32.mul (global.get $trace) (i32.const 3)) (i32.const 1)))
        (if (i32.eqz (local.get $n)) (then (return (global.get $trace))))
        (switch $ct $swap (i32.sub (local.get $n) (i32.const 1)) (local.get $peer))
        (local.set $peer)
        (local.set $n)
        (br $l))
      (unreachable))
    (func $pong (type $ft) (param $n i32) (param $peer (ref null $ct)) (result i32)
      (loop $l
        (global.set $trace (i32.add (i32.mul (global.get $trace) (i32.const 3)) (i32.const 2)))
        (if (i32.eqz (local.get $n)) (then (return (global.get $trace))))
        (switch $ct $swap (i32.sub (local.get $n) (i32.const 1)) (local.get $peer))
        (local.set $peer)
        (local.set $n)
        (br $l))
      (unreachable))
    (elem declare func $ping $pong)
    (func (export "run") (param i32) (result i32)
      (resume $ct (on $swap switch)
        (local.get 0) (cont.new $ct (ref.func $pong)) (cont.new $ct (ref.func $ping))))
  )`);
  // ping(4): 1; pong(3): 2; ping(2): 1; pong(1): 2; ping(0): 1 -> returns
  let t = 0;
  for (const d of [1, 2, 1, 2, 1]) t = (t * 3 + d) | 0;
  assert.deepEqual(call(inst, 'run', [4]), [t]);
  // many switches: constant stack
  const r = call(inst, 'run', [200_000]);
  assert.equal(typeof r[0], 'number');
});

test('cont.bind: partial application, and it consumes the original', () => {
  const inst = load(`(module
    (type $f3 (func (param i32 i32 i32) (result i32)))
    (type $c3 (cont $f3))
    (type $f1 (func (param i32) (result i32)))
    (type $c1 (cont $f1))
    (type $f0 (func (result i32)))
    (type $c0 (cont $f0))
    (func $g (param i32 i32 i32) (result i32)
      (i32.add (i32.mul (local.get 0) (i32.const 100)) (i32.add (i32.mul (local.get 1) (i32.const 10)) (local.get 2))))
    (elem declare func $g)
    (func (export "bind") (result i32)
      (resume $c0 (cont.bind $c1 $c0 (i32.const 3) (cont.bind $c3 $c1 (i32.const 1) (i32.const 2) (cont.new $c3 (ref.func $g))))))
    (func (export "reuse") (result i32)
      (local $k (ref null $c3))
      (local.set $k (cont.new $c3 (ref.func $g)))
      (drop (cont.bind $c3 $c1 (i32.const 1) (i32.const 2) (local.get $k)))
      (resume $c3 (i32.const 1) (i32.const 2) (i32.const 3) (local.get $k)))
  )`);
  assert.deepEqual(call(inst, 'bind'), [123]);
  throwsKind(() => call(inst, 'reuse'), 'trap', 'continuation already consumed');
});

test('cont.bind of a suspended continuation', () => {
  const inst = load(`(module
    (type $f0 (func (result i32)))
    (type $c0 (cont $f0))
    (type $f2 (func (param i32 i32) (result i32)))
    (type $c2 (cont $f2))
    (tag $two (result i32 i32))
    (func $body (result i32)
      (i32.sub (suspend $two)))
    (elem declare func $body)
    (func (export "run") (result i32)
      (local $k (ref null $c2))
      (block $h (result (ref $c2))
        (resume $c0 (on $two $h) (cont.new $c0 (ref.func $body)))
        (unreachable))
      (local.set $k)
      (resume $c0 (cont.bind $c2 $c0 (i32.const 50) (i32.const 8) (local.get $k))))
  )`);
  assert.deepEqual(call(inst, 'run'), [42]);
});

const RESUME_THROW = `(module
  (type $ft (func (result i32)))
  (type $ct (cont $ft))
  (tag $yield)
  (tag $exn (param i32))
  (func $catching (result i32)
    (block $h (result i32)
      (try_table (catch $exn $h)
        (suspend $yield))
      (i32.const -1))
    (i32.add (i32.const 1000)))
  (func $not_catching (result i32)
    (suspend $yield)
    (i32.const -1))
  (elem declare func $catching $not_catching)
  (func $suspended (param (ref $ft)) (result (ref $ct))
    (block $h (result (ref $ct))
      (drop (resume $ct (on $yield $h) (cont.new $ct (local.get 0))))
      (unreachable)))
  (func (export "caught") (result i32)
    (resume_throw $ct $exn (i32.const 7) (call $suspended (ref.func $catching))))
  (func (export "escapes") (result i32)
    (block $h (result i32)
      (try_table (catch $exn $h)
        (drop (resume_throw $ct $exn (i32.const 8) (call $suspended (ref.func $not_catching)))))
      (i32.const -1)))
  (func (export "fresh") (result i32)
    (block $h (result i32)
      (try_table (catch $exn $h)
        (drop (resume_throw $ct $exn (i32.const 9) (cont.new $ct (ref.func $catching)))))
      (i32.const -1)))
  (func (export "ref") (result i32)
    (local $e exnref)
    (block $h (result exnref)
      (try_table (catch_all_ref $h) (throw $exn (i32.const 5)))
      (unreachable))
    (local.set $e)
    (resume_throw_ref $ct (local.get $e) (call $suspended (ref.func $catching))))
  (func (export "null-exn") (result i32)
    (resume_throw_ref $ct (ref.null exn) (ref.null $ct)))
  (func (export "uncaught") (result i32)
    (resume_throw $ct $exn (i32.const 3) (call $suspended (ref.func $not_catching))))
)`;

test('resume_throw and resume_throw_ref', () => {
  const inst = load(RESUME_THROW);
  assert.deepEqual(call(inst, 'caught'), [1007]);
  assert.deepEqual(call(inst, 'escapes'), [8]);
  assert.deepEqual(call(inst, 'fresh'), [9]);
  assert.deepEqual(call(inst, 'ref'), [1005]);
  throwsKind(() => call(inst, 'null-exn'), 'trap', 'null exception reference');
  const e = throwsKind<UncaughtException>(() => call(inst, 'uncaught'), 'exception');
  assert.ok(e.exn instanceof WasmExn);
  assert.deepEqual((e.exn as WasmExn).payload, [3]);
});

test('exceptions propagate out of continuations through handlers to the resumer', () => {
  const inst = load(`(module
    (type $ft (func (result i32)))
    (type $ct (cont $ft))
    (tag $yield)
    (tag $e (param i32))
    (func $deep (param i32) (result i32)
      (if (i32.eqz (local.get 0)) (then (throw $e (i32.const 42))))
      (call $deep (i32.sub (local.get 0) (i32.const 1))))
    (func $body (result i32) (call $deep (i32.const 100)))
    (func $middle (result i32)
      (block $h (result (ref $ct))
        (return (resume $ct (on $yield $h) (cont.new $ct (ref.func $body)))))
      (unreachable))
    (elem declare func $body $middle)
    (func (export "run") (result i32)
      (block $c (result i32)
        (try_table (catch $e $c)
          (drop (resume $ct (cont.new $ct (ref.func $middle)))))
        (i32.const -1)))
  )`);
  assert.deepEqual(call(inst, 'run'), [42]);
});

test('one-shot continuations and null continuations', () => {
  const inst = load(`(module
    (type $ft (func))
    (type $ct (cont $ft))
    (tag $yield)
    (func $body (suspend $yield) (suspend $yield))
    (elem declare func $body)
    (func (export "twice")
      (local $k (ref null $ct))
      (local.set $k (cont.new $ct (ref.func $body)))
      (block $h (result (ref $ct)) (resume $ct (on $yield $h) (local.get $k)) (return))
      (drop)
      (resume $ct (local.get $k)))
    (func (export "null") (resume $ct (ref.null $ct)))
    (func (export "null-func") (drop (cont.new $ct (ref.null $ft))))
  )`);
  throwsKind(() => call(inst, 'twice'), 'trap', 'continuation already consumed');
  throwsKind(() => call(inst, 'null'), 'trap', 'null continuation reference');
  throwsKind(() => call(inst, 'null-func'), 'trap', 'null function reference');
});

test('unhandled tags, also across a host frame', () => {
  let inner: ReturnType<typeof load> | null = null;
  const callback = host([], [], () => invoke(func(inner!, 'yield'), []));
  const inst = load(`(module
    (type $ft (func))
    (type $ct (cont $ft))
    (import "host" "callback" (func $callback))
    (tag $yield (export "yield-tag"))
    (func (export "top") (suspend $yield))
    (func $via_host (call $callback))
    (elem declare func $via_host)
    (func (export "across-host")
      (block $h (result (ref $ct))
        (resume $ct (on $yield $h) (cont.new $ct (ref.func $via_host)))
        (return))
      (unreachable))
  )`, { host: { callback } });
  inner = load(`(module
    (import "m" "yield-tag" (tag $yield))
    (func (export "yield") (suspend $yield))
  )`, { m: { 'yield-tag': inst.exports.get('yield-tag')! } });
  throwsKind(() => call(inst, 'top'), 'suspension', 'unhandled tag');
  const e = throwsKind<RuntimeError>(() => call(inst, 'across-host'), 'suspension', 'unhandled tag');
  // the backtrace continues from the inner module through the host call to the outer one
  assert.ok(e.backtrace.length >= 2);
});

test('Wasm exceptions pass through host frames', () => {
  let inner: ReturnType<typeof load> | null = null;
  const callback = host([], [], () => invoke(func(inner!, 'throw'), []));
  const outer = load(`(module
    (import "host" "callback" (func $callback))
    (tag $e (export "e") (param i32))
    (func (export "run") (result i32)
      (block $h (result i32)
        (try_table (catch $e $h) (call $callback))
        (i32.const -1)))
  )`, { host: { callback } });
  inner = load(`(module
    (import "m" "e" (tag $e (param i32)))
    (func (export "throw") (throw $e (i32.const 77)))
  )`, { m: { e: outer.exports.get('e')! } });
  assert.deepEqual(call(outer, 'run'), [77]);
});

const DEEP = `(module
  (type $ft (func (param i32) (result i32)))
  (type $ct (cont $ft))
  (tag $yield)
  (func $rec (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 0))
      (else (i32.add (i32.const 1) (call $rec (i32.sub (local.get 0) (i32.const 1)))))))
  ;; recursion through nested continuations: each level runs the next in a new one
  (func $nest (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 0))
      (else (i32.add (i32.const 1)
        (resume $ct (local.get 0) (cont.new $ct (ref.func $nest_step)))))))
  (func $nest_step (param i32) (result i32) (call $nest (i32.sub (local.get 0) (i32.const 1))))
  (elem declare func $rec $nest_step)
  (func (export "rec-in-cont") (param i32) (result i32)
    (resume $ct (local.get 0) (cont.new $ct (ref.func $rec))))
  (func (export "nest") (param i32) (result i32) (call $nest (local.get 0)))
)`;

test('deep recursion inside continuations', () => {
  const inst = load(DEEP);
  assert.deepEqual(call(inst, 'rec-in-cont', [10_000]), [10_000]);
  assert.deepEqual(call(inst, 'nest', [5_000]), [5_000]);
  throwsKind<Exhaustion>(() => call(inst, 'rec-in-cont', [10_000_000]), 'exhaustion', 'call stack exhausted');
  throwsKind<Exhaustion>(() => call(inst, 'nest', [10_000_000]), 'exhaustion', 'call stack exhausted');
  throwsKind<Exhaustion>(() => call(inst, 'rec-in-cont', [5000], { maxCallDepth: 1000 }), 'exhaustion', 'call stack exhausted');
  throwsKind<Exhaustion>(() => call(inst, 'rec-in-cont', [50_000], { maxStackBytes: 1 << 16 }), 'exhaustion', 'call stack exhausted');
});

test('backtraces through nested continuations', () => {
  const inst = load(`(module
    (type $ft (func))
    (type $ct (cont $ft))
    (func $crash (unreachable))
    (func $c3 (call $crash))
    (func $c2 (resume $ct (cont.new $ct (ref.func $c3))))
    (func $c1 (nop) (resume $ct (cont.new $ct (ref.func $c2))))
    (elem declare func $c1 $c2 $c3)
    (func $main (export "main") (resume $ct (cont.new $ct (ref.func $c1))))
  )`);
  const e = throwsKind<RuntimeError>(() => call(inst, 'main'), 'trap', 'unreachable executed');
  const names = e.backtrace.map((f) => f.name);
  assert.deepEqual(names, ['crash', 'c3', 'c2', 'c1', 'main']);
  assert.deepEqual(e.backtrace.map((f) => f.continuationBoundary === true), [false, true, true, true, false]);
  // offsets point at the instructions: the crash at `unreachable`, the others at their call/resume
  for (const f of e.backtrace) assert.ok(f.offset > 0);
  assert.ok(e.backtrace[0]!.offset < e.backtrace[1]!.offset);
  assert.match(e.format(), /resumed from/);
});

test('100,000 idle suspended continuations', () => {
  const inst = load(`(module
    (type $ft (func (result i32)))
    (type $ct (cont $ft))
    (tag $yield (param i32))
    (table $ks 100000 (ref null $ct))
    (func $gen (result i32)
      (suspend $yield (i32.const 1))
      (suspend $yield (i32.const 2))
      (i32.const 3))
    (elem declare func $gen)
    (func (export "start") (param $n i32)
      (local $i i32) (local $k (ref null $ct))
      (loop $l
        (block $h (result i32 (ref $ct))
          (resume $ct (on $yield $h) (cont.new $ct (ref.func $gen)))
          (unreachable))
        (local.set $k)
        (drop)
        (table.set $ks (local.get $i) (local.get $k))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $l (i32.lt_u (local.get $i) (local.get $n)))))
    (func (export "finish") (param $n i32) (result i32)
      (local $i i32) (local $sum i32) (local $k (ref null $ct))
      (loop $l
        (local.set $k (table.get $ks (local.get $i)))
        (block $done
          (loop $run
            (block $h (result i32 (ref $ct))
              (local.set $sum (i32.add (local.get $sum) (resume $ct (on $yield $h) (local.get $k))))
              (br $done))
            (local.set $k)
            (local.set $sum (i32.add (local.get $sum)))
            (br $run)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
      (local.get $sum))
  )`);
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  const before = process.memoryUsage().heapUsed;
  call(inst, 'start', [100_000]);
  gc();
  const per = (process.memoryUsage().heapUsed - before) / 100_000;
  // a one-frame segment (three small value arrays, the frame arrays) and the continuation
  // object: about 1 KB on Node 26
  assert.ok(per < 2048, `${per.toFixed(0)} bytes per idle continuation`);
  assert.deepEqual(call(inst, 'finish', [100_000]), [100_000 * 5]);
});

test('200,000 suspend/resume round trips of one generator (timed in bench/, not here)', () => {
  const inst = load(GENERATOR_WAT);
  // sum of 1..200000 wraps around in i32
  assert.deepEqual(call(inst, 'sum', [200_000]), [Number(BigInt.asIntN(32, (200_000n * 200_001n) / 2n))]);
});

test('continuations of host functions', () => {
  const h = host(['i32', 'i32'], ['i32'], (a) => [((a[0] as number) * 10 + (a[1] as number)) | 0]);
  const inst = load(`(module
    (type $f2 (func (param i32 i32) (result i32)))
    (type $c2 (cont $f2))
    (type $f1 (func (param i32) (result i32)))
    (type $c1 (cont $f1))
    (import "h" "f" (func $f (type $f2)))
    (elem declare func $f)
    (func (export "run") (result i32)
      (resume $c1 (i32.const 2) (cont.bind $c2 $c1 (i32.const 4) (cont.new $c2 (ref.func $f)))))
  )`, { h: { f: h } });
  assert.deepEqual(call(inst, 'run'), [42]);
});

test('an exception from a tail-called host function leaves the calling frame', () => {
  let inner: ReturnType<typeof load> | null = null;
  const thrower = host([], ['i32'], () => invoke(func(inner!, 'throw'), []));
  const outer = load(`(module
    (import "h" "thrower" (func $thrower (result i32)))
    (tag $e (export "e") (param i32))
    (func $tail (result i32)
      (block $h (result i32)
        (try_table (result i32) (catch $e $h) (return_call $thrower))
        (unreachable))
      (i32.add (i32.const 1000)))
    (func (export "run") (result i32)
      (block $h (result i32)
        (try_table (result i32) (catch $e $h) (call $tail))
        (unreachable))
      (i32.add (i32.const 2000)))
    (func (export "run-root") (result i32) (return_call $thrower))
  )`, { h: { thrower } });
  inner = load(`(module
    (import "m" "e" (tag $e (param i32)))
    (func (export "throw") (result i32) (throw $e (i32.const 5)))
  )`, { m: { e: outer.exports.get('e')! } });
  assert.deepEqual(call(outer, 'run'), [2005]);
  throwsKind(() => call(outer, 'run-root'), 'exception');
});

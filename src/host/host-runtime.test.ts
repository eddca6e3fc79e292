import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseModule } from '../text/parser.ts';
import { validateModule } from '../valid/validator.ts';
import { f64FromBits, f64ToBits } from '../util/float-bits.ts';
import { HostRef, WasmArray, WasmExn, WasmStruct, nulls, type Value } from '../runtime/value.ts';
import { matchResult } from '../script/values.ts';
import { HostRuntime, MissingFeature, featuresUsed, hostSupports, type ValidatedModule } from './host-runtime.ts';
import { hostNamespace } from './namespace.ts';
import { classifyHostError } from './host-errors.ts';

const ns = hostNamespace()!;

function load(text: string): ValidatedModule {
  const module = parseModule(text, 'test.wat');
  const source = { name: 'test.wat', text };
  return { module, valid: validateModule(module, source), source };
}

const M = load(`(module
  (type $s (struct (field i32)))
  (type $a (array i8))
  (tag $e)
  (func (export "f32") (param f32) (result f32) (local.get 0))
  (func (export "f64") (param f64) (result f64) (local.get 0))
  (func (export "v128") (param v128) (result v128) (local.get 0))
  (func (export "mix") (param i32 f32 i64 f64 v128) (result v128 f64 i64 f32 i32)
    (local.get 4) (local.get 3) (local.get 2) (local.get 1) (local.get 0))
  (func (export "ext") (param externref) (result externref) (local.get 0))
  (func (export "anyid") (param anyref) (result anyref) (local.get 0))
  (func (export "any") (param i32) (result anyref)
    (block $b0 (block $b1 (block $b2 (block $b3
      (br_table $b0 $b1 $b2 $b3 (local.get 0)))
      (return (array.new_default $a (i32.const 2))))
      (return (struct.new $s (i32.const 5))))
      (return (ref.i31 (i32.const -7))))
    (ref.null none))
  (func (export "struct") (param (ref null $s)) (result (ref null $s) i32)
    (local.get 0) (if (result i32) (ref.is_null (local.get 0)) (then (i32.const -1)) (else (struct.get $s 0 (local.get 0)))))
  (func $g (export "fn") (result funcref) (ref.func $g))
  (func (export "exn") (param exnref) (result exnref exnref)
    (local.get 0)
    (block $h (result exnref) (try_table (catch_all_ref $h) (throw $e)) (unreachable)))
  (global (export "gf32") f32 (f32.const nan:0x200001))
  (global (export "gf64") (mut f64) (f64.const -nan:0x4000000000001))
  (global (export "gv") v128 (v128.const i32x4 1 2 3 0xffffffff))
  (global (export "gs") (ref null $s) (struct.new $s (i32.const 1)))
)`);

function instance(rt = new HostRuntime(ns)) {
  return { rt, inst: rt.instantiate(M, rt.compile(M)) };
}

/**
 * Arguments in a generic array, as the WAST engine passes them: a double-only array (a rest
 * parameter of doubles, say) would quiet signalling NaNs of f64s, so f64s come as bits here.
 */
const values = (...vs: (Value | { f64: bigint })[]): Value[] => {
  const a = nulls(vs.length);
  vs.forEach((v, i) => (a[i] = v !== null && typeof v === 'object' && 'f64' in v ? f64FromBits(v.f64) : v));
  return a;
};

test('exact floats: signalling NaNs and payloads of f32 and f64 cross V8 bit for bit', () => {
  const { rt, inst } = instance();
  for (const bits of [0x7f800001, 0xff800001, 0x7fa00000, 0x7fc00001, 0x80000000, 0x00000001]) {
    assert.equal(rt.call(inst, 'f32', values(bits)).values[0], bits, `f32 0x${bits.toString(16)}`);
  }
  for (const bits of [0x7ff0000000000001n, 0xfff4000000000001n, 0x7ff8000000000001n, 0x8000000000000000n]) {
    const r = rt.call(inst, 'f64', values({ f64: bits })).values[0] as number;
    assert.equal(f64ToBits(r), bits, `f64 0x${bits.toString(16)}`);
  }
  const v = Uint8Array.from({ length: 16 }, (_, i) => (i * 37 + 255) & 0xff);
  assert.deepEqual(rt.call(inst, 'v128', values(v)).values[0], v);
  // several values at once, in order
  const mix = rt.call(inst, 'mix', values(-5, 0x7f800002, -(2n ** 63n), { f64: 0xfff0000000000002n }, v));
  assert.deepEqual(mix.values.slice(2), [-(2n ** 63n), 0x7f800002, -5]);
  assert.equal(f64ToBits(mix.values[1] as number), 0xfff0000000000002n);
  assert.deepEqual(mix.values[0], v);
  // globals, read exactly (Global.value would turn the f32 into a double)
  assert.equal(rt.get(inst, 'gf32').values[0], 0x7fa00001);
  assert.equal(f64ToBits(rt.get(inst, 'gf64').values[0] as number), 0xfff4000000000001n);
  assert.deepEqual([...(rt.get(inst, 'gv').values[0] as Uint8Array)], [1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 255, 255, 255, 255]);
});

test('references: host values pass through, opaque ones come back classified', () => {
  const { rt, inst } = instance();
  const h = new HostRef(3);
  assert.equal(rt.call(inst, 'ext', values(h)).values[0], h);
  assert.equal(rt.call(inst, 'ext', values(null)).values[0], null);
  assert.equal(rt.call(inst, 'anyid', values(h)).values[0], h); // internalized and back
  const any = (k: number): Value => rt.call(inst, 'any', values(k)).values[0]!;
  assert.equal(any(0), null);
  assert.equal(any(1), -7);
  assert.ok(any(2) instanceof WasmStruct);
  assert.ok(any(3) instanceof WasmArray);
  const { types } = rt.call(inst, 'any', values(1));
  assert.ok(matchResult(any(1), types[0]!, { kind: 'ref', ref: 'ref.i31' }));
  assert.ok(matchResult(any(2), types[0]!, { kind: 'ref', ref: 'ref.struct' }));
  assert.ok(!matchResult(any(2), types[0]!, { kind: 'ref', ref: 'ref.array' }));
  // a signature naming the module's own type: the wrapper uses the module's types
  assert.deepEqual(rt.call(inst, 'struct', values(null)).values, [null, -1]);
  assert.ok(rt.get(inst, 'gs').values[0] instanceof WasmStruct);
  const fn = rt.call(inst, 'fn', []).values;
  assert.ok(matchResult(fn[0]!, rt.call(inst, 'fn', []).types[0]!, { kind: 'ref', ref: 'ref.func' }));
  // exnref cannot cross the JS boundary: null goes in, the class comes out
  const exn = rt.call(inst, 'exn', values(null)).values;
  assert.equal(exn[0], null);
  assert.ok(exn[1] instanceof WasmExn);
});

test('spectest: exact function types, prints with float bits, shared table and memory', () => {
  const lines: string[] = [];
  const rt = new HostRuntime(ns, { print: (l) => lines.push(l) });
  const user = load(`(module
    (import "spectest" "print_f32" (func $p (param f32)))
    (import "spectest" "print_i32_f32" (func $q (param i32 f32)))
    (import "spectest" "global_f32" (global $g f32))
    (import "spectest" "table" (table 10 funcref))
    (import "spectest" "table64" (table i64 10 funcref))
    (import "spectest" "memory" (memory 1 2))
    (func (export "go") (call $p (f32.const nan:0x200001)) (call $q (i32.const 7) (global.get $g))))`);
  rt.call(rt.instantiate(user, rt.compile(user)), 'go', []);
  assert.deepEqual(lines, ['nan:0x200001 : f32', '7 : i32', '666.6 : f32']);
  // a JS function would link as any type; spectest's are Wasm functions of their exact types
  const wrong = load('(module (import "spectest" "print_i32" (func (param i64))))');
  assert.throws(() => rt.instantiate(wrong, rt.compile(wrong)), (e) => classifyHostError(e, ns)?.kind === 'unlinkable');
  const unknown = load('(module (import "spectest" "nothing" (func)))');
  assert.throws(() => rt.instantiate(unknown, rt.compile(unknown)), /unknown import "spectest"."nothing"/);
});

test('wrappers are compiled once per signature and bound once per function', () => {
  const { rt, inst } = instance();
  const { inst: inst2 } = instance(rt);
  let compiled = 0;
  const counting = new Proxy(ns, {
    get: (t, k) => (k === 'Module' ? new Proxy(t.Module, { construct: (c, a) => (compiled++, Reflect.construct(c, a)) }) : Reflect.get(t, k)),
  });
  const rt2 = new HostRuntime(counting);
  const i1 = rt2.instantiate(M, rt2.compile(M));
  const before = compiled;
  rt2.call(i1, 'f32', values(1));
  rt2.call(i1, 'f32', values(2));
  rt2.call(rt2.instantiate(M, rt2.compile(M)), 'f32', values(3));
  assert.equal(compiled - before, 2, 'one wrapper and one more module');
  assert.equal(rt.call(inst2, 'f32', values(1)).values[0], rt.call(inst, 'f32', values(1)).values[0]);
});

test('features: stack switching and switch are detected, and missing ones reported', () => {
  const cont = parseModule('(module (type $f (func)) (type $c (cont $f)) (func (param (ref null $c))))');
  assert.deepEqual([...featuresUsed(cont)], ['stack-switching']);
  const tagResult = parseModule('(module (tag (result i32)))');
  assert.deepEqual([...featuresUsed(tagResult)], ['stack-switching']);
  const local = parseModule('(module (func (local contref)))');
  assert.deepEqual([...featuresUsed(local)], ['stack-switching']);
  const sw = parseModule(`(module (rec (type $f (func (param (ref null $c)))) (type $c (cont $f))) (tag $t)
    (func (switch $c $t (ref.null $c)) (unreachable)))`);
  assert.deepEqual([...featuresUsed(sw)].sort(), ['stack-switching', 'switch']);
  assert.deepEqual([...featuresUsed(parseModule('(module (func (result i32) (i32.const 1)))'))], []);

  const rt = new HostRuntime(ns, { stackSwitchingReason: 'no stack switching here' });
  const m = load('(module (type $f (func)) (type $c (cont $f)) (func (export "f")))');
  if (!hostSupports(ns, 'stack-switching')) {
    assert.throws(() => rt.compile(m), (e) => e instanceof MissingFeature && e.message === 'no stack switching here');
  }
  // a host that compiles a feature but cannot run it (V8 and switch) says so
  const lacking = new HostRuntime(ns, { lacks: { switch: 'no switch' } });
  const s = load(`(module (rec (type $f (func (param (ref null $c)))) (type $c (cont $f))) (tag $t)
    (func (switch $c $t (ref.null $c)) (unreachable)))`);
  assert.throws(() => lacking.compile(s), /no switch|no stack switching|stack switching needs/);
});

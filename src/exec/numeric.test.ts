// The numeric operators, differentially against V8's own WebAssembly: one
// exported function per operator takes its operands as bit patterns (floats
// reinterpreted from i32/i64, so NaN payloads cross the JS boundary intact)
// and returns the result reinterpreted as an integer. Results must agree bit
// for bit, except NaNs, whose payload the spec leaves open: there both must be
// NaN and ours must be of the class the spec demands (canonical when every NaN
// operand is canonical, arithmetic otherwise). Traps must agree.
// Then: the exact NaN choices of the reference interpreter, and the spec
// suite's scalar assertions on straight-line functions.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import fc from 'fast-check';
import { allSubTypes, importCounts, type Module } from '../syntax/ast.ts';
import { BY_NAME, INSTRS, type InstrDef } from '../syntax/opcodes.ts';
import { encodeModule } from '../binary/encoder.ts';
import { parseModule } from '../text/parser.ts';
import { parseScript } from '../script/script-parser.ts';
import type { Const, Expected, FloatPattern } from '../script/ast.ts';
import { Trap } from '../util/errors.ts';
import { coreWastFiles } from '../../test/helpers/spec.ts';
import { NUMERIC, isNumericOp, numericFn, type NumericOp } from './numeric.ts';
import { f32FromBits, f32ToBits, f64FromBits, f64ToI64 } from '../util/float-bits.ts';

/** FC_RUNS=n multiplies the number of random runs. */
const RUNS = Number(process.env.FC_RUNS ?? 1);

type NumType = 'i32' | 'i64' | 'f32' | 'f64';
/** A value on the wire: i32 and f32 bits as signed int32 numbers, i64 and f64 bits as signed bigints. */
type Wire = number | bigint;

const OPS = Object.keys(NUMERIC) as NumericOp[];

function sigOf(op: string): { params: NumType[]; result: NumType } {
  const [p, r] = BY_NAME.get(op)!.sig!.split('->').map((s) => s.trim());
  return { params: (p === '' ? [] : p!.split(' ')) as NumType[], result: r as NumType };
}

// ---- V8 ----------------------------------------------------------------------------------------

/** V8's WebAssembly JS API (not in this project's TypeScript libs). */
interface WasmJs {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (m: object, imports: object) => { exports: Record<string, unknown> };
  RuntimeError: new (...args: never[]) => Error;
}
const WA = (globalThis as unknown as { WebAssembly: WasmJs }).WebAssembly;

const CARRIER = { i32: 'i32', i64: 'i64', f32: 'i32', f64: 'i64' } as const;
const FROM_WIRE = { i32: '', i64: '', f32: 'f32.reinterpret_i32', f64: 'f64.reinterpret_i64' } as const;
const TO_WIRE = { i32: '', i64: '', f32: 'i32.reinterpret_f32', f64: 'i64.reinterpret_f64' } as const;

const V8: Record<string, (...args: Wire[]) => Wire> = (() => {
  const funcs = OPS.map((op) => {
    const { params, result } = sigOf(op);
    const body = params.map((t, i) => `local.get ${i} ${FROM_WIRE[t]}`).join(' ');
    return `(func (export "${op}") (param ${params.map((t) => CARRIER[t]).join(' ')}) (result ${CARRIER[result]}) ${body} ${op} ${TO_WIRE[result]})`;
  });
  const bytes = encodeModule(parseModule(`(module ${funcs.join('\n')})`));
  return new WA.Instance(new WA.Module(bytes), {}).exports as never;
})();

// ---- ours on the wire ----------------------------------------------------------------------------

const fromWire = (t: NumType, w: Wire): number | bigint =>
  t === 'f32' ? (w as number) >>> 0 : t === 'f64' ? f64FromBits(w as bigint) : w;
const toWire = (t: NumType, v: number | bigint): Wire =>
  t === 'f32' ? (v as number) | 0 : t === 'f64' ? f64ToI64(v as number) : v;

// ---- NaN classes ---------------------------------------------------------------------------------

function isNaNWire(t: NumType, w: Wire): boolean {
  if (t === 'f32') return ((w as number) & 0x7fffffff) > 0x7f800000;
  if (t === 'f64') return ((w as bigint) & 0x7fffffffffffffffn) > 0x7ff0000000000000n;
  return false;
}

function isCanonicalWire(t: NumType, w: Wire): boolean {
  if (t === 'f32') return ((w as number) & 0x7fffffff) === 0x7fc00000;
  return ((w as bigint) & 0x7fffffffffffffffn) === 0x7ff8000000000000n;
}

function isArithmeticWire(t: NumType, w: Wire): boolean {
  if (t === 'f32') return isNaNWire(t, w) && ((w as number) & 0x00400000) !== 0;
  return isNaNWire(t, w) && ((w as bigint) & 0x0008000000000000n) !== 0n;
}

/** Ops whose float result is exactly determined on NaNs too (pure bit operations). */
const BITWISE = new Set(['f32.abs', 'f32.neg', 'f32.copysign', 'f64.abs', 'f64.neg', 'f64.copysign', 'f32.reinterpret_i32', 'f64.reinterpret_i64']);

const hex = (t: NumType, w: Wire): string =>
  t === 'i64' || t === 'f64' ? `0x${BigInt.asUintN(64, w as bigint).toString(16)}` : `0x${((w as number) >>> 0).toString(16)}`;

type Outcome = { value: Wire } | { trap: string };

function runV8(op: string, args: Wire[]): Outcome {
  try {
    return { value: V8[op]!(...args) };
  } catch (e) {
    if (e instanceof WA.RuntimeError) return { trap: e.message };
    throw e;
  }
}

function runOurs(op: NumericOp, params: NumType[], result: NumType, args: Wire[]): Outcome {
  // No arrays of values here: an array of doubles would quiet signalling NaNs (see generic()).
  const f = numericFn(op);
  try {
    const r = params.length === 1
      ? f(fromWire(params[0]!, args[0]!))
      : f(fromWire(params[0]!, args[0]!), fromWire(params[1]!, args[1]!));
    return { value: toWire(result, r) };
  } catch (e) {
    if (e instanceof Trap) return { trap: e.detail };
    throw e;
  }
}

/** The trap messages of ours that V8's message allows (V8 does not tell NaN from overflow). */
function allowedTraps(v8: string, op: string, params: NumType[], args: Wire[]): string[] {
  if (/by zero/.test(v8)) return ['integer divide by zero'];
  if (/divide result unrepresentable/.test(v8)) return ['integer overflow'];
  if (/float unrepresentable/.test(v8)) {
    return [isNaNWire(params[0]!, args[0]!) ? 'invalid conversion to integer' : 'integer overflow'];
  }
  return [`(unknown V8 trap ${v8} for ${op})`];
}

let checks = 0;

/** Compares ours with V8 on one input; throws an assertion error on a mismatch. */
function check(op: NumericOp, args: Wire[]): void {
  const { params, result } = sigOf(op);
  const v8 = runV8(op, args);
  const ours = runOurs(op, params, result, args);
  checks++;
  const where = (): string => `${op}(${args.map((a, i) => hex(params[i]!, a)).join(', ')})`;
  if ('trap' in v8) {
    assert.ok('trap' in ours, `${where()}: V8 traps (${v8.trap}), ours gives ${'value' in ours ? hex(result, ours.value) : ''}`);
    assert.ok(allowedTraps(v8.trap, op, params, args).includes(ours.trap), `${where()}: V8 traps "${v8.trap}", ours "${ours.trap}"`);
    return;
  }
  assert.ok('value' in ours, `${where()}: ours traps "${'trap' in ours ? ours.trap : ''}", V8 gives ${hex(result, v8.value)}`);
  if (isNaNWire(result, v8.value) && !BITWISE.has(op)) {
    assert.ok(isNaNWire(result, ours.value), `${where()}: V8 gives NaN ${hex(result, v8.value)}, ours ${hex(result, ours.value)}`);
    const canonical = args.every((a, i) => !isNaNWire(params[i]!, a) || isCanonicalWire(params[i]!, a));
    if (canonical) assert.ok(isCanonicalWire(result, ours.value), `${where()}: expected a canonical NaN, ours ${hex(result, ours.value)}`);
    else assert.ok(isArithmeticWire(result, ours.value), `${where()}: expected an arithmetic NaN, ours ${hex(result, ours.value)}`);
    return;
  }
  assert.equal(hex(result, ours.value), hex(result, v8.value), `${where()}: V8 ${hex(result, v8.value)}, ours ${hex(result, ours.value)}`);
}

// ---- inputs --------------------------------------------------------------------------------------

const f32 = (x: number): number => f32ToBits(x) | 0;
const f64 = (x: number): bigint => f64ToI64(x);

const EDGE_I32: number[] = [
  0, 1, -1, 2, -2, 3, 7, 8, 15, 16, 31, 32, 33, 63, 64, 100, -100, 0x7fffffff, -0x80000000, 0x7ffffffe, -0x7fffffff,
  0x40000000, -0x40000000, 0x12345678, -0x12345678, 0x0000ffff, 0xffff0000 | 0, 0x80, 0x7f, -0x81, 0x8000, 0x7fff,
  0x55555555, 0xaaaaaaaa | 0, 0x01000001, 0x00ffffff, 0x01000000, 0x7fffff80, 0x7fffffc0,
];

const EDGE_I64: bigint[] = [
  0n, 1n, -1n, 2n, -2n, 3n, 31n, 32n, 33n, 63n, 64n, 65n, 127n, 128n, -128n, 0x7fffffffffffffffn, -0x8000000000000000n,
  0x7ffffffffffffffen, -0x7fffffffffffffffn, 0x100000000n, 0xffffffffn, 0x80000000n, -0x80000000n, -0x80000001n,
  0x7fffffffn, 0x1fffffffffffffn, 0x20000000000000n, 0x20000000000001n, 0x20000000000003n, -0x20000000000001n,
  0x1000001n, 0x1000003n, 0x8000008000000001n - (1n << 64n), 0x8000008000000000n - (1n << 64n),
  0x0000008000000001n, 0x7fffff8000000000n, 0x7fffffc000000000n, 0x7fffffffffffff00n, 0x7ffffffffffffc00n,
  0x7ffffffffffffe00n, -0x7ffffffffffffe00n, 0x123456789abcdef0n, -0x123456789abcdef0n, 0x5555555555555555n,
  -0x5555555555555556n, 0x10000000000001n, 0x10000000000801n, 0x10000000000800n, 0x10000000001800n,
];

const EDGE_F32: number[] = [
  0, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc00000, 0x7fa00000, 0xffa00000, 0x7f800001, 0xff800001,
  0x7fc00001, 0x7fffffff, 0xffffffff, 0x7f7fffff, 0xff7fffff, 1, 0x80000001, 0x007fffff, 0x807fffff, 0x00800000,
  0x80800000, 0x00400000,
  ...[1, -1, 0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 3.5, -3.5, 0.49999997, -0.49999997, 0.99999994, -0.99999994, 2 ** 23,
    2 ** 23 + 1, -(2 ** 23) - 1, 2 ** 23 - 0.5, 2 ** 24, 2 ** 31, -(2 ** 31), 2 ** 31 - 128, -(2 ** 31) - 256, 2 ** 32,
    2 ** 32 - 256, 2 ** 63, -(2 ** 63), 2 ** 63 - 2 ** 39, -(2 ** 63) - 2 ** 40, 2 ** 64, 2 ** 64 - 2 ** 40, 3.4e38,
    Math.PI, -Math.E, 1e-40, 123456.789, 0.1, -0.1, 4, 8, 1e10, -1e10].map((x) => f32ToBits(x)),
].map((b) => b | 0);

const EDGE_F64: bigint[] = [
  0n, 0x8000000000000000n, 0x7ff0000000000000n, 0xfff0000000000000n, 0x7ff8000000000000n, 0xfff8000000000000n,
  0x7ff0000000000001n, 0xfff0000000000001n, 0x7ff4000000000000n, 0x7ff8000000000001n, 0x7fffffffffffffffn,
  0xffffffffffffffffn, 0x7ff800000000abcdn, 0x7ff0000020000000n, 0x7ff00000e0000000n, 0x7fefffffffffffffn, 1n,
  0x8000000000000001n, 0x000fffffffffffffn, 0x0010000000000000n,
].map((b) => BigInt.asIntN(64, b)).concat([
  1, -1, 0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 0.49999999999999994, -0.49999999999999994, 0.9999999999999999, 2 ** 52,
  2 ** 52 + 1, 2 ** 52 - 0.5, -(2 ** 52) + 0.5, 2 ** 53, 2 ** 31, 2 ** 31 - 1, 2 ** 31 - 0.5, -(2 ** 31), -(2 ** 31) - 1,
  -(2 ** 31) - 0.5, -(2 ** 31) + 0.5, 2 ** 32, 2 ** 32 - 1, 2 ** 32 - 0.5, -0.9999999999999999, -1.0000000000000002,
  2 ** 63, -(2 ** 63), 2 ** 63 - 1024, -(2 ** 63) - 2048, 2 ** 64, 2 ** 64 - 2048, 3.4028234663852886e38,
  3.4028235677973366e38, 3.4028235677973362e38, 1.401298464324817e-45, 7.006492321624085e-46, 7.006492321624087e-46,
  1.1754942807573643e-38, 1e-310, 1 + 2 ** -24, 1 + 2 ** -24 + 2 ** -52, 1 + 3 * 2 ** -24, Math.PI, -Math.E, 1e300,
  -1e300, 5e-324, -5e-324, 0.1, 123456789.123, 4503599627370495.5, 4, 8,
].map(f64));

const EDGES: Record<NumType, Wire[]> = { i32: EDGE_I32, i64: EDGE_I64, f32: EDGE_F32, f64: EDGE_F64 };

const ARB: Record<NumType, fc.Arbitrary<Wire>> = {
  i32: fc.oneof(
    fc.constantFrom(...EDGE_I32),
    fc.integer({ min: -0x80000000, max: 0x7fffffff }),
    fc.integer({ min: -300, max: 300 }),
  ),
  i64: fc.oneof(
    fc.constantFrom(...EDGE_I64),
    fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }),
    fc.bigInt({ min: -300n, max: 300n }),
    // near rounding boundaries of f32/f64: a short mantissa, shifted, plus a small offset
    fc.tuple(fc.bigInt({ min: 1n, max: (1n << 26n) - 1n }), fc.integer({ min: 0, max: 40 }), fc.bigInt({ min: -3n, max: 3n }), fc.boolean())
      .map(([m, s, d, neg]) => BigInt.asIntN(64, (neg ? -1n : 1n) * ((m << BigInt(s)) + d))),
  ),
  f32: fc.oneof(
    fc.constantFrom(...EDGE_F32),
    fc.integer({ min: -0x80000000, max: 0x7fffffff }),
    fc.float().map((x) => f32(x)),
    fc.integer({ min: -4000, max: 4000 }).map((x) => f32(x / 4)),
    // NaNs with random payloads
    fc.tuple(fc.boolean(), fc.integer({ min: 1, max: 0x7fffff })).map(([s, p]) => (s ? 0xff800000 : 0x7f800000) | p),
  ),
  f64: fc.oneof(
    fc.constantFrom(...EDGE_F64),
    fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }),
    fc.double().map((x) => f64(x)),
    fc.integer({ min: -4000, max: 4000 }).map((x) => f64(x / 4)),
    fc.float().map((x) => f64(x)),
    fc.tuple(fc.boolean(), fc.bigInt({ min: 1n, max: (1n << 52n) - 1n }))
      .map(([s, p]) => BigInt.asIntN(64, (s ? 0xfff0000000000000n : 0x7ff0000000000000n) | p)),
  ),
};

// ---- tests ---------------------------------------------------------------------------------------

test('NUMERIC covers exactly the numeric rows of the instruction table', () => {
  const re = /^(i32|i64|f32|f64)( (i32|i64|f32|f64))? -> (i32|i64|f32|f64)$/;
  const want = (INSTRS as readonly InstrDef[]).filter((r) => r.sig !== undefined && re.test(r.sig)).map((r) => r.name).sort();
  assert.deepEqual([...OPS].sort(), want);
  for (const op of want) assert.ok(isNumericOp(op));
  assert.ok(!isNumericOp('i32.const') && !isNumericOp('i32.load') && !isNumericOp('toString'));
  for (const op of OPS) assert.equal(NUMERIC[op].length, sigOf(op).params.length, op);
});

test('differential against V8: edge values', () => {
  for (const op of OPS) {
    const { params } = sigOf(op);
    if (params.length === 1) for (const a of EDGES[params[0]!]) check(op, [a]);
    else for (const a of EDGES[params[0]!]) for (const b of EDGES[params[1]!]) check(op, [a, b]);
  }
  console.log(`numeric edge checks: ${checks}`);
});

test('differential against V8: random inputs (fast-check)', () => {
  for (const op of OPS) {
    const { params } = sigOf(op);
    const arb = fc.tuple(...params.map((t) => ARB[t]));
    fc.assert(fc.property(arb, (args) => check(op, args)), { numRuns: 1500 * RUNS });
  }
});

test('helpers round-trip bits', () => {
  for (const b of EDGE_F32) if (((b & 0x7fffffff) >>> 0) <= 0x7f800000) assert.equal(f32ToBits(f32FromBits(b >>> 0)), b >>> 0);
  for (const b of EDGE_F64) assert.equal(f64ToI64(f64FromBits(b)), b);
  assert.equal(f64FromBits(0xfff0000000000001n), f64FromBits(-0xfffffffffffffn)); // unsigned or signed bits
  assert.equal(f64ToI64(f64FromBits(0x7ff0000000000001n)), 0x7ff0000000000001n); // a signalling NaN survives
});

test('NaN results follow the reference interpreter', () => {
  const N = NUMERIC;
  // binary: the first NaN operand, quieted; unary: the operand, quieted; else positive canonical
  assert.equal(N['f32.add'](0x7fa00001, 0xffc00002), 0x7fe00001);
  assert.equal(N['f32.add'](0x3f800000, 0xff800005), 0xffc00005);
  assert.equal(N['f32.sub'](0x7f800000, 0x7f800000), 0x7fc00000);
  assert.equal(N['f32.min'](0x3f800000, 0x7f800001), 0x7fc00001);
  assert.equal(N['f32.sqrt'](0xbf800000), 0x7fc00000);
  assert.equal(N['f32.nearest'](0xff800001), 0xffc00001);
  assert.equal(f64ToI64(N['f64.mul'](f64FromBits(0x7ff0000000000001n), 1)), 0x7ff8000000000001n);
  assert.equal(f64ToI64(N['f64.max'](2, f64FromBits(-0x000fffffffffffffn))), -0x0007ffffffffffffn);
  assert.equal(f64ToI64(N['f64.div'](0, 0)), 0x7ff8000000000000n);
  assert.equal(f64ToI64(N['f64.floor'](f64FromBits(0x7ff0000000000123n))), 0x7ff8000000000123n);
  // promote / demote keep sign and payload (shifted), quieted
  assert.equal(f64ToI64(N['f64.promote_f32'](0xff800001)), BigInt.asIntN(64, 0xfff8000020000000n));
  assert.equal(N['f32.demote_f64'](f64FromBits(0x7ff0000020000000n)), 0x7fc00001);
  assert.equal(N['f32.demote_f64'](f64FromBits(0x7ff0000000000001n)), 0x7fc00000);
  // bit operations keep signalling NaNs
  assert.equal(N['f32.neg'](0x7f800001), 0xff800001);
  assert.equal(f64ToI64(N['f64.abs'](f64FromBits(0xfff0000000000001n))), 0x7ff0000000000001n);
  assert.equal(f64ToI64(N['f64.copysign'](f64FromBits(0x7ff0000000000001n), f64FromBits(0xfff8000000000000n))), -0x000fffffffffffffn);
});

test('traps carry the reference messages', () => {
  const t = (f: () => unknown, msg: string): void => assert.throws(f, (e: unknown) => e instanceof Trap && e.detail === msg);
  t(() => NUMERIC['i32.div_s'](1, 0), 'integer divide by zero');
  t(() => NUMERIC['i64.rem_u'](1n, 0n), 'integer divide by zero');
  t(() => NUMERIC['i32.div_s'](-0x80000000, -1), 'integer overflow');
  t(() => NUMERIC['i64.div_s'](-(1n << 63n), -1n), 'integer overflow');
  t(() => NUMERIC['i32.trunc_f32_s'](0x7fc00000), 'invalid conversion to integer');
  t(() => NUMERIC['i64.trunc_f64_u'](-1), 'integer overflow');
  assert.equal(NUMERIC['i32.rem_s'](-0x80000000, -1), 0);
  assert.equal(NUMERIC['i64.rem_s'](-(1n << 63n), -1n), 0n);
});

// ---- the spec suite's assertions on straight-line functions ---------------------------------------

type Val = number | bigint | Uint8Array;
type Fn = (args: Val[]) => Val[];

/** An empty array that never holds unboxed doubles: V8's double arrays quiet or canonicalize NaNs. */
function generic(): Val[] {
  const a: unknown[] = [null];
  a.length = 0;
  return a as Val[];
}

/** Compiles a function made only of local.get, constants and NUMERIC operators; null otherwise. */
function straightLine(m: Module, index: number): Fn | null {
  const f = m.funcs[index - importCounts(m).func];
  if (f === undefined || f.locals.length > 0) return null;
  const type = allSubTypes(m)[f.type]!.comp;
  if (type.kind !== 'func' || type.results.length !== 1) return null;
  const steps: ((s: Val[], args: Val[]) => void)[] = [];
  for (const ins of f.body.slice(0, -1)) {
    const op = ins.op as string;
    const a = ins.args as unknown[];
    if (op === 'local.get') steps.push((s, args) => s.push(args[a[0] as number]!));
    else if (op === 'i32.const' || op === 'i64.const' || op === 'f32.const') steps.push((s) => s.push(a[0] as number | bigint));
    else if (op === 'f64.const') steps.push((s) => s.push(f64FromBits(a[0] as bigint)));
    else if (isNumericOp(op)) {
      const fn = numericFn(op);
      const n = fn.length;
      steps.push((s) => s.push(fn(...(s.splice(s.length - n, n) as (number | bigint)[]))));
    } else return null;
  }
  return (args) => {
    const s = generic();
    for (const step of steps) step(s, args);
    return s;
  };
}

const constVal = (c: Const): Val | undefined =>
  c.type === 'f64' ? f64FromBits(c.value) : c.type === 'i32' || c.type === 'i64' || c.type === 'f32' || c.type === 'v128' ? c.value : undefined;

function matchFloat32(p: FloatPattern<number>, bits: number): boolean {
  const nan = (bits & 0x7fffffff) > 0x7f800000;
  if (p.kind === 'nan:canonical') return (bits & 0x7fffffff) === 0x7fc00000;
  if (p.kind === 'nan:arithmetic') return nan && (bits & 0x00400000) !== 0;
  return bits === p.bits;
}

function matchFloat64(p: FloatPattern<bigint>, bits: bigint): boolean {
  const mag = bits & 0x7fffffffffffffffn;
  if (p.kind === 'nan:canonical') return mag === 0x7ff8000000000000n;
  if (p.kind === 'nan:arithmetic') return mag > 0x7ff0000000000000n && (bits & 0x0008000000000000n) !== 0n;
  return BigInt.asUintN(64, bits) === BigInt.asUintN(64, p.bits);
}

function matches(e: Expected, v: Val): boolean {
  switch (e.kind) {
    case 'const': {
      const c = e.value;
      if (c.type === 'f64') return typeof v === 'number' && f64ToI64(v) === BigInt.asIntN(64, c.value);
      if (c.type === 'f32') return typeof v === 'number' && v >>> 0 === c.value >>> 0;
      if (c.type === 'v128') return v instanceof Uint8Array && Buffer.from(v).equals(Buffer.from(c.value));
      return v === (c as { value: unknown }).value;
    }
    case 'f32':
      return typeof v === 'number' && matchFloat32(e.pattern, v >>> 0);
    case 'f64':
      return typeof v === 'number' && matchFloat64(e.pattern, f64ToI64(v));
    case 'either':
      return e.options.some((o) => matches(o, v));
    default:
      return false;
  }
}

test('spec suite: scalar assertions on straight-line functions', () => {
  const files = coreWastFiles().filter((f) => !f.includes('/simd/') && !f.includes('/relaxed-simd/') && !f.includes('/gc/'));
  let passed = 0;
  const failures: string[] = [];
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    if (!/\b(i32|i64|f32|f64)\.[a-z]/.test(text)) continue;
    let script;
    try {
      script = parseScript(text, file);
    } catch {
      continue;
    }
    const modules = new Map<string | undefined, Module | null>();
    let current: Module | null = null;
    for (const cmd of script.commands) {
      if (cmd.kind === 'module') {
        current = cmd.definition || cmd.source.kind !== 'text' ? null : cmd.source.module;
        modules.set(undefined, current);
        if (cmd.id !== undefined) modules.set(cmd.id, current);
        continue;
      }
      if (cmd.kind !== 'assert_return' && cmd.kind !== 'assert_trap') continue;
      const act = cmd.action;
      if (act.kind !== 'invoke') continue;
      const m = modules.get(act.module) ?? null;
      const exp = m?.exports.find((x) => x.name === act.name && x.kind === 'func');
      if (m === null || exp === undefined) continue;
      const fn = straightLine(m, exp.index);
      const args = generic();
      for (const a of act.args) args.push(constVal(a)!);
      if (fn === null || args.includes(undefined as never)) continue;
      const where = `${basename(file)}: ${act.name}(${act.args.map((a) => String((a as { value?: unknown }).value)).join(', ')})`;
      let out: Val[] | null = null;
      let trap: string | null = null;
      try {
        out = fn(args);
      } catch (e) {
        if (!(e instanceof Trap)) throw e;
        trap = e.detail;
      }
      if (cmd.kind === 'assert_trap') {
        if (trap === cmd.message) passed++;
        else failures.push(`${where}: expected trap "${cmd.message}", got ${trap ?? String(out)}`);
      } else if (trap !== null) failures.push(`${where}: unexpected trap ${trap}`);
      else if (out!.length === cmd.expected.length && cmd.expected.every((e, i) => matches(e, out![i]!))) passed++;
      else failures.push(`${where}: expected ${JSON.stringify(cmd.expected, (_, v) => (typeof v === 'bigint' ? v.toString() : v))}, got ${String(out)}`);
    }
  }
  console.log(`spec scalar assertions: ${passed} passed, ${failures.length} failed`);
  assert.deepEqual(failures.slice(0, 20), []);
  assert.ok(passed > 5000, `only ${passed} assertions evaluated`);
});

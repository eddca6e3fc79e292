// The SIMD operators, differentially against V8's own WebAssembly: one
// exported function per operator (and per lane immediate) reads its v128
// operands from memory (at 0, 16, 32), takes scalar operands as bit patterns
// and writes a v128 result to memory at 48 (scalar results are returned as
// bit patterns). Results must agree bit for bit, except NaN lanes of float
// arithmetic, where both must be NaN and ours of the class the spec demands.
// Relaxed operators: ours must equal V8 running the non-relaxed instruction
// sequence we chose to behave as; V8's relaxed instruction must agree with
// ours wherever the spec leaves it no choice; and the spec suite's `either`
// assertions accept ours. Last, the SIMD spec suite's assertions on
// straight-line functions.

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
import { isNumericOp, numericFn } from './numeric.ts';
import { f32ToBits, f64FromBits, f64ToI64 } from '../util/float-bits.ts';
import { SIMD, isSimdOp, simdFn, type SimdOp } from './simd.ts';

/** FC_RUNS=n multiplies the number of random runs. */
const RUNS = Number(process.env.FC_RUNS ?? 1);

type ValType = 'i32' | 'i64' | 'f32' | 'f64' | 'v128';
type Val = number | bigint | Uint8Array;
/** scalars on the wire: i32/f32 as int32 numbers, i64/f64 as signed bigints; v128 as bytes */
type Wire = number | bigint | Uint8Array;

/** An empty array that never holds unboxed doubles: V8's double arrays quiet or canonicalize NaNs. */
function generic<T>(): T[] {
  const a: unknown[] = [null];
  a.length = 0;
  return a as T[];
}

const OPS = Object.keys(SIMD) as SimdOp[];

function sigOf(op: string): { params: ValType[]; result: ValType; imm: string | undefined } {
  const def = BY_NAME.get(op)!;
  const [p, r] = def.sig!.split('->').map((s) => s.trim());
  return { params: (p === '' ? [] : p!.split(' ')) as ValType[], result: r as ValType, imm: def.imm[0] };
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

/** Random shuffle patterns (plus the identity and a reversal). */
const SHUFFLES: number[][] = [
  Array.from({ length: 16 }, (_, i) => i),
  Array.from({ length: 16 }, (_, i) => 31 - i),
  Array.from({ length: 16 }, (_, i) => (i * 7) % 32),
  ...fc.sample(fc.array(fc.integer({ min: 0, max: 31 }), { minLength: 16, maxLength: 16 }), { numRuns: 12, seed: 42 }),
];

/** One instance of each operator for V8: `name` is op, op#lane or op#shuffle-index. */
interface Variant {
  readonly name: string;
  readonly op: SimdOp;
  readonly imm: number | Uint8Array | undefined;
}

const VARIANTS: Variant[] = OPS.flatMap((op): Variant[] => {
  const { imm } = sigOf(op);
  if (imm === 'lane') {
    const lanes = (BY_NAME.get(op) as InstrDef).lanes!;
    return Array.from({ length: lanes }, (_, l) => ({ name: `${op}#${l}`, op, imm: l }));
  }
  if (imm === 'shuffle') return SHUFFLES.map((s, k) => ({ name: `${op}#${k}`, op, imm: Uint8Array.from(s) }));
  return [{ name: op, op, imm: undefined }];
});

/** The non-relaxed instruction sequence each relaxed operator is meant to behave as (a b c: operands). */
const RELAXED_AS: Partial<Record<SimdOp, string>> = {
  'i8x16.relaxed_swizzle': '(i8x16.swizzle (local.get $a) (local.get $b))',
  'i32x4.relaxed_trunc_f32x4_s': '(i32x4.trunc_sat_f32x4_s (local.get $a))',
  'i32x4.relaxed_trunc_f32x4_u': '(i32x4.trunc_sat_f32x4_u (local.get $a))',
  'i32x4.relaxed_trunc_f64x2_s_zero': '(i32x4.trunc_sat_f64x2_s_zero (local.get $a))',
  'i32x4.relaxed_trunc_f64x2_u_zero': '(i32x4.trunc_sat_f64x2_u_zero (local.get $a))',
  'f32x4.relaxed_madd': '(f32x4.add (f32x4.mul (local.get $a) (local.get $b)) (local.get $c))',
  'f32x4.relaxed_nmadd': '(f32x4.add (f32x4.mul (f32x4.neg (local.get $a)) (local.get $b)) (local.get $c))',
  'f64x2.relaxed_madd': '(f64x2.add (f64x2.mul (local.get $a) (local.get $b)) (local.get $c))',
  'f64x2.relaxed_nmadd': '(f64x2.add (f64x2.mul (f64x2.neg (local.get $a)) (local.get $b)) (local.get $c))',
  'i8x16.relaxed_laneselect': '(v128.bitselect (local.get $a) (local.get $b) (local.get $c))',
  'i16x8.relaxed_laneselect': '(v128.bitselect (local.get $a) (local.get $b) (local.get $c))',
  'i32x4.relaxed_laneselect': '(v128.bitselect (local.get $a) (local.get $b) (local.get $c))',
  'i64x2.relaxed_laneselect': '(v128.bitselect (local.get $a) (local.get $b) (local.get $c))',
  'f32x4.relaxed_min': '(f32x4.min (local.get $a) (local.get $b))',
  'f32x4.relaxed_max': '(f32x4.max (local.get $a) (local.get $b))',
  'f64x2.relaxed_min': '(f64x2.min (local.get $a) (local.get $b))',
  'f64x2.relaxed_max': '(f64x2.max (local.get $a) (local.get $b))',
  'i16x8.relaxed_q15mulr_s': '(i16x8.q15mulr_sat_s (local.get $a) (local.get $b))',
  // signed products; the sum of each pair wraps to 16 bits
  'i16x8.relaxed_dot_i8x16_i7x16_s': `
    (local.set $x (i16x8.extmul_low_i8x16_s (local.get $a) (local.get $b)))
    (local.set $y (i16x8.extmul_high_i8x16_s (local.get $a) (local.get $b)))
    (i16x8.add
      (i8x16.shuffle 0 1 4 5 8 9 12 13 16 17 20 21 24 25 28 29 (local.get $x) (local.get $y))
      (i8x16.shuffle 2 3 6 7 10 11 14 15 18 19 22 23 26 27 30 31 (local.get $x) (local.get $y)))`,
  // signed products; four summed in 32 bits, plus c
  'i32x4.relaxed_dot_i8x16_i7x16_add_s': `
    (local.set $x (i32x4.extadd_pairwise_i16x8_s (i16x8.extmul_low_i8x16_s (local.get $a) (local.get $b))))
    (local.set $y (i32x4.extadd_pairwise_i16x8_s (i16x8.extmul_high_i8x16_s (local.get $a) (local.get $b))))
    (i32x4.add (local.get $c) (i32x4.add
      (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $x) (local.get $y))
      (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $x) (local.get $y))))`,
};

function funcText(name: string, op: SimdOp, imm: number | Uint8Array | undefined, bodyOverride?: string): string {
  const { params, result } = sigOf(op);
  const scalars = params.filter((t) => t !== 'v128') as Exclude<ValType, 'v128'>[];
  const wrap = (conv: string, e: string): string => (conv === '' ? e : `(${conv} ${e})`);
  let v = 0;
  let s = 0;
  const operands = params.map((t) =>
    t === 'v128' ? `(v128.load offset=${16 * v++} (i32.const 0))` : wrap(FROM_WIRE[t], `(local.get ${s++})`),
  );
  const immText = imm === undefined ? '' : typeof imm === 'number' ? ` ${imm}` : ` ${[...imm].join(' ')}`;
  const custom = bodyOverride !== undefined;
  const expr = custom ? bodyOverride : `(${op}${immText} ${operands.join(' ')})`;
  const locals = custom ? '(local $a v128) (local $b v128) (local $c v128) (local $x v128) (local $y v128)' : '';
  const sets = custom
    ? ['a', 'b', 'c'].slice(0, v).map((n, k) => `(local.set $${n} (v128.load offset=${16 * k} (i32.const 0)))`).join(' ')
    : '';
  const ps = scalars.length === 0 ? '' : `(param ${scalars.map((t) => CARRIER[t]).join(' ')})`;
  if (result === 'v128') return `(func (export "${name}") ${ps} ${locals} ${sets} (v128.store (i32.const 48) ${expr}))`;
  return `(func (export "${name}") ${ps} (result ${CARRIER[result]}) ${locals} ${sets} ${wrap(TO_WIRE[result], expr)})`;
}

const { exports: V8, mem } = (() => {
  const funcs = VARIANTS.map((v) => funcText(v.name, v.op, v.imm));
  for (const [op, body] of Object.entries(RELAXED_AS)) funcs.push(funcText(`${op}=as`, op as SimdOp, undefined, body));
  const bytes = encodeModule(parseModule(`(module (memory (export "mem") 1) ${funcs.join('\n')})`));
  const inst = new WA.Instance(new WA.Module(bytes), {});
  const exports = inst.exports as Record<string, (...args: (number | bigint)[]) => number | bigint | undefined>;
  return { exports, mem: new Uint8Array((inst.exports.mem as { buffer: ArrayBuffer }).buffer) };
})();

/** Runs a V8 function on wire operands; the v128 result comes back as bytes. */
function runV8(name: string, params: ValType[], result: ValType, args: Wire[]): Wire {
  let v = 0;
  const scalars = generic<number | bigint>();
  args.forEach((a, i) => {
    if (params[i] === 'v128') mem.set(a as Uint8Array, 16 * v++);
    else scalars.push(a as number | bigint);
  });
  const r = V8[name]!(...scalars);
  return result === 'v128' ? mem.slice(48, 64) : (r as number | bigint);
}

// ---- ours on the wire ------------------------------------------------------------------------------

const fromWire = (t: ValType, w: Wire): Val =>
  t === 'f32' ? (w as number) >>> 0 : t === 'f64' ? f64FromBits(w as bigint) : t === 'v128' ? (w as Uint8Array).slice() : w;
const toWire = (t: ValType, v: Val): Wire =>
  t === 'f32' ? (v as number) | 0 : t === 'f64' ? f64ToI64(v as number) : v;

function runOurs(op: SimdOp, imm: number | Uint8Array | undefined, params: ValType[], result: ValType, args: Wire[]): Wire {
  const xs = generic<Val>();
  args.forEach((a, i) => xs.push(fromWire(params[i]!, a)));
  if (imm !== undefined) xs.push(imm);
  const inputs = xs.filter((x) => x instanceof Uint8Array).map((x) => (x as Uint8Array).slice());
  const r = simdFn(op)(...xs) as Val;
  // operands are immutable
  xs.filter((x) => x instanceof Uint8Array).forEach((x, k) => assert.deepEqual(x, inputs[k], `${op} modified an operand`));
  return toWire(result, r);
}

// ---- comparison ------------------------------------------------------------------------------------

/** Float arithmetic whose NaN lanes may legally differ: op -> [input lane shape, output lane shape]. */
function nanShapes(op: string): ['f32' | 'f64', 'f32' | 'f64'] | null {
  if (op === 'f32x4.demote_f64x2_zero') return ['f64', 'f32'];
  if (op === 'f64x2.promote_low_f32x4') return ['f32', 'f64'];
  const m = /^(f32x4|f64x2)\.(sqrt|add|sub|mul|div|min|max|ceil|floor|trunc|nearest|relaxed_madd|relaxed_nmadd|relaxed_min|relaxed_max)$/.exec(op);
  if (m === null) return null;
  const s = m[1] === 'f32x4' ? 'f32' : 'f64';
  return [s, s];
}

const dv = (b: Uint8Array): DataView => new DataView(b.buffer, b.byteOffset, 16);

function lane(b: Uint8Array, shape: 'f32' | 'f64', i: number): { nan: boolean; canonical: boolean; quiet: boolean } {
  if (shape === 'f32') {
    const x = dv(b).getUint32(4 * i, true);
    const mag = x & 0x7fffffff;
    return { nan: mag > 0x7f800000, canonical: mag === 0x7fc00000, quiet: (x & 0x00400000) !== 0 };
  }
  const x = dv(b).getBigUint64(8 * i, true);
  const mag = x & 0x7fffffffffffffffn;
  return { nan: mag > 0x7ff0000000000000n, canonical: mag === 0x7ff8000000000000n, quiet: (x & 0x0008000000000000n) !== 0n };
}

const hexV = (b: Uint8Array): string => [...b].map((x) => x.toString(16).padStart(2, '0')).join(' ');
const show = (t: ValType, w: Wire): string =>
  t === 'v128' ? `[${hexV(w as Uint8Array)}]` : t === 'i64' || t === 'f64' ? `0x${BigInt.asUintN(64, w as bigint).toString(16)}` : `0x${((w as number) >>> 0).toString(16)}`;

let checks = 0;

function compare(op: SimdOp, where: () => string, params: ValType[], result: ValType, args: Wire[], ours: Wire, v8: Wire): void {
  checks++;
  const shapes = result === 'v128' ? nanShapes(op) : null;
  if (shapes === null) {
    assert.equal(show(result, ours), show(result, v8), `${where()}: V8 ${show(result, v8)}, ours ${show(result, ours)}`);
    return;
  }
  const [inShape, outShape] = shapes;
  const o = ours as Uint8Array;
  const w = v8 as Uint8Array;
  const width = outShape === 'f32' ? 4 : 8;
  for (let i = 0; i < 16 / width; i++) {
    const vl = lane(w, outShape, i);
    const msg = (): string => `${where()}: lane ${i}: V8 ${show('v128', w)}, ours ${show('v128', o)}`;
    if (!vl.nan) {
      assert.equal(hexV(o.subarray(i * width, (i + 1) * width)), hexV(w.subarray(i * width, (i + 1) * width)), msg());
      continue;
    }
    const ol = lane(o, outShape, i);
    assert.ok(ol.nan, msg());
    const ins = args.filter((_, k) => params[k] === 'v128').map((a) => lane(a as Uint8Array, inShape, i));
    if (ins.every((l) => !l.nan || l.canonical)) assert.ok(ol.canonical, `${msg()}: expected a canonical NaN`);
    else assert.ok(ol.quiet, `${msg()}: expected an arithmetic NaN`);
  }
}

function check(variant: Variant, args: Wire[]): void {
  const { op, imm, name } = variant;
  const { params, result } = sigOf(op);
  const ours = runOurs(op, imm, params, result, args);
  const where = (): string => `${name}(${args.map((a, i) => show(params[i]!, a)).join(', ')})`;
  // a relaxed operator is compared with the sequence it behaves as (V8's own choice may differ)
  const v8Name = RELAXED_AS[op] === undefined ? name : `${op}=as`;
  compare(op, where, params, result, args, ours, runV8(v8Name, params, result, args));
}

// ---- inputs ------------------------------------------------------------------------------------------

const f32 = (x: number): number => f32ToBits(x) | 0;

const EDGE_I8 = [0, 1, -1, 2, 0x7f, -0x80, 0x7e, -0x7f, 0x40, -0x40, 0x55, -0x56, 3, 100, -100, 0x0f];
const EDGE_I16 = [0, 1, -1, 2, 0x7fff, -0x8000, 0x7ffe, -0x7fff, 0x80, 0x7f, -0x81, 0xff, 0x100, 0x4000, -0x4000, 0x5555, 300, -300];
const EDGE_I32 = [0, 1, -1, 2, 0x7fffffff, -0x80000000, 0x7ffffffe, -0x7fffffff, 0xffff, 0x10000, 0x8000, -0x8001, 0x7fff, 0x12345678, 31, 32, 33, 63, 64];
const EDGE_I64 = [0n, 1n, -1n, 0x7fffffffffffffffn, -0x8000000000000000n, 0xffffffffn, 0x100000000n, -0x100000000n, 0x80000000n, 0x123456789abcdef0n, 63n, 64n, 65n];
const EDGE_F32 = [
  0, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc00000, 0x7fa00000, 0x7f800001, 0x7fffffff, 0xffffffff, 0x7f7fffff,
  0xff7fffff, 1, 0x80000001, 0x007fffff, 0x00800000,
  ...[1, -1, 0.5, -0.5, 1.5, 2.5, -2.5, 3.5, 0.99999994, 2 ** 23 + 1, 2 ** 31, -(2 ** 31), 2 ** 31 - 128, 2 ** 32, 2 ** 32 - 256,
    -0.99999994, 3.4e38, Math.PI, -1e-40, 1e10].map((x) => f32ToBits(x)),
].map((b) => b | 0);
const EDGE_F64 = [
  0n, 0x8000000000000000n, 0x7ff0000000000000n, 0xfff0000000000000n, 0x7ff8000000000000n, 0xfff8000000000000n,
  0x7ff0000000000001n, 0x7ff4000000000000n, 0x7ff0000020000000n, 0xffffffffffffffffn, 0x7fefffffffffffffn, 1n, 0x000fffffffffffffn,
].map((b) => BigInt.asIntN(64, b)).concat([
  1, -1, 0.5, -0.5, 1.5, 2.5, -2.5, 0.49999999999999994, 2 ** 52 + 1, 2 ** 31, 2 ** 31 - 0.5, -(2 ** 31) - 1, -(2 ** 31) - 0.5,
  2 ** 32, 2 ** 32 - 0.5, -0.9999999999999999, 3.4028235677973366e38, 7.006492321624085e-46, 1e300, 5e-324, 0.1, Math.PI,
  1 + 2 ** -24,
].map(f64ToI64));

type Shape = 'i8' | 'i16' | 'i32' | 'i64' | 'f32' | 'f64';
const LANE_BYTES: Record<Shape, number> = { i8: 1, i16: 2, i32: 4, i64: 8, f32: 4, f64: 8 };

function fromLanes(shape: Shape, lanes: readonly (number | bigint)[]): Uint8Array {
  const b = new Uint8Array(16);
  const d = dv(b);
  lanes.forEach((x, i) => {
    if (shape === 'i8') d.setInt8(i, x as number);
    else if (shape === 'i16') d.setInt16(2 * i, x as number, true);
    else if (shape === 'i32' || shape === 'f32') d.setInt32(4 * i, x as number, true);
    else d.setBigInt64(8 * i, x as bigint, true);
  });
  return b;
}

const EDGE_LANES: Record<Shape, readonly (number | bigint)[]> = {
  i8: EDGE_I8, i16: EDGE_I16, i32: EDGE_I32, i64: EDGE_I64, f32: EDGE_F32, f64: EDGE_F64,
};

/** Deterministic edge vectors: windows over each shape's edge values; EDGE_SHAPE[k] is the shape of the k-th. */
const EDGE_SHAPE: (Shape | null)[] = [null, null];
const EDGE_V128: Uint8Array[] = (() => {
  const out: Uint8Array[] = [new Uint8Array(16), new Uint8Array(16).fill(0xff)];
  for (const shape of Object.keys(EDGE_LANES) as Shape[]) {
    const xs = EDGE_LANES[shape];
    const n = 16 / LANE_BYTES[shape];
    for (let k = 0; k < xs.length; k += Math.max(1, Math.floor(n / 4))) {
      out.push(fromLanes(shape, Array.from({ length: n }, (_, i) => xs[(k + i) % xs.length]!)));
      EDGE_SHAPE.push(shape);
    }
  }
  return out;
})();

const lanesArb = (shape: Shape): fc.Arbitrary<Uint8Array> => {
  const n = 16 / LANE_BYTES[shape];
  const xs = EDGE_LANES[shape];
  const laneArb: fc.Arbitrary<number | bigint> =
    shape === 'i64' || shape === 'f64'
      ? fc.oneof(fc.constantFrom(...xs), fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }),
        ...(shape === 'f64' ? [fc.double().map(f64ToI64), fc.integer({ min: -4000, max: 4000 }).map((x) => f64ToI64(x / 4))] : []))
      : fc.oneof(fc.constantFrom(...xs), fc.integer({ min: -0x80000000, max: 0x7fffffff }),
        ...(shape === 'f32' ? [fc.float().map(f32), fc.integer({ min: -4000, max: 4000 }).map((x) => f32(x / 4))] : []));
  return fc.array(laneArb, { minLength: n, maxLength: n }).map((ls) => fromLanes(shape, ls));
};

const V128_ARB: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.uint8Array({ minLength: 16, maxLength: 16 }),
  fc.constantFrom(...EDGE_V128),
  ...(Object.keys(EDGE_LANES) as Shape[]).map(lanesArb),
);

const SCALAR_ARB: Record<Exclude<ValType, 'v128'>, fc.Arbitrary<Wire>> = {
  i32: fc.oneof(fc.constantFrom(...EDGE_I32, 7, 8, 15, 16, 127, 128, 129), fc.integer({ min: -0x80000000, max: 0x7fffffff }), fc.integer({ min: -70, max: 70 })),
  i64: fc.oneof(fc.constantFrom(...EDGE_I64), fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n })),
  f32: fc.oneof(fc.constantFrom(...EDGE_F32), fc.integer({ min: -0x80000000, max: 0x7fffffff }), fc.float().map(f32)),
  f64: fc.oneof(fc.constantFrom(...EDGE_F64), fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }), fc.double().map(f64ToI64)),
};

const EDGE_SCALARS: Record<Exclude<ValType, 'v128'>, readonly Wire[]> = {
  i32: [...EDGE_I32, 7, 8, 15, 16, 127, 128, 129], i64: EDGE_I64, f32: EDGE_F32, f64: EDGE_F64,
};

const arbFor = (t: ValType): fc.Arbitrary<Wire> => (t === 'v128' ? V128_ARB : SCALAR_ARB[t]);

const SHAPE_OF: Record<string, Shape> = { i8x16: 'i8', i16x8: 'i16', i32x4: 'i32', i64x2: 'i64', f32x4: 'f32', f64x2: 'f64' };
/** edge vectors of the operator's input shape (named after `_` as in narrow_i16x8_s, else its prefix), with zeros and ones */
function edgeVectorsFor(op: string): Uint8Array[] {
  const m = /_(i8x16|i16x8|i32x4|i64x2|f32x4|f64x2)/.exec(op) ?? /^(i8x16|i16x8|i32x4|i64x2|f32x4|f64x2)/.exec(op);
  const shape = m === null ? null : SHAPE_OF[m[1]!]!;
  return EDGE_V128.filter((v, k) => k < 2 || shape === null || EDGE_SHAPE[k] === shape || k % 9 === 0 || v === undefined);
}
const edgesFor = (op: string, t: ValType): readonly Wire[] => (t === 'v128' ? edgeVectorsFor(op) : EDGE_SCALARS[t]);

// ---- tests -------------------------------------------------------------------------------------------

test('SIMD covers exactly the v128 rows of the instruction table (no memory, no v128.const)', () => {
  const want = (INSTRS as readonly InstrDef[])
    .filter((r) => r.sig !== undefined && r.sig.includes('v128') && !r.sig.includes('addr') && r.name !== 'v128.const')
    .map((r) => r.name)
    .sort();
  assert.deepEqual([...OPS].sort(), want);
  for (const op of want) assert.ok(isSimdOp(op));
  assert.ok(!isSimdOp('v128.load') && !isSimdOp('v128.const') && !isSimdOp('i32.add'));
  for (const op of OPS) {
    const { params, imm } = sigOf(op);
    assert.equal(SIMD[op].length, params.length + (imm === undefined ? 0 : 1), op);
  }
});

test('differential against V8: edge vectors', () => {
  for (const v of VARIANTS) {
    const { params } = sigOf(v.op);
    if (params.length === 1) for (const a of edgesFor(v.op, params[0]!)) check(v, [a]);
    else if (params.length === 2) for (const a of edgesFor(v.op, params[0]!)) for (const b of edgesFor(v.op, params[1]!)) check(v, [a, b]);
    else {
      const es = edgeVectorsFor(v.op);
      for (const a of es) for (const b of es) for (const c of [es[(a[0]! + b[1]!) % es.length]!, es[(a[3]! + b[5]! + 1) % es.length]!]) check(v, [a, b, c]);
    }
  }
  console.log(`simd edge checks: ${checks}`);
});

test('differential against V8: random inputs (fast-check)', () => {
  for (const v of VARIANTS) {
    const { params } = sigOf(v.op);
    const runs = v.imm === undefined ? 600 : 60;
    fc.assert(fc.property(fc.tuple(...params.map(arbFor)), (args) => check(v, args)), { numRuns: runs * RUNS });
  }
});

// ---- relaxed: V8's own relaxed instruction, where the spec leaves no choice ---------------------------------

const f32Lanes = (shape: 'f32' | 'f64', gen: fc.Arbitrary<number>): fc.Arbitrary<Uint8Array> =>
  fc.array(gen, { minLength: shape === 'f32' ? 4 : 2, maxLength: shape === 'f32' ? 4 : 2 }).map((xs) => {
    const b = new Uint8Array(16);
    xs.forEach((x, i) => (shape === 'f32' ? dv(b).setFloat32(4 * i, x, true) : dv(b).setFloat64(8 * i, x, true)));
    return b;
  });
/** masks whose lanes (of the given byte width) are all zeros or all ones */
const laneMask = (width: number): fc.Arbitrary<Uint8Array> =>
  fc.array(fc.boolean(), { minLength: 16 / width, maxLength: 16 / width }).map((bs) => {
    const b = new Uint8Array(16);
    bs.forEach((on, i) => on && b.fill(0xff, i * width, (i + 1) * width));
    return b;
  });
/** small quarter-integers: products and sums are exact, so fused and unfused agree */
const exactF = fc.integer({ min: -2000, max: 2000 }).map((x) => x / 4);
/** non-zero numbers without NaN (zero also after rounding to f32): min/max agree whatever the NaN and zero rules */
const plainF = fc.oneof(fc.double({ noNaN: true }), exactF).filter((x) => Math.fround(x) !== 0);

const DETERMINED: Partial<Record<SimdOp, fc.Arbitrary<Uint8Array[]>>> = {
  'i8x16.relaxed_swizzle': fc.tuple(V128_ARB, fc.uint8Array({ minLength: 16, maxLength: 16, max: 15 })),
  'i32x4.relaxed_trunc_f32x4_s': fc.tuple(f32Lanes('f32', fc.double({ min: -2147483500, max: 2147483500, noNaN: true }))),
  'i32x4.relaxed_trunc_f32x4_u': fc.tuple(f32Lanes('f32', fc.double({ min: -0.99, max: 4294967000, noNaN: true }))),
  'i32x4.relaxed_trunc_f64x2_s_zero': fc.tuple(f32Lanes('f64', fc.double({ min: -2147483648.9, max: 2147483647.9, noNaN: true }))),
  'i32x4.relaxed_trunc_f64x2_u_zero': fc.tuple(f32Lanes('f64', fc.double({ min: -0.99, max: 4294967295.9, noNaN: true }))),
  'f32x4.relaxed_madd': fc.tuple(f32Lanes('f32', exactF), f32Lanes('f32', exactF), f32Lanes('f32', exactF)),
  'f32x4.relaxed_nmadd': fc.tuple(f32Lanes('f32', exactF), f32Lanes('f32', exactF), f32Lanes('f32', exactF)),
  'f64x2.relaxed_madd': fc.tuple(f32Lanes('f64', exactF), f32Lanes('f64', exactF), f32Lanes('f64', exactF)),
  'f64x2.relaxed_nmadd': fc.tuple(f32Lanes('f64', exactF), f32Lanes('f64', exactF), f32Lanes('f64', exactF)),
  'i8x16.relaxed_laneselect': fc.tuple(V128_ARB, V128_ARB, laneMask(1)),
  'i16x8.relaxed_laneselect': fc.tuple(V128_ARB, V128_ARB, laneMask(2)),
  'i32x4.relaxed_laneselect': fc.tuple(V128_ARB, V128_ARB, laneMask(4)),
  'i64x2.relaxed_laneselect': fc.tuple(V128_ARB, V128_ARB, laneMask(8)),
  'f32x4.relaxed_min': fc.tuple(f32Lanes('f32', plainF), f32Lanes('f32', plainF)),
  'f32x4.relaxed_max': fc.tuple(f32Lanes('f32', plainF), f32Lanes('f32', plainF)),
  'f64x2.relaxed_min': fc.tuple(f32Lanes('f64', plainF), f32Lanes('f64', plainF)),
  'f64x2.relaxed_max': fc.tuple(f32Lanes('f64', plainF), f32Lanes('f64', plainF)),
  // avoid -32768 * -32768, the only product where the choices differ
  'i16x8.relaxed_q15mulr_s': fc.tuple(V128_ARB, V128_ARB).map(([a, b]) => {
    const x = a.slice();
    for (let i = 0; i < 16; i += 2) if (x[i] === 0 && x[i + 1] === 0x80) x[i] = 1;
    return [x, b];
  }),
  // the second operand's lanes in 0..127 (7 bits)
  'i16x8.relaxed_dot_i8x16_i7x16_s': fc.tuple(V128_ARB, V128_ARB.map((b) => b.map((x) => x & 0x7f))),
  'i32x4.relaxed_dot_i8x16_i7x16_add_s': fc.tuple(V128_ARB, V128_ARB.map((b) => b.map((x) => x & 0x7f)), V128_ARB),
};

test('relaxed SIMD: V8 agrees with ours wherever the result is determined', () => {
  const ops = OPS.filter((op) => op.includes('relaxed'));
  assert.deepEqual(ops.filter((op) => DETERMINED[op] === undefined || RELAXED_AS[op] === undefined), []);
  for (const op of ops) {
    const { params, result } = sigOf(op);
    fc.assert(
      fc.property(DETERMINED[op]!, (args) => {
        const ours = runOurs(op, undefined, params, result, args);
        compare(op, () => `${op}(${args.map((a) => show('v128', a)).join(', ')})`, params, result, args, ours, runV8(op, params, result, args));
      }),
      { numRuns: 500 * RUNS },
    );
  }
});

// ---- the spec suite's assertions on straight-line functions ---------------------------------------------

type Fn = (args: Val[]) => Val[];

/** Compiles a function made only of local.get, constants and NUMERIC/SIMD operators; null otherwise. */
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
    else if (op === 'i32.const' || op === 'i64.const' || op === 'f32.const' || op === 'v128.const') steps.push((s) => s.push(a[0] as Val));
    else if (op === 'f64.const') steps.push((s) => s.push(f64FromBits(a[0] as bigint)));
    else if (isNumericOp(op) || isSimdOp(op)) {
      const fn = (isSimdOp(op) ? simdFn(op) : numericFn(op)) as (...xs: Val[]) => Val;
      const n = sigOf(op).params.length;
      const imm = a.length > 0 ? (a[0] as Val) : undefined;
      steps.push((s) => {
        const xs = s.splice(s.length - n, n);
        if (imm !== undefined) xs.push(imm);
        s.push(fn(...xs));
      });
    } else return null;
  }
  return (args) => {
    const s = generic<Val>();
    for (const step of steps) step(s, args);
    return s;
  };
}

const constVal = (c: Const): Val | undefined =>
  c.type === 'f64' ? f64FromBits(c.value) : c.type === 'i32' || c.type === 'i64' || c.type === 'f32' || c.type === 'v128' ? c.value : undefined;

function matchF32(p: FloatPattern<number>, bits: number): boolean {
  const mag = bits & 0x7fffffff;
  if (p.kind === 'nan:canonical') return mag === 0x7fc00000;
  if (p.kind === 'nan:arithmetic') return mag > 0x7f800000 && (bits & 0x00400000) !== 0;
  return bits >>> 0 === p.bits >>> 0;
}

function matchF64(p: FloatPattern<bigint>, bits: bigint): boolean {
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
      if (c.type === 'v128') return v instanceof Uint8Array && hexV(v) === hexV(c.value);
      return v === (c as { value: unknown }).value;
    }
    case 'f32':
      return typeof v === 'number' && matchF32(e.pattern, v >>> 0);
    case 'f64':
      return typeof v === 'number' && matchF64(e.pattern, f64ToI64(v));
    case 'v128f32':
      return v instanceof Uint8Array && e.lanes.every((p, i) => matchF32(p, dv(v).getUint32(4 * i, true)));
    case 'v128f64':
      return v instanceof Uint8Array && e.lanes.every((p, i) => matchF64(p, dv(v).getBigUint64(8 * i, true)));
    case 'either':
      return e.options.some((o) => matches(o, v));
    default:
      return false;
  }
}

test('spec suite: SIMD and relaxed SIMD assertions on straight-line functions', () => {
  const files = [...coreWastFiles('simd'), ...coreWastFiles('relaxed-simd')];
  let passed = 0;
  let relaxed = 0;
  const failures: string[] = [];
  for (const file of files) {
    let script;
    try {
      script = parseScript(readFileSync(file, 'utf8'), file);
    } catch {
      continue;
    }
    const modules = new Map<string | undefined, Module | null>();
    for (const cmd of script.commands) {
      if (cmd.kind === 'module') {
        const m = cmd.definition || cmd.source.kind !== 'text' ? null : cmd.source.module;
        modules.set(undefined, m);
        if (cmd.id !== undefined) modules.set(cmd.id, m);
        continue;
      }
      if (cmd.kind !== 'assert_return' && cmd.kind !== 'assert_trap') continue;
      const act = cmd.action;
      if (act.kind !== 'invoke') continue;
      const m = modules.get(act.module) ?? null;
      const exp = m?.exports.find((x) => x.name === act.name && x.kind === 'func');
      if (m === null || exp === undefined) continue;
      const fn = straightLine(m, exp.index);
      const args = generic<Val>();
      for (const a of act.args) args.push(constVal(a)!);
      if (fn === null || args.includes(undefined as never)) continue;
      const where = `${basename(file)}:${act.name}`;
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
      else if (out!.length === cmd.expected.length && cmd.expected.every((e, i) => matches(e, out![i]!))) {
        passed++;
        if (file.includes('relaxed')) relaxed++;
      } else {
        const got = out!.map((x) => (x instanceof Uint8Array ? hexV(x) : String(x))).join(', ');
        failures.push(`${where}(${act.args.map((a) => ('value' in a ? (a.value instanceof Uint8Array ? hexV(a.value) : String(a.value)) : '?')).join('; ')}): got ${got}`);
      }
    }
  }
  console.log(`spec SIMD assertions: ${passed} passed (${relaxed} relaxed), ${failures.length} failed`);
  assert.deepEqual(failures.slice(0, 20), []);
  assert.ok(passed > 10000, `only ${passed} assertions evaluated`);
  assert.ok(relaxed > 50, `only ${relaxed} relaxed assertions evaluated`);
});

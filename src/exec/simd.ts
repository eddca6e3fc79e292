// Exact SIMD operators (after the reference interpreter's exec/v128.ml and
// eval_vec.ml), as functions over v128 values: Uint8Array(16), little-endian,
// treated as immutable. Every operator returns a fresh Uint8Array(16) (or an
// i32/i64/f32/f64 value for extract_lane, any_true, all_true, bitmask).
//
// `SIMD` holds one function per v128 instruction of the table that has a fixed
// signature, except memory instructions (`addr` in the signature) and
// `v128.const`. Arguments are the operands in order, then the immediate:
// lane ops take the lane index last, `i8x16.shuffle` takes its 16 lane
// indices (a Uint8Array) last; shifts take the i32 count as second operand.
//
// Lanes are computed in preallocated scratch vectors with typed views (the
// host must be little-endian, as every supported one is); the only
// allocation per operator is its result. Float lanes follow the scalar NaN
// rules of numeric.ts (f32 lanes as bits, f64 lanes as doubles).
//
// Relaxed SIMD: one deterministic behaviour per operator, always one that
// the spec allows (it is also the reference interpreter's choice unless noted):
//   i8x16.relaxed_swizzle             = i8x16.swizzle (index >= 16 gives 0)
//   i32x4.relaxed_trunc_*             = the saturating i32x4.trunc_sat_* (NaN gives 0)
//   f32x4/f64x2.relaxed_madd          = unfused: add(mul(a, b), c), two roundings
//                                       (the reference fuses; both are allowed)
//   f32x4/f64x2.relaxed_nmadd         = unfused: add(mul(neg(a), b), c)
//   i*.relaxed_laneselect             = v128.bitselect (bitwise on every bit)
//   f32x4/f64x2.relaxed_min/max       = f32x4/f64x2.min/max (NaN-propagating, -0 < +0)
//   i16x8.relaxed_q15mulr_s           = i16x8.q15mulr_sat_s (saturating)
//   i16x8.relaxed_dot_i8x16_i7x16_s   = both operands signed, pairwise sum wrapped to 16 bits
//   i32x4.relaxed_dot_i8x16_i7x16_add_s = both operands signed, the 4 products summed in 32 bits, plus c

import type { INSTRS } from '../syntax/opcodes.ts';
import { F32_OPS, F64_OPS, truncSatS32, truncSatU32, type DefOfOp, type SigFn } from './numeric.ts';
import { storeF64 } from '../util/float-bits.ts';

// ---- types: the Record is exhaustive over the table ------------------------------------------

type Defs = (typeof INSTRS)[number];
type ImmArgs<I> = I extends readonly ['lane'] ? [lane: number] : I extends readonly ['shuffle'] ? [lanes: Uint8Array] : [];

/** Every v128 operator with a fixed signature, except memory instructions and v128.const. */
export type SimdOp = Defs extends infer D
  ? D extends { name: infer N; sig: `${string}v128${string}` }
    ? D extends { sig: `${string}addr${string}` } ? never : N extends 'v128.const' ? never : N
    : never
  : never;
export type SimdTable = { readonly [K in SimdOp]: SigFn<DefOfOp<K>['sig'], ImmArgs<DefOfOp<K>['imm']>> };
export type V128 = Uint8Array;
/** The loose type of a SIMD operator, for dispatch by name. */
export type SimdFn = (...args: (number | bigint | Uint8Array)[]) => number | bigint | Uint8Array;

// ---- scratch vectors -------------------------------------------------------------------------

if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
  throw new Error('wasmfx: the SIMD operators need a little-endian host');
}

interface Views {
  readonly u8: Uint8Array;
  readonly i8: Int8Array;
  readonly u16: Uint16Array;
  readonly i16: Int16Array;
  readonly u32: Uint32Array;
  readonly i32: Int32Array;
  readonly f32: Float32Array;
  readonly f64: Float64Array;
}

function views(): Views {
  const b = new ArrayBuffer(16);
  return {
    u8: new Uint8Array(b), i8: new Int8Array(b), u16: new Uint16Array(b), i16: new Int16Array(b),
    u32: new Uint32Array(b), i32: new Int32Array(b), f32: new Float32Array(b), f64: new Float64Array(b),
  };
}

/** operands */
const A = views();
const B = views();
const C = views();
/** result: every operator writes all 16 bytes before copying it out */
const R = views();
const R64 = new BigInt64Array(R.u8.buffer);
const A64 = new BigInt64Array(A.u8.buffer);

const out = (): V128 => R.u8.slice();

type IntView = 'i8' | 'u8' | 'i16' | 'u16' | 'i32' | 'u32';
type Lanes = { [i: number]: number; readonly length: number };

// ---- lane-wise factories (run once, at load) -------------------------------------------------

function unop(from: keyof Views, to: keyof Views, f: (x: number) => number): (a: V128) => V128 {
  const x: Lanes = A[from];
  const r: Lanes = R[to];
  return (a) => {
    A.u8.set(a);
    for (let i = 0; i < r.length; i++) r[i] = f(x[i]!);
    return out();
  };
}

function binop(view: keyof Views, f: (x: number, y: number) => number): (a: V128, b: V128) => V128 {
  const x: Lanes = A[view];
  const y: Lanes = B[view];
  const r: Lanes = R[view];
  return (a, b) => {
    A.u8.set(a);
    B.u8.set(b);
    for (let i = 0; i < r.length; i++) r[i] = f(x[i]!, y[i]!);
    return out();
  };
}

/** comparison: all ones or zero in each lane (lanes of the integer view of the same width) */
function cmpop(view: keyof Views, f: (x: number, y: number) => boolean): (a: V128, b: V128) => V128 {
  const x: Lanes = A[view];
  const y: Lanes = B[view];
  const r: Lanes = R[view === 'f32' ? 'i32' : view === 'f64' ? 'i32' : view];
  const step = view === 'f64' ? 2 : 1;
  return (a, b) => {
    A.u8.set(a);
    B.u8.set(b);
    for (let i = 0; i < x.length; i++) {
      const m = f(x[i]!, y[i]!) ? -1 : 0;
      for (let k = 0; k < step; k++) r[i * step + k] = m;
    }
    return out();
  };
}

function shiftop(view: IntView, mask: number, f: (x: number, n: number) => number): (a: V128, n: number) => V128 {
  const x: Lanes = A[view];
  const r: Lanes = R[view];
  return (a, n) => {
    A.u8.set(a);
    n &= mask;
    for (let i = 0; i < r.length; i++) r[i] = f(x[i]!, n);
    return out();
  };
}

/** `to` lanes from the low or high half of the `from` lanes */
function extend(from: IntView, to: IntView, high: boolean): (a: V128) => V128 {
  const x: Lanes = A[from];
  const r: Lanes = R[to];
  const base = high ? r.length : 0;
  return (a) => {
    A.u8.set(a);
    for (let i = 0; i < r.length; i++) r[i] = x[base + i]!;
    return out();
  };
}

/** `to` lanes: products of the extended low or high halves (`imul` keeps the low 32 bits) */
function extmul(from: IntView, to: IntView, high: boolean): (a: V128, b: V128) => V128 {
  const x: Lanes = A[from];
  const y: Lanes = B[from];
  const r: Lanes = R[to];
  const base = high ? r.length : 0;
  return (a, b) => {
    A.u8.set(a);
    B.u8.set(b);
    for (let i = 0; i < r.length; i++) r[i] = Math.imul(x[base + i]!, y[base + i]!);
    return out();
  };
}

function extaddPairwise(from: IntView, to: IntView): (a: V128) => V128 {
  const x: Lanes = A[from];
  const r: Lanes = R[to];
  return (a) => {
    A.u8.set(a);
    for (let i = 0; i < r.length; i++) r[i] = x[2 * i]! + x[2 * i + 1]!;
    return out();
  };
}

/** narrow: lanes of a then b, clamped to [lo, hi] */
function narrow(from: 'i16' | 'i32', to: 'i8' | 'u8' | 'i16' | 'u16', lo: number, hi: number): (a: V128, b: V128) => V128 {
  const x: Lanes = A[from];
  const y: Lanes = B[from];
  const r: Lanes = R[to];
  const n = x.length;
  return (a, b) => {
    A.u8.set(a);
    B.u8.set(b);
    for (let i = 0; i < n; i++) {
      const v = x[i]!;
      r[i] = v < lo ? lo : v > hi ? hi : v;
      const w = y[i]!;
      r[n + i] = w < lo ? lo : w > hi ? hi : w;
    }
    return out();
  };
}

function allTrue(view: IntView): (a: V128) => number {
  const x: Lanes = A[view];
  return (a) => {
    A.u8.set(a);
    for (let i = 0; i < x.length; i++) if (x[i] === 0) return 0;
    return 1;
  };
}

/** bit i = sign of lane i (view is a signed view) */
function bitmask(view: 'i8' | 'i16' | 'i32'): (a: V128) => number {
  const x: Lanes = A[view];
  return (a) => {
    A.u8.set(a);
    let m = 0;
    for (let i = 0; i < x.length; i++) if (x[i]! < 0) m |= 1 << i;
    return m;
  };
}

/** lanes 0..n-1 from f64 lanes through f, the rest zero */
function f64Zero(f: (x: number) => number, to: 'i32' | 'u32'): (a: V128) => V128 {
  const r: Lanes = R[to];
  return (a) => {
    A.u8.set(a);
    r[0] = f(A.f64[0]!);
    r[1] = f(A.f64[1]!);
    r[2] = 0;
    r[3] = 0;
    return out();
  };
}

function fma(view: 'u32' | 'f64', mul: (x: number, y: number) => number, add: (x: number, y: number) => number, negA: boolean) {
  const x: Lanes = A[view];
  const y: Lanes = B[view];
  const z: Lanes = C[view];
  const r: Lanes = R[view];
  const neg = view === 'u32' ? (v: number): number => (v ^ 0x80000000) >>> 0 : (v: number): number => -v;
  return (a: V128, b: V128, c: V128): V128 => {
    A.u8.set(a);
    B.u8.set(b);
    C.u8.set(c);
    for (let i = 0; i < r.length; i++) r[i] = add(mul(negA ? neg(x[i]!) : x[i]!, y[i]!), z[i]!);
    return out();
  };
}

// ---- lane helpers ----------------------------------------------------------------------------

const sat = (v: number, lo: number, hi: number): number => (v < lo ? lo : v > hi ? hi : v);
const iabs = (x: number): number => (x < 0 ? -x : x);
const ineg = (x: number): number => -x;
const imin = (x: number, y: number): number => (x <= y ? x : y);
const imax = (x: number, y: number): number => (x >= y ? x : y);
const avgr = (x: number, y: number): number => (x + y + 1) >>> 1;
const add = (x: number, y: number): number => x + y;
const sub = (x: number, y: number): number => x - y;
const q15mulr = (x: number, y: number): number => sat((x * y + 0x4000) >> 15, -0x8000, 0x7fff);

function popcnt8(x: number): number {
  x = x - ((x >> 1) & 0x55);
  x = (x & 0x33) + ((x >> 2) & 0x33);
  return (x + (x >> 4)) & 0x0f;
}

// f32 lanes as bits
const fabs32 = (x: number): number => x & 0x7fffffff;
const fneg32 = (x: number): number => x ^ 0x80000000;

/** f32 pmin/pmax: compare as floats, keep the chosen lane's bits */
function pminmax32(max: boolean): (a: V128, b: V128) => V128 {
  return (a, b) => {
    A.u8.set(a);
    B.u8.set(b);
    for (let i = 0; i < 4; i++) {
      const x = A.f32[i]!;
      const y = B.f32[i]!;
      R.u32[i] = (max ? x < y : y < x) ? B.u32[i]! : A.u32[i]!;
    }
    return out();
  };
}

function pminmax64(max: boolean): (a: V128, b: V128) => V128 {
  return (a, b) => {
    A.u8.set(a);
    B.u8.set(b);
    for (let i = 0; i < 2; i++) {
      const x = A.f64[i]!;
      const y = B.f64[i]!;
      const src = (max ? x < y : y < x) ? B : A;
      R.u32[2 * i] = src.u32[2 * i]!;
      R.u32[2 * i + 1] = src.u32[2 * i + 1]!;
    }
    return out();
  };
}

/** f64 abs/neg on the bits of the high words */
function fbits64(f: (hi: number) => number): (a: V128) => V128 {
  return (a) => {
    A.u8.set(a);
    R.u32[0] = A.u32[0]!;
    R.u32[1] = f(A.u32[1]!);
    R.u32[2] = A.u32[2]!;
    R.u32[3] = f(A.u32[3]!);
    return out();
  };
}

// ---- i64 lanes on 32-bit halves (low word at 2i, high at 2i+1) -------------------------------

/** signed comparison of i64 lane i of A and B: -1, 0 or 1 */
function cmp64(i: number): number {
  const xh = A.i32[2 * i + 1]!;
  const yh = B.i32[2 * i + 1]!;
  if (xh !== yh) return xh < yh ? -1 : 1;
  const xl = A.u32[2 * i]!;
  const yl = B.u32[2 * i]!;
  return xl < yl ? -1 : xl > yl ? 1 : 0;
}

function cmp64op(f: (c: number) => boolean): (a: V128, b: V128) => V128 {
  return (a, b) => {
    A.u8.set(a);
    B.u8.set(b);
    for (let i = 0; i < 2; i++) {
      const m = f(cmp64(i)) ? -1 : 0;
      R.i32[2 * i] = m;
      R.i32[2 * i + 1] = m;
    }
    return out();
  };
}

/** R lane i = (xh:xl) * (yh:yl) mod 2^64 */
function mul64(i: number, xl: number, xh: number, yl: number, yh: number): void {
  const a0 = xl & 0xffff;
  const a1 = xl >>> 16;
  const b0 = yl & 0xffff;
  const b1 = yl >>> 16;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  const mid = ((a0 * b0) >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  const hiLo = a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16); // high word of xl * yl
  R.i32[2 * i] = Math.imul(xl, yl);
  R.i32[2 * i + 1] = (hiLo + Math.imul(xh, yl) + Math.imul(xl, yh)) | 0;
}

function neg64(i: number, xl: number, xh: number): void {
  R.u32[2 * i] = -xl;
  R.i32[2 * i + 1] = xl === 0 ? -xh : ~xh;
}

function extmul64(signed: boolean, high: boolean): (a: V128, b: V128) => V128 {
  const base = high ? 2 : 0;
  return (a, b) => {
    A.u8.set(a);
    B.u8.set(b);
    for (let i = 0; i < 2; i++) {
      const x = A.i32[base + i]!;
      const y = B.i32[base + i]!;
      if (signed) mul64(i, x >>> 0, x >> 31, y >>> 0, y >> 31);
      else mul64(i, x >>> 0, 0, y >>> 0, 0);
    }
    return out();
  };
}

function extend64(signed: boolean, high: boolean): (a: V128) => V128 {
  const base = high ? 2 : 0;
  return (a) => {
    A.u8.set(a);
    for (let i = 0; i < 2; i++) {
      const x = A.i32[base + i]!;
      R.i32[2 * i] = x;
      R.i32[2 * i + 1] = signed ? x >> 31 : 0;
    }
    return out();
  };
}

/** i64 shifts: kind 0 = shl, 1 = shr_s, 2 = shr_u */
function shift64(kind: 0 | 1 | 2): (a: V128, n: number) => V128 {
  return (a, n) => {
    A.u8.set(a);
    n &= 63;
    for (let i = 0; i < 2; i++) {
      const lo = A.u32[2 * i]!;
      const hi = A.i32[2 * i + 1]!;
      let rl: number;
      let rh: number;
      if (n === 0) {
        rl = lo;
        rh = hi;
      } else if (kind === 0) {
        if (n < 32) {
          rh = (hi << n) | (lo >>> (32 - n));
          rl = lo << n;
        } else {
          rh = lo << (n - 32);
          rl = 0;
        }
      } else if (n < 32) {
        rl = (lo >>> n) | (hi << (32 - n));
        rh = kind === 1 ? hi >> n : hi >>> n;
      } else {
        rl = kind === 1 ? hi >> (n - 32) : hi >>> (n - 32);
        rh = kind === 1 ? hi >> 31 : 0;
      }
      R.i32[2 * i] = rl;
      R.i32[2 * i + 1] = rh;
    }
    return out();
  };
}

function arith64(kind: 'add' | 'sub' | 'mul'): (a: V128, b: V128) => V128 {
  return (a, b) => {
    A.u8.set(a);
    B.u8.set(b);
    for (let i = 0; i < 2; i++) {
      const xl = A.u32[2 * i]!;
      const xh = A.i32[2 * i + 1]!;
      const yl = B.u32[2 * i]!;
      const yh = B.i32[2 * i + 1]!;
      if (kind === 'add') {
        const s = xl + yl;
        R.u32[2 * i] = s;
        R.i32[2 * i + 1] = (xh + yh + (s > 0xffffffff ? 1 : 0)) | 0;
      } else if (kind === 'sub') {
        const d = xl - yl;
        R.u32[2 * i] = d;
        R.i32[2 * i + 1] = (xh - yh - (d < 0 ? 1 : 0)) | 0;
      } else {
        mul64(i, xl, xh, yl, yh);
      }
    }
    return out();
  };
}

function unary64(kind: 'abs' | 'neg'): (a: V128) => V128 {
  return (a) => {
    A.u8.set(a);
    for (let i = 0; i < 2; i++) {
      const xl = A.u32[2 * i]!;
      const xh = A.i32[2 * i + 1]!;
      if (kind === 'neg' || xh < 0) neg64(i, xl, xh);
      else {
        R.u32[2 * i] = xl;
        R.i32[2 * i + 1] = xh;
      }
    }
    return out();
  };
}

// ---- shared implementations ------------------------------------------------------------------

function swizzle(a: V128, s: V128): V128 {
  const r = new Uint8Array(16);
  for (let i = 0; i < 16; i++) {
    const k = s[i]!;
    r[i] = k < 16 ? a[k]! : 0;
  }
  return r;
}

function bitselect(a: V128, b: V128, c: V128): V128 {
  A.u8.set(a);
  B.u8.set(b);
  C.u8.set(c);
  for (let i = 0; i < 4; i++) {
    const m = C.i32[i]!;
    R.i32[i] = (A.i32[i]! & m) | (B.i32[i]! & ~m);
  }
  return out();
}

function bitwise(f: (x: number, y: number) => number): (a: V128, b: V128) => V128 {
  return binop('i32', f);
}

function dot8(a: V128, b: V128): V128 {
  A.u8.set(a);
  B.u8.set(b);
  for (let i = 0; i < 8; i++) R.i16[i] = A.i8[2 * i]! * B.i8[2 * i]! + A.i8[2 * i + 1]! * B.i8[2 * i + 1]!;
  return out();
}

function dot8add(a: V128, b: V128, c: V128): V128 {
  A.u8.set(a);
  B.u8.set(b);
  C.u8.set(c);
  for (let i = 0; i < 4; i++) {
    let s = 0;
    for (let k = 4 * i; k < 4 * i + 4; k++) s += A.i8[k]! * B.i8[k]!;
    R.i32[i] = (s + C.i32[i]!) | 0;
  }
  return out();
}

const f32Min = binop('u32', F32_OPS.min);
const f32Max = binop('u32', F32_OPS.max);
const f64Min = binop('f64', F64_OPS.min);
const f64Max = binop('f64', F64_OPS.max);
const q15 = binop('i16', q15mulr);
const truncSatF32S = unop('f32', 'i32', truncSatS32);
const truncSatF32U = unop('f32', 'i32', truncSatU32);
const truncSatF64SZero = f64Zero(truncSatS32, 'i32');
const truncSatF64UZero = f64Zero(truncSatU32, 'i32');

// ---- the table -------------------------------------------------------------------------------

export const SIMD: SimdTable = {
  'i8x16.shuffle': (a, b, lanes) => {
    const r = new Uint8Array(16);
    for (let i = 0; i < 16; i++) {
      const k = lanes[i]!;
      r[i] = k < 16 ? a[k]! : b[k - 16]!;
    }
    return r;
  },
  'i8x16.swizzle': swizzle,

  // splat
  'i8x16.splat': (x) => new Uint8Array(16).fill(x),
  'i16x8.splat': (x) => (R.i16.fill(x), out()),
  'i32x4.splat': (x) => (R.i32.fill(x), out()),
  'i64x2.splat': (x) => (R64.fill(x), out()),
  'f32x4.splat': (x) => (R.u32.fill(x), out()),
  'f64x2.splat': (x) => (R.f64.fill(x), out()), // fill keeps signalling NaNs (see storeF64)

  // lanes
  'i8x16.extract_lane_s': (a, l) => (a[l]! << 24) >> 24,
  'i8x16.extract_lane_u': (a, l) => a[l]!,
  'i8x16.replace_lane': (a, x, l) => {
    const r = a.slice();
    r[l] = x;
    return r;
  },
  'i16x8.extract_lane_s': (a, l) => ((a[2 * l]! | (a[2 * l + 1]! << 8)) << 16) >> 16,
  'i16x8.extract_lane_u': (a, l) => a[2 * l]! | (a[2 * l + 1]! << 8),
  'i16x8.replace_lane': (a, x, l) => {
    const r = a.slice();
    r[2 * l] = x;
    r[2 * l + 1] = x >> 8;
    return r;
  },
  'i32x4.extract_lane': (a, l) => a[4 * l]! | (a[4 * l + 1]! << 8) | (a[4 * l + 2]! << 16) | (a[4 * l + 3]! << 24),
  'i32x4.replace_lane': (a, x, l) => {
    A.u8.set(a);
    A.i32[l] = x;
    return A.u8.slice();
  },
  'i64x2.extract_lane': (a, l) => {
    A.u8.set(a);
    return A64[l]!;
  },
  'i64x2.replace_lane': (a, x, l) => {
    A.u8.set(a);
    A64[l] = x;
    return A.u8.slice();
  },
  'f32x4.extract_lane': (a, l) => (a[4 * l]! | (a[4 * l + 1]! << 8) | (a[4 * l + 2]! << 16) | (a[4 * l + 3]! << 24)) >>> 0,
  'f32x4.replace_lane': (a, x, l) => {
    A.u8.set(a);
    A.u32[l] = x;
    return A.u8.slice();
  },
  'f64x2.extract_lane': (a, l) => {
    A.u8.set(a);
    return A.f64[l]!;
  },
  'f64x2.replace_lane': (a, x, l) => {
    A.u8.set(a);
    storeF64(A.f64, l, x);
    return A.u8.slice();
  },

  // comparisons
  'i8x16.eq': cmpop('i8', (x, y) => x === y),
  'i8x16.ne': cmpop('i8', (x, y) => x !== y),
  'i8x16.lt_s': cmpop('i8', (x, y) => x < y),
  'i8x16.lt_u': cmpop('u8', (x, y) => x < y),
  'i8x16.gt_s': cmpop('i8', (x, y) => x > y),
  'i8x16.gt_u': cmpop('u8', (x, y) => x > y),
  'i8x16.le_s': cmpop('i8', (x, y) => x <= y),
  'i8x16.le_u': cmpop('u8', (x, y) => x <= y),
  'i8x16.ge_s': cmpop('i8', (x, y) => x >= y),
  'i8x16.ge_u': cmpop('u8', (x, y) => x >= y),
  'i16x8.eq': cmpop('i16', (x, y) => x === y),
  'i16x8.ne': cmpop('i16', (x, y) => x !== y),
  'i16x8.lt_s': cmpop('i16', (x, y) => x < y),
  'i16x8.lt_u': cmpop('u16', (x, y) => x < y),
  'i16x8.gt_s': cmpop('i16', (x, y) => x > y),
  'i16x8.gt_u': cmpop('u16', (x, y) => x > y),
  'i16x8.le_s': cmpop('i16', (x, y) => x <= y),
  'i16x8.le_u': cmpop('u16', (x, y) => x <= y),
  'i16x8.ge_s': cmpop('i16', (x, y) => x >= y),
  'i16x8.ge_u': cmpop('u16', (x, y) => x >= y),
  'i32x4.eq': cmpop('i32', (x, y) => x === y),
  'i32x4.ne': cmpop('i32', (x, y) => x !== y),
  'i32x4.lt_s': cmpop('i32', (x, y) => x < y),
  'i32x4.lt_u': cmpop('u32', (x, y) => x < y),
  'i32x4.gt_s': cmpop('i32', (x, y) => x > y),
  'i32x4.gt_u': cmpop('u32', (x, y) => x > y),
  'i32x4.le_s': cmpop('i32', (x, y) => x <= y),
  'i32x4.le_u': cmpop('u32', (x, y) => x <= y),
  'i32x4.ge_s': cmpop('i32', (x, y) => x >= y),
  'i32x4.ge_u': cmpop('u32', (x, y) => x >= y),
  'f32x4.eq': cmpop('f32', (x, y) => x === y),
  'f32x4.ne': cmpop('f32', (x, y) => x !== y),
  'f32x4.lt': cmpop('f32', (x, y) => x < y),
  'f32x4.gt': cmpop('f32', (x, y) => x > y),
  'f32x4.le': cmpop('f32', (x, y) => x <= y),
  'f32x4.ge': cmpop('f32', (x, y) => x >= y),
  'f64x2.eq': cmpop('f64', (x, y) => x === y),
  'f64x2.ne': cmpop('f64', (x, y) => x !== y),
  'f64x2.lt': cmpop('f64', (x, y) => x < y),
  'f64x2.gt': cmpop('f64', (x, y) => x > y),
  'f64x2.le': cmpop('f64', (x, y) => x <= y),
  'f64x2.ge': cmpop('f64', (x, y) => x >= y),

  // bitwise
  'v128.not': unop('i32', 'i32', (x) => ~x),
  'v128.and': bitwise((x, y) => x & y),
  'v128.andnot': bitwise((x, y) => x & ~y),
  'v128.or': bitwise((x, y) => x | y),
  'v128.xor': bitwise((x, y) => x ^ y),
  'v128.bitselect': bitselect,
  'v128.any_true': (a) => {
    for (let i = 0; i < 16; i++) if (a[i] !== 0) return 1;
    return 0;
  },

  'f32x4.demote_f64x2_zero': f64Zero(F32_OPS.demote, 'u32'),
  'f64x2.promote_low_f32x4': (a) => {
    A.u8.set(a);
    R.f64[0] = F32_OPS.promote(A.u32[0]!);
    R.f64[1] = F32_OPS.promote(A.u32[1]!);
    return out();
  },

  // i8x16
  'i8x16.abs': unop('i8', 'i8', iabs),
  'i8x16.neg': unop('i8', 'i8', ineg),
  'i8x16.popcnt': unop('u8', 'u8', popcnt8),
  'i8x16.all_true': allTrue('u8'),
  'i8x16.bitmask': bitmask('i8'),
  'i8x16.narrow_i16x8_s': narrow('i16', 'i8', -0x80, 0x7f),
  'i8x16.narrow_i16x8_u': narrow('i16', 'u8', 0, 0xff),
  'i8x16.shl': shiftop('i8', 7, (x, n) => x << n),
  'i8x16.shr_s': shiftop('i8', 7, (x, n) => x >> n),
  'i8x16.shr_u': shiftop('u8', 7, (x, n) => x >>> n),
  'i8x16.add': binop('u8', add),
  'i8x16.add_sat_s': binop('i8', (x, y) => sat(x + y, -0x80, 0x7f)),
  'i8x16.add_sat_u': binop('u8', (x, y) => sat(x + y, 0, 0xff)),
  'i8x16.sub': binop('u8', sub),
  'i8x16.sub_sat_s': binop('i8', (x, y) => sat(x - y, -0x80, 0x7f)),
  'i8x16.sub_sat_u': binop('u8', (x, y) => sat(x - y, 0, 0xff)),
  'i8x16.min_s': binop('i8', imin),
  'i8x16.min_u': binop('u8', imin),
  'i8x16.max_s': binop('i8', imax),
  'i8x16.max_u': binop('u8', imax),
  'i8x16.avgr_u': binop('u8', avgr),

  // float rounding
  'f32x4.ceil': unop('u32', 'u32', F32_OPS.ceil),
  'f32x4.floor': unop('u32', 'u32', F32_OPS.floor),
  'f32x4.trunc': unop('u32', 'u32', F32_OPS.trunc),
  'f32x4.nearest': unop('u32', 'u32', F32_OPS.nearest),
  'f64x2.ceil': unop('f64', 'f64', F64_OPS.ceil),
  'f64x2.floor': unop('f64', 'f64', F64_OPS.floor),
  'f64x2.trunc': unop('f64', 'f64', F64_OPS.trunc),
  'f64x2.nearest': unop('f64', 'f64', F64_OPS.nearest),

  'i16x8.extadd_pairwise_i8x16_s': extaddPairwise('i8', 'i16'),
  'i16x8.extadd_pairwise_i8x16_u': extaddPairwise('u8', 'i16'),
  'i32x4.extadd_pairwise_i16x8_s': extaddPairwise('i16', 'i32'),
  'i32x4.extadd_pairwise_i16x8_u': extaddPairwise('u16', 'i32'),

  // i16x8
  'i16x8.abs': unop('i16', 'i16', iabs),
  'i16x8.neg': unop('i16', 'i16', ineg),
  'i16x8.q15mulr_sat_s': q15,
  'i16x8.all_true': allTrue('u16'),
  'i16x8.bitmask': bitmask('i16'),
  'i16x8.narrow_i32x4_s': narrow('i32', 'i16', -0x8000, 0x7fff),
  'i16x8.narrow_i32x4_u': narrow('i32', 'u16', 0, 0xffff),
  'i16x8.extend_low_i8x16_s': extend('i8', 'i16', false),
  'i16x8.extend_high_i8x16_s': extend('i8', 'i16', true),
  'i16x8.extend_low_i8x16_u': extend('u8', 'i16', false),
  'i16x8.extend_high_i8x16_u': extend('u8', 'i16', true),
  'i16x8.shl': shiftop('i16', 15, (x, n) => x << n),
  'i16x8.shr_s': shiftop('i16', 15, (x, n) => x >> n),
  'i16x8.shr_u': shiftop('u16', 15, (x, n) => x >>> n),
  'i16x8.add': binop('u16', add),
  'i16x8.add_sat_s': binop('i16', (x, y) => sat(x + y, -0x8000, 0x7fff)),
  'i16x8.add_sat_u': binop('u16', (x, y) => sat(x + y, 0, 0xffff)),
  'i16x8.sub': binop('u16', sub),
  'i16x8.sub_sat_s': binop('i16', (x, y) => sat(x - y, -0x8000, 0x7fff)),
  'i16x8.sub_sat_u': binop('u16', (x, y) => sat(x - y, 0, 0xffff)),
  'i16x8.mul': binop('u16', Math.imul),
  'i16x8.min_s': binop('i16', imin),
  'i16x8.min_u': binop('u16', imin),
  'i16x8.max_s': binop('i16', imax),
  'i16x8.max_u': binop('u16', imax),
  'i16x8.avgr_u': binop('u16', avgr),
  'i16x8.extmul_low_i8x16_s': extmul('i8', 'i16', false),
  'i16x8.extmul_high_i8x16_s': extmul('i8', 'i16', true),
  'i16x8.extmul_low_i8x16_u': extmul('u8', 'i16', false),
  'i16x8.extmul_high_i8x16_u': extmul('u8', 'i16', true),

  // i32x4
  'i32x4.abs': unop('i32', 'i32', iabs),
  'i32x4.neg': unop('i32', 'i32', ineg),
  'i32x4.all_true': allTrue('u32'),
  'i32x4.bitmask': bitmask('i32'),
  'i32x4.extend_low_i16x8_s': extend('i16', 'i32', false),
  'i32x4.extend_high_i16x8_s': extend('i16', 'i32', true),
  'i32x4.extend_low_i16x8_u': extend('u16', 'i32', false),
  'i32x4.extend_high_i16x8_u': extend('u16', 'i32', true),
  'i32x4.shl': shiftop('i32', 31, (x, n) => x << n),
  'i32x4.shr_s': shiftop('i32', 31, (x, n) => x >> n),
  'i32x4.shr_u': shiftop('u32', 31, (x, n) => x >>> n),
  'i32x4.add': binop('i32', (x, y) => (x + y) | 0),
  'i32x4.sub': binop('i32', (x, y) => (x - y) | 0),
  'i32x4.mul': binop('i32', Math.imul),
  'i32x4.min_s': binop('i32', imin),
  'i32x4.min_u': binop('u32', imin),
  'i32x4.max_s': binop('i32', imax),
  'i32x4.max_u': binop('u32', imax),
  'i32x4.dot_i16x8_s': (a, b) => {
    A.u8.set(a);
    B.u8.set(b);
    for (let i = 0; i < 4; i++) R.i32[i] = (A.i16[2 * i]! * B.i16[2 * i]! + A.i16[2 * i + 1]! * B.i16[2 * i + 1]!) | 0;
    return out();
  },
  'i32x4.extmul_low_i16x8_s': extmul('i16', 'i32', false),
  'i32x4.extmul_high_i16x8_s': extmul('i16', 'i32', true),
  'i32x4.extmul_low_i16x8_u': extmul('u16', 'i32', false),
  'i32x4.extmul_high_i16x8_u': extmul('u16', 'i32', true),

  // i64x2
  'i64x2.abs': unary64('abs'),
  'i64x2.neg': unary64('neg'),
  'i64x2.all_true': (a) => {
    A.u8.set(a);
    return (A.i32[0]! | A.i32[1]!) !== 0 && (A.i32[2]! | A.i32[3]!) !== 0 ? 1 : 0;
  },
  'i64x2.bitmask': (a) => ((a[7]! >> 7) | ((a[15]! >> 7) << 1)),
  'i64x2.extend_low_i32x4_s': extend64(true, false),
  'i64x2.extend_high_i32x4_s': extend64(true, true),
  'i64x2.extend_low_i32x4_u': extend64(false, false),
  'i64x2.extend_high_i32x4_u': extend64(false, true),
  'i64x2.shl': shift64(0),
  'i64x2.shr_s': shift64(1),
  'i64x2.shr_u': shift64(2),
  'i64x2.add': arith64('add'),
  'i64x2.sub': arith64('sub'),
  'i64x2.mul': arith64('mul'),
  'i64x2.eq': cmp64op((c) => c === 0),
  'i64x2.ne': cmp64op((c) => c !== 0),
  'i64x2.lt_s': cmp64op((c) => c < 0),
  'i64x2.gt_s': cmp64op((c) => c > 0),
  'i64x2.le_s': cmp64op((c) => c <= 0),
  'i64x2.ge_s': cmp64op((c) => c >= 0),
  'i64x2.extmul_low_i32x4_s': extmul64(true, false),
  'i64x2.extmul_high_i32x4_s': extmul64(true, true),
  'i64x2.extmul_low_i32x4_u': extmul64(false, false),
  'i64x2.extmul_high_i32x4_u': extmul64(false, true),

  // f32x4 (lanes as bits)
  'f32x4.abs': unop('u32', 'u32', fabs32),
  'f32x4.neg': unop('u32', 'u32', fneg32),
  'f32x4.sqrt': unop('u32', 'u32', F32_OPS.sqrt),
  'f32x4.add': binop('u32', F32_OPS.add),
  'f32x4.sub': binop('u32', F32_OPS.sub),
  'f32x4.mul': binop('u32', F32_OPS.mul),
  'f32x4.div': binop('u32', F32_OPS.div),
  'f32x4.min': f32Min,
  'f32x4.max': f32Max,
  'f32x4.pmin': pminmax32(false),
  'f32x4.pmax': pminmax32(true),

  // f64x2
  'f64x2.abs': fbits64((hi) => hi & 0x7fffffff),
  'f64x2.neg': fbits64((hi) => hi ^ 0x80000000),
  'f64x2.sqrt': unop('f64', 'f64', F64_OPS.sqrt),
  'f64x2.add': binop('f64', F64_OPS.add),
  'f64x2.sub': binop('f64', F64_OPS.sub),
  'f64x2.mul': binop('f64', F64_OPS.mul),
  'f64x2.div': binop('f64', F64_OPS.div),
  'f64x2.min': f64Min,
  'f64x2.max': f64Max,
  'f64x2.pmin': pminmax64(false),
  'f64x2.pmax': pminmax64(true),

  // conversions
  'i32x4.trunc_sat_f32x4_s': truncSatF32S,
  'i32x4.trunc_sat_f32x4_u': truncSatF32U,
  'f32x4.convert_i32x4_s': unop('i32', 'f32', (x) => x), // the Float32Array store rounds once
  'f32x4.convert_i32x4_u': unop('u32', 'f32', (x) => x),
  'i32x4.trunc_sat_f64x2_s_zero': truncSatF64SZero,
  'i32x4.trunc_sat_f64x2_u_zero': truncSatF64UZero,
  'f64x2.convert_low_i32x4_s': (a) => {
    A.u8.set(a);
    R.f64[0] = A.i32[0]!;
    R.f64[1] = A.i32[1]!;
    return out();
  },
  'f64x2.convert_low_i32x4_u': (a) => {
    A.u8.set(a);
    R.f64[0] = A.u32[0]!;
    R.f64[1] = A.u32[1]!;
    return out();
  },

  // relaxed SIMD (the choices are listed at the top of the file)
  'i8x16.relaxed_swizzle': swizzle,
  'i32x4.relaxed_trunc_f32x4_s': truncSatF32S,
  'i32x4.relaxed_trunc_f32x4_u': truncSatF32U,
  'i32x4.relaxed_trunc_f64x2_s_zero': truncSatF64SZero,
  'i32x4.relaxed_trunc_f64x2_u_zero': truncSatF64UZero,
  'f32x4.relaxed_madd': fma('u32', F32_OPS.mul, F32_OPS.add, false),
  'f32x4.relaxed_nmadd': fma('u32', F32_OPS.mul, F32_OPS.add, true),
  'f64x2.relaxed_madd': fma('f64', F64_OPS.mul, F64_OPS.add, false),
  'f64x2.relaxed_nmadd': fma('f64', F64_OPS.mul, F64_OPS.add, true),
  'i8x16.relaxed_laneselect': bitselect,
  'i16x8.relaxed_laneselect': bitselect,
  'i32x4.relaxed_laneselect': bitselect,
  'i64x2.relaxed_laneselect': bitselect,
  'f32x4.relaxed_min': f32Min,
  'f32x4.relaxed_max': f32Max,
  'f64x2.relaxed_min': f64Min,
  'f64x2.relaxed_max': f64Max,
  'i16x8.relaxed_q15mulr_s': q15,
  'i16x8.relaxed_dot_i8x16_i7x16_s': dot8,
  'i32x4.relaxed_dot_i8x16_i7x16_add_s': dot8add,
};

/** Whether an instruction name is an operator of `SIMD`. */
export const isSimdOp = (name: string): name is SimdOp => Object.hasOwn(SIMD, name);

/** The operator of a name, loosely typed: operands in signature order, then the immediate. */
export const simdFn = (op: SimdOp): SimdFn => SIMD[op] as SimdFn;

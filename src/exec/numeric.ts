// Exact numeric operators (after the reference interpreter's exec/ixx.ml,
// fxx.ml and *_convert.ml), as functions over values in the interpreter's
// representation (docs/interpreter.md):
//   i32 -> number (signed int32)     i64 -> bigint (signed)
//   f32 -> number: the IEEE bits (uint32)     f64 -> number (the double)
//
// `NUMERIC` holds one function per instruction of the table whose signature
// is over i32/i64/f32/f64 only (no memory, no constants): unary ops take one
// argument, binary ops two; comparisons and `eqz` return i32 0/1; traps throw
// `Trap` with the reference's messages.
//
// Floats. f32 arithmetic is computed on doubles and rounded once with
// Float32 conversion: for + - * / sqrt of f32 operands that double rounding is
// innocuous (53 >= 2*24 + 2). When the result is NaN it is computed from the
// operands as the reference does: the first NaN operand with its quiet bit set,
// else the positive canonical NaN. So canonical NaNs in give canonical NaNs out
// and any NaN out is arithmetic. `abs`, `neg`, `copysign` and `reinterpret`
// work on the bits and keep payloads. All scratch memory is shared and
// preallocated: scalar operators allocate nothing (except i64 bigints).

import type { INSTRS } from '../syntax/opcodes.ts';
import { Trap } from '../util/errors.ts';
import { f32FromBits, f32ToBits, f64FromBits, f64ToI64, storeF64 } from '../util/float-bits.ts';

// ---- types: the Record is exhaustive over the table ------------------------------------------

type Defs = (typeof INSTRS)[number];
type NumType = 'i32' | 'i64' | 'f32' | 'f64';
type NumSig = `${NumType} -> ${NumType}` | `${NumType} ${NumType} -> ${NumType}`;

/** The JavaScript carrier of a value type named in a signature. */
export type JsOf<T> = T extends 'i64' ? bigint : T extends 'v128' ? Uint8Array : number;
type ParamsOf<S> = S extends `${infer H} ${infer R}` ? [JsOf<H>, ...ParamsOf<R>] : S extends '' ? [] : [JsOf<S>];
/** The function type of a signature "params -> result", with extra trailing arguments (immediates). */
export type SigFn<S, Extra extends unknown[] = []> = S extends `${infer P} -> ${infer R}`
  ? (...args: [...ParamsOf<P>, ...Extra]) => JsOf<R>
  : never;
/** The table row of an instruction. */
export type DefOfOp<N> = Extract<Defs, { name: N }>;

/** Every numeric operator: a signature over i32/i64/f32/f64 only, with at least one operand. */
export type NumericOp = Defs extends infer D ? (D extends { name: infer N; sig: NumSig } ? N : never) : never;
export type NumericTable = { readonly [K in NumericOp]: SigFn<DefOfOp<K>['sig']> };
/** The loose type of a numeric operator, for dispatch by name. */
export type NumericFn = (...args: (number | bigint)[]) => number | bigint;

// ---- scratch ---------------------------------------------------------------------------------

const scratch = new ArrayBuffer(8);
const F64 = new Float64Array(scratch);
const U32 = new Uint32Array(scratch);
const I64 = new BigInt64Array(scratch);
const LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
/** index of the high / low 32-bit word of the 64-bit scratch */
const HI = LITTLE ? 1 : 0;
const LO = LITTLE ? 0 : 1;

/** The high 32 bits of an f64 (as uint32); F64[0] then holds x. */
function hiWord(x: number): number {
  storeF64(F64, 0, x);
  return U32[HI]!;
}

// ---- NaN rules -------------------------------------------------------------------------------

const F32_SIGN = 0x80000000;
const F32_CANON = 0x7fc00000;
const F32_QUIET = 0x00400000;

const isNaN32 = (b: number): boolean => (b & 0x7fffffff) > 0x7f800000;

/** NaN result of a binary f32 op: first NaN operand, quieted; else canonical. */
function nan32b(a: number, b: number): number {
  return ((isNaN32(a) ? a : isNaN32(b) ? b : F32_CANON) | F32_QUIET) >>> 0;
}

function nan32u(a: number): number {
  return ((isNaN32(a) ? a : F32_CANON) | F32_QUIET) >>> 0;
}

/** x with the quiet bit set (x is NaN). (A plain store is enough: it may only set that bit.) */
function quiet64(x: number): number {
  F64[0] = x;
  U32[HI] = U32[HI]! | 0x00080000;
  return F64[0]!;
}

/** NaN result of a binary f64 op. `NaN` is the positive canonical NaN. */
function nan64b(a: number, b: number): number {
  return a !== a ? quiet64(a) : b !== b ? quiet64(b) : NaN;
}

function nan64u(a: number): number {
  return a !== a ? quiet64(a) : NaN;
}

// ---- float helpers ---------------------------------------------------------------------------

const TWO52 = 4503599627370496;

/** Round to nearest integer, ties to even, keeping the sign of zero. x is not NaN. */
function roundEven(x: number): number {
  const a = Math.abs(x);
  if (!(a < TWO52) || x === 0) return x;
  // Adding and subtracting 2^52 rounds away the fraction in the current (ties-to-even) mode.
  const r = a + TWO52 - TWO52;
  return x < 0 ? -r : r;
}

function f32Unary(a: number, f: (x: number) => number): number {
  const x = f32FromBits(a);
  return x === x ? f32ToBits(f(x)) : nan32u(a);
}

const f32Ceil = (a: number): number => f32Unary(a, Math.ceil);
const f32Floor = (a: number): number => f32Unary(a, Math.floor);
const f32Trunc = (a: number): number => f32Unary(a, Math.trunc);
const f32Nearest = (a: number): number => f32Unary(a, roundEven);

function f32Sqrt(a: number): number {
  const r = Math.sqrt(f32FromBits(a));
  return r === r ? f32ToBits(r) : nan32u(a);
}

function f32Add(a: number, b: number): number {
  const r = f32FromBits(a) + f32FromBits(b);
  return r === r ? f32ToBits(r) : nan32b(a, b);
}

function f32Sub(a: number, b: number): number {
  const r = f32FromBits(a) - f32FromBits(b);
  return r === r ? f32ToBits(r) : nan32b(a, b);
}

function f32Mul(a: number, b: number): number {
  const r = f32FromBits(a) * f32FromBits(b);
  return r === r ? f32ToBits(r) : nan32b(a, b);
}

function f32Div(a: number, b: number): number {
  const r = f32FromBits(a) / f32FromBits(b);
  return r === r ? f32ToBits(r) : nan32b(a, b);
}

function f32Min(a: number, b: number): number {
  const x = f32FromBits(a);
  const y = f32FromBits(b);
  if (x < y) return a;
  if (y < x) return b;
  if (x === y) return (a | b) >>> 0; // min(-0, +0) = -0
  return nan32b(a, b);
}

function f32Max(a: number, b: number): number {
  const x = f32FromBits(a);
  const y = f32FromBits(b);
  if (x > y) return a;
  if (y > x) return b;
  if (x === y) return (a & b) >>> 0; // max(-0, +0) = +0
  return nan32b(a, b);
}

const f32Abs = (a: number): number => (a & 0x7fffffff) >>> 0;
const f32Neg = (a: number): number => (a ^ F32_SIGN) >>> 0;
const f32Copysign = (a: number, b: number): number => ((a & 0x7fffffff) | (b & F32_SIGN)) >>> 0;

function f64Min(a: number, b: number): number {
  if (a < b) return a;
  if (b < a) return b;
  if (a === b) return 1 / a < 0 ? a : b; // min(-0, +0) = -0
  return nan64b(a, b);
}

function f64Max(a: number, b: number): number {
  if (a > b) return a;
  if (b > a) return b;
  if (a === b) return 1 / a < 0 ? b : a; // max(-0, +0) = +0
  return nan64b(a, b);
}

function f64Abs(a: number): number {
  if (a === a) return Math.abs(a);
  U32[HI] = hiWord(a) & 0x7fffffff;
  return F64[0]!;
}

function f64Neg(a: number): number {
  if (a === a) return -a;
  U32[HI] = hiWord(a) ^ 0x80000000;
  return F64[0]!;
}

function f64Copysign(a: number, b: number): number {
  const sign = hiWord(b) & 0x80000000;
  U32[HI] = (hiWord(a) & 0x7fffffff) | sign;
  return F64[0]!;
}

function f64Nearest(a: number): number {
  return a === a ? roundEven(a) : quiet64(a);
}

/** f64 -> f32 (round to nearest even); a NaN keeps its sign and the top of its payload, quieted. */
function demote(x: number): number {
  if (x === x) return f32ToBits(x);
  F64[0] = x; // (a store may set the quiet bit, which the result sets anyway)
  const hi = U32[HI]!;
  const lo = U32[LO]!;
  return ((hi & F32_SIGN) | F32_CANON | ((hi & 0xfffff) << 3) | (lo >>> 29)) >>> 0;
}

/** f32 -> f64 (exact); a NaN keeps its sign and payload, quieted. */
function promote(b: number): number {
  if (!isNaN32(b)) return f32FromBits(b);
  U32[HI] = (b & F32_SIGN) | 0x7ff80000 | ((b & 0x7fffff) >>> 3);
  U32[LO] = (b & 7) << 29;
  return F64[0]!;
}

// ---- integer helpers -------------------------------------------------------------------------

const INT_DIV_ZERO = 'integer divide by zero';
const INT_OVERFLOW = 'integer overflow';
const INVALID_CONV = 'invalid conversion to integer';

function ctz32(a: number): number {
  return a === 0 ? 32 : 31 - Math.clz32(a & -a);
}

function popcnt32(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/** Small bigints, so that bit counts allocate nothing. */
const SMALL: readonly bigint[] = Array.from({ length: 65 }, (_, i) => BigInt(i));

const I64_MIN = -0x8000000000000000n;
const I64_MAX = 0x7fffffffffffffffn;
const TWO53 = 0x20000000000000n;
const TWO64 = 0x10000000000000000n;

/** unsigned a < b on signed i64 values, without allocating */
const ltU64 = (a: bigint, b: bigint): boolean => ((a >= 0n) === (b >= 0n) ? a < b : a >= 0n);
const u64 = (a: bigint): bigint => (a < 0n ? a + TWO64 : a);

function divU64(a: bigint, b: bigint): bigint {
  if (b === 0n) throw new Trap(INT_DIV_ZERO);
  return a >= 0n && b > 0n ? a / b : BigInt.asIntN(64, u64(a) / u64(b));
}

function remU64(a: bigint, b: bigint): bigint {
  if (b === 0n) throw new Trap(INT_DIV_ZERO);
  return a >= 0n && b > 0n ? a % b : BigInt.asIntN(64, u64(a) % u64(b));
}

function rotl64(a: bigint, b: bigint): bigint {
  const n = b & 63n;
  const u = u64(a);
  return BigInt.asIntN(64, (u << n) | (u >> (64n - n)));
}

function rotr64(a: bigint, b: bigint): bigint {
  const n = b & 63n;
  const u = u64(a);
  return BigInt.asIntN(64, (u >> n) | (u << (64n - n)));
}

function clz64(a: bigint): bigint {
  I64[0] = a;
  const hi = U32[HI]!;
  return SMALL[hi !== 0 ? Math.clz32(hi) : 32 + Math.clz32(U32[LO]!)]!;
}

function ctz64(a: bigint): bigint {
  I64[0] = a;
  const lo = U32[LO]!;
  return SMALL[lo !== 0 ? ctz32(lo) : 32 + ctz32(U32[HI]!)]!;
}

function popcnt64(a: bigint): bigint {
  I64[0] = a;
  return SMALL[popcnt32(U32[HI]!) + popcnt32(U32[LO]!)]!;
}

/** i64 -> f32 with a single rounding: below 2^53 the double is exact; above, the bits
 *  shifted out are folded into a sticky bit, which rounds like them at f32 precision. */
function i64ToF32(x: bigint): number {
  if (x > -TWO53 && x < TWO53) return f32ToBits(Number(x));
  const q = (x >> 12n) | ((x & 0xfffn) === 0n ? 0n : 1n);
  return f32ToBits(Number(q) * 4096);
}

// ---- float -> integer ------------------------------------------------------------------------

const P31 = 2147483648;
const P32 = 4294967296;
const P63 = 9223372036854775808;
const P64 = 18446744073709551616;

function truncS32(x: number): number {
  if (x !== x) throw new Trap(INVALID_CONV);
  if (!(x > -2147483649 && x < P31)) throw new Trap(INT_OVERFLOW);
  return x | 0;
}

function truncU32(x: number): number {
  if (x !== x) throw new Trap(INVALID_CONV);
  if (!(x > -1 && x < P32)) throw new Trap(INT_OVERFLOW);
  return x | 0;
}

function truncS64(x: number): bigint {
  if (x !== x) throw new Trap(INVALID_CONV);
  if (!(x >= -P63 && x < P63)) throw new Trap(INT_OVERFLOW);
  return BigInt(Math.trunc(x));
}

function truncU64(x: number): bigint {
  if (x !== x) throw new Trap(INVALID_CONV);
  if (!(x > -1 && x < P64)) throw new Trap(INT_OVERFLOW);
  return BigInt.asIntN(64, BigInt(Math.trunc(x)));
}

/** saturating float -> i32 (NaN -> 0) */
export function truncSatS32(x: number): number {
  if (x !== x) return 0;
  if (x < -P31) return -P31;
  if (x >= P31) return 0x7fffffff;
  return x | 0;
}

/** saturating float -> u32 (NaN -> 0), as a signed i32 */
export function truncSatU32(x: number): number {
  if (x !== x || x <= -1) return 0;
  if (x >= P32) return -1;
  return x | 0;
}

function truncSatS64(x: number): bigint {
  if (x !== x) return 0n;
  if (x < -P63) return I64_MIN;
  if (x >= P63) return I64_MAX;
  return BigInt(Math.trunc(x));
}

function truncSatU64(x: number): bigint {
  if (x !== x || x <= -1) return 0n;
  if (x >= P64) return -1n;
  return BigInt.asIntN(64, BigInt(Math.trunc(x)));
}

// ---- the table -------------------------------------------------------------------------------

export const NUMERIC: NumericTable = {
  // i32 comparisons
  'i32.eqz': (a) => (a === 0 ? 1 : 0),
  'i32.eq': (a, b) => (a === b ? 1 : 0),
  'i32.ne': (a, b) => (a !== b ? 1 : 0),
  'i32.lt_s': (a, b) => (a < b ? 1 : 0),
  'i32.lt_u': (a, b) => (a >>> 0 < b >>> 0 ? 1 : 0),
  'i32.gt_s': (a, b) => (a > b ? 1 : 0),
  'i32.gt_u': (a, b) => (a >>> 0 > b >>> 0 ? 1 : 0),
  'i32.le_s': (a, b) => (a <= b ? 1 : 0),
  'i32.le_u': (a, b) => (a >>> 0 <= b >>> 0 ? 1 : 0),
  'i32.ge_s': (a, b) => (a >= b ? 1 : 0),
  'i32.ge_u': (a, b) => (a >>> 0 >= b >>> 0 ? 1 : 0),

  // i64 comparisons
  'i64.eqz': (a) => (a === 0n ? 1 : 0),
  'i64.eq': (a, b) => (a === b ? 1 : 0),
  'i64.ne': (a, b) => (a !== b ? 1 : 0),
  'i64.lt_s': (a, b) => (a < b ? 1 : 0),
  'i64.lt_u': (a, b) => (ltU64(a, b) ? 1 : 0),
  'i64.gt_s': (a, b) => (a > b ? 1 : 0),
  'i64.gt_u': (a, b) => (ltU64(b, a) ? 1 : 0),
  'i64.le_s': (a, b) => (a <= b ? 1 : 0),
  'i64.le_u': (a, b) => (ltU64(b, a) ? 0 : 1),
  'i64.ge_s': (a, b) => (a >= b ? 1 : 0),
  'i64.ge_u': (a, b) => (ltU64(a, b) ? 0 : 1),

  // float comparisons (NaN compares unordered)
  'f32.eq': (a, b) => (f32FromBits(a) === f32FromBits(b) ? 1 : 0),
  'f32.ne': (a, b) => (f32FromBits(a) !== f32FromBits(b) ? 1 : 0),
  'f32.lt': (a, b) => (f32FromBits(a) < f32FromBits(b) ? 1 : 0),
  'f32.gt': (a, b) => (f32FromBits(a) > f32FromBits(b) ? 1 : 0),
  'f32.le': (a, b) => (f32FromBits(a) <= f32FromBits(b) ? 1 : 0),
  'f32.ge': (a, b) => (f32FromBits(a) >= f32FromBits(b) ? 1 : 0),
  'f64.eq': (a, b) => (a === b ? 1 : 0),
  'f64.ne': (a, b) => (a !== b ? 1 : 0),
  'f64.lt': (a, b) => (a < b ? 1 : 0),
  'f64.gt': (a, b) => (a > b ? 1 : 0),
  'f64.le': (a, b) => (a <= b ? 1 : 0),
  'f64.ge': (a, b) => (a >= b ? 1 : 0),

  // i32 arithmetic
  'i32.clz': (a) => Math.clz32(a),
  'i32.ctz': ctz32,
  'i32.popcnt': popcnt32,
  'i32.add': (a, b) => (a + b) | 0,
  'i32.sub': (a, b) => (a - b) | 0,
  'i32.mul': (a, b) => Math.imul(a, b),
  'i32.div_s': (a, b) => {
    if (b === 0) throw new Trap(INT_DIV_ZERO);
    if (a === -0x80000000 && b === -1) throw new Trap(INT_OVERFLOW);
    return (a / b) | 0; // the double quotient of int32s never rounds across an integer
  },
  'i32.div_u': (a, b) => {
    if (b === 0) throw new Trap(INT_DIV_ZERO);
    return ((a >>> 0) / (b >>> 0)) | 0;
  },
  'i32.rem_s': (a, b) => {
    if (b === 0) throw new Trap(INT_DIV_ZERO);
    return a % b | 0;
  },
  'i32.rem_u': (a, b) => {
    if (b === 0) throw new Trap(INT_DIV_ZERO);
    return (a >>> 0) % (b >>> 0) | 0;
  },
  'i32.and': (a, b) => a & b,
  'i32.or': (a, b) => a | b,
  'i32.xor': (a, b) => a ^ b,
  'i32.shl': (a, b) => a << b,
  'i32.shr_s': (a, b) => a >> b,
  'i32.shr_u': (a, b) => (a >>> b) | 0,
  'i32.rotl': (a, b) => (a << b) | (a >>> (32 - (b & 31))),
  'i32.rotr': (a, b) => (a >>> b) | (a << (32 - (b & 31))),

  // i64 arithmetic
  'i64.clz': clz64,
  'i64.ctz': ctz64,
  'i64.popcnt': popcnt64,
  'i64.add': (a, b) => BigInt.asIntN(64, a + b),
  'i64.sub': (a, b) => BigInt.asIntN(64, a - b),
  'i64.mul': (a, b) => BigInt.asIntN(64, a * b),
  'i64.div_s': (a, b) => {
    if (b === 0n) throw new Trap(INT_DIV_ZERO);
    if (a === I64_MIN && b === -1n) throw new Trap(INT_OVERFLOW);
    return a / b;
  },
  'i64.div_u': divU64,
  'i64.rem_s': (a, b) => {
    if (b === 0n) throw new Trap(INT_DIV_ZERO);
    return a % b;
  },
  'i64.rem_u': remU64,
  'i64.and': (a, b) => a & b,
  'i64.or': (a, b) => a | b,
  'i64.xor': (a, b) => a ^ b,
  'i64.shl': (a, b) => BigInt.asIntN(64, a << (b & 63n)),
  'i64.shr_s': (a, b) => a >> (b & 63n),
  'i64.shr_u': (a, b) => BigInt.asIntN(64, u64(a) >> (b & 63n)),
  'i64.rotl': rotl64,
  'i64.rotr': rotr64,

  // f32 arithmetic (on bits)
  'f32.abs': f32Abs,
  'f32.neg': f32Neg,
  'f32.ceil': f32Ceil,
  'f32.floor': f32Floor,
  'f32.trunc': f32Trunc,
  'f32.nearest': f32Nearest,
  'f32.sqrt': f32Sqrt,
  'f32.add': f32Add,
  'f32.sub': f32Sub,
  'f32.mul': f32Mul,
  'f32.div': f32Div,
  'f32.min': f32Min,
  'f32.max': f32Max,
  'f32.copysign': f32Copysign,

  // f64 arithmetic
  'f64.abs': f64Abs,
  'f64.neg': f64Neg,
  'f64.ceil': (a) => (a === a ? Math.ceil(a) : quiet64(a)),
  'f64.floor': (a) => (a === a ? Math.floor(a) : quiet64(a)),
  'f64.trunc': (a) => (a === a ? Math.trunc(a) : quiet64(a)),
  'f64.nearest': f64Nearest,
  'f64.sqrt': (a) => {
    const r = Math.sqrt(a);
    return r === r ? r : nan64u(a);
  },
  'f64.add': (a, b) => {
    const r = a + b;
    return r === r ? r : nan64b(a, b);
  },
  'f64.sub': (a, b) => {
    const r = a - b;
    return r === r ? r : nan64b(a, b);
  },
  'f64.mul': (a, b) => {
    const r = a * b;
    return r === r ? r : nan64b(a, b);
  },
  'f64.div': (a, b) => {
    const r = a / b;
    return r === r ? r : nan64b(a, b);
  },
  'f64.min': f64Min,
  'f64.max': f64Max,
  'f64.copysign': f64Copysign,

  // conversions
  'i32.wrap_i64': (a) => {
    I64[0] = a;
    return U32[LO]! | 0;
  },
  'i32.trunc_f32_s': (a) => truncS32(f32FromBits(a)),
  'i32.trunc_f32_u': (a) => truncU32(f32FromBits(a)),
  'i32.trunc_f64_s': truncS32,
  'i32.trunc_f64_u': truncU32,
  'i64.extend_i32_s': (a) => BigInt(a),
  'i64.extend_i32_u': (a) => BigInt(a >>> 0),
  'i64.trunc_f32_s': (a) => truncS64(f32FromBits(a)),
  'i64.trunc_f32_u': (a) => truncU64(f32FromBits(a)),
  'i64.trunc_f64_s': truncS64,
  'i64.trunc_f64_u': truncU64,
  'f32.convert_i32_s': (a) => f32ToBits(a),
  'f32.convert_i32_u': (a) => f32ToBits(a >>> 0),
  'f32.convert_i64_s': i64ToF32,
  'f32.convert_i64_u': (a) => (a >= 0n ? i64ToF32(a) : i64ToF32(a + TWO64)),
  'f32.demote_f64': demote,
  'f64.convert_i32_s': (a) => a,
  'f64.convert_i32_u': (a) => a >>> 0,
  'f64.convert_i64_s': (a) => Number(a), // BigInt -> Number rounds once, ties to even
  'f64.convert_i64_u': (a) => Number(a >= 0n ? a : a + TWO64),
  'f64.promote_f32': promote,
  'i32.reinterpret_f32': (a) => a | 0,
  'i64.reinterpret_f64': f64ToI64,
  'f32.reinterpret_i32': (a) => a >>> 0,
  'f64.reinterpret_i64': f64FromBits,

  // sign extension
  'i32.extend8_s': (a) => (a << 24) >> 24,
  'i32.extend16_s': (a) => (a << 16) >> 16,
  'i64.extend8_s': (a) => BigInt.asIntN(8, a),
  'i64.extend16_s': (a) => BigInt.asIntN(16, a),
  'i64.extend32_s': (a) => BigInt.asIntN(32, a),

  // saturating truncation
  'i32.trunc_sat_f32_s': (a) => truncSatS32(f32FromBits(a)),
  'i32.trunc_sat_f32_u': (a) => truncSatU32(f32FromBits(a)),
  'i32.trunc_sat_f64_s': truncSatS32,
  'i32.trunc_sat_f64_u': truncSatU32,
  'i64.trunc_sat_f32_s': (a) => truncSatS64(f32FromBits(a)),
  'i64.trunc_sat_f32_u': (a) => truncSatU64(f32FromBits(a)),
  'i64.trunc_sat_f64_s': truncSatS64,
  'i64.trunc_sat_f64_u': truncSatU64,
};

/** Whether an instruction name is a numeric operator of `NUMERIC`. */
export const isNumericOp = (name: string): name is NumericOp => Object.hasOwn(NUMERIC, name);

/** The operator of a name, loosely typed (arity = number of params in its signature). */
export const numericFn = (op: NumericOp): NumericFn => NUMERIC[op] as NumericFn;

/** Lane helpers for simd.ts: f32 ops on bits, f64 ops on numbers, with the same NaN rules. */
export const F32_OPS = {
  add: f32Add, sub: f32Sub, mul: f32Mul, div: f32Div, min: f32Min, max: f32Max, sqrt: f32Sqrt,
  ceil: f32Ceil, floor: f32Floor, trunc: f32Trunc, nearest: f32Nearest, demote, promote,
} as const;
export const F64_OPS = {
  add: NUMERIC['f64.add'], sub: NUMERIC['f64.sub'], mul: NUMERIC['f64.mul'], div: NUMERIC['f64.div'],
  min: f64Min, max: f64Max, sqrt: NUMERIC['f64.sqrt'], ceil: NUMERIC['f64.ceil'], floor: NUMERIC['f64.floor'],
  trunc: NUMERIC['f64.trunc'], nearest: f64Nearest,
} as const;

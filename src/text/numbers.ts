// Exact numeric literals of the text format.
//
// Parsing follows the lexical grammar of the spec (and the reference
// interpreter's lexer.mll / ixx.ml / fxx.ml):
//
//   num    ::= digit ('_'? digit)*
//   hexnum ::= hexdigit ('_'? hexdigit)*
//   nat    ::= num | '0x' hexnum
//   int    ::= sign nat
//   float  ::= sign? num '.' num?
//            | sign? num ('.' num?)? [eE] sign? num
//            | sign? '0x' hexnum '.' hexnum?
//            | sign? '0x' hexnum ('.' hexnum?)? [pP] sign? num
//            | sign? 'inf' | sign? 'nan' | sign? 'nan:0x' hexnum
//
// Every parser returns null when the token is malformed or its value is out
// of range; the caller reports "constant out of range" (or "unknown operator"
// for tokens that are not numbers at all, see `numberClass`).
//
// Floats are converted exactly: the literal is turned into a rational number
// with BigInt arithmetic and rounded once to the target precision
// (round-to-nearest, ties-to-even), so there is no double rounding through
// f64. A literal that rounds to infinity is out of range. Floats are carried
// as IEEE bits: f32 as an unsigned 32-bit number, f64 as an unsigned bigint.
import { f32FromBits, f32ToBits, f64FromBits, f64ToBits } from '../util/float-bits.ts';

const NUM = '[0-9](?:_?[0-9])*';
const HEXNUM = '[0-9a-fA-F](?:_?[0-9a-fA-F])*';
const NAT_RE = new RegExp(`^(?:${NUM}|0x${HEXNUM})$`);
const INT_RE = new RegExp(`^[+-](?:${NUM}|0x${HEXNUM})$`);
const DEC_FLOAT_RE = new RegExp(`^([+-]?)(${NUM})(?:\\.(${NUM})?)?(?:[eE]([+-]?${NUM}))?$`);
const HEX_FLOAT_RE = new RegExp(`^([+-]?)0x(${HEXNUM})(?:\\.(${HEXNUM})?)?(?:[pP]([+-]?${NUM}))?$`);
const SPECIAL_RE = new RegExp(`^([+-]?)(inf|nan|nan:0x(${HEXNUM}))$`);

/**
 * The lexical class of a token, as the reference lexer sees it: `nat` (no sign),
 * `int` (signed integer), `float` (anything else that is a number), or null.
 * A `nat` is also a valid `int` and `float` literal; an `int` also a `float`.
 */
export function numberClass(tok: string): 'nat' | 'int' | 'float' | null {
  if (NAT_RE.test(tok)) return 'nat';
  if (INT_RE.test(tok)) return 'int';
  if (DEC_FLOAT_RE.test(tok) || HEX_FLOAT_RE.test(tok) || SPECIAL_RE.test(tok)) return 'float';
  return null;
}

const strip = (s: string): string => s.replaceAll('_', '');

// ---- integers -----------------------------------------------------------------

/** Magnitude and sign of an integer token, or null if it is not `nat` or `int`. */
function parseIntParts(tok: string): { neg: boolean; signed: boolean; mag: bigint } | null {
  let s = tok;
  let neg = false;
  let signed = false;
  if (s.startsWith('+') || s.startsWith('-')) {
    neg = s[0] === '-';
    signed = true;
    s = s.slice(1);
  }
  if (!NAT_RE.test(s)) return null;
  return { neg, signed, mag: BigInt(strip(s)) };
}

/** An integer of `bits` bits: -2^(bits-1) .. 2^bits-1, as its unsigned bit pattern. */
function parseIntBits(tok: string, bits: number): bigint | null {
  const p = parseIntParts(tok);
  if (p === null) return null;
  const mod = 1n << BigInt(bits);
  if (p.neg) {
    if (p.mag > mod >> 1n) return null;
    return (mod - p.mag) % mod;
  }
  return p.mag < mod ? p.mag : null;
}

function parseNatBits(tok: string, bits: number): bigint | null {
  if (!NAT_RE.test(tok)) return null;
  const v = BigInt(strip(tok));
  return v < 1n << BigInt(bits) ? v : null;
}

/** An i32 literal (-2^31 .. 2^32-1), as a signed int32 (2^31 and up wrap). */
export function parseI32(tok: string): number | null {
  const v = parseIntBits(tok, 32);
  return v === null ? null : Number(BigInt.asIntN(32, v));
}

/** An i64 literal (-2^63 .. 2^64-1), as a signed bigint. */
export function parseI64(tok: string): bigint | null {
  const v = parseIntBits(tok, 64);
  return v === null ? null : BigInt.asIntN(64, v);
}

/** An i8 lane literal (-2^7 .. 2^8-1), as a signed number. */
export function parseI8(tok: string): number | null {
  const v = parseIntBits(tok, 8);
  return v === null ? null : Number(BigInt.asIntN(8, v));
}

/** An i16 lane literal (-2^15 .. 2^16-1), as a signed number. */
export function parseI16(tok: string): number | null {
  const v = parseIntBits(tok, 16);
  return v === null ? null : Number(BigInt.asIntN(16, v));
}

/** An unsigned 32-bit literal (no sign allowed). */
export function parseU32(tok: string): number | null {
  const v = parseNatBits(tok, 32);
  return v === null ? null : Number(v);
}

/** An unsigned 64-bit literal (no sign allowed). */
export function parseU64(tok: string): bigint | null {
  return parseNatBits(tok, 64);
}

export const formatI32 = (n: number): string => String(n | 0);
export const formatI64 = (n: bigint): string => String(BigInt.asIntN(64, n));

// ---- floats -------------------------------------------------------------------

interface FloatFormat {
  /** explicit mantissa bits */
  readonly mant: number;
  /** exponent bits */
  readonly exp: number;
}
const F32: FloatFormat = { mant: 23, exp: 8 };
const F64: FloatFormat = { mant: 52, exp: 11 };

const bitLength = (n: bigint): number => (n === 0n ? 0 : n.toString(2).length);

/**
 * Rounds num/den (both > 0) to the format, ties to even. Returns the bits of
 * the positive result, or null on overflow to infinity.
 */
function roundRational(num: bigint, den: bigint, f: FloatFormat): bigint | null {
  const p = f.mant + 1; // precision
  const bias = (1 << (f.exp - 1)) - 1;
  const emin = 1 - bias; // exponent of the smallest normal
  const qmin = emin - f.mant; // exponent of the least significant bit of subnormals
  // e: exponent of the lsb of the result, so that 2^(p-1) <= num/den / 2^e < 2^p
  let e = bitLength(num) - bitLength(den) - p;
  const scaled = (ex: number): [bigint, bigint] =>
    ex >= 0 ? [num, den << BigInt(ex)] : [num << BigInt(-ex), den];
  // adjust e so that the quotient has exactly p bits
  for (;;) {
    const [n, d] = scaled(e);
    if (n < d << BigInt(p - 1)) e--;
    else if (n >= d << BigInt(p)) e++;
    else break;
  }
  if (e < qmin) e = qmin;
  const [n, d] = scaled(e);
  let q = n / d;
  const r2 = (n - q * d) * 2n;
  if (r2 > d || (r2 === d && (q & 1n) === 1n)) q++;
  if (q === 1n << BigInt(p)) {
    q >>= 1n;
    e++;
  }
  if (q === 0n) return 0n;
  // q < 2^(p-1) only when subnormal (e === qmin)
  const biased = q >> BigInt(f.mant) === 0n ? 0 : e - qmin + 1;
  if (biased >= (1 << f.exp) - 1) return null;
  return (BigInt(biased) << BigInt(f.mant)) | (q & ((1n << BigInt(f.mant)) - 1n));
}

/** The bits of a float literal in the format, or null. */
function parseFloatBits(tok: string, f: FloatFormat): bigint | null {
  const width = 1 + f.exp + f.mant;
  const signBit = 1n << BigInt(width - 1);
  const expMask = ((1n << BigInt(f.exp)) - 1n) << BigInt(f.mant);
  const mantMask = (1n << BigInt(f.mant)) - 1n;
  const bias = (1 << (f.exp - 1)) - 1;

  let m: RegExpExecArray | null;
  let neg: boolean;
  let mag: bigint | null;
  if ((m = SPECIAL_RE.exec(tok)) !== null) {
    neg = m[1] === '-';
    if (m[2] === 'inf') mag = expMask;
    else if (m[3] === undefined) mag = expMask | (1n << BigInt(f.mant - 1));
    else {
      const payload = BigInt('0x' + strip(m[3]));
      if (payload === 0n || payload > mantMask) return null;
      mag = expMask | payload;
    }
  } else if ((m = DEC_FLOAT_RE.exec(tok)) !== null) {
    neg = m[1] === '-';
    const int = strip(m[2]!);
    const frac = m[3] === undefined ? '' : strip(m[3]);
    const digits = BigInt(int + frac);
    if (digits === 0n) mag = 0n;
    else {
      const e10 = Number(m[4] === undefined ? 0n : BigInt(strip(m[4]))) - frac.length;
      // decimal magnitude: 10^(mag10-1) <= value < 10^mag10
      const mag10 = digits.toString().length + e10;
      const maxDec = Math.ceil((bias + 1) * Math.LOG10E * Math.LN2) + 1; // > log10(max)
      const minDec = Math.floor((1 - bias - f.mant) * Math.LOG10E * Math.LN2) - 2; // < log10(min subnormal / 2)
      if (mag10 > maxDec) return null;
      if (mag10 < minDec) mag = 0n;
      else
        mag = e10 >= 0
          ? roundRational(digits * 10n ** BigInt(e10), 1n, f)
          : roundRational(digits, 10n ** BigInt(-e10), f);
    }
  } else if ((m = HEX_FLOAT_RE.exec(tok)) !== null) {
    neg = m[1] === '-';
    const int = strip(m[2]!);
    const frac = m[3] === undefined ? '' : strip(m[3]);
    const digits = BigInt('0x' + int + frac);
    if (digits === 0n) mag = 0n;
    else {
      const e2 = Number(m[4] === undefined ? 0n : BigInt(strip(m[4]))) - 4 * frac.length;
      const mag2 = bitLength(digits) + e2; // 2^(mag2-1) <= value < 2^mag2
      if (mag2 > bias + 2) return null;
      if (mag2 < 1 - bias - f.mant - 2) mag = 0n;
      else mag = e2 >= 0 ? roundRational(digits << BigInt(e2), 1n, f) : roundRational(digits, 1n << BigInt(-e2), f);
    }
  } else return null;
  if (mag === null) return null;
  return neg ? mag | signBit : mag;
}

/** An f32 literal, as its IEEE bits (an unsigned 32-bit number). */
export function parseF32(tok: string): number | null {
  const v = parseFloatBits(tok, F32);
  return v === null ? null : Number(v);
}

/** An f64 literal, as its IEEE bits (an unsigned 64-bit bigint). */
export function parseF64(tok: string): bigint | null {
  return parseFloatBits(tok, F64);
}

// ---- float formatting ---------------------------------------------------------


/**
 * Writes digits d1 d2 ... dn times 10^(point - n) the way JavaScript does:
 * plain notation for 1e-7 <= x < 1e21, exponential otherwise.
 */
function decimalString(digits: string, point: number): string {
  const n = digits.length;
  if (point >= -5 && point <= 21) {
    if (point >= n) return digits + '0'.repeat(point - n);
    if (point > 0) return `${digits.slice(0, point)}.${digits.slice(point)}`;
    return `0.${'0'.repeat(-point)}${digits}`;
  }
  const e = point - 1;
  const mant = n === 1 ? digits : `${digits[0]}.${digits.slice(1)}`;
  return `${mant}e${e < 0 ? '-' : '+'}${Math.abs(e)}`;
}

/** Shortest decimal of a positive finite f32 that parses back to the same bits. */
function shortestF32(bits: number): string {
  const x = f32FromBits(bits);
  for (let k = 1; k <= 9; k++) {
    const [mant, exp] = x.toExponential(k - 1).split('e') as [string, string];
    const n = BigInt(mant.replace('.', ''));
    const e = Number(exp) - (k - 1); // value = n * 10^e
    for (const c of [n, n - 1n, n + 1n]) {
      if (c <= 0n) continue;
      const s = c.toString();
      const str = decimalString(s, s.length + e);
      if (parseF32(str) === bits) return str;
    }
  }
  // not reached: 9 significant digits always round-trip an f32
  return x.toPrecision(9);
}

function formatFloat(bits: bigint, f: FloatFormat, shortest: (abs: bigint) => string): string {
  const width = 1 + f.exp + f.mant;
  const neg = (bits >> BigInt(width - 1)) & 1n;
  const abs = bits & ((1n << BigInt(width - 1)) - 1n);
  const sign = neg ? '-' : '';
  const expMask = ((1n << BigInt(f.exp)) - 1n) << BigInt(f.mant);
  const payload = abs & ((1n << BigInt(f.mant)) - 1n);
  if ((abs & expMask) === expMask) {
    if (payload === 0n) return `${sign}inf`;
    if (payload === 1n << BigInt(f.mant - 1)) return `${sign}nan`;
    return `${sign}nan:0x${payload.toString(16)}`;
  }
  if (abs === 0n) return `${sign}0`;
  return sign + shortest(abs);
}

/** An f32 (given by its bits) as a literal that parses back to the same bits. */
export function formatF32(bits: number): string {
  return formatFloat(BigInt(bits >>> 0), F32, (abs) => shortestF32(Number(abs)));
}

/** An f64 (given by its bits) as a literal that parses back to the same bits. */
export function formatF64(bits: bigint): string {
  return formatFloat(BigInt.asUintN(64, bits), F64, (abs) => {
    const [mant, exp] = f64FromBits(abs).toExponential().split('e') as [string, string];
    const digits = mant.replace('.', '');
    return decimalString(digits, Number(exp) + 1);
  });
}

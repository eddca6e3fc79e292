// Values at the edge of the interpreter: WAST constants to runtime values,
// result patterns (`assert_return`) checked against runtime values the way
// the reference interpreter's script/run.ml does, and values printed as WAST
// constants (failure messages, `wasmfx run`).
//
// Runtime values follow src/runtime/value.ts: i32 number (signed), i64
// bigint, f32 its bits (uint32), f64 the double, v128 a Uint8Array(16),
// references null or objects (i31 a plain number).

import type { Const, Expected, FloatPattern } from './ast.ts';
import type { CValType } from '../valid/types.ts';
import { valTypeToString } from '../valid/types.ts';
import { ExternAny, HostRef, WasmArray, WasmExn, WasmStruct, type Value } from '../runtime/value.ts';
import { formatF32, formatF64, formatI32, formatI64, parseF32, parseF64 } from '../text/numbers.ts';
import { f64FromBits, f64ToBits } from '../util/float-bits.ts';

// ---- constants -> values ---------------------------------------------------------------

/** Host references of a script: `(ref.extern n)` and `(ref.host n)` are the same object for the same n. */
export class HostRefs {
  private readonly refs = new Map<number, HostRef>();
  get(n: number): HostRef {
    let r = this.refs.get(n);
    if (r === undefined) {
      r = new HostRef(n);
      this.refs.set(n, r);
    }
    return r;
  }
}

/** Does a constant fit a parameter type? (The reference checks the same before invoking.) */
export function constFits(c: Const, t: CValType): boolean {
  switch (c.type) {
    case 'i32': case 'i64': case 'f32': case 'f64': case 'v128':
      return t === c.type;
    case 'ref.null':
      return typeof t === 'object' && t.nullable;
    case 'ref.extern':
    case 'ref.host':
      return typeof t === 'object';
  }
}

export function constToValue(c: Const, hostRefs: HostRefs): Value {
  switch (c.type) {
    case 'i32': return c.value | 0;
    case 'i64': return BigInt.asIntN(64, c.value);
    case 'f32': return c.value >>> 0;
    case 'f64': return f64FromBits(c.value);
    case 'v128': return c.value;
    case 'ref.null': return null;
    case 'ref.extern':
    case 'ref.host':
      return hostRefs.get(c.value);
  }
}

// ---- matching result patterns ----------------------------------------------------------------

const F32_CANON = 0x7fc00000;
const F64_CANON = 0x7ff8000000000000n;
const F64_ABS = 0x7fffffffffffffffn;

export function matchF32(bits: number, p: FloatPattern<number>): boolean {
  bits >>>= 0;
  switch (p.kind) {
    case 'value': return bits === p.bits >>> 0;
    case 'nan:canonical': return (bits & 0x7fffffff) === F32_CANON;
    case 'nan:arithmetic': return (bits & F32_CANON) === F32_CANON;
  }
}

export function matchF64(bits: bigint, p: FloatPattern<bigint>): boolean {
  bits = BigInt.asUintN(64, bits);
  switch (p.kind) {
    case 'value': return bits === BigInt.asUintN(64, p.bits);
    case 'nan:canonical': return (bits & F64_ABS) === F64_CANON;
    case 'nan:arithmetic': return (bits & F64_CANON) === F64_CANON;
  }
}

const isObj = (v: Value): v is Exclude<Value, number | bigint | null> => typeof v === 'object' && v !== null;
const isFunc = (v: Value): boolean => isObj(v) && 'kind' in v && (v.kind === 'wasm' || v.kind === 'host');
const isCont = (v: Value): boolean => isObj(v) && 'kind' in v && v.kind === 'cont';
const isI31 = (v: Value): boolean => typeof v === 'number';

/** The host number inside `(ref.extern n)`/`(ref.host n)`, also after a round trip through any. */
function hostNumber(v: Value): unknown {
  if (v instanceof HostRef) return v.value;
  if (v instanceof ExternAny && v.ref instanceof HostRef) return v.ref.value;
  return undefined;
}

/** Does a value of type `t` match the expected result? (script/run.ml's assert_result) */
export function matchResult(v: Value, t: CValType, e: Expected): boolean {
  switch (e.kind) {
    case 'either':
      return e.options.some((o) => matchResult(v, t, o));
    case 'const': {
      const c = e.value;
      if (t !== c.type) return false;
      switch (c.type) {
        case 'i32': return typeof v === 'number' && (v | 0) === (c.value | 0);
        case 'i64': return typeof v === 'bigint' && BigInt.asIntN(64, v) === BigInt.asIntN(64, c.value);
        case 'f32': return typeof v === 'number' && matchF32(v, { kind: 'value', bits: c.value });
        case 'f64': return typeof v === 'number' && matchF64(f64ToBits(v), { kind: 'value', bits: c.value });
        case 'v128': return v instanceof Uint8Array && v.length === 16 && v.every((b, i) => b === c.value[i]);
        default: return false; // reference constants are not parsed as `const` results
      }
    }
    case 'f32':
      return t === 'f32' && typeof v === 'number' && matchF32(v, e.pattern);
    case 'f64':
      return t === 'f64' && typeof v === 'number' && matchF64(f64ToBits(v), e.pattern);
    case 'v128f32': {
      if (t !== 'v128' || !(v instanceof Uint8Array)) return false;
      const dv = new DataView(v.buffer, v.byteOffset, 16);
      return e.lanes.every((p, i) => matchF32(dv.getUint32(i * 4, true), p));
    }
    case 'v128f64': {
      if (t !== 'v128' || !(v instanceof Uint8Array)) return false;
      const dv = new DataView(v.buffer, v.byteOffset, 16);
      return e.lanes.every((p, i) => matchF64(dv.getBigUint64(i * 8, true), p));
    }
    case 'ref': {
      if (typeof t !== 'object') return false;
      switch (e.ref) {
        case 'ref.null': return v === null; // a null of any type, as eq_ref does
        case 'ref':
        case 'ref.any': return !isFunc(v);
        case 'ref.eq': return isI31(v) || v instanceof WasmStruct || v instanceof WasmArray;
        case 'ref.i31': return isI31(v);
        case 'ref.struct': return v instanceof WasmStruct;
        case 'ref.array': return v instanceof WasmArray;
        case 'ref.func': return isFunc(v);
        case 'ref.exn': return v instanceof WasmExn;
        case 'ref.cont': return isCont(v);
        case 'ref.extern': return e.value === undefined || hostNumber(v) === e.value;
        case 'ref.host': return v instanceof HostRef && v.value === e.value;
      }
    }
  }
}

// ---- printing --------------------------------------------------------------------------------

const hex32 = (n: number): string => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;

/** A value as a WAST constant, e.g. `(i32.const 7)`, `(f32.const nan:0x200000)`, `(ref.struct)`. */
export function formatValue(v: Value, t: CValType): string {
  switch (t) {
    case 'i32': return `(i32.const ${formatI32(v as number)})`;
    case 'i64': return `(i64.const ${formatI64(v as bigint)})`;
    case 'f32': return `(f32.const ${formatF32(v as number)})`;
    case 'f64': return `(f64.const ${formatF64(f64ToBits(v as number))})`;
    case 'v128': {
      const dv = new DataView((v as Uint8Array).buffer, (v as Uint8Array).byteOffset, 16);
      return `(v128.const i32x4 ${[0, 1, 2, 3].map((i) => hex32(dv.getUint32(i * 4, true))).join(' ')})`;
    }
    default:
      return formatRef(v);
  }
}

function formatRef(v: Value): string {
  if (v === null) return '(ref.null)';
  if (typeof v === 'number') return `(ref.i31 ${v})`;
  if (v instanceof HostRef) return typeof v.value === 'number' ? `(ref.extern ${v.value})` : '(ref.extern)';
  if (v instanceof ExternAny) return `(ref.extern ${formatRef(v.ref)})`;
  if (v instanceof WasmStruct) return '(ref.struct)';
  if (v instanceof WasmArray) return '(ref.array)';
  if (v instanceof WasmExn) return '(ref.exn)';
  if (isFunc(v)) return '(ref.func)';
  if (isCont(v)) return '(ref.cont)';
  return '(ref)';
}

function formatFloatPattern<T>(p: FloatPattern<T>, fmt: (bits: T) => string): string {
  return p.kind === 'value' ? fmt(p.bits) : p.kind;
}

/** An expected result, as written in the script. */
function formatExpected(e: Expected): string {
  switch (e.kind) {
    case 'const': {
      const c = e.value;
      switch (c.type) {
        case 'i32': return `(i32.const ${formatI32(c.value)})`;
        case 'i64': return `(i64.const ${formatI64(c.value)})`;
        case 'f32': return `(f32.const ${formatF32(c.value)})`;
        case 'f64': return `(f64.const ${formatF64(c.value)})`;
        case 'v128': {
          const dv = new DataView(c.value.buffer, c.value.byteOffset, 16);
          return `(v128.const i32x4 ${[0, 1, 2, 3].map((i) => hex32(dv.getUint32(i * 4, true))).join(' ')})`;
        }
        case 'ref.null': return '(ref.null)';
        case 'ref.extern': return `(ref.extern ${c.value})`;
        case 'ref.host': return `(ref.host ${c.value})`;
      }
    }
    case 'f32': return `(f32.const ${formatFloatPattern(e.pattern, formatF32)})`;
    case 'f64': return `(f64.const ${formatFloatPattern(e.pattern, formatF64)})`;
    case 'v128f32': return `(v128.const f32x4 ${e.lanes.map((p) => formatFloatPattern(p, formatF32)).join(' ')})`;
    case 'v128f64': return `(v128.const f64x2 ${e.lanes.map((p) => formatFloatPattern(p, formatF64)).join(' ')})`;
    case 'ref': return e.value === undefined ? `(${e.ref})` : `(${e.ref} ${e.value})`;
    case 'either': return `(either ${e.options.map(formatExpected).join(' ')})`;
  }
}

// ---- command-line values (`wasmfx run`) ---------------------------------------------------------

/** Parses a program argument for a parameter of type `t`; null when it does not fit. */
export function parseArg(text: string, t: CValType): Value | null {
  const s = text.trim();
  const int = (bits: number): bigint | null => {
    if (!/^[+-]?(0x[0-9a-f]+(_?[0-9a-f]+)*|[0-9]+(_?[0-9]+)*)$/i.test(s)) return null;
    const neg = s.startsWith('-');
    const body = s.replace(/^[+-]/, '').replaceAll('_', '');
    const n = neg ? -BigInt(body) : BigInt(body);
    // signed or unsigned range: -2^(bits-1) .. 2^bits - 1
    if (n < -(1n << BigInt(bits - 1)) || n >= 1n << BigInt(bits)) return null;
    return BigInt.asIntN(bits, n);
  };
  switch (t) {
    case 'i32': {
      const n = int(32);
      return n === null ? null : Number(n);
    }
    case 'i64':
      return int(64);
    case 'f32': {
      const bits = parseF32(floatWord(s));
      return bits === null ? null : bits >>> 0;
    }
    case 'f64': {
      const bits = parseF64(floatWord(s));
      return bits === null ? null : f64FromBits(bits);
    }
    default:
      return null;
  }
}

/** Accepts `infinity`/`Infinity`/`NaN` spellings besides the WAT ones (`inf`, `nan`, `nan:0x..`). */
function floatWord(s: string): string {
  return s.replace(/^([+-]?)(infinity|inf)$/i, '$1inf').replace(/^([+-]?)nan$/i, '$1nan');
}

/** Can `parseArg` express values of this type? */
export const argTypeSupported = (t: CValType): boolean => t === 'i32' || t === 'i64' || t === 'f32' || t === 'f64';

/** A result printed for a person: `42`, `-1.5`, `nan`, `inf`, `ref.func`... */
export function displayValue(v: Value, t: CValType): string {
  switch (t) {
    case 'i32': return formatI32(v as number);
    case 'i64': return formatI64(v as bigint);
    case 'f32': return formatF32(v as number);
    case 'f64': return formatF64(f64ToBits(v as number));
    case 'v128': return formatValue(v, t).slice(1, -1).replace(/^v128\.const /, '');
    default: return formatRef(v).slice(1, -1);
  }
}

export const typeName = (t: CValType): string => valTypeToString(t);

/** What is wrong with results against expected patterns (null: they match), as WAST engines report it. */
export function resultsMismatch(values: readonly Value[], types: readonly CValType[], expected: readonly Expected[]): string | null {
  const ok = values.length === expected.length && expected.every((e, i) => matchResult(values[i]!, types[i]!, e));
  if (ok) return null;
  const g = values.map((v, i) => formatValue(v, types[i]!)).join(' ');
  const x = expected.map(formatExpected).join(' ');
  return `wrong return values: got ${g || '()'}, expected ${x || '()'}`;
}

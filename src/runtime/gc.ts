// Default values, packed storage, GC allocation and the run-time type test of references.

import { Exhaustion } from '../util/errors.ts';
import {
  type CHeapType, type CRefType, type CStorageType, type CValType, type DefType, isSubDef,
} from '../valid/types.ts';
import { runtimeLimits } from './limits.ts';
import { ExternAny, HostRef, WasmArray, WasmExn, WasmStruct, fillValues, nulls, type Value } from './value.ts';

/** The zero v128 (values are immutable, so it can be shared). */
export const V128_ZERO: Uint8Array = new Uint8Array(16);

/** The default value of a (defaultable) type: 0 of numeric types, the zero vector, null. */
export function defaultValue(t: CStorageType): Value {
  switch (t) {
    case 'i32': case 'f32': case 'f64': case 'i8': case 'i16': return 0;
    case 'i64': return 0n;
    case 'v128': return V128_ZERO;
    default: return null;
  }
}

/** Stores an i32 into a field of type `t`: packed types keep their low bits, unsigned. */
export function pack(t: CStorageType, v: Value): Value {
  if (t === 'i8') return (v as number) & 0xff;
  if (t === 'i16') return (v as number) & 0xffff;
  return v;
}

/** Reads a field of type `t` as an operand: packed types extend to i32 (signed or not). */
export function unpack(t: CStorageType, v: Value, signed: boolean): Value {
  if (t === 'i8') return signed ? ((v as number) << 24) >> 24 : v;
  if (t === 'i16') return signed ? ((v as number) << 16) >> 16 : v;
  return v;
}

function structFields(dt: DefType) {
  if (dt.comp.kind !== 'struct') throw new Error(`not a struct type: ${dt}`);
  return dt.comp.fields;
}

function arrayField(dt: DefType) {
  if (dt.comp.kind !== 'array') throw new Error(`not an array type: ${dt}`);
  return dt.comp.field;
}

/** `struct.new`: `vals` are the operands (i32 for packed fields), in field order. */
export function newStruct(dt: DefType, vals: readonly Value[]): WasmStruct {
  const fs = structFields(dt);
  const fields = nulls(fs.length);
  for (let i = 0; i < fs.length; i++) fields[i] = pack(fs[i]!.type, vals[i]!);
  return new WasmStruct(dt, fields);
}

/** `struct.new_default`. */
export function newStructDefault(dt: DefType): WasmStruct {
  const fs = structFields(dt);
  const fields = nulls(fs.length);
  for (let i = 0; i < fs.length; i++) fields[i] = defaultValue(fs[i]!.type);
  return new WasmStruct(dt, fields);
}

function allocElems(n: number): Value[] {
  if (!(n >= 0 && n <= runtimeLimits.arrayElems)) throw new Exhaustion('out of memory');
  return nulls(n);
}

/** `array.new`: n copies of `v` (an operand: i32 for packed elements). Throws `Exhaustion` past the limit. */
export function newArray(dt: DefType, n: number, v: Value): WasmArray {
  const elems = allocElems(n);
  const pv = pack(arrayField(dt).type, v);
  if (pv !== null) fillValues(elems, pv);
  return new WasmArray(dt, elems);
}

/** `array.new_default`. */
export function newArrayDefault(dt: DefType, n: number): WasmArray {
  const elems = allocElems(n);
  const d = defaultValue(arrayField(dt).type);
  if (d !== null) fillValues(elems, d);
  return new WasmArray(dt, elems);
}

/** `array.new_fixed`: the operands in order. */
export function newArrayFixed(dt: DefType, vals: readonly Value[]): WasmArray {
  const t = arrayField(dt).type;
  const elems = allocElems(vals.length);
  for (let i = 0; i < vals.length; i++) elems[i] = pack(t, vals[i]!);
  return new WasmArray(dt, elems);
}

/** `any.convert_extern`: unwraps `extern.convert_any`; a host reference stays itself. */
export function internalize(v: Value): Value {
  return v instanceof ExternAny ? v.ref : v;
}

/** `extern.convert_any`: wraps an internal reference; a host reference stays itself. */
export function externalize(v: Value): Value {
  if (v === null || v instanceof HostRef) return v;
  return new ExternAny(v as Exclude<Value, null | bigint | Uint8Array>);
}

/** Whether a non-null reference value belongs to heap type `h` (the dynamic test of `ref.test`/`ref.cast`). */
export function heapMatches(v: Exclude<Value, null>, h: CHeapType): boolean {
  if (typeof v === 'number') return h === 'i31' || h === 'eq' || h === 'any';
  if (v instanceof WasmStruct || v instanceof WasmArray) {
    if (typeof h === 'object') return isSubDef(v.type, h);
    return h === 'eq' || h === 'any' || h === (v instanceof WasmStruct ? 'struct' : 'array');
  }
  if (v instanceof HostRef) return h === 'any' || h === 'extern';
  if (v instanceof ExternAny) return h === 'extern';
  if (v instanceof WasmExn) return h === 'exn';
  if (typeof v === 'bigint' || v instanceof Uint8Array) return false;
  // FuncInst or ContRef
  if (typeof h === 'object') return isSubDef(v.type, h);
  return v.kind === 'cont' ? h === 'cont' : h === 'func';
}

/** Whether a reference value has reference type `t`. */
export function refMatches(v: Value, t: CRefType): boolean {
  return v === null ? t.nullable : heapMatches(v, t.heap);
}

/** Whether a value has value type `t` (numeric types are trusted from the representation). */
export function valueMatches(v: Value, t: CValType): boolean {
  switch (t) {
    case 'i32': case 'f32': case 'f64': return typeof v === 'number';
    case 'i64': return typeof v === 'bigint';
    case 'v128': return v instanceof Uint8Array;
    case 'bot': return false;
    default: return refMatches(v, t);
  }
}

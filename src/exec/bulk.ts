// The machine's cold paths over memories, tables, data/element segments and GC
// arrays: bulk operations, accesses through the generic memory instruction
// (memory64, other memories, v128), and aggregate allocation from segments.
// All bounds checks and trap messages follow the reference interpreter.

import { V128_ZERO, newArrayFixed, pack } from '../runtime/gc.ts';
import type { Instance, MemoryInst, TableInst, Value, WasmArray } from '../runtime/value.ts';
import { WasmArray as WasmArrayClass, fillValues, nulls } from '../runtime/value.ts';
import { Trap } from '../util/errors.ts';
import type { CStorageType } from '../valid/types.ts';
import type { AggrDesc, MemAccess } from './code.ts';
import { f64ToI64 } from '../util/float-bits.ts';

export const OOB_MEMORY = 'out of bounds memory access';
export const OOB_TABLE = 'out of bounds table access';
export const OOB_ARRAY = 'out of bounds array access';
export const NULL_ARRAY = 'null array reference';

const EMPTY_BYTES = new Uint8Array(0);
const EMPTY_ELEMS: readonly Value[] = [];

/** An address operand: i32 (unsigned) in the i32 array, or i64 (unsigned) in the reference array. */
export function addrAt(i32: readonly number[], ref: Value[], slot: number, is64: boolean): number {
  return is64 ? Number(BigInt.asUintN(64, ref[slot] as bigint)) : i32[slot]! >>> 0;
}

/** Writes an address-typed result (a size, or -1). */
export function putAddr(i32: number[], ref: Value[], slot: number, is64: boolean, v: number): void {
  if (is64) ref[slot] = BigInt(v);
  else i32[slot] = v;
}

// ---- generic memory accesses ------------------------------------------------------------------

function effective(mem: MemoryInst, a: number, acc: MemAccess, size: number): number {
  const ea = a + acc.offset;
  if (ea + size > mem.buffer.byteLength) throw new Trap(OOB_MEMORY);
  return ea;
}

const SIZE: Readonly<Record<string, number>> = {
  'i32.load': 4, 'i64.load': 8, 'f32.load': 4, 'f64.load': 8, 'i32.load8_s': 1, 'i32.load8_u': 1,
  'i32.load16_s': 2, 'i32.load16_u': 2, 'i64.load8_s': 1, 'i64.load8_u': 1, 'i64.load16_s': 2, 'i64.load16_u': 2,
  'i64.load32_s': 4, 'i64.load32_u': 4, 'i32.store': 4, 'i64.store': 8, 'f32.store': 4, 'f64.store': 8,
  'i32.store8': 1, 'i32.store16': 2, 'i64.store8': 1, 'i64.store16': 2, 'i64.store32': 4,
  'v128.load': 16, 'v128.store': 16, 'v128.load8x8_s': 8, 'v128.load8x8_u': 8, 'v128.load16x4_s': 8,
  'v128.load16x4_u': 8, 'v128.load32x2_s': 8, 'v128.load32x2_u': 8, 'v128.load8_splat': 1,
  'v128.load16_splat': 2, 'v128.load32_splat': 4, 'v128.load64_splat': 8, 'v128.load32_zero': 4,
  'v128.load64_zero': 8, 'v128.load8_lane': 1, 'v128.load16_lane': 2, 'v128.load32_lane': 4,
  'v128.load64_lane': 8, 'v128.store8_lane': 1, 'v128.store16_lane': 2, 'v128.store32_lane': 4,
  'v128.store64_lane': 8,
};

/** A load through the generic path; `into` receives numbers, the result is returned otherwise. */
export function memLoad(inst: Instance, acc: MemAccess, a: number): Value {
  const mem = inst.memories[acc.mem]!;
  const ea = effective(mem, a, acc, SIZE[acc.op]!);
  const v = mem.view;
  switch (acc.op) {
    case 'i32.load': return v.getInt32(ea, true);
    case 'i64.load': return v.getBigInt64(ea, true);
    case 'f32.load': return v.getUint32(ea, true);
    case 'f64.load': return v.getFloat64(ea, true);
    case 'i32.load8_s': return v.getInt8(ea);
    case 'i32.load8_u': return v.getUint8(ea);
    case 'i32.load16_s': return v.getInt16(ea, true);
    case 'i32.load16_u': return v.getUint16(ea, true);
    case 'i64.load8_s': return BigInt(v.getInt8(ea));
    case 'i64.load8_u': return BigInt(v.getUint8(ea));
    case 'i64.load16_s': return BigInt(v.getInt16(ea, true));
    case 'i64.load16_u': return BigInt(v.getUint16(ea, true));
    case 'i64.load32_s': return BigInt(v.getInt32(ea, true));
    case 'i64.load32_u': return BigInt(v.getUint32(ea, true));
    case 'v128.load': return mem.bytes.slice(ea, ea + 16);
    case 'v128.load8x8_s': case 'v128.load8x8_u': case 'v128.load16x4_s': case 'v128.load16x4_u':
    case 'v128.load32x2_s': case 'v128.load32x2_u': {
      const w = acc.op.startsWith('v128.load8x8') ? 1 : acc.op.startsWith('v128.load16x4') ? 2 : 4;
      const signed = acc.op.endsWith('_s');
      const out = new Uint8Array(16);
      const o = new DataView(out.buffer);
      for (let i = 0; i < 8 / w; i++) {
        const p = ea + i * w;
        if (w === 1) o.setInt16(i * 2, signed ? v.getInt8(p) : v.getUint8(p), true);
        else if (w === 2) o.setInt32(i * 4, signed ? v.getInt16(p, true) : v.getUint16(p, true), true);
        else o.setBigInt64(i * 8, signed ? BigInt(v.getInt32(p, true)) : BigInt(v.getUint32(p, true)), true);
      }
      return out;
    }
    case 'v128.load8_splat': case 'v128.load16_splat': case 'v128.load32_splat': case 'v128.load64_splat': {
      const w = SIZE[acc.op]!;
      const out = new Uint8Array(16);
      const src = mem.bytes.subarray(ea, ea + w);
      for (let i = 0; i < 16; i += w) out.set(src, i);
      return out;
    }
    case 'v128.load32_zero': case 'v128.load64_zero': {
      const out = new Uint8Array(16);
      out.set(mem.bytes.subarray(ea, ea + SIZE[acc.op]!), 0);
      return out;
    }
  }
  throw new Error(`memLoad: ${acc.op}`);
}

/** `v128.loadN_lane`. */
export function memLoadLane(inst: Instance, acc: MemAccess, a: number, vec: Uint8Array): Uint8Array {
  const mem = inst.memories[acc.mem]!;
  const w = SIZE[acc.op]!;
  const ea = effective(mem, a, acc, w);
  const out = vec.slice();
  out.set(mem.bytes.subarray(ea, ea + w), acc.lane * w);
  return out;
}

/** A store through the generic path. */
export function memStore(inst: Instance, acc: MemAccess, a: number, x: Value): void {
  const mem = inst.memories[acc.mem]!;
  const ea = effective(mem, a, acc, SIZE[acc.op]!);
  const v = mem.view;
  switch (acc.op) {
    case 'i32.store': v.setInt32(ea, x as number, true); return;
    case 'i64.store': v.setBigInt64(ea, x as bigint, true); return;
    case 'f32.store': v.setUint32(ea, x as number, true); return;
    case 'f64.store':
      // setFloat64 quiets a signalling NaN once V8 optimises this function: store NaNs as bits
      if (x === x) v.setFloat64(ea, x as number, true);
      else v.setBigInt64(ea, f64ToI64(x as number), true);
      return;
    case 'i32.store8': v.setInt8(ea, x as number); return;
    case 'i32.store16': v.setInt16(ea, x as number, true); return;
    case 'i64.store8': v.setUint8(ea, Number((x as bigint) & 0xffn)); return;
    case 'i64.store16': v.setUint16(ea, Number((x as bigint) & 0xffffn), true); return;
    case 'i64.store32': v.setUint32(ea, Number((x as bigint) & 0xffffffffn), true); return;
    case 'v128.store': mem.bytes.set(x as Uint8Array, ea); return;
    case 'v128.store8_lane': case 'v128.store16_lane': case 'v128.store32_lane': case 'v128.store64_lane': {
      const w = SIZE[acc.op]!;
      mem.bytes.set((x as Uint8Array).subarray(acc.lane * w, acc.lane * w + w), ea);
      return;
    }
  }
  throw new Error(`memStore: ${acc.op}`);
}

// ---- bulk memory ----------------------------------------------------------------------------------

export function memoryFill(mem: MemoryInst, d: number, val: number, n: number): void {
  if (d + n > mem.buffer.byteLength) throw new Trap(OOB_MEMORY);
  if (n > 0) mem.bytes.fill(val & 0xff, d, d + n);
}

export function memoryCopy(dst: MemoryInst, src: MemoryInst, d: number, s: number, n: number): void {
  if (d + n > dst.buffer.byteLength || s + n > src.buffer.byteLength) throw new Trap(OOB_MEMORY);
  if (n === 0) return;
  if (dst === src) dst.bytes.copyWithin(d, s, s + n);
  else dst.bytes.set(src.bytes.subarray(s, s + n), d);
}

export function memoryInit(inst: Instance, mem: MemoryInst, x: number, d: number, s: number, n: number): void {
  const seg = inst.datas[x] ?? EMPTY_BYTES;
  if (d + n > mem.buffer.byteLength || s + n > seg.length) throw new Trap(OOB_MEMORY);
  if (n > 0) mem.bytes.set(seg.subarray(s, s + n), d);
}

// ---- tables -----------------------------------------------------------------------------------------

export function tableFill(tab: TableInst, i: number, v: Value, n: number): void {
  if (i + n > tab.elems.length) throw new Trap(OOB_TABLE);
  if (n > 0) tab.elems.fill(v, i, i + n);
}

export function tableCopy(dst: TableInst, src: TableInst, d: number, s: number, n: number): void {
  if (d + n > dst.elems.length || s + n > src.elems.length) throw new Trap(OOB_TABLE);
  if (n === 0) return;
  if (dst === src) dst.elems.copyWithin(d, s, s + n);
  else for (let k = 0; k < n; k++) dst.elems[d + k] = src.elems[s + k]!;
}

export function tableInit(inst: Instance, tab: TableInst, x: number, d: number, s: number, n: number): void {
  const seg = inst.elems[x] ?? EMPTY_ELEMS;
  if (d + n > tab.elems.length || s + n > seg.length) throw new Trap(OOB_TABLE);
  for (let k = 0; k < n; k++) tab.elems[d + k] = seg[s + k]!;
}

// ---- arrays ---------------------------------------------------------------------------------------------

const STORAGE_SIZE: Readonly<Record<string, number>> = { i8: 1, i16: 2, i32: 4, f32: 4, i64: 8, f64: 8, v128: 16 };

function storageSize(t: CStorageType): number {
  return STORAGE_SIZE[t as string] ?? 0;
}

/** Reads n elements of storage type t from a data segment at byte offset s (bounds checked by the caller). */
function readData(seg: Uint8Array, t: CStorageType, s: number, n: number): Value[] {
  const out = nulls(n);
  const v = new DataView(seg.buffer, seg.byteOffset, seg.byteLength);
  const w = storageSize(t);
  for (let k = 0; k < n; k++) {
    const p = s + k * w;
    switch (t) {
      case 'i8': out[k] = v.getUint8(p); break;
      case 'i16': out[k] = v.getUint16(p, true); break;
      case 'i32': out[k] = v.getInt32(p, true); break;
      case 'f32': out[k] = v.getUint32(p, true); break;
      case 'i64': out[k] = v.getBigInt64(p, true); break;
      case 'f64': out[k] = v.getFloat64(p, true); break;
      case 'v128': out[k] = seg.slice(p, p + 16); break;
      default: throw new Error(`readData: ${String(t)}`);
    }
  }
  return out;
}

export function arrayNewData(inst: Instance, d: AggrDesc, x: number, s: number, n: number): WasmArray {
  const seg = inst.datas[x] ?? EMPTY_BYTES;
  const t = d.types[0]!;
  if (s + n * storageSize(t) > seg.length) throw new Trap(OOB_MEMORY);
  return new WasmArrayClass(d.dt, readData(seg, t, s, n));
}

export function arrayNewElem(inst: Instance, d: AggrDesc, x: number, s: number, n: number): WasmArray {
  const seg = inst.elems[x] ?? EMPTY_ELEMS;
  if (s + n > seg.length) throw new Trap(OOB_TABLE);
  return newArrayFixed(d.dt, seg.slice(s, s + n));
}

export function arrayFill(a: WasmArray | null, d: AggrDesc, i: number, v: Value, n: number): void {
  if (a === null) throw new Trap(NULL_ARRAY);
  if (i + n > a.elems.length) throw new Trap(OOB_ARRAY);
  if (n > 0) fillValues(a.elems, pack(d.types[0]!, v), i, i + n);
}

export function arrayCopy(da: WasmArray | null, di: number, sa: WasmArray | null, si: number, n: number): void {
  if (da === null || sa === null) throw new Trap(NULL_ARRAY);
  if (di + n > da.elems.length || si + n > sa.elems.length) throw new Trap(OOB_ARRAY);
  if (n === 0) return;
  if (da === sa) da.elems.copyWithin(di, si, si + n);
  else for (let k = 0; k < n; k++) da.elems[di + k] = sa.elems[si + k]!;
}

export function arrayInitData(inst: Instance, a: WasmArray | null, d: AggrDesc, x: number, di: number, s: number, n: number): void {
  if (a === null) throw new Trap(NULL_ARRAY);
  if (di + n > a.elems.length) throw new Trap(OOB_ARRAY);
  const seg = inst.datas[x] ?? EMPTY_BYTES;
  const t = d.types[0]!;
  if (s + n * storageSize(t) > seg.length) throw new Trap(OOB_MEMORY);
  const vals = readData(seg, t, s, n);
  for (let k = 0; k < n; k++) a.elems[di + k] = vals[k]!;
}

export function arrayInitElem(inst: Instance, a: WasmArray | null, x: number, di: number, s: number, n: number): void {
  if (a === null) throw new Trap(NULL_ARRAY);
  if (di + n > a.elems.length) throw new Trap(OOB_ARRAY);
  const seg = inst.elems[x] ?? EMPTY_ELEMS;
  if (s + n > seg.length) throw new Trap(OOB_TABLE);
  for (let k = 0; k < n; k++) a.elems[di + k] = seg[s + k]!;
}

export { V128_ZERO };

// Runtime values and the runtime entities' shapes (see docs/interpreter.md).
//
// Outside the interpreter's value stack a value is a plain JS value whose
// type is known from context:
//   i32 -> number (signed int32)        i64 -> bigint (signed)
//   f32 -> number: the IEEE *bits* (uint32), so signalling NaNs survive
//   f64 -> number (the double; keep it out of double-only JS arrays)
//   v128 -> Uint8Array(16), immutable    references -> null | Ref objects below
// i31 references are plain numbers (the signed 31-bit value).

import type { DefType } from '../valid/types.ts';
import type { CGlobalType, CTableType } from '../valid/types.ts';
import type { MemoryType } from '../syntax/types.ts';
import type { Module } from '../syntax/ast.ts';
import type { ValidModule } from '../valid/validator.ts';

export type Value = number | bigint | Uint8Array | Ref | null;

export type Ref = FuncInst | WasmStruct | WasmArray | WasmExn | ContRef | HostRef | ExternAny | number;

/** A host (JavaScript) value passed in as an externref, e.g. `(ref.extern 1)` in WAST. */
export class HostRef {
  readonly value: unknown;
  constructor(value: unknown) {
    this.value = value;
  }
}

/** `extern.convert_any` of a non-null internal reference; `any.convert_extern` unwraps it. */
export class ExternAny {
  readonly ref: Ref;
  constructor(ref: Ref) {
    this.ref = ref;
  }
}

export class WasmStruct {
  readonly type: DefType;
  /** one value per field; packed fields hold their unsigned value (i8: 0..255, i16: 0..65535) */
  readonly fields: Value[];
  constructor(type: DefType, fields: Value[]) {
    this.type = type;
    this.fields = fields;
  }
}

export class WasmArray {
  readonly type: DefType;
  /** packed elements hold their unsigned value */
  readonly elems: Value[];
  constructor(type: DefType, elems: Value[]) {
    this.type = type;
    this.elems = elems;
  }
}

export interface TagInst {
  /** the tag's function type: params are the payload, results what `suspend` returns */
  readonly type: DefType;
  /** a name for diagnostics */
  readonly name?: string;
}

export class WasmExn {
  readonly tag: TagInst;
  readonly payload: Value[];
  constructor(tag: TagInst, payload: Value[]) {
    this.tag = tag;
    this.payload = payload;
  }
}

/** A continuation reference. The machine (src/exec/) defines what is inside; `consumed` makes it one-shot. */
export interface ContRef {
  readonly kind: 'cont';
  /** the continuation type */
  readonly type: DefType;
  consumed: boolean;
}

export interface WasmFunc {
  readonly kind: 'wasm';
  readonly type: DefType;
  readonly instance: Instance;
  /** index in the module's function space (imports first) */
  readonly index: number;
  /** the machine's translated code, made on first call */
  compiled: unknown;
}

/** A host function: takes and returns values in the representation above. */
export interface HostFunc {
  readonly kind: 'host';
  readonly type: DefType;
  readonly name?: string;
  readonly fn: (args: Value[]) => Value[];
}

export type FuncInst = WasmFunc | HostFunc;

export interface MemoryInst {
  readonly type: MemoryType;
  /**
   * The memory's bytes: a fixed-length ArrayBuffer, replaced (with `view` and `bytes`) by
   * every grow: read these again after anything that may grow it.
   */
  readonly buffer: ArrayBuffer;
  readonly view: DataView;
  readonly bytes: Uint8Array;
  /** current size in pages */
  readonly pages: number;
  /** grows by delta pages; returns the old size in pages, or -1 on failure */
  grow(delta: number): number;
}

export interface TableInst {
  readonly type: CTableType;
  readonly elems: Value[];
  /** grows by delta entries filled with init; returns the old size, or -1 on failure */
  grow(delta: number, init: Value): number;
}

export interface GlobalInst {
  readonly type: CGlobalType;
  value: Value;
}

export type ExternVal =
  | { readonly kind: 'func'; readonly value: FuncInst }
  | { readonly kind: 'table'; readonly value: TableInst }
  | { readonly kind: 'memory'; readonly value: MemoryInst }
  | { readonly kind: 'global'; readonly value: GlobalInst }
  | { readonly kind: 'tag'; readonly value: TagInst };

export interface Instance {
  readonly module: Module;
  readonly valid: ValidModule;
  /** canonical type of each type index */
  readonly types: readonly DefType[];
  readonly funcs: FuncInst[];
  readonly tables: TableInst[];
  readonly memories: MemoryInst[];
  readonly globals: GlobalInst[];
  readonly tags: TagInst[];
  /** element segments (null once dropped) */
  readonly elems: (Value[] | null)[];
  /** data segments (null once dropped) */
  readonly datas: (Uint8Array | null)[];
  readonly exports: ReadonlyMap<string, ExternVal>;
}

export const PAGE_SIZE = 65536;

/**
 * An array of n nulls, packed: `new Array(n).fill(null)` makes a holey array that V8 then
 * migrates, which costs more than the call it serves on small arrays.
 */
export function nulls(n: number): Value[] {
  const a: Value[] = [];
  for (let i = 0; i < n; i++) a.push(null);
  return a;
}

/**
 * Stores v in a[from, to). A loop, not `Array.prototype.fill`: filling a JS array with a
 * number turns it into V8's double-only kind, which rewrites every NaN stored in it (an f64
 * array would lose its NaN payloads).
 */
export function fillValues(a: Value[], v: Value, from = 0, to = a.length): void {
  for (let i = from; i < to; i++) a[i] = v;
}

// Types of Wasm 3.0 plus stack switching, as they appear in a module.
//
// Naming conventions (after the reference interpreter's ast.ml):
//   t  : ValType        ht : HeapType       rt : RefType
//   ft : FuncType       ct : CompType       st : SubType
//   x  : index (a plain number; the module has resolved every name)
//
// Type indices inside a module are plain numbers. Canonicalisation of
// recursive groups (iso-recursive equivalence) is the validator's business
// (src/valid/), which builds its own interned form; the module keeps types
// exactly as written so that printing and encoding reproduce the input.

export type NumType = 'i32' | 'i64' | 'f32' | 'f64';
export type VecType = 'v128';

/** Abstract heap types; `cont`/`nocont` come from the stack-switching proposal. */
export type AbsHeapType =
  | 'any' | 'eq' | 'i31' | 'struct' | 'array' | 'none'
  | 'func' | 'nofunc'
  | 'exn' | 'noexn'
  | 'extern' | 'noextern'
  | 'cont' | 'nocont';

/** An abstract heap type or a type index. */
export type HeapType = AbsHeapType | number;

export interface RefType {
  readonly nullable: boolean;
  readonly heap: HeapType;
}

export type ValType = NumType | VecType | RefType;

export type PackedType = 'i8' | 'i16';
export type StorageType = ValType | PackedType;

export interface FieldType {
  readonly mutable: boolean;
  readonly type: StorageType;
}

export interface FuncType {
  readonly kind: 'func';
  readonly params: readonly ValType[];
  readonly results: readonly ValType[];
}

export interface StructType {
  readonly kind: 'struct';
  readonly fields: readonly FieldType[];
}

export interface ArrayType {
  readonly kind: 'array';
  readonly field: FieldType;
}

/** `(cont $ft)`: a continuation over the function type at index `type`. */
export interface ContType {
  readonly kind: 'cont';
  readonly type: number;
}

export type CompType = FuncType | StructType | ArrayType | ContType;

export interface SubType {
  readonly final: boolean;
  readonly supers: readonly number[];
  readonly comp: CompType;
}

/** A recursive group. A plain type definition is a group of one. */
export interface RecType {
  readonly types: readonly SubType[];
  /** Written with an explicit `(rec ...)` (text) or 0x4e (binary), even when of size one. */
  readonly explicit?: boolean;
  /** Where it is written (a source offset, or a byte offset in a binary), for messages. */
  readonly at?: number;
}

export type AddrType = 'i32' | 'i64';

export interface Limits {
  readonly min: bigint;
  readonly max: bigint | null;
}

export interface TableType {
  readonly addr: AddrType;
  readonly limits: Limits;
  readonly elem: RefType;
}

export interface MemoryType {
  readonly addr: AddrType;
  readonly limits: Limits;
  /** The threads proposal's flag; the encoding admits it, Wasm 3.0 does not use it. */
  readonly shared?: boolean;
}

export interface GlobalType {
  readonly mutable: boolean;
  readonly type: ValType;
}

/** A tag's type is a function type index; its results are non-empty only for stack-switching tags. */
export interface TagType {
  readonly type: number;
}

export type ExternKind = 'func' | 'table' | 'memory' | 'global' | 'tag';

// ---- constructors and helpers -------------------------------------------------

export const ref = (nullable: boolean, heap: HeapType): RefType => ({ nullable, heap });

export const FUNCREF: RefType = ref(true, 'func');
export const EXTERNREF: RefType = ref(true, 'extern');

export const valTypeEq = (a: ValType, b: ValType): boolean =>
  a === b || (typeof a === 'object' && typeof b === 'object' && a.nullable === b.nullable && a.heap === b.heap);

/** Abbreviated names of nullable abstract reference types (`funcref` etc.). */
export const REF_ABBREV: Readonly<Record<AbsHeapType, string>> = {
  any: 'anyref', eq: 'eqref', i31: 'i31ref', struct: 'structref', array: 'arrayref', none: 'nullref',
  func: 'funcref', nofunc: 'nullfuncref', exn: 'exnref', noexn: 'nullexnref',
  extern: 'externref', noextern: 'nullexternref', cont: 'contref', nocont: 'nullcontref',
};

export const ABS_HEAP_TYPES = Object.keys(REF_ABBREV) as AbsHeapType[];

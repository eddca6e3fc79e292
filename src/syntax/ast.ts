// The module: what the text parser and binary decoder produce, what the
// validator checks, what the encoder and printer write, and what the
// interpreter and lowering passes consume. Everything is resolved: indices
// are plain numbers, identifiers survive only in `names`.
//
// Index spaces follow the spec: imports come first in each space (function
// index 0 is the first imported function, if any), then definitions.

import type { Instr } from './opcodes.ts';
import type {
  ExternKind, GlobalType, MemoryType, RecType, RefType, TableType, ValType,
} from './types.ts';

/** A constant expression or function body: a flat instruction sequence ending with `end`. */
export type Expr = Instr[];

export type ImportDesc =
  | { readonly kind: 'func'; readonly type: number }
  | { readonly kind: 'table'; readonly type: TableType }
  | { readonly kind: 'memory'; readonly type: MemoryType }
  | { readonly kind: 'global'; readonly type: GlobalType }
  | { readonly kind: 'tag'; readonly type: number };

export interface Import {
  readonly module: string;
  readonly name: string;
  readonly desc: ImportDesc;
  readonly at: number;
}

export interface Func {
  /** type index of the function's (func ...) type */
  readonly type: number;
  readonly locals: readonly ValType[];
  readonly body: Expr;
  /** offset of the function: text char offset or binary byte offset of its body */
  readonly at: number;
}

export interface Table {
  readonly type: TableType;
  /** the initialiser of `(table t (ref ...) expr)`; null means ref.null of the element type */
  readonly init: Expr | null;
  readonly at: number;
}

export interface Memory {
  readonly type: MemoryType;
  readonly at: number;
}

export interface Global {
  readonly type: GlobalType;
  readonly init: Expr;
  readonly at: number;
}

export interface Tag {
  /** index of a function type: params are the payload, results what `suspend` returns */
  readonly type: number;
  readonly at: number;
}

export interface Export {
  readonly name: string;
  readonly kind: ExternKind;
  readonly index: number;
  readonly at: number;
}

export type ElemMode =
  | { readonly kind: 'passive' }
  | { readonly kind: 'declarative' }
  | { readonly kind: 'active'; readonly table: number; readonly offset: Expr };

export interface Elem {
  readonly type: RefType;
  /** one constant expression per element */
  readonly init: readonly Expr[];
  readonly mode: ElemMode;
  readonly at: number;
}

export type DataMode =
  | { readonly kind: 'passive' }
  | { readonly kind: 'active'; readonly memory: number; readonly offset: Expr };

export interface Data {
  readonly init: Uint8Array;
  readonly mode: DataMode;
  readonly at: number;
}

/** Where a custom section sits: before the first section, or after the section with this id. */
export type CustomPlace = number;

export interface Custom {
  readonly name: string;
  readonly bytes: Uint8Array;
  /** id of the standard section it follows (0 = before all) */
  readonly after: CustomPlace;
}

/** Names for printing and diagnostics: from text identifiers or the `name` custom section. */
export interface Names {
  module?: string;
  funcs: Map<number, string>;
  locals: Map<number, Map<number, string>>;
  labels: Map<number, Map<number, string>>;
  types: Map<number, string>;
  fields: Map<number, Map<number, string>>;
  tables: Map<number, string>;
  memories: Map<number, string>;
  globals: Map<number, string>;
  elems: Map<number, string>;
  datas: Map<number, string>;
  tags: Map<number, string>;
}

export interface Module {
  types: RecType[];
  imports: Import[];
  funcs: Func[];
  tables: Table[];
  memories: Memory[];
  globals: Global[];
  tags: Tag[];
  exports: Export[];
  start: number | null;
  elems: Elem[];
  datas: Data[];
  /**
   * Whether the binary has (or must have) a data count section. The decoder sets it
   * from the input; the text parser sets it when the code refers to data segments.
   */
  dataCount: boolean;
  /** custom sections other than `name` */
  customs: Custom[];
  names: Names;
}

export const emptyNames = (): Names => ({
  funcs: new Map(), locals: new Map(), labels: new Map(), types: new Map(), fields: new Map(),
  tables: new Map(), memories: new Map(), globals: new Map(), elems: new Map(), datas: new Map(),
  tags: new Map(),
});

export const emptyModule = (): Module => ({
  types: [], imports: [], funcs: [], tables: [], memories: [], globals: [], tags: [],
  exports: [], start: null, elems: [], datas: [], dataCount: false, customs: [], names: emptyNames(),
});

/** Flattened view of the type section: type index -> its subtype and rec group. */
export interface TypeEntry {
  readonly group: number;
  /** position inside the group */
  readonly pos: number;
  /** type index of the group's first type */
  readonly base: number;
}

export const allSubTypes = (m: Pick<Module, 'types'>) => m.types.flatMap((g) => g.types);

/** Counts of imports of each kind (they come first in each index space). */
export function importCounts(m: Pick<Module, 'imports'>): Record<ExternKind, number> {
  const c: Record<ExternKind, number> = { func: 0, table: 0, memory: 0, global: 0, tag: 0 };
  for (const im of m.imports) c[im.desc.kind]++;
  return c;
}

/** The type index of every function, imported ones first. */
export const funcTypeIndices = (m: Module): number[] => [
  ...m.imports.flatMap((im) => (im.desc.kind === 'func' ? [im.desc.type] : [])),
  ...m.funcs.map((f) => f.type),
];

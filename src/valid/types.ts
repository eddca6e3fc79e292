// Canonical types: iso-recursive canonicalisation of rec groups, and subtyping.
//
// Every rec group is interned in one process-wide table, keyed by its
// structure: references to types of the same group are written relative to
// the group ("rec.i"), references to earlier types by the unique id of their
// (already canonical) DefType. Two equivalent groups -- in one module or in
// two -- thus give the very same RecGroup and DefType objects, and type
// equivalence is object identity.
//
// In canonical types every concrete heap type is a DefType object (closed and
// unrolled: a reference to a type of the same group points at that group's
// DefType), and reference types are interned as well (`refType`), so that
// value types compare with `===`.
//
// Naming: the canonical counterparts of src/syntax/types.ts carry a `C` prefix.

import type {
  AbsHeapType, AddrType, FieldType, HeapType, Limits, MemoryType, NumType, PackedType, RecType,
  StorageType, SubType, ValType, VecType,
} from '../syntax/types.ts';

/**
 * A heap type: abstract, or a defined type. `'bot'` is the bottom heap type, which only the
 * validator's stack typing produces (the operand of a reference instruction in unreachable code).
 */
export type CHeapType = AbsHeapType | DefType | 'bot';

/** An interned reference type: build it with `refType` only, then compare with `===`. */
export interface CRefType {
  readonly nullable: boolean;
  readonly heap: CHeapType;
}

/** A value type. `'bot'` is the bottom type of the validator's polymorphic stack. */
export type CValType = NumType | VecType | CRefType | 'bot';
export type CStorageType = CValType | PackedType;

export interface CFieldType {
  readonly mutable: boolean;
  readonly type: CStorageType;
}

export interface CFuncType {
  readonly kind: 'func';
  readonly params: readonly CValType[];
  readonly results: readonly CValType[];
}

export interface CStructType {
  readonly kind: 'struct';
  readonly fields: readonly CFieldType[];
}

export interface CArrayType {
  readonly kind: 'array';
  readonly field: CFieldType;
}

export interface CContType {
  readonly kind: 'cont';
  /** the function type (always a func DefType in a valid module) */
  readonly type: DefType;
}

export type CCompType = CFuncType | CStructType | CArrayType | CContType;

export interface CTableType {
  readonly addr: AddrType;
  readonly limits: Limits;
  readonly elem: CRefType;
}

export interface CGlobalType {
  readonly mutable: boolean;
  readonly type: CValType;
}

export type CExternType =
  | { readonly kind: 'func'; readonly type: DefType }
  | { readonly kind: 'table'; readonly type: CTableType }
  | { readonly kind: 'memory'; readonly type: MemoryType }
  | { readonly kind: 'global'; readonly type: CGlobalType }
  | { readonly kind: 'tag'; readonly type: DefType };

// ---- rec groups and defined types ------------------------------------------------

let nextId = 0;

/** A canonical rec group. */
class RecGroup {
  readonly id: number;
  readonly key: string;
  readonly types: DefType[] = [];
  constructor(key: string) {
    this.id = nextId++;
    this.key = key;
  }
}

/** A canonical defined type: a position in a canonical rec group. */
export class DefType {
  /** process-wide unique */
  readonly id: number;
  readonly group: RecGroup;
  /** position in the group */
  readonly index: number;
  /** the unrolled composite type (its references are DefTypes) */
  comp: CCompType = PLACEHOLDER;
  /** declared supertypes */
  supers: readonly DefType[] = [];
  final = true;
  /** `(ref $t)` and `(ref null $t)`, interned */
  readonly ref: CRefType;
  readonly refNull: CRefType;
  /**
   * Supertypes that may be followed for subtyping: the declared ones, minus forward references
   * inside the group (invalid, and they could form cycles).
   */
  up: readonly DefType[] = [];
  /** The chain of supertypes from the root to this type, when each has at most one: O(1) subtyping. */
  chain: readonly DefType[] | null = null;

  constructor(group: RecGroup, index: number) {
    this.id = nextId++;
    this.group = group;
    this.index = index;
    this.ref = { nullable: false, heap: this };
    this.refNull = { nullable: true, heap: this };
  }

  toString(): string {
    return defTypeToString(this);
  }
}

const PLACEHOLDER: CFuncType = { kind: 'func', params: [], results: [] };

const GROUPS = new Map<string, RecGroup>();

/**
 * Thrown by `internRecType` for a reference to a type index that does not exist yet
 * (the validator turns it into "unknown type N").
 */
export class UnknownTypeError extends Error {
  readonly index: number;
  constructor(index: number) {
    super(`unknown type ${index}`);
    this.index = index;
  }
}

/**
 * Canonicalises one rec group of a module. `earlier` holds the canonical types of all type
 * indices before the group (whose first index is therefore `earlier.length`).
 */
export function internRecType(rt: RecType, earlier: readonly DefType[]): RecGroup {
  const base = earlier.length;
  const n = rt.types.length;
  const heapKey = (h: HeapType): string => {
    if (typeof h === 'string') return h;
    if (h >= base) {
      if (h < base + n) return `r${h - base}`;
      throw new UnknownTypeError(h);
    }
    return `#${earlier[h]!.id}`;
  };
  const valKey = (t: StorageType): string =>
    typeof t === 'string' ? t : `${t.nullable ? '?' : '!'}${heapKey(t.heap)}`;
  const fieldKey = (f: FieldType): string => `${f.mutable ? 'm' : 'c'}${valKey(f.type)}`;
  let key = '';
  for (const st of rt.types) {
    key += st.final ? 'F' : 'N';
    for (const s of st.supers) key += `<${heapKey(s)}`;
    const c = st.comp;
    switch (c.kind) {
      case 'func':
        key += '(func';
        for (const t of c.params) key += ` ${valKey(t)}`;
        key += ' ->';
        for (const t of c.results) key += ` ${valKey(t)}`;
        break;
      case 'struct':
        key += '(struct';
        for (const f of c.fields) key += ` ${fieldKey(f)}`;
        break;
      case 'array':
        key += `(array ${fieldKey(c.field)}`;
        break;
      case 'cont':
        key += `(cont ${heapKey(c.type)}`;
        break;
    }
    key += ')';
  }
  const found = GROUPS.get(key);
  if (found) return found;
  const g = new RecGroup(key);
  for (let i = 0; i < n; i++) g.types.push(new DefType(g, i));
  const def = (x: number): DefType => (x >= base ? g.types[x - base]! : earlier[x]!);
  const heap = (h: HeapType): AbsHeapType | DefType => (typeof h === 'string' ? h : def(h));
  const val = (t: ValType): CValType => (typeof t === 'string' ? t : refType(t.nullable, heap(t.heap)));
  const field = (f: FieldType): CFieldType => ({
    mutable: f.mutable,
    type: f.type === 'i8' || f.type === 'i16' ? f.type : val(f.type),
  });
  rt.types.forEach((st: SubType, i) => {
    const dt = g.types[i]!;
    const c = st.comp;
    switch (c.kind) {
      case 'func':
        dt.comp = { kind: 'func', params: c.params.map(val), results: c.results.map(val) };
        break;
      case 'struct':
        dt.comp = { kind: 'struct', fields: c.fields.map(field) };
        break;
      case 'array':
        dt.comp = { kind: 'array', field: field(c.field) };
        break;
      case 'cont':
        dt.comp = { kind: 'cont', type: def(c.type) };
        break;
    }
    dt.final = st.final;
    dt.supers = st.supers.map(def);
    dt.up = st.supers.filter((x) => x < base + i).map(def);
    if (dt.up.length === dt.supers.length) {
      if (dt.up.length === 0) dt.chain = [dt];
      else if (dt.up.length === 1 && dt.up[0]!.chain) dt.chain = [...dt.up[0]!.chain, dt];
    }
  });
  GROUPS.set(key, g);
  return g;
}

// ---- interned reference types -----------------------------------------------------

const ABS: readonly (AbsHeapType | 'bot')[] = [
  'any', 'eq', 'i31', 'struct', 'array', 'none', 'func', 'nofunc', 'exn', 'noexn',
  'extern', 'noextern', 'cont', 'nocont', 'bot',
];
const ABS_REF = new Map<string, CRefType>();
const ABS_REF_NULL = new Map<string, CRefType>();
for (const h of ABS) {
  ABS_REF.set(h, Object.freeze({ nullable: false, heap: h }));
  ABS_REF_NULL.set(h, Object.freeze({ nullable: true, heap: h }));
}

/** The interned reference type. */
export function refType(nullable: boolean, heap: CHeapType): CRefType {
  if (typeof heap === 'object') return nullable ? heap.refNull : heap.ref;
  return (nullable ? ABS_REF_NULL : ABS_REF).get(heap)!;
}

export const BOT = 'bot' as const;
export const C_FUNCREF = refType(true, 'func');
export const C_EXTERNREF = refType(true, 'extern');
export const C_EXNREF = refType(true, 'exn');
export const C_ANYREF = refType(true, 'any');

// ---- subtyping ------------------------------------------------------------------------

const ABS_SUPERS: Record<AbsHeapType, readonly AbsHeapType[]> = {
  any: ['any'],
  eq: ['eq', 'any'],
  i31: ['i31', 'eq', 'any'],
  struct: ['struct', 'eq', 'any'],
  array: ['array', 'eq', 'any'],
  none: ['none', 'i31', 'struct', 'array', 'eq', 'any'],
  func: ['func'],
  nofunc: ['nofunc', 'func'],
  exn: ['exn'],
  noexn: ['noexn', 'exn'],
  extern: ['extern'],
  noextern: ['noextern', 'extern'],
  cont: ['cont'],
  nocont: ['nocont', 'cont'],
};
const ABS_SUB = new Map<string, boolean>();
for (const [a, sups] of Object.entries(ABS_SUPERS)) for (const b of sups) ABS_SUB.set(`${a} ${b}`, true);

/** Whether defined type `a` is a declared subtype of `b` (reflexive, transitive). */
export function isSubDef(a: DefType, b: DefType): boolean {
  if (a === b) return true;
  const ac = a.chain;
  const bc = b.chain;
  if (ac !== null && bc !== null) {
    const d = bc.length - 1;
    return d < ac.length && ac[d] === b;
  }
  for (const s of a.up) if (isSubDef(s, b)) return true;
  return false;
}

export function isSubHeap(a: CHeapType, b: CHeapType): boolean {
  if (a === b || a === 'bot') return true;
  if (typeof a === 'object') {
    if (typeof b === 'object') return isSubDef(a, b);
    switch (a.comp.kind) {
      case 'struct': return b === 'struct' || b === 'eq' || b === 'any';
      case 'array': return b === 'array' || b === 'eq' || b === 'any';
      case 'func': return b === 'func';
      case 'cont': return b === 'cont';
    }
  }
  if (typeof b === 'object') {
    const k = b.comp.kind;
    switch (a) {
      case 'none': return k === 'struct' || k === 'array';
      case 'nofunc': return k === 'func';
      case 'nocont': return k === 'cont';
      default: return false;
    }
  }
  return ABS_SUB.has(`${a} ${b}`);
}

export function isSubRef(a: CRefType, b: CRefType): boolean {
  if (a === b) return true;
  if (a.nullable && !b.nullable) return false;
  return isSubHeap(a.heap, b.heap);
}

/** Subtyping of value types; `'bot'` is below every type. */
export function isSubtype(a: CValType, b: CValType): boolean {
  if (a === b || a === 'bot') return true;
  if (typeof a !== 'object' || typeof b !== 'object') return false;
  if (a.nullable && !b.nullable) return false;
  return isSubHeap(a.heap, b.heap);
}

export function isSubResult(a: readonly CValType[], b: readonly CValType[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!isSubtype(a[i]!, b[i]!)) return false;
  return true;
}

export function isSubStorage(a: CStorageType, b: CStorageType): boolean {
  if (a === 'i8' || a === 'i16' || b === 'i8' || b === 'i16') return a === b;
  return isSubtype(a, b);
}

function matchFieldType(a: CFieldType, b: CFieldType): boolean {
  return a.mutable === b.mutable && isSubStorage(a.type, b.type) && (!a.mutable || isSubStorage(b.type, a.type));
}

/** `a <: b` for function types: contravariant parameters, covariant results. */
export function matchFuncType(a: CFuncType, b: CFuncType): boolean {
  return isSubResult(b.params, a.params) && isSubResult(a.results, b.results);
}

/** Structural matching of composite types (for declared subtypes). */
export function matchCompType(a: CCompType, b: CCompType): boolean {
  switch (a.kind) {
    case 'func': return b.kind === 'func' && matchFuncType(a, b);
    case 'struct': {
      if (b.kind !== 'struct' || a.fields.length < b.fields.length) return false;
      for (let i = 0; i < b.fields.length; i++) if (!matchFieldType(a.fields[i]!, b.fields[i]!)) return false;
      return true;
    }
    case 'array': return b.kind === 'array' && matchFieldType(a.field, b.field);
    case 'cont': return b.kind === 'cont' && isSubDef(a.type, b.type);
  }
}

/** The top of a heap type's hierarchy. */
export function topHeap(h: CHeapType): AbsHeapType {
  if (typeof h === 'object') {
    switch (h.comp.kind) {
      case 'struct': case 'array': return 'any';
      case 'func': return 'func';
      case 'cont': return 'cont';
    }
  }
  switch (h) {
    case 'any': case 'eq': case 'i31': case 'struct': case 'array': case 'none': return 'any';
    case 'func': case 'nofunc': return 'func';
    case 'exn': case 'noexn': return 'exn';
    case 'extern': case 'noextern': return 'extern';
    case 'cont': case 'nocont': return 'cont';
    case 'bot': return 'any';
  }
}

/** The bottom of a heap type's hierarchy. */
export function bottomHeap(h: CHeapType): AbsHeapType {
  switch (topHeap(h)) {
    case 'any': return 'none';
    case 'func': return 'nofunc';
    case 'exn': return 'noexn';
    case 'extern': return 'noextern';
    default: return 'nocont';
  }
}

export const defaultable = (t: CValType): boolean => typeof t !== 'object' || t.nullable;

export const unpacked = (t: CStorageType): CValType => (t === 'i8' || t === 'i16' ? 'i32' : t);

// ---- extern types (import matching) -----------------------------------------------------

function matchLimits(a: Limits, b: Limits): boolean {
  if (a.min < b.min) return false;
  if (b.max === null) return true;
  return a.max !== null && a.max <= b.max;
}

const matchTableType = (a: CTableType, b: CTableType): boolean =>
  a.addr === b.addr && matchLimits(a.limits, b.limits) && isSubRef(a.elem, b.elem) && isSubRef(b.elem, a.elem);

const matchMemoryType = (a: MemoryType, b: MemoryType): boolean =>
  a.addr === b.addr && matchLimits(a.limits, b.limits);

const matchGlobalType = (a: CGlobalType, b: CGlobalType): boolean =>
  a.mutable === b.mutable && isSubtype(a.type, b.type) && (!a.mutable || isSubtype(b.type, a.type));

/** Whether an export of type `a` can satisfy an import of type `b`. */
export function matchExternType(a: CExternType, b: CExternType): boolean {
  switch (a.kind) {
    case 'func': return b.kind === 'func' && isSubDef(a.type, b.type);
    case 'table': return b.kind === 'table' && matchTableType(a.type, b.type);
    case 'memory': return b.kind === 'memory' && matchMemoryType(a.type, b.type);
    case 'global': return b.kind === 'global' && matchGlobalType(a.type, b.type);
    case 'tag': return b.kind === 'tag' && isSubDef(a.type, b.type);
  }
}

// ---- accessors ---------------------------------------------------------------------------

export function funcTypeOf(dt: DefType): CFuncType {
  if (dt.comp.kind !== 'func') throw new Error(`not a function type: ${dt}`);
  return dt.comp;
}

// ---- printing (after the reference interpreter's string_of_*) -----------------------------

/** How to name a DefType in messages (the validator passes the module's type index). */
export type DefNamer = (dt: DefType) => string | undefined;

function heapTypeToString(h: CHeapType, name?: DefNamer): string {
  if (typeof h === 'string') return h === 'bot' ? 'something' : h;
  return name?.(h) ?? SHALLOW(h)!;
}

export function valTypeToString(t: CValType, name?: DefNamer): string {
  if (typeof t === 'string') return t;
  return `(ref ${t.nullable ? 'null ' : ''}${heapTypeToString(t.heap, name)})`;
}

export const resultTypeToString = (ts: readonly CValType[], name?: DefNamer): string =>
  `[${ts.map((t) => valTypeToString(t, name)).join(' ')}]`;

function storageTypeToString(t: CStorageType, name?: DefNamer): string {
  return t === 'i8' || t === 'i16' ? t : valTypeToString(t, name);
}

export function fieldTypeToString(f: CFieldType, name?: DefNamer): string {
  const s = storageTypeToString(f.type, name);
  return f.mutable ? `(mut ${s})` : s;
}

const SHALLOW: DefNamer = (dt) => `rec${dt.group.id}.${dt.index}`;

function compTypeToString(c: CCompType, name: DefNamer = SHALLOW): string {
  switch (c.kind) {
    case 'func': return `func ${resultTypeToString(c.params, name)} -> ${resultTypeToString(c.results, name)}`;
    case 'struct': return `struct ${c.fields.map((f) => `(field ${fieldTypeToString(f, name)})`).join(' ')}`;
    case 'array': return `array ${fieldTypeToString(c.field, name)}`;
    case 'cont': return `cont ${heapTypeToString(c.type, name)}`;
  }
}

export function defTypeToString(dt: DefType, name: DefNamer = SHALLOW): string {
  const s = compTypeToString(dt.comp, name);
  if (dt.final && dt.supers.length === 0) return s;
  return `sub${dt.final ? ' final' : ''}${dt.supers.map((x) => ` ${heapTypeToString(x, name)}`).join('')} (${s})`;
}

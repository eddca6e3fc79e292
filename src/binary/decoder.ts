// The binary decoder: bytes -> Module. It follows the reference interpreter's
// decoder (binary/decode.ml) rule for rule, so that malformed inputs fail with
// the same message; every error is a MalformedError with the byte offset.
//
// Instructions are decoded by the instruction table: the opcode selects a row
// of BY_OPCODE, and each immediate of the row is read by the reader of its
// kind (IMM below). Bodies stay flat, as in the binary.

import {
  emptyNames, type Custom, type Data, type Elem, type Export, type Expr, type Func, type Global,
  type Import, type ImportDesc, type Memory, type Module, type Names, type Table, type Tag,
} from '../syntax/ast.ts';
import {
  BY_OPCODE, opcodeKey, type BlockType, type BrCast, type BrTable, type Catch, type OnClause,
  type ImmKind, type ImmValues, type InstrDef, type Instr, type MemArg,
} from '../syntax/opcodes.ts';
import type {
  AbsHeapType, CompType, ExternKind, FieldType, GlobalType, HeapType, Limits, MemoryType, RecType,
  RefType, StorageType, SubType, TableType, ValType,
} from '../syntax/types.ts';
import { MalformedError } from '../util/errors.ts';
import type { SourceFile } from '../util/source.ts';
import { ABS_CODES, SECTION_ORDER } from './codes.ts';
import { decodeNames, encodeNames, sameBytes } from './names.ts';
import { Reader } from './reader.ts';

// ---- types ------------------------------------------------------------------------

/** Abstract heap types by their (one-byte, s7) code. */
const ABS_BY_CODE: (AbsHeapType | undefined)[] = [];
for (const [k, v] of Object.entries(ABS_CODES)) ABS_BY_CODE[v] = k as AbsHeapType;

/** Shared nullable abstract reference types (values are never mutated). */
const NULLABLE_ABS: (RefType | undefined)[] = [];
for (const [k, v] of Object.entries(ABS_CODES)) NULLABLE_ABS[v] = { nullable: true, heap: k as AbsHeapType };

function heapType(r: Reader): HeapType {
  const start = r.pos;
  const b = r.peek();
  if (b >= 0 && b < 0x40) {
    r.pos++;
    return b;
  }
  if (b >= 0x40 && b < 0x80) {
    r.pos++;
    const abs = ABS_BY_CODE[b];
    if (abs === undefined) throw r.error('malformed heap type', start);
    return abs;
  }
  if (b >= 0x80) {
    // a type index of several bytes (s33, wrapped to 32 bits as the reference does)
    try {
      const x = r.s33() | 0;
      if (x >= 0) return x;
    } catch (e) {
      if (!(e instanceof MalformedError)) throw e;
    }
    r.pos = start;
  }
  // one-byte abstract code (s7): fails on a continuation bit or at the end
  r.s7();
  throw r.error('malformed heap type', start);
}

function refType(r: Reader): RefType {
  const start = r.pos;
  const b = r.s7();
  const abs = NULLABLE_ABS[b];
  if (abs !== undefined) return abs;
  if (b === 0x64) return { nullable: false, heap: heapType(r) };
  if (b === 0x63) return { nullable: true, heap: heapType(r) };
  throw r.error('malformed reference type', start);
}

function valType(r: Reader): ValType {
  const b = r.peek();
  switch (b) {
    case 0x7f: r.pos++; return 'i32';
    case 0x7e: r.pos++; return 'i64';
    case 0x7d: r.pos++; return 'f32';
    case 0x7c: r.pos++; return 'f64';
    case 0x7b: r.pos++; return 'v128';
  }
  return refType(r);
}

function storageType(r: Reader): StorageType {
  const start = r.pos;
  const b = r.peek();
  if (b === 0x78) { r.pos++; return 'i8'; }
  if (b === 0x77) { r.pos++; return 'i16'; }
  try {
    return valType(r);
  } catch (e) {
    if (!(e instanceof MalformedError)) throw e;
  }
  r.pos = start;
  r.s7();
  throw r.error('malformed storage type', start);
}

function mutability(r: Reader): boolean {
  const b = r.byte();
  if (b === 0) return false;
  if (b === 1) return true;
  throw r.error('malformed mutability', r.pos - 1);
}

function fieldType(r: Reader): FieldType {
  const type = storageType(r);
  return { mutable: mutability(r), type };
}

function resultType(r: Reader): ValType[] {
  const n = r.len32();
  const ts = new Array<ValType>(n);
  for (let i = 0; i < n; i++) ts[i] = valType(r);
  return ts;
}

function compType(r: Reader): CompType {
  const b = r.s7();
  switch (b) {
    case 0x60: {
      const params = resultType(r);
      return { kind: 'func', params, results: resultType(r) };
    }
    case 0x5f: {
      const n = r.len32();
      const fields = new Array<FieldType>(n);
      for (let i = 0; i < n; i++) fields[i] = fieldType(r);
      return { kind: 'struct', fields };
    }
    case 0x5e:
      return { kind: 'array', field: fieldType(r) };
    case 0x5d: {
      const at = r.pos;
      const ht = heapType(r);
      if (typeof ht !== 'number') throw r.error('malformed continuation type', at);
      return { kind: 'cont', type: ht };
    }
  }
  throw r.error('malformed definition type', r.pos - 1);
}

/** A type index of a supertype: u32, but the reference rejects indices >= 2^31. */
function superIndex(r: Reader): number {
  const at = r.pos;
  const x = r.u32();
  if (x >= 0x80000000) throw r.error('malformed type index', at);
  return x;
}

function subType(r: Reader): SubType {
  const b = r.peek();
  if (b === 0x50 || b === 0x4f) {
    r.pos++;
    const n = r.len32();
    const supers = new Array<number>(n);
    for (let i = 0; i < n; i++) supers[i] = superIndex(r);
    return { final: b === 0x4f, supers, comp: compType(r) };
  }
  return { final: true, supers: [], comp: compType(r) };
}

function recType(r: Reader): RecType {
  const at = r.pos;
  if (r.peek() === 0x4e) {
    r.pos++;
    const n = r.len32();
    const types = new Array<SubType>(n);
    for (let i = 0; i < n; i++) types[i] = subType(r);
    return { types, explicit: true, at };
  }
  return { types: [subType(r)], at };
}

function limits(r: Reader): { addr: 'i32' | 'i64'; limits: Limits } {
  const flags = r.byte();
  if (flags & 0xfa) throw r.error('malformed limits flags', r.pos - 1);
  const min = r.u64();
  const max = flags & 1 ? r.u64() : null;
  return { addr: flags & 4 ? 'i64' : 'i32', limits: { min, max } };
}

function tableType(r: Reader): TableType {
  const elem = refType(r);
  const { addr, limits: lim } = limits(r);
  return { addr, limits: lim, elem };
}

function memoryType(r: Reader): MemoryType {
  const { addr, limits: lim } = limits(r);
  return { addr, limits: lim };
}

function globalType(r: Reader): GlobalType {
  const type = valType(r);
  return { mutable: mutability(r), type };
}

function tagType(r: Reader): number {
  r.zero();
  return r.u32();
}

// ---- immediates ---------------------------------------------------------------------

/** Reads one immediate. `alt`: the instruction came with its alternative opcode; `at`: its offset. */
type ImmReader<K extends ImmKind> = (r: Reader, alt: boolean, at: number) => ImmValues[K];

const idx = (r: Reader): number => r.u32();

function blockType(r: Reader): BlockType {
  const start = r.pos;
  const b = r.peek();
  if (b >= 0 && b < 0x40) {
    r.pos++;
    return { type: b };
  }
  if (b >= 0x80) {
    try {
      const x = r.s33() | 0;
      if (x >= 0) return { type: x };
    } catch (e) {
      if (!(e instanceof MalformedError)) throw e;
    }
    r.pos = start;
  }
  if (b === 0x40) {
    r.pos++;
    return null;
  }
  return valType(r);
}

function memArg(r: Reader): MemArg {
  const at = r.pos;
  const flags = r.u32();
  if (flags >= 0x80) throw r.error('malformed memop flags', at);
  const mem = flags & 0x40 ? r.u32() : 0;
  const offset = r.u64();
  return { align: flags & 0x3f, offset, mem };
}

function catchClause(r: Reader): Catch {
  const b = r.byte();
  switch (b) {
    case 0x00: { const tag = r.u32(); return { kind: 'catch', tag, label: r.u32() }; }
    case 0x01: { const tag = r.u32(); return { kind: 'catch_ref', tag, label: r.u32() }; }
    case 0x02: return { kind: 'catch_all', label: r.u32() };
    case 0x03: return { kind: 'catch_all_ref', label: r.u32() };
  }
  throw r.error('malformed catch clause', r.pos - 1);
}

function onClause(r: Reader): OnClause {
  const b = r.byte();
  if (b === 0x00) {
    const tag = r.u32();
    return { tag, label: r.u32() };
  }
  if (b === 0x01) return { tag: r.u32(), label: null };
  throw r.error('ON opcode expected', r.pos);
}

const IMM: { readonly [K in ImmKind]: ImmReader<K> } = {
  typeidx: idx,
  funcidx: idx,
  tableidx: idx,
  memidx: idx,
  globalidx: idx,
  localidx: idx,
  labelidx: idx,
  elemidx: idx,
  dataidx: idx,
  tagidx: idx,
  fieldidx: idx,
  u32: idx,
  lane: (r) => r.byte(),
  i32: (r) => r.s32(),
  i64: (r) => r.s64(),
  f32: (r) => r.word32(),
  f64: (r) => r.word64(),
  v128: (r) => r.take(16),
  shuffle: (r) => r.take(16),
  blocktype: blockType,
  memarg: memArg,
  brtable: (r): BrTable => {
    const n = r.len32();
    const labels = new Array<number>(n);
    for (let i = 0; i < n; i++) labels[i] = r.u32();
    return { labels, default: r.u32() };
  },
  selecttypes: (r, alt) => (alt ? resultType(r) : null),
  heaptype: heapType,
  reftype: (r, alt) => ({ nullable: alt, heap: heapType(r) }),
  brcast: (r, _alt, at): BrCast => {
    const flags = r.byte();
    if (flags & 0xfc) throw r.error('malformed br_on_cast flags', at + 2);
    const label = r.u32();
    const from: RefType = { nullable: (flags & 1) !== 0, heap: heapType(r) };
    const to: RefType = { nullable: (flags & 2) !== 0, heap: heapType(r) };
    return { label, from, to };
  },
  catches: (r) => {
    const n = r.len32();
    const cs = new Array<Catch>(n);
    for (let i = 0; i < n; i++) cs[i] = catchClause(r);
    return cs;
  },
  handlers: (r) => {
    const n = r.len32();
    const hs = new Array<OnClause>(n);
    for (let i = 0; i < n; i++) hs[i] = onClause(r);
    return hs;
  },
};

// ---- instructions ----------------------------------------------------------------------

/**
 * What an open block lets come before its `end`: `else` (if); `catch`, `catch_all` or, in
 * place of `end`, `delegate` (try, no handler yet); `catch` or `catch_all` (catch: a try
 * after a catch); nothing (block: a block, loop or try_table; plain: an if after its else,
 * a try after its catch_all, and an instruction that opens nothing).
 */
const OPENS = { plain: 0, block: 1, if: 2, try: 3, catch: 4 } as const;

/** What the decoder needs to know about one opcode. */
interface OpEntry {
  readonly name: string;
  readonly alt: boolean;
  readonly imms: readonly ImmReader<ImmKind>[];
  /** 0: plain, else what it opens (see OPENS) */
  readonly opens: number;
  /** refers to a data segment (requires the data count section in function bodies) */
  readonly data: boolean;
}

const ONE_BYTE: (OpEntry | undefined)[] = new Array(256).fill(undefined);
const PREFIXED = new Map<number, OpEntry>();

function entry(def: InstrDef, alt: boolean): OpEntry {
  return {
    name: def.name,
    alt,
    imms: def.imm.map((k) => IMM[k] as ImmReader<ImmKind>),
    opens: def.name === 'if' ? OPENS.if : def.name === 'try' ? OPENS.try
      : def.name === 'block' || def.name === 'loop' || def.name === 'try_table' ? OPENS.block : OPENS.plain,
    data: def.imm.includes('dataidx'),
  };
}

for (const [key, def] of BY_OPCODE) {
  const code = def.prefix === undefined ? key : key - opcodeKey(def.prefix, 0);
  const e = entry(def, def.alt === code);
  if (def.prefix === undefined) ONE_BYTE[key] = e;
  else PREFIXED.set(key, e);
}
// `else`, `end` and the separators of a legacy `try` (`catch`, `catch_all`, `delegate`)
// are structural: the expression reader handles them itself.
for (const b of [0x05, 0x0b, 0x07, 0x19, 0x18]) ONE_BYTE[b] = undefined;

const hex2 = (n: number): string => (n >>> 0).toString(16).padStart(2, '0');

/** Decoding state shared by all expressions of a module. */
interface Ctx {
  /** some function body refers to a data segment */
  usesData: boolean;
  /** control stack kinds (reused across expressions) */
  ctl: number[];
}

/**
 * Reads a flat expression up to and including the `end` that closes it.
 * Nesting is tracked only to find that `end` and to place `else` and the parts of a
 * legacy `try` (`delegate` closes its try as `end` does).
 */
function expr(r: Reader, ctx: Ctx, body: boolean): Expr {
  const out: Instr[] = [];
  const ctl = ctx.ctl;
  let depth = 0;
  const bytes = r.bytes;
  for (;;) {
    const at = r.pos;
    if (at >= r.len) throw r.eos();
    const b = bytes[at]!;
    if (b === 0x0b) {
      r.pos = at + 1;
      out.push({ op: 'end', args: [], at } as Instr);
      if (depth === 0) return out;
      depth--;
      continue;
    }
    if (b === 0x05) {
      if (depth > 0 && ctl[depth - 1] === OPENS.if) {
        ctl[depth - 1] = OPENS.plain;
        r.pos = at + 1;
        out.push({ op: 'else', args: [], at } as Instr);
        continue;
      }
      throw r.error('END opcode expected', at);
    }
    if (b === 0x07 || b === 0x19 || b === 0x18) {
      const k = depth > 0 ? ctl[depth - 1] : OPENS.plain;
      if (b === 0x18 ? k === OPENS.try : k === OPENS.try || k === OPENS.catch) {
        r.pos = at + 1;
        if (b === 0x07) {
          out.push({ op: 'catch', args: [r.u32()], at } as Instr);
          ctl[depth - 1] = OPENS.catch;
        } else if (b === 0x19) {
          out.push({ op: 'catch_all', args: [], at } as Instr);
          ctl[depth - 1] = OPENS.plain;
        } else {
          out.push({ op: 'delegate', args: [r.u32()], at } as Instr);
          depth--;
        }
        continue;
      }
      // out of place: the reference decoder's messages
      throw r.error(b === 0x18 ? 'misplaced DELEGATE opcode' : 'END opcode expected', at);
    }
    r.pos = at + 1;
    let e = ONE_BYTE[b];
    if (e === undefined) {
      if (b === 0xfb || b === 0xfc || b === 0xfd) {
        const sub = r.u32();
        e = PREFIXED.get(opcodeKey(b, sub));
        if (e === undefined) {
          throw r.error(b === 0xfd ? `illegal opcode ${hex2(sub)}` : `illegal opcode ${hex2(b)} ${hex2(sub)}`, at);
        }
      } else {
        throw r.error(`illegal opcode ${hex2(b)}`, at);
      }
    }
    const imms = e.imms;
    const n = imms.length;
    let args: unknown[];
    if (n === 0) args = [];
    else if (n === 1) args = [imms[0]!(r, e.alt, at)];
    else {
      args = new Array(n);
      for (let i = 0; i < n; i++) args[i] = imms[i]!(r, e.alt, at);
    }
    out.push({ op: e.name, args, at } as unknown as Instr);
    if (e.opens !== OPENS.plain) ctl[depth++] = e.opens;
    else if (e.data && body) ctx.usesData = true;
  }
}

// ---- sections --------------------------------------------------------------------------

const IMPORT_KINDS: readonly ExternKind[] = ['func', 'table', 'memory', 'global', 'tag'];

/** Implementation limit on the locals of one function (the format allows 2^32-1). */
const MAX_LOCALS = 1 << 20;

function importDesc(r: Reader): ImportDesc {
  const b = r.byte();
  switch (b) {
    case 0x00: return { kind: 'func', type: r.u32() };
    case 0x01: return { kind: 'table', type: tableType(r) };
    case 0x02: return { kind: 'memory', type: memoryType(r) };
    case 0x03: return { kind: 'global', type: globalType(r) };
    case 0x04: return { kind: 'tag', type: tagType(r) };
  }
  throw r.error('malformed import kind', r.pos - 1);
}

function table(r: Reader, ctx: Ctx): Table {
  const at = r.pos;
  if (r.peek() === 0x40) {
    // 0x40 0x00 tabletype expr; on any failure the reference falls back to a
    // plain table type, which cannot start with 0x40
    try {
      r.pos++;
      r.zero();
      const type = tableType(r);
      const init = expr(r, ctx, false);
      return { type, init, at };
    } catch (e) {
      if (!(e instanceof MalformedError)) throw e;
      r.pos = at;
      throw r.error('malformed reference type', at);
    }
  }
  return { type: tableType(r), init: null, at };
}

const FUNCREF_NONNULL: RefType = { nullable: false, heap: 'func' };
const FUNCREF_NULLABLE: RefType = { nullable: true, heap: 'func' };

function elemKind(r: Reader): RefType {
  const b = r.byte();
  if (b !== 0x00) throw r.error('malformed element kind', r.pos - 1);
  return FUNCREF_NONNULL;
}

function funcIndices(r: Reader): Expr[] {
  const n = r.len32();
  const out = new Array<Expr>(n);
  for (let i = 0; i < n; i++) {
    const at = r.pos;
    const x = r.u32();
    out[i] = [{ op: 'ref.func', args: [x], at } as Instr, { op: 'end', args: [], at: -1 } as Instr];
  }
  return out;
}

function exprs(r: Reader, ctx: Ctx): Expr[] {
  const n = r.len32();
  const out = new Array<Expr>(n);
  for (let i = 0; i < n; i++) out[i] = expr(r, ctx, false);
  return out;
}

function elem(r: Reader, ctx: Ctx): Elem {
  const at = r.pos;
  const flavour = r.u32();
  switch (flavour) {
    case 0: {
      const offset = expr(r, ctx, false);
      return { type: FUNCREF_NONNULL, init: funcIndices(r), mode: { kind: 'active', table: 0, offset }, at };
    }
    case 1: {
      const type = elemKind(r);
      return { type, init: funcIndices(r), mode: { kind: 'passive' }, at };
    }
    case 2: {
      const t = r.u32();
      const offset = expr(r, ctx, false);
      const type = elemKind(r);
      return { type, init: funcIndices(r), mode: { kind: 'active', table: t, offset }, at };
    }
    case 3: {
      const type = elemKind(r);
      return { type, init: funcIndices(r), mode: { kind: 'declarative' }, at };
    }
    case 4: {
      const offset = expr(r, ctx, false);
      return { type: FUNCREF_NULLABLE, init: exprs(r, ctx), mode: { kind: 'active', table: 0, offset }, at };
    }
    case 5: {
      const type = refType(r);
      return { type, init: exprs(r, ctx), mode: { kind: 'passive' }, at };
    }
    case 6: {
      const t = r.u32();
      const offset = expr(r, ctx, false);
      const type = refType(r);
      return { type, init: exprs(r, ctx), mode: { kind: 'active', table: t, offset }, at };
    }
    case 7: {
      const type = refType(r);
      return { type, init: exprs(r, ctx), mode: { kind: 'declarative' }, at };
    }
  }
  throw r.error('malformed elements segment kind', r.pos - 1);
}

function data(r: Reader, ctx: Ctx): Data {
  const at = r.pos;
  const flavour = r.u32();
  switch (flavour) {
    case 0: {
      const offset = expr(r, ctx, false);
      return { init: r.take(r.len32()), mode: { kind: 'active', memory: 0, offset }, at };
    }
    case 1:
      return { init: r.take(r.len32()), mode: { kind: 'passive' }, at };
    case 2: {
      const mem = r.u32();
      const offset = expr(r, ctx, false);
      return { init: r.take(r.len32()), mode: { kind: 'active', memory: mem, offset }, at };
    }
  }
  throw r.error('malformed data segment kind', r.pos - 1);
}

function locals(r: Reader): ValType[] {
  const at = r.pos;
  const runs = r.len32();
  const counts = new Array<number>(runs);
  const types = new Array<ValType>(runs);
  let total = 0;
  for (let i = 0; i < runs; i++) {
    counts[i] = r.u32();
    types[i] = valType(r);
    total += counts[i]!;
  }
  if (total >= 0x100000000 || total > MAX_LOCALS) throw r.error('too many locals', at);
  const out = new Array<ValType>(total);
  let k = 0;
  for (let i = 0; i < runs; i++) {
    const t = types[i]!;
    for (let j = counts[i]!; j > 0; j--) out[k++] = t;
  }
  return out;
}

/** Reads a vector of `f`. */
function vec<T>(r: Reader, f: (r: Reader) => T): T[] {
  const n = r.len32();
  const out = new Array<T>(n);
  for (let i = 0; i < n; i++) out[i] = f(r);
  return out;
}

interface RawCustom extends Custom {
  /** offset of the section's id byte */
  readonly start: number;
}

/** Decodes a binary module. Throws MalformedError (with the byte offset) when it is malformed. */
export function decodeModule(bytes: Uint8Array, source?: SourceFile): Module {
  const r = new Reader(bytes, source);
  const ctx: Ctx = { usesData: false, ctl: [] };

  if (r.word32() !== 0x6d736100) throw r.error('magic header not detected', 0);
  if (r.word32() !== 1) throw r.error('unknown binary version', 4);

  let types: RecType[] = [];
  let imports: Import[] = [];
  let funcTypes: number[] = [];
  let tables: Table[] = [];
  let memories: Memory[] = [];
  let tags: Tag[] = [];
  let globals: Global[] = [];
  let exports: Export[] = [];
  let start: number | null = null;
  let elems: Elem[] = [];
  let dataCount: number | null = null;
  let codes: { locals: ValType[]; body: Expr; at: number }[] = [];
  let datas: Data[] = [];
  const customs: RawCustom[] = [];
  /** end of the last standard section (where a name section written by us would start) */
  let lastStdEnd = 8;

  const peekId = (): number => {
    if (r.pos >= r.len) return -1;
    const id = r.bytes[r.pos]!;
    if (id > 13) throw r.error('malformed section id', r.pos);
    return id;
  };

  const readCustoms = (place: number): void => {
    while (peekId() === 0) {
      const secStart = r.pos;
      r.pos++;
      const size = r.len32();
      const start = r.pos;
      const name = r.name();
      const content = r.take(size - (r.pos - start));
      customs.push({ name, bytes: content, after: place, start: secStart });
    }
  };

  readCustoms(0);
  for (const id of SECTION_ORDER) {
    if (peekId() === id) {
      r.pos++;
      const size = r.len32();
      const begin = r.pos;
      switch (id) {
        case 1: types = vec(r, recType); break;
        case 2:
          imports = vec(r, (r) => {
            const at = r.pos;
            const module = r.name();
            const name = r.name();
            return { module, name, desc: importDesc(r), at };
          });
          break;
        case 3: funcTypes = vec(r, idx); break;
        case 4: tables = vec(r, (r) => table(r, ctx)); break;
        case 5: memories = vec(r, (r) => ({ at: r.pos, type: memoryType(r) })); break;
        case 13: tags = vec(r, (r) => ({ at: r.pos, type: tagType(r) })); break;
        case 6:
          globals = vec(r, (r) => {
            const at = r.pos;
            const type = globalType(r);
            return { type, init: expr(r, ctx, false), at };
          });
          break;
        case 7:
          exports = vec(r, (r) => {
            const at = r.pos;
            const name = r.name();
            const b = r.byte();
            const kind = IMPORT_KINDS[b];
            if (kind === undefined) throw r.error('malformed export kind', r.pos - 1);
            return { name, kind, index: r.u32(), at };
          });
          break;
        case 8: start = r.u32(); break;
        case 9: elems = vec(r, (r) => elem(r, ctx)); break;
        case 12: dataCount = r.u32(); break;
        case 10:
          codes = vec(r, (r) => {
            const at = r.pos;
            const size = r.len32();
            const begin = r.pos;
            const locs = locals(r);
            const body = expr(r, ctx, true);
            if (r.pos !== begin + size) throw r.error('section size mismatch', begin);
            return { locals: locs, body, at };
          });
          break;
        case 11: datas = vec(r, (r) => data(r, ctx)); break;
      }
      if (r.pos !== begin + size) throw r.error('section size mismatch', begin);
      lastStdEnd = r.pos;
    }
    readCustoms(id);
  }

  if (r.pos !== r.len) throw r.error('unexpected content after last section', r.len);
  if (funcTypes.length !== codes.length) {
    throw r.error('function and code section have inconsistent lengths', r.len);
  }
  if (dataCount !== null && dataCount !== datas.length) {
    throw r.error('data count and data section have inconsistent lengths', r.len);
  }
  if (dataCount === null && ctx.usesData) throw r.error('data count section required', r.len);

  const funcs: Func[] = new Array(codes.length);
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i]!;
    funcs[i] = { type: funcTypes[i]!, locals: c.locals, body: c.body, at: c.at };
  }

  // The name section: the first one that decodes gives `names` (by meaning: padded
  // sizes, any order of subsections). When it is also exactly what the encoder writes
  // for those names, right after the last standard section, it is not kept; otherwise it
  // also stays a raw custom section, which the encoder writes as it is while `names` is
  // unchanged (so that re-encoding reproduces the binary). A section that does not decode
  // stays raw, and the module has no names (a custom section never fails a module).
  let names: Names | null = null;
  const kept: Custom[] = [];
  for (const c of customs) {
    if (names === null && c.name === 'name') {
      const decoded = decodeNames(c.bytes);
      if (decoded !== null) {
        names = decoded;
        if (c.start === lastStdEnd && c.bytes.length > 0 && sameBytes(encodeNames(decoded), c.bytes)) continue;
      }
    }
    kept.push({ name: c.name, bytes: c.bytes, after: c.after });
  }

  return {
    types, imports, funcs, tables, memories, globals, tags, exports, start, elems, datas,
    dataCount: dataCount !== null,
    customs: kept,
    names: names ?? emptyNames(),
  };
}


// The WAT printer: a `Module` as readable text that parses back to the same
// module.
//
// Layout: `(module $name?` then the fields in the order types (with `(rec ...)`
// groups), imports, funcs, tables, memories, globals, tags, exports, start,
// elems, datas, custom sections (as `@custom` annotations). Definitions carry
// their index as a `(;N;)` comment. Function bodies are flat, one instruction
// a line, indented by block nesting; the final `end` of a body is left out.
//
// Names come from `m.names`, and every one of them survives a print -> parse
// round trip. The text format needs a unique identifier per index space, while
// the name section may repeat a name (Kotlin's overloads, `<classVTable>` types)
// or give an empty one. So a name that cannot be its definition's identifier --
// empty, already used by a lower index of the same space, or starting with `#`
// -- gets a synthetic identifier `$"#<space><index> <name>"` (space: func,
// local, label, type, field, table, memory, global, elem, data, tag, module),
// and the real name follows it in a `(@name "name")` annotation, which the
// parser puts in the name section in place of the identifier:
//   (func $"#func7 kotlin.ranges.until" (@name "kotlin.ranges.until") (;7;) ...
//   (param $"#local1 x" (@name "x") i32)      (type $"#type3 " (@name "") (;3;) ...
// `#` starts no other identifier, and the index makes each synthetic one unique
// (the scheme of wasm-tools' printer). Uses refer to the synthetic identifier.
// Unique names print as plain identifiers, without annotation. Labels may repeat
// (an inner one shadows), so only empty and `#` label names are synthetic. An
// imported function with named params is written as an inline import
// `(func $f (import "m" "n") (type N) (param $x i32))` to carry them.
// A type use is always printed as `(type N)` so that the parser never has to
// invent a type; in functions and tags the params and results follow for
// readability (and to name the params) when the type is a function type.
// Imports take the bare `(type N)`, as the reference grammar wants.
//
// Immediates are printed by kind (`IMM`, a `Record<ImmKind, ...>`), driven by
// the instruction table; only the instructions whose text order differs from
// the binary order (`call_indirect`, `return_call_indirect`, `memory.init`,
// `table.init`) have their own rule in `SPECIAL`.

import type {
  Custom, Data, Elem, Expr, Func, Global, Import, Module, Names, Table,
} from '../syntax/ast.ts';
import {
  BY_NAME, type BlockType, type ImmKind, type ImmValues, type InstrDef, type Instr, type MemArg, type OpName,
} from '../syntax/opcodes.ts';
import {
  REF_ABBREV, type CompType, type FieldType, type FuncType, type HeapType, type Limits, type RefType,
  type StorageType, type SubType, type ValType,
} from '../syntax/types.ts';
import { formatF32, formatF64, formatI32, formatI64 } from './numbers.ts';

export interface PrintOptions {
  /** spaces per nesting level (default 2) */
  indent?: number;
}

// ---- identifiers and strings ---------------------------------------------------

const IDCHARS = /^[0-9A-Za-z!#$%&'*+\-./:<=>?@\\^_`|~]+$/;

/** `$name`, or `$"..."` when the name has characters an identifier cannot hold. */
export function printId(name: string): string {
  return IDCHARS.test(name) ? `$${name}` : `$${printString(name)}`;
}

// control, format, private-use, unassigned and surrogate code points, line/paragraph separators
const INVISIBLE = /^[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Cs}\p{Zl}\p{Zp}]$/u;

/** A string literal of the text format for a (Unicode) string; invisible characters are escaped. */
export function printString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (INVISIBLE.test(ch)) {
      out += `\\u{${c.toString(16)}}`;
    } else out += ch;
  }
  return out + '"';
}

const hex2 = (b: number): string => b.toString(16).padStart(2, '0');

/** A string literal holding exactly these bytes. */
export function printBytes(bytes: Uint8Array): string {
  let out = '"';
  for (const b of bytes) {
    if (b === 0x22) out += '\\"';
    else if (b === 0x5c) out += '\\\\';
    else if (b === 0x0a) out += '\\n';
    else if (b === 0x09) out += '\\t';
    else if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b);
    else out += `\\${hex2(b)}`;
  }
  return out + '"';
}

// ---- names -------------------------------------------------------------------

/**
 * Whether a name cannot be its definition's identifier as it is: it is empty, or it starts
 * with `#` (reserved for the synthetic identifiers), or (`seen`) an earlier index has it.
 */
const needsSynthetic = (name: string, seen?: Set<string>): boolean =>
  name === '' || name.startsWith('#') || (seen !== undefined && seen.has(name));

/** The synthetic identifier of a name: `$"#<group><index> <name>"`, unique by the index. */
const syntheticId = (group: string, i: number, name: string): string => printId(`#${group}${i} ${name}`);

/** The `(@name "...")` annotation that gives a definition its real name. */
const nameAnnotation = (name: string): string => `(@name ${printString(name)})`;

/**
 * One index space: the identifier of each named index (unique), else the number. A name
 * that cannot be the identifier (see `needsSynthetic`) gets a synthetic one, and its
 * binder carries the real name in `(@name "...")`.
 */
class Space {
  readonly ids = new Map<number, string>();
  /** the binders of the named indices: the identifier, plus `(@name ...)` when synthetic */
  private readonly binders = new Map<number, string>();
  constructor(names?: ReadonlyMap<number, string>, group = '') {
    if (!names) return;
    const seen = new Set<string>();
    for (const [i, n] of [...names].sort((a, b) => a[0] - b[0])) {
      if (needsSynthetic(n, seen)) {
        const id = syntheticId(group, i, n);
        this.ids.set(i, id);
        this.binders.set(i, `${id} ${nameAnnotation(n)}`);
      } else {
        seen.add(n);
        const id = printId(n);
        this.ids.set(i, id);
        this.binders.set(i, id);
      }
    }
  }
  /** how a use refers to index i */
  ref(i: number): string {
    return this.ids.get(i) ?? String(i);
  }
  /** the binder of a definition: `$name (;i;)`, `$"#group<i> name" (@name "name") (;i;)` or `(;i;)` */
  bind(i: number): string {
    const b = this.binders.get(i);
    return b === undefined ? `(;${i};)` : `${b} (;${i};)`;
  }
  /** the binder without the index comment, '' when unnamed */
  name(i: number): string {
    return this.binders.get(i) ?? '';
  }
}

class Namer {
  readonly types: Space;
  readonly funcs: Space;
  readonly tables: Space;
  readonly memories: Space;
  readonly globals: Space;
  readonly elems: Space;
  readonly datas: Space;
  readonly tags: Space;
  private readonly fieldSpaces = new Map<number, Space>();
  private readonly localSpaces = new Map<number, Space>();
  readonly names: Names | undefined;
  constructor(names: Names | undefined) {
    this.names = names;
    this.types = new Space(names?.types, 'type');
    this.funcs = new Space(names?.funcs, 'func');
    this.tables = new Space(names?.tables, 'table');
    this.memories = new Space(names?.memories, 'memory');
    this.globals = new Space(names?.globals, 'global');
    this.elems = new Space(names?.elems, 'elem');
    this.datas = new Space(names?.datas, 'data');
    this.tags = new Space(names?.tags, 'tag');
  }
  fields(type: number): Space {
    let s = this.fieldSpaces.get(type);
    if (!s) this.fieldSpaces.set(type, (s = new Space(this.names?.fields?.get(type), 'field')));
    return s;
  }
  locals(func: number): Space {
    let s = this.localSpaces.get(func);
    if (!s) this.localSpaces.set(func, (s = new Space(this.names?.locals?.get(func), 'local')));
    return s;
  }
  label(func: number, ordinal: number): string | undefined {
    return this.names?.labels?.get(func)?.get(ordinal);
  }
}

const NO_NAMES = new Namer(undefined);

// ---- types ---------------------------------------------------------------------

function printHeapType(ht: HeapType, n: Namer = NO_NAMES): string {
  return typeof ht === 'number' ? n.types.ref(ht) : ht;
}

function printRefType(t: RefType, n: Namer = NO_NAMES): string {
  if (t.nullable && typeof t.heap === 'string') return REF_ABBREV[t.heap];
  return `(ref ${t.nullable ? 'null ' : ''}${printHeapType(t.heap, n)})`;
}

export function printValType(t: ValType, n: Namer = NO_NAMES): string {
  return typeof t === 'string' ? t : printRefType(t, n);
}

const printStorageType = (t: StorageType, n: Namer): string =>
  t === 'i8' || t === 'i16' ? t : printValType(t, n);

const printFieldType = (f: FieldType, n: Namer): string =>
  f.mutable ? `(mut ${printStorageType(f.type, n)})` : printStorageType(f.type, n);

const valTypes = (ts: readonly ValType[], n: Namer): string => ts.map((t) => printValType(t, n)).join(' ');

/** ` (param ...) (result ...)` of a function type (params named when `locals` is given). */
function signature(ft: FuncType, n: Namer, locals?: Space): string {
  let out = '';
  const anon: ValType[] = [];
  const flush = (): void => {
    if (anon.length) out += ` (param ${valTypes(anon, n)})`;
    anon.length = 0;
  };
  ft.params.forEach((t, i) => {
    const id = locals?.name(i);
    if (id) {
      flush();
      out += ` (param ${id} ${printValType(t, n)})`;
    } else anon.push(t);
  });
  flush();
  if (ft.results.length) out += ` (result ${valTypes(ft.results, n)})`;
  return out;
}

function printCompType(ct: CompType, n: Namer, type: number): string {
  switch (ct.kind) {
    case 'func':
      return `(func${signature(ct, n)})`;
    case 'struct': {
      const names = n.fields(type);
      const fields = ct.fields.map((f, i) => {
        const id = names.name(i);
        return ` (field ${id ? id + ' ' : ''}${printFieldType(f, n)})`;
      });
      return `(struct${fields.join('')})`;
    }
    case 'array':
      return `(array ${printFieldType(ct.field, n)})`;
    case 'cont':
      return `(cont ${n.types.ref(ct.type)})`;
  }
}

function printSubType(st: SubType, n: Namer, type: number): string {
  const comp = printCompType(st.comp, n, type);
  if (st.final && st.supers.length === 0) return comp;
  const supers = st.supers.map((s) => ' ' + n.types.ref(s)).join('');
  return `(sub${st.final ? ' final' : ''}${supers} ${comp})`;
}

const printLimits = (l: Limits): string => (l.max === null ? `${l.min}` : `${l.min} ${l.max}`);

// ---- instructions --------------------------------------------------------------

interface Label {
  /** the identifier, when named */
  readonly id: string | undefined;
  /** nesting level (the function's own label is @0) */
  readonly level: number;
}

interface Ctx {
  readonly n: Namer;
  readonly locals: Space;
  /** enclosing labels, innermost last */
  readonly labels: Label[];
}

const constCtx = (n: Namer): Ctx => ({ n, locals: new Space(), labels: [] });

function labelRef(depth: number, c: Ctx): string {
  const k = c.labels.length - 1 - depth;
  const l = c.labels[k];
  if (l === undefined) return String(depth);
  // a name shadowed by an inner label of the same name must be written as a depth
  if (l.id !== undefined && !c.labels.slice(k + 1).some((o) => o.id === l.id)) return l.id;
  return `${depth} (;@${l.level};)`;
}

function blockType(bt: BlockType, n: Namer): string {
  if (bt === null) return '';
  if (typeof bt === 'object' && 'type' in bt) return `(type ${n.types.ref(bt.type)})`;
  return `(result ${printValType(bt, n)})`;
}

function memarg(m: MemArg, def: InstrDef, c: Ctx): string {
  const parts: string[] = [];
  if (m.mem !== 0) parts.push(c.n.memories.ref(m.mem));
  if (m.offset !== 0n) parts.push(`offset=${m.offset}`);
  if (m.align !== def.align) parts.push(`align=${2n ** BigInt(m.align)}`);
  return parts.join(' ');
}

function v128(bytes: Uint8Array): string {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lanes: string[] = [];
  for (let i = 0; i < 16; i += 4) lanes.push('0x' + dv.getUint32(i, true).toString(16).padStart(8, '0'));
  return 'i32x4 ' + lanes.join(' ');
}

type ImmPrinter<K extends ImmKind> = (v: ImmValues[K], c: Ctx, ins: Instr, def: InstrDef) => string;

/** How each kind of immediate is written; '' leaves it out. */
const IMM: { readonly [K in ImmKind]: ImmPrinter<K> } = {
  typeidx: (v, c) => c.n.types.ref(v),
  funcidx: (v, c) => c.n.funcs.ref(v),
  // index 0 of tables and memories is left out when all of an instruction's are 0 (see `defaultIdx`)
  tableidx: (v, c) => c.n.tables.ref(v),
  memidx: (v, c) => c.n.memories.ref(v),
  globalidx: (v, c) => c.n.globals.ref(v),
  localidx: (v, c) => c.locals.ref(v),
  labelidx: (v, c) => labelRef(v, c),
  elemidx: (v, c) => c.n.elems.ref(v),
  dataidx: (v, c) => c.n.datas.ref(v),
  tagidx: (v, c) => c.n.tags.ref(v),
  fieldidx: (v, c, ins) => c.n.fields(ins.args[0] as number).ref(v),
  u32: (v) => String(v >>> 0),
  lane: (v) => String(v),
  i32: (v) => formatI32(v),
  i64: (v) => formatI64(v),
  f32: (v) => formatF32(v),
  f64: (v) => formatF64(v),
  v128: (v) => v128(v),
  shuffle: (v) => [...v].join(' '),
  blocktype: (v, c) => blockType(v, c.n),
  memarg: (v, c, _ins, def) => memarg(v, def, c),
  brtable: (v, c) => [...v.labels, v.default].map((l) => labelRef(l, c)).join(' '),
  selecttypes: (v, c) => (v === null ? '' : v.length ? `(result ${valTypes(v, c.n)})` : '(result)'),
  heaptype: (v, c) => printHeapType(v, c.n),
  reftype: (v, c) => printRefType(v, c.n),
  brcast: (v, c) => `${labelRef(v.label, c)} ${printRefType(v.from, c.n)} ${printRefType(v.to, c.n)}`,
  catches: (v, c) =>
    v.map((h) => `(${h.kind}${h.tag === undefined ? '' : ' ' + c.n.tags.ref(h.tag)} ${labelRef(h.label, c)})`).join(' '),
  handlers: (v, c) =>
    v.map((h) => `(on ${c.n.tags.ref(h.tag)} ${h.label === null ? 'switch' : labelRef(h.label, c)})`).join(' '),
};

const join = (...parts: string[]): string => parts.filter((p) => p !== '').join(' ');

/** Instructions whose text order of immediates differs from the binary order. */
const SPECIAL: Partial<Record<OpName, (args: readonly unknown[], c: Ctx) => string>> = {
  call_indirect: ([t, tab], c) =>
    join((tab as number) === 0 ? '' : c.n.tables.ref(tab as number), `(type ${c.n.types.ref(t as number)})`),
  return_call_indirect: ([t, tab], c) =>
    join((tab as number) === 0 ? '' : c.n.tables.ref(tab as number), `(type ${c.n.types.ref(t as number)})`),
  'memory.init': ([d, mem], c) =>
    join((mem as number) === 0 ? '' : c.n.memories.ref(mem as number), c.n.datas.ref(d as number)),
  'table.init': ([e, tab], c) =>
    join((tab as number) === 0 ? '' : c.n.tables.ref(tab as number), c.n.elems.ref(e as number)),
};

/** Whether the table or memory indices of an instruction are all 0 (and can be left out). */
function defaultIdx(def: InstrDef, args: readonly unknown[]): boolean {
  return def.imm.every((k, i) => (k !== 'tableidx' && k !== 'memidx') || args[i] === 0);
}

/** The immediates of an instruction (everything after the mnemonic), in text order. */
function immediates(ins: Instr, c: Ctx): string {
  const def = BY_NAME.get(ins.op);
  if (!def) return '';
  const args = ins.args as readonly unknown[];
  const special = SPECIAL[ins.op];
  if (special) return special(args, c);
  const omit = defaultIdx(def, args);
  const parts: string[] = [];
  def.imm.forEach((k, i) => {
    if (omit && (k === 'tableidx' || k === 'memidx')) return;
    parts.push((IMM[k] as ImmPrinter<ImmKind>)(args[i] as never, c, ins, def));
  });
  return join(...parts);
}

/** One instruction on one line, outside any block context (labels print as depths). */
export function printInstr(ins: Instr, m?: Module): string {
  const c = constCtx(m ? new Namer(m.names) : NO_NAMES);
  return join(ins.op, immediates(ins, c));
}

const OPENERS: ReadonlySet<string> = new Set(['block', 'loop', 'if', 'try_table', 'try']);
/** Instructions that separate or close the parts of a block (never a constant on their own). */
const STRUCTURAL: ReadonlySet<string> = new Set(['end', 'else', 'catch', 'catch_all', 'delegate']);

/**
 * The lines of a function body (without its final `end`), each with its nesting depth.
 * Labels are named from `names.labels` by the ordinal of their block in the function.
 */
function bodyLines(body: Expr, c: Ctx, func: number | null): [number, string][] {
  const out: [number, string][] = [];
  let ordinal = 0;
  body.forEach((ins, i) => {
    const depth = c.labels.length - 1;
    if (ins.op === 'end') {
      if (c.labels.length <= 1 && i === body.length - 1) return; // the function's own end
      c.labels.pop();
      out.push([Math.max(depth - 1, 0), 'end']);
      return;
    }
    if (ins.op === 'else' || ins.op === 'catch' || ins.op === 'catch_all') {
      out.push([Math.max(depth - 1, 0), join(ins.op, immediates(ins, c))]);
      return;
    }
    if (ins.op === 'delegate') {
      // it closes the try like `end`, and its label is counted from outside the try
      if (c.labels.length > 1) c.labels.pop();
      out.push([Math.max(depth - 1, 0), join(ins.op, immediates(ins, c))]);
      return;
    }
    if (OPENERS.has(ins.op)) {
      const name = func === null ? undefined : c.n.label(func, ordinal);
      ordinal++;
      // catch clauses refer to labels outside the try_table: print them before pushing
      const imms = immediates(ins, c);
      const level = c.labels.length;
      // labels may repeat (an inner one shadows), so only an empty or `#` name is synthetic
      const synthetic = name !== undefined && needsSynthetic(name);
      const id = name === undefined ? undefined : synthetic ? syntheticId('label', ordinal - 1, name) : printId(name);
      c.labels.push({ id, level });
      const line = join(ins.op, id ?? '', synthetic ? nameAnnotation(name) : '', imms);
      out.push([depth, id === undefined ? `${line} ;; label = @${level}` : line]);
      return;
    }
    out.push([depth, join(ins.op, immediates(ins, c))]);
  });
  return out;
}

/** The instructions of a constant expression, flat on one line, without the final `end`. */
function flatExpr(e: Expr, n: Namer): string {
  const c = constCtx(n);
  const instrs = e.length > 0 && e[e.length - 1]!.op === 'end' ? e.slice(0, -1) : e;
  return join(...instrs.map((ins) => join(ins.op, immediates(ins, c))));
}

/**
 * A constant expression: folded `(instr)` when it is one plain instruction, else flat
 * (wrapped in `(head ...)` when a head is given).
 */
function constExpr(e: Expr, n: Namer, head?: string): string {
  const flat = flatExpr(e, n);
  const single = e.length === 2 && e[1]!.op === 'end' && !OPENERS.has(e[0]!.op) && !STRUCTURAL.has(e[0]!.op);
  if (single) return `(${flat})`;
  return head === undefined ? flat : `(${join(head, flat)})`;
}

// ---- modules -------------------------------------------------------------------

const SECTION_NAMES: Readonly<Record<number, string>> = {
  1: 'type', 2: 'import', 3: 'func', 4: 'table', 5: 'memory', 6: 'global', 7: 'export',
  8: 'start', 9: 'elem', 10: 'code', 11: 'data', 12: 'datacount', 13: 'tag',
};

const DATA_CHUNK = 64;
/** Indentation stops growing past this depth, so deeply nested code prints in linear size. */
const MAX_INDENT_DEPTH = 50;

export function printModule(m: Module, opts: PrintOptions = {}): string {
  const unit = ' '.repeat(opts.indent ?? 2);
  const n = new Namer(m.names);
  const lines: string[] = [];
  const line = (depth: number, text: string): void => {
    lines.push(unit.repeat(Math.min(depth, MAX_INDENT_DEPTH)) + text);
  };
  const subtypes = m.types.flatMap((g) => g.types);
  const funcType = (t: number): FuncType | undefined => {
    const st = subtypes[t];
    return st?.comp.kind === 'func' ? st.comp : undefined;
  };
  const typeUse = (t: number, locals?: Space): string => {
    const ft = funcType(t);
    return `(type ${n.types.ref(t)})${ft ? signature(ft, n, locals) : ''}`;
  };

  const mod = m.names.module;
  if (mod === undefined) lines.push('(module');
  else if (needsSynthetic(mod)) lines.push(`(module ${syntheticId('module', 0, mod)} ${nameAnnotation(mod)}`);
  else lines.push(`(module ${printId(mod)}`);

  // types
  let ti = 0;
  for (const g of m.types) {
    const one = (st: SubType, i: number): string => `(type ${n.types.bind(i)} ${printSubType(st, n, i)})`;
    if (!g.explicit && g.types.length === 1) {
      line(1, one(g.types[0]!, ti++));
    } else if (g.types.length === 0) {
      line(1, '(rec)');
    } else {
      line(1, '(rec');
      for (const st of g.types) line(2, one(st, ti++));
      line(1, ')');
    }
  }

  // imports
  const counts = { func: 0, table: 0, memory: 0, global: 0, tag: 0 };
  for (const im of m.imports) line(1, printImport(im, counts));
  function printImport(im: Import, k: typeof counts): string {
    const d = im.desc;
    const i = k[d.kind]++;
    let desc: string;
    switch (d.kind) {
      // the reference grammar takes a bare `(type x)` in an import (no params or results);
      // an imported function with named params is written as an inline import to name them
      case 'func':
        if (n.names?.locals.get(i)?.size && funcType(d.type)) {
          const where = `(import ${printString(im.module)} ${printString(im.name)})`;
          return `(func ${n.funcs.bind(i)} ${where} ${typeUse(d.type, n.locals(i))})`;
        }
        desc = `(func ${n.funcs.bind(i)} (type ${n.types.ref(d.type)}))`;
        break;
      case 'table':
        desc = `(table ${n.tables.bind(i)} ${tableType(d.type.addr, d.type.limits, d.type.elem)})`;
        break;
      case 'memory':
        desc = `(memory ${n.memories.bind(i)} ${memoryType(d.type)})`;
        break;
      case 'global':
        desc = `(global ${n.globals.bind(i)} ${globalType(d.type.mutable, d.type.type)})`;
        break;
      case 'tag':
        desc = `(tag ${n.tags.bind(i)} (type ${n.types.ref(d.type)}))`;
        break;
    }
    return `(import ${printString(im.module)} ${printString(im.name)} ${desc})`;
  }
  function tableType(addr: string, l: Limits, elem: RefType): string {
    return join(addr === 'i64' ? 'i64' : '', printLimits(l), printRefType(elem, n));
  }
  function memoryType(t: { addr: string; limits: Limits; shared?: boolean }): string {
    return join(t.addr === 'i64' ? 'i64' : '', printLimits(t.limits), t.shared ? 'shared' : '');
  }
  function globalType(mutable: boolean, t: ValType): string {
    return mutable ? `(mut ${printValType(t, n)})` : printValType(t, n);
  }

  // functions
  m.funcs.forEach((f, k) => printFunc(f, counts.func + k));
  function printFunc(f: Func, i: number): void {
    const locals = n.locals(i);
    const head = `(func ${n.funcs.bind(i)} ${typeUse(f.type, locals)}`;
    const ft = funcType(f.type);
    const nparams = ft ? ft.params.length : 0;
    // locals: named ones one by one, runs of unnamed ones together
    const decls: string[] = [];
    let anon: string[] = [];
    const flush = (): void => {
      if (anon.length) decls.push(`(local ${anon.join(' ')})`);
      anon = [];
    };
    f.locals.forEach((t, j) => {
      const id = ft ? locals.name(nparams + j) : '';
      if (id) {
        flush();
        decls.push(`(local ${id} ${printValType(t, n)})`);
      } else anon.push(printValType(t, n));
    });
    flush();
    // without a function type the params are not declared, so no local can be named
    const c: Ctx = { n, locals: ft ? locals : new Space(), labels: [{ id: undefined, level: 0 }] };
    const body = bodyLines(f.body, c, i);
    if (decls.length === 0 && body.length === 0) {
      line(1, head + ')');
      return;
    }
    line(1, head);
    if (decls.length) line(2, decls.join(' '));
    for (const [d, text] of body) line(2 + d, text);
    line(1, ')');
  }

  // tables, memories, globals, tags
  m.tables.forEach((t: Table, k) => {
    const i = counts.table + k;
    const init = t.init === null ? '' : ' ' + constExpr(t.init, n);
    line(1, `(table ${n.tables.bind(i)} ${tableType(t.type.addr, t.type.limits, t.type.elem)}${init})`);
  });
  m.memories.forEach((mem, k) => {
    line(1, `(memory ${n.memories.bind(counts.memory + k)} ${memoryType(mem.type)})`);
  });
  m.globals.forEach((g: Global, k) => {
    const i = counts.global + k;
    line(1, `(global ${n.globals.bind(i)} ${join(globalType(g.type.mutable, g.type.type), constExpr(g.init, n))})`);
  });
  m.tags.forEach((t, k) => {
    line(1, `(tag ${n.tags.bind(counts.tag + k)} ${typeUse(t.type)})`);
  });

  // exports, start
  const spaceOf = { func: n.funcs, table: n.tables, memory: n.memories, global: n.globals, tag: n.tags };
  for (const e of m.exports) {
    line(1, `(export ${printString(e.name)} (${e.kind} ${spaceOf[e.kind].ref(e.index)}))`);
  }
  if (m.start !== null) line(1, `(start ${n.funcs.ref(m.start)})`);

  // element and data segments
  m.elems.forEach((e: Elem, i) => line(1, printElem(e, i)));
  function printElem(e: Elem, i: number): string {
    const parts = [`(elem ${n.elems.bind(i)}`];
    if (e.mode.kind === 'declarative') parts.push('declare');
    else if (e.mode.kind === 'active') {
      if (e.mode.table !== 0) parts.push(`(table ${n.tables.ref(e.mode.table)})`);
      parts.push(constExpr(e.mode.offset, n, 'offset'));
    }
    const funcIdx = (x: Expr): number | undefined =>
      x.length === 2 && x[0]!.op === 'ref.func' && x[1]!.op === 'end' ? (x[0]!.args[0] as number) : undefined;
    if (!e.type.nullable && e.type.heap === 'func' && e.init.every((x) => funcIdx(x) !== undefined)) {
      parts.push('func');
      for (const x of e.init) parts.push(n.funcs.ref(funcIdx(x)!));
    } else {
      parts.push(printRefType(e.type, n));
      for (const x of e.init) parts.push(`(${join('item', flatExpr(x, n))})`);
    }
    return parts.join(' ') + ')';
  }
  m.datas.forEach((d: Data, i) => printData(d, i));
  function printData(d: Data, i: number): void {
    const parts = [`(data ${n.datas.bind(i)}`];
    if (d.mode.kind === 'active') {
      if (d.mode.memory !== 0) parts.push(`(memory ${n.memories.ref(d.mode.memory)})`);
      parts.push(constExpr(d.mode.offset, n, 'offset'));
    }
    if (d.init.length <= DATA_CHUNK) {
      parts.push(printBytes(d.init));
      line(1, parts.join(' ') + ')');
      return;
    }
    line(1, parts.join(' '));
    for (let k = 0; k < d.init.length; k += DATA_CHUNK) line(2, printBytes(d.init.subarray(k, k + DATA_CHUNK)));
    line(1, ')');
  }

  // custom sections
  for (const cs of m.customs) line(1, printCustom(cs));

  if (lines.length === 1) return lines[0] + ')\n';
  lines.push(')');
  return lines.join('\n') + '\n';
}

function printCustom(cs: Custom): string {
  const place = cs.after === 0 ? '(before first)' : `(after ${SECTION_NAMES[cs.after] ?? 'last'})`;
  return `(@custom ${printString(cs.name)} ${place} ${printBytes(cs.bytes)})`;
}

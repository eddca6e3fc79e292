// The WAT module parser (after the reference interpreter's parser.mly).
//
// A module is parsed in passes over its tokens, as the reference does with
// its staged semantic actions:
//   1. every field is skimmed (balanced parentheses) and its identifier bound
//      in its index space, so that any field may refer to any other;
//   2. type definitions are parsed (binding struct field names);
//   3. all other fields are parsed in textual order. Inline function types
//      (type uses without `(type x)`, block types with parameters or several
//      results) reuse the first existing plain function type with the same
//      signature or append a new one after the explicit types.
// The result is a fully resolved `Module`: instructions are flat, immediates
// in binary order (see opcodes.ts), identifiers only in `Module.names`. A
// `(@name "string")` annotation right after the identifier of a definition (or
// after its keyword when it has none) -- module, func, param, local, type,
// field, table, memory, global, tag, elem, data, block label -- gives its name
// in `Module.names` in place of the identifier: the printer writes one when a
// name is repeated or empty (see printer.ts). Other annotations are skipped.
//
// Error messages follow parser.mly, because `assert_malformed` compares
// message prefixes.

import {
  emptyModule, type Data, type Elem, type Export, type Expr, type Func, type Global, type Import,
  type ImportDesc, type Module, type Names, type Table,
} from '../syntax/ast.ts';
import {
  BY_NAME, type BlockType, type BrTable, type Catch, type CatchKind, type OnClause, type ImmKind,
  type InstrDef, type Instr, type MemArg,
} from '../syntax/opcodes.ts';
import {
  ref, valTypeEq, type AbsHeapType, type AddrType, type CompType, type ExternKind, type FieldType,
  type FuncType, type GlobalType, type HeapType, type Limits, type MemoryType, type RecType, type RefType,
  type StorageType, type SubType, type TableType, type ValType,
} from '../syntax/types.ts';
import { WasmError, WasmSyntaxError } from '../util/errors.ts';
import {
  parseF32, parseF64, parseI16, parseI32, parseI64, parseI8, parseU32, parseU64,
} from './numbers.ts';
import {
  ALIGN_EQ, annotationItems, decodeString, EOF, FLOAT, ID, INT, KEYWORD, LPAR, NAT, OFFSET_EQ, RPAR, STRING,
  stringAsText, TokenStream,
} from './lexer.ts';

interface InlineImport {
  readonly module: string;
  readonly name: string;
  readonly at: number;
}


// ---- tables of keywords ----------------------------------------------------------------

const ABS_HEAP: ReadonlyMap<string, AbsHeapType> = new Map(
  (['any', 'eq', 'i31', 'struct', 'array', 'none', 'func', 'nofunc', 'exn', 'noexn', 'extern', 'noextern',
    'cont', 'nocont'] as const).map((h) => [h, h]),
);

const VAL_TYPES: ReadonlyMap<string, ValType> = new Map<string, ValType>([
  ['i32', 'i32'], ['i64', 'i64'], ['f32', 'f32'], ['f64', 'f64'], ['v128', 'v128'],
  ['anyref', ref(true, 'any')], ['nullref', ref(true, 'none')], ['eqref', ref(true, 'eq')],
  ['i31ref', ref(true, 'i31')], ['structref', ref(true, 'struct')], ['arrayref', ref(true, 'array')],
  ['funcref', ref(true, 'func')], ['nullfuncref', ref(true, 'nofunc')], ['exnref', ref(true, 'exn')],
  ['nullexnref', ref(true, 'noexn')], ['externref', ref(true, 'extern')],
  ['nullexternref', ref(true, 'noextern')], ['contref', ref(true, 'cont')], ['nullcontref', ref(true, 'nocont')],
]);

/** Lanes of each v128 shape. */
export const SHAPES: ReadonlyMap<string, number> = new Map([
  ['i8x16', 16], ['i16x8', 8], ['i32x4', 4], ['i64x2', 2], ['f32x4', 4], ['f64x2', 2],
]);

const MODULE_FIELDS: ReadonlySet<string> = new Set([
  'type', 'rec', 'import', 'func', 'table', 'memory', 'global', 'tag', 'export', 'start', 'elem', 'data',
]);
export const isModuleField = (kw: string): boolean => MODULE_FIELDS.has(kw);

const BLOCK_OPS: ReadonlySet<string> = new Set(['block', 'loop', 'if', 'try_table', 'try']);
/** Instructions that only separate or close the parts of a block: they never start one. */
const STRUCTURAL: ReadonlySet<string> = new Set(['end', 'else', 'catch', 'catch_all', 'delegate']);

/** Section ids by name, for `@custom` placements. */
const SECTION_IDS: Readonly<Record<string, number>> = {
  type: 1, import: 2, func: 3, table: 4, memory: 5, global: 6, export: 7, start: 8, elem: 9, code: 10,
  data: 11, datacount: 12, tag: 13,
};
/** Section ids in binary order (0: before all sections). */
const SECTION_ORDER = [0, 1, 2, 3, 4, 5, 13, 6, 7, 8, 9, 12, 10, 11];

// ---- helpers ---------------------------------------------------------------------------

/** An identifier as the reference prints it in messages. */
export function printId(name: string): string {
  if (/^[A-Za-z0-9_]+$/.test(name)) return `$${name}`;
  let s = '';
  for (const ch of name) {
    const c = ch.codePointAt(0)!;
    if (c === 0x09) s += '\\t';
    else if (c === 0x0a) s += '\\n';
    else if (c === 0x22) s += '\\"';
    else if (c === 0x5c) s += '\\\\';
    else if (c >= 0x20 && c < 0x7f) s += ch;
    else s += `\\u{${c.toString(16).padStart(2, '0')}}`;
  }
  return `$"${s}"`;
}

interface Space {
  readonly what: string;
  readonly names: Map<string, number>;
  count: number;
}
const space = (what: string): Space => ({ what, names: new Map(), count: 0 });

/** A field of the module, found by the first pass. */
interface FieldRef {
  readonly kw: string;
  /** token index of its `(` */
  readonly pos: number;
  /** its index in its space (the first type's for `rec`; -1 for exports and start) */
  readonly index: number;
  /** character extent of the field */
  readonly start: number;
  readonly end: number;
  /** whether this field is (or contains) an import */
  readonly isImport: boolean;
  /** for definitions: the space kind, for the "import after" check */
  readonly defKind: string | null;
}

/** The state of a function body or constant expression being parsed. */
/** An open construct of the instruction grammar (see Parser.nest). */
type Nest =
  /** part: an if after its `else` (1); a try after a `catch` (1) or its `catch_all` (2) */
  | { readonly k: 'pblock'; readonly name: string; readonly label: string | null; part: 0 | 1 | 2 }
  | { readonly k: 'fblock'; readonly label: string | null }
  /** a folded legacy try; part 0: (do ...), 1: (catch ...), 2: (catch_all ...) */
  | { readonly k: 'ftry'; part: 0 | 1 | 2; readonly label: string | null }
  /** phase 0: conditions, 1: (then ...), 2: (else ...) */
  | {
    readonly k: 'fif'; phase: 0 | 1 | 2; readonly label: string | null; readonly name: string | null;
    readonly bt: BlockType; readonly at: number;
  }
  | { readonly k: 'fop'; readonly ins: Instr };

export interface Body {
  readonly out: Instr[];
  /** label names, innermost last; the function's own label is the first entry */
  readonly labels: (string | null)[];
  /** local names (null in constant expressions) */
  readonly locals: Map<string, number> | null;
  /** number of block instructions so far (the label index of the name section) */
  blocks: number;
  readonly labelNames: Map<number, string> | null;
}

interface TypeUse {
  /** `(type x)`, or null */
  readonly idx: number | null;
  readonly idxAt: number;
  readonly params: ValType[];
  /** the identifiers of the params, and their names (from `(@name ...)`, else the identifiers) */
  readonly paramIds: (string | null)[];
  readonly paramNames: (string | null)[];
  readonly paramAts: number[];
  readonly results: ValType[];
  /** whether any `(param ...)` or `(result ...)` was written */
  readonly inline: boolean;
  readonly at: number;
}

const mkInstr = (op: string, args: unknown[], at: number): Instr => ({ op, args, at }) as unknown as Instr;

/** `(i32|i64).const 0`: the offset of a segment written inline in its table or memory. */
const zeroOffset = (addr: AddrType): Expr => [
  mkInstr(addr === 'i64' ? 'i64.const' : 'i32.const', [addr === 'i64' ? 0n : 0], -1),
  mkInstr('end', [], -1),
];

type ImmParser = (p: Parser, b: Body, args: unknown[], def: InstrDef) => void;

// ---- the parser ------------------------------------------------------------------------

/** Parses module fields (and, for the script parser, constants) from a token stream. */
export class Parser {
  readonly ts: TokenStream;
  readonly m: Module;
  private readonly names: Names;
  readonly types = space('type');
  private readonly funcs = space('function');
  readonly tables = space('table');
  readonly memories = space('memory');
  private readonly globals = space('global');
  private readonly tags = space('tag');
  private readonly elems = space('elem segment');
  private readonly datas = space('data segment');
  private readonly fieldSpaces: Space[] = [];
  /** every type by index (explicit ones, then implicit ones as they are added) */
  private readonly subtypes: SubType[] = [];
  /** size of the rec group of each type */
  private readonly groupSizes: number[] = [];
  private readonly implicit: RecType[] = [];
  /** signature key -> index of the first plain function type with that signature */
  private readonly sigs = new Map<string, number>();
  private startAt = -1;

  constructor(ts: TokenStream) {
    this.ts = ts;
    this.m = emptyModule();
    this.names = this.m.names;
  }

  // ---- tokens ----

  fail(msg: string, at = this.ts.start()): never {
    throw new WasmSyntaxError(msg, at);
  }
  unexpected(): never {
    // like the reference's LR parser, which shifts a `(` and fails on what follows it
    const o = this.ts.kind() === LPAR && this.ts.kind(1) === KEYWORD ? 1 : 0;
    return this.fail('unexpected token', this.ts.start(o));
  }
  expect(kind: number): void {
    if (this.ts.kind() !== kind) this.unexpected();
    this.ts.pos++;
  }
  /** Consumes `(` kw. */
  open(kw: string): void {
    if (!this.ts.isOpen(kw)) this.unexpected();
    this.ts.pos += 2;
  }
  close(): void {
    this.expect(RPAR);
  }
  /** A string token as a UTF-8 name. */
  name(): string {
    if (this.ts.kind() !== STRING) this.unexpected();
    const s = this.ts.stringName();
    this.ts.pos++;
    return s;
  }
  /** Consecutive string tokens, concatenated. */
  strings(): Uint8Array {
    const parts: Uint8Array[] = [];
    let n = 0;
    while (this.ts.kind() === STRING) {
      const b = this.ts.stringBytes();
      parts.push(b);
      n += b.length;
      this.ts.pos++;
    }
    if (parts.length === 1) return parts[0]!;
    const out = new Uint8Array(n);
    let o = 0;
    for (const p of parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }
  /** An optional identifier. */
  optId(): string | null {
    if (this.ts.kind() !== ID) return null;
    const s = this.ts.idName();
    this.ts.pos++;
    return s;
  }
  /**
   * The string of a `(@name "string")` annotation right before the current token (that is,
   * after the identifier of the definition being bound, or after its keyword when it has
   * none), or null. It is the definition's name in the name section, in place of its
   * identifier: the text format needs unique identifiers, the name section does not.
   */
  nameAnnotation(): string | null {
    const found = this.ts.nameAnnotationsBefore();
    if (found.length === 0) return null;
    if (found.length > 1) this.fail('@name annotation: more than one', found[1]!.start);
    const a = found[0]!;
    const t = this.ts.text;
    const items = annotationItems(t, a.bodyStart, a.end - 1);
    const str = items[0];
    if (items.length !== 1 || str?.kind !== 'string') this.fail('@name annotation: expected one string', a.start);
    const name = stringAsText(t, str!.start + 1, str!.end - 1);
    if (name === null) this.fail('malformed UTF-8 encoding', str!.start);
    return name!;
  }
  /** Whether a parameter, local or field has an identifier or a name (its single, named form). */
  private isNamedDecl(): boolean {
    return this.ts.kind() === ID || this.ts.nameAnnotationsBefore().length > 0;
  }

  // ---- index spaces ----

  /** Binds the optional identifier (and `(@name ...)`) of the next definition in `sp`. */
  private bind(sp: Space, names: Map<number, string> | null): number {
    const ts = this.ts;
    let name: string | null = null;
    if (ts.kind() === ID) {
      name = ts.idName();
      if (sp.names.has(name)) this.fail(`duplicate ${sp.what} ${printId(name)}`);
      sp.names.set(name, sp.count);
      ts.pos++;
    }
    name = this.nameAnnotation() ?? name;
    if (name !== null) names?.set(sp.count, name);
    return sp.count++;
  }

  private lookup(sp: Space): number {
    const ts = this.ts;
    const k = ts.kind();
    if (k === NAT) {
      const v = parseU32(ts.tokenText());
      if (v === null) this.fail('i32 constant out of range');
      ts.pos++;
      return v!;
    }
    if (k === ID) {
      const name = ts.idName();
      const v = sp.names.get(name);
      if (v === undefined) this.fail(`unknown ${sp.what} ${printId(name)}`);
      ts.pos++;
      return v!;
    }
    return this.unexpected();
  }
  isVar(o = 0): boolean {
    const k = this.ts.kind(o);
    return k === NAT || k === ID;
  }
  optLookup(sp: Space): number {
    return this.isVar() ? this.lookup(sp) : 0;
  }

  typeIdx(): number {
    return this.lookup(this.types);
  }
  funcIdx(): number {
    return this.lookup(this.funcs);
  }
  tableIdx(): number {
    return this.lookup(this.tables);
  }
  memIdx(): number {
    return this.lookup(this.memories);
  }
  globalIdx(): number {
    return this.lookup(this.globals);
  }
  tagIdx(): number {
    return this.lookup(this.tags);
  }
  elemIdx(): number {
    return this.lookup(this.elems);
  }
  dataIdx(): number {
    this.m.dataCount = true;
    return this.lookup(this.datas);
  }
  fieldIdx(type: number): number {
    const ts = this.ts;
    if (ts.kind() === ID) {
      const name = ts.idName();
      const v = this.fieldSpaces[type]?.names.get(name);
      if (v === undefined) this.fail(`unknown field ${printId(name)}`);
      ts.pos++;
      return v!;
    }
    return this.lookup(space('field'));
  }
  localIdx(b: Body): number {
    const ts = this.ts;
    if (ts.kind() === ID) {
      const name = ts.idName();
      const v = b.locals?.get(name);
      if (v === undefined) this.fail(`unknown local ${printId(name)}`);
      ts.pos++;
      return v!;
    }
    return this.lookup(space('local'));
  }
  labelIdx(b: Body): number {
    const ts = this.ts;
    if (ts.kind() === ID) {
      const name = ts.idName();
      const ls = b.labels;
      for (let i = ls.length - 1; i >= 0; i--) {
        if (ls[i] === name) {
          ts.pos++;
          return ls.length - 1 - i;
        }
      }
      this.fail(`unknown label ${printId(name)}`);
    }
    return this.lookup(space('label'));
  }

  // ---- types ----

  heapType(): HeapType {
    const ts = this.ts;
    if (ts.kind() === KEYWORD) {
      const h = ABS_HEAP.get(ts.tokenText());
      if (h === undefined) this.unexpected();
      ts.pos++;
      return h!;
    }
    return this.typeIdx();
  }

  refType(): RefType {
    const ts = this.ts;
    if (ts.kind() === KEYWORD) {
      const t = VAL_TYPES.get(ts.tokenText());
      if (t === undefined || typeof t !== 'object') this.unexpected();
      ts.pos++;
      return t as RefType;
    }
    if (!ts.isOpen('ref')) this.unexpected();
    ts.pos += 2;
    let nullable = false;
    if (ts.isKw('null')) {
      nullable = true;
      ts.pos++;
    }
    const h = this.heapType();
    this.close();
    return ref(nullable, h);
  }

  valType(): ValType {
    const ts = this.ts;
    if (ts.kind() === KEYWORD) {
      const t = VAL_TYPES.get(ts.tokenText());
      if (t === undefined) this.unexpected();
      ts.pos++;
      return t!;
    }
    return this.refType();
  }

  /** Value types up to the next `)`. */
  private valTypes(out: ValType[]): void {
    while (this.ts.kind() !== RPAR) out.push(this.valType());
  }

  private storageType(): StorageType {
    if (this.ts.isKw('i8') || this.ts.isKw('i16')) {
      const t = this.ts.tokenText() as 'i8' | 'i16';
      this.ts.pos++;
      return t;
    }
    return this.valType();
  }

  private fieldType(): FieldType {
    if (this.ts.isOpen('mut')) {
      this.ts.pos += 2;
      const type = this.storageType();
      this.close();
      return { mutable: true, type };
    }
    return { mutable: false, type: this.storageType() };
  }

  private globalType(): GlobalType {
    if (this.ts.isOpen('mut')) {
      this.ts.pos += 2;
      const type = this.valType();
      this.close();
      return { mutable: true, type };
    }
    return { mutable: false, type: this.valType() };
  }

  private addrType(): AddrType {
    const ts = this.ts;
    if (ts.isKw('i32') || ts.isKw('i64')) {
      const a = ts.tokenText() as AddrType;
      ts.pos++;
      return a;
    }
    if (ts.isKw('f32') || ts.isKw('f64')) this.fail('malformed address type');
    return 'i32';
  }

  private u64(): bigint {
    if (this.ts.kind() !== NAT) this.unexpected();
    const v = parseU64(this.ts.tokenText());
    if (v === null) this.fail('i64 constant out of range');
    this.ts.pos++;
    return v!;
  }

  u32(): number {
    if (this.ts.kind() !== NAT) this.unexpected();
    const v = parseU32(this.ts.tokenText());
    if (v === null) this.fail('i32 constant out of range');
    this.ts.pos++;
    return v!;
  }

  private limits(): Limits {
    const min = this.u64();
    const max = this.ts.kind() === NAT ? this.u64() : null;
    return { min, max };
  }

  private tableType(): TableType {
    const addr = this.addrType();
    const limits = this.limits();
    return { addr, limits, elem: this.refType() };
  }

  private memoryType(): MemoryType {
    const addr = this.addrType();
    return { addr, limits: this.limits() };
  }

  /** Parses `(type x)? (param ...)* (result ...)*`. */
  private typeUse(names: boolean): TypeUse {
    const ts = this.ts;
    const at = ts.start();
    let idx: number | null = null;
    let idxAt = at;
    if (ts.isOpen('type')) {
      ts.pos += 2;
      idxAt = ts.start();
      idx = this.typeIdx();
      this.close();
    }
    const params: ValType[] = [];
    const paramIds: (string | null)[] = [];
    const paramNames: (string | null)[] = [];
    const paramAts: number[] = [];
    const results: ValType[] = [];
    let inline = false;
    while (ts.isOpen('param')) {
      inline = true;
      ts.pos += 2;
      if (ts.kind() === ID || (names && this.isNamedDecl())) {
        if (!names) this.unexpected();
        const pat = ts.start();
        const id = this.optId();
        paramNames.push(this.nameAnnotation() ?? id);
        paramIds.push(id);
        params.push(this.valType());
        paramAts.push(pat);
      } else {
        while (ts.kind() !== RPAR) {
          paramAts.push(ts.start());
          params.push(this.valType());
          paramIds.push(null);
          paramNames.push(null);
        }
      }
      this.close();
    }
    while (ts.isOpen('result')) {
      inline = true;
      ts.pos += 2;
      this.valTypes(results);
      this.close();
    }
    // out of order: a syntax error, which the reference reports before any type mismatch
    if (ts.isOpen('param') || ts.isOpen('type')) this.fail('unexpected token', ts.start(1));
    // as in the reference, an empty `(param)`/`(result)` does not make an inline type
    inline &&= params.length > 0 || results.length > 0;
    return { idx, idxAt, params, paramIds, paramNames, paramAts, results, inline, at };
  }

  private funcTypeOf(x: number, at: number): FuncType {
    const st = this.subtypes[x];
    if (st === undefined) this.fail(`unknown type ${x}`, at);
    if (st!.comp.kind !== 'func') this.fail(`non-function type ${x}`, at);
    return st!.comp as FuncType;
  }

  /** The type index of a type use (checking inline types against an explicit one). */
  private resolveTypeUse(u: TypeUse): number {
    if (u.idx !== null) {
      if (u.inline) {
        const ft = this.funcTypeOf(u.idx, u.idxAt);
        if (!sameTypes(ft.params, u.params) || !sameTypes(ft.results, u.results)) {
          this.fail('inline function type does not match explicit type', u.idxAt);
        }
      }
      return u.idx;
    }
    return this.implicitType(u.params, u.results);
  }

  /** The first plain function type with this signature, or a new one appended to the types. */
  private implicitType(params: readonly ValType[], results: readonly ValType[]): number {
    const key = sigKey(params, results);
    const found = this.sigs.get(key);
    if (found !== undefined) return found;
    const st: SubType = { final: true, supers: [], comp: { kind: 'func', params, results } };
    const idx = this.subtypes.length;
    this.subtypes.push(st);
    this.groupSizes.push(1);
    this.implicit.push({ types: [st] });
    this.types.count = Math.max(this.types.count, idx + 1);
    this.sigs.set(key, idx);
    return idx;
  }

  // ---- pass 1: binding ----

  /** Skims the fields from pos up to `)`/EOF, binding identifiers. */
  private collect(): FieldRef[] {
    const ts = this.ts;
    const fields: FieldRef[] = [];
    while (ts.kind() !== RPAR && ts.kind() !== EOF) {
      if (ts.kind() !== LPAR || ts.kind(1) !== KEYWORD) this.unexpected();
      const pos = ts.pos;
      const kw = ts.tokenText(1);
      let index = -1;
      let isImport = false;
      let defKind: string | null = null;
      switch (kw) {
        case 'type':
          ts.pos += 2;
          index = this.bindType();
          break;
        case 'rec': {
          ts.pos += 2;
          index = this.types.count;
          while (ts.kind() === LPAR) {
            if (ts.isKw('type', 1)) {
              const p = ts.pos;
              ts.pos += 2;
              this.bindType();
              ts.pos = p;
            }
            if (!ts.skipGroup()) this.unexpected();
          }
          break;
        }
        case 'func': case 'table': case 'memory': case 'global': case 'tag': {
          ts.pos += 2;
          const sp = this.spaceOf(kw);
          index = this.bind(sp, this.nameMapOf(kw));
          // inline exports, then maybe an inline import
          while (ts.isOpen('export')) if (!ts.skipGroup()) this.unexpected();
          if (ts.isOpen('import')) {
            isImport = true;
          } else {
            defKind = kw === 'func' ? 'function' : kw;
            if (kw === 'table' || kw === 'memory') {
              // an inline (elem ...) / (data ...) defines a segment
              const seg = kw === 'table' ? 'elem' : 'data';
              const p = ts.pos;
              while (ts.kind() !== RPAR && ts.kind() !== EOF) {
                if (ts.kind() === LPAR) {
                  if (ts.isKw(seg, 1)) (kw === 'table' ? this.elems : this.datas).count++;
                  if (!ts.skipGroup()) break;
                } else ts.pos++;
              }
              ts.pos = p;
            }
          }
          break;
        }
        case 'elem':
          ts.pos += 2;
          index = this.bind(this.elems, this.names.elems);
          break;
        case 'data':
          ts.pos += 2;
          index = this.bind(this.datas, this.names.datas);
          break;
        case 'import': {
          isImport = true;
          ts.pos += 2;
          if (ts.kind() === STRING && ts.kind(1) === STRING && ts.kind(2) === LPAR && ts.kind(3) === KEYWORD) {
            const k = ts.tokenText(3);
            if (k === 'func' || k === 'table' || k === 'memory' || k === 'global' || k === 'tag') {
              ts.pos += 4;
              index = this.bind(this.spaceOf(k), this.nameMapOf(k));
            }
          }
          break;
        }
        case 'export': case 'start':
          break;
        default:
          ts.pos++;
          this.unexpected();
      }
      ts.pos = pos;
      const start = ts.start();
      if (!ts.skipGroup()) this.unexpected();
      fields.push({ kw, pos, index, isImport, defKind, start, end: ts.end(-1) });
    }
    return fields;
  }

  private bindType(): number {
    const i = this.bind(this.types, this.names.types);
    this.fieldSpaces[i] = space('field');
    return i;
  }

  private spaceOf(kw: string): Space {
    switch (kw) {
      case 'func': return this.funcs;
      case 'table': return this.tables;
      case 'memory': return this.memories;
      case 'global': return this.globals;
      default: return this.tags;
    }
  }
  private nameMapOf(kw: string): Map<number, string> {
    switch (kw) {
      case 'func': return this.names.funcs;
      case 'table': return this.names.tables;
      case 'memory': return this.names.memories;
      case 'global': return this.names.globals;
      default: return this.names.tags;
    }
  }

  // ---- the module ----

  /**
   * Parses module fields from pos up to (not including) `)` or EOF. `(@custom ...)`
   * annotations from offset `from` up to there become custom sections. With a `header`
   * (the fields follow `(module $id?`), a `(@name ...)` before them names the module.
   */
  moduleFields(id: string | null, from = this.ts.start(), header = true): Module {
    const ts = this.ts;
    // after `(module $id?`, a `(@name ...)` names the module
    const name = (header ? this.nameAnnotation() : null) ?? id;
    if (name !== null) this.names.module = name;
    const fields = this.collect();
    const endPos = ts.pos;
    // pass 2: types
    for (const f of fields) {
      if (f.kw === 'type' || f.kw === 'rec') {
        ts.pos = f.pos;
        this.typeField(f);
      }
    }
    this.types.count = this.subtypes.length;
    for (let i = 0; i < this.subtypes.length; i++) {
      const st = this.subtypes[i]!;
      if (this.groupSizes[i] === 1 && st.final && st.supers.length === 0 && st.comp.kind === 'func') {
        const key = sigKey(st.comp.params, st.comp.results);
        if (!this.sigs.has(key)) this.sigs.set(key, i);
      }
    }
    // pass 3: everything else
    for (const f of fields) {
      if (f.kw === 'type' || f.kw === 'rec') continue;
      ts.pos = f.pos;
      this.field(f);
    }
    this.checkImportOrder(fields);
    this.m.types.push(...this.implicit);
    ts.pos = endPos;
    this.customSections(from, ts.start(), fields);
    return this.m;
  }

  /** `(@custom "name" (before|after section)? "bytes"*)` annotations in text[from, to). */
  private customSections(from: number, to: number, fields: FieldRef[]): void {
    const t = this.ts.text;
    for (const a of this.ts.customs) {
      if (a.start < from || a.end > to) continue;
      for (const f of fields) if (a.start > f.start && a.end <= f.end) this.fail('misplaced @custom annotation', a.start);
      const items = annotationItems(t, a.bodyStart, a.end - 1);
      const err = (msg: string, at = a.start): never => this.fail(`@custom annotation: ${msg}`, at);
      const atom = (k: number): string | null => (items[k]?.kind === 'atom' ? t.slice(items[k]!.start, items[k]!.end) : null);
      const first = items[0];
      if (first?.kind !== 'string') return err('missing section name');
      const name = stringAsText(t, first.start + 1, first.end - 1) ?? err('malformed UTF-8 encoding', first.start);
      let k = 1;
      let rank = SECTION_ORDER.length - 1; // after last
      if (items[k]?.kind === '(') {
        const dir = atom(k + 1);
        if (dir !== 'before' && dir !== 'after') return err('malformed placement', items[k]!.start);
        const sec = atom(k + 2);
        let id = sec === null ? undefined : SECTION_IDS[sec];
        if (sec === 'first') id = 1;
        if (sec === 'last') id = 11;
        if (id === undefined) return err('malformed section kind', items[k]!.start);
        if (items[k + 3]?.kind !== ')') return err('unexpected token', items[k + 3]?.start ?? a.start);
        rank = SECTION_ORDER.indexOf(id) - (dir === 'before' ? 1 : 0);
        k += 4;
      }
      const parts: Uint8Array[] = [];
      while (items[k]?.kind === 'string') {
        parts.push(decodeString(t, items[k]!.start + 1, items[k]!.end - 1));
        k++;
      }
      if (k < items.length) err('unexpected token', items[k]!.start);
      const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      let o = 0;
      for (const p of parts) {
        bytes.set(p, o);
        o += p.length;
      }
      // in textual order: the encoder places each after its section
      this.m.customs.push({ name, bytes, after: SECTION_ORDER[rank]! });
    }
  }

  private checkImportOrder(fields: FieldRef[]): void {
    let lastImport = -1;
    for (let i = 0; i < fields.length; i++) if (fields[i]!.isImport) lastImport = i;
    for (let i = lastImport - 1; i >= 0; i--) {
      const f = fields[i]!;
      if (f.defKind !== null) {
        let j = i + 1;
        while (!fields[j]!.isImport) j++;
        this.fail(`import after ${f.defKind} definition`, this.importAt(fields[j]!));
      }
    }
  }

  private importAt(f: FieldRef): number {
    const ts = this.ts;
    ts.pos = f.pos;
    if (f.kw === 'import') return ts.start();
    ts.pos += 2;
    if (ts.kind() === ID) ts.pos++;
    while (ts.isOpen('export')) ts.skipGroup();
    return ts.start();
  }

  private typeField(f: FieldRef): void {
    const ts = this.ts;
    if (f.kw === 'type') {
      const st = this.typeDef(f.index);
      this.subtypes[f.index] = st;
      this.groupSizes[f.index] = 1;
      this.m.types.push({ types: [st], at: f.start });
      return;
    }
    ts.pos += 2;
    const sts: SubType[] = [];
    let i = f.index;
    while (ts.kind() !== RPAR) {
      if (!ts.isOpen('type')) this.unexpected();
      sts.push(this.typeDef(i++));
    }
    this.close();
    for (let k = 0; k < sts.length; k++) {
      this.subtypes[f.index + k] = sts[k]!;
      this.groupSizes[f.index + k] = sts.length;
    }
    this.m.types.push({ types: sts, explicit: true, at: f.start });
  }

  /** `(type $id? subtype)` */
  private typeDef(idx: number): SubType {
    const ts = this.ts;
    this.open('type');
    if (ts.kind() === ID) ts.pos++;
    let st: SubType;
    if (ts.isOpen('sub')) {
      ts.pos += 2;
      let final = false;
      if (ts.isKw('final')) {
        final = true;
        ts.pos++;
      }
      const supers: number[] = [];
      while (this.isVar()) supers.push(this.typeIdx());
      const comp = this.compType(idx);
      this.close();
      st = { final, supers, comp };
    } else {
      st = { final: true, supers: [], comp: this.compType(idx) };
    }
    this.close();
    return st;
  }

  private compType(idx: number): CompType {
    const ts = this.ts;
    if (ts.kind() !== LPAR || ts.kind(1) !== KEYWORD) this.unexpected();
    const kw = ts.tokenText(1);
    ts.pos += 2;
    let comp: CompType;
    switch (kw) {
      case 'func': {
        const u = this.typeUse(true);
        if (u.idx !== null) this.fail('unexpected token', u.at);
        comp = { kind: 'func', params: u.params, results: u.results };
        break;
      }
      case 'struct': {
        const fields: FieldType[] = [];
        const sp = this.fieldSpaces[idx] ?? (this.fieldSpaces[idx] = space('field'));
        let names: Map<number, string> | undefined;
        while (ts.isOpen('field')) {
          ts.pos += 2;
          if (this.isNamedDecl()) {
            let name: string | null = null;
            if (ts.kind() === ID) {
              name = ts.idName();
              if (sp.names.has(name)) this.fail(`duplicate field ${printId(name)}`);
              sp.names.set(name, sp.count);
              ts.pos++;
            }
            name = this.nameAnnotation() ?? name;
            if (name !== null) {
              if (!names) this.names.fields.set(idx, (names = new Map()));
              names.set(sp.count, name);
            }
            sp.count++;
            fields.push(this.fieldType());
          } else {
            while (ts.kind() !== RPAR) {
              fields.push(this.fieldType());
              sp.count++;
            }
          }
          this.close();
        }
        comp = { kind: 'struct', fields };
        break;
      }
      case 'array':
        comp = { kind: 'array', field: this.fieldType() };
        break;
      case 'cont': {
        if (this.isVar()) comp = { kind: 'cont', type: this.typeIdx() };
        else {
          const u = this.typeUse(false);
          const type = u.idx !== null && !u.inline ? u.idx : this.resolveTypeUse(u);
          comp = { kind: 'cont', type };
        }
        break;
      }
      default:
        ts.pos--;
        return this.unexpected();
    }
    this.close();
    return comp;
  }

  private field(f: FieldRef): void {
    switch (f.kw) {
      case 'import': return this.importField();
      case 'func': return this.funcField(f);
      case 'table': return this.tableField(f);
      case 'memory': return this.memoryField(f);
      case 'global': return this.globalField(f);
      case 'tag': return this.tagField(f);
      case 'export': return this.exportField();
      case 'start': return this.startField();
      case 'elem': return this.elemField();
      case 'data': return this.dataField();
    }
  }

  /** Inline `(export "name")*` of a definition. */
  private inlineExports(kind: ExternKind, index: number): void {
    const ts = this.ts;
    while (ts.isOpen('export')) {
      const at = ts.start();
      ts.pos += 2;
      const name = this.name();
      this.close();
      this.m.exports.push({ name, kind, index, at });
    }
  }

  /** An inline `(import "m" "n")`, or null. */
  /**
   * The head of a field that can be exported and imported inline: `(kind $id? (export "n")*
   * (import "m" "n")?`. Returns where the field starts and its inline import, if any.
   */
  private fieldHead(kind: ExternKind, index: number): { at: number; imp: InlineImport | null } {
    const ts = this.ts;
    const at = ts.start();
    ts.pos += 2;
    if (ts.kind() === ID) ts.pos++;
    this.inlineExports(kind, index);
    return { at, imp: this.inlineImport() };
  }

  /** The rest of a field imported inline: closes it and adds the import. */
  private inlineImportField(imp: InlineImport, desc: ImportDesc): void {
    this.close();
    this.m.imports.push({ module: imp.module, name: imp.name, desc, at: imp.at });
  }

  private inlineImport(): InlineImport | null {
    const ts = this.ts;
    if (!ts.isOpen('import')) return null;
    const at = ts.start();
    ts.pos += 2;
    const module = this.name();
    const name = this.name();
    this.close();
    return { module, name, at };
  }

  /**
   * The type of an imported function or tag: a type use, `(type x)` and inline parameters and
   * results included (the spec's `typeuse`; Binaryen prints its imports so; the reference
   * interpreter's parser takes either but not both in an `import` field).
   */
  private importTypeUse(): number {
    return this.resolveTypeUse(this.typeUse(true));
  }

  /** An imported function's type use, its parameters' names kept for function `index` (the name section says them). */
  private importFuncTypeUse(index: number): number {
    const u = this.typeUse(true);
    const nameMap = new Map<number, string>();
    if (u.idx === null || u.inline) u.paramNames.forEach((n, i) => n !== null && nameMap.set(i, n));
    if (nameMap.size > 0) this.names.locals.set(index, nameMap);
    return this.resolveTypeUse(u);
  }

  private importField(): void {
    const ts = this.ts;
    const at = ts.start();
    ts.pos += 2;
    const module = this.name();
    const name = this.name();
    if (ts.kind() !== LPAR || ts.kind(1) !== KEYWORD) this.unexpected();
    const kw = ts.tokenText(1);
    ts.pos += 2;
    if (ts.kind() === ID) ts.pos++;
    let imp: Import;
    switch (kw) {
      case 'func': {
        // (imports come before definitions: its index is the count of function imports so far)
        const index = this.m.imports.reduce((n, im) => n + (im.desc.kind === 'func' ? 1 : 0), 0);
        imp = { module, name, desc: { kind: 'func', type: this.importFuncTypeUse(index) }, at };
        break;
      }
      case 'tag':
        imp = { module, name, desc: { kind: 'tag', type: this.importTypeUse() }, at };
        break;
      case 'table':
        imp = { module, name, desc: { kind: 'table', type: this.tableType() }, at };
        break;
      case 'memory':
        imp = { module, name, desc: { kind: 'memory', type: this.memoryType() }, at };
        break;
      case 'global':
        imp = { module, name, desc: { kind: 'global', type: this.globalType() }, at };
        break;
      default:
        ts.pos--;
        return this.unexpected();
    }
    this.close();
    this.close();
    this.m.imports.push(imp);
  }

  private funcField(f: FieldRef): void {
    const ts = this.ts;
    const { at, imp } = this.fieldHead('func', f.index);
    if (imp) return this.inlineImportField(imp, { kind: 'func', type: this.importFuncTypeUse(f.index) });
    const u = this.typeUse(true);
    const type = this.resolveTypeUse(u);
    const names = new Map<string, number>();
    const nameMap = new Map<number, string>();
    // the number of parameters, or null until a named local needs it (`(type x)` alone)
    let base: number | null = null;
    if (u.idx === null || u.inline) {
      for (let i = 0; i < u.params.length; i++) {
        const id = u.paramIds[i];
        if (id != null) {
          if (names.has(id)) this.fail(`duplicate local ${printId(id)}`, u.paramAts[i]);
          names.set(id, i);
        }
        const n = u.paramNames[i];
        if (n != null) nameMap.set(i, n);
      }
      base = u.params.length;
    }
    const localTypes: ValType[] = [];
    while (ts.isOpen('local')) {
      ts.pos += 2;
      if (this.isNamedDecl()) {
        const nat = ts.start();
        const id = this.optId();
        const n = this.nameAnnotation() ?? id;
        base ??= this.funcTypeOf(type, u.idxAt).params.length;
        const idx = base + localTypes.length;
        if (id !== null) {
          if (names.has(id)) this.fail(`duplicate local ${printId(id)}`, nat);
          names.set(id, idx);
        }
        if (n !== null) nameMap.set(idx, n);
        localTypes.push(this.valType());
      } else {
        while (ts.kind() !== RPAR) localTypes.push(this.valType());
      }
      this.close();
    }
    const funcIndex = f.index;
    const labelNames = new Map<number, string>();
    const body: Body = { out: [], labels: [null], locals: names, blocks: 0, labelNames };
    this.instrs(body);
    body.out.push(mkInstr('end', [], ts.start()));
    this.close();
    if (nameMap.size > 0) this.names.locals.set(funcIndex, nameMap);
    if (labelNames.size > 0) this.names.labels.set(funcIndex, labelNames);
    const fn: Func = { type, locals: localTypes, body: body.out, at };
    this.m.funcs.push(fn);
  }

  private tableField(f: FieldRef): void {
    const ts = this.ts;
    const { at, imp } = this.fieldHead('table', f.index);
    if (imp) return this.inlineImportField(imp, { kind: 'table', type: this.tableType() });
    const addr = this.addrType();
    if (ts.kind() === NAT) {
      const limits = this.limits();
      const elem = this.refType();
      let init: Expr | null = null;
      if (ts.kind() !== RPAR) {
        const b = this.constBody();
        if (!this.isInstrStart()) this.unexpected();
        this.instrs(b);
        init = this.finish(b);
      }
      this.close();
      const t: Table = { type: { addr, limits, elem }, init, at };
      this.m.tables.push(t);
      return;
    }
    // (table addr? reftype (elem ...))
    const elem = this.refType();
    const eat = ts.start();
    this.open('elem');
    const init: Expr[] = [];
    if (this.isVar() || ts.kind() === RPAR) {
      while (this.isVar()) {
        const a = ts.start();
        init.push([mkInstr('ref.func', [this.funcIdx()], a), mkInstr('end', [], -1)]);
      }
    } else {
      while (ts.kind() !== RPAR) init.push(this.elemExpr());
    }
    this.close();
    this.close();
    const n = BigInt(init.length);
    this.m.tables.push({ type: { addr, limits: { min: n, max: n }, elem }, init: null, at });
    const offset = zeroOffset(addr);
    const seg: Elem = { type: elem, init, mode: { kind: 'active', table: f.index, offset }, at: eat };
    this.m.elems.push(seg);
  }

  private memoryField(f: FieldRef): void {
    const ts = this.ts;
    const { at, imp } = this.fieldHead('memory', f.index);
    if (imp) return this.inlineImportField(imp, { kind: 'memory', type: this.memoryType() });
    const addr = this.addrType();
    if (ts.isOpen('data')) {
      const dat = ts.start();
      ts.pos += 2;
      const bytes = this.strings();
      this.close();
      this.close();
      const pages = (BigInt(bytes.length) + 65535n) / 65536n;
      this.m.memories.push({ type: { addr, limits: { min: pages, max: pages } }, at });
      const offset = zeroOffset(addr);
      const d: Data = { init: bytes, mode: { kind: 'active', memory: f.index, offset }, at: dat };
      this.m.datas.push(d);
      return;
    }
    const limits = this.limits();
    this.close();
    this.m.memories.push({ type: { addr, limits }, at });
  }

  private globalField(f: FieldRef): void {
    const ts = this.ts;
    const { at, imp } = this.fieldHead('global', f.index);
    if (imp) return this.inlineImportField(imp, { kind: 'global', type: this.globalType() });
    const type = this.globalType();
    const b = this.constBody();
    this.instrs(b);
    const init = this.finish(b);
    this.close();
    const g: Global = { type, init, at };
    this.m.globals.push(g);
  }

  private tagField(f: FieldRef): void {
    const ts = this.ts;
    const { at, imp } = this.fieldHead('tag', f.index);
    const type = this.importTypeUse();
    if (imp) return this.inlineImportField(imp, { kind: 'tag', type });
    this.close();
    this.m.tags.push({ type, at });
  }

  private exportField(): void {
    const ts = this.ts;
    const at = ts.start();
    ts.pos += 2;
    const name = this.name();
    if (ts.kind() !== LPAR || ts.kind(1) !== KEYWORD) this.unexpected();
    const kw = ts.tokenText(1);
    ts.pos += 2;
    let kind: ExternKind;
    let index: number;
    switch (kw) {
      case 'func': kind = 'func'; index = this.funcIdx(); break;
      case 'table': kind = 'table'; index = this.tableIdx(); break;
      case 'memory': kind = 'memory'; index = this.memIdx(); break;
      case 'global': kind = 'global'; index = this.globalIdx(); break;
      case 'tag': kind = 'tag'; index = this.tagIdx(); break;
      default:
        ts.pos--;
        return this.unexpected();
    }
    this.close();
    this.close();
    const e: Export = { name, kind, index, at };
    this.m.exports.push(e);
  }

  private startField(): void {
    const ts = this.ts;
    const at = ts.start();
    ts.pos += 2;
    const x = this.funcIdx();
    this.close();
    // reported at the first start, as the reference does
    if (this.startAt >= 0) this.fail('multiple start sections', this.startAt);
    this.startAt = at;
    this.m.start = x;
  }

  /** `(offset instr*)` or a folded instruction. */
  private offsetExpr(): Expr {
    const ts = this.ts;
    const b = this.constBody();
    if (ts.isOpen('offset')) {
      ts.pos += 2;
      this.instrs(b);
      this.close();
    } else {
      if (ts.kind() !== LPAR || !this.isInstrStart()) this.unexpected();
      this.folded(b);
    }
    return this.finish(b);
  }

  /** `(item instr*)` or a folded instruction. */
  private elemExpr(): Expr {
    const ts = this.ts;
    const b = this.constBody();
    if (ts.isOpen('item')) {
      ts.pos += 2;
      this.instrs(b);
      this.close();
    } else {
      if (ts.kind() !== LPAR || !this.isInstrStart()) this.unexpected();
      this.folded(b);
    }
    return this.finish(b);
  }

  /** `func funcidx*` or `reftype elemexpr*`. */
  private elemList(): { type: RefType; init: Expr[] } {
    const ts = this.ts;
    const init: Expr[] = [];
    if (ts.isKw('func')) {
      ts.pos++;
      while (this.isVar()) {
        const a = ts.start();
        init.push([mkInstr('ref.func', [this.funcIdx()], a), mkInstr('end', [], -1)]);
      }
      return { type: ref(false, 'func'), init };
    }
    const type = this.refType();
    while (ts.kind() === LPAR) init.push(this.elemExpr());
    return { type, init };
  }

  private elemField(): void {
    const ts = this.ts;
    const at = ts.start();
    ts.pos += 2;
    if (ts.kind() === ID) ts.pos++;
    let seg: Elem;
    if (ts.isOpen('table')) {
      ts.pos += 2;
      const table = this.tableIdx();
      this.close();
      const offset = this.offsetExpr();
      const { type, init } = this.elemList();
      seg = { type, init, mode: { kind: 'active', table, offset }, at };
    } else if (ts.isKw('declare')) {
      ts.pos++;
      const { type, init } = this.elemList();
      seg = { type, init, mode: { kind: 'declarative' }, at };
    } else if (ts.kind() === LPAR && (ts.isKw('offset', 1) || this.isInstrStart())) {
      const offset = this.offsetExpr();
      if (this.isVar() || ts.kind() === RPAR) {
        const init: Expr[] = [];
        while (this.isVar()) {
          const a = ts.start();
          init.push([mkInstr('ref.func', [this.funcIdx()], a), mkInstr('end', [], -1)]);
        }
        seg = { type: ref(false, 'func'), init, mode: { kind: 'active', table: 0, offset }, at };
      } else {
        const { type, init } = this.elemList();
        seg = { type, init, mode: { kind: 'active', table: 0, offset }, at };
      }
    } else {
      const { type, init } = this.elemList();
      seg = { type, init, mode: { kind: 'passive' }, at };
    }
    this.close();
    this.m.elems.push(seg);
  }

  private dataField(): void {
    const ts = this.ts;
    const at = ts.start();
    ts.pos += 2;
    if (ts.kind() === ID) ts.pos++;
    let d: Data;
    if (ts.isOpen('memory')) {
      ts.pos += 2;
      const memory = this.memIdx();
      this.close();
      const offset = this.offsetExpr();
      d = { init: this.strings(), mode: { kind: 'active', memory, offset }, at };
    } else if (ts.kind() === LPAR) {
      const offset = this.offsetExpr();
      d = { init: this.strings(), mode: { kind: 'active', memory: 0, offset }, at };
    } else {
      d = { init: this.strings(), mode: { kind: 'passive' }, at };
    }
    this.close();
    this.m.datas.push(d);
  }

  // ---- instructions ----

  private constBody(): Body {
    return { out: [], labels: [], locals: null, blocks: 0, labelNames: null };
  }
  private finish(b: Body): Expr {
    b.out.push(mkInstr('end', [], this.ts.start()));
    return b.out;
  }

  /** Whether the tokens at pos start an instruction (plain keyword or `(` keyword). */
  private isInstrStart(): boolean {
    const ts = this.ts;
    let o = 0;
    if (ts.kind() === LPAR) o = 1;
    if (ts.kind(o) !== KEYWORD) return false;
    const name = ts.tokenText(o);
    return !STRUCTURAL.has(name) && BY_NAME.has(name);
  }

  /** instr* : stops at the first token that cannot start an instruction. */
  private instrs(b: Body): void {
    this.nest(b, false);
  }

  /** Exactly one folded instruction `( ... )` at pos. */
  private folded(b: Body): void {
    this.nest(b, true);
  }

  /** Numbers a block (in instruction order, for the name section) and records its label name. */
  private numberBlock(b: Body, name: string | null): void {
    const idx = b.blocks++;
    if (name !== null) b.labelNames?.set(idx, name);
  }

  /** The label of a block: its identifier (returned) and its name (numbered). */
  private bindLabel(b: Body): string | null {
    const id = this.optId();
    this.numberBlock(b, this.nameAnnotation() ?? id);
    return id;
  }

  /** An optional label after `end`/`else`, which must match the block's. */
  private endLabel(label: string | null): void {
    const ts = this.ts;
    if (ts.kind() === ID) {
      if (ts.idName() !== label) this.fail('mismatching label');
      ts.pos++;
    }
  }

  /**
   * The instruction grammar, flat and folded, parsed with an explicit stack of open
   * constructs rather than recursion: compilers emit thousands of nested blocks (e.g. for
   * br_table dispatch), far more than the JavaScript stack allows.
   */
  private nest(b: Body, single: boolean): void {
    const ts = this.ts;
    const stack: Nest[] = [];
    if (single) this.foldedStart(b, stack);
    for (;;) {
      const top = stack.length === 0 ? undefined : stack[stack.length - 1]!;
      if (top === undefined && single) return;
      if (top === undefined || top.k === 'pblock' || top.k === 'fblock' || top.k === 'ftry' || (top.k === 'fif' && top.phase !== 0)) {
        // An instruction sequence.
        const k = ts.kind();
        if (k === KEYWORD) {
          const name = ts.tokenText();
          const def = BY_NAME.get(name);
          if (def !== undefined && !STRUCTURAL.has(name)) {
            this.plainStart(b, def, name, stack);
            continue;
          }
        } else if (k === LPAR && ts.kind(1) === KEYWORD) {
          const name = ts.tokenText(1);
          if (!STRUCTURAL.has(name) && BY_NAME.has(name)) {
            this.foldedStart(b, stack);
            continue;
          }
        }
        // The sequence ends here: close the construct it belongs to.
        if (top === undefined) return;
        if (top.k === 'pblock') {
          if (top.name === 'if' && top.part === 0 && ts.isKw('else')) {
            const eat = ts.start();
            ts.pos++;
            this.endLabel(top.label);
            b.out.push(mkInstr('else', [], eat));
            top.part = 1;
            continue;
          }
          if (top.name === 'try' && top.part < 2 && (ts.isKw('catch') || ts.isKw('catch_all'))) {
            this.handlerStart(b, top, 0);
            continue;
          }
          if (top.name === 'try' && top.part === 0 && ts.isKw('delegate')) {
            this.delegate(b, 0);
            stack.pop();
            continue;
          }
          if (!ts.isKw('end')) this.unexpected();
          const eat = ts.start();
          ts.pos++;
          this.endLabel(top.label);
          b.out.push(mkInstr('end', [], eat));
        } else if (top.k === 'fblock') {
          b.out.push(mkInstr('end', [], ts.start()));
          this.close();
        } else if (top.k === 'ftry') {
          this.close(); // (do ...), (catch ...) or (catch_all ...)
          if (top.part < 2 && (ts.isOpen('catch') || ts.isOpen('catch_all'))) {
            this.handlerStart(b, top, 1);
            continue;
          }
          if (top.part === 0 && ts.isOpen('delegate')) {
            this.delegate(b, 1);
            this.close(); // (delegate ...)
            this.close(); // (try ...)
            stack.pop();
            continue;
          }
          b.out.push(mkInstr('end', [], ts.start()));
          this.close();
        } else {
          this.close(); // (then ...) or (else ...)
          if (top.phase === 1 && ts.isOpen('else')) {
            b.out.push(mkInstr('else', [], ts.start(1)));
            ts.pos += 2;
            top.phase = 2;
            continue;
          }
          b.out.push(mkInstr('end', [], ts.start()));
          this.close();
        }
        b.labels.pop();
        stack.pop();
      } else if (top.k === 'fif') {
        // Conditions of a folded `if`, evaluated in the enclosing block, then `(then`.
        if (ts.kind() === LPAR && !ts.isKw('then', 1)) {
          if (!this.isInstrStart()) this.unexpected();
          this.foldedStart(b, stack);
          continue;
        }
        this.numberBlock(b, top.name);
        b.out.push(mkInstr('if', [top.bt], top.at));
        b.labels.push(top.label);
        this.open('then');
        top.phase = 1;
      } else {
        // Operands of a folded plain instruction, which follows them.
        if (ts.kind() === LPAR) {
          if (!this.isInstrStart()) this.unexpected();
          this.foldedStart(b, stack);
          continue;
        }
        this.close();
        b.out.push(top.ins);
        stack.pop();
      }
    }
  }

  /** A flat instruction (the keyword at pos); a block instruction opens a construct. */
  private plainStart(b: Body, def: InstrDef, name: string, stack: Nest[]): void {
    const ts = this.ts;
    const at = ts.start();
    ts.pos++;
    if (BLOCK_OPS.has(name)) {
      const label = this.bindLabel(b);
      const bt = this.blockType();
      const args: unknown[] = [bt];
      if (name === 'try_table') args.push(this.catches(b));
      b.out.push(mkInstr(name, args, at));
      b.labels.push(label);
      stack.push({ k: 'pblock', name, label, part: 0 });
      return;
    }
    b.out.push(mkInstr(name, this.immediates(b, def, name), at));
  }

  /** The head of a folded instruction `( ...` at pos; opens its construct. */
  private foldedStart(b: Body, stack: Nest[]): void {
    const ts = this.ts;
    ts.pos++; // (
    if (ts.kind() !== KEYWORD) this.unexpected();
    const name = ts.tokenText();
    const def = BY_NAME.get(name);
    if (def === undefined || STRUCTURAL.has(name)) this.unexpected();
    const at = ts.start();
    ts.pos++;
    if (name === 'block' || name === 'loop' || name === 'try_table') {
      const label = this.bindLabel(b);
      const bt = this.blockType();
      const args: unknown[] = [bt];
      if (name === 'try_table') args.push(this.catches(b));
      b.out.push(mkInstr(name, args, at));
      b.labels.push(label);
      stack.push({ k: 'fblock', label });
    } else if (name === 'try') {
      const label = this.bindLabel(b);
      const bt = this.blockType();
      b.out.push(mkInstr(name, [bt], at));
      b.labels.push(label);
      this.open('do');
      stack.push({ k: 'ftry', part: 0, label });
    } else if (name === 'if') {
      const label = this.optId();
      const labelName = this.nameAnnotation() ?? label;
      const bt = this.blockType();
      stack.push({ k: 'fif', phase: 0, label, name: labelName, bt, at });
    } else {
      stack.push({ k: 'fop', ins: mkInstr(name, this.immediates(b, def!, name), at) });
    }
  }

  /**
   * `catch x` or `catch_all` of a legacy try, flat or (after `(`, at offset 1) folded:
   * a new handler in the same block, the try's label still in scope.
   */
  private handlerStart(b: Body, top: { part: 0 | 1 | 2 }, o: 0 | 1): void {
    const ts = this.ts;
    const all = ts.isKw('catch_all', o);
    const at = ts.start(o);
    ts.pos += o + 1;
    b.out.push(mkInstr(all ? 'catch_all' : 'catch', all ? [] : [this.tagIdx()], at));
    top.part = all ? 2 : 1;
  }

  /**
   * `delegate l`, flat or (after `(`, at offset 1) folded: it closes the try, and its label
   * is resolved outside it (`delegate 0` names the enclosing block).
   */
  private delegate(b: Body, o: 0 | 1): void {
    const ts = this.ts;
    const at = ts.start(o);
    ts.pos += o + 1;
    b.labels.pop();
    b.out.push(mkInstr('delegate', [this.labelIdx(b)], at));
  }

  /** `(type x)? (param t*)* (result t*)*` of a block. */
  private blockType(): BlockType {
    const u = this.typeUse(false);
    if (u.idx !== null) return { type: this.resolveTypeUse(u) };
    if (u.params.length === 0) {
      if (u.results.length === 0) return null;
      if (u.results.length === 1) return u.results[0]!;
    }
    return { type: this.implicitType(u.params, u.results) };
  }

  /** `(catch $tag $l)`... of try_table, labels resolved outside the block. */
  private catches(b: Body): Catch[] {
    const ts = this.ts;
    const out: Catch[] = [];
    for (;;) {
      if (ts.kind() !== LPAR || ts.kind(1) !== KEYWORD) return out;
      const kw = ts.tokenText(1);
      if (kw !== 'catch' && kw !== 'catch_ref' && kw !== 'catch_all' && kw !== 'catch_all_ref') return out;
      ts.pos += 2;
      const kind = kw as CatchKind;
      if (kind === 'catch' || kind === 'catch_ref') {
        const tag = this.tagIdx();
        out.push({ kind, tag, label: this.labelIdx(b) });
      } else out.push({ kind, label: this.labelIdx(b) });
      this.close();
    }
  }

  private immediates(b: Body, def: InstrDef, name: string): unknown[] {
    const special = SPECIAL[name];
    const args: unknown[] = [];
    if (special) {
      special(this, b, args, def);
      return args;
    }
    for (const k of def.imm) IMM[k](this, b, args, def);
    return args;
  }

  // ---- immediates (used by the IMM table) ----

  /** A numeric literal token. */
  numToken(): string {
    const k = this.ts.kind();
    if (k !== NAT && k !== INT && k !== FLOAT) this.unexpected();
    return this.ts.tokenText();
  }

  /** A constant of a number type. */
  num<T>(parse: (s: string) => T | null): T {
    const tok = this.numToken();
    const v = parse(tok);
    if (v === null) this.fail('constant out of range');
    this.ts.pos++;
    return v!;
  }

  /** The lanes of `v128.const shape ...` (after the keyword). */
  v128(): Uint8Array {
    const ts = this.ts;
    const at = ts.start(-1);
    if (ts.kind() !== KEYWORD) this.unexpected();
    const shape = ts.tokenText();
    const lanes = SHAPES.get(shape);
    if (lanes === undefined) this.unexpected();
    ts.pos++;
    const toks: { s: string; at: number }[] = [];
    while (ts.kind() === NAT || ts.kind() === INT || ts.kind() === FLOAT) {
      toks.push({ s: ts.tokenText(), at: ts.start() });
      ts.pos++;
    }
    if (toks.length !== lanes) this.fail('wrong number of lane literals', at);
    const out = new Uint8Array(16);
    const dv = new DataView(out.buffer);
    const bad = (x: { at: number }): never => this.fail('constant out of range', x.at);
    toks.forEach((t, i) => {
      switch (shape) {
        case 'i8x16': { const v = parseI8(t.s); if (v === null) bad(t); dv.setInt8(i, v!); break; }
        case 'i16x8': { const v = parseI16(t.s); if (v === null) bad(t); dv.setInt16(i * 2, v!, true); break; }
        case 'i32x4': { const v = parseI32(t.s); if (v === null) bad(t); dv.setInt32(i * 4, v!, true); break; }
        case 'i64x2': { const v = parseI64(t.s); if (v === null) bad(t); dv.setBigInt64(i * 8, v!, true); break; }
        case 'f32x4': { const v = parseF32(t.s); if (v === null) bad(t); dv.setUint32(i * 4, v!, true); break; }
        default: { const v = parseF64(t.s); if (v === null) bad(t); dv.setBigUint64(i * 8, v!, true); break; }
      }
    });
    return out;
  }

  laneIndex(): number {
    const ts = this.ts;
    if (ts.kind() !== NAT) this.unexpected();
    const v = parseU32(ts.tokenText());
    if (v === null || v >= 256) this.fail('malformed lane index');
    ts.pos++;
    return v!;
  }

  shuffle(): Uint8Array {
    const ts = this.ts;
    const at = ts.start(-1);
    const out: number[] = [];
    while (ts.kind() === NAT || ts.kind() === INT || ts.kind() === FLOAT) {
      const v = parseU32(ts.tokenText());
      if (v === null || v >= 256) this.fail('malformed lane index');
      out.push(v!);
      ts.pos++;
    }
    if (out.length !== 16) this.fail('invalid lane length', at);
    return Uint8Array.from(out);
  }

  /** `offset=N? align=N?` with a default alignment (log2). */
  private memargRest(mem: number, align: number): MemArg {
    const ts = this.ts;
    let offset = 0n;
    if (ts.kind() === OFFSET_EQ) {
      const v = parseU64(ts.tokenText().slice(7));
      if (v === null) this.fail('i64 constant out of range');
      offset = v!;
      ts.pos++;
    }
    if (ts.kind() === ALIGN_EQ) {
      const v = parseU64(ts.tokenText().slice(6));
      if (v === null) this.fail('i64 constant out of range');
      if (v! === 0n || (v! & (v! - 1n)) !== 0n) this.fail('alignment must be a power of two');
      align = v!.toString(2).length - 1;
      ts.pos++;
    }
    return { align, offset, mem };
  }

  memarg(def: InstrDef): MemArg {
    const mem = this.optLookup(this.memories);
    return this.memargRest(mem, def.align ?? 0);
  }

  /** Memory, memarg and lane of `v128.load8_lane` etc. */
  laneMemarg(def: InstrDef): [MemArg, number] {
    const ts = this.ts;
    const k = ts.kind();
    let mem = 0;
    if (k === ID) mem = this.memIdx();
    else if (k === NAT) {
      const k1 = ts.kind(1);
      if (k1 === NAT || k1 === OFFSET_EQ || k1 === ALIGN_EQ) mem = this.memIdx();
    }
    const ma = this.memargRest(mem, def.align ?? 0);
    return [ma, this.laneIndex()];
  }

  selectTypes(): ValType[] | null {
    const ts = this.ts;
    let out: ValType[] | null = null;
    while (ts.isOpen('result')) {
      ts.pos += 2;
      out ??= [];
      this.valTypes(out);
      this.close();
    }
    return out;
  }

  brTable(b: Body): BrTable {
    const labels: number[] = [this.labelIdx(b)];
    while (this.isVar()) labels.push(this.labelIdx(b));
    const d = labels.pop()!;
    return { labels, default: d };
  }

  handlers(b: Body): OnClause[] {
    const ts = this.ts;
    const out: OnClause[] = [];
    // `(tag $t $l)`: the handler syntax of the typed-continuations drafts before `on` (benchfx's
    // and older wasmfxtime programs are written in it); the same clause, labels only
    for (let legacy = false; (legacy = ts.isOpen('tag')) || ts.isOpen('on'); ) {
      ts.pos += 2;
      const tag = this.tagIdx();
      if (!legacy && ts.isKw('switch')) {
        ts.pos++;
        out.push({ tag, label: null });
      } else out.push({ tag, label: this.labelIdx(b) });
      this.close();
    }
    return out;
  }

  /** `call_indirect $table? typeuse` */
  callIndirect(args: unknown[]): void {
    const table = this.optLookup(this.tables);
    const u = this.typeUse(false);
    args.push(this.resolveTypeUse(u), table);
  }
}

// ---- immediate parsers by kind ----------------------------------------------------------

/** Block types and catches are parsed with their block instruction. */
const notHere: ImmParser = (p) => p.unexpected();

const IMM: Record<ImmKind, ImmParser> = {
  typeidx: (p, _b, a) => void a.push(p.typeIdx()),
  funcidx: (p, _b, a) => void a.push(p.funcIdx()),
  tableidx: (p, _b, a) => void a.push(p.optLookup(p.tables)),
  memidx: (p, _b, a) => void a.push(p.optLookup(p.memories)),
  globalidx: (p, _b, a) => void a.push(p.globalIdx()),
  localidx: (p, b, a) => void a.push(p.localIdx(b)),
  labelidx: (p, b, a) => void a.push(p.labelIdx(b)),
  elemidx: (p, _b, a) => void a.push(p.elemIdx()),
  dataidx: (p, _b, a) => void a.push(p.dataIdx()),
  tagidx: (p, _b, a) => void a.push(p.tagIdx()),
  fieldidx: (p, _b, a) => void a.push(p.fieldIdx(a[a.length - 1] as number)),
  u32: (p, _b, a) => void a.push(p.u32()),
  lane: (p, _b, a) => void a.push(p.laneIndex()),
  i32: (p, _b, a) => void a.push(p.num(parseI32)),
  i64: (p, _b, a) => void a.push(p.num(parseI64)),
  f32: (p, _b, a) => void a.push(p.num(parseF32)),
  f64: (p, _b, a) => void a.push(p.num(parseF64)),
  v128: (p, _b, a) => void a.push(p.v128()),
  shuffle: (p, _b, a) => void a.push(p.shuffle()),
  blocktype: notHere,
  catches: notHere,
  memarg: (p, _b, a, d) => void a.push(p.memarg(d)),
  brtable: (p, b, a) => void a.push(p.brTable(b)),
  selecttypes: (p, _b, a) => void a.push(p.selectTypes()),
  heaptype: (p, _b, a) => void a.push(p.heapType()),
  reftype: (p, _b, a) => void a.push(p.refType()),
  brcast: (p, b, a) => {
    const label = p.labelIdx(b);
    const from = p.refType();
    const to = p.refType();
    a.push({ label, from, to });
  },
  handlers: (p, b, a) => void a.push(p.handlers(b)),
};

/** Instructions whose text immediates differ from the binary order or are optional in pairs. */
const SPECIAL: Partial<Record<string, ImmParser>> = {
  // memory.init $mem? $data  ->  [data, mem]
  'memory.init': (p, _b, a) => {
    if (p.isVar() && p.isVar(1)) {
      const mem = p.memIdx();
      a.push(p.dataIdx(), mem);
    } else a.push(p.dataIdx(), 0);
  },
  // table.init $table? $elem  ->  [elem, table]
  'table.init': (p, _b, a) => {
    if (p.isVar() && p.isVar(1)) {
      const table = p.tableIdx();
      a.push(p.elemIdx(), table);
    } else a.push(p.elemIdx(), 0);
  },
  'table.copy': (p, _b, a) => {
    if (p.isVar()) {
      const d = p.tableIdx();
      a.push(d, p.tableIdx());
    } else a.push(0, 0);
  },
  'memory.copy': (p, _b, a) => {
    if (p.isVar()) {
      const d = p.memIdx();
      a.push(d, p.memIdx());
    } else a.push(0, 0);
  },
  call_indirect: (p, _b, a) => p.callIndirect(a),
  return_call_indirect: (p, _b, a) => p.callIndirect(a),
};
for (const name of ['load', 'store']) {
  for (const n of [8, 16, 32, 64]) {
    SPECIAL[`v128.${name}${n}_lane`] = (p, _b, a, d) => void a.push(...p.laneMemarg(d));
  }
}

// ---- helpers -----------------------------------------------------------------------------

const sameTypes = (a: readonly ValType[], b: readonly ValType[]): boolean =>
  a.length === b.length && a.every((t, i) => valTypeEq(t, b[i]!));

const typeKey = (t: ValType): string =>
  typeof t === 'string' ? t : `${t.nullable ? 'n' : 'r'}${typeof t.heap === 'number' ? `#${t.heap}` : t.heap}`;

const sigKey = (params: readonly ValType[], results: readonly ValType[]): string =>
  `${params.map(typeKey).join(',')}>${results.map(typeKey).join(',')}`;

// ---- entry points ---------------------------------------------------------------------------

/**
 * Parses one module starting at the token stream's position: fields up to
 * (not including) the closing `)` or EOF. For the script parser.
 */
export function parseModuleFields(ts: TokenStream, id: string | null, from?: number): Module {
  return new Parser(ts).moduleFields(id, from);
}

/** Parses a WAT module: `(module $id? field*)` or just `field*`. */
export function parseModule(text: string, file?: string): Module {
  const ts = new TokenStream(text);
  try {
    let m: Module;
    if (ts.isOpen('module')) {
      const from = ts.start();
      ts.pos += 2;
      let id: string | null = null;
      if (ts.kind() === ID) {
        id = ts.idName();
        ts.pos++;
      }
      m = new Parser(ts).moduleFields(id, from);
      if (ts.kind() !== RPAR) throw new WasmSyntaxError('unexpected token', ts.start());
      ts.pos++;
    } else m = new Parser(ts).moduleFields(null, 0, false);
    if (ts.kind() !== EOF) throw new WasmSyntaxError('unexpected token', ts.start());
    return m;
  } catch (e) {
    if (e instanceof WasmError) e.in({ name: file ?? '<input>', text });
    throw e;
  }
}

// The state of the validator while it checks one instruction sequence (a
// function body or a constant expression): the module context, the operand
// stack and the control stack, after the algorithm of the spec's appendix.
// The typing rules (rules.ts and the generic rule for rows with a `sig`)
// drive it through the methods below.
//
// Error messages follow the reference interpreter (valid/valid.ml), whose
// wording the spec tests' assert_invalid compares by prefix.

import type { Module } from '../syntax/ast.ts';
import type { BlockType } from '../syntax/opcodes.ts';
import type { HeapType, MemoryType, RefType, ValType } from '../syntax/types.ts';
import { ValidationError } from '../util/errors.ts';
import type { SourceFile } from '../util/source.ts';
import {
  BOT, type CArrayType, type CContType, type CFuncType, type CGlobalType, type CRefType, type CStructType,
  type CTableType, type CValType, type DefType, type DefNamer, isSubtype, refType, resultTypeToString,
  valTypeToString,
} from './types.ts';

/** What the module offers to instructions (the reference interpreter's context). */
export interface ModuleContext {
  readonly module: Module;
  readonly types: readonly DefType[];
  readonly funcs: readonly DefType[];
  readonly tables: readonly CTableType[];
  readonly memories: readonly MemoryType[];
  readonly globals: readonly CGlobalType[];
  readonly tags: readonly DefType[];
  readonly elems: readonly CRefType[];
  readonly datas: number;
  /** functions that `ref.func` may name in function bodies */
  readonly refs: ReadonlySet<number>;
}

export const EMPTY: readonly CValType[] = Object.freeze([]);

// Frame kinds.
export const BLOCK = 0;
export const LOOP = 1;
export const IF = 2;
const ELSE = 3;
export const TRY = 4;
export const OUTER = 5;
// Legacy exception handling: a `try` becomes CATCH at its first `catch` and CATCH_ALL at
// its `catch_all`, as an `if` becomes ELSE; `rethrow` needs to tell handlers apart.
export const LEGACY_TRY = 6;
export const CATCH = 7;
export const CATCH_ALL = 8;

export class Frame {
  kind = BLOCK;
  start: readonly CValType[] = EMPTY;
  end: readonly CValType[] = EMPTY;
  /** operand stack height at entry */
  height = 0;
  unreachable = false;
  /** height of the local initialisation log at entry */
  inits = 0;
}

export interface BlockSig {
  readonly params: readonly CValType[];
  readonly results: readonly CValType[];
}

const NO_BLOCK: BlockSig = { params: EMPTY, results: EMPTY };
const SINGLE = new Map<CValType, BlockSig>();

/** The block signature [] -> [t], shared. */
function singleBlock(t: CValType): BlockSig {
  let s = SINGLE.get(t);
  if (s === undefined) SINGLE.set(t, (s = { params: EMPTY, results: [t] }));
  return s;
}

/** The result type [t], shared. */
export const singleton = (t: CValType): readonly CValType[] => singleBlock(t).results;

export class Checker {
  ctx: ModuleContext;
  source: SourceFile | undefined;
  /** the operand stack */
  readonly vals: CValType[] = [];
  /** the control stack (frames are reused; `depth` of them are live) */
  readonly frames: Frame[] = [];
  depth = 0;
  /** the function's locals (params first) and whether each is initialised */
  locals: readonly CValType[] = EMPTY;
  localInit: Uint8Array = new Uint8Array(0);
  /** locals initialised since some frame's entry, to forget at its end */
  readonly initLog: number[] = [];
  results: readonly CValType[] = EMPTY;
  /** offset of the instruction being checked */
  at = -1;
  func: number | undefined = undefined;
  funcName: string | undefined = undefined;
  private typeNames: Map<DefType, number> | null = null;

  constructor(ctx: ModuleContext, source?: SourceFile) {
    this.ctx = ctx;
    this.source = source;
  }

  // ---- errors ---------------------------------------------------------------------

  error(msg: string): never {
    throw new ValidationError(msg, this.at, this.func, this.funcName, this.source);
  }

  require(ok: boolean, msg: string): void {
    if (!ok) this.error(msg);
  }

  /** Names defined types by their (first) type index in the module, for messages. */
  readonly namer: DefNamer = (dt) => {
    if (this.typeNames === null) {
      this.typeNames = new Map();
      this.ctx.types.forEach((t, i) => {
        if (!this.typeNames!.has(t)) this.typeNames!.set(t, i);
      });
    }
    const i = this.typeNames.get(dt);
    return i === undefined ? undefined : String(i);
  };

  str(t: CValType): string {
    return valTypeToString(t, this.namer);
  }

  strs(ts: readonly CValType[]): string {
    return resultTypeToString(ts, this.namer);
  }

  // ---- context look-ups -----------------------------------------------------------------

  private unknown(what: string, x: number): never {
    this.error(`unknown ${what} ${x >>> 0}`);
  }

  type(x: number): DefType {
    return this.ctx.types[x] ?? this.unknown('type', x);
  }

  funcType(x: number): CFuncType {
    const c = this.type(x).comp;
    return c.kind === 'func' ? c : this.error(`non-function type ${x | 0}`);
  }

  contType(x: number): CContType {
    const c = this.type(x).comp;
    return c.kind === 'cont' ? c : this.error(`non-continuation type ${x | 0}`);
  }

  structType(x: number): CStructType {
    const c = this.type(x).comp;
    return c.kind === 'struct' ? c : this.error(`non-structure type ${x >>> 0}`);
  }

  arrayType(x: number): CArrayType {
    const c = this.type(x).comp;
    return c.kind === 'array' ? c : this.error(`non-array type ${x >>> 0}`);
  }

  /** The function type of a continuation type. */
  contFuncType(ct: CContType): CFuncType {
    const c = ct.type.comp;
    return c.kind === 'func' ? c : this.error('non-function type');
  }

  /** The function type of a continuation heap type (a DefType expected to be a cont type). */
  contFuncTypeOfHeap(dt: DefType): CFuncType {
    const c = dt.comp;
    if (c.kind !== 'cont') this.error(`non-continuation type ${this.namer(dt) ?? dt.toString()}`);
    return this.contFuncType(c);
  }

  funcOf(x: number): CFuncType {
    const dt = this.ctx.funcs[x] ?? this.unknown('function', x);
    return dt.comp as CFuncType;
  }

  funcDef(x: number): DefType {
    return this.ctx.funcs[x] ?? this.unknown('function', x);
  }

  table(x: number): CTableType {
    return this.ctx.tables[x] ?? this.unknown('table', x);
  }

  memory(x: number): MemoryType {
    return this.ctx.memories[x] ?? this.unknown('memory', x);
  }

  global(x: number): CGlobalType {
    return this.ctx.globals[x] ?? this.unknown('global', x);
  }

  tag(x: number): DefType {
    return this.ctx.tags[x] ?? this.unknown('tag', x);
  }

  tagType(x: number): CFuncType {
    const c = this.tag(x).comp;
    return c.kind === 'func' ? c : this.error('non-function type');
  }

  elem(x: number): CRefType {
    return this.ctx.elems[x] ?? this.unknown('elem segment', x);
  }

  data(x: number): void {
    if (!(x >= 0 && x < this.ctx.datas)) this.unknown('data segment', x);
  }

  local(x: number): CValType {
    return this.locals[x] ?? this.unknown('local', x);
  }

  /** The types a branch to label `l` carries. */
  label(l: number): readonly CValType[] {
    if (!(l >= 0 && l < this.depth)) this.unknown('label', l);
    const f = this.frames[this.depth - 1 - l]!;
    return f.kind === LOOP ? f.start : f.end;
  }

  refer(x: number): void {
    if (!this.ctx.refs.has(x)) this.error(`undeclared function reference ${x >>> 0}`);
  }

  // ---- types written in instructions ------------------------------------------------------

  heapType(h: HeapType): CRefType['heap'] {
    if (typeof h === 'string') return h;
    return this.type(h);
  }

  refType(t: RefType): CRefType {
    return refType(t.nullable, this.heapType(t.heap));
  }

  valType(t: ValType): CValType {
    return typeof t === 'string' ? t : this.refType(t);
  }

  blockType(bt: BlockType): BlockSig {
    if (bt === null) return NO_BLOCK;
    if (typeof bt === 'object' && 'type' in bt) return this.funcType(bt.type);
    return singleBlock(this.valType(bt));
  }

  // ---- the operand stack -------------------------------------------------------------------

  push(t: CValType): void {
    this.vals.push(t);
  }

  pushAll(ts: readonly CValType[]): void {
    for (let i = 0; i < ts.length; i++) this.vals.push(ts[i]!);
  }

  /** The type i slots below the top of the current block's stack, or bot. */
  peek(i: number): CValType {
    const k = this.vals.length - 1 - i;
    return k >= this.frames[this.depth - 1]!.height ? this.vals[k]! : BOT;
  }

  /** The top as a reference type (bot gives `(ref bot)`). */
  peekRef(i: number): CRefType {
    const t = this.peek(i);
    if (t === BOT) return refType(false, 'bot');
    if (typeof t !== 'object') {
      this.error(`type mismatch: instruction requires reference type but stack has ${this.str(t)}`);
    }
    return t;
  }

  /** Pops `ts` (followed by `last`, when given), checking the stack's types are subtypes. */
  pop(ts: readonly CValType[], last?: CValType): void {
    const vals = this.vals;
    const f = this.frames[this.depth - 1]!;
    const n0 = ts.length;
    const n = last === undefined ? n0 : n0 + 1;
    const len = vals.length;
    const avail = len - f.height;
    if (avail >= n) {
      const b = len - n;
      for (let i = 0; i < n0; i++) {
        const a = vals[b + i]!;
        const e = ts[i]!;
        if (a !== e && !isSubtype(a, e)) this.popError(ts, last);
      }
      if (last !== undefined) {
        const a = vals[len - 1]!;
        if (a !== last && !isSubtype(a, last)) this.popError(ts, last);
      }
      vals.length = b;
    } else {
      if (!f.unreachable) this.popError(ts, last);
      const k = n - avail;
      for (let i = 0; i < avail; i++) {
        const j = k + i;
        const e = j < n0 ? ts[j]! : last!;
        const a = vals[f.height + i]!;
        if (a !== e && !isSubtype(a, e)) this.popError(ts, last);
      }
      vals.length = f.height;
    }
  }

  /** Pops one value of type t. */
  pop1(t: CValType): void {
    const vals = this.vals;
    const len = vals.length;
    const f = this.frames[this.depth - 1]!;
    if (len > f.height) {
      const a = vals[len - 1]!;
      if (a !== t && !isSubtype(a, t)) this.popError(EMPTY, t);
      vals.length = len - 1;
    } else if (!f.unreachable) this.popError(EMPTY, t);
  }

  private popError(ts: readonly CValType[], last: CValType | undefined): never {
    const want = last === undefined ? [...ts] : [...ts, last];
    this.error(`type mismatch: instruction requires ${this.strs(want)} but stack has ${this.strs(this.stackView(want.length))}`);
  }

  /** What the reference interpreter shows of the stack when n values are wanted. */
  private stackView(n: number): CValType[] {
    const f = this.frames[this.depth - 1]!;
    const avail = this.vals.length - f.height;
    const k = Math.min(n, avail);
    const out: CValType[] = [];
    if (f.unreachable) for (let i = k; i < n; i++) out.push(BOT);
    for (let i = this.vals.length - k; i < this.vals.length; i++) out.push(this.vals[i]!);
    return out;
  }

  /** The rest of the block is unreachable: the stack becomes polymorphic. */
  unreachable(): void {
    const f = this.frames[this.depth - 1]!;
    this.vals.length = f.height;
    f.unreachable = true;
  }

  // ---- the control stack ------------------------------------------------------------------------

  /** Enters a block whose parameters have already been popped. */
  pushFrame(kind: number, start: readonly CValType[], end: readonly CValType[]): void {
    let f = this.frames[this.depth];
    if (f === undefined) this.frames.push((f = new Frame()));
    this.depth++;
    f.kind = kind;
    f.start = start;
    f.end = end;
    f.height = this.vals.length;
    f.unreachable = false;
    f.inits = this.initLog.length;
    this.pushAll(start);
  }

  /** Checks that the current block's stack is exactly its results, and empties it. */
  checkFrameEnd(f: Frame): void {
    const len = this.vals.length;
    const before = len - f.height > f.end.length ? this.vals.slice(f.height, len) : EMPTY;
    this.pop(f.end);
    if (this.vals.length !== f.height) {
      this.error(`type mismatch: block requires ${this.strs(f.end)} but stack has ${this.strs(before)}`);
    }
  }

  /** Forgets the local initialisations made since the frame's entry. */
  resetInits(f: Frame): void {
    const log = this.initLog;
    for (let i = f.inits; i < log.length; i++) this.localInit[log[i]!] = 0;
    log.length = f.inits;
  }

  /** `else` */
  elseFrame(): void {
    const f = this.frames[this.depth - 1];
    if (f === undefined || f.kind !== IF) this.error('else without matching if');
    this.checkFrameEnd(f);
    this.resetInits(f);
    f.kind = ELSE;
    f.unreachable = false;
    this.pushAll(f.start);
  }

  /**
   * `catch` (with the tag's parameters) and `catch_all` (with none): the try body or the
   * previous handler must have left exactly the results; a handler starts afresh from the
   * try's entry, with the caught values on the stack.
   */
  catchFrame(all: boolean, tag?: number): void {
    const f = this.frames[this.depth - 1];
    if (f === undefined || (f.kind !== LEGACY_TRY && f.kind !== CATCH)) {
      this.error(all ? 'catch_all without matching try' : 'catch without matching try');
    }
    this.checkFrameEnd(f);
    const params = all ? EMPTY : this.tagType(tag!).params;
    this.resetInits(f);
    f.kind = all ? CATCH_ALL : CATCH;
    f.unreachable = false;
    this.pushAll(params);
  }

  /**
   * `delegate l`: closes a try without handlers, like `end`; its label is resolved among
   * the frames around the try (the function's own frame included).
   */
  delegateFrame(l: number): void {
    const f = this.frames[this.depth - 1];
    if (f === undefined || f.kind !== LEGACY_TRY) this.error('delegate without matching try');
    this.checkFrameEnd(f);
    this.resetInits(f);
    this.depth--;
    if (!(l >= 0 && l < this.depth)) this.unknown('label', l);
    this.pushAll(f.end);
  }

  /** `end`: leaves the innermost block and pushes its results. */
  endFrame(): void {
    const f = this.frames[this.depth - 1];
    if (f === undefined) this.error('unexpected end');
    this.checkFrameEnd(f);
    if (f.kind === IF) {
      // the implicit empty else branch
      this.resetInits(f);
      f.unreachable = false;
      this.pushAll(f.start);
      this.checkFrameEnd(f);
    }
    this.resetInits(f);
    this.depth--;
    this.pushAll(f.end);
  }

  /** Marks a local as initialised (for the rest of the current block). */
  initLocal(x: number): void {
    if (this.localInit[x] === 0) {
      this.localInit[x] = 1;
      this.initLog.push(x);
    }
  }
}

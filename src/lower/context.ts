// The state of one lowering: the output module as it grows, and the maps from
// the input's index spaces to the output's.
//
// Index spaces of the output:
//   types:   the runtime rec group (rt.ts) first, then the input's types shifted by RT_TYPES
//            (continuation types replaced by a placeholder: every reference to one becomes
//            a reference to $Cont), then types the lowering adds (frames, block types...).
//   globals: the input's imported globals, then the runtime's imported globals (RT_GLOBALS,
//            the transfer globals, the ids of imported tags), then the input's own globals,
//            then the ones the lowering adds.
//   funcs, tags, tables, memories: the input's, then the lowering's appended (no shift).

import type { Expr, Func, Global, Module } from '../syntax/ast.ts';
import { type BlockType, type Instr, type OpName, instr } from '../syntax/opcodes.ts';
import type { CompType, FuncType, HeapType, RefType, StorageType, SubType, ValType } from '../syntax/types.ts';
import type { ValidModule } from '../valid/validator.ts';
import type { CHeapType, CValType, DefType } from '../valid/types.ts';
import {
  COLD_GLOBALS, KIND_TYPE, KINDS, type Kind, RT_GLOBALS, RT_TYPES, type RtGlobal, T_CONT, T_KEYS, T_STK, xferName,
} from './rt.ts';
import { LowerError } from './error.ts';

/** Builds one instruction (a loose form of `instr` for generated code). */
export const I = (op: OpName, ...args: unknown[]): Instr => ({ op, args, at: -1 }) as unknown as Instr;

export { LowerError };

const typeKey = (t: unknown): string => JSON.stringify(t, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v));

export class Ctx {
  readonly in: Module;
  readonly vm: ValidModule;
  readonly out: Module;
  /** input type index -> is a continuation type */
  readonly isCont: boolean[];
  /** canonical DefType -> an input type index that has it */
  private readonly defIndex = new Map<DefType, number>();
  private readonly addedTypes = new Map<string, number>();
  readonly nImportedGlobals: number;
  /** output index of each runtime global */
  readonly rt: Record<RtGlobal, number>;
  /** output index of transfer global (kind, i) */
  private readonly xfer = new Map<string, number>();
  readonly capacity: Record<Kind, number>;
  /** number of globals the lowering imports (shift of the input's own globals) */
  readonly nNewImports: number;
  /** output global index of each tag's id */
  readonly tagId: number[] = [];
  /** functions generated code takes references of (declared in one elem segment) */
  readonly refFuncs = new Set<number>();

  constructor(m: Module, vm: ValidModule, capacity: Record<Kind, number>, isolated: boolean, standalone = false) {
    this.in = m;
    this.vm = vm;
    this.capacity = capacity;
    const subs = m.types.flatMap((g) => g.types);
    this.isCont = subs.map((st) => st.comp.kind === 'cont');
    vm.types.forEach((dt, i) => {
      if (!this.defIndex.has(dt)) this.defIndex.set(dt, i);
    });
    this.nImportedGlobals = m.imports.filter((im) => im.desc.kind === 'global').length;
    this.out = {
      ...m,
      types: [],
      imports: [],
      funcs: [],
      globals: [],
      tags: [],
      exports: [],
      elems: [],
      customs: [...m.customs],
      names: { ...m.names, funcs: new Map(m.names.funcs), types: new Map(), fields: new Map(), globals: new Map(), locals: new Map(), labels: new Map() },
    };
    // ids of imported tags
    const newImports: { name: string; module: string; type: ValType }[] = [];
    const tagImports = m.imports.filter((im) => im.desc.kind === 'tag');
    for (const im of tagImports) {
      this.tagId.push(this.nImportedGlobals + newImports.length);
      newImports.push({ module: `wasmfx:tag:${im.module}`, name: im.name, type: 'i32' });
    }
    // the runtime's globals: imported (shared by every module linked to the runtime) or, for an
    // isolated module, the hot ones defined here (the host reads its own globals faster); a
    // standalone module defines all of them, the cold ones too: it imports nothing of wasmfx
    const rtIdx = {} as Record<RtGlobal, number>;
    const all: { name: string; type: ValType; set: (x: number) => void; shared: boolean }[] = [];
    for (const [name, gt] of RT_GLOBALS) {
      all.push({ name, type: gt.type, set: (x) => (rtIdx[name] = x), shared: !isolated || (!standalone && COLD_GLOBALS.has(name)) });
    }
    for (const k of KINDS) {
      for (let i = 0; i < capacity[k]; i++) {
        all.push({ name: xferName(k, i), type: KIND_TYPE[k], set: (x) => this.xfer.set(xferName(k, i), x), shared: !isolated });
      }
    }
    for (const g of all.filter((a) => a.shared)) {
      g.set(this.nImportedGlobals + newImports.length);
      newImports.push({ module: 'wasmfx:rt', name: g.name, type: g.type });
    }
    const own = all.filter((a) => !a.shared);
    own.forEach((g, i) => g.set(this.nImportedGlobals + newImports.length + i));
    this.rt = rtIdx;
    this.nNewImports = newImports.length;
    this.ownRt = own.map((g) => ({ name: g.name, type: g.type }));
    this.pendingImports = newImports;
  }

  /** the runtime's globals this module defines (isolated), first among its own globals */
  readonly ownRt: readonly { name: string; type: ValType }[];
  /** the globals the lowering imports */
  readonly pendingImports: readonly { name: string; module: string; type: ValType }[];

  // ---- types -----------------------------------------------------------------------------------

  /** Is `t` (an input type) a reference to a continuation? */
  isContRef(t: RefType): boolean {
    return t.heap === 'cont' || (typeof t.heap === 'number' && this.isCont[t.heap] === true);
  }

  heap(h: HeapType): HeapType {
    if (typeof h === 'number') return this.isCont[h] ? T_CONT : h + RT_TYPES;
    if (h === 'cont') return T_CONT;
    if (h === 'nocont') return 'none';
    return h;
  }

  ref(t: RefType): RefType {
    return { nullable: t.nullable, heap: this.heap(t.heap) };
  }

  val(t: ValType): ValType {
    return typeof t === 'string' ? t : this.ref(t);
  }

  storage(t: StorageType): StorageType {
    return t === 'i8' || t === 'i16' ? t : this.val(t);
  }

  comp(c: CompType): CompType {
    switch (c.kind) {
      case 'func': return { kind: 'func', params: c.params.map((t) => this.val(t)), results: c.results.map((t) => this.val(t)) };
      case 'struct': return { kind: 'struct', fields: c.fields.map((f) => ({ mutable: f.mutable, type: this.storage(f.type) })) };
      case 'array': return { kind: 'array', field: { mutable: c.field.mutable, type: this.storage(c.field.type) } };
      case 'cont': return { kind: 'struct', fields: [] };
    }
  }

  /** The output type index of an input type index. */
  typeIdx(x: number): number {
    return this.isCont[x] ? T_CONT : x + RT_TYPES;
  }

  blockType(bt: BlockType): BlockType {
    if (bt === null) return null;
    if (typeof bt === 'object' && 'type' in bt) return { type: this.typeIdx(bt.type) };
    return this.val(bt);
  }

  /** The lowered value type of a canonical type (from the typed walk). */
  cval(t: CValType): ValType {
    if (typeof t === 'string') {
      if (t === 'bot') throw new LowerError('internal: bottom type in reachable code');
      return t;
    }
    return { nullable: t.nullable, heap: this.cheap(t.heap) };
  }

  cheap(h: CHeapType): HeapType {
    if (typeof h === 'string') return h === 'bot' ? 'none' : this.heap(h);
    const x = this.defIndex.get(h);
    if (x !== undefined) return this.typeIdx(x);
    if (h.comp.kind === 'cont') return T_CONT;
    throw new LowerError('internal: a type the module does not define');
  }

  /** The transfer kind of a canonical type: its hierarchy, continuations apart. */
  kind(t: CValType): Kind {
    return kindOf(t);
  }

  /** Appends a type (deduplicated) in a rec group of its own. */
  addType(st: SubType): number {
    const key = typeKey(st);
    let x = this.addedTypes.get(key);
    if (x === undefined) {
      x = this.out.types.reduce((n, g) => n + g.types.length, 0);
      this.out.types.push({ types: [st] });
      this.addedTypes.set(key, x);
    }
    return x;
  }

  /** Reserves a type index (a rec group of its own), filled with setType. */
  reserveType(): number {
    const x = this.out.types.reduce((n, g) => n + g.types.length, 0);
    this.out.types.push({ types: [{ final: true, supers: [], comp: { kind: 'struct', fields: [] } }] });
    return x;
  }

  setType(x: number, st: SubType): void {
    let n = 0;
    for (let g = 0; g < this.out.types.length; g++) {
      const len = this.out.types[g]!.types.length;
      if (x < n + len) {
        this.out.types[g] = { types: [st] };
        return;
      }
      n += len;
    }
  }

  funcType(params: readonly ValType[], results: readonly ValType[]): number {
    return this.addType({ final: true, supers: [], comp: { kind: 'func', params, results } as FuncType });
  }

  /** A block type for [params] -> [results] (the shortest form). */
  bt(params: readonly ValType[], results: readonly ValType[]): BlockType {
    if (params.length === 0 && results.length === 0) return null;
    if (params.length === 0 && results.length === 1) return results[0]!;
    return { type: this.funcType(params, results) };
  }

  // ---- globals, functions ----------------------------------------------------------------------

  global(x: number): number {
    return x < this.nImportedGlobals ? x : x + this.nNewImports + this.ownRt.length;
  }

  rtGlobal(name: RtGlobal): number {
    return this.rt[name];
  }

  xferGlobal(k: Kind, i: number): number {
    const g = this.xfer.get(xferName(k, i));
    if (g === undefined) throw new LowerError(`too many values of type ${k} cross a continuation boundary (at most ${this.capacity[k]})`);
    return g;
  }

  /** Adds a defined global; returns its output index. */
  addGlobal(g: Global): number {
    this.out.globals.push(g);
    return this.nImportedGlobals + this.nNewImports + this.out.globals.length - 1;
  }

  /** the number of imported functions: the index of the first defined one */
  private get funcBase(): number {
    return this.vm.funcs.length - this.in.funcs.length;
  }

  /** Reserves a function slot (filled later with setFunc); returns its index. */
  addFunc(f: Func | null): number {
    this.out.funcs.push(f ?? { type: -1, locals: [], body: [], at: -1 });
    return this.funcBase + this.out.funcs.length - 1;
  }

  setFunc(x: number, f: Func): void {
    this.out.funcs[x - this.funcBase] = f;
  }

  refFunc(x: number): Instr {
    this.refFuncs.add(x);
    return I('ref.func', x);
  }

  // ---- transfer of value lists -----------------------------------------------------------------

  /** The transfer global of each value of a list of kinds. */
  slots(kinds: readonly Kind[]): number[] {
    const seen: Partial<Record<Kind, number>> = {};
    return kinds.map((k) => {
      const i = seen[k] ?? 0;
      seen[k] = i + 1;
      return this.xferGlobal(k, i);
    });
  }

  /** Pops values of the list (top of the stack last) into their transfer globals. */
  store(kinds: readonly Kind[], out: Instr[]): void {
    const s = this.slots(kinds);
    for (let i = s.length - 1; i >= 0; i--) out.push(I('global.set', s[i]));
  }

  /** Pushes the values of a list from their transfer globals, as the types `types`. */
  load(kinds: readonly Kind[], types: readonly ValType[], out: Instr[]): void {
    const s = this.slots(kinds);
    for (let i = 0; i < s.length; i++) {
      out.push(I('global.get', s[i]));
      this.narrow(kinds[i]!, types[i]!, out);
    }
  }

  /**
   * `load` for the values a continuation receives where it starts or goes on (a start or bind
   * thunk, the landing of a suspend or a switch): when a switch resumed it (sws non-null), the last
   * value, a continuation, is the switching chain's, made here from sws (which goes back to null).
   */
  loadArrived(kinds: readonly Kind[], types: readonly ValType[], out: Instr[]): void {
    const n = kinds.length;
    if (n === 0 || kinds[n - 1] !== 'cont') return this.load(kinds, types, out);
    this.load(kinds.slice(0, -1), types.slice(0, -1), out);
    const sws = this.rtGlobal('sws');
    const slot = this.slots(kinds)[n - 1]!;
    out.push(I('global.get', sws), I('ref.is_null'), I('if', KIND_TYPE.cont));
    out.push(I('global.get', slot));
    out.push(I('else'), I('global.get', sws), I('struct.new', T_CONT), I('ref.null', T_STK), I('global.set', sws), I('end'));
    this.narrow('cont', types[n - 1]!, out);
  }

  /** Casts a value read from a global of kind k's type to `t`. */
  narrow(k: Kind, t: ValType, out: Instr[]): void {
    if (typeof t === 'string') return;
    const slot = KIND_TYPE[k] as RefType;
    if (t.heap === slot.heap) {
      if (!t.nullable) out.push(I('ref.as_non_null'));
      return;
    }
    out.push(I('ref.cast', t));
  }

  // ---- dummy values ----------------------------------------------------------------------------

  /** Instructions pushing some value of type t (for paths that unwind: the value is never used). */
  dummy(t: ValType, out: Instr[], depth = 0): void {
    if (typeof t === 'string') {
      out.push(constZero(t));
      return;
    }
    if (t.nullable) {
      out.push(I('ref.null', t.heap));
      return;
    }
    const h = t.heap;
    if (typeof h === 'number') {
      const st = this.subAt(h);
      const c = st?.comp;
      if (h === T_CONT || h === T_STK) {
        out.push(I('struct.new_default', h));
      } else if (c === undefined) {
        out.push(I('unreachable'));
      } else if (c.kind === 'array') {
        out.push(I('array.new_fixed', h, 0));
      } else if (c.kind === 'func') {
        out.push(this.refFunc(this.stub(h)));
      } else if (c.kind === 'struct' && depth < 8) {
        for (const f of c.fields) {
          const ft = f.type === 'i8' || f.type === 'i16' ? 'i32' : f.type;
          this.dummy(ft, out, depth + 1);
        }
        out.push(I('struct.new', h));
      } else {
        out.push(I('unreachable'));
      }
      return;
    }
    switch (h) {
      case 'any': case 'eq': case 'i31':
        out.push(I('i32.const', 0), I('ref.i31'));
        return;
      case 'struct':
        out.push(I('struct.new_default', T_CONT));
        return;
      case 'array':
        out.push(I('array.new_fixed', T_KEYS, 0));
        return;
      case 'func':
        out.push(this.refFunc(this.stub(this.funcType([], []))));
        return;
      case 'extern':
        out.push(I('i32.const', 0), I('ref.i31'), I('extern.convert_any'));
        return;
      default:
        // exn and the bottom types: no value is at hand (or exists)
        out.push(I('unreachable'));
    }
  }

  private stubs = new Map<number, number>();
  /** A function of type x that traps (a value for a non-null function reference nobody calls). */
  stub(x: number): number {
    let f = this.stubs.get(x);
    if (f === undefined) {
      f = this.addFunc({ type: x, locals: [], body: [I('unreachable'), I('end')], at: -1 });
      this.stubs.set(x, f);
    }
    return f;
  }

  /** The output subtype at index x (runtime, shifted input, or added). */
  subAt(x: number): SubType | undefined {
    let n = 0;
    for (const g of this.out.types) {
      if (x < n + g.types.length) return g.types[x - n];
      n += g.types.length;
    }
    return undefined;
  }
}

export function constZero(t: 'i32' | 'i64' | 'f32' | 'f64' | 'v128'): Instr {
  switch (t) {
    case 'i32': return I('i32.const', 0);
    case 'i64': return I('i64.const', 0n);
    case 'f32': return I('f32.const', 0);
    case 'f64': return I('f64.const', 0n);
    case 'v128': return I('v128.const', new Uint8Array(16));
  }
}

/** A constant expression (ends with `end`). */
export const konst = (...ins: Instr[]): Expr => [...ins, instr('end')];

/** The transfer kind of a canonical type: its hierarchy, continuations apart. */
export function kindOf(t: CValType): Kind {
  if (typeof t === 'string') return t === 'bot' ? 'i32' : t;
  const h = t.heap;
  if (typeof h !== 'string') return h.comp.kind === 'cont' ? 'cont' : h.comp.kind === 'func' ? 'func' : 'any';
  switch (h) {
    case 'cont': case 'nocont': return 'cont';
    case 'func': case 'nofunc': return 'func';
    case 'extern': case 'noextern': return 'extern';
    case 'exn': case 'noexn': return 'exn';
    default: return 'any';
  }
}

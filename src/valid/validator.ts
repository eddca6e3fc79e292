// Module validation (after the reference interpreter's valid/valid.ml).
//
// validateModule checks a Module and returns its canonical types, which the
// later phases use: the canonical DefType of every type index (equivalent
// types are the same object, across modules too), the types of all
// functions, tables, memories, globals, tags and element segments, and the
// extern types of imports and exports.
//
// Order of the checks, as in the reference interpreter: types, imports,
// functions, tags, tables, memories, globals, element and data segments,
// function bodies, the start function, exports. Tables' initialisers see
// only imported globals; each global's initialiser sees the imported and
// earlier globals.

import type { Expr, Module } from '../syntax/ast.ts';
import { type BlockType, type CustomOp, type Instr, type InstrDef, INSTRS } from '../syntax/opcodes.ts';
import type { AddrType, Limits, MemoryType, TableType } from '../syntax/types.ts';
import { SIGNATURES } from '../syntax/signatures.ts';
import type { SourceFile } from '../util/source.ts';
import { type BlockSig, Checker, EMPTY, type ModuleContext, OUTER, singleton } from './checker.ts';
import { RULES, type Rule } from './rules.ts';
import {
  type CExternType, type CFuncType, type CGlobalType, type CRefType, type CTableType, type CValType, type DefType,
  UnknownTypeError, defaultable, internRecType, isSubRef, matchCompType, refType,
} from './types.ts';

export interface ValidModule extends ModuleContext {
  /** the extern type of each import */
  readonly imports: readonly CExternType[];
  /** the extern type of each export */
  readonly exports: readonly CExternType[];
  /** all locals (parameters first) of each defined function */
  readonly locals: readonly (readonly CValType[])[];
  /** where the module came from (run-time errors locate their frames with it) */
  readonly source?: SourceFile;
}

// ---- the typing rule of each instruction ------------------------------------------------

/** How one instruction changes the checker's stacks (its typing rule, applied). */
type Step = (c: Checker, i: Instr) => void;

const TWO32 = 0x1_0000_0000n;

/** The rule of an instruction with a fixed signature, plus the checks of its immediates. */
function genericRule(def: InstrDef): Step {
  const sig = SIGNATURES.get(def.name)!;
  const s32 = { params: sig.p32, results: sig.r32 };
  const s64 = { params: sig.p64, results: sig.r64 };
  const imm = def.imm;
  const memargPos = imm.indexOf('memarg');
  const memidxPos = imm.indexOf('memidx');
  const lanePos = imm.indexOf('lane');
  const shufflePos = imm.indexOf('shuffle');
  const dataPos = imm.indexOf('dataidx');
  const elemPos = imm.indexOf('elemidx');
  const align = def.align ?? 0;
  const lanes = def.lanes ?? 0;
  if (memargPos < 0 && memidxPos < 0 && lanePos < 0 && shufflePos < 0 && dataPos < 0 && elemPos < 0) {
    const { params, results } = s32;
    if (results.length === 1) {
      const r = results[0]!;
      if (params.length === 1) {
        const p = params[0]!;
        return (c) => {
          c.pop1(p);
          c.vals.push(r);
        };
      }
      return (c) => {
        c.pop(params);
        c.vals.push(r);
      };
    }
    return (c) => {
      c.pop(params);
      c.pushAll(results);
    };
  }
  return (c, i) => {
    const args = i.args as readonly unknown[];
    let addr: AddrType = 'i32';
    if (memargPos >= 0) {
      const ma = args[memargPos] as { align: number; offset: bigint; mem: number };
      addr = c.memory(ma.mem).addr;
      c.require(ma.align <= align, 'alignment must not be larger than natural');
      if (addr === 'i32') c.require(ma.offset < TWO32, 'offset out of range');
    } else if (memidxPos >= 0) {
      addr = c.memory(args[memidxPos] as number).addr;
    }
    if (lanePos >= 0) c.require((args[lanePos] as number) < lanes, 'invalid lane index');
    if (shufflePos >= 0) {
      for (const l of args[shufflePos] as Uint8Array) c.require(l < 32, 'invalid lane index');
    }
    if (dataPos >= 0) c.data(args[dataPos] as number);
    if (elemPos >= 0) c.elem(args[elemPos] as number);
    const s = addr === 'i32' ? s32 : s64;
    c.pop(s.params);
    c.pushAll(s.results);
  };
}

const STEPS: ReadonlyMap<string, Step> = (() => {
  const m = new Map<string, Step>();
  const rules = RULES as unknown as Record<CustomOp, Rule<CustomOp>>;
  for (const def of INSTRS as readonly InstrDef[]) {
    if (def.sig !== undefined) m.set(def.name, genericRule(def));
    else {
      const r = rules[def.name as CustomOp] as unknown as Step | undefined;
      if (r === undefined) throw new Error(`no typing rule for ${def.name}`);
      m.set(def.name, r);
    }
  }
  return m;
})();

const KONST: ReadonlySet<string> = new Set((INSTRS as readonly InstrDef[]).filter((d) => d.konst).map((d) => d.name));

/** Applies the typing rule of one instruction to the checker's stacks (the typed walk's step). */
export function checkInstr(c: Checker, ins: Instr): void {
  const h = STEPS.get(ins.op);
  if (h === undefined) c.error(`unknown operator ${ins.op}`);
  h(c, ins);
}

/** Checks an instruction sequence against the frames the checker already has. */
function run(c: Checker, body: readonly Instr[]): void {
  const n = body.length;
  for (let k = 0; k < n; k++) {
    const ins = body[k]!;
    c.at = ins.at;
    if (c.depth === 0) c.error('unexpected instruction after the final end');
    const h = STEPS.get(ins.op);
    if (h === undefined) c.error(`unknown operator ${ins.op}`);
    h(c, ins);
  }
  if (c.depth !== 0) c.error('unexpected end of instruction sequence: missing end');
}

/** The function references a module declares outside function bodies (exports included). */
export function declaredRefs(m: Module): Set<number> {
  const refs = new Set<number>();
  const scan = (e: Expr | null | undefined): void => {
    if (!e) return;
    for (const i of e) if (i.op === 'ref.func') refs.add(i.args[0]);
  };
  for (const g of m.globals) scan(g.init);
  for (const t of m.tables) scan(t.init);
  for (const e of m.elems) {
    for (const x of e.init) scan(x);
    if (e.mode.kind === 'active') scan(e.mode.offset);
  }
  for (const d of m.datas) if (d.mode.kind === 'active') scan(d.mode.offset);
  for (const ex of m.exports) if (ex.kind === 'func') refs.add(ex.index);
  return refs;
}

// ---- the module ---------------------------------------------------------------------------

interface Ctx {
  module: Module;
  types: DefType[];
  funcs: DefType[];
  tables: CTableType[];
  memories: MemoryType[];
  globals: CGlobalType[];
  tags: DefType[];
  elems: CRefType[];
  datas: number;
  refs: Set<number>;
}

export function validateModule(m: Module, source?: SourceFile): ValidModule {
  const ctx: Ctx = {
    module: m, types: [], funcs: [], tables: [], memories: [], globals: [], tags: [], elems: [], datas: 0,
    refs: declaredRefs(m),
  };
  const c = new Checker(ctx, source);
  const { types } = ctx;

  // ---- types
  for (const rt of m.types) {
    c.at = rt.at ?? -1;
    const base = types.length;
    let g;
    try {
      g = internRecType(rt, types);
    } catch (e) {
      if (e instanceof UnknownTypeError) c.error(`unknown type ${e.index >>> 0}`);
      throw e;
    }
    for (const dt of g.types) types.push(dt);
    rt.types.forEach((st) => {
      if (st.comp.kind === 'cont') {
        const y = st.comp.type;
        if (types[y]!.comp.kind !== 'func') c.error(`non-function type ${y | 0}`);
      }
    });
    rt.types.forEach((st, i) => {
      const x = base + i;
      const dt = types[x]!;
      for (const xi of st.supers) {
        const sup = types[xi]!;
        c.require(xi < x, `forward use of type ${xi} in sub type definition`);
        c.require(!sup.final, `sub type ${x} has final super type ${xi}`);
        c.require(matchCompType(dt.comp, sup.comp), `sub type ${x} does not match super type ${xi}`);
      }
    });
  }

  // ---- imports
  const importTypes: CExternType[] = [];
  for (const im of m.imports) {
    c.at = im.at;
    const d = im.desc;
    switch (d.kind) {
      case 'func':
        c.funcType(d.type);
        ctx.funcs.push(types[d.type]!);
        importTypes.push({ kind: 'func', type: types[d.type]! });
        break;
      case 'table': {
        const tt = checkTableType(c, d.type);
        ctx.tables.push(tt);
        importTypes.push({ kind: 'table', type: tt });
        break;
      }
      case 'memory':
        checkMemoryType(c, d.type);
        ctx.memories.push(d.type);
        importTypes.push({ kind: 'memory', type: d.type });
        break;
      case 'global': {
        const gt: CGlobalType = { mutable: d.type.mutable, type: c.valType(d.type.type) };
        ctx.globals.push(gt);
        importTypes.push({ kind: 'global', type: gt });
        break;
      }
      case 'tag':
        c.funcType(d.type);
        ctx.tags.push(types[d.type]!);
        importTypes.push({ kind: 'tag', type: types[d.type]! });
        break;
    }
  }

  // ---- functions, tags
  for (const f of m.funcs) {
    c.at = f.at;
    c.funcType(f.type);
    ctx.funcs.push(types[f.type]!);
  }
  for (const t of m.tags) {
    c.at = t.at;
    c.funcType(t.type);
    ctx.tags.push(types[t.type]!);
  }

  // ---- tables, memories, globals
  for (const t of m.tables) {
    c.at = t.at;
    const tt = checkTableType(c, t.type);
    if (t.init === null) {
      if (!tt.elem.nullable) {
        c.error(`type mismatch: instruction requires ${c.strs([tt.elem])} but stack has ${c.strs([refType(true, tt.elem.heap)])}`);
      }
    } else checkConst(c, t.init, tt.elem);
    ctx.tables.push(tt);
  }
  for (const mem of m.memories) {
    c.at = mem.at;
    checkMemoryType(c, mem.type);
    ctx.memories.push(mem.type);
  }
  for (const g of m.globals) {
    c.at = g.at;
    const gt: CGlobalType = { mutable: g.type.mutable, type: c.valType(g.type.type) };
    checkConst(c, g.init, gt.type);
    ctx.globals.push(gt);
  }

  // ---- segments
  for (const e of m.elems) {
    c.at = e.at;
    const rt = c.refType(e.type);
    for (const x of e.init) checkConst(c, x, rt);
    if (e.mode.kind === 'active') {
      c.at = e.at;
      const tt = c.table(e.mode.table);
      if (!isSubRef(rt, tt.elem)) {
        c.error(`type mismatch: element segment's type ${c.str(rt)} does not match table's element type ${c.str(tt.elem)}`);
      }
      checkConst(c, e.mode.offset, tt.addr);
    }
    ctx.elems.push(rt);
  }
  for (const d of m.datas) {
    c.at = d.at;
    if (d.mode.kind === 'active') {
      const mt = c.memory(d.mode.memory);
      checkConst(c, d.mode.offset, mt.addr);
    }
    ctx.datas++;
  }

  // ---- function bodies
  const nImported = ctx.funcs.length - m.funcs.length;
  const allLocals: CValType[][] = [];
  m.funcs.forEach((f, k) => {
    const idx = nImported + k;
    c.func = idx;
    c.funcName = m.names.funcs.get(idx);
    c.at = f.at;
    const ft = types[f.type]!.comp as CFuncType;
    const locals: CValType[] = [...ft.params];
    for (const t of f.locals) locals.push(c.valType(t));
    const init = new Uint8Array(locals.length);
    for (let i = 0; i < locals.length; i++) init[i] = i < ft.params.length || defaultable(locals[i]!) ? 1 : 0;
    allLocals.push(locals);
    c.locals = locals;
    c.localInit = init;
    c.results = ft.results;
    c.vals.length = 0;
    c.initLog.length = 0;
    c.depth = 0;
    c.pushFrame(OUTER, EMPTY, ft.results);
    run(c, f.body);
  });
  c.func = undefined;
  c.funcName = undefined;
  c.locals = EMPTY;

  // ---- start, exports
  if (m.start !== null) {
    c.at = -1;
    const ft = c.funcOf(m.start);
    c.require(ft.params.length === 0 && ft.results.length === 0, 'start function must not have parameters or results');
  }
  const names = new Set<string>();
  const exportTypes: CExternType[] = [];
  for (const ex of m.exports) {
    c.at = ex.at;
    switch (ex.kind) {
      case 'func': exportTypes.push({ kind: 'func', type: c.funcDef(ex.index) }); break;
      case 'table': exportTypes.push({ kind: 'table', type: c.table(ex.index) }); break;
      case 'memory': exportTypes.push({ kind: 'memory', type: c.memory(ex.index) }); break;
      case 'global': exportTypes.push({ kind: 'global', type: c.global(ex.index) }); break;
      case 'tag': exportTypes.push({ kind: 'tag', type: c.tag(ex.index) }); break;
    }
    c.require(!names.has(ex.name), 'duplicate export name');
    names.add(ex.name);
  }

  const vm = { ...ctx, imports: importTypes, exports: exportTypes, locals: allLocals };
  return source === undefined ? vm : { ...vm, source };
}

// ---- helpers -----------------------------------------------------------------------------------

function checkLimits(c: Checker, l: Limits, range: bigint, msg: string): void {
  c.require(l.min <= range, msg);
  if (l.max !== null) {
    c.require(l.max <= range, msg);
    c.require(l.min <= l.max, 'size minimum must not be greater than maximum');
  }
}

function checkTableType(c: Checker, t: TableType): CTableType {
  const elem = c.refType(t.elem);
  if (t.addr === 'i32') checkLimits(c, t.limits, 0xffff_ffffn, 'table size must be at most 2^32-1 for i32');
  else checkLimits(c, t.limits, 0xffff_ffff_ffff_ffffn, 'table size must be at most 2^64-1 for i64');
  return { addr: t.addr, limits: t.limits, elem };
}

function checkMemoryType(c: Checker, t: MemoryType): void {
  if (t.addr === 'i32') checkLimits(c, t.limits, 0x1_0000n, 'memory size must be at most 2^16 pages (4 GiB) for i32');
  else checkLimits(c, t.limits, 0x1_0000_0000_0000n, 'memory size must be at most 2^48 pages (256 TiB) for i64');
}

/** A constant expression of type t: only constant instructions, then typed as a block. */
function checkConst(c: Checker, e: Expr, t: CValType): void {
  for (const i of e) {
    c.at = i.at;
    if (i.op === 'global.get') {
      if (c.global(i.args[0]).mutable) c.error('constant expression required');
    } else if (!KONST.has(i.op)) c.error('constant expression required');
  }
  c.vals.length = 0;
  c.initLog.length = 0;
  c.depth = 0;
  c.results = EMPTY;
  c.pushFrame(OUTER, EMPTY, singleton(t));
  run(c, e);
}

/** The parameter and result types of a block type (for later phases). */
export function blockTypeOf(vm: ValidModule, bt: BlockType): BlockSig {
  const c = new Checker(vm);
  return c.blockType(bt);
}

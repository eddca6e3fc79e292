// The lowering compiler: a module that uses stack switching -> a plain Wasm 3.0
// module (GC, exceptions with exnref, tail calls, typed function references)
// that runs on any current engine. See docs/lowering.md for the design.
//
//   lowerModule(m, opts) -> { module, info }
//
// A module that does not use stack switching is returned as it is.

import { funcTypeIndices, importCounts, type Expr, type Func, type Module } from '../syntax/ast.ts';
import type { ValType } from '../syntax/types.ts';
import { declaredRefs, validateModule, type ValidModule } from '../valid/validator.ts';
import type { CFuncType, CValType } from '../valid/types.ts';
import { analyse, usesStackSwitching } from './analysis.ts';
import { Ctx, I, kindOf, LowerError } from './context.ts';
import { Helpers } from './helpers.ts';
import { Instrumenter, type Plan, statusOk } from './instrument.ts';
import { chainFunctions } from './chain.ts';
import { mapInstr } from './rewrite.ts';
import { defaultConst, KINDS, type Kind, RT_GLOBAL_TYPES, RT_TYPES, rtRecType, T_FRAME, T_HDL, T_KEYS, T_STK, TRANSIENT_GLOBALS, WHY_EXPORT, WHY_HOST_FRAME } from './rt.ts';
import { Emitter } from './emit.ts';
import { desugarLegacyEH } from '../syntax/legacy-eh.ts';

export { LowerError } from './context.ts';
export { usesStackSwitching } from './analysis.ts';
export { runtimeModule, transferModule, TRAP_REASONS, WHY_EXPORT, DEFAULT_CAPACITY } from './rt.ts';

export interface LowerOptions {
  /** the validated module, when the caller has it */
  readonly valid?: ValidModule;
  /**
   * Keep the continuation machine's state in the module's own globals (faster on V8 than
   * imported ones): its continuations, suspensions and handlers then do not interact with other
   * modules' (tags keep their identity). For programs made of one module.
   */
  readonly isolated?: boolean;
  /**
   * Isolated, and nothing imported from wasmfx at all (the trap reason and the tag counter are the
   * module's own too): the output runs on any engine with Wasm 3.0, with the host's plain
   * `WebAssembly.instantiate` or outside JavaScript. Traps of the continuation machine are then
   * `unreachable` traps; the reason is in the exported global `wasmfx:why` (TRAP_REASONS: read it
   * when an exported function fails, then set it to 0, as the polyfill does with the shared one). A
   * module that imports tags cannot be lowered so (their identity needs the shared runtime).
   */
  readonly standalone?: boolean;
}

/** What a host needs to know to link a lowered module (also in its `wasmfx.lowered` custom section). */
export interface LoweredInfo {
  readonly lowered: boolean;
  /** its continuations do not interact with other modules' (LowerOptions.isolated) */
  readonly isolated?: boolean;
  /** it imports nothing of wasmfx (LowerOptions.standalone) */
  readonly standalone?: boolean;
  /** transfer globals used per kind */
  readonly capacity: Partial<Record<Kind, number>>;
}

export interface Lowered {
  readonly module: Module;
  readonly info: LoweredInfo;
  /** what the lowering did (`wasmfx lower --stats`); all 0 for a module left as it was */
  readonly stats: LowerStats;
}

/** What the lowering did to a module. */
export interface LowerStats {
  /** functions the module defines */
  readonly funcs: number;
  /** of them, those rewritten as resumable state machines (they may suspend, or hold a resume) */
  readonly instrumented: number;
  /** suspension sites in them: stack-switching instructions and calls that may suspend */
  readonly sites: number;
  /**
   * functions the lowering added besides the instrumented ones' state machines (each keeps its
   * index as a plain entry): re-entry thunks, export guards, the machine's own
   */
  readonly added: number;
}

export const INFO_SECTION = 'wasmfx.lowered';
/** Lowered modules export the unguarded version of an exported function that may suspend under this prefix. */
export const RAW_PREFIX = 'wasmfx:raw:';
/**
 * A module on the shared runtime exports under this name a table of the functions that may suspend
 * and that it may hand out as references without exporting them (elem segments, globals): the
 * polyfill recognises them when they reach JavaScript and gives it a JS function that runs them on
 * no stack, as an export's guard does (a suspension cannot pass the JS frame).
 */
export const REFS_EXPORT = 'wasmfx:refs';
/** ... and the id of an exported tag under this one (an imported tag's id comes from module `TAG_PREFIX + module`). */
export const TAG_PREFIX = 'wasmfx:tag:';

/** An isolated lowered module exports `reset(top: i32)` under this name (its state after a trap). */
export const RESET_EXPORT = 'wasmfx:reset';

/**
 * Whether `m` may be lowered isolated (LowerOptions.isolated) when nothing it imports can suspend:
 * none of its continuations, suspensions or handlers can then meet another module's. That needs
 * imports and exports that carry no reference (a continuation can travel in any: directly, in a
 * struct behind anyref, as a function that suspends behind funcref, in an exception), no tag (a
 * handler in one module for a suspension in another needs a shared tag) and no table: numbers,
 * memories and functions of numbers only. A suspension that leaves such a module is then
 * unhandled in the shared runtime too, and traps as it does at its boundary. What remains is a
 * suspension from an imported function passing its frames to a handler further out: the
 * polyfill lowers such a module isolated, and instantiates its shared lowering instead when an
 * imported function comes from a module on the shared runtime. Standalone programs are such
 * modules (a WASI program imports and exports numbers and a memory).
 */
export function isolable(m: Module): boolean {
  const types = m.types.flatMap((g) => g.types);
  const numeric = (t: ValType): boolean => typeof t === 'string';
  const numericFunc = (x: number): boolean => {
    const comp = types[x]?.comp;
    return comp?.kind === 'func' && comp.params.every(numeric) && comp.results.every(numeric);
  };
  const funcTypes: number[] = [];
  const globalTypes: ValType[] = [];
  for (const im of m.imports) {
    switch (im.desc.kind) {
      case 'func':
        if (!numericFunc(im.desc.type)) return false;
        funcTypes.push(im.desc.type);
        break;
      case 'global':
        if (!numeric(im.desc.type.type)) return false;
        globalTypes.push(im.desc.type.type);
        break;
      case 'memory':
        break;
      case 'table': case 'tag':
        return false;
    }
  }
  for (const f of m.funcs) funcTypes.push(f.type);
  for (const g of m.globals) globalTypes.push(g.type.type);
  return m.exports.every((ex) => {
    switch (ex.kind) {
      case 'func': return numericFunc(funcTypes[ex.index]!);
      case 'global': return numeric(globalTypes[ex.index]!);
      case 'memory': return true;
      default: return false;
    }
  });
}

export function lowerModule(m: Module, opts: LowerOptions = {}): Lowered {
  if (!usesStackSwitching(m)) return { module: m, info: { lowered: false, capacity: {} }, stats: { funcs: m.funcs.length, instrumented: 0, sites: 0, added: 0 } };
  // (the input is checked first: the rewrite below assumes a valid module)
  const given = opts.valid ?? validateModule(m);
  // one exception mechanism from here on: legacy try/catch/delegate become try_table
  const plain = desugarLegacyEH(m);
  const vm = plain === m ? given : validateModule(plain);
  m = plain;
  // (beyond the runtime module's DEFAULT_CAPACITY, the polyfill links a transfer module)
  const capacity = needed(vm);
  const standalone = opts.standalone === true;
  const isolated = standalone || opts.isolated === true;
  if (standalone) {
    const tag = m.imports.find((im) => im.desc.kind === 'tag');
    if (tag !== undefined) {
      throw new LowerError(`a standalone module cannot import tags (${tag.module} ${tag.name}): a tag's identity across modules needs the shared runtime (lower it without standalone and run it with the polyfill)`, tag.at);
    }
  }
  const c = new Ctx(m, vm, capacity, isolated, standalone);
  const out = c.out;

  // ---- types: the runtime's group, then the module's own (shifted)
  out.types.push(rtRecType());
  for (const g of m.types) {
    out.types.push({
      ...g,
      types: g.types.map((st) => (st.comp.kind === 'cont'
        ? { final: false, supers: [], comp: { kind: 'struct', fields: [] } }
        : { final: st.final, supers: st.supers.map((x) => c.typeIdx(x)), comp: c.comp(st.comp) })),
    });
  }
  for (const [x, n] of m.names.types) if (!c.isCont[x]) out.names.types.set(x + RT_TYPES, n);
  for (const [x, n] of m.names.fields) if (!c.isCont[x]) out.names.fields.set(x + RT_TYPES, n);

  // ---- imports: the module's (tags with results become exception tags of their parameters), then the runtime's
  const tagType = (x: number): number => {
    const ft = vm.types[x]!.comp as CFuncType;
    return ft.results.length === 0 ? c.typeIdx(x) : c.funcType(ft.params.map((t) => c.cval(t)), []);
  };
  for (const im of m.imports) {
    const d = im.desc;
    switch (d.kind) {
      case 'func': out.imports.push({ ...im, desc: { kind: 'func', type: c.typeIdx(d.type) } }); break;
      case 'table': out.imports.push({ ...im, desc: { kind: 'table', type: { ...d.type, elem: c.ref(d.type.elem) } } }); break;
      case 'memory': out.imports.push(im); break;
      case 'global': out.imports.push({ ...im, desc: { kind: 'global', type: { ...d.type, type: c.val(d.type.type) } } }); break;
      case 'tag': out.imports.push({ ...im, desc: { kind: 'tag', type: tagType(d.type) } }); break;
    }
  }
  for (const p of c.pendingImports) {
    out.imports.push({ module: p.module, name: p.name, desc: { kind: 'global', type: { mutable: true, type: p.type } }, at: -1 });
  }
  for (const [x, n] of m.names.globals) out.names.globals.set(c.global(x), n);

  // ---- the module's globals, tags, tables, segments (constant expressions mapped)
  for (const g of c.ownRt) c.addGlobal({ type: { mutable: true, type: g.type }, init: [defaultConst(g.type), I('end')], at: -1 });
  const mapExpr = (e: Expr): Expr => e.map((i) => mapInstr(c, i));
  for (const gl of m.globals) c.addGlobal({ ...gl, type: { ...gl.type, type: c.val(gl.type.type) }, init: mapExpr(gl.init) });
  const nImportedTags = c.tagId.length;
  m.tags.forEach((t, i) => {
    out.tags.push({ ...t, type: tagType(t.type) });
    c.tagId[nImportedTags + i] = c.addGlobal({ type: { mutable: true, type: 'i32' }, init: [I('i32.const', 0), I('end')], at: -1 });
  });
  out.tables = m.tables.map((t) => ({ ...t, type: { ...t.type, elem: c.ref(t.type.elem) }, init: t.init === null ? null : mapExpr(t.init) }));
  out.elems = m.elems.map((e) => ({
    ...e,
    type: c.ref(e.type),
    init: e.init.map(mapExpr),
    mode: e.mode.kind === 'active' ? { ...e.mode, offset: mapExpr(e.mode.offset) } : e.mode,
  }));
  out.datas = m.datas.map((d) => (d.mode.kind === 'active' ? { ...d, mode: { ...d.mode, offset: mapExpr(d.mode.offset) } } : d));

  // ---- functions
  const a = analyse(m, vm, standalone);
  const nImported = vm.funcs.length - m.funcs.length;
  for (const f of m.funcs) c.addFunc({ ...f });
  const plans = new Map<number, Plan>();
  const hasSites = (f: Func): boolean => f.body.some(a.isSite);
  m.funcs.forEach((f, k) => {
    const x = nImported + k;
    if (!hasSites(f)) return;
    const name = m.names.funcs.get(x) ?? String(x);
    plans.set(x, { impl: c.addFunc(null), name, frame: c.reserveType(), status: statusOk(f), chain: null });
    out.names.funcs.set(plans.get(x)!.impl, name);
  });
  // (functions whose frames may be re-entered in a chain: their copies and chain thunk, chain.ts)
  for (const x of chainFunctions(m.funcs, nImported, a, (y) => plans.get(y)?.status === true)) {
    const p = plans.get(x)!;
    plans.set(x, { ...p, chain: { reenter: c.addFunc(null), thunk: c.addFunc(null) } });
  }
  const helpers = new Helpers(c);
  const ins = new Instrumenter(c, a, helpers, plans);
  m.funcs.forEach((f, k) => {
    const x = nImported + k;
    c.setFunc(x, plans.has(x) ? ins.instrument(k, x) : ins.plain(f));
  });
  for (const [x, locals] of m.names.locals) {
    const p = plans.get(x);
    if (p === undefined) {
      out.names.locals.set(x, locals);
      continue;
    }
    const np = (vm.funcs[x]!.comp as CFuncType).params.length;
    out.names.locals.set(p.impl, new Map([...locals].map(([i, n]) => [i < np ? i : i + 3, n])));
  }

  // ---- exports: functions that may suspend are guarded (a suspension cannot leave through the host)
  const guards = new Map<number, number>();
  const guard = (x: number): number => {
    let gx = guards.get(x);
    if (gx === undefined) {
      gx = makeGuard(c, x, plans.get(x));
      guards.set(x, gx);
    }
    return gx;
  };
  for (const ex of m.exports) {
    switch (ex.kind) {
      case 'func':
        if (a.susp[ex.index]) {
          // the host gets the guarded function; lowered modules importing it link the raw one
          out.exports.push({ ...ex, index: guard(ex.index) });
          out.exports.push({ name: `${RAW_PREFIX}${ex.name}`, kind: 'func', index: ex.index, at: -1 });
        } else out.exports.push(ex);
        break;
      case 'global':
        out.exports.push({ ...ex, index: c.global(ex.index) });
        break;
      case 'tag':
        out.exports.push(ex);
        out.exports.push({ name: `${TAG_PREFIX}${ex.name}`, kind: 'global', index: c.tagId[ex.index]!, at: -1 });
        break;
      default:
        out.exports.push(ex);
    }
  }

  // ---- the functions handed out as references without an export (REFS_EXPORT); an isolated
  // module hands none to JavaScript (it imports and exports numbers only)
  if (!isolated) {
    const exported = new Set(m.exports.flatMap((ex) => (ex.kind === 'func' ? [ex.index] : [])));
    const refs = [...declaredRefs(m)].filter((x) => x >= nImported && !exported.has(x) && a.susp[x]).sort((p, q) => p - q);
    if (refs.length > 0) {
      const table = importCounts(out).table + out.tables.length;
      const n = BigInt(refs.length);
      out.tables.push({ type: { addr: 'i32', limits: { min: n, max: n }, elem: { nullable: true, heap: 'func' } }, init: null, at: -1 });
      out.elems.push({
        type: { nullable: false, heap: 'func' },
        init: refs.map((x) => [I('ref.func', x), I('end')]),
        mode: { kind: 'active', table, offset: [I('i32.const', 0), I('end')] },
        at: -1,
      });
      out.exports.push({ name: REFS_EXPORT, kind: 'table', index: table, at: -1 });
    }
  }

  // ---- an isolated module's reset: the host (the polyfill, when an error leaves an export) puts
  // the machine's state back, which a trap inside the runtime leaves as it was (Wasm cannot catch
  // traps); `top`: no call of the module is in progress any more (no stack is running)
  if (isolated) {
    const r = new Emitter({});
    resetTransient(c, r);
    r.op('local.get', 0).blk('if', null, () => r.op('ref.null', T_STK).op('global.set', c.rtGlobal('cur')));
    r.op('end');
    const rx = c.addFunc({ type: c.funcType(['i32'], []), locals: [], body: r.out, at: -1 });
    out.names.funcs.set(rx, RESET_EXPORT);
    out.exports.push({ name: RESET_EXPORT, kind: 'func', index: rx, at: -1 });
  }

  // ---- the start function: tag ids, handler tables, then the module's start
  const e = new Emitter({});
  for (let t = nImportedTags; t < c.tagId.length; t++) {
    const ctr = c.rtGlobal('tagctr');
    e.op('global.get', ctr).op('i32.const', 1).op('i32.add').op('global.set', ctr);
    e.op('global.get', ctr).op('global.set', c.tagId[t]!);
  }
  // a resume site's handler table: the key of its first clause (-1: none), then every clause's
  const key = (k: { tag: number; sw: boolean }) => {
    e.op('global.get', c.tagId[k.tag]!).op('i32.const', 1).op('i32.shl');
    if (k.sw) e.op('i32.const', 1).op('i32.or');
  };
  for (const ht of ins.handlerTables) {
    if (ht.keys.length === 0) e.op('i32.const', -1);
    else key(ht.keys[0]!);
    for (const k of ht.keys) key(k);
    e.op('array.new_fixed', T_KEYS, ht.keys.length).op('struct.new', T_HDL).op('global.set', ht.global);
  }
  if (m.start !== null) e.op('call', a.susp[m.start] ? guard(m.start) : m.start);
  if (e.out.length > 0) {
    e.op('end');
    out.start = c.addFunc({ type: c.funcType([], []), locals: [], body: e.out, at: -1 });
    out.names.funcs.set(out.start, 'wasmfx:init');
  }

  if (c.refFuncs.size > 0) {
    out.elems.push({
      type: { nullable: false, heap: 'func' },
      init: [...c.refFuncs].sort((p, q) => p - q).map((x) => [I('ref.func', x), I('end')]),
      mode: { kind: 'declarative' },
      at: -1,
    });
  }
  if (standalone) out.exports.push({ name: WHY_EXPORT, kind: 'global', index: c.rtGlobal('why'), at: -1 });
  const info: LoweredInfo = { lowered: true, ...(isolated ? { isolated: true } : {}), ...(standalone ? { standalone: true } : {}), capacity: Object.fromEntries(KINDS.filter((k) => capacity[k] > 0).map((k) => [k, capacity[k]])) };
  out.customs = [...out.customs.filter((cs) => cs.name !== INFO_SECTION), {
    name: INFO_SECTION, bytes: new TextEncoder().encode(JSON.stringify(info)), after: 0,
  }];
  return { module: out, info, stats: { funcs: m.funcs.length, instrumented: plans.size, sites: ins.sites, added: out.funcs.length - m.funcs.length - plans.size } };
}

/** Transfer globals needed: the most values of one kind in any signature (and tag payload + continuation). */
function needed(vm: ValidModule): Record<Kind, number> {
  const cap = Object.fromEntries(KINDS.map((k) => [k, 0])) as Record<Kind, number>;
  const count = (ts: readonly CValType[], extra?: Kind) => {
    const n: Partial<Record<Kind, number>> = {};
    for (const t of ts) n[kindOf(t)] = (n[kindOf(t)] ?? 0) + 1;
    if (extra !== undefined) n[extra] = (n[extra] ?? 0) + 1;
    for (const k of KINDS) cap[k] = Math.max(cap[k], n[k] ?? 0);
  };
  for (const dt of vm.types) {
    if (dt.comp.kind !== 'func') continue;
    count(dt.comp.params, 'cont');
    count(dt.comp.results);
  }
  return cap;
}

/** Puts the runtime's transient state back to its defaults (TRANSIENT_GLOBALS). */
function resetTransient(c: Ctx, e: Emitter): void {
  for (const name of TRANSIENT_GLOBALS) e.push(defaultConst(RT_GLOBAL_TYPES.get(name)!.type)).op('global.set', c.rtGlobal(name));
}

/**
 * The export of a function that may suspend: it runs on a stack of its own (a suspension
 * cannot find a handler beyond it) and traps if one gets out anyway.
 */
function makeGuard(c: Ctx, x: number, plan: Plan | undefined): number {
  const ft = c.vm.funcs[x]!.comp as CFuncType;
  const params = ft.params.map((t) => c.cval(t));
  const results = ft.results.map((t) => c.cval(t));
  const np = params.length;
  const SAVED = np;
  const e = new Emitter({});
  const cur = c.rtGlobal('cur');
  e.op('global.get', cur).op('local.set', SAVED).op('ref.null', T_STK).op('global.set', cur);
  e.op('i32.const', 0).op('global.set', c.rtGlobal('why'));
  resetTransient(c, e);
  const ex = {};
  e.open('block', ex, { nullable: false, heap: 'exn' });
  e.tryTable({}, c.bt([], results), [{ kind: 'catch_all_ref', label: ex }]);
  for (let i = 0; i < np; i++) e.op('local.get', i);
  if (plan === undefined) e.op('call', x);
  else {
    e.op('ref.null', plan.frame).op('ref.null', T_STK).op('i32.const', 0).op('call', plan.impl);
    if (plan.status) e.op('global.set', c.rtGlobal('uf')); // (the frames it saved if it unwound)
  }
  e.end();
  e.op('global.get', c.rtGlobal('uf')).op('ref.is_null').op('i32.eqz');
  e.blk('if', null, () => {
    e.op('ref.null', T_FRAME).op('global.set', c.rtGlobal('uf'));
    e.op('ref.null', T_STK).op('global.set', c.rtGlobal('ki'));
    e.op('i32.const', WHY_HOST_FRAME).op('global.set', c.rtGlobal('why')).op('unreachable');
  });
  e.op('local.get', SAVED).op('global.set', cur).op('return');
  e.end();
  e.op('local.get', SAVED).op('global.set', cur).op('throw_ref');
  e.op('end');
  const gx = c.addFunc({ type: c.typeIdx(funcTypeIndices(c.in)[x]!), locals: [{ nullable: true, heap: T_STK }], body: e.out, at: -1 });
  c.out.names.funcs.set(gx, `${c.in.names.funcs.get(x) ?? x}:export`);
  return gx;
}

// Which functions may suspend: a whole-module fixpoint. A function may suspend
// when it executes `suspend`, `switch` or a `resume*` (a resume forwards the
// suspensions its handlers do not take), or calls one that may: directly,
// through an import (an import may be another lowered module's function; not
// one of HOST_MODULES, whose functions the host defines and which never call
// back into Wasm), or
// through `call_ref`/`call_indirect` of a type that some function that may
// suspend has (conservatively by type; in a module that takes nothing from
// other modules but host functions and memories, only functions whose
// references it makes itself count, see `escaping`). Tail calls make the caller's caller
// see the suspension too, so they count for `susp` but are not sites.
//
// A resume forwards nothing when it handles every tag a suspension can use: in a closed module
// (below), the tags of its own `suspend`s (an `(on $t $l)` clause each) and `switch`es (an
// `(on $t switch)` each). A fiber library's resume is such a one: the functions that call it
// (a C program's main loop, its schedulers) then need no instrumentation.

import { allSubTypes, funcTypeIndices, type Module } from '../syntax/ast.ts';
import type { Instr, OnClause } from '../syntax/opcodes.ts';
import type { ValidModule } from '../valid/validator.ts';
import { DefType, isSubDef, type CFuncType, type CValType } from '../valid/types.ts';
import type { PackedType } from '../syntax/types.ts';

export const SS_OPS: ReadonlySet<string> = new Set(['suspend', 'switch', 'resume', 'resume_throw', 'resume_throw_ref']);
export const CONT_OPS: ReadonlySet<string> = new Set([...SS_OPS, 'cont.new', 'cont.bind']);

/**
 * Import modules whose functions are the host's own, never another lowered module's: WASI.
 * Calls to them need no suspension site, so C programs' I/O paths (printf and the libc
 * functions under it) stay uninstrumented.
 */
export const HOST_MODULES: ReadonlySet<string> = new Set(['wasi_snapshot_preview1', 'wasi_unstable']);

export interface Analysis {
  /** by function index (imports first): may suspend */
  readonly susp: readonly boolean[];
  /** may a call through a reference of this type (input type index) suspend */
  typeMaySuspend(x: number): boolean;
  /** is this call instruction a suspension site */
  isSiteCall(ins: Instr): boolean;
  /** is this instruction a suspension site: a stack-switching instruction or such a call */
  isSite(ins: Instr): boolean;
}

/**
 * `standalone`: the module is lowered standalone (LowerOptions.standalone), so nothing outside it
 * shares its continuation machine: an imported function, or one handed over as a value, cannot
 * suspend into its frames (a JS function cannot, another lowered module's export traps when a
 * suspension would leave it), and no suspension with a tag of another module can reach its
 * resumes. It is then analysed as a closed module whatever it imports and exports.
 */
export function analyse(m: Module, vm: ValidModule, standalone = false): Analysis {
  const nImported = vm.funcs.length - m.funcs.length;
  const funcImports = m.imports.filter((im) => im.desc.kind === 'func');
  const susp: boolean[] = vm.funcs.map(() => false);
  const suspTypes: DefType[] = [];
  const cache = new Map<number, boolean>();
  const typeMaySuspend = (x: number): boolean => {
    let r = cache.get(x);
    if (r === undefined) {
      const t = vm.types[x]!;
      r = suspTypes.some((dt) => dt === t || isSubDef(dt, t)) || foreign(t);
      cache.set(x, r);
    }
    return r;
  };
  const closed = standalone || isClosed(m);
  const foreign = foreignCallTypes(vm, closed);
  const reachable = escaping(m, closed);
  const forwards = forwarding(m, closed);
  const mark = (f: number): void => {
    susp[f] = true;
    const dt = vm.funcs[f]!;
    if (reachable(f) && !suspTypes.includes(dt)) {
      suspTypes.push(dt);
      cache.clear();
    }
  };
  funcImports.forEach((im, f) => {
    if (!standalone && !HOST_MODULES.has(im.module)) mark(f);
  });
  const callTarget = (ins: Instr): boolean => {
    switch (ins.op) {
      case 'call': case 'return_call':
        return susp[ins.args[0]]!;
      case 'call_ref': case 'return_call_ref': case 'call_indirect': case 'return_call_indirect':
        return typeMaySuspend(ins.args[0]);
      default:
        return SS_OPS.has(ins.op) && forwards(ins);
    }
  };
  for (let changed = true; changed;) {
    changed = false;
    m.funcs.forEach((f, k) => {
      const x = nImported + k;
      if (susp[x]) return;
      if (f.body.some(callTarget)) {
        mark(x);
        changed = true;
      }
    });
  }
  const isSiteCall = (ins: Instr): boolean => {
    switch (ins.op) {
      case 'call': return susp[ins.args[0]]!;
      case 'call_ref': case 'call_indirect': return typeMaySuspend(ins.args[0]);
      default: return false;
    }
  };
  return { susp, typeMaySuspend, isSiteCall, isSite: (ins) => SS_OPS.has(ins.op) || isSiteCall(ins) };
}

/** The function type of continuation type x (an input type index). */
export function contFunc(vm: ValidModule, x: number): CFuncType {
  return (vm.types[x]!.comp as { kind: 'cont'; type: { comp: CFuncType } }).type.comp;
}

/**
 * A closed module takes nothing from other modules but host functions (HOST_MODULES) and
 * memories, and exports only memories and functions with numeric parameters: no table, global,
 * tag or reference parameter it could receive a function or a continuation through, and no tag
 * another module could suspend with or handle. The host holds its exports only as guards
 * (index.ts: a suspension cannot leave through them).
 */
export function isClosed(m: Module): boolean {
  const types = allSubTypes(m);
  const funcTypes = funcTypeIndices(m);
  const numericParams = (f: number): boolean => {
    const comp = types[funcTypes[f]!]!.comp;
    return comp.kind === 'func' && comp.params.every((p) => typeof p === 'string'); // numbers and v128, not references
  };
  return m.imports.every((im) => im.desc.kind === 'memory' || (im.desc.kind === 'func' && HOST_MODULES.has(im.module))) &&
    m.exports.every((ex) => ex.kind === 'memory' || (ex.kind === 'func' && numericParams(ex.index)));
}

/**
 * May this stack-switching instruction pass a suspension to its function's caller? suspend and
 * switch do; a resume unless the module is closed and it handles every tag the module's own
 * suspend and switch instructions use (only those can reach it).
 */
function forwarding(m: Module, closed: boolean): (ins: Instr) => boolean {
  if (!closed) return () => true;
  const suspTags = new Set<number>();
  const switchTags = new Set<number>();
  for (const f of m.funcs) {
    for (const ins of f.body) {
      if (ins.op === 'suspend') suspTags.add(ins.args[0]);
      else if (ins.op === 'switch') switchTags.add(ins.args[1]);
    }
  }
  return (ins) => {
    let hs: readonly OnClause[];
    if (ins.op === 'resume' || ins.op === 'resume_throw_ref') hs = ins.args[1];
    else if (ins.op === 'resume_throw') hs = ins.args[2];
    else return true;
    for (const t of suspTags) if (!hs.some((h) => h.tag === t && h.label !== null)) return true;
    for (const t of switchTags) if (!hs.some((h) => h.tag === t && h.label === null)) return true;
    return false;
  };
}

/**
 * Which functions a call through a reference may reach. In general any function of the
 * type: another module may hand one over. A closed module (isClosed) cannot be handed one:
 * there only the functions it takes references of itself (`ref.func`, element segments) are
 * reachable: a C program's fiber entry points, not every function of their type.
 */
function escaping(m: Module, closed: boolean): (f: number) => boolean {
  if (!closed) return () => true;
  const refs = new Set<number>();
  const scan = (e: readonly Instr[]): void => {
    for (const ins of e) if (ins.op === 'ref.func') refs.add(ins.args[0]);
  };
  for (const el of m.elems) el.init.forEach(scan);
  for (const g of m.globals) scan(g.init);
  for (const t of m.tables) if (t.init !== null) scan(t.init);
  for (const f of m.funcs) scan(f.body);
  return (f) => refs.has(f);
}

/**
 * Function types through which this module may call a function of another module that it did
 * not import: one handed over as a value. Such a function may suspend, whatever this module's
 * own functions do (the official example control-lwt passes a scheduler's `$yield` into a module
 * of threads that has no stack-switching instruction but calls it by `call_ref`). Values come in
 * through the interface (the parameters of exports, the results of imports, globals, tables and
 * tags in either direction) and through whatever those reach: the fields of structs and arrays,
 * the parameters and results of function and continuation types, and the module's own subtypes
 * of all these (a value may be cast down to one). A call through type T may reach a foreign
 * function when a reachable function type is T or related to it by subtyping (an upcast, or a
 * cast down), or when an abstract `funcref` is reachable (it may be cast to any type). A closed
 * module (isClosed) is handed none.
 */
function foreignCallTypes(vm: ValidModule, closed: boolean): (t: DefType) => boolean {
  if (closed) return () => false;
  const seen = new Set<DefType>();
  let anyFunc = false;
  const val = (v: CValType | PackedType): void => {
    if (typeof v !== 'object') return;
    if (v.heap === 'func') anyFunc = true;
    else if (v.heap instanceof DefType) def(v.heap);
  };
  const def = (dt: DefType): void => {
    if (seen.has(dt)) return;
    seen.add(dt);
    const c = dt.comp;
    if (c.kind === 'func') c.params.concat(c.results).forEach(val);
    else if (c.kind === 'struct') c.fields.forEach((f) => val(f.type));
    else if (c.kind === 'array') val(c.field.type);
    else def(c.type);
  };
  for (const et of [...vm.imports, ...vm.exports]) {
    if (et.kind === 'func' || et.kind === 'tag') def(et.type);
    else if (et.kind === 'global') val(et.type.type);
    else if (et.kind === 'table') val(et.type.elem);
  }
  // the module's own subtypes of what came in, to a fixpoint
  for (let more = true; more;) {
    more = false;
    for (const dt of vm.types) {
      if (!seen.has(dt) && dt.supers.some((s) => seen.has(s))) {
        def(dt);
        more = true;
      }
    }
  }
  const funcs = [...seen].filter((dt) => dt.comp.kind === 'func');
  return (t) => anyFunc || funcs.some((s) => isSubDef(s, t) || isSubDef(t, s));
}

/** Mentions of the continuation heap types in immediates and types (walks plain data). */
function mentionsCont(x: unknown): boolean {
  if (x === 'cont' || x === 'nocont') return true;
  if (typeof x !== 'object' || x === null || x instanceof Uint8Array) return false;
  if (Array.isArray(x)) return x.some(mentionsCont);
  return Object.values(x).some(mentionsCont);
}

/**
 * Does the module use stack switching (so that a plain engine cannot run it)? A continuation
 * type, a tag with results, a stack-switching instruction, or `cont`/`nocont` anywhere a type
 * is written. (A reference to a continuation type needs the type itself, so indices need no look.)
 */
export function usesStackSwitching(m: Module): boolean {
  const subs = allSubTypes(m);
  if (subs.some((st) => st.comp.kind === 'cont')) return true;
  const tagTypes = [...m.imports.flatMap((im) => (im.desc.kind === 'tag' ? [im.desc.type] : [])), ...m.tags.map((t) => t.type)];
  if (tagTypes.some((x) => { const c = subs[x]?.comp; return c?.kind === 'func' && c.results.length > 0; })) return true;
  const exprs = [
    ...m.funcs.map((f) => f.body), ...m.globals.map((g) => g.init), ...m.tables.flatMap((t) => (t.init ? [t.init] : [])),
    ...m.elems.flatMap((e) => e.init),
  ];
  for (const e of exprs) {
    for (const i of e) if (CONT_OPS.has(i.op) || mentionsCont(i.args)) return true;
  }
  return mentionsCont([
    m.types, m.imports.map((im) => im.desc), m.globals.map((g) => g.type), m.tables.map((t) => t.type),
    m.elems.map((e) => e.type), m.funcs.map((f) => f.locals),
  ]);
}

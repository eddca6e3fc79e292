// Which functions may suspend: a whole-module fixpoint. A function may suspend
// when it executes `suspend`, `switch` or a `resume*` (a resume forwards the
// suspensions its handlers do not take), or calls one that may: directly,
// through an import (an import may be another lowered module's function), or
// through `call_ref`/`call_indirect` of a type that some function that may
// suspend has (conservatively by type). Tail calls make the caller's caller
// see the suspension too, so they count for `susp` but are not sites.

import type { Module } from '../syntax/ast.ts';
import type { Instr } from '../syntax/opcodes.ts';
import type { ValidModule } from '../valid/validator.ts';
import { isSubDef, type DefType } from '../valid/types.ts';

export const SS_OPS: ReadonlySet<string> = new Set(['suspend', 'switch', 'resume', 'resume_throw', 'resume_throw_ref']);
export const CONT_OPS: ReadonlySet<string> = new Set([...SS_OPS, 'cont.new', 'cont.bind']);

export interface Analysis {
  /** by function index (imports first): may suspend */
  readonly susp: readonly boolean[];
  /** may a call through a reference of this type (input type index) suspend */
  typeMaySuspend(x: number): boolean;
  /** is this call instruction a suspension site */
  isSiteCall(ins: Instr): boolean;
}

export function analyse(m: Module, vm: ValidModule): Analysis {
  const nImported = vm.funcs.length - m.funcs.length;
  const susp: boolean[] = vm.funcs.map((_, i) => i < nImported);
  const suspTypes: DefType[] = [];
  const cache = new Map<number, boolean>();
  const typeMaySuspend = (x: number): boolean => {
    let r = cache.get(x);
    if (r === undefined) {
      const t = vm.types[x]!;
      r = suspTypes.some((dt) => dt === t || isSubDef(dt, t));
      cache.set(x, r);
    }
    return r;
  };
  const mark = (f: number): void => {
    susp[f] = true;
    const dt = vm.funcs[f]!;
    if (!suspTypes.includes(dt)) {
      suspTypes.push(dt);
      cache.clear();
    }
  };
  for (let f = 0; f < nImported; f++) mark(f);
  const callTarget = (ins: Instr): boolean => {
    switch (ins.op) {
      case 'call': case 'return_call':
        return susp[ins.args[0]]!;
      case 'call_ref': case 'return_call_ref': case 'call_indirect': case 'return_call_indirect':
        return typeMaySuspend(ins.args[0]);
      default:
        return SS_OPS.has(ins.op);
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
  return {
    susp,
    typeMaySuspend,
    isSiteCall: (ins) => {
      switch (ins.op) {
        case 'call': return susp[ins.args[0]]!;
        case 'call_ref': case 'call_indirect': return typeMaySuspend(ins.args[0]);
        default: return false;
      }
    },
  };
}

/** Does the module use stack switching (so that a plain engine cannot run it)? */
export function usesStackSwitching(m: Module): boolean {
  const types = m.types.flatMap((g) => g.types);
  const contHeap = (h: unknown): boolean => h === 'cont' || h === 'nocont' || (typeof h === 'number' && types[h]?.comp.kind === 'cont');
  const valUses = (t: unknown): boolean => typeof t === 'object' && t !== null && contHeap((t as { heap: unknown }).heap);
  if (types.some((st) => st.comp.kind === 'cont')) return true;
  for (const st of types) {
    const c = st.comp;
    if (c.kind === 'func' && [...c.params, ...c.results].some(valUses)) return true;
    if (c.kind === 'struct' && c.fields.some((f) => valUses(f.type))) return true;
    if (c.kind === 'array' && valUses(c.field.type)) return true;
  }
  const tagTypes = [...m.imports.flatMap((im) => (im.desc.kind === 'tag' ? [im.desc.type] : [])), ...m.tags.map((t) => t.type)];
  for (const x of tagTypes) {
    const c = types[x]?.comp;
    if (c?.kind === 'func' && c.results.length > 0) return true;
  }
  for (const im of m.imports) {
    if (im.desc.kind === 'global' && valUses(im.desc.type.type)) return true;
    if (im.desc.kind === 'table' && valUses(im.desc.type.elem)) return true;
  }
  if (m.globals.some((g) => valUses(g.type.type)) || m.tables.some((t) => valUses(t.type.elem))) return true;
  if (m.elems.some((e) => valUses(e.type))) return true;
  const exprs = [...m.funcs.map((f) => f.body), ...m.globals.map((g) => g.init), ...m.elems.flatMap((e) => e.init)];
  if (m.funcs.some((f) => f.locals.some(valUses))) return true;
  for (const e of exprs) {
    for (const ins of e) {
      if (CONT_OPS.has(ins.op)) return true;
      for (const a of ins.args as readonly unknown[]) {
        if (a === 'cont' || a === 'nocont' || valUses(a)) return true;
        if (typeof a === 'object' && a !== null && 'type' in a && typeof (a as { type: unknown }).type === 'number' &&
          types[(a as { type: number }).type]?.comp.kind === 'cont') return true;
      }
      if ((ins.op === 'ref.null') && contHeap(ins.args[0])) return true;
    }
  }
  return false;
}

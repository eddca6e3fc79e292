// Instrumentation of a function that may suspend (see docs/lowering.md).
//
// The function keeps its index and type as a wrapper that calls `$impl`, the
// instrumented body with two more parameters: the frame to re-enter (null on a
// normal call) and the running stack. Every suspension site (a call that may
// suspend, `suspend`, `switch`, `resume*`) is followed by a test: did the callee
// unwind (Plan.status)? If so, the function saves what is live (its locals and the operand stack
// below the site, level by level as it leaves each enclosing block) in its
// frame struct, links the frame into the current stack and returns. A saved
// frame is re-entered by its thunk: `$impl` restores the locals and, at the
// start of each block on the way to the site, a dispatch pushes that level's
// saved values and branches to a landing block that ends where the site is.
// Only the innermost frame is re-entered; the driver re-enters each caller
// when its callee returns (lazy restore).

import type { Func } from '../syntax/ast.ts';
import type { Instr } from '../syntax/opcodes.ts';
import type { ValType } from '../syntax/types.ts';
import type { Checker } from '../valid/checker.ts';
import type { CFuncType, CValType } from '../valid/types.ts';
import { typedWalk } from '../valid/walk.ts';
import type { Analysis } from './analysis.ts';
import { contFunc, SS_OPS } from './analysis.ts';
import { type Ctx, I, LowerError } from './context.ts';
import { Emitter, type Label } from './emit.ts';
import type { Helpers } from './helpers.ts';
import { liveAtSites } from './liveness.ts';
import { reuseSites, tableReuseSites, type TableReuse } from './reuse.ts';
import { labelsOf, withLabels } from '../syntax/labels.ts';
import { mapInstr } from './rewrite.ts';
import { tighten } from './tighten.ts';
import { CHAIN_MAX } from './chain.ts';
import {
  C_INNER, frameSubType, nullable, F_BASE, F_NEXT, F_THUNK, type Kind, T_HDL, T_CONT, T_FRAME, T_FRAME_NC, T_STK, T_THUNK, WHY_NULL_EXN,
} from './rt.ts';

/** What the lowering made of an instrumented function. */
export interface Plan {
  readonly impl: number;
  /** for the names of its thunks */
  readonly name: string;
  readonly frame: number;
  /**
   * $impl returns one more value: null, or when it unwound, the first frame of the list its
   * unwinding saved (its callers test that, not a global, and need not go through the global
   * `uf`). Not for a function with tail calls (they keep the callee's results).
   */
  readonly status: boolean;
  /**
   * Its frames may be re-entered in a chain (chain.ts): `reenter(frame, stack)` re-enters a saved
   * frame of it at its site (a copy of the function per site) and returns the function's results
   * (when it unwound again, dummies, and the list in `uf`); `thunk` is the thunk of a chain whose
   * outermost frame is one of its.
   */
  readonly chain: { readonly reenter: number; readonly thunk: number } | null;
}

/** Does a function body allow the status convention (Plan.status)? */
export const statusOk = (f: Func): boolean =>
  !f.body.some((i) => i.op === 'return_call' || i.op === 'return_call_ref' || i.op === 'return_call_indirect');

type NodeKind = 'func' | 'block' | 'loop' | 'if' | 'try_table';

interface Node {
  readonly kind: NodeKind;
  readonly open: Instr | null;
  readonly body: Item[];
  els: Item[] | null;
  readonly dead: boolean;
  /** the operand stack before the opening instruction */
  readonly before: readonly CValType[];
  /** the stack height at entry (below the parameters) */
  readonly h: number;
  readonly params: readonly CValType[];
  readonly results: readonly CValType[];
  readonly parent: Node | null;
  readonly targets: Node[];
  firstId: number;
  lastId: number;
  /** last site id of the then-arm (if) */
  thenLast: number;
  /** the exit wrapper of a loop */
  xl?: Label;
}

interface Site {
  readonly id: number;
  /** the stack below the site's operands */
  readonly below: readonly CValType[];
  /** what the site leaves (the call's results; the resumed continuation's...) */
  readonly results: readonly CValType[];
  /** resume*: the types of each handler's label (null for switch handlers) */
  readonly labels: readonly (readonly CValType[] | null)[];
}

interface Ins {
  readonly kind: 'ins';
  readonly ins: Instr;
  readonly targets: Node[];
  readonly site: Site | null;
  readonly dead: boolean;
}

type Item = Node | Ins;

const isNode = (x: Item): x is Node => x.kind !== 'ins';
const nonNull = (t: ValType): boolean => typeof t !== 'string' && !t.nullable;
const tkey = (t: ValType): string => (typeof t === 'string' ? t : `${t.nullable ? 'n' : ''}${String(t.heap)}`);

export class Instrumenter {
  private readonly c: Ctx;
  private readonly a: Analysis;
  private readonly h: Helpers;
  readonly plans: Map<number, Plan>;
  /** handler tables to build at instantiation: global index and keys (tag, switch) */
  readonly handlerTables: { global: number; keys: { tag: number; sw: boolean }[] }[] = [];
  /** suspension sites of the functions instrumented so far (LowerStats.sites) */
  sites = 0;

  /** resumes that may reuse the $Cont they take from a table slot, switch write-backs that refill one (reuse.ts) */
  private readonly tableReuse: TableReuse;

  constructor(c: Ctx, a: Analysis, h: Helpers, plans: Map<number, Plan>) {
    this.c = c;
    this.a = a;
    this.h = h;
    this.plans = plans;
    this.tableReuse = tableReuseSites(c.vm, (t) => c.isContRef(t));
  }

  // ---- functions that are not instrumented -----------------------------------------------------

  plain(f: Func): Func {
    const body: Instr[] = [];
    for (const ins of f.body) this.rewriteSimple(ins, body, (x) => x, null, null);
    return { type: this.c.typeIdx(f.type), locals: f.locals.map((t) => this.c.val(t)), body, at: f.at };
  }

  /**
   * Rewrites an instruction that is not a site (label immediates untouched): calls of
   * instrumented functions go to their $impl; cont.new/cont.bind call helpers. `cur`: the local
   * that holds the running stack (an instrumented function's), or null (the global).
   */
  private rewriteSimple(ins: Instr, out: Instr[], local: (x: number) => number, nn: Set<number> | null, cur: number | null): void {
    const c = this.c;
    const gcur = c.rtGlobal('cur');
    // a tail call that may reach a wrapper: the wrapper reads the running stack from the global
    const syncCur = () => {
      if (cur !== null) out.push(I('local.get', cur), I('global.set', gcur));
    };
    switch (ins.op) {
      case 'local.get': case 'local.set': case 'local.tee': {
        const x = ins.args[0];
        const y = local(x);
        out.push(y === x ? ins : ({ ...I(ins.op, y), at: ins.at } as Instr));
        if (ins.op !== 'local.set' && nn?.has(x)) out.push(I('ref.as_non_null'));
        return;
      }
      case 'call': case 'return_call': {
        const p = this.plans.get(ins.args[0]);
        if (p !== undefined) {
          // (a tail call of a status $impl goes through the wrapper, which returns the results only)
          if (p.status && ins.op === 'return_call') {
            syncCur();
            break;
          }
          // From a function that is not instrumented, a call's callee cannot suspend (its resumes
          // handle every tag, analysis.ts): it runs on no stack (the global cur may be stale, a
          // stack that ended, which its resumes would link the stacks they make to). A tail call's
          // callee may: a function whose only way to suspend is a tail call has no site and is not
          // instrumented, and the callee then runs on the stack the caller runs on, the global cur,
          // as its wrapper would pass (before, it got none, and its suspensions found no handler).
          const stack = cur !== null ? I('local.get', cur) : ins.op === 'return_call' && this.a.susp[ins.args[0]] ? I('global.get', gcur) : I('ref.null', T_STK);
          out.push(I('ref.null', p.frame), stack, I('i32.const', 0), I(ins.op, p.impl));
          if (p.status) out.push(I('drop'));
          return;
        }
        if (ins.op === 'return_call') syncCur();
        break;
      }
      case 'return_call_ref': case 'return_call_indirect':
        syncCur();
        break;
      case 'cont.new':
        out.push(I('call', this.h.contNew(ins.args[0])));
        return;
      case 'cont.bind':
        out.push(I('call', this.h.contBind(ins.args[0], ins.args[1])));
        return;
      default:
        if (SS_OPS.has(ins.op)) {
          out.push(I('unreachable'));
          return;
        }
    }
    out.push(mapInstr(c, ins));
  }

  // ---- instrumented functions ---------------------------------------------------------------------

  /** Builds the wrapper (returned), $impl and its thunk for defined function `defined`. */
  instrument(defined: number, x: number): Func {
    const c = this.c;
    const f = c.in.funcs[defined]!;
    const plan = this.plans.get(x)!;
    const ft = c.vm.types[f.type]!.comp as CFuncType;
    const params = ft.params.map((t) => c.cval(t));
    const results = ft.results.map((t) => c.cval(t));
    const np = params.length;
    // (no try_table, and so no handler: legacy try/catch was desugared into try_table)
    const noCatch = !f.body.some((i) => i.op === 'try_table');

    // ---- the typed walk builds the block tree
    const root: Node = {
      kind: 'func', open: null, body: [], els: null, dead: false, before: [], h: 0, params: [], results: ft.results,
      parent: null, targets: [], firstId: 1, lastId: 0, thenLast: 0,
    };
    const ctl: Node[] = [root];
    let nextId = 1;
    const siteIns = new Map<number, Instr>();
    const seq = (n: Node): Item[] => n.els ?? n.body;
    typedWalk(c.vm, defined, (ins: Instr, _k: number, ck: Checker) => {
      const top = ctl[ctl.length - 1]!;
      const reach = !top.dead && !ck.frames[ck.depth - 1]!.unreachable;
      const resolve = (ls: readonly number[]): Node[] => ls.map((l) => ctl[ctl.length - 1 - l]!);
      switch (ins.op) {
        case 'block': case 'loop': case 'if': case 'try_table': {
          const bs = ck.blockType(ins.args[0]);
          const before = ck.vals.slice();
          const h = before.length - bs.params.length - (ins.op === 'if' ? 1 : 0);
          const n: Node = {
            kind: ins.op, open: ins, body: [], els: null, dead: !reach, before, h, params: bs.params, results: bs.results,
            parent: top, targets: resolve(labelsOf(ins)), firstId: nextId, lastId: nextId - 1, thenLast: nextId - 1,
          };
          seq(top).push(n);
          ctl.push(n);
          return;
        }
        case 'else':
          top.thenLast = nextId - 1;
          top.els = [];
          return;
        case 'end':
          top.lastId = nextId - 1;
          if (top.els === null) top.thenLast = top.lastId;
          if (ctl.length > 1) ctl.pop();
          return;
        default: {
          let site: Site | null = null;
          if (reach && this.a.isSite(ins)) {
            site = this.site(ins, ck, nextId++);
            siteIns.set(site.id, ins);
          }
          seq(top).push({ kind: 'ins', ins, targets: resolve(labelsOf(ins)), site, dead: !reach });
        }
      }
    });
    root.lastId = nextId - 1;
    this.sites += root.lastId;

    // ---- locals of $impl: params, the frame, the declared locals, then scratch
    const declared = f.locals.map((t) => c.val(t));
    const nn = new Set<number>();
    declared.forEach((t, i) => {
      if (nonNull(t)) nn.add(np + i);
    });
    const localTypes: ValType[] = [...params, ...declared.map(nullable)];
    // the locals a saved frame keeps: those live after some site (liveness.ts), and the
    // non-nullable parameters (restored as such)
    const keep = liveAtSites(f.body, localTypes.length, this.a.isSite);
    localTypes.forEach((t, i) => {
      if (nonNull(t)) keep.add(i);
    });
    const saved = localTypes.map((_, i) => i).filter((i) => keep.has(i));
    const reuse = reuseSites(f.body, (x) => {
      const t = f.locals[x - np];
      return t !== undefined && typeof t !== 'string' && c.isContRef(t);
    });
    const local = (i: number): number => (i < np ? i : i + 3);
    const FR = np;
    // the running stack (passed down from the driver: no global write per resume)
    const CURL = np + 1;
    // the site a re-entered frame continues at (0: a normal call), a constant of its thunk's
    const STATE = np + 2;
    const extra: ValType[] = [];
    const base = np + 3 + declared.length;
    const newLocal = (t: ValType): number => {
      extra.push(t);
      return base + extra.length - 1;
    };
    const scratch = new Map<string, number>();
    const tmp = (t: ValType): number => {
      const n = nullable(t);
      const k = tkey(n);
      let l = scratch.get(k);
      if (l === undefined) scratch.set(k, (l = newLocal(n)));
      return l;
    };
    // 1 once this function unwinds (set before leaving a block, and by a resume unwinding further out)
    const UNWL = newLocal('i32');
    // the list of frames the unwinding saved so far, outermost first (null: this frame starts it)
    const HEAD = newLocal({ nullable: true, heap: T_FRAME });
    // the thunk of the site this frame unwinds from (saved at the exit)
    const THK = newLocal({ nullable: true, heap: T_THUNK });
    // the site this frame was re-entered at (STATE on entry; STATE is cleared when it gets there)
    const ENTRY = newLocal('i32');
    // 1: the frame in FR was made during this unwinding (not re-entered)
    const FRESH = newLocal('i32');
    // what a resume returned with a handler clause: the continuation
    const KC = newLocal({ nullable: true, heap: T_CONT });
    const status = plan.status;
    const TMPK = newLocal({ nullable: true, heap: T_CONT });
    // A function whose frames may be re-entered in a chain keeps its site in its frame where a
    // frame's next does not tell it (chainParts): a field after $Frame's (funcrefs cannot be
    // compared), set with the thunk (SITEL: the site this frame unwinds from)
    const chain = plan.chain;
    const siteOps = [...siteIns.values()];
    const nCalls = siteOps.filter((i) => i.op === 'call').length;
    const siteField = chain !== null && (nCalls > 1 || siteOps.length - nCalls > 1);
    const off = siteField ? 1 : 0;
    const SITEL = siteField ? newLocal('i32') : -1;

    // ---- the frame's fields: next, thunk (one per site: the site is no field), the locals, then
    // stack slots by (position, type)
    const FT = plan.frame;
    // (fields 0 and 1 are $Frame's: $next, $thunk)
    const fieldTypes: ValType[] = [{ nullable: true, heap: T_FRAME }, { nullable: true, heap: T_THUNK }];
    if (siteField) fieldTypes.push('i32');
    for (const i of saved) fieldTypes.push(nullable(localTypes[i]!));
    const slotFields = new Map<string, number>();
    const field = (p: number, t: ValType): number => {
      const k = `${p}:${tkey(nullable(t))}`;
      let fi = slotFields.get(k);
      if (fi === undefined) {
        fi = fieldTypes.length;
        fieldTypes.push(nullable(t));
        slotFields.set(k, fi);
      }
      return fi;
    };

    const FEXIT = {};
    /** the thunks of the sites, by site id (made as sites unwind: every site has one) */
    const thunks = new Map<number, number>();
    const siteThunk = (id: number): number => {
      let x = thunks.get(id);
      if (x === undefined) thunks.set(id, (x = c.addFunc(null)));
      return x;
    };
    let e = new Emitter(root);
    // What the body being emitted is: -1 $impl (any entry: the dispatch tests the state), k > 0
    // the copy for a frame re-entered at site k in a chain (no dispatch: it goes straight there,
    // and the landing of a call re-enters the callee's frame, chain.ts)
    let spec = -1;
    let eagerLanding = false;
    const g = (n: Parameters<Ctx['rtGlobal']>[0]) => c.rtGlobal(n);

    const needs = (n: Node): boolean => n.kind !== 'func' && (n.h - n.parent!.h > 0 || needs(n.parent!));
    const dummies = (ts: readonly CValType[]) => {
      for (const t of ts) c.dummy(c.cval(t), e.out);
    };
    const exitFrom = (n: Node) => {
      if (n.kind === 'func' || !needs(n)) {
        e.br('br', FEXIT);
        return;
      }
      dummies(n.results);
      e.op('i32.const', 1).op('local.set', UNWL);
      e.br('br', n.kind === 'loop' ? n.xl! : n);
    };
    const pushRegion = (types: readonly CValType[], from: number, to: number) => {
      for (let p = from; p < to; p++) {
        const t = c.cval(types[p]!);
        e.op('local.get', FR).op('struct.get', FT, field(p, t));
        if (nonNull(t)) e.op('ref.as_non_null');
      }
    };
    const saveRegion = (types: readonly CValType[], from: number, to: number) => {
      for (let p = to - 1; p >= from; p--) {
        const t = c.cval(types[p]!);
        const l = tmp(t);
        e.op('local.set', l).op('local.get', FR).op('local.get', l).op('struct.set', FT, field(p, t));
      }
    };
    /**
     * The site unwinds: its id goes to the frame at the exit. A fresh frame is made there, with
     * all its fields at once (struct.new: no write barrier, no field written twice), unless
     * operand-stack values are saved on the way out: then it is made here.
     */
    const ensureFrame = (s: Site) => {
      // A frame re-entered at this site already has its thunk: THK stays null, and the exit
      // writes no thunk (a generator's loop suspends from one site: a load and a store with its
      // write barrier less per round trip)
      const setThunk = () => {
        e.push(c.refFunc(siteThunk(s.id))).op('local.set', THK);
        if (siteField) e.op('i32.const', s.id).op('local.set', SITEL);
      };
      if (spec < 0) {
        e.op('local.get', ENTRY).op('i32.const', s.id).op('i32.ne');
        e.blk('if', null, setThunk);
      } else if (spec !== s.id) setThunk();
      // (a copy always has its frame)
      if (s.below.length === 0 || spec > 0) return;
      e.op('local.get', FR).op('ref.is_null');
      e.blk('if', null, () => {
        e.op('struct.new_default', FT).op('local.set', FR);
        e.op('local.get', FR).op('local.get', HEAD).op('struct.set', FT, F_NEXT);
        e.op('i32.const', 1).op('local.set', FRESH);
        countFrame();
      });
    };
    /** A fresh frame of a function whose frames may be re-entered in a chain is counted (CHAIN_MAX). */
    const countFrame = () => {
      if (chain === null) return;
      const n = this.h.chainCount();
      e.op('global.get', n).op('i32.const', 1).op('i32.add').op('global.set', n);
    };
    const lowered = (ts: readonly CValType[]) => ts.map((t) => c.cval(t));
    const kinds = (ts: readonly CValType[]): Kind[] => ts.map((t) => c.kind(t));

    // ---- sites
    /** The plan of a direct call's callee when it returns a status. */
    const statusCall = (ins: Instr): Plan | undefined => {
      if (ins.op !== 'call') return undefined;
      const p = this.plans.get(ins.args[0]);
      return p?.status ? p : undefined;
    };
    const emitOrig = (it: Ins) => {
      const ins = it.ins;
      if (status && ins.op === 'return') {
        e.br('br', root);
        return;
      }
      if (it.targets.length > 0 && !SS_OPS.has(ins.op)) {
        e.push(withLabels(mapInstr(c, ins), it.targets.map((n) => e.depth(n))));
        return;
      }
      if (ins.op === 'table.set' && this.tableReuse.refills.get(x)?.has(ins) === true) {
        refill(mapInstr(c, ins).args[0] as number);
        return;
      }
      this.rewriteSimple(ins, e.out, local, nn, CURL);
    };
    /**
     * table.set $t of a switch's new continuation (reuse.ts): its stack goes into the object the
     * slot holds (nothing else can reach either), else (a null slot, or null stored: a fresh
     * start's parameter may be) the table.set.
     */
    const refill = (t: number) => {
      const TV = tmp({ nullable: true, heap: T_CONT });
      const TI = tmp('i32');
      const TO = newLocal({ nullable: true, heap: T_CONT });
      e.op('local.set', TV).op('local.tee', TI).op('table.get', t).op('local.tee', TO).op('ref.is_null');
      e.op('local.get', TV).op('ref.is_null').op('i32.or');
      e.open('if', {});
      e.op('local.get', TI).op('local.get', TV).op('table.set', t);
      e.else();
      e.op('local.get', TO).op('local.get', TV).op('struct.get', T_CONT, C_INNER).op('struct.set', T_CONT, C_INNER);
      e.end();
    };
    /** The site's operation up to its landing (where a re-entered frame continues). */
    const sitePre = (it: Ins, n: Node) => {
      const ins = it.ins;
      const s = it.site!;
      switch (ins.op) {
        case 'suspend': {
          const tt = c.vm.tags[ins.args[0]]!.comp as CFuncType;
          c.store(kinds(tt.params), e.out);
          this.key(e, ins.args[0], false);
          e.op('local.get', CURL).op('call', this.h.suspend());
          unwind(s, n, []);
          return;
        }
        case 'switch': {
          const ft1 = contFunc(c.vm, ins.args[0]);
          const ks = kinds(ft1.params);
          e.op('local.set', TMPK);
          c.store(ks.slice(0, -1), e.out);
          e.op('local.get', TMPK);
          this.key(e, ins.args[1], true);
          e.op('local.get', CURL).op('call', this.h.switch());
          unwind(s, n, []);
          return;
        }
        case 'resume': {
          const ft = contFunc(c.vm, ins.args[0]);
          e.op('local.set', TMPK);
          c.store(kinds(ft.params), e.out);
          e.op('local.get', TMPK);
          this.handlers(e, ins.args[1]);
          // reuse: 1 from a local (reuse.ts), 2 from a table slot (reuse.ts: the object stays consumed while it runs)
          const flag = reuse.has(ins) ? 1 : this.tableReuse.resumes.get(x)?.has(ins) === true ? 2 : 0;
          e.op('i32.const', 0).op('i32.const', flag).op('local.get', CURL).op('call', this.h.resume());
          return;
        }
        case 'resume_throw': {
          const tag = ins.args[1];
          const tt = c.vm.tags[tag]!.comp as CFuncType;
          e.op('local.set', TMPK);
          // the exception, made by throwing it once
          const ex = {};
          e.open('block', ex, c.bt(lowered(tt.params), [{ nullable: false, heap: 'exn' }]));
          e.tryTable({}, c.bt(lowered(tt.params), []), [{ kind: 'catch_all_ref', label: ex }]);
          e.op('throw', tag);
          e.end();
          e.op('unreachable');
          e.end();
          e.op('global.set', g('exn'));
          e.op('local.get', TMPK);
          this.handlers(e, ins.args[2]);
          e.op('i32.const', 1).op('i32.const', 0).op('local.get', CURL).op('call', this.h.resume());
          return;
        }
        case 'resume_throw_ref': {
          const TMPE = tmp({ nullable: true, heap: 'exn' });
          e.op('local.set', TMPK).op('local.tee', TMPE).op('ref.is_null');
          e.blk('if', null, () => e.op('i32.const', WHY_NULL_EXN).op('global.set', g('why')).op('unreachable'));
          e.op('local.get', TMPE).op('global.set', g('exn'));
          e.op('local.get', TMPK);
          this.handlers(e, ins.args[1]);
          e.op('i32.const', 1).op('i32.const', 0).op('local.get', CURL).op('call', this.h.resume());
          return;
        }
        default: {
          const p = statusCall(ins);
          if (p !== undefined) {
            e.op('ref.null', p.frame).op('local.get', CURL).op('i32.const', 0).op('call', p.impl).op('local.set', HEAD);
            return;
          }
          // a call through a wrapper (or of an import): the wrapper reads the running stack from the global
          if (!(ins.op === 'call' && this.plans.has(ins.args[0]))) e.op('local.get', CURL).op('global.set', g('cur'));
          emitOrig({ ...it, site: null });
        }
      }
    };
    /** Values a re-entered frame receives at the site. */
    const deliver = (it: Ins) => {
      const ins = it.ins;
      switch (ins.op) {
        case 'resume': case 'resume_throw': case 'resume_throw_ref':
          e.op('global.get', g('st')).op('global.get', g('kc')).op('ref.null', T_CONT).op('global.set', g('kc'));
          return;
        // (a switch may resume a continuation suspended at a suspend or a switch: loadArrived)
        case 'suspend': {
          const tt = c.vm.tags[ins.args[0]]!.comp as CFuncType;
          c.loadArrived(kinds(tt.results), lowered(tt.results), e.out);
          return;
        }
        case 'switch':
          c.loadArrived(kinds(it.site!.results), lowered(it.site!.results), e.out);
          return;
        default:
          c.load(kinds(it.site!.results), lowered(it.site!.results), e.out);
      }
    };
    /** Saves this level and leaves it (the unwinding path of a site; `uf`: the callee's list is in the global). */
    const unwind = (s: Site, n: Node, drop: readonly CValType[], uf = false) => {
      for (let i = 0; i < drop.length; i++) e.op('drop');
      if (uf) e.op('global.get', g('uf')).op('local.set', HEAD).op('ref.null', T_FRAME).op('global.set', g('uf'));
      ensureFrame(s);
      saveRegion(s.below, n.h, s.below.length);
      exitFrom(n);
    };
    /**
     * After a site: unwinding? From a status callee: it returned a list (HEAD); a resume: UNWL; a
     * call through a wrapper: the global `uf` (the list, taken and cleared).
     */
    const unwindCheck = (s: Site, n: Node, res: readonly CValType[], how: 'head' | 'local' | 'global') => {
      const l = lowered([...s.below.slice(n.h), ...res]);
      if (how === 'head') e.op('local.get', HEAD).op('ref.is_null').op('i32.eqz');
      else if (how === 'local') e.op('local.get', UNWL);
      else e.op('global.get', g('uf')).op('ref.is_null').op('i32.eqz');
      e.blk('if', c.bt(l, l), () => unwind(s, n, res, how === 'global'));
    };
    const sitePost = (it: Ins, n: Node) => {
      const ins = it.ins;
      const s = it.site!;
      switch (ins.op) {
        case 'suspend': case 'switch':
          return;
        case 'resume': case 'resume_throw': case 'resume_throw_ref': {
          const ct = ins.args[0];
          const ft = contFunc(c.vm, ct);
          const hs = ins.op === 'resume_throw' ? ins.args[2] : ins.args[1];
          const res = lowered(ft.results);
          const STT = tmp('i32');
          e.op('local.set', KC).op('local.set', STT);
          const R = {};
          e.open('block', R, c.bt([], res));
          const U = {};
          e.open('block', U);
          const cl = hs.map(() => ({}));
          for (let i = cl.length - 1; i >= 0; i--) e.open('block', cl[i]!);
          const D = {};
          e.open('block', D);
          e.op('local.get', STT).op('i32.const', 1).op('i32.add').brTable([D, ...cl], U);
          e.end();
          c.load(kinds(ft.results), res, e.out);
          e.br('br', R);
          hs.forEach((hd, i) => {
            e.end();
            const lt = s.labels[i];
            if (hd.label === null || lt === null || lt === undefined) {
              e.op('unreachable');
              return;
            }
            const tt = c.vm.tags[hd.tag]!.comp as CFuncType;
            c.load(kinds(tt.params), lowered(lt.slice(0, -1)), e.out);
            // the continuation (made by the driver)
            e.op('local.get', KC).op('ref.as_non_null');
            e.br('br', it.targets[targetIndex(hs, i)]!);
          });
          e.end(); // U: unwinding further out
          for (const t of res) c.dummy(t, e.out);
          e.op('i32.const', 1).op('local.set', UNWL);
          e.end(); // R
          unwindCheck(s, n, ft.results, 'local');
          return;
        }
        default:
          unwindCheck(s, n, s.results, statusCall(ins) !== undefined && !eagerLanding ? 'head' : 'global');
      }
    };

    /** Pushes what a frame re-entered at site `p` (of level n) finds there. */
    const arrive = (p: Ins, n: Node) => {
      const s = p.site!;
      pushRegion(s.below, n.h, s.below.length);
      // (normal execution from here on, even when the site raises a pending exception; a copy
      // reads the state only in a loop)
      if (spec < 0 || inLoop(n)) e.op('i32.const', 0).op('local.set', STATE);
      // In a chain, a call's callee is the frame's next, re-entered here in turn: the results are
      // what it returns, with its list if it unwound again (as from a fresh call)
      const callee = spec > 0 ? statusCall(p.ins) : undefined;
      if (callee !== undefined) {
        e.op('local.get', FR).op('struct.get', T_FRAME, F_NEXT).op('ref.as_non_null').op('local.get', CURL);
        // (a copy returns the results alone, and leaves the list in the global uf when it unwound:
        // a second value returned and tested costs each frame of a chain about 1 ns, measured)
        e.op('call', callee.chain!.reenter);
        // (where a normal call's landing is the same, as in a loop, the list goes to HEAD as from
        // a status call; else sitePost tests uf: eagerLanding)
        if (inLoop(n)) {
          e.op('global.get', g('uf')).op('local.tee', HEAD).op('ref.is_null').op('i32.eqz');
          e.blk('if', null, () => e.op('ref.null', T_FRAME).op('global.set', g('uf')));
        }
        return;
      }
      // A frame is re-entered to throw at its suspension point (resume_throw), or where the
      // driver raises an exception from its callee again; the driver passes over the frames
      // of functions without a handler instead ($FrameNC, drivercaught), so their other
      // sites never see `thr` (a global load and 12 bytes less per site: C code has many). (In a
      // chain, only its innermost frame, at a suspend or a switch, can be re-entered to throw.)
      if (!noCatch || p.ins.op === 'suspend' || p.ins.op === 'switch') this.h.throwIfPending(e);
      deliver(p);
    };
    const emitPoint = (p: Item, n: Node) => {
      if (isNode(p)) emitNode(p);
      else {
        sitePre(p, n);
        sitePost(p, n);
      }
    };
    const emitItems = (items: readonly Item[], n: Node, points: readonly Item[]) => {
      for (const it of items) {
        if (points.includes(it)) emitPoint(it, n);
        else emitPlain(it);
      }
    };
    const siteInLoop = (n: Node, id: number, loop: boolean): boolean => {
      if (id < n.firstId || id > n.lastId) return false;
      const inner = loop || n.kind === 'loop';
      for (const it of [...n.body, ...(n.els ?? [])]) {
        if (isNode(it) ? siteInLoop(it, id, inner) : it.site?.id === id && inner) return true;
      }
      return false;
    };
    /** Is a block entered again after a re-entered frame landed (a loop around it)? */
    const inLoop = (n: Node | null): boolean => n !== null && (n.kind === 'loop' || inLoop(n.parent));
    /**
     * A block's sequence in a copy for site `spec`: no landing, no dispatch, but on the way to
     * the site a single landing that ends at the point that leads there. It tests the state only
     * where a loop may enter the block again after the landing (then the code before the point
     * is there too); elsewhere it branches at once, and that code is left out (a copy is small
     * enough for V8 to inline, which is what it is for).
     */
    const emitSpec = (items: readonly Item[], n: Node, P: ValType[], first: number, last: number, points: readonly Item[], land: readonly ValType[][]) => {
      const j = spec < first || spec > last
        ? -1
        : points.findIndex((p) => (isNode(p) ? spec >= p.firstId && spec <= p.lastId : p.site!.id === spec));
      if (j < 0) {
        emitItems(items, n, points);
        return;
      }
      const p = points[j]!;
      const W = {};
      const loop = inLoop(n);
      const arm = isNode(p) && spec <= p.thenLast ? 1 : 0;
      // (an `if` entered only from here: the arm on the way, as a block)
      const armOnly = !loop && isNode(p) && p.kind === 'if';
      // (the landing's values are exactly the block's results: without a loop, the block holds
      // nothing else and needs no branch, and tighten.ts then removes it)
      const go = (br: boolean) => {
        for (let i = 0; i < P.length; i++) e.op('drop');
        if (isNode(p)) {
          pushRegion(p.before, n.h, p.h);
          for (const t of p.params) c.dummy(c.cval(t), e.out);
          if (p.kind === 'if' && !armOnly) e.op('i32.const', arm);
        } else arrive(p, n);
        if (br) e.br('br', W);
      };
      e.open('block', W, c.bt(P, armOnly ? land[j]!.slice(0, -1) : land[j]!));
      if (loop) {
        e.op('local.get', STATE);
        e.blk('if', c.bt(P, P), () => go(true));
        const at = items.indexOf(p);
        emitItems(items.slice(0, at), n, points);
        if (!isNode(p)) sitePre(p, n);
      } else go(false);
      e.end();
      if (isNode(p)) emitNode(p, armOnly ? arm : undefined);
      else {
        // (a landing that only a chain's re-entry reaches: its callee's list is in uf)
        eagerLanding = !loop && statusCall(p.ins) !== undefined;
        sitePost(p, n);
        eagerLanding = false;
      }
      emitItems(items.slice(items.indexOf(p) + 1), n, points);
    };

    // ---- blocks
    const emitPlain = (it: Item) => {
      if (!isNode(it)) {
        emitOrig(it);
        return;
      }
      openNode(it);
      for (const x of it.body) emitPlain(x);
      if (it.els !== null) {
        e.else();
        for (const x of it.els) emitPlain(x);
      }
      e.end();
    };
    const openNode = (n: Node) => {
      const ins = mapInstr(c, n.open!);
      e.openRaw(n.targets.length > 0 ? withLabels(ins, n.targets.map((t) => e.depth(t))) : ins, n);
    };
    const live = (it: Item): boolean => (isNode(it) ? !it.dead && it.lastId >= it.firstId : it.site !== null);
    const nodeParams = (n: Node) => lowered(n.params);

    /** `arm` (an `if` entered only on the way to a re-entered site): that arm only, as a block. */
    const emitNode = (n: Node, arm?: 0 | 1) => {
      const P = nodeParams(n);
      const R = lowered(n.results);
      if (n.kind === 'loop' && needs(n)) {
        n.xl = {};
        e.open('block', n.xl, c.bt(P, R));
      }
      if (arm === undefined) {
        openNode(n);
        emitSeq(n.body, n, P, n.firstId, n.thenLast);
        if (n.els !== null) {
          e.else();
          emitSeq(n.els, n, P, n.thenLast + 1, n.lastId);
        }
      } else {
        e.openRaw(I('block', mapInstr(c, n.open!).args[0]), n);
        if (arm === 1) emitSeq(n.body, n, P, n.firstId, n.thenLast);
        else emitSeq(n.els ?? [], n, P, n.thenLast + 1, n.lastId);
      }
      e.end();
      if (n.xl !== undefined) e.end();
      if (needs(n)) {
        const parent = n.parent!;
        const l = lowered([...n.before.slice(parent.h, n.h), ...n.results]);
        e.op('local.get', UNWL);
        e.blk('if', c.bt(l, l), () => {
          for (let i = 0; i < n.results.length; i++) e.op('drop');
          saveRegion(n.before, parent.h, n.h);
          exitFrom(parent);
        });
      }
    };

    /** One block's instruction sequence: landings, the dispatch, then the code. */
    const emitSeq = (items: readonly Item[], n: Node, P: ValType[], first: number, last: number) => {
      const points = items.filter(live);
      if (points.length === 0) {
        for (const it of items) emitPlain(it);
        return;
      }
      const land = points.map((p) => {
        // (a nested block's parameters with their declared types: the dispatch pushes dummies of
        // those, and the values falling through may have subtypes, a non-null reference say)
        if (isNode(p)) return lowered([...p.before.slice(n.h, p.h), ...p.params, ...(p.kind === 'if' ? ['i32' as const] : [])]);
        const s = p.site!;
        const op = (p as Ins).ins.op;
        if (op === 'resume' || op === 'resume_throw' || op === 'resume_throw_ref') {
          return [...lowered(s.below.slice(n.h)), 'i32', { nullable: true, heap: T_CONT }] as ValType[];
        }
        return lowered([...s.below.slice(n.h), ...s.results]);
      });
      if (spec > 0) {
        emitSpec(items, n, P, first, last, points, land);
        return;
      }
      const W = points.map(() => ({}));
      for (let j = points.length - 1; j >= 0; j--) e.open('block', W[j]!, c.bt(P, land[j]!));
      // the dispatch: when re-entering, go to the landing on the way to site `state`
      e.op('local.get', STATE);
      e.blk('if', c.bt(P, P), () => {
        for (let i = 0; i < P.length; i++) e.op('drop');
        const groups: { point: number; arm: number; from: number; to: number }[] = [];
        points.forEach((p, j) => {
          if (!isNode(p)) groups.push({ point: j, arm: -1, from: p.site!.id, to: p.site!.id });
          else if (p.kind === 'if') {
            if (p.thenLast >= p.firstId) groups.push({ point: j, arm: 1, from: p.firstId, to: p.thenLast });
            if (p.lastId > p.thenLast) groups.push({ point: j, arm: 0, from: p.thenLast + 1, to: p.lastId });
          } else groups.push({ point: j, arm: -1, from: p.firstId, to: p.lastId });
        });
        const bad = {};
        e.open('block', bad);
        const G = groups.map(() => ({}));
        for (let i = groups.length - 1; i >= 0; i--) e.open('block', G[i]!);
        const table: Label[] = [];
        for (let id = first; id <= last; id++) {
          const gi = groups.findIndex((gr) => id >= gr.from && id <= gr.to);
          table.push(gi < 0 ? bad : G[gi]!);
        }
        e.op('local.get', STATE).op('i32.const', first).op('i32.sub').brTable(table, bad);
        groups.forEach((gr) => {
          e.end();
          const p = points[gr.point]!;
          if (isNode(p)) {
            pushRegion(p.before, n.h, p.h);
            for (const t of p.params) c.dummy(c.cval(t), e.out);
            if (p.kind === 'if') e.op('i32.const', gr.arm);
          } else arrive(p, n);
          e.br('br', W[gr.point]!);
        });
        e.end(); // bad
        e.op('unreachable');
      });
      let k = 0;
      points.forEach((p) => {
        while (items[k] !== p) emitPlain(items[k++]!);
        k++;
        if (isNode(p)) {
          e.end();
          emitNode(p);
        } else {
          sitePre(p, n);
          e.end();
          sitePost(p, n);
        }
      });
      while (k < items.length) emitPlain(items[k++]!);
    };

    /**
     * A re-entered frame (local `fr`) that unwinds again: its thunk and site when it unwinds
     * from another site (`thk` not null), and its saved locals (`savedAt(j)`: the local of the
     * j-th). $impl's exit, and relink's for a copy.
     */
    const saveFrame = (em: Emitter, fr: number, thk: number, site: number, savedAt: (j: number) => number): void => {
      em.op('local.get', thk).op('ref.is_null').op('i32.eqz');
      em.blk('if', null, () => {
        em.op('local.get', fr).op('local.get', thk).op('struct.set', FT, F_THUNK);
        if (siteField) em.op('local.get', fr).op('local.get', site).op('struct.set', FT, F_BASE);
      });
      saved.forEach((_, j) => em.op('local.get', fr).op('local.get', savedAt(j)).op('struct.set', FT, F_BASE + off + j));
    };

    // ---- the body of $impl (spec -1) or of a copy for one site (spec > 0: chain.ts)
    const emitBody = (sp: number): Instr[] => {
      spec = sp;
      e = new Emitter(root);
      if (spec < 0) e.op('local.get', STATE).op('local.set', ENTRY);
      // (a copy's state is a local, read only by the dispatch of a loop around the site)
      else if (siteInLoop(root, spec, false)) e.op('i32.const', spec).op('local.set', STATE);
      const restore = () => {
        saved.forEach((i, j) => {
          e.op('local.get', FR).op('struct.get', FT, F_BASE + off + j);
          if (nonNull(localTypes[i]!)) e.op('ref.as_non_null');
          e.op('local.set', local(i));
        });
      };
      if (saved.length > 0) {
        if (spec > 0) restore();
        else {
          e.op('local.get', FR).op('ref.is_null').op('i32.eqz');
          e.blk('if', null, restore);
        }
      }
      e.open('block', FEXIT);
      if (status) {
        // the function's own label, for branches to it (the function returns one value more)
        e.open('block', root, c.bt([], results));
        emitSeq(root.body, root, [], 1, root.lastId);
        e.end();
        // (a copy returns the results alone: chainParts)
        if (spec < 0) e.op('ref.null', T_FRAME);
      } else {
        emitSeq(root.body, root, [], 1, root.lastId);
      }
      e.op('return');
      e.end();
      // The list of frames this unwinding saved, outermost first, each one's next its callee (HEAD:
      // the callees'): a fresh frame goes in front. A re-entered frame (old, as a rule) is not
      // linked to the (young) frames of its callees, which would take the write barrier's slow
      // path: the list passes without it, and its thunk puts it below them (rev).
      const again = () => saveFrame(e, FR, THK, SITEL, (j) => local(saved[j]!));
      if (spec > 0) {
        // a frame re-entered in a chain: linked in as a fresh one (its caller's landing, or the
        // chain's thunk, takes the list as from a fresh call), out of line (the copy stays small)
        e.op('local.get', FR).op('local.get', HEAD).op('local.get', THK);
        if (siteField) e.op('local.get', SITEL);
        for (const i of saved) e.op('local.get', local(i));
        e.op('call', relink).op('return').op('end');
        return e.out;
      } else {
        e.op('local.get', FR).op('ref.is_null');
        e.open('if', {});
        e.op('local.get', HEAD).op('local.get', THK);
        if (siteField) e.op('local.get', SITEL);
        for (const i of saved) e.op('local.get', local(i));
        for (const t of fieldTypes.slice(F_BASE + off + saved.length)) c.dummy(t, e.out);
        e.op('struct.new', FT).op('local.set', HEAD);
        countFrame();
        e.else();
        again();
        if (status) {
          e.op('local.get', FRESH).op('local.get', HEAD).op('ref.is_null').op('i32.or');
          e.blk('if', null, () => e.op('local.get', FR).op('local.set', HEAD));
        } else {
          // A function with tail calls links even a re-entered frame: its thunk cannot tell a list
          // without the frame from that of a callee it tail-called (then the frame is gone)
          e.op('local.get', FR).op('local.get', HEAD).op('struct.set', FT, F_NEXT);
          e.op('local.get', FR).op('local.set', HEAD);
        }
        e.end();
      }
      // the list goes to the caller: returned, or (without the status convention) in the global uf
      if (!status) e.op('local.get', HEAD).op('global.set', g('uf'));
      for (const t of results) c.dummy(t, e.out);
      if (status) e.op('local.get', HEAD);
      e.op('return');
      e.op('end');
      return e.out;
    };
    const relink = chain === null ? -1 : c.addFunc(null);
    const body = emitBody(-1);
    // (a frame re-entered in a chain: one copy per site, chain.ts)
    const copies = chain === null
      ? []
      : [...thunks.keys()].sort((p, q) => p - q).map((id) => ({ id, body: emitBody(id), call: siteIns.get(id)!.op === 'call' }));

    const frameType = frameSubType(fieldTypes.slice(F_BASE).map((t) => ({ mutable: true, type: t })), noCatch);
    c.setType(FT, frameType);
    // A frame that keeps nothing but $Frame's fields (no local is live after any site, no operand
    // is saved: a recursion that adds to its callee's result, say) is made as $Frame itself
    // ($FrameNC without a handler), and $impl takes any $Frame: its thunk passes the frame on
    // without a cast (a load of the type's map and a compare per frame re-entered; 10 frames
    // entered afresh: see bench/README.md).
    const bare = fieldTypes.length === F_BASE;
    const unframe = (out: Instr[]) => {
      const base = noCatch ? T_FRAME_NC : T_FRAME;
      for (let i = 0; i < out.length; i++) {
        const ins = out[i]!;
        if (ins.op === 'struct.new' && ins.args[0] === FT) out[i] = I('struct.new', base);
        else if (ins.op === 'struct.set' && ins.args[0] === FT) out[i] = I('struct.set', T_FRAME, ins.args[1]);
        else if ((ins.op === 'struct.get' || ins.op === 'struct.new_default') && ins.args[0] === FT) throw new LowerError('internal: a bare frame with fields');
      }
    };
    if (bare) {
      unframe(body);
      for (const cp of copies) unframe(cp.body);
    }
    const frameParam: ValType = { nullable: true, heap: bare ? T_FRAME : FT };
    const implType = c.funcType([...params, frameParam, { nullable: true, heap: T_STK }, 'i32'], status ? [...results, { nullable: true, heap: T_FRAME }] : results);
    const implLocals = [...declared.map(nullable), ...extra];
    c.setFunc(plan.impl, { type: implType, locals: implLocals, body, at: f.at });
    if (chain !== null) {
      this.chainParts(plan, chain, copies, { params, results, resultKinds: kinds(ft.results), implLocals, FT, frame: frameParam, bare, at: f.at });
      // relink(frame, list, thunk, [site], saved locals...) -> results, frame: a frame re-entered
      // in a chain that unwinds again (rare): its site, locals and callee's list
      const r = new Emitter({});
      const [F, H, T, S] = [0, 1, 2, 3];
      saveFrame(r, F, T, S, (j) => 3 + off + j);
      r.op('local.get', F).op('local.get', H).op('struct.set', FT, F_NEXT);
      r.op('local.get', F).op('global.set', g('uf'));
      for (const t of results) c.dummy(t, r.out);
      r.op('end');
      if (bare) unframe(r.out);
      const rt = c.funcType(
        [frameParam, { nullable: true, heap: T_FRAME }, { nullable: true, heap: T_THUNK }, ...(siteField ? ['i32' as const] : []), ...saved.map((i) => localTypes[i]!)],
        results,
      );
      c.setFunc(relink, { type: rt, locals: [], body: r.out, at: -1 });
      c.out.names.funcs.set(relink, `${plan.name}:relink`);
    }

    // ---- the thunks, one per site: re-enter a saved frame at the site; the results go to the
    // transfer globals
    for (const [id, x] of thunks) {
      const t = new Emitter({});
      const callee = status ? statusCall(siteIns.get(id)!) : undefined;
      const eager = callee?.chain ?? null;
      // (the frames made so far: those its callee's unwinding makes are how many more)
      if (eager !== null) t.op('global.get', this.h.chainCount()).op('local.set', 3);
      for (const p of params) c.dummy(p, t.out);
      // (without the status convention: the rest of the stack, read before the frame is re-entered)
      if (!status) t.op('local.get', 0).op('struct.get', T_FRAME, F_NEXT).op('local.set', 3);
      t.op('local.get', 0);
      if (!bare) t.op('ref.cast', { nullable: false, heap: FT });
      t.op('local.get', 1).op('i32.const', id).op('call', plan.impl);
      if (status) t.op('local.tee', 2).op('ref.is_null').op('i32.eqz');
      else t.op('global.get', g('uf')).op('ref.is_null').op('i32.eqz');
      // it unwound: the list of frames saved is this frame (re-entered and saved again) or, when
      // its callees saved frames, theirs, which go in front of this frame (the stack's new top).
      // Without the status convention the list starts with this frame, or with the frames of a
      // callee it tail-called, in front of the rest.
      t.blk('if', c.bt(results, results), () => {
        for (let i = 0; i < results.length; i++) t.op('drop');
        if (status) {
          t.op('local.get', 2).op('local.get', 0).op('ref.eq');
          t.blk('if', null, () => t.op('local.get', 0).op('return'));
          // a callee whose frames may be re-entered in a chain saved two frames or more: they go
          // on the stack as one chain (chainParts), in front of this frame
          // (at most CHAIN_MAX of them: a chain is re-entered by a recursion, which takes more of
          // the Wasm stack than the calls that made it did, and lazily none)
          if (eager !== null) {
            const ct = this.h.chainType();
            t.op('local.get', 2).op('struct.get', T_FRAME, F_NEXT).op('ref.is_null').op('i32.eqz');
            t.op('global.get', this.h.chainCount()).op('local.get', 3).op('i32.sub').op('i32.const', CHAIN_MAX).op('i32.le_u').op('i32.and');
            t.blk('if', null, () => {
              t.op('local.get', 0).op('struct.get', T_FRAME, F_NEXT).push(c.refFunc(eager.thunk)).op('local.get', 2).op('ref.as_non_null');
              t.op('local.get', 0).op('struct.new', ct).op('return');
            });
          }
          t.op('local.get', 2).op('local.get', 0).op('call', this.h.rev()).op('return');
        } else {
          t.op('global.get', g('uf')).op('ref.null', T_FRAME).op('global.set', g('uf'));
          t.op('local.get', 3).op('call', this.h.rev()).op('return');
        }
      });
      c.store(kinds(ft.results), t.out);
      t.op('ref.null', T_FRAME);
      t.op('end');
      const tl: ValType[] = status ? [{ nullable: true, heap: T_FRAME }, 'i32'] : [{ nullable: true, heap: T_FRAME }, { nullable: true, heap: T_FRAME }];
      c.setFunc(x, { type: T_THUNK, locals: tl, body: t.out, at: -1 });
      c.out.names.funcs.set(x, `${plan.name}:thunk${id}`);
    }

    // ---- the wrapper, at the function's own index
    const w: Instr[] = [];
    for (let i = 0; i < np; i++) w.push(I('local.get', i));
    // (a function that cannot suspend runs on no stack, as from a function not instrumented)
    w.push(I('ref.null', FT), this.a.susp[x] ? I('global.get', g('cur')) : I('ref.null', T_STK), I('i32.const', 0));
    if (!status) {
      w.push(I('return_call', plan.impl), I('end'));
      return { type: c.typeIdx(f.type), locals: [], body: w, at: f.at };
    }
    // (its callers read an unwinding's list from the global uf)
    w.push(I('call', plan.impl), I('local.tee', np), I('ref.is_null'), I('i32.eqz'));
    w.push(I('if', null), I('local.get', np), I('global.set', g('uf')), I('end'), I('end'));
    return { type: c.typeIdx(f.type), locals: [{ nullable: true, heap: T_FRAME }], body: w, at: f.at };
  }

  /**
   * The parts of a function whose frames may be re-entered in a chain (chain.ts): a copy of $impl
   * per site, `reenter(frame, stack)`, which calls the copy for the frame's site, and the thunk of
   * a chain whose outermost frame is one of the function's: it re-enters that frame (and so, one
   * by one, the chain's others); if they unwind again, their list goes on the stack innermost
   * first as usual (rev: a loop at the chain's bottom then pays for one frame per suspension).
   * In a chain, a frame at a call has its callee's frame as its next, one at a suspend or a
   * switch none: that tells the two kinds of site apart, and the site field only several of one
   * kind (a recursion that suspends at its bottom has no field: its frames stay bare).
   */
  private chainParts(
    plan: Plan, chain: NonNullable<Plan['chain']>, copies: readonly { id: number; body: Instr[]; call: boolean }[],
    k: { params: ValType[]; results: ValType[]; resultKinds: Kind[]; implLocals: ValType[]; FT: number; frame: ValType; bare: boolean; at: number },
  ): void {
    const c = this.c;
    // A copy takes the frame and the stack only, and declares the locals it uses only (its
    // parameters and the state become locals): V8 inlines by size, locals counted.
    const np = k.params.length;
    const oldTypes: ValType[] = [...k.params, k.frame, { nullable: true, heap: T_STK }, 'i32', ...k.implLocals];
    const copyType = c.funcType([k.frame, { nullable: true, heap: T_STK }], k.results);
    const entries = copies.map(({ id, body, call }) => {
      const map = new Map<number, number>([[np, 0], [np + 1, 1]]);
      const locals: ValType[] = [];
      const out = body.map((ins) => {
        if (ins.op !== 'local.get' && ins.op !== 'local.set' && ins.op !== 'local.tee') return ins;
        const y = ins.args[0];
        let z = map.get(y);
        if (z === undefined) {
          map.set(y, (z = 2 + locals.length));
          locals.push(oldTypes[y]!);
        }
        return z === y ? ins : ({ ...ins, args: [z] } as Instr);
      });
      const x = c.addFunc({ type: copyType, locals, body: tighten(out), at: k.at });
      c.out.names.funcs.set(x, `${plan.name}:at${id}`);
      return { id, x, call };
    });
    // reenter: (ref $Frame) (ref null $Stk) -> results (when it unwound again: dummies, the list in uf)
    const e = new Emitter({});
    const FF = k.bare ? 0 : 2;
    if (!k.bare) e.op('local.get', 0).op('ref.cast', { nullable: false, heap: k.FT }).op('local.set', FF);
    const group = (es: readonly { id: number; x: number }[]) => {
      if (es.length === 1) {
        e.op('local.get', FF).op('local.get', 1).op('call', es[0]!.x).op('return');
        return;
      }
      const bad = {};
      e.open('block', bad);
      const L = es.map(() => ({}));
      for (let i = L.length - 1; i >= 0; i--) e.open('block', L[i]!);
      const table: Label[] = [];
      for (let id = 0; id <= es[es.length - 1]!.id; id++) {
        const i = es.findIndex((en) => en.id === id);
        table.push(i < 0 ? bad : L[i]!);
      }
      e.op('local.get', FF).op('struct.get', k.FT, F_BASE).brTable(table, bad);
      for (const en of es) {
        e.end();
        e.op('local.get', FF).op('local.get', 1).op('call', en.x).op('return');
      }
      e.end();
    };
    const calls = entries.filter((en) => en.call);
    const ends = entries.filter((en) => !en.call);
    // (no site that unwinds, all of them unreachable: no frame of the function is ever saved)
    if (calls.length > 0 && ends.length > 0) {
      e.op('local.get', 0).op('struct.get', T_FRAME, F_NEXT).op('ref.is_null');
      e.blk('if', null, () => group(ends));
      group(calls);
    } else if (entries.length > 0) group(entries);
    e.op('unreachable').op('end');
    const rt = c.funcType([{ nullable: false, heap: T_FRAME }, { nullable: true, heap: T_STK }], k.results);
    c.setFunc(chain.reenter, { type: rt, locals: k.bare ? [] : [{ nullable: true, heap: k.FT }], body: e.out, at: -1 });
    c.out.names.funcs.set(chain.reenter, `${plan.name}:reenter`);

    // The chain's thunk. The chain stands in for the frame re-entered lazily below it too (its
    // next is that frame's next): once the chain's frames returned, it tail-calls that frame's
    // thunk, which takes their results from the transfer globals (a driver step less). An
    // exception from the chain goes to that frame as the driver would send it: raised there
    // (`thr`) if it has a handler, else past it.
    const ct = this.h.chainType();
    const t = new Emitter({});
    const [C, S, L, X] = [0, 1, 2, 3];
    const CH = 4;
    const below = () => t.op('local.get', CH).op('struct.get', ct, F_BASE + 1);
    const reenterBelow = () => {
      below().op('local.get', S);
      below().op('struct.get', T_FRAME, F_THUNK).op('return_call_ref', T_THUNK);
    };
    t.op('local.get', C).op('ref.cast', { nullable: false, heap: ct }).op('local.set', CH);
    const caught = {};
    t.open('block', caught, { nullable: false, heap: 'exn' });
    t.tryTable({}, c.bt([], k.results), [{ kind: 'catch_all_ref', label: caught }]);
    t.op('local.get', CH).op('struct.get', ct, F_BASE).op('local.get', S).op('call', chain.reenter);
    t.end();
    t.op('global.get', this.c.rtGlobal('uf')).op('local.tee', L).op('ref.is_null').op('i32.eqz');
    t.blk('if', c.bt(k.results, k.results), () => {
      for (let i = 0; i < k.results.length; i++) t.op('drop');
      t.op('ref.null', T_FRAME).op('global.set', this.c.rtGlobal('uf'));
      t.op('local.get', L);
      below().op('call', this.h.rev()).op('return');
    });
    c.store(k.resultKinds, t.out);
    reenterBelow();
    t.end(); // caught
    t.op('local.set', X);
    below().op('ref.test', { nullable: false, heap: T_FRAME_NC });
    t.blk('if', null, () => t.op('local.get', X).op('throw_ref'));
    t.op('i32.const', 1).op('global.set', this.c.rtGlobal('thr')).op('local.get', X).op('global.set', this.c.rtGlobal('exn'));
    reenterBelow();
    t.op('end');
    c.setFunc(chain.thunk, {
      type: T_THUNK, locals: [{ nullable: true, heap: T_FRAME }, { nullable: true, heap: 'exn' }, { nullable: true, heap: ct }], body: t.out, at: -1,
    });
    c.out.names.funcs.set(chain.thunk, `${plan.name}:chain`);
  }

  private site(ins: Instr, ck: Checker, id: number): Site {
    const c = this.c;
    const vm = c.vm;
    const n = ck.vals.length;
    const mk = (pops: number, results: readonly CValType[], labels: (readonly CValType[] | null)[] = []): Site => ({
      id, below: ck.vals.slice(0, n - pops), results, labels,
    });
    const handlerLabels = (hs: readonly { label: number | null }[]) =>
      hs.map((h) => (h.label === null ? null : ck.label(h.label).slice()));
    switch (ins.op) {
      case 'call': {
        const ft = vm.funcs[ins.args[0]]!.comp as CFuncType;
        return mk(ft.params.length, ft.results);
      }
      case 'call_ref': case 'call_indirect': {
        const ft = vm.types[ins.args[0]]!.comp as CFuncType;
        return mk(ft.params.length + 1, ft.results);
      }
      case 'suspend': {
        const tt = vm.tags[ins.args[0]]!.comp as CFuncType;
        return mk(tt.params.length, tt.results);
      }
      case 'resume': {
        const ft = contFunc(c.vm, ins.args[0]);
        return mk(ft.params.length + 1, ft.results, handlerLabels(ins.args[1]));
      }
      case 'resume_throw': {
        const ft = contFunc(c.vm, ins.args[0]);
        const tt = vm.tags[ins.args[1]]!.comp as CFuncType;
        return mk(tt.params.length + 1, ft.results, handlerLabels(ins.args[2]));
      }
      case 'resume_throw_ref': {
        const ft = contFunc(c.vm, ins.args[0]);
        return mk(2, ft.results, handlerLabels(ins.args[1]));
      }
      case 'switch': {
        const ft1 = contFunc(c.vm, ins.args[0]);
        const last = ft1.params[ft1.params.length - 1] as { heap: { comp: { kind: 'cont'; type: { comp: CFuncType } } } };
        const ft2 = last.heap.comp.type.comp;
        return mk(ft1.params.length, ft2.params);
      }
      default:
        throw new LowerError(`internal: ${ins.op} is not a site`);
    }
  }

  /** Pushes the handler key of a tag: its id * 2 (+1 for switch). */
  private key(e: Emitter, tag: number, sw: boolean): void {
    e.op('global.get', this.c.tagId[tag]!).op('i32.const', 1).op('i32.shl');
    if (sw) e.op('i32.const', 1).op('i32.or');
  }

  /** Pushes the handler table of a resume site (with the key of its first clause). */
  private handlers(e: Emitter, hs: readonly { tag: number; label: number | null }[]): void {
    e.op('global.get', this.handlerTable(hs));
  }

  /** A global holding the handler table of a resume site (built at instantiation). */
  private handlerTable(hs: readonly { tag: number; label: number | null }[]): number {
    const gi = this.c.addGlobal({
      type: { mutable: true, type: { nullable: true, heap: T_HDL } },
      init: [I('ref.null', T_HDL), I('end')],
      at: -1,
    });
    this.handlerTables.push({ global: gi, keys: hs.map((h) => ({ tag: h.tag, sw: h.label === null })) });
    return gi;
  }
}

/** Index in a resume's targets of handler i (switch handlers have no label). */
function targetIndex(hs: readonly { label: number | null }[], i: number): number {
  let k = 0;
  for (let j = 0; j < i; j++) if (hs[j]!.label !== null) k++;
  return k;
}

// The execution machine: the dispatch loop over translated code (compile.ts,
// ops.ts), calls, exceptions, continuations, traps, backtraces and limits.
//
// Execution state is data. A *stack segment* (`Stack`) holds a value store of
// three parallel arrays indexed by slot (i32 values in a packed array of small
// integers, f32 bits and f64 in a Float64Array, everything else in a JS array; the
// translator knows which holds each slot) and a frame stack (code, frame pointer,
// saved pc per frame).
// Wasm calls push a frame; they never recurse in JavaScript. Every continuation
// owns its segments: `invoke` runs a root segment; `resume` of a fresh
// continuation starts a new segment whose `parent` is the resumer and whose
// `site` is the resume's handler table; `suspend` walks the chain of running
// segments from the innermost until a site handles the tag, detaches the
// segments it passed (they *are* the new continuation: no copying) and makes
// the handler's segment current; `resume` reattaches them; `switch` detaches
// and reattaches in one step. Switching is O(1) in the depth of the stacks
// (the handler search is linear in the number of nested handlers only).
//
// Limits: the depth of the running chain is `base` (frames of the segments
// below the current one, updated at switches) plus the current segment's frame
// count, so that calls and returns pay nothing for it; slots are counted when
// segments are allocated, grown, detached or attached. Each `Cont` remembers
// the frames and slots of its segments.
//
// Errors: traps are JS exceptions caught around the dispatch loop, which
// attaches the backtrace of the running chain; Wasm exceptions are not JS
// exceptions (a static table of try_table ranges per function is searched
// frame by frame, through the segments, then the state is unwound).

import type {
  FuncInst, HostFunc, TagInst, Value, WasmArray, WasmFunc, WasmStruct,
} from '../runtime/value.ts';
import { WasmExn, nulls } from '../runtime/value.ts';
import {
  externalize, internalize, newArray, newArrayDefault, newArrayFixed, newStruct, newStructDefault, refMatches,
} from '../runtime/gc.ts';
import {
  type BacktraceFrame, Exhaustion, RuntimeError, Trap, UncaughtException, UnhandledSuspension,
} from '../util/errors.ts';
import { type CRefType, type DefType, isSubDef } from '../valid/types.ts';
import {
  type AggrDesc, type BindSite, type CatchClause, Code, type MemAccess, type ResumeSite, type SwitchSite, sigKinds,
} from './code.ts';
import { compileFunc } from './compile.ts';
import {
  NULL_ARRAY, OOB_ARRAY, OOB_MEMORY, OOB_TABLE, addrAt, arrayCopy, arrayFill, arrayInitData, arrayInitElem,
  arrayNewData, arrayNewElem, memLoad, memLoadLane, memStore, memoryCopy, memoryFill, memoryInit, putAddr,
  tableCopy, tableFill, tableInit,
} from './bulk.ts';
import { NUMERIC } from './numeric.ts';
import { f64ToI64, storeF64 } from '../util/float-bits.ts';
import { VIEW_FIRST, VIEW_LAST } from './ops.ts';
import type { EngineOptions } from './options.ts';
import { Cont, Stack, consume, copySlots, getSlot, setSlot, slotValue, slotValues } from './stack.ts';

// ---- stack segments ------------------------------------------------------------------------------

const POOL: Stack[] = [];
const POOL_MAX = 64;
const POOL_CAP_MAX = 4096;

// ---- limits -----------------------------------------------------------------------------------------------

const DEFAULT_MAX_CALL_DEPTH = 200_000;
const DEFAULT_MAX_STACK_BYTES = 64 << 20;
/** bytes of a value slot: 8 in each of its three arrays (a double, a small integer, a pointer) */
const SLOT_BYTES = 24;
/** Slots of a root segment at least (it grows by doubling; small, as its release clears it). */
const ROOT_CAP = 64;
const POLL_INTERVAL = 4096;
const NO_POLL = 0x3fffffff;

const EXHAUSTED = 'call stack exhausted';
const OWNER = Symbol('wasmfx.backtrace');

type Fn1 = (a: unknown) => unknown;
type Fn2 = (a: unknown, b: unknown) => unknown;
type Fn3 = (a: unknown, b: unknown, c: unknown) => unknown;

const F32_ADD = NUMERIC['f32.add'];
const F32_SUB = NUMERIC['f32.sub'];
const F32_MUL = NUMERIC['f32.mul'];
const F32_DIV = NUMERIC['f32.div'];
/** Scratch for f32 bits <-> values (arithmetic with a NaN result goes to numeric.ts for its payload rules). */
const SCRATCH = new ArrayBuffer(8);
const SF32 = new Float32Array(SCRATCH);
const SU32 = new Uint32Array(SCRATCH);
const F64_ADD = NUMERIC['f64.add'];
const F64_SUB = NUMERIC['f64.sub'];
const F64_MUL = NUMERIC['f64.mul'];
const F64_DIV = NUMERIC['f64.div'];

function trap(msg: string): never {
  throw new Trap(msg);
}

// ---- the machine ---------------------------------------------------------------------------------------

export class Machine {
  /** the running segment */
  stack: Stack;
  /**
   * Frames of the running chain below the current segment (the chain's depth is
   * `base + stack.depth`), and slots of the running chain.
   */
  base = 0;
  slots = 0;
  readonly maxDepth: number;
  readonly maxSlots: number;
  readonly maxSegSlots: number;
  /** fuel left beyond the current budget (Infinity: unlimited) */
  fuel: number;
  readonly interval: number;
  readonly interrupt: Int32Array | null;
  budget: number;

  constructor(opts: EngineOptions = {}) {
    this.maxDepth = opts.maxCallDepth ?? DEFAULT_MAX_CALL_DEPTH;
    this.maxSlots = Math.max(64, Math.floor((opts.maxStackBytes ?? DEFAULT_MAX_STACK_BYTES) / SLOT_BYTES));
    this.maxSegSlots = Math.min(this.maxSlots, Math.max(64, Math.floor((opts.maxSegmentBytes ?? Infinity) / SLOT_BYTES)));
    this.fuel = opts.fuel ?? Infinity;
    this.interrupt = opts.interrupt ?? null;
    this.interval = this.interrupt !== null ? POLL_INTERVAL : NO_POLL;
    const chunk = Math.min(this.fuel, this.interval);
    this.fuel -= chunk;
    this.budget = chunk;
    this.stack = null as unknown as Stack;
  }

  // ---- segments

  newStack(cap: number): Stack {
    if (cap > this.maxSegSlots || this.slots + cap > this.maxSlots) throw new Exhaustion(EXHAUSTED);
    let s: Stack | undefined;
    // (a pooled segment much bigger than needed would cost its size to clear on release)
    const most = cap * 4;
    for (let i = POOL.length - 1; i >= 0; i--) {
      const n = POOL[i]!.num.length;
      if (n >= cap && n <= most) {
        s = POOL[i]!;
        POOL[i] = POOL[POOL.length - 1]!;
        POOL.pop();
        break;
      }
    }
    if (s === undefined) s = new Stack(cap);
    this.slots += s.num.length;
    return s;
  }

  release(s: Stack): void {
    s.depth = 0;
    s.parent = null;
    s.site = null;
    if (POOL.length < POOL_MAX && s.num.length <= POOL_CAP_MAX) {
      // (drops the references it held, for the garbage collector; a loop, not fill(), which
      // V8 runs in C++ and costs more than the call itself on small segments)
      const ref = s.ref;
      for (let i = 0, n = ref.length; i < n; i++) ref[i] = null;
      POOL.push(s);
    }
  }

  /** Grows a segment's value store to hold `need` slots (a new Float64Array: reload `num`). */
  grow(s: Stack, need: number): void {
    const old = s.num.length;
    let cap = old * 2;
    while (cap < need) cap *= 2;
    if (cap > this.maxSegSlots) cap = this.maxSegSlots;
    if (cap < need || this.slots + cap - old > this.maxSlots) throw new Exhaustion(EXHAUSTED);
    const num = new Float64Array(cap);
    num.set(s.num);
    s.num = num;
    const i32 = s.i32;
    const ref = s.ref;
    for (let i = old; i < cap; i++) {
      i32.push(0);
      ref.push(null);
    }
    this.slots += cap - old;
  }

  /** Pushes the first frame of a function on an empty segment, its arguments already in place. */
  static enter(s: Stack, c: Code): void {
    // exact-size arrays: an idle continuation of one frame stays small (they grow on demand)
    s.codes = [c];
    s.frames = [0, 0];
    s.depth = 1;
    const li = c.localInit;
    const num = s.num;
    const i32 = s.i32;
    const ref = s.ref;
    for (let i = 0, j = c.nparams; i < li.length; i++, j++) {
      num[j] = 0;
      i32[j] = 0;
      ref[j] = li[i]!;
    }
  }

  // ---- fuel and interrupts

  /** Called when the budget runs out: checks the interrupt flag and the fuel, returns a new budget. */
  poll(): number {
    const f = this.interrupt;
    if (f !== null && Atomics.load(f, 0) !== 0) throw new Exhaustion('interrupted');
    if (this.fuel <= 0) throw new Exhaustion('out of fuel');
    const chunk = Math.min(this.fuel, this.interval);
    this.fuel -= chunk;
    return chunk - 1;
  }

  // ---- host calls

  /** Calls a host function with the arguments at slot `at` of the running segment; results go there. */
  callHost(f: HostFunc, s: Stack, at: number): void {
    const k = sigKinds(f.type);
    const pk = k.params;
    const args = nulls(pk.length);
    for (let i = 0; i < pk.length; i++) args[i] = getSlot(s, at + i, pk[i]!);
    const res = f.fn(args);
    const rk = k.results;
    for (let i = 0; i < rk.length; i++) setSlot(s, at + i, rk[i]!, res[i]!);
  }

  // ---- backtraces

  /** The backtrace of the running chain; `topPos` is the code index in the innermost frame. */
  backtrace(s: Stack, topPos: number): BacktraceFrame[] {
    const out: BacktraceFrame[] = [];
    let first = true;
    for (let seg: Stack | null = s; seg !== null; seg = seg.parent) {
      for (let d = seg.depth - 1; d >= 0; d--) {
        const code = seg.codes[d]!;
        const pos = first ? topPos : seg.frames[2 * d + 1]! - 1;
        first = false;
        const frame: { -readonly [K in keyof BacktraceFrame]: BacktraceFrame[K] } = {
          func: code.funcIndex,
          offset: code.atOf(pos),
        };
        if (code.name !== undefined) frame.name = code.name;
        const mod = code.instance.module.names.module;
        if (mod !== undefined) frame.module = mod;
        const src = code.instance.valid.source;
        if (src !== undefined) frame.source = src;
        if (d === 0 && seg.parent !== null) frame.continuationBoundary = true;
        out.push(frame);
      }
    }
    return out;
  }

  /** Attaches this machine's part of the backtrace to an error (once). */
  annotate(e: RuntimeError, s: Stack, topPos: number): void {
    const tagged = e as unknown as Record<symbol, unknown>;
    if (tagged[OWNER] === this) return;
    const mine = this.backtrace(s, topPos);
    e.backtrace = tagged[OWNER] === undefined ? mine : [...e.backtrace, ...mine];
    tagged[OWNER] = this;
  }

  owns(e: unknown): boolean {
    return typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[OWNER] === this;
  }

  // ---- exceptions

  /**
   * Throws a Wasm exception from the running segment's top frame at code index `topPos`:
   * finds the innermost catch clause (through the segments of the running chain), unwinds to
   * it and delivers the payload. Uncaught: throws UncaughtException with the backtrace.
   */
  throwExn(exn: WasmExn, topPos: number): void {
    const tag = exn.tag;
    let first = true;
    for (let s: Stack | null = this.stack; s !== null; s = s.parent) {
      for (let d = s.depth - 1; d >= 0; d--) {
        const code = s.codes[d]!;
        const pos = first ? topPos : s.frames[2 * d + 1]! - 1;
        first = false;
        const tries = code.tries;
        for (let i = 0; i < tries.length; i += 3) {
          if (pos < tries[i]! || pos >= tries[i + 1]!) continue;
          const clauses = code.catches[tries[i + 2]!]!;
          for (let j = 0; j < clauses.length; j++) {
            const cl = clauses[j]!;
            if (cl.tag === null || cl.tag === tag) {
              this.unwindTo(s, d);
              this.deliver(s, d, cl, exn);
              return;
            }
          }
        }
      }
    }
    const err = new UncaughtException(exn);
    this.annotate(err, this.stack, topPos);
    throw err;
  }

  /** Drops the segments above `s` and the frames of `s` above frame `d`. */
  private unwindTo(s: Stack, d: number): void {
    let total = this.base + this.stack.depth;
    let x = this.stack;
    while (x !== s) {
      const p = x.parent!;
      total -= x.depth;
      this.slots -= x.num.length;
      this.release(x);
      x = p;
    }
    total -= s.depth - (d + 1);
    s.depth = d + 1;
    this.base = total - s.depth;
    this.stack = s;
  }

  private deliver(s: Stack, d: number, cl: CatchClause, exn: WasmExn): void {
    let dst = s.frames[2 * d]! + cl.dst;
    if (cl.tag !== null) {
      const kinds = sigKinds(exn.tag.type).params;
      const p = exn.payload;
      for (let i = 0; i < kinds.length; i++, dst++) setSlot(s, dst, kinds[i]!, p[i]!);
    }
    if (cl.ref) s.ref[dst] = exn;
    s.frames[2 * d + 1] = cl.target;
  }

  /** The payload of a tag from consecutive slots. */
  static payload(s: Stack, at: number, tag: TagInst): Value[] {
    const kinds = sigKinds(tag.type).params;
    const out = nulls(kinds.length);
    for (let i = 0; i < kinds.length; i++) out[i] = getSlot(s, at + i, kinds[i]!);
    return out;
  }

  // ---- continuations

  /** The continuation operand at `slot`: checked (null, consumed). */
  private contAt(s: Stack, slot: number): Cont {
    const k = s.ref[slot] as Cont | null;
    if (k === null) trap('null continuation reference');
    if (k.consumed) trap('continuation already consumed');
    return k;
  }

  /**
   * Makes `k` run on top of `parent` (whose top frame continues at `next` afterwards), with the
   * n values at parent slot `from` as its arguments (plus `extra` last, when given), under the
   * handlers `site`; its results will go to parent slot `retBase`. A fresh continuation of a
   * host function runs at once (returns false: the parent stays current).
   */
  private attach(
    k: Cont, src: Stack, from: number, n: number, extra: Value | undefined, parent: Stack, site: ResumeSite | null,
    retBase: number,
  ): boolean {
    const bound = k.bound;
    const bk = k.boundKinds;
    const nb = bound === null ? 0 : bound.length;
    if (k.top === null) {
      const f = k.func!;
      if (f.kind === 'host') {
        const kinds = sigKinds(f.type);
        // (value arrays are made generic: a double-only JS array would lose NaN payloads)
        const args = nulls(nb + n + (extra === undefined ? 0 : 1));
        for (let i = 0; i < nb; i++) args[i] = bound![i]!;
        const pk = kinds.params;
        for (let i = 0; i < n; i++) args[nb + i] = getSlot(src, from + i, pk[nb + i]!);
        if (extra !== undefined) args[nb + n] = extra;
        consume(k);
        const res = f.fn(args);
        const rk = kinds.results;
        for (let i = 0; i < rk.length; i++) setSlot(parent, retBase + i, rk[i]!, res[i]!);
        return false;
      }
      const c = ((f as WasmFunc).compiled as Code | null) ?? compileFunc(f as WasmFunc);
      const total = this.base + parent.depth;
      if (total + 1 > this.maxDepth) throw new Exhaustion(EXHAUSTED);
      const child = this.newStack(Math.max(8, c.frameSize));
      consume(k);
      for (let i = 0; i < nb; i++) setSlot(child, i, bk![i]!, bound![i]!);
      copySlots(child, nb, src, from, n);
      if (extra !== undefined) child.ref[nb + n] = extra;
      Machine.enter(child, c);
      child.parent = parent;
      child.site = site;
      child.retBase = retBase;
      this.base = total;
      this.stack = child;
      return true;
    }
    const top = k.top;
    const bottom = k.bottom!;
    const total = this.base + parent.depth;
    if (total + k.frames > this.maxDepth || this.slots + k.slots > this.maxSlots) throw new Exhaustion(EXHAUSTED);
    this.base = total + k.frames - top.depth;
    this.slots += k.slots;
    consume(k);
    let dst = top.susBase;
    for (let i = 0; i < nb; i++, dst++) setSlot(top, dst, bk![i]!, bound![i]!);
    copySlots(top, dst, src, from, n);
    dst += n;
    if (extra !== undefined) top.ref[dst] = extra;
    bottom.parent = parent;
    bottom.site = site;
    bottom.retBase = retBase;
    this.stack = top;
    return true;
  }

  /** `resume`: operands from slot `base` of the top frame; its code continues at `next`. */
  resume(s: Stack, next: number, base: number, site: ResumeSite): void {
    const d = s.depth - 1;
    const at = s.frames[2 * d]! + base;
    const k = this.contAt(s, at + site.nargs);
    s.frames[2 * d + 1] = next;
    this.attach(k, s, at, site.nargs, undefined, s, site, at);
  }

  /** `resume_throw` / `resume_throw_ref`: raises `exn` where `k` is suspended. */
  resumeThrow(s: Stack, pc: number, next: number, base: number, site: ResumeSite, k: Cont, exn: WasmExn): void {
    const d = s.depth - 1;
    const at = s.frames[2 * d]! + base;
    if (k.top === null) {
      // not started: the exception comes out of it at once
      consume(k);
      this.throwExn(exn, pc);
      return;
    }
    const top = k.top;
    s.frames[2 * d + 1] = next;
    const total = this.base + s.depth;
    if (total + k.frames > this.maxDepth || this.slots + k.slots > this.maxSlots) throw new Exhaustion(EXHAUSTED);
    this.base = total + k.frames - top.depth;
    this.slots += k.slots;
    const bottom = k.bottom!;
    consume(k);
    bottom.parent = s;
    bottom.site = site;
    bottom.retBase = at;
    this.stack = top;
    this.throwExn(exn, top.frames[2 * (top.depth - 1) + 1]! - 1);
  }

  /** `suspend`: the n payload values at slot `base` of the top frame; it continues at `next` when resumed. */
  suspend(s: Stack, next: number, base: number, tag: TagInst, n: number): void {
    let h: Stack = s;
    let frames = 0;
    let slots = 0;
    let idx = -1;
    for (;;) {
      frames += h.depth;
      slots += h.num.length;
      const site = h.site;
      if (site !== null) {
        const tags = site.tags;
        for (let i = 0; i < tags.length; i++) {
          if (tags[i] === tag && site.isSwitch[i] === 0) {
            idx = i;
            break;
          }
        }
        if (idx >= 0) break;
      }
      const p = h.parent;
      if (p === null) throw new UnhandledSuspension('unhandled tag');
      h = p;
    }
    const site = h.site!;
    const parent = h.parent!;
    const d = s.depth - 1;
    const at = s.frames[2 * d]! + base;
    s.susBase = at;
    s.frames[2 * d + 1] = next;
    const k = new Cont(site.contTypes[idx]!, null, s, h, frames, slots);
    h.parent = null;
    h.site = null;
    const pd = parent.depth - 1;
    const dst = parent.frames[2 * pd]! + site.dsts[idx]!;
    copySlots(parent, dst, s, at, n);
    parent.ref[dst + n] = k;
    parent.frames[2 * pd + 1] = site.targets[idx]!;
    this.base = this.base + s.depth - frames - parent.depth;
    this.slots -= slots;
    this.stack = parent;
  }

  /** `switch`: operands at slot `base` of the top frame (the target continuation last). */
  switchTo(s: Stack, next: number, base: number, sw: SwitchSite): void {
    const d = s.depth - 1;
    const at = s.frames[2 * d]! + base;
    const k = this.contAt(s, at + sw.nargs);
    const tag = sw.tag;
    let h: Stack = s;
    let frames = 0;
    let slots = 0;
    for (;;) {
      frames += h.depth;
      slots += h.num.length;
      const site = h.site;
      if (site !== null) {
        const tags = site.tags;
        let found = false;
        for (let i = 0; i < tags.length; i++) {
          if (tags[i] === tag && site.isSwitch[i] === 1) {
            found = true;
            break;
          }
        }
        if (found) break;
      }
      const p = h.parent;
      if (p === null) throw new UnhandledSuspension('unhandled tag');
      h = p;
    }
    const parent = h.parent!;
    const site = h.site!;
    const retBase = h.retBase;
    s.susBase = at;
    s.frames[2 * d + 1] = next;
    const cur = new Cont(sw.contType, null, s, h, frames, slots);
    h.parent = null;
    h.site = null;
    this.base = this.base + s.depth - frames - parent.depth;
    this.slots -= slots;
    this.stack = parent;
    if (!this.attach(k, s, at, sw.nargs, cur, parent, site, retBase)) {
      // a host function ran to completion in place of the target: its results went to the parent
      this.stack = parent;
    }
  }

  /** A segment's bottom frame returned: its results (at slots 0..) go to the resumer. */
  finish(s: Stack): void {
    const parent = s.parent!;
    const n = s.codes[0]!.nresults;
    const dst = s.retBase;
    copySlots(parent, dst, s, 0, n);
    this.slots -= s.num.length;
    this.base -= parent.depth;
    this.release(s);
    this.stack = parent;
  }

  // ---- entry

  /** Runs a Wasm function to completion (the root of this machine). */
  call(f: WasmFunc, args: readonly Value[]): Value[] {
    const c = (f.compiled as Code | null) ?? compileFunc(f);
    const root = this.newStack(Math.max(ROOT_CAP, c.frameSize * 2));
    const pk = c.kinds.params;
    for (let i = 0; i < pk.length; i++) setSlot(root, i, pk[i]!, args[i]!);
    Machine.enter(root, c);
    this.base = 0;
    this.stack = root;
    run(this);
    const rk = c.kinds.results;
    const out = nulls(rk.length);
    for (let i = 0; i < rk.length; i++) out[i] = getSlot(root, i, rk[i]!);
    this.slots -= root.num.length;
    this.release(root);
    return out;
  }
}

// ---- the dispatch loop -----------------------------------------------------------------------------------

/** Runs until the root segment's bottom frame returns. */
function run(m: Machine): void {
  let stk = m.stack;
  let num = stk.num;
  let i32 = stk.i32;
  let ref = stk.ref;
  let cf = stk.codes[0]!;
  let code = cf.code;
  let pc = 0;
  let fp = 0;
  let budget = m.budget;
  // the segment's frame arrays (replaced only when the segment changes)
  let fcodes = stk.codes;
  let fframes = stk.frames;
  // the segment's frame count, kept here and written back to `stk.depth` around slow paths
  let depth = stk.depth;
  // the most frames this segment may have (the chain's limit minus the frames below it)
  let limit = m.maxDepth - m.base;
  outer: for (;;) {
    stk = m.stack;
    num = stk.num;
    i32 = stk.i32;
    ref = stk.ref;
    fcodes = stk.codes;
    fframes = stk.frames;
    depth = stk.depth;
    limit = m.maxDepth - m.base;
    {
      const d = depth - 1;
      cf = fcodes[d]!;
      code = cf.code;
      fp = fframes[2 * d]!;
      pc = fframes[2 * d + 1]!;
    }
    try {
      for (;;) {
        let callee: FuncInst = null as unknown as FuncInst;
        let base = 0;
        let next = 0;
        ret: {
          tail: {
            call: {
              switch (code[pc]) {
                // ---- hand-written: the ops whose bodies manage frames, stacks and variable operands
                case /*@BR_TABLE*/6: {
                  const i = i32[fp + code[pc + 1]!]! >>> 0;
                  const cnt = code[pc + 2]!;
                  const e = pc + 5 + 2 * (i < cnt ? i : cnt);
                  const t = code[e]!;
                  const dst = fp + code[e + 1]!;
                  const src = fp + code[pc + 4]!;
                  if (dst !== src) {
                    for (let j = 0, n = code[pc + 3]!; j < n; j++) {
                      num[dst + j] = num[src + j]!;
                      i32[dst + j] = i32[src + j]!;
                      ref[dst + j] = ref[src + j]!;
                    }
                  }
                  if (t <= pc && --budget < 0) budget = m.poll();
                  pc = t;
                  continue;
                }
                case /*@THROW*/19: {
                  const tag = cf.objs[code[pc + 1]!] as TagInst;
                  const exn = new WasmExn(tag, Machine.payload(stk, fp + code[pc + 2]!, tag));
                  stk.depth = depth;
                  m.throwExn(exn, pc);
                  continue outer;
                }
                case /*@THROW_REF*/20: {
                  const exn = ref[fp + code[pc + 1]!] as WasmExn | null;
                  if (exn === null) trap('null exception reference');
                  stk.depth = depth;
                  m.throwExn(exn, pc);
                  continue outer;
                }
                case /*@CONT_BIND*/263: {
                  const b = fp + code[pc + 1]!;
                  const site = cf.objs[code[pc + 2]!] as BindSite;
                  const nb = site.nbound;
                  const k = ref[b + nb] as Cont | null;
                  if (k === null) trap('null continuation reference');
                  if (k.consumed) trap('continuation already consumed');
                  const k2 = new Cont(site.type, k.func, k.top, k.bottom, k.frames, k.slots);
                  const old = k.bound;
                  const ob = old === null ? 0 : old.length;
                  const bound = nulls(ob + nb);
                  const bk = new Array<number>(ob + nb).fill(0);
                  for (let i = 0; i < ob; i++) {
                    bound[i] = old![i]!;
                    bk[i] = k.boundKinds![i]!;
                  }
                  const kinds = site.kinds;
                  for (let i = 0; i < nb; i++) {
                    bound[ob + i] = slotValue(num, i32, ref, b + i, kinds[i]!);
                    bk[ob + i] = kinds[i]!;
                  }
                  if (bound.length > 0) {
                    k2.bound = bound;
                    k2.boundKinds = bk;
                  }
                  consume(k);
                  ref[b] = k2;
                  pc += 3;
                  continue;
                }
                case /*@SUSPEND*/264:
                  stk.depth = depth;
                  m.suspend(stk, pc + 4, code[pc + 1]!, cf.objs[code[pc + 2]!] as TagInst, code[pc + 3]!);
                  continue outer;
                case /*@RESUME*/265:
                  stk.depth = depth;
                  m.resume(stk, pc + 3, code[pc + 1]!, cf.objs[code[pc + 2]!] as ResumeSite);
                  continue outer;
                case /*@RESUME_THROW*/266: {
                  const b = fp + code[pc + 1]!;
                  const site = cf.objs[code[pc + 2]!] as ResumeSite;
                  const tag = cf.objs[code[pc + 3]!] as TagInst;
                  const k = ref[b + code[pc + 4]!] as Cont | null;
                  if (k === null) trap('null continuation reference');
                  if (k.consumed) trap('continuation already consumed');
                  const exn = new WasmExn(tag, Machine.payload(stk, b, tag));
                  stk.depth = depth;
                  m.resumeThrow(stk, pc, pc + 5, code[pc + 1]!, site, k, exn);
                  continue outer;
                }
                case /*@RESUME_THROW_REF*/267: {
                  const b = fp + code[pc + 1]!;
                  const exn = ref[b] as WasmExn | null;
                  if (exn === null) trap('null exception reference');
                  const k = ref[b + 1] as Cont | null;
                  if (k === null) trap('null continuation reference');
                  if (k.consumed) trap('continuation already consumed');
                  stk.depth = depth;
                  m.resumeThrow(stk, pc, pc + 3, code[pc + 1]!, cf.objs[code[pc + 2]!] as ResumeSite, k, exn);
                  continue outer;
                }
                case /*@SWITCH*/268:
                  stk.depth = depth;
                  m.switchTo(stk, pc + 3, code[pc + 1]!, cf.objs[code[pc + 2]!] as SwitchSite);
                  continue outer;
                // ---- generated from src/exec/isa.ts (src/exec/isa-gen.ts): do not edit ----
                case /*@UNREACHABLE*/0: trap('unreachable executed');
                case /*@NOP*/1: pc += 1; continue;
                case /*@BR*/2: { const t = code[pc + 1]!; if (t <= pc && --budget < 0) budget = m.poll(); pc = t; continue; }
                case /*@BR_LOOP*/3: if (--budget < 0) budget = m.poll(); pc = code[pc + 1]!; continue;
                case /*@BR_IF*/4: if (i32[fp + code[pc + 1]!]! !== 0) { const t = code[pc + 2]!; if (t <= pc && --budget < 0) budget = m.poll(); pc = t; } else pc += 3; continue;
                case /*@BR_UNLESS*/5: if (i32[fp + code[pc + 1]!]! === 0) { const t = code[pc + 2]!; if (t <= pc && --budget < 0) budget = m.poll(); pc = t; } else pc += 3; continue;
                case /*@RETURN*/7: { const s = fp + code[pc + 1]!; for (let j = 0, n = code[pc + 2]!; j < n; j++) {   num[fp + j] = num[s + j]!;   i32[fp + j] = i32[s + j]!;   ref[fp + j] = ref[s + j]!; } break ret; }
                case /*@RETURN0*/8: break ret;
                case /*@RETURN1_N*/9: num[fp] = num[fp + code[pc + 1]!]!; break ret;
                case /*@RETURN1_R*/10: ref[fp] = ref[fp + code[pc + 1]!]!; break ret;
                case /*@RETURN1_I*/11: i32[fp] = i32[fp + code[pc + 1]!]!; break ret;
                case /*@CALL*/12: callee = cf.funcs[code[pc + 1]!]!; base = code[pc + 2]!; next = pc + 3; break call;
                case /*@CALL_ADDI*/13: i32[fp + code[pc + 3]!] = (i32[fp + code[pc + 4]!]! + code[pc + 5]!) | 0; callee = cf.funcs[code[pc + 1]!]!; base = code[pc + 2]!; next = pc + 6; break call;
                case /*@CALL_INDIRECT*/14: callee = indirect(cf, i32, ref, fp, pc); base = code[pc + 3]!; next = pc + 6; break call;
                case /*@CALL_REF*/15: { const f = ref[fp + code[pc + 2]!]! as FuncInst | null; if (f === null) trap('null function reference'); callee = f; base = code[pc + 1]!; next = pc + 3; break call; }
                case /*@RETURN_CALL*/16: callee = cf.funcs[code[pc + 1]!]!; base = code[pc + 2]!; break tail;
                case /*@RETURN_CALL_INDIRECT*/17: callee = indirect(cf, i32, ref, fp, pc); base = code[pc + 3]!; break tail;
                case /*@RETURN_CALL_REF*/18: { const f = ref[fp + code[pc + 2]!]! as FuncInst | null; if (f === null) trap('null function reference'); callee = f; base = code[pc + 1]!; break tail; }
                case /*@MOV_N*/21: num[fp + code[pc + 1]!] = num[fp + code[pc + 2]!]!; pc += 3; continue;
                case /*@MOV_R*/22: ref[fp + code[pc + 1]!] = ref[fp + code[pc + 2]!]!; pc += 3; continue;
                case /*@MOV_I*/23: i32[fp + code[pc + 1]!] = i32[fp + code[pc + 2]!]!; pc += 3; continue;
                case /*@CONST_I32*/24: i32[fp + code[pc + 1]!] = code[pc + 2]!; pc += 3; continue;
                case /*@CONST_F32*/25: num[fp + code[pc + 1]!] = code[pc + 2]! >>> 0; pc += 3; continue;
                case /*@CONST_F64*/26: num[fp + code[pc + 1]!] = cf.f64s[code[pc + 2]!]!; pc += 3; continue;
                case /*@CONST_R*/27: ref[fp + code[pc + 1]!] = cf.objs[code[pc + 2]!] as Value; pc += 3; continue;
                case /*@SELECT_N*/28: num[fp + code[pc + 1]!] = i32[fp + code[pc + 2]!]! !== 0 ? num[fp + code[pc + 3]!]! : num[fp + code[pc + 4]!]!; pc += 5; continue;
                case /*@SELECT_R*/29: ref[fp + code[pc + 1]!] = i32[fp + code[pc + 2]!]! !== 0 ? ref[fp + code[pc + 3]!]! : ref[fp + code[pc + 4]!]!; pc += 5; continue;
                case /*@SELECT_I*/30: i32[fp + code[pc + 1]!] = i32[fp + code[pc + 2]!]! !== 0 ? i32[fp + code[pc + 3]!]! : i32[fp + code[pc + 4]!]!; pc += 5; continue;
                case /*@GLOBAL_GET_N*/31: storeF64(num, fp + code[pc + 1]!, cf.globals[code[pc + 2]!]!.value as number); pc += 3; continue;
                case /*@GLOBAL_GET_R*/32: ref[fp + code[pc + 1]!] = cf.globals[code[pc + 2]!]!.value; pc += 3; continue;
                case /*@GLOBAL_GET_I*/33: i32[fp + code[pc + 1]!] = (cf.globals[code[pc + 2]!]!.value as number) | 0; pc += 3; continue;
                case /*@GLOBAL_SET_N*/34: cf.globals[code[pc + 1]!]!.value = num[fp + code[pc + 2]!]!; pc += 3; continue;
                case /*@GLOBAL_SET_R*/35: cf.globals[code[pc + 1]!]!.value = ref[fp + code[pc + 2]!]!; pc += 3; continue;
                case /*@GLOBAL_SET_I*/36: cf.globals[code[pc + 1]!]!.value = i32[fp + code[pc + 2]!]!; pc += 3; continue;
                case /*@I32_EQZ*/37: i32[fp + code[pc + 1]!] = i32[fp + code[pc + 2]!]! === 0 ? 1 : 0; pc += 3; continue;
                case /*@I32_EQ*/38: i32[fp + code[pc + 1]!] = i32[fp + code[pc + 2]!]! === i32[fp + code[pc + 3]!]! ? 1 : 0; pc += 4; continue;
                case /*@I32_NE*/39: i32[fp + code[pc + 1]!] = i32[fp + code[pc + 2]!]! !== i32[fp + code[pc + 3]!]! ? 1 : 0; pc += 4; continue;
                case /*@I32_LT_S*/40: i32[fp + code[pc + 1]!] = i32[fp + code[pc + 2]!]! < i32[fp + code[pc + 3]!]! ? 1 : 0; pc += 4; continue;
                case /*@I32_LT_U*/41: i32[fp + code[pc + 1]!] = i32[fp + code[pc + 2]!]! >>> 0 < i32[fp + code[pc + 3]!]! >>> 0 ? 1 : 0; pc += 4; continue;
                case /*@I32_GT_S*/42: i32[fp + code[pc + 1]!] = i32[fp + code[pc + 2]!]! > i32[fp + code[pc + 3]!]! ? 1 : 0; pc += 4; continue;
                case /*@I32_GT_U*/43: i32[fp + code[pc + 1]!] = i32[fp + code[pc + 2]!]! >>> 0 > i32[fp + code[pc + 3]!]! >>> 0 ? 1 : 0; pc += 4; continue;
                case /*@I32_LE_S*/44: i32[fp + code[pc + 1]!] = i32[fp + code[pc + 2]!]! <= i32[fp + code[pc + 3]!]! ? 1 : 0; pc += 4; continue;
                case /*@I32_LE_U*/45: i32[fp + code[pc + 1]!] = i32[fp + code[pc + 2]!]! >>> 0 <= i32[fp + code[pc + 3]!]! >>> 0 ? 1 : 0; pc += 4; continue;
                case /*@I32_GE_S*/46: i32[fp + code[pc + 1]!] = i32[fp + code[pc + 2]!]! >= i32[fp + code[pc + 3]!]! ? 1 : 0; pc += 4; continue;
                case /*@I32_GE_U*/47: i32[fp + code[pc + 1]!] = i32[fp + code[pc + 2]!]! >>> 0 >= i32[fp + code[pc + 3]!]! >>> 0 ? 1 : 0; pc += 4; continue;
                case /*@I32_EQ_K*/48: i32[fp + code[pc + 1]!] = i32[fp + code[pc + 2]!]! === code[pc + 3]! ? 1 : 0; pc += 4; continue;
                case /*@I32_NE_K*/49: i32[fp + code[pc + 1]!] = i32[fp + code[pc + 2]!]! !== code[pc + 3]! ? 1 : 0; pc += 4; continue;
                case /*@I32_LT_S_K*/50: i32[fp + code[pc + 1]!] = i32[fp + code[pc + 2]!]! < code[pc + 3]! ? 1 : 0; pc += 4; continue;
                case /*@I32_LT_U_K*/51: i32[fp + code[pc + 1]!] = i32[fp + code[pc + 2]!]! >>> 0 < code[pc + 3]! >>> 0 ? 1 : 0; pc += 4; continue;
                case /*@I32_GT_S_K*/52: i32[fp + code[pc + 1]!] = i32[fp + code[pc + 2]!]! > code[pc + 3]! ? 1 : 0; pc += 4; continue;
                case /*@I32_GT_U_K*/53: i32[fp + code[pc + 1]!] = i32[fp + code[pc + 2]!]! >>> 0 > code[pc + 3]! >>> 0 ? 1 : 0; pc += 4; continue;
                case /*@I32_LE_S_K*/54: i32[fp + code[pc + 1]!] = i32[fp + code[pc + 2]!]! <= code[pc + 3]! ? 1 : 0; pc += 4; continue;
                case /*@I32_LE_U_K*/55: i32[fp + code[pc + 1]!] = i32[fp + code[pc + 2]!]! >>> 0 <= code[pc + 3]! >>> 0 ? 1 : 0; pc += 4; continue;
                case /*@I32_GE_S_K*/56: i32[fp + code[pc + 1]!] = i32[fp + code[pc + 2]!]! >= code[pc + 3]! ? 1 : 0; pc += 4; continue;
                case /*@I32_GE_U_K*/57: i32[fp + code[pc + 1]!] = i32[fp + code[pc + 2]!]! >>> 0 >= code[pc + 3]! >>> 0 ? 1 : 0; pc += 4; continue;
                case /*@I32_CLZ*/58: i32[fp + code[pc + 1]!] = Math.clz32(i32[fp + code[pc + 2]!]!); pc += 3; continue;
                case /*@I32_CTZ*/59: { const a = i32[fp + code[pc + 2]!]! | 0; i32[fp + code[pc + 1]!] = a === 0 ? 32 : 31 - Math.clz32(a & -a); pc += 3; continue; }
                case /*@I32_POPCNT*/60: { let a = i32[fp + code[pc + 2]!]! | 0; a = a - ((a >>> 1) & 0x55555555); a = (a & 0x33333333) + ((a >>> 2) & 0x33333333); i32[fp + code[pc + 1]!] = Math.imul((a + (a >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24; pc += 3; continue; }
                case /*@I32_ADD*/61: i32[fp + code[pc + 1]!] = (i32[fp + code[pc + 2]!]! + i32[fp + code[pc + 3]!]!) | 0; pc += 4; continue;
                case /*@I32_SUB*/62: i32[fp + code[pc + 1]!] = (i32[fp + code[pc + 2]!]! - i32[fp + code[pc + 3]!]!) | 0; pc += 4; continue;
                case /*@I32_MUL*/63: i32[fp + code[pc + 1]!] = Math.imul(i32[fp + code[pc + 2]!]!, i32[fp + code[pc + 3]!]!); pc += 4; continue;
                case /*@I32_DIV_S*/64: { const a = i32[fp + code[pc + 2]!]!; const b = i32[fp + code[pc + 3]!]!; if (b === 0) trap('integer divide by zero'); if (a === -0x80000000 && b === -1) trap('integer overflow'); i32[fp + code[pc + 1]!] = (a / b) | 0; pc += 4; continue; }
                case /*@I32_DIV_U*/65: { const b = i32[fp + code[pc + 3]!]! >>> 0; if (b === 0) trap('integer divide by zero'); i32[fp + code[pc + 1]!] = ((i32[fp + code[pc + 2]!]! >>> 0) / b) | 0; pc += 4; continue; }
                case /*@I32_REM_S*/66: { const b = i32[fp + code[pc + 3]!]!; if (b === 0) trap('integer divide by zero'); i32[fp + code[pc + 1]!] = (i32[fp + code[pc + 2]!]! % b) | 0; pc += 4; continue; }
                case /*@I32_REM_U*/67: { const b = i32[fp + code[pc + 3]!]! >>> 0; if (b === 0) trap('integer divide by zero'); i32[fp + code[pc + 1]!] = ((i32[fp + code[pc + 2]!]! >>> 0) % b) | 0; pc += 4; continue; }
                case /*@I32_AND*/68: i32[fp + code[pc + 1]!] = i32[fp + code[pc + 2]!]! & i32[fp + code[pc + 3]!]!; pc += 4; continue;
                case /*@I32_OR*/69: i32[fp + code[pc + 1]!] = i32[fp + code[pc + 2]!]! | i32[fp + code[pc + 3]!]!; pc += 4; continue;
                case /*@I32_XOR*/70: i32[fp + code[pc + 1]!] = i32[fp + code[pc + 2]!]! ^ i32[fp + code[pc + 3]!]!; pc += 4; continue;
                case /*@I32_SHL*/71: i32[fp + code[pc + 1]!] = i32[fp + code[pc + 2]!]! << i32[fp + code[pc + 3]!]!; pc += 4; continue;
                case /*@I32_SHR_S*/72: i32[fp + code[pc + 1]!] = i32[fp + code[pc + 2]!]! >> i32[fp + code[pc + 3]!]!; pc += 4; continue;
                case /*@I32_SHR_U*/73: i32[fp + code[pc + 1]!] = (i32[fp + code[pc + 2]!]! >>> i32[fp + code[pc + 3]!]!) | 0; pc += 4; continue;
                case /*@I32_ROTL*/74: { const a = i32[fp + code[pc + 2]!]!; const b = i32[fp + code[pc + 3]!]!; i32[fp + code[pc + 1]!] = (a << b) | (a >>> (32 - (b & 31))); pc += 4; continue; }
                case /*@I32_ROTR*/75: { const a = i32[fp + code[pc + 2]!]!; const b = i32[fp + code[pc + 3]!]!; i32[fp + code[pc + 1]!] = (a >>> b) | (a << (32 - (b & 31))); pc += 4; continue; }
                case /*@I32_ADD_K*/76: i32[fp + code[pc + 1]!] = (i32[fp + code[pc + 2]!]! + code[pc + 3]!) | 0; pc += 4; continue;
                case /*@I32_MUL_K*/77: i32[fp + code[pc + 1]!] = Math.imul(i32[fp + code[pc + 2]!]!, code[pc + 3]!); pc += 4; continue;
                case /*@I32_AND_K*/78: i32[fp + code[pc + 1]!] = i32[fp + code[pc + 2]!]! & code[pc + 3]!; pc += 4; continue;
                case /*@I32_OR_K*/79: i32[fp + code[pc + 1]!] = i32[fp + code[pc + 2]!]! | code[pc + 3]!; pc += 4; continue;
                case /*@I32_XOR_K*/80: i32[fp + code[pc + 1]!] = i32[fp + code[pc + 2]!]! ^ code[pc + 3]!; pc += 4; continue;
                case /*@I32_SHL_K*/81: i32[fp + code[pc + 1]!] = i32[fp + code[pc + 2]!]! << code[pc + 3]!; pc += 4; continue;
                case /*@I32_SHR_S_K*/82: i32[fp + code[pc + 1]!] = i32[fp + code[pc + 2]!]! >> code[pc + 3]!; pc += 4; continue;
                case /*@I32_SHR_U_K*/83: i32[fp + code[pc + 1]!] = (i32[fp + code[pc + 2]!]! >>> code[pc + 3]!) | 0; pc += 4; continue;
                case /*@I32_EXTEND8_S*/84: i32[fp + code[pc + 1]!] = (i32[fp + code[pc + 2]!]! << 24) >> 24; pc += 3; continue;
                case /*@I32_EXTEND16_S*/85: i32[fp + code[pc + 1]!] = (i32[fp + code[pc + 2]!]! << 16) >> 16; pc += 3; continue;
                case /*@I32_WRAP_I64*/86: i32[fp + code[pc + 1]!] = Number(BigInt.asIntN(32, ref[fp + code[pc + 2]!]! as bigint)); pc += 3; continue;
                case /*@J_EQ*/87: if (i32[fp + code[pc + 1]!]! === i32[fp + code[pc + 2]!]!) { const t = code[pc + 3]!; if (t <= pc && --budget < 0) budget = m.poll(); pc = t; } else pc += 4; continue;
                case /*@J_NE*/88: if (i32[fp + code[pc + 1]!]! !== i32[fp + code[pc + 2]!]!) { const t = code[pc + 3]!; if (t <= pc && --budget < 0) budget = m.poll(); pc = t; } else pc += 4; continue;
                case /*@J_LT_S*/89: if (i32[fp + code[pc + 1]!]! < i32[fp + code[pc + 2]!]!) { const t = code[pc + 3]!; if (t <= pc && --budget < 0) budget = m.poll(); pc = t; } else pc += 4; continue;
                case /*@J_LT_U*/90: if (i32[fp + code[pc + 1]!]! >>> 0 < i32[fp + code[pc + 2]!]! >>> 0) { const t = code[pc + 3]!; if (t <= pc && --budget < 0) budget = m.poll(); pc = t; } else pc += 4; continue;
                case /*@J_GT_S*/91: if (i32[fp + code[pc + 1]!]! > i32[fp + code[pc + 2]!]!) { const t = code[pc + 3]!; if (t <= pc && --budget < 0) budget = m.poll(); pc = t; } else pc += 4; continue;
                case /*@J_GT_U*/92: if (i32[fp + code[pc + 1]!]! >>> 0 > i32[fp + code[pc + 2]!]! >>> 0) { const t = code[pc + 3]!; if (t <= pc && --budget < 0) budget = m.poll(); pc = t; } else pc += 4; continue;
                case /*@J_LE_S*/93: if (i32[fp + code[pc + 1]!]! <= i32[fp + code[pc + 2]!]!) { const t = code[pc + 3]!; if (t <= pc && --budget < 0) budget = m.poll(); pc = t; } else pc += 4; continue;
                case /*@J_LE_U*/94: if (i32[fp + code[pc + 1]!]! >>> 0 <= i32[fp + code[pc + 2]!]! >>> 0) { const t = code[pc + 3]!; if (t <= pc && --budget < 0) budget = m.poll(); pc = t; } else pc += 4; continue;
                case /*@J_GE_S*/95: if (i32[fp + code[pc + 1]!]! >= i32[fp + code[pc + 2]!]!) { const t = code[pc + 3]!; if (t <= pc && --budget < 0) budget = m.poll(); pc = t; } else pc += 4; continue;
                case /*@J_GE_U*/96: if (i32[fp + code[pc + 1]!]! >>> 0 >= i32[fp + code[pc + 2]!]! >>> 0) { const t = code[pc + 3]!; if (t <= pc && --budget < 0) budget = m.poll(); pc = t; } else pc += 4; continue;
                case /*@J_EQ_K*/97: if (i32[fp + code[pc + 1]!]! === code[pc + 2]!) { const t = code[pc + 3]!; if (t <= pc && --budget < 0) budget = m.poll(); pc = t; } else pc += 4; continue;
                case /*@J_NE_K*/98: if (i32[fp + code[pc + 1]!]! !== code[pc + 2]!) { const t = code[pc + 3]!; if (t <= pc && --budget < 0) budget = m.poll(); pc = t; } else pc += 4; continue;
                case /*@J_LT_S_K*/99: if (i32[fp + code[pc + 1]!]! < code[pc + 2]!) { const t = code[pc + 3]!; if (t <= pc && --budget < 0) budget = m.poll(); pc = t; } else pc += 4; continue;
                case /*@J_LT_U_K*/100: if (i32[fp + code[pc + 1]!]! >>> 0 < code[pc + 2]! >>> 0) { const t = code[pc + 3]!; if (t <= pc && --budget < 0) budget = m.poll(); pc = t; } else pc += 4; continue;
                case /*@J_GT_S_K*/101: if (i32[fp + code[pc + 1]!]! > code[pc + 2]!) { const t = code[pc + 3]!; if (t <= pc && --budget < 0) budget = m.poll(); pc = t; } else pc += 4; continue;
                case /*@J_GT_U_K*/102: if (i32[fp + code[pc + 1]!]! >>> 0 > code[pc + 2]! >>> 0) { const t = code[pc + 3]!; if (t <= pc && --budget < 0) budget = m.poll(); pc = t; } else pc += 4; continue;
                case /*@J_LE_S_K*/103: if (i32[fp + code[pc + 1]!]! <= code[pc + 2]!) { const t = code[pc + 3]!; if (t <= pc && --budget < 0) budget = m.poll(); pc = t; } else pc += 4; continue;
                case /*@J_LE_U_K*/104: if (i32[fp + code[pc + 1]!]! >>> 0 <= code[pc + 2]! >>> 0) { const t = code[pc + 3]!; if (t <= pc && --budget < 0) budget = m.poll(); pc = t; } else pc += 4; continue;
                case /*@J_GE_S_K*/105: if (i32[fp + code[pc + 1]!]! >= code[pc + 2]!) { const t = code[pc + 3]!; if (t <= pc && --budget < 0) budget = m.poll(); pc = t; } else pc += 4; continue;
                case /*@J_GE_U_K*/106: if (i32[fp + code[pc + 1]!]! >>> 0 >= code[pc + 2]! >>> 0) { const t = code[pc + 3]!; if (t <= pc && --budget < 0) budget = m.poll(); pc = t; } else pc += 4; continue;
                case /*@ADDI_J_LT_S*/107: { const v = (i32[fp + code[pc + 2]!]! + code[pc + 3]!) | 0; i32[fp + code[pc + 1]!] = v; if (v < i32[fp + code[pc + 4]!]!) { const t = code[pc + 5]!; if (t <= pc && --budget < 0) budget = m.poll(); pc = t; } else pc += 6; continue; }
                case /*@ADDI_J_LT_U*/108: { const v = (i32[fp + code[pc + 2]!]! + code[pc + 3]!) | 0; i32[fp + code[pc + 1]!] = v; if (v >>> 0 < i32[fp + code[pc + 4]!]! >>> 0) { const t = code[pc + 5]!; if (t <= pc && --budget < 0) budget = m.poll(); pc = t; } else pc += 6; continue; }
                case /*@ADDI_J_NE*/109: { const v = (i32[fp + code[pc + 2]!]! + code[pc + 3]!) | 0; i32[fp + code[pc + 1]!] = v; if (v !== i32[fp + code[pc + 4]!]!) { const t = code[pc + 5]!; if (t <= pc && --budget < 0) budget = m.poll(); pc = t; } else pc += 6; continue; }
                case /*@ADDI_J_GT_S*/110: { const v = (i32[fp + code[pc + 2]!]! + code[pc + 3]!) | 0; i32[fp + code[pc + 1]!] = v; if (v > i32[fp + code[pc + 4]!]!) { const t = code[pc + 5]!; if (t <= pc && --budget < 0) budget = m.poll(); pc = t; } else pc += 6; continue; }
                case /*@ADDI_J_GE_S*/111: { const v = (i32[fp + code[pc + 2]!]! + code[pc + 3]!) | 0; i32[fp + code[pc + 1]!] = v; if (v >= i32[fp + code[pc + 4]!]!) { const t = code[pc + 5]!; if (t <= pc && --budget < 0) budget = m.poll(); pc = t; } else pc += 6; continue; }
                case /*@ADDI_J_LT_S_K*/112: { const v = (i32[fp + code[pc + 2]!]! + code[pc + 3]!) | 0; i32[fp + code[pc + 1]!] = v; if (v < code[pc + 4]!) { const t = code[pc + 5]!; if (t <= pc && --budget < 0) budget = m.poll(); pc = t; } else pc += 6; continue; }
                case /*@ADDI_J_LT_U_K*/113: { const v = (i32[fp + code[pc + 2]!]! + code[pc + 3]!) | 0; i32[fp + code[pc + 1]!] = v; if (v >>> 0 < code[pc + 4]! >>> 0) { const t = code[pc + 5]!; if (t <= pc && --budget < 0) budget = m.poll(); pc = t; } else pc += 6; continue; }
                case /*@ADDI_J_NE_K*/114: { const v = (i32[fp + code[pc + 2]!]! + code[pc + 3]!) | 0; i32[fp + code[pc + 1]!] = v; if (v !== code[pc + 4]!) { const t = code[pc + 5]!; if (t <= pc && --budget < 0) budget = m.poll(); pc = t; } else pc += 6; continue; }
                case /*@ADDI_J_GT_S_K*/115: { const v = (i32[fp + code[pc + 2]!]! + code[pc + 3]!) | 0; i32[fp + code[pc + 1]!] = v; if (v > code[pc + 4]!) { const t = code[pc + 5]!; if (t <= pc && --budget < 0) budget = m.poll(); pc = t; } else pc += 6; continue; }
                case /*@ADDI_J_GE_S_K*/116: { const v = (i32[fp + code[pc + 2]!]! + code[pc + 3]!) | 0; i32[fp + code[pc + 1]!] = v; if (v >= code[pc + 4]!) { const t = code[pc + 5]!; if (t <= pc && --budget < 0) budget = m.poll(); pc = t; } else pc += 6; continue; }
                case /*@ADDI_BR_IF*/117: { const v = (i32[fp + code[pc + 2]!]! + code[pc + 3]!) | 0; i32[fp + code[pc + 1]!] = v; if (v !== 0) { const t = code[pc + 4]!; if (t <= pc && --budget < 0) budget = m.poll(); pc = t; } else pc += 5; continue; }
                case /*@ADDI_BR_UNLESS*/118: { const v = (i32[fp + code[pc + 2]!]! + code[pc + 3]!) | 0; i32[fp + code[pc + 1]!] = v; if (v === 0) { const t = code[pc + 4]!; if (t <= pc && --budget < 0) budget = m.poll(); pc = t; } else pc += 5; continue; }
                case /*@ADD_J_LT_S*/119: { const v = (i32[fp + code[pc + 2]!]! + i32[fp + code[pc + 3]!]!) | 0; i32[fp + code[pc + 1]!] = v; if (v < i32[fp + code[pc + 4]!]!) { const t = code[pc + 5]!; if (t <= pc && --budget < 0) budget = m.poll(); pc = t; } else pc += 6; continue; }
                case /*@ADD_J_LT_U*/120: { const v = (i32[fp + code[pc + 2]!]! + i32[fp + code[pc + 3]!]!) | 0; i32[fp + code[pc + 1]!] = v; if (v >>> 0 < i32[fp + code[pc + 4]!]! >>> 0) { const t = code[pc + 5]!; if (t <= pc && --budget < 0) budget = m.poll(); pc = t; } else pc += 6; continue; }
                case /*@ADD_J_NE*/121: { const v = (i32[fp + code[pc + 2]!]! + i32[fp + code[pc + 3]!]!) | 0; i32[fp + code[pc + 1]!] = v; if (v !== i32[fp + code[pc + 4]!]!) { const t = code[pc + 5]!; if (t <= pc && --budget < 0) budget = m.poll(); pc = t; } else pc += 6; continue; }
                case /*@ADD_J_GT_S*/122: { const v = (i32[fp + code[pc + 2]!]! + i32[fp + code[pc + 3]!]!) | 0; i32[fp + code[pc + 1]!] = v; if (v > i32[fp + code[pc + 4]!]!) { const t = code[pc + 5]!; if (t <= pc && --budget < 0) budget = m.poll(); pc = t; } else pc += 6; continue; }
                case /*@ADD_J_GE_S*/123: { const v = (i32[fp + code[pc + 2]!]! + i32[fp + code[pc + 3]!]!) | 0; i32[fp + code[pc + 1]!] = v; if (v >= i32[fp + code[pc + 4]!]!) { const t = code[pc + 5]!; if (t <= pc && --budget < 0) budget = m.poll(); pc = t; } else pc += 6; continue; }
                case /*@ADD_J_LT_S_K*/124: { const v = (i32[fp + code[pc + 2]!]! + i32[fp + code[pc + 3]!]!) | 0; i32[fp + code[pc + 1]!] = v; if (v < code[pc + 4]!) { const t = code[pc + 5]!; if (t <= pc && --budget < 0) budget = m.poll(); pc = t; } else pc += 6; continue; }
                case /*@ADD_J_LT_U_K*/125: { const v = (i32[fp + code[pc + 2]!]! + i32[fp + code[pc + 3]!]!) | 0; i32[fp + code[pc + 1]!] = v; if (v >>> 0 < code[pc + 4]! >>> 0) { const t = code[pc + 5]!; if (t <= pc && --budget < 0) budget = m.poll(); pc = t; } else pc += 6; continue; }
                case /*@ADD_J_NE_K*/126: { const v = (i32[fp + code[pc + 2]!]! + i32[fp + code[pc + 3]!]!) | 0; i32[fp + code[pc + 1]!] = v; if (v !== code[pc + 4]!) { const t = code[pc + 5]!; if (t <= pc && --budget < 0) budget = m.poll(); pc = t; } else pc += 6; continue; }
                case /*@ADD_J_GT_S_K*/127: { const v = (i32[fp + code[pc + 2]!]! + i32[fp + code[pc + 3]!]!) | 0; i32[fp + code[pc + 1]!] = v; if (v > code[pc + 4]!) { const t = code[pc + 5]!; if (t <= pc && --budget < 0) budget = m.poll(); pc = t; } else pc += 6; continue; }
                case /*@ADD_J_GE_S_K*/128: { const v = (i32[fp + code[pc + 2]!]! + i32[fp + code[pc + 3]!]!) | 0; i32[fp + code[pc + 1]!] = v; if (v >= code[pc + 4]!) { const t = code[pc + 5]!; if (t <= pc && --budget < 0) budget = m.poll(); pc = t; } else pc += 6; continue; }
                case /*@ADD_BR_IF*/129: { const v = (i32[fp + code[pc + 2]!]! + i32[fp + code[pc + 3]!]!) | 0; i32[fp + code[pc + 1]!] = v; if (v !== 0) { const t = code[pc + 4]!; if (t <= pc && --budget < 0) budget = m.poll(); pc = t; } else pc += 5; continue; }
                case /*@ADD_BR_UNLESS*/130: { const v = (i32[fp + code[pc + 2]!]! + i32[fp + code[pc + 3]!]!) | 0; i32[fp + code[pc + 1]!] = v; if (v === 0) { const t = code[pc + 4]!; if (t <= pc && --budget < 0) budget = m.poll(); pc = t; } else pc += 5; continue; }
                case /*@I64_EQZ*/131: i32[fp + code[pc + 1]!] = ref[fp + code[pc + 2]!]! === 0n ? 1 : 0; pc += 3; continue;
                case /*@I64_EQ*/132: i32[fp + code[pc + 1]!] = ref[fp + code[pc + 2]!]! === ref[fp + code[pc + 3]!]! ? 1 : 0; pc += 4; continue;
                case /*@I64_NE*/133: i32[fp + code[pc + 1]!] = ref[fp + code[pc + 2]!]! !== ref[fp + code[pc + 3]!]! ? 1 : 0; pc += 4; continue;
                case /*@I64_LT_S*/134: i32[fp + code[pc + 1]!] = (ref[fp + code[pc + 2]!]! as bigint) < (ref[fp + code[pc + 3]!]! as bigint) ? 1 : 0; pc += 4; continue;
                case /*@I64_GT_S*/135: i32[fp + code[pc + 1]!] = (ref[fp + code[pc + 2]!]! as bigint) > (ref[fp + code[pc + 3]!]! as bigint) ? 1 : 0; pc += 4; continue;
                case /*@I64_LE_S*/136: i32[fp + code[pc + 1]!] = (ref[fp + code[pc + 2]!]! as bigint) <= (ref[fp + code[pc + 3]!]! as bigint) ? 1 : 0; pc += 4; continue;
                case /*@I64_GE_S*/137: i32[fp + code[pc + 1]!] = (ref[fp + code[pc + 2]!]! as bigint) >= (ref[fp + code[pc + 3]!]! as bigint) ? 1 : 0; pc += 4; continue;
                case /*@I64_ADD*/138: ref[fp + code[pc + 1]!] = BigInt.asIntN(64, (ref[fp + code[pc + 2]!]! as bigint) + (ref[fp + code[pc + 3]!]! as bigint)); pc += 4; continue;
                case /*@I64_SUB*/139: ref[fp + code[pc + 1]!] = BigInt.asIntN(64, (ref[fp + code[pc + 2]!]! as bigint) - (ref[fp + code[pc + 3]!]! as bigint)); pc += 4; continue;
                case /*@I64_MUL*/140: ref[fp + code[pc + 1]!] = BigInt.asIntN(64, (ref[fp + code[pc + 2]!]! as bigint) * (ref[fp + code[pc + 3]!]! as bigint)); pc += 4; continue;
                case /*@I64_AND*/141: ref[fp + code[pc + 1]!] = (ref[fp + code[pc + 2]!]! as bigint) & (ref[fp + code[pc + 3]!]! as bigint); pc += 4; continue;
                case /*@I64_OR*/142: ref[fp + code[pc + 1]!] = (ref[fp + code[pc + 2]!]! as bigint) | (ref[fp + code[pc + 3]!]! as bigint); pc += 4; continue;
                case /*@I64_XOR*/143: ref[fp + code[pc + 1]!] = (ref[fp + code[pc + 2]!]! as bigint) ^ (ref[fp + code[pc + 3]!]! as bigint); pc += 4; continue;
                case /*@I64_SHL*/144: ref[fp + code[pc + 1]!] = BigInt.asIntN(64, (ref[fp + code[pc + 2]!]! as bigint) << ((ref[fp + code[pc + 3]!]! as bigint) & 63n)); pc += 4; continue;
                case /*@I64_SHR_S*/145: ref[fp + code[pc + 1]!] = (ref[fp + code[pc + 2]!]! as bigint) >> ((ref[fp + code[pc + 3]!]! as bigint) & 63n); pc += 4; continue;
                case /*@I64_SHR_U*/146: ref[fp + code[pc + 1]!] = BigInt.asIntN(64, BigInt.asUintN(64, (ref[fp + code[pc + 2]!]! as bigint)) >> ((ref[fp + code[pc + 3]!]! as bigint) & 63n)); pc += 4; continue;
                case /*@I64_EXTEND_I32_S*/147: ref[fp + code[pc + 1]!] = BigInt(i32[fp + code[pc + 2]!]!); pc += 3; continue;
                case /*@I64_EXTEND_I32_U*/148: ref[fp + code[pc + 1]!] = BigInt(i32[fp + code[pc + 2]!]! >>> 0); pc += 3; continue;
                case /*@F64_ADD*/149: { const a = num[fp + code[pc + 2]!]!; const b = num[fp + code[pc + 3]!]!; const r = a + b; num[fp + code[pc + 1]!] = r === r ? r : F64_ADD(a, b); pc += 4; continue; }
                case /*@F64_SUB*/150: { const a = num[fp + code[pc + 2]!]!; const b = num[fp + code[pc + 3]!]!; const r = a - b; num[fp + code[pc + 1]!] = r === r ? r : F64_SUB(a, b); pc += 4; continue; }
                case /*@F64_MUL*/151: { const a = num[fp + code[pc + 2]!]!; const b = num[fp + code[pc + 3]!]!; const r = a * b; num[fp + code[pc + 1]!] = r === r ? r : F64_MUL(a, b); pc += 4; continue; }
                case /*@F64_DIV*/152: { const a = num[fp + code[pc + 2]!]!; const b = num[fp + code[pc + 3]!]!; const r = a / b; num[fp + code[pc + 1]!] = r === r ? r : F64_DIV(a, b); pc += 4; continue; }
                case /*@F64_EQ*/153: i32[fp + code[pc + 1]!] = num[fp + code[pc + 2]!]! === num[fp + code[pc + 3]!]! ? 1 : 0; pc += 4; continue;
                case /*@F64_NE*/154: i32[fp + code[pc + 1]!] = num[fp + code[pc + 2]!]! !== num[fp + code[pc + 3]!]! ? 1 : 0; pc += 4; continue;
                case /*@F64_LT*/155: i32[fp + code[pc + 1]!] = num[fp + code[pc + 2]!]! < num[fp + code[pc + 3]!]! ? 1 : 0; pc += 4; continue;
                case /*@F64_GT*/156: i32[fp + code[pc + 1]!] = num[fp + code[pc + 2]!]! > num[fp + code[pc + 3]!]! ? 1 : 0; pc += 4; continue;
                case /*@F64_LE*/157: i32[fp + code[pc + 1]!] = num[fp + code[pc + 2]!]! <= num[fp + code[pc + 3]!]! ? 1 : 0; pc += 4; continue;
                case /*@F64_GE*/158: i32[fp + code[pc + 1]!] = num[fp + code[pc + 2]!]! >= num[fp + code[pc + 3]!]! ? 1 : 0; pc += 4; continue;
                case /*@F64_CONVERT_I32_S*/159: num[fp + code[pc + 1]!] = i32[fp + code[pc + 2]!]!; pc += 3; continue;
                case /*@F64_CONVERT_I32_U*/160: num[fp + code[pc + 1]!] = i32[fp + code[pc + 2]!]! >>> 0; pc += 3; continue;
                case /*@F32_ADD*/161: { const a = num[fp + code[pc + 2]!]!; const b = num[fp + code[pc + 3]!]!; SU32[0] = a; const x = SF32[0]!; SU32[0] = b; const r = Math.fround(x + SF32[0]!); if (r === r) {   SF32[0] = r;   num[fp + code[pc + 1]!] = SU32[0]!; } else num[fp + code[pc + 1]!] = F32_ADD(a, b); pc += 4; continue; }
                case /*@F32_SUB*/162: { const a = num[fp + code[pc + 2]!]!; const b = num[fp + code[pc + 3]!]!; SU32[0] = a; const x = SF32[0]!; SU32[0] = b; const r = Math.fround(x - SF32[0]!); if (r === r) {   SF32[0] = r;   num[fp + code[pc + 1]!] = SU32[0]!; } else num[fp + code[pc + 1]!] = F32_SUB(a, b); pc += 4; continue; }
                case /*@F32_MUL*/163: { const a = num[fp + code[pc + 2]!]!; const b = num[fp + code[pc + 3]!]!; SU32[0] = a; const x = SF32[0]!; SU32[0] = b; const r = Math.fround(x * SF32[0]!); if (r === r) {   SF32[0] = r;   num[fp + code[pc + 1]!] = SU32[0]!; } else num[fp + code[pc + 1]!] = F32_MUL(a, b); pc += 4; continue; }
                case /*@F32_DIV*/164: { const a = num[fp + code[pc + 2]!]!; const b = num[fp + code[pc + 3]!]!; SU32[0] = a; const x = SF32[0]!; SU32[0] = b; const r = Math.fround(x / SF32[0]!); if (r === r) {   SF32[0] = r;   num[fp + code[pc + 1]!] = SU32[0]!; } else num[fp + code[pc + 1]!] = F32_DIV(a, b); pc += 4; continue; }
                case /*@F32_EQ*/165: { SU32[0] = num[fp + code[pc + 2]!]!; const x = SF32[0]!; SU32[0] = num[fp + code[pc + 3]!]!; i32[fp + code[pc + 1]!] = x === SF32[0]! ? 1 : 0; pc += 4; continue; }
                case /*@F32_NE*/166: { SU32[0] = num[fp + code[pc + 2]!]!; const x = SF32[0]!; SU32[0] = num[fp + code[pc + 3]!]!; i32[fp + code[pc + 1]!] = x !== SF32[0]! ? 1 : 0; pc += 4; continue; }
                case /*@F32_LT*/167: { SU32[0] = num[fp + code[pc + 2]!]!; const x = SF32[0]!; SU32[0] = num[fp + code[pc + 3]!]!; i32[fp + code[pc + 1]!] = x < SF32[0]! ? 1 : 0; pc += 4; continue; }
                case /*@F32_GT*/168: { SU32[0] = num[fp + code[pc + 2]!]!; const x = SF32[0]!; SU32[0] = num[fp + code[pc + 3]!]!; i32[fp + code[pc + 1]!] = x > SF32[0]! ? 1 : 0; pc += 4; continue; }
                case /*@F32_LE*/169: { SU32[0] = num[fp + code[pc + 2]!]!; const x = SF32[0]!; SU32[0] = num[fp + code[pc + 3]!]!; i32[fp + code[pc + 1]!] = x <= SF32[0]! ? 1 : 0; pc += 4; continue; }
                case /*@F32_GE*/170: { SU32[0] = num[fp + code[pc + 2]!]!; const x = SF32[0]!; SU32[0] = num[fp + code[pc + 3]!]!; i32[fp + code[pc + 1]!] = x >= SF32[0]! ? 1 : 0; pc += 4; continue; }
                case /*@F32_CONVERT_I32_S*/171: SF32[0] = i32[fp + code[pc + 2]!]!; num[fp + code[pc + 1]!] = SU32[0]!; pc += 3; continue;
                case /*@GEN1*/172: { const mask = code[pc + 4]!; const a = fp + code[pc + 2]!; const r = (cf.objs[code[pc + 3]!] as Fn1)(mask & 1 ? ref[a] : mask & 16 ? i32[a] : num[a]); if (mask & 8) ref[fp + code[pc + 1]!] = r as Value; else if (mask & 128) i32[fp + code[pc + 1]!] = (r as number) | 0; else storeF64(num, fp + code[pc + 1]!, r as number); pc += 5; continue; }
                case /*@GEN2*/173: { const mask = code[pc + 5]!; const a = fp + code[pc + 2]!; const b = fp + code[pc + 3]!; const r = (cf.objs[code[pc + 4]!] as Fn2)(mask & 1 ? ref[a] : mask & 16 ? i32[a] : num[a], mask & 2 ? ref[b] : mask & 32 ? i32[b] : num[b]); if (mask & 8) ref[fp + code[pc + 1]!] = r as Value; else if (mask & 128) i32[fp + code[pc + 1]!] = (r as number) | 0; else storeF64(num, fp + code[pc + 1]!, r as number); pc += 6; continue; }
                case /*@GEN3*/174: { const mask = code[pc + 6]!; const a = fp + code[pc + 2]!; const b = fp + code[pc + 3]!; const c = fp + code[pc + 4]!; const r = (cf.objs[code[pc + 5]!] as Fn3)(mask & 1 ? ref[a] : mask & 16 ? i32[a] : num[a], mask & 2 ? ref[b] : mask & 32 ? i32[b] : num[b], mask & 4 ? ref[c] : mask & 64 ? i32[c] : num[c]); if (mask & 8) ref[fp + code[pc + 1]!] = r as Value; else if (mask & 128) i32[fp + code[pc + 1]!] = (r as number) | 0; else storeF64(num, fp + code[pc + 1]!, r as number); pc += 7; continue; }
                case /*@I32_LOAD*/175: i32[fp + code[pc + 1]!] = cf.mem0!.view.getInt32((i32[fp + code[pc + 2]!]! >>> 0) + (code[pc + 3]! >>> 0), true); pc += 4; continue;
                case /*@I64_LOAD*/176: ref[fp + code[pc + 1]!] = cf.mem0!.view.getBigInt64((i32[fp + code[pc + 2]!]! >>> 0) + (code[pc + 3]! >>> 0), true); pc += 4; continue;
                case /*@F32_LOAD*/177: num[fp + code[pc + 1]!] = cf.mem0!.view.getUint32((i32[fp + code[pc + 2]!]! >>> 0) + (code[pc + 3]! >>> 0), true); pc += 4; continue;
                case /*@F64_LOAD*/178: storeF64(num, fp + code[pc + 1]!, cf.mem0!.view.getFloat64((i32[fp + code[pc + 2]!]! >>> 0) + (code[pc + 3]! >>> 0), true)); pc += 4; continue;
                case /*@I32_LOAD8_S*/179: i32[fp + code[pc + 1]!] = cf.mem0!.view.getInt8((i32[fp + code[pc + 2]!]! >>> 0) + (code[pc + 3]! >>> 0)); pc += 4; continue;
                case /*@I32_LOAD8_U*/180: i32[fp + code[pc + 1]!] = cf.mem0!.view.getUint8((i32[fp + code[pc + 2]!]! >>> 0) + (code[pc + 3]! >>> 0)); pc += 4; continue;
                case /*@I32_LOAD16_S*/181: i32[fp + code[pc + 1]!] = cf.mem0!.view.getInt16((i32[fp + code[pc + 2]!]! >>> 0) + (code[pc + 3]! >>> 0), true); pc += 4; continue;
                case /*@I32_LOAD16_U*/182: i32[fp + code[pc + 1]!] = cf.mem0!.view.getUint16((i32[fp + code[pc + 2]!]! >>> 0) + (code[pc + 3]! >>> 0), true); pc += 4; continue;
                case /*@I64_LOAD8_S*/183: ref[fp + code[pc + 1]!] = BigInt(cf.mem0!.view.getInt8((i32[fp + code[pc + 2]!]! >>> 0) + (code[pc + 3]! >>> 0))); pc += 4; continue;
                case /*@I64_LOAD8_U*/184: ref[fp + code[pc + 1]!] = BigInt(cf.mem0!.view.getUint8((i32[fp + code[pc + 2]!]! >>> 0) + (code[pc + 3]! >>> 0))); pc += 4; continue;
                case /*@I64_LOAD16_S*/185: ref[fp + code[pc + 1]!] = BigInt(cf.mem0!.view.getInt16((i32[fp + code[pc + 2]!]! >>> 0) + (code[pc + 3]! >>> 0), true)); pc += 4; continue;
                case /*@I64_LOAD16_U*/186: ref[fp + code[pc + 1]!] = BigInt(cf.mem0!.view.getUint16((i32[fp + code[pc + 2]!]! >>> 0) + (code[pc + 3]! >>> 0), true)); pc += 4; continue;
                case /*@I64_LOAD32_S*/187: ref[fp + code[pc + 1]!] = BigInt(cf.mem0!.view.getInt32((i32[fp + code[pc + 2]!]! >>> 0) + (code[pc + 3]! >>> 0), true)); pc += 4; continue;
                case /*@I64_LOAD32_U*/188: ref[fp + code[pc + 1]!] = BigInt(cf.mem0!.view.getUint32((i32[fp + code[pc + 2]!]! >>> 0) + (code[pc + 3]! >>> 0), true)); pc += 4; continue;
                case /*@I32_STORE*/189: cf.mem0!.view.setInt32((i32[fp + code[pc + 1]!]! >>> 0) + (code[pc + 3]! >>> 0), i32[fp + code[pc + 2]!]!, true); pc += 4; continue;
                case /*@I64_STORE*/190: cf.mem0!.view.setBigInt64((i32[fp + code[pc + 1]!]! >>> 0) + (code[pc + 3]! >>> 0), ref[fp + code[pc + 2]!]! as bigint, true); pc += 4; continue;
                case /*@F32_STORE*/191: cf.mem0!.view.setUint32((i32[fp + code[pc + 1]!]! >>> 0) + (code[pc + 3]! >>> 0), num[fp + code[pc + 2]!]!, true); pc += 4; continue;
                case /*@F64_STORE*/192: { const x = num[fp + code[pc + 2]!]!; if (x === x) cf.mem0!.view.setFloat64((i32[fp + code[pc + 1]!]! >>> 0) + (code[pc + 3]! >>> 0), x, true); else cf.mem0!.view.setBigInt64((i32[fp + code[pc + 1]!]! >>> 0) + (code[pc + 3]! >>> 0), f64ToI64(x), true); pc += 4; continue; }
                case /*@I32_STORE8*/193: cf.mem0!.view.setUint8((i32[fp + code[pc + 1]!]! >>> 0) + (code[pc + 3]! >>> 0), i32[fp + code[pc + 2]!]!); pc += 4; continue;
                case /*@I32_STORE16*/194: cf.mem0!.view.setUint16((i32[fp + code[pc + 1]!]! >>> 0) + (code[pc + 3]! >>> 0), i32[fp + code[pc + 2]!]!, true); pc += 4; continue;
                case /*@I64_STORE8*/195: cf.mem0!.view.setUint8((i32[fp + code[pc + 1]!]! >>> 0) + (code[pc + 3]! >>> 0), Number(((ref[fp + code[pc + 2]!]!) as bigint) & 0xffn)); pc += 4; continue;
                case /*@I64_STORE16*/196: cf.mem0!.view.setUint16((i32[fp + code[pc + 1]!]! >>> 0) + (code[pc + 3]! >>> 0), Number(((ref[fp + code[pc + 2]!]!) as bigint) & 0xffffn), true); pc += 4; continue;
                case /*@I64_STORE32*/197: cf.mem0!.view.setUint32((i32[fp + code[pc + 1]!]! >>> 0) + (code[pc + 3]! >>> 0), Number(((ref[fp + code[pc + 2]!]!) as bigint) & 0xffffffffn), true); pc += 4; continue;
                case /*@I32_STORE_K*/198: cf.mem0!.view.setInt32((i32[fp + code[pc + 1]!]! >>> 0) + (code[pc + 3]! >>> 0), code[pc + 2]!, true); pc += 4; continue;
                case /*@I32_STORE8_K*/199: cf.mem0!.view.setUint8((i32[fp + code[pc + 1]!]! >>> 0) + (code[pc + 3]! >>> 0), code[pc + 2]!); pc += 4; continue;
                case /*@I32_STORE16_K*/200: cf.mem0!.view.setUint16((i32[fp + code[pc + 1]!]! >>> 0) + (code[pc + 3]! >>> 0), code[pc + 2]!, true); pc += 4; continue;
                case /*@MEM_LOAD*/201: { const acc = cf.objs[code[pc + 3]!] as MemAccess; const r = memLoad(cf.instance, acc, addrAt(i32, ref, fp + code[pc + 2]!, acc.is64)); if (acc.vref) ref[fp + code[pc + 1]!] = r; else if (acc.vi32) i32[fp + code[pc + 1]!] = (r as number) | 0; else num[fp + code[pc + 1]!] = r as number; pc += 4; continue; }
                case /*@MEM_STORE*/202: { const acc = cf.objs[code[pc + 3]!] as MemAccess; const v = fp + code[pc + 2]!; memStore(cf.instance, acc, addrAt(i32, ref, fp + code[pc + 1]!, acc.is64), acc.vref ? ref[v]! : acc.vi32 ? i32[v]! : num[v]!); pc += 4; continue; }
                case /*@MEM_LOAD_LANE*/203: { const acc = cf.objs[code[pc + 4]!] as MemAccess; ref[fp + code[pc + 1]!] = memLoadLane(cf.instance, acc, addrAt(i32, ref, fp + code[pc + 2]!, acc.is64), ref[fp + code[pc + 3]!]! as Uint8Array); pc += 5; continue; }
                case /*@MEMORY_SIZE*/204: { const x = code[pc + 2]!; putAddr(i32, ref, fp + code[pc + 1]!, cf.instance.valid.memories[x]!.addr === 'i64', cf.instance.memories[x]!.buffer.byteLength / 65536); pc += 3; continue; }
                case /*@MEMORY_GROW*/205: { const x = code[pc + 3]!; const is64 = cf.instance.valid.memories[x]!.addr === 'i64'; putAddr(i32, ref, fp + code[pc + 1]!, is64, cf.instance.memories[x]!.grow(addrAt(i32, ref, fp + code[pc + 2]!, is64))); pc += 4; continue; }
                case /*@MEMORY_FILL*/206: { const x = code[pc + 2]!; const is64 = cf.instance.valid.memories[x]!.addr === 'i64'; memoryFill(cf.instance.memories[x]!, addrAt(i32, ref, fp + code[pc + 1]!, is64), i32[fp + code[pc + 1]! + 1]!, addrAt(i32, ref, fp + code[pc + 1]! + 2, is64)); pc += 3; continue; }
                case /*@MEMORY_COPY*/207: { const d64 = cf.instance.valid.memories[code[pc + 2]!]!.addr === 'i64'; const s64 = cf.instance.valid.memories[code[pc + 3]!]!.addr === 'i64'; const all = cf.instance.memories; memoryCopy(all[code[pc + 2]!]!, all[code[pc + 3]!]!, addrAt(i32, ref, fp + code[pc + 1]!, d64), addrAt(i32, ref, fp + code[pc + 1]! + 1, s64), addrAt(i32, ref, fp + code[pc + 1]! + 2, d64 && s64)); pc += 4; continue; }
                case /*@MEMORY_INIT*/208: { const x = code[pc + 2]!; memoryInit(cf.instance, cf.instance.memories[x]!, code[pc + 3]!, addrAt(i32, ref, fp + code[pc + 1]!, cf.instance.valid.memories[x]!.addr === 'i64'), i32[fp + code[pc + 1]! + 1]! >>> 0, i32[fp + code[pc + 1]! + 2]! >>> 0); pc += 4; continue; }
                case /*@DATA_DROP*/209: cf.instance.datas[code[pc + 1]!] = null; pc += 2; continue;
                case /*@TABLE_GET*/210: { const x = code[pc + 3]!; const elems = cf.instance.tables[x]!.elems; const i = addrAt(i32, ref, fp + code[pc + 2]!, cf.instance.valid.tables[x]!.addr === 'i64'); if (i >= elems.length) trap(OOB_TABLE); ref[fp + code[pc + 1]!] = elems[i]!; pc += 4; continue; }
                case /*@TABLE_SET*/211: { const x = code[pc + 3]!; const elems = cf.instance.tables[x]!.elems; const i = addrAt(i32, ref, fp + code[pc + 1]!, cf.instance.valid.tables[x]!.addr === 'i64'); if (i >= elems.length) trap(OOB_TABLE); elems[i] = ref[fp + code[pc + 2]!]!; pc += 4; continue; }
                case /*@TABLE_SIZE*/212: { const x = code[pc + 2]!; putAddr(i32, ref, fp + code[pc + 1]!, cf.instance.valid.tables[x]!.addr === 'i64', cf.instance.tables[x]!.elems.length); pc += 3; continue; }
                case /*@TABLE_GROW*/213: { const x = code[pc + 2]!; const is64 = cf.instance.valid.tables[x]!.addr === 'i64'; putAddr(i32, ref, fp + code[pc + 1]!, is64, cf.instance.tables[x]!.grow(addrAt(i32, ref, fp + code[pc + 1]! + 1, is64), ref[fp + code[pc + 1]!]!)); pc += 3; continue; }
                case /*@TABLE_FILL*/214: { const x = code[pc + 2]!; const is64 = cf.instance.valid.tables[x]!.addr === 'i64'; tableFill(cf.instance.tables[x]!, addrAt(i32, ref, fp + code[pc + 1]!, is64), ref[fp + code[pc + 1]! + 1]!, addrAt(i32, ref, fp + code[pc + 1]! + 2, is64)); pc += 3; continue; }
                case /*@TABLE_COPY*/215: { const d64 = cf.instance.valid.tables[code[pc + 2]!]!.addr === 'i64'; const s64 = cf.instance.valid.tables[code[pc + 3]!]!.addr === 'i64'; const all = cf.instance.tables; tableCopy(all[code[pc + 2]!]!, all[code[pc + 3]!]!, addrAt(i32, ref, fp + code[pc + 1]!, d64), addrAt(i32, ref, fp + code[pc + 1]! + 1, s64), addrAt(i32, ref, fp + code[pc + 1]! + 2, d64 && s64)); pc += 4; continue; }
                case /*@TABLE_INIT*/216: { const x = code[pc + 2]!; tableInit(cf.instance, cf.instance.tables[x]!, code[pc + 3]!, addrAt(i32, ref, fp + code[pc + 1]!, cf.instance.valid.tables[x]!.addr === 'i64'), i32[fp + code[pc + 1]! + 1]! >>> 0, i32[fp + code[pc + 1]! + 2]! >>> 0); pc += 4; continue; }
                case /*@ELEM_DROP*/217: cf.instance.elems[code[pc + 1]!] = null; pc += 2; continue;
                case /*@REF_NULL*/218: ref[fp + code[pc + 1]!] = null; pc += 2; continue;
                case /*@REF_IS_NULL*/219: i32[fp + code[pc + 1]!] = ref[fp + code[pc + 2]!]! === null ? 1 : 0; pc += 3; continue;
                case /*@REF_FUNC*/220: ref[fp + code[pc + 1]!] = cf.funcs[code[pc + 2]!]!; pc += 3; continue;
                case /*@REF_AS_NON_NULL*/221: if (ref[fp + code[pc + 1]!]! === null) trap('null reference'); pc += 2; continue;
                case /*@BR_ON_NULL*/222: if (ref[fp + code[pc + 1]!]! === null) { const t = code[pc + 2]!; if (t <= pc && --budget < 0) budget = m.poll(); pc = t; } else pc += 3; continue;
                case /*@BR_ON_NON_NULL*/223: if (ref[fp + code[pc + 1]!]! !== null) { const t = code[pc + 2]!; if (t <= pc && --budget < 0) budget = m.poll(); pc = t; } else pc += 3; continue;
                case /*@REF_EQ*/224: i32[fp + code[pc + 1]!] = ref[fp + code[pc + 2]!]! === ref[fp + code[pc + 3]!]! ? 1 : 0; pc += 4; continue;
                case /*@REF_TEST*/225: i32[fp + code[pc + 1]!] = refMatches(ref[fp + code[pc + 2]!]!, cf.objs[code[pc + 3]!] as CRefType) ? 1 : 0; pc += 4; continue;
                case /*@REF_CAST*/226: if (!refMatches(ref[fp + code[pc + 1]!]!, cf.objs[code[pc + 2]!] as CRefType)) trap('cast failure'); pc += 3; continue;
                case /*@BR_ON_CAST*/227: if (refMatches(ref[fp + code[pc + 1]!]!, cf.objs[code[pc + 2]!] as CRefType)) { const t = code[pc + 3]!; if (t <= pc && --budget < 0) budget = m.poll(); pc = t; } else pc += 4; continue;
                case /*@BR_ON_CAST_FAIL*/228: if (!refMatches(ref[fp + code[pc + 1]!]!, cf.objs[code[pc + 2]!] as CRefType)) { const t = code[pc + 3]!; if (t <= pc && --budget < 0) budget = m.poll(); pc = t; } else pc += 4; continue;
                case /*@REF_I31*/229: ref[fp + code[pc + 1]!] = (i32[fp + code[pc + 2]!]! << 1) >> 1; pc += 3; continue;
                case /*@I31_GET_S*/230: { const v = ref[fp + code[pc + 2]!]!; if (v === null) trap('null i31 reference'); i32[fp + code[pc + 1]!] = (v as number) | 0; pc += 3; continue; }
                case /*@I31_GET_U*/231: { const v = ref[fp + code[pc + 2]!]!; if (v === null) trap('null i31 reference'); i32[fp + code[pc + 1]!] = (v as number) & 0x7fffffff; pc += 3; continue; }
                case /*@ANY_CONVERT_EXTERN*/232: ref[fp + code[pc + 1]!] = internalize(ref[fp + code[pc + 2]!]!); pc += 3; continue;
                case /*@EXTERN_CONVERT_ANY*/233: ref[fp + code[pc + 1]!] = externalize(ref[fp + code[pc + 2]!]!); pc += 3; continue;
                case /*@STRUCT_NEW*/234: { const desc = cf.objs[code[pc + 2]!] as AggrDesc; ref[fp + code[pc + 1]!] = newStruct(desc.dt, slotValues(num, i32, ref, fp + code[pc + 1]!, desc.kinds, desc.kinds.length)); pc += 3; continue; }
                case /*@STRUCT_NEW_DEFAULT*/235: ref[fp + code[pc + 1]!] = newStructDefault((cf.objs[code[pc + 2]!] as AggrDesc).dt); pc += 3; continue;
                case /*@STRUCT_GET_N*/236: { const o = ref[fp + code[pc + 2]!]! as WasmStruct | null; if (o === null) trap('null structure reference'); storeF64(num, fp + code[pc + 1]!, o.fields[code[pc + 3]!] as number); pc += 4; continue; }
                case /*@STRUCT_GET_R*/237: { const o = ref[fp + code[pc + 2]!]! as WasmStruct | null; if (o === null) trap('null structure reference'); ref[fp + code[pc + 1]!] = o.fields[code[pc + 3]!]!; pc += 4; continue; }
                case /*@STRUCT_GET_I*/238: { const o = ref[fp + code[pc + 2]!]! as WasmStruct | null; if (o === null) trap('null structure reference'); i32[fp + code[pc + 1]!] = (o.fields[code[pc + 3]!] as number) | 0; pc += 4; continue; }
                case /*@STRUCT_GET_P*/239: { const o = ref[fp + code[pc + 2]!]! as WasmStruct | null; if (o === null) trap('null structure reference'); const sh = code[pc + 4]!; i32[fp + code[pc + 1]!] = ((o.fields[code[pc + 3]!] as number) << sh) >> sh; pc += 5; continue; }
                case /*@STRUCT_SET_N*/240: { const o = ref[fp + code[pc + 1]!]! as WasmStruct | null; if (o === null) trap('null structure reference'); o.fields[code[pc + 3]!] = num[fp + code[pc + 2]!]!; pc += 4; continue; }
                case /*@STRUCT_SET_R*/241: { const o = ref[fp + code[pc + 1]!]! as WasmStruct | null; if (o === null) trap('null structure reference'); o.fields[code[pc + 3]!] = ref[fp + code[pc + 2]!]!; pc += 4; continue; }
                case /*@STRUCT_SET_I*/242: { const o = ref[fp + code[pc + 1]!]! as WasmStruct | null; if (o === null) trap('null structure reference'); o.fields[code[pc + 3]!] = i32[fp + code[pc + 2]!]!; pc += 4; continue; }
                case /*@STRUCT_SET_P*/243: { const o = ref[fp + code[pc + 1]!]! as WasmStruct | null; if (o === null) trap('null structure reference'); o.fields[code[pc + 3]!] = i32[fp + code[pc + 2]!]! & code[pc + 4]!; pc += 5; continue; }
                case /*@ARRAY_NEW*/244: { const desc = cf.objs[code[pc + 2]!] as AggrDesc; ref[fp + code[pc + 1]!] = newArray(desc.dt, i32[fp + code[pc + 1]! + 1]! >>> 0, slotValue(num, i32, ref, fp + code[pc + 1]!, desc.kinds[0]!)); pc += 3; continue; }
                case /*@ARRAY_NEW_DEFAULT*/245: ref[fp + code[pc + 1]!] = newArrayDefault((cf.objs[code[pc + 3]!] as AggrDesc).dt, i32[fp + code[pc + 2]!]! >>> 0); pc += 4; continue;
                case /*@ARRAY_NEW_FIXED*/246: { const desc = cf.objs[code[pc + 2]!] as AggrDesc; ref[fp + code[pc + 1]!] = newArrayFixed(desc.dt, slotValues(num, i32, ref, fp + code[pc + 1]!, desc.kinds, code[pc + 3]!)); pc += 4; continue; }
                case /*@ARRAY_NEW_DATA*/247: ref[fp + code[pc + 1]!] = arrayNewData(cf.instance, cf.objs[code[pc + 2]!] as AggrDesc, code[pc + 3]!, i32[fp + code[pc + 1]!]! >>> 0, i32[fp + code[pc + 1]! + 1]! >>> 0); pc += 4; continue;
                case /*@ARRAY_NEW_ELEM*/248: ref[fp + code[pc + 1]!] = arrayNewElem(cf.instance, cf.objs[code[pc + 2]!] as AggrDesc, code[pc + 3]!, i32[fp + code[pc + 1]!]! >>> 0, i32[fp + code[pc + 1]! + 1]! >>> 0); pc += 4; continue;
                case /*@ARRAY_GET_N*/249: { const a = ref[fp + code[pc + 2]!]! as WasmArray | null; if (a === null) trap(NULL_ARRAY); const i = i32[fp + code[pc + 3]!]! >>> 0; if (i >= a.elems.length) trap(OOB_ARRAY); storeF64(num, fp + code[pc + 1]!, a.elems[i] as number); pc += 4; continue; }
                case /*@ARRAY_GET_R*/250: { const a = ref[fp + code[pc + 2]!]! as WasmArray | null; if (a === null) trap(NULL_ARRAY); const i = i32[fp + code[pc + 3]!]! >>> 0; if (i >= a.elems.length) trap(OOB_ARRAY); ref[fp + code[pc + 1]!] = a.elems[i]!; pc += 4; continue; }
                case /*@ARRAY_GET_I*/251: { const a = ref[fp + code[pc + 2]!]! as WasmArray | null; if (a === null) trap(NULL_ARRAY); const i = i32[fp + code[pc + 3]!]! >>> 0; if (i >= a.elems.length) trap(OOB_ARRAY); i32[fp + code[pc + 1]!] = (a.elems[i] as number) | 0; pc += 4; continue; }
                case /*@ARRAY_GET_P*/252: { const a = ref[fp + code[pc + 2]!]! as WasmArray | null; if (a === null) trap(NULL_ARRAY); const i = i32[fp + code[pc + 3]!]! >>> 0; if (i >= a.elems.length) trap(OOB_ARRAY); const sh = code[pc + 4]!; i32[fp + code[pc + 1]!] = ((a.elems[i] as number) << sh) >> sh; pc += 5; continue; }
                case /*@ARRAY_SET_N*/253: { const a = ref[fp + code[pc + 1]!]! as WasmArray | null; if (a === null) trap(NULL_ARRAY); const i = i32[fp + code[pc + 2]!]! >>> 0; if (i >= a.elems.length) trap(OOB_ARRAY); a.elems[i] = num[fp + code[pc + 3]!]!; pc += 4; continue; }
                case /*@ARRAY_SET_R*/254: { const a = ref[fp + code[pc + 1]!]! as WasmArray | null; if (a === null) trap(NULL_ARRAY); const i = i32[fp + code[pc + 2]!]! >>> 0; if (i >= a.elems.length) trap(OOB_ARRAY); a.elems[i] = ref[fp + code[pc + 3]!]!; pc += 4; continue; }
                case /*@ARRAY_SET_I*/255: { const a = ref[fp + code[pc + 1]!]! as WasmArray | null; if (a === null) trap(NULL_ARRAY); const i = i32[fp + code[pc + 2]!]! >>> 0; if (i >= a.elems.length) trap(OOB_ARRAY); a.elems[i] = i32[fp + code[pc + 3]!]!; pc += 4; continue; }
                case /*@ARRAY_SET_P*/256: { const a = ref[fp + code[pc + 1]!]! as WasmArray | null; if (a === null) trap(NULL_ARRAY); const i = i32[fp + code[pc + 2]!]! >>> 0; if (i >= a.elems.length) trap(OOB_ARRAY); a.elems[i] = i32[fp + code[pc + 3]!]! & code[pc + 4]!; pc += 5; continue; }
                case /*@ARRAY_LEN*/257: { const a = ref[fp + code[pc + 2]!]! as WasmArray | null; if (a === null) trap(NULL_ARRAY); i32[fp + code[pc + 1]!] = a.elems.length; pc += 3; continue; }
                case /*@ARRAY_FILL*/258: { const desc = cf.objs[code[pc + 2]!] as AggrDesc; arrayFill(ref[fp + code[pc + 1]!] as WasmArray | null, desc, i32[fp + code[pc + 1]! + 1]! >>> 0, slotValue(num, i32, ref, fp + code[pc + 1]! + 2, desc.kinds[0]!), i32[fp + code[pc + 1]! + 3]! >>> 0); pc += 3; continue; }
                case /*@ARRAY_COPY*/259: arrayCopy(ref[fp + code[pc + 1]!] as WasmArray | null, i32[fp + code[pc + 1]! + 1]! >>> 0, ref[fp + code[pc + 1]! + 2] as WasmArray | null, i32[fp + code[pc + 1]! + 3]! >>> 0, i32[fp + code[pc + 1]! + 4]! >>> 0); pc += 3; continue;
                case /*@ARRAY_INIT_DATA*/260: arrayInitData(cf.instance, ref[fp + code[pc + 1]!] as WasmArray | null, cf.objs[code[pc + 2]!] as AggrDesc, code[pc + 3]!, i32[fp + code[pc + 1]! + 1]! >>> 0, i32[fp + code[pc + 1]! + 2]! >>> 0, i32[fp + code[pc + 1]! + 3]! >>> 0); pc += 4; continue;
                case /*@ARRAY_INIT_ELEM*/261: arrayInitElem(cf.instance, ref[fp + code[pc + 1]!] as WasmArray | null, code[pc + 3]!, i32[fp + code[pc + 1]! + 1]! >>> 0, i32[fp + code[pc + 1]! + 2]! >>> 0, i32[fp + code[pc + 1]! + 3]! >>> 0); pc += 4; continue;
                case /*@CONT_NEW*/262: { const f = ref[fp + code[pc + 2]!]! as FuncInst | null; if (f === null) trap('null function reference'); ref[fp + code[pc + 1]!] = new Cont(cf.objs[code[pc + 3]!] as DefType, f, null, null, 0, 0); pc += 4; continue; }
                // ---- end of the generated cases ----

                default:
                  throw new Error(`machine: bad opcode ${code[pc]} at ${pc}`);
              }
            }
            // ---- a call: `callee` with its arguments from slot `base`; the caller continues at `next`
            // (a host function has no `compiled`: testing it is cheaper than comparing `kind`, a
            // string, which V8 checks is internalized through two more dependent loads)
            const compiled = (callee as WasmFunc).compiled as Code | null | undefined;
            if (compiled !== undefined) {
              const cc = compiled ?? compileFunc(callee as WasmFunc);
              const nfp = fp + base;
              const d = depth;
              if (d >= limit) throw new Exhaustion(EXHAUSTED);
              if (--budget < 0) budget = m.poll();
              if (nfp + cc.frameSize > num.length) {
                m.grow(stk, nfp + cc.frameSize);
                num = stk.num;
                i32 = stk.i32;
              }
              // (the pc slot of frame d needs no value until this frame calls: the array stays packed)
              fframes[2 * d - 1] = next;
              if (fcodes[d] !== cc) fcodes[d] = cc; // (a store of a pointer has a write barrier; recursion stores the same one)
              fframes[2 * d] = nfp;
              depth = d + 1;
              const li = cc.localInit;
              for (let i = 0, j = nfp + cc.nparams; i < li.length; i++, j++) {
                num[j] = 0;
                i32[j] = 0;
                ref[j] = li[i]!;
              }
              cf = cc;
              code = cc.code;
              fp = nfp;
              pc = 0;
            } else {
              stk.depth = depth;
              m.callHost(callee as HostFunc, stk, fp + base);
              pc = next;
            }
            continue;
          }
          // ---- a tail call: the callee replaces the current frame
          if (callee.kind === 'wasm') {
            const cc = (callee.compiled as Code | null) ?? compileFunc(callee);
            if (--budget < 0) budget = m.poll();
            if (fp + cc.frameSize > num.length) {
              m.grow(stk, fp + cc.frameSize);
              num = stk.num;
              i32 = stk.i32;
            }
            const src = fp + base;
            for (let i = 0, n = cc.nparams; i < n; i++) {
              num[fp + i] = num[src + i]!;
              i32[fp + i] = i32[src + i]!;
              ref[fp + i] = ref[src + i]!;
            }
            const li = cc.localInit;
            for (let i = 0, j = fp + cc.nparams; i < li.length; i++, j++) {
              num[j] = 0;
              i32[j] = 0;
              ref[j] = li[i]!;
            }
            fcodes[depth - 1] = cc;
            cf = cc;
            code = cc.code;
            pc = 0;
            continue;
          }
          stk.depth = depth;
          try {
            m.callHost(callee, stk, fp + base);
          } catch (e) {
            if (!(e instanceof UncaughtException && e.exn instanceof WasmExn) || m.owns(e)) throw e;
            // the tail-called function replaced this frame: its exception comes out of the caller
            stk.depth = --depth;
            const p = stk.parent;
            m.throwExn(e.exn, depth > 0 ? fframes[2 * depth - 1]! - 1 : p === null ? -1 : p.frames[2 * (p.depth - 1) + 1]! - 1);
            continue outer;
          }
          for (let i = 0, n = sigKinds(callee.type).results.length; i < n; i++) {
            num[fp + i] = num[fp + base + i]!;
            i32[fp + i] = i32[fp + base + i]!;
            ref[fp + i] = ref[fp + base + i]!;
          }
        }
        // ---- a return: the results are in slots 0.. of the frame
        const nd = --depth;
        if (nd === 0) {
          stk.depth = 0;
          if (stk.parent === null) {
            m.budget = budget;
            return;
          }
          m.finish(stk);
          continue outer;
        }
        cf = fcodes[nd - 1]!;
        code = cf.code;
        fp = fframes[2 * nd - 2]!;
        pc = fframes[2 * nd - 1]!;
      }
    } catch (e) {
      stk.depth = depth;
      let err = e;
      if (err instanceof RangeError) {
        const op = code[pc]!;
        if (op >= VIEW_FIRST && op <= VIEW_LAST) err = new Trap(OOB_MEMORY);
        // (near the JS stack limit: keep this cheap; if it overflows again, an outer machine converts)
        else if (err.message.startsWith('Maximum call stack')) err = new Exhaustion(EXHAUSTED);
      }
      if (err instanceof UncaughtException && err.exn instanceof WasmExn && !m.owns(err)) {
        // a Wasm exception that went out through a host function: it continues here
        m.throwExn(err.exn, pc);
        continue outer;
      }
      if (err instanceof RuntimeError) m.annotate(err, stk, pc);
      throw err;
    }
  }
}

/** The function of a call_indirect (code: o(type) table base c is64), checked. */
function indirect(cf: Code, i32: number[], ref: Value[], fp: number, pc: number): FuncInst {
  const code = cf.code;
  const elems = cf.instance.tables[code[pc + 2]!]!.elems;
  const c = fp + code[pc + 4]!;
  const i = code[pc + 5] ? Number(BigInt.asUintN(64, ref[c] as bigint)) : i32[c]! >>> 0;
  if (i >= elems.length) trap(`undefined element ${i}`);
  const f = elems[i] as FuncInst | null;
  if (f === null) trap(`uninitialized element ${i}`);
  const dt = cf.objs[code[pc + 1]!] as DefType;
  if (f.type !== dt && !isSubDef(f.type, dt)) trap('indirect call type mismatch');
  return f;
}


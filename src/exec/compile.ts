// Translation of a function body into the machine's internal code (see ops.ts).
//
// The translator walks the flat instruction sequence once, in step with the
// validator's own Checker (so that it knows the type, hence the storage array,
// of every operand-stack position), and emits register-style code: every
// operand is a frame slot, known statically. Operand-stack position h lives in
// slot nlocals + h. Refinements that keep the code short:
//   - `local.get x` and `i32.const k` push *pending* entries that are not copied
//     anywhere: consumers read local x directly, or use an immediate form of the
//     operator (I32_ADD_K, I32_STORE_K...). A pending entry is materialised (copied
//     into its own slot) only when something needs the stack in memory: block
//     boundaries, calls, branches that carry it, or a `local.set x` while it aliases x.
//   - `local.set x` after an operator retargets that operator's destination to x.
//   - `br_if`/`if` after an i32 comparison fuse into one compare-and-jump, and with a
//     preceding `x = y + k` / `x = y + z` into one loop latch (ADDI_J_*, ADD_J_*);
//     a call whose last argument is `x + k` fuses too (CALL_ADDI).
//   - a post-pass threads branches to returns, folds `MOV; RETURN1`, and rotates
//     top-tested loops (the back-edge becomes the inverted exit test).
// Every entry below the innermost block's height is materialised (done at block
// entry), so that all paths reaching a label agree on where values are.
// Branches carry their values with explicit moves to the label's height;
// unreachable code is skipped. Each instruction without a fixed signature has its entry in
// TRANSLATE (an exhaustive record over CustomOp, as the validator's RULES), the operators go
// through sigInstr; the typing of every instruction is the validator's own step (typeStep, src/valid/walk.ts).
// try_table compiles to a static table of code ranges
// (no instruction); `resume` handler tables and catch clauses are side objects.
// src/exec/fuzz.test.ts checks all this against V8 on random programs.

import type { Expr } from '../syntax/ast.ts';
import {
  type BlockType, type Catch, type CustomOp, type OnClause, type Instr, type InstrDef, type InstrFor, type MemArg, type OpName,
  type SimpleOp, BY_NAME,
} from '../syntax/opcodes.ts';
import type { Instance, WasmFunc } from '../runtime/value.ts';
import type { Checker, Frame } from '../valid/checker.ts';
import { functionChecker, typeStep } from '../valid/walk.ts';
import {
  type CFuncType, type CRefType, type CValType, type DefType, funcTypeOf,
} from '../valid/types.ts';
import { SIGNATURES } from '../syntax/signatures.ts';
import {
  type AggrDesc, type BindSite, type CatchClause, Code, K_I32, K_REF, type MemAccess, type ResumeSite, type SwitchSite, byKind, kindOf,
  sigKinds,
} from './code.ts';
import { isNumericOp, numericFn } from './numeric.ts';
import {
  ADD_FUSE, BINARY, CMP_JUMP, FAST_LOADS, FAST_STORES, IMM_FORM, type Imms, type BinaryOp, type UnaryOp, NEG_JUMP, OP, RETARGETABLE, STORE_IMM, UNARY,
} from './ops.ts';
import { isSimdOp, simdFn } from './simd.ts';

/** Compiles a Wasm function (once: the result is cached in `f.compiled`). */
export function compileFunc(f: WasmFunc): Code {
  const done = f.compiled;
  if (done instanceof Code) return done;
  const inst = f.instance;
  const vm = inst.valid;
  const m = inst.module;
  const k = f.index - (vm.funcs.length - m.funcs.length);
  const func = m.funcs[k];
  if (func === undefined) throw new Error(`compileFunc: function ${f.index} is not defined by its module`);
  const ft = funcTypeOf(f.type);
  const t = new Translator(inst, vm.locals[k]!, ft);
  t.translate(func.body);
  t.finish();
  const code = new Code(t, inst, f.index, sigKinds(f.type));
  f.compiled = code;
  return code;
}

// ---- the translator ------------------------------------------------------------------------------

const ALIAS_NONE = -1;
const CONST = -2;

/** Block kinds of the translator's control stack. */
const B_BLOCK = 0;
const B_LOOP = 1;
const B_IF = 2;
const B_TRY = 3;
const B_FUNC = 4;

/** The immediates of an op after its first (the base slot of a bulk operation). */
type Tail<T> = T extends readonly [number, ...infer R] ? R : never;

/** Where a forward branch must be patched: a code index, or a callback. */
type Fixup = number | ((pc: number) => void);

interface Ctl {
  kind: number;
  /** operand-stack height at entry (after popping the parameters) */
  height: number;
  /** values a branch to the label carries */
  arity: number;
  /** loop: the code index of its start */
  start: number;
  fixups: Fixup[];
  /** if: the code index of the false-jump's target, while unpatched */
  elseFix: number;
  tryStart: number;
  catches: CatchClause[] | null;
}

const LANE_LOADS: ReadonlySet<string> = new Set(['v128.load8_lane', 'v128.load16_lane', 'v128.load32_lane', 'v128.load64_lane']);

class Translator {
  readonly inst: Instance;
  readonly c: Checker;
  readonly locals: readonly CValType[];
  readonly nparams: number;
  readonly nlocals: number;
  readonly results: readonly CValType[];
  readonly code: number[] = [];
  readonly objs: unknown[] = [];
  /** f64 constants, as bits (a JS array of doubles would lose NaN payloads) */
  readonly f64s: bigint[] = [];
  readonly pcs: number[] = [];
  readonly ats: number[] = [];
  readonly tries: number[] = [];
  readonly catches: CatchClause[][] = [];
  maxHeight = 0;
  /** per operand-stack position: ALIAS_NONE (in its slot), a local slot, or CONST */
  readonly src: number[] = [];
  readonly cst: number[] = [];
  readonly ctl: Ctl[] = [];
  /** the current source offset */
  at = -1;
  lastStart = -1;
  lastOp = -1;
  /** code index of the last label: the last instruction cannot be changed if a label follows it */
  labelPos = 0;
  /** code indices where labels are (branch targets) */
  readonly labels = new Set<number>([0]);
  readonly objIndex = new Map<unknown, number>();

  constructor(inst: Instance, locals: readonly CValType[], ft: CFuncType) {
    this.inst = inst;
    this.locals = locals;
    this.nparams = ft.params.length;
    this.nlocals = locals.length;
    this.results = ft.results;
    this.c = functionChecker(inst.valid, locals, ft.results);
    this.ctl.push({
      kind: B_FUNC, height: 0, arity: ft.results.length, start: -1, fixups: [], elseFix: -1, tryStart: -1, catches: null,
    });
  }

  // ---- emission ----------------------------------------------------------------------------------

  /** Emits an op with its immediates (as many as its layout has: the compiler checks). */
  emit<C extends keyof Imms>(op: C, ...imms: Imms[C]): number {
    return this.emitAny(op, imms);
  }

  /** Emits an op chosen at run time (from a fusion map); its immediates are the caller's to get right. */
  emitAny(op: number, imms: readonly number[]): number {
    const start = this.code.length;
    this.code.push(op);
    for (let i = 0; i < imms.length; i++) this.code.push(imms[i]! | 0);
    this.pcs.push(start);
    this.ats.push(this.at);
    this.lastStart = start;
    this.lastOp = op;
    return start;
  }

  /** Removes the last instruction (to replace it). */
  unemit(): void {
    const start = this.lastStart;
    this.code.length = start;
    while (this.pcs.length > 0 && this.pcs[this.pcs.length - 1]! >= start) {
      this.pcs.pop();
      this.ats.pop();
    }
    this.lastStart = -1;
    this.lastOp = -1;
  }

  obj(x: unknown): number {
    let i = this.objIndex.get(x);
    if (i === undefined) {
      i = this.objs.length;
      this.objs.push(x);
      this.objIndex.set(x, i);
    }
    return i;
  }

  /** A fresh side-table entry (for objects that are not shared). */
  newObj(x: unknown): number {
    this.objs.push(x);
    return this.objs.length - 1;
  }

  label(): void {
    this.labels.add(this.code.length);
    this.labelPos = this.code.length;
    this.lastStart = -1;
    this.lastOp = -1;
  }

  bind(fixups: Fixup[]): void {
    const pc = this.code.length;
    for (const f of fixups) {
      if (typeof f === 'number') this.code[f] = pc;
      else f(pc);
    }
    fixups.length = 0;
  }

  // ---- the operand stack ----------------------------------------------------------------------------

  get h(): number {
    return this.c.vals.length;
  }

  slot(h: number): number {
    return this.nlocals + h;
  }

  kindAt(h: number): number {
    return kindOf(this.c.vals[h]!);
  }

  /** After the checker's rule: new positions hold their value in their own slot. */
  sync(): void {
    const n = this.c.vals.length;
    const src = this.src;
    if (src.length > n) src.length = n;
    while (src.length < n) src.push(ALIAS_NONE);
    if (n > this.maxHeight) this.maxHeight = n;
  }

  /** The slot to read the entry at position h from (an i32 constant is put in its slot). */
  use(h: number): number {
    const s = this.src[h]!;
    if (s === ALIAS_NONE) return this.slot(h);
    if (s === CONST) {
      this.emit(OP.CONST_I32, this.slot(h), this.cst[h]!);
      this.src[h] = ALIAS_NONE;
      return this.slot(h);
    }
    return s;
  }

  materialize(h: number): void {
    const s = this.src[h]!;
    if (s === ALIAS_NONE) return;
    if (s === CONST) this.emit(OP.CONST_I32, this.slot(h), this.cst[h]!);
    else this.emit(byKind(this.kindAt(h), OP.MOV_N, OP.MOV_I, OP.MOV_R), this.slot(h), s);
    this.src[h] = ALIAS_NONE;
  }

  materializeFrom(from: number): void {
    for (let h = from; h < this.src.length; h++) this.materialize(h);
  }

  materializeAll(): void {
    this.materializeFrom(Math.min(this.ctl[this.ctl.length - 1]!.height, this.src.length));
  }

  /** Copies entries [from, from+n) to positions [to, to+n) without changing their state. */
  moves(from: number, to: number, n: number): void {
    for (let i = 0; i < n; i++) {
      const h = from + i;
      const d = this.slot(to + i);
      const s = this.src[h]!;
      if (s === CONST) this.emit(OP.CONST_I32, d, this.cst[h]!);
      else {
        const ss = s === ALIAS_NONE ? this.slot(h) : s;
        if (ss !== d) this.emit(byKind(this.kindAt(h), OP.MOV_N, OP.MOV_I, OP.MOV_R), d, ss);
      }
    }
  }

  needsMoves(from: number, to: number, n: number): boolean {
    if (n === 0) return false;
    if (from !== to) return true;
    for (let i = 0; i < n; i++) if (this.src[from + i] !== ALIAS_NONE) return true;
    return false;
  }

  /**
   * Applies the validator's rule of an instruction that consumed `pops` operands: the
   * positions from there on hold new values, in their own slots.
   */
  rule(i: Instr, pops: number): void {
    const low = this.h - pops;
    this.c.at = i.at;
    typeStep(this.c, i);
    this.sync();
    this.fresh(low);
  }

  fresh(low: number): void {
    const src = this.src;
    for (let k = low < 0 ? 0 : low; k < src.length; k++) src[k] = ALIAS_NONE;
  }

  target(l: number): Ctl {
    return this.ctl[this.ctl.length - 1 - l]!;
  }

  /** Makes the jump whose target immediate is at `fix` go to the label of `t`. */
  jumpTo(t: Ctl, fix: number): void {
    if (t.kind === B_LOOP) this.code[fix] = t.start;
    else t.fixups.push(fix);
  }

  /** Returns with the n values at [from, from+n) (copied to their own slots when pending). */
  emitReturn(from: number, n: number, conditional: boolean): void {
    if (conditional) this.moves(from, from, n);
    else for (let h = from; h < from + n; h++) this.materialize(h);
    if (n === 0) this.emit(OP.RETURN0, 0);
    else if (n === 1) this.emit(byKind(this.kindAt(from), OP.RETURN1_N, OP.RETURN1_I, OP.RETURN1_R), this.slot(from));
    else this.emit(OP.RETURN, this.slot(from), n);
  }

  /** An unconditional branch to label l carrying the top `arity` values. */
  branch(l: number): void {
    const t = this.target(l);
    const n = t.arity;
    const from = this.h - n;
    if (t.kind === B_FUNC) {
      this.emitReturn(from, n, false);
      return;
    }
    this.moves(from, t.height, n);
    if (t.kind === B_LOOP) this.emit(OP.BR_LOOP, t.start, 0, 0, 0, 0);
    else this.jumpTo(t, this.emit(OP.BR, 0) + 1);
  }

  /**
   * A conditional branch to label l carrying the n values at [from, from+n). `jump(negate)`
   * emits the conditional jump (negated: taken when the branch is not) and returns the code
   * index of its target immediate.
   */
  condBranch(l: number, from: number, n: number, jump: (negate: boolean) => number): void {
    const t = this.target(l);
    if (t.kind === B_FUNC) {
      const skip = jump(true);
      this.emitReturn(from, n, true);
      this.code[skip] = this.code.length;
      this.label();
      return;
    }
    if (!this.needsMoves(from, t.height, n)) {
      this.jumpTo(t, jump(false));
      return;
    }
    const skip = jump(true);
    this.moves(from, t.height, n);
    this.jumpTo(t, this.emit(OP.BR, 0) + 1);
    this.code[skip] = this.code.length;
    this.label();
  }

  /**
   * The jump of `br_if`/`if` on the i32 at position h: fuses with the comparison just
   * emitted when it computed that i32. Returns a function emitting the jump.
   */
  condJump(h: number): (negate: boolean) => number {
    const ls = this.lastStart;
    const fuse = ls >= 0 && ls >= this.labelPos && this.src[h] === ALIAS_NONE && this.code[ls + 1] === this.slot(h)
      ? this.lastOp : -1;
    const jumps = CMP_JUMP.get(fuse);
    if (jumps !== undefined) {
      const a = this.code[ls + 2]!;
      const b = this.code[ls + 3]!;
      this.unemit();
      return (negate) => this.jumpOp(negate ? jumps[1] : jumps[0], a, b);
    }
    if (fuse === OP.I32_EQZ) {
      const a = this.code[ls + 2]!;
      this.unemit();
      return (negate) => this.jumpOp(negate ? OP.BR_IF : OP.BR_UNLESS, a, NaN);
    }
    const s = this.use(h);
    return (negate) => this.jumpOp(negate ? OP.BR_UNLESS : OP.BR_IF, s, NaN);
  }

  /**
   * Emits a conditional jump on slot a (and b, unless NaN); returns the index of its target.
   * Right after `a = x + k` or `a = x + y` (the latch of a counting loop) both fuse into one instruction.
   */
  jumpOp(op: number, a: number, b: number): number {
    const ps = this.pcs.length > 0 ? this.pcs[this.pcs.length - 1]! : -1;
    const fused = ps >= 0 ? ADD_FUSE.get(this.code[ps]!)?.get(op) : undefined;
    if (fused !== undefined && ps >= this.labelPos && this.code[ps + 1] === a && this.code.length === ps + 4) {
      const x = this.code[ps + 2]!;
      const k = this.code[ps + 3]!;
      this.code.length = ps;
      this.pcs.pop();
      this.ats.pop();
      return Number.isNaN(b) ? this.emitAny(fused, [a, x, k, 0]) + 4 : this.emitAny(fused, [a, x, k, b, 0]) + 5;
    }
    return Number.isNaN(b) ? this.emitAny(op, [a, 0]) + 2 : this.emitAny(op, [a, b, 0]) + 3;
  }

  /**
   * Loop rotation. A back-edge (BR_LOOP, at pcs[i]) to a loop that starts with a conditional
   * exit `J c -> E` becomes `J !c -> start + size(J)` followed by `BR E`: each iteration then
   * costs one jump instead of two. When the back-edge follows `x = y + k` and the condition
   * tests x, the two fuse (ADDI_J / ADD_J). Returns the index in pcs of the last instruction written.
   */
  rotate(i: number): number {
    const code = this.code;
    const pcs = this.pcs;
    const ats = this.ats;
    const p = pcs[i]!;
    const l = code[p + 1]!;
    const top = code[l]!;
    const inv = NEG_JUMP.get(top);
    if (inv === undefined) return i;
    const three = top === OP.BR_IF || top === OP.BR_UNLESS;
    const size = three ? 3 : 4;
    const exit = code[l + size - 1]!;
    const a = code[l + 1]!;
    const b = code[l + 2]!;
    const at = ats[i]!;
    // fuse with a preceding `a = x + k`
    const q = i > 0 ? pcs[i - 1]! : -1;
    const fused = q >= 0 ? ADD_FUSE.get(code[q]!)?.get(inv) : undefined;
    if (fused !== undefined && q === p - 4 && code[q + 1] === a && !this.labels.has(p)) {
      const x = code[q + 2]!;
      const k = code[q + 3]!;
      const w = three ? [fused, a, x, k, l + size] : [fused, a, x, k, b, l + size];
      const rest = [OP.BR, exit, ...new Array<number>(8 - w.length).fill(OP.NOP)];
      const words = [...w, ...rest];
      for (let k2 = 0; k2 < 10; k2++) code[q + k2] = words[k2]!;
      // instructions now at q (fused), q + w.length (BR), then NOPs
      const starts = [q, q + w.length, ...Array.from({ length: 8 - w.length }, (_, j) => q + w.length + 2 + j)];
      pcs.splice(i - 1, 2, ...starts);
      ats.splice(i - 1, 2, ...starts.map(() => at));
      return i - 2 + starts.length;
    }
    const w = three ? [inv, a, l + size] : [inv, a, b, l + size];
    const words = [...w, OP.BR, exit, ...new Array<number>(4 - w.length).fill(OP.NOP)];
    for (let k2 = 0; k2 < 6; k2++) code[p + k2] = words[k2]!;
    const starts = [p, p + w.length, ...Array.from({ length: 4 - w.length }, (_, j) => p + w.length + 2 + j)];
    pcs.splice(i, 1, ...starts);
    ats.splice(i, 1, ...starts.map(() => at));
    return i - 1 + starts.length;
  }

  /**
   * After translation: branches to a return become that return (jumps to jumps are threaded),
   * and a move into the returned slot followed by the return becomes one return.
   */
  finish(): void {
    const code = this.code;
    const pcs = this.pcs;
    for (let i = 0; i < pcs.length; i++) {
      const pc = pcs[i]!;
      if (code[pc] === OP.BR) {
        let t = code[pc + 1]!;
        for (let n = 0; n < 8 && code[t] === OP.BR; n++) t = code[t + 1]!;
        const op = code[t];
        if (op === OP.RETURN0 || op === OP.RETURN1_N || op === OP.RETURN1_I || op === OP.RETURN1_R) {
          code[pc] = op;
          code[pc + 1] = code[t + 1]!;
        } else code[pc + 1] = t;
      }
      if (code[pc] === OP.BR_LOOP) i = this.rotate(i);
      const op = code[pc];
      if ((op === OP.RETURN1_N || op === OP.RETURN1_I || op === OP.RETURN1_R) && i > 0 && !this.labels.has(pc)) {
        const mv = pcs[i - 1]!;
        const mov = op === OP.RETURN1_N ? OP.MOV_N : op === OP.RETURN1_I ? OP.MOV_I : OP.MOV_R;
        if (code[mv] === mov && code[mv + 1] === code[pc + 1] && mv + 3 === pc) {
          code[mv] = op;
          code[mv + 1] = code[mv + 2]!;
          code[mv + 2] = OP.NOP;
          pcs.splice(i, 0, mv + 2);
          this.ats.splice(i, 0, this.ats[i - 1]!);
          i++;
        }
      }
    }
  }

  // ---- the body ----------------------------------------------------------------------------------------

  translate(body: Expr): void {
    let skipping = false;
    let nest = 0;
    const c = this.c;
    for (let k = 0; k < body.length; k++) {
      const ins = body[k]!;
      if (skipping) {
        const op = ins.op;
        if (op === 'block' || op === 'loop' || op === 'if' || op === 'try_table') {
          nest++;
          continue;
        }
        if (op === 'end') {
          if (nest > 0) {
            nest--;
            continue;
          }
        } else if (op === 'else') {
          if (nest > 0) continue;
        } else continue;
        skipping = false;
      }
      this.at = ins.at;
      this.instr(ins);
      if (c.depth > 0 && c.frames[c.depth - 1]!.unreachable) {
        skipping = true;
        nest = 0;
        this.src.length = c.vals.length;
      }
    }
  }

  frameTop(): Frame {
    return this.c.frames[this.c.depth - 1]!;
  }

  pushCtl(kind: number, arity: number): Ctl {
    const ctl: Ctl = {
      kind, height: this.frameTop().height, arity, start: -1, fixups: [], elseFix: -1, tryStart: -1, catches: null,
    };
    this.ctl.push(ctl);
    return ctl;
  }

  blockSig(bt: BlockType) {
    return this.c.blockType(bt);
  }

  instr(i: Instr): void {
    const rule = (TRANSLATE as Rules)[i.op] ?? (SIMPLE as Rules)[i.op];
    if (rule !== undefined) rule(this, i);
    else this.sigInstr(i);
  }

  /** An instruction whose n operands are laid out from `base` (materialised); results from base. */
  bulk<C extends keyof Imms>(i: Instr, n: number, op: C, ...imms: Tail<Imms[C]>): void {
    const base = this.h - n;
    this.materializeFrom(base);
    this.emitAny(op, [this.slot(base), ...imms]);
    this.rule(i, n);
  }

  /** `op d s` on the top entry. */
  unary<C extends keyof Imms>(i: Instr, op: Imms[C] extends readonly [number, number] ? C : never): void {
    const h = this.h;
    this.emitAny(op, [this.slot(h - 1), this.use(h - 1)]);
    this.rule(i, 1);
  }

  aggrs = new Map<DefType, AggrDesc>();
  aggr(x: number): AggrDesc {
    const dt = this.c.type(x);
    let d = this.aggrs.get(dt);
    if (d === undefined) {
      const comp = dt.comp;
      const types = comp.kind === 'struct' ? comp.fields.map((f) => f.type) : comp.kind === 'array' ? [comp.field.type] : [];
      d = { dt, types, kinds: Uint8Array.from(types, kindOf) };
      this.aggrs.set(dt, d);
    }
    return d;
  }

  resumeSite(nargs: number, hs: readonly OnClause[]): ResumeSite {
    const n = hs.length;
    const site: ResumeSite = {
      nargs,
      tags: hs.map((hd) => this.inst.tags[hd.tag]!),
      isSwitch: Uint8Array.from(hs, (hd) => (hd.label === null ? 1 : 0)),
      targets: new Int32Array(n),
      dsts: new Int32Array(n),
      contTypes: hs.map((hd) => {
        if (hd.label === null) return null;
        const lt = this.c.label(hd.label);
        const last = lt[lt.length - 1] as CRefType;
        return last.heap as DefType;
      }),
    };
    hs.forEach((hd, k) => {
      if (hd.label === null) return;
      const t = this.target(hd.label);
      site.dsts[k] = this.slot(t.height);
      if (t.kind === B_LOOP) site.targets[k] = t.start;
      else t.fixups.push((pc) => (site.targets[k] = pc));
    });
    return site;
  }

  // ---- instructions with a fixed signature ------------------------------------------------------------

  sigInstr(i: Instr): void {
    const def = BY_NAME.get(i.op)!;
    if (def.sig === undefined) throw new Error(`compile: no translation for ${i.op}`);
    const name = i.op;
    const h = this.h;
    const memPos = def.imm.indexOf('memarg');
    if (memPos >= 0) {
      this.memInstr(i, def, i.args[memPos] as MemArg);
      return;
    }
    const sig = SIGNATURES.get(def.name)!;
    const np = sig.p32.length;
    // inline operators
    const inl = np === 2 ? BINARY.get(name) : UNARY.get(name);
    if (inl !== undefined) {
      if (np === 2) {
        const imm = IMM_FORM.get(name);
        if (this.src[h - 1] === CONST && (imm !== undefined || name === 'i32.sub')) {
          const k = this.cst[h - 1]!;
          const a = this.use(h - 2);
          if (name === 'i32.sub') this.emit(OP.I32_ADD_K, this.slot(h - 2), a, -k | 0);
          else this.emit(imm!, this.slot(h - 2), a, k);
        } else {
          const b = this.use(h - 1);
          this.emit(inl as BinaryOp, this.slot(h - 2), this.use(h - 2), b);
        }
      } else {
        this.emit(inl as UnaryOp, this.slot(h - 1), this.use(h - 1));
      }
      this.generic(i);
      return;
    }
    // any other operator, through a function
    let fn: (...args: never[]) => unknown;
    if (isNumericOp(name)) fn = numericFn(name);
    else if (isSimdOp(name)) {
      const f = simdFn(name) as (...args: unknown[]) => unknown;
      const imms = (i.args as readonly unknown[]).filter((a) => a !== undefined);
      if (imms.length === 0) fn = f;
      else if (np === 1) {
        const x = imms[0];
        fn = (a: never) => f(a, x);
      } else {
        const x = imms[0];
        fn = (a: never, b: never) => f(a, b, x);
      }
    } else throw new Error(`compile: no operator for ${name}`);
    let mask = 0;
    // bits 0-2: operand k is in the reference array, bit 3: so is the result;
    // bits 4-6 and 7: the same for the i32 array
    for (let k = 0; k < np; k++) {
      const kind = kindOf(sig.p32[k]!);
      if (kind === K_REF) mask |= 1 << k;
      else if (kind === K_I32) mask |= 16 << k;
    }
    if (sig.r32.length === 1) {
      const kind = kindOf(sig.r32[0]!);
      if (kind === K_REF) mask |= 8;
      else if (kind === K_I32) mask |= 128;
    }
    const o = this.obj(fn);
    const d = this.slot(h - np);
    if (np === 1) this.emit(OP.GEN1, d, this.use(h - 1), o, mask);
    else if (np === 2) {
      const b = this.use(h - 1);
      this.emit(OP.GEN2, d, this.use(h - 2), b, o, mask);
    } else if (np === 3) {
      const cc = this.use(h - 1);
      const b = this.use(h - 2);
      this.emit(OP.GEN3, d, this.use(h - 3), b, cc, o, mask);
    } else throw new Error(`compile: unexpected arity of ${name}`);
    this.generic(i);
  }

  /** `rule` for an instruction with a fixed signature: it consumes its parameters. */
  generic(i: Instr): void {
    this.rule(i, SIGNATURES.get(i.op)!.p32.length);
  }

  memInstr(i: Instr, def: InstrDef, ma: MemArg): void {
    const h = this.h;
    const is64 = this.c.memory(ma.mem).addr === 'i64';
    const name = i.op;
    const np = SIGNATURES.get(def.name)!.p32.length;
    if (!is64 && ma.mem === 0 && ma.offset < 0x1_0000_0000n) {
      const off = Number(ma.offset) | 0;
      const ld = FAST_LOADS.get(name);
      if (ld !== undefined) {
        this.emit(ld, this.slot(h - 1), this.use(h - 1), off);
        this.generic(i);
        return;
      }
      const st = FAST_STORES.get(name);
      if (st !== undefined) {
        const si = STORE_IMM.get(st);
        if (si !== undefined && this.src[h - 1] === CONST) this.emit(si, this.use(h - 2), this.cst[h - 1]!, off);
        else {
          const v = this.use(h - 1);
          this.emit(st, this.use(h - 2), v, off);
        }
        this.generic(i);
        return;
      }
    }
    const lanePos = def.imm.indexOf('lane');
    const acc: MemAccess = {
      op: name, mem: ma.mem, offset: Number(ma.offset), lane: lanePos >= 0 ? (i.args as readonly unknown[])[lanePos] as number : 0,
      is64, vref: name.startsWith('i64') || name.startsWith('v128'), vi32: name.startsWith('i32'),
    };
    const o = this.newObj(acc);
    if (np === 1) this.emit(OP.MEM_LOAD, this.slot(h - 1), this.use(h - 1), o);
    else if (LANE_LOADS.has(name)) {
      const v = this.use(h - 1);
      this.emit(OP.MEM_LOAD_LANE, this.slot(h - 2), this.use(h - 2), v, o);
    } else {
      const v = this.use(h - 1);
      this.emit(OP.MEM_STORE, this.use(h - 2), v, o);
    }
    this.generic(i);
  }
}

// ---- the translation of each instruction ----------------------------------------------------------------
// As the validator's RULES: one entry per instruction without a fixed signature, so that an
// instruction added to the table without a translation does not compile. An entry emits the
// instruction's code and applies its typing rule (tr.rule: the validator's own rule).

type TRule<K extends OpName> = (tr: Translator, i: InstrFor<K>) => void;
type Rules = Readonly<Record<string, ((tr: Translator, i: Instr) => void) | undefined>>;

/** The legacy exception instructions never reach the translator: src/syntax/legacy-eh.ts rewrites them first. */
const legacy = (_: Translator, i: InstrFor<'try' | 'catch' | 'catch_all' | 'delegate' | 'rethrow'>): void => {
  throw new Error(`compile: ${i.op} reached the translator (legacy exception handling is rewritten at instantiation)`);
};
const callIndirect = (tr: Translator, i: InstrFor<'call_indirect' | 'return_call_indirect'>): void => {
  const c = tr.c;
  const [x, tab] = i.args;
  const ft = c.funcType(x);
  const h = tr.h;
  const base = h - 1 - ft.params.length;
  const s = tr.use(h - 1);
  tr.materializeFrom(base);
  const is64 = c.table(tab).addr === 'i64' ? 1 : 0;
  const op = i.op === 'call_indirect' ? OP.CALL_INDIRECT : OP.RETURN_CALL_INDIRECT;
  tr.emit(op, tr.obj(c.type(x)), tab, tr.slot(base), s, is64);
  tr.rule(i, ft.params.length + 1);
};
const callRef = (tr: Translator, i: InstrFor<'call_ref' | 'return_call_ref'>): void => {
  const c = tr.c;
  const ft = c.funcType(i.args[0]);
  const h = tr.h;
  const base = h - 1 - ft.params.length;
  const r = tr.use(h - 1);
  tr.materializeFrom(base);
  tr.emit(i.op === 'call_ref' ? OP.CALL_REF : OP.RETURN_CALL_REF, tr.slot(base), r);
  tr.rule(i, ft.params.length + 1);
};
const localSet = (tr: Translator, i: InstrFor<'local.set' | 'local.tee'>): void => {
  const x = i.args[0];
  const h = tr.h - 1;
  const s = tr.src[h]!;
  let aliased = false;
  for (let k = 0; k < h; k++) if (tr.src[k] === x) aliased = true;
  if (s !== x) {
    const kind = kindOf(tr.locals[x]!);
    const ls = tr.lastStart;
    if (
      !aliased && s === ALIAS_NONE && ls >= 0 && ls >= tr.labelPos && tr.code[ls + 1] === tr.slot(h) &&
      RETARGETABLE.has(tr.lastOp)
    ) {
      tr.code[ls + 1] = x;
    } else {
      for (let k = 0; k < h; k++) if (tr.src[k] === x) tr.materialize(k);
      if (s === CONST) tr.emit(OP.CONST_I32, x, tr.cst[h]!);
      else tr.emit(byKind(kind, OP.MOV_N, OP.MOV_I, OP.MOV_R), x, s === ALIAS_NONE ? tr.slot(h) : s);
    }
  }
  tr.rule(i, 1);
  if (i.op === 'local.tee') tr.src[h] = x;
};
const brOnCast = (tr: Translator, i: InstrFor<'br_on_cast' | 'br_on_cast_fail'>): void => {
  const c = tr.c;
  const { label: l, to } = i.args[0];
  const h = tr.h;
  const n = tr.target(l).arity;
  const s = tr.use(h - 1);
  const o = tr.obj(c.refType(to));
  const fail = i.op === 'br_on_cast_fail';
  tr.condBranch(l, h - n, n, (neg) =>
    tr.emit(neg !== fail ? OP.BR_ON_CAST_FAIL : OP.BR_ON_CAST, s, o, 0) + 3);
  tr.rule(i, 0);
};
const structGet = (tr: Translator, i: InstrFor<'struct.get' | 'struct.get_s' | 'struct.get_u'>): void => {
  const [x, f] = i.args;
  const t = tr.aggr(x).types[f]!;
  const h = tr.h;
  const s = tr.use(h - 1);
  if (i.op === 'struct.get_s') tr.emit(OP.STRUCT_GET_P, tr.slot(h - 1), s, f, t === 'i8' ? 24 : 16);
  else tr.emit(byKind(kindOf(t), OP.STRUCT_GET_N, OP.STRUCT_GET_I, OP.STRUCT_GET_R), tr.slot(h - 1), s, f);
  tr.rule(i, 1);
};
const arrayGet = (tr: Translator, i: InstrFor<'array.get' | 'array.get_s' | 'array.get_u'>): void => {
  const t = tr.aggr(i.args[0]).types[0]!;
  const h = tr.h;
  const ix = tr.use(h - 1);
  const a = tr.use(h - 2);
  if (i.op === 'array.get_s') tr.emit(OP.ARRAY_GET_P, tr.slot(h - 2), a, ix, t === 'i8' ? 24 : 16);
  else tr.emit(byKind(kindOf(t), OP.ARRAY_GET_N, OP.ARRAY_GET_I, OP.ARRAY_GET_R), tr.slot(h - 2), a, ix);
  tr.rule(i, 2);
};

const TRANSLATE: { readonly [K in CustomOp]: TRule<K> } = {
  // ---- control
  unreachable: (tr, i) => {
    tr.emit(OP.UNREACHABLE);
    tr.rule(i, 0);
  },
  block: (tr, i) => {
    tr.materializeAll();
    const bt = tr.blockSig(i.args[0]);
    tr.rule(i, 0);
    tr.pushCtl(B_BLOCK, bt.results.length);
    tr.label();
  },
  loop: (tr, i) => {
    tr.materializeAll();
    const bt = tr.blockSig(i.args[0]);
    tr.rule(i, 0);
    const ctl = tr.pushCtl(B_LOOP, bt.params.length);
    ctl.start = tr.code.length;
    tr.label();
  },
  if: (tr, i) => {
    const bt = tr.blockSig(i.args[0]);
    const h = tr.h;
    const jump = tr.condJump(h - 1);
    tr.src.length = h - 1;
    tr.materializeAll();
    tr.src.length = h;
    const fix = jump(true);
    tr.rule(i, 1);
    const ctl = tr.pushCtl(B_IF, bt.results.length);
    ctl.elseFix = fix;
    tr.label();
  },
  else: (tr, i) => {
    const ctl = tr.ctl[tr.ctl.length - 1]!;
    if (!tr.frameTop().unreachable) {
      tr.materializeAll();
      ctl.fixups.push(tr.emit(OP.BR, 0) + 1);
    }
    tr.code[ctl.elseFix] = tr.code.length;
    ctl.elseFix = -1;
    tr.rule(i, 0);
    for (let h = 0; h < tr.src.length; h++) tr.src[h] = ALIAS_NONE;
    tr.label();
  },
  end: (tr, i) => {
    const ctl = tr.ctl[tr.ctl.length - 1]!;
    if (!tr.frameTop().unreachable) tr.materializeAll();
    if (ctl.elseFix >= 0) tr.code[ctl.elseFix] = tr.code.length;
    tr.bind(ctl.fixups);
    if (ctl.kind === B_TRY) {
      tr.tries.push(ctl.tryStart, tr.code.length, tr.catches.length);
      tr.catches.push(ctl.catches!);
    }
    tr.ctl.pop();
    tr.rule(i, 0);
    for (let h = 0; h < tr.src.length; h++) tr.src[h] = ALIAS_NONE;
    tr.label();
    if (ctl.kind === B_FUNC) tr.emitReturn(0, tr.results.length, false);
  },
  br: (tr, i) => {
    tr.branch(i.args[0]);
    tr.rule(i, 0);
  },
  br_if: (tr, i) => {
    const l = i.args[0];
    const n = tr.target(l).arity;
    const h = tr.h;
    const jump = tr.condJump(h - 1);
    tr.condBranch(l, h - 1 - n, n, jump);
    tr.rule(i, 1);
  },
  br_table: (tr, i) => {
    const { labels, default: dflt } = i.args[0];
    const h = tr.h;
    const n = tr.target(dflt).arity;
    const s = tr.use(h - 1);
    tr.materializeAll();
    const all = [...labels, dflt];
    const imms: number[] = [s, labels.length, n, tr.slot(h - 1 - n)];
    for (const l of all) {
      const t = tr.target(l);
      imms.push(t.kind === B_LOOP ? t.start : 0, tr.slot(t.height));
    }
    const start = tr.emitAny(OP.BR_TABLE, imms);
    all.forEach((l, k) => {
      const t = tr.target(l);
      if (t.kind !== B_LOOP) t.fixups.push(start + 5 + 2 * k);
    });
    tr.rule(i, 0);
  },
  return: (tr, i) => {
    tr.emitReturn(tr.h - tr.results.length, tr.results.length, false);
    tr.rule(i, 0);
  },
  call: (tr, i) => {
    const c = tr.c;
    const ft = funcTypeOf(c.funcDef(i.args[0]));
    const h = tr.h;
    const base = h - ft.params.length;
    tr.materializeFrom(base);
    const ls = tr.lastStart;
    if (
      ft.params.length > 0 && tr.lastOp === OP.I32_ADD_K && ls >= tr.labelPos && tr.code[ls + 1] === tr.slot(h - 1) &&
      tr.code.length === ls + 4
    ) {
      // the last argument is x + k: one instruction
      const a = tr.code[ls + 2]!;
      const k = tr.code[ls + 3]!;
      tr.unemit();
      tr.emit(OP.CALL_ADDI, i.args[0], tr.slot(base), tr.slot(h - 1), a, k);
    } else tr.emit(OP.CALL, i.args[0], tr.slot(base));
    tr.rule(i, ft.params.length);
  },
  return_call: (tr, i) => {
    const c = tr.c;
    const ft = funcTypeOf(c.funcDef(i.args[0]));
    const base = tr.h - ft.params.length;
    tr.materializeFrom(base);
    tr.emit(OP.RETURN_CALL, i.args[0], tr.slot(base));
    tr.rule(i, 0);
  },
  call_indirect: callIndirect,
  return_call_indirect: callIndirect,
  call_ref: callRef,
  return_call_ref: callRef,
  drop: (tr, i) => {
    tr.rule(i, 1);
  },
  select: (tr, i) => {
    const h = tr.h;
    const cs = tr.use(h - 1);
    const b = tr.use(h - 2);
    const a = tr.use(h - 3);
    const kind = tr.kindAt(h - 3);
    tr.emit(byKind(kind, OP.SELECT_N, OP.SELECT_I, OP.SELECT_R), tr.slot(h - 3), cs, a, b);
    tr.rule(i, 3);
  },
  // ---- exceptions
  throw: (tr, i) => {
    const tag = tr.inst.tags[i.args[0]]!;
    const n = funcTypeOf(tag.type).params.length;
    const base = tr.h - n;
    tr.materializeFrom(base);
    tr.emit(OP.THROW, tr.obj(tag), tr.slot(base), n);
    tr.rule(i, 0);
  },
  throw_ref: (tr, i) => {
    tr.emit(OP.THROW_REF, tr.use(tr.h - 1));
    tr.rule(i, 0);
  },
  try_table: (tr, i) => {
    tr.materializeAll();
    const bt = tr.blockSig(i.args[0]);
    const clauses = i.args[1].map((cc: Catch): CatchClause => {
      const t = tr.target(cc.label);
      const clause: CatchClause = {
        tag: cc.tag === undefined ? null : tr.inst.tags[cc.tag]!,
        ref: cc.kind === 'catch_ref' || cc.kind === 'catch_all_ref',
        target: t.kind === B_LOOP ? t.start : -1,
        dst: tr.slot(t.height),
      };
      if (t.kind !== B_LOOP) t.fixups.push((pc) => (clause.target = pc));
      return clause;
    });
    tr.rule(i, 0);
    const ctl = tr.pushCtl(B_TRY, bt.results.length);
    ctl.catches = clauses;
    ctl.tryStart = tr.code.length;
    tr.label();
  },
  // ---- variables
  'local.get': (tr, i) => {
    const h = tr.h;
    tr.rule(i, 0);
    tr.src[h] = i.args[0];
  },
  'local.set': localSet,
  'local.tee': localSet,
  'global.get': (tr, i) => {
    const c = tr.c;
    const g = i.args[0];
    const kind = kindOf(c.global(g).type);
    tr.emit(byKind(kind, OP.GLOBAL_GET_N, OP.GLOBAL_GET_I, OP.GLOBAL_GET_R), tr.slot(tr.h), g);
    tr.rule(i, 0);
  },
  'global.set': (tr, i) => {
    const c = tr.c;
    const g = i.args[0];
    const kind = kindOf(c.global(g).type);
    tr.emit(byKind(kind, OP.GLOBAL_SET_N, OP.GLOBAL_SET_I, OP.GLOBAL_SET_R), g, tr.use(tr.h - 1));
    tr.rule(i, 1);
  },
  // ---- tables
  'table.get': (tr, i) => {
    const h = tr.h;
    tr.emit(OP.TABLE_GET, tr.slot(h - 1), tr.use(h - 1), i.args[0]);
    tr.rule(i, 1);
  },
  'table.set': (tr, i) => {
    const h = tr.h;
    const v = tr.use(h - 1);
    tr.emit(OP.TABLE_SET, tr.use(h - 2), v, i.args[0]);
    tr.rule(i, 2);
  },
  'table.size': (tr, i) => {
    tr.emit(OP.TABLE_SIZE, tr.slot(tr.h), i.args[0]);
    tr.rule(i, 0);
  },
  'table.grow': (tr, i) => {
    tr.bulk(i, 2, OP.TABLE_GROW, i.args[0]);
  },
  'table.fill': (tr, i) => {
    tr.bulk(i, 3, OP.TABLE_FILL, i.args[0]);
  },
  'table.copy': (tr, i) => {
    tr.bulk(i, 3, OP.TABLE_COPY, i.args[0], i.args[1]);
  },
  'table.init': (tr, i) => {
    tr.bulk(i, 3, OP.TABLE_INIT, i.args[1], i.args[0]);
  },
  // ---- memories (the others have a signature)
  'memory.copy': (tr, i) => {
    tr.bulk(i, 3, OP.MEMORY_COPY, i.args[0], i.args[1]);
  },
  // ---- references
  'ref.null': (tr, i) => {
    tr.emit(OP.REF_NULL, tr.slot(tr.h));
    tr.rule(i, 0);
  },
  'ref.is_null': (tr, i) => {
    tr.unary(i, OP.REF_IS_NULL);
  },
  'ref.func': (tr, i) => {
    tr.emit(OP.REF_FUNC, tr.slot(tr.h), i.args[0]);
    tr.rule(i, 0);
  },
  'ref.as_non_null': (tr, i) => {
    tr.emit(OP.REF_AS_NON_NULL, tr.use(tr.h - 1));
    tr.rule(i, 0);
  },
  'ref.eq': (tr, i) => {
    const h = tr.h;
    const b = tr.use(h - 1);
    tr.emit(OP.REF_EQ, tr.slot(h - 2), tr.use(h - 2), b);
    tr.rule(i, 2);
  },
  'ref.test': (tr, i) => {
    const c = tr.c;
    const h = tr.h;
    tr.emit(OP.REF_TEST, tr.slot(h - 1), tr.use(h - 1), tr.obj(c.refType(i.args[0])));
    tr.rule(i, 1);
  },
  'ref.cast': (tr, i) => {
    const c = tr.c;
    const h = tr.h;
    const s = tr.use(h - 1);
    tr.emit(OP.REF_CAST, s, tr.obj(c.refType(i.args[0])));
    tr.rule(i, 0); // the value stays where it is (pending or not)
  },
  br_on_null: (tr, i) => {
    const l = i.args[0];
    const h = tr.h;
    const n = tr.target(l).arity;
    const s = tr.use(h - 1);
    tr.condBranch(l, h - 1 - n, n, (neg) => tr.emit(neg ? OP.BR_ON_NON_NULL : OP.BR_ON_NULL, s, 0) + 2);
    tr.rule(i, 0);
  },
  br_on_non_null: (tr, i) => {
    const l = i.args[0];
    const h = tr.h;
    const n = tr.target(l).arity;
    const s = tr.use(h - 1);
    tr.condBranch(l, h - n, n, (neg) => tr.emit(neg ? OP.BR_ON_NULL : OP.BR_ON_NON_NULL, s, 0) + 2);
    tr.rule(i, 1);
  },
  br_on_cast: brOnCast,
  br_on_cast_fail: brOnCast,
  'ref.i31': (tr, i) => {
    tr.unary(i, OP.REF_I31);
  },
  'i31.get_s': (tr, i) => {
    tr.unary(i, OP.I31_GET_S);
  },
  'i31.get_u': (tr, i) => {
    tr.unary(i, OP.I31_GET_U);
  },
  'any.convert_extern': (tr, i) => {
    tr.unary(i, OP.ANY_CONVERT_EXTERN);
  },
  'extern.convert_any': (tr, i) => {
    tr.unary(i, OP.EXTERN_CONVERT_ANY);
  },
  // ---- aggregates
  'struct.new': (tr, i) => {
    const d = tr.aggr(i.args[0]);
    const base = tr.h - d.types.length;
    tr.materializeFrom(base);
    tr.emit(OP.STRUCT_NEW, tr.slot(base), tr.obj(d));
    tr.rule(i, d.types.length);
  },
  'struct.new_default': (tr, i) => {
    tr.emit(OP.STRUCT_NEW_DEFAULT, tr.slot(tr.h), tr.obj(tr.aggr(i.args[0])));
    tr.rule(i, 0);
  },
  'struct.get': structGet,
  'struct.get_s': structGet,
  'struct.get_u': structGet,
  'struct.set': (tr, i) => {
    const [x, f] = i.args;
    const t = tr.aggr(x).types[f]!;
    const h = tr.h;
    const v = tr.use(h - 1);
    const s = tr.use(h - 2);
    if (t === 'i8' || t === 'i16') tr.emit(OP.STRUCT_SET_P, s, v, f, t === 'i8' ? 0xff : 0xffff);
    else tr.emit(byKind(kindOf(t), OP.STRUCT_SET_N, OP.STRUCT_SET_I, OP.STRUCT_SET_R), s, v, f);
    tr.rule(i, 2);
  },
  'array.new': (tr, i) => {
    tr.bulk(i, 2, OP.ARRAY_NEW, tr.obj(tr.aggr(i.args[0])));
  },
  'array.new_default': (tr, i) => {
    const h = tr.h;
    tr.emit(OP.ARRAY_NEW_DEFAULT, tr.slot(h - 1), tr.use(h - 1), tr.obj(tr.aggr(i.args[0])));
    tr.rule(i, 1);
  },
  'array.new_fixed': (tr, i) => {
    const n = i.args[1];
    tr.bulk(i, n, OP.ARRAY_NEW_FIXED, tr.obj(tr.aggr(i.args[0])), n);
  },
  'array.new_data': (tr, i) => {
    tr.bulk(i, 2, OP.ARRAY_NEW_DATA, tr.obj(tr.aggr(i.args[0])), i.args[1]);
  },
  'array.new_elem': (tr, i) => {
    tr.bulk(i, 2, OP.ARRAY_NEW_ELEM, tr.obj(tr.aggr(i.args[0])), i.args[1]);
  },
  'array.get': arrayGet,
  'array.get_s': arrayGet,
  'array.get_u': arrayGet,
  'array.set': (tr, i) => {
    const t = tr.aggr(i.args[0]).types[0]!;
    const h = tr.h;
    const v = tr.use(h - 1);
    const ix = tr.use(h - 2);
    const a = tr.use(h - 3);
    if (t === 'i8' || t === 'i16') tr.emit(OP.ARRAY_SET_P, a, ix, v, t === 'i8' ? 0xff : 0xffff);
    else tr.emit(byKind(kindOf(t), OP.ARRAY_SET_N, OP.ARRAY_SET_I, OP.ARRAY_SET_R), a, ix, v);
    tr.rule(i, 3);
  },
  'array.len': (tr, i) => {
    tr.unary(i, OP.ARRAY_LEN);
  },
  'array.fill': (tr, i) => {
    tr.bulk(i, 4, OP.ARRAY_FILL, tr.obj(tr.aggr(i.args[0])));
  },
  'array.copy': (tr, i) => {
    tr.bulk(i, 5, OP.ARRAY_COPY, tr.obj(tr.aggr(i.args[0])));
  },
  'array.init_data': (tr, i) => {
    tr.bulk(i, 4, OP.ARRAY_INIT_DATA, tr.obj(tr.aggr(i.args[0])), i.args[1]);
  },
  'array.init_elem': (tr, i) => {
    tr.bulk(i, 4, OP.ARRAY_INIT_ELEM, tr.obj(tr.aggr(i.args[0])), i.args[1]);
  },
  // ---- stack switching
  'cont.new': (tr, i) => {
    const c = tr.c;
    const h = tr.h;
    tr.emit(OP.CONT_NEW, tr.slot(h - 1), tr.use(h - 1), tr.obj(c.type(i.args[0])));
    tr.rule(i, 1);
  },
  'cont.bind': (tr, i) => {
    const c = tr.c;
    const [x, y] = i.args;
    const p1 = c.contFuncType(c.contType(x)).params;
    const p2 = c.contFuncType(c.contType(y)).params;
    const nb = p1.length - p2.length;
    const site: BindSite = { nbound: nb, kinds: Uint8Array.from(p1.slice(0, nb), kindOf), type: c.type(y) };
    tr.bulk(i, nb + 1, OP.CONT_BIND, tr.newObj(site));
  },
  suspend: (tr, i) => {
    const tag = tr.inst.tags[i.args[0]]!;
    const n = funcTypeOf(tag.type).params.length;
    tr.bulk(i, n, OP.SUSPEND, tr.obj(tag), n);
  },
  resume: (tr, i) => {
    const c = tr.c;
    const ft = c.contFuncType(c.contType(i.args[0]));
    const site = tr.resumeSite(ft.params.length, i.args[1]);
    tr.bulk(i, ft.params.length + 1, OP.RESUME, tr.newObj(site));
  },
  resume_throw: (tr, i) => {
    const c = tr.c;
    const [x, y, hs] = i.args;
    const ft = c.contFuncType(c.contType(x));
    const tag = tr.inst.tags[y]!;
    const n = funcTypeOf(tag.type).params.length;
    const site = tr.resumeSite(ft.params.length, hs);
    tr.bulk(i, n + 1, OP.RESUME_THROW, tr.newObj(site), tr.obj(tag), n);
  },
  resume_throw_ref: (tr, i) => {
    const c = tr.c;
    const ft = c.contFuncType(c.contType(i.args[0]));
    const site = tr.resumeSite(ft.params.length, i.args[1]);
    tr.bulk(i, 2, OP.RESUME_THROW_REF, tr.newObj(site));
  },
  switch: (tr, i) => {
    const c = tr.c;
    const [x, y] = i.args;
    const p = c.contFuncType(c.contType(x)).params;
    const last = p[p.length - 1] as CRefType;
    const site: SwitchSite = { nargs: p.length - 1, tag: tr.inst.tags[y]!, contType: last.heap as DefType };
    tr.bulk(i, p.length, OP.SWITCH, tr.newObj(site));
  },
  // ---- legacy exception handling
  try: legacy,
  catch: legacy,
  catch_all: legacy,
  delegate: legacy,
  rethrow: legacy,
};

/** Instructions with a fixed signature and code of their own (the operators go through sigInstr). */
const SIMPLE: { readonly [K in SimpleOp]?: TRule<K> } = {
  nop: () => {},
  'elem.drop': (tr, i) => {
    tr.emit(OP.ELEM_DROP, i.args[0]);
  },
  // ---- constants, memories
  'i32.const': (tr, i) => {
    const h = tr.h;
    tr.generic(i);
    tr.src[h] = CONST;
    tr.cst[h] = i.args[0];
  },
  'i64.const': (tr, i) => {
    tr.emit(OP.CONST_R, tr.slot(tr.h), tr.obj(i.args[0]));
    tr.generic(i);
  },
  'f32.const': (tr, i) => {
    tr.emit(OP.CONST_F32, tr.slot(tr.h), i.args[0]);
    tr.generic(i);
  },
  'f64.const': (tr, i) => {
    tr.f64s.push(i.args[0]);
    tr.emit(OP.CONST_F64, tr.slot(tr.h), tr.f64s.length - 1);
    tr.generic(i);
  },
  'v128.const': (tr, i) => {
    tr.emit(OP.CONST_R, tr.slot(tr.h), tr.newObj(i.args[0]));
    tr.generic(i);
  },
  'memory.size': (tr, i) => {
    tr.emit(OP.MEMORY_SIZE, tr.slot(tr.h), i.args[0]);
    tr.generic(i);
  },
  'memory.grow': (tr, i) => {
    const h = tr.h;
    tr.emit(OP.MEMORY_GROW, tr.slot(h - 1), tr.use(h - 1), i.args[0]);
    tr.generic(i);
  },
  'memory.fill': (tr, i) => {
    const base = tr.h - 3;
    tr.materializeFrom(base);
    tr.emit(OP.MEMORY_FILL, tr.slot(base), i.args[0]);
    tr.generic(i);
  },
  'memory.init': (tr, i) => {
    const base = tr.h - 3;
    tr.materializeFrom(base);
    tr.emit(OP.MEMORY_INIT, tr.slot(base), i.args[1], i.args[0]);
    tr.generic(i);
  },
  'data.drop': (tr, i) => {
    tr.emit(OP.DATA_DROP, i.args[0]);
    tr.generic(i);
  },
};

// Translated code as the machine runs it: the compiled function (Code), its side tables, and
// the kinds of slot that say which of a frame's three arrays holds a value. The translator
// (compile.ts) makes them; the machine (machine.ts) and the bulk operations read them.

import { V128_ZERO } from '../runtime/gc.ts';
import type { Instance, MemoryInst, TagInst, Value } from '../runtime/value.ts';
import { type CStorageType, type CValType, type DefType, funcTypeOf } from '../valid/types.ts';

// ---- kinds: which array of the frame holds a value of a type -----------------------------

/** Values in the Float64Array: f32 (bits), f64. */
export const K_NUM = 0;
/** Values in the JS array: i64 (bigint), v128, references. */
export const K_REF = 1;
/**
 * Values in the Int32Array: i32 (and packed i8/i16 fields once read). A separate typed array
 * so that integer code stays in integer registers: V8 otherwise converts every operand
 * between double and int32.
 */
export const K_I32 = 2;

export const kindOf = (t: CValType | CStorageType): number =>
  t === 'i32' || t === 'i8' || t === 'i16' ? K_I32 : t === 'f32' || t === 'f64' ? K_NUM : K_REF;

/** The one of three opcodes for a value of the kind. */
export const byKind = <N extends number, I extends number, R extends number>(kind: number, n: N, i: I, r: R): N | I | R =>
  kind === K_REF ? r : kind === K_I32 ? i : n;

export interface SigKinds {
  readonly params: Uint8Array;
  readonly results: Uint8Array;
}

const SIG_KINDS = new Map<DefType, SigKinds>();

/** The kinds of a function type's parameters and results (memoised per canonical type). */
export function sigKinds(dt: DefType): SigKinds {
  let k = SIG_KINDS.get(dt);
  if (k === undefined) {
    const ft = funcTypeOf(dt);
    k = { params: Uint8Array.from(ft.params, kindOf), results: Uint8Array.from(ft.results, kindOf) };
    SIG_KINDS.set(dt, k);
  }
  return k;
}

/** The initial value a local of type t holds in the reference array. */
function refDefault(t: CValType): Value {
  if (t === 'i64') return 0n;
  if (t === 'v128') return V128_ZERO;
  return null;
}

// ---- side objects ----------------------------------------------------------------------------

/** A catch clause of a try_table. */
export interface CatchClause {
  /** null: catch_all(_ref) */
  readonly tag: TagInst | null;
  /** whether the exnref is passed too */
  readonly ref: boolean;
  /** the label's code index (patched once known) */
  target: number;
  /** frame slot of the label's first value */
  readonly dst: number;
}

/** The handler table of a `resume`, `resume_throw` or `resume_throw_ref`. */
export interface ResumeSite {
  /** values the continuation receives (its parameters), below the continuation operand */
  readonly nargs: number;
  readonly tags: readonly TagInst[];
  /** 1: `(on $tag switch)`, 0: `(on $tag $label)` */
  readonly isSwitch: Uint8Array;
  /** per handler: code index of the label */
  readonly targets: Int32Array;
  /** per handler: frame slot of the label's first value */
  readonly dsts: Int32Array;
  /** per handler: the type of the continuation the label receives */
  readonly contTypes: readonly (DefType | null)[];
}

/** A `switch $ct1 $tag`. */
export interface SwitchSite {
  readonly nargs: number;
  readonly tag: TagInst;
  /** the type of the suspended current continuation ($ct2) */
  readonly contType: DefType;
}

/** A `cont.bind $ct1 $ct2`. */
export interface BindSite {
  readonly nbound: number;
  readonly kinds: Uint8Array;
  readonly type: DefType;
}

/** A struct or array type as the aggregate instructions need it. */
export interface AggrDesc {
  readonly dt: DefType;
  /** struct: the field types; array: one element type */
  readonly types: readonly CStorageType[];
  readonly kinds: Uint8Array;
}

/** A memory access that is not a fast i32-address access to memory 0. */
export interface MemAccess {
  readonly op: string;
  readonly mem: number;
  readonly offset: number;
  readonly lane: number;
  readonly is64: boolean;
  /** whether the loaded or stored value is in the reference array (i64, v128) */
  readonly vref: boolean;
  /** whether it is in the i32 array */
  readonly vi32: boolean;
}

/** What the translator hands over to make a Code (src/exec/compile.ts). */
export interface Translated {
  readonly code: readonly number[];
  readonly objs: readonly unknown[];
  /** f64 constants, as bits */
  readonly f64s: readonly bigint[];
  readonly nparams: number;
  readonly nlocals: number;
  readonly locals: readonly CValType[];
  readonly results: readonly CValType[];
  readonly maxHeight: number;
  readonly tries: readonly number[];
  readonly catches: readonly (readonly CatchClause[])[];
  readonly pcs: readonly number[];
  readonly ats: readonly number[];
}

// ---- the compiled code ---------------------------------------------------------------------------------

export class Code {
  /**
   * The instructions (ops.ts). A plain array of small integers, not an Int32Array: V8 reads
   * its elements with fewer checks, which the dispatch loop does several times per instruction.
   */
  readonly code: readonly number[];
  readonly objs: readonly unknown[];
  readonly f64s: Float64Array;
  readonly instance: Instance;
  /** index in the module's function space (-1: not a function) */
  readonly funcIndex: number;
  readonly name: string | undefined;
  readonly nparams: number;
  readonly nlocals: number;
  readonly nresults: number;
  /** slots a frame needs: locals plus the highest operand stack */
  readonly frameSize: number;
  /** for each local after the parameters: its value in the reference array (num array gets 0) */
  readonly localInit: readonly Value[];
  readonly kinds: SigKinds;
  /** try_table ranges, innermost first: [start, end, index into `catches`]* */
  readonly tries: Int32Array;
  readonly catches: readonly (readonly CatchClause[])[];
  /** code index of every instruction and its source offset, for backtraces */
  readonly pcs: Int32Array;
  readonly ats: Int32Array;
  // instance caches
  readonly funcs: Instance['funcs'];
  readonly globals: Instance['globals'];
  /** memory 0 (the fast memory instructions read its `view`, which grow replaces) */
  readonly mem0: MemoryInst | null;

  constructor(t: Translated, inst: Instance, funcIndex: number, kinds: SigKinds) {
    this.code = t.code.slice();
    this.objs = t.objs;
    this.f64s = new Float64Array(t.f64s.length);
    new BigUint64Array(this.f64s.buffer).set(t.f64s.map((b) => BigInt.asUintN(64, b)));
    this.instance = inst;
    this.funcIndex = funcIndex;
    this.name = funcIndex < 0 ? undefined : inst.module.names.funcs.get(funcIndex);
    this.nparams = t.nparams;
    this.nlocals = t.nlocals;
    this.nresults = t.results.length;
    this.frameSize = t.nlocals + t.maxHeight + 1;
    this.localInit = t.locals.slice(t.nparams).map(refDefault);
    this.kinds = kinds;
    this.tries = Int32Array.from(t.tries);
    this.catches = t.catches;
    this.pcs = Int32Array.from(t.pcs);
    this.ats = Int32Array.from(t.ats);
    this.funcs = inst.funcs;
    this.globals = inst.globals;
    this.mem0 = inst.memories[0] ?? null;
  }

  /** The source offset of the instruction at or before code index `pc`. */
  atOf(pc: number): number {
    const pcs = this.pcs;
    let lo = 0;
    let hi = pcs.length - 1;
    if (hi < 0) return -1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (pcs[mid]! <= pc) lo = mid;
      else hi = mid - 1;
    }
    return this.ats[lo]!;
  }
}

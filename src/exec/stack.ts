// Stack segments and continuations: the machine's execution state as data (see machine.ts).
// A segment holds a value store of three parallel arrays indexed by slot (i32 values in a
// packed array of small integers, f32 bits and f64 in a Float64Array, everything else in a
// JS array; the translator knows which holds each slot) and a frame stack. A continuation
// owns the segments it was suspended with.

import type { ContRef, FuncInst, Value } from '../runtime/value.ts';
import { nulls } from '../runtime/value.ts';
import { storeF64 } from '../util/float-bits.ts';
import type { DefType } from '../valid/types.ts';
import { type Code, K_I32, K_REF, type ResumeSite } from './code.ts';

// ---- stack segments ----------------------------------------------------------------------------

export class Stack {
  num: Float64Array;
  /**
   * i32 values: a plain array that only ever holds small integers (every write is an int32),
   * which V8 keeps as untagged integers and reads with fewer checks than a typed array.
   */
  readonly i32: number[];
  readonly ref: Value[];
  /** per frame: its code, frame pointer, and (below the top frame) the pc to return to */
  codes: Code[] = [];
  /** per frame d: its frame pointer at 2d and (below the top frame) the pc to return to at 2d + 1 */
  frames: number[] = [];
  depth = 0;
  /** while running: the segment that resumed this one (null for a root) */
  parent: Stack | null = null;
  /** while running: the handlers of the resume that runs it */
  site: ResumeSite | null = null;
  /** slot of the parent where this segment's results go */
  retBase = 0;
  /** while suspended: the slot where the values it is resumed with go */
  susBase = 0;

  constructor(cap: number) {
    this.num = new Float64Array(cap);
    // filled by pushing, so that V8 makes them packed arrays (no hole checks on reads)
    const i32: number[] = [];
    const ref: Value[] = [];
    for (let i = 0; i < cap; i++) {
      i32.push(0);
      ref.push(null);
    }
    this.i32 = i32;
    this.ref = ref;
  }
}

/** The value at a slot, by kind (K_NUM, K_I32, K_REF). */
export function slotValue(num: Float64Array, i32: number[], ref: Value[], at: number, kind: number): Value {
  return kind === K_REF ? ref[at]! : kind === K_I32 ? i32[at]! : num[at]!;
}

/**
 * The values of n consecutive slots from `at`, of the kinds given: one per slot (a struct's
 * fields) or, when there is one kind for several slots, that kind for all (an array's elements).
 */
export function slotValues(num: Float64Array, i32: number[], ref: Value[], at: number, kinds: Uint8Array, n: number): Value[] {
  const vals = nulls(n);
  const one = kinds.length !== n;
  for (let i = 0; i < n; i++) vals[i] = slotValue(num, i32, ref, at + i, one ? kinds[0]! : kinds[i]!);
  return vals;
}

export const getSlot = (s: Stack, at: number, kind: number): Value => slotValue(s.num, s.i32, s.ref, at, kind);

export function setSlot(s: Stack, at: number, kind: number, v: Value): void {
  if (kind === K_REF) s.ref[at] = v;
  else if (kind === K_I32) s.i32[at] = (v as number) | 0;
  else storeF64(s.num, at, v as number);
}

/** Copies n slots (all three arrays: the kinds need not be known). */
export function copySlots(d: Stack, dst: number, s: Stack, src: number, n: number): void {
  const dn = d.num;
  const di = d.i32;
  const dr = d.ref;
  const sn = s.num;
  const si = s.i32;
  const sr = s.ref;
  for (let i = 0; i < n; i++) {
    storeF64(dn, dst + i, sn[src + i]!);
    di[dst + i] = si[src + i]!;
    dr[dst + i] = sr[src + i]!;
  }
}

// ---- continuations ---------------------------------------------------------------------------------

/** A continuation: one-shot; fresh (a function and bound arguments) or suspended (a chain of segments). */
export class Cont implements ContRef {
  readonly kind = 'cont' as const;
  readonly type: DefType;
  consumed = false;
  /** fresh continuations: the function */
  func: FuncInst | null;
  /** suspended continuations: the innermost and outermost segments */
  top: Stack | null;
  bottom: Stack | null;
  /** frames and slots of its segments */
  frames: number;
  slots: number;
  /** arguments bound by cont.bind, and their kinds */
  bound: Value[] | null = null;
  boundKinds: number[] | null = null;

  constructor(type: DefType, func: FuncInst | null, top: Stack | null, bottom: Stack | null, frames: number, slots: number) {
    this.type = type;
    this.func = func;
    this.top = top;
    this.bottom = bottom;
    this.frames = frames;
    this.slots = slots;
  }
}

/** Marks a continuation used and lets go of what it held. */
export function consume(k: Cont): void {
  k.consumed = true;
  k.func = null;
  k.top = null;
  k.bottom = null;
  k.bound = null;
  k.boundKinds = null;
}

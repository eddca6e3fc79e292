// Which locals a saved frame must keep: those live after some suspension site of the function.
//
// A frame is re-entered only at a site, so a local that every path from every site writes before
// it reads is never needed again once the frame is saved: its field is left out of the frame
// type, not written when the frame is saved, not read when it is re-entered. (The continuation
// in a scheduler's `(switch ... (local.get $other))` that `local.set $other` overwrites is the
// typical one: saving it stored a young object into an old, reused frame, the write barrier's
// slow path, on every switch.)
//
// A backward analysis over the structured body, on bitsets: a label's set is what is live where a
// branch to it goes (after a block, at the start of a loop: a fixpoint), and every instruction
// inside a `try_table` may throw to its catch labels. Legacy try/catch is desugared before the
// lowering instruments anything (src/syntax/legacy-eh.ts).

import type { Instr } from '../syntax/opcodes.ts';
import { labelsOf } from '../syntax/labels.ts';
import { JUMPS, OPENS } from './reuse.ts';

type Bits = Uint32Array<ArrayBuffer>;

/**
 * The union, over the instructions that `isSite` selects, of the locals (indices of the body's
 * function: parameters first) live right after the instruction, counting the branches it may take
 * (a resume's handler labels) and the exceptions it may raise (enclosing catch labels).
 */
export function liveAtSites(body: readonly Instr[], nLocals: number, isSite: (ins: Instr) => boolean): Set<number> {
  const words = (nLocals + 31) >>> 5;
  const empty = (): Bits => new Uint32Array(words);
  const or = (a: Bits, b: Bits): void => {
    for (let i = 0; i < words; i++) a[i]! |= b[i]!;
  };
  const subset = (a: Bits, b: Bits): boolean => {
    for (let i = 0; i < words; i++) if ((a[i]! & ~b[i]!) !== 0) return false;
    return true;
  };
  const atSites = empty();

  // the matching end (and else) of every block-opening instruction
  const endOf = new Int32Array(body.length).fill(-1);
  const elseOf = new Int32Array(body.length).fill(-1);
  const open: number[] = [];
  body.forEach((ins, k) => {
    if (OPENS.has(ins.op)) open.push(k);
    else if (ins.op === 'else') elseOf[open[open.length - 1]!] = k;
    else if (ins.op === 'end' && open.length > 0) endOf[open.pop()!] = k;
  });
  const startOf = new Int32Array(body.length).fill(-1);
  endOf.forEach((e, s) => {
    if (e >= 0) startOf[e] = s;
  });

  /** Live-in of body[from, to), given live-out `out`, the label sets (innermost last) and `h`, live at the catch labels around. */
  const seq = (from: number, to: number, out: Bits, labels: Bits[], h: Bits): Bits => {
    let L = out.slice();
    const label = (d: number): Bits => labels[labels.length - 1 - d]!;
    for (let k = to - 1; k >= from; k--) {
      const ins = body[k]!;
      const s = startOf[k]!;
      if (ins.op === 'end' && s >= from) {
        L = construct(s, k, L, labels, h);
        k = s;
      } else {
        if (isSite(ins)) {
          const after = L.slice();
          or(after, h);
          for (const l of labelsOf(ins)) or(after, label(l));
          or(atSites, after);
        }
        // (after a jump nothing is live but what its labels take, below)
        if (JUMPS.has(ins.op)) L = empty();
        const ls = labelsOf(ins);
        if (ins.op !== 'try_table') for (const l of ls) or(L, label(l));
        switch (ins.op) {
          case 'local.get':
            L[ins.args[0] >>> 5]! |= 1 << (ins.args[0] & 31);
            break;
          case 'local.set': case 'local.tee':
            L[ins.args[0] >>> 5]! &= ~(1 << (ins.args[0] & 31));
            break;
          default:
        }
      }
      or(L, h);
    }
    return L;
  };

  /** Live-in of the construct body[s..e] given its live-out. */
  const construct = (s: number, e: number, out: Bits, labels: Bits[], h: Bits): Bits => {
    const ins = body[s]!;
    switch (ins.op) {
      case 'loop': {
        // the label's set is the loop's live-in: iterate until it stops growing
        const head = empty();
        for (;;) {
          const inn = seq(s + 1, e, out, [...labels, head], h);
          if (subset(inn, head)) return inn;
          or(head, inn);
        }
      }
      case 'if': {
        const el = elseOf[s]!;
        const thenIn = seq(s + 1, el >= 0 ? el : e, out, [...labels, out], h);
        const elseIn = el >= 0 ? seq(el + 1, e, out, [...labels, out], h) : out.slice();
        or(thenIn, elseIn);
        return thenIn;
      }
      case 'try_table': {
        // catch labels are resolved outside the try_table
        const inner = h.slice();
        for (const l of labelsOf(ins)) or(inner, labels[labels.length - 1 - l]!);
        return seq(s + 1, e, out, [...labels, out], inner);
      }
      default:
        return seq(s + 1, e, out, [...labels, out], h);
    }
  };

  // the function's own label: a branch to it returns
  const last = body.length > 0 && body[body.length - 1]!.op === 'end' && startOf[body.length - 1]! < 0 ? body.length - 1 : body.length;
  seq(0, last, empty(), [empty()], empty());
  const r = new Set<number>();
  for (let i = 0; i < nLocals; i++) if ((atSites[i >>> 5]! >>> (i & 31)) & 1) r.add(i);
  return r;
}

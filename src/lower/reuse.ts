// Resume sites that may hand the continuation a suspension makes back in the
// object they consumed, instead of allocating one per suspension.
//
// A continuation is one-shot: resuming it consumes the $Cont object (its inner
// stack is cleared), and the suspension that comes back makes a new one. A new
// object per suspension costs an allocation (and a fresh cache line) per round
// trip; putting the new continuation into the consumed object is exact only
// when nothing else can still reach that object, or a second resume of the old
// reference would find the new continuation instead of trapping.
//
// The pattern of generators and schedulers guarantees that syntactically: a
// local $k that only ever holds a fresh continuation and is only read to be
// resumed at once,
//
//     (block $h (result ... (ref $ct))
//       (resume $ct (on $e $h) ... (local.get $k))
//       (br $out))                      ;; the block ends only through $h
//     (local.set $k)
//
// Then the object in $k has no other reference (no local.tee, every local.get
// is consumed by the resume right after it, every value written comes from
// cont.new, cont.bind, ref.null or such a handler block), and when the resume's handler
// clauses all lead back into $k, the continuation the suspension makes can
// live in the object $k held. Everything else allocates, as before.

import type { Instr } from '../syntax/opcodes.ts';
import { labelsOf } from '../syntax/labels.ts';

/** Instructions after which control never falls through. */
const JUMPS: ReadonlySet<string> = new Set([
  'unreachable', 'return', 'br', 'br_table', 'throw', 'throw_ref', 'rethrow',
  'return_call', 'return_call_ref', 'return_call_indirect',
]);

interface Blk {
  readonly open: number;
  /** instructions (body indices) that branch to this block's label */
  readonly from: number[];
  end: number;
}

/**
 * The resume instructions of `body` that may reuse the consumed $Cont. `contLocal(x)`: is local x a
 * declared (not parameter) local of a continuation type.
 */
export function reuseSites(body: readonly Instr[], contLocal: (x: number) => boolean): Set<Instr> {
  const out = new Set<Instr>();
  // the blocks, by the index of their `end`; the targets of each label
  const endOf = new Map<number, Blk>();
  const ctl: Blk[] = [];
  const targetsOf = new Map<number, Blk[]>();
  const resolve = (i: number, ins: Instr): void => {
    const ts: Blk[] = [];
    for (const l of labelsOf(ins)) {
      const b = ctl[ctl.length - 1 - l];
      if (b === undefined) continue; // the function's label
      b.from.push(i);
      ts.push(b);
    }
    targetsOf.set(i, ts);
  };
  body.forEach((ins, i) => {
    switch (ins.op) {
      case 'block': case 'loop': case 'if': case 'try_table': {
        if (ins.op === 'try_table') resolve(i, ins); // (its catch labels are outside it)
        ctl.push({ open: i, from: [], end: -1 });
        return;
      }
      case 'end': {
        const b = ctl.pop();
        if (b === undefined) return; // the function's
        b.end = i;
        endOf.set(i, b);
        return;
      }
      default:
        resolve(i, ins);
    }
  });

  const isGetOf = (i: number, k: number): boolean => body[i]?.op === 'local.get' && body[i]!.args[0] === k;
  /** Is `b` a handler block that only ends into local.set k, reached only from resumes of k? */
  const isKBlock = (b: Blk, k: number): boolean => {
    if (body[b.open]!.op !== 'block' || b.end < 1) return false;
    const next = body[b.end + 1];
    if (next?.op !== 'local.set' || next.args[0] !== k) return false;
    const last = body[b.end - 1]!;
    if (b.end - 1 === b.open || !JUMPS.has(last.op) || (targetsOf.get(b.end - 1) ?? []).includes(b)) return false;
    return b.from.every((j) => body[j]!.op === 'resume' && isGetOf(j - 1, k));
  };

  // the candidate locals, with the indices of their uses
  const uses = new Map<number, number[]>();
  body.forEach((ins, i) => {
    if ((ins.op === 'local.get' || ins.op === 'local.set' || ins.op === 'local.tee') && contLocal(ins.args[0])) {
      const l = uses.get(ins.args[0]);
      if (l === undefined) uses.set(ins.args[0], [i]);
      else l.push(i);
    }
  });
  for (const [k, is] of uses) {
    const ok = is.every((i) => {
      const ins = body[i]!;
      if (ins.op === 'local.tee') return false;
      if (ins.op === 'local.get') return body[i + 1]?.op === 'resume';
      const prev = body[i - 1];
      if (prev === undefined) return false;
      if (prev.op === 'cont.new' || prev.op === 'cont.bind' || prev.op === 'ref.null') return true;
      const b = prev.op === 'end' ? endOf.get(i - 1) : undefined;
      return b !== undefined && isKBlock(b, k);
    });
    if (!ok) continue;
    for (const i of is) {
      if (body[i]!.op !== 'local.get') continue;
      const ts = targetsOf.get(i + 1) ?? [];
      const clauses = labelsOf(body[i + 1]!).length;
      if (clauses > 0 && ts.length === clauses && ts.every((b) => isKBlock(b, k))) out.add(body[i + 1]!);
    }
  }
  return out;
}

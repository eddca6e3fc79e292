// Which instrumented functions may be re-entered as part of a frame chain (see docs/lowering.md,
// "Instrumented functions", the item "Frame chains").
//
// When a frame re-entered lazily calls a function again and the callee's unwinding saves two
// frames or more (a recursion entered afresh for every suspension, say), the frames go on the
// stack as one *chain* frame instead of one frame each. Its thunk re-enters the outermost of them
// with a direct call of a small copy of its function for its site, whose landing re-enters its
// callee's frame in turn the same way: the frames run again as the calls that made them ran (V8
// inlines the copies), not one driver step each. A function can be so only if each of its frames
// can: every site is a `suspend`, a `switch` or a direct call (with the status convention) of
// such a function, so that a frame's callee is known where it is re-entered; it has no handler
// (an exception raised in the chain leaves it whole, and the driver passes over it); and it is
// small (each site gets a copy of the code after it).

import type { Func } from '../syntax/ast.ts';
import type { Analysis } from './analysis.ts';

/** The largest function body (instructions) that gets copies for a chain. */
export const CHAIN_BODY_MAX = 80;
/** The most suspension sites a function with copies for a chain has. */
export const CHAIN_SITES_MAX = 4;
/**
 * The most frames in a chain: re-entering them is a recursion, which takes more of the Wasm
 * stack than the calls that made them (a copy and `reenter` a level, in baseline code: a
 * recursion that suspended 8,000 frames down overflowed so where the calls had not), and a
 * resume may run deep in it already. (Lazily, frames are re-entered at a constant depth.)
 */
export const CHAIN_MAX = 128;

/**
 * The functions (indices) that may be re-entered in a chain: the greatest set whose every member
 * qualifies by itself (the status convention, size, sites, no handler, called at some site) and
 * calls, at its sites, members only.
 */
export function chainFunctions(funcs: readonly Func[], nImported: number, a: Analysis, status: (x: number) => boolean): Set<number> {
  const set = new Set<number>();
  const calls = new Map<number, number[]>();
  funcs.forEach((f, k) => {
    const x = nImported + k;
    if (!status(x) || f.body.length > CHAIN_BODY_MAX) return;
    const callees: number[] = [];
    let sites = 0;
    for (const ins of f.body) {
      if (ins.op === 'try_table') return;
      if (!a.isSite(ins)) continue;
      sites++;
      if (ins.op === 'call') callees.push(ins.args[0]);
      else if (ins.op !== 'suspend' && ins.op !== 'switch') return;
    }
    if (sites === 0 || sites > CHAIN_SITES_MAX) return;
    set.add(x);
    calls.set(x, callees);
  });
  // (a function that no site calls directly never has a frame below another one's in a list: a
  // continuation's first function, say, whose frame its start frame re-enters lazily)
  const called = new Set<number>();
  for (const f of funcs) for (const ins of f.body) if (ins.op === 'call' && a.isSite(ins)) called.add(ins.args[0]);
  for (const x of set) if (!called.has(x)) set.delete(x);
  for (let changed = true; changed;) {
    changed = false;
    for (const x of set) {
      if (calls.get(x)!.every((y) => set.has(y))) continue;
      set.delete(x);
      changed = true;
    }
  }
  return set;
}

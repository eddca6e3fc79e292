// Removes the blocks of a function body that no branch targets (a pass over generated code).
//
// V8 inlines a function by the size of its body in bytes, locals and blocks counted: the copies
// of a function for a chain (instrument.ts, chain.ts) are worth making only while they inline,
// and the emitter nests a block per level of the site's landing whether or not anything branches
// to it. A block that nothing targets can go: its body validates the same where it stands, and
// branches across it target one level less.

import type { Instr } from '../syntax/opcodes.ts';
import { labelsOf, withLabels } from '../syntax/labels.ts';

const OPENS = new Set(['block', 'loop', 'if', 'try_table']);

/** The body (ending with the function's `end`) without its untargeted `block`s. */
export function tighten(body: readonly Instr[]): Instr[] {
  // pass 1: each block's id, and which ids a branch targets (id 0: the function)
  const targeted = new Set<number>();
  const openId: number[] = [];
  {
    const stack: number[] = [0];
    let next = 1;
    for (const ins of body) {
      if (ins.op === 'end') {
        stack.pop();
        continue;
      }
      if (ins.op === 'else') continue;
      // (a try_table's catch labels are relative to the levels outside it)
      for (const d of labelsOf(ins)) targeted.add(stack[stack.length - 1 - d]!);
      if (OPENS.has(ins.op)) {
        openId.push(next);
        stack.push(next++);
      }
    }
  }
  // pass 2: drop untargeted blocks, renumber the branches
  const out: Instr[] = [];
  const stack: { id: number; kept: boolean }[] = [{ id: 0, kept: true }];
  let k = 0;
  for (const ins of body) {
    if (ins.op === 'end') {
      const top = stack.pop();
      if (top === undefined || top.kept) out.push(ins);
      continue;
    }
    if (ins.op === 'else') {
      out.push(ins);
      continue;
    }
    let x: Instr = ins;
    const ls = labelsOf(ins);
    if (ls.length > 0) {
      x = withLabels(ins, ls.map((d) => {
        const target = stack[stack.length - 1 - d]!;
        let n = 0;
        for (let i = stack.length - 1 - d + 1; i < stack.length; i++) if (stack[i]!.kept) n++;
        if (!target.kept) throw new Error('tighten: a branch to a removed block');
        return n;
      }));
    }
    if (OPENS.has(ins.op)) {
      const id = openId[k++]!;
      const kept = ins.op !== 'block' || targeted.has(id);
      stack.push({ id, kept });
      if (kept) out.push(x);
      continue;
    }
    out.push(x);
  }
  return out;
}

// The label immediates of an instruction, read and replaced in one order:
// passes that change the nesting of blocks (src/lower/) move branch depths
// with these two.

import type { Catch, OnClause, Instr } from './opcodes.ts';

/** Label immediates of an instruction, in order (relative depths). */
export function labelsOf(ins: Instr): number[] {
  switch (ins.op) {
    case 'br': case 'br_if': case 'br_on_null': case 'br_on_non_null':
      return [ins.args[0]];
    case 'br_table':
      return [...ins.args[0].labels, ins.args[0].default];
    case 'br_on_cast': case 'br_on_cast_fail':
      return [ins.args[0].label];
    case 'try_table':
      return ins.args[1].map((x: Catch) => x.label);
    case 'resume': case 'resume_throw_ref':
      return ins.args[1].flatMap((h: OnClause) => (h.label === null ? [] : [h.label]));
    case 'resume_throw':
      return ins.args[2].flatMap((h: OnClause) => (h.label === null ? [] : [h.label]));
    default:
      return [];
  }
}

/** The instruction with its label immediates replaced (same order as labelsOf). */
export function withLabels(ins: Instr, ls: readonly number[]): Instr {
  const a = [...(ins.args as readonly unknown[])];
  let k = 0;
  const next = (): number => ls[k++]!;
  switch (ins.op) {
    case 'br': case 'br_if': case 'br_on_null': case 'br_on_non_null':
      a[0] = next();
      break;
    case 'br_table': {
      const labels = ins.args[0].labels.map(() => next());
      a[0] = { labels, default: next() };
      break;
    }
    case 'br_on_cast': case 'br_on_cast_fail':
      a[0] = { ...ins.args[0], label: next() };
      break;
    case 'try_table':
      a[1] = ins.args[1].map((x: Catch) => ({ ...x, label: next() }));
      break;
    case 'resume': case 'resume_throw_ref':
      a[1] = ins.args[1].map((h: OnClause) => (h.label === null ? h : { ...h, label: next() }));
      break;
    case 'resume_throw':
      a[2] = ins.args[2].map((h: OnClause) => (h.label === null ? h : { ...h, label: next() }));
      break;
    default:
      return ins;
  }
  return { op: ins.op, args: a, at: ins.at } as unknown as Instr;
}

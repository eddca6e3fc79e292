// The part of lowering every instruction goes through: immediates that name
// types and globals move to the output's index spaces (rt.ts, context.ts),
// and continuation types become $Cont. Branch depths are left to the caller
// (src/syntax/labels.ts reads and replaces them).

import { BY_NAME, type Instr, type BrCast } from '../syntax/opcodes.ts';
import type { ValType, RefType, HeapType } from '../syntax/types.ts';
import type { Ctx } from './context.ts';

export function mapInstr(c: Ctx, ins: Instr): Instr {
  const def = BY_NAME.get(ins.op)!;
  const args = ins.args as readonly unknown[];
  let out: unknown[] | null = null;
  def.imm.forEach((kind, i) => {
    const a = args[i];
    let b: unknown = a;
    switch (kind) {
      case 'typeidx': b = c.typeIdx(a as number); break;
      case 'heaptype': b = c.heap(a as HeapType); break;
      case 'reftype': b = c.ref(a as RefType); break;
      case 'blocktype': b = c.blockType(a as never); break;
      case 'selecttypes': b = a === null ? null : (a as ValType[]).map((t) => c.val(t)); break;
      case 'brcast': {
        const bc = a as BrCast;
        b = { label: bc.label, from: c.ref(bc.from), to: c.ref(bc.to) };
        break;
      }
      case 'globalidx': b = c.global(a as number); break;
      default: return;
    }
    if (b !== a) {
      out ??= [...args];
      out[i] = b;
    }
  });
  return out === null ? ins : ({ op: ins.op, args: out, at: ins.at } as unknown as Instr);
}

// The typed walk: one pass over a validated function body that tells a
// visitor, before each instruction, the types on the operand stack and the
// control frames around it. It is the validator's own typing (the same
// Checker and rules), so later phases (the lowering compiler; the
// interpreter's translator drives a Checker the same way) never restate a
// typing rule.

import type { Instr } from '../syntax/opcodes.ts';
import { Checker, OUTER } from './checker.ts';
import type { CFuncType } from './types.ts';
import { checkInstr, type ValidModule } from './validator.ts';

/** Called before instruction `k`; `c.vals` is the operand stack, `c.frames[0..c.depth)` the control stack. */
export type TypedVisitor = (ins: Instr, k: number, c: Checker) => void;

/** Walks the body of defined function `defined` (index among the module's own functions). */
export function typedWalk(vm: ValidModule, defined: number, visit: TypedVisitor): void {
  const m = vm.module;
  const f = m.funcs[defined]!;
  const ft = vm.types[f.type]!.comp as CFuncType;
  const locals = vm.locals[defined]!;
  const c = new Checker(vm, vm.source);
  c.locals = locals;
  c.localInit = new Uint8Array(locals.length).fill(1);
  c.results = ft.results;
  c.pushFrame(OUTER, [], ft.results);
  const body = f.body;
  for (let k = 0; k < body.length; k++) {
    const ins = body[k]!;
    c.at = ins.at;
    visit(ins, k, c);
    checkInstr(c, ins);
  }
}

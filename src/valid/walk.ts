// The typed walk: one pass over a validated function body that tells a
// visitor, before each instruction, the types on the operand stack and the
// control frames around it. It is the validator's own typing (the same
// Checker and rules), so later phases never restate a typing rule: the
// lowering compiler walks with typedWalk; the interpreter's translator, which
// skips dead code and applies each step in the middle of an instruction's
// translation, drives the same checker (functionChecker) with the same step.

import type { Instr } from '../syntax/opcodes.ts';
import { Checker, OUTER } from './checker.ts';
import type { CFuncType, CValType } from './types.ts';
import { checkInstr, type ValidModule } from './validator.ts';

/** The walk's step: applies the typing rule of one instruction to the checker's stacks. */
export { checkInstr as typeStep };

/** A checker at the start of a function body with these locals (parameters first) and results. */
export function functionChecker(vm: ValidModule, locals: readonly CValType[], results: readonly CValType[]): Checker {
  const c = new Checker(vm, vm.source);
  c.locals = locals;
  c.localInit = new Uint8Array(locals.length).fill(1);
  c.results = results;
  c.pushFrame(OUTER, [], results);
  return c;
}

/** Called before instruction `k`; `c.vals` is the operand stack, `c.frames[0..c.depth)` the control stack. */
export type TypedVisitor = (ins: Instr, k: number, c: Checker) => void;

/** Walks the body of defined function `defined` (index among the module's own functions). */
export function typedWalk(vm: ValidModule, defined: number, visit: TypedVisitor): void {
  const m = vm.module;
  const f = m.funcs[defined]!;
  const ft = vm.types[f.type]!.comp as CFuncType;
  const c = functionChecker(vm, vm.locals[defined]!, ft.results);
  const body = f.body;
  for (let k = 0; k < body.length; k++) {
    const ins = body[k]!;
    c.at = ins.at;
    visit(ins, k, c);
    checkInstr(c, ins);
  }
}

// Small builders for the validator's unit tests: modules written directly as AST.

import assert from 'node:assert/strict';
import { emptyModule, type Func, type Module } from '../../src/syntax/ast.ts';
import { instr, type Instr } from '../../src/syntax/opcodes.ts';
import type { CompType, HeapType, RecType, RefType, SubType, ValType } from '../../src/syntax/types.ts';
import { ValidationError } from '../../src/util/errors.ts';
import { validateModule, type ValidModule } from '../../src/valid/validator.ts';

export const I = instr;
export const END = (): Instr => instr('end');

export const mod = (p: Partial<Module>): Module => ({ ...emptyModule(), ...p });

export const sub = (comp: CompType, supers: number[] = [], final = true): SubType => ({ final, supers, comp });
export const funcT = (params: ValType[], results: ValType[]): CompType => ({ kind: 'func', params, results });
export const contT = (type: number): CompType => ({ kind: 'cont', type });
export const structT = (...fields: { mutable: boolean; type: ValType | 'i8' | 'i16' }[]): CompType => ({ kind: 'struct', fields });
export const arrayT = (type: ValType | 'i8' | 'i16', mutable = false): CompType => ({ kind: 'array', field: { mutable, type } });

/** A rec group of one (or several) types. */
export const rec = (...types: (SubType | CompType)[]): RecType => ({
  types: types.map((t) => ('comp' in t ? t : sub(t))),
});

export const ref = (heap: HeapType): RefType => ({ nullable: false, heap });
export const refNull = (heap: HeapType): RefType => ({ nullable: true, heap });

/** A function whose body is `body` followed by `end`. */
export const fn = (type: number, body: Instr[], locals: ValType[] = []): Func => ({
  type, locals, body: [...body, END()], at: -1,
});

export function valid(m: Module): ValidModule {
  return validateModule(m);
}

export function invalid(m: Module, prefix: string): ValidationError {
  try {
    validateModule(m);
  } catch (e) {
    assert.ok(e instanceof ValidationError, `not a ValidationError: ${String(e)}`);
    assert.ok(e.detail.startsWith(prefix), `expected "${prefix}", got "${e.detail}"`);
    return e;
  }
  assert.fail(`module validated, expected "${prefix}"`);
}

// Constant expressions: initialisers of globals, tables and element segments, and the
// offsets of active segments. The validator has checked them, so the evaluator trusts
// their shape.

import type { Expr } from '../syntax/ast.ts';
import type { Instr } from '../syntax/opcodes.ts';
import { f64FromBits } from '../util/float-bits.ts';
import { externalize, internalize, newArray, newArrayDefault, newArrayFixed, newStruct, newStructDefault } from './gc.ts';
import type { Instance, Value } from './value.ts';

/** What a constant expression can see: the instance's types, functions and (so far) globals. */
export type ConstContext = Pick<Instance, 'types' | 'funcs' | 'globals'>;

/** Evaluates a constant expression to its single value. */
export function evalConst(expr: Expr, ctx: ConstContext): Value {
  const s: Value[] = [];
  for (const ins of expr as readonly Instr[]) {
    switch (ins.op) {
      case 'i32.const': s.push(ins.args[0]); break;
      case 'i64.const': s.push(ins.args[0]); break;
      case 'f32.const': s.push(ins.args[0] >>> 0); break;
      case 'f64.const': s.push(f64FromBits(ins.args[0])); break;
      case 'v128.const': s.push(ins.args[0]); break;
      case 'ref.null': s.push(null); break;
      case 'ref.func': s.push(ctx.funcs[ins.args[0]]!); break;
      case 'global.get': s.push(ctx.globals[ins.args[0]]!.value); break;
      case 'i32.add': { const b = s.pop() as number; s.push(((s.pop() as number) + b) | 0); break; }
      case 'i32.sub': { const b = s.pop() as number; s.push(((s.pop() as number) - b) | 0); break; }
      case 'i32.mul': { const b = s.pop() as number; s.push(Math.imul(s.pop() as number, b)); break; }
      case 'i64.add': { const b = s.pop() as bigint; s.push(BigInt.asIntN(64, (s.pop() as bigint) + b)); break; }
      case 'i64.sub': { const b = s.pop() as bigint; s.push(BigInt.asIntN(64, (s.pop() as bigint) - b)); break; }
      case 'i64.mul': { const b = s.pop() as bigint; s.push(BigInt.asIntN(64, (s.pop() as bigint) * b)); break; }
      case 'ref.i31': s.push(((s.pop() as number) << 1) >> 1); break;
      case 'struct.new': {
        const dt = ctx.types[ins.args[0]]!;
        const n = dt.comp.kind === 'struct' ? dt.comp.fields.length : 0;
        s.push(newStruct(dt, s.splice(s.length - n, n)));
        break;
      }
      case 'struct.new_default': s.push(newStructDefault(ctx.types[ins.args[0]]!)); break;
      case 'array.new': {
        const n = (s.pop() as number) >>> 0;
        s.push(newArray(ctx.types[ins.args[0]]!, n, s.pop()!));
        break;
      }
      case 'array.new_default': s.push(newArrayDefault(ctx.types[ins.args[0]]!, (s.pop() as number) >>> 0)); break;
      case 'array.new_fixed': {
        const n = ins.args[1];
        s.push(newArrayFixed(ctx.types[ins.args[0]]!, s.splice(s.length - n, n)));
        break;
      }
      case 'any.convert_extern': s.push(internalize(s.pop()!)); break;
      case 'extern.convert_any': s.push(externalize(s.pop()!)); break;
      case 'end': break;
      default: throw new Error(`not a constant instruction: ${ins.op}`);
    }
  }
  if (s.length !== 1) throw new Error('wrong number of results on stack');
  return s[0]!;
}

/** An address (offset) from a constant of an i32 or i64 address type, as a number. */
export function addrOf(v: Value): number {
  return typeof v === 'bigint' ? Number(BigInt.asUintN(64, v)) : (v as number) >>> 0;
}

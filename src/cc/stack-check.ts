// The shadow-stack check of `wasmfx cc`: C code keeps its stack frames in
// linear memory below the `__stack_pointer` global, and nothing in Wasm stops
// a frame from going below the stack's end and over the heap. Fibers make
// that likely (each has a small stack of its own), so every write of the
// stack pointer becomes
//
//     local.set $t; local.get $t; global.get $__fiber_stack_limit; i32.lt_u
//     if  call $__fiber_stack_overflow  unreachable  end
//     local.get $t; global.set $__stack_pointer
//
// where the fiber library keeps `__fiber_stack_limit` at the running stack's
// bottom (fiber/common/stack.S) and the handler prints what happened and traps.
// One compare per function prologue and epilogue; modules without the fiber
// library (no limit global) are left alone.

import { allSubTypes, importCounts, type Func, type Module } from '../syntax/ast.ts';
import { instr, type Instr } from '../syntax/opcodes.ts';

export interface StackCheckResult {
  readonly module: Module;
  /** how many writes of the stack pointer were checked */
  readonly checked: number;
}

const byName = (names: ReadonlyMap<number, string>, name: string): number | undefined => {
  for (const [i, n] of names) if (n === name) return i;
  return undefined;
};

/** Inserts the check before every `global.set __stack_pointer` (found through the name section). */
export function addStackCheck(m: Module): StackCheckResult {
  const sp = byName(m.names.globals, '__stack_pointer');
  const limit = byName(m.names.globals, '__fiber_stack_limit');
  const handlerExport = m.exports.find((e) => e.name === '__fiber_stack_overflow' && e.kind === 'func');
  if (sp === undefined || limit === undefined || handlerExport === undefined) return { module: m, checked: 0 };
  const handler = handlerExport.index;
  const importedFuncs = importCounts(m).func;
  const types = allSubTypes(m);
  let checked = 0;
  const funcs = m.funcs.map((f, i): Func => {
    if (importedFuncs + i === handler || !f.body.some((ins) => ins.op === 'global.set' && ins.args[0] === sp)) return f;
    const comp = types[f.type]!.comp;
    if (comp.kind !== 'func') throw new Error(`type ${f.type} is not a function type`);
    const params = comp.params.length;
    const t = params + f.locals.length; // a new i32 local, after all others: no index moves
    const body: Instr[] = [];
    for (const ins of f.body) {
      if (ins.op === 'global.set' && ins.args[0] === sp) {
        checked++;
        body.push(
          instr('local.set', t), instr('local.get', t), instr('global.get', limit), instr('i32.lt_u'),
          instr('if', null), instr('call', handler), instr('unreachable'), instr('end'),
          instr('local.get', t), ins,
        );
      } else {
        body.push(ins);
      }
    }
    return { ...f, locals: [...f.locals, 'i32'], body };
  });
  return { module: { ...m, funcs }, checked };
}

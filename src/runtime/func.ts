// Function instances: Wasm functions (compiled lazily by the machine) and host functions.

import type { FuncType, ValType } from '../syntax/types.ts';
import { internRecType, type CValType, type DefType } from '../valid/types.ts';
import type { HostFunc, Instance, Value, WasmFunc } from './value.ts';

/** A function of a module instance; `compiled` stays null until the machine translates it. */
export function wasmFunc(type: DefType, instance: Instance, index: number): WasmFunc {
  return { kind: 'wasm', type, instance, index, compiled: null };
}

/** A host function of type `type` (a function DefType) taking and returning values. */
export function hostFunc(type: DefType, fn: (args: Value[]) => Value[], name?: string): HostFunc {
  return name === undefined ? { kind: 'host', type, fn } : { kind: 'host', type, fn, name };
}

/**
 * The canonical function type `[params] -> [results]` (a final type without supertypes, in a
 * rec group of its own), e.g. for host functions and tags made by the embedder.
 */
export function funcType(params: readonly CValType[], results: readonly CValType[]): DefType {
  const earlier: DefType[] = [];
  const idx = new Map<DefType, number>();
  const val = (t: CValType): ValType => {
    if (typeof t === 'string') {
      if (t === 'bot') throw new Error('funcType: bottom type');
      return t;
    }
    const h = t.heap;
    if (h === 'bot') throw new Error('funcType: bottom heap type');
    if (typeof h === 'string') return { nullable: t.nullable, heap: h };
    let i = idx.get(h);
    if (i === undefined) {
      i = earlier.length;
      earlier.push(h);
      idx.set(h, i);
    }
    return { nullable: t.nullable, heap: i };
  };
  const comp: FuncType = { kind: 'func', params: params.map(val), results: results.map(val) };
  return internRecType({ types: [{ final: true, supers: [], comp }] }, earlier).types[0]!;
}

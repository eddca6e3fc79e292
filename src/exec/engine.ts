// Entry points of the interpreter: `invoke` runs a function instance to
// completion on a fresh machine (src/exec/machine.ts), with its limits, fuel
// and interrupt flag. A host function calling back into Wasm starts a nested
// machine: suspensions never cross that host frame ("unhandled tag"), Wasm
// exceptions do (as they do through JS in the JS API).

import type { FuncInst, Value } from '../runtime/value.ts';
import { Exhaustion } from '../util/errors.ts';
import { Machine } from './machine.ts';
import type { EngineOptions } from './options.ts';

export type { EngineOptions } from './options.ts';

/**
 * Calls a function with arguments in the value representation of docs/interpreter.md;
 * returns its results. Throws Trap, Exhaustion, UnhandledSuspension or UncaughtException
 * (with a Wasm backtrace).
 */
export function invoke(f: FuncInst, args: Value[], opts?: EngineOptions): Value[] {
  if (f.kind === 'host') {
    try {
      return f.fn(args);
    } catch (e) {
      if (e instanceof RangeError && e.message.startsWith('Maximum call stack')) throw new Exhaustion('call stack exhausted');
      throw e;
    }
  }
  const m = new Machine(opts);
  return m.call(f, args);
}

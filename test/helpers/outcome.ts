// What an invocation did on our interpreter, as the WAST assertion that makes
// the reference interpreter check the same outcome: shared by the
// differential tests (diff-refinterp, diff-chaos).

import type { Action } from '../../src/script/ast.ts';
import type { InterpEngine } from '../../src/script/engine-interp.ts';
import { formatValue } from '../../src/script/values.ts';
import { RuntimeError } from '../../src/util/errors.ts';

/** Runs `action` (written `act` in the script); returns the assertion and the outcome's kind
 *  (`return`, or `trap: unreachable executed` and the like). */
export function outcomeAssertion(engine: InterpEngine, action: Action, act: string): { line: string; kind: string } {
  try {
    const r = engine.action(action);
    return { line: `(assert_return ${act} ${r.values.map((v, i) => formatValue(v, r.types[i]!)).join(' ')})`, kind: 'return' };
  } catch (e) {
    if (!(e instanceof RuntimeError)) throw e;
    const kind = `${e.kind}: ${e.detail}`;
    const msg = JSON.stringify(e.detail);
    switch (e.kind) {
      case 'trap': return { line: `(assert_trap ${act} ${msg})`, kind };
      case 'exhaustion': return { line: `(assert_exhaustion ${act} ${msg})`, kind };
      case 'suspension': return { line: `(assert_suspension ${act} ${msg})`, kind };
      case 'exception': return { line: `(assert_exception ${act})`, kind };
      default: throw e;
    }
  }
}

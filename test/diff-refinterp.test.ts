// Differential test of the interpreter against the proposal's reference
// interpreter, on generated WasmFX programs (test/helpers/wasmfx-gen.ts:
// generators, schedulers, nested handlers, switch, cont.bind, resume_throw,
// recursion inside continuations, traps, unhandled tags, exceptions).
//
// Each program runs on our interpreter first; its outcomes become a WAST
// script of assertions (assert_return with our values, assert_trap with our
// message, assert_exception, assert_suspension, assert_exhaustion), which the
// reference interpreter then checks: it exits non-zero at the first outcome
// that differs. fast-check shrinks a failing program to a small one.
//
// WASMFX_DIFF_SEED and WASMFX_DIFF_RUNS change the seed and the number of
// programs; WASMFX_REFERENCE_INTERPRETER the reference interpreter.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { parseScript } from '../src/script/script-parser.ts';
import { runScript } from '../src/script/runner.ts';
import { InterpEngine } from '../src/script/engine-interp.ts';
import { referenceInterpreter } from './helpers/spec.ts';
import { outcomeAssertion } from './helpers/outcome.ts';
import { programArb, renderProgram, type Program } from './helpers/wasmfx-gen.ts';

const tool = referenceInterpreter();
const SEED = Number(process.env.WASMFX_DIFF_SEED ?? 20251125);
const RUNS = Number(process.env.WASMFX_DIFF_RUNS ?? 400);

const dir = mkdtempSync(join(tmpdir(), 'wasmfx-diff-'));
let count = 0;
const kinds = new Map<string, number>();

/** Runs the program on our interpreter; returns the WAST script asserting what it did. */
function ourScript(prog: Program): string {
  const { wat, exports } = renderProgram(prog);
  const script = parseScript(wat, 'generated.wat');
  // A smaller call stack than the default keeps unbounded recursion quick; the reference's is 256.
  const engine = new InterpEngine({ engine: { maxCallDepth: 20_000 } });
  const s = runScript(script, { engine });
  assert.equal(s.failed, 0, `our interpreter rejects the generated module: ${s.results.find((r) => r.outcome === 'failed')?.message}\n${wat}`);
  const lines = [wat];
  for (const name of exports) {
    const act = `(invoke ${JSON.stringify(name)})`;
    const { line, kind } = outcomeAssertion(engine, { kind: 'invoke', name, args: [], at: 0 }, act);
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    lines.push(line);
  }
  return lines.join('\n') + '\n';
}

function referenceAgrees(prog: Program): void {
  const text = ourScript(prog);
  const file = join(dir, `p${count++}.wast`);
  writeFileSync(file, text);
  const r = spawnSync(tool, [file], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) {
    assert.fail(`the reference interpreter disagrees on ${file}:\n${r.stdout}${r.stderr}\n${text}`);
  }
}

test('differential: generated WasmFX programs agree with the reference interpreter', { timeout: 600_000 }, (t) => {
  const v = spawnSync(tool, ['-v'], { encoding: 'utf8' }); // builds it on first use
  assert.equal(v.status, 0, v.stderr);
  fc.assert(fc.property(programArb, referenceAgrees), { seed: SEED, numRuns: RUNS });
  t.diagnostic(`${count} programs; outcomes: ${[...kinds].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', ')}`);
  // the generator must exercise every kind of outcome
  for (const k of ['return', 'trap: unreachable executed', 'suspension: unhandled tag', 'exhaustion: call stack exhausted']) {
    assert.ok(kinds.has(k), `no program ended with ${k}`);
  }
  assert.ok([...kinds.keys()].some((k) => k.startsWith('exception')), 'no program threw an uncaught exception');
  rmSync(dir, { recursive: true, force: true });
});

// Differential test of the interpreter against the proposal's reference
// interpreter, on the unstructured programs of test/helpers/wasmfx-chaos-gen.ts
// (randomly nested resume sites, handlers, switch, cont.bind, try_table,
// throws into continuations, tail calls, multi-value blocks, faults).
//
// As in diff-refinterp.test.ts, each program runs on our interpreter first and
// its outcomes become a WAST script of assertions, which the reference
// interpreter checks (it exits non-zero at the first outcome that differs).
// The reference takes about 0.1 s to start, so the scripts of several programs
// go to one run of it, in the background while our interpreter runs the next
// ones (the two take about as long). When a run fails, its programs are checked
// one by one to name the one that differs, which fast-check then shrinks on its
// own (shrinking the whole batch would run all of it at every step).
//
// WASMFX_CHAOS_SEED and WASMFX_CHAOS_RUNS change the seed and the number of
// programs; WASMFX_REFERENCE_INTERPRETER the reference interpreter.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { parseScript } from '../src/script/script-parser.ts';
import { runScript } from '../src/script/runner.ts';
import { InterpEngine } from '../src/script/engine-interp.ts';
import { referenceInterpreter } from './helpers/spec.ts';
import { outcomeAssertion } from './helpers/outcome.ts';
import { chaosProgramArb, renderChaos, type ChaosProgram } from './helpers/wasmfx-chaos-gen.ts';

const tool = referenceInterpreter();
const SEED = Number(process.env.WASMFX_CHAOS_SEED ?? 20260214);
const RUNS = Number(process.env.WASMFX_CHAOS_RUNS ?? 800);
/** programs per fast-check run, and per run of the reference interpreter */
const BATCH = 20;
const CHUNK = 10;

const dir = mkdtempSync(join(tmpdir(), 'wasmfx-chaos-'));
let count = 0;
let files = 0;
const kinds = new Map<string, number>();

/** Runs the program on our interpreter; returns the WAST script asserting what it did. */
function ourScript(prog: ChaosProgram, suffix: string): string {
  const { wat, exports } = renderChaos(prog, suffix);
  const script = parseScript(wat, 'generated.wat');
  // A smaller call stack than the default keeps the unbounded recursion quick; the reference's is 256
  // frames, which the generated programs stay well below otherwise (their fuel bounds the depth).
  const engine = new InterpEngine({ engine: { maxCallDepth: 20_000 } });
  const s = runScript(script, { engine });
  assert.equal(s.failed, 0, `our interpreter rejects the generated module: ${s.results.find((r) => r.outcome === 'failed')?.message}\n${wat}`);
  const lines = [wat];
  for (const { module, name } of exports) {
    const act = `(invoke ${module} ${JSON.stringify(name)})`;
    const cmd = parseScript(act, 'action.wast').commands[0]!;
    assert.ok(cmd.kind === 'action');
    const { line, kind } = outcomeAssertion(engine, cmd.action, act);
    // (the last invocation only returns the state the others left)
    if (name !== 'hash') kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    lines.push(line);
  }
  return lines.join('\n') + '\n';
}

/** Runs the reference interpreter on a script; its output if it disagrees, else null. */
function reference(text: string): Promise<{ file: string; failure: string | null }> {
  const file = join(dir, `c${files++}.wast`);
  writeFileSync(file, text);
  // (its output goes to a file: a pipe would fill up and stop it while we are busy)
  const out = openSync(`${file}.out`, 'w');
  const child = spawn(tool, [file], { stdio: ['ignore', out, out], timeout: 120_000 });
  return new Promise((done, fail) => {
    child.on('error', fail);
    child.on('close', (status) => {
      closeSync(out);
      done({ file, failure: status === 0 ? null : readFileSync(`${file}.out`, 'utf8') });
    });
  });
}

/** the first program that differed, to shrink on its own */
let differs: ChaosProgram | null = null;

async function batchAgrees(batch: readonly ChaosProgram[]): Promise<void> {
  const runs: Promise<{ scripts: string[]; failure: string | null }>[] = [];
  for (let i = 0; i < batch.length; i += CHUNK) {
    // (module names differ from one program to the next: a script may define a name only once)
    const scripts = batch.slice(i, i + CHUNK).map((p, j) => ourScript(p, `_${i + j}`));
    count += scripts.length;
    runs.push(reference(scripts.join('\n')).then(({ failure }) => ({ scripts, failure })));
  }
  for (const [r, { scripts, failure }] of (await Promise.all(runs)).entries()) {
    if (failure === null) continue;
    // name the program that differs (a script's assertions only depend on its own modules)
    for (const [j, text] of scripts.entries()) {
      const one = await reference(text);
      if (one.failure === null) continue;
      differs = batch[r * CHUNK + j]!;
      assert.fail(`the reference interpreter disagrees on ${one.file}:\n${one.failure}\n${text}`);
    }
    assert.fail(`the reference interpreter disagrees on a run but on none of its programs alone:\n${failure}`);
  }
}

async function programAgrees(prog: ChaosProgram): Promise<void> {
  const text = ourScript(prog, '');
  const { file, failure } = await reference(text);
  if (failure !== null) assert.fail(`the reference interpreter disagrees on ${file}:\n${failure}\n${text}`);
}

test('differential (chaos): unstructured WasmFX programs agree with the reference interpreter', { timeout: 1_200_000 }, async (t) => {
  const v = spawnSync(tool, ['-v'], { encoding: 'utf8' }); // builds it on first use
  assert.equal(v.status, 0, v.stderr);
  const batchArb = fc.array(chaosProgramArb, { minLength: BATCH, maxLength: BATCH });
  try {
    await fc.assert(fc.asyncProperty(batchArb, batchAgrees), { seed: SEED, numRuns: Math.ceil(RUNS / BATCH), endOnFailure: true });
  } catch (e) {
    if (differs === null) throw e;
    await fc.assert(fc.asyncProperty(chaosProgramArb, programAgrees), { seed: SEED, numRuns: 1, examples: [[differs]] });
    throw e;
  }
  t.diagnostic(`${count} programs (seed ${SEED}); outcomes: ${[...kinds].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', ')}`);
  // the generator must reach every kind of outcome
  for (const k of ['return', 'trap: unreachable executed', 'trap: integer divide by zero', 'suspension: unhandled tag', 'exhaustion: call stack exhausted']) {
    assert.ok(kinds.has(k), `no program ended with ${k}`);
  }
  assert.ok([...kinds.keys()].some((k) => k.startsWith('exception')), 'no program threw an uncaught exception');
  rmSync(dir, { recursive: true, force: true });
});

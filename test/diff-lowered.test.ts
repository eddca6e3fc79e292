// Differential test of the lowered engine (src/lower/ through the polyfill,
// src/host/polyfill.ts, on the host's V8) against our interpreter, on the
// programs of both generators (test/helpers/wasmfx-gen.ts and
// test/helpers/wasmfx-chaos-gen.ts).
//
// Each program runs on our interpreter first; its outcomes become a WAST
// script of assertions (test/helpers/outcome.ts, as in diff-refinterp and
// diff-chaos), which the host engine (src/script/engine-host.ts) then runs on a
// fresh polyfill namespace, in this process: every command must pass (none
// failed, none skipped), and spectest's `print*` must print the same lines in
// the same order (NaNs alike). fast-check shrinks a failing program.
//
// WASMFX_LOWERED_SEED and WASMFX_LOWERED_RUNS change the seed and the number
// of programs of each generator.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseScript } from '../src/script/script-parser.ts';
import { runScript } from '../src/script/runner.ts';
import { InterpEngine } from '../src/script/engine-interp.ts';
import { hostEngine } from '../src/script/engine-host.ts';
import type { WasmNamespace } from '../src/host/namespace.ts';
import { createPolyfill } from '../src/host/polyfill.ts';
import { hostNamespace } from '../src/host/namespace.ts';
import { lowerModule, WHY_EXPORT } from '../src/lower/index.ts';
import { trapReason } from '../src/lower/rt.ts';
import { encodeModule } from '../src/binary/encoder.ts';
import type { Module as Ast } from '../src/syntax/ast.ts';
import type { ValidModule } from '../src/valid/validator.ts';
import { outcomeAssertion } from './helpers/outcome.ts';
import { programArb, renderProgram, type Program } from './helpers/wasmfx-gen.ts';
import { chaosProgramArb, renderChaos, type ChaosProgram } from './helpers/wasmfx-chaos-gen.ts';

const SEED = Number(process.env.WASMFX_LOWERED_SEED ?? 20260301);
const RUNS = process.env.WASMFX_LOWERED_RUNS === undefined ? undefined : Number(process.env.WASMFX_LOWERED_RUNS);

/** A printed line with every NaN alike: the sign and payload of an arithmetic NaN are the engine's choice. */
const nanless = (line: string): string => line.replace(/-?nan(:0x[0-9a-f]+)?/g, 'nan');

interface Action {
  readonly module?: string;
  readonly name: string;
}

/**
 * Runs a program (its modules `wat`, then `actions`) on our interpreter, then the WAST script of
 * what it did on the lowered engine; fails with the differing command and the script.
 */
/**
 * The host's own `WebAssembly` running modules lowered standalone (no polyfill, nothing of wasmfx
 * linked): what a user who ships `wasmfx lower --standalone`'s output gets, plus the one thing
 * such a user does by hand, the message of a trap of the continuation machine from the module's
 * `wasmfx:why` (an exported function that fails with why set threw for that reason; read, then cleared).
 */
function standaloneNamespace(): WasmNamespace {
  const host = hostNamespace()!;
  const ns = Object.create(host) as Record<PropertyKey, unknown>;
  ns[Symbol.for('wasmfx.compileValidated')] = (ast: Ast, valid: ValidModule): unknown =>
    new host.Module(encodeModule(lowerModule(ast, { valid, standalone: true }).module));
  ns['Instance'] = function Instance(m: unknown, imports: unknown): unknown {
    const inst = new host.Instance(m as never, imports as never);
    const why = inst.exports[WHY_EXPORT] as { value: number } | undefined;
    if (why === undefined) return inst;
    const exports = Object.fromEntries(Object.entries(inst.exports).map(([name, v]) => [name, typeof v !== 'function' ? v : (...args: unknown[]) => {
      try {
        return (v as (...a: unknown[]) => unknown)(...args);
      } catch (e) {
        const reason = trapReason(why.value);
        why.value = 0;
        if (e instanceof host.RuntimeError && reason !== undefined) throw new host.RuntimeError(reason);
        throw e;
      }
    }]));
    return { exports };
  };
  return ns as unknown as WasmNamespace;
}

function lowerAgrees(wat: string, actions: readonly Action[], kinds: Map<string, number>, isolated: boolean | 'standalone' = false): void {
  const printed: string[] = [];
  const engine = new InterpEngine({ engine: { maxCallDepth: 20_000 }, print: (l) => printed.push(l) });
  const s = runScript(parseScript(wat, 'generated.wat'), { engine });
  assert.equal(s.failed, 0, `our interpreter rejects the generated module: ${s.results.find((r) => r.outcome === 'failed')?.message}\n${wat}`);
  const lines = [wat];
  for (const { module, name } of actions) {
    const act = `(invoke ${module === undefined ? '' : `${module} `}${JSON.stringify(name)})`;
    const cmd = parseScript(act, 'action.wast').commands[0]!;
    assert.ok(cmd.kind === 'action');
    const { line, kind } = outcomeAssertion(engine, cmd.action, act);
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    lines.push(line);
  }
  const text = lines.join('\n') + '\n';
  const lowPrinted: string[] = [];
  const ns = isolated === 'standalone' ? standaloneNamespace() : createPolyfill((globalThis as { WebAssembly?: unknown }).WebAssembly, { isolated }) as WasmNamespace;
  const r = runScript(parseScript(text, 'lowered.wast'), { engine: hostEngine(ns, { name: 'lowered', print: (l) => lowPrinted.push(l) }) });
  const bad = r.results.find((c) => c.outcome !== 'passed');
  if (bad !== undefined) {
    const src = text.split('\n')[bad.line - 1]?.trim() ?? '';
    assert.fail(`the lowered engine disagrees: line ${bad.line}: ${bad.kind} ${bad.outcome}: ${bad.message}\n  ${src}\n${text}`);
  }
  if (lowPrinted.map(nanless).join('\n') !== printed.map(nanless).join('\n')) {
    const i = printed.findIndex((l, j) => nanless(lowPrinted[j] ?? '') !== nanless(l));
    const at = i < 0 ? printed.length : i;
    assert.fail(`the lowered engine prints differently: line ${at + 1} of the output: interp ${JSON.stringify(printed[at])}, lowered ${JSON.stringify(lowPrinted[at])}\n${text}`);
  }
}

const summary = (kinds: Map<string, number>): string =>
  [...kinds].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', ');

/** A program of each generator as module text and the actions to run (every test renders them so). */
interface Rendered {
  readonly wat: string;
  readonly actions: readonly Action[];
}
const structured = (prog: Program): Rendered => {
  const { wat, exports } = renderProgram(prog);
  return { wat, actions: exports.map((name) => ({ name })) };
};
// (with legacy try/catch among the try_tables: the lowering rewrites them first)
const unstructured = (prog: ChaosProgram): Rendered => {
  const { wat, exports } = renderChaos(prog, '', { legacyEH: true });
  return { wat, actions: exports };
};

test('differential (lowered): generated WasmFX programs run the same on the lowering polyfill', { timeout: 600_000 }, (t) => {
  const kinds = new Map<string, number>();
  const prop = (prog: Program): void => {
    const { wat, actions } = structured(prog);
    lowerAgrees(wat, actions, kinds);
  };
  fc.assert(fc.property(programArb, prop), { seed: SEED, numRuns: RUNS ?? 300 });
  t.diagnostic(`seed ${SEED}; outcomes: ${summary(kinds)}`);
  for (const k of ['return', 'trap: unreachable executed', 'suspension: unhandled tag', 'exhaustion: call stack exhausted']) {
    assert.ok(kinds.has(k), `no program ended with ${k}`);
  }
});

test('differential (lowered): unstructured WasmFX programs run the same on the lowering polyfill', { timeout: 600_000 }, (t) => {
  const kinds = new Map<string, number>();
  const prop = (prog: ChaosProgram): void => {
    const { wat, actions } = unstructured(prog);
    lowerAgrees(wat, actions, kinds);
  };
  fc.assert(fc.property(chaosProgramArb, prop), { seed: SEED, numRuns: RUNS ?? 300 });
  t.diagnostic(`seed ${SEED}; outcomes: ${summary(kinds)}`);
  for (const k of ['return', 'trap: unreachable executed', 'suspension: unhandled tag', 'exception: unhandled exception']) {
    assert.ok(kinds.has(k), `no program ended with ${k}`);
  }
});

// `wasmfx run` lowers its program isolated (the machine's state in the module's own globals):
// the programs of one module, both generators, on such a polyfill, and lowered standalone (`wasmfx
// lower --standalone`) on the host's WebAssembly (80 of each by default; 2,510
// of one module out of 3,000 agreed with WASMFX_LOWERED_RUNS=1500 WASMFX_LOWERED_SEED=777)
test('differential (lowered, isolated): programs of one module run the same lowered isolated', { timeout: 600_000 }, (t) => {
  const kinds = new Map<string, number>();
  let ran = 0;
  const isolatedAgrees = ({ wat, actions }: Rendered): void => {
    if ((wat.match(/^\s*\(module\b/gm) ?? []).length !== 1) return; // (programs of one module only)
    ran++;
    lowerAgrees(wat, actions, kinds, true);
    // (and lowered standalone, on the host's own WebAssembly)
    lowerAgrees(wat, actions, new Map(), 'standalone');
  };
  fc.assert(fc.property(programArb, (prog) => isolatedAgrees(structured(prog))), { seed: SEED + 1, numRuns: RUNS ?? 80 });
  fc.assert(fc.property(chaosProgramArb, (prog) => isolatedAgrees(unstructured(prog))), { seed: SEED + 1, numRuns: RUNS ?? 80 });
  t.diagnostic(`seed ${SEED + 1}; ${ran} programs of one module; outcomes: ${summary(kinds)}`);
  assert.ok(ran >= 50, `only ${ran} programs of one module`);
  assert.ok(kinds.has('return') && kinds.has('suspension: unhandled tag'), summary(kinds));
});

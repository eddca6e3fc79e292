// Differential test over modules made by Binaryen's fuzzer (`wasm-opt -ttf`,
// binaryen from npm; test/helpers/binaryen-fuzz.ts), whose features are Wasm
// 3.0 (GC, exceptions legacy and new, tail calls, SIMD, multi-value, memory64,
// multi-memory, ...) plus stack switching. Each module goes through every stage
// of ours:
//  - front end: decodes, validates, re-encodes to the same bytes (or to bytes
//    that decode to the same module), prints, parses back to the same module
//    (all but the DataCount section, which the text format cannot say), encodes
//    to the same bytes again, prints again to the same text;
//  - V8 agrees that it is valid: in this process for modules without stack
//    switching, in one child with --experimental-wasm-wasmfx for the others;
//  - execution: test/helpers/fuzz-shell.ts (a host after Binaryen's
//    fuzz_shell.js) runs it twice and the printed lines must agree: our
//    interpreter's namespace (src/host/js-api.ts) against V8's own WebAssembly
//    for modules without stack switching, against the lowering polyfill
//    (src/host/polyfill.ts on V8) for modules with stack switching. The module
//    run has its memories exported, so that the shell prints a digest of them
//    after each export (a stray store shows where it happens);
//  - execution on V8's own stack switching, where V8 runs it: the modules with
//    stack switching run once more with the shell on V8's WasmFX, in a child
//    process with the flags of `--engine native` (NATIVE_FLAGS of
//    src/cli/engines.ts; test/helpers/fuzz-shell-native.ts), and must print the
//    lines of our interpreter. One child runs them all in turn and prints each
//    module's lines as soon as it is done. V8's WasmFX is experimental, so:
//    modules that use `switch` are not run there (V8 has none: it aborts the
//    process, "unimplemented code"), and are counted; a module that kills the
//    child (an abort, a signal, an abnormal exit) is counted as a V8 crash and
//    listed in a diagnostic, and a new child runs the rest; one without a result
//    in 20 s is counted as timed out on V8. A disagreement where V8 ran the
//    module to the end fails the test (unless it is a V8 bug in KNOWN_V8).
//
// What may legitimately differ between the two runs, and how it is compared:
//  - error messages: a trap is compared by its kind (V8's words are mapped to
//    the spec's, src/host/host-errors.ts); other exceptions print their class,
//    never their message;
//  - host limits (stack overflow, out of memory, a too large array, our
//    interpreter's fuel): where an engine stops is its own business, so the
//    lines are compared up to the first host limit of either run;
//  - NaN bits: the sign and payload of a NaN that an operation makes are the
//    engine's choice (the spec's nondeterminism), and they reach the output
//    through stores, reinterpretations and memory digests (the shell prints
//    every NaN number as NaN). A module whose runs differ is generated again
//    with --denan (Binaryen turns every NaN an operation makes into 0, nothing
//    else changes): if that one agrees, the difference was NaN bits and is
//    counted; if not, the --denan module is the one reported (the same for a
//    disagreement on V8's WasmFX);
//  - an unhandled suspension: the interpreter's UnhandledSuspension and the
//    polyfill's RuntimeError "unhandled tag" are both traps to the shell;
//  - a continuation at the JS boundary (against V8's WasmFX only): the JS API
//    of stack switching says nothing of continuations. Ours (and the polyfill)
//    pass them as opaque objects; V8 treats contref, nullcontref and (ref cont)
//    as the JS API treats exnref (a TypeError, null included), refuses a
//    non-null (ref $ct) with a TypeError or lets it through, and aborts when JS
//    touches one. So the shell marks each place where a continuation type meets
//    JS (from the module's types: a call between JS and Wasm whose type has an
//    abstract one, a non-null concrete one crossing), the interpreter's run
//    goes on, V8's run ends there, and the comparison stops at the first mark
//    (counted: "up to a continuation at the JS boundary"). The polyfill's run
//    is compared with the interpreter's without the marks.
// A module that our interpreter cannot finish within its budget (FUEL per call
// from JS, DEADLINE_MS per module) is skipped and counted. Relaxed SIMD is left
// out of the generator's features (its results are the engine's choice by design).
//
// V8 refuses a module that mixes legacy try/catch with try_table unless
// --wasm-allow-mixed-eh-for-testing is set, which this file does before it
// compiles any module (the child with WasmFX has it among NATIVE_FLAGS).
//
// On demand, with any seed and count (and the first module's index, to rerun one):
//   WASMFX_BINARYEN_SEED=7 WASMFX_BINARYEN_RUNS=60 npx node --test test/diff-binaryen.test.ts
//   WASMFX_BINARYEN_SEED=7 WASMFX_BINARYEN_START=41 WASMFX_BINARYEN_RUNS=1 npx node test/diff-binaryen.test.ts
// A disagreement fails the test with the module saved to a temp file and the first differing line;
// a module that disagrees for a known reason (a bug not fixed yet) goes in KNOWN below, one that
// disagrees on V8's WasmFX only because of a V8 bug in KNOWN_V8. The diagnostics say how many
// modules with stack switching ran on V8's WasmFX, agreed, used switch, crashed V8.

import v8 from 'node:v8';
v8.setFlagsFromString('--wasm-allow-mixed-eh-for-testing');

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Module } from '../src/syntax/ast.ts';
import { decodeModule } from '../src/binary/decoder.ts';
import { encodeModule } from '../src/binary/encoder.ts';
import { parseModule } from '../src/text/parser.ts';
import { printModule } from '../src/text/printer.ts';
import { validateModule } from '../src/valid/validator.ts';
import { usesStackSwitching } from '../src/lower/index.ts';
import { WebAssembly as Interp } from '../src/host/js-api.ts';
import { createPolyfill } from '../src/host/polyfill.ts';
import { featuresUsed } from '../src/host/host-runtime.ts';
import { excerpt, generate, generateAll } from './helpers/binaryen-fuzz.ts';
import { runNatively } from './helpers/fuzz-shell-native.ts';
import { firstDifference, isContinuationMark, isHostLimitLine, runFuzzShell, type ShellNamespace, type ShellRun } from './helpers/fuzz-shell.ts';
import { stripOffsets } from './helpers/modules.ts';

const SEED = Number(process.env.WASMFX_BINARYEN_SEED ?? 20260415);
const RUNS = Number(process.env.WASMFX_BINARYEN_RUNS ?? 40);
const START = Number(process.env.WASMFX_BINARYEN_START ?? 0);
/** our interpreter's fuel per call from JS (calls and loop back-edges), and time per module */
const FUEL = 20_000_000;
const DEADLINE_MS = 10_000;

/**
 * Modules that disagree for a known reason, by `seed:index`, with the reason (a bug to fix).
 * (none at present)
 */
const KNOWN: ReadonlyMap<string, string> = new Map<string, string>([]);

/**
 * Stack-switching modules on which V8 with wasmfx runs to the end but disagrees with our
 * interpreter because of a bug of V8's, by `seed:index`, with the reason. They are not run natively.
 * (none at present)
 */
const KNOWN_V8: ReadonlyMap<string, string> = new Map<string, string>([]);

const V8 = (globalThis as unknown as { WebAssembly: ShellNamespace & { validate(b: Uint8Array): boolean } }).WebAssembly;


const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

/** Front end: decode, validate, encode, print, parse, encode. Returns the decoded module; throws at the first stage that fails. */
function frontEnd(bytes: Uint8Array): Module {
  const stage = <T>(name: string, f: () => T): T => {
    try {
      return f();
    } catch (e) {
      throw new Error(`${name}: ${excerpt(e instanceof Error ? e.message : String(e), 600)}`, { cause: e });
    }
  };
  const m = stage('decode', () => decodeModule(bytes));
  stage('validate', () => validateModule(m));
  const encoded = stage('encode', () => encodeModule(m));
  // (Binaryen's encoding is the canonical one so far; another one must at least decode to the same module)
  if (!sameBytes(encoded, bytes)) {
    stage('re-decode', () => assert.deepStrictEqual(stripOffsets(decodeModule(encoded)), stripOffsets(m), 'the re-encoded module decodes differently'));
  }
  const text = stage('print', () => printModule(m));
  const m2 = stage('parse', () => parseModule(text, 'printed.wat'));
  // the text format has no DataCount section: the parser only says whether one is needed
  stage('print/parse', () => assert.deepStrictEqual(stripOffsets({ ...m2, dataCount: m.dataCount }), stripOffsets(m), 'the printed module parses differently'));
  stage('encode printed', () => assert.ok(sameBytes(encodeModule({ ...m2, dataCount: m.dataCount }), encoded), 'the parsed module encodes differently'));
  stage('reprint', () => assert.equal(printModule(m2), text, 'printing the parsed module gives other text'));
  return m;
}

/** V8 with stack switching (a child process) on the modules that use it: the names of those it refuses, with its message. */
function v8ValidatesStackSwitching(files: readonly string[]): string[] {
  if (files.length === 0) return [];
  const script = `
    const fs = require('node:fs');
    for (const f of JSON.parse(process.argv[1])) {
      try { new WebAssembly.Module(fs.readFileSync(f)); } catch (e) { console.log(f + ': ' + String(e.message).slice(0, 300)); }
    }`;
  const r = spawnSync(process.execPath, ['--experimental-wasm-wasmfx', '--wasm-allow-mixed-eh-for-testing', '-e', script, JSON.stringify(files)], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  assert.equal(r.status, 0, `the V8 child failed: ${excerpt(r.stderr ?? '', 600)}`);
  return r.stdout.split('\n').filter((l) => l !== '');
}

/** The module with every memory exported (after its own exports), so that the shell prints their digests. */
function exportMemories(m: Module): Uint8Array {
  const exported = new Set(m.exports.filter((e) => e.kind === 'memory').map((e) => e.index));
  const memories = m.imports.filter((i) => i.desc.kind === 'memory').length + m.memories.length;
  const extra = [];
  for (let i = 0; i < memories; i++) if (!exported.has(i)) extra.push({ name: `__wasmfx_memory${i}`, kind: 'memory' as const, index: i, at: 0 });
  return encodeModule({ ...m, exports: [...m.exports, ...extra] });
}

type Checked =
  | {
      readonly kind: 'agree'; readonly ss: boolean; readonly limited: boolean; readonly instantiated: boolean;
      /** the module run (memories exported), whether it uses switch, and our interpreter's lines */
      readonly run: Uint8Array; readonly usesSwitch: boolean; readonly lines: readonly string[];
    }
  | { readonly kind: 'timed out'; readonly ss: boolean }
  | { readonly kind: 'refused by V8' | 'front end' | 'shell' | 'disagree'; readonly ss?: boolean; readonly message: string };

/** Every stage of ours on one module, then the two runs. */
function check(wasm: Uint8Array): Checked {
  let m: Module;
  try {
    m = frontEnd(wasm);
  } catch (e) {
    return { kind: 'front end', message: (e as Error).message };
  }
  const ss = usesStackSwitching(m);
  if (!ss && !V8.validate(wasm)) {
    let why = '';
    try {
      new V8.Module(wasm);
    } catch (e) {
      why = (e as Error).message;
    }
    return { kind: 'refused by V8', ss, message: excerpt(why) };
  }
  const run = exportMemories(m);
  const interrupt = new Int32Array(1);
  let ours: ShellRun;
  let theirs: ShellRun;
  try {
    ours = runFuzzShell(Interp as unknown as ShellNamespace, run, {
      instanceOptions: { engineOptions: { fuel: FUEL, interrupt } },
      deadline: Date.now() + DEADLINE_MS,
      interrupt,
      memoryDigests: true,
      // (for the comparison with V8's WasmFX; the polyfill's run has no marks)
      markContinuations: ss,
    });
    if (ours.timedOut) return { kind: 'timed out', ss };
    theirs = runFuzzShell((ss ? createPolyfill(V8 as never) : V8) as unknown as ShellNamespace, run, { memoryDigests: true });
  } catch (e) {
    return { kind: 'shell', ss, message: excerpt((e as Error).stack ?? String(e), 800) };
  }
  const plain = ours.lines.filter((l) => !isContinuationMark(l));
  const d = firstDifference(plain, theirs.lines);
  if (d === null) {
    return {
      kind: 'agree', ss, run, usesSwitch: featuresUsed(m).has('switch'), lines: ours.lines,
      limited: [...plain, ...theirs.lines].some(isHostLimitLine),
      instantiated: !(plain[0]?.includes('failed to instantiate') ?? false),
    };
  }
  return { kind: 'disagree', ss, message: disagreement(plain, theirs.lines, d.index, ss ? 'polyfill' : 'V8') };
}

/** What V8 said as it died (`# Fatal error ... unimplemented code`, `abort: ...`), for a diagnostic. */
function crashWords(output: string): string {
  const words = output.split('\n').map((l) => l.replace(/^#\s*/, '').trim())
    .filter((l) => /^(Fatal error|abort|Check failed|unimplemented|Debug check failed)|error/i.test(l) && !/^FailureMessage/.test(l));
  return words.length === 0 ? '' : `: ${excerpt(words.slice(0, 2).join('; '), 120)}`;
}

/** Where two runs' lines disagree, with the lines before. */
function disagreement(ours: readonly string[], theirs: readonly string[], index: number, other: string): string {
  const context = ours.slice(Math.max(0, index - 3), index).map((l) => `    ${excerpt(l, 200)}`).join('\n');
  return `interp and ${other} disagree at output line ${index + 1}:\n${context}\n  interp: ${excerpt(ours[index] ?? '(end)', 300)}\n  ${other}: ${excerpt(theirs[index] ?? '(end)', 300)}`;
}

test(`differential (Binaryen's fuzzer): seed ${SEED}, ${RUNS} modules`, { timeout: 3_600_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'wasmfx-binaryen-'));
  const counts = {
    generated: 0, wasmOptFailed: 0, frontEnd: 0, ss: 0, interpVsV8: 0, interpVsPolyfill: 0, lines: 0,
    hostLimited: 0, notInstantiable: 0, nanOnly: 0, timedOut: 0, known: 0,
  };
  const wasmOptFailures: string[] = [];
  const failures: string[] = [];
  const ssFiles: string[] = [];
  /** stack-switching modules on V8 with wasmfx */
  type ToRun = { readonly index: number; readonly denan: boolean; readonly file: string; readonly lines: readonly string[] };
  const toRun: ToRun[] = [];
  const native = { switch: 0, known: 0, ran: 0, agreed: 0, nanOnly: 0, cut: 0, lines: 0, total: 0, crashed: [] as string[], timedOut: [] as string[] };
  const save = (index: number, bytes: Uint8Array, suffix = ''): string => {
    const file = join(dir, `seed${SEED}-${index}${suffix}.wasm`);
    writeFileSync(file, bytes);
    return file;
  };

  for await (const g of generateAll(SEED, RUNS, 2, START)) {
    if (!g.ok) {
      counts.wasmOptFailed++;
      wasmOptFailures.push(`#${g.index}: ${g.reason}`);
      continue;
    }
    counts.generated++;
    const { index } = g;
    if (KNOWN.has(`${SEED}:${index}`)) {
      counts.known++;
      continue;
    }
    let wasm = g.wasm;
    const first = check(wasm);
    let r = first;
    let denan = false;
    if (r.kind === 'disagree') {
      // NaN bits are the engine's choice (f64.max of a NaN and 1.189 is any arithmetic NaN, say),
      // and a NaN's bits reach the output through stores and reinterpretations. The same module
      // with --denan (every NaN an operation makes turned into 0) must agree, else it is the one reported.
      const d = await generate(SEED, index, ['--denan']);
      if (d.ok) {
        const rd = check(d.wasm);
        if (rd.kind === 'agree') {
          counts.nanOnly++;
          r = rd;
        } else if (rd.kind === 'disagree' || rd.kind === 'front end' || rd.kind === 'refused by V8' || rd.kind === 'shell') {
          [wasm, r, denan] = [d.wasm, rd, true];
        }
      }
    }
    const where = (): string => `module #${index} of seed ${SEED}${denan ? ' (--denan)' : ''}, saved as ${save(index, wasm, denan ? '-denan' : '')}`;
    switch (r.kind) {
      case 'front end':
        failures.push(`front end, ${where()}: ${r.message}`);
        continue;
      case 'refused by V8':
        counts.frontEnd++;
        failures.push(`V8 refuses a module we validate, ${where()}: ${r.message}`);
        continue;
      case 'shell':
      case 'disagree':
        counts.frontEnd++;
        failures.push(`${r.kind === 'shell' ? 'the shell failed' : 'the engines disagree'}, ${where()}: ${r.message}`);
        continue;
      case 'timed out':
        counts.frontEnd++;
        counts.timedOut++;
        break;
      case 'agree':
        counts.frontEnd++;
        if (r.ss) counts.interpVsPolyfill++;
        else counts.interpVsV8++;
        counts.lines += r.lines.filter((l) => !isContinuationMark(l)).length;
        if (r.limited) counts.hostLimited++;
        if (!r.instantiated) counts.notInstantiable++;
        break;
    }
    if (r.ss === true) {
      counts.ss++;
      ssFiles.push(save(index, wasm));
      if (r.kind === 'agree') {
        if (r.usesSwitch) native.switch++;
        else if (KNOWN_V8.has(`${SEED}:${index}`)) native.known++;
        else toRun.push({ index, denan: r !== first, file: save(index, r.run, '-run'), lines: r.lines });
      }
    }
  }

  // The same modules on V8's own stack switching, where V8 runs them
  const nativeRuns = await runNatively(toRun.map((m) => m.file));
  const disagreeing: { m: ToRun; message: string }[] = [];
  for (const m of toRun) {
    const n = nativeRuns.get(m.file)!;
    const where = `module #${m.index} of seed ${SEED}${m.denan ? ' (--denan)' : ''}, saved as ${m.file}`;
    switch (n.kind) {
      case 'crashed':
        native.crashed.push(`#${m.index} (${n.how}${crashWords(n.output)})`);
        break;
      case 'timed out':
        native.timedOut.push(`#${m.index}`);
        break;
      case 'shell':
        failures.push(`the shell failed on V8 with wasmfx, ${where}: ${n.message}`);
        break;
      case 'ran': {
        native.ran++;
        const d = firstDifference(m.lines, n.lines, isContinuationMark);
        // (the lines before the first continuation mark of either run are compared)
        const marks = [m.lines, n.lines].map((ls) => ls.findIndex(isContinuationMark)).filter((i) => i >= 0);
        if (marks.length > 0) native.cut++;
        native.lines += Math.min(m.lines.length, ...marks);
        native.total += m.lines.length;
        if (d === null) native.agreed++;
        else disagreeing.push({ m, message: disagreement(m.lines, n.lines, d.index, 'V8 (wasmfx)') });
        break;
      }
    }
  }
  // (as above: a module that disagrees only in NaN bits agrees once generated with --denan)
  for (const { m, message } of disagreeing) {
    let report = `interp and V8 with wasmfx disagree, module #${m.index} of seed ${SEED}${m.denan ? ' (--denan)' : ''}, saved as ${m.file}: ${message}`;
    if (!m.denan) {
      const d = await generate(SEED, m.index, ['--denan']);
      const rd = d.ok ? check(d.wasm) : undefined;
      if (rd?.kind === 'agree' && !rd.usesSwitch) {
        const file = save(m.index, rd.run, '-denan-run');
        const n = (await runNatively([file])).get(file)!;
        if (n.kind === 'ran') {
          const dd = firstDifference(rd.lines, n.lines, isContinuationMark);
          if (dd === null) {
            native.agreed++;
            native.nanOnly++;
            continue;
          }
          report = `interp and V8 with wasmfx disagree, module #${m.index} of seed ${SEED} (--denan), saved as ${file}: ` +
            disagreement(rd.lines, n.lines, dd.index, 'V8 (wasmfx)');
        }
      }
    }
    failures.push(report);
  }

  // V8 with stack switching validates the modules that use it (one child for all)
  const refused = v8ValidatesStackSwitching(ssFiles);
  for (const line of refused) failures.push(`V8 (--experimental-wasm-wasmfx) refuses a module we validate: ${line}`);

  t.diagnostic(
    `seed ${SEED}, modules ${START}..${START + RUNS - 1}: ${counts.generated} generated (${counts.wasmOptFailed} wasm-opt failures), ` +
      `${counts.frontEnd} through the front end and valid on V8 (${counts.ss} with stack switching, ${refused.length} of them refused by V8 with wasmfx); ` +
      `executed and compared: ${counts.interpVsV8} interp vs V8, ${counts.interpVsPolyfill} interp vs polyfill, ${counts.lines} lines ` +
      `(${counts.nanOnly} agree only with --denan, ${counts.hostLimited} up to a host limit, ${counts.notInstantiable} trap while instantiating); ` +
      `skipped: ${counts.timedOut} over our interpreter's budget, ${counts.known} known disagreements`,
  );
  t.diagnostic(
    `stack switching on V8 with wasmfx: ${native.ran} run natively, ${native.agreed} agree with interp (${native.nanOnly} only with --denan), ` +
      `${native.lines} of their ${native.total} lines compared (${native.cut} modules up to a continuation at the JS boundary); ` +
      `not run: ${native.switch} use switch, ${native.known} known V8 bugs; ${native.crashed.length} crashed V8, ${native.timedOut.length} timed out on V8`,
  );
  if (native.crashed.length > 0) t.diagnostic(`crashed V8 with wasmfx: ${native.crashed.join(', ')}`);
  if (native.timedOut.length > 0) t.diagnostic(`timed out on V8 with wasmfx: ${native.timedOut.join(', ')}`);
  for (const w of wasmOptFailures.slice(0, 5)) t.diagnostic(`wasm-opt failed on ${w}`);
  // (the saved modules are kept for a failure's report only)
  if (failures.length === 0) rmSync(dir, { recursive: true, force: true });
  assert.ok(failures.length === 0, `${failures.length} problem(s):\n${failures.slice(0, 10).join('\n\n')}`);
  assert.ok(counts.generated > 0 || RUNS === 0, 'wasm-opt generated no module');
});

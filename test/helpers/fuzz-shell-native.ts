// test/helpers/fuzz-shell.ts on V8's own stack switching (Node's
// --experimental-wasm-wasmfx, with the flags of `--engine native`,
// src/cli/engines.ts), which this process has no flag for: the modules run in a
// child process that runs the shell on its `globalThis.WebAssembly`.
//
// V8's WasmFX is experimental: running a module may abort or crash the whole
// process (it has no `switch`, and it aborts on some other modules). So the
// child prints each module's result, one JSON line, as soon as it is done, and
// when it dies the module it was running is reported as crashed and a new child
// takes the rest.
//
// Run as a program, this file is the child: `node FLAGS fuzz-shell-native.ts
// FILES.json` runs each .wasm file of the list in order.

import { spawn } from 'node:child_process';
import { readFileSync, writeSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { NATIVE_FLAGS } from '../../src/cli/engines.ts';
import { runFuzzShell, type ShellNamespace } from './fuzz-shell.ts';

/** What V8 with stack switching did with one module. */
export type NativeRun =
  | { readonly kind: 'ran'; readonly lines: string[] }
  /** the shell itself threw (a bug of the shell, or something V8 threw where no JS code expects it) */
  | { readonly kind: 'shell'; readonly message: string }
  /** the child died running it: a signal, an abort (V8's "Fatal error"), an abnormal exit */
  | { readonly kind: 'crashed'; readonly how: string; readonly output: string }
  /** no result within the time given to one module (the child was killed) */
  | { readonly kind: 'timed out' };

type ChildLine = { readonly file: string; readonly lines?: string[]; readonly error?: string };

/** Keep the head of a crashing child's stderr only (V8 prints a stack trace, Node its own). */
const HEAD = 2000;

/**
 * Runs the shell (with memory digests and continuation marks) on each file with V8's stack switching, in as few child
 * processes as crashes allow. `perModuleMs` bounds the time of one module.
 */
export async function runNatively(files: readonly string[], perModuleMs = 20_000): Promise<Map<string, NativeRun>> {
  const results = new Map<string, NativeRun>();
  let rest = [...files];
  while (rest.length > 0) {
    const batch = rest;
    const { done, stderr, how } = await runChild(batch, perModuleMs);
    for (const [file, run] of done) results.set(file, run);
    rest = batch.filter((f) => !done.has(f));
    if (rest.length === 0) break;
    // the child stopped before the end: the module it was running is the culprit
    const culprit = rest[0]!;
    results.set(culprit, how === 'timed out' ? { kind: 'timed out' } : { kind: 'crashed', how, output: stderr.trim() });
    rest = rest.slice(1);
  }
  return results;
}

/** One child on `files`: the results it printed before it ended, and how it ended. */
function runChild(files: readonly string[], perModuleMs: number): Promise<{ done: Map<string, NativeRun>; stderr: string; how: string }> {
  const self = fileURLToPath(import.meta.url);
  const child = spawn(process.execPath, [...NATIVE_FLAGS, self, JSON.stringify(files)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const done = new Map<string, NativeRun>();
  let stdout = '';
  let stderr = '';
  let timedOut = false;
  let timer: NodeJS.Timeout;
  const arm = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, perModuleMs);
  };
  arm();
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (s: string) => {
    stdout += s;
    let nl: number;
    while ((nl = stdout.indexOf('\n')) >= 0) {
      const line = stdout.slice(0, nl);
      stdout = stdout.slice(nl + 1);
      if (line === '') continue;
      const r = JSON.parse(line) as ChildLine;
      done.set(r.file, r.error !== undefined ? { kind: 'shell', message: r.error } : { kind: 'ran', lines: r.lines ?? [] });
      arm();
    }
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (s: string) => {
    if (stderr.length < HEAD) stderr += s.slice(0, HEAD);
  });
  return new Promise((resolve, reject) => {
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      const how = timedOut ? 'timed out' : signal !== null ? `signal ${signal}` : `exit ${status}`;
      if (!timedOut && status === 0 && done.size < files.length) {
        reject(new Error(`the V8 child ended normally after ${done.size} of ${files.length} modules: ${stderr}`));
        return;
      }
      resolve({ done, stderr, how });
    });
  });
}

// ---- the child -----------------------------------------------------------------------------

if (import.meta.main) {
  const ns = (globalThis as unknown as { WebAssembly: ShellNamespace }).WebAssembly;
  for (const file of JSON.parse(process.argv[2]!) as string[]) {
    let out: ChildLine;
    try {
      out = { file, lines: runFuzzShell(ns, new Uint8Array(readFileSync(file)), { memoryDigests: true, markContinuations: 'stop' }).lines };
    } catch (e) {
      out = { file, error: String((e as Error)?.stack ?? e).slice(0, 800) };
    }
    // (synchronously: a crash in the next module must not lose this line)
    writeSync(1, `${JSON.stringify(out)}\n`);
  }
}

// Modules from Binaryen's fuzzer: `wasm-opt -ttf INPUT -o OUT.wasm` (binaryen
// from npm) turns arbitrary bytes into a valid module that imports the
// "fuzzing-support" functions of test/helpers/fuzz-shell.ts. The input bytes
// come from a small seeded PRNG, so that a (seed, index) pair names one module
// forever (for a given binaryen version and feature list).
//
// wasm-opt is an Emscripten build: it prints a multi-megabyte blob of its own
// source when it aborts. Its output is collected into a bounded buffer and
// only a short excerpt of it is ever reported.

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './spec.ts';

const WASM_OPT = join(repoRoot, 'node_modules', 'binaryen', 'bin', 'wasm-opt');

/**
 * The features the fuzzer may use: Wasm 3.0 plus stack switching, i.e. what our
 * front end and interpreter implement and V8 runs (stack switching on the
 * interpreter, the polyfill and, but for switch, V8's WasmFX). Left out: relaxed SIMD (its results are
 * nondeterministic by design, so two engines may legitimately differ), threads
 * and shared-everything (no shared memories here), strings, fp16,
 * custom descriptors, wide arithmetic, multibyte, custom page sizes,
 * compact imports, relaxed/acquire-release atomics (proposals we do not implement).
 */
export const FUZZ_FEATURES: readonly string[] = [
  'sign-ext', 'mutable-globals', 'nontrapping-float-to-int', 'simd', 'bulk-memory', 'bulk-memory-opt',
  'call-indirect-overlong', 'exception-handling', 'tail-call', 'reference-types', 'multivalue', 'gc',
  'memory64', 'extended-const', 'multimemory', 'stack-switching',
];

/** mulberry32: a tiny 32-bit PRNG, deterministic across platforms. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** The fuzzer's input for module `index` of run `seed`: 1 to 40 KiB of PRNG bytes. */
export function fuzzInput(seed: number, index: number): Uint8Array {
  // (one PRNG per module, so that module i does not depend on how many came before)
  const next = mulberry32((Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0);
  const size = 1024 + (next() % (39 * 1024));
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i += 4) {
    const w = next();
    for (let j = 0; j < 4 && i + j < size; j++) bytes[i + j] = (w >>> (8 * j)) & 0xff;
  }
  return bytes;
}

/** At most `max` characters of a tool's output, for messages. */
export const excerpt = (s: string, max = 400): string => {
  const t = s.trim();
  return t.length <= max ? t : `${t.slice(0, max)}... (${t.length} characters)`;
};

export type Generated =
  | { readonly ok: true; readonly index: number; readonly wasm: Uint8Array }
  | { readonly ok: false; readonly index: number; readonly reason: string };

/**
 * Runs wasm-opt -ttf on module `index` of run `seed`, in a child process. `extra` are more
 * options of wasm-opt, e.g. `--denan` (the same module with every NaN a float operation makes
 * replaced by 0).
 */
export function generate(seed: number, index: number, extra: readonly string[] = [], features: readonly string[] = FUZZ_FEATURES): Promise<Generated> {
  const dir = mkdtempSync(join(tmpdir(), 'wasmfx-ttf-'));
  const input = join(dir, 'input.dat');
  const output = join(dir, 'out.wasm');
  writeFileSync(input, fuzzInput(seed, index));
  // (wasm-opt runs for a fraction of a second, mostly compiling its own Wasm: Liftoff alone and
  // lazily halves that, and changes nothing in what it writes)
  const node = ['--liftoff-only', '--wasm-lazy-compilation'];
  const args = [...node, WASM_OPT, '-ttf', input, '-o', output, ...features.map((f) => `--enable-${f}`), ...extra];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
  // (keep the head of the output only: an abort prints megabytes)
  let out = '';
  const keep = (b: Buffer): void => {
    if (out.length < 4096) out += b.toString('utf8', 0, Math.min(b.length, 4096));
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  return new Promise((done) => {
    const finish = (r: Generated): void => {
      rmSync(dir, { recursive: true, force: true });
      done(r);
    };
    child.on('error', (e) => finish({ ok: false, index, reason: `wasm-opt did not start: ${e.message}` }));
    child.on('close', (status, signal) => {
      if (status !== 0) {
        finish({ ok: false, index, reason: `wasm-opt ${signal ?? `exit ${status}`}: ${excerpt(out, 200)}` });
        return;
      }
      try {
        finish({ ok: true, index, wasm: new Uint8Array(readFileSync(output)) });
      } catch (e) {
        finish({ ok: false, index, reason: `no output: ${(e as Error).message}` });
      }
    });
  });
}

/**
 * Modules `start .. start+count-1` of run `seed` in index order, generated `concurrency` at a
 * time ahead of the consumer (which checks one while the next ones generate).
 */
export async function* generateAll(seed: number, count: number, concurrency = 2, start = 0): AsyncGenerator<Generated> {
  const pending: Promise<Generated>[] = [];
  let next = start;
  const refill = (): void => {
    while (pending.length < concurrency && next < start + count) pending.push(generate(seed, next++));
  };
  refill();
  while (pending.length > 0) {
    const r = await pending.shift()!;
    refill();
    yield r;
  }
}

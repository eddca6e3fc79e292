// One fresh-process run for bench/interp.ts: instantiates FILE on ENGINE through the package's
// API (as `wasmfx run` does; host: V8's own WebAssembly) and prints the milliseconds of one call of FN(ARG), with nothing
// warmed up: what a user's first call costs, tier-up and deoptimisations included.
//   node bench/run-once.ts interp|host FILE FN ARG

import { readFileSync } from 'node:fs';
import { instantiate } from '../src/index.ts';

const [engine, file, fn, arg] = process.argv.slice(2) as [string, string, string, string];
const bytes = readFileSync(file);
// (the project's type libraries leave WebAssembly out; Node has it)
const host = (globalThis as unknown as { WebAssembly: { instantiate(b: Uint8Array): Promise<{ instance: { exports: Record<string, unknown> } }> } }).WebAssembly;
const { instance } = engine === 'host' ? await host.instantiate(bytes) : await instantiate(bytes, {}, { engine: engine as 'interp' | 'lowered' });
const f = instance.exports[fn] as (n: number) => number;
const t = performance.now();
const r = f(Number(arg));
console.log(`${(performance.now() - t).toFixed(3)} ${r}`);

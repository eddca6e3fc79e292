// `wasmfx run` on the engines that run on a `WebAssembly` namespace (lowered, host, native)
// runs the program in a worker thread with a big stack. The lowered engine keeps what a
// WasmFX engine puts on separate stacks on the one native stack: a resume nested inside a
// fiber nests a few Wasm frames deeper, and Node's default stack (about 1 MB) gives out after
// some 1,300 nested fibers (a prime sieve pipeline of 1,300 stages), where V8's WasmFX and the
// interpreter go on. With THREAD_STACK_MB the same programs run to hundreds of thousands of
// levels; deeper still, the trap is `call stack exhausted` as before.
//
// The thread writes the program's output and errors itself (synchronously, as WASI does, so
// the order is kept) and posts back the exit code.

import { writeSync } from 'node:fs';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { engineEntry, loadEngines } from './engines.ts';
import { reportError } from './io.ts';

/** The stack of the thread, MB (virtual memory: only what is used is touched). */
export const THREAD_STACK_MB = 256;

export interface RunTask {
  readonly engine: string;
  readonly file: string;
  readonly args: readonly string[];
  readonly invoke?: string;
  readonly wasi: { readonly env: readonly string[]; readonly dirs: readonly string[] };
}

const TAG = 'wasmfx-run';

/** Runs the program in a worker thread; resolves to the exit code. */
export function runInThread(task: RunTask): Promise<number> {
  return new Promise((resolve, reject) => {
    const w = new Worker(new URL(import.meta.url), { workerData: { tag: TAG, task }, resourceLimits: { stackSizeMb: THREAD_STACK_MB } });
    let code: number | undefined;
    w.on('message', (c: number) => void (code = c));
    w.once('error', reject); // not an error of the program (the thread reports those): a bug of ours
    w.once('exit', (c) => resolve(code ?? c));
  });
}

async function runTask(task: RunTask): Promise<number> {
  const out = (line: string): void => void writeSync(1, line + '\n');
  const err = (text: string): void => void writeSync(2, text + '\n');
  try {
    const entry = engineEntry(task.engine);
    const [{ runProgramOnHost }] = await Promise.all([import('./run-host.ts'), loadEngines()]);
    const opts = { ...entry.options, ...(task.invoke !== undefined ? { invoke: task.invoke } : {}), wasi: task.wasi };
    return runProgramOnHost(task.file, task.args, opts, (entry.program ?? entry.namespace!)(), out, err);
  } catch (e) {
    return reportError(e, (t) => void writeSync(2, t));
  }
}

if (!isMainThread && (workerData as { tag?: string } | null)?.tag === TAG) {
  parentPort!.postMessage(await runTask((workerData as { task: RunTask }).task));
}

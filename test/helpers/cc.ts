// Building C programs with `wasmfx cc` (src/cc/driver.ts) and running them as
// WASI commands on each engine, in this process where the engine allows
// (interp, lowered, host) and through the CLI for native (a child Node with
// V8's flags). Builds are kept per process: several tests share them.

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { compileC, type FiberBackend } from '../../src/cc/driver.ts';
import { createWasi, type Wasi } from '../../src/host/wasi.ts';
import { instantiate } from '../../src/host/js-api.ts';
import { hostNamespace } from '../../src/host/namespace.ts';
import { writeFileSync } from 'node:fs';
import { repoRoot } from './spec.ts';

export type Engine = 'interp' | 'lowered' | 'host' | 'native';

const builds = new Map<string, Promise<Uint8Array>>();

/** The module of C sources built with a backend (once per process). */
export function build(sources: readonly string[], fiber: FiberBackend, extra: { stackSize?: number } = {}): Promise<Uint8Array> {
  const key = `${fiber} ${extra.stackSize ?? ''} ${sources.join(' ')}`;
  let b = builds.get(key);
  if (b === undefined) {
    b = compileC(sources, { fiber, cwd: repoRoot, ...extra }).then((r) => r.wasm);
    builds.set(key, b);
  }
  return b;
}

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** the linear memory's size at the end, bytes (in-process engines) */
  readonly memory?: number;
}

const decoder = new TextDecoder();
const main = join(repoRoot, 'src', 'cli', 'main.ts');

/** Runs a WASI program with arguments (argv[0] is "prog.wasm"); a trap gives code 1 and its message on stderr. */
export async function run(engine: Engine, wasm: Uint8Array, args: readonly string[], scratch: string): Promise<RunResult> {
  if (engine === 'native') {
    const file = join(scratch, `native-${Math.random().toString(36).slice(2)}.wasm`);
    writeFileSync(file, wasm);
    const r = spawnSync(process.execPath, [main, 'run', '--engine', 'native', file, ...args], { timeout: 300_000, encoding: 'utf8' });
    return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr.replaceAll(file, 'prog.wasm') };
  }
  let stdout = '';
  let stderr = '';
  const wasi: Wasi = createWasi({
    args: ['prog.wasm', ...args],
    stdout: (b) => void (stdout += decoder.decode(b)),
    stderr: (b) => void (stderr += decoder.decode(b)),
    stdin: () => new Uint8Array(0),
  });
  let instance: { exports: Record<string, unknown> };
  if (engine === 'host') instance = new (hostNamespace()!.Instance)(new (hostNamespace()!.Module)(wasm), wasi.imports as never) as never;
  else instance = (await instantiate(wasm, wasi.imports as never, { engine })).instance as never;
  const memory = (): number => (instance.exports['memory'] as { buffer: ArrayBuffer }).buffer.byteLength;
  try {
    const code = wasi.start(instance);
    return { code, stdout, stderr, memory: memory() };
  } catch (e) {
    return { code: 1, stdout, stderr: stderr + `prog.wasm: ${(e as Error).message}\n`, memory: memory() };
  }
}

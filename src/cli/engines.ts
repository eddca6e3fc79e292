// The execution engines of `wasmfx wast` and `wasmfx run`, one entry each.
//
//   interp   wasmfx's interpreter (the default)
//   host     the host's own `WebAssembly` (V8 in Node), no lowering: stack switching is
//            not there, so scripts that need it are skipped
//   lowered  the polyfill: stack switching lowered to plain Wasm (src/lower/), run by the host
//   native   V8's experimental stack switching: the command re-runs itself in a child
//            Node with the V8 flags that enable it
//
// An engine that runs on a `WebAssembly`-shaped namespace gives `namespace`; the CLI
// makes its WAST engine with `hostEngine(ns, ...)` and runs programs on it. This is the
// extension point for the lowering polyfill: `lowered` is one more entry whose namespace
// lowers stack switching to plain Wasm before handing modules to the host.

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { hostNamespace, type WasmNamespace } from '../host/namespace.ts';
import type { HostRuntimeOptions } from '../host/host-runtime.ts';
import { LOWERING_NEEDS, runsLoweredModules } from '../host/host-wasm3.ts';
import { CliError } from './io.ts';

/**
 * What the engines' namespaces need (the polyfill and with it the lowering compiler), loaded by
 * loadEngines before a namespace is made: `wasmfx run` starts its worker thread without loading
 * them on the main thread first (about 40 ms less before the program starts).
 */
let deps: { createPolyfill: typeof import('../host/polyfill.ts').createPolyfill; hostSupports: typeof import('../host/host-runtime.ts').hostSupports } | undefined;

export async function loadEngines(): Promise<void> {
  if (deps !== undefined) return;
  const [p, h] = await Promise.all([import('../host/polyfill.ts'), import('../host/host-runtime.ts')]);
  deps = { createPolyfill: p.createPolyfill, hostSupports: h.hostSupports };
}

const loaded = (): NonNullable<typeof deps> => {
  if (deps === undefined) throw new Error('the engines are not loaded (loadEngines)');
  return deps;
};

export interface EngineEntry {
  readonly name: string;
  readonly description: string;
  /** the namespace the engine runs on (absent: the interpreter) */
  readonly namespace?: () => WasmNamespace;
  /**
   * the namespace for `wasmfx run`, when it differs: one program, no other module to share
   * continuations with (absent: `namespace`)
   */
  readonly program?: () => WasmNamespace;
  /**
   * Node/V8 flags the engine needs: when this process lacks the feature they enable
   * (`present`), the command re-runs itself in a child Node with them.
   */
  readonly reexec?: { readonly nodeFlags: readonly string[]; readonly present: () => boolean };
  /** why this host cannot run the engine at all (undefined: it can) */
  readonly unavailable?: () => string | undefined;
  /** how the namespace runs modules: why stack switching is missing, features it cannot run */
  readonly options?: Pick<HostRuntimeOptions, 'stackSwitchingReason' | 'lacks'>;
}

const theHost = (): WasmNamespace => {
  const ns = hostNamespace();
  if (ns === undefined) throw new CliError('this JavaScript host has no WebAssembly');
  return ns;
};

/**
 * The V8 flags of `--engine native` (Node 26: V8's WasmFX support; its load elimination miscompiles
 * continuations; it refuses legacy exception instructions next to try_table without the last one).
 */
export const NATIVE_FLAGS: readonly string[] = ['--experimental-wasm-wasmfx', '--no-turboshaft-wasm-load-elimination', '--wasm-allow-mixed-eh-for-testing'];

export const ENGINES: Readonly<Record<string, EngineEntry>> = {
  interp: { name: 'interp', description: "wasmfx's interpreter" },
  host: {
    name: 'host',
    description: "the host's WebAssembly (V8), without lowering",
    namespace: theHost,
  },
  lowered: {
    name: 'lowered',
    description: 'stack switching lowered to plain Wasm 3.0, run by the host (the polyfill)',
    namespace: () => loaded().createPolyfill(theHost()) as unknown as WasmNamespace,
    // the module's own globals for the continuation machine's state (LowerOptions.isolated):
    // V8 reads them with fewer loads than imported ones (round trip 0.88-0.92x, bench/README)
    program: () => loaded().createPolyfill(theHost(), { isolated: true }) as unknown as WasmNamespace,
    unavailable: () => (runsLoweredModules(theHost()) ? undefined : `${LOWERING_NEEDS} (Node ${process.version})`),
  },
  native: {
    name: 'native',
    description: "the host's WebAssembly with V8's experimental stack switching",
    namespace: theHost,
    reexec: { nodeFlags: NATIVE_FLAGS, present: () => loaded().hostSupports(theHost(), 'stack-switching') },
    // (an older Node refuses the flags: "bad option", exit status 9, for every script)
    unavailable: () => (knowsFlags(NATIVE_FLAGS) ? undefined : `this Node (${process.version}) has no V8 stack switching to enable (it refuses ${NATIVE_FLAGS.join(' ')}; Node 26 has it)`),
    options: {
      stackSwitchingReason: 'the host lacks stack switching (run with --experimental-wasm-wasmfx)',
      // V8 (Node 26) compiles switch but aborts the process ("unimplemented code") running it
      lacks: { switch: 'V8 does not implement switch (it aborts running it)' },
    },
  },
};

export const ENGINE_NAMES: readonly string[] = Object.keys(ENGINES);

/** The entry of an engine name (commander checks the choices). */
export const engineEntry = (name: string): EngineEntry => {
  const e = ENGINES[name];
  if (e === undefined) throw new CliError(`unknown engine ${name}`);
  return e;
};

/**
 * The engine a command runs on: the one asked for, which must be available on this host; without
 * one, `fallback` (the lowered engine for `wasmfx run`), or the interpreter where the host cannot
 * run that.
 */
export function chooseEngine(asked: string | undefined, fallback: string): EngineEntry {
  const e = engineEntry(asked ?? fallback);
  const why = e.unavailable?.();
  if (why === undefined) return e;
  if (asked === undefined) return ENGINES.interp!;
  throw new CliError(`--engine ${asked}: ${why}; --engine interp runs everything`);
}

/** Does this Node accept these V8 flags? (asked once: `node FLAGS --version`, about 10 ms) */
const known = new Map<string, boolean>();
function knowsFlags(flags: readonly string[]): boolean {
  if (flags.every((f) => process.execArgv.includes(f))) return true;
  const key = flags.join(' ');
  let ok = known.get(key);
  if (ok === undefined) {
    ok = spawnSync(process.execPath, [...flags, '--version'], { stdio: 'ignore', timeout: 30_000 }).status === 0;
    known.set(key, ok);
  }
  return ok;
}

/** Set in the environment of a re-run child (so that it never re-runs itself again). */
const CHILD_ENV = 'WASMFX_ENGINE_CHILD';

/** Should this command re-run itself in a child (the engine's feature is missing here)? */
export async function needsReexec(e: EngineEntry): Promise<boolean> {
  if (e.reexec === undefined) return false;
  await loadEngines();
  if (e.reexec.present()) return false;
  if (process.env[CHILD_ENV] === e.name) {
    throw new CliError(`--engine ${e.name}: this Node (${process.version}) does not enable the feature with ${e.reexec.nodeFlags.join(' ')}`);
  }
  return true;
}

/** The path of the CLI's entry point (src/cli/main.ts, or dist/cli/main.js once built). */
const mainPath = (): string => fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? './main.ts' : './main.js', import.meta.url));

export interface ChildResult {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  /** the child's standard output, when captured */
  readonly stdout: string;
}

/**
 * Runs `wasmfx ARGS` (with the same `--engine`) in a child Node with the engine's flags. `capture`: collect standard
 * output (standard error always passes through); else it passes through too.
 */
export function runChild(e: EngineEntry, args: readonly string[], capture: boolean): ChildResult {
  const flags = e.reexec?.nodeFlags ?? [];
  const execArgv = process.execArgv.filter((a) => !flags.includes(a));
  const r = spawnSync(process.execPath, [...execArgv, ...flags, mainPath(), ...args], {
    env: { ...process.env, [CHILD_ENV]: e.name },
    stdio: ['inherit', capture ? 'pipe' : 'inherit', 'inherit'],
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  });
  if (r.error) throw new CliError(`cannot run ${process.execPath}: ${r.error.message}`);
  return { status: r.status, signal: r.signal, stdout: capture ? r.stdout : '' };
}

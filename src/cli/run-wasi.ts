// `wasmfx run` for WASI programs: modules that import from `wasi_snapshot_preview1` (C
// programs compiled for wasm32-wasip1). The same on every engine (src/host/wasi.ts): argv is
// the file as given then the program's arguments, the environment only what `--env` gives,
// `--dir HOST[::GUEST]` preopens host directories as sandboxes, the standard streams are the
// process's; `_start` runs, and the exit code is proc_exit's (0 when `_start` returns).

import type { Module } from '../syntax/ast.ts';
import { LinkError } from '../util/errors.ts';
import type { SourceFile } from '../util/source.ts';
import { WASIProcExit, createWasi, type Wasi } from '../host/wasi.ts';
import { CliError, UsageError, displayName } from './io.ts';
import { isRuntimeImport, unknownImport } from '../lower/error.ts';

/** `run`'s WASI options, as given on the command line. */
export interface WasiRunOptions {
  /** `K=V` (K not empty) */
  readonly env: readonly string[];
  /** `HOST[::GUEST]` */
  readonly dirs: readonly string[];
}

export const isWasiProgram = (m: Module): boolean => m.imports.some((im) => im.module === 'wasi_snapshot_preview1');

/**
 * The WASI environment of a run of `file`. CliError when it is not a command or a directory
 * cannot be preopened; LinkError when it imports anything but WASI's functions (and, when the
 * engine links the runtime, `linksRuntime`, what a program lowered beforehand imports of it).
 */
export function wasiFor(
  file: string, args: readonly string[], m: Module, source: SourceFile, o: WasiRunOptions, invoke: string | undefined,
  linksRuntime = false,
): Wasi {
  const name = displayName(file);
  if (invoke !== undefined) throw new UsageError(`${name}: a WASI program runs its _start (--invoke is for modules without WASI imports)`);
  const kinds = new Map(m.exports.map((e) => [e.name, e.kind]));
  if (kinds.get('_start') !== 'func') throw new CliError(`${name}: a WASI command exports a function "_start"; this module does not`);
  if (kinds.get('memory') !== 'memory') throw new CliError(`${name}: a WASI command exports its memory as "memory"; this module does not`);
  const env = Object.fromEntries(o.env.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
  const preopens = o.dirs.map((d) => {
    const i = d.indexOf('::');
    return i < 0 ? { host: d, guest: d } : { host: d.slice(0, i), guest: d.slice(i + 2) };
  });
  let wasi: Wasi;
  try {
    wasi = createWasi({ args: [file, ...args], env, preopens });
  } catch (e) {
    throw new CliError(`--dir: ${(e as Error).message}`);
  }
  // (the engines would say it in their own words, or not at all: a JS function fits any function type)
  const provided = wasi.imports.wasi_snapshot_preview1;
  for (const im of m.imports) {
    // (a program lowered beforehand: the lowered engine's namespace links its runtime)
    if (isRuntimeImport(im.module) && linksRuntime) continue;
    if (im.module !== 'wasi_snapshot_preview1' || im.desc.kind !== 'func' || !Object.hasOwn(provided, im.name)) {
      throw new LinkError(unknownImport(im.module, im.name), im.at, source);
    }
  }
  return wasi;
}

/**
 * Instantiates and runs a WASI program: its exit code. Traps propagate; a proc_exit while
 * instantiating (in a start function) is an exit too.
 */
export function runWasi(wasi: Wasi, instantiate: (imports: Wasi['imports']) => { readonly exports: object }): number {
  try {
    return wasi.start(instantiate(wasi.imports));
  } catch (e) {
    if (e instanceof WASIProcExit) return e.code;
    throw e;
  }
}

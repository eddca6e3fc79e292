// `wasmfx run --engine host|native`: `wasmfx run` on a `WebAssembly`-shaped
// namespace (src/host/host-runtime.ts) instead of the interpreter. Same
// interface: spectest imports (its print functions write to stdout), the
// export chosen as `run` chooses it, arguments parsed per parameter type,
// results printed one per line (exactly: floats through their bits), and a
// trap, stack exhaustion or uncaught exception prints `file: message` and exits 1.
// The host gives no Wasm backtrace; trap messages are the host's own words.
// A WASI program (run-wasi.ts) is instantiated with the WASI imports and runs its `_start`.

import { validateModule } from '../valid/validator.ts';
import { typeName, displayValue } from '../script/values.ts';
import { nulls, type Value } from '../runtime/value.ts';
import { WasmError } from '../util/errors.ts';
import { classifyHostError } from '../host/host-errors.ts';
import { HostRuntime, MissingFeature, type HostRuntimeOptions } from '../host/host-runtime.ts';
import type { WasmNamespace } from '../host/namespace.ts';
import { CliError, UsageError, displayName } from './io.ts';
import { loadModuleFile } from './load.ts';
import { entryPoint, parseProgramArg } from './run.ts';
import { isWasiProgram, runWasi, wasiFor, type WasiRunOptions } from './run-wasi.ts';
import { trapReason, WHY_EXPORT } from '../lower/rt.ts';

export interface HostRunOptions extends Omit<HostRuntimeOptions, 'print'> {
  readonly invoke?: string;
  /** for WASI programs */
  readonly wasi?: WasiRunOptions;
}

/** Runs a program on a namespace; returns the exit code. Prints results with `out`, errors with `err`. */
export function runProgramOnHost(
  file: string, args: readonly string[], opts: HostRunOptions, ns: WasmNamespace,
  out: (line: string) => void, err: (text: string) => void,
): number {
  const { module, source } = loadModuleFile(file);
  const valid = validateModule(module, source);
  const loaded = { module, valid, source };
  const { invoke, wasi: wasiOpts, ...rtOpts } = opts;
  const rt = new HostRuntime(ns, { ...rtOpts, print: out });
  const name = displayName(file);
  let compiled;
  try {
    compiled = rt.compile(loaded);
  } catch (e) {
    if (e instanceof MissingFeature) throw new CliError(`${name}: ${e.message}`);
    throw new CliError(`${name}: the host does not compile this module: ${(e as Error).message}`);
  }
  const wasi = isWasiProgram(module) ? wasiFor(file, args, module, source, wasiOpts ?? { env: [], dirs: [] }, invoke, rt.linksRuntime) : undefined;
  let exports: Record<string, unknown> | undefined;
  try {
    if (wasi !== undefined) {
      return runWasi(wasi, (imports) => {
        const i = new ns.Instance(compiled, imports);
        exports = i.exports as Record<string, unknown>;
        return i;
      });
    }
    const inst = rt.instantiate(loaded, compiled);
    exports = inst.exports as Record<string, unknown>;
    const kinds = new Map(module.exports.map((e) => [e.name, e.kind]));
    const entry = entryPoint(file, kinds, invoke, module.start !== null);
    if (entry === undefined) return 0; // the start function was the program, and it has run
    const ft = rt.funcType(inst, entry);
    const sig = `${entry}(${ft.params.map(typeName).join(', ')})`;
    if (args.length !== ft.params.length) {
      throw new UsageError(`${sig} takes ${ft.params.length} argument${ft.params.length === 1 ? '' : 's'}, got ${args.length}`);
    }
    const values: Value[] = nulls(args.length); // generic: keeps f64 NaN payloads
    args.forEach((a, i) => (values[i] = parseProgramArg(a, ft.params[i]!, i, sig)));
    const { values: results, types } = rt.call(inst, entry, values);
    results.forEach((v, i) => out(displayValue(v, types[i]!)));
    return 0;
  } catch (e) {
    if (e instanceof CliError || e instanceof MissingFeature) throw e instanceof MissingFeature ? new CliError(`${name}: ${e.message}`) : e;
    if (e instanceof WasmError) throw e.in(source);
    const c = classifyHostError(e, ns);
    if (c === undefined) throw e;
    const what = c.kind === 'unlinkable' ? 'link error: ' : '';
    // a module lowered standalone beforehand: a trap of its continuation machine is `unreachable`
    // with the reason in its global wasmfx:why (docs/lowering.md, "Standalone modules")
    const reason = c.kind === 'trap' ? trapReason((exports?.[WHY_EXPORT] as { value?: unknown } | undefined)?.value) : undefined;
    if (reason !== undefined) {
      err(`${name}: ${reason}`);
      return 1;
    }
    err(`${name}: ${what}${c.mapped ? c.text : c.messages[0]}`);
    return 1;
  }
}

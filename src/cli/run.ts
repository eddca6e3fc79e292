// `wasmfx run`: instantiates a module with the interpreter and calls one of
// its exports (`_start`, else `main`, or `--invoke NAME`), with arguments
// parsed from the command line per the parameter types; prints the results
// one per line. Runtime errors (traps, exhaustion, unhandled tags or
// exceptions) print `file: message` and the Wasm backtrace, and exit 1.
//
// Host imports come from a HostEnvironment: a Linker (src/script/linker.ts)
// with `spectest` today, plus hooks after instantiation and for exit codes,
// so that WASI plugs in by extending `hostEnvironment`.

import { validateModule } from '../valid/validator.ts';
import { funcTypeOf, type CValType } from '../valid/types.ts';
import { RuntimeError, formatBacktrace } from '../util/errors.ts';
import { nulls, type ExternVal, type FuncInst, type Instance, type Value } from '../runtime/value.ts';
import { instantiate } from '../runtime/instantiate.ts';
import { invoke, type EngineOptions } from '../exec/engine.ts';
import { standardLinker, type Linker } from '../script/linker.ts';
import { argTypeSupported, displayValue, parseArg, typeName } from '../script/values.ts';
import { CliError, UsageError, displayName, loadModuleFile } from './io.ts';

export interface RunOptions {
  readonly invoke?: string;
  readonly fuel?: number;
}

/** What the program sees of its environment (for host modules such as WASI). */
export interface ProgramContext {
  /** the module file, as given */
  readonly file: string;
  /** the arguments after the file */
  readonly args: readonly string[];
  /** where the program's standard output goes (spectest's print functions write there) */
  readonly stdout: (line: string) => void;
}

/** The host side of a program: its importable modules and hooks around the run. */
export interface HostEnvironment {
  readonly linker: Linker;
  /** called once the module is instantiated, before its export runs (e.g. WASI finds the memory) */
  readonly bind?: (inst: Instance) => void;
  /** the exit code an error of a host function stands for (e.g. WASI's proc_exit), else undefined */
  readonly exitCode?: (e: unknown) => number | undefined;
}

/** The host modules available to programs: `spectest` today; WASI is one more `linker.define` here. */
export function hostEnvironment(ctx: ProgramContext): HostEnvironment {
  return { linker: standardLinker({ print: ctx.stdout }) };
}

/** Runs a program; returns the process exit code. Prints results with `out`, errors with `err`. */
export function runProgram(
  file: string, args: readonly string[], opts: RunOptions,
  out: (line: string) => void, err: (text: string) => void,
): number {
  const { module, source } = loadModuleFile(file);
  const vm = validateModule(module, source);
  const engineOpts: EngineOptions | undefined = opts.fuel === undefined ? undefined : { fuel: opts.fuel };
  const call = (f: FuncInst, a: Value[]): Value[] => (engineOpts === undefined ? invoke(f, a) : invoke(f, a, engineOpts));
  const host = hostEnvironment({ file, args, stdout: out });
  try {
    const imports = host.linker.resolve(vm, source);
    const inst = instantiate(vm, imports, { invoke: call });
    host.bind?.(inst);

    const name = entryPoint(file, new Map([...inst.exports].map(([n, e]) => [n, e.kind])), opts.invoke, module.start !== null);
    if (name === undefined) return 0; // the start function was the program, and it has run
    const ex = inst.exports.get(name) as Extract<ExternVal, { kind: 'func' }>;
    const ft = funcTypeOf(ex.value.type);
    const sig = `${name}(${ft.params.map(typeName).join(', ')})`;
    if (args.length !== ft.params.length) {
      throw new UsageError(`${sig} takes ${ft.params.length} argument${ft.params.length === 1 ? '' : 's'}, got ${args.length}`);
    }
    const values: Value[] = nulls(args.length); // generic: keeps f64 NaN payloads
    args.forEach((a, i) => (values[i] = parseProgramArg(a, ft.params[i]!, i, sig)));
    const results = call(ex.value, values);
    results.forEach((v, i) => out(displayValue(v, ft.results[i]!)));
    return 0;
  } catch (e) {
    const code = host.exitCode?.(e);
    if (code !== undefined) return code;
    if (e instanceof RuntimeError) {
      const bt = e.backtrace.length === 0 ? '' : `\nwasm backtrace:\n${formatBacktrace(e.backtrace)}`;
      err(`${displayName(file)}: ${e.detail}${bt}`);
      return 1;
    }
    throw e;
  }
}

/**
 * The export a program runs: `--invoke NAME`, else `_start`, else `main`; undefined when there
 * is neither but a start function (which was the program). Throws CliError when there is nothing
 * to run or the name is not an exported function. `kinds`: the kind of each export.
 */
export function entryPoint(file: string, kinds: ReadonlyMap<string, string>, invoke: string | undefined, hasStart: boolean): string | undefined {
  const funcs = [...kinds].filter(([, k]) => k === 'func').map(([n]) => n);
  let name = invoke;
  if (name === undefined) {
    name = ['_start', 'main'].find((n) => kinds.get(n) === 'func');
    if (name === undefined) {
      if (hasStart) return undefined;
      throw new CliError(
        `${displayName(file)}: no _start or main export to run; choose one with --invoke NAME` +
          (funcs.length > 0 ? ` (exported functions: ${funcs.join(', ')})` : ' (it exports no functions)'),
      );
    }
  }
  const kind = kinds.get(name);
  if (kind !== 'func') {
    throw new CliError(
      `${displayName(file)}: ${kind === undefined ? 'no export' : `export is a ${kind}, not a function:`} ${JSON.stringify(name)}` +
        (funcs.length > 0 ? ` (exported functions: ${funcs.join(', ')})` : ''),
    );
  }
  return name;
}

/** Parses a program argument for parameter `i` of type `t` (UsageError when it does not fit). */
export function parseProgramArg(text: string, t: CValType, i: number, sig: string): Value {
  if (!argTypeSupported(t)) throw new UsageError(`${sig}: argument ${i + 1} has type ${typeName(t)}, which cannot be given on the command line`);
  const v = parseArg(text, t);
  if (v === null) throw new UsageError(`${sig}: argument ${i + 1}: ${JSON.stringify(text)} is not a valid ${typeName(t)}`);
  return v;
}

#!/usr/bin/env node
// The `wasmfx` command. Exit codes: 0 success, 1 bad input or failed
// checks, 2 usage errors. Bad input never shows a JavaScript stack trace:
// WasmErrors print as `file:line:col: message` (text) or
// `file: offset 0x..: message` (binary).

import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { CliError, UsageError, displayName, reportError, writeOutput } from './io.ts';
import { LowerError } from '../lower/error.ts';
import type { WastOptions } from './wast.ts';
import { ENGINES, ENGINE_NAMES, chooseEngine, engineEntry, loadEngines, needsReexec, runChild } from './engines.ts';
import { VERSION } from '../version.ts';

const out = (line: string): void => void process.stdout.write(line + '\n');
const collect = (v: string, all: string[]): string[] => [...all, v];
// (what the commands need, loaded by the commands that need it: `run` starts its worker without them)
const load = () => import('./load.ts');
const validator = () => import('../valid/validator.ts');
const encoder = () => import('../binary/encoder.ts');
const printer = () => import('../text/printer.ts');

function program(): Command {
  const p = new Command('wasmfx')
    .description('A toolchain and runtime for WebAssembly stack switching (WasmFX typed continuations)')
    .version(VERSION, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .enablePositionalOptions()
    .exitOverride();

  p.command('parse')
    .description('convert a text module (.wat) to a binary module (.wasm)')
    .argument('<input>', 'text module, or - for standard input')
    .option('-o, --output <file>', 'output file (default: the input name with .wasm; standard output for -)')
    .option('--no-validate', 'skip validation')
    .action(async (input: string, o: { output?: string; validate: boolean }) => {
      const [{ loadModuleFile }, { validateModule }, { encodeModule }] = await Promise.all([load(), validator(), encoder()]);
      const { module, source } = loadModuleFile(input);
      if (o.validate) validateModule(module, source);
      const output = o.output ?? (input === '-' ? '-' : input.replace(/\.(wat|wast|txt)$/i, '') + '.wasm');
      writeOutput(output, encodeModule(module));
    });

  p.command('print')
    .description('print a module (binary or text) as readable WebAssembly text')
    .argument('<input>', 'binary or text module, or - for standard input')
    .option('-o, --output <file>', 'output file (default: standard output)')
    .action(async (input: string, o: { output?: string }) => {
      const [{ loadModuleFile }, { decodeNames }, { printModule }] = await Promise.all([load(), import('../binary/names.ts'), printer()]);
      const { module } = loadModuleFile(input);
      // a custom section never fails a module: a name section we cannot read is only a warning
      if (module.customs.some((c) => c.name === 'name' && decodeNames(c.bytes) === null)) {
        process.stderr.write(`wasmfx: warning: ${displayName(input)}: the name section is malformed; printed without its names\n`);
      }
      writeOutput(o.output, printModule(module));
    });

  p.command('lower')
    .description('rewrite a module that uses stack switching into plain Wasm 3.0 (runs on any current engine)')
    .argument('<input>', 'binary or text module, or - for standard input')
    .option('-o, --output <file>', 'output file (default: the input name with .lowered.wasm; standard output for -)')
    .option('--print', 'write the lowered module as text')
    .option('--isolated', "keep the continuation machine's state in the module's own globals (faster; its continuations then never meet another module's: docs/lowering.md)")
    .option('--standalone', "isolated, and importing nothing of wasmfx: runs on any engine with Wasm 3.0 without the polyfill (its traps are then `unreachable`, their reason in the exported global wasmfx:why)")
    .option('--stats', 'say on standard error what the lowering did: functions instrumented, suspension sites, functions added, size')
    .action(async (input: string, o: { output?: string; print?: boolean; isolated?: boolean; standalone?: boolean; stats?: boolean }) => {
      const [{ loadModuleFile }, { validateModule }, { lowerModule }, { printModule }, { encodeModule }] =
        await Promise.all([load(), validator(), import('../lower/index.ts'), printer(), encoder()]);
      const { module, source } = loadModuleFile(input);
      const valid = validateModule(module, source);
      let lowered, stats;
      try {
        ({ module: lowered, stats } = lowerModule(module, { valid, isolated: o.isolated === true, standalone: o.standalone === true }));
      } catch (e) {
        if (e instanceof LowerError) e.source ??= source; // (the report names the file)
        throw e;
      }
      const ext = o.print ? '.lowered.wat' : '.lowered.wasm';
      const output = o.output ?? (input === '-' ? '-' : input.replace(/\.(wat|wast|wasm|txt)$/i, '') + ext);
      let bytes: Uint8Array | undefined; // (encoded once, when the output or --stats needs it)
      const encoded = (): Uint8Array => (bytes ??= encodeModule(lowered));
      writeOutput(output, o.print ? printModule(lowered) : encoded());
      if (o.stats) {
        // (sizes as wasmfx encodes both: a producer's padded LEB128s do not count)
        const before = encodeModule(module).length;
        const after = encoded().length;
        const n = (x: number): string => x.toLocaleString('en-US');
        process.stderr.write(
          `${displayName(input)}: ${n(stats.funcs)} functions, ${n(stats.instrumented)} instrumented (they may suspend or resume), ` +
            `${n(stats.sites)} suspension sites, ${n(stats.added)} functions added; ${n(before)} -> ${n(after)} bytes (${(after / before).toFixed(2)}x)\n`,
        );
      }
    });

  p.command('validate')
    .description('check that a module (binary or text) is valid; exit 0 when it is')
    .argument('<input>', 'binary or text module, or - for standard input')
    .option('-q, --quiet', 'print nothing when valid')
    .action(async (input: string, o: { quiet?: boolean }) => {
      const [{ loadModuleFile }, { validateModule }] = await Promise.all([load(), validator()]);
      const { module, source } = loadModuleFile(input);
      validateModule(module, source);
      if (!o.quiet) out(`${displayName(input)}: valid`);
    });

  const engineHelp = `execution engine: ${ENGINE_NAMES.map((n) => `${n} (${ENGINES[n]!.description})`).join(', ')}`;

  p.command('wast')
    .description('run WAST test scripts (files or directories of .wast files) with the interpreter or another engine')
    .argument('<files...>', 'scripts or directories')
    .option('--validate-only', 'run only the commands that need no execution; count the others as skipped')
    .addOption(new Option('--engine <engine>', engineHelp).choices(ENGINE_NAMES).default('interp'))
    .option('-v, --verbose', 'print every command')
    .option('-q, --quiet', 'do not show the output of spectest\'s print functions (shown by default, as the reference interpreter shows it)')
    // the protocol of scripts run in a child process (--engine native): JSON lines
    .addOption(new Option('--json').hideHelp())
    .action(async (files: string[], o: { validateOnly?: boolean; engine: string; verbose?: boolean; quiet?: boolean; json?: boolean }) => {
      const entry = o.validateOnly ? engineEntry(o.engine) : chooseEngine(o.engine, 'interp');
      const [{ runScriptInChild, runWastFiles }] = await Promise.all([import('./wast.ts'), loadEngines()]);
      // spectest's print functions show their output unless --quiet
      const print = o.json ? (line: string) => out(JSON.stringify({ print: line })) : out;
      const shows = !o.quiet;
      let opts: WastOptions = { verbose: !!o.verbose, json: !!o.json };
      if (o.validateOnly) {
        // no engine: validation only
      } else if (await needsReexec(entry)) {
        // each script in its own child Node with the engine's flags
        opts = { ...opts, runFile: (file, report) => runScriptInChild(entry, file, !!o.verbose, !!o.quiet, report, out) };
      } else if (entry.namespace) {
        const ns = entry.namespace();
        const { HostEngine } = await import('../script/engine-host.ts');
        const hopts = { name: entry.name, ...entry.options, ...(shows ? { print } : {}) };
        opts = { ...opts, engine: () => new HostEngine(ns, hopts) };
      } else {
        const { InterpEngine } = await import('../script/engine-interp.ts');
        opts = { ...opts, engine: () => new InterpEngine(shows ? { print } : {}) };
      }
      const s = runWastFiles(files, opts, out);
      if (o.json) out(JSON.stringify({ summary: { passed: s.passed, failed: s.failed, skipped: s.skipped } }));
      else out(`${s.passed} passed, ${s.failed} failed, ${s.skipped} skipped`);
      if (s.failed > 0) process.exitCode = 1;
    });

  p.command('cc')
    .description('compile C (wasm32-wasip1, Clang from npm) into a runnable module, with the fiber library (fiber.h, fiber_switch.h) on the chosen backend')
    .usage('[options] <file.c...> -o <out.wasm>')
    .argument('<files...>', 'C sources; other arguments starting with - go to clang (e.g. -Wall, -std=c17, -Wl,...)')
    .addOption(new Option('--fiber <backend>', 'fiber backend: wasmfx (continuations) or asyncify (Binaryen)').choices(['wasmfx', 'asyncify']).default('wasmfx'))
    .option('-o, --output <file>', 'output module', 'a.out.wasm')
    .option('-O <level>', 'optimisation level: 0, 1, 2, 3, s or z', '2')
    .option('-I <dir>', 'add a directory to the include search path (repeatable)', collect, [])
    .option('-D <name[=value]>', 'define a macro (repeatable)', collect, [])
    .option('--fiber-stack-size <bytes>', 'the shadow stack of each fiber (default 32768)', (v: string) => {
      const n = Number(v);
      if (!/^\d+$/.test(v) || n < 1024 || n > 1 << 30) throw new InvalidArgumentError('a number of bytes from 1024 to 2^30');
      return n;
    })
    .allowUnknownOption()
    .addHelpText('after', '\nExample: wasmfx cc --fiber=asyncify examples/fibers/hello.c -o hello.wasm && wasmfx run hello.wasm')
    .action(async (files: string[], o: { fiber: 'wasmfx' | 'asyncify'; output: string; O: string; I: string[]; D: string[]; fiberStackSize?: number }) => {
      if (!/^[0123sz]$/.test(o.O)) throw new UsageError(`-O${o.O}: the level is one of 0, 1, 2, 3, s, z`);
      const { compileC } = await import('../cc/driver.ts');
      const { ToolError } = await import('../cc/toolchain.ts');
      const sources = files.filter((f) => !f.startsWith('-'));
      const clangArgs = files.filter((f) => f.startsWith('-'));
      try {
        const r = await compileC(sources, {
          fiber: o.fiber, opt: o.O as '2', includeDirs: o.I, defines: o.D, clangArgs,
          ...(o.fiberStackSize !== undefined ? { stackSize: o.fiberStackSize } : {}),
        });
        if (r.warnings.trim() !== '') process.stderr.write(r.warnings.endsWith('\n') ? r.warnings : r.warnings + '\n');
        writeOutput(o.output, r.wasm);
      } catch (e) {
        if (!(e instanceof ToolError)) throw e;
        process.stderr.write(e.message + '\n');
        process.exitCode = 1;
      }
    });

  p.command('run')
    .description('run a module (by default on the lowered engine; --engine interp for backtraces and --fuel): call its _start (or main) export and print the results, or run a WASI program')
    .usage('[options] <file> [args...]')
    .argument('<file>', 'binary or text module')
    .argument('[args...]', 'arguments of the function, one per parameter (i32/i64: decimal or 0x hex; f32/f64: decimal, hex, inf, nan); of a WASI program: its argv')
    .addOption(new Option('--engine <engine>', engineHelp).choices(ENGINE_NAMES))
    .option('--invoke <name>', 'the exported function to call (default: _start, else main)')
    .option('--fuel <n>', 'stop with an error after about n instructions', (v: string) => {
      const n = Number(v);
      if (!/^\d+$/.test(v) || !Number.isSafeInteger(n)) throw new InvalidArgumentError('not a non-negative integer');
      return n;
    })
    .addOption(new Option('--env <K=V>', 'set an environment variable of a WASI program (repeatable; it sees none of the host\'s)')
      .argParser((v: string, all: string[]) => {
        if (v.indexOf('=') <= 0) throw new InvalidArgumentError('not K=V');
        return [...all, v];
      }).default([], 'none'))
    .addOption(new Option('--dir <HOST[::GUEST]>', 'let a WASI program use host directory HOST, as GUEST (default: HOST as given); it cannot leave it (repeatable)')
      .argParser((v: string, all: string[]) => [...all, v]).default([], 'none'))
    .passThroughOptions()
    .addHelpText('after', '\nOptions go before the file: everything after it belongs to the program.\nA WASI program (one importing wasi_snapshot_preview1) gets them as its argv, after the file name, and runs its _start.\nExit status: 0 on success (a WASI program: its exit code), 1 when the module traps or is invalid, 2 on bad usage or arguments.')
    .action(async (file: string, args: string[], o: { invoke?: string; fuel?: number; engine?: string; env: string[]; dir: string[] }) => {
      // the lowered engine by default (the interpreter on a host without Wasm 3.0); --fuel needs the interpreter
      const entry = chooseEngine(o.engine, o.fuel !== undefined ? 'interp' : 'lowered');
      const err = (t: string): void => void process.stderr.write(t + '\n');
      const wasi = { env: o.env, dirs: o.dir };
      if (entry.namespace) {
        if (o.fuel !== undefined) throw new UsageError('--fuel works with --engine interp only');
        if (await needsReexec(entry)) {
          // run again in a child Node with the engine's flags
          const opts = [
            ...(o.invoke !== undefined ? ['--invoke', o.invoke] : []), ...o.env.flatMap((e) => ['--env', e]), ...o.dir.flatMap((d) => ['--dir', d]),
          ];
          const r = runChild(entry, ['run', '--engine', entry.name, ...opts, file, ...args], false);
          if (r.signal !== null) err(`wasmfx: the engine aborted (signal ${r.signal})`);
          process.exitCode = r.status ?? 1;
          return;
        }
        // in a thread with a big stack (run-thread.ts)
        const { runInThread } = await import('./run-thread.ts');
        process.exitCode = await runInThread({ engine: entry.name, file, args, ...(o.invoke !== undefined ? { invoke: o.invoke } : {}), wasi });
        return;
      }
      const { runProgram } = await import('./run.ts');
      const opts = { ...(o.invoke !== undefined ? { invoke: o.invoke } : {}), ...(o.fuel !== undefined ? { fuel: o.fuel } : {}), wasi };
      process.exitCode = runProgram(file, args, opts, out, err);
    });

  return p;
}

export async function main(argv: readonly string[]): Promise<void> {
  // output into a pipe that closed early (`wasmfx ... | head`): stop quietly, as other tools do
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw e;
    });
  }
  try {
    await program().parseAsync(argv as string[], { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      // help and version exit 0; everything else commander reports is a usage error
      process.exitCode = e.exitCode === 0 ? 0 : 2;
      return;
    }
    process.exitCode = reportError(e, (t) => void process.stderr.write(t));
  }
}

await main(process.argv.slice(2));

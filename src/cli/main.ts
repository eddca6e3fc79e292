#!/usr/bin/env node
// The `wasmfx` command. Exit codes: 0 success, 1 bad input or failed
// checks, 2 usage errors. Bad input never shows a JavaScript stack trace:
// WasmErrors print as `file:line:col: message` (text) or
// `file: offset 0x..: message` (binary).

import { Command, CommanderError, Option } from 'commander';
import { encodeModule } from '../binary/encoder.ts';
import { printModule } from '../text/printer.ts';
import { validateModule } from '../valid/validator.ts';
import { isWasmError } from '../util/errors.ts';
import { CliError, displayName, loadModuleFile, writeOutput } from './io.ts';
import { runWastFiles } from './wast.ts';
import { VERSION } from '../version.ts';

const out = (line: string): void => void process.stdout.write(line + '\n');

function program(): Command {
  const p = new Command('wasmfx')
    .description('A toolchain and runtime for WebAssembly stack switching (WasmFX typed continuations)')
    .version(VERSION, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  p.command('parse')
    .description('convert a text module (.wat) to a binary module (.wasm)')
    .argument('<input>', 'text module, or - for standard input')
    .option('-o, --output <file>', 'output file (default: the input name with .wasm; standard output for -)')
    .option('--no-validate', 'skip validation')
    .action((input: string, o: { output?: string; validate: boolean }) => {
      const { module, source } = loadModuleFile(input);
      if (o.validate) validateModule(module, source);
      const output = o.output ?? (input === '-' ? '-' : input.replace(/\.(wat|wast|txt)$/i, '') + '.wasm');
      writeOutput(output, encodeModule(module));
    });

  p.command('print')
    .description('print a module (binary or text) as readable WebAssembly text')
    .argument('<input>', 'binary or text module, or - for standard input')
    .option('-o, --output <file>', 'output file (default: standard output)')
    .action((input: string, o: { output?: string }) => {
      const { module } = loadModuleFile(input);
      writeOutput(o.output, printModule(module));
    });

  p.command('validate')
    .description('check that a module (binary or text) is valid; exit 0 when it is')
    .argument('<input>', 'binary or text module, or - for standard input')
    .option('-q, --quiet', 'print nothing when valid')
    .action((input: string, o: { quiet?: boolean }) => {
      const { module, source } = loadModuleFile(input);
      validateModule(module, source);
      if (!o.quiet) out(`${displayName(input)}: valid`);
    });

  p.command('wast')
    .description('run WAST test scripts (files or directories of .wast files)')
    .argument('<files...>', 'scripts or directories')
    .option('--validate-only', 'run only the commands that need no execution; count the others as skipped')
    .addOption(new Option('--engine <engine>', 'execution engine').choices(['interp']))
    .option('-v, --verbose', 'print every command')
    .action((files: string[], o: { validateOnly?: boolean; engine?: string; verbose?: boolean }) => {
      if (!o.validateOnly) {
        throw new CliError('wast: no execution engine is available yet; run with --validate-only');
      }
      const s = runWastFiles(files, { validateOnly: true, verbose: !!o.verbose }, out);
      out(`${s.passed} passed, ${s.failed} failed, ${s.skipped} skipped`);
      if (s.failed > 0) process.exitCode = 1;
    });

  return p;
}

export function main(argv: readonly string[]): void {
  try {
    program().parse(argv as string[], { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      // help and version exit 0; everything else commander reports is a usage error
      process.exitCode = e.exitCode === 0 ? 0 : 2;
      return;
    }
    process.exitCode = 1;
    if (isWasmError(e)) process.stderr.write(`${e.format()}\n`);
    else if (e instanceof CliError) process.stderr.write(`wasmfx: ${e.message}\n`);
    else {
      // A bug of ours, not of the input: say so, without a stack trace unless asked for.
      const detail = process.env.WASMFX_DEBUG ? (e as Error).stack : String((e as Error)?.message ?? e);
      process.stderr.write(`wasmfx: internal error: ${detail}\n`);
    }
  }
}

main(process.argv.slice(2));

// `wasmfx wast`: runs WAST scripts and prints a line per failure and a summary.
//
// Engines that need other Node flags (`--engine native`) run each script in a child
// process (`runScriptInChild`): one script that aborts the engine does not take the
// others down. The child speaks JSON lines on its standard output (`--json`): one
// `{"result": CommandResult}` per command, `{"print": line}` for spectest output,
// and `{"summary": ...}` at the end; a child that ends without a summary aborted.

import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseScript } from '../script/script-parser.ts';
import { lineIndex } from '../util/source.ts';
import { runScript, describe, type CommandResult, type RunSummary, type ScriptEngine } from '../script/runner.ts';
import { CliError, decodeText, readInput } from './io.ts';
import { runChild, type EngineEntry } from './engines.ts';

export interface WastOptions {
  /** makes a fresh engine for each script; absent: validate-only */
  readonly engine?: () => ScriptEngine;
  readonly verbose: boolean;
  /** runs one script another way (in a child process); default: in this process with `engine` */
  readonly runFile?: (file: string, report: (r: CommandResult) => void) => RunSummary;
  /** reports every command as a JSON line (the child's side of `runScriptInChild`) */
  readonly json?: boolean;
}

/** Expands directories into the .wast files below them, sorted. */
function expandWastPaths(paths: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (p: string, top: boolean): void => {
    let st;
    try {
      st = statSync(p);
    } catch {
      throw new CliError(`${p}: no such file or directory`);
    }
    if (st.isDirectory()) {
      for (const e of readdirSync(p).sort()) walk(join(p, e), false);
    } else if (top || p.endsWith('.wast')) {
      out.push(p);
    }
  };
  for (const p of paths) walk(p, true);
  return out;
}

/** Runs the scripts; returns the summed counts. Prints failures (and everything with verbose). */
export function runWastFiles(paths: readonly string[], opts: WastOptions, print: (line: string) => void): RunSummary {
  const total: RunSummary = { passed: 0, failed: 0, skipped: 0, results: [] };
  const report = opts.json
    ? (r: CommandResult): void => print(JSON.stringify({ result: r }))
    : (r: CommandResult): void => {
      if (r.outcome === 'failed') print(r.line === 0 ? `${r.message}` : `${r.file}:${r.line}: ${r.kind}: ${r.message}`);
      else if (opts.verbose) print(`${r.file}:${r.line}: ${r.kind}: ${r.outcome}${r.message ? ` (${r.message})` : ''}`);
    };
  for (const file of expandWastPaths(paths)) {
    let summary: RunSummary;
    if (opts.runFile) {
      summary = opts.runFile(file, report);
    } else {
      try {
        const script = parseScript(decodeText(readInput(file), file), file);
        summary = runScript(script, { engine: opts.engine?.() ?? null, onCommand: report });
      } catch (e) {
        // The script itself does not parse: one failure for the file.
        const r: CommandResult = { file, line: 0, kind: 'module', outcome: 'failed', message: describeFileError(e) };
        report(r);
        summary = { passed: 0, failed: 1, skipped: 0, results: [r] };
      }
    }
    total.passed += summary.passed;
    total.failed += summary.failed;
    total.skipped += summary.skipped;
  }
  return total;
}

function describeFileError(e: unknown): string {
  if (e instanceof CliError) return e.message;
  if (e instanceof Error && 'format' in e && typeof e.format === 'function') return (e.format as () => string)();
  return describe(e);
}

/**
 * Runs one script with `wasmfx wast --engine NAME --json` in a child Node with the engine's
 * flags, and reports its commands as if they ran here. A child that dies (V8 aborts on some
 * programs) counts one failure at the command it was running; the commands after it did not run.
 */
export function runScriptInChild(
  entry: EngineEntry, file: string, verbose: boolean, quiet: boolean, report: (r: CommandResult) => void, print: (line: string) => void,
): RunSummary {
  const r = runChild(entry, ['wast', '--engine', entry.name, '--json', ...(verbose ? ['--verbose'] : []), ...(quiet ? ['--quiet'] : []), file], true);
  const summary: RunSummary = { passed: 0, failed: 0, skipped: 0, results: [] };
  let finished = false;
  for (const line of r.stdout.split('\n')) {
    if (line === '') continue;
    let msg: { result?: CommandResult; print?: string; summary?: unknown };
    try {
      msg = JSON.parse(line) as typeof msg;
    } catch {
      print(line); // not ours: pass it on
      continue;
    }
    if (msg.result) {
      summary[msg.result.outcome]++;
      summary.results.push(msg.result);
      report(msg.result);
    } else if (msg.print !== undefined) {
      print(msg.print);
    } else if (msg.summary !== undefined) {
      finished = true;
    }
  }
  if (!finished) {
    const why = r.signal !== null ? `signal ${r.signal}` : `exit status ${r.status}`;
    const at = commandAt(file, summary.results.length);
    const res: CommandResult = {
      file, line: at?.line ?? 0, kind: at?.kind ?? 'module', outcome: 'failed',
      message: `the engine aborted (${why}); the rest of the script did not run`,
    };
    if (res.line === 0) (res as { message: string }).message = `${file}: ${res.message}`;
    summary.failed++;
    summary.results.push(res);
    report(res);
  }
  return summary;
}

/** The line and kind of a script's n-th command (where a child stopped). */
function commandAt(file: string, n: number): { line: number; kind: CommandResult['kind'] } | undefined {
  try {
    const text = decodeText(readInput(file), file);
    const cmd = parseScript(text, file).commands[n];
    return cmd === undefined ? undefined : { line: lineIndex(text)(cmd.at).line, kind: cmd.kind };
  } catch {
    return undefined;
  }
}

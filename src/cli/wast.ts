// `wasmfx wast`: runs WAST scripts and prints a line per failure and a summary.

import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseScript } from '../text/script-parser.ts';
import { runScript, describe, type CommandResult, type RunSummary, type ScriptEngine } from '../script/runner.ts';
import { CliError, decodeText, readInput } from './io.ts';

export interface WastOptions {
  /** makes a fresh engine for each script; absent: validate-only */
  readonly engine?: () => ScriptEngine;
  readonly verbose: boolean;
}

/** Expands directories into the .wast files below them, sorted. */
export function expandWastPaths(paths: readonly string[]): string[] {
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
  const report = (r: CommandResult): void => {
    if (r.outcome === 'failed') print(`${r.file}:${r.line}: ${r.kind}: ${r.message}`);
    else if (opts.verbose) print(`${r.file}:${r.line}: ${r.kind}: ${r.outcome}${r.message ? ` (${r.message})` : ''}`);
  };
  for (const file of expandWastPaths(paths)) {
    let summary: RunSummary;
    try {
      const script = parseScript(decodeText(readInput(file), file), file);
      summary = runScript(script, { engine: opts.engine?.() ?? null, onCommand: report });
    } catch (e) {
      // The script itself does not parse: one failure for the file.
      const r: CommandResult = { file, line: 0, kind: 'module', outcome: 'failed', message: describeFileError(e) };
      print(`${r.message}`);
      summary = { passed: 0, failed: 1, skipped: 0, results: [r] };
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

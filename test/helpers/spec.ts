// Where the official test suite is. It is used in place (never copied into
// the repo): WASMFX_SPEC_DIR points at a checkout of the spec tests (the
// folder holding core/ and js-api/); by default ../shared/spec beside the repo.

import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function specDir(): string {
  const dir = process.env.WASMFX_SPEC_DIR ?? resolve(repoRoot, '..', 'shared', 'spec');
  if (!existsSync(join(dir, 'core'))) {
    throw new Error(
      `the WebAssembly spec test suite was not found at ${dir} (expected ${join(dir, 'core')}).\n` +
        'Set WASMFX_SPEC_DIR to a folder holding core/ (the stack-switching testsuite), ' +
        'e.g. WASMFX_SPEC_DIR=/path/to/spec npm test',
    );
  }
  return dir;
}

/** Every file under `dir` (with its subfolders) whose name ends with `suffix`, sorted. */
export function filesUnder(dir: string, suffix: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d).sort()) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (e.endsWith(suffix)) out.push(p);
    }
  };
  walk(dir);
  return out;
}

/** Every .wast file under core/ (with its subfolders), sorted. */
export const coreWastFiles = (sub = ''): string[] => filesUnder(join(specDir(), 'core', sub), '.wast');

/**
 * The reference interpreter (WASMFX_REFERENCE_INTERPRETER, by default ../shared/tools/reference-interpreter):
 * its path, or a loud failure saying where it was looked for (never a quiet skip).
 */
export function referenceInterpreter(): string {
  const tool = process.env.WASMFX_REFERENCE_INTERPRETER ?? resolve(repoRoot, '..', 'shared', 'tools', 'reference-interpreter');
  if (!existsSync(tool)) {
    throw new Error(`the reference interpreter was not found at ${tool}: set WASMFX_REFERENCE_INTERPRETER to its launcher`);
  }
  return tool;
}

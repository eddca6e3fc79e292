// The whole core spec suite executed by the interpreter: every command of
// every .wast passes, except those listed in test/spec-exceptions.json
// (each with its reason). The list must stay honest and small: an entry
// that passes again must be removed, the stack-switching scripts admit no
// exception at all, and everything not run (exceptions plus commands the
// runner skips) stays under 1% of the suite's commands.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseScript } from '../src/script/script-parser.ts';
import { runScript } from '../src/script/runner.ts';
import { InterpEngine } from '../src/script/engine-interp.ts';
import { coreWastFiles, repoRoot, specDir } from './helpers/spec.ts';

interface Exception {
  /** the script, relative to core/ */
  readonly file: string;
  /** the lines of the commands that fail */
  readonly lines: readonly number[];
  readonly reason: string;
}

const listed: readonly Exception[] = (
  JSON.parse(readFileSync(join(repoRoot, 'test', 'spec-exceptions.json'), 'utf8')) as { exceptions: Exception[] }
).exceptions;
const exceptions = new Map<string, Set<number>>();
for (const e of listed) {
  const s = exceptions.get(e.file) ?? new Set<number>();
  for (const l of e.lines) s.add(l);
  exceptions.set(e.file, s);
}

const core = join(specDir(), 'core');
const files = coreWastFiles();
const totals = { commands: 0, passed: 0, skipped: 0, excepted: 0 };
const stale: string[] = [];

for (const file of files) {
  const name = relative(core, file);
  test(`exec ${name}`, () => {
    const script = parseScript(readFileSync(file, 'utf8'), name);
    const s = runScript(script, { engine: new InterpEngine() });
    const allowed = exceptions.get(name) ?? new Set<number>();
    const failedLines = new Set<number>();
    const failures: string[] = [];
    for (const r of s.results) {
      if (r.outcome !== 'failed') continue;
      failedLines.add(r.line);
      if (allowed.has(r.line)) totals.excepted++;
      else failures.push(`${r.file}:${r.line}: ${r.kind}: ${r.message}`);
    }
    for (const l of allowed) if (!failedLines.has(l)) stale.push(`${name}:${l}`);
    totals.commands += s.results.length;
    totals.passed += s.passed;
    totals.skipped += s.skipped;
    assert.deepEqual(failures, []);
  });
}

test('spec exceptions: few, current, none in stack-switching', (t) => {
  assert.ok(files.length >= 240, `only ${files.length} .wast files found`);
  assert.ok(totals.commands >= 60000, `only ${totals.commands} commands ran`);
  const notRun = totals.skipped + totals.excepted;
  t.diagnostic(`${totals.commands} commands: ${totals.passed} passed, ${totals.excepted} listed exceptions, ${totals.skipped} skipped`);
  assert.ok(notRun < totals.commands / 100, `${notRun} commands not passing (over 1% of ${totals.commands})`);
  assert.deepEqual(listed.filter((e) => e.file.startsWith('stack-switching/')).map((e) => e.file), []);
  assert.deepEqual(listed.filter((e) => !files.some((f) => relative(core, f) === e.file)).map((e) => e.file), [], 'exceptions for missing files');
  assert.deepEqual(stale, [], 'these commands pass now: remove them from test/spec-exceptions.json');
});

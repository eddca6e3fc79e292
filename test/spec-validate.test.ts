// The whole core spec suite in validate-only mode: every module parses or
// decodes, validates and round-trips through the binary format; every
// assert_malformed and assert_invalid fails as the spec expects.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { parseScript } from '../src/script/script-parser.ts';
import { runScript } from '../src/script/runner.ts';
import { coreWastFiles, specDir } from './helpers/spec.ts';

const files = coreWastFiles();
const totals = { passed: 0, failed: 0, skipped: 0, malformed: 0, invalid: 0, module: 0 };

for (const file of files) {
  const name = relative(specDir(), file);
  test(`validate-only ${name}`, () => {
    const script = parseScript(readFileSync(file, 'utf8'), name);
    const s = runScript(script);
    totals.passed += s.passed;
    totals.failed += s.failed;
    totals.skipped += s.skipped;
    for (const r of s.results) {
      if (r.outcome !== 'passed') continue;
      if (r.kind === 'assert_malformed') totals.malformed++;
      else if (r.kind === 'assert_invalid') totals.invalid++;
      else if (r.kind === 'module') totals.module++;
    }
    const failures = s.results.filter((r) => r.outcome === 'failed').map((r) => `${r.file}:${r.line}: ${r.kind}: ${r.message}`);
    assert.deepEqual(failures, []);
  });
}

test('validate-only covers the suite', () => {
  // The suite has about 2,200 top-level modules, 2,700 assert_invalid and 1,900 assert_malformed.
  assert.ok(files.length >= 240, `only ${files.length} .wast files found`);
  assert.ok(totals.module >= 2100, `modules passed: ${totals.module}`);
  assert.ok(totals.invalid >= 2690, `assert_invalid passed: ${totals.invalid}`);
  assert.ok(totals.malformed >= 1930, `assert_malformed passed: ${totals.malformed}`);
});

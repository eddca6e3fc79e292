// The interpreter's exactness must not depend on which V8 tier runs it: once
// Maglev optimises a function, some float stores quiet signalling NaNs (see
// docs/interpreter.md). Run the whole suite, compiled as the package ships it,
// with Maglev as the top tier.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, specDir } from './helpers/spec.ts';

test('the spec suite passes with Maglev as the top tier', { timeout: 300_000 }, () => {
  // inside the repo, so that the compiled code finds its dependencies in node_modules
  const cache = join(repoRoot, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  const out = mkdtempSync(join(cache, 'wasmfx-dist-'));
  const tsc = spawnSync(join(repoRoot, 'node_modules', '.bin', 'tsc'), ['-p', join(repoRoot, 'tsconfig.build.json'), '--outDir', out], { encoding: 'utf8' });
  assert.equal(tsc.status, 0, tsc.stdout + tsc.stderr);
  const r = spawnSync(
    process.execPath,
    ['--no-turbofan', join(out, 'cli', 'main.js'), 'wast', join(specDir(), 'core')],
    { encoding: 'utf8', timeout: 300_000, maxBuffer: 64 << 20 },
  );
  const last = r.stdout.trim().split('\n').at(-1) ?? '';
  assert.match(last, /^\d+ passed, 0 failed, 0 skipped$/, `${r.stdout.slice(-3000)}\n${r.stderr}`);
  assert.equal(r.status, 0);
  rmSync(out, { recursive: true, force: true });
});

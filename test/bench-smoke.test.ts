// bench/switching.ts --quick: the stack-switching benchmark runs on its three engines (lowered,
// native V8 in a child process, the interpreter) and they agree on every program's checksum.
// Correctness only: no timing is checked here (see bench/README.md for the figures).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './helpers/spec.ts';

test('bench/switching.ts --quick: the engines agree on every checksum', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wasmfx-bench-'));
  try {
    const out = join(dir, 'bench.json');
    const r = spawnSync(process.execPath, [join(repoRoot, 'bench', 'switching.ts'), '--quick', '--json', out], {
      encoding: 'utf8', timeout: 120_000,
    });
    assert.equal(r.status, 0, `exit ${String(r.status)} ${String(r.signal)}\n${r.stdout}\n${r.stderr}`);
    const j = JSON.parse(readFileSync(out, 'utf8')) as {
      errors: string[];
      checksums: Record<'lowered' | 'native' | 'interp', Record<string, number>>;
      rows: { id: string; lowered: unknown; interp: unknown; native: unknown; missing: Record<string, string> }[];
      memory: { lowered: { result: number } | null; native: { result: number } | null };
    };
    assert.deepEqual(j.errors, []);
    const ids = Object.keys(j.checksums.lowered);
    assert.ok(ids.length >= 10, `programs: ${ids.join(', ')}`);
    for (const id of ids) {
      assert.equal(j.checksums.interp[id], j.checksums.lowered[id], `${id}: interp vs lowered`);
      // V8 runs everything but `switch`, which it lacks (it aborts the child process on it)
      if (id !== 'switch') assert.equal(j.checksums.native[id], j.checksums.lowered[id], `${id}: native vs lowered`);
      else if (j.checksums.native[id] !== undefined) assert.equal(j.checksums.native[id], j.checksums.lowered[id]);
    }
    for (const row of j.rows) {
      assert.notEqual(row.lowered, null, `${row.id}: no lowered figure`);
      if (row.id !== 'switch') assert.notEqual(row.native, null, `${row.id}: no native figure`);
    }
    const sw = j.rows.find((row) => row.id === 'switch')!;
    if (sw.native === null) assert.match(sw.missing.native!, /V8 lacks switch/);
    assert.equal(j.memory.native?.result, j.memory.lowered?.result);
    assert.match(r.stdout, /suspend\/resume round trip, depth 1/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bench/lowered-ab.ts --quick: the two lowerings (shared, isolated) agree on every checksum', () => {
  const r = spawnSync(process.execPath, [join(repoRoot, 'bench', 'lowered-ab.ts'), '--isolated', '--quick'], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, `exit ${String(r.status)} ${String(r.signal)}\n${r.stdout}\n${r.stderr}`);
  assert.doesNotMatch(r.stdout, /ERROR/);
  for (const id of ['roundtrip', 'fresh10', 'fresh100', 'loop1', 'loop100', 'switch', 'new', 'kernel-cont']) {
    assert.match(r.stdout, new RegExp(`^${id} `, 'm'), id);
  }
  const bad = spawnSync(process.execPath, [join(repoRoot, 'bench', 'lowered-ab.ts')], { encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /usage: /);
});

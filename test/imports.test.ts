// Imports follow the phases: data flows one way, text/binary -> module ->
// validate -> (interpret | lower -> host engine), so a folder of src/ may import
// only the folders of earlier phases (and itself), type imports included; and
// no file imports a file that imports it back, directly or not. Read from the
// sources, not from a build.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { filesUnder, repoRoot } from './helpers/spec.ts';

/** What each folder of src/ may import besides itself. */
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  util: [],
  syntax: ['util'],
  text: ['util', 'syntax'],
  binary: ['util', 'syntax'],
  valid: ['util', 'syntax'],
  lower: ['util', 'syntax', 'valid', 'binary'],
  runtime: ['util', 'syntax', 'valid'],
  exec: ['util', 'syntax', 'valid', 'runtime'],
  host: ['util', 'syntax', 'text', 'binary', 'valid', 'runtime', 'exec', 'lower'],
  script: ['util', 'syntax', 'text', 'binary', 'valid', 'runtime', 'exec', 'lower', 'host'],
  cc: ['util', 'syntax', 'text', 'binary', 'valid'],
  cli: ['util', 'syntax', 'text', 'binary', 'valid', 'runtime', 'exec', 'lower', 'host', 'script', 'cc', '.'],
  '.': ['util', 'syntax', 'text', 'binary', 'valid', 'runtime', 'exec', 'lower', 'host', 'script', 'cc'],
};

const src = join(repoRoot, 'src');
const files = filesUnder(src, '.ts').filter((f) => !f.endsWith('.test.ts') && !f.endsWith('.d.ts'));
const folderOf = (f: string): string => {
  const r = relative(src, f);
  return r.includes('/') ? r.slice(0, r.indexOf('/')) : '.';
};

/** The src/ files a file imports (values and types, re-exports too). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/^(?:import|export)\s[^'"]*?from\s+['"](\.{1,2}\/[^'"]+)['"]/gm)) {
    out.push(normalize(join(dirname(file), m[1]!)));
  }
  for (const m of text.matchAll(/\bimport\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g)) out.push(normalize(join(dirname(file), m[1]!)));
  return out;
}

const graph = new Map(files.map((f) => [f, importsOf(f).filter((d) => d.startsWith(src))]));

test('imports follow the phases', () => {
  assert.ok(files.length > 80, `only ${files.length} source files`);
  const bad: string[] = [];
  for (const [f, deps] of graph) {
    const from = folderOf(f);
    const allowed = ALLOWED[from];
    assert.ok(allowed !== undefined, `src/${from}/ is not in the phase table of this test`);
    for (const d of deps) {
      const to = folderOf(d);
      if (to !== from && !allowed.includes(to)) bad.push(`${relative(repoRoot, f)} imports ${relative(repoRoot, d)}`);
    }
  }
  assert.deepEqual(bad, []);
});

test('no import circles', () => {
  // Tarjan's strongly connected components: any with two files or more is a circle
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const circles: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        comp.push(relative(repoRoot, w));
      } while (w !== v);
      if (comp.length > 1) circles.push(comp.sort());
    }
  };
  for (const f of graph.keys()) if (!index.has(f)) visit(f);
  assert.deepEqual(circles, []);
});

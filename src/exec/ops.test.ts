// The dispatch loop switches on literal case labels (`case /*@NAME*/N:`, so that V8
// builds a jump table): every label must carry its op's number, and every op must
// have exactly one case. After editing OP_NAMES, renumber machine.ts with
//   npx node src/exec/ops.test.ts --renumber

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { OP, OP_NAMES } from './ops.ts';

const FILE = new URL('./machine.ts', import.meta.url);
const LABEL = /case \/\*@(\w+)\*\/(\d+):/g;

if (process.argv.includes('--renumber')) {
  const text = readFileSync(FILE, 'utf8');
  writeFileSync(FILE, text.replace(LABEL, (_, name: string) => `case /*@${name}*/${(OP as Record<string, number>)[name]}:`));
}

test('every op has one case label with its number', () => {
  const text = readFileSync(FILE, 'utf8');
  const seen = new Map<string, number>();
  for (const [, name, n] of text.matchAll(LABEL)) {
    assert.ok(name! in OP, `unknown op ${name}`);
    assert.equal(Number(n), (OP as Record<string, number>)[name!], `case label of ${name}`);
    seen.set(name!, (seen.get(name!) ?? 0) + 1);
  }
  for (const name of OP_NAMES) assert.equal(seen.get(name), 1, `cases of ${name}`);
});

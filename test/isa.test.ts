// The instruction set is data (src/exec/isa.ts); src/exec/ops.ts and the generated cases of
// the dispatch loop in src/exec/machine.ts are derived from it by src/exec/isa-gen.ts. This
// test regenerates them in memory: a stale checked-in file fails with the command that fixes it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { CUSTOM_OPS, MACHINE_PATH, generate } from '../src/exec/isa-gen.ts';
import { ISA } from '../src/exec/isa.ts';
import { OP, OP_NAMES, OP_SIZE } from '../src/exec/ops.ts';

test('src/exec/ops.ts and the dispatch loop are what isa.ts generates', () => {
  for (const [path, text] of generate()) {
    assert.ok(readFileSync(path, 'utf8') === text, `${path.pathname} is stale: run npx node src/exec/isa-gen.ts --write`);
  }
});

test('every op has exactly one case, labelled with its number; custom ones are written by hand', () => {
  const text = readFileSync(MACHINE_PATH, 'utf8');
  const seen = new Map<string, number>();
  for (const [, name, n] of text.matchAll(/case \/\*@(\w+)\*\/(\d+):/g)) {
    assert.ok(name! in OP, `unknown op ${name}`);
    assert.equal(Number(n), OP[name as keyof typeof OP], `case label of ${name}`);
    seen.set(name!, (seen.get(name!) ?? 0) + 1);
  }
  for (const name of OP_NAMES) assert.equal(seen.get(name), 1, `cases of ${name}`);
  const hand = text.slice(0, text.indexOf('// ---- generated from src/exec/isa.ts'));
  for (const name of CUSTOM_OPS) assert.match(hand, new RegExp(`case /\\*@${name}\\*/`), `the hand-written case of ${name}`);
});

test('the ops are numbered in the order of isa.ts, with the sizes of their layouts', () => {
  assert.deepEqual(OP_NAMES, ISA.map((s) => s.name));
  for (const s of ISA) {
    const words = s.layout.split(' ').filter((w) => w !== '').length;
    assert.equal(OP_SIZE[s.name as keyof typeof OP_SIZE], s.size ?? 1 + words, s.name);
  }
});

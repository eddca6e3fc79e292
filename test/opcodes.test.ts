// The instruction table's consistency: every row has a unique opcode and
// name, and every instruction encodes, decodes and prints back to itself.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { INSTRS, BY_NAME, BY_OPCODE, opcodeKey, type ImmKind, type ImmValues, type Instr, type InstrDef } from '../src/syntax/opcodes.ts';
import { emptyModule, type Module } from '../src/syntax/ast.ts';
import { encodeModule } from '../src/binary/encoder.ts';
import { decodeModule } from '../src/binary/decoder.ts';
import { printModule } from '../src/text/printer.ts';
import { parseModule } from '../src/text/parser.ts';

const rows = INSTRS as readonly InstrDef[];

/** A sample value per immediate kind (indices small enough to exist in `host()`). */
const SAMPLE: { [K in ImmKind]: ImmValues[K] } = {
  typeidx: 0, funcidx: 0, tableidx: 0, memidx: 0, globalidx: 0, localidx: 0, labelidx: 0,
  elemidx: 0, dataidx: 0, tagidx: 0, fieldidx: 0, u32: 2, lane: 1,
  i32: -7, i64: -0x123456789n, f32: 0x3fc00000, f64: 0x3ff8000000000000n,
  v128: Uint8Array.from({ length: 16 }, (_, i) => i * 3),
  shuffle: Uint8Array.from({ length: 16 }, (_, i) => (i * 5) % 32),
  blocktype: 'i32', memarg: { align: 0, offset: 16n, mem: 0 },
  brtable: { labels: [0, 0], default: 0 }, selecttypes: ['i32'], heaptype: 'func',
  reftype: { nullable: true, heap: 'any' },
  brcast: { label: 0, from: { nullable: true, heap: 'any' }, to: { nullable: false, heap: 'i31' } },
  catches: [{ kind: 'catch', tag: 0, label: 0 }, { kind: 'catch_all_ref', label: 0 }],
  handlers: [{ tag: 0, label: 0 }, { tag: 0, label: null }],
};

/** A module in which index 0 of every space exists, holding `body` in function 0. */
function host(body: Instr[]): Module {
  const m = emptyModule();
  m.types.push({ types: [{ final: true, supers: [], comp: { kind: 'func', params: [], results: [] } }] });
  m.funcs.push({ type: 0, locals: ['i32'], body, at: -1 });
  m.tables.push({ type: { addr: 'i32', limits: { min: 1n, max: null }, elem: { nullable: true, heap: 'func' } }, init: null, at: -1 });
  m.memories.push({ type: { addr: 'i32', limits: { min: 1n, max: null } }, at: -1 });
  m.globals.push({ type: { mutable: true, type: 'i32' }, init: [{ op: 'i32.const', args: [0], at: -1 }, { op: 'end', args: [], at: -1 }] as Instr[], at: -1 });
  m.tags.push({ type: 0, at: -1 });
  m.elems.push({ type: { nullable: true, heap: 'func' }, init: [], mode: { kind: 'passive' }, at: -1 });
  m.datas.push({ init: new Uint8Array([1, 2]), mode: { kind: 'passive' }, at: -1 });
  m.dataCount = true;
  return m;
}

const BLOCKS = new Set(['block', 'loop', 'if', 'try_table', 'try']);

function sampleBody(r: InstrDef): Instr[] {
  const args = r.imm.map((k) => SAMPLE[k]);
  const e = { op: r.name, args, at: -1 } as unknown as Instr;
  const end = { op: 'end', args: [], at: -1 } as Instr;
  if (r.name === 'end') return [end];
  if (r.name === 'else') return [{ op: 'if', args: [null], at: -1 } as Instr, e, end, end];
  // the parts of a legacy try only exist inside one; delegate closes it in place of `end`
  const tryOp = { op: 'try', args: [null], at: -1 } as Instr;
  if (r.name === 'catch' || r.name === 'catch_all') return [tryOp, e, end, end];
  if (r.name === 'delegate') return [tryOp, e, end];
  return BLOCKS.has(r.name) ? [e, end, end] : [e, end];
}

const strip = (body: readonly Instr[]) => body.map((i) => ({ op: i.op, args: i.args }));

test('names and opcodes are unique', () => {
  assert.equal(BY_NAME.size, rows.length);
  const keys = new Set<number>();
  for (const r of rows) {
    for (const c of r.alt === undefined ? [r.code] : [r.code, r.alt]) {
      const k = opcodeKey(r.prefix, c);
      assert.ok(!keys.has(k), `duplicate opcode for ${r.name}`);
      keys.add(k);
      assert.equal(BY_OPCODE.get(k), r);
    }
  }
});

test('every instruction encodes, decodes and prints back to itself', () => {
  const failures: string[] = [];
  for (const r of rows) {
    const body = sampleBody(r);
    try {
      const bytes = encodeModule(host(body));
      const decoded = decodeModule(bytes).funcs[0]!.body;
      assert.deepEqual(strip(decoded), strip(body), 'binary');
      const text = printModule(decodeModule(bytes));
      const parsed = parseModule(text).funcs[0]!.body;
      assert.deepEqual(strip(parsed), strip(body), `text:\n${text}`);
    } catch (e) {
      failures.push(`${r.name}: ${(e as Error).message.split('\n').slice(0, 6).join('\n')}`);
    }
  }
  assert.deepEqual(failures, []);
});

test('alternate opcodes are chosen by their immediate', () => {
  const cases: [Instr, number][] = [
    [{ op: 'select', args: [null], at: -1 }, 0x1b],
    [{ op: 'select', args: [['i32']], at: -1 }, 0x1c],
  ];
  for (const [e, code] of cases) {
    const bytes = encodeModule(host([{ op: 'i32.const', args: [1], at: -1 }, { op: 'i32.const', args: [2], at: -1 }, { op: 'i32.const', args: [0], at: -1 }, e, { op: 'drop', args: [], at: -1 }, { op: 'end', args: [], at: -1 }] as Instr[]));
    assert.ok(bytes.includes(code), `${e.op} uses 0x${code.toString(16)}`);
    assert.deepEqual(strip(decodeModule(bytes).funcs[0]!.body)[3], { op: e.op, args: e.args });
  }
  for (const nullable of [false, true]) {
    const e = { op: 'ref.test', args: [{ nullable, heap: 'any' }], at: -1 } as Instr;
    const m = decodeModule(encodeModule(host([e, { op: 'end', args: [], at: -1 } as Instr])));
    assert.deepEqual(strip(m.funcs[0]!.body)[0], { op: 'ref.test', args: [{ nullable, heap: 'any' }] });
  }
});

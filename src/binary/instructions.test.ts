// Every row of the instruction table encodes and decodes back to itself,
// with several sample values per immediate kind (alternative opcodes,
// multi-byte LEB128 indices, memory indices, nullable and abstract types).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyModule, type Module } from '../syntax/ast.ts';
import { INSTRS, type ImmKind, type ImmValues, type Instr, type InstrDef } from '../syntax/opcodes.ts';
import { decodeModule } from './decoder.ts';
import { encodeModule } from './encoder.ts';
import { Reader } from './reader.ts';

const SAMPLES: { [K in ImmKind]: ImmValues[K][] } = {
  typeidx: [0, 200], funcidx: [1, 70000], tableidx: [0, 3], memidx: [0, 129], globalidx: [2, 0],
  localidx: [0, 0xffffffff], labelidx: [1, 0], elemidx: [0, 5], dataidx: [0, 300], tagidx: [0, 64],
  fieldidx: [0, 128], u32: [3, 0x10000], lane: [0, 15],
  i32: [-7, 0x7fffffff, -0x80000000, 64], i64: [-0x123456789n, 0x7fffffffffffffffn, -(1n << 63n), 63n],
  f32: [0x3fc00000, 0x7fa00001, 0xffffffff], f64: [0x3ff8000000000000n, 0x7ff4000000000001n, 0xffffffffffffffffn],
  v128: [Uint8Array.from({ length: 16 }, (_, i) => i * 17)],
  shuffle: [Uint8Array.from({ length: 16 }, (_, i) => (i * 5) % 32)],
  blocktype: [null, 'i32', { type: 70 }, { nullable: false, heap: 'cont' }, 'v128', { type: 0 }],
  memarg: [{ align: 0, offset: 16n, mem: 0 }, { align: 3, offset: 0xffffffffffffffffn, mem: 2 }, { align: 63, offset: 0n, mem: 0 }],
  brtable: [{ labels: [0, 1, 300], default: 2 }, { labels: [], default: 0 }],
  selecttypes: [null, ['i32'], [{ nullable: true, heap: 7 }, 'f64']],
  heaptype: ['func', 100, 'nocont', 'cont', 0],
  reftype: [{ nullable: true, heap: 'any' }, { nullable: false, heap: 3 }, { nullable: false, heap: 'nocont' }],
  brcast: [
    { label: 0, from: { nullable: true, heap: 'any' }, to: { nullable: false, heap: 'i31' } },
    { label: 2, from: { nullable: false, heap: 65 }, to: { nullable: true, heap: 66 } },
  ],
  catches: [[{ kind: 'catch', tag: 0, label: 0 }, { kind: 'catch_ref', tag: 1, label: 2 }, { kind: 'catch_all', label: 0 }, { kind: 'catch_all_ref', label: 1 }], []],
  handlers: [[{ tag: 0, label: 0 }, { tag: 1, label: null }], [], [{ tag: 200, label: 300 }]],
};

const END = { op: 'end', args: [], at: -1 } as Instr;
const BLOCKS = new Set(['block', 'loop', 'if', 'try_table', 'try']);
/** Instructions that only exist inside an enclosing block, which the sample opens first. */
const INSIDE = new Set(['else', 'catch', 'catch_all', 'delegate']);

function module(body: Instr[]): Module {
  const m = emptyModule();
  m.types.push({ types: [{ final: true, supers: [], comp: { kind: 'func', params: [], results: [] } }] });
  m.funcs.push({ type: 0, locals: [], body, at: -1 });
  m.dataCount = true; // for the instructions that refer to data segments
  return m;
}

function body(def: InstrDef, args: unknown[]): Instr[] {
  const ins = { op: def.name, args, at: -1 } as unknown as Instr;
  if (def.name === 'else') return [{ op: 'if', args: [null], at: -1 } as Instr, ins, END, END];
  const tryOp = { op: 'try', args: [null], at: -1 } as Instr;
  if (def.name === 'catch' || def.name === 'catch_all') return [tryOp, ins, END, END];
  if (def.name === 'delegate') return [tryOp, ins, END]; // it closes the try
  return BLOCKS.has(def.name) ? [ins, END, END] : [ins, END];
}

const strip = (b: readonly Instr[]) => b.map((i) => ({ op: i.op, args: i.args }));

test('every instruction of the table encodes and decodes back to itself', () => {
  let checked = 0;
  for (const def of INSTRS as readonly InstrDef[]) {
    if (def.name === 'end') continue;
    const variants = Math.max(1, ...def.imm.map((k) => SAMPLES[k].length));
    for (let v = 0; v < variants; v++) {
      const args = def.imm.map((k) => SAMPLES[k][v % SAMPLES[k].length]);
      const b = body(def, args);
      const bytes = encodeModule(module(b));
      const decoded = decodeModule(bytes).funcs[0]!.body;
      assert.deepEqual(strip(decoded), strip(b), `${def.name} ${v}`);
      // the opcode: prefix and sub-opcode, or the byte (the alternative one where the immediate asks for it)
      const ins = decoded[INSIDE.has(def.name) ? 1 : 0]!;
      const r = new Reader(bytes, undefined, ins.at);
      const first = r.byte();
      const alt = (def.imm[0] === 'selecttypes' && args[0] !== null) ||
        (def.imm[0] === 'reftype' && (args[0] as { nullable: boolean }).nullable);
      const code = alt ? def.alt! : def.code;
      if (def.prefix === undefined) assert.equal(first, code, def.name);
      else {
        assert.equal(first, def.prefix, def.name);
        assert.equal(r.u32(), code, def.name);
      }
      checked++;
    }
  }
  assert.ok(checked > (INSTRS as readonly InstrDef[]).length);
});

test('one-byte opcodes that are not instructions are illegal', () => {
  const used = new Set<number>();
  for (const def of INSTRS as readonly InstrDef[]) {
    if (def.prefix === undefined) {
      used.add(def.code);
      if (def.alt !== undefined) used.add(def.alt);
    }
  }
  const special: Record<number, string> = {
    0x05: 'END opcode expected', 0x07: 'END opcode expected', 0x19: 'END opcode expected',
    0x18: 'misplaced DELEGATE opcode',
  };
  for (let b = 0; b < 256; b++) {
    // the structural opcodes are errors outside their block
    if (used.has(b) && !(b in special)) continue;
    if (b === 0xfb || b === 0xfc || b === 0xfd) continue;
    // (func) with body: b end
    const bytes = Uint8Array.from([
      0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
      0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00,
      0x0a, 0x05, 0x01, 0x03, 0x00, b, 0x0b,
    ]);
    assert.throws(() => decodeModule(bytes), (e: Error & { detail?: string; offset?: number }) => {
      assert.equal(e.detail, special[b] ?? `illegal opcode ${b.toString(16).padStart(2, '0')}`);
      assert.equal(e.offset, 23);
      return true;
    });
  }
});

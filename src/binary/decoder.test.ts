import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyModule, emptyNames, type Expr, type Module } from '../syntax/ast.ts';
import type { Instr } from '../syntax/opcodes.ts';
import { MalformedError } from '../util/errors.ts';
import { decodeModule } from './decoder.ts';
import { encodeModule } from './encoder.ts';
import { encodeNames } from './names.ts';

// ---- building binaries by hand ---------------------------------------------------------

const leb = (n: number): number[] => {
  const out: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
};
const str = (s: string): number[] => {
  const b = [...new TextEncoder().encode(s)];
  return [...leb(b.length), ...b];
};
const vec = (...items: number[][]): number[] => [...leb(items.length), ...items.flat()];
const sec = (id: number, ...content: number[]): number[] => [id, ...leb(content.length), ...content];
const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
const mod = (...secs: number[][]): Uint8Array => Uint8Array.from([...HEADER, ...secs.flat()]);

/** (type (func)) (func (type 0)) with this body (locals and code, without the size) */
const TYPE0 = sec(1, ...vec([0x60, 0x00, 0x00]));
const FUNC0 = sec(3, ...vec([0x00]));
const code = (...bodies: number[][]): number[] => sec(10, ...vec(...bodies.map((b) => [...leb(b.length), ...b])));
const withBody = (...body: number[]): Uint8Array => mod(TYPE0, FUNC0, code([0x00, ...body]));

function malformed(bytes: Uint8Array, detail: string, offset?: number): void {
  assert.throws(() => decodeModule(bytes), (e: unknown) => {
    assert.ok(e instanceof MalformedError, `not a MalformedError: ${e}`);
    assert.equal(e.detail, detail);
    if (offset !== undefined) assert.equal(e.offset, offset, `offset of "${detail}"`);
    return true;
  });
}

const ins = (op: string, ...args: unknown[]): Instr => ({ op, args, at: -1 }) as unknown as Instr;
const END = ins('end');
const konst = (n: number): Expr => [ins('i32.const', n), END];
const refFunc = (x: number): Expr => [ins('ref.func', x), END];

/** The module without source offsets, for comparisons. */
function strip(m: object): any {
  return JSON.parse(JSON.stringify(m, (k, v) => {
    if (k === 'at' || k === 'explicit') return undefined;
    if (typeof v === 'bigint') return `${v}n`;
    if (v instanceof Uint8Array) return [...v];
    if (v instanceof Map) return [...v].sort((a, b) => a[0] - b[0]);
    return v;
  }));
}

/** The sections of a binary: ids of standard ones, names of custom ones. */
function sections(bytes: Uint8Array): (number | string)[] {
  const out: (number | string)[] = [];
  let p = 8;
  const u32 = (): number => {
    let v = 0;
    for (let shift = 0; ; shift += 7) {
      const b = bytes[p++]!;
      v += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return v;
    }
  };
  while (p < bytes.length) {
    const id = bytes[p++]!;
    const size = u32();
    const end = p + size;
    if (id === 0) {
      const n = u32();
      out.push(new TextDecoder().decode(bytes.subarray(p, p + n)));
    } else out.push(id);
    p = end;
  }
  return out;
}

const roundTrip = (m: Module): Module => decodeModule(encodeModule(m));

function stable(bytes: Uint8Array): void {
  const e1 = encodeModule(decodeModule(bytes));
  assert.deepEqual(encodeModule(decodeModule(e1)), e1);
}

// ---- the header and the section structure -------------------------------------------------

test('header', () => {
  malformed(Uint8Array.of(), 'unexpected end of section or function', 0);
  malformed(Uint8Array.of(0x00, 0x61, 0x73), 'unexpected end of section or function', 3);
  malformed(Uint8Array.of(0x00, 0x61, 0x73, 0x6e, 1, 0, 0, 0), 'magic header not detected', 0);
  malformed(Uint8Array.of(0x00, 0x61, 0x73, 0x6d, 2, 0, 0, 0), 'unknown binary version', 4);
  assert.deepEqual(strip(decodeModule(mod())), strip(emptyModule()));
  assert.deepEqual(encodeModule(emptyModule()), mod());
});

test('section ids, order and sizes', () => {
  malformed(mod([14, 0]), 'malformed section id', 8);
  malformed(mod([0x81, 0]), 'malformed section id', 8);
  // out of order or repeated: left unread
  malformed(mod(FUNC0, TYPE0), 'unexpected content after last section', 18);
  malformed(mod(TYPE0, TYPE0), 'unexpected content after last section', 20);
  malformed(mod(sec(12, 0), sec(9, 0)), 'unexpected content after last section', 14);
  // tags sit between memories and globals
  assert.equal(decodeModule(mod(TYPE0, sec(5, ...vec([0, 1])), sec(13, ...vec([0, 0])), sec(6, 0))).tags.length, 1);
  malformed(mod(TYPE0, sec(6, 0), sec(13, ...vec([0, 0]))), 'unexpected content after last section');
  // a size that does not match the content
  malformed(mod([1, 5, 1, 0x60, 0, 0, 0, 0]), 'section size mismatch', 10);
  malformed(mod([1, 3, 1, 0x60, 0, 0]), 'section size mismatch', 10);
  malformed(mod([1, 9, 1, 0x60, 0, 0]), 'length out of bounds', 9);
  malformed(mod([1, 4, 1, 0x60, 0]), 'unexpected end of section or function', 13);
});

test('function, code and data count consistency', () => {
  malformed(mod(TYPE0, FUNC0), 'function and code section have inconsistent lengths', 18);
  malformed(mod(TYPE0, code([0x00, 0x0b])), 'function and code section have inconsistent lengths');
  // memory.init and data.drop need the data count section
  malformed(
    mod(TYPE0, FUNC0, code([0x00, 0xfc, 0x09, 0x00, 0x0b]), sec(11, ...vec([0x01, 0x00]))),
    'data count section required',
  );
  const ok = decodeModule(mod(TYPE0, FUNC0, sec(12, 1), code([0x00, 0xfc, 0x09, 0x00, 0x0b]), sec(11, ...vec([0x01, 0x00]))));
  assert.equal(ok.dataCount, true);
  assert.equal(ok.datas.length, 1);
  malformed(mod(sec(12, 2), sec(11, ...vec([0x01, 0x00]))), 'data count and data section have inconsistent lengths');
  malformed(mod(sec(12, 1)), 'data count and data section have inconsistent lengths');
  assert.equal(decodeModule(mod(sec(12, 0))).dataCount, true);
  assert.equal(decodeModule(mod()).dataCount, false);
});

// ---- function bodies -----------------------------------------------------------------------

test('bodies are flat and end with the function end', () => {
  const m = decodeModule(withBody(0x02, 0x40, 0x04, 0x7f, 0x41, 0x01, 0x05, 0x41, 0x02, 0x0b, 0x1a, 0x0b, 0x0b));
  const f = m.funcs[0]!;
  assert.deepEqual(f.body.map((i) => i.op), ['block', 'if', 'i32.const', 'else', 'i32.const', 'end', 'drop', 'end', 'end']);
  assert.deepEqual(f.body.map((i) => i.at), [23, 25, 27, 29, 30, 32, 33, 34, 35]);
  assert.equal(f.at, 21); // the code entry (its size)
  assert.deepEqual(f.body[1]!.args, ['i32']);
});

test('body structure errors', () => {
  // else outside an if, or a second else
  malformed(withBody(0x05, 0x0b), 'END opcode expected', 23);
  malformed(withBody(0x02, 0x40, 0x05, 0x0b, 0x0b), 'END opcode expected', 25);
  malformed(withBody(0x04, 0x40, 0x05, 0x05, 0x0b, 0x0b), 'END opcode expected', 26);
  malformed(withBody(0x07, 0x0b), 'END opcode expected', 23);
  malformed(withBody(0x18, 0x00, 0x0b), 'misplaced DELEGATE opcode', 23);
  // running out of body: the decoder reads on, as the reference does
  malformed(withBody(0x02, 0x40, 0x0b), 'unexpected end of section or function', 26);
  malformed(mod(TYPE0, FUNC0, code([0x00, 0x01]), sec(11, 0)), 'section size mismatch', 22);
  malformed(mod(TYPE0, FUNC0, code([0x00, 0x0b, 0x0b])), 'section size mismatch', 22);
});

test('locals', () => {
  const m = decodeModule(mod(TYPE0, FUNC0, code([...vec([2, 0x7f], [1, 0x7e], [0, 0x7d], [1, 0x7f]), 0x0b])));
  assert.deepEqual(m.funcs[0]!.locals, ['i32', 'i32', 'i64', 'i32']);
  // re-encoded as 3 runs (the empty run is dropped)
  const bytes = encodeModule(m);
  const at = bytes.length - 1 - 7;
  assert.deepEqual([...bytes.subarray(at)], [3, 2, 0x7f, 1, 0x7e, 1, 0x7f, 0x0b]);
  malformed(
    mod(TYPE0, FUNC0, code([...vec([0xff, 0xff, 0xff, 0xff, 0x0f, 0x7f], [2, 0x7e]), 0x0b])),
    'too many locals', 22,
  );
  malformed(
    mod(TYPE0, FUNC0, code([...vec([0x80, 0x80, 0x80, 0x80, 0x10, 0x7f]), 0x0b])),
    'integer too large', 27,
  );
});

test('immediates that can be malformed', () => {
  // memarg flags: bit 6 says a memory index follows; bits 7 and up are malformed
  const load = decodeModule(mod(TYPE0, FUNC0, code([0x00, 0x41, 0x00, 0x28, 0x42, 0x03, 0x10, 0x1a, 0x0b])));
  assert.deepEqual(load.funcs[0]!.body[1]!.args, [{ align: 2, offset: 16n, mem: 3 }]);
  malformed(withBody(0x41, 0x00, 0x28, 0x80, 0x01, 0x00, 0x1a, 0x0b), 'malformed memop flags', 26);
  // br_on_cast flags (reported two bytes after the prefix, as the reference does)
  malformed(withBody(0xfb, 0x18, 0x04, 0x00, 0x6e, 0x6e, 0x0b), 'malformed br_on_cast flags', 25);
  malformed(withBody(0x1f, 0x40, 0x01, 0x04, 0x00, 0x0b, 0x0b), 'malformed catch clause', 26);
  malformed(withBody(0xe3, 0x00, 0x01, 0x02, 0x00, 0x0b), 'ON opcode expected', 27);
  malformed(withBody(0xd0, 0x60, 0x0b), 'malformed heap type', 24);
  malformed(withBody(0xd0, 0xe0, 0x7f, 0x0b), 'integer representation too long', 25);
  malformed(withBody(0x02, 0x60, 0x0b, 0x0b), 'malformed reference type', 24);
  malformed(withBody(0x1c, 0x01, 0x50, 0x0b), 'malformed reference type', 25);
  // prefixed opcodes
  malformed(withBody(0xfb, 0x1f, 0x0b), 'illegal opcode fb 1f', 23);
  malformed(withBody(0xfc, 0x12, 0x0b), 'illegal opcode fc 12', 23);
  malformed(withBody(0xfc, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x0b), 'illegal opcode fc ffffffff', 23);
  malformed(withBody(0xfd, 0x9a, 0x01, 0x0b), 'illegal opcode 9a', 23);
  malformed(withBody(0xfd, 0x94, 0x02, 0x0b), 'illegal opcode 114', 23);
  // block types: s33 type indices, 0x40, value types
  const bt = decodeModule(withBody(0x02, 0xc0, 0x00, 0x0b, 0x02, 0x7b, 0x0b, 0x02, 0x63, 0x05, 0x0b, 0x0b));
  assert.deepEqual(bt.funcs[0]!.body.map((i) => i.args[0]), [{ type: 64 }, undefined, 'v128', undefined, { nullable: true, heap: 5 }, undefined, undefined]);
});

// ---- types and definitions -----------------------------------------------------------------

test('type section: rec groups, subtypes, continuation types', () => {
  const m = decodeModule(mod(sec(1, ...vec(
    [0x4e, ...vec([0x50, 0x00, 0x5f, ...vec([0x78, 0x01], [0x63, 0x00, 0x00])], [0x4f, ...vec([0]), 0x5e, 0x77, 0x00])],
    [0x60, ...vec([0x7f]), ...vec()],
    [0x5d, 0x01],
    [0x4f, 0x00, 0x60, 0x00, 0x00],
  ))));
  assert.deepEqual(strip(m).types, [
    { types: [
      { final: false, supers: [], comp: { kind: 'struct', fields: [{ mutable: true, type: 'i8' }, { mutable: false, type: { nullable: true, heap: 0 } }] } },
      { final: true, supers: [0], comp: { kind: 'array', field: { mutable: false, type: 'i16' } } },
    ] },
    { types: [{ final: true, supers: [], comp: { kind: 'func', params: ['i32'], results: [] } }] },
    { types: [{ final: true, supers: [], comp: { kind: 'cont', type: 1 } }] },
    { types: [{ final: true, supers: [], comp: { kind: 'func', params: [], results: [] } }] },
  ]);
  assert.equal(m.types[0]!.explicit, true);
  stable(encodeModule(m));
  malformed(mod(sec(1, ...vec([0x5c]))), 'malformed definition type', 11);
  malformed(mod(sec(1, ...vec([0x5f, ...vec([0x76, 0x00])]))), 'malformed storage type', 13);
  malformed(mod(sec(1, ...vec([0x5f, ...vec([0x7f, 0x02])]))), 'malformed mutability', 14);
  malformed(mod(sec(1, ...vec([0x50, ...vec([0x80, 0x80, 0x80, 0x80, 0x08]), 0x60, 0, 0]))), 'malformed type index', 13);
  malformed(mod(sec(1, ...vec([0x5d, 0x70]))), 'malformed continuation type', 12);
});

test('imports, exports, limits, tags, globals', () => {
  const m = decodeModule(mod(
    TYPE0,
    sec(2, ...vec(
      [...str('m'), ...str('f'), 0x00, 0x00],
      [...str('m'), ...str('t'), 0x01, 0x64, 0x70, 0x05, 0x01, 0x02],
      [...str('m'), ...str('mem'), 0x02, 0x04, 0x80, 0x80, 0x80, 0x80, 0x10],
      [...str('m'), ...str('g'), 0x03, 0x7e, 0x01],
      [...str('m'), ...str('\u00e9'), 0x04, 0x00, 0x00],
    )),
    sec(13, ...vec([0x00, 0x00])),
    sec(6, ...vec([0x7f, 0x00, 0x41, 0x2a, 0x0b])),
    sec(7, ...vec([...str('e'), 0x04, 0x01])),
  ));
  assert.deepEqual(strip(m).imports, [
    { module: 'm', name: 'f', desc: { kind: 'func', type: 0 } },
    { module: 'm', name: 't', desc: { kind: 'table', type: { addr: 'i64', limits: { min: '1n', max: '2n' }, elem: { nullable: false, heap: 'func' } } } },
    { module: 'm', name: 'mem', desc: { kind: 'memory', type: { addr: 'i64', limits: { min: '4294967296n', max: null } } } },
    { module: 'm', name: 'g', desc: { kind: 'global', type: { mutable: true, type: 'i64' } } },
    { module: 'm', name: '\u00e9', desc: { kind: 'tag', type: 0 } },
  ]);
  assert.deepEqual(m.exports.map((e) => [e.name, e.kind, e.index]), [['e', 'tag', 1]]);
  assert.deepEqual(strip(m).globals, [{ type: { mutable: false, type: 'i32' }, init: [{ op: 'i32.const', args: [42] }, { op: 'end', args: [] }] }]);
  stable(encodeModule(m));
  malformed(mod(sec(2, ...vec([...str('m'), ...str('f'), 0x05, 0x00]))), 'malformed import kind', 15);
  malformed(mod(sec(7, ...vec([...str('e'), 0x05, 0x00]))), 'malformed export kind', 13);
  malformed(mod(sec(5, ...vec([0x02, 0x00]))), 'malformed limits flags', 11);
  malformed(mod(sec(5, ...vec([0x08, 0x00]))), 'malformed limits flags', 11);
  malformed(mod(sec(13, ...vec([0x01, 0x00]))), 'zero byte expected', 11);
  malformed(mod(sec(2, ...vec([...str('m'), 2, 0xff, 0xfe, 0x00, 0x00]))), 'malformed UTF-8 encoding', 13);
});

test('tables with and without an initialiser', () => {
  const m = decodeModule(mod(sec(4, ...vec(
    [0x70, 0x00, 0x01],
    [0x40, 0x00, 0x64, 0x70, 0x00, 0x01, 0xd2, 0x00, 0x0b],
  ))));
  assert.equal(m.tables[0]!.init, null);
  assert.deepEqual(m.tables[1]!.init!.map((i) => i.op), ['ref.func', 'end']);
  assert.equal(m.tables[1]!.at, 14);
  assert.deepEqual(strip(roundTrip(m)), strip(m));
  // any failure in the 0x40 form is reported as the reference does: as a reference type
  malformed(mod(sec(4, ...vec([0x40, 0x01, 0x70, 0x00, 0x01]))), 'malformed reference type', 11);
  malformed(mod(sec(4, ...vec([0x40, 0x00, 0x70, 0x00, 0x01, 0x06, 0x0b]))), 'malformed reference type', 11);
});

test('element segments: all eight flavours, re-encoded in the most compact one', () => {
  const body = (...bs: number[][]) => bs;
  const segs = body(
    [0x00, 0x41, 0x00, 0x0b, ...vec([0x00], [0x01])],
    [0x01, 0x00, ...vec([0x02])],
    [0x02, 0x01, 0x41, 0x00, 0x0b, 0x00, ...vec([0x00])],
    [0x03, 0x00, ...vec([0x00])],
    [0x04, 0x41, 0x00, 0x0b, ...vec([0xd2, 0x00, 0x0b], [0xd0, 0x70, 0x0b])],
    [0x05, 0x6f, ...vec([0xd0, 0x6f, 0x0b])],
    [0x06, 0x02, 0x41, 0x00, 0x0b, 0x70, ...vec([0xd2, 0x00, 0x0b])],
    // (ref func) with ref.func only: function indices
    [0x06, 0x02, 0x41, 0x00, 0x0b, 0x64, 0x70, ...vec([0xd2, 0x00, 0x0b])],
    [0x07, 0x70, ...vec([0xd2, 0x00, 0x0b])],
    // compactable: flavour 6 on table 0 with (ref null func) -> 4; flavour 5 with ref.func of (ref func) -> 1
    [0x06, 0x00, 0x41, 0x00, 0x0b, 0x70, ...vec([0xd0, 0x70, 0x0b])],
    [0x05, 0x64, 0x70, ...vec([0xd2, 0x03, 0x0b])],
  );
  const m = decodeModule(mod(sec(9, ...vec(...segs))));
  assert.deepEqual(m.elems.map((e) => e.mode.kind), [
    'active', 'passive', 'active', 'declarative', 'active', 'passive', 'active', 'active', 'declarative', 'active', 'passive',
  ]);
  assert.deepEqual(m.elems[0]!.type, { nullable: false, heap: 'func' });
  assert.deepEqual(m.elems[0]!.init.map((e) => e.map((i) => [i.op, i.args])), [[['ref.func', [0]], ['end', []]], [['ref.func', [1]], ['end', []]]]);
  assert.deepEqual(m.elems[4]!.type, { nullable: true, heap: 'func' });
  const bytes = encodeModule(m);
  const flavours: number[] = [];
  const again = decodeModule(bytes);
  for (const e of again.elems) flavours.push(bytes[e.at]!);
  assert.deepEqual(flavours, [0, 1, 2, 3, 4, 5, 6, 2, 7, 4, 1]);
  assert.deepEqual(strip(again), strip(m));
  malformed(mod(sec(9, ...vec([0x08]))), 'malformed elements segment kind', 11);
  malformed(mod(sec(9, ...vec([0x01, 0x01, 0x00]))), 'malformed element kind', 12);
});

test('data segments', () => {
  const m = decodeModule(mod(sec(11, ...vec(
    [0x00, 0x41, 0x08, 0x0b, ...vec([1], [2])],
    [0x01, ...vec()],
    [0x02, 0x01, 0x42, 0x00, 0x0b, ...vec([3])],
  ))));
  assert.deepEqual(strip(m).datas, [
    { init: [1, 2], mode: { kind: 'active', memory: 0, offset: [{ op: 'i32.const', args: [8] }, { op: 'end', args: [] }] } },
    { init: [], mode: { kind: 'passive' } },
    { init: [3], mode: { kind: 'active', memory: 1, offset: [{ op: 'i64.const', args: ['0n'] }, { op: 'end', args: [] }] } },
  ]);
  assert.deepEqual(strip(roundTrip(m)), strip(m));
  malformed(mod(sec(11, ...vec([0x03]))), 'malformed data segment kind', 11);
  malformed(mod(sec(11, ...vec([0x01, 0x05, 0x00]))), 'length out of bounds', 12);
  malformed(mod(sec(11, ...vec([0x01, 0x02, 0x00]))), 'unexpected end of section or function', 14);
});

// ---- custom sections and names ----------------------------------------------------------

test('custom sections keep their place', () => {
  const m = decodeModule(mod(
    sec(0, ...str('a'), 1, 2),
    TYPE0,
    sec(0, ...str('b')),
    sec(0, ...str('c'), 3),
    FUNC0,
    code([0x00, 0x0b]),
    sec(0, ...str('d')),
  ));
  assert.deepEqual(m.customs.map((c) => [c.name, [...c.bytes], c.after]), [['a', [1, 2], 0], ['b', [], 1], ['c', [3], 1], ['d', [], 10]]);
  const bytes = encodeModule(m);
  assert.deepEqual(bytes, mod(sec(0, ...str('a'), 1, 2), TYPE0, sec(0, ...str('b')), sec(0, ...str('c'), 3), FUNC0, code([0x00, 0x0b]), sec(0, ...str('d'))));
  // places of absent sections are kept relative to the present ones
  const m2 = emptyModule();
  m2.customs.push({ name: 'z', bytes: new Uint8Array(), after: 11 }, { name: 'y', bytes: new Uint8Array(), after: 13 }, { name: 'x', bytes: new Uint8Array(), after: 0 });
  m2.memories.push({ type: { addr: 'i32', limits: { min: 0n, max: null } }, at: -1 });
  m2.globals.push({ type: { mutable: false, type: 'i32' }, init: konst(0), at: -1 });
  const names = (b: Uint8Array) => decodeModule(b).customs.map((c) => c.name);
  assert.deepEqual(names(encodeModule(m2)), ['x', 'y', 'z']);
  assert.deepEqual(sections(encodeModule(m2)), ['x', 5, 'y', 6, 'z']);
  stable(encodeModule(m2));
  // custom section errors
  malformed(mod([0, 0]), 'unexpected end of section or function', 10);
  malformed(mod([0, 2, 5, 0x61]), 'length out of bounds', 10);
  malformed(mod([0, 1, 3, 0x61, 0x62, 0x63]), 'unexpected end of section or function', 14);
  malformed(mod(sec(0, 1, 0xff)), 'malformed UTF-8 encoding', 10);
});

function namedModule(): Module {
  const m = emptyModule();
  m.types.push({ types: [{ final: true, supers: [], comp: { kind: 'struct', fields: [{ mutable: false, type: 'i32' }] } }] });
  m.types.push({ types: [{ final: true, supers: [], comp: { kind: 'func', params: ['i32'], results: [] } }] });
  m.funcs.push({ type: 1, locals: ['i64'], body: [ins('block', null), END, END], at: -1 });
  m.datas.push({ init: Uint8Array.of(1), mode: { kind: 'passive' }, at: -1 });
  m.customs.push({ name: 'after-data', bytes: Uint8Array.of(9), after: 11 });
  const n = m.names;
  n.module = 'mod\u00e9';
  n.funcs.set(0, 'f');
  n.locals.set(0, new Map([[1, 'l1'], [0, 'p0']]));
  n.labels.set(0, new Map([[0, 'outer']]));
  n.types.set(0, 'point').set(1, 'sig');
  n.fields.set(0, new Map([[0, 'x']]));
  n.datas.set(0, 'd');
  n.tags.set(7, 'ghost');
  return m;
}

test('the name section', () => {
  const m = namedModule();
  const bytes = encodeModule(m);
  const d = decodeModule(bytes);
  assert.deepEqual(strip(d.names), strip(m.names));
  assert.deepEqual(d.customs.map((c) => c.name), ['after-data']);
  assert.deepEqual(sections(bytes), [1, 3, 10, 11, 'name', 'after-data']);
  assert.deepEqual(encodeModule(d), bytes);
  // nothing to say: no name section
  assert.deepEqual(encodeModule(emptyModule()), mod());
  // a module with only names: the name section comes first
  const only = emptyModule();
  only.names.module = 'x';
  assert.deepEqual(encodeModule(only), mod(sec(0, ...str('name'), 0x00, 2, ...str('x'))));
  assert.equal(decodeModule(encodeModule(only)).names.module, 'x');
});

test('a name section is read by what it means; one that is not what the encoder writes also stays raw, for its bytes', () => {
  const raw = (...payload: number[]) => sec(0, ...str('name'), ...payload);
  const f = (name: string) => [0, ...str(name)];
  // [what, section, the module name and function 0's name it gives (undefined: none)]
  const cases: [string, number[], string | undefined, string | undefined][] = [
    ['broken', raw(0x01, 0x05, 0x01), undefined, undefined],
    ['unknown subsection', raw(0x0c, 0x00), undefined, undefined],
    ['unknown subsection among known ones', raw(0x0c, 1, 0x00, ...[0x01, 4, ...vec(f('f'))]), undefined, 'f'],
    ['out of order', raw(...[0x01, 4, ...vec(f('f'))], ...[0x00, 2, ...str('m')]), 'm', 'f'],
    ['duplicate index: the first counts', raw(0x01, 7, ...vec(f('f'), f('g'))), undefined, 'f'],
    ['unsorted', raw(0x01, 7, ...vec([1, ...str('f')], f('g'))), undefined, 'g'],
    ['padded LEB (as Kotlin writes it)', raw(0x00, 0x82, 0x80, 0x80, 0x00, ...str('m'), 0x01, 0x88, 0x80, 0x00, 0x81, 0x80, 0x00, 0x80, 0x80, 0x00, 1, 0x66), 'm', 'f'],
    ['empty', raw(), undefined, undefined],
    ['bad UTF-8', raw(0x00, 2, 1, 0xff), undefined, undefined],
  ];
  for (const [what, s, module, func] of cases) {
    const bytes = mod(TYPE0, s);
    const m = decodeModule(bytes);
    assert.deepEqual(m.customs.map((c) => c.name), ['name'], what);
    assert.equal(m.names.module, module, what);
    assert.equal(m.names.funcs.get(0), func, what);
    assert.deepEqual(encodeModule(m), bytes, what); // unchanged names: the section's own bytes
  }
  // names changed: generated, and the stale raw section dropped
  const padded = decodeModule(mod(TYPE0, raw(0x00, 0x82, 0x80, 0x80, 0x00, ...str('m'))));
  padded.names.module = 'n';
  const again = decodeModule(encodeModule(padded));
  assert.equal(again.names.module, 'n');
  assert.deepEqual(again.customs, []);
  // a valid name section, but not right after the last standard section
  const good = sec(0, ...str('name'), 0x00, 2, ...str('m'));
  const late = mod(TYPE0, sec(0, ...str('other')), good);
  const m = decodeModule(late);
  assert.deepEqual(m.customs.map((c) => c.name), ['other', 'name']);
  assert.deepEqual(encodeModule(m), late);
  // ...whereas right after it, it is taken
  const m2 = decodeModule(mod(TYPE0, good, sec(0, ...str('other'))));
  assert.equal(m2.names.module, 'm');
  assert.deepEqual(m2.customs.map((c) => c.name), ['other']);
  assert.deepEqual(encodeModule(m2), mod(TYPE0, good, sec(0, ...str('other'))));
  // a raw name custom section in the module is written as it is, beside generated names
  const m3 = namedModule();
  m3.customs.unshift({ name: 'name', bytes: encodeNames(m3.names), after: 0 });
  stable(encodeModule(m3));
});

test('encode(decode(encode(m))) = encode(m) for hand-made modules', () => {
  const m = namedModule();
  m.dataCount = true;
  m.tags.push({ type: 1, at: -1 });
  m.tables.push({ type: { addr: 'i64', limits: { min: 1n, max: 10n }, elem: { nullable: false, heap: 1 } }, init: refFunc(0), at: -1 });
  m.memories.push({ type: { addr: 'i64', limits: { min: 1n, max: 0xffffffffffffn } }, at: -1 });
  m.elems.push({ type: { nullable: true, heap: 'func' }, init: [refFunc(0), [ins('ref.null', 'func'), END]], mode: { kind: 'active', table: 0, offset: konst(1) }, at: -1 });
  m.exports.push({ name: 'f', kind: 'func', index: 0, at: -1 });
  m.start = 0;
  const e1 = encodeModule(m);
  const d = decodeModule(e1);
  assert.deepEqual(encodeModule(d), e1);
  assert.deepEqual(strip(d), strip({ ...m, customs: m.customs }));
});

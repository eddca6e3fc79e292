// Property tests: random modules encode stably (encode(decode(encode(m))) =
// encode(m)), and truncated or corrupted binaries never make the decoder fail
// with anything but a MalformedError that carries an offset.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { emptyNames, type Custom, type Expr, type Module, type Names } from '../syntax/ast.ts';
import { INSTRS, type ImmKind, type ImmValues, type Instr, type InstrDef } from '../syntax/opcodes.ts';
import type {
  AbsHeapType, CompType, FieldType, HeapType, RecType, RefType, StorageType, SubType, ValType,
} from '../syntax/types.ts';
import { ABS_HEAP_TYPES } from '../syntax/types.ts';
import { MalformedError } from '../util/errors.ts';
import { decodeModule } from './decoder.ts';
import { encodeModule } from './encoder.ts';

/** FC_RUNS=n multiplies the number of runs (for a longer search). */
const RUNS = Number(process.env.FC_RUNS ?? 1);

// ---- arbitrary modules -----------------------------------------------------------------------

const index = fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 0x7fffffff }));
const u32 = fc.oneof(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: 0xffffffff }));
const heapType: fc.Arbitrary<HeapType> = fc.oneof(fc.constantFrom<AbsHeapType>(...ABS_HEAP_TYPES), index);
const refType: fc.Arbitrary<RefType> = fc.record({ nullable: fc.boolean(), heap: heapType });
const valType: fc.Arbitrary<ValType> = fc.oneof(fc.constantFrom<ValType>('i32', 'i64', 'f32', 'f64', 'v128'), refType);
const storageType: fc.Arbitrary<StorageType> = fc.oneof(valType, fc.constantFrom<StorageType>('i8', 'i16'));
const fieldType: fc.Arbitrary<FieldType> = fc.record({ mutable: fc.boolean(), type: storageType });
const compType: fc.Arbitrary<CompType> = fc.oneof(
  fc.record({ kind: fc.constant('func' as const), params: fc.array(valType, { maxLength: 3 }), results: fc.array(valType, { maxLength: 3 }) }),
  fc.record({ kind: fc.constant('struct' as const), fields: fc.array(fieldType, { maxLength: 3 }) }),
  fc.record({ kind: fc.constant('array' as const), field: fieldType }),
  fc.record({ kind: fc.constant('cont' as const), type: index }),
);
const subType: fc.Arbitrary<SubType> = fc.record({ final: fc.boolean(), supers: fc.array(index, { maxLength: 2 }), comp: compType });
const recType: fc.Arbitrary<RecType> = fc.oneof(
  fc.record({ types: fc.array(subType, { minLength: 1, maxLength: 1 }) }),
  fc.record({ types: fc.array(subType, { maxLength: 3 }), explicit: fc.constant(true) }),
);
const bytes16 = fc.uint8Array({ minLength: 16, maxLength: 16 });

const IMM: { [K in ImmKind]: fc.Arbitrary<ImmValues[K]> } = {
  typeidx: index, funcidx: index, tableidx: index, memidx: index, globalidx: index, localidx: index,
  labelidx: index, elemidx: index, dataidx: index, tagidx: index, fieldidx: index, u32,
  lane: fc.integer({ min: 0, max: 255 }),
  i32: fc.integer({ min: -0x80000000, max: 0x7fffffff }),
  i64: fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }),
  f32: fc.integer({ min: 0, max: 0xffffffff }),
  f64: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
  v128: bytes16,
  shuffle: bytes16,
  blocktype: fc.oneof(fc.constant(null), valType, fc.record({ type: index })),
  memarg: fc.record({
    align: fc.integer({ min: 0, max: 63 }),
    offset: fc.oneof(fc.bigInt({ min: 0n, max: 100n }), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n })),
    mem: fc.oneof(fc.constant(0), index),
  }),
  brtable: fc.record({ labels: fc.array(index, { maxLength: 4 }), default: index }),
  selecttypes: fc.oneof(fc.constant(null), fc.array(valType, { maxLength: 2 })),
  heaptype: heapType,
  reftype: refType,
  brcast: fc.record({ label: index, from: refType, to: refType }),
  catches: fc.array(fc.oneof(
    fc.record({ kind: fc.constantFrom('catch' as const, 'catch_ref' as const), tag: index, label: index }),
    fc.record({ kind: fc.constantFrom('catch_all' as const, 'catch_all_ref' as const), label: index }),
  ), { maxLength: 3 }),
  handlers: fc.array(fc.record({ tag: index, label: fc.oneof(fc.constant(null), index) }), { maxLength: 3 }),
};

const STRUCTURED = ['block', 'loop', 'if', 'try_table', 'else', 'end', 'try', 'catch', 'catch_all', 'delegate'];
const DEFS = (INSTRS as readonly InstrDef[]).filter((d) => !STRUCTURED.includes(d.name));
const ins = (op: string, args: unknown[]): Instr => ({ op, args, at: -1 }) as unknown as Instr;
const END = ins('end', []);

const plain: fc.Arbitrary<Instr[]> = fc.constantFrom(...DEFS).chain((d) =>
  fc.tuple(...d.imm.map((k) => IMM[k] as fc.Arbitrary<unknown>)).map((args) => [ins(d.name, args)]));

/** Instruction sequences with properly nested blocks (flat, without the final end). */
const { seq } = fc.letrec<{ seq: Instr[]; item: Instr[] }>((tie) => ({
  seq: fc.array(tie('item'), { maxLength: 6 }).map((xs) => xs.flat()),
  item: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    plain,
    fc.tuple(fc.constantFrom('block', 'loop'), IMM.blocktype, tie('seq')).map(([op, bt, body]) => [ins(op, [bt]), ...body, END]),
    fc.tuple(IMM.blocktype, tie('seq'), fc.option(tie('seq'))).map(([bt, a, b]) =>
      [ins('if', [bt]), ...a, ...(b === null ? [] : [ins('else', []), ...b]), END]),
    fc.tuple(IMM.blocktype, IMM.catches, tie('seq')).map(([bt, cs, body]) => [ins('try_table', [bt, cs]), ...body, END]),
    // legacy try: handlers (catches, then at most one catch_all) closed by end, or delegate
    fc.tuple(IMM.blocktype, tie('seq'), fc.array(fc.tuple(index, tie('seq')), { maxLength: 2 }), fc.option(tie('seq')))
      .map(([bt, body, cs, all]) => [
        ins('try', [bt]), ...body, ...cs.flatMap(([tag, h]) => [ins('catch', [tag]), ...h]),
        ...(all === null ? [] : [ins('catch_all', []), ...all]), END,
      ]),
    fc.tuple(IMM.blocktype, tie('seq'), index).map(([bt, body, l]) => [ins('try', [bt]), ...body, ins('delegate', [l])]),
  ),
}));
const expr: fc.Arbitrary<Expr> = seq.map((xs) => [...xs, END]);
const constExpr: fc.Arbitrary<Expr> = fc.array(plain, { maxLength: 3 }).map((xs) => [...xs.flat(), END]);

const limits = fc.record({
  min: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
  max: fc.option(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n })),
});
const addr = fc.constantFrom('i32' as const, 'i64' as const);
const name = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('name', 'é', '\u{1f600}'));
const nameMap = fc.array(fc.tuple(index, name), { maxLength: 3 }).map((xs) => new Map(xs));
const indirectMap = fc.array(fc.tuple(index, nameMap), { maxLength: 2 }).map((xs) => new Map(xs));
const names: fc.Arbitrary<Names> = fc.oneof(
  fc.constant(null).map(emptyNames),
  fc.record({
    module: fc.option(name, { nil: undefined }), funcs: nameMap, locals: indirectMap, labels: indirectMap,
    types: nameMap, fields: indirectMap, tables: nameMap, memories: nameMap, globals: nameMap,
    elems: nameMap, datas: nameMap, tags: nameMap,
  }).map((n) => {
    if (n.module === undefined) delete (n as Partial<Names>).module;
    return n as Names;
  }),
);
const custom: fc.Arbitrary<Custom> = fc.record({
  name,
  bytes: fc.uint8Array({ maxLength: 8 }),
  after: fc.constantFrom(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13),
});
const mode = fc.oneof(
  fc.record({ kind: fc.constantFrom('passive' as const, 'declarative' as const) }),
  fc.record({ kind: fc.constant('active' as const), table: fc.oneof(fc.constant(0), index), offset: constExpr }),
);
const elemInit = fc.oneof(
  fc.array(index.map((x) => [ins('ref.func', [x]), END]), { maxLength: 3 }),
  fc.array(constExpr, { maxLength: 3 }),
);

const moduleArb: fc.Arbitrary<Module> = fc.record({
  types: fc.array(recType, { maxLength: 3 }),
  imports: fc.array(fc.record({
    module: name,
    name,
    desc: fc.oneof(
      fc.record({ kind: fc.constant('func' as const), type: index }),
      fc.record({ kind: fc.constant('table' as const), type: fc.record({ addr, limits, elem: refType }) }),
      fc.record({ kind: fc.constant('memory' as const), type: fc.record({ addr, limits }) }),
      fc.record({ kind: fc.constant('global' as const), type: fc.record({ mutable: fc.boolean(), type: valType }) }),
      fc.record({ kind: fc.constant('tag' as const), type: index }),
    ),
    at: fc.constant(-1),
  }), { maxLength: 3 }),
  funcs: fc.array(fc.record({ type: index, locals: fc.array(valType, { maxLength: 5 }), body: expr, at: fc.constant(-1) }), { maxLength: 3 }),
  tables: fc.array(fc.record({ type: fc.record({ addr, limits, elem: refType }), init: fc.option(constExpr), at: fc.constant(-1) }), { maxLength: 2 }),
  memories: fc.array(fc.record({ type: fc.record({ addr, limits }), at: fc.constant(-1) }), { maxLength: 2 }),
  globals: fc.array(fc.record({ type: fc.record({ mutable: fc.boolean(), type: valType }), init: constExpr, at: fc.constant(-1) }), { maxLength: 2 }),
  tags: fc.array(fc.record({ type: index, at: fc.constant(-1) }), { maxLength: 2 }),
  exports: fc.array(fc.record({ name, kind: fc.constantFrom('func' as const, 'table' as const, 'memory' as const, 'global' as const, 'tag' as const), index, at: fc.constant(-1) }), { maxLength: 2 }),
  start: fc.option(index),
  elems: fc.array(fc.record({ type: refType, init: elemInit, mode, at: fc.constant(-1) }), { maxLength: 3 }),
  datas: fc.array(fc.record({
    init: fc.uint8Array({ maxLength: 4 }),
    mode: fc.oneof(
      fc.record({ kind: fc.constant('passive' as const) }),
      fc.record({ kind: fc.constant('active' as const), memory: fc.oneof(fc.constant(0), index), offset: constExpr }),
    ),
    at: fc.constant(-1),
  }), { maxLength: 2 }),
  dataCount: fc.boolean(),
  customs: fc.array(custom, { maxLength: 3 }),
  names,
}).map((m) => {
  // a module whose code refers to data segments has the data count section
  const usesData = m.funcs.some((f) => f.body.some((i) => (i.op as string).match(/^(memory\.init|data\.drop|array\.new_data|array\.init_data)$/)));
  return usesData ? { ...m, dataCount: true } : m;
});

/** JSON of plain data (bigints, byte arrays), whatever the objects' prototypes. */
const json = (x: unknown): string => JSON.stringify(x, (_k, v) =>
  typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? [...v] : v);

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

test('encode(decode(encode(m))) = encode(m) for random modules', () => {
  fc.assert(fc.property(moduleArb, (m) => {
    const e1 = encodeModule(m);
    const d = decodeModule(e1);
    const e2 = encodeModule(d);
    assert.ok(sameBytes(e1, e2), 're-encoding differs');
    // the code survives unchanged
    const code = (x: Module) => json(x.funcs.map((f) => [f.locals, f.body.map((i) => [i.op, i.args])]));
    assert.equal(code(d), code(m));
  }), { numRuns: 300 * RUNS });
});

// ---- corrupted binaries ----------------------------------------------------------------------

function check(bytes: Uint8Array): void {
  let m: Module;
  try {
    m = decodeModule(bytes);
  } catch (e) {
    if (!(e instanceof MalformedError)) throw e;
    assert.equal(typeof e.offset, 'number');
    assert.ok(e.offset! >= 0 && e.offset! <= bytes.length, `offset ${e.offset} out of range`);
    return;
  }
  // whatever decodes re-encodes stably
  const e1 = encodeModule(m);
  assert.ok(sameBytes(encodeModule(decodeModule(e1)), e1), 're-encoding differs');
}

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 4 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 4 }) }),
);

type Mutation = { kind: string; at: number; byte?: number; bytes?: Uint8Array; n?: number };

function mutate(b: Uint8Array, ms: readonly Mutation[]): Uint8Array {
  let out = b;
  for (const mu of ms) {
    const at = out.length === 0 ? 0 : mu.at % (out.length + 1);
    switch (mu.kind) {
      case 'truncate': out = out.slice(0, at); break;
      case 'set': if (at < out.length) { out = out.slice(); out[at] = mu.byte!; } break;
      case 'insert': out = Uint8Array.from([...out.subarray(0, at), ...mu.bytes!, ...out.subarray(at)]); break;
      case 'delete': out = Uint8Array.from([...out.subarray(0, at), ...out.subarray(at + mu.n!)]); break;
    }
  }
  return out;
}

test('corrupted binaries fail with a MalformedError and an offset, or decode and re-encode stably', () => {
  fc.assert(fc.property(moduleArb, fc.array(mutation, { minLength: 1, maxLength: 3 }), (m, ms) => {
    const bytes = encodeModule(m);
    check(mutate(bytes, ms));
  }), { numRuns: 1000 * RUNS });
});

test('every truncation of a valid binary is malformed', () => {
  fc.assert(fc.property(moduleArb, (m) => {
    const bytes = encodeModule(m);
    for (let n = 0; n < bytes.length; n++) {
      const cut = bytes.subarray(0, n);
      // a cut between sections can still be a complete module
      try {
        decodeModule(cut);
      } catch (e) {
        assert.ok(e instanceof MalformedError, String(e));
        assert.ok(e.offset! >= 0 && e.offset! <= n);
      }
    }
  }), { numRuns: 50 * RUNS });
});

test('random bytes after a valid header', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (tail) => {
    check(Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...tail]));
  }), { numRuns: 2000 * RUNS });
});

// The binary encoder: Module -> bytes. The inverse of the decoder, and
// deterministic: LEB128 numbers in their shortest form, the most compact
// element-segment flavour for the content, locals compressed into runs, the
// data count section exactly when `m.dataCount`, custom sections at their
// recorded places, and the name section (when `m.names` says anything) right
// after the last standard section. Re-encoding a decoded encoding gives the
// same bytes.

import type { Custom, Data, Elem, Expr, Module } from '../syntax/ast.ts';
import {
  BY_NAME, type BlockType, type BrCast, type BrTable, type Catch, type OnClause, type ImmKind,
  type ImmValues, type InstrDef, type MemArg,
} from '../syntax/opcodes.ts';
import type {
  CompType, FieldType, GlobalType, HeapType, Limits, MemoryType, RecType, RefType, StorageType,
  SubType, TableType, ValType,
} from '../syntax/types.ts';
import { ABS_CODES, SECTION_ORDER } from './codes.ts';
import { decodeNames, encodeNames, sameBytes, writeNames } from './names.ts';
import { Writer } from './writer.ts';

// ---- types -----------------------------------------------------------------------

const VAL_CODES: Readonly<Record<string, number>> = {
  i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c, v128: 0x7b, i8: 0x78, i16: 0x77,
};

function heapType(w: Writer, ht: HeapType): void {
  if (typeof ht === 'number') w.sN(ht);
  else w.byte(ABS_CODES[ht]);
}

function refType(w: Writer, rt: RefType): void {
  if (rt.nullable && typeof rt.heap === 'string') {
    w.byte(ABS_CODES[rt.heap]);
    return;
  }
  w.byte(rt.nullable ? 0x63 : 0x64);
  heapType(w, rt.heap);
}

function valType(w: Writer, t: StorageType): void {
  if (typeof t === 'string') w.byte(VAL_CODES[t]!);
  else refType(w, t);
}

function resultType(w: Writer, ts: readonly ValType[]): void {
  w.u32(ts.length);
  for (const t of ts) valType(w, t);
}

function fieldType(w: Writer, f: FieldType): void {
  valType(w, f.type);
  w.byte(f.mutable ? 1 : 0);
}

function compType(w: Writer, ct: CompType): void {
  switch (ct.kind) {
    case 'func':
      w.byte(0x60);
      resultType(w, ct.params);
      resultType(w, ct.results);
      return;
    case 'struct':
      w.byte(0x5f);
      w.u32(ct.fields.length);
      for (const f of ct.fields) fieldType(w, f);
      return;
    case 'array':
      w.byte(0x5e);
      fieldType(w, ct.field);
      return;
    case 'cont':
      w.byte(0x5d);
      w.sN(ct.type);
      return;
  }
}

function subType(w: Writer, st: SubType): void {
  if (!st.final || st.supers.length > 0) {
    w.byte(st.final ? 0x4f : 0x50);
    w.u32(st.supers.length);
    for (const x of st.supers) w.u32(x);
  }
  compType(w, st.comp);
}

function recType(w: Writer, rt: RecType): void {
  if (rt.explicit || rt.types.length !== 1) {
    w.byte(0x4e);
    w.u32(rt.types.length);
  }
  for (const st of rt.types) subType(w, st);
}

function limits(w: Writer, addr: 'i32' | 'i64', lim: Limits, shared: boolean): void {
  w.byte((lim.max !== null ? 1 : 0) | (shared ? 2 : 0) | (addr === 'i64' ? 4 : 0));
  w.u64(lim.min);
  if (lim.max !== null) w.u64(lim.max);
}

function tableType(w: Writer, tt: TableType): void {
  refType(w, tt.elem);
  limits(w, tt.addr, tt.limits, false);
}

function memoryType(w: Writer, mt: MemoryType): void {
  limits(w, mt.addr, mt.limits, mt.shared === true);
}

function globalType(w: Writer, gt: GlobalType): void {
  valType(w, gt.type);
  w.byte(gt.mutable ? 1 : 0);
}

// ---- immediates and instructions ----------------------------------------------------------

type ImmWriter<K extends ImmKind> = (w: Writer, v: ImmValues[K]) => void;

const idx = (w: Writer, x: number): void => w.u32(x);

const IMM: { readonly [K in ImmKind]: ImmWriter<K> } = {
  typeidx: idx,
  funcidx: idx,
  tableidx: idx,
  memidx: idx,
  globalidx: idx,
  localidx: idx,
  labelidx: idx,
  elemidx: idx,
  dataidx: idx,
  tagidx: idx,
  fieldidx: idx,
  u32: idx,
  lane: (w, x) => w.byte(x),
  i32: (w, x) => w.sN(x | 0),
  i64: (w, x) => w.s64(x),
  f32: (w, x) => w.word32(x),
  f64: (w, x) => w.word64(x),
  v128: (w, x) => w.bytes(x),
  shuffle: (w, x) => w.bytes(x),
  blocktype: (w, bt: BlockType) => {
    if (bt === null) w.byte(0x40);
    else if (typeof bt === 'object' && 'type' in bt) w.sN(bt.type);
    else valType(w, bt);
  },
  memarg: (w, m: MemArg) => {
    if (m.mem !== 0) {
      w.u32(m.align | 0x40);
      w.u32(m.mem);
    } else {
      w.u32(m.align);
    }
    w.u64(m.offset);
  },
  brtable: (w, bt: BrTable) => {
    w.u32(bt.labels.length);
    for (const l of bt.labels) w.u32(l);
    w.u32(bt.default);
  },
  selecttypes: (w, ts) => {
    if (ts !== null) resultType(w, ts);
  },
  heaptype: heapType,
  reftype: (w, rt) => heapType(w, rt.heap),
  brcast: (w, c: BrCast) => {
    w.byte((c.from.nullable ? 1 : 0) | (c.to.nullable ? 2 : 0));
    w.u32(c.label);
    heapType(w, c.from.heap);
    heapType(w, c.to.heap);
  },
  catches: (w, cs: readonly Catch[]) => {
    w.u32(cs.length);
    for (const c of cs) {
      switch (c.kind) {
        case 'catch': w.byte(0x00); w.u32(c.tag!); break;
        case 'catch_ref': w.byte(0x01); w.u32(c.tag!); break;
        case 'catch_all': w.byte(0x02); break;
        case 'catch_all_ref': w.byte(0x03); break;
      }
      w.u32(c.label);
    }
  },
  handlers: (w, hs: readonly OnClause[]) => {
    w.u32(hs.length);
    for (const h of hs) {
      if (h.label === null) {
        w.byte(0x01);
        w.u32(h.tag);
      } else {
        w.byte(0x00);
        w.u32(h.tag);
        w.u32(h.label);
      }
    }
  },
};

/** How to write one instruction: opcode bytes and immediate writers. */
interface OpOut {
  readonly prefix: number;
  readonly code: number;
  readonly alt: number;
  /** which immediate chooses the alternative opcode: 'select' (typed) or 'ref' (nullable) */
  readonly altBy: 0 | 1 | 2;
  readonly imms: readonly ImmWriter<ImmKind>[];
}

const OUT = new Map<string, OpOut>();
for (const def of BY_NAME.values() as Iterable<InstrDef>) {
  OUT.set(def.name, {
    prefix: def.prefix ?? -1,
    code: def.code,
    alt: def.alt ?? -1,
    altBy: def.alt === undefined ? 0 : def.imm[0] === 'selecttypes' ? 1 : 2,
    imms: def.imm.map((k) => IMM[k] as ImmWriter<ImmKind>),
  });
}

function expr(w: Writer, e: Expr): void {
  for (let i = 0; i < e.length; i++) {
    const ins = e[i]!;
    const o = OUT.get(ins.op);
    if (o === undefined) throw new Error(`encodeModule: unknown instruction ${ins.op}`);
    const args = ins.args as unknown[];
    let code = o.code;
    if (o.altBy === 1 ? args[0] !== null : o.altBy === 2 && (args[0] as RefType).nullable) code = o.alt;
    if (o.prefix < 0) w.byte(code);
    else {
      w.byte(o.prefix);
      w.u32(code);
    }
    const imms = o.imms;
    for (let k = 0; k < imms.length; k++) imms[k]!(w, args[k] as never);
  }
}

// ---- segments ------------------------------------------------------------------------

/** The function index of an element `(ref.func x) end`, or -1. */
function funcIndexOf(e: Expr): number {
  if (e.length !== 2 || e[0]!.op !== 'ref.func' || e[1]!.op !== 'end') return -1;
  return (e[0]!.args as unknown as [number])[0];
}

function elem(w: Writer, seg: Elem): void {
  const { type, init, mode } = seg;
  const nonNullFunc = !type.nullable && type.heap === 'func';
  if (nonNullFunc && init.every((e) => funcIndexOf(e) >= 0)) {
    // flavours 0-3: a vector of function indices
    switch (mode.kind) {
      case 'active':
        if (mode.table === 0) {
          w.u32(0);
          expr(w, mode.offset);
        } else {
          w.u32(2);
          w.u32(mode.table);
          expr(w, mode.offset);
          w.byte(0x00);
        }
        break;
      case 'passive': w.u32(1); w.byte(0x00); break;
      case 'declarative': w.u32(3); w.byte(0x00); break;
    }
    w.u32(init.length);
    for (const e of init) w.u32(funcIndexOf(e));
    return;
  }
  // flavours 4-7: a vector of expressions
  switch (mode.kind) {
    case 'active':
      if (mode.table === 0 && type.nullable && type.heap === 'func') {
        w.u32(4);
        expr(w, mode.offset);
      } else {
        w.u32(6);
        w.u32(mode.table);
        expr(w, mode.offset);
        refType(w, type);
      }
      break;
    case 'passive': w.u32(5); refType(w, type); break;
    case 'declarative': w.u32(7); refType(w, type); break;
  }
  w.u32(init.length);
  for (const e of init) expr(w, e);
}

function data(w: Writer, seg: Data): void {
  const mode = seg.mode;
  if (mode.kind === 'passive') w.u32(1);
  else if (mode.memory === 0) {
    w.u32(0);
    expr(w, mode.offset);
  } else {
    w.u32(2);
    w.u32(mode.memory);
    expr(w, mode.offset);
  }
  w.u32(seg.init.length);
  w.bytes(seg.init);
}

function locals(w: Writer, ls: readonly ValType[]): void {
  let runs = 0;
  for (let i = 0; i < ls.length; i++) if (i === 0 || !sameValType(ls[i]!, ls[i - 1]!)) runs++;
  w.u32(runs);
  let i = 0;
  while (i < ls.length) {
    const t = ls[i]!;
    let j = i + 1;
    while (j < ls.length && sameValType(ls[j]!, t)) j++;
    w.u32(j - i);
    valType(w, t);
    i = j;
  }
}

const sameValType = (a: ValType, b: ValType): boolean =>
  a === b || (typeof a === 'object' && typeof b === 'object' && a.nullable === b.nullable && a.heap === b.heap);

// ---- module ----------------------------------------------------------------------------

/** Rank of each standard section id in SECTION_ORDER (1-based; 0 = before all). */
const RANK: number[] = new Array(14).fill(SECTION_ORDER.length);
RANK[0] = 0;
SECTION_ORDER.forEach((id, i) => (RANK[id] = i + 1));
const rankOf = (after: number): number => RANK[after] ?? SECTION_ORDER.length;

function section(w: Writer, id: number, body: () => void): void {
  w.byte(id);
  const s = w.beginSized();
  body();
  w.endSized(s);
}

function vec<T>(w: Writer, xs: readonly T[], f: (w: Writer, x: T) => void): void {
  w.u32(xs.length);
  for (const x of xs) f(w, x);
}

/** Encodes a module. */
export function encodeModule(m: Module): Uint8Array {
  const w = new Writer(4096);
  w.word32(0x6d736100);
  w.word32(1);

  // A raw `name` custom section (one the decoder also read into `names`, kept for its exact
  // bytes) is written as it is while it says what `names` says: then no name section is
  // generated. Once `names` says something else, the names are generated and a raw section
  // that decodes is dropped (it is stale); one that does not decode is written as it is.
  const generated = encodeNames(m.names);
  let namesInRaw = false;
  const rawNames = (c: Custom): boolean => {
    if (c.name !== 'name') return true;
    const d = decodeNames(c.bytes);
    if (d === null) return true;
    if (!namesInRaw && sameBytes(encodeNames(d), generated)) return (namesInRaw = true);
    return false;
  };
  const customs = m.customs
    .filter(rawNames)
    .map((c, i) => ({ c, rank: rankOf(c.after), i }))
    .sort((a, b) => a.rank - b.rank || a.i - b.i);
  let ci = 0;
  const emitCustoms = (rank: number): void => {
    while (ci < customs.length && customs[ci]!.rank <= rank) {
      const c = customs[ci++]!.c;
      section(w, 0, () => {
        w.name(c.name);
        w.bytes(c.bytes);
      });
    }
  };

  const present: Record<number, boolean> = {
    1: m.types.length > 0,
    2: m.imports.length > 0,
    3: m.funcs.length > 0,
    4: m.tables.length > 0,
    5: m.memories.length > 0,
    13: m.tags.length > 0,
    6: m.globals.length > 0,
    7: m.exports.length > 0,
    8: m.start !== null,
    9: m.elems.length > 0,
    12: m.dataCount,
    10: m.funcs.length > 0,
    11: m.datas.length > 0,
  };
  let lastRank = 0;
  SECTION_ORDER.forEach((id, i) => {
    if (present[id]) lastRank = i + 1;
  });

  const emitNames = (): void => {
    if (namesInRaw) return;
    const s = w.pos;
    w.byte(0);
    const sized = w.beginSized();
    w.name('name');
    const payload = w.pos;
    writeNames(w, m.names);
    if (w.pos === payload) {
      w.pos = s; // nothing to say
      return;
    }
    w.endSized(sized);
  };

  if (lastRank === 0) emitNames();
  emitCustoms(0);
  SECTION_ORDER.forEach((id, i) => {
    if (present[id]) {
      switch (id) {
        case 1: section(w, 1, () => vec(w, m.types, recType)); break;
        case 2:
          section(w, 2, () => vec(w, m.imports, (w, im) => {
            w.name(im.module);
            w.name(im.name);
            const d = im.desc;
            switch (d.kind) {
              case 'func': w.byte(0x00); w.u32(d.type); break;
              case 'table': w.byte(0x01); tableType(w, d.type); break;
              case 'memory': w.byte(0x02); memoryType(w, d.type); break;
              case 'global': w.byte(0x03); globalType(w, d.type); break;
              case 'tag': w.byte(0x04); w.byte(0x00); w.u32(d.type); break;
            }
          }));
          break;
        case 3: section(w, 3, () => vec(w, m.funcs, (w, f) => w.u32(f.type))); break;
        case 4:
          section(w, 4, () => vec(w, m.tables, (w, t) => {
            if (t.init === null) tableType(w, t.type);
            else {
              w.byte(0x40);
              w.byte(0x00);
              tableType(w, t.type);
              expr(w, t.init);
            }
          }));
          break;
        case 5: section(w, 5, () => vec(w, m.memories, (w, mem) => memoryType(w, mem.type))); break;
        case 13: section(w, 13, () => vec(w, m.tags, (w, t) => { w.byte(0x00); w.u32(t.type); })); break;
        case 6:
          section(w, 6, () => vec(w, m.globals, (w, g) => {
            globalType(w, g.type);
            expr(w, g.init);
          }));
          break;
        case 7:
          section(w, 7, () => vec(w, m.exports, (w, ex) => {
            w.name(ex.name);
            w.byte(EXPORT_KINDS[ex.kind]);
            w.u32(ex.index);
          }));
          break;
        case 8: section(w, 8, () => w.u32(m.start!)); break;
        case 9: section(w, 9, () => vec(w, m.elems, elem)); break;
        case 12: section(w, 12, () => w.u32(m.datas.length)); break;
        case 10:
          section(w, 10, () => vec(w, m.funcs, (w, f) => {
            const s = w.beginSized();
            locals(w, f.locals);
            expr(w, f.body);
            w.endSized(s);
          }));
          break;
        case 11: section(w, 11, () => vec(w, m.datas, data)); break;
      }
    }
    if (i + 1 === lastRank) emitNames();
    emitCustoms(i + 1);
  });
  emitCustoms(Infinity);
  return w.finish();
}

const EXPORT_KINDS = { func: 0, table: 1, memory: 2, global: 3, tag: 4 } as const;

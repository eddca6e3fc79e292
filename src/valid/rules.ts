// The typing rules of the instructions without a fixed signature (CustomOp):
// one entry per instruction, an exhaustive record, so that a new row of the
// instruction table without a `sig` does not compile until it has a rule here.
// Each rule follows the corresponding case of the reference interpreter's
// check_instr (valid/valid.ml), messages included.

import type { Catch, CustomOp, OnClause, InstrFor } from '../syntax/opcodes.ts';
import type { AddrType } from '../syntax/types.ts';
import {
  BLOCK, CATCH, CATCH_ALL, type Checker, EMPTY, IF, LEGACY_TRY, LOOP, TRY,
} from './checker.ts';
import {
  C_EXNREF, type CFuncType, type CRefType, type CValType, defaultable,
  fieldTypeToString, isSubRef, isSubResult, isSubStorage, isSubtype, matchFuncType, refType, topHeap,
  unpacked,
} from './types.ts';

export type Rule<K extends CustomOp> = (c: Checker, i: InstrFor<K>) => void;
export type Rules = { readonly [K in CustomOp]: Rule<K> };

const I32x2: readonly CValType[] = ['i32', 'i32'];
const EQREF = refType(true, 'eq');
const REF_EXN = refType(false, 'exn');

const addrOf = (a: AddrType): CValType => a;
const minAddr = (a: AddrType, b: AddrType): AddrType => (a === 'i32' || b === 'i32' ? 'i32' : 'i64');

function checkCast(c: Checker, rt: CRefType): void {
  c.require(!isSubRef(rt, refType(true, 'cont')), 'invalid cast to continuation types');
}

/** diff_ref_type: what remains of rt1 when a cast to rt2 failed. */
const diffRef = (rt1: CRefType, rt2: CRefType): CRefType => (rt2.nullable ? refType(false, rt1.heap) : rt1);

function checkCatch(c: Checker, cc: Catch): void {
  let ts: readonly CValType[];
  switch (cc.kind) {
    case 'catch':
      ts = c.tagType(cc.tag!).params;
      break;
    case 'catch_ref':
      ts = [...c.tagType(cc.tag!).params, REF_EXN];
      break;
    case 'catch_all':
      ts = EMPTY;
      break;
    case 'catch_all_ref':
      ts = [REF_EXN];
      break;
  }
  const lt = c.label(cc.label);
  if (!isSubResult(ts, lt)) {
    c.error(`type mismatch: catch handler requires ${c.strs(lt)} but label has ${c.strs(ts)}`);
  }
}

/** check_resume_table: the handlers of resume, resume_throw and resume_throw_ref. */
function checkHandlers(c: Checker, results: readonly CValType[], hs: readonly OnClause[]): void {
  for (const h of hs) {
    const { params: ts3, results: ts4 } = c.tagType(h.tag);
    if (h.label === null) {
      c.require(ts3.length === 0, 'type mismatch tag type');
      // The explainer's `(on tu switch) : t*` iff `tu : [] -> [t*]`, where a resume's clauses are
      // typed at its continuation's results: the tag's results are those (equal, no subsumption:
      // a continuation the switch targets returns the tag's results to this resume, and the one
      // it captures is typed as returning them). The reference interpreter leaves this out, and
      // returns values of the wrong types where a module breaks it; Binaryen and wasm-tools check it.
      c.require(isSubResult(ts4, results) && isSubResult(results, ts4), 'type mismatch: switch tag does not match continuation');
      continue;
    }
    const lt = c.label(h.label);
    const last = lt[lt.length - 1];
    if (last === undefined || typeof last !== 'object' || typeof last.heap !== 'object') {
      c.error(`type mismatch: instruction requires concrete continuation reference type but label has ${c.strs(lt)}`);
    }
    const ft = c.contFuncTypeOfHeap(last.heap);
    c.require(matchFuncType({ kind: 'func', params: ts4, results }, ft), 'type mismatch in continuation type');
    const have = [...ts3, last];
    if (!isSubResult(have, lt)) {
      c.error(`type mismatch: instruction requires ${c.strs(lt)} but stack has ${c.strs(have)}`);
    }
  }
}

function returnCheck(c: Checker, ft: CFuncType): void {
  if (!isSubResult(ft.results, c.results)) {
    c.error(`type mismatch: current function requires result type ${c.strs(c.results)} but callee returns ${c.strs(ft.results)}`);
  }
}

function callIndirect(c: Checker, typeIdx: number, tableIdx: number): CFuncType {
  const tt = c.table(tableIdx);
  const ft = c.funcType(typeIdx);
  if (!isSubRef(tt.elem, refType(true, 'func'))) {
    c.error(`type mismatch: instruction requires table of function type but table has element type ${c.str(tt.elem)}`);
  }
  c.pop(ft.params, addrOf(tt.addr));
  return ft;
}

function structField(c: Checker, x: number, y: number) {
  const st = c.structType(x);
  const f = st.fields[y];
  if (f === undefined) c.error(`unknown field ${y >>> 0}`);
  return f;
}

function structGet(c: Checker, x: number, y: number, ext: boolean): void {
  const f = structField(c, x, y);
  const packed = f.type === 'i8' || f.type === 'i16';
  if (packed !== ext) c.error(`field is ${ext ? 'unpacked' : 'packed'}`);
  c.pop1(c.type(x).refNull);
  c.push(unpacked(f.type));
}

function arrayGet(c: Checker, x: number, ext: boolean): void {
  const { field } = c.arrayType(x);
  const packed = field.type === 'i8' || field.type === 'i16';
  if (packed !== ext) c.error(`array is ${ext ? 'unpacked' : 'packed'}`);
  c.pop([c.type(x).refNull], 'i32');
  c.push(unpacked(field.type));
}

function isNumOrVec(t: CValType): boolean {
  return typeof t !== 'object';
}

function brOnCast(c: Checker, label: number, rt1: CRefType, rt2: CRefType, fail: boolean): void {
  checkCast(c, rt2);
  if (!isSubRef(rt2, rt1)) {
    c.error(`type mismatch on cast: type ${c.str(rt2)} does not match ${c.str(rt1)}`);
  }
  const target = fail ? diffRef(rt1, rt2) : rt2;
  const lt = c.label(label);
  const t1 = lt[lt.length - 1];
  if (t1 === undefined || !isSubtype(target, t1)) {
    c.error(`type mismatch: instruction requires type ${c.str(target)} but label has ${c.strs(lt)}`);
  }
  const ts0 = lt.slice(0, -1);
  c.pop(ts0, rt1);
  c.pushAll(ts0);
  c.push(fail ? rt2 : diffRef(rt1, rt2));
}

const arrayRef = (c: Checker, x: number): CRefType => c.type(x).refNull;

export const RULES: Rules = {
  // ---- control ----------------------------------------------------------------------
  unreachable: (c) => c.unreachable(),
  block: (c, i) => {
    const bt = c.blockType(i.args[0]);
    c.pop(bt.params);
    c.pushFrame(BLOCK, bt.params, bt.results);
  },
  loop: (c, i) => {
    const bt = c.blockType(i.args[0]);
    c.pop(bt.params);
    c.pushFrame(LOOP, bt.params, bt.results);
  },
  if: (c, i) => {
    const bt = c.blockType(i.args[0]);
    c.pop(bt.params, 'i32');
    c.pushFrame(IF, bt.params, bt.results);
  },
  else: (c) => c.elseFrame(),
  end: (c) => c.endFrame(),
  br: (c, i) => {
    c.pop(c.label(i.args[0]));
    c.unreachable();
  },
  br_if: (c, i) => {
    const ts = c.label(i.args[0]);
    c.pop(ts, 'i32');
    c.pushAll(ts);
  },
  br_table: (c, i) => {
    const { labels, default: d } = i.args[0];
    const lt = c.label(d);
    const n = lt.length;
    const ts: CValType[] = [];
    for (let k = 0; k < n; k++) ts.push(c.peek(n - k));
    const check = (l: readonly CValType[]) => {
      if (!isSubResult(ts, l)) c.error(`type mismatch: instruction requires ${c.strs(l)} but stack has ${c.strs(ts)}`);
    };
    check(lt);
    for (const l of labels) check(c.label(l));
    c.pop(ts, 'i32');
    c.unreachable();
  },
  return: (c) => {
    c.pop(c.results);
    c.unreachable();
  },
  call: (c, i) => {
    const ft = c.funcOf(i.args[0]);
    c.pop(ft.params);
    c.pushAll(ft.results);
  },
  call_indirect: (c, i) => {
    const ft = callIndirect(c, i.args[0], i.args[1]);
    c.pushAll(ft.results);
  },
  return_call: (c, i) => {
    const ft = c.funcOf(i.args[0]);
    returnCheck(c, ft);
    c.pop(ft.params);
    c.unreachable();
  },
  return_call_indirect: (c, i) => {
    const tt = c.table(i.args[1]);
    const ft = c.funcType(i.args[0]);
    returnCheck(c, ft);
    if (!isSubRef(tt.elem, refType(true, 'func'))) {
      c.error(`type mismatch: instruction requires table of function type but table has element type ${c.str(tt.elem)}`);
    }
    c.pop(ft.params, addrOf(tt.addr));
    c.unreachable();
  },
  call_ref: (c, i) => {
    const ft = c.funcType(i.args[0]);
    c.pop(ft.params, c.type(i.args[0]).refNull);
    c.pushAll(ft.results);
  },
  return_call_ref: (c, i) => {
    const ft = c.funcType(i.args[0]);
    returnCheck(c, ft);
    c.pop(ft.params, c.type(i.args[0]).refNull);
    c.unreachable();
  },
  drop: (c) => {
    c.pop1(c.peek(0));
  },
  select: (c, i) => {
    const ts = i.args[0];
    if (ts === null) {
      const t = c.peek(1);
      if (!isNumOrVec(t)) {
        c.error(`type mismatch: instruction requires numeric or vector type but stack has ${c.str(t)}`);
      }
      c.pop([t, t], 'i32');
      c.push(t);
    } else {
      c.require(ts.length === 1, 'invalid result arity other than 1 is not (yet) allowed');
      const t = c.valType(ts[0]!);
      c.pop([t, t], 'i32');
      c.push(t);
    }
  },

  // ---- exceptions ------------------------------------------------------------------------
  throw: (c, i) => {
    c.pop(c.tagType(i.args[0]).params);
    c.unreachable();
  },
  throw_ref: (c) => {
    c.pop1(C_EXNREF);
    c.unreachable();
  },
  try_table: (c, i) => {
    const bt = c.blockType(i.args[0]);
    for (const cc of i.args[1]) checkCatch(c, cc);
    c.pop(bt.params);
    c.pushFrame(TRY, bt.params, bt.results);
  },

  // ---- legacy exceptions ----------------------------------------------------------------
  try: (c, i) => {
    const bt = c.blockType(i.args[0]);
    c.pop(bt.params);
    c.pushFrame(LEGACY_TRY, bt.params, bt.results);
  },
  catch: (c, i) => c.catchFrame(false, i.args[0]),
  catch_all: (c) => c.catchFrame(true),
  delegate: (c, i) => c.delegateFrame(i.args[0]),
  rethrow: (c, i) => {
    const l = i.args[0];
    c.label(l); // an unknown label is reported as such
    // only a handler has a caught exception to throw again
    const k = c.frames[c.depth - 1 - l]!.kind;
    c.require(k === CATCH || k === CATCH_ALL, 'invalid rethrow label');
    c.unreachable();
  },

  // ---- references --------------------------------------------------------------------------
  'ref.as_non_null': (c) => {
    const rt = c.peekRef(0);
    c.pop1(refType(true, rt.heap));
    c.push(refType(false, rt.heap));
  },
  br_on_null: (c, i) => {
    const rt = c.peekRef(0);
    const ts = c.label(i.args[0]);
    c.pop(ts, refType(true, rt.heap));
    c.pushAll(ts);
    c.push(refType(false, rt.heap));
  },
  br_on_non_null: (c, i) => {
    const rt = c.peekRef(0);
    const t = refType(false, rt.heap);
    const lt = c.label(i.args[0]);
    const t1 = lt[lt.length - 1];
    if (t1 === undefined || !isSubtype(t, t1)) {
      c.error(`type mismatch: instruction requires type ${c.str(t)} but label has ${c.strs(lt)}`);
    }
    const ts0 = lt.slice(0, -1);
    c.pop(ts0, refType(true, rt.heap));
    c.pushAll(ts0);
  },
  'ref.null': (c, i) => {
    c.push(refType(true, c.heapType(i.args[0])));
  },
  'ref.is_null': (c) => {
    const rt = c.peekRef(0);
    c.pop1(refType(true, rt.heap));
    c.push('i32');
  },
  'ref.func': (c, i) => {
    const dt = c.funcDef(i.args[0]);
    c.refer(i.args[0]);
    c.push(dt.ref);
  },
  'ref.eq': (c) => {
    c.pop([EQREF, EQREF]);
    c.push('i32');
  },
  'ref.test': (c, i) => {
    const rt = c.refType(i.args[0]);
    checkCast(c, rt);
    c.pop1(refType(true, topHeap(rt.heap)));
    c.push('i32');
  },
  'ref.cast': (c, i) => {
    const rt = c.refType(i.args[0]);
    checkCast(c, rt);
    c.pop1(refType(true, topHeap(rt.heap)));
    c.push(rt);
  },
  br_on_cast: (c, i) => {
    const { label, from, to } = i.args[0];
    brOnCast(c, label, c.refType(from), c.refType(to), false);
  },
  br_on_cast_fail: (c, i) => {
    const { label, from, to } = i.args[0];
    brOnCast(c, label, c.refType(from), c.refType(to), true);
  },
  'any.convert_extern': (c) => {
    const { nullable } = c.peekRef(0);
    c.pop1(refType(nullable, 'extern'));
    c.push(refType(nullable, 'any'));
  },
  'extern.convert_any': (c) => {
    const { nullable } = c.peekRef(0);
    c.pop1(refType(nullable, 'any'));
    c.push(refType(nullable, 'extern'));
  },
  'ref.i31': (c) => {
    c.pop1('i32');
    c.push(refType(false, 'i31'));
  },
  'i31.get_s': (c) => {
    c.pop1(refType(true, 'i31'));
    c.push('i32');
  },
  'i31.get_u': (c) => {
    c.pop1(refType(true, 'i31'));
    c.push('i32');
  },

  // ---- variables ---------------------------------------------------------------------------
  'local.get': (c, i) => {
    const x = i.args[0];
    const t = c.local(x);
    if (c.localInit[x] === 0) c.error('uninitialized local');
    c.push(t);
  },
  'local.set': (c, i) => {
    const x = i.args[0];
    c.pop1(c.local(x));
    c.initLocal(x);
  },
  'local.tee': (c, i) => {
    const x = i.args[0];
    const t = c.local(x);
    c.pop1(t);
    c.push(t);
    c.initLocal(x);
  },
  'global.get': (c, i) => {
    c.push(c.global(i.args[0]).type);
  },
  'global.set': (c, i) => {
    const g = c.global(i.args[0]);
    c.require(g.mutable, 'immutable global');
    c.pop1(g.type);
  },

  // ---- tables ----------------------------------------------------------------------------------
  'table.get': (c, i) => {
    const tt = c.table(i.args[0]);
    c.pop1(tt.addr);
    c.push(tt.elem);
  },
  'table.set': (c, i) => {
    const tt = c.table(i.args[0]);
    c.pop([tt.addr], tt.elem);
  },
  'table.size': (c, i) => {
    c.push(c.table(i.args[0]).addr);
  },
  'table.grow': (c, i) => {
    const tt = c.table(i.args[0]);
    c.pop([tt.elem], tt.addr);
    c.push(tt.addr);
  },
  'table.fill': (c, i) => {
    const tt = c.table(i.args[0]);
    c.pop([tt.addr, tt.elem], tt.addr);
  },
  'table.copy': (c, i) => {
    const t1 = c.table(i.args[0]);
    const t2 = c.table(i.args[1]);
    if (!isSubRef(t2.elem, t1.elem)) {
      c.error(`type mismatch: source element type ${c.str(t1.elem)} does not match destination element type ${c.str(t2.elem)}`);
    }
    c.pop([t1.addr, t2.addr], minAddr(t1.addr, t2.addr));
  },
  'table.init': (c, i) => {
    const tt = c.table(i.args[1]);
    const et = c.elem(i.args[0]);
    if (!isSubRef(et, tt.elem)) {
      c.error(`type mismatch: element segment's type ${c.str(tt.elem)} does not match table's element type ${c.str(et)}`);
    }
    c.pop([tt.addr, 'i32'], 'i32');
  },

  // ---- memories ---------------------------------------------------------------------------------
  'memory.copy': (c, i) => {
    const a1 = c.memory(i.args[0]).addr;
    const a2 = c.memory(i.args[1]).addr;
    c.pop([a1, a2], minAddr(a1, a2));
  },

  // ---- aggregates ----------------------------------------------------------------------------------
  'struct.new': (c, i) => {
    const st = c.structType(i.args[0]);
    const ts = st.fields.map((f) => unpacked(f.type));
    c.pop(ts);
    c.push(c.type(i.args[0]).ref);
  },
  'struct.new_default': (c, i) => {
    const st = c.structType(i.args[0]);
    c.require(st.fields.every((f) => defaultable(unpacked(f.type))), 'field type is not defaultable');
    c.push(c.type(i.args[0]).ref);
  },
  'struct.get': (c, i) => structGet(c, i.args[0], i.args[1], false),
  'struct.get_s': (c, i) => structGet(c, i.args[0], i.args[1], true),
  'struct.get_u': (c, i) => structGet(c, i.args[0], i.args[1], true),
  'struct.set': (c, i) => {
    const f = structField(c, i.args[0], i.args[1]);
    c.require(f.mutable, 'field is immutable');
    c.pop([c.type(i.args[0]).refNull], unpacked(f.type));
  },
  'array.new': (c, i) => {
    const { field } = c.arrayType(i.args[0]);
    c.pop([unpacked(field.type)], 'i32');
    c.push(c.type(i.args[0]).ref);
  },
  'array.new_default': (c, i) => {
    const { field } = c.arrayType(i.args[0]);
    c.require(defaultable(unpacked(field.type)), 'array type is not defaultable');
    c.pop1('i32');
    c.push(c.type(i.args[0]).ref);
  },
  'array.new_fixed': (c, i) => {
    const { field } = c.arrayType(i.args[0]);
    const t = unpacked(field.type);
    const n = i.args[1] >>> 0;
    if (n <= 16) {
      const ts: CValType[] = [];
      for (let k = 0; k < n; k++) ts.push(t);
      c.pop(ts);
    } else {
      c.pop(new Array<CValType>(n).fill(t));
    }
    c.push(c.type(i.args[0]).ref);
  },
  'array.new_data': (c, i) => {
    const { field } = c.arrayType(i.args[0]);
    c.data(i.args[1]);
    c.require(isNumOrVec(unpacked(field.type)), 'array type is not numeric or vector');
    c.pop(I32x2);
    c.push(c.type(i.args[0]).ref);
  },
  'array.new_elem': (c, i) => {
    const { field } = c.arrayType(i.args[0]);
    const rt = c.elem(i.args[1]);
    if (!isSubtype(rt, unpacked(field.type))) {
      c.error(`type mismatch: element segment's type ${c.str(rt)} does not match array's field type ${fieldTypeToString(field, c.namer)}`);
    }
    c.pop(I32x2);
    c.push(c.type(i.args[0]).ref);
  },
  'array.get': (c, i) => arrayGet(c, i.args[0], false),
  'array.get_s': (c, i) => arrayGet(c, i.args[0], true),
  'array.get_u': (c, i) => arrayGet(c, i.args[0], true),
  'array.set': (c, i) => {
    const { field } = c.arrayType(i.args[0]);
    c.require(field.mutable, 'array is immutable');
    c.pop([arrayRef(c, i.args[0]), 'i32'], unpacked(field.type));
  },
  'array.len': (c) => {
    c.pop1(refType(true, 'array'));
    c.push('i32');
  },
  'array.fill': (c, i) => {
    const { field } = c.arrayType(i.args[0]);
    c.require(field.mutable, 'array is immutable');
    c.pop([arrayRef(c, i.args[0]), 'i32', unpacked(field.type)], 'i32');
  },
  'array.copy': (c, i) => {
    const d = c.arrayType(i.args[0]).field;
    const s = c.arrayType(i.args[1]).field;
    c.require(d.mutable, 'array is immutable');
    c.require(isSubStorage(s.type, d.type), 'array types do not match');
    c.pop([arrayRef(c, i.args[0]), 'i32', arrayRef(c, i.args[1]), 'i32'], 'i32');
  },
  'array.init_data': (c, i) => {
    const { field } = c.arrayType(i.args[0]);
    c.require(field.mutable, 'array is immutable');
    c.data(i.args[1]);
    c.require(isNumOrVec(unpacked(field.type)), 'array type is not numeric or vector');
    c.pop([arrayRef(c, i.args[0]), 'i32', 'i32'], 'i32');
  },
  'array.init_elem': (c, i) => {
    const { field } = c.arrayType(i.args[0]);
    c.require(field.mutable, 'array is immutable');
    const rt = c.elem(i.args[1]);
    if (!isSubtype(rt, unpacked(field.type))) {
      c.error(`type mismatch: element segment's type ${c.str(rt)} does not match array's field type ${fieldTypeToString(field, c.namer)}`);
    }
    c.pop([arrayRef(c, i.args[0]), 'i32', 'i32'], 'i32');
  },

  // ---- stack switching -------------------------------------------------------------------------------
  'cont.new': (c, i) => {
    const ct = c.contType(i.args[0]);
    c.pop1(ct.type.refNull);
    c.push(c.type(i.args[0]).ref);
  },
  'cont.bind': (c, i) => {
    const [x, y] = i.args;
    const ft = c.contFuncType(c.contType(x));
    const ft2 = c.contFuncType(c.contType(y));
    c.require(ft.params.length >= ft2.params.length, 'type mismatch in continuation arguments');
    const k = ft.params.length - ft2.params.length;
    const ts11 = ft.params.slice(0, k);
    const ts12 = ft.params.slice(k);
    c.require(matchFuncType({ kind: 'func', params: ts12, results: ft.results }, ft2), 'type mismatch in continuation types');
    c.pop(ts11, c.type(x).refNull);
    c.push(c.type(y).ref);
  },
  suspend: (c, i) => {
    const ft = c.tagType(i.args[0]);
    c.pop(ft.params);
    c.pushAll(ft.results);
  },
  resume: (c, i) => {
    const x = i.args[0];
    const ft = c.contFuncType(c.contType(x));
    checkHandlers(c, ft.results, i.args[1]);
    c.pop(ft.params, c.type(x).refNull);
    c.pushAll(ft.results);
  },
  resume_throw: (c, i) => {
    const [x, y, hs] = i.args;
    const ft = c.contFuncType(c.contType(x));
    const ts0 = c.tagType(y).params;
    checkHandlers(c, ft.results, hs);
    c.pop(ts0, c.type(x).refNull);
    c.pushAll(ft.results);
  },
  resume_throw_ref: (c, i) => {
    const x = i.args[0];
    const ft = c.contFuncType(c.contType(x));
    checkHandlers(c, ft.results, i.args[1]);
    c.pop([C_EXNREF], c.type(x).refNull);
    c.pushAll(ft.results);
  },
  switch: (c, i) => {
    const [x, y] = i.args;
    const ft1 = c.contFuncType(c.contType(x));
    const ts11 = ft1.params;
    const last = ts11[ts11.length - 1];
    if (last === undefined || typeof last !== 'object' || typeof last.heap !== 'object') {
      return c.error(`type mismatch: instruction requires continuation reference type but the type annotation has ${c.strs(ts11)}`);
    }
    const ft2 = c.contFuncTypeOfHeap(last.heap);
    const { params: ts31, results: t } = c.tagType(y);
    c.require(ts31.length === 0, 'type mismatch in switch tag');
    c.require(isSubResult(ft1.results, t), 'type mismatch in continuation types');
    c.require(isSubResult(t, ft2.results), 'type mismatch in continuation types');
    c.pop(ts11.slice(0, -1), c.type(x).refNull);
    c.pushAll(ft2.params);
  },
};

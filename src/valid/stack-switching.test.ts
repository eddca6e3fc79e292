// Typing of the stack-switching instructions, valid and invalid cases.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Instr } from '../syntax/opcodes.ts';
import type { ValType } from '../syntax/types.ts';
import { I, contT, fn, funcT, invalid, mod, rec, ref, refNull, valid } from '../../test/helpers/valid-testkit.ts';

// The types every test shares.
const TYPES = [
  rec(funcT(['i32'], ['i64'])), // 0  $f1: [i32] -> [i64]
  rec(contT(0)), //                1  $c1
  rec(funcT(['f32'], ['f64'])), // 2  tag $t: sends f32, receives f64
  rec(funcT(['f64'], ['i64'])), // 3  what a handler of $t receives as continuation
  rec(contT(3)), //                4  $k
  rec(funcT([], ['i64'])), //      5  switch tag $sw: [] -> [i64]
  rec(funcT([], ['f32', ref(4)])), // 6  block type of a handler of $t
  rec(funcT([refNull(1)], ['i64'])), // 7
  rec(funcT(['f32', 'i32'], ['i64'])), // 8
  rec(contT(8)), //                9  $c2: [f32 i32] -> [i64]
  rec(funcT(['i32'], [])), //     10  exception tag $e
  rec(funcT([], ['f32'])), //     11  switch tag with other results
  rec(funcT(['f32', refNull(1)], ['i64'])), // 12
  rec(contT(12)), //              13  $c3: [f32 (ref null $c1)] -> [i64]
  rec(funcT([], ['f32', 'i32'])), // 14 block type [] -> [f32 i32]
  rec(funcT([], ['f32', ref(1)])), // 15 block type with a wrong continuation
  rec(funcT([], ['i32', ref(4)])), // 16 block type with wrong payload
];
// tags: 0 $t (type 2), 1 $sw (type 5), 2 $e (type 10), 3 $sw2 (type 11)
const TAGS = [2, 5, 10, 11].map((type) => ({ type, at: -1 }));

/** A module with one function of type index `type` (added as type 17 when given as a signature). */
function m(sig: number | [ValType[], ValType[]], body: Instr[]) {
  const types = [...TYPES];
  let type = sig as number;
  if (Array.isArray(sig)) {
    type = types.length;
    types.push(rec(funcT(sig[0], sig[1])));
  }
  return mod({ types, tags: TAGS, funcs: [fn(type, body)] });
}

const get = (x: number) => I('local.get', x);

test('cont.new', () => {
  valid(m([[refNull(0)], [ref(1)]], [get(0), I('cont.new', 1)]));
  invalid(m([[refNull(0)], [ref(1)]], [get(0), I('cont.new', 0)]), 'non-continuation type 0');
  invalid(m([[refNull(2)], [ref(1)]], [get(0), I('cont.new', 1)]), 'type mismatch');
  invalid(m([[refNull(0)], [ref(4)]], [get(0), I('cont.new', 1)]), 'type mismatch');
  invalid(m([[], []], [I('cont.new', 99)]), 'unknown type 99');
});

test('cont types must refer to function types', () => {
  invalid(mod({ types: [rec(contT(0))] }), 'non-function type 0');
  invalid(mod({ types: [rec(funcT([], [])), rec(contT(1))] }), 'non-function type 1');
  invalid(mod({ types: [rec(contT(5))] }), 'unknown type 5');
});

test('cont.bind', () => {
  valid(m([['f32', refNull(9)], [ref(1)]], [get(0), get(1), I('cont.bind', 9, 1)]));
  // binding nothing
  valid(m([[refNull(1)], [ref(1)]], [get(0), I('cont.bind', 1, 1)]));
  invalid(m([[refNull(1)], [ref(9)]], [get(0), I('cont.bind', 1, 9)]), 'type mismatch in continuation arguments');
  invalid(m([['f32', refNull(9)], [ref(4)]], [get(0), get(1), I('cont.bind', 9, 4)]), 'type mismatch in continuation types');
  invalid(m([['i32', refNull(9)], [ref(1)]], [get(0), get(1), I('cont.bind', 9, 1)]), 'type mismatch');
  invalid(m([[refNull(0)], [ref(1)]], [get(0), I('cont.bind', 0, 1)]), 'non-continuation type 0');
});

test('suspend', () => {
  valid(m([['f32'], ['f64']], [get(0), I('suspend', 0)]));
  invalid(m([['i32'], ['f64']], [get(0), I('suspend', 0)]), 'type mismatch');
  invalid(m([['f32'], ['f32']], [get(0), I('suspend', 0)]), 'type mismatch');
  invalid(m([[], []], [I('suspend', 9)]), 'unknown tag 9');
});

const resumeIn = (handlerBlockType: number, handlers: { tag: number; label: number | null }[], label = 0) =>
  m(7, [
    I('block', { type: handlerBlockType }),
    I('i32.const', 0), get(0), I('resume', 1, handlers.map((h) => ({ ...h, label: h.label === null ? null : label }))),
    I('return'),
    I('end'),
    I('drop'), I('drop'), I('i64.const', 0n),
  ]);

test('resume', () => {
  valid(m(7, [I('i32.const', 0), get(0), I('resume', 1, [])]));
  valid(resumeIn(6, [{ tag: 0, label: 0 }]));
  valid(resumeIn(6, [{ tag: 0, label: 0 }, { tag: 1, label: null }]));
  invalid(m(7, [get(0), I('resume', 1, [])]), 'type mismatch');
  invalid(m(7, [I('i32.const', 0), get(0), I('resume', 0, [])]), 'non-continuation type 0');
});

test('resume handlers', () => {
  // the continuation type of the label does not match
  invalid(resumeIn(15, [{ tag: 0, label: 0 }]), 'type mismatch in continuation type');
  // the label does not end with a continuation
  invalid(resumeIn(14, [{ tag: 0, label: 0 }]), 'type mismatch: instruction requires concrete continuation reference type');
  // the tag's payload does not match the label
  invalid(resumeIn(16, [{ tag: 0, label: 0 }]), 'type mismatch');
  // switch handlers need tags without parameters
  invalid(resumeIn(6, [{ tag: 0, label: null }]), 'type mismatch tag type');
  // ... whose results are the continuation's (the explainer's rule, which the reference
  // interpreter leaves out; a switch to a continuation of the tag's results returns them here)
  invalid(resumeIn(6, [{ tag: 3, label: null }]), 'type mismatch: switch tag does not match continuation');
  invalid(m(7, [I('i32.const', 0), get(0), I('resume_throw', 1, 2, [{ tag: 3, label: null }])]), 'type mismatch: switch tag does not match continuation');
  invalid(resumeIn(6, [{ tag: 7, label: 0 }]), 'unknown tag 7');
  invalid(resumeIn(6, [{ tag: 0, label: 0 }], 5), 'unknown label 5');
});

test('resume_throw and resume_throw_ref', () => {
  valid(m(7, [I('i32.const', 0), get(0), I('resume_throw', 1, 2, [])]));
  valid(m(7, [I('i32.const', 0), get(0), I('resume_throw', 1, 2, [{ tag: 1, label: null }])]));
  invalid(m(7, [I('f32.const', 0), get(0), I('resume_throw', 1, 2, [])]), 'type mismatch');
  invalid(m(7, [I('i32.const', 0), get(0), I('resume_throw', 0, 2, [])]), 'non-continuation type 0');
  invalid(m(7, [I('i32.const', 0), get(0), I('resume_throw', 1, 9, [])]), 'unknown tag 9');
  valid(m(7, [I('ref.null', 'exn'), get(0), I('resume_throw_ref', 1, [])]));
  invalid(m(7, [I('ref.null', 'extern'), get(0), I('resume_throw_ref', 1, [])]), 'type mismatch');
  invalid(m(7, [I('ref.null', 'exn'), get(0), I('resume_throw_ref', 1, [{ tag: 0, label: null }])]), 'type mismatch tag type');
});

test('switch', () => {
  valid(m([['f32', refNull(13)], ['i32']], [get(0), get(1), I('switch', 13, 1)]));
  invalid(m([['f32', refNull(13)], ['i32']], [get(0), get(1), I('switch', 13, 0)]), 'type mismatch in switch tag');
  invalid(m([['f32', refNull(13)], ['i32']], [get(0), get(1), I('switch', 13, 3)]), 'type mismatch in continuation types');
  invalid(m([['i32', refNull(1)], ['i64']], [get(0), get(1), I('switch', 1, 1)]), 'type mismatch: instruction requires continuation reference type');
  invalid(m([['i32', refNull(13)], ['i32']], [get(0), get(1), I('switch', 13, 1)]), 'type mismatch');
  invalid(m([['f32', refNull(13)], ['i64']], [get(0), get(1), I('switch', 13, 1)]), 'type mismatch');
});

test('casts to continuation types are invalid', () => {
  invalid(m([[refNull('any')], ['i32']], [get(0), I('ref.test', ref(1))]), 'invalid cast to continuation types');
  invalid(m([[refNull('cont')], ['i32']], [get(0), I('ref.test', refNull('cont'))]), 'invalid cast to continuation types');
});

test('errors carry the function and the offset', () => {
  const mm = m([['i32'], ['f64']], [get(0), { ...I('suspend', 0), at: 42 }]);
  mm.names.funcs.set(0, 'f');
  const e = invalid(mm, 'type mismatch');
  assert.equal(e.offset, 42);
  assert.equal(e.func, 0);
  assert.equal(e.funcName, 'f');
});

test('switch handlers: the tag\'s results equal the continuation\'s, not a subtype or supertype', () => {
  // $c: [] -> [(ref null func)]; tags whose results are the same, a subtype's, an unrelated type's
  const types = [
    rec(funcT([], [refNull('func')])), // 0
    rec(contT(0)), //                     1
    rec(funcT([], [ref('func')])), //     2  a subtype's results
    rec(funcT([], [refNull('any')])), //  3  unrelated
    rec(funcT([refNull(1)], [refNull('func')])), // 4
  ];
  const body = [I('local.get', 0), I('resume', 1, [{ tag: 0, label: null }])];
  const withTag = (tagType: number) => mod({ types, tags: [{ type: tagType, at: -1 }], funcs: [fn(4, body)] });
  valid(withTag(0));
  invalid(withTag(2), 'type mismatch: switch tag does not match continuation');
  invalid(withTag(3), 'type mismatch: switch tag does not match continuation');
});

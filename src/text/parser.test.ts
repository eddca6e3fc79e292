import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseModule } from './parser.ts';
import type { Instr } from '../syntax/opcodes.ts';
import type { Module } from '../syntax/ast.ts';
import { WasmSyntaxError } from '../util/errors.ts';

/** Instructions as compact strings: `op arg arg`. */
const show = (code: readonly Instr[]): string[] =>
  code.map((i) => [i.op, ...(i.args as unknown[]).map((a) => JSON.stringify(a, (_k, v) =>
    typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? [...v].join(' ') : v))].join(' '));

const body = (src: string, f = 0): string[] => show(parseModule(src).funcs[f]!.body);

/** The syntax error of parsing `src`: "line:col: message". */
function error(src: string): string {
  try {
    parseModule(src, 'test.wat');
  } catch (e) {
    assert.ok(e instanceof WasmSyntaxError, String(e));
    return e.format().replace(/^test\.wat:/, '');
  }
  assert.fail(`no error for ${src}`);
}

const funcType = (m: Module, i: number) => {
  const types = m.types.flatMap((g) => g.types);
  const c = types[i]!.comp;
  assert.equal(c.kind, 'func');
  return c;
};

test('flat and folded instructions give the same code', () => {
  const flat = body(`(func (result i32)
    i32.const 1 i32.const 2 i32.add
    block (result i32) i32.const 3 end drop
    local.get 0 if (result i32) i32.const 4 else i32.const 5 end drop)`.replace('local.get 0', 'i32.const 0'));
  const folded = body(`(func (result i32)
    (i32.add (i32.const 1) (i32.const 2))
    (drop (block (result i32) (i32.const 3)))
    (drop (if (result i32) (i32.const 0) (then (i32.const 4)) (else (i32.const 5)))))`);
  assert.deepEqual(flat, folded);
  assert.deepEqual(folded, [
    'i32.const 1', 'i32.const 2', 'i32.add', 'block "i32"', 'i32.const 3', 'end', 'drop',
    'i32.const 0', 'if "i32"', 'i32.const 4', 'else', 'i32.const 5', 'end', 'drop', 'end',
  ]);
});

test('labels: names, depths, shadowing, end labels', () => {
  assert.deepEqual(body(`(func
    (block $a (loop $b (br $a) (br $b) (br 1) (block $a (br $a) (br_if $b (i32.const 0))))))`), [
    'block null', 'loop null', 'br 1', 'br 0', 'br 1', 'block null', 'br 0', 'i32.const 0', 'br_if 1', 'end', 'end', 'end', 'end',
  ]);
  assert.deepEqual(body('(func block $l br $l end $l br 0)'), ['block null', 'br 0', 'end', 'br 0', 'end']);
  assert.deepEqual(body('(func (i32.const 0) if $l br $l else $l br $l end $l)'),
    ['i32.const 0', 'if null', 'br 0', 'else', 'br 0', 'end', 'end']);
  const m = parseModule('(func $f (block $x (loop (block $y))))');
  assert.deepEqual([...m.names.labels.get(0)!], [[0, 'x'], [2, 'y']]);
  // blocks are numbered in instruction order: the condition's block comes before the if
  const n = parseModule('(func (if $i (block $c (result i32) (i32.const 0)) (then)))');
  assert.deepEqual([...n.names.labels.get(0)!], [[0, 'c'], [1, 'i']]);
  assert.equal(error('(func block $l end $m)'), '1:20: mismatching label');
  assert.equal(error('(func block end $l)'), '1:17: mismatching label');
  assert.equal(error('(func if $a else $b end)'), '1:18: mismatching label');
  assert.equal(error('(func (br $nope))'), '1:11: unknown label $nope');
});

test('br_table, br_on_cast, try_table catches resolve outside the block', () => {
  assert.deepEqual(body('(func (block $a (block $b (br_table $a $b 0 (i32.const 0)))))'),
    ['block null', 'block null', 'i32.const 0', 'br_table {"labels":[1,0],"default":0}', 'end', 'end', 'end']);
  assert.deepEqual(body('(func (param anyref) (block $l (result anyref) (br_on_cast $l anyref (ref null i31) (local.get 0))))').slice(1, 3),
    ['local.get 0', 'br_on_cast {"label":0,"from":{"nullable":true,"heap":"any"},"to":{"nullable":true,"heap":"i31"}}']);
  assert.deepEqual(body(`(tag $e (param i32)) (func (block $h (result i32)
    (try_table $t (catch $e $h) (catch_all_ref 0) (catch_ref 0 $h) (catch_all $h) (br $t))) drop)`).slice(0, 3), [
    'block "i32"',
    'try_table null [{"kind":"catch","tag":0,"label":0},{"kind":"catch_all_ref","label":0},{"kind":"catch_ref","tag":0,"label":0},{"kind":"catch_all","label":0}]',
    'br 0',
  ]);
});

test('locals: params and locals by name, with type uses', () => {
  const m = parseModule(`(type $t (func (param i32 i64)))
    (func $a (param $x i32) (param i64) (local $y f32) (local f64 $"z w")
      (local.get $x) (local.get $y) (local.get $"z w") (local.get 3) drop drop drop drop)`.replace(' $"z w")', ') (local $"z w" i32)'));
  assert.deepEqual(show(m.funcs[0]!.body).slice(0, 4), ['local.get 0', 'local.get 2', 'local.get 4', 'local.get 3']);
  assert.deepEqual(m.funcs[0]!.locals, ['f32', 'f64', 'i32']);
  assert.deepEqual([...m.names.locals.get(0)!], [[0, 'x'], [2, 'y'], [4, 'z w']]);
  // (type $t) without inline params: parameters counted from the type
  const n = parseModule('(type $t (func (param i32 i64))) (func (type $t) (local $l i32) (local.get $l) drop)');
  assert.deepEqual(show(n.funcs[0]!.body)[0], 'local.get 2');
  assert.equal(n.funcs[0]!.type, 0);
  assert.equal(error('(func (param $x i32) (local $x i32))'), '1:29: duplicate local $x');
  assert.equal(error('(func (local.get $x))'), '1:18: unknown local $x');
  assert.equal(error('(func (type 3) (local $x i32))'), '1:13: unknown type 3');
  // without named locals the index is not looked up (the validator reports it)
  assert.equal(parseModule('(func (type 3))').funcs[0]!.type, 3);
});

test('type uses: explicit, inline, implicit types appended in order', () => {
  const m = parseModule(`
    (type $v (func))
    (type $ii (func (param i32) (result i32)))
    (type (struct))
    (func (param i32) (result i32) (local.get 0))
    (func (type $ii) (param i32) (result i32) (local.get 0))
    (func (param i64))
    (func (call_indirect (param f32) (i32.const 0)) (block (param) (result i32 i32) unreachable) drop drop)
    (func (param i64))
    (table 1 funcref)`);
  assert.deepEqual(m.funcs.map((f) => f.type), [1, 1, 3, 0, 3]);
  assert.equal(m.types.length, 6);
  assert.deepEqual(funcType(m, 3), { kind: 'func', params: ['i64'], results: [] });
  assert.deepEqual(funcType(m, 4), { kind: 'func', params: ['f32'], results: [] });
  assert.deepEqual(funcType(m, 5), { kind: 'func', params: [], results: ['i32', 'i32'] });
  assert.deepEqual(show(m.funcs[3]!.body).slice(0, 3), ['i32.const 0', 'call_indirect 4 0', 'block {"type":5}']);
  // rec groups and sub types are not reused for inline types
  const r = parseModule('(rec (type (func)) (type (struct))) (type (sub (func))) (func)');
  assert.equal(r.funcs[0]!.type, 3);
  assert.equal(error('(type $t (func (param i32))) (func (type $t) (param i64))'), '1:42: inline function type does not match explicit type');
  assert.equal(error('(type $t (struct)) (func (type $t) (param i64))'), '1:32: non-function type 0');
  assert.equal(error('(type $t (func (param i32))) (func (type $t) (result i32) (param i32))'), '1:60: unexpected token');
  assert.equal(error('(func (type $nope))'), '1:13: unknown type $nope');
  // imports too take both (the spec's typeuse; Binaryen prints its imports so)
  const i = parseModule('(type $ii (func (param i32) (result i32))) (import "m" "f" (func (type $ii) (param i32) (result i32))) (import "m" "t" (tag (type 0) (param i32) (result i32)))');
  assert.equal(i.types.length, 1);
  assert.deepEqual(i.imports.map((x) => (x.desc as { type: number }).type), [0, 0]);
  assert.equal(error('(type $ii (func (param i32))) (import "m" "f" (func (type $ii) (param i64)))'), '1:59: inline function type does not match explicit type');
  // ... and their parameters' names go to the name section, as for an inline import
  const n = parseModule('(import "m" "g" (func (param $x i64))) (type $ii (func (param i32))) (import "m" "f" (func (type $ii) (param $a i32))) (func (import "m" "h") (param $z f32))');
  assert.deepEqual([...n.names.locals].map(([f, m]) => [f, [...m]]), [[0, [[0, 'x']]], [1, [[0, 'a']]], [2, [[0, 'z']]]]);
});

test('type definitions: rec, sub, struct fields, arrays, continuations', () => {
  const m = parseModule(`
    (rec (type $a (sub (struct (field $x i32) (field (mut i64) f32) (field $y (mut (ref null $b))))))
         (type $b (sub final $a (struct (field $x i32) (field i64 f32) (field $y (ref $a))))))
    (type $arr (array (mut i8)))
    (type $ft (func (param $p i32) (result i32)))
    (type $ct (cont $ft))
    (type (cont (type $ft)))
    (func (param (ref $a)) (result i32)
      (struct.get $a $x (local.get 0)) (struct.get $b $y (ref.null $b)) drop (struct.get 0 3 (ref.null 0)) drop)`);
  assert.equal(m.types.length, 6); // + the implicit type of the func
  assert.equal(m.types[0]!.explicit, true);
  assert.equal(m.types[0]!.types.length, 2);
  const [a, b] = m.types[0]!.types;
  assert.deepEqual(a!.supers, []);
  assert.equal(a!.final, false);
  assert.deepEqual(b!.supers, [0]);
  assert.equal(b!.final, true);
  assert.deepEqual(a!.comp, { kind: 'struct', fields: [
    { mutable: false, type: 'i32' }, { mutable: true, type: 'i64' }, { mutable: false, type: 'f32' },
    { mutable: true, type: { nullable: true, heap: 1 } },
  ] });
  assert.deepEqual(m.types[1]!.types[0]!.comp, { kind: 'array', field: { mutable: true, type: 'i8' } });
  assert.deepEqual(m.types[3]!.types[0]!.comp, { kind: 'cont', type: 3 });
  assert.deepEqual(m.types[4]!.types[0]!.comp, { kind: 'cont', type: 3 });
  assert.deepEqual(show(m.funcs[0]!.body).slice(0, 4), ['local.get 0', 'struct.get 0 0', 'ref.null 1', 'struct.get 1 3']);
  assert.deepEqual([...m.names.fields.get(0)!], [[0, 'x'], [3, 'y']]);
  assert.deepEqual([...m.names.types], [[0, 'a'], [1, 'b'], [2, 'arr'], [3, 'ft'], [4, 'ct']]);
  assert.equal(error('(type (struct (field $x i32) (field $x i64)))'), '1:37: duplicate field $x');
  assert.equal(error('(type $s (struct)) (func (struct.get $s $f (unreachable)))'), '1:41: unknown field $f');
  assert.equal(error('(type $t (func)) (type $t (func))'), '1:24: duplicate type $t');
});

test('imports, exports and inline abbreviations', () => {
  const m = parseModule(`
    (import "m" "f" (func $f (param i32)))
    (import "m" "g" (global $g (mut i32)))
    (func $h (export "h1") (export "h2") (import "m" "h") (result i32))
    (table $t (import "m" "t") 1 2 funcref)
    (memory $mem (export "mem") (import "m" "mem") i64 1)
    (tag $e (import "m" "e") (param i32))
    (global $g2 (export "g2") i32 (global.get $g))
    (func $k (export "k") (call $f (i32.const 0)))
    (export "t" (table $t))`);
  assert.deepEqual(m.imports.map((i) => `${i.module}.${i.name}:${i.desc.kind}`),
    ['m.f:func', 'm.g:global', 'm.h:func', 'm.t:table', 'm.mem:memory', 'm.e:tag']);
  assert.deepEqual(m.exports.map((e) => `${e.name}:${e.kind}${e.index}`), ['h1:func1', 'h2:func1', 'mem:memory0', 'g2:global1', 'k:func2', 't:table0']);
  assert.deepEqual(m.imports[4]!.desc, { kind: 'memory', type: { addr: 'i64', limits: { min: 1n, max: null } } });
  assert.deepEqual(m.imports[3]!.desc, { kind: 'table', type: { addr: 'i32', limits: { min: 1n, max: 2n }, elem: { nullable: true, heap: 'func' } } });
  assert.deepEqual(show(m.globals[0]!.init), ['global.get 0', 'end']);
  assert.deepEqual(show(m.funcs[0]!.body), ['i32.const 0', 'call 0', 'end']);
  assert.deepEqual([...m.names.funcs], [[0, 'f'], [1, 'h'], [2, 'k']]);
  assert.deepEqual([...m.names.globals], [[0, 'g'], [1, 'g2']]);
  assert.equal(error('(func) (import "m" "f" (func))'), '1:8: import after function definition');
  assert.equal(error('(global i32 (i32.const 0)) (func (import "m" "f"))'), '1:34: import after global definition');
  assert.equal(error('(memory 0) (table 0 funcref) (import "m" "m" (memory 0))'), '1:30: import after table definition');
  assert.equal(error('(func $f) (func $f)'), '1:17: duplicate function $f');
  assert.equal(error('(export "e" (func $nope))'), '1:19: unknown function $nope');
  assert.equal(error('(import "m" "\\ff" (func))'), '1:13: malformed UTF-8 encoding');
  assert.equal(error('(start 0) (start 0)'), '1:1: multiple start sections');
});

test('tables, memories, elem and data segments', () => {
  const m = parseModule(`
    (func $f) (func $g)
    (table $t 0 10 funcref)
    (table $u i64 (ref null func) (elem $f $g))
    (table $w 1 (ref func) (ref.func $f))
    (table $x externref (elem (item ref.null extern) (ref.null extern)))
    (memory $m (data "ab" "c"))
    (memory $n i64 1 2)
    (elem $e1 (i32.const 0) $f $g)
    (elem $e2 func $f)
    (elem $e3 declare func $g)
    (elem $e4 (table $t) (offset (i32.const 1)) funcref (ref.func $f) (item (ref.null func)))
    (elem $e5 (i32.const 2) funcref (ref.func $g))
    (data $d1 "xyz")
    (data $d2 (memory $n) (i64.const 8) "\\01\\02")
    (data $d3 (offset (i32.const 0)))
    (func (elem.drop $e5) (data.drop $d2) (table.init $u $e2 (i32.const 0) (i32.const 0) (i32.const 0)))`);
  assert.deepEqual(m.tables.map((t) => [t.type.addr, t.type.limits.min, t.type.limits.max, t.init === null]),
    [['i32', 0n, 10n, true], ['i64', 2n, 2n, true], ['i32', 1n, null, false], ['i32', 2n, 2n, true]]);
  assert.deepEqual(show(m.tables[2]!.init!), ['ref.func 0', 'end']);
  assert.deepEqual(m.memories.map((x) => [x.type.addr, x.type.limits.min, x.type.limits.max]), [['i32', 1n, 1n], ['i64', 1n, 2n]]);
  // segments in textual order, inline ones included
  assert.deepEqual(m.elems.map((e) => e.mode.kind), ['active', 'active', 'active', 'passive', 'declarative', 'active', 'active']);
  assert.deepEqual(m.elems[0]!.mode.kind === 'active' && show(m.elems[0]!.mode.offset), ['i64.const "0n"', 'end']);
  assert.deepEqual(m.elems[0]!.init.map(show), [['ref.func 0', 'end'], ['ref.func 1', 'end']]);
  assert.deepEqual(m.elems[1]!.init.map(show), [['ref.null "extern"', 'end'], ['ref.null "extern"', 'end']]);
  assert.deepEqual(m.elems[2]!.type, { nullable: false, heap: 'func' });
  assert.deepEqual(m.elems[5]!.mode.kind === 'active' && [m.elems[5]!.mode.table, show(m.elems[5]!.mode.offset)], [0, ['i32.const 1', 'end']]);
  assert.deepEqual(m.datas.map((d) => [...d.init]), [[97, 98, 99], [120, 121, 122], [1, 2], []]);
  assert.deepEqual(m.datas[2]!.mode.kind === 'active' && m.datas[2]!.mode.memory, 1);
  // elem/data names count the inline segments
  assert.deepEqual(show(m.funcs[2]!.body).slice(0, 2), ['elem.drop 6', 'data.drop 2']);
  assert.deepEqual(show(m.funcs[2]!.body)[5], 'table.init 3 1');
  assert.equal(m.dataCount, true);
  assert.equal(parseModule('(memory 1) (data "x")').dataCount, false);
  assert.equal(error('(memory f32 1)'), '1:9: malformed address type');
  assert.equal(error('(memory 0x1_0000_0000_0000_0000)'), '1:9: i64 constant out of range');
  assert.equal(error('(elem.drop 0)'), '1:2: unexpected token');
  assert.equal(error('(func (data.drop $d))'), '1:18: unknown data segment $d');
  assert.equal(error('(func (elem.drop $d))'), '1:18: unknown elem segment $d');
});

test('memory instructions: memory index, offset, alignment', () => {
  const m = parseModule(`(memory $a 1) (memory $b 1)
    (func (param i32)
      (drop (i32.load (local.get 0)))
      (drop (i64.load8_u $b offset=0x10 align=1 (local.get 0)))
      (drop (i32.load 1 align=4 (local.get 0)))
      (drop (v128.load offset=4294967296 (local.get 0)))
      (drop (memory.size $b)) (drop (memory.grow (i32.const 0)))
      (memory.fill 1 (local.get 0) (local.get 0) (local.get 0))
      (memory.copy $b $a (local.get 0) (local.get 0) (local.get 0))
      (memory.copy (local.get 0) (local.get 0) (local.get 0))
      (memory.init $b $d (local.get 0) (local.get 0) (local.get 0))
      (memory.init $d (local.get 0) (local.get 0) (local.get 0))
      (drop (v128.load8_lane 1 (local.get 0) (v128.const i64x2 0 0)))
      (drop (v128.load8_lane $b 1 (local.get 0) (v128.const i64x2 0 0)))
      (drop (v128.load16_lane 0 1 (local.get 0) (v128.const i64x2 0 0)))
      (v128.store64_lane offset=8 align=8 1 (local.get 0) (v128.const i64x2 0 0)))
    (data $d "")`);
  const code = show(m.funcs[0]!.body).filter((s) => !/^(local\.get|drop|i32\.const|v128\.const)/.test(s));
  assert.deepEqual(code, [
    'i32.load {"align":2,"offset":"0n","mem":0}',
    'i64.load8_u {"align":0,"offset":"16n","mem":1}',
    'i32.load {"align":2,"offset":"0n","mem":1}',
    'v128.load {"align":4,"offset":"4294967296n","mem":0}',
    'memory.size 1', 'memory.grow 0', 'memory.fill 1', 'memory.copy 1 0', 'memory.copy 0 0',
    'memory.init 0 1', 'memory.init 0 0',
    'v128.load8_lane {"align":0,"offset":"0n","mem":0} 1',
    'v128.load8_lane {"align":0,"offset":"0n","mem":1} 1',
    'v128.load16_lane {"align":1,"offset":"0n","mem":0} 1',
    'v128.store64_lane {"align":3,"offset":"8n","mem":0} 1',
    'end',
  ]);
  assert.equal(error('(memory 1) (func (drop (i32.load align=3 (i32.const 0))))'), '1:34: alignment must be a power of two');
  assert.equal(error('(memory 1) (func (drop (i32.load align=0 (i32.const 0))))'), '1:34: alignment must be a power of two');
  assert.equal(error('(memory 1) (func (drop (i32.load align=1 offset=1 (i32.const 0))))'), '1:42: unexpected token');
});

test('table and call instructions', () => {
  const m = parseModule(`(type $t (func (param i32))) (table $a 1 funcref) (table $b 1 funcref) (elem $e func)
    (func $f (param i32)
      (call_indirect (type $t) (local.get 0) (i32.const 0))
      (call_indirect $b (type $t) (param i32) (local.get 0) (i32.const 0))
      (call_indirect 1 (param i32) (local.get 0) (i32.const 0))
      (return_call_indirect (param i32) (local.get 0) (i32.const 0)))
    (func
      (drop (table.get (i32.const 0))) (drop (table.size $b))
      (table.copy (i32.const 0) (i32.const 0) (i32.const 0))
      (table.copy $a $b (i32.const 0) (i32.const 0) (i32.const 0))
      (table.init $e (i32.const 0) (i32.const 0) (i32.const 0))
      (table.init $b $e (i32.const 0) (i32.const 0) (i32.const 0))
      (call $f (i32.const 0)) (return_call_ref $t (i32.const 0) (ref.func $f)))`);
  assert.deepEqual(show(m.funcs[0]!.body).filter((s) => s.includes('call')),
    ['call_indirect 0 0', 'call_indirect 0 1', 'call_indirect 0 1', 'return_call_indirect 0 0']);
  assert.deepEqual(show(m.funcs[1]!.body).filter((s) => /^(table|call|return)/.test(s)), [
    'table.get 0', 'table.size 1', 'table.copy 0 0', 'table.copy 0 1', 'table.init 0 0', 'table.init 0 1',
    'call 0', 'return_call_ref 0',
  ]);
  assert.equal(error('(table 1 funcref) (func (call_indirect (param $x i32) (i32.const 0)))'), '1:47: unexpected token');
});

test('numeric and vector constants', () => {
  assert.deepEqual(body(`(func
    (i32.const 0xffff_ffff) (i32.const -0x8000_0000) (i64.const -1) (i64.const 18446744073709551615)
    (f32.const -0.0) (f32.const nan:0x200000) (f64.const 0x1p-1074) (f64.const inf)
    (v128.const i8x16 -128 255 0 1 2 3 4 5 6 7 8 9 10 11 12 13)
    (v128.const i16x8 -1 0 0 0 0 0 0 0x8000)
    (v128.const f32x4 1 -0 inf nan) (v128.const f64x2 0.5 -0x1p0)
    (i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 31 (v128.const i64x2 0 0) (v128.const i64x2 0 0))
    (i8x16.extract_lane_u 15 (v128.const i64x2 0 0)))`).slice(0, 10), [
    'i32.const -1', 'i32.const -2147483648', 'i64.const "-1n"', 'i64.const "-1n"',
    'f32.const 2147483648', 'f32.const 2141192192', 'f64.const "1n"', 'f64.const "9218868437227405312n"',
    'v128.const "128 255 0 1 2 3 4 5 6 7 8 9 10 11 12 13"',
    'v128.const "255 255 0 0 0 0 0 0 0 0 0 0 0 0 0 128"',
  ]);
  const rest = body(`(func (v128.const f32x4 1 -0 inf nan) (v128.const f64x2 0.5 -0x1p0)
    (i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 31 (v128.const i64x2 0 0) (v128.const i64x2 0 0))
    (i8x16.extract_lane_u 15 (v128.const i64x2 0 0)))`);
  assert.equal(rest[0], 'v128.const "0 0 128 63 0 0 0 128 0 0 128 127 0 0 192 127"');
  assert.equal(rest[1], 'v128.const "0 0 0 0 0 0 224 63 0 0 0 0 0 0 240 191"');
  assert.equal(rest[4], 'i8x16.shuffle "0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 31"');
  assert.equal(rest[6], 'i8x16.extract_lane_u 15');
  assert.equal(error('(func (i32.const 0x1_0000_0000))'), '1:18: constant out of range');
  assert.equal(error('(func (i32.const 1.5))'), '1:18: constant out of range');
  assert.equal(error('(func (f32.const 1e39))'), '1:18: constant out of range');
  assert.equal(error('(func (v128.const i8x16 256 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0))'), '1:25: constant out of range');
  assert.equal(error('(func (v128.const i32x4 0 0 0))'), '1:8: wrong number of lane literals');
  assert.equal(error('(func (i8x16.shuffle 0 1))'), '1:8: invalid lane length');
  assert.equal(error('(func (i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 256))'), '1:57: malformed lane index');
  assert.equal(error('(func (i8x16.extract_lane_s -1))'), '1:29: unexpected token');
});

test('references, GC, select and exceptions', () => {
  assert.deepEqual(body(`(type $s (struct (field i32))) (type $a (array i8)) (func $f (param anyref)
    (drop (ref.null func)) (drop (ref.null $s)) (drop (ref.null nocont)) (drop (ref.func $f))
    (drop (ref.test (ref $s) (local.get 0))) (drop (ref.cast nullref (local.get 0)))
    (drop (select (i32.const 1) (i32.const 2) (i32.const 3)))
    (drop (select (result i32) (result) (i32.const 1) (i32.const 2) (i32.const 3)))
    (drop (array.new_fixed $a 3 (i32.const 1) (i32.const 2) (i32.const 3)))
    (drop (array.new_data $a $d (i32.const 0) (i32.const 0))))
    (data $d "")`).filter((s) => !/^(local\.get|drop|i32\.const)/.test(s)), [
    'ref.null "func"', 'ref.null 0', 'ref.null "nocont"', 'ref.func 0',
    'ref.test {"nullable":false,"heap":0}', 'ref.cast {"nullable":true,"heap":"none"}',
    'select null', 'select ["i32"]', 'array.new_fixed 1 3', 'array.new_data 1 0', 'end',
  ]);
  assert.equal(error('(func (ref.null funcref))'), '1:17: unexpected token');
});

test('stack switching instructions', () => {
  const m = parseModule(`
    (type $ft (func (param i32) (result i32)))
    (type $ct (cont $ft))
    (type $ft0 (func (result i32)))
    (type $ct0 (cont $ft0))
    (tag $yield (param i32) (result i32))
    (tag $sw)
    (func $f (param i32) (result i32) (suspend $yield (local.get 0)))
    (elem declare func $f)
    (func (result i32)
      (block $h (result i32 (ref $ct))
        (resume $ct (on $yield $h) (on $sw switch) (i32.const 1) (cont.new $ct (ref.func $f)))
        (return))
      (drop) (drop)
      (cont.bind $ct $ct0 (i32.const 1) (cont.new $ct (ref.func $f))) (drop)
      (resume_throw $ct $yield (on $sw switch) (i32.const 0) (ref.null $ct))
      (resume_throw_ref $ct (ref.null exn) (ref.null $ct)) drop
      (switch $ct $sw (i32.const 0) (ref.null $ct)))`);
  assert.deepEqual(show(m.funcs[0]!.body), ['local.get 0', 'suspend 0', 'end']);
  assert.deepEqual(show(m.funcs[1]!.body).filter((s) => /^(resume|cont|switch|block)/.test(s)), [
    'block {"type":5}',
    'cont.new 1', 'resume 1 [{"tag":0,"label":0},{"tag":1,"label":null}]',
    'cont.new 1', 'cont.bind 1 3',
    'resume_throw 1 0 [{"tag":1,"label":null}]', 'resume_throw_ref 1 []', 'switch 1 1',
  ]);
  assert.deepEqual(m.tags, [{ type: 0, at: m.tags[0]!.at }, { type: 4, at: m.tags[1]!.at }]);
});

test('handlers in the syntax of older drafts: (tag $t $l) is (on $t $l)', () => {
  const body = (h: string): string[] => show(parseModule(`
    (type $ft (func)) (type $ct (cont $ft)) (tag $e) (func $f) (elem declare func $f)
    (func (block $h (result (ref $ct)) (resume $ct ${h} (cont.new $ct (ref.func $f))) (return)) (drop))`).funcs[1]!.body);
  assert.deepEqual(body('(tag $e $h)'), body('(on $e $h)'));
  assert.deepEqual(body('(tag 0 0) (on $e $h)').filter((s) => s.startsWith('resume')), ['resume 1 [{"tag":0,"label":0},{"tag":0,"label":0}]']);
  // (no switch clauses in that syntax)
  assert.match(error('(type $ft (func)) (type $ct (cont $ft)) (tag $e) (func (resume $ct (tag $e switch) (ref.null $ct)))'), /unknown label|unexpected/);
});

test('module names and identifiers of every space', () => {
  const m = parseModule(`(module $mod
    (type $t (func)) (global $g i32 (i32.const 0)) (table $tab 0 funcref) (memory $mem 0)
    (elem $e func) (data $d "") (tag $x) (func $fn))`);
  assert.equal(m.names.module, 'mod');
  assert.deepEqual([m.names.types, m.names.globals, m.names.tables, m.names.memories, m.names.elems,
    m.names.datas, m.names.tags, m.names.funcs].map((x) => [...x.values()][0]),
  ['t', 'g', 'tab', 'mem', 'e', 'd', 'x', 'fn']);
  assert.equal(error('(memory $m 0) (memory $m 0)'), '1:23: duplicate memory $m');
  assert.equal(error('(func (global.get $g))'), '1:19: unknown global $g');
  assert.equal(error('(func (throw $g))'), '1:14: unknown tag $g');
  assert.equal(error('(func (table.get $g (i32.const 0)))'), '1:18: unknown table $g');
  assert.equal(error('(func (call $"a b"))'), '1:13: unknown function $"a b"');
});

test('modules without the (module) wrapper, and syntax errors', () => {
  assert.equal(parseModule('').funcs.length, 0);
  assert.equal(parseModule('(func) (func)').funcs.length, 2);
  assert.equal(parseModule('(module)').funcs.length, 0);
  assert.equal(error('(module (func) ) x'), '1:18: unknown operator x');
  assert.equal(error('(module (func)'), '1:15: unexpected token');
  assert.equal(error('(module (func) ))'), '1:17: unexpected token');
  assert.equal(error('(func (i32.add i32.const 1))'), '1:16: unexpected token');
  assert.equal(error('(func (block (result i32) (param i32)))'), '1:28: unexpected token');
  assert.equal(error('(func (if (i32.const 0)))'), '1:24: unexpected token');
  assert.equal(error('(func\n  (nop)\n  (i32.const))'), '3:13: unexpected token');
  assert.equal(error('(func (local i32) (param i32))'), '1:20: unexpected token');
  assert.equal(error('(foo)'), '1:2: unknown operator foo');
});

test('@custom annotations become custom sections; other annotations are ignored', () => {
  const m = parseModule(`(module (@custom "a" "x" "y") (func (@other stuff))
    (@custom "b" (before first) "\\01") (@custom "c" (after func)) (@custom "d" (before global)))`);
  assert.deepEqual(m.customs.map((c) => [c.name, c.after, [...c.bytes]]),
    [['a', 11, [120, 121]], ['b', 0, [1]], ['c', 3, []], ['d', 13]].map(([n, a, b]) => [n, a, b ?? []]));
  assert.equal(parseModule('(@custom "top" "") (func)').customs.length, 1);
  assert.equal(error('(func (@custom "x"))'), '1:7: misplaced @custom annotation');
  assert.equal(error('(@custom)'), '1:1: @custom annotation: missing section name');
  assert.equal(error('(@custom "x" (during type))'), '1:14: @custom annotation: malformed placement');
  assert.equal(error('(@custom "x" (after nothing))'), '1:14: @custom annotation: malformed section kind');
  assert.equal(error('(@custom "x" y)'), '1:14: @custom annotation: unexpected token');
});

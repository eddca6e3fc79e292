// Every name of the name section survives print -> parse, repeated and empty ones
// included: the printer gives such a definition a synthetic identifier
// `$"#<space><index> <name>"` and the real name in `(@name "...")`, which the parser
// reads in place of the identifier. Checked on a hand-built module with repeated,
// empty and `#` names in every kind, on the parser's own handling of `(@name ...)`,
// and on real compiler output (Kotlin/Wasm: overloads, `<classVTable>` types, ...),
// where the re-encoded module then carries the original name section byte for byte.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { decodeModule } from '../src/binary/decoder.ts';
import { encodeModule } from '../src/binary/encoder.ts';
import { emptyModule, type Module, type Names } from '../src/syntax/ast.ts';
import { instr } from '../src/syntax/opcodes.ts';
import type { FuncType, RefType } from '../src/syntax/types.ts';
import { parseModule } from '../src/text/parser.ts';
import { printModule } from '../src/text/printer.ts';
import { WasmSyntaxError } from '../src/util/errors.ts';
import { repoRoot } from './helpers/spec.ts';

const funcRef: RefType = { nullable: false, heap: 'func' };
const funcType = (params: FuncType['params'], results: FuncType['results'] = []) =>
  ({ types: [{ final: true, supers: [], comp: { kind: 'func', params, results } as FuncType }] });
const i32 = (v: number) => [instr('i32.const', v), instr('end')];

/** Every kind of definition, two or three of each, imported ones among them. */
function everyKind(): Module {
  const m = emptyModule();
  m.types.push(funcType(['i32', 'i64']), funcType([]));
  m.types.push({
    types: [{
      final: true, supers: [], comp: {
        kind: 'struct',
        fields: [{ mutable: false, type: 'i32' }, { mutable: true, type: 'i64' }, { mutable: false, type: 'i8' }, { mutable: false, type: 'f32' }],
      },
    }],
  });
  m.types.push(funcType(['i32']));
  m.imports.push({ module: 'env', name: 'f', desc: { kind: 'func', type: 0 }, at: -1 });
  m.imports.push({ module: 'env', name: 'g', desc: { kind: 'global', type: { mutable: false, type: 'i32' } }, at: -1 });
  m.imports.push({ module: 'env', name: 't', desc: { kind: 'table', type: { addr: 'i32', limits: { min: 1n, max: null }, elem: funcRef } }, at: -1 });
  m.imports.push({ module: 'env', name: 'm', desc: { kind: 'memory', type: { addr: 'i32', limits: { min: 1n, max: null } } }, at: -1 });
  m.imports.push({ module: 'env', name: 'e', desc: { kind: 'tag', type: 3 }, at: -1 });
  m.funcs.push({
    type: 0, locals: ['i32', 'f64', 'i32', 'i32'], at: -1, body: [
      instr('block', null), instr('loop', null), instr('end'), instr('end'),
      instr('i32.const', 1), instr('if', null), instr('block', null), instr('br', 1), instr('end'), instr('end'),
      instr('block', null), instr('block', null), instr('br', 1), instr('end'), instr('end'),
      instr('end'),
    ],
  });
  m.funcs.push({ type: 1, locals: [], at: -1, body: [instr('call', 0), instr('call', 1), instr('call', 2), instr('end')] });
  m.funcs.push({ type: 1, locals: ['i32'], at: -1, body: [instr('end')] });
  m.tables.push({ type: { addr: 'i32', limits: { min: 1n, max: null }, elem: funcRef }, init: null, at: -1 });
  m.tables.push({ type: { addr: 'i32', limits: { min: 1n, max: null }, elem: funcRef }, init: null, at: -1 });
  m.memories.push({ type: { addr: 'i32', limits: { min: 1n, max: null } }, at: -1 });
  m.memories.push({ type: { addr: 'i32', limits: { min: 1n, max: null } }, at: -1 });
  m.globals.push({ type: { mutable: true, type: 'i32' }, init: i32(0), at: -1 });
  m.globals.push({ type: { mutable: false, type: 'i32' }, init: i32(1), at: -1 });
  m.tags.push({ type: 3, at: -1 }, { type: 3, at: -1 });
  const passiveElem = () => ({ type: funcRef, init: [[instr('ref.func', 1), instr('end')]], mode: { kind: 'passive' as const }, at: -1 });
  m.elems.push(passiveElem(), passiveElem(), passiveElem());
  const passiveData = () => ({ init: new Uint8Array([1, 2]), mode: { kind: 'passive' as const }, at: -1 });
  m.datas.push(passiveData(), passiveData(), passiveData());
  return m;
}

const map = (...names: string[]): Map<number, string> => new Map(names.map((n, i) => [i, n]));

/** Repeated, empty, `#` and awkward names in every space (index 0 of each imported). */
function awkwardNames(): Names {
  const n = everyKind().names;
  n.module = '';
  n.funcs = map('dup', 'dup', '', 'dup');
  n.locals = new Map([
    [0, map('p', 'p')], // the imported function's params
    [1, map('x', 'x', '', '#x', 'x', 'with space "quoted"\n')],
    [3, map('')],
  ]);
  n.labels = new Map([[1, map('', 'l', 'l', '#l', 'l')]]);
  n.types = map('t', '', 't', '');
  n.fields = new Map([[2, map('f', 'f', '', '#0')]]);
  n.tables = map('tab', 'tab', '');
  n.memories = map('', 'mem', 'mem');
  n.globals = map('g', 'g', 'g');
  n.elems = map('', '', 'e');
  n.datas = map('d', 'd', '');
  n.tags = map('#tag', 'tag', 'tag');
  return n;
}

test('names: repeated, empty and # names of every kind survive print -> parse', () => {
  const m = everyKind();
  m.names = awkwardNames();
  const text = printModule(m);
  const back = parseModule(text);
  assert.deepEqual(back.names, m.names, text);
  // and the rest of the module is unchanged
  assert.deepEqual(encodeModule(back), encodeModule(m));
  // the second occurrence of a name: a synthetic identifier, used by references too
  const has = (s: string): void => assert.ok(text.includes(s), `${s}\n  not in\n${text}`);
  has('(module $"#module0 " (@name "")\n');
  has('(func $"#func1 dup" (@name "dup") (;1;) (type $t)');
  has('(func $"#func3 dup" (@name "dup") (;3;)');
  has('    call $"#func1 dup"\n');
  has('(param $x i32) (param $"#local1 x" (@name "x") i64)');
  has('(local $"#local2 " (@name "") i32) (local $"#local3 #x" (@name "#x") f64)');
  has('(local $"with space \\"quoted\\"\\n" i32)'); // unique: a plain (quoted) identifier
  has('(field $f i32) (field $"#field1 f" (@name "f") (mut i64))');
  has('block $"#label0 " (@name "")\n');
  has('(tag $"#tag0 #tag" (@name "#tag") (;0;)');
  // an imported function with named params is written as an inline import
  has('(func $dup (;0;) (import "env" "f") (type $t) (param $p i32) (param $"#local1 p" (@name "p") i64))');
  // the same names print and parse the same way again
  assert.equal(printModule(back), text);
});

test('names: unique names print as identifiers, without annotations', () => {
  const m = everyKind();
  const n = m.names;
  n.module = 'mod';
  n.funcs = map('a', 'b', 'c', 'd');
  n.locals = new Map([[1, map('x', 'y', 'z')]]);
  n.labels = new Map([[1, map('l', 'l', 'k')]]); // labels may repeat: inner ones shadow
  n.types = map('t0', 't1', 'has space');
  n.fields = new Map([[2, map('f', 'g')]]);
  n.globals = map('g0', 'g1');
  const text = printModule(m);
  assert.doesNotMatch(text, /@name/);
  assert.doesNotMatch(text, /\$"#/);
  assert.ok(text.includes('(func $b (;1;) (type $t0) (param $x i32) (param $y i64)\n'), text);
  assert.match(text, /\(type \$"has space" \(;2;\)/);
  assert.deepEqual(parseModule(text).names, n);
});

test('names: the parser reads (@name "...") after the identifier of every definition', () => {
  const m = parseModule(`(module $m (@name "the module")
    (type $t (@name "T") (struct (field $a (@name "A") i32) (field (@name "B") i64) (field f32 f64)))
    (type (@name "") (func (param i32)))
    (import "env" "f" (func $f (@name "imported") (type 1)))
    (func $g (@name "g") (import "env" "g") (param $p (@name "P") i32))
    (func (@name "no id") (param $x (@name "X") i32) (param (@name "Y") i64) (param f32 f64)
      (local $l (@name "L") i32) (local (@name "M") i64) (local f32)
      (local.get $x) (drop) (local.get $l) (drop)
      block $b (@name "B") br $b end
      (block (@name "") (br 0))
      (if $i (@name "I") (i32.const 0) (then (br $i))))
    (table $tab (@name "TAB") 1 funcref)
    (memory (@name "MEM") 1)
    (global $gl (@name "GL") i32 (i32.const 0))
    (tag $e (@name "E") (param i32))
    (elem $el (@name "EL") func)
    (data $d (@name "D") "")
  )`);
  const n = m.names;
  assert.equal(n.module, 'the module');
  assert.deepEqual(n.types, new Map([[0, 'T'], [1, '']]));
  assert.deepEqual(n.fields, new Map([[0, new Map([[0, 'A'], [1, 'B']])]]));
  assert.deepEqual(n.funcs, new Map([[0, 'imported'], [1, 'g'], [2, 'no id']]));
  assert.deepEqual(n.locals, new Map([
    [1, new Map([[0, 'P']])],
    [2, new Map([[0, 'X'], [1, 'Y'], [4, 'L'], [5, 'M']])],
  ]));
  assert.deepEqual(n.labels, new Map([[2, new Map([[0, 'B'], [1, ''], [2, 'I']])]]));
  assert.deepEqual(n.tables, new Map([[0, 'TAB']]));
  assert.deepEqual(n.memories, new Map([[0, 'MEM']]));
  assert.deepEqual(n.globals, new Map([[0, 'GL']]));
  assert.deepEqual(n.tags, new Map([[0, 'E']]));
  assert.deepEqual(n.elems, new Map([[0, 'EL']]));
  assert.deepEqual(n.datas, new Map([[0, 'D']]));
});

test('names: (@name ...) elsewhere is ignored like any annotation; a malformed one is an error', () => {
  // not right after an identifier or keyword of a definition: ignored
  const m = parseModule('(module (func $f (type 0) (@name "late")) (type (func)) (@name "top"))');
  assert.deepEqual(m.names.funcs, new Map([[0, 'f']]));
  assert.equal(m.names.module, undefined);
  // a bare list of fields has no module header to name
  assert.equal(parseModule('(@name "x") (func)').names.module, undefined);
  assert.throws(() => parseModule('(module (func $f (@name x)))'), WasmSyntaxError);
  assert.throws(() => parseModule('(module (func $f (@name "a" "b")))'), WasmSyntaxError);
  assert.throws(() => parseModule('(module (func $f (@name "a") (@name "b")))'), WasmSyntaxError);
  assert.throws(() => parseModule('(module (func $f (@name "\\ff")))'), /malformed UTF-8/);
});

test('names: an empty entry of an indirect name map is dropped, the raw section keeps its bytes', () => {
  const m = everyKind();
  m.names.locals.set(1, new Map()); // Kotlin writes one for each function without local names
  m.names.funcs.set(1, 'f');
  const bytes = encodeModule(m);
  const d = decodeModule(bytes);
  assert.deepEqual(d.names.locals, new Map());
  assert.deepEqual(encodeModule(d), bytes);
  assert.deepEqual(encodeModule(parseModule(printModule(d))), bytes);
});

test('names: Kotlin/Wasm output keeps every name through decode -> print -> parse', () => {
  const bytes = gunzipSync(readFileSync(join(repoRoot, 'test/fixtures/corpus/kotlin-gen-wasi.wasm.gz')));
  const m = decodeModule(bytes);
  const count = (x: Map<number, unknown>): number =>
    [...x.values()].reduce<number>((s, v) => s + (v instanceof Map ? v.size : 1), 0);
  // what makes it a test: names repeat a lot, and many are empty
  assert.equal(count(m.names.funcs), 3215);
  assert.equal(new Set(m.names.funcs.values()).size < 2400, true);
  assert.equal([...m.names.types.values()].filter((s) => s === '').length, 1103);
  assert.equal([...m.names.types.values()].filter((s) => s === '<classVTable>').length, 266);
  const back = parseModule(printModule(m));
  for (const k of ['funcs', 'locals', 'labels', 'types', 'fields', 'tables', 'memories', 'globals', 'elems', 'datas', 'tags'] as const) {
    assert.equal(count(back.names[k]), count(m.names[k]), k);
  }
  assert.deepEqual(back.names, m.names);
  // the names being the same, the original (padded) name section is written again, as it was
  const raw = m.customs.find((c) => c.name === 'name');
  assert.ok(raw, 'Kotlin pads its name section: it stays raw');
  const out = encodeModule(back);
  assert.deepEqual(out, encodeModule(m));
  assert.ok(Buffer.from(out).includes(Buffer.from(raw.bytes)), 'the raw name section is re-emitted');
});

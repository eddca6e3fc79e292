import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseModule } from '../text/parser.ts';
import { validateModule, type ValidModule } from '../valid/validator.ts';
import { C_FUNCREF, funcTypeOf, refType } from '../valid/types.ts';
import { LinkError, Trap } from '../util/errors.ts';
import { instantiate } from './instantiate.ts';
import { funcType, hostFunc } from './func.ts';
import { Global } from './global.ts';
import { Memory } from './memory.ts';
import { Table } from './table.ts';
import { Tag } from './tag.ts';
import { ExternAny, WasmArray, WasmStruct, type ExternVal, type FuncInst, type Instance, type Value } from './value.ts';
import { ModuleInstance } from './instance.ts';

const load = (wat: string): ValidModule => validateModule(parseModule(wat));
const inst = (wat: string, imports: ExternVal[] = [], invoke?: (f: FuncInst, a: Value[]) => Value[]) =>
  instantiate(load(wat), imports, invoke ? { invoke } : {});

const exp = (i: Instance, name: string): ExternVal => {
  const e = i.exports.get(name);
  assert.ok(e, `export ${name}`);
  return e;
};

function linkError(f: () => unknown, prefix = 'incompatible import type'): LinkError {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof LinkError, `expected a LinkError, got ${String(e)}`);
    assert.ok(e.detail.startsWith(prefix), e.detail);
    return e;
  }
  assert.fail('no LinkError');
}

function trap(f: () => unknown, msg: string): void {
  assert.throws(f, (e: unknown) => e instanceof Trap && e.detail === msg);
}

test('exports and index spaces', () => {
  const i = inst(`(module
    (func $f (export "f") (param i32) (result i32) local.get 0)
    (table (export "t") 2 funcref)
    (memory (export "m") 1 3)
    (global (export "g") (mut i64) (i64.const -5))
    (tag (export "e") (param i32)))`);
  assert.ok(i instanceof ModuleInstance);
  const f = exp(i, 'f');
  assert.equal(f.kind, 'func');
  assert.equal(f.value, i.funcs[0]);
  assert.equal(i.funcs[0]!.kind, 'wasm');
  const wf = i.funcs[0]!;
  if (wf.kind === 'wasm') {
    assert.equal(wf.instance, i);
    assert.equal(wf.index, 0);
    assert.equal(wf.compiled, null);
  }
  assert.deepEqual(funcTypeOf(wf.type).params, ['i32']);
  assert.equal(exp(i, 't').value, i.tables[0]);
  assert.equal(i.tables[0]!.elems.length, 2);
  assert.equal(exp(i, 'm').value, i.memories[0]);
  assert.equal(i.memories[0]!.pages, 1);
  assert.equal((exp(i, 'g').value as Global).value, -5n);
  assert.equal(exp(i, 'e').value, i.tags[0]);
});

test('import count mismatch', () => {
  linkError(() => inst('(module (import "m" "f" (func)))', []), 'wrong number of imports');
});

test('function imports: subtyping of canonical types', () => {
  const ft = funcType(['i32'], []);
  const h = hostFunc(ft, () => []);
  const i = inst('(module (import "m" "f" (func (param i32))) (export "f" (func 0)))', [{ kind: 'func', value: h }]);
  assert.equal(exp(i, 'f').value, h);
  const e = linkError(() => inst('(module (import "m" "f" (func (param i64))))', [{ kind: 'func', value: h }]));
  assert.match(e.detail, /^incompatible import type for "m" "f": expected func func \[i64\] -> \[\], got func func \[i32\] -> \[\]$/);
  // wrong kind
  linkError(() => inst('(module (import "m" "f" (global i32)))', [{ kind: 'func', value: h }]));
  // a subtype is accepted where a supertype is imported
  const a = inst(`(module
    (type $t (sub (func (result funcref))))
    (type $s (sub $t (func (result (ref func)))))
    (func (export "s") (type $s) ref.func 0))`);
  inst(`(module
    (type $t (sub (func (result funcref))))
    (import "m" "f" (func (type $t))))`, [exp(a, 's')]);
  linkError(() => inst(`(module
    (type $t (sub (func (result funcref))))
    (type $s (sub $t (func (result (ref func)))))
    (import "m" "f" (func (type $s))))`, [{ kind: 'func', value: hostFunc(funcType([C_FUNCREF], []), () => []) }]));
});

test('memory and table imports: limits, current size, address type', () => {
  const mem = new Memory({ addr: 'i32', limits: { min: 1n, max: 2n } });
  const m = (lim: string) => inst(`(module (import "m" "m" (memory ${lim})))`, [{ kind: 'memory', value: mem }]);
  m('1'); m('0 2'); m('1 3');
  linkError(() => m('2'));
  linkError(() => m('1 1'));
  linkError(() => inst('(module (import "m" "m" (memory i64 1)))', [{ kind: 'memory', value: mem }]));
  assert.equal(mem.grow(1), 1);
  m('2'); // the current size counts
  const tab = new Table({ addr: 'i32', limits: { min: 10n, max: 20n }, elem: C_FUNCREF });
  const t = (ty: string) => inst(`(module (import "m" "t" (table ${ty})))`, [{ kind: 'table', value: tab }]);
  t('10 funcref'); t('5 20 funcref'); t('0 funcref');
  linkError(() => t('11 funcref'));
  linkError(() => t('10 15 funcref'));
  linkError(() => t('10 externref'));
  linkError(() => t('10 (ref null nofunc)')); // element types must be equivalent
  linkError(() => t('i64 10 funcref'));
});

test('global imports: mutability and types', () => {
  const gc = new Global({ mutable: false, type: 'i32' }, 7);
  const gm = new Global({ mutable: true, type: 'i32' }, 7);
  const gr = new Global({ mutable: false, type: refType(false, 'func') }, hostFunc(funcType([], []), () => []));
  inst('(module (import "m" "g" (global i32)))', [{ kind: 'global', value: gc }]);
  inst('(module (import "m" "g" (global (mut i32))))', [{ kind: 'global', value: gm }]);
  linkError(() => inst('(module (import "m" "g" (global (mut i32))))', [{ kind: 'global', value: gc }]));
  linkError(() => inst('(module (import "m" "g" (global i32)))', [{ kind: 'global', value: gm }]));
  linkError(() => inst('(module (import "m" "g" (global i64)))', [{ kind: 'global', value: gc }]));
  inst('(module (import "m" "g" (global funcref)))', [{ kind: 'global', value: gr }]); // covariant when immutable
  const gmr = new Global({ mutable: true, type: refType(false, 'func') }, gr.value);
  linkError(() => inst('(module (import "m" "g" (global (mut funcref))))', [{ kind: 'global', value: gmr }]));
});

test('tag imports keep identity; defined tags are fresh', () => {
  const t = new Tag(funcType(['i32'], []));
  const i = inst('(module (import "m" "t" (tag (param i32))) (tag (export "u") (param i32)) (export "t" (tag 0)))', [{ kind: 'tag', value: t }]);
  assert.equal(exp(i, 't').value, t);
  assert.notEqual(exp(i, 'u').value, t);
  const j = inst('(module (tag (export "u") (param i32)))');
  const k = inst('(module (tag (export "u") (param i32)))');
  assert.notEqual(exp(j, 'u').value, exp(k, 'u').value);
  linkError(() => inst('(module (import "m" "t" (tag (param i64))))', [{ kind: 'tag', value: t }]));
});

test('globals: constant expressions see imported and earlier globals', () => {
  const g = new Global({ mutable: false, type: 'i32' }, 10);
  const i = inst(`(module
    (import "m" "g" (global i32))
    (global $a i32 (i32.add (global.get 0) (i32.const 5)))
    (global $b i32 (i32.mul (global.get $a) (i32.const -3)))
    (global $c i64 (i64.sub (i64.const 0) (i64.const 0x7fffffffffffffff)))
    (global $d i64 (i64.mul (i64.const 0x100000000) (i64.const 0x100000000)))
    (global $e i32 (i32.sub (i32.const 0x80000000) (i32.const 1)))
    (global $f f32 (f32.const -nan:0x200001))
    (global $g f64 (f64.const 1.5))
    (global $h v128 (v128.const i32x4 1 2 3 4))
    (global $r funcref (ref.func $fn))
    (global $n externref (ref.null extern))
    (global $i i31ref (ref.i31 (i32.const -1)))
    (global $j i31ref (ref.i31 (i32.const 0x40000000)))
    (func $fn))`, [{ kind: 'global', value: g }]);
  const v = i.globals.map((x) => x.value);
  assert.equal(v[1], 15);
  assert.equal(v[2], -45);
  assert.equal(v[3], -0x7fffffffffffffffn);
  assert.equal(v[4], 0n);
  assert.equal(v[5], 0x7fffffff);
  assert.equal(v[6], 0xffa00001);
  assert.equal(v[7], 1.5);
  assert.deepEqual([...(v[8] as Uint8Array)], [1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0]);
  assert.equal(v[9], i.funcs[0]);
  assert.equal(v[10], null);
  assert.equal(v[11], -1);
  assert.equal(v[12], -0x40000000);
});

test('GC constant expressions', () => {
  const i = inst(`(module
    (type $s (struct (field i8) (field (mut i64)) (field anyref)))
    (type $a (array (mut i16)))
    (global $x (ref $s) (struct.new $s (i32.const -1) (i64.const 3) (ref.i31 (i32.const 9))))
    (global $y (ref $s) (struct.new_default $s))
    (global $z (ref $a) (array.new $a (i32.const 0x12345) (i32.const 3)))
    (global $w (ref $a) (array.new_default $a (i32.const 2)))
    (global $v (ref $a) (array.new_fixed $a 2 (i32.const -2) (i32.const 5)))
    (global $e externref (extern.convert_any (global.get $x)))
    (global $b anyref (any.convert_extern (global.get $e))))`);
  const [x, y, z, w, v, e, b] = i.globals.map((g) => g.value);
  assert.ok(x instanceof WasmStruct);
  assert.equal(x.type, i.types[0]);
  assert.deepEqual(x.fields, [0xff, 3n, 9]);
  assert.ok(y instanceof WasmStruct);
  assert.deepEqual(y.fields, [0, 0n, null]);
  assert.ok(z instanceof WasmArray);
  assert.deepEqual(z.elems, [0x2345, 0x2345, 0x2345]);
  assert.ok(w instanceof WasmArray);
  assert.deepEqual(w.elems, [0, 0]);
  assert.ok(v instanceof WasmArray);
  assert.deepEqual(v.elems, [0xfffe, 5]);
  assert.ok(e instanceof ExternAny);
  assert.equal(e.ref, x);
  assert.equal(b, x);
});

test('tables with initialisers; element segments', () => {
  const i = inst(`(module
    (type $t (func))
    (table $a 3 (ref null $t) (ref.func $f))
    (table $b 4 funcref)
    (elem (table $b) (i32.const 1) func $f $g)
    (elem $p funcref (ref.func $g) (ref.null func))
    (elem $d declare func $f)
    (func $f (type $t))
    (func $g))`);
  const [f, g] = i.funcs;
  assert.deepEqual(i.tables[0]!.elems, [f, f, f]);
  assert.deepEqual(i.tables[1]!.elems, [null, f, g, null]);
  assert.equal(i.elems[0], null); // active: dropped
  assert.deepEqual(i.elems[1], [g, null]); // passive: kept
  assert.equal(i.elems[2], null); // declarative: dropped
});

test('data segments; passive ones kept', () => {
  const i = inst(`(module
    (memory 1)
    (data (i32.const 2) "abc")
    (data $p "xy")
    (data (i32.const 65533) "def"))`);
  const b = i.memories[0]!.bytes;
  assert.deepEqual([...b.subarray(0, 6)], [0, 0, 97, 98, 99, 0]);
  assert.deepEqual([...b.subarray(65533)], [100, 101, 102]);
  assert.equal(i.datas[0], null);
  assert.deepEqual([...i.datas[1]!], [120, 121]);
  assert.equal(i.datas[2], null);
});

test('segment initialisation order and traps', () => {
  // elements before data; a trap leaves earlier effects in imported entities
  const tab = new Table({ addr: 'i32', limits: { min: 2n, max: null }, elem: C_FUNCREF });
  const mem = new Memory({ addr: 'i32', limits: { min: 1n, max: null } });
  const imports: ExternVal[] = [{ kind: 'table', value: tab }, { kind: 'memory', value: mem }];
  const mod = (segs: string) => `(module (import "m" "t" (table 2 funcref)) (import "m" "m" (memory 1)) (func $f) ${segs})`;
  trap(() => inst(mod(`
    (elem (i32.const 0) func $f)
    (elem (i32.const 1) func $f $f)
    (data (i32.const 0) "a")`), imports), 'out of bounds table access');
  assert.equal((tab.elems[0] as FuncInst).kind, 'wasm');
  assert.equal(tab.elems[1], null);
  assert.equal(mem.bytes[0], 0); // data not reached
  trap(() => inst(mod(`
    (data (i32.const 0) "a")
    (data (i32.const 65535) "bc")
    (data (i32.const 1) "d")`), imports), 'out of bounds memory access');
  assert.equal(mem.bytes[0], 97);
  assert.equal(mem.bytes[65535], 0); // bounds are checked before writing
  assert.equal(mem.bytes[1], 0);
  // an empty segment at the end is in bounds; past the end it is not
  inst(mod('(elem (i32.const 2)) (data (i32.const 65536))'), imports);
  trap(() => inst(mod('(elem (i32.const 3))'), imports), 'out of bounds table access');
  trap(() => inst(mod('(data (i32.const 65537))'), imports), 'out of bounds memory access');
  // negative offsets are large unsigned ones
  trap(() => inst(mod('(data (i32.const -1) "")'), imports), 'out of bounds memory access');
  // start is not run after a trap
  let started = false;
  trap(() => inst(mod('(data (i32.const 65536) "x") (start $f)'), imports, () => ((started = true), [])), 'out of bounds memory access');
  assert.equal(started, false);
});

test('i64 tables and memories take i64 offsets', () => {
  const i = inst(`(module
    (table i64 3 funcref) (memory i64 1)
    (elem (i64.const 2) func $f)
    (data (i64.const 0xfffe) "ab")
    (func $f))`);
  assert.equal(i.tables[0]!.elems[2], i.funcs[0]);
  assert.equal(i.memories[0]!.bytes[0xffff], 98);
  trap(() => inst('(module (memory i64 1) (data (i64.const 0x1_0000_0000) ""))'), 'out of bounds memory access');
});

test('the start function runs through opts.invoke, after the segments', () => {
  const calls: FuncInst[] = [];
  let seen = -1;
  const i = inst(`(module (memory 1) (data (i32.const 0) "\\2a") (func $s) (start $s))`, [], (f) => {
    calls.push(f);
    seen = (f as { instance: Instance }).instance.memories[0]!.bytes[0]!;
    return [];
  });
  assert.deepEqual(calls, [i.funcs[0]]);
  assert.equal(seen, 42);
  assert.throws(() => inst('(module (func $s) (start $s))'), /invoke/);
});

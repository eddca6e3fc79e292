// Module-level checks and what validateModule returns (the spec suite covers the rest).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Expr } from '../syntax/ast.ts';
import { FUNCREF } from '../syntax/types.ts';
import { I, END, fn, funcT, invalid, mod, rec, ref, refNull, structT, sub, valid } from '../../test/helpers/valid-testkit.ts';
import { blockTypeOf } from './validator.ts';
import { refType } from './types.ts';

const konst = (...is: ReturnType<typeof I>[]): Expr => [...is, END()];

test('ValidModule exposes canonical types of every index space', () => {
  const vm = valid(mod({
    types: [rec(funcT(['i32'], ['i32'])), rec(structT({ mutable: true, type: 'i64' }))],
    imports: [
      { module: 'm', name: 'f', desc: { kind: 'func', type: 0 }, at: 0 },
      { module: 'm', name: 'g', desc: { kind: 'global', type: { mutable: false, type: refNull(1) } }, at: 0 },
      { module: 'm', name: 't', desc: { kind: 'tag', type: 0 }, at: 0 },
    ],
    funcs: [fn(0, [I('local.get', 0)], [ref(1), 'f32'])],
    globals: [{ type: { mutable: true, type: 'i32' }, init: konst(I('i32.const', 1)), at: 0 }],
    tables: [{ type: { addr: 'i64', limits: { min: 1n, max: null }, elem: FUNCREF }, init: null, at: 0 }],
    exports: [{ name: 'f', kind: 'func', index: 1, at: 0 }, { name: 'g', kind: 'global', index: 1, at: 0 }],
  }));
  assert.equal(vm.funcs.length, 2);
  assert.equal(vm.funcs[0], vm.types[0]);
  assert.equal(vm.funcs[1], vm.types[0]);
  assert.equal(vm.globals[0]!.type, vm.types[1]!.refNull);
  assert.equal(vm.globals[1]!.type, 'i32');
  assert.equal(vm.tags[0], vm.types[0]);
  assert.equal(vm.tables[0]!.elem, refType(true, 'func'));
  assert.deepEqual(vm.locals[0], ['i32', vm.types[1]!.ref, 'f32']);
  assert.deepEqual(vm.imports.map((x) => x.kind), ['func', 'global', 'tag']);
  assert.deepEqual(vm.exports.map((x) => x.kind), ['func', 'global']);
  assert.deepEqual(blockTypeOf(vm, { type: 0 }), vm.types[0]!.comp);
});

test('non-defaultable locals must be set before use, within the block that sets them', () => {
  const types = [rec(structT()), rec(funcT([], []))];
  valid(mod({ types, funcs: [fn(1, [I('struct.new', 0), I('local.set', 0), I('local.get', 0), I('drop')], [ref(0)])] }));
  invalid(mod({ types, funcs: [fn(1, [I('local.get', 0), I('drop')], [ref(0)])] }), 'uninitialized local');
  invalid(mod({
    types,
    funcs: [fn(1, [I('block', null), I('struct.new', 0), I('local.set', 0), I('end'), I('local.get', 0), I('drop')], [ref(0)])],
  }), 'uninitialized local');
  invalid(mod({ types, funcs: [fn(1, [I('local.get', 3), I('drop')], [ref(0)])] }), 'unknown local 3');
});

test('constant expressions', () => {
  const g = (init: Expr, mutable = false) => ({ type: { mutable, type: 'i32' as const }, init, at: 0 });
  valid(mod({ globals: [g(konst(I('i32.const', 1))), g(konst(I('global.get', 0), I('i32.const', 2), I('i32.add')))] }));
  invalid(mod({ globals: [g(konst(I('global.get', 1))), g(konst(I('i32.const', 1)))] }), 'unknown global 1');
  invalid(mod({ globals: [g(konst(I('i32.const', 1)), true), g(konst(I('global.get', 0)))] }), 'constant expression required');
  invalid(mod({ globals: [g(konst(I('i32.const', 1), I('i32.eqz')))] }), 'constant expression required');
  invalid(mod({ globals: [g(konst(I('i64.const', 1n)))] }), 'type mismatch');
  invalid(mod({ globals: [g(konst(I('i32.const', 1), I('i32.const', 1)))] }), 'type mismatch');
  // tables see only imported globals
  invalid(mod({
    globals: [{ type: { mutable: false, type: FUNCREF }, init: konst(I('ref.null', 'func')), at: 0 }],
    tables: [{ type: { addr: 'i32', limits: { min: 0n, max: null }, elem: FUNCREF }, init: konst(I('global.get', 0)), at: 0 }],
  }), 'unknown global 0');
  // a table of non-nullable references needs an initialiser
  invalid(mod({
    types: [rec(funcT([], []))],
    tables: [{ type: { addr: 'i32', limits: { min: 0n, max: null }, elem: ref(0) }, init: null, at: 0 }],
  }), 'type mismatch');
});

test('function references must be declared outside function bodies', () => {
  const types = [rec(funcT([], []))];
  const body = [I('ref.func', 0), I('drop')];
  invalid(mod({ types, funcs: [fn(0, body)] }), 'undeclared function reference');
  valid(mod({ types, funcs: [fn(0, body)], exports: [{ name: 'f', kind: 'func', index: 0, at: 0 }] }));
  valid(mod({ types, funcs: [fn(0, body)], elems: [{ type: FUNCREF, init: [konst(I('ref.func', 0))], mode: { kind: 'declarative' }, at: 0 }] }));
  invalid(mod({ types, funcs: [fn(0, [I('ref.func', 4), I('drop')])] }), 'unknown function 4');
});

test('module-level checks', () => {
  invalid(mod({
    types: [rec(funcT([], []))],
    funcs: [fn(0, [])],
    exports: [{ name: 'a', kind: 'func', index: 0, at: 0 }, { name: 'a', kind: 'func', index: 0, at: 0 }],
  }), 'duplicate export name');
  invalid(mod({ memories: [{ type: { addr: 'i32', limits: { min: 2n, max: 1n } }, at: 0 }] }), 'size minimum must not be greater than maximum');
  invalid(mod({ memories: [{ type: { addr: 'i32', limits: { min: 0x1_0001n, max: null } }, at: 0 }] }), 'memory size must be at most 2^16 pages');
  valid(mod({ memories: [{ type: { addr: 'i64', limits: { min: 0x1_0001n, max: null } }, at: 0 }] }));
  invalid(mod({ types: [rec(funcT(['i32'], []))], funcs: [fn(0, [])], start: 0 }), 'start function must not have parameters or results');
  invalid(mod({ types: [rec(sub(structT(), [], true)), rec(sub(structT(), [0]))] }), 'sub type 1 has final super type 0');
  invalid(mod({ types: [rec(sub(structT(), [], false)), rec(sub(funcT([], []), [0]))] }), 'sub type 1 does not match super type 0');
  invalid(mod({ types: [{ types: [sub(structT(), [1], false), sub(structT(), [], false)] }] }), 'forward use of type 1');
  invalid(mod({ types: [rec(funcT([refNull(7)], []))] }), 'unknown type 7');
});

test('polymorphic stack after unreachable', () => {
  const types = [rec(funcT([], ['i32']))];
  valid(mod({ types, funcs: [fn(0, [I('unreachable'), I('i32.add')])] }));
  valid(mod({ types, funcs: [fn(0, [I('unreachable'), I('select', null)])] }));
  valid(mod({ types, funcs: [fn(0, [I('unreachable'), I('ref.as_non_null'), I('ref.is_null')])] }));
  invalid(mod({ types, funcs: [fn(0, [I('unreachable'), I('i64.const', 0n), I('i32.add')])] }), 'type mismatch');
  const e = invalid(mod({ types, funcs: [fn(0, [I('i64.const', 0n), I('i32.eqz')])] }), 'type mismatch');
  assert.equal(e.detail, 'type mismatch: instruction requires [i32] but stack has [i64]');
  invalid(mod({ types, funcs: [fn(0, [I('br', 1)])] }), 'unknown label 1');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseModule } from '../text/parser.ts';
import { validateModule } from '../valid/validator.ts';
import { instantiate } from '../runtime/instantiate.ts';
import { f32ToBits } from '../util/float-bits.ts';
import type { ExternVal } from '../runtime/value.ts';
import { Spectest, formatPrinted } from './spectest.ts';

test('spectest exports what the reference has', () => {
  const s = new Spectest({ print: () => {} });
  const g = (n: string) => {
    const e = s.lookup(n);
    assert.equal(e?.kind, 'global');
    return e.value;
  };
  assert.equal(g('global_i32').value, 666);
  assert.equal(g('global_i64').value, 666n);
  assert.equal(g('global_f32').value, f32ToBits(666.6));
  assert.equal(g('global_f64').value, 666.6);
  assert.equal(g('global_i32').type.mutable, false);
  const t = s.lookup('table');
  assert.equal(t?.kind, 'table');
  assert.deepEqual(t.value.type, s.table.type);
  assert.equal(s.table.elems.length, 10);
  assert.equal(s.table.max, 20n);
  assert.equal(s.table64.addr, 'i64');
  const m = s.lookup('memory');
  assert.equal(m?.kind, 'memory');
  assert.equal(m.value.pages, 1);
  assert.equal(s.memory.limitPages, 2);
  assert.equal(s.lookup('memory'), m);
  assert.equal(s.lookup('nope'), undefined);
  assert.equal(s.toMap().size, Spectest.names.length);
});

test('spectest links with the usual imports', () => {
  const s = new Spectest({ print: () => {} });
  const vm = validateModule(parseModule(`(module
    (import "spectest" "print_i32" (func (param i32)))
    (import "spectest" "print_i32_f32" (func (param i32 f32)))
    (import "spectest" "print_f64_f64" (func (param f64 f64)))
    (import "spectest" "print" (func))
    (import "spectest" "global_i32" (global i32))
    (import "spectest" "table" (table 10 20 funcref))
    (import "spectest" "table64" (table i64 10 funcref))
    (import "spectest" "memory" (memory 1 2)))`));
  const imports = vm.module.imports.map((im) => s.lookup(im.name)) as ExternVal[];
  instantiate(vm, imports);
});

test('print writes one line per argument', () => {
  const lines: string[] = [];
  const s = new Spectest({ print: (l) => lines.push(l) });
  const p = s.lookup('print_i32_f32');
  assert.equal(p?.kind, 'func');
  assert.equal(p.value.kind, 'host');
  if (p.value.kind === 'host') assert.deepEqual(p.value.fn([42, f32ToBits(1.5)]), []);
  const q = s.lookup('print_i64');
  if (q?.kind === 'func' && q.value.kind === 'host') q.value.fn([-3n]);
  assert.deepEqual(lines, ['42 : i32', '1.5 : f32', '-3 : i64']);
  assert.equal(formatPrinted(0.5, 'f64'), '0.5 : f64');
});

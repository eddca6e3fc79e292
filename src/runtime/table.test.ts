import { test } from 'node:test';
import assert from 'node:assert/strict';
import { C_EXTERNREF, C_FUNCREF } from '../valid/types.ts';
import { Exhaustion } from '../util/errors.ts';
import { setRuntimeLimits } from './limits.ts';
import { Table } from './table.ts';
import { HostRef } from './value.ts';

test('tables: init, grow, max', () => {
  const r = new HostRef('x');
  const t = new Table({ addr: 'i32', limits: { min: 2n, max: 5n }, elem: C_EXTERNREF }, r);
  assert.deepEqual(t.elems, [r, r]);
  assert.equal(t.size, 2);
  assert.equal(t.grow(2, null), 2);
  assert.deepEqual(t.elems, [r, r, null, null]);
  assert.equal(t.grow(2, null), -1);
  assert.equal(t.grow(1, r), 4);
  assert.equal(t.grow(0, r), 5);
  assert.equal(t.grow(1, r), -1);
  assert.deepEqual(t.type, { addr: 'i32', limits: { min: 5n, max: 5n }, elem: C_EXTERNREF });
});

test('i32 tables stop below 2^32 entries; limits apply to both address types', () => {
  const t = new Table({ addr: 'i32', limits: { min: 16n, max: null }, elem: C_FUNCREF });
  assert.equal(t.grow(0xffff_fff0, null), -1);
  assert.equal(t.size, 16);
  const old = setRuntimeLimits({ tableElems: 20 });
  try {
    const u = new Table({ addr: 'i64', limits: { min: 0n, max: null }, elem: C_FUNCREF });
    assert.equal(u.grow(20, null), 0);
    assert.equal(u.grow(1, null), -1);
    assert.throws(() => new Table({ addr: 'i64', limits: { min: 21n, max: null }, elem: C_FUNCREF }), Exhaustion);
  } finally {
    setRuntimeLimits(old);
  }
});

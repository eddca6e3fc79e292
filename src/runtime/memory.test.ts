import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Exhaustion } from '../util/errors.ts';
import { runtimeLimits, setRuntimeLimits } from './limits.ts';
import { Memory } from './memory.ts';
import { PAGE_SIZE } from './value.ts';

test('a memory starts zeroed with min pages; grow replaces the buffer and its views', () => {
  const m = new Memory({ addr: 'i32', limits: { min: 1n, max: null } });
  assert.equal(m.pages, 1);
  assert.equal(m.bytes.length, PAGE_SIZE);
  const buffer = m.buffer;
  const view = m.view;
  m.bytes[PAGE_SIZE - 1] = 7;
  assert.equal(m.grow(2), 1);
  assert.equal(m.pages, 3);
  assert.notEqual(m.buffer, buffer);
  assert.equal(buffer.byteLength, 0, 'the old buffer is detached');
  assert.equal(m.bytes.length, 3 * PAGE_SIZE);
  assert.equal(m.view.byteLength, 3 * PAGE_SIZE);
  assert.notEqual(m.view, view);
  assert.equal(view.buffer, buffer);
  assert.equal(m.view.buffer, m.buffer);
  assert.equal(m.bytes.buffer, m.buffer);
  assert.equal(m.bytes[PAGE_SIZE - 1], 7);
  assert.equal(m.bytes[2 * PAGE_SIZE], 0);
  assert.deepEqual(m.type, { addr: 'i32', limits: { min: 3n, max: null } });
  assert.equal(m.grow(0), 3);
});

test('grow fails over the declared maximum', () => {
  const m = new Memory({ addr: 'i32', limits: { min: 0n, max: 10n } });
  assert.equal(m.grow(1), 0);
  assert.equal(m.grow(9), 1);
  assert.equal(m.grow(1), -1);
  assert.equal(m.grow(0), 10);
  assert.equal(m.grow(0x10000), -1);
  assert.equal(m.pages, 10);
});

test('i32 memories reach 65536 pages at most', () => {
  const m = new Memory({ addr: 'i32', limits: { min: 0n, max: null } });
  assert.equal(m.grow(0x10000 + 1), -1);
  assert.equal(m.grow(803), 0);
  assert.equal(m.grow(64736), -1);
  assert.equal(m.grow(1), 803);
  assert.equal(m.limitPages, 65536);
  const n = new Memory({ addr: 'i32', limits: { min: 0n, max: 0x10000n } });
  assert.equal(n.limitPages, 65536);
});

test('i64 memories are bounded by the practical limit', () => {
  const old = setRuntimeLimits({ memory64Pages: 100 });
  try {
    assert.equal(runtimeLimits.memory64Pages, 100);
    const m = new Memory({ addr: 'i64', limits: { min: 1n, max: null } });
    assert.equal(m.grow(99), 1);
    assert.equal(m.grow(1), -1);
    const n = new Memory({ addr: 'i64', limits: { min: 0n, max: 0x1_0000_0000_0000n } });
    assert.equal(n.limitPages, 100);
    assert.throws(() => new Memory({ addr: 'i64', limits: { min: 101n, max: null } }), Exhaustion);
  } finally {
    setRuntimeLimits(old);
  }
  assert.equal(runtimeLimits.memory64Pages, 65536);
});

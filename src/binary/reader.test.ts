import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MalformedError } from '../util/errors.ts';
import { Reader, UNEXPECTED_END } from './reader.ts';
import { Writer } from './writer.ts';

const rd = (...bytes: number[]) => new Reader(Uint8Array.from(bytes));

/** Asserts that `f` throws a MalformedError with this message and offset. */
function fails(f: () => unknown, detail: string, offset: number): void {
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof MalformedError, `not a MalformedError: ${e}`);
    assert.equal(e.detail, detail);
    assert.equal(e.offset, offset);
    return true;
  });
}

test('u32: values, lengths and limits', () => {
  assert.equal(rd(0x00).u32(), 0);
  assert.equal(rd(0x7f).u32(), 127);
  assert.equal(rd(0x80, 0x01).u32(), 128);
  assert.equal(rd(0x80, 0x80, 0x80, 0x80, 0x00).u32(), 0); // padded to the maximum length
  assert.equal(rd(0xff, 0xff, 0xff, 0xff, 0x0f).u32(), 0xffffffff);
  const r = rd(0x83, 0x00, 0x05);
  assert.equal(r.u32(), 3);
  assert.equal(r.pos, 2);
  // the fifth byte may only use 4 bits
  fails(() => rd(0xff, 0xff, 0xff, 0xff, 0x1f).u32(), 'integer too large', 4);
  fails(() => rd(0x80, 0x80, 0x80, 0x80, 0x70).u32(), 'integer too large', 4);
  // a sixth byte is too long
  fails(() => rd(0x80, 0x80, 0x80, 0x80, 0x80, 0x00).u32(), 'integer representation too long', 5);
  fails(() => rd(0x80, 0x80, 0x80, 0x80, 0x8f, 0x00).u32(), 'integer representation too long', 5);
  // running out of bytes is reported at the end of the input
  fails(() => rd(0x80, 0x80).u32(), UNEXPECTED_END, 2);
  fails(() => rd().u32(), UNEXPECTED_END, 0);
});

test('s32: values, sign extension of the last byte', () => {
  assert.equal(rd(0x7f).s32(), -1);
  assert.equal(rd(0x3f).s32(), 63);
  assert.equal(rd(0x40).s32(), -64);
  assert.equal(rd(0xc0, 0x00).s32(), 64);
  assert.equal(rd(0x80, 0x7f).s32(), -128);
  assert.equal(rd(0xff, 0xff, 0xff, 0xff, 0x07).s32(), 0x7fffffff);
  assert.equal(rd(0x80, 0x80, 0x80, 0x80, 0x78).s32(), -0x80000000);
  assert.equal(rd(0xff, 0xff, 0xff, 0xff, 0x7f).s32(), -1);
  // unused bits must all equal the sign bit
  fails(() => rd(0xff, 0xff, 0xff, 0xff, 0x0f).s32(), 'integer too large', 4);
  fails(() => rd(0x80, 0x80, 0x80, 0x80, 0x70).s32(), 'integer too large', 4);
  fails(() => rd(0xff, 0xff, 0xff, 0xff, 0x4f).s32(), 'integer too large', 4);
  fails(() => rd(0xff, 0xff, 0xff, 0xff, 0xff, 0x7f).s32(), 'integer representation too long', 5);
});

test('s33: the range of block and heap type indices', () => {
  assert.equal(rd(0xff, 0xff, 0xff, 0xff, 0x0f).s33(), 0xffffffff);
  assert.equal(rd(0x80, 0x80, 0x80, 0x80, 0x70).s33(), -0x100000000);
  fails(() => rd(0xff, 0xff, 0xff, 0xff, 0x1f).s33(), 'integer too large', 4);
  fails(() => rd(0x80, 0x80, 0x80, 0x80, 0x60).s33(), 'integer too large', 4);
  fails(() => rd(0x80, 0x80, 0x80, 0x80, 0x80, 0x00).s33(), 'integer representation too long', 5);
});

test('u64 and s64', () => {
  const max = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
  assert.equal(rd(...max).u64(), 0xffffffffffffffffn);
  assert.equal(rd(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00).u64(), 0n);
  fails(() => rd(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02).u64(), 'integer too large', 9);
  fails(() => rd(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x81, 0x00).u64(), 'integer representation too long', 10);

  assert.equal(rd(0x7f).s64(), -1n);
  assert.equal(rd(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00).s64(), 0x7fffffffffffffffn);
  assert.equal(rd(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f).s64(), -0x8000000000000000n);
  fails(() => rd(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01).s64(), 'integer too large', 9);
  fails(() => rd(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7e).s64(), 'integer too large', 9);
  fails(() => rd(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00).s64(), 'integer representation too long', 10);
});

test('s7 type codes are one byte', () => {
  assert.equal(rd(0x7f).s7(), 0x7f);
  fails(() => rd(0xff, 0x7f).s7(), 'integer representation too long', 1);
});

test('LEB128 writer and reader agree (shortest form)', () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 0xffffffff }), (v) => {
    const w = new Writer(1);
    w.u32(v);
    const bytes = w.finish();
    assert.equal(bytes.length, Math.max(1, Math.ceil(Math.log2(v + 1) / 7)));
    assert.equal(new Reader(bytes).u32(), v);
  }));
  fc.assert(fc.property(fc.integer({ min: -0x80000000, max: 0x7fffffff }), (v) => {
    const w = new Writer(1);
    w.sN(v);
    const r = new Reader(w.finish());
    assert.equal(r.s32(), v);
    assert.equal(r.pos, r.len);
  }));
  fc.assert(fc.property(fc.integer({ min: -0x100000000, max: 0xffffffff }), (v) => {
    const w = new Writer(1);
    w.sN(v);
    assert.equal(new Reader(w.finish()).s33(), v);
  }));
  fc.assert(fc.property(fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }), (v) => {
    const w = new Writer(1);
    w.s64(v);
    const r = new Reader(w.finish());
    assert.equal(r.s64(), v);
    assert.equal(r.pos, r.len);
  }));
  fc.assert(fc.property(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), (v) => {
    const w = new Writer(1);
    w.u64(v);
    const r = new Reader(w.finish());
    assert.equal(r.u64(), v);
    assert.equal(r.pos, r.len);
  }));
});

test('words are little-endian', () => {
  assert.equal(rd(0x00, 0x00, 0xc0, 0x7f).word32(), 0x7fc00000);
  assert.equal(rd(1, 2, 3, 4, 5, 6, 7, 0x88).word64(), 0x8807060504030201n);
  fails(() => rd(1, 2, 3).word32(), UNEXPECTED_END, 3);
});

test('lengths must fit in the rest of the input', () => {
  const r = rd(0x02, 0xaa, 0xbb);
  assert.equal(r.len32(), 2);
  // as in the reference interpreter, the bound is the input left *before* the length
  assert.equal(rd(0x03, 0xaa, 0xbb).len32(), 3);
  fails(() => rd(0x04, 0xaa, 0xbb).len32(), 'length out of bounds', 0);
  const r2 = rd(0xff, 0x80, 0x80, 0x80, 0x00);
  r2.pos = 1;
  assert.equal(r2.len32(), 0);
  fails(() => rd(0x86, 0x80, 0x80, 0x80, 0x00).len32(), 'length out of bounds', 0);
});

test('names are strict UTF-8', () => {
  const name = (...bytes: number[]) => rd(bytes.length, ...bytes).name();
  assert.equal(name(), '');
  assert.equal(name(0x61, 0x62), 'ab');
  assert.equal(name(0xc3, 0xa9), '\u00e9');
  assert.equal(name(0xf0, 0x9f, 0x98, 0x80), '\u{1f600}');
  assert.equal(name(0xef, 0xbb, 0xbf), '\ufeff'); // a byte order mark is a character like any other
  assert.equal(rd(70, ...new Array(70).fill(0x61)).name(), 'a'.repeat(70));
  const bad = [
    [0x80], // continuation byte first
    [0xc0, 0x80], // overlong
    [0xe0, 0x80, 0x80], // overlong
    [0xed, 0xa0, 0x80], // surrogate
    [0xf4, 0x90, 0x80, 0x80], // beyond U+10FFFF
    [0xf8, 0x88, 0x80, 0x80, 0x80], // 5-byte form
    [0xc3], // truncated
    [0xc3, 0x41], // bad continuation
  ];
  for (const b of bad) {
    const r = rd(0x00, b.length, ...b);
    r.pos = 1;
    fails(() => r.name(), 'malformed UTF-8 encoding', 1);
  }
  fails(() => rd(0x05, 0x61).name(), 'length out of bounds', 0);
});

test('unexpected end is reported at the end of the input', () => {
  fails(() => rd(0x01).take(2), UNEXPECTED_END, 1);
  fails(() => rd().byte(), UNEXPECTED_END, 0);
  const r = rd(0x05);
  fails(() => r.expect(0x06, 'nope'), 'nope', 0);
  fails(() => rd(0x01).zero(), 'zero byte expected', 0);
});

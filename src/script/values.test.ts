import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HostRefs, constToValue, displayValue, formatValue, matchResult, parseArg } from './values.ts';
import { ExternAny, HostRef, WasmStruct } from '../runtime/value.ts';
import { C_ANYREF, C_EXTERNREF, C_FUNCREF, type DefType } from '../valid/types.ts';
import { f64FromBits, f64ToBits } from '../util/float-bits.ts';
import type { Expected } from './ast.ts';

const f32 = (bits: number): Expected => ({ kind: 'f32', pattern: { kind: 'value', bits } });

test('floats match bit for bit; NaN classes as in run.ml', () => {
  assert.ok(matchResult(0x3f800000, 'f32', f32(0x3f800000)));
  assert.ok(!matchResult(0x80000000, 'f32', f32(0))); // -0 is not 0
  const canon: Expected = { kind: 'f32', pattern: { kind: 'nan:canonical' } };
  const arith: Expected = { kind: 'f32', pattern: { kind: 'nan:arithmetic' } };
  assert.ok(matchResult(0x7fc00000, 'f32', canon));
  assert.ok(matchResult(0xffc00000, 'f32', canon));
  assert.ok(!matchResult(0x7fc00001, 'f32', canon));
  assert.ok(matchResult(0x7fc00001, 'f32', arith));
  assert.ok(!matchResult(0x7f800001, 'f32', arith)); // signalling
  const d = f64FromBits(0x7ff8000000000001n);
  assert.ok(matchResult(d, 'f64', { kind: 'f64', pattern: { kind: 'nan:arithmetic' } }));
  assert.ok(!matchResult(d, 'f64', { kind: 'f64', pattern: { kind: 'nan:canonical' } }));
  assert.equal(formatValue(d, 'f64'), '(f64.const nan:0x8000000000001)');
});

test('v128 float lanes, either, integer types', () => {
  const v = new Uint8Array(16);
  new DataView(v.buffer).setUint32(0, 0x7fc00000, true);
  new DataView(v.buffer).setUint32(4, 0x3f800000, true);
  const lanes: Expected = {
    kind: 'v128f32',
    lanes: [{ kind: 'nan:canonical' }, { kind: 'value', bits: 0x3f800000 }, { kind: 'value', bits: 0 }, { kind: 'value', bits: 0 }],
  };
  assert.ok(matchResult(v, 'v128', lanes));
  const either: Expected = { kind: 'either', options: [{ kind: 'const', value: { type: 'i32', value: 1 } }, { kind: 'const', value: { type: 'i32', value: 2 } }] };
  assert.ok(matchResult(2, 'i32', either));
  assert.ok(!matchResult(3, 'i32', either));
  assert.ok(!matchResult(1n, 'i64', { kind: 'const', value: { type: 'i32', value: 1 } }), 'types must agree');
  assert.ok(matchResult(-1n, 'i64', { kind: 'const', value: { type: 'i64', value: 0xffffffffffffffffn } }));
});

test('reference patterns', () => {
  const refs = new HostRefs();
  const h = constToValue({ type: 'ref.extern', value: 7 }, refs);
  assert.equal(h, refs.get(7));
  assert.ok(matchResult(h, C_EXTERNREF, { kind: 'ref', ref: 'ref.extern', value: 7 }));
  assert.ok(!matchResult(h, C_EXTERNREF, { kind: 'ref', ref: 'ref.extern', value: 8 }));
  assert.ok(matchResult(new ExternAny(h as HostRef), C_EXTERNREF, { kind: 'ref', ref: 'ref.extern', value: 7 }));
  assert.ok(matchResult(null, C_FUNCREF, { kind: 'ref', ref: 'ref.null' }));
  assert.ok(!matchResult(h, C_EXTERNREF, { kind: 'ref', ref: 'ref.null' }));
  const s = new WasmStruct(null as unknown as DefType, []);
  assert.ok(matchResult(s, C_ANYREF, { kind: 'ref', ref: 'ref.struct' }));
  assert.ok(matchResult(s, C_ANYREF, { kind: 'ref', ref: 'ref.eq' }));
  assert.ok(matchResult(5, C_ANYREF, { kind: 'ref', ref: 'ref.i31' }));
  assert.ok(!matchResult(s, C_ANYREF, { kind: 'ref', ref: 'ref.array' }));
  const fn = { kind: 'host', type: null, fn: () => [] } as never;
  assert.ok(matchResult(fn, C_FUNCREF, { kind: 'ref', ref: 'ref.func' }));
  assert.ok(!matchResult(fn, C_FUNCREF, { kind: 'ref', ref: 'ref' }), '(ref) is any: not a function');
});

test('command-line arguments', () => {
  assert.equal(parseArg('-0x10', 'i32'), -16);
  assert.equal(parseArg('4294967295', 'i32'), -1);
  assert.equal(parseArg('4294967296', 'i32'), null);
  assert.equal(parseArg('1_000', 'i32'), 1000);
  assert.equal(parseArg('18446744073709551615', 'i64'), -1n);
  assert.equal(parseArg('nan:0x200000', 'f32'), 0x7fa00000);
  assert.equal(parseArg('-Infinity', 'f32'), 0xff800000);
  assert.equal(f64ToBits(parseArg('nan', 'f64') as number), 0x7ff8000000000000n);
  assert.equal(parseArg('0x1p-1', 'f64'), 0.5);
  assert.equal(parseArg('1.5x', 'f64'), null);
  assert.equal(displayValue(0x3fc00000, 'f32'), '1.5');
  assert.equal(displayValue(-5n, 'i64'), '-5');
  assert.equal(displayValue(null, C_FUNCREF), 'ref.null');
});

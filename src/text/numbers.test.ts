import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import {
  formatF32, formatF64, formatI32, formatI64,
  numberClass, parseF32, parseF64, parseI16, parseI32, parseI64, parseI8, parseU32, parseU64,
} from './numbers.ts';
import { f32FromBits, f32ToBits, f64FromBits, f64ToBits } from '../util/float-bits.ts';
import { coreWastFiles, specDir } from '../../test/helpers/spec.ts';

const SPEC = join(specDir(), 'core');

test('integers', () => {
  assert.equal(parseI32('0'), 0);
  assert.equal(parseI32('-0'), 0);
  assert.equal(parseI32('+17'), 17);
  assert.equal(parseI32('0_123_456_789'), 123456789);
  assert.equal(parseI32('0x0_9acf_fBDF'), 0x9acffbdf | 0);
  assert.equal(parseI32('0xffffffff'), -1);
  assert.equal(parseI32('4294967295'), -1);
  assert.equal(parseI32('-0x80000000'), -0x80000000);
  assert.equal(parseI32('-2147483648'), -0x80000000);
  assert.equal(parseI32('2147483648'), -0x80000000);
  for (const bad of ['', '+', '-', '0x', '1x', '0xg', '0X1', '_1', '1_', '1__0', '0x_1', '1.0', '1e3',
    '0x100000000', '-0x80000001', '4294967296', '-2147483649', ' 1', 'inf', 'nan']) {
    assert.equal(parseI32(bad), null, bad);
  }
  assert.equal(parseI64('0xffffffffffffffff'), -1n);
  assert.equal(parseI64('18446744073709551615'), -1n);
  assert.equal(parseI64('-9223372036854775808'), -(2n ** 63n));
  assert.equal(parseI64('0x0125_6789_ADEF_bcef'), 0x01256789adefbcefn);
  for (const bad of ['0x10000000000000000', '-0x8000000000000001', '18446744073709551616', '-9223372036854775809']) {
    assert.equal(parseI64(bad), null, bad);
  }
  assert.equal(parseU32('4294967295'), 4294967295);
  assert.equal(parseU32('0x1_0'), 16);
  assert.equal(parseU32('+1'), null);
  assert.equal(parseU32('-0'), null);
  assert.equal(parseU32('4294967296'), null);
  assert.equal(parseU64('18446744073709551615'), 2n ** 64n - 1n);
  assert.equal(parseU64('18446744073709551616'), null);
  assert.equal(parseU64('-1'), null);
  assert.equal(parseI8('255'), -1);
  assert.equal(parseI8('-128'), -128);
  assert.equal(parseI8('256'), null);
  assert.equal(parseI8('-129'), null);
  assert.equal(parseI16('0xffff'), -1);
  assert.equal(parseI16('-0x8001'), null);
  assert.equal(formatI32(-1), '-1');
  assert.equal(formatI32(0x7fffffff), '2147483647');
  assert.equal(formatI64(-(2n ** 63n)), '-9223372036854775808');
  assert.equal(formatI64(2n ** 64n - 1n), '-1');
});

test('number classes', () => {
  assert.equal(numberClass('12'), 'nat');
  assert.equal(numberClass('0xAb'), 'nat');
  assert.equal(numberClass('-12'), 'int');
  assert.equal(numberClass('+0x1'), 'int');
  assert.equal(numberClass('1.'), 'float');
  assert.equal(numberClass('1e5'), 'float');
  assert.equal(numberClass('-0x1.p-3'), 'float');
  assert.equal(numberClass('-inf'), 'float');
  assert.equal(numberClass('nan:0x1_0'), 'float');
  assert.equal(numberClass('.5'), null);
  assert.equal(numberClass('0x'), null);
  assert.equal(numberClass('1e'), null);
  assert.equal(numberClass('nan:1'), null);
  assert.equal(numberClass('Inf'), null);
  assert.equal(numberClass('$x'), null);
});

test('float specials', () => {
  assert.equal(parseF32('inf'), 0x7f800000);
  assert.equal(parseF32('+inf'), 0x7f800000);
  assert.equal(parseF32('-inf'), 0xff800000);
  assert.equal(parseF32('nan'), 0x7fc00000);
  assert.equal(parseF32('-nan'), 0xffc00000);
  assert.equal(parseF32('nan:0x1'), 0x7f800001);
  assert.equal(parseF32('-nan:0x7f_ffff'), 0xffffffff);
  assert.equal(parseF32('nan:0x0'), null);
  assert.equal(parseF32('nan:0x800000'), null);
  assert.equal(parseF32('nan:0x1_0000_0000'), null);
  assert.equal(parseF64('nan'), 0x7ff8000000000000n);
  assert.equal(parseF64('-nan:0xfffffffffffff'), 0xffffffffffffffffn);
  assert.equal(parseF64('nan:0x10000000000000'), null);
  assert.equal(parseF32('-0'), 0x80000000);
  assert.equal(parseF64('-0.0'), 0x8000000000000000n);
});

test('float rounding edge cases', () => {
  // f32 ties and boundaries
  assert.equal(parseF32('0x1p-149'), 1);
  assert.equal(parseF32('0x1p-150'), 0); // tie, to even (zero)
  assert.equal(parseF32('0x1.000001p-150'), 1);
  assert.equal(parseF32('0x1.8p-149'), 2); // tie, to even
  assert.equal(parseF32('0x1.fffffcp-127'), 0x7fffff);
  assert.equal(parseF32('0x1.fffffep-127'), 0x800000); // rounds up into the normals
  assert.equal(parseF32('0x1.fffffep127'), 0x7f7fffff);
  assert.equal(parseF32('0x1.fffffefffffffffp127'), 0x7f7fffff);
  assert.equal(parseF32('0x1.ffffffp127'), null);
  assert.equal(parseF32('0x1p128'), null);
  assert.equal(parseF32('1e39'), null);
  assert.equal(parseF32('340282356779733623858607532500980858880'), 0x7f7fffff);
  assert.equal(parseF32('340282356779733661637539395458142568448'), null);
  assert.equal(parseF32('1e-46'), 0);
  assert.equal(parseF32('1e-999999999999'), 0);
  assert.equal(parseF32('0e999999999999'), 0);
  assert.equal(parseF32('1e999999999999'), null);
  // no double rounding through f64: 1 + 2^-24 + 2^-60 must round up
  assert.equal(parseF32('1.00000005960464477539062500000000000000000000000000000000000000000000000000001'), 0x3f800001);
  assert.equal(parseF32('1.000000059604644775390625'), 0x3f800000); // exact tie, to even
  assert.equal(parseF32('+0x1.00000100000000000p-50'), 0x26800000);
  assert.equal(parseF32('+0x1.00000100000000001p-50'), 0x26800001);
  // f64
  assert.equal(parseF64('0x1.fffffffffffffp1023'), 0x7fefffffffffffffn);
  assert.equal(parseF64('0x1.fffffffffffff7ffffffp1023'), 0x7fefffffffffffffn);
  assert.equal(parseF64('0x1.fffffffffffff8p1023'), null);
  assert.equal(parseF64('0x1p-1074'), 1n);
  assert.equal(parseF64('4.9406564584124654e-324'), 1n);
  assert.equal(parseF64('2.4703282292062327e-324'), 0n); // just below half of the least subnormal
  assert.equal(parseF64('2.4703282292062328e-324'), 1n);
  assert.equal(parseF64('0.1'), 0x3fb999999999999an);
  assert.equal(parseF64('1.'), 0x3ff0000000000000n);
  assert.equal(parseF64('0x1.p10'), f64ToBits(1024));
  assert.equal(parseF64('122_000.11_3_54e0_2_3'), f64ToBits(122000.11354e23));
});

test('float formatting', () => {
  assert.equal(formatF32(0x3f800000), '1');
  assert.equal(formatF32(0x3dcccccd), '0.1');
  assert.equal(formatF32(1), '1e-45');
  assert.equal(formatF32(0x7f7fffff), '3.4028235e+38');
  assert.equal(formatF32(0x80000000), '-0');
  assert.equal(formatF32(0x7fc00000), 'nan');
  assert.equal(formatF32(0xffc00000), '-nan');
  assert.equal(formatF32(0x7fa00000), 'nan:0x200000');
  assert.equal(formatF32(0xff800000), '-inf');
  assert.equal(formatF64(0x3fb999999999999an), '0.1');
  assert.equal(formatF64(1n), '5e-324');
  assert.equal(formatF64(0x7ff0000000000000n), 'inf');
  assert.equal(formatF64(0xfff8000000000000n), '-nan');
  assert.equal(formatF64(0x7ff0000000000001n), 'nan:0x1');
  assert.equal(formatF64(f64ToBits(1e21)), '1e+21');
  assert.equal(formatF64(f64ToBits(123.25)), '123.25');
  assert.equal(formatF64(f64ToBits(1e-7)), '1e-7');
});

// ---- property tests -----------------------------------------------------------

/** The exact decimal expansion of a finite double. */
function exactDecimal(x: number): string {
  const bits = f64ToBits(Math.abs(x));
  const e = Number(bits >> 52n);
  let m = bits & ((1n << 52n) - 1n);
  let exp = e === 0 ? -1074 : e - 1075;
  if (e !== 0) m |= 1n << 52n;
  const sign = x < 0 || Object.is(x, -0) ? '-' : '';
  if (exp >= 0) return sign + (m << BigInt(exp)).toString();
  // m / 2^-exp = m * 5^-exp / 10^-exp
  const digits = (m * 5n ** BigInt(-exp)).toString().padStart(-exp + 1, '0');
  return `${sign}${digits.slice(0, exp + digits.length)}.${digits.slice(exp + digits.length)}`;
}

test('format -> parse round trips every f32 bit pattern', () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 0xffffffff }), (b) => {
    assert.equal(parseF32(formatF32(b)), b);
  }), { numRuns: 20000 });
  // all the boundaries
  for (const b of [0, 1, 0x7fffff, 0x800000, 0x7f7fffff, 0x7f800000, 0x7f800001, 0x7fffffff, 0x80000001, 0xffffffff]) {
    assert.equal(parseF32(formatF32(b)), b);
  }
});

test('format -> parse round trips every f64 bit pattern', () => {
  fc.assert(fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), (b) => {
    assert.equal(parseF64(formatF64(b)), b);
  }), { numRuns: 20000 });
  fc.assert(fc.property(fc.double(), (x) => {
    const b = f64ToBits(x);
    assert.equal(parseF64(formatF64(b)), b);
  }), { numRuns: 10000 });
});

test('f32 formatting is shortest', () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 0x7f7fffff }), (b) => {
    const s = formatF32(b);
    const digits = s.replace(/e.*$/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
    // one digit fewer never round trips: check the two neighbours of the value
    if (digits.length > 1) {
      const x = f32FromBits(b);
      const k = digits.length - 1;
      const [mant, exp] = x.toExponential(k - 1).split('e') as [string, string];
      const n = BigInt(mant.replace('.', ''));
      for (const c of [n - 1n, n, n + 1n]) {
        if (c <= 0n) continue;
        const t = `${c}e${Number(exp) - (k - 1)}`;
        assert.notEqual(parseF32(t), b, `${s} vs ${t}`);
      }
    }
  }), { numRuns: 5000 });
});

test('integers round trip', () => {
  fc.assert(fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), (n) => {
    assert.equal(parseI32(formatI32(n)), n);
    assert.equal(parseI32('0x' + (n >>> 0).toString(16)), n);
  }));
  fc.assert(fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (n) => {
    assert.equal(parseI64(formatI64(n)), n);
    assert.equal(parseI64('0x' + BigInt.asUintN(64, n).toString(16)), n);
  }));
});

test('decimal -> f32 rounds exactly once (against Math.fround of exact decimals)', () => {
  fc.assert(fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
    const expected = f32ToBits(Math.fround(x));
    const got = parseF32(exactDecimal(x));
    if ((expected & 0x7fffffff) === 0x7f800000) assert.equal(got, null);
    else assert.equal(got, expected);
  }), { numRuns: 10000 });
  // doubles halfway between two floats (and their neighbours): the double-rounding traps
  fc.assert(fc.property(fc.integer({ min: 0, max: 0x7f7ffffe }), fc.integer({ min: -2, max: 2 }), (b, d) => {
    const lo = f32FromBits(b);
    const hi = f32FromBits(b + 1);
    const mid = f64ToBits(lo + (hi - lo) / 2) + BigInt(d);
    const x = f64FromBits(mid);
    assert.equal(parseF32(exactDecimal(x)), f32ToBits(Math.fround(x)));
  }), { numRuns: 10000 });
});

test('decimal -> f64 agrees with JavaScript', () => {
  fc.assert(fc.property(fc.bigInt({ min: 1n, max: 10n ** 19n }), fc.integer({ min: -340, max: 320 }), (m, e) => {
    const s = `${m}e${e}`;
    const x = Number(s);
    const got = parseF64(s);
    if (x === Infinity) assert.equal(got, null);
    else assert.equal(got, f64ToBits(x));
  }), { numRuns: 20000 });
  fc.assert(fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
    assert.equal(parseF64(exactDecimal(x)), f64ToBits(x));
  }), { numRuns: 2000 });
});

// ---- the spec tests ------------------------------------------------------------

const litParsers: Record<string, (s: string) => bigint | null> = {
  i32: (s) => { const v = parseI32(s); return v === null ? null : BigInt(v >>> 0); },
  i64: (s) => { const v = parseI64(s); return v === null ? null : BigInt.asUintN(64, v); },
  f32: (s) => { const v = parseF32(s); return v === null ? null : BigInt(v); },
  f64: (s) => parseF64(s),
};

test('float_literals.wast and const.wast', () => {
  let checked = 0;
  for (const file of ['float_literals.wast', 'const.wast']) {
    const text = readFileSync(join(SPEC, file), 'utf8');
    const funcs = new Map<string, { type: string; lit: string }>();
    const re = /\(func \(export "([^"]+)"\)[^\n]*?\((f32|f64)\.const ([^)\s]+)\)|\(assert_return \(invoke "([^"]+)"\) \((i32|i64|f32|f64)\.const ([^)\s]+)\)\)|\(assert_malformed\s*\(module quote "([^"]*)"\)\s*"([^"]*)"/g;
    for (const m of text.matchAll(re)) {
      if (m[1] !== undefined) funcs.set(m[1], { type: m[2]!, lit: m[3]! });
      else if (m[4] !== undefined) {
        const f = funcs.get(m[4]);
        assert.ok(f, m[4]);
        const got = litParsers[f.type]!(f.lit);
        // the result is either the float itself or its bits reinterpreted as an integer
        const want = litParsers[m[5]!]!(m[6]!);
        assert.notEqual(got, null, `${file}: ${f.lit}`);
        assert.equal(got, want, `${file}: ${f.type}.const ${f.lit} expected ${m[5]}.const ${m[6]}`);
        checked++;
      } else {
        const c = /\((i32|i64|f32|f64)\.const ([^)\s]+)\)/.exec(m[7]!);
        if (c === null) continue;
        assert.equal(litParsers[c[1]!]!(c[2]!), null, `${file}: ${c[0]} should be malformed (${m[8]})`);
        checked++;
      }
    }
  }
  assert.ok(checked > 500, `checked ${checked}`);
});

test('every numeric literal of the spec suite parses', () => {
  const files = coreWastFiles();
  let n = 0;
  for (const file of files) {
    // leave out quoted modules (which hold the malformed ones) and NaN patterns
    const text = readFileSync(file, 'utf8').replace(/\(module\s+quote(?:\s*"(?:[^"\\]|\\.)*")*\s*\)/g, '');
    for (const m of text.matchAll(/\((i32|i64|f32|f64)\.const\s+([^\s()]+)\)/g)) {
      const lit = m[2]!;
      if (lit.startsWith('nan:canonical') || lit.startsWith('nan:arithmetic')) continue;
      assert.notEqual(litParsers[m[1]!]!(lit), null, `${file}: ${m[0]}`);
      n++;
    }
  }
  assert.ok(n > 10000, `${n} literals`);
});

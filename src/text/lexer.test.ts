import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ALIGN_EQ, decodeUtf8Lossless, EOF, FLOAT, ID, INT, KEYWORD, kindName, LPAR, NAT, OFFSET_EQ, RPAR, STRING,
  TokenStream,
} from './lexer.ts';
import { WasmSyntaxError } from '../util/errors.ts';

/** All tokens of a text as [kind, text] pairs. */
function lex(text: string): [string, string][] {
  const ts = new TokenStream(text);
  const out: [string, string][] = [];
  while (ts.kind() !== EOF) {
    out.push([kindName(ts.kind()), ts.tokenText()]);
    ts.pos++;
  }
  return out;
}

/** The error of lexing a whole text: [message, offset]. */
function lexError(text: string): [string, number | undefined] {
  try {
    lex(text);
  } catch (e) {
    assert.ok(e instanceof WasmSyntaxError, String(e));
    return [e.detail, e.offset];
  }
  assert.fail(`no error for ${JSON.stringify(text)}`);
}

test('punctuation, keywords, ids, numbers, strings with offsets', () => {
  const ts = new TokenStream('(module $m\n  (func (i32.const -1)) "s")');
  const kinds: number[] = [];
  const starts: number[] = [];
  while (ts.kind() !== EOF) {
    kinds.push(ts.kind());
    starts.push(ts.start());
    ts.pos++;
  }
  assert.deepEqual(kinds, [LPAR, KEYWORD, ID, LPAR, KEYWORD, LPAR, KEYWORD, INT, RPAR, RPAR, STRING, RPAR]);
  assert.deepEqual(starts, [0, 1, 8, 13, 14, 19, 20, 30, 32, 33, 35, 38]);
});

test('number classes follow the reference lexer', () => {
  const cls = (s: string) => lex(s)[0]![0];
  for (const s of ['0', '123', '1_000', '0x1F', '0xa_b']) assert.equal(cls(s), 'nat', s);
  for (const s of ['+1', '-0x10', '-1_0']) assert.equal(cls(s), 'int', s);
  for (const s of ['1.', '1.5', '1e5', '1.e-3', '0x1p4', '0x1.8p-2', '0x1.', 'inf', '-inf', 'nan', '+nan:0x7f_ff', '1_0.0_1'])
    assert.equal(cls(s), 'float', s);
  // not numbers: the longest match is a reserved token
  for (const s of ['0x', '1_', '1__0', '1.5x', '.5', '0xg', 'nan:0x', 'i32.const0', '0drop']) {
    assert.deepEqual(lexError(s), [`unknown operator ${s}`, 0], s);
  }
});

test('offset= and align= are tokens of their own', () => {
  assert.deepEqual(lex('offset=4 align=0x10'), [['offset=', 'offset=4'], ['align=', 'align=0x10']]);
  const ts = new TokenStream('offset=1 align=2');
  assert.equal(ts.kind(), OFFSET_EQ);
  assert.equal(ts.kind(1), ALIGN_EQ);
  assert.deepEqual(lexError('align=-1'), ['unknown operator align=-1', 0]);
});

test('keywords must be known', () => {
  assert.deepEqual(lex('i32.add nan:canonical v128 funcref'), [
    ['keyword', 'i32.add'], ['keyword', 'nan:canonical'], ['keyword', 'v128'], ['keyword', 'funcref'],
  ]);
  assert.deepEqual(lexError('(get_local 0)'), ['unknown operator get_local', 1]);
  assert.deepEqual(lexError('i32.trunc_s:sat/f32'), ['unknown operator i32.trunc_s:sat/f32', 0]);
  assert.deepEqual(lexError('x'), ['unknown operator x', 0]);
  assert.deepEqual(lexError('a , b'), ['unknown operator a', 0]);
  assert.deepEqual(lexError(' ,'), ['unknown operator ,', 1]);
  assert.deepEqual(lexError('{'), ['unknown operator {', 0]);
});

test('identifiers, plain and quoted', () => {
  const ts = new TokenStream('$x $a.b+c $"x" $"a b\\u{e9}"');
  const names: string[] = [];
  while (ts.kind() !== EOF) {
    assert.equal(ts.kind(), ID);
    names.push(ts.idName());
    ts.pos++;
  }
  assert.deepEqual(names, ['x', 'a.b+c', 'x', 'a b\u00e9']);
  assert.deepEqual(lexError('$'), ['empty identifier', 0]);
  assert.deepEqual(lexError('$""'), ['empty identifier', 0]);
  assert.deepEqual(lexError('$"a"b'), ['unknown operator $"a"b', 0]);
  assert.deepEqual(lexError('0$l'), ['unknown operator 0$l', 0]);
  const bad = new TokenStream('$"\\ff"');
  assert.throws(() => bad.idName(), /malformed UTF-8 encoding/);
});

test('strings: escapes, bytes, names', () => {
  const ts = new TokenStream('"a\\t\\n\\r\\"\\\'\\\\\\00\\ff\\u{e9}\\u{1F600}é"');
  assert.equal(ts.kind(), STRING);
  assert.deepEqual([...ts.stringBytes()], [
    0x61, 9, 10, 13, 0x22, 0x27, 0x5c, 0, 0xff, 0xc3, 0xa9, 0xf0, 0x9f, 0x98, 0x80, 0xc3, 0xa9,
  ]);
  assert.throws(() => ts.stringName(), /malformed UTF-8 encoding/);
  const ok = new TokenStream('"h\\u{e9}llo\\41"');
  assert.equal(ok.stringName(), 'h\u00e9lloA');
  assert.deepEqual(lexError('"abc'), ['unclosed string literal', 0]);
  assert.deepEqual(lexError('"ab\nc"'), ['unclosed string literal', 0]);
  assert.deepEqual(lexError('"a\\qb"'), ['illegal escape', 2]);
  assert.deepEqual(lexError('"a\\u{d800}"'), ['malformed UTF-8 encoding', 2]);
  assert.deepEqual(lexError('"a\u0001"'), ['illegal control character in string literal', 2]);
  assert.deepEqual(lexError('"a""b"'), ['unknown operator "a""b"', 0]);
});

test('comments', () => {
  assert.deepEqual(lex('(;a (; nested ;) b;) x ;; line\n)'.replace('x', 'nop')), [['keyword', 'nop'], [')', ')']]);
  assert.deepEqual(lex(';; only a comment'), []);
  assert.deepEqual(lex('nop;;c\nnop'), [['keyword', 'nop'], ['keyword', 'nop']]);
  assert.deepEqual(lex('(;\u0000\u0007\u00df;)nop'), [['keyword', 'nop']]);
  assert.deepEqual(lexError('nop (; (; ;)'), ['unclosed comment', 4]);
  assert.deepEqual(lexError('; x'), ['unknown operator ;', 0]);
});

test('annotations are skipped', () => {
  assert.deepEqual(lex('((@a) module (@a x "y" (z) (@b 1)) $m)'), [
    ['(', '('], ['keyword', 'module'], ['id', '$m'], [')', ')'],
  ]);
  assert.deepEqual(lex('(@a (@) (@ x) , ; [ ] { })nop'), [['keyword', 'nop']]);
  assert.deepEqual(lexError('(@x (y)'), ['unclosed annotation', 0]);
  assert.deepEqual(lexError('(@)'), ['empty annotation id', 0]);
  assert.deepEqual(lexError('(@"")'), ['empty annotation id', 0]);
  assert.deepEqual(lexError('(@"\n")'), ['empty annotation id', 0]);
  assert.deepEqual(lexError('(@a \u0007)'), ['illegal character', 4]);
  assert.deepEqual(lexError('(@a Heiße)'), ['illegal character', 7]);
  assert.deepEqual(lexError('(@x "'), ['unclosed string literal', 4]);
  assert.deepEqual(lexError('(func $(@a))'), ['empty identifier', 6]);
});

test('misplaced characters and malformed UTF-8', () => {
  assert.deepEqual(lexError('nop \u0007'), ['misplaced control character', 4]);
  assert.deepEqual(lexError('nop é'), ['misplaced unicode character', 4]);
  assert.deepEqual(lexError('nop \udc80'), ['malformed UTF-8 encoding', 4]);
  assert.deepEqual(lexError(';; \udcff'), ['malformed UTF-8 encoding', 3]);
});

test('errors are raised lazily, when the token is reached', () => {
  const ts = new TokenStream('( nop "unclosed');
  assert.equal(ts.kind(), LPAR);
  assert.equal(ts.kind(1), KEYWORD);
  assert.throws(() => ts.kind(2), /unclosed string literal/);
});

test('EOF repeats; skipGroup balances parentheses', () => {
  const ts = new TokenStream('(a.b (c.d) "(") nop');
  assert.throws(() => ts.kind(1), /unknown operator a.b/);
  const ok = new TokenStream('(func (nop) "(") nop');
  assert.ok(ok.skipGroup());
  assert.ok(ok.isKw('nop'));
  ok.pos++;
  assert.equal(ok.kind(), EOF);
  assert.equal(ok.kind(5), EOF);
  assert.equal(new TokenStream('(func').skipGroup(), false);
  assert.equal(RPAR, 1);
  assert.equal(NAT, 2);
  assert.equal(FLOAT, 4);
});

test('decodeUtf8Lossless escapes invalid bytes as lone surrogates', () => {
  assert.equal(decodeUtf8Lossless(new Uint8Array([0x61, 0xc3, 0xa9])), 'a\u00e9');
  assert.equal(decodeUtf8Lossless(new Uint8Array([0x61, 0xff, 0x62])), 'a\udcffb');
  assert.equal(decodeUtf8Lossless(new Uint8Array([0xed, 0xa0, 0x80])), '\udced\udca0\udc80');
  // such bytes inside a string literal come back as the original bytes
  const ts = new TokenStream(decodeUtf8Lossless(new Uint8Array([0x22, 0x80, 0x22])));
  assert.throws(() => ts.kind(), /malformed UTF-8 encoding/);
});

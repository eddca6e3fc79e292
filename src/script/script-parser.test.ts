import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { parseScript } from './script-parser.ts';
import { parseModule } from '../text/parser.ts';
import type { Command } from './ast.ts';
import { WasmError, WasmSyntaxError } from '../util/errors.ts';
import { coreWastFiles, specDir } from '../../test/helpers/spec.ts';

const cmds = (text: string): Command[] => [...parseScript(text, 'test.wast').commands];

/** JSON with bigints and byte arrays made readable. */
const j = (x: unknown): unknown => JSON.parse(JSON.stringify(x, (_k, v) =>
  typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? [...v] : v instanceof Map ? [...v] : v));

test('module commands: text, binary, quote, definition, instance', () => {
  const text = `
    (module $a (func (export "f")))
    (module binary "\\00asm" "\\01\\00\\00\\00")
    (module $q quote "(func" ")")
    (module definition $d (memory 1))
    (module instance $i $d)
    (module instance $d)
    (module instance)`;
  const c = cmds(text);
  const at = (s: string, from = 0) => text.indexOf(s, from);
  assert.equal(c.length, 7);
  assert.ok(c[0]!.kind === 'module' && c[0]!.id === 'a' && !c[0]!.definition && c[0]!.source.kind === 'text');
  assert.equal(c[0]!.kind === 'module' && c[0]!.source.kind === 'text' && c[0]!.source.module.names.module, 'a');
  assert.deepEqual(j(c[1]), { kind: 'module', definition: false, source: { kind: 'binary', bytes: [0, 97, 115, 109, 1, 0, 0, 0] }, at: at('(module binary') });
  assert.deepEqual(j(c[2]), { kind: 'module', id: 'q', definition: false, source: { kind: 'quote', text: '(func)', textAt: at('"(func"') }, at: at('(module $q') });
  assert.ok(c[3]!.kind === 'module' && c[3]!.definition && c[3]!.id === 'd');
  assert.deepEqual(j(c.slice(4)), [
    { kind: 'instance', id: 'i', module: 'd', at: at('(module instance $i') },
    { kind: 'instance', module: 'd', at: at('(module instance $d') },
    { kind: 'instance', at: at('(module instance)') },
  ]);
});

test('actions, register and assertions', () => {
  const text = `
    (register "M" $a)
    (register "N")
    (invoke "f" (i32.const -1) (i64.const 2) (f32.const 1.5) (f64.const -0) (v128.const i32x4 1 2 3 4)
      (ref.null func) (ref.null 7) (ref.extern 3) (ref.host 4))
    (get $a "g")
    (assert_trap (invoke "t") "unreachable")
    (assert_trap (module (func $s unreachable) (start $s)) "unreachable")
    (assert_exhaustion (invoke $m "e") "call stack exhausted")
    (assert_exception (invoke "x"))
    (assert_suspension (invoke "s") "unhandled")
    (assert_malformed (module quote "(func") "unexpected token")
    (assert_invalid (module (func (result i32))) "type mismatch")
    (assert_unlinkable (module (import "x" "y" (func))) "unknown import")`;
  const c = cmds(text);
  assert.deepEqual(c.map((x) => x.kind), [
    'register', 'register', 'action', 'action', 'assert_trap', 'assert_uninstantiable', 'assert_exhaustion',
    'assert_exception', 'assert_suspension', 'assert_malformed', 'assert_invalid', 'assert_unlinkable',
  ]);
  assert.deepEqual(j(c[0]), { kind: 'register', name: 'M', module: 'a', at: text.indexOf('(register') });
  assert.deepEqual(j(c[2]!.kind === 'action' && c[2]!.action), {
    kind: 'invoke', name: 'f', at: text.indexOf('(invoke "f"'),
    args: [
      { type: 'i32', value: -1 }, { type: 'i64', value: '2n' }, { type: 'f32', value: 0x3fc00000 },
      { type: 'f64', value: '9223372036854775808n' }, { type: 'v128', value: [1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0] },
      { type: 'ref.null', heap: 'func' }, { type: 'ref.null', heap: 7 }, { type: 'ref.extern', value: 3 },
      { type: 'ref.host', value: 4 },
    ],
  });
  assert.deepEqual(j(c[3]!.kind === 'action' && c[3]!.action), { kind: 'get', module: 'a', name: 'g', at: text.indexOf('(get') });
  assert.equal(c[4]!.kind === 'assert_trap' && c[4]!.message, 'unreachable');
  assert.ok(c[5]!.kind === 'assert_uninstantiable' && c[5]!.source.kind === 'text' && c[5]!.source.module.start === 0);
  assert.ok(c[6]!.kind === 'assert_exhaustion' && c[6]!.action.module === 'm');
  assert.ok(c[9]!.kind === 'assert_malformed' && c[9]!.source.kind === 'quote' && c[9]!.source.text === '(func');
  assert.equal(c[10]!.kind === 'assert_invalid' && c[10]!.message, 'type mismatch');
});

test('expected results', () => {
  const c = cmds(`(assert_return (invoke "f")
    (i32.const 1) (i64.const -1) (f32.const nan:canonical) (f64.const nan:arithmetic) (f32.const -nan:0x1)
    (v128.const f32x4 1 nan:canonical -0 nan:arithmetic) (v128.const f64x2 nan:canonical 2)
    (v128.const i16x8 1 2 3 4 5 6 7 -1)
    (ref.null) (ref.null any) (ref.extern) (ref.extern 5) (ref.host 6) (ref.func) (ref.struct) (ref.array)
    (ref.i31) (ref.eq) (ref) (ref.any) (ref.exn)
    (either (i32.const 1) (ref.null func)))`);
  assert.equal(c.length, 1);
  const e = c[0]!.kind === 'assert_return' ? c[0]!.expected : [];
  assert.deepEqual(j(e), [
    { kind: 'const', value: { type: 'i32', value: 1 } },
    { kind: 'const', value: { type: 'i64', value: '-1n' } },
    { kind: 'f32', pattern: { kind: 'nan:canonical' } },
    { kind: 'f64', pattern: { kind: 'nan:arithmetic' } },
    { kind: 'f32', pattern: { kind: 'value', bits: 0xff800001 } },
    { kind: 'v128f32', lanes: [{ kind: 'value', bits: 0x3f800000 }, { kind: 'nan:canonical' }, { kind: 'value', bits: 0x80000000 }, { kind: 'nan:arithmetic' }] },
    { kind: 'v128f64', lanes: [{ kind: 'nan:canonical' }, { kind: 'value', bits: '4611686018427387904n' }] },
    { kind: 'const', value: { type: 'v128', value: [1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 255, 255] } },
    { kind: 'ref', ref: 'ref.null' },
    { kind: 'ref', ref: 'ref.null', heap: 'any' },
    { kind: 'ref', ref: 'ref.extern' },
    { kind: 'ref', ref: 'ref.extern', value: 5 },
    { kind: 'ref', ref: 'ref.host', value: 6 },
    { kind: 'ref', ref: 'ref.func' }, { kind: 'ref', ref: 'ref.struct' }, { kind: 'ref', ref: 'ref.array' },
    { kind: 'ref', ref: 'ref.i31' }, { kind: 'ref', ref: 'ref.eq' }, { kind: 'ref', ref: 'ref' },
    { kind: 'ref', ref: 'ref.any' }, { kind: 'ref', ref: 'ref.exn' },
    { kind: 'either', options: [{ kind: 'const', value: { type: 'i32', value: 1 } }, { kind: 'ref', ref: 'ref.null', heap: 'func' }] },
  ]);
});

test('a file of module fields is one module', () => {
  const c = cmds(';; comment\n(func (export "f")) (memory 1)');
  assert.equal(c.length, 1);
  assert.ok(c[0]!.kind === 'module' && c[0]!.source.kind === 'text');
  assert.equal(c[0]!.kind === 'module' && c[0]!.source.kind === 'text' && c[0]!.source.module.funcs.length, 1);
  assert.equal(c[0]!.at, 11);
  assert.deepEqual(cmds(''), []);
  assert.deepEqual(cmds(' ;; nothing\n'), []);
});

test('quoted modules keep invalid UTF-8 bytes for the lexer to reject', () => {
  const c = cmds('(assert_malformed (module quote "(func) \\ff") "malformed UTF-8 encoding")');
  const src = c[0]!.kind === 'assert_malformed' ? c[0]!.source : null;
  assert.ok(src?.kind === 'quote');
  assert.throws(() => parseModule(src.text), (e: unknown) => e instanceof WasmSyntaxError && e.detail === 'malformed UTF-8 encoding');
});

test('script syntax errors carry file, line and column', () => {
  const err = (text: string): string => {
    try {
      parseScript(text, 'x.wast');
    } catch (e) {
      assert.ok(e instanceof WasmError);
      return e.format();
    }
    return assert.fail('no error');
  };
  assert.equal(err('(module)\n(assert_return (invoke "f") (i32.const nan:canonical))'), 'x.wast:2:40: NaN pattern with non-float type');
  assert.equal(err('(assert_return (invoke "f") (v128.const f32x4 0 0 0))'), 'x.wast:1:29: wrong number of lane literals');
  assert.equal(err('(invoke "f" (i32.const 1)'), 'x.wast:1:26: unexpected token');
  assert.equal(err('(bogus)'), 'x.wast:1:2: unknown operator bogus');
  assert.equal(err('(module (func (call $nope)))'), 'x.wast:1:21: unknown function $nope');
  assert.equal(err('(assert_trap (module definition (func)) "x")'), 'x.wast:1:14: misplaced module definition');
});

// ---- the spec test suite ---------------------------------------------------------------

test('every .wast of the spec suite parses; every assert_malformed quote module fails as expected', (t) => {
  const files = coreWastFiles();
  let commands = 0;
  let textModules = 0;
  let malformedQuotes = 0;
  let malformedMatched = 0;
  let otherQuotes = 0;
  const failures: string[] = [];
  const start = performance.now();
  let parseMs = 0;
  for (const file of files) {
    const name = relative(specDir(), file);
    const text = readFileSync(file, 'utf8');
    const t0 = performance.now();
    let script;
    try {
      script = parseScript(text, name);
    } catch (e) {
      failures.push(`${name}: ${e instanceof WasmError ? e.format() : String(e)}`);
      continue;
    }
    parseMs += performance.now() - t0;
    commands += script.commands.length;
    for (const cmd of script.commands) {
      const src = 'source' in cmd ? cmd.source : null;
      if (src?.kind === 'text') textModules++;
      if (src?.kind !== 'quote') continue;
      const line = text.slice(0, cmd.at).split('\n').length;
      let error: WasmError | null = null;
      try {
        parseModule(src.text);
      } catch (e) {
        if (!(e instanceof WasmError)) throw e;
        error = e;
      }
      if (cmd.kind === 'assert_malformed') {
        malformedQuotes++;
        if (error === null) failures.push(`${name}:${line}: malformed module accepted (expected "${cmd.message}")`);
        else if (!error.detail.startsWith(cmd.message)) failures.push(`${name}:${line}: expected "${cmd.message}", got "${error.detail}"`);
        else malformedMatched++;
      } else {
        otherQuotes++;
        if (error !== null) failures.push(`${name}:${line}: quoted module rejected: ${error.detail}`);
      }
    }
  }
  t.diagnostic(`${files.length} files, ${commands} commands, ${textModules} text modules parsed in ${Math.round(parseMs)} ms`);
  t.diagnostic(`assert_malformed quote modules: ${malformedMatched}/${malformedQuotes} fail with the expected message; other quote modules: ${otherQuotes}`);
  t.diagnostic(`total ${Math.round(performance.now() - start)} ms`);
  assert.deepEqual(failures, []);
  assert.ok(files.length >= 240, `only ${files.length} files`);
  assert.ok(malformedQuotes >= 1200, `only ${malformedQuotes} malformed quote modules`);
});

// The legacy exception handling instructions (try, catch, catch_all, delegate,
// rethrow) in the front end: the official legacy test scripts parse, validate
// (or fail as they expect), print, re-parse, encode and decode to the same
// module; plus unit cases for the text forms, the printer, the decoder's
// nesting and the validator's errors. Running the scripts is the lowering's
// business (test/spec-exec.test.ts and friends), not this file's.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Module } from '../src/syntax/ast.ts';
import type { Instr } from '../src/syntax/opcodes.ts';
import { decodeModule } from '../src/binary/decoder.ts';
import { encodeModule } from '../src/binary/encoder.ts';
import { parseModule } from '../src/text/parser.ts';
import { printModule } from '../src/text/printer.ts';
import { parseScript } from '../src/script/script-parser.ts';
import { runScript } from '../src/script/runner.ts';
import { validateModule } from '../src/valid/validator.ts';
import { MalformedError, WasmSyntaxError } from '../src/util/errors.ts';
import { END, fn, funcT, I, invalid, mod, rec, valid } from './helpers/valid-testkit.ts';
import { filesUnder, specDir } from './helpers/spec.ts';
import { stripOffsets } from './helpers/modules.ts';

const ops = (body: readonly Instr[]): string[] =>
  body.map((i) => [i.op, ...(i.args as unknown[]).map((a) => JSON.stringify(a))].join(' '));
const bodies = (m: Module): unknown => m.funcs.map((f) => stripOffsets(f.body));

// ---- the official legacy scripts ---------------------------------------------------------

const legacyDir = join(specDir(), 'legacy', 'exceptions', 'core');
const files = filesUnder(legacyDir, '.wast');

test('the legacy exception scripts are there', () => {
  const names = files.map((f) => relative(legacyDir, f)).sort();
  for (const n of ['rethrow.wast', 'throw.wast', 'try_catch.wast', 'try_delegate.wast']) assert.ok(names.includes(n), n);
});

for (const file of files) {
  const name = relative(specDir(), file);
  test(`validate-only ${name}: modules, assert_invalid and assert_malformed`, () => {
    const script = parseScript(readFileSync(file, 'utf8'), name);
    const s = runScript(script);
    const failures = s.results.filter((r) => r.outcome === 'failed').map((r) => `${r.file}:${r.line}: ${r.kind}: ${r.message}`);
    assert.deepEqual(failures, []);
    const static_ = s.results.filter((r) => r.kind === 'assert_invalid' || r.kind === 'assert_malformed' || r.kind === 'module');
    assert.ok(static_.length > 0 && static_.every((r) => r.outcome === 'passed'), name);
  });

  test(`round trip ${name}: print, parse, encode, decode`, () => {
    const script = parseScript(readFileSync(file, 'utf8'), name);
    let n = 0;
    for (const cmd of script.commands) {
      if (cmd.kind !== 'module' || cmd.source.kind !== 'text') continue;
      const m = cmd.source.module;
      validateModule(m);
      // text: print -> parse gives the same module, and printing is idempotent
      const printed = printModule(m);
      const m2 = parseModule(printed, 'printed');
      assert.deepStrictEqual(stripOffsets(m2), stripOffsets(m), printed);
      assert.equal(printModule(m2), printed);
      // binary: the bodies decode as they were, the decoded module validates and re-encodes the same
      const bytes = encodeModule(m);
      const m3 = decodeModule(bytes);
      assert.deepStrictEqual(bodies(m3), bodies(m), printed);
      validateModule(m3);
      assert.deepStrictEqual(encodeModule(m3), bytes);
      assert.equal(printModule(m3), printed);
      n++;
    }
    assert.ok(n > 0);
  });
}

test('the scripts use every legacy instruction', () => {
  const seen = new Set<string>();
  for (const file of files) {
    for (const cmd of parseScript(readFileSync(file, 'utf8'), file).commands) {
      if (cmd.kind === 'module' && cmd.source.kind === 'text') for (const f of cmd.source.module.funcs) for (const i of f.body) seen.add(i.op);
    }
  }
  for (const op of ['try', 'catch', 'catch_all', 'delegate', 'rethrow']) assert.ok(seen.has(op), op);
});

// ---- text ----------------------------------------------------------------------------------

const TAGS = '(tag $e0) (tag $e1 (param i32))';
const body = (text: string): Instr[] => parseModule(`(module ${TAGS} ${text})`).funcs[0]!.body;

test('flat try: catches, catch_all, end with its label', () => {
  const b = body(`(func (result i32)
    try $t (result i32)
      i32.const 1
    catch $e1
    catch $e0
      rethrow $t
    catch_all
      i32.const 2
    end $t)`);
  assert.deepEqual(ops(b), [
    'try "i32"', 'i32.const 1', 'catch 1', 'catch 0', 'rethrow 0', 'catch_all', 'i32.const 2', 'end', 'end',
  ]);
});

test('flat try ... delegate: the label is resolved outside the try', () => {
  const b = body(`(func
    block $b
      try $t
        try $u
          br $t
        delegate $t
      delegate $b
    end
    try
    delegate 0)`);
  // `delegate $t` names the try around it (depth 0 once its own try is closed), `delegate $b`
  // the block; `delegate 0` at the top names the function
  assert.deepEqual(ops(b), [
    'block null', 'try null', 'try null', 'br 1', 'delegate 0', 'delegate 0', 'end', 'try null', 'delegate 0', 'end',
  ]);
});

test('folded try is the flat one', () => {
  const folded = body(`(func (param i32) (result i32)
    (try $t (result i32)
      (do (try (result i32) (do (local.get 0)) (delegate $t)))
      (catch $e1)
      (catch $e0 (rethrow $t))
      (catch_all (i32.const 2))))`);
  const flat = body(`(func (param i32) (result i32)
    try $t (result i32)
      try (result i32) local.get 0 delegate $t
    catch $e1
    catch $e0 rethrow $t
    catch_all i32.const 2
    end)`);
  assert.deepEqual(stripOffsets(folded), stripOffsets(flat));
  assert.deepEqual(ops(folded), [
    'try "i32"', 'try "i32"', 'local.get 0', 'delegate 0', 'catch 1', 'catch 0', 'rethrow 0', 'catch_all',
    'i32.const 2', 'end', 'end',
  ]);
  // a folded try without handlers ends like a block
  assert.deepEqual(ops(body('(func (try (do nop)))')), ['try null', 'nop', 'end', 'end']);
});

test('malformed try syntax', () => {
  const bad = (text: string, msg = 'unexpected token'): void => {
    assert.throws(() => parseModule(`(module ${TAGS} ${text})`), (e: unknown) => {
      assert.ok(e instanceof WasmSyntaxError, String(e));
      assert.ok(e.detail.startsWith(msg), e.detail);
      return true;
    }, text);
  };
  bad('(func (catch_all))');
  bad('(func (catch $e0))');
  bad('(func (delegate 0))');
  bad('(func catch_all)');
  bad('(func delegate 0)');
  bad('(func block catch $e0 end)');
  bad('(func (try (do) (catch_all) (catch_all)))');
  bad('(func (try (do) (catch_all) (catch $e0)))');
  bad('(func (try (do) (catch $e0) (delegate 0)))');
  bad('(func (try (do) (delegate) (delegate 0)))');
  bad('(func (try (nop)))'); // (do ...) is required
  bad('(func try catch_all catch_all end)');
  bad('(func try catch_all catch $e0 end)');
  bad('(func try catch $e0 delegate 0)');
  bad('(func try $l catch_all end $m)', 'mismatching label');
  bad('(func try $l delegate $l)', 'unknown label $l');
  bad('(func (try (do) (catch $nope)))', 'unknown tag $nope');
});

test('the printer: catch and catch_all dedented like else, delegate like end', () => {
  const m = parseModule(`(module ${TAGS}
    (func
      (try (do (try (do nop) (delegate 1)))
        (catch $e1 drop (rethrow 0))
        (catch_all))
      (block (try (do) (delegate 0)))))`);
  const text = printModule(m);
  assert.ok(text.includes(`  (func (;0;) (type 0)
    try ;; label = @1
      try ;; label = @2
        nop
      delegate 1 (;@0;)
    catch $e1
      drop
      rethrow 0 (;@1;)
    catch_all
    end
    block ;; label = @1
      try ;; label = @2
      delegate 0 (;@1;)
    end
  )`), text);
});

// ---- binary ------------------------------------------------------------------------------

const leb = (n: number): number[] => (n < 0x80 ? [n] : [(n & 0x7f) | 0x80, ...leb(n >>> 7)]);
const vec = (...items: number[][]): number[] => [...leb(items.length), ...items.flat()];
const sec = (id: number, ...content: number[]): number[] => [id, ...leb(content.length), ...content];
/** (type (func)) (func (type 0)) with this body (after the empty locals), and a tag of type 0 */
function withBody(...code: number[]): Uint8Array {
  const entry = [0x00, ...code];
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...sec(1, ...vec([0x60, 0x00, 0x00])), ...sec(3, ...vec([0x00])), ...sec(13, ...vec([0x00, 0x00])),
    ...sec(10, ...vec([...leb(entry.length), ...entry])),
  ]);
}
/** Where the body's first instruction is in withBody's bytes. */
const BODY_AT = 8 + 7 + 4 + 5 + 4;

test('the decoder nests try, catch, catch_all and delegate', () => {
  // try (catch 0) (catch_all) end; block (try delegate 0) end; try (try delegate 1) end drop; end
  const bytes = withBody(
    0x06, 0x40, 0x01, 0x07, 0x00, 0x01, 0x19, 0x09, 0x00, 0x0b,
    0x02, 0x40, 0x06, 0x40, 0x18, 0x00, 0x0b,
    0x06, 0x7f, 0x06, 0x40, 0x18, 0x01, 0x41, 0x00, 0x0b, 0x1a,
    0x0b,
  );
  const m = decodeModule(bytes);
  assert.deepEqual(ops(m.funcs[0]!.body), [
    'try null', 'nop', 'catch 0', 'nop', 'catch_all', 'rethrow 0', 'end',
    'block null', 'try null', 'delegate 0', 'end',
    'try "i32"', 'try null', 'delegate 1', 'i32.const 0', 'end', 'drop',
    'end',
  ]);
  assert.deepEqual(m.funcs[0]!.body.map((i) => i.at - BODY_AT).slice(0, 7), [0, 2, 3, 5, 6, 7, 9]);
  valid(m);
  assert.deepEqual(encodeModule(m), bytes);
});

test('the decoder rejects the parts of a try out of place', () => {
  const malformed = (code: number[], detail: string, at: number): void => {
    assert.throws(() => decodeModule(withBody(...code)), (e: unknown) => {
      assert.ok(e instanceof MalformedError, String(e));
      assert.equal(e.detail, detail);
      assert.equal(e.offset, BODY_AT + at, detail);
      return true;
    });
  };
  malformed([0x07, 0x00, 0x0b], 'END opcode expected', 0);
  malformed([0x19, 0x0b], 'END opcode expected', 0);
  malformed([0x18, 0x00, 0x0b], 'misplaced DELEGATE opcode', 0);
  malformed([0x02, 0x40, 0x07, 0x00, 0x0b, 0x0b], 'END opcode expected', 2);
  malformed([0x04, 0x40, 0x19, 0x0b, 0x0b], 'END opcode expected', 2);
  malformed([0x02, 0x40, 0x18, 0x00, 0x0b, 0x0b], 'misplaced DELEGATE opcode', 2);
  // after catch_all nothing but end; after a catch no delegate
  malformed([0x06, 0x40, 0x19, 0x07, 0x00, 0x0b, 0x0b], 'END opcode expected', 3);
  malformed([0x06, 0x40, 0x19, 0x19, 0x0b, 0x0b], 'END opcode expected', 3);
  malformed([0x06, 0x40, 0x07, 0x00, 0x18, 0x00, 0x0b], 'misplaced DELEGATE opcode', 4);
  // `else` is not a part of a try
  malformed([0x06, 0x40, 0x05, 0x0b, 0x0b], 'END opcode expected', 2);
  // a delegate closes its try: the function still needs its end
  malformed([0x06, 0x40, 0x18, 0x00], 'unexpected end of section or function', 4);
});

// ---- validation ---------------------------------------------------------------------------

const EMPTY_T = 0;
const I32_T = 1; // [] -> [i32]
const TAG_I32 = 2; // [i32] -> []
/** A module with types 0: [] -> [], 1: [] -> [i32], 2: [i32] -> [], tags 0: [] and 1: [i32], and one function. */
const withFunc = (type: number, code: Instr[]): Module => mod({
  types: [rec(funcT([], [])), rec(funcT([], ['i32'])), rec(funcT(['i32'], []))],
  tags: [{ type: EMPTY_T, at: -1 }, { type: TAG_I32, at: -1 }],
  funcs: [fn(type, code)],
});

test('legacy try typing: handlers start with the tag parameters and leave the results', () => {
  valid(withFunc(I32_T, [
    I('try', 'i32'), I('i32.const', 1), I('catch', 1), I('catch', 0), I('i32.const', 2), I('catch_all'), I('i32.const', 3), END(),
  ]));
  // rethrow is stack-polymorphic; a handler may rethrow its own or an enclosing handler's exception
  valid(withFunc(I32_T, [
    I('try', 'i32'), I('unreachable'),
    I('catch', 0), I('try', 'i32'), I('unreachable'), I('catch_all'), I('rethrow', 1), END(),
    END(),
  ]));
  // a label of a try or its handlers carries the results
  valid(withFunc(I32_T, [I('try', 'i32'), I('i32.const', 1), I('br', 0), I('catch_all'), I('i32.const', 2), I('br', 0), END()]));
  invalid(withFunc(I32_T, [I('try', 'i32'), I('catch', 0), I('i32.const', 1), END()]), 'type mismatch: instruction requires [i32] but stack has []');
  invalid(withFunc(EMPTY_T, [I('try', null), I('catch', 1), END()]), 'type mismatch: block requires [] but stack has [i32]');
  invalid(withFunc(EMPTY_T, [I('try', null), I('catch_all'), I('i32.const', 1), END()]), 'type mismatch: block requires [] but stack has [i32]');
  invalid(withFunc(EMPTY_T, [I('try', null), I('catch', 7), END()]), 'unknown tag 7');
});

test('legacy try validation errors: structure and labels', () => {
  invalid(withFunc(EMPTY_T, [I('rethrow', 0)]), 'invalid rethrow label');
  invalid(withFunc(EMPTY_T, [I('block', null), I('rethrow', 0), END()]), 'invalid rethrow label');
  invalid(withFunc(EMPTY_T, [I('try', null), I('rethrow', 0), I('delegate', 0)]), 'invalid rethrow label');
  // inside a block inside a handler, the handler is one level out
  invalid(withFunc(EMPTY_T, [I('try', null), I('catch_all'), I('block', null), I('rethrow', 0), END(), END()]), 'invalid rethrow label');
  valid(withFunc(EMPTY_T, [I('try', null), I('catch_all'), I('block', null), I('rethrow', 1), END(), END()]));
  invalid(withFunc(EMPTY_T, [I('try', null), I('catch_all'), I('rethrow', 2), END()]), 'unknown label 2');

  // delegate: the function's label is the outermost one it may name
  valid(withFunc(EMPTY_T, [I('block', null), I('try', null), I('delegate', 1), END()]));
  invalid(withFunc(EMPTY_T, [I('block', null), I('try', null), I('delegate', 2), END()]), 'unknown label 2');
  invalid(withFunc(EMPTY_T, [I('try', null), I('delegate', 1)]), 'unknown label 1');
  invalid(withFunc(I32_T, [I('try', 'i32'), I('delegate', 0)]), 'type mismatch: instruction requires [i32] but stack has []');

  // structure an AST built by hand may get wrong (the decoder and the parser never do)
  invalid(withFunc(EMPTY_T, [I('catch_all')]), 'catch_all without matching try');
  invalid(withFunc(EMPTY_T, [I('block', null), I('catch', 0), END()]), 'catch without matching try');
  invalid(withFunc(EMPTY_T, [I('try', null), I('catch_all'), I('catch', 0), END()]), 'catch without matching try');
  invalid(withFunc(EMPTY_T, [I('try', null), I('catch_all'), I('catch_all'), END()]), 'catch_all without matching try');
  invalid(withFunc(EMPTY_T, [I('try', null), I('catch', 0), I('delegate', 0)]), 'delegate without matching try');
  invalid(withFunc(EMPTY_T, [I('block', null), I('delegate', 0)]), 'delegate without matching try');
  invalid(withFunc(EMPTY_T, [I('i32.const', 0), I('if', null), I('catch', 0), END()]), 'catch without matching try');
  invalid(withFunc(EMPTY_T, [I('try', null), I('else'), END()]), 'else without matching if');
});

test('a handler forgets the locals the try body initialised', () => {
  // a non-defaultable local (ref func), set by ref.func 0 (declared by an export)
  const m = (code: Instr[]): Module => {
    const x = withFunc(EMPTY_T, code);
    x.funcs[0] = fn(EMPTY_T, code, [{ nullable: false, heap: 'func' }]);
    x.exports.push({ name: 'f', kind: 'func', index: 0, at: -1 });
    return x;
  };
  const set = [I('ref.func', 0), I('local.set', 0)];
  const get = [I('local.get', 0), I('drop')];
  valid(m([...set, I('try', null), I('catch_all'), ...get, END()]));
  valid(m([I('try', null), ...set, ...get, I('catch', 0), END()]));
  invalid(m([I('try', null), ...set, I('catch_all'), ...get, END()]), 'uninitialized local');
  invalid(m([I('try', null), I('catch', 0), ...set, I('catch_all'), ...get, END()]), 'uninitialized local');
});

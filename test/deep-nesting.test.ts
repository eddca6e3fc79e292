// Deeply nested code is normal compiler output (br_table dispatch nests one
// block per case). No phase may recurse on the JavaScript stack per level.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseModule } from '../src/text/parser.ts';
import { validateModule } from '../src/valid/validator.ts';
import { encodeModule } from '../src/binary/encoder.ts';
import { decodeModule } from '../src/binary/decoder.ts';
import { printModule } from '../src/text/printer.ts';

const N = 100_000;

const forms: Record<string, string> = {
  flat: `(module (func ${'block '.repeat(N)}${'end '.repeat(N)}))`,
  folded: `(module (func ${'(block '.repeat(N)}${')'.repeat(N)}))`,
  operands: `(module (func (result i32) ${'(i32.add (i32.const 1) '.repeat(N)}(i32.const 0)${')'.repeat(N)}))`,
  ifs: `(module (func ${'(if (i32.const 1) (then '.repeat(N)}${'))'.repeat(N)}))`,
};

for (const [form, text] of Object.entries(forms)) {
  test(`${N} nested levels (${form}) parse, validate, encode, decode and print`, () => {
    const m = parseModule(text);
    validateModule(m);
    const bytes = encodeModule(m);
    const back = decodeModule(bytes);
    assert.deepEqual(encodeModule(back), bytes);
    const printed = printModule(back);
    assert.deepEqual(encodeModule(parseModule(printed)), bytes);
  });
}

// Custom sections other than `name` (what toolchains write: `producers`,
// `target_features`, DWARF's `.debug_*`) survive every route: decode -> encode
// byte for byte, and decode -> print -> parse -> encode, where they travel as
// `(@custom "name" (after X) "bytes")` annotations in their places.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeModule } from '../src/binary/decoder.ts';
import { encodeModule } from '../src/binary/encoder.ts';
import { parseModule } from '../src/text/parser.ts';
import { printModule } from '../src/text/printer.ts';

/** A module with a function, a memory and data, and custom sections at several places. */
function toolchainLike(): Uint8Array {
  const m = parseModule(`(module
    (memory 1) (data (i32.const 8) "hi")
    (func (export "f") (result i32) (i32.const 7)))`);
  const enc = new TextEncoder();
  // producers: 1 field "processed-by", 1 value (name, version)
  const producers = new Uint8Array([1, 12, ...enc.encode('processed-by'), 1, 5, ...enc.encode('clang'), 6, ...enc.encode('21.1.4')]);
  const features = new Uint8Array([2, 0x2b, 8, ...enc.encode('sign-ext'), 0x2b, 15, ...enc.encode('mutable-globals')]);
  const dwarf = new Uint8Array([0x4a, 0, 0, 0, 5, 0, 1, 8, 0xde, 0xad, 0xbe, 0xef, 0, 0xff]);
  m.customs.push({ name: 'before', bytes: new Uint8Array([0, 1, 2]), after: 0 });
  m.customs.push({ name: '.debug_info', bytes: dwarf, after: 10 });
  m.customs.push({ name: '.debug_str', bytes: enc.encode('main\0f\0'), after: 11 });
  m.customs.push({ name: 'producers', bytes: producers, after: 11 });
  m.customs.push({ name: 'target_features', bytes: features, after: 11 });
  return encodeModule(m);
}

test('custom sections: a decode -> encode round trip keeps the bytes', () => {
  const bytes = toolchainLike();
  assert.ok((globalThis as unknown as { WebAssembly: { validate(b: Uint8Array): boolean } }).WebAssembly.validate(bytes));
  assert.deepEqual(encodeModule(decodeModule(bytes)), bytes);
});

test('custom sections: print -> parse keeps them, in their places', () => {
  const bytes = toolchainLike();
  const text = printModule(decodeModule(bytes));
  for (const name of ['before', '.debug_info', '.debug_str', 'producers', 'target_features']) {
    assert.match(text, new RegExp(`\\(@custom "${name.replace('.', '\\.')}"`), name);
  }
  assert.match(text, /\(@custom "before" \(before first\)/);
  assert.deepEqual(encodeModule(parseModule(text)), bytes);
});

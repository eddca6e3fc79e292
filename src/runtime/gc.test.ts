import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseModule } from '../text/parser.ts';
import { validateModule } from '../valid/validator.ts';
import { refType, C_ANYREF, C_EXTERNREF, C_FUNCREF } from '../valid/types.ts';
import { Exhaustion } from '../util/errors.ts';
import {
  V128_ZERO, defaultValue, externalize, heapMatches, internalize, newArray, newArrayDefault, newArrayFixed,
  newStruct, newStructDefault, pack, refMatches, unpack, valueMatches,
} from './gc.ts';
import { funcType, hostFunc } from './func.ts';
import { setRuntimeLimits } from './limits.ts';
import { ExternAny, HostRef, WasmExn } from './value.ts';
import { Tag } from './tag.ts';

const vm = validateModule(parseModule(`(module
  (type $s (sub (struct (field i8) (field i16) (field i64) (field f32) (field v128) (field eqref))))
  (type $s2 (sub $s (struct (field i8) (field i16) (field i64) (field f32) (field v128) (field eqref) (field i32))))
  (type $a (array (mut i8)))
  (type $f (func)))`));
const [S, S2, A, F] = vm.types as [typeof vm.types[0], typeof vm.types[0], typeof vm.types[0], typeof vm.types[0]];

test('defaults and packing', () => {
  assert.equal(defaultValue('i32'), 0);
  assert.equal(defaultValue('i64'), 0n);
  assert.equal(defaultValue('i8'), 0);
  assert.equal(defaultValue('v128'), V128_ZERO);
  assert.equal(defaultValue(C_FUNCREF), null);
  assert.equal(pack('i8', -1), 255);
  assert.equal(pack('i16', 0x12345), 0x2345);
  assert.equal(pack('i32', -1), -1);
  assert.equal(unpack('i8', 255, true), -1);
  assert.equal(unpack('i8', 255, false), 255);
  assert.equal(unpack('i16', 0x8000, true), -0x8000);
});

test('structs and arrays', () => {
  const s = newStructDefault(S);
  assert.deepEqual(s.fields, [0, 0, 0n, 0, V128_ZERO, null]);
  const t = newStruct(S, [-1, -1, 5n, 0x3f800000, V128_ZERO, 3]);
  assert.deepEqual(t.fields, [255, 65535, 5n, 0x3f800000, V128_ZERO, 3]);
  assert.deepEqual(newArray(A, 3, 257).elems, [1, 1, 1]);
  assert.deepEqual(newArrayDefault(A, 2).elems, [0, 0]);
  assert.deepEqual(newArrayFixed(A, [-1, 2]).elems, [255, 2]);
  const old = setRuntimeLimits({ arrayElems: 10 });
  try {
    assert.throws(() => newArray(A, 11, 0), Exhaustion);
  } finally {
    setRuntimeLimits(old);
  }
});

test('run-time type tests', () => {
  const s = newStructDefault(S);
  const s2 = newStructDefault(S2);
  const a = newArrayDefault(A, 0);
  const f = hostFunc(funcType([], []), () => []);
  assert.equal(f.type, F);
  const h = new HostRef({});
  assert.ok(heapMatches(5, 'i31') && heapMatches(5, 'eq') && heapMatches(5, 'any') && !heapMatches(5, 'struct'));
  assert.ok(heapMatches(s, 'struct') && heapMatches(s, S) && !heapMatches(s, S2) && !heapMatches(s, 'array'));
  assert.ok(heapMatches(s2, S) && heapMatches(s2, S2));
  assert.ok(heapMatches(a, 'array') && heapMatches(a, A) && !heapMatches(a, S));
  assert.ok(heapMatches(f, 'func') && heapMatches(f, F) && !heapMatches(f, 'any'));
  assert.ok(heapMatches(h, 'extern') && heapMatches(h, 'any') && !heapMatches(h, 'eq'));
  assert.ok(heapMatches(new ExternAny(s), 'extern') && !heapMatches(new ExternAny(s), 'any'));
  assert.ok(heapMatches(new WasmExn(new Tag(F), []), 'exn'));
  assert.ok(!heapMatches(s, 'none'));
  assert.ok(refMatches(null, C_ANYREF) && !refMatches(null, refType(false, 'any')));
  assert.ok(valueMatches(1, 'i32') && !valueMatches(1n, 'i32') && valueMatches(null, C_EXTERNREF));
});

test('extern.convert_any and any.convert_extern', () => {
  const s = newStructDefault(S);
  const e = externalize(s);
  assert.ok(e instanceof ExternAny);
  assert.equal(internalize(e), s);
  assert.equal(internalize(externalize(7)), 7);
  const h = new HostRef(1);
  assert.equal(internalize(h), h);
  assert.equal(externalize(h), h);
  assert.equal(externalize(null), null);
  assert.equal(internalize(null), null);
});

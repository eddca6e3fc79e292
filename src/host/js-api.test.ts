import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LinkError, MalformedError, Trap, WasmError } from '../util/errors.ts';
import { encodeModule } from '../binary/encoder.ts';
import { parseModule } from '../text/parser.ts';
import { f32ToBits } from '../util/float-bits.ts';
import { ExternAny, HostRef, WasmStruct, type FuncInst, type Value } from '../runtime/value.ts';
import {
  CompileError, Exception, Global, Instance, LinkError as JsLinkError, Memory, Module, RuntimeError, Table, Tag, WebAssembly,
  compile, exportedFunction, funcOfExported, instantiate as instantiateAny, instantiateSync as instantiateSyncAny, toJsValue, toWasmValue, validate,
  type ImportObject, type InvokeFn, type MemoryDescriptor, type TableDescriptor,
} from './js-api.ts';
import { C_ANYREF, C_EXTERNREF, C_FUNCREF, refType } from '../valid/types.ts';

// (these tests are about the interpreter's JS API: `instantiate` defaults to the lowered engine)
const instantiate: typeof instantiateAny = (s, i, o) => instantiateAny(s, i, { engine: 'interp', ...o });
const instantiateSync: typeof instantiateSyncAny = (s, i, o) => instantiateSyncAny(s, i, { engine: 'interp', ...o });

/** A stand-in engine: host functions run, Wasm functions answer `answer(f, args)`. */
function fakeEngine(answer: (f: FuncInst, args: Value[]) => Value[]): { invoke: InvokeFn; calls: [FuncInst, Value[]][] } {
  const calls: [FuncInst, Value[]][] = [];
  return {
    calls,
    invoke: (f, args) => {
      calls.push([f, args]);
      return f.kind === 'host' ? f.fn(args) : answer(f, args);
    },
  };
}

test('Module from text and binary; descriptors', () => {
  const wat = '(module (import "m" "f" (func)) (memory (export "mem") 1) (func (export "g")))';
  const a = new Module(wat);
  const b = new Module(encodeModule(parseModule(wat)));
  const c = new Module(new TextEncoder().encode(wat).buffer);
  for (const m of [a, b, c]) {
    assert.deepEqual(Module.imports(m), [{ module: 'm', name: 'f', kind: 'function' }]);
    assert.deepEqual(Module.exports(m), [{ name: 'mem', kind: 'memory' }, { name: 'g', kind: 'function' }]);
  }
  assert.equal(validate(wat), true);
  assert.equal(validate('(module (func (result i32)))'), false);
  assert.equal(validate(new Uint8Array([0, 0x61, 0x73, 0x6d, 2, 0, 0, 0])), false);
});

test('exported functions convert arguments and results', async () => {
  const eng = fakeEngine((_f, args) => args);
  const { module, instance } = await instantiate(`(module
    (func (export "f") (param i32 i64 f32 f64) (result i32 i64 f32 f64) unreachable)
    (func (export "one") (param i32) (result i32) unreachable)
    (func (export "none") (param i32) unreachable))`, undefined, { invoke: eng.invoke });
  assert.ok(module instanceof Module);
  const f = instance.exports.f as (...a: unknown[]) => unknown;
  assert.deepEqual(f(2 ** 32 + 5, 2n ** 64n - 1n, 1.1, '2.5'), [5, -1n, Math.fround(1.1), 2.5]);
  assert.deepEqual(eng.calls[0]![1], [5, -1n, f32ToBits(1.1), 2.5]);
  assert.throws(() => f(), TypeError); // ToBigInt64(undefined)
  assert.deepEqual(f(undefined, 0n), [0, 0n, NaN, NaN]);
  assert.throws(() => f(1, 1, 1, 1), TypeError); // a Number is not a BigInt
  assert.throws(() => f(1n, 1n, 1, 1), TypeError); // a BigInt is not a Number
  assert.equal((instance.exports.one as (x: unknown) => unknown)(-1.9), -1);
  assert.equal((instance.exports.none as (x: unknown) => unknown)(1), undefined);
  assert.equal(f.length, 4);
  assert.equal(f.name, '0');
  assert.ok(Object.isFrozen(instance.exports));
  assert.equal(Object.getPrototypeOf(instance.exports), null);
});

test('v128 and exnref at the boundary are TypeErrors at call time', () => {
  const eng = fakeEngine(() => [null]);
  const { instance } = instantiateSync(`(module
    (func (export "v") (param v128) unreachable)
    (func (export "x") (result exnref) unreachable))`, undefined, { invoke: eng.invoke });
  assert.throws(() => (instance.exports.v as () => void)(), TypeError);
  assert.throws(() => (instance.exports.x as () => void)(), TypeError);
  assert.equal(eng.calls.length, 0);
});

test('imported JS functions become host functions; exported functions keep identity', () => {
  const eng = fakeEngine(() => []);
  const seen: unknown[][] = [];
  const js = (...a: unknown[]) => {
    seen.push(a);
    return [7, 8n];
  };
  const { instance } = instantiateSync(`(module
    (import "env" "f" (func $f (param i32 i64 f32 f64 externref) (result i32 i64)))
    (export "f" (func $f))
    (export "f2" (func $f))
    (table (export "t") 2 funcref)
    (elem (i32.const 0) func $f))`, { env: { f: js } }, { invoke: eng.invoke });
  const f = instance.exports.f as (...a: unknown[]) => unknown;
  assert.equal(instance.exports.f2, f);
  assert.notEqual(f, js);
  const o = { o: 1 };
  assert.deepEqual(f(-1, -2n, 0.5, 0.25, o), [7, 8n]);
  assert.deepEqual(seen, [[-1, -2n, 0.5, 0.25, o]]);
  const t = instance.exports.t as Table;
  assert.equal(t.get(0), f);
  assert.equal(t.get(1), null);
  // re-importing an exported function passes the same function instance
  const fi = funcOfExported(f)!;
  const { instance: i2 } = instantiateSync(`(module
    (import "m" "f" (func (param i32 i64 f32 f64 externref) (result i32 i64)))
    (export "g" (func 0)))`, { m: { f } }, { invoke: eng.invoke });
  assert.equal(i2.exports.g, f);
  assert.equal(funcOfExported(i2.exports.g), fi);
  // ... and is type-checked
  assert.throws(() => instantiateSync('(module (import "m" "f" (func)))', { m: { f } }, { invoke: eng.invoke }), LinkError);
  // bad multi-value returns
  const bad = instantiateSync(`(module (import "m" "f" (func (result i32 i32))) (export "f" (func 0)))`, { m: { f: () => 5 } }, { invoke: eng.invoke });
  assert.throws(() => (bad.instance.exports.f as () => unknown)(), TypeError);
  const short = instantiateSync(`(module (import "m" "f" (func (result i32 i32))) (export "f" (func 0)))`, { m: { f: () => [1] } }, { invoke: eng.invoke });
  assert.throws(() => (short.instance.exports.f as () => unknown)(), TypeError);
});

test('reading imports: errors', () => {
  const wat = (d: string) => `(module (import "m" "x" ${d}))`;
  assert.throws(() => instantiateSync(wat('(func)')), TypeError);
  assert.throws(() => instantiateSync(wat('(func)'), {}), TypeError);
  assert.throws(() => instantiateSync(wat('(func)'), { m: {} }), LinkError);
  assert.throws(() => instantiateSync(wat('(global i64)'), { m: { x: 1 } }), LinkError);
  assert.throws(() => instantiateSync(wat('(global i32)'), { m: { x: 1n } }), LinkError);
  assert.throws(() => instantiateSync(wat('(global (mut i32))'), { m: { x: 1 } }), LinkError);
  assert.throws(() => instantiateSync(wat('(memory 1)'), { m: { x: {} } }), LinkError);
  assert.throws(() => instantiateSync(wat('(table 1 funcref)'), { m: { x: {} } }), LinkError);
  assert.throws(() => instantiateSync(wat('(tag)'), { m: { x: {} } }), LinkError);
  assert.throws(() => instantiateSync(wat('(memory 2)'), { m: { x: new Memory({ initial: 1 }) } }), LinkError);
});

test('globals: numbers, BigInts and Global objects', () => {
  const g = new Global({ value: 'i64', mutable: true }, 5n);
  const { instance } = instantiateSync(`(module
    (import "m" "a" (global i32))
    (import "m" "b" (global f32))
    (import "m" "c" (global (mut i64)))
    (import "m" "d" (global externref))
    (global (export "a") i32 (global.get 0))
    (export "b" (global 1))
    (export "c" (global 2))
    (export "d" (global 3)))`, { m: { a: 3, b: 1.1, c: g, d: 'str' } });
  const ex = instance.exports as Record<string, Global>;
  assert.equal(ex.a!.value, 3);
  assert.equal(ex.b!.value, Math.fround(1.1));
  assert.equal(ex.c, g);
  assert.equal(ex.d!.value, 'str');
  assert.equal(ex.c!.value, 5n);
  g.value = -1n;
  assert.equal(Global.instanceOf(g).value, -1n);
  assert.throws(() => {
    ex.a!.value = 1;
  }, TypeError);
  assert.equal(ex.a!.valueOf(), 3);
  assert.equal(new Global({ value: 'externref' }).value, undefined);
  assert.equal(new Global({ value: 'anyfunc' }).value, null);
  assert.equal(new Global({ value: 'f64' }).value, 0);
  assert.throws(() => new Global({ value: 'i128' }), TypeError);
  assert.throws(() => new Global({ value: 'i64' }, 1), TypeError);
});

test('Memory objects: buffer and grow', () => {
  const mem = new Memory({ initial: 1, maximum: 3 });
  const { instance } = instantiateSync('(module (import "m" "mem" (memory 1 3)) (export "mem" (memory 0)) (data (i32.const 1) "x"))', { m: { mem } });
  assert.equal(instance.exports.mem, mem);
  const u8 = new Uint8Array(mem.buffer);
  assert.equal(u8[1], 120);
  assert.equal(mem.buffer.byteLength, 65536);
  assert.equal(mem.grow(2), 1);
  assert.equal(mem.buffer.byteLength, 3 * 65536);
  assert.equal(u8.length, 0, 'the old buffer is detached');
  assert.equal(new Uint8Array(mem.buffer)[1], 120);
  assert.throws(() => mem.grow(1), RangeError);
  assert.throws(() => new Memory({ initial: 2, maximum: 1 }), RangeError);
  const m64 = new Memory({ initial: 1n, address: 'i64' });
  assert.equal(m64.grow(1n), 1n);
  const { instance: i2 } = instantiateSync('(module (memory (export "m") 1))');
  assert.ok(i2.exports.m instanceof Memory);
  assert.equal(instantiateSync('(module (import "x" "m" (memory 1)) (export "m" (memory 0)))', { x: { m: i2.exports.m } }).instance.exports.m, i2.exports.m);
});

test('Table objects: get, set, grow, length', () => {
  const eng = fakeEngine(() => []);
  const { instance } = instantiateSync(`(module
    (table (export "t") 2 4 funcref)
    (table (export "e") 1 externref)
    (func $f (export "f"))
    (elem (i32.const 1) func $f))`, undefined, { invoke: eng.invoke });
  const t = instance.exports.t as Table;
  const f = instance.exports.f;
  assert.equal(t.length, 2);
  assert.equal(t.get(1), f);
  t.set(0, f);
  assert.equal(t.get(0), f);
  t.set(0, null);
  assert.equal(t.get(0), null);
  assert.throws(() => t.set(0, () => 1), TypeError);
  assert.throws(() => t.get(2), RangeError);
  assert.equal(t.grow(1, f), 2);
  assert.equal(t.get(2), f);
  assert.throws(() => t.grow(2), RangeError);
  const e = instance.exports.e as Table;
  e.set(0, 42.5);
  assert.equal(e.get(0), 42.5);
  e.set(0);
  assert.equal(e.get(0), undefined);
  const nt = new Table({ element: 'externref', initial: 2 }, 'x');
  assert.equal(nt.get(1), 'x');
  assert.equal(nt.grow(1), 2);
  assert.equal(nt.get(2), undefined);
});

test('Tag objects keep identity through imports and exports', () => {
  const tag = new Tag({ parameters: ['i32'] });
  const { instance } = instantiateSync('(module (import "m" "t" (tag (param i32))) (export "t" (tag 0)) (tag (export "u") (param i32)))', { m: { t: tag } });
  assert.equal(instance.exports.t, tag);
  assert.ok(instance.exports.u instanceof Tag);
  assert.equal(Tag.instanceOf(instance.exports.u as Tag), instance.instance.tags[1]);
  assert.throws(() => instantiateSync('(module (import "m" "t" (tag (param i64))))', { m: { t: tag } }), LinkError);
});

test('reference conversions', () => {
  // externref: any JS value; null is the null reference
  const o = {};
  const h = toWasmValue(o, C_EXTERNREF);
  assert.ok(h instanceof HostRef && h.value === o);
  assert.equal(toJsValue(h, C_EXTERNREF), o);
  assert.equal(toWasmValue(null, C_EXTERNREF), null);
  assert.equal(toJsValue(null, C_EXTERNREF), null);
  assert.equal(toJsValue(toWasmValue(undefined, C_EXTERNREF), C_EXTERNREF), undefined);
  const five = toWasmValue(5, C_EXTERNREF);
  assert.ok(five instanceof ExternAny && five.ref === 5);
  assert.equal(toJsValue(five, C_EXTERNREF), 5);
  assert.throws(() => toWasmValue(null, refType(false, 'extern')), TypeError);
  // anyref: i31 numbers, opaque GC objects, host values
  assert.equal(toWasmValue(-0x4000_0000, C_ANYREF), -0x4000_0000);
  assert.ok(toWasmValue(0x4000_0000, C_ANYREF) instanceof HostRef);
  assert.ok(toWasmValue(-0, C_ANYREF) instanceof HostRef);
  assert.ok(toWasmValue(1.5, C_ANYREF) instanceof HostRef);
  assert.throws(() => toWasmValue('s', refType(true, 'eq')), TypeError);
  assert.equal(toWasmValue(3, refType(false, 'i31')), 3);
  const m = new Module('(module (type $s (struct)) (global (export "g") (ref $s) (struct.new $s)))');
  const i = new Instance(m);
  const s = i.instance.globals[0]!.value;
  assert.ok(s instanceof WasmStruct);
  const js = (i.exports.g as Global).value;
  assert.equal(typeof js, 'object');
  assert.ok(Object.isFrozen(js));
  assert.equal(Object.getPrototypeOf(js), null);
  assert.equal((i.exports.g as Global).value, js);
  assert.equal(toWasmValue(js, C_ANYREF), s);
  assert.equal(toWasmValue(js, refType(true, 'struct')), s);
  assert.equal(toWasmValue(js, refType(true, s.type)), s);
  assert.throws(() => toWasmValue(js, refType(true, 'array')), TypeError);
  const ext = toWasmValue(js, C_EXTERNREF);
  assert.ok(ext instanceof ExternAny && ext.ref === s);
  assert.equal(toJsValue(ext, C_EXTERNREF), js);
  // funcref: only exported functions
  assert.throws(() => toWasmValue(() => 1, C_FUNCREF), TypeError);
  const eng = fakeEngine(() => []);
  const fi = new Instance(new Module('(module (type $t (func)) (func (export "f") (type $t)))'), undefined, { invoke: eng.invoke });
  const f = fi.exports.f;
  assert.equal(toWasmValue(f, C_FUNCREF), fi.instance.funcs[0]);
  assert.equal(toWasmValue(f, refType(false, fi.instance.types[0]!)), fi.instance.funcs[0]);
  assert.equal(exportedFunction(fi.instance.funcs[0]!), f);
  // numbers
  assert.equal(toWasmValue(2 ** 31, 'i32'), -(2 ** 31));
  assert.equal(toWasmValue('0x10', 'i32'), 16);
  assert.equal(toWasmValue(true, 'i64'), 1n);
  assert.equal(toWasmValue(NaN, 'f32'), 0x7fc00000);
  assert.throws(() => toWasmValue(1n, 'f64'), TypeError);
  assert.throws(() => toWasmValue(Symbol(), 'i32'), TypeError);
});

test('traps from the engine surface as Trap', () => {
  const { instance } = instantiateSync('(module (func (export "f") unreachable))', undefined, {
    invoke: () => {
      throw new Trap('unreachable executed');
    },
  });
  assert.throws(() => (instance.exports.f as () => void)(), (e: unknown) => e instanceof Trap && e.detail === 'unreachable executed');
});

test('instantiate rejects instead of throwing', async () => {
  await assert.rejects(instantiate('(module (import "m" "f" (func)))', { m: { f: 1 } }), LinkError);
  await assert.rejects(instantiate('(module'), Error);
});

test('the WebAssembly namespace has the shape of the built-in one', () => {
  const own = (o: object, k: PropertyKey) => Object.getOwnPropertyDescriptor(o, k)!;
  assert.equal(Object.prototype.toString.call(WebAssembly), '[object WebAssembly]');
  for (const name of ['Module', 'Instance', 'Memory', 'Table', 'Global', 'Tag', 'Exception', 'CompileError', 'LinkError', 'RuntimeError']) {
    const d = own(WebAssembly, name);
    assert.deepEqual([d.writable, d.enumerable, d.configurable], [true, false, true], name);
    const ctor = d.value as { length: number; prototype: object };
    assert.equal(ctor.length, 1, `${name}.length`);
    assert.equal(own(ctor.prototype, 'constructor').value, ctor);
    assert.equal(own(ctor, 'prototype').writable, false);
    assert.throws(() => (ctor as unknown as () => void)(), TypeError, `calling ${name}`);
  }
  for (const [name, length] of [['validate', 1], ['compile', 1], ['instantiate', 1]] as const) {
    const d = own(WebAssembly, name);
    assert.deepEqual([d.writable, d.enumerable, d.configurable], [true, true, true], name);
    assert.equal((d.value as () => void).length, length);
  }
  assert.equal(typeof own(WebAssembly, 'JSTag').get, 'function');
  assert.ok(WebAssembly.JSTag instanceof Tag);
  assert.equal(WebAssembly.JSTag, WebAssembly.JSTag);
  // members of the interfaces: enumerable, with the lengths of the IDL
  const exportsDesc = own(Instance.prototype, 'exports');
  assert.equal(exportsDesc.enumerable, true);
  assert.equal(exportsDesc.get!.name, 'get exports');
  assert.equal(exportsDesc.set, undefined);
  assert.equal(own(Module, 'customSections').enumerable, true);
  assert.equal(Table.prototype.set.length, 1);
  assert.equal(Table.prototype.grow.length, 1);
  assert.equal(own(Global.prototype, 'value').set!.length, 1);
  assert.equal(Object.prototype.toString.call(new Memory({ initial: 0 })), '[object WebAssembly.Memory]');
  assert.equal(Object.prototype.toString.call(new Tag({ parameters: [] })), '[object WebAssembly.Tag]');
  // brand checks
  assert.throws(() => Memory.prototype.grow.call({}, 1), TypeError);
  assert.throws(() => exportsDesc.get!.call(Object.create(Instance.prototype)), TypeError);
  assert.throws(() => Module.exports(Object.create(Module.prototype) as Module), TypeError);
  assert.throws(() => new Instance(Module.prototype as Module), TypeError);
  // exports: an accessor of the prototype, a frozen null-prototype object
  const i = new Instance(new Module('(module (func (export "f")) (memory (export "m") 1))'));
  assert.deepEqual(Object.keys(i), []);
  assert.equal(i.exports, i.exports);
  assert.ok(Object.isFrozen(i.exports) && Object.getPrototypeOf(i.exports) === null);
  assert.deepEqual(Module.exports(new Module('(module (func (export "f")) (memory (export "m") 1))')), [
    { name: 'f', kind: 'function' }, { name: 'm', kind: 'memory' },
  ]);
});

test('errors: CompileError, LinkError and RuntimeError extend the engine errors', async () => {
  const ce = (() => {
    try {
      new Module(new Uint8Array(0));
    } catch (e) {
      return e;
    }
    return undefined;
  })();
  assert.ok(ce instanceof CompileError && ce instanceof WasmError);
  assert.equal(ce.constructor, CompileError);
  assert.equal(ce.name, 'CompileError');
  assert.equal(ce.kind, 'malformed');
  assert.ok((ce as { cause?: unknown }).cause instanceof MalformedError);
  assert.throws(() => new Module('(module (func (result i32)))'), (e: unknown) => e instanceof CompileError && e.kind === 'invalid');
  assert.throws(() => new Module('(module'), (e: unknown) => e instanceof CompileError && e.kind === 'syntax');
  await assert.rejects(compile(new Uint8Array([0, 0x61, 0x73, 0x6d, 2, 0, 0, 0])), CompileError);
  // validate: false for a bad module, a TypeError for what is no module source
  assert.equal(validate(new Uint8Array(0)), false);
  assert.equal(validate(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]).buffer), true);
  assert.throws(() => validate([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0] as unknown as Uint8Array), TypeError);
  assert.throws(() => new Module({} as Uint8Array), TypeError);
  // link errors
  assert.throws(() => instantiateSync('(module (import "m" "f" (func)))', { m: { f: 1 } }),
    (e: unknown) => e instanceof JsLinkError && e instanceof LinkError && Object.getPrototypeOf(e) === JsLinkError.prototype && e.name === 'LinkError');
  assert.throws(() => instantiateSync('(module (import "m" "g" (global i32)))', { m: { g: new Global({ value: 'i64' }) } }),
    (e: unknown) => e instanceof JsLinkError && e.detail.startsWith('incompatible import type'));
  // traps (here: of a start function, which the engine answers with a Trap)
  assert.throws(() => instantiateSync('(module (func $s unreachable) (start $s))', undefined, {
    invoke: () => {
      throw new Trap('unreachable executed');
    },
  }), (e: unknown) => e instanceof RuntimeError && e instanceof Trap && e.name === 'RuntimeError' && e.detail === 'unreachable executed');
  const r = new RuntimeError('x', { cause: 1 });
  assert.equal(r.message, 'x');
  assert.equal((r as { cause?: unknown }).cause, 1);
  assert.equal(Object.hasOwn(RuntimeError.prototype, Symbol.toStringTag), false);
});

test('descriptors are read and converted as WebIDL dictionaries', () => {
  const order: string[] = [];
  const spy = (name: string, v: unknown) => ({
    get [name]() {
      order.push(name);
      return v;
    },
  });
  new Table({ ...spy('element', 'anyfunc'), ...spy('address', 'i32'), ...spy('initial', 1), ...spy('maximum', 2) } as unknown as TableDescriptor);
  assert.deepEqual(order, ['element', 'address', 'initial', 'maximum']);
  assert.equal(new Memory({ initial: '2' as unknown as number }).buffer.byteLength, 2 * 65536);
  assert.equal(new Memory({ initial: true as unknown as number, address: 'i64' }).grow('1' as unknown as bigint), 1n);
  for (const bad of [-1, NaN, Infinity, 2 ** 32, 1n]) assert.throws(() => new Memory({ initial: bad }), TypeError, String(bad));
  for (const bad of [-1n, 2n ** 64n, 1]) assert.throws(() => new Memory({ initial: bad, address: 'i64' }), TypeError, String(bad));
  assert.throws(() => new Memory({ initial: 1, address: 'i16' as 'i32' }), TypeError);
  assert.throws(() => new Memory({ initial: 2, maximum: 1 }), RangeError);
  assert.throws(() => new Memory({ initial: 1, maximum: 1, shared: true }), TypeError);
  assert.throws(() => new Memory(undefined as unknown as MemoryDescriptor), TypeError);
  assert.throws(() => new Global({ value: 'v128' }), TypeError);
  assert.throws(() => new Global({ value: 'i64' }, 1), TypeError);
  assert.equal(new Global({ value: 'i64' }, '12').value, 12n);
  assert.equal(new Global({ value: 'i64' }, undefined).value, 0n);
  assert.throws(() => new Global({ value: 'i64' }, 'x'), SyntaxError);
  const g = new Global({ value: 'i32', mutable: true });
  const setter = Object.getOwnPropertyDescriptor(Global.prototype, 'value')!.set!;
  assert.throws(() => (setter as (this: unknown) => void).call(g), TypeError);
  assert.throws(() => new Tag({ parameters: 'i32' as unknown as string[] }), TypeError);
  // an explicit undefined is a value for Table.prototype.set (a TypeError for funcref), a missing value the default
  const t = new Table({ element: 'anyfunc', initial: 1 });
  assert.throws(() => t.set(0, undefined), TypeError);
  t.set(0);
  assert.equal(t.get(0), null);
  assert.throws(() => t.get(-1), TypeError);
  assert.throws(() => t.get(1), RangeError);
});

test('GC objects are opaque: no prototype, no properties, writes throw', () => {
  const i = new Instance(new Module('(module (type $s (struct (field i32))) (func (export "mk") (result anyref) (struct.new $s (i32.const 1))))'));
  const o = (i.exports.mk as () => Record<string, unknown>)();
  const g = new Global({ value: 'anyref', mutable: true }, o);
  assert.equal(g.value, o);
  assert.equal(o.x, undefined);
  assert.equal('x' in o, false);
  assert.throws(() => {
    o.x = 1;
  }, TypeError);
  assert.throws(() => delete o.x, TypeError);
  assert.throws(() => Object.defineProperty(o, 'x', { value: 1 }), TypeError);
  assert.throws(() => Object.setPrototypeOf(o, {}), TypeError);
  assert.throws(() => Object.preventExtensions(o), TypeError);
  assert.equal(Object.isExtensible(o), false);
  assert.deepEqual(Reflect.ownKeys(o), []);
});

test('Exception objects: tag, payload, identity', () => {
  const tag = new Tag({ parameters: ['i32', 'externref'] });
  const obj = {};
  const e = new Exception(tag, [7.9, obj]);
  assert.equal(e.getArg(tag, 0), 7);
  assert.equal(e.getArg(tag, 1), obj);
  assert.equal(e.is(tag), true);
  assert.equal(e.is(new Tag({ parameters: ['i32', 'externref'] })), false);
  assert.throws(() => e.getArg(new Tag({ parameters: [] }), 0), TypeError);
  assert.throws(() => e.getArg(tag, 2), RangeError);
  assert.throws(() => e.getArg(tag, -1), TypeError);
  assert.throws(() => new Exception(tag, [1]), TypeError);
  assert.throws(() => new Exception(WebAssembly.JSTag, [{}]), TypeError);
  assert.equal(Object.prototype.toString.call(e), '[object WebAssembly.Exception]');
  assert.equal(e.stack, undefined);
  assert.equal(typeof new Exception(tag, [1, null], { traceStack: true }).stack, 'string');
  const exn = Exception.exnOf(e)!;
  assert.equal(Exception.wrap(exn), e);
});

test('TypeErrors of running a host function (v128 in its type, a result that does not convert) are exceptions Wasm catches, as in V8', () => {
  // (found by test/diff-binaryen.test.ts: Binaryen's fuzzer calls a "log-v128" import inside catch_all)
  const wat = `(module
    (import "m" "v" (func $v (param v128)))
    (import "m" "r" (func $r (result i64)))
    (import "m" "jstag" (tag $js (param externref)))
    (func (export "catchV") (result i32)
      (block $h (try_table (catch_all $h) (call $v (v128.const i64x2 0 0))) (return (i32.const 0)))
      (i32.const 1))
    (func (export "catchR") (result i32)
      (block $h (try_table (catch_all $h) (drop (call $r))) (return (i32.const 0)))
      (i32.const 1))
    (func (export "payloadV") (result externref)
      (block $h (result externref) (try_table (catch $js $h) (call $v (v128.const i64x2 0 0))) (ref.null extern))))`;
  const bytes = encodeModule(parseModule(wat));
  const host = (globalThis as unknown as { WebAssembly: typeof WebAssembly }).WebAssembly;
  for (const ns of [WebAssembly, host]) {
    let called = 0;
    const imports = { m: { v: () => called++, r: () => 1, jstag: ns.JSTag } };
    const { exports } = new ns.Instance(new ns.Module(bytes), imports);
    assert.equal((exports.catchV as () => number)(), 1);
    assert.equal((exports.catchR as () => number)(), 1);
    assert.ok((exports.payloadV as () => unknown)() instanceof TypeError);
    assert.equal(called, 0);
  }
});

test('WebAssembly.instantiate of a Module resolves to the Instance; wasmfx instantiate always to { module, instance }', async () => {
  const m = new Module('(module (global (export "g") i32 (i32.const 3)))');
  const i = await WebAssembly.instantiate(m);
  assert.ok(i instanceof Instance);
  assert.equal((i.exports.g as Global).value, 3);
  const r = await WebAssembly.instantiate(new Uint8Array(encodeModule(parseModule('(module)'))));
  assert.ok(r.module instanceof Module && r.instance instanceof Instance);
  const both = await instantiate(m);
  assert.equal(both.module, m);
  assert.ok(both.instance instanceof Instance);
  // the import object of a Module is read at once, that of bytes after compiling
  const order: string[] = [];
  const imports = { get m() { order.push('read'); return { g: 1 }; } };
  const p = WebAssembly.instantiate(new Module('(module (import "m" "g" (global i32)))'), imports as unknown as ImportObject);
  assert.deepEqual(order, ['read']);
  await p;
  await assert.rejects(WebAssembly.instantiate(Module.prototype as Module), TypeError);
  await assert.rejects(WebAssembly.instantiate(m, 1 as unknown as ImportObject), TypeError);
});

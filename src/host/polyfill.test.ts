// The polyfill (polyfill.ts) over this Node's own WebAssembly, which has no stack switching:
// what JavaScript sees of lowered modules is what the original modules say.

import { test } from 'node:test';
import { spawnSync } from 'node:child_process';
import assert from 'node:assert/strict';
import { encodeModule, parseModule, watToWasm } from '../index.ts';
import { createPolyfill, hostHasStackSwitching } from './polyfill.ts';
import { readFileSync } from 'node:fs';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Fn = (...args: any[]) => any;
const host = (globalThis as any).WebAssembly;
const P = createPolyfill(host);

const instantiate = async (wat: string, imports?: object): Promise<{ module: any; exports: Record<string, any> }> => {
  const { module, instance } = await P.instantiate(watToWasm(wat), imports);
  return { module, exports: instance.exports };
};
const instantiateSync = (wat: string, imports?: object): Record<string, any> =>
  new P.Instance(new P.Module(watToWasm(wat)), imports).exports;

/** Checks that `f()` throws a RuntimeError of the polyfill (the host's) whose message matches `message`. */
const throwsRuntimeError = (f: () => unknown, message: string | RegExp): void => {
  assert.throws(f, (e: any) => {
    assert.ok(e instanceof P.RuntimeError, `not a RuntimeError: ${e}`);
    assert.equal(P.RuntimeError, host.RuntimeError);
    if (typeof message === 'string') assert.equal(e.message, message);
    else assert.match(e.message, message);
    return true;
  });
};

test('the host has no stack switching (so these tests exercise the lowering)', () => {
  assert.equal(hostHasStackSwitching(host), false);
  assert.equal(P.validate(watToWasm('(module (type $f (func)) (type $c (cont $f)))')), true);
  assert.equal(host.validate(watToWasm('(module (type $f (func)) (type $c (cont $f)))')), false);
});

// A generator in one module; its tag exported; the consumer in another module imports both.
const GEN = `(module
  (type $ft (func))
  (tag $yield (export "yield") (param i32))
  (func $gen (export "gen")
    (local $i i32)
    (local.set $i (i32.const 10))
    (loop $l
      (suspend $yield (local.get $i))
      (local.set $i (i32.sub (local.get $i) (i32.const 1)))
      (br_if $l (local.get $i)))))`;

const consumer = (tagModule: string) => `(module
  (type $ft (func))
  (type $ct (cont $ft))
  (import "${tagModule}" "yield" (tag $yield (param i32)))
  (import "gen" "gen" (func $gen))
  (tag $other (param i32))
  (elem declare func $gen)
  (func (export "sum") (result i32)
    (local $acc i32) (local $k (ref null $ct))
    (local.set $k (cont.new $ct (ref.func $gen)))
    (block $done
      (loop $next
        (block $on_yield (result i32 (ref $ct))
          (resume $ct (on $yield $on_yield) (local.get $k))
          (br $done))
        (local.set $k)
        (local.set $acc (i32.add (local.get $acc)))
        (br $next)))
    (local.get $acc))
  ;; handles another tag of the same type only: $yield must not match it
  (func (export "other") (result i32)
    (block $on (result i32 (ref $ct))
      (resume $ct (on $other $on) (cont.new $ct (ref.func $gen)))
      (return (i32.const -1)))
    drop))`;

test('tag identity across instances: a suspension with an exported tag is handled in the importing module', async () => {
  const gen = await instantiate(GEN);
  assert.ok(gen.exports.yield instanceof P.Tag);
  const c = await instantiate(consumer('gen'), { gen: gen.exports });
  assert.equal(c.exports.sum(), 55);
  assert.equal(c.exports.sum(), 55);
  throwsRuntimeError(() => c.exports.other(), /unhandled tag/);
  // a second consumer instance, made synchronously, shares the tag too
  const c2 = instantiateSync(consumer('gen'), { gen: gen.exports });
  assert.equal(c2.sum(), 55);
});

test('a tag made in JavaScript, imported by two modules, is one tag in both', () => {
  const tag = new P.Tag({ parameters: ['i32'] });
  const gen = instantiateSync(GEN.replace('(tag $yield (export "yield") (param i32))', '(import "js" "yield" (tag $yield (param i32)))'), { js: { yield: tag } });
  const c = instantiateSync(consumer('js'), { js: { yield: tag }, gen });
  assert.equal(c.sum(), 55);
  // a different tag of the same type is another tag: the suspension is not handled
  const c2 = instantiateSync(consumer('js'), { js: { yield: new P.Tag({ parameters: ['i32'] }) }, gen });
  throwsRuntimeError(() => c2.sum(), /unhandled tag/);
});

// Continuations as values in JavaScript.
const CONTS = `(module
  (type $ft (func (param i32) (result i32)))
  (type $ct (cont $ft))
  (tag $t (param i32) (result i32))
  (func $add1 (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
  (func $twice (param i32) (result i32) (i32.add (suspend $t (local.get 0)) (i32.const 1000)))
  (elem declare func $add1 $twice)
  (func (export "make") (result (ref null $ct)) (cont.new $ct (ref.func $add1)))
  (func (export "makeTwice") (result (ref null $ct)) (cont.new $ct (ref.func $twice)))
  (func (export "none") (result (ref null $ct)) (ref.null $ct))
  (func (export "isNull") (param (ref null $ct)) (result i32) (ref.is_null (local.get 0)))
  (func (export "run") (param $k (ref null $ct)) (param $x i32) (result i32)
    (resume $ct (local.get $x) (local.get $k)))
  ;; runs $k to its first suspension and hands back the rest (a new continuation)
  (func (export "start") (param $k (ref null $ct)) (param $x i32) (result i32 (ref null $ct))
    (block $on (result i32 (ref $ct))
      (return (resume $ct (on $t $on) (local.get $x) (local.get $k)) (ref.null $ct)))))`;

test('continuations held by JavaScript: returned by one export, resumed by another (also of another instance)', async () => {
  const a = await instantiate(CONTS);
  const b = instantiateSync(CONTS);
  const k = a.exports.make();
  assert.equal(typeof k, 'object');
  assert.notEqual(k, null);
  assert.equal(a.exports.isNull(k), 0);
  assert.equal(a.exports.run(k, 41), 42);
  assert.equal(b.run(a.exports.make(), 1), 2);
  // a suspended continuation, handed back to JavaScript and resumed later, by another instance
  const [v, rest] = a.exports.start(a.exports.makeTwice(), 5);
  assert.equal(v, 5);
  assert.equal(b.run(rest, 7), 1007);
  // (each instance has its own tag $t: b does not handle a's)
  throwsRuntimeError(() => b.start(a.exports.makeTwice(), 5), /unhandled tag/);
  // null passes as null
  assert.equal(a.exports.none(), null);
  assert.equal(a.exports.isNull(null), 1);
  throwsRuntimeError(() => a.exports.run(null, 1), 'null continuation reference');
  // a continuation is not anything else
  assert.throws(() => a.exports.run({}, 1), TypeError);
});

test('a continuation resumed twice: RuntimeError "continuation already consumed"', async () => {
  const { exports } = await instantiate(CONTS);
  const k = exports.make();
  assert.equal(exports.run(k, 1), 2);
  throwsRuntimeError(() => exports.run(k, 1), 'continuation already consumed');
  assert.equal(exports.run(exports.make(), 2), 3); // and the runtime goes on
});

test('Module.imports/exports list the original descriptors', async () => {
  const m = new P.Module(watToWasm(`(module
    (type $ft (func))
    (type $ct (cont $ft))
    (import "env" "f" (func $f))
    (import "env" "t" (tag $t))
    (import "env" "m" (memory 1))
    (import "env" "tb" (table 1 funcref))
    (import "env" "g" (global i32))
    (tag $u (export "u") (param i32) (result i64))
    (global (export "h") (mut i32) (i32.const 0))
    (memory (export "mem") 1)
    (table (export "tab") 2 (ref null $ct))
    (func (export "run") (resume $ct (cont.new $ct (ref.func $f))))
    (elem declare func $f))`));
  assert.deepEqual(P.Module.imports(m), [
    { module: 'env', name: 'f', kind: 'function' },
    { module: 'env', name: 't', kind: 'tag' },
    { module: 'env', name: 'm', kind: 'memory' },
    { module: 'env', name: 'tb', kind: 'table' },
    { module: 'env', name: 'g', kind: 'global' },
  ]);
  assert.deepEqual(P.Module.exports(m), [
    { name: 'u', kind: 'tag' },
    { name: 'h', kind: 'global' },
    { name: 'mem', kind: 'memory' },
    { name: 'tab', kind: 'table' },
    { name: 'run', kind: 'function' },
  ]);
  assert.equal(P.Module.customSections(m, 'wasmfx.lowered').length, 0);
  const inst = new P.Instance(m, {
    env: { f() {}, t: new P.Tag({ parameters: [] }), m: new P.Memory({ initial: 1 }), tb: new P.Table({ initial: 1, element: 'anyfunc' }), g: 7 },
  });
  assert.deepEqual(Object.keys(inst.exports), ['u', 'h', 'mem', 'tab', 'run']);
  assert.ok(inst instanceof P.Instance);
  assert.ok(inst.exports.u instanceof P.Tag);
  assert.ok(inst.exports.h instanceof P.Global);
  assert.ok(inst.exports.mem instanceof P.Memory);
  assert.ok(inst.exports.tab instanceof P.Table);
  assert.equal(inst.exports.tab.get(0), null);
  assert.equal(inst.exports.run(), undefined);
  assert.equal(Object.getPrototypeOf(inst.exports), null);
  assert.ok(Object.isFrozen(inst.exports));
});

test('an unhandled suspension that reaches JavaScript: RuntimeError (unhandled tag)', async () => {
  const { exports } = await instantiate(`(module
    (tag $t)
    (func (export "f") (suspend $t))
    (func (export "g") (result i32) (call 0) (i32.const 1)))`);
  throwsRuntimeError(() => exports.f(), /unhandled tag/);
  throwsRuntimeError(() => exports.g(), /unhandled tag/);
});

test('deep recursion inside a continuation: RuntimeError "call stack exhausted", not a RangeError', async () => {
  const { exports } = await instantiate(`(module
    (type $ft (func (param i32) (result i32)))
    (type $ct (cont $ft))
    (type $ft2 (func (result i32)))
    (type $ct2 (cont $ft2))
    (tag $t)
    (func $down (param i32) (result i32)
      (if (result i32) (i32.eqz (local.get 0))
        (then (suspend $t) (i32.const 0))
        (else (i32.add (i32.const 1) (call $down (i32.sub (local.get 0) (i32.const 1)))))))
    (elem declare func $down)
    (func (export "run") (param i32) (result i32)
      (block $on (result (ref $ct2))
        (return (resume $ct (on $t $on) (local.get 0) (cont.new $ct (ref.func $down)))))
      drop
      (i32.const -1)))`);
  assert.equal(exports.run(1000), -1);
  assert.throws(() => exports.run(1e9), (e: any) => {
    assert.ok(!(e instanceof RangeError), `a RangeError: ${e}`);
    assert.ok(e instanceof P.RuntimeError, `not a RuntimeError: ${e}`);
    assert.equal(e.message, 'call stack exhausted');
    return true;
  });
  assert.equal(exports.run(10), -1); // and the runtime goes on
});

test('an exception thrown inside a continuation reaches JavaScript as a WebAssembly.Exception with its tag', async () => {
  const { exports } = await instantiate(`(module
    (type $ft (func))
    (type $ct (cont $ft))
    (tag $e (export "e") (param i32))
    (tag $t)
    (func $body (suspend $t) (throw $e (i32.const 42)))
    (elem declare func $body)
    (func (export "run")
      (local $k (ref null $ct))
      (local.set $k
        (block $on (result (ref $ct))
          (resume $ct (on $t $on) (cont.new $ct (ref.func $body)))
          (return)))
      (resume $ct (local.get $k))))`);
  assert.throws(() => exports.run(), (e: any) => {
    assert.ok(e instanceof P.Exception, `not an Exception: ${e}`);
    assert.ok(e.is(exports.e));
    assert.equal(e.getArg(exports.e, 0), 42);
    return true;
  });
});

test('an exception thrown by a JS import inside a continuation comes out unchanged', async () => {
  const boom = new Error('boom');
  const { exports } = await instantiate(`(module
    (type $ft (func))
    (type $ct (cont $ft))
    (import "js" "f" (func $f))
    (tag $t)
    (func $body (suspend $t) (call $f))
    (elem declare func $body)
    (func (export "run")
      (local $k (ref null $ct))
      (local.set $k
        (block $on (result (ref $ct))
          (resume $ct (on $t $on) (cont.new $ct (ref.func $body)))
          (return)))
      (resume $ct (local.get $k))))`, { js: { f: () => { throw boom; } } });
  assert.throws(() => exports.run(), (e) => e === boom);
});

test('a module without stack switching is the host\'s own module, byte for byte', async () => {
  const bytes = watToWasm(`(module
    (@custom "hello" "world")
    (func $f (export "f") (param i32) (result i32) (i32.mul (local.get 0) (i32.const 2)))
    (memory (export "mem") 1))`);
  for (const m of [new P.Module(bytes), await P.compile(bytes), (await P.instantiate(bytes)).module]) {
    assert.deepEqual(P.Module.exports(m), host.Module.exports(m));
    assert.deepEqual(P.Module.exports(m), [{ name: 'f', kind: 'function' }, { name: 'mem', kind: 'memory' }]);
    const hello = host.Module.customSections(m, 'hello');
    assert.deepEqual(hello.map((b: ArrayBuffer) => new TextDecoder().decode(b)), ['world']);
    assert.deepEqual(P.Module.customSections(m, 'hello').map((b: ArrayBuffer) => new TextDecoder().decode(b)), ['world']);
    assert.deepEqual(host.Module.customSections(m, 'wasmfx.lowered'), []);
    // the host compiled these very bytes: its name section gives the function's name
    assert.deepEqual(P.Module.customSections(m, 'name').length, host.Module.customSections(new host.Module(bytes), 'name').length);
    const inst = new P.Instance(m, {});
    assert.equal(inst.exports.f(21), 42);
    assert.equal((inst.exports.f as Fn).name, '0');
  }
});

test('the namespace: the host\'s members, with Module, Instance, Table and Global interfaces of its own', async () => {
  for (const key of Reflect.ownKeys(host)) {
    if (!['Module', 'Instance', 'Table', 'Global', 'promising', 'validate', 'compile', 'instantiate', 'compileStreaming', 'instantiateStreaming'].includes(key as string)) {
      assert.equal(P[key], host[key], String(key));
    }
    const d = Object.getOwnPropertyDescriptor(P, key)!;
    const h = Object.getOwnPropertyDescriptor(host, key)!;
    assert.deepEqual([d.writable, d.enumerable, d.configurable], [h.writable, h.enumerable, h.configurable], String(key));
  }
  assert.equal(P.Module.prototype.constructor, P.Module);
  assert.equal(P.Instance.prototype.constructor, P.Instance);
  for (const name of ['Table', 'Global']) {
    const [C, H] = [P[name], host[name]];
    assert.equal(C.prototype.constructor, C);
    assert.equal(C.length, H.length);
    assert.ok(Object.getPrototypeOf(C.prototype) === H.prototype);
    // every member of the host's prototype is an own member of the polyfill's, with its attributes
    assert.deepEqual(Reflect.ownKeys(C.prototype).map(String).sort(), Reflect.ownKeys(H.prototype).map(String).sort());
    for (const key of Reflect.ownKeys(H.prototype)) {
      const [d, h] = [Object.getOwnPropertyDescriptor(C.prototype, key)!, Object.getOwnPropertyDescriptor(H.prototype, key)!];
      assert.deepEqual([d.writable, d.enumerable, d.configurable, typeof d.get, typeof d.set], [h.writable, h.enumerable, h.configurable, typeof h.get, typeof h.set], `${name}.${String(key)}`);
      for (const f of ['value', 'get', 'set'] as const) {
        if (typeof h[f] === 'function') assert.deepEqual([d[f].name, d[f].length], [h[f].name, h[f].length], `${name}.${String(key)} ${f}`);
      }
    }
  }
  const bytes = watToWasm(GEN);
  const m = new P.Module(bytes);
  assert.ok(m instanceof P.Module && m instanceof host.Module);
  assert.equal(Object.prototype.toString.call(m), '[object WebAssembly.Module]');
  assert.notEqual(P.Module.exports(m), P.Module.exports(m)); // a new array every time
  assert.throws(() => P.Module.exports({}), TypeError);
  assert.throws(() => new P.Instance(m, 5), TypeError);
  assert.throws(() => P.Instance(m), TypeError);
  const inst = new P.Instance(m);
  assert.deepEqual(Object.getOwnPropertyNames(inst), []);
  assert.equal(inst.exports, inst.exports);
  assert.equal(Object.getOwnPropertyDescriptor(P.Instance.prototype, 'exports')!.get!.call(inst), inst.exports);
  assert.ok(inst instanceof P.Instance && inst instanceof host.Instance);
  const { instance } = await P.instantiate(bytes);
  assert.ok(instance instanceof P.Instance);
  assert.equal(Object.getPrototypeOf(instance), P.Instance.prototype);
  assert.equal(Object.getPrototypeOf(await P.compile(bytes)), P.Module.prototype);
  assert.equal(Object.getPrototypeOf(await P.instantiate(m)), P.Instance.prototype);
});

test('subclasses of Module and Instance, with a lowered module', () => {
  type Ctor = new (...args: any[]) => any;
  class M extends (P.Module as Ctor) {}
  class I extends (P.Instance as Ctor) {}
  const m = new M(watToWasm(GEN));
  assert.ok(m instanceof M && m instanceof P.Module);
  const gen = new I(m);
  assert.ok(gen instanceof I && gen instanceof P.Instance);
  const c = new I(new M(watToWasm(consumer('gen'))), { gen: gen.exports });
  assert.equal(c.exports.sum(), 55);
});

// A generator whose values come from a string builtin (JS string builtins: a compile option).
const BUILTINS = `(module
  (type $ft (func))
  (type $ct (cont $ft))
  (import "wasm:js-string" "length" (func $len (param externref) (result i32)))
  (tag $yield (param i32))
  (func $gen (param $s externref)
    (suspend $yield (call $len (local.get $s)))
    (suspend $yield (i32.mul (call $len (local.get $s)) (i32.const 2))))
  (elem declare func $gen)
  (func (export "sum") (param $s externref) (result i32)
    (local $acc i32) (local $k (ref null $ct))
    (local.set $k (cont.bind $gk $ct (local.get $s) (cont.new $gk (ref.func $gen))))
    (block $done
      (loop $next
        (block $on (result i32 (ref $ct))
          (resume $ct (on $yield $on) (local.get $k))
          (br $done))
        (local.set $k)
        (local.set $acc (i32.add (local.get $acc)))
        (br $next)))
    (local.get $acc))
  (type $gft (func (param externref)))
  (type $gk (cont $gft)))`;

test('compile options (JS string builtins) reach the host, for lowered modules too', async () => {
  const bytes = watToWasm(BUILTINS);
  const options = { builtins: ['js-string'] };
  assert.equal(P.validate(bytes, options), true);
  assert.deepEqual(P.Module.imports(new P.Module(bytes, options)), []);
  assert.equal(new P.Instance(new P.Module(bytes, options)).exports.sum('hello'), 15);
  assert.equal(new P.Instance(await P.compile(bytes, options)).exports.sum('abc'), 9);
  const { instance } = await P.instantiate(bytes, {}, options);
  assert.equal(instance.exports.sum('four'), 12);
  // without the option, "wasm:js-string" is an ordinary import
  assert.deepEqual(P.Module.imports(new P.Module(bytes)), [{ module: 'wasm:js-string', name: 'length', kind: 'function' }]);
});

test('compile and instantiate take the bytes as they are when called; instantiate reads the imports after compiling', async () => {
  const bytes = watToWasm(GEN);
  const p = P.compile(bytes);
  const q = P.instantiate(bytes);
  bytes.fill(0);
  assert.deepEqual(P.Module.exports(await p), [{ name: 'yield', kind: 'tag' }, { name: 'gen', kind: 'function' }]);
  assert.equal(typeof (await q).instance.exports.gen, 'function');
  const gen = (await q).instance.exports;
  const order: string[] = [];
  const imports = {
    get gen() {
      order.push('gen');
      return gen;
    },
  };
  const r = P.instantiate(watToWasm(consumer('gen')), imports);
  assert.deepEqual(order, []);
  assert.equal((await r).instance.exports.sum(), 55);
  assert.deepEqual(order, ['gen', 'gen']);
  // a Module's imports are read at once
  const m = new P.Module(watToWasm(consumer('gen')));
  const s = P.instantiate(m, imports);
  assert.deepEqual(order, ['gen', 'gen', 'gen', 'gen']);
  assert.equal((await s).exports.sum(), 55);
});

test('errors of compile and instantiate', async () => {
  await assert.rejects(P.compile('not bytes'), TypeError);
  await assert.rejects(P.instantiate(5), TypeError);
  await assert.rejects(P.compile(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 99])), P.CompileError);
  // a module that uses stack switching and is not valid: wasmfx's validator says why
  const invalid = encodeModule(parseModule('(module (type $f (func)) (type $c (cont $f)) (func (export "f") (result i32) (i64.const 1)))'));
  await assert.rejects(P.compile(invalid), (e: any) => e instanceof P.CompileError && /type mismatch/.test(e.message));
  assert.throws(() => new P.Module(invalid), P.CompileError);
  assert.equal(P.validate(invalid), false);
  await assert.rejects(P.instantiate(watToWasm(consumer('gen')), {}), TypeError); // module "gen" is not an object
  await assert.rejects(P.instantiate(watToWasm(consumer('gen')), { gen: { gen: 1 } }), P.LinkError);
});

test('exported functions of lowered modules: named by their index, one per function, not constructors', () => {
  const gen = instantiateSync(GEN);
  const c = instantiateSync(`(module
    (type $ft (func))
    (type $ct (cont $ft))
    (import "gen" "yield" (tag $yield (param i32)))
    (import "gen" "gen" (func $gen))
    (import "js" "f" (func $f))
    (elem declare func $gen)
    (func $run (result i32)
      (block $on (result i32 (ref $ct))
        (resume $ct (on $yield $on) (cont.new $ct (ref.func $gen)))
        (return (i32.const -1)))
      drop)
    (export "run" (func $run))
    (export "again" (func $run))
    (export "gen" (func $gen))
    (export "f" (func $f)))`, { gen, js: { f() {} } });
  assert.equal(gen.gen.name, '0');
  assert.equal(c.run.name, '2');
  assert.equal(c.run.length, 0);
  assert.equal(c.run, c.again);
  assert.equal(c.run(), 10);
  assert.equal(c.gen, gen.gen); // the same function: exported, imported and exported again
  assert.equal(c.f.name, '1');
  assert.equal(c.f(), undefined);
  assert.throws(() => new c.run(), TypeError);
  assert.equal(Object.hasOwn(c.run, 'prototype'), false);
});

test('compileStreaming and instantiateStreaming: lowered modules from a Response', async () => {
  const wasm = (bytes: Uint8Array, type = 'application/wasm') => new Response(bytes, { headers: { 'Content-Type': type } });
  const gen = await P.compileStreaming(wasm(watToWasm(GEN)));
  assert.equal(Object.getPrototypeOf(gen), P.Module.prototype);
  assert.deepEqual(P.Module.exports(gen), [{ name: 'yield', kind: 'tag' }, { name: 'gen', kind: 'function' }]);
  const { module, instance } = await P.instantiateStreaming(Promise.resolve(wasm(watToWasm(consumer('gen')))), { gen: new P.Instance(gen).exports });
  assert.ok(module instanceof P.Module && instance instanceof P.Instance);
  assert.equal(instance.exports.sum(), 55);
  // modules without stack switching are the host's, errors are the host's
  const plain = await P.instantiateStreaming(wasm(watToWasm('(module (func (export "f") (result i32) (i32.const 3)))')));
  assert.equal(plain.instance.exports.f(), 3);
  assert.equal(Object.getPrototypeOf(plain.instance), P.Instance.prototype);
  await assert.rejects(P.compileStreaming(wasm(watToWasm(GEN), 'text/plain')), TypeError);
  await assert.rejects(P.compileStreaming(wasm(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 99]))), P.CompileError);
  await assert.rejects(P.instantiateStreaming(wasm(watToWasm(consumer('gen'))), {}), TypeError);
  await assert.rejects(P.compileStreaming(Promise.reject(new Error('no network'))), /no network/);
  await assert.rejects(P.compileStreaming(5), TypeError);
});

/** Runs a module script in a child Node (with `flags`) and returns what it printed, as JSON. */
const child = (flags: string[], code: string): unknown => {
  const r = spawnSync(process.execPath, [...flags, '--input-type=module', '-e', code], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`child node ${flags.join(' ')} failed (${r.status}):\n${r.stderr}`);
  return JSON.parse(r.stdout);
};

test('installPolyfill() replaces globalThis.WebAssembly where the host has no stack switching, once', () => {
  assert.equal(hostHasStackSwitching(P), true);
  const generator = JSON.stringify([...watToWasm(readFileSync(new URL('../../examples/generator.wat', import.meta.url), 'utf8'))]);
  const script = `
    import { installPolyfill, hostHasStackSwitching, WebAssembly as W } from ${JSON.stringify(new URL('./polyfill.ts', import.meta.url).href)};
    const native = globalThis.WebAssembly;
    const before = hostHasStackSwitching();
    const installed = installPolyfill();
    const replaced = globalThis.WebAssembly !== native && globalThis.WebAssembly.Module === W.Module;
    const again = installPolyfill();
    const { instance } = await WebAssembly.instantiate(new Uint8Array(${generator}));
    console.log(JSON.stringify({ before, installed, replaced, again, sum: instance.exports.sum() }));`;
  assert.deepEqual(child([], script), { before: false, installed: true, replaced: true, again: false, sum: 55 });
  // the exported namespace, made the global one by hand before its first use, is still over the realm's own
  assert.deepEqual(child([], `
    import { WebAssembly as W } from ${JSON.stringify(new URL('./polyfill.ts', import.meta.url).href)};
    globalThis.WebAssembly = W;
    const { instance } = await WebAssembly.instantiate(new Uint8Array(${generator}));
    W.extra = 1;
    console.log(JSON.stringify({ sum: instance.exports.sum(), extra: W.extra, has: 'extra' in W, deleted: delete W.extra && !('extra' in W) }));`),
  { sum: 55, extra: 1, has: true, deleted: true });
  // a host with stack switching of its own (V8's experimental implementation) keeps its WebAssembly
  const probe = spawnSync(process.execPath, ['--experimental-wasm-wasmfx', '-e', '0'], { encoding: 'utf8' });
  if (probe.status !== 0) return; // (this Node has no such flag)
  assert.deepEqual(child(['--experimental-wasm-wasmfx'], script), { before: true, installed: false, replaced: false, again: false, sum: 55 });
});

test('a JS import inside a continuation calls back into Wasm: nested runs, and errors the import catches', async () => {
  let exports: Record<string, any> = {};
  let mode = 'nested';
  const seen: string[] = [];
  const cb = (i: number): number => {
    if (mode === 'nested') return i * 100 + exports.sum(0); // a whole other generator run, inside this one
    try {
      if (mode === 'suspend') exports.yieldNow(); // a suspension cannot cross the JS frame
      else exports.resumeTwice(); // a trap
      return -1;
    } catch (e: any) {
      seen.push(`${e.constructor.name}: ${e.message}`);
      return 0;
    }
  };
  ({ exports } = await instantiate(`(module
    (type $ft (func))
    (type $ct (cont $ft))
    (import "js" "cb" (func $cb (param i32) (result i32)))
    (tag $yield (param i32))
    (func $gen
      (local $i i32)
      (local.set $i (i32.const 3))
      (loop $l
        (suspend $yield (call $cb (local.get $i)))
        (local.set $i (i32.sub (local.get $i) (i32.const 1)))
        (br_if $l (local.get $i))))
    (func $gen2 (suspend $yield (i32.const 7)))
    (func $nop)
    (elem declare func $gen $gen2 $nop)
    (func (export "sum") (param $which i32) (result i32)
      (local $acc i32) (local $k (ref null $ct))
      (local.set $k (cont.new $ct (select (result (ref $ft)) (ref.func $gen) (ref.func $gen2) (local.get $which))))
      (block $done
        (loop $next
          (block $on_yield (result i32 (ref $ct))
            (resume $ct (on $yield $on_yield) (local.get $k))
            (br $done))
          (local.set $k)
          (local.set $acc (i32.add (local.get $acc)))
          (br $next)))
      (local.get $acc))
    (func (export "yieldNow") (suspend $yield (i32.const 1)))
    (func (export "resumeTwice") (local $k (ref null $ct))
      (local.set $k (cont.new $ct (ref.func $nop)))
      (resume $ct (local.get $k))
      (resume $ct (local.get $k))))`, { js: { cb } }));
  assert.equal(exports.sum(1), 300 + 200 + 100 + 3 * 7);
  for (mode of ['suspend', 'trap']) {
    assert.equal(exports.sum(1), 0, mode); // the outer generator goes on after each error
    assert.equal(exports.sum(0), 7);
  }
  assert.deepEqual(seen, [
    ...Array(3).fill('RuntimeError: unhandled tag'),
    ...Array(3).fill('RuntimeError: continuation already consumed'),
  ]);
  mode = 'nested';
  assert.equal(exports.sum(1), 621);
});

// A module of numbers only is lowered isolated; when it imports a function of a module on the shared
// runtime, its instance is made of its shared lowering instead, so a suspension from that
// function passes its frames and its handler to a handler further out (docs/lowering.md,
// "Isolated modules"). Both ways of instantiating, and the same module instantiated both ways.
test('an isolable module that imports a function of a shared module passes its suspensions on (asynchronous and synchronous instantiation)', async () => {
  const S = `(module
    (tag $t (export "t") (param i32) (result i32))
    (func (export "yield-t") (param i32) (result i32) (suspend $t (local.get 0))))`;
  const I = `(module
    (type $ft (func (param i32) (result i32))) (type $ct (cont $ft))
    (import "s" "yield-t" (func $yt (param i32) (result i32)))
    (tag $y (param i32) (result i32))
    (func $g (param i32) (result i32) (call $yt (local.get 0)))
    (elem declare func $g)
    (func (export "via") (param i32) (result i32)
      (block $h (result i32 (ref $ct))
        (return (resume $ct (on $y $h) (local.get 0) (cont.new $ct (ref.func $g)))))
      (drop) (drop) (i32.const -1))
    (func (export "twice") (param i32) (result i32) (i32.mul (local.get 0) (i32.const 2))))`;
  const S2 = `(module
    (type $ft (func (param i32) (result i32))) (type $ct (cont $ft))
    (import "s" "t" (tag $t (param i32) (result i32)))
    (import "i" "via" (func $via (param i32) (result i32)))
    (func $v (param i32) (result i32) (call $via (local.get 0)))
    (elem declare func $v)
    (func (export "through") (param $x i32) (result i32)
      (local $k (ref $ct))
      (block $h (result i32 (ref $ct))
        (return (resume $ct (on $t $h) (local.get $x) (cont.new $ct (ref.func $v)))))
      (local.set $k)
      (resume $ct (i32.add (i32.const 1000)) (local.get $k))))`;
  const s = await instantiate(S);
  // the same compiled module, instantiated with a JS function (isolated) and with the shared one's
  const iModule = await P.compile(watToWasm(I));
  const alone = await P.instantiate(iModule, { s: { 'yield-t': (x: number) => x + 1 } });
  assert.equal(alone.exports.via(5), 6);
  for (const iExports of [
    (await P.instantiate(iModule, { s: s.exports })).exports,
    new P.Instance(iModule, { s: s.exports }).exports,
  ]) {
    assert.equal(iExports.twice(21), 42);
    const s2 = await instantiate(S2, { s: s.exports, i: iExports });
    assert.equal(s2.exports.through(7), 1007);
  }
});

// The JS functions of lowered exports go where the host takes Wasm functions: imports of modules
// the host compiles as they are (linked Wasm to Wasm: v128 and signalling NaNs pass exactly),
// tables and globals; and they come back out as themselves.
test('exported functions of lowered modules in plain modules, tables and globals', async () => {
  const LOW = `(module
    (type $f (func (param v128) (result v128)))
    (type $c (cont $f))
    (type $f0 (func (result v128)))
    (type $c0 (cont $f0))
    (tag $t)
    (func $id (param v128) (result v128) (local.get 0))
    (elem declare func $id)
    ;; a v128 through a continuation
    (func (export "v") (param v128) (result v128)
      (block $h (result (ref $c0))
        (return (resume $c (on $t $h) (local.get 0) (cont.new $c (ref.func $id)))))
      (unreachable))
    (func (export "f32") (param f32) (result f32) (local.get 0))
    (func (export "inc") (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
    (func (export "twice") (result i32)
      (local $k (ref null $c))
      (local.set $k (cont.new $c (ref.func $id)))
      (drop (resume $c (v128.const i64x2 0 0) (local.get $k)))
      (drop (resume $c (v128.const i64x2 0 0) (local.get $k)))
      (i32.const 0)))`;
  const PLAIN = `(module
    (import "low" "v" (func $v (param v128) (result v128)))
    (import "low" "f32" (func $f32 (param f32) (result f32)))
    (func $inc (export "inc") (import "low" "inc") (param i32) (result i32))
    (func $twice (export "twice") (import "low" "twice") (result i32))
    (table (export "t") 2 funcref)
    (func (export "lane") (param i32) (result i32)
      (i32x4.extract_lane 2 (call $v (i32x4.splat (local.get 0)))))
    ;; a signalling NaN: a JS function in between would quiet it
    (func (export "nan") (result i32)
      (i32.reinterpret_f32 (call $f32 (f32.reinterpret_i32 (i32.const 0x7fa00001))))))`;
  for (const sync of [true, false]) {
    const low = sync ? instantiateSync(LOW) : (await instantiate(LOW)).exports;
    const plainImports = { low };
    const plain = sync ? instantiateSync(PLAIN, plainImports) : (await instantiate(PLAIN, plainImports)).exports;
    assert.equal(plain.lane(7), 7);
    assert.equal(plain.nan() >>> 0, 0x7fa00001);
    // re-exported: the same function, whose traps say why
    assert.equal(plain.inc, low.inc);
    throwsRuntimeError(() => plain.twice(), 'continuation already consumed');
    // tables: set, grow and the constructor take them; get gives them back
    plain.t.set(0, low.inc);
    assert.equal(plain.t.get(0), low.inc);
    assert.equal(plain.t.get(0)(41), 42);
    assert.ok(plain.t instanceof P.Table && plain.t instanceof host.Table);
    plain.t.grow(1, low.twice);
    assert.equal(plain.t.get(2), low.twice);
    const t = new P.Table({ element: 'anyfunc', initial: 1 }, low.inc);
    assert.equal(t.get(0), low.inc);
    assert.ok(t instanceof P.Table && t instanceof host.Table);
    // globals
    const g = new P.Global({ value: 'anyfunc', mutable: true }, low.inc);
    assert.equal(g.value, low.inc);
    g.value = low.twice;
    assert.equal(g.value, low.twice);
    assert.equal(g.valueOf(), low.twice);
    assert.ok(g instanceof P.Global && g instanceof host.Global);
    assert.throws(() => Object.getOwnPropertyDescriptor(P.Global.prototype, 'value')!.set!.call(g, ...([] as unknown as [unknown])), TypeError);
    assert.throws(() => t.set(0, () => 1), TypeError); // a JS function is no Wasm function
  }
});

// A function the module puts into its own table, global or returns (ref.func) is, in JS, its
// export: the same JS function, whose suspensions cannot pass the JS frame; handed back to Wasm
// as a reference, it is the function a lowered caller runs on its own stack.
test('references to exported functions of lowered modules: identity, traps, and suspensions through JS', () => {
  const e = instantiateSync(`(module
    (import "js" "cb" (func $cb (result i32)))
    (type $f (func (result i32)))
    (type $c (cont $f))
    (tag $t (param i32))
    (func $s (export "s") (result i32) (suspend $t (i32.const 7)) (i32.const 5))
    ;; not exported: handed out in the table only
    (func $n (result i32) (suspend $t (i32.const 8)) (i32.const 6))
    (table (export "t") 2 funcref)
    (elem (table 0) (i32.const 0) func $s $n)
    (global (export "g") funcref (ref.func $s))
    (func (export "get") (result funcref) (ref.func $s))
    (func $body (result i32) (i32.add (call $cb) (i32.const 100)))
    (elem declare func $body)
    ;; runs the JS import cb inside a continuation that handles $t
    (func (export "run") (result i32)
      (block $h (result i32 (ref $c))
        (return (resume $c (on $t $h) (cont.new $c (ref.func $body)))))
      (drop) (i32.add (i32.const 1000)))
    ;; calls a function reference inside a continuation that handles $t
    (func $callit (param $f (ref null $f)) (result i32) (call_ref $f (local.get $f)))
    (func (export "handled") (param $f (ref null $f)) (result i32)
      (block $h (result i32 (ref $c))
        (return (resume $c (on $t $h) (cont.bind $cf $c (local.get $f) (cont.new $cf (ref.func $callit))))))
      (drop) (i32.add (i32.const 1000)))
    (type $ff (func (param (ref null $f)) (result i32)))
    (type $cf (cont $ff))
    (elem declare func $callit))`, { js: { cb: () => via() } });
  let via = (): number => 0;
  assert.equal(e.t.get(0), e.s);
  assert.equal(e.g.value, e.s);
  assert.equal(e.get(), e.s);
  for (const f of [e.s, e.t.get(0), e.g.value, e.get()]) throwsRuntimeError(() => f(), 'unhandled tag');
  // JS inside a continuation calls the function back: its suspension cannot reach the handler past JS
  for (const get of [() => e.s, () => e.t.get(0), () => e.get()]) {
    via = () => get()();
    throwsRuntimeError(() => e.run(), 'unhandled tag');
  }
  // a reference handed to Wasm is the function itself: the suspension reaches the handler
  assert.equal(e.handled(e.s), 1007);
  assert.equal(e.handled(e.t.get(0)), 1007);
  // a function the module hands out without exporting it is one JS function too, named by its index
  const n = e.t.get(1);
  assert.equal(e.t.get(1), n);
  assert.equal(n.name, '2');
  throwsRuntimeError(() => n(), 'unhandled tag');
  via = () => e.t.get(1)();
  throwsRuntimeError(() => e.run(), 'unhandled tag');
  assert.equal(e.handled(n), 1008);
  // (after those traps, everything runs as before)
  assert.equal(e.handled(e.s), 1007);
});

// JSPI (on by default in Node 26): `promising` of a lowered export, whose import is `Suspending`.
test('JSPI: promising of a lowered export that suspends to its own handler and awaits a JS promise', { skip: typeof host.promising !== 'function' }, async () => {
  const { exports } = await instantiate(`(module
    (import "js" "wait" (func $wait (param i32) (result i32)))
    (type $f (func (param i32) (result i32)))
    (type $c (cont $f))
    (tag $t (param i32) (result i32))
    (func $gen (param $x i32) (result i32)
      (call $wait (suspend $t (local.get $x))))
    (elem declare func $gen)
    (func (export "run") (param $x i32) (result i32)
      (local $k (ref null $c))
      (block $h (result i32 (ref $c))
        (return (resume $c (on $t $h) (local.get $x) (cont.new $c (ref.func $gen)))))
      (local.set $k)
      (i32.mul (i32.const 10))
      (resume $c (local.get $k)))
    (func (export "twice") (result i32)
      (local $k (ref null $c))
      (local.set $k (cont.new $c (ref.func $gen)))
      (drop (block $h (result i32 (ref $c)) (return (resume $c (on $t $h) (i32.const 1) (local.get $k)))))
      (drop)
      (resume $c (i32.const 2) (local.get $k))))`, {
    js: { wait: new P.Suspending(async (x: number) => { await new Promise((r) => setTimeout(r, 1)); return x + 1; }) },
  });
  const run = P.promising(exports.run);
  assert.equal(run.length, exports.run.length);
  assert.deepEqual(await Promise.all([run(4), run(5)]), [41, 51]);
  await assert.rejects(P.promising(exports.twice)(), (e: any) => e instanceof P.RuntimeError && e.message === 'continuation already consumed');
  assert.throws(() => P.promising(() => 1), TypeError);
});

test('JS imports with function references: they get exported functions as the exports, and return them to Wasm', () => {
  const seen: unknown[] = [];
  let e: Record<string, any> = {};
  e = instantiateSync(`(module
    (type $f (func (result i32)))
    (type $c (cont $f))
    (import "js" "pick" (func $pick (param (ref null $f)) (result (ref null $f))))
    (import "js" "two" (func $two (result funcref (ref null $f))))
    (tag $t (param i32))
    (func $s (export "s") (result i32) (suspend $t (i32.const 7)) (i32.const 5))
    (func $one (export "one") (result i32) (i32.const 1))
    (elem declare func $s $one)
    ;; the reference JS returns, made a continuation: its suspension reaches this handler
    (func (export "run") (result i32)
      (block $h (result i32 (ref $c))
        (return (resume $c (on $t $h) (cont.new $c (call $pick (ref.func $one))))))
      (drop) (i32.add (i32.const 1000)))
    (func (export "both") (result i32)
      (call $two)
      (call_ref $f)
      (drop)
      (call_ref $f (ref.cast (ref $f)))))`, {
    js: {
      pick: (f: unknown) => (seen.push(f), e.s),
      two: () => [e.one, e.one],
    },
  });
  assert.equal(e.run(), 1007);
  assert.deepEqual(seen, [e.one]); // (the JS function of the export, not the Wasm function inside)
  assert.equal(e.both(), 1);
});

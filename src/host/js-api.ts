// The JS API, as the JS API specification (WebAssembly/spec document/js-api) defines the
// `WebAssembly` namespace: `validate`, `compile`, `instantiate` (and `instantiateSync`),
// `Module`, `Instance`, `Memory`, `Table`, `Global`, `Tag`, `Exception`, `JSTag`,
// `CompileError`, `LinkError`, `RuntimeError`, run by wasmfx's interpreter. The classes
// have the spec's shape (brand checks, WebIDL argument conversions and property
// attributes, @@toStringTag, lengths), so that `WebAssembly` below is a drop-in for the
// built-in namespace; test/js-api.test.ts runs the official JS API tests against it.
//
// Values cross the boundary with the spec's conversions (ToJSValue / ToWebAssemblyValue):
//
//   i32 <-> Number (ToInt32)          i64 <-> BigInt (ToBigInt64)
//   f32 <-> Number (rounded to f32)   f64 <-> Number
//   v128, exnref: TypeError at the boundary; contref: an opaque object (null as null)
//   funcref: exported functions (one wrapper per function instance, cached)
//   externref: any JS value (null is the null reference); GC objects and i31 numbers
//     round-trip through extern.convert_any
//   anyref family: integers in the i31 range <-> i31ref, GC objects <-> opaque exotic
//     objects (one per struct/array), other JS values as host references
//
// Errors: decoding and validation errors become `CompileError`, link errors `LinkError`
// and traps `RuntimeError`; these are subclasses of wasmfx's own errors (src/util/errors.ts:
// `WasmError`, `LinkError`, `Trap`), so they keep `kind`, `detail`, `offset` and the Wasm
// `backtrace`. Exhaustion and unhandled suspensions surface as wasmfx's `Exhaustion` and
// `UnhandledSuspension`. Exceptions follow the exception-handling JS API: a Wasm exception
// reaching JS is a `WebAssembly.Exception` (one object per exception), a JS value thrown
// into Wasm is an exception with the `JSTag` tag (catchable by `catch_all`) that comes
// out as the same value again.
//
// Extensions: a module source may also be WAT text (a string, or bytes that do not start
// with a NUL byte: a binary module starts with "\0asm"); the value types of `Global`,
// `Table` and `Tag` descriptors include the GC reference types (anyref, eqref, ...);
// `instantiate`, `instantiateSync` and `Instance` take engine options as a third argument.
// Traps, exhaustion and unhandled suspensions of a nested call (Wasm -> JS -> Wasm) are not
// catchable by the outer Wasm code (as in V8), and their backtraces span every Wasm frame.
// Not supported: shared memories (threads), the JS string builtins and imported string
// constants (compile options are ignored), `Memory.prototype.toResizableBuffer` (memory
// buffers are fixed-length ArrayBuffers, replaced on grow), the implementation-defined
// limits of the JS API (a module is only limited by the core spec and the host).

import { decodeModule } from '../binary/decoder.ts';
import { encodeModule } from '../binary/encoder.ts';
import { isWasmError } from '../util/errors.ts';
import { invoke as engineInvoke, type EngineOptions } from '../exec/engine.ts';
import { WebAssembly as Polyfill } from './polyfill.ts';
import { runsLoweredModules } from './host-wasm3.ts';
import { parseModule } from '../text/parser.ts';
import { f32FromBits, f32ToBits } from '../util/float-bits.ts';
import type { Module as AstModule } from '../syntax/ast.ts';
import type { AddrType, ExternKind } from '../syntax/types.ts';
import {
  LinkError as CoreLinkError, RuntimeError as CoreRuntimeError, Trap, UncaughtException, WasmError, type ErrorKind,
} from '../util/errors.ts';
import {
  C_EXTERNREF, type CRefType, type CValType, type DefType, funcTypeOf, refType, topHeap,
} from '../valid/types.ts';
import { validateModule, type ValidModule } from '../valid/validator.ts';
import { funcType, hostFunc } from '../runtime/func.ts';
import { externalize, heapMatches } from '../runtime/gc.ts';
import { Global as GlobalInstance } from '../runtime/global.ts';
import { ModuleInstance } from '../runtime/instance.ts';
import { instantiate as instantiateCore } from '../runtime/instantiate.ts';
import { Memory as MemoryInstance } from '../runtime/memory.ts';
import { Table as TableInstance } from '../runtime/table.ts';
import { Tag as TagInstance } from '../runtime/tag.ts';
import {
  ExternAny, HostRef, WasmArray, WasmExn, WasmStruct,
  type ExternVal, type FuncInst, type GlobalInst, type MemoryInst, type TableInst, type TagInst, type Value,
} from '../runtime/value.ts';

export type InvokeFn = (f: FuncInst, args: Value[]) => Value[];

export interface JsApiOptions {
  /**
   * the execution engine of `instantiate`: `lowered` (the default: stack switching lowered to
   * plain Wasm and run by the host's engine, src/host/polyfill.ts) or `interp` (the interpreter:
   * exact, fuel, backtraces; the default when `engineOptions` or `invoke` are given, and on a
   * host without Wasm 3.0, where lowered modules cannot run: src/host/host-wasm3.ts). The
   * `WebAssembly` namespace exported from here always runs on the interpreter.
   */
  readonly engine?: 'interp' | 'lowered';
  /** the interpreter's options (fuel, stack limits, interrupt flag) for every call */
  readonly engineOptions?: EngineOptions;
  /** runs functions instead of the engine's `invoke` (tests, embedders with their own engine) */
  readonly invoke?: InvokeFn;
}

export type ImportObject = Record<string, Record<string, unknown>>;

// ---- the engine ----------------------------------------------------------------------------

let defaultInvoke: InvokeFn = (f, args) => engineInvoke(f, args);

function engineOf(options: JsApiOptions | undefined): InvokeFn {
  if (options !== undefined && options !== null && typeof options === 'object') {
    if (options.engine !== undefined && options.engine !== 'interp' && options.engine !== 'lowered') {
      throw new TypeError(`unknown engine: ${String(options.engine)}`);
    }
    if (options.invoke !== undefined) return options.invoke;
    const eo = options.engineOptions;
    if (eo !== undefined) return (f, args) => engineInvoke(f, args, eo);
  }
  return (f, args) => defaultInvoke(f, args);
}

// ---- WebIDL and ECMAScript conversions ---------------------------------------------------------

const isObject = (v: unknown): v is object => (typeof v === 'object' && v !== null) || typeof v === 'function';

/** ToPrimitive(v, hint). */
function toPrimitive(v: unknown, hint: 'number' | 'string'): unknown {
  if (!isObject(v)) return v;
  const o = v as Record<PropertyKey, unknown>;
  const exotic = o[Symbol.toPrimitive];
  if (exotic !== undefined && exotic !== null) {
    if (typeof exotic !== 'function') throw new TypeError('Symbol.toPrimitive is not a function');
    const r: unknown = exotic.call(v, hint);
    if (isObject(r)) throw new TypeError('cannot convert an object to a primitive value');
    return r;
  }
  for (const name of hint === 'string' ? ['toString', 'valueOf'] : ['valueOf', 'toString']) {
    const m = o[name];
    if (typeof m === 'function') {
      const r: unknown = m.call(v);
      if (!isObject(r)) return r;
    }
  }
  throw new TypeError('cannot convert an object to a primitive value');
}

/** ToNumber: TypeError for BigInt and Symbol. */
const toNumber = (v: unknown): number => +(v as number);

/** ToBigInt: BigInts, booleans and numeric strings (SyntaxError otherwise); TypeError for Numbers, undefined, null, Symbols. */
function toBigInt(v: unknown): bigint {
  const p = toPrimitive(v, 'number');
  switch (typeof p) {
    case 'bigint': return p;
    case 'boolean': return p ? 1n : 0n;
    case 'string':
      try {
        return BigInt(p);
      } catch {
        throw new SyntaxError(`cannot convert ${JSON.stringify(p)} to a BigInt`);
      }
    default:
      throw new TypeError(`cannot convert ${typeof p === 'symbol' ? 'a Symbol' : String(p)} to a BigInt`);
  }
}

const toBigInt64 = (v: unknown): bigint => BigInt.asIntN(64, toBigInt(v));

/** ToString, as for a DOMString (TypeError for a Symbol). */
function toStringValue(v: unknown): string {
  if (typeof v === 'symbol') throw new TypeError('cannot convert a Symbol to a string');
  return String(toPrimitive(v, 'string'));
}

/** A WebIDL `[EnforceRange] unsigned long`. */
function enforceRangeU32(v: unknown, what: string): number {
  const x = toNumber(v);
  if (!Number.isFinite(x)) throw new TypeError(`${what} must be a finite number`);
  const n = Math.trunc(x);
  if (n < 0 || n > 0xffff_ffff) throw new TypeError(`${what} is out of range`);
  return n;
}

/** AddressValueToU64: an [EnforceRange] unsigned long for i32, a BigInt in [0, 2^64) for i64; TypeError when out of range. */
function addressValue(v: unknown, at: AddrType, what: string): bigint {
  if (at === 'i32') return BigInt(enforceRangeU32(v, what));
  const n = toBigInt(v);
  if (n < 0n || n > 0xffff_ffff_ffff_ffffn) throw new TypeError(`${what} is out of range`);
  return n;
}

/** U64ToAddressValue. */
const addressResult = (n: number, at: AddrType): number | bigint => (at === 'i64' ? BigInt(n) : n);

/** The dictionary argument of a WebIDL operation: undefined and null are an empty dictionary, other non-objects a TypeError. */
function dictionary(v: unknown, what: string): Record<string, unknown> {
  if (v === undefined || v === null) return {};
  if (!isObject(v)) throw new TypeError(`${what} must be an object`);
  return v as Record<string, unknown>;
}

function required(d: Record<string, unknown>, key: string, what: string): unknown {
  const v = d[key];
  if (v === undefined) throw new TypeError(`${what}: the required member "${key}" is missing`);
  return v;
}

function addressType(d: Record<string, unknown>): AddrType {
  const a = d['address'];
  if (a === undefined) return 'i32';
  const s = toStringValue(a);
  if (s !== 'i32' && s !== 'i64') throw new TypeError(`invalid address type: ${s}`);
  return s;
}

/** Sets `length` (as a built-in function has it: non-writable, configurable). */
function setLength(f: object, n: number): void {
  Object.defineProperty(f, 'length', { value: n, writable: false, enumerable: false, configurable: true });
}

/** IteratorToList(GetIteratorFromMethod(v, GetMethod(v, @@iterator))): each property read once, in the spec's order. */
function iterableToList(v: unknown, message: string): unknown[] {
  if (v === undefined || v === null) throw new TypeError(message);
  const method = (Object(v) as { [Symbol.iterator]?: unknown })[Symbol.iterator];
  if (method === undefined || method === null) throw new TypeError(message);
  if (typeof method !== 'function') throw new TypeError(message);
  const iterator: unknown = method.call(v);
  if (!isObject(iterator)) throw new TypeError('the iterator is not an object');
  const next = (iterator as { next?: unknown }).next;
  const out: unknown[] = [];
  for (;;) {
    if (typeof next !== 'function') throw new TypeError('the iterator has no next method');
    const r: unknown = next.call(iterator);
    if (!isObject(r)) throw new TypeError('the iterator result is not an object');
    if ((r as { done?: unknown }).done) return out;
    out.push((r as { value?: unknown }).value);
  }
}

/** Gives a class the attributes of a WebIDL interface: enumerable members, @@toStringTag, `length`. */
function idlInterface(cls: { prototype: object }, tag: string, length: number, statics: readonly string[] = []): void {
  const proto = cls.prototype;
  for (const key of Object.getOwnPropertyNames(proto)) {
    if (key === 'constructor') continue;
    Object.defineProperty(proto, key, { enumerable: true });
  }
  for (const key of statics) Object.defineProperty(cls, key, { enumerable: true });
  Object.defineProperty(proto, Symbol.toStringTag, { value: tag, writable: false, enumerable: false, configurable: true });
  setLength(cls, length);
}

/** Throws the TypeError of a WebIDL operation called with too few arguments. */
function atLeast(args: IArguments, n: number, what: string): void {
  if (args.length < n) throw new TypeError(`${what}: ${n} argument${n === 1 ? '' : 's'} required, but only ${args.length} present`);
}

// ---- value types by name (descriptors of Global, Table, Tag) ------------------------------------

const VALUE_TYPES: ReadonlyMap<string, CValType> = new Map<string, CValType>([
  ['i32', 'i32'], ['i64', 'i64'], ['f32', 'f32'], ['f64', 'f64'], ['v128', 'v128'],
  ['externref', refType(true, 'extern')], ['funcref', refType(true, 'func')], ['anyfunc', refType(true, 'func')],
  ['anyref', refType(true, 'any')], ['eqref', refType(true, 'eq')], ['i31ref', refType(true, 'i31')],
  ['structref', refType(true, 'struct')], ['arrayref', refType(true, 'array')], ['exnref', refType(true, 'exn')],
  ['nullref', refType(true, 'none')], ['nullfuncref', refType(true, 'nofunc')], ['nullexternref', refType(true, 'noextern')],
  ['nullexnref', refType(true, 'noexn')],
]);

/** ToValueType, after the WebIDL enum conversion (ToString; TypeError for an unknown name). */
function valueTypeOf(v: unknown): CValType {
  const s = toStringValue(v);
  const t = VALUE_TYPES.get(s);
  if (t === undefined) throw new TypeError(`invalid value type: ${JSON.stringify(s)}`);
  return t;
}

/**
 * Types that cannot cross the JS boundary: v128 and exnref, as the JS API says. It says nothing
 * of continuations: they cross as opaque objects (contToJs), null as null, so that a host can
 * hold a continuation and hand it back (V8 passes null; it aborts on a non-null one).
 */
const noJsType = (t: CValType): boolean =>
  t === 'v128' || t === 'bot' || (typeof t === 'object' && topHeap(t.heap) === 'exn');

const hasJsType = (ts: readonly CValType[]): boolean => !ts.some(noJsType);

// ---- errors --------------------------------------------------------------------------------------

/** The `cause` of an error made from another one. */
function setCause(e: Error, cause: unknown): void {
  Object.defineProperty(e, 'cause', { value: cause, writable: true, enumerable: false, configurable: true });
}

function nativeErrorArgs(e: Error, options: unknown): void {
  if (isObject(options) && 'cause' in options) setCause(e, (options as { cause: unknown }).cause);
}

/** Makes an error of the engine an instance of the JS API's subclass of its class (it keeps its fields). */
function asSubclass<T extends WasmError>(e: WasmError, proto: T, name: string): T {
  Object.setPrototypeOf(e, proto);
  e.name = name;
  return e as T;
}

/** WebAssembly.CompileError: a module that does not decode, parse or validate. */
export class CompileError extends WasmError {
  constructor(message?: unknown, options?: unknown) {
    super('invalid', message === undefined ? '' : toStringValue(message));
    nativeErrorArgs(this, options);
  }

  override format(): string {
    const c = (this as { cause?: unknown }).cause;
    return c instanceof WasmError ? c.format() : super.format();
  }

  /** The CompileError for a decoding, parsing or validation error (which becomes its `cause`). */
  static from(e: WasmError): CompileError {
    const c = new CompileError(e.detail);
    (c as { kind: ErrorKind }).kind = e.kind;
    c.offset = e.offset;
    c.source = e.source;
    setCause(c, e);
    return c;
  }
}

/** WebAssembly.LinkError: imports that do not fit the module (a wasmfx LinkError). */
export class LinkError extends CoreLinkError {
  constructor(message?: unknown, options?: unknown) {
    super(message === undefined ? '' : toStringValue(message));
    nativeErrorArgs(this, options);
  }

  /** The same error, as a WebAssembly.LinkError. */
  static from(e: CoreLinkError): LinkError {
    return asSubclass(e, LinkError.prototype, 'LinkError');
  }
}

/** WebAssembly.RuntimeError: a trap (a wasmfx Trap, with its Wasm backtrace). */
export class RuntimeError extends Trap {
  constructor(message?: unknown, options?: unknown) {
    super(message === undefined ? '' : toStringValue(message));
    nativeErrorArgs(this, options);
  }

  /**
   * The same trap, as a WebAssembly.RuntimeError (the object is kept: through nested calls
   * the engine keeps adding the frames of the outer calls to its backtrace).
   */
  static from(e: Trap): RuntimeError {
    return asSubclass(e, RuntimeError.prototype, 'RuntimeError');
  }
}

for (const [cls, name] of [[CompileError, 'CompileError'], [LinkError, 'LinkError'], [RuntimeError, 'RuntimeError']] as const) {
  Object.defineProperty(cls.prototype, 'name', { value: name, writable: true, enumerable: false, configurable: true });
  setLength(cls, 1);
}

/** A decoding, parsing or validation error as a CompileError; other errors unchanged. */
function compileError(e: unknown): unknown {
  if (e instanceof CompileError || !(e instanceof WasmError)) return e;
  return e.kind === 'syntax' || e.kind === 'malformed' || e.kind === 'invalid' ? CompileError.from(e) : e;
}

// ---- tags and exceptions --------------------------------------------------------------------------

/** The JavaScript exception tag: [externref] -> []. */
const JS_TAG: TagInst = new TagInstance(funcType([C_EXTERNREF], []), 'JSTag');

const exceptionObjects = new WeakMap<WasmExn, Exception>();

/** What an error coming out of the engine is in JS: the thrown value of a JSTag exception, an Exception, a RuntimeError ... */
function fromEngine(e: unknown): unknown {
  if (e instanceof UncaughtException && e.exn instanceof WasmExn) {
    const exn = e.exn;
    if (exn.tag === JS_TAG) return toJsValue(exn.payload[0]!, C_EXTERNREF);
    return Exception.wrap(exn);
  }
  if (e instanceof Trap) return e instanceof RuntimeError ? e : RuntimeError.from(e);
  if (e instanceof CoreLinkError) return e instanceof LinkError ? e : LinkError.from(e);
  return e;
}

/** What a JS exception is in Wasm: an Exception's own exception, or one with the JSTag tag; errors of the engine pass. */
function toEngine(e: unknown): unknown {
  if (e instanceof CoreRuntimeError) return e; // a trap, exhaustion ... of a nested call: not catchable (as in V8)
  if (e instanceof RangeError && e.message.startsWith('Maximum call stack')) return e; // the engine's stack overflow
  const exn = isObject(e) ? Exception.exnOf(e) : undefined;
  return new UncaughtException(exn ?? new WasmExn(JS_TAG, [toWasmValue(e, C_EXTERNREF)]));
}

// ---- conversions -------------------------------------------------------------------------------

/** Exported function wrapper per function instance, and back. */
const funcWrappers = new WeakMap<FuncInst, (...args: unknown[]) => unknown>();
const wrappedFuncs = new WeakMap<object, FuncInst>();
/** The index of a host function (made from a JS function when reading imports): its exported function's name. */
const hostIndex = new WeakMap<FuncInst, number>();
/** Exported GC object per struct/array, and back. */
const gcWrappers = new WeakMap<WasmStruct | WasmArray, object>();
const wrappedGc = new WeakMap<object, WasmStruct | WasmArray>();

const isI31 = (v: unknown): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= -0x4000_0000 && v <= 0x3fff_ffff && !Object.is(v, -0);

const throwTypeError = (): never => {
  throw new TypeError('a WebAssembly GC object has no properties');
};

/** The internal methods of an Exported GC Object: no prototype, no properties, not extensible, writes throw. */
const GC_OBJECT_HANDLER: ProxyHandler<object> = {
  getPrototypeOf: () => null,
  setPrototypeOf: () => false,
  isExtensible: () => false,
  preventExtensions: () => false,
  getOwnPropertyDescriptor: () => undefined,
  defineProperty: () => false,
  has: () => false,
  get: () => undefined,
  set: throwTypeError,
  deleteProperty: throwTypeError,
  ownKeys: () => [],
};

function gcObjectToJs(r: WasmStruct | WasmArray): object {
  let w = gcWrappers.get(r);
  if (w === undefined) {
    w = new Proxy(Object.freeze(Object.create(null) as object), GC_OBJECT_HANDLER);
    gcWrappers.set(r, w);
    wrappedGc.set(w, r);
  }
  return w;
}

/** A non-null internal (anyref) reference to JS. */
function anyToJs(r: Value): unknown {
  if (typeof r === 'number') return r;
  if (r instanceof HostRef) return r.value;
  if (r instanceof WasmStruct || r instanceof WasmArray) return gcObjectToJs(r);
  if (r instanceof ExternAny) return anyToJs(r.ref);
  throw new TypeError('this reference cannot be passed to JavaScript');
}

/** A JS value as an internal (anyref) reference: i31, GC object, or a host reference. */
function jsToAny(v: unknown): Value {
  if (v === null) return null;
  if (isI31(v)) return v;
  if (isObject(v)) {
    const r = wrappedGc.get(v);
    if (r !== undefined) return r;
  }
  return new HostRef(v);
}

/** The JS objects standing for continuations (one per continuation: identity is kept), both ways. */
const contObjects = new WeakMap<object, object>();
const contOfObject = new WeakMap<object, Value>();

/** A continuation as an opaque JS object: frozen, no prototype, nothing to read; only Wasm can use it. */
function contToJs(v: Exclude<Value, null>): object {
  let o = contObjects.get(v as object);
  if (o === undefined) {
    o = Object.freeze(Object.create(null) as object);
    contObjects.set(v as object, o);
    contOfObject.set(o, v);
  }
  return o;
}

/** ToJSValue: a Wasm value of type `t` as a JS value. */
export function toJsValue(v: Value, t: CValType): unknown {
  switch (t) {
    case 'i32': return v as number;
    case 'i64': return v as bigint;
    case 'f32': return f32FromBits(v as number);
    case 'f64': return v as number;
    case 'v128': case 'bot': throw new TypeError(`type ${typeof t === 'string' ? t : 'ref'} cannot be passed to JavaScript`);
  }
  if (v === null) return null;
  switch (topHeap(t.heap)) {
    case 'func': return exportedFunction(v as FuncInst);
    case 'extern': return v instanceof ExternAny ? anyToJs(v.ref) : anyToJs(v);
    case 'any': return anyToJs(v);
    case 'cont': return contToJs(v);
    default: throw new TypeError('exnref values cannot be passed to JavaScript');
  }
}

/** ToWebAssemblyValue: a JS value as a Wasm value of type `t`; TypeError when it does not fit. */
export function toWasmValue(v: unknown, t: CValType): Value {
  switch (t) {
    case 'i32': return toNumber(v) | 0;
    case 'i64': return toBigInt64(v);
    case 'f32': return f32ToBits(toNumber(v));
    case 'f64': return toNumber(v);
    case 'v128': case 'bot': throw new TypeError(`type ${typeof t === 'string' ? t : 'ref'} cannot be passed from JavaScript`);
  }
  const top = topHeap(t.heap);
  if (top === 'exn') throw new TypeError('exnref values cannot be passed from JavaScript');
  if (v === null) {
    if (!t.nullable) throw new TypeError('null is not allowed for a non-nullable reference type');
    return null;
  }
  let r: Value;
  if (top === 'func') {
    const f = typeof v === 'function' ? wrappedFuncs.get(v) : undefined;
    if (f === undefined) throw new TypeError('not an exported WebAssembly function');
    r = f;
  } else if (top === 'cont') {
    const k = isObject(v) ? contOfObject.get(v) : undefined;
    if (k === undefined) throw new TypeError('not a continuation that came from WebAssembly');
    r = k;
  } else if (top === 'extern') {
    r = externalize(jsToAny(v));
  } else {
    r = jsToAny(v);
  }
  if (!heapMatches(r as Exclude<Value, null>, t.heap)) throw new TypeError('value does not match the reference type');
  return r;
}

/** The exported function of a function instance (one per instance of a function: identity is kept). */
export function exportedFunction(f: FuncInst, invoke?: InvokeFn): (...args: unknown[]) => unknown {
  let w = funcWrappers.get(f);
  if (w !== undefined) return w;
  const run = invoke ?? engineOf(undefined);
  const ft = funcTypeOf(f.type);
  const { params, results } = ft;
  const name = f.kind === 'wasm' ? String(f.index) : String(hostIndex.get(f) ?? f.name ?? 'host');
  const convertible = hasJsType(params) && hasJsType(results);
  // an arrow function: a built-in function object that is not a constructor
  const fn = (...args: unknown[]): unknown => {
    if (!convertible) throw new TypeError('type incompatibility when transforming from/to JS');
    const vals: Value[] = [];
    for (let i = 0; i < params.length; i++) vals.push(toWasmValue(args[i], params[i]!));
    let out: Value[];
    try {
      out = run(f, vals);
    } catch (e) {
      throw fromEngine(e);
    }
    if (results.length === 0) return undefined;
    if (results.length === 1) return toJsValue(out[0]!, results[0]!);
    return results.map((t, i) => toJsValue(out[i]!, t));
  };
  Object.defineProperty(fn, 'name', { value: name });
  Object.defineProperty(fn, 'length', { value: params.length });
  w = fn;
  funcWrappers.set(f, w);
  wrappedFuncs.set(w, f);
  return w;
}

/** The function instance behind an exported function, if `v` is one. */
export const funcOfExported = (v: unknown): FuncInst | undefined =>
  typeof v === 'function' ? wrappedFuncs.get(v) : undefined;

/**
 * A host function of type `type` calling the JS function `fn` with converted arguments. What `fn`
 * throws enters Wasm as an exception (an Exception's own, or one with the JSTag tag).
 */
function hostFunctionFromJs(type: DefType, fn: (...args: unknown[]) => unknown, name?: string): FuncInst {
  const { params, results } = funcTypeOf(type);
  const convertible = hasJsType(params) && hasJsType(results);
  return hostFunc(type, (args) => {
    // Everything "run a host function" throws, its TypeErrors for a v128 or exnref in the type
    // and for results that do not convert included, enters Wasm as an exception (JS API, "create
    // a host function"): catch_all catches it, as in V8.
    try {
      if (!convertible) throw new TypeError('type incompatibility when transforming from/to JS');
      const ret = fn.apply(undefined, args.map((v, i) => toJsValue(v, params[i]!)));
      if (results.length === 0) return [];
      if (results.length === 1) return [toWasmValue(ret, results[0]!)];
      const vs = iterableToList(ret, 'a function with multiple results must return an iterable');
      if (vs.length !== results.length) throw new TypeError(`expected ${results.length} results, got ${vs.length}`);
      return vs.map((v, i) => toWasmValue(v, results[i]!));
    } catch (e) {
      throw toEngine(e);
    }
  }, name);
}

// ---- Module ------------------------------------------------------------------------------------

export type ModuleSource = Uint8Array | ArrayBuffer | ArrayBufferView | string;

const byteLengthOf = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, 'byteLength')!.get!;
// SharedArrayBuffer is not defined in a web page that is not cross-origin isolated.
const sharedByteLengthOf = typeof SharedArrayBuffer === 'function'
  ? Object.getOwnPropertyDescriptor(SharedArrayBuffer.prototype, 'byteLength')!.get!
  : undefined;

function isBufferOf(getter: () => number, v: unknown): boolean {
  if (!isObject(v)) return false;
  try {
    getter.call(v);
    return true;
  } catch {
    return false;
  }
}

/** A copy of the bytes of a BufferSource (an ArrayBuffer, a SharedArrayBuffer or a view of one); TypeError otherwise. */
function bytesOf(source: unknown): Uint8Array {
  if (ArrayBuffer.isView(source)) return new Uint8Array(source.buffer, source.byteOffset, source.byteLength).slice();
  if (isBufferOf(byteLengthOf, source) || (sharedByteLengthOf !== undefined && isBufferOf(sharedByteLengthOf, source))) {
    return new Uint8Array(source as ArrayBuffer).slice();
  }
  throw new TypeError('the module source must be an ArrayBuffer or a view of one (or WAT text)');
}

/** Bytes are WAT text when they do not start with a NUL byte (a binary module starts with "\0asm"). */
const isText = (b: Uint8Array): boolean => b.length > 0 && b[0] !== 0;

export interface ModuleImportDescriptor { readonly module: string; readonly name: string; readonly kind: ImportExportKind }
export interface ModuleExportDescriptor { readonly name: string; readonly kind: ImportExportKind }
export type ImportExportKind = 'function' | 'table' | 'memory' | 'global' | 'tag';

const kindName = (k: ExternKind): ImportExportKind => (k === 'func' ? 'function' : k);

const modules = new WeakSet<object>();

function checkModule(m: unknown): asserts m is Module {
  if (!isObject(m) || !modules.has(m)) throw new TypeError('not a WebAssembly.Module');
}

/** A validated module (WebAssembly.Module): from a binary, or from WAT text (a string, or bytes without the magic). */
export class Module {
  readonly ast: AstModule;
  readonly valid: ValidModule;

  /** `options`: WebAssembly's compile options (ignored: no builtin sets exist), or a file name for diagnostics. */
  constructor(source: ModuleSource, options?: string | object) {
    atLeast(arguments, 1, 'WebAssembly.Module');
    const file = typeof options === 'string' ? options : undefined;
    let text: string | undefined;
    let bytes: Uint8Array | undefined;
    if (typeof source === 'string') text = source;
    else {
      bytes = bytesOf(source);
      if (isText(bytes)) text = new TextDecoder().decode(bytes);
    }
    try {
      const ast = text !== undefined ? parseModule(text, file) : decodeModule(bytes!, file === undefined ? undefined : { name: file });
      this.ast = ast;
      // (a text module always has a source, so that errors and backtraces show line:col)
      const src = text !== undefined ? { name: file ?? '<input>', text } : file === undefined ? undefined : { name: file };
      this.valid = validateModule(ast, src);
    } catch (e) {
      throw compileError(e);
    }
    modules.add(this);
  }

  static exports(moduleObject: Module): ModuleExportDescriptor[] {
    atLeast(arguments, 1, 'WebAssembly.Module.exports');
    checkModule(moduleObject);
    return moduleObject.ast.exports.map((ex) => ({ name: ex.name, kind: kindName(ex.kind) }));
  }

  static imports(moduleObject: Module): ModuleImportDescriptor[] {
    atLeast(arguments, 1, 'WebAssembly.Module.imports');
    checkModule(moduleObject);
    return moduleObject.ast.imports.map((im) => ({ module: im.module, name: im.name, kind: kindName(im.desc.kind) }));
  }

  static customSections(moduleObject: Module, sectionName: string): ArrayBuffer[] {
    atLeast(arguments, 2, 'WebAssembly.Module.customSections');
    checkModule(moduleObject);
    const name = toStringValue(sectionName);
    return moduleObject.ast.customs.filter((c) => c.name === name).map((c) => c.bytes.slice().buffer);
  }
}
idlInterface(Module, 'WebAssembly.Module', 1, ['exports', 'imports', 'customSections']);

// ---- Memory, Table, Global, Tag ----------------------------------------------------------------------

const MEMORY = new WeakMap<object, MemoryInst>();
const TABLE = new WeakMap<object, TableInst>();
const GLOBAL = new WeakMap<object, GlobalInst>();
const TAG = new WeakMap<object, TagInst>();
const wrappers = new WeakMap<object, object>();

function slot<T>(map: WeakMap<object, T>, self: unknown, what: string): T {
  const v = isObject(self) ? map.get(self) : undefined;
  if (v === undefined) throw new TypeError(`not a ${what}`);
  return v;
}

function wrap<T extends object>(proto: object, map: WeakMap<object, unknown>, inst: object): T {
  let w = wrappers.get(inst);
  if (w === undefined) {
    w = Object.create(proto) as object;
    map.set(w, inst);
    wrappers.set(inst, w);
  }
  return w as T;
}

function init(self: object, map: WeakMap<object, unknown>, inst: object): void {
  map.set(self, inst);
  wrappers.set(inst, self);
}

export interface MemoryDescriptor {
  readonly initial: number | bigint;
  readonly maximum?: number | bigint;
  readonly address?: 'i32' | 'i64';
  readonly shared?: boolean;
}

/** WebAssembly.Memory. `buffer` is the memory's ArrayBuffer (a grow detaches it and makes a new one). */
export class Memory {
  constructor(descriptor: MemoryDescriptor) {
    atLeast(arguments, 1, 'WebAssembly.Memory');
    const d = dictionary(descriptor, 'the memory descriptor');
    const at = addressType(d);
    const min = addressValue(required(d, 'initial', 'the memory descriptor'), at, 'initial');
    const maxV = d['maximum'];
    const max = maxV === undefined ? null : addressValue(maxV, at, 'maximum');
    if (Boolean(d['shared'])) throw new TypeError('shared memories are not supported');
    if (max !== null && max < min) throw new RangeError('the maximum is below the initial size');
    const limit = at === 'i32' ? 65536n : 1n << 48n;
    if (min > limit || (max !== null && max > limit)) throw new RangeError('memory size out of range');
    let inst: MemoryInstance;
    try {
      inst = new MemoryInstance({ addr: at, limits: { min, max } });
    } catch {
      throw new RangeError('could not allocate memory');
    }
    init(this, MEMORY, inst);
  }

  get buffer(): ArrayBuffer {
    return slot(MEMORY, this, 'WebAssembly.Memory').buffer;
  }

  /** The buffer, which is always a fixed-length ArrayBuffer here. */
  toFixedLengthBuffer(): ArrayBuffer {
    return slot(MEMORY, this, 'WebAssembly.Memory').buffer;
  }

  /** Grows by `delta` pages; returns the old size in pages. RangeError on failure. */
  grow(delta: number | bigint): number | bigint {
    const inst = slot(MEMORY, this, 'WebAssembly.Memory');
    atLeast(arguments, 1, 'WebAssembly.Memory.prototype.grow');
    const d = addressValue(delta, inst.type.addr, 'delta');
    const old = d > BigInt(Number.MAX_SAFE_INTEGER) ? -1 : inst.grow(Number(d));
    if (old < 0) throw new RangeError('failed to grow memory');
    return addressResult(old, inst.type.addr);
  }

  /** The runtime instance. */
  static instanceOf(m: Memory): MemoryInst {
    return slot(MEMORY, m, 'WebAssembly.Memory');
  }

  static wrap(inst: MemoryInst): Memory {
    return wrap(Memory.prototype, MEMORY, inst);
  }
}
idlInterface(Memory, 'WebAssembly.Memory', 1);

export interface TableDescriptor {
  readonly element: string;
  readonly initial: number | bigint;
  readonly maximum?: number | bigint;
  readonly address?: 'i32' | 'i64';
}

/** The JS API's DefaultValue of a reference type: undefined as an externref, null otherwise (TypeError when not nullable). */
function defaultRef(t: CRefType): Value {
  return topHeap(t.heap) === 'extern' ? toWasmValue(undefined, t) : toWasmValue(null, t);
}

/** WebAssembly.Table. */
export class Table {
  constructor(descriptor: TableDescriptor, value?: unknown) {
    atLeast(arguments, 1, 'WebAssembly.Table');
    const d = dictionary(descriptor, 'the table descriptor');
    const elem = valueTypeOf(required(d, 'element', 'the table descriptor'));
    if (typeof elem !== 'object') throw new TypeError('the table element type must be a reference type');
    const at = addressType(d);
    const min = addressValue(required(d, 'initial', 'the table descriptor'), at, 'initial');
    const maxV = d['maximum'];
    const max = maxV === undefined ? null : addressValue(maxV, at, 'maximum');
    if (max !== null && max < min) throw new RangeError('the maximum is below the initial size');
    const init0 = value === undefined ? defaultRef(elem) : toWasmValue(value, elem);
    let inst: TableInstance;
    try {
      inst = new TableInstance({ addr: at, limits: { min, max }, elem }, init0);
    } catch {
      throw new RangeError('could not allocate the table');
    }
    init(this, TABLE, inst);
  }

  get length(): number | bigint {
    const inst = slot(TABLE, this, 'WebAssembly.Table');
    return addressResult(inst.elems.length, inst.type.addr);
  }

  get(index: number | bigint): unknown {
    const inst = slot(TABLE, this, 'WebAssembly.Table');
    atLeast(arguments, 1, 'WebAssembly.Table.prototype.get');
    const t = inst.type.elem;
    if (noJsType(t)) throw new TypeError('the elements of this table cannot be passed to JavaScript');
    const i = addressValue(index, inst.type.addr, 'index');
    if (i >= BigInt(inst.elems.length)) throw new RangeError('table index out of bounds');
    return toJsValue(inst.elems[Number(i)]!, t);
  }

  set(index: number | bigint, value?: unknown): void {
    const inst = slot(TABLE, this, 'WebAssembly.Table');
    atLeast(arguments, 1, 'WebAssembly.Table.prototype.set');
    const t = inst.type.elem;
    if (noJsType(t)) throw new TypeError('the elements of this table cannot be passed from JavaScript');
    const i = addressValue(index, inst.type.addr, 'index');
    // (an explicit undefined is a value here, as the JS API tests expect)
    const ref = arguments.length < 2 ? defaultRef(t) : toWasmValue(value, t);
    if (i >= BigInt(inst.elems.length)) throw new RangeError('table index out of bounds');
    inst.elems[Number(i)] = ref;
  }

  /** Grows by `delta` entries of `value`; returns the old length. RangeError on failure. */
  grow(delta: number | bigint, value?: unknown): number | bigint {
    const inst = slot(TABLE, this, 'WebAssembly.Table');
    atLeast(arguments, 1, 'WebAssembly.Table.prototype.grow');
    const at = inst.type.addr;
    const d = addressValue(delta, at, 'delta');
    const t = inst.type.elem;
    const ref = arguments.length < 2 ? defaultRef(t) : toWasmValue(value, t);
    const old = d > BigInt(Number.MAX_SAFE_INTEGER) ? -1 : inst.grow(Number(d), ref);
    if (old < 0) throw new RangeError('failed to grow table');
    return addressResult(old, at);
  }

  static instanceOf(t: Table): TableInst {
    return slot(TABLE, t, 'WebAssembly.Table');
  }

  static wrap(inst: TableInst): Table {
    return wrap(Table.prototype, TABLE, inst);
  }
}
idlInterface(Table, 'WebAssembly.Table', 1);
setLength(Table.prototype.grow, 1);
setLength(Table.prototype.set, 1);

export interface GlobalDescriptor {
  readonly value: string;
  readonly mutable?: boolean;
}

/** WebAssembly.Global. */
export class Global {
  constructor(descriptor: GlobalDescriptor, value?: unknown) {
    atLeast(arguments, 1, 'WebAssembly.Global');
    const d = dictionary(descriptor, 'the global descriptor');
    const mutable = Boolean(d['mutable']);
    const t = valueTypeOf(required(d, 'value', 'the global descriptor'));
    if (noJsType(t)) throw new TypeError('globals of this type cannot be created from JavaScript');
    const v = value === undefined
      ? (typeof t === 'object' ? defaultRef(t) : toWasmValue(t === 'i64' ? 0n : 0, t))
      : toWasmValue(value, t);
    init(this, GLOBAL, new GlobalInstance({ mutable, type: t }, v));
  }

  get value(): unknown {
    const g = slot(GLOBAL, this, 'WebAssembly.Global');
    if (noJsType(g.type.type)) throw new TypeError('the value of this global cannot be passed to JavaScript');
    return toJsValue(g.value, g.type.type);
  }

  set value(v: unknown) {
    const g = slot(GLOBAL, this, 'WebAssembly.Global');
    atLeast(arguments, 1, "WebAssembly.Global.prototype.value's setter");
    if (noJsType(g.type.type)) throw new TypeError('the value of this global cannot be passed from JavaScript');
    if (!g.type.mutable) throw new TypeError("can't set the value of an immutable global");
    g.value = toWasmValue(v, g.type.type);
  }

  valueOf(): unknown {
    const g = slot(GLOBAL, this, 'WebAssembly.Global');
    if (noJsType(g.type.type)) throw new TypeError('the value of this global cannot be passed to JavaScript');
    return toJsValue(g.value, g.type.type);
  }

  static instanceOf(g: Global): GlobalInst {
    return slot(GLOBAL, g, 'WebAssembly.Global');
  }

  static wrap(inst: GlobalInst): Global {
    return wrap(Global.prototype, GLOBAL, inst);
  }
}
idlInterface(Global, 'WebAssembly.Global', 1);

export interface TagDescriptor {
  readonly parameters: readonly string[];
}

/** A WebIDL sequence: an iterable object, as an array. */
function sequence(v: unknown, what: string): unknown[] {
  if (!isObject(v)) throw new TypeError(`${what} must be an iterable object`);
  return iterableToList(v, `${what} must be an iterable object`);
}

/** WebAssembly.Tag. */
export class Tag {
  constructor(type: TagDescriptor) {
    atLeast(arguments, 1, 'WebAssembly.Tag');
    const d = dictionary(type, 'the tag type');
    const params = sequence(required(d, 'parameters', 'the tag type'), 'parameters').map(valueTypeOf);
    init(this, TAG, new TagInstance(funcType(params, [])));
  }

  static instanceOf(t: Tag): TagInst {
    return slot(TAG, t, 'WebAssembly.Tag');
  }

  static wrap(inst: TagInst): Tag {
    return wrap(Tag.prototype, TAG, inst);
  }
}
idlInterface(Tag, 'WebAssembly.Tag', 1);

/** The JSTag as a Tag object. */
const jsTagObject = (): Tag => Tag.wrap(JS_TAG);

export interface ExceptionOptions {
  readonly traceStack?: boolean;
}

const EXCEPTION = new WeakMap<object, WasmExn>();
const STACKS = new WeakMap<object, string | undefined>();

/** WebAssembly.Exception: a Wasm exception (a tag and its payload), one object per exception. */
export class Exception {
  constructor(exceptionTag: Tag, payload: readonly unknown[], options?: ExceptionOptions) {
    atLeast(arguments, 2, 'WebAssembly.Exception');
    const tag = slot(TAG, exceptionTag, 'WebAssembly.Tag');
    const values = sequence(payload, 'the payload');
    const opts = dictionary(options, 'the exception options');
    const traceStack = Boolean(opts['traceStack']);
    if (tag === JS_TAG) throw new TypeError('an Exception cannot be made with WebAssembly.JSTag');
    const { params } = funcTypeOf(tag.type);
    if (values.length !== params.length) throw new TypeError(`the tag takes ${params.length} values, not ${values.length}`);
    const wasm = params.map((t, i) => {
      if (noJsType(t)) throw new TypeError('the payload of this tag cannot be passed from JavaScript');
      return toWasmValue(values[i], t);
    });
    const exn = new WasmExn(tag, wasm);
    EXCEPTION.set(this, exn);
    exceptionObjects.set(exn, this);
    STACKS.set(this, traceStack ? new Error().stack?.replace(/^Error\n/, '') : undefined);
  }

  getArg(exceptionTag: Tag, index: number): unknown {
    const exn = slot(EXCEPTION, this, 'WebAssembly.Exception');
    atLeast(arguments, 2, 'WebAssembly.Exception.prototype.getArg');
    const tag = slot(TAG, exceptionTag, 'WebAssembly.Tag');
    const i = enforceRangeU32(index, 'index');
    if (exn.tag !== tag) throw new TypeError('the exception does not have this tag');
    if (i >= exn.payload.length) throw new RangeError('index out of bounds');
    const t = funcTypeOf(tag.type).params[i]!;
    if (noJsType(t)) throw new TypeError('this value cannot be passed to JavaScript');
    return toJsValue(exn.payload[i]!, t);
  }

  is(exceptionTag: Tag): boolean {
    const exn = slot(EXCEPTION, this, 'WebAssembly.Exception');
    atLeast(arguments, 1, 'WebAssembly.Exception.prototype.is');
    return exn.tag === slot(TAG, exceptionTag, 'WebAssembly.Tag');
  }

  get stack(): string | undefined {
    slot(EXCEPTION, this, 'WebAssembly.Exception');
    return STACKS.get(this);
  }

  /** The Wasm exception of an Exception object, if `e` is one. */
  static exnOf(e: object): WasmExn | undefined {
    return EXCEPTION.get(e);
  }

  /** The Exception object of a Wasm exception (made on first use). */
  static wrap(exn: WasmExn): Exception {
    let e = exceptionObjects.get(exn);
    if (e === undefined) {
      e = Object.create(Exception.prototype) as Exception;
      EXCEPTION.set(e, exn);
      STACKS.set(e, undefined);
      exceptionObjects.set(exn, e);
    }
    return e;
  }
}
idlInterface(Exception, 'WebAssembly.Exception', 1);

// ---- Instance ----------------------------------------------------------------------------------

/** An extern value as a JS value (exports). */
function externToJs(ev: ExternVal, invoke?: InvokeFn): unknown {
  switch (ev.kind) {
    case 'func': return exportedFunction(ev.value, invoke);
    case 'table': return Table.wrap(ev.value);
    case 'memory': return Memory.wrap(ev.value);
    case 'global': return Global.wrap(ev.value);
    case 'tag': return Tag.wrap(ev.value);
  }
}

/** The optional `importObject` argument: undefined, or an object (TypeError otherwise). */
function checkImportObject(importObject: unknown): void {
  if (importObject !== undefined && !isObject(importObject)) throw new TypeError('the imports argument must be an object');
}

/** Reads the imports of a module from an import object (the JS API's "read the imports"). */
function readImports(module: Module, importObject: ImportObject | undefined): ExternVal[] {
  checkModule(module);
  checkImportObject(importObject);
  const vm = module.valid;
  if (module.ast.imports.length > 0 && importObject === undefined) {
    throw new TypeError('the module has imports: an imports argument must be present');
  }
  let funcs = 0;
  return module.ast.imports.map((im, i): ExternVal => {
    const o = (importObject as Record<string, unknown>)[im.module];
    if (!isObject(o)) throw new TypeError(`import object field ${JSON.stringify(im.module)} is not an object`);
    const v = (o as Record<string, unknown>)[im.name];
    const what = `import ${JSON.stringify(im.module)}.${JSON.stringify(im.name)}`;
    const et = vm.imports[i]!;
    switch (et.kind) {
      case 'func': {
        if (typeof v !== 'function') throw new LinkError(`${what}: function import requires a callable`);
        let f = wrappedFuncs.get(v);
        if (f === undefined) {
          f = hostFunctionFromJs(et.type, v as (...a: unknown[]) => unknown, im.name);
          hostIndex.set(f, funcs);
        }
        funcs++;
        return { kind: 'func', value: f };
      }
      case 'global': {
        const g = isObject(v) ? GLOBAL.get(v) : undefined;
        if (g !== undefined) return { kind: 'global', value: g };
        const t = et.type.type;
        if (t === 'i64' && typeof v !== 'bigint') throw new LinkError(`${what}: global import must be a BigInt or WebAssembly.Global`);
        if ((t === 'i32' || t === 'f32' || t === 'f64') && typeof v !== 'number') {
          throw new LinkError(`${what}: global import must be a Number or WebAssembly.Global`);
        }
        if (noJsType(t)) throw new LinkError(`${what}: a global import of this type must be a WebAssembly.Global`);
        let value: Value;
        try {
          value = toWasmValue(v, t);
        } catch (e) {
          if (e instanceof TypeError) throw new LinkError(`${what}: ${e.message}`);
          throw e;
        }
        return { kind: 'global', value: new GlobalInstance({ mutable: false, type: t }, value) };
      }
      case 'memory': {
        const m = isObject(v) ? MEMORY.get(v) : undefined;
        if (m === undefined) throw new LinkError(`${what}: memory import must be a WebAssembly.Memory`);
        return { kind: 'memory', value: m };
      }
      case 'table': {
        const t = isObject(v) ? TABLE.get(v) : undefined;
        if (t === undefined) throw new LinkError(`${what}: table import must be a WebAssembly.Table`);
        return { kind: 'table', value: t };
      }
      case 'tag': {
        const t = isObject(v) ? TAG.get(v) : undefined;
        if (t === undefined) throw new LinkError(`${what}: tag import must be a WebAssembly.Tag`);
        return { kind: 'tag', value: t };
      }
    }
  });
}

const INSTANCE_EXPORTS = new WeakMap<object, Record<string, unknown>>();

/** WebAssembly.Instance. */
export class Instance {
  /** the runtime instance */
  declare readonly instance: ModuleInstance;

  constructor(module: Module, importObject?: ImportObject, options?: JsApiOptions) {
    atLeast(arguments, 1, 'WebAssembly.Instance');
    checkModule(module);
    checkImportObject(importObject);
    const invoke = engineOf(options);
    const imports = readImports(module, importObject);
    let instance: ModuleInstance;
    try {
      instance = instantiateCore(module.valid, imports, { invoke });
    } catch (e) {
      throw fromEngine(e);
    }
    Object.defineProperty(this, 'instance', { value: instance, writable: false, enumerable: false, configurable: false });
    const exports = Object.create(null) as Record<string, unknown>;
    for (const [name, ev] of instance.exports) exports[name] = externToJs(ev, invoke);
    INSTANCE_EXPORTS.set(this, Object.freeze(exports));
  }

  get exports(): Record<string, unknown> {
    return slot(INSTANCE_EXPORTS, this, 'WebAssembly.Instance');
  }
}
idlInterface(Instance, 'WebAssembly.Instance', 1);

// ---- instantiate -------------------------------------------------------------------------------

export interface WebAssemblyInstantiatedSource {
  readonly module: Module;
  readonly instance: Instance;
}

const isModule = (v: unknown): v is Module => isObject(v) && modules.has(v);

/** wasmfx's instantiate, synchronously: compiles (unless given a Module) and instantiates. */
export function instantiateSync(source: ModuleSource | Module, importObject?: ImportObject, options?: JsApiOptions): WebAssemblyInstantiatedSource {
  if (usesLowered(source, options)) return instantiateLowered(source, importObject) as unknown as WebAssemblyInstantiatedSource;
  checkImportObject(importObject);
  const module = isModule(source) ? source : new Module(source as ModuleSource);
  return { module, instance: new Instance(module, importObject, options) };
}

/**
 * Which engine `instantiate` uses: `lowered` unless asked for the interpreter (by name, or by
 * giving interpreter options or an invoke function), given a Module of the interpreter's, or
 * on a host without the Wasm 3.0 features lowered modules need (src/host/host-wasm3.ts).
 */
function usesLowered(source: unknown, options: JsApiOptions | undefined): boolean {
  if (options?.engine !== undefined) return options.engine === 'lowered';
  if (options?.invoke !== undefined || options?.engineOptions !== undefined) return false;
  // (a host without Wasm 3.0 could not run the lowered modules: the interpreter runs them all)
  return !isModule(source as ModuleSource | Module) && runsLoweredModules((globalThis as { WebAssembly?: { validate(b: Uint8Array): boolean } }).WebAssembly ?? NO_HOST);
}
const NO_HOST = { validate: (): boolean => false };

/**
 * The `lowered` engine: bytes or WAT text (a Module of the polyfill too) compiled by the polyfill
 * namespace, which lowers stack switching and runs the result on the host's engine.
 */
function instantiateLowered(source: unknown, importObject?: ImportObject): { module: unknown; instance: unknown } {
  const W = Polyfill as unknown as {
    Module: new (b: Uint8Array) => object; Instance: new (m: object, i?: ImportObject) => object; CompileError: new (m: string, o?: object) => Error;
  };
  let module: object;
  if (source instanceof W.Module) module = source;
  else {
    let bytes: Uint8Array;
    const text = typeof source === 'string' ? source
      : source instanceof Uint8Array && !(source[0] === 0 && source[1] === 0x61 && source[2] === 0x73 && source[3] === 0x6d)
        ? new TextDecoder().decode(source) : null;
    if (text !== null) {
      try {
        const m = parseModule(text, '<input>');
        validateModule(m, { name: '<input>', text });
        bytes = encodeModule(m);
      } catch (e) {
        if (isWasmError(e)) throw new W.CompileError(e.format(), { cause: e });
        throw e;
      }
    } else bytes = source instanceof Uint8Array ? source : new Uint8Array(source as ArrayBuffer);
    module = new W.Module(bytes);
  }
  return { module, instance: new W.Instance(module, importObject) };
}

/**
 * wasmfx's instantiate: compiles (unless given a Module) and instantiates; resolves to
 * `{ module, instance }` whatever the source (the namespace's `WebAssembly.instantiate`
 * resolves to the Instance alone when given a Module, as the JS API specifies).
 */
export async function instantiate(source: ModuleSource | Module, importObject?: ImportObject, options?: JsApiOptions): Promise<WebAssemblyInstantiatedSource> {
  return instantiateSync(source, importObject, options);
}

/**
 * WebAssembly.instantiate: given bytes (or WAT text), compiles and instantiates them and resolves
 * to `{ module, instance }`; given a Module, resolves to the Instance. The import object is read
 * at once for a Module, after compiling for bytes; the instantiation runs in a later task.
 */
function instantiateJsApi(source: Module, importObject?: ImportObject, options?: JsApiOptions): Promise<Instance>;
function instantiateJsApi(source: ModuleSource, importObject?: ImportObject, options?: JsApiOptions): Promise<WebAssemblyInstantiatedSource>;
async function instantiateJsApi(source: ModuleSource | Module, importObject?: ImportObject, options?: JsApiOptions): Promise<WebAssemblyInstantiatedSource | Instance> {
  if (isModule(source)) {
    checkImportObject(importObject);
    const imports = readImports(source, importObject);
    await undefined;
    return instantiated(source, imports, options);
  }
  if (arguments.length < 1) throw new TypeError('WebAssembly.instantiate: 1 argument required, but only 0 present');
  const module = new Module(source);
  checkImportObject(importObject);
  await undefined;
  const imports = readImports(module, importObject);
  await undefined;
  return { module, instance: instantiated(module, imports, options) };
}
Object.defineProperty(instantiateJsApi, 'name', { value: 'instantiate' });
setLength(instantiateJsApi, 1);

/** An Instance of a module from imports already read. */
function instantiated(module: Module, imports: ExternVal[], options?: JsApiOptions): Instance {
  const invoke = engineOf(options);
  let instance: ModuleInstance;
  try {
    instance = instantiateCore(module.valid, imports, { invoke });
  } catch (e) {
    throw fromEngine(e);
  }
  const obj = Object.create(Instance.prototype) as Instance;
  Object.defineProperty(obj, 'instance', { value: instance, writable: false, enumerable: false, configurable: false });
  const exports = Object.create(null) as Record<string, unknown>;
  for (const [name, ev] of instance.exports) exports[name] = externToJs(ev, invoke);
  INSTANCE_EXPORTS.set(obj, Object.freeze(exports));
  return obj;
}

/** WebAssembly.validate: whether the bytes (or text) are a valid module. TypeError when `bytes` is no BufferSource. */
export function validate(bytes: ModuleSource): boolean {
  atLeast(arguments, 1, 'WebAssembly.validate');
  if (typeof bytes !== 'string') bytes = bytesOf(bytes);
  try {
    new Module(bytes);
    return true;
  } catch (e) {
    if (e instanceof CompileError) return false;
    throw e;
  }
}
setLength(validate, 1);

/** WebAssembly.compile: a promise of the Module. */
export async function compile(bytes: ModuleSource): Promise<Module> {
  if (arguments.length < 1) throw new TypeError('WebAssembly.compile: 1 argument required, but only 0 present');
  return new Module(bytes);
}
setLength(compile, 1);

// ---- the namespace -----------------------------------------------------------------------------

export interface WebAssemblyNamespace {
  readonly Module: typeof Module;
  readonly Instance: typeof Instance;
  readonly Memory: typeof Memory;
  readonly Table: typeof Table;
  readonly Global: typeof Global;
  readonly Tag: typeof Tag;
  readonly Exception: typeof Exception;
  readonly CompileError: typeof CompileError;
  readonly LinkError: typeof LinkError;
  readonly RuntimeError: typeof RuntimeError;
  readonly JSTag: Tag;
  readonly validate: typeof validate;
  readonly compile: typeof compile;
  readonly instantiate: typeof instantiateJsApi;
}

const member = (value: unknown, enumerable: boolean): PropertyDescriptor => ({ value, writable: true, enumerable, configurable: true });

/**
 * The JS API's `WebAssembly` namespace object, run by wasmfx: interfaces and error classes are
 * non-enumerable properties, operations enumerable ones, `JSTag` a getter, @@toStringTag "WebAssembly".
 */
export const WebAssembly: WebAssemblyNamespace = Object.create(Object.prototype, {
  Module: member(Module, false),
  Instance: member(Instance, false),
  Memory: member(Memory, false),
  Table: member(Table, false),
  Global: member(Global, false),
  Tag: member(Tag, false),
  Exception: member(Exception, false),
  CompileError: member(CompileError, false),
  LinkError: member(LinkError, false),
  RuntimeError: member(RuntimeError, false),
  validate: member(validate, true),
  compile: member(compile, true),
  instantiate: member(instantiateJsApi, true),
  JSTag: { get: Object.defineProperty(() => jsTagObject(), 'name', { value: 'get JSTag' }), enumerable: true, configurable: true },
  [Symbol.toStringTag]: { value: 'WebAssembly', writable: false, enumerable: false, configurable: true },
}) as WebAssemblyNamespace;

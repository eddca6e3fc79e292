// The JS API, shaped like the WebAssembly namespace of the JS API specification:
// `instantiate` / `instantiateSync`, `Module`, `Instance`, `Memory`, `Table`, `Global`,
// `Tag`, with the spec's value conversions (ToJSValue / ToWebAssemblyValue):
//
//   i32 <-> Number (ToInt32)          i64 <-> BigInt (ToBigInt64)
//   f32 <-> Number (rounded to f32)   f64 <-> Number
//   v128, exnref, contref: TypeError at the boundary
//   funcref: exported functions (one wrapper per function instance, cached)
//   externref: any JS value (null is the null reference); GC objects and i31 numbers
//     round-trip through extern.convert_any
//   anyref family: integers in the i31 range <-> i31ref, GC objects <-> opaque frozen
//     objects (one per struct/array), other JS values as host references
//
// Errors: our LinkError / MalformedError / ValidationError / Trap ... (src/util/errors.ts)
// where the JS API has WebAssembly.LinkError / CompileError / RuntimeError; TypeError and
// RangeError as in the JS API.

import { decodeModule } from '../binary/decoder.ts';
import { invoke as engineInvoke, type EngineOptions } from '../exec/engine.ts';
import { parseModule } from '../text/parser.ts';
import { f32FromBits, f32ToBits } from '../text/numbers.ts';
import type { Module as AstModule } from '../syntax/ast.ts';
import type { AddrType, ExternKind } from '../syntax/types.ts';
import { LinkError } from '../util/errors.ts';
import {
  type CRefType, type CValType, type DefType, funcTypeOf, refType, topHeap,
} from '../valid/types.ts';
import { validateModule, type ValidModule } from '../valid/validator.ts';
import { funcType, hostFunc } from '../runtime/func.ts';
import { externalize, heapMatches, internalize } from '../runtime/gc.ts';
import { Global as GlobalInstance } from '../runtime/global.ts';
import { ModuleInstance } from '../runtime/instance.ts';
import { instantiate as instantiateCore } from '../runtime/instantiate.ts';
import { Memory as MemoryInstance } from '../runtime/memory.ts';
import { Table as TableInstance } from '../runtime/table.ts';
import { Tag as TagInstance } from '../runtime/tag.ts';
import {
  ExternAny, HostRef, WasmArray, WasmStruct,
  type ExternVal, type FuncInst, type GlobalInst, type MemoryInst, type TableInst, type TagInst, type Value,
} from '../runtime/value.ts';

export type InvokeFn = (f: FuncInst, args: Value[]) => Value[];

export interface JsApiOptions {
  /** the execution engine; only the interpreter exists */
  readonly engine?: 'interp';
  /** the interpreter's options (fuel, stack limits, interrupt flag) for every call */
  readonly engineOptions?: EngineOptions;
  /** runs functions instead of the engine's `invoke` (tests, embedders with their own engine) */
  readonly invoke?: InvokeFn;
}

export type ImportObject = Record<string, Record<string, unknown>>;

// ---- the engine ----------------------------------------------------------------------------

let defaultInvoke: InvokeFn = (f, args) => engineInvoke(f, args);

/** Replaces the function that runs Wasm functions when no `options.invoke` is given (default: the interpreter). */
export function setDefaultInvoke(f: InvokeFn | undefined): void {
  defaultInvoke = f ?? ((g, args) => engineInvoke(g, args));
}

function engineOf(options: JsApiOptions | undefined): InvokeFn {
  if (options?.engine !== undefined && options.engine !== 'interp') throw new TypeError(`unknown engine: ${String(options.engine)}`);
  if (options?.invoke !== undefined) return options.invoke;
  const eo = options?.engineOptions;
  if (eo !== undefined) return (f, args) => engineInvoke(f, args, eo);
  return (f, args) => defaultInvoke(f, args);
}

// ---- value types by name (descriptors of Global, Table, Tag) ------------------------------------

const VALUE_TYPES: Readonly<Record<string, CValType>> = {
  i32: 'i32', i64: 'i64', f32: 'f32', f64: 'f64', v128: 'v128',
  externref: refType(true, 'extern'), funcref: refType(true, 'func'), anyfunc: refType(true, 'func'),
  anyref: refType(true, 'any'), eqref: refType(true, 'eq'), i31ref: refType(true, 'i31'),
  structref: refType(true, 'struct'), arrayref: refType(true, 'array'), exnref: refType(true, 'exn'),
  nullref: refType(true, 'none'), nullfuncref: refType(true, 'nofunc'), nullexternref: refType(true, 'noextern'),
  nullexnref: refType(true, 'noexn'),
};

function valueTypeOf(s: unknown): CValType {
  const t = VALUE_TYPES[String(s)];
  if (t === undefined) throw new TypeError(`invalid value type: ${String(s)}`);
  return t;
}

function refTypeOf(s: unknown): CRefType {
  const t = valueTypeOf(s);
  if (typeof t !== 'object') throw new TypeError(`invalid table element type: ${String(s)}`);
  return t;
}

// ---- conversions -------------------------------------------------------------------------------

/** Exported function wrapper per function instance, and back. */
const funcWrappers = new WeakMap<FuncInst, (...args: unknown[]) => unknown>();
const wrappedFuncs = new WeakMap<object, FuncInst>();
/** Opaque JS object per GC object, and back. */
const gcWrappers = new WeakMap<WasmStruct | WasmArray, object>();
const wrappedGc = new WeakMap<object, WasmStruct | WasmArray>();

const isI31 = (v: unknown): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= -0x4000_0000 && v <= 0x3fff_ffff && !Object.is(v, -0);

function toNumber(v: unknown): number {
  return +(v as number); // ToNumber: TypeError for BigInt and Symbol
}

function toBigInt64(v: unknown): bigint {
  if (typeof v === 'bigint') return BigInt.asIntN(64, v);
  if (typeof v === 'boolean') return v ? 1n : 0n;
  if (typeof v === 'string') {
    try {
      return BigInt.asIntN(64, BigInt(v));
    } catch {
      throw new SyntaxError(`cannot convert ${JSON.stringify(v)} to a BigInt`);
    }
  }
  if (typeof v === 'object' && v !== null) return toBigInt64((v as { valueOf(): unknown }).valueOf());
  throw new TypeError(`cannot convert ${typeof v} to a BigInt`);
}

function gcObjectToJs(r: WasmStruct | WasmArray): object {
  let w = gcWrappers.get(r);
  if (w === undefined) {
    w = Object.freeze(Object.create(null) as object);
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
  if (typeof v === 'object' || typeof v === 'function') {
    const r = wrappedGc.get(v as object);
    if (r !== undefined) return r;
  }
  return new HostRef(v);
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
    default: throw new TypeError('exnref and contref values cannot be passed to JavaScript');
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
  if (top === 'exn' || top === 'cont') throw new TypeError('exnref and contref values cannot be passed from JavaScript');
  if (v === null) {
    if (!t.nullable) throw new TypeError('null is not allowed for a non-nullable reference type');
    return null;
  }
  let r: Value;
  if (top === 'func') {
    const f = typeof v === 'function' ? wrappedFuncs.get(v) : undefined;
    if (f === undefined) throw new TypeError('not an exported WebAssembly function');
    r = f;
  } else if (top === 'extern') {
    r = externalize(jsToAny(v));
  } else {
    r = jsToAny(v);
  }
  if (!heapMatches(r as Exclude<Value, null>, t.heap)) throw new TypeError('value does not match the reference type');
  return r;
}

const hasJsType = (ts: readonly CValType[]): boolean =>
  ts.every((t) => t !== 'v128' && t !== 'bot' && (typeof t !== 'object' || (topHeap(t.heap) !== 'exn' && topHeap(t.heap) !== 'cont')));

/** The exported function of a function instance (one per instance of a function: identity is kept). */
export function exportedFunction(f: FuncInst, invoke?: InvokeFn): (...args: unknown[]) => unknown {
  let w = funcWrappers.get(f);
  if (w !== undefined) return w;
  const run = invoke ?? engineOf(undefined);
  const ft = funcTypeOf(f.type);
  const { params, results } = ft;
  const name = f.kind === 'wasm' ? String(f.index) : (f.name ?? 'host');
  const convertible = hasJsType(params) && hasJsType(results);
  const fn = function (...args: unknown[]): unknown {
    if (!convertible) throw new TypeError('type incompatibility when transforming from/to JS');
    const vals: Value[] = [];
    for (let i = 0; i < params.length; i++) vals.push(toWasmValue(args[i], params[i]!));
    const out = run(f, vals);
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

/** A host function of type `type` calling the JS function `fn` with converted arguments. */
export function hostFunctionFromJs(type: DefType, fn: (...args: unknown[]) => unknown, name?: string): FuncInst {
  const { params, results } = funcTypeOf(type);
  return hostFunc(type, (args) => {
    if (!hasJsType(params) || !hasJsType(results)) throw new TypeError('type incompatibility when transforming from/to JS');
    const ret = fn.apply(undefined, args.map((v, i) => toJsValue(v, params[i]!)));
    if (results.length === 0) return [];
    if (results.length === 1) return [toWasmValue(ret, results[0]!)];
    if (ret === null || (typeof ret !== 'object' && typeof ret !== 'function') || typeof (ret as Iterable<unknown>)[Symbol.iterator] !== 'function') {
      throw new TypeError('a function with multiple results must return an iterable');
    }
    const vs = [...(ret as Iterable<unknown>)];
    if (vs.length !== results.length) throw new TypeError(`expected ${results.length} results, got ${vs.length}`);
    return vs.map((v, i) => toWasmValue(v, results[i]!));
  }, name);
}

// ---- Module ------------------------------------------------------------------------------------

export type ModuleSource = Uint8Array | ArrayBuffer | ArrayBufferView | string;

function bytesOf(source: Exclude<ModuleSource, string>): Uint8Array {
  if (source instanceof Uint8Array) return source;
  if (ArrayBuffer.isView(source)) return new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
  if (source instanceof ArrayBuffer) return new Uint8Array(source);
  throw new TypeError('the module source must be a string, an ArrayBuffer or a view of one');
}

const isBinary = (b: Uint8Array): boolean => b.length >= 4 && b[0] === 0 && b[1] === 0x61 && b[2] === 0x73 && b[3] === 0x6d;

export interface ModuleImportDescriptor { readonly module: string; readonly name: string; readonly kind: ExternKind }
export interface ModuleExportDescriptor { readonly name: string; readonly kind: ExternKind }

/** A validated module (WebAssembly.Module): from a binary, or from WAT text (a string, or bytes without the magic). */
export class Module {
  readonly ast: AstModule;
  readonly valid: ValidModule;

  constructor(source: ModuleSource, file?: string) {
    let ast: AstModule;
    let text: string | undefined;
    if (typeof source === 'string') {
      text = source;
      ast = parseModule(source, file);
    } else {
      const bytes = bytesOf(source);
      if (isBinary(bytes)) {
        ast = decodeModule(bytes, file === undefined ? undefined : { name: file });
      } else {
        text = new TextDecoder().decode(bytes);
        ast = parseModule(text, file);
      }
    }
    this.ast = ast;
    this.valid = validateModule(ast, file === undefined ? undefined : { name: file, text });
  }

  static imports(m: Module): ModuleImportDescriptor[] {
    return m.ast.imports.map((im) => ({ module: im.module, name: im.name, kind: im.desc.kind }));
  }

  static exports(m: Module): ModuleExportDescriptor[] {
    return m.ast.exports.map((ex) => ({ name: ex.name, kind: ex.kind }));
  }

  static customSections(m: Module, name: string): ArrayBuffer[] {
    return m.ast.customs.filter((c) => c.name === name).map((c) => c.bytes.slice().buffer);
  }
}

// ---- Memory, Table, Global, Tag ----------------------------------------------------------------------

const MEMORY = new WeakMap<object, MemoryInst>();
const TABLE = new WeakMap<object, TableInst>();
const GLOBAL = new WeakMap<object, GlobalInst>();
const TAG = new WeakMap<object, TagInst>();
const wrappers = new WeakMap<object, object>();

function slot<T>(map: WeakMap<object, T>, self: object, what: string): T {
  const v = map.get(self);
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

function addrType(a: unknown): AddrType {
  if (a === undefined || a === 'i32') return 'i32';
  if (a === 'i64') return 'i64';
  throw new TypeError(`invalid address type: ${String(a)}`);
}

/** An address or size value: a Number for i32, a BigInt (or an integral Number) for i64; TypeError when out of range. */
function addrValue(v: unknown, at: AddrType, what: string): bigint {
  if (at === 'i64') {
    const n = typeof v === 'number' && Number.isInteger(v) ? BigInt(v) : toBigInt64(v);
    if (n < 0n) throw new TypeError(`invalid ${what}`);
    return n;
  }
  const x = Math.trunc(toNumber(v));
  if (!(x >= 0 && x <= 0xffff_ffff)) throw new TypeError(`invalid ${what}`);
  return BigInt(x);
}

const addrResult = (n: number, at: AddrType): number | bigint => (at === 'i64' ? BigInt(n) : n);

export interface MemoryDescriptor {
  readonly initial: number | bigint;
  readonly maximum?: number | bigint;
  readonly address?: 'i32' | 'i64';
  readonly index?: 'i32' | 'i64';
}

/** WebAssembly.Memory. `buffer` is the memory's resizable ArrayBuffer (it tracks `grow`). */
export class Memory {
  constructor(descriptor: MemoryDescriptor) {
    const at = addrType(descriptor.address ?? descriptor.index);
    const min = addrValue(descriptor.initial, at, 'initial size');
    const max = descriptor.maximum === undefined ? null : addrValue(descriptor.maximum, at, 'maximum size');
    if (max !== null && max < min) throw new RangeError('the maximum is below the initial size');
    const limit = at === 'i32' ? 65536n : 1n << 48n;
    if (min > limit || (max !== null && max > limit)) throw new RangeError('memory size out of range');
    let inst: MemoryInstance;
    try {
      inst = new MemoryInstance({ addr: at, limits: { min, max } });
    } catch {
      throw new RangeError('could not allocate memory');
    }
    MEMORY.set(this, inst);
    wrappers.set(inst, this);
  }

  get buffer(): ArrayBuffer {
    return slot(MEMORY, this, 'Memory').buffer;
  }

  /** Grows by `delta` pages; returns the old size in pages. RangeError on failure. */
  grow(delta: number | bigint): number | bigint {
    const inst = slot(MEMORY, this, 'Memory');
    const d = addrValue(delta, inst.type.addr, 'delta');
    const old = d > BigInt(Number.MAX_SAFE_INTEGER) ? -1 : inst.grow(Number(d));
    if (old < 0) throw new RangeError('failed to grow memory');
    return addrResult(old, inst.type.addr);
  }

  /** The runtime instance. */
  static instanceOf(m: Memory): MemoryInst {
    return slot(MEMORY, m, 'Memory');
  }

  static wrap(inst: MemoryInst): Memory {
    return wrap(Memory.prototype, MEMORY, inst);
  }
}

export interface TableDescriptor {
  readonly element: string;
  readonly initial: number | bigint;
  readonly maximum?: number | bigint;
  readonly address?: 'i32' | 'i64';
  readonly index?: 'i32' | 'i64';
}

/** The JS API's DefaultValue of a reference type: undefined as an externref, null otherwise. */
function defaultRef(t: CRefType): Value {
  return topHeap(t.heap) === 'extern' ? toWasmValue(undefined, t) : toWasmValue(null, t);
}

/** WebAssembly.Table. */
export class Table {
  constructor(descriptor: TableDescriptor, value?: unknown) {
    const elem = refTypeOf(descriptor.element);
    const at = addrType(descriptor.address ?? descriptor.index);
    const min = addrValue(descriptor.initial, at, 'initial size');
    const max = descriptor.maximum === undefined ? null : addrValue(descriptor.maximum, at, 'maximum size');
    if (max !== null && max < min) throw new RangeError('the maximum is below the initial size');
    const init = value === undefined ? defaultRef(elem) : toWasmValue(value, elem);
    let inst: TableInstance;
    try {
      inst = new TableInstance({ addr: at, limits: { min, max }, elem }, init);
    } catch {
      throw new RangeError('could not allocate the table');
    }
    TABLE.set(this, inst);
    wrappers.set(inst, this);
  }

  get length(): number | bigint {
    const inst = slot(TABLE, this, 'Table');
    return addrResult(inst.elems.length, inst.type.addr);
  }

  get(index: number | bigint): unknown {
    const inst = slot(TABLE, this, 'Table');
    const i = addrValue(index, inst.type.addr, 'index');
    if (i >= BigInt(inst.elems.length)) throw new RangeError('table index out of bounds');
    return toJsValue(inst.elems[Number(i)]!, inst.type.elem);
  }

  set(index: number | bigint, value?: unknown): void {
    const inst = slot(TABLE, this, 'Table');
    const i = addrValue(index, inst.type.addr, 'index');
    if (i >= BigInt(inst.elems.length)) throw new RangeError('table index out of bounds');
    const t = inst.type.elem;
    inst.elems[Number(i)] = value === undefined ? defaultRef(t) : toWasmValue(value, t);
  }

  /** Grows by `delta` entries of `value`; returns the old length. RangeError on failure. */
  grow(delta: number | bigint, value?: unknown): number | bigint {
    const inst = slot(TABLE, this, 'Table');
    const at = inst.type.addr;
    const d = addrValue(delta, at, 'delta');
    const t = inst.type.elem;
    const init = value === undefined ? defaultRef(t) : toWasmValue(value, t);
    const old = d > BigInt(Number.MAX_SAFE_INTEGER) ? -1 : inst.grow(Number(d), init);
    if (old < 0) throw new RangeError('failed to grow table');
    return addrResult(old, at);
  }

  static instanceOf(t: Table): TableInst {
    return slot(TABLE, t, 'Table');
  }

  static wrap(inst: TableInst): Table {
    return wrap(Table.prototype, TABLE, inst);
  }
}

export interface GlobalDescriptor {
  readonly value: string;
  readonly mutable?: boolean;
}

/** WebAssembly.Global. */
export class Global {
  constructor(descriptor: GlobalDescriptor, value?: unknown) {
    const t = valueTypeOf(descriptor.value);
    const mutable = Boolean(descriptor.mutable);
    const v = value === undefined
      ? (typeof t === 'object' ? defaultRef(t) : toWasmValue(t === 'i64' ? 0n : 0, t))
      : toWasmValue(value, t);
    const inst = new GlobalInstance({ mutable, type: t }, v);
    GLOBAL.set(this, inst);
    wrappers.set(inst, this);
  }

  get value(): unknown {
    const g = slot(GLOBAL, this, 'Global');
    return toJsValue(g.value, g.type.type);
  }

  set value(v: unknown) {
    const g = slot(GLOBAL, this, 'Global');
    if (!g.type.mutable) throw new TypeError("can't set the value of an immutable global");
    g.value = toWasmValue(v, g.type.type);
  }

  valueOf(): unknown {
    return this.value;
  }

  static instanceOf(g: Global): GlobalInst {
    return slot(GLOBAL, g, 'Global');
  }

  static wrap(inst: GlobalInst): Global {
    return wrap(Global.prototype, GLOBAL, inst);
  }
}

export interface TagDescriptor {
  readonly parameters: readonly string[];
}

/** WebAssembly.Tag. */
export class Tag {
  constructor(descriptor: TagDescriptor) {
    const params = [...descriptor.parameters].map(valueTypeOf);
    const inst = new TagInstance(funcType(params, []));
    TAG.set(this, inst);
    wrappers.set(inst, this);
  }

  static instanceOf(t: Tag): TagInst {
    return slot(TAG, t, 'Tag');
  }

  static wrap(inst: TagInst): Tag {
    return wrap(Tag.prototype, TAG, inst);
  }
}

// ---- Instance ----------------------------------------------------------------------------------

/** An extern value as a JS value (exports). */
export function externToJs(ev: ExternVal, invoke?: InvokeFn): unknown {
  switch (ev.kind) {
    case 'func': return exportedFunction(ev.value, invoke);
    case 'table': return Table.wrap(ev.value);
    case 'memory': return Memory.wrap(ev.value);
    case 'global': return Global.wrap(ev.value);
    case 'tag': return Tag.wrap(ev.value);
  }
}

/** Reads the imports of a module from an import object (the JS API's "read the imports"). */
export function readImports(module: Module, importObject: ImportObject | undefined): ExternVal[] {
  const vm = module.valid;
  if (module.ast.imports.length > 0 && (importObject === undefined || importObject === null || typeof importObject !== 'object')) {
    throw new TypeError('imports argument must be present and must be an object');
  }
  return module.ast.imports.map((im, i): ExternVal => {
    const o = (importObject as Record<string, unknown>)[im.module];
    if (o === null || (typeof o !== 'object' && typeof o !== 'function')) {
      throw new TypeError(`import object field ${JSON.stringify(im.module)} is not an object`);
    }
    const v = (o as Record<string, unknown>)[im.name];
    const what = `import ${JSON.stringify(im.module)}.${JSON.stringify(im.name)}`;
    const et = vm.imports[i]!;
    switch (et.kind) {
      case 'func': {
        if (typeof v !== 'function') throw new LinkError(`${what}: function import requires a callable`);
        const f = wrappedFuncs.get(v);
        return { kind: 'func', value: f ?? hostFunctionFromJs(et.type, v as (...a: unknown[]) => unknown, im.name) };
      }
      case 'global': {
        if (v instanceof Global) return { kind: 'global', value: Global.instanceOf(v) };
        const t = et.type.type;
        if (t === 'i64' && typeof v !== 'bigint') throw new LinkError(`${what}: global import must be a BigInt or WebAssembly.Global`);
        if ((t === 'i32' || t === 'f32' || t === 'f64') && typeof v !== 'number') {
          throw new LinkError(`${what}: global import must be a Number or WebAssembly.Global`);
        }
        if (t === 'v128') throw new LinkError(`${what}: a v128 global import must be a WebAssembly.Global`);
        const value = toWasmValue(v, t);
        if (et.type.mutable) throw new LinkError(`${what}: imported mutable global must be a WebAssembly.Global`);
        return { kind: 'global', value: new GlobalInstance(et.type, value) };
      }
      case 'memory':
        if (!(v instanceof Memory)) throw new LinkError(`${what}: memory import must be a WebAssembly.Memory`);
        return { kind: 'memory', value: Memory.instanceOf(v) };
      case 'table':
        if (!(v instanceof Table)) throw new LinkError(`${what}: table import must be a WebAssembly.Table`);
        return { kind: 'table', value: Table.instanceOf(v) };
      case 'tag':
        if (!(v instanceof Tag)) throw new LinkError(`${what}: tag import must be a WebAssembly.Tag`);
        return { kind: 'tag', value: Tag.instanceOf(v) };
    }
  });
}

/** WebAssembly.Instance. */
export class Instance {
  readonly exports: Record<string, unknown>;
  /** the runtime instance */
  readonly instance: ModuleInstance;

  constructor(module: Module, importObject?: ImportObject, options?: JsApiOptions) {
    const invoke = engineOf(options);
    const imports = readImports(module, importObject);
    this.instance = instantiateCore(module.valid, imports, { invoke });
    const exports = Object.create(null) as Record<string, unknown>;
    for (const [name, ev] of this.instance.exports) exports[name] = externToJs(ev, invoke);
    this.exports = Object.freeze(exports);
  }
}

// ---- instantiate -------------------------------------------------------------------------------

export interface WebAssemblyInstantiatedSource {
  readonly module: Module;
  readonly instance: Instance;
}

/** WebAssembly.instantiate, synchronously: compiles (unless given a Module) and instantiates. */
export function instantiateSync(source: ModuleSource | Module, importObject?: ImportObject, options?: JsApiOptions): WebAssemblyInstantiatedSource {
  const module = source instanceof Module ? source : new Module(source);
  return { module, instance: new Instance(module, importObject, options) };
}

/** WebAssembly.instantiate: compiles (unless given a Module) and instantiates. */
export async function instantiate(source: ModuleSource | Module, importObject?: ImportObject, options?: JsApiOptions): Promise<WebAssemblyInstantiatedSource> {
  return instantiateSync(source, importObject, options);
}

/** WebAssembly.validate: whether the bytes (or text) are a valid module. */
export function validate(source: ModuleSource): boolean {
  try {
    new Module(source);
    return true;
  } catch {
    return false;
  }
}

export const compile = async (source: ModuleSource): Promise<Module> => new Module(source);

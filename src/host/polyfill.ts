// The polyfill: a `WebAssembly` namespace that runs stack-switching modules on
// any engine with plain Wasm 3.0. Modules the host can compile are the host's
// own (nothing changes for them); a module that uses stack switching is
// lowered (src/lower/) and compiled by the host, and its instances are linked
// to one shared runtime instance (the globals that hold the state of the
// continuation machine), so that continuations, tags and suspensions work
// across every instance made by this namespace.
//
//   import { WebAssembly } from 'wasmfx/polyfill';     // or installPolyfill()
//   const { instance } = await WebAssembly.instantiate(bytes, imports);
//
// What code written for the JS API sees is what the original module says:
// `Module.imports/exports` list the original descriptors; exported functions
// take and return the original signatures (a continuation is an opaque
// object JavaScript can hold and hand back); an exported tag is a Tag that
// keeps its identity across instances; a trap of the runtime is a
// `RuntimeError` whose message is the interpreter's ("continuation already
// consumed", "unhandled tag"...; also in `detail`), and a stack overflow is
// `RuntimeError: call stack exhausted`. Only binaries are accepted (text is a
// feature of the package's own `instantiate`). Exported functions are JS
// functions (which translate those errors) that go where the host takes Wasm
// functions (imports of modules the host compiles as they are, tables,
// globals) as the host functions they wrap, and come back out as themselves.
//
// The namespace is the host's, member for member, but for `Module`,
// `Instance`, `Table` and `Global` (interfaces of the polyfill whose prototypes
// inherit from the host's: their objects are the host's) and the
// operations that compile: each asks the host first (its asynchronous and
// streaming operations, with the caller's compile options) and lowers a module
// only when the host rejects it and it uses stack switching; otherwise the
// host's answer stands. test/js-api-polyfill.test.ts runs the official JS API
// tests against it.

import { decodeModule } from '../binary/decoder.ts';
import { encodeModule } from '../binary/encoder.ts';
import { allSubTypes, funcTypeIndices, type Module as Ast } from '../syntax/ast.ts';
import type { FuncType, ValType } from '../syntax/types.ts';
import { validateModule, type ValidModule } from '../valid/validator.ts';
import { isolable, LowerError, lowerModule, RAW_PREFIX, REFS_EXPORT, RESET_EXPORT, TAG_PREFIX, usesStackSwitching } from '../lower/index.ts';
import { isRuntimeImport } from '../lower/error.ts';
import { DEFAULT_CAPACITY, RT_GLOBAL_TYPES, runtimeModule, transferModule, TRANSIENT_GLOBALS, TRAP_REASONS, WHY_HOST_FRAME } from '../lower/rt.ts';
import { isWasmError } from '../util/errors.ts';
import { LOWERING_NEEDS, runsLoweredModules } from './host-wasm3.ts';
import { desugarLegacyEH, usesLegacyEH } from '../syntax/legacy-eh.ts';

/* eslint-disable @typescript-eslint/no-explicit-any */
// The project's type libraries leave WebAssembly out: host objects are typed loosely here.
type NS = any;
type HostObj = any;
type Imports = Record<string, Record<string, unknown>>;
type HostFn = (...args: unknown[]) => unknown;

interface LoweredModule {
  readonly original: Ast;
  /** the original imports the host asks for (not those it provides itself: builtins, imported string constants) */
  readonly imports: Ast['imports'];
  /** lowered isolated (isolable: nothing of its continuations can meet another module's) */
  readonly isolated: boolean;
  /**
   * isolated because it is isolable (not by PolyfillOptions.isolated): an instance whose function
   * imports include a function of a module on the shared runtime is made of `shared` instead (a
   * suspension from that function may pass this module's frames to a handler further out)
   */
  readonly auto: boolean;
  /** the compile options it was compiled with (for `shared`) */
  readonly options: unknown;
  /** how many transfer globals of each kind (at most) it imports from the runtime */
  readonly capacity: number;
  shared?: HostObj;
}

const EXHAUSTED = 'call stack exhausted';

/** `new C(...args)` with `newTarget` (whose prototype the object gets, as for a subclass). */
const construct = (C: HostObj, args: unknown[], newTarget: HostObj): HostObj => Reflect.construct(C, args, newTarget) as HostObj;

/** The bytes of a BufferSource (a view, not a copy), or null for anything else (the host says why). */
function viewOf(src: unknown): Uint8Array | null {
  try {
    if (src instanceof Uint8Array) return src;
    if (ArrayBuffer.isView(src)) return new Uint8Array(src.buffer, src.byteOffset, src.byteLength);
    if (src instanceof ArrayBuffer) return new Uint8Array(src);
  } catch {
    // (a detached buffer)
  }
  return null;
}

/**
 * The JS API's limits on modules (https://webassembly.github.io/spec/js-api/#limits; the larger
 * figure where engines allow more): entries per section id, bytes per function body, module size.
 */
const MAX_ENTRIES: Readonly<Record<number, number>> = {
  1: 1_000_000, 2: 1_000_000, 3: 1_000_000, 4: 100_000, 6: 1_000_000, 7: 1_000_000, 9: 10_000_000, 10: 1_000_000, 11: 100_000,
};
const MAX_BODY_SIZE = 7_654_321;
const MAX_MODULE_SIZE = 1024 * 1024 * 1024;

/**
 * Does a module exceed those limits? A look at its section headers (and code body sizes) only:
 * such a module is no valid module for any host, and not worth decoding (10,000,000 element
 * segments would exhaust the heap). A malformed header is not over the limits.
 */
function overLimits(b: Uint8Array): boolean {
  if (b.length > MAX_MODULE_SIZE) return true;
  let p = 8;
  const u32 = (): number => {
    let r = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (p >= b.length) return -1;
      const byte = b[p++]!;
      r += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return r;
    }
    return -1;
  };
  while (p < b.length) {
    const id = b[p++]!;
    const size = u32();
    if (size < 0) return false;
    const end = p + size;
    const max = MAX_ENTRIES[id];
    if (max !== undefined) {
      const n = u32();
      if (n > max) return true;
      for (let i = 0; id === 10 && i < n && p < end; i++) {
        const body = u32();
        if (body > MAX_BODY_SIZE) return true;
        if (body < 0) return false;
        p += body;
      }
    }
    p = end;
  }
  return false;
}

/** Builds a polyfill namespace over a host namespace (by default the global one). */
export interface PolyfillOptions {
  /**
   * Lower every module isolated (LowerOptions.isolated): faster suspensions, but continuations
   * do not cross instances. For a program of one module (`wasmfx run` uses it). false: every
   * module on the runtime that lowered modules share. By default, a module is lowered isolated
   * when that is exact whatever it gets linked to (`isolable`: its imports and exports are
   * numbers, memories and functions of numbers), else on the shared runtime.
   */
  readonly isolated?: boolean;
}

export function createPolyfill(host: NS = (globalThis as any).WebAssembly, popts: PolyfillOptions = {}): NS {
  const lowered = new WeakMap<object, LoweredModule>();
  /** exported functions of lowered instances -> the host function to link into other lowered instances */
  const rawOf = new WeakMap<object, unknown>();
  /** ... and the host function to link into isolated ones (a suspension that leaves it traps) */
  const safeOf = new WeakMap<object, unknown>();
  /** tags -> their id global (a mutable i32 Global of the runtime's counter) */
  const tagIds = new WeakMap<object, HostObj>();
  let rt: Record<string, HostObj> | null = null;
  /** how many transfer globals of each kind `rt` has */
  let rtCapacity = DEFAULT_CAPACITY;
  /** The runtime's globals, with at least `capacity` transfer globals of each kind (more come from a transfer module). */
  const runtime = (capacity = 0): Record<string, HostObj> => {
    if (rt === null) {
      const inst = new host.Instance(new host.Module(encodeModule(runtimeModule()) ), {});
      rt = { ...(inst.exports as unknown as Record<string, HostObj>) };
    }
    if (capacity > rtCapacity) {
      // (at least twice as many: a few modules of growing signatures make few transfer modules)
      const to = Math.max(capacity, 2 * rtCapacity);
      const more = new host.Instance(new host.Module(encodeModule(transferModule(rtCapacity, to))), {});
      rt = { ...rt, ...(more.exports as unknown as Record<string, HostObj>) };
      rtCapacity = to;
    }
    return rt;
  };
  /** The transfer capacity a lowered module imports (the largest position of its `wasmfx:rt` transfer globals, + 1). */
  const capacityOf = (imports: readonly { module: string; name: string }[]): number => {
    let cap = 0;
    for (const d of imports) {
      const pos = d.module === 'wasmfx:rt' ? /\.(\d+)$/.exec(d.name) : null;
      if (pos !== null) cap = Math.max(cap, Number(pos[1]) + 1);
    }
    return cap;
  };
  const tagId = (tag: object): HostObj => {
    let g = tagIds.get(tag);
    if (g === undefined) {
      const ctr = runtime().tagctr!;
      ctr.value = (ctr.value as number) + 1;
      g = new host.Global({ value: 'i32', mutable: true }, ctr.value);
      tagIds.set(tag, g);
    }
    return g;
  };

  /** Calls of exported functions of lowered instances in progress (from JS, one inside the other through JS imports). */
  let calls = 0;
  /**
   * The runtime's state after an error left an exported function: running `outer` (the stack
   * of the call that called out to JS, or none), not unwinding, not switching, nothing to
   * raise. A trap (a suspension nobody handles, say) leaves the guard of the export without
   * restoring it: Wasm cannot catch traps.
   */
  const leave = (outer: unknown): void => {
    const r = rt!;
    r.cur!.value = outer;
    for (const name of TRANSIENT_GLOBALS) r[name]!.value = RT_GLOBAL_TYPES.get(name)!.type === 'i32' ? 0 : null;
  };

  /** What an error from a lowered instance is in JS. */
  const translate = (e: unknown): unknown => {
    // The host's own error object is kept (only its message changes): a trap object of V8's
    // stays uncatchable by Wasm (catch_all) when it passes through other modules.
    const retell = (err: Error & { detail?: string }, msg: string): Error => {
      try {
        Object.defineProperty(err, 'message', { value: msg, writable: true, configurable: true });
        err.detail = msg;
        if (!(err instanceof host.RuntimeError)) Object.setPrototypeOf(err, host.RuntimeError.prototype);
        return err;
      } catch {
        const fresh = new host.RuntimeError(msg) as Error & { detail?: string };
        fresh.detail = msg;
        return fresh;
      }
    };
    if (e instanceof host.RuntimeError) {
      const why = rt === null ? 0 : (rt.why!.value as number);
      if (why !== 0) {
        rt!.why!.value = 0;
        return retell(e as Error, TRAP_REASONS[why] ?? 'trap');
      }
      return e;
    }
    if (e instanceof RangeError && /call stack/i.test(e.message)) return retell(e, EXHAUSTED);
    return e;
  };

  // ---- compiling: the host first; a module it rejects is lowered if it uses stack switching

  /**
   * The module to give the host instead of `bytes`, which it rejected with `hostError`: the
   * lowered module when `bytes` is a valid module that uses stack switching (with `original`, its
   * AST); the module with its legacy exception instructions rewritten when it has some (V8 refuses
   * them next to try_table; `original` null: nothing else differs); otherwise `hostError` is
   * thrown (the host's error is the answer for other modules).
   */
  const lower = (bytes: Uint8Array | null, hostError: unknown): { bytes: Uint8Array; original: Ast | null; isolated: boolean; auto: boolean } => {
    if (bytes === null || !(hostError instanceof host.CompileError) || overLimits(bytes)) throw hostError;
    let ast: Ast;
    try {
      ast = decodeModule(bytes);
    } catch {
      throw hostError;
    }
    if (!usesStackSwitching(ast)) {
      // legacy exception instructions mixed with try_table, which V8 refuses in one module: the
      // host gets the module with the legacy ones rewritten (nothing else changes, nothing to register)
      if (!usesLegacyEH(ast)) throw hostError;
      try {
        validateModule(ast);
      } catch {
        throw hostError;
      }
      return { bytes: encodeModule(desugarLegacyEH(ast)), original: null, isolated: false, auto: false };
    }
    return lowerValid(ast, () => validateModule(ast));
  };

  /** The lowering of a module that uses stack switching; its validation or lowering errors are CompileErrors. */
  const lowerValid = (ast: Ast, valid: () => ValidModule): { bytes: Uint8Array; original: Ast; isolated: boolean; auto: boolean } => {
    try {
      const v = valid();
      // (an older host would reject the lowered module in its own words: an unknown type code)
      if (!runsLoweredModules(host)) throw new host.CompileError(`stack switching: ${LOWERING_NEEDS}`);
      const isolated = popts.isolated ?? isolable(ast);
      const low = lowerModule(ast, { valid: v, isolated }).module;
      return { bytes: encodeModule(low), original: ast, isolated, auto: isolated && popts.isolated === undefined };
    } catch (e) {
      if (isWasmError(e)) throw new host.CompileError(e.format(), { cause: e });
      // (a module the lowering cannot handle: still the JS API's error of compiling)
      if (e instanceof LowerError) throw new host.CompileError(`cannot lower: ${e.message}`, { cause: e });
      throw e;
    }
  };

  /** `new Module(encodeModule(ast))` for a module validated as `valid`, without decoding it again. */
  const compileValidated = (ast: Ast, valid: ValidModule): HostObj => {
    const bytes = encodeModule(ast);
    if (!usesStackSwitching(ast) || overLimits(bytes)) return compileSync(bytes, undefined, Module);
    const low = lowerValid(ast, () => valid);
    return register(construct(host.Module, [low.bytes], Module), low.original, low.isolated, low.auto, undefined);
  };

  const compileSync = (src: unknown, options: unknown, newTarget: HostObj): HostObj => {
    try {
      return construct(host.Module, [src, options], newTarget);
    } catch (e) {
      const low = lower(viewOf(src), e);
      const m = construct(host.Module, [low.bytes, options], newTarget);
      return register(m, low.original, low.isolated, low.auto, options);
    }
  };

  /** The host's compile, then (on a CompileError for a module that uses stack switching) the lowered module's. */
  const compileAsync = async (src: unknown, options: unknown): Promise<HostObj> => {
    // (the bytes as they are now: the caller may change them; none of a module over the limits,
    // which is never lowered: a copy of a 1 GiB module is most of what rejecting it costs)
    const view = viewOf(src);
    const bytes = view === null || view.length > MAX_MODULE_SIZE ? null : view.slice();
    let m: HostObj;
    try {
      m = await host.compile(src, options);
    } catch (e) {
      const low = lower(bytes, e);
      m = register(await host.compile(low.bytes, options), low.original, low.isolated, low.auto, options);
    }
    return adopt(m, Module);
  };

  /** Records what the polyfill needs of the host's module `m`, compiled from `original` lowered. */
  const register = (m: HostObj, original: Ast | null, isolated: boolean, auto: boolean, options: unknown): HostObj => {
    if (original === null) return m;
    const descs = host.Module.imports(m) as { module: string; name: string }[];
    const asked = new Set(descs.map((d) => `${d.module}\0${d.name}`));
    lowered.set(m, { original, imports: original.imports.filter((im) => asked.has(`${im.module}\0${im.name}`)), isolated, auto, options, capacity: capacityOf(descs) });
    return m;
  };

  /** A Module or Instance made by the host's own operations, with the polyfill's prototype. */
  const adopt = <T>(obj: T, C: HostObj): T => {
    if (Object.getPrototypeOf(obj) !== C.prototype) Object.setPrototypeOf(obj, C.prototype);
    return obj;
  };

  /**
   * The imports of the lowered module, the values of the original's function imports (by index),
   * and (`shared`) the imports of the module's shared lowering (see LoweredModule.auto): the same
   * values, read once, with the raw functions of modules on the shared runtime.
   */
  const linkImports = (info: LoweredModule, imports: unknown): { linked: Imports; funcs: unknown[]; shared: () => Imports } => {
    if (imports !== undefined && (imports === null || (typeof imports !== 'object' && typeof imports !== 'function'))) {
      throw new TypeError('WebAssembly.Instance: Argument 1 must be an object');
    }
    const out: Imports = { 'wasmfx:rt': runtime(info.capacity) };
    const get = (index: number, mod: string, name: string): unknown => {
      if (imports === undefined) throw new TypeError('WebAssembly.Instance: Imports argument must be present and must be an object');
      const o = (imports as Imports)[mod];
      if (o === undefined || o === null || (typeof o !== 'object' && typeof o !== 'function')) {
        throw new TypeError(`WebAssembly.Instance: Import #${index} "${mod}": module is not an object or function`);
      }
      return (o as Record<string, unknown>)[name];
    };
    const funcs: unknown[] = [];
    const funcSlots: [string, string, unknown][] = [];
    const asked = new Set(info.imports);
    for (const [index, im] of info.original.imports.entries()) {
      if (!asked.has(im)) {
        if (im.desc.kind === 'func') funcs.push(undefined);
        continue;
      }
      const v = get(index, im.module, im.name);
      const slot = (out[im.module] ??= {});
      if (im.desc.kind === 'func') {
        funcs.push(v);
        funcSlots.push([im.module, im.name, v]);
        slot[im.name] = (info.isolated ? safeOf : rawOf).get(v as object) ?? jsImport(v, funcTypeOf(info.original, im.desc.type));
      } else if (im.desc.kind === 'tag') {
        slot[im.name] = v;
        // (not a Tag: the host's LinkError for this import comes first)
        const ids = (out[`${TAG_PREFIX}${im.module}`] ??= {});
        if (v instanceof host.Tag) ids[im.name] = tagId(v as HostObj);
      } else slot[im.name] = v;
    }
    const shared = (): Imports => {
      const copy: Imports = Object.fromEntries(Object.entries(out).map(([m, o]) => [m, { ...o }]));
      for (const [m, name, v] of funcSlots) copy[m]![name] = rawOf.get(v as object) ?? v;
      return copy;
    };
    return { linked: out, funcs, shared };
  };

  /**
   * A JS function imported with function references in its signature: it gets the JS functions of
   * lowered exports for their host functions, and what it returns of them goes back as the
   * functions at their own index (the host takes no JS function for a function reference).
   */
  const jsImport = (v: unknown, ft: ReturnType<typeof funcTypeOf>): unknown => {
    if (typeof v !== 'function' || isWasmFunction(v)) return v;
    const { refIn, refOut, refsOut } = funcRefs(ft);
    if (!refIn && !refOut && !refsOut) return v;
    const f = v as (...a: unknown[]) => unknown;
    return (...args: unknown[]): unknown => {
      const r = f(...(refIn ? args.map(rewrapFn) : args));
      // (several results come as an iterable: the host reads it as it would)
      return refOut ? rawFn(r) : refsOut ? [...(r as Iterable<unknown>)].map(rawFn) : r;
    };
  };

  /** The JS function of each host function of a lowered instance (one per function, as the JS API's cache of exported functions). */
  const wrappers = new WeakMap<object, HostFn>();
  /** how many there are (none: unwrapImports has nothing to do) */
  let wrapped = 0;
  /**
   * A value for a table, a global or a parameter of a lowered function: the host function of the
   * JS function of a lowered export, the one its module's own `ref.func` gives (a lowered caller
   * runs it on its stack, so that its suspensions reach the caller's handlers).
   */
  const rawFn = (v: unknown): unknown => (typeof v === 'function' ? (rawOf.get(v) ?? v) : v);
  /** A value for an import of a module the host compiled as it is: the guarded host function (a suspension that leaves it traps). */
  const safeFn = (v: unknown): unknown => (typeof v === 'function' ? (safeOf.get(v) ?? v) : v);
  /** A value from the host: the JS function of a lowered export for either of its host functions. */
  const rewrapFn = (v: unknown): unknown => (typeof v === 'function' ? (wrappers.get(v) ?? (refTables.length > 0 ? refFunction(v as HostFn) : v)) : v);

  /** The REFS_EXPORT tables of lowered instances whose functions have no JS function yet. */
  const refTables: { table: HostObj; info: LoweredModule }[] = [];
  /**
   * The JS function of `v` when it is a function a lowered instance hands out without exporting
   * it (REFS_EXPORT: its JS functions are made when the first unknown function reaches JS), else `v`.
   */
  const refFunction = (v: HostFn): unknown => {
    const hostGet = hostTable.prototype.get as (this: HostObj, i: number) => unknown;
    for (const { table, info } of refTables.splice(0)) {
      const n = Object.getOwnPropertyDescriptor(hostTable.prototype, 'length')!.get!.call(table) as number;
      for (let i = 0; i < n; i++) {
        const raw = hostGet.call(table, i) as HostFn;
        jsFunction(null, raw, Number(raw.name), info, {});
      }
    }
    return wrappers.get(v) ?? v;
  };
  const wrapExports = (inst: HostObj, info: LoweredModule, importedFuncs: readonly unknown[]): Record<string, unknown> => {
    const ex = hostExports.call(inst) as Record<string, unknown>;
    const out: Record<string, unknown> = Object.create(null);
    for (const d of info.original.exports) {
      const v = ex[d.name];
      if (d.kind === 'func') {
        // an imported function of the polyfill's, exported again, is that function
        const imported = importedFuncs[d.index];
        if (imported !== undefined && rawOf.has(imported as object)) {
          out[d.name] = imported;
          continue;
        }
        out[d.name] = jsFunction(v as HostFn, ex[`${RAW_PREFIX}${d.name}`], d.index, info, ex);
      } else if (d.kind === 'tag') {
        const idg = ex[`${TAG_PREFIX}${d.name}`] as HostObj | undefined;
        if (idg !== undefined && !tagIds.has(v as object)) tagIds.set(v as HostObj, idg);
        out[d.name] = v;
      } else out[d.name] = adoptRef(v);
    }
    const refs = ex[REFS_EXPORT];
    if (refs !== undefined) refTables.push({ table: refs, info });
    return Object.freeze(out);
  };

  /**
   * The JS function of function `index` of a lowered instance (one per function, as the JS API's
   * cache of exported functions): it calls the guarded host function `guard` (which runs on a
   * stack of its own), translates errors, and stands for `raw` too, the function at its own index.
   * Without a guard (a function handed out without an export: refFunction), it does in JS what a
   * guard does (docs/lowering.md, "Where it differs"): runs `raw` on no stack with the transient
   * state cleared, so that a suspension in it finds no handler past the JS frame, and puts the
   * running stack back.
   */
  const jsFunction = (guard: HostFn | null, raw: unknown, index: number, info: LoweredModule, ex: Record<string, unknown>): HostFn => {
    const f = guard ?? (raw as HostFn);
    let w = wrappers.get(f);
    if (w !== undefined) return w;
    // (an isolated module's own state: see leave)
    const reset = info.isolated ? (ex[RESET_EXPORT] as ((top: number) => void) | undefined) : undefined;
    // references in and out: the JS functions of lowered exports as their host functions, and back
    const { refIn, refOut, refsOut } = funcRefs(funcTypeOf(info.original, moduleTypes(info.original).funcs[index]!));
    // (an arrow function: like the JS API's exported functions, not a constructor)
    w = (...args: unknown[]): unknown => {
      // (a call from a JS import, inside another: the running stack to go back to if this one fails)
      const outer = guard === null || calls > 0 ? rt!.cur!.value : null;
      calls++;
      if (guard === null) {
        leave(null);
        rt!.why!.value = 0;
      }
      try {
        const r = f(...(refIn ? args.map(rawFn) : args));
        if (guard === null) {
          if (rt!.uf!.value !== null) throw new host.RuntimeError(TRAP_REASONS[WHY_HOST_FRAME]);
          rt!.cur!.value = outer;
        }
        return refOut ? rewrapFn(r) : refsOut ? (r as unknown[]).map(rewrapFn) : r;
      } catch (e) {
        leave(outer);
        reset?.(calls === 1 ? 1 : 0);
        throw translate(e);
      } finally {
        calls--;
      }
    };
    // named by its index in the original module, as the JS API names exported functions
    Object.defineProperty(w, 'name', { value: String(index) });
    Object.defineProperty(w, 'length', { value: f.length });
    wrappers.set(f, w);
    wrapped++;
    // (the function at its own index, which the module's tables, globals and ref.func hold, is this one too)
    if (typeof raw === 'function') wrappers.set(raw, w);
    // (an isolated module's raw functions are on its own globals: other modules get the safe one)
    rawOf.set(w, (info.isolated ? undefined : raw) ?? f);
    if (guard !== null) safeOf.set(w, guard);
    return w;
  };

  /** The exports objects of lowered instances (what `Instance.prototype.exports` gives for them). */
  const exportsOf = new WeakMap<object, Record<string, unknown>>();
  const hostExports = Object.getOwnPropertyDescriptor(host.Instance.prototype, 'exports')!.get as (this: HostObj) => unknown;

  /**
   * A module lowered beforehand (`wasmfx lower`): the host compiles it as it is, and its imports
   * of the runtime ("wasmfx:rt") and of tag ids ("wasmfx:tag:M") are linked here.
   */
  const preLowered = (module: HostObj, imports: unknown): unknown => {
    const descs = host.Module.imports(module) as { module: string; name: string }[];
    if (!descs.some((d) => isRuntimeImport(d.module))) return imports;
    const given = (imports ?? {}) as Imports;
    const out: Imports = { ...given, 'wasmfx:rt': runtime(capacityOf(descs)) };
    for (const d of descs) {
      if (!d.module.startsWith(TAG_PREFIX)) continue;
      const tag = given[d.module.slice(TAG_PREFIX.length)]?.[d.name];
      if (tag instanceof host.Tag) (out[d.module] ??= {})[d.name] = tagId(tag as HostObj);
    }
    return out;
  };

  /**
   * An instance of a module the host compiled as it is: the ids of the tags it exports when it was
   * lowered beforehand (their identity across instances), its exported tables and globals with
   * the polyfill's interfaces, and its exports object with the JS functions of lowered exports it
   * exports again (imported as host functions: unwrapImports).
   */
  const adoptPlain = (inst: HostObj): HostObj => {
    const ex = hostExports.call(inst) as Record<string, unknown>;
    let rewrap = false;
    for (const name of Object.keys(ex)) {
      const v = ex[name];
      adoptRef(v);
      if (typeof v === 'function' && wrappers.has(v)) rewrap = true;
      if (!name.startsWith(TAG_PREFIX)) continue;
      const tag = ex[name.slice(TAG_PREFIX.length)];
      if (tag instanceof host.Tag && !tagIds.has(tag as HostObj)) tagIds.set(tag as HostObj, v as HostObj);
    }
    if (rewrap) {
      const out: Record<string, unknown> = Object.create(null);
      for (const name of Object.keys(ex)) out[name] = rewrapFn(ex[name]);
      exportsOf.set(inst, Object.freeze(out));
    }
    return inst;
  };

  /**
   * Whether an instance of `info`'s module with these function imports is made of its shared
   * lowering instead (LoweredModule.auto): an imported function comes from a module on the
   * shared runtime. Then `sharedLowering` is its bytes.
   */
  const needsShared = (info: LoweredModule, funcs: readonly unknown[]): boolean =>
    info.auto && funcs.some((v) => typeof v === 'function' && rawOf.has(v) && rawOf.get(v) !== safeOf.get(v));
  const sharedLowering = (info: LoweredModule): Uint8Array => encodeModule(lowerModule(info.original, { isolated: false }).module);

  /**
   * The imports of a module the host compiled as it is (not lowered), as the host reads them, but
   * with the exported functions of lowered instances (JS functions, which translate errors) given
   * as the host functions they wrap: a Wasm function links to them as to any Wasm function, with
   * exact values (v128, signalling NaNs) and no JS call in between. A Proxy, so that the host
   * reads each import once, in its order, with its own errors. `imports` itself when nothing was
   * lowered yet (or when it is no object: the host says why).
   */
  const unwrapImports = (imports: unknown): unknown => {
    if (wrapped === 0 || imports === null || (typeof imports !== 'object' && typeof imports !== 'function')) return imports;
    // (over empty targets: a Proxy of a frozen object, such as an instance's exports, must
    // return that object's own values)
    const view = (real: object, read: (v: unknown) => unknown): object =>
      new Proxy({}, { get: (_, key) => read(Reflect.get(real, key)) });
    return view(imports as object, (o) =>
      o !== null && (typeof o === 'object' || typeof o === 'function')
        ? view(o as object, safeFn)
        : o);
  };

  const instantiateSync = (module: unknown, imports: unknown, newTarget: HostObj): HostObj => {
    const given = lowered.get(module as object);
    if (given === undefined) {
      const linked = preLowered(module, imports);
      return adoptPlain(construct(host.Instance, [module, unwrapImports(linked)], newTarget));
    }
    let info = given;
    const link = linkImports(given, imports);
    let linked = link.linked;
    if (needsShared(given, link.funcs)) {
      // (compiled once, when first needed; with the compile options of the isolated one)
      given.shared ??= register(new host.Module(sharedLowering(given), given.options), given.original, false, false, given.options);
      module = given.shared;
      info = lowered.get(given.shared)!;
      linked = link.shared();
    }
    let inst: HostObj;
    try {
      inst = construct(host.Instance, [module, linked], newTarget);
    } catch (e) {
      throw translate(e);
    }
    exportsOf.set(inst, wrapExports(inst, info, link.funcs));
    return inst;
  };

  /** Instantiates a Module: its imports are read now, the instance is made by the host's asynchronous operation. */
  const instantiateAsync = (module: HostObj, imports: unknown): Promise<HostObj> => {
    const given = lowered.get(module);
    if (given === undefined) {
      let linked: unknown;
      try {
        linked = preLowered(module, imports);
      } catch (e) {
        return Promise.reject(e);
      }
      return host.instantiate(module, unwrapImports(linked)).then((inst: HostObj) => adopt(adoptPlain(inst), Instance));
    }
    let link: ReturnType<typeof linkImports>;
    try {
      link = linkImports(given, imports);
    } catch (e) {
      return Promise.reject(e);
    }
    const make = (m: HostObj, linked: Imports): Promise<HostObj> => host.instantiate(m, linked).then(
      (inst: HostObj) => {
        exportsOf.set(inst, wrapExports(inst, lowered.get(m)!, link.funcs));
        return adopt(inst, Instance);
      },
      (e: unknown) => {
        throw translate(e);
      },
    );
    if (!needsShared(given, link.funcs)) return make(module, link.linked);
    const linked = link.shared();
    const compiled = given.shared !== undefined
      ? Promise.resolve(given.shared)
      : host.compile(sharedLowering(given), given.options).then((m: HostObj) => (given.shared ??= register(m, given.original, false, false, given.options)));
    return compiled.then((m: HostObj) => make(m, linked));
  };

  // ---- the namespace: the host's, with its own Module and Instance interfaces (whose prototypes
  // inherit from the host's, so that its objects are the host's Modules and Instances too)
  const Module = function Module(this: unknown, bytes: unknown): HostObj {
    if (new.target === undefined) throw new TypeError("WebAssembly.Module must be invoked with 'new'");
    // eslint-disable-next-line prefer-rest-params
    return compileSync(bytes, arguments[1], new.target);
  } as any;
  const Instance = function Instance(this: unknown, module: unknown): HostObj {
    if (new.target === undefined) throw new TypeError("WebAssembly.Instance must be invoked with 'new'");
    // eslint-disable-next-line prefer-rest-params
    return instantiateSync(module, arguments[1], new.target);
  } as any;
  const statics = {
    exports(module: unknown): unknown {
      const own = host.Module.exports(module); // (checks that `module` is a Module)
      const info = lowered.get(module as object);
      return info === undefined ? own : descriptors(info.original.exports, info.imports).exports;
    },
    imports(module: unknown): unknown {
      const own = host.Module.imports(module);
      const info = lowered.get(module as object);
      return info === undefined ? own : descriptors(info.original.exports, info.imports).imports;
    },
    customSections(module: unknown, sectionName: unknown): unknown {
      // eslint-disable-next-line prefer-rest-params
      const own = host.Module.customSections(...arguments); // (checks the arguments)
      const info = lowered.get(module as object);
      if (info === undefined) return own;
      const name = String(sectionName);
      return info.original.customs.filter((c) => c.name === name).map((c) => c.bytes.slice().buffer);
    },
  };
  const instanceMembers = {
    get exports(): unknown {
      return exportsOf.get(this as unknown as object) ?? hostExports.call(this);
    },
  };
  const method = { writable: true, enumerable: true, configurable: true };
  const hidden = { writable: true, enumerable: false, configurable: true };
  const tag = (name: string) => ({ value: `WebAssembly.${name}`, writable: false, enumerable: false, configurable: true });
  Object.defineProperties(Module, {
    length: { value: 1 },
    prototype: {
      value: Object.create(host.Module.prototype, { constructor: { value: Module, ...hidden }, [Symbol.toStringTag]: tag('Module') }),
      writable: false,
    },
    ...Object.fromEntries(Object.entries(Object.getOwnPropertyDescriptors(statics)).map(([k, d]) => [k, { ...d, ...method }])),
  });
  Object.defineProperties(Instance, {
    length: { value: 1 },
    prototype: {
      value: Object.create(host.Instance.prototype, {
        constructor: { value: Instance, ...hidden },
        exports: { ...Object.getOwnPropertyDescriptor(instanceMembers, 'exports'), enumerable: true, configurable: true },
        [Symbol.toStringTag]: tag('Instance'),
      }),
      writable: false,
    },
  });

  // Table and Global: the host's, but a table or a global takes the JS function of a lowered
  // export (Table.set, grow, the constructors, Global.value) as the host function it wraps, and
  // gives it back (Table.get, Global.value): `table.set(0, instance.exports.f)` works as on the
  // host, and `table.get(0) === instance.exports.f`.
  const hostTable = host.Table;
  const hostGlobal = host.Global;
  const Table = function Table(this: unknown): HostObj {
    if (new.target === undefined) throw new TypeError("WebAssembly.Table must be invoked with 'new'");
    // eslint-disable-next-line prefer-rest-params
    return construct(hostTable, [...arguments].map((a, i) => (i === 1 ? rawFn(a) : a)), new.target);
  } as any;
  const Global = function Global(this: unknown): HostObj {
    if (new.target === undefined) throw new TypeError("WebAssembly.Global must be invoked with 'new'");
    // eslint-disable-next-line prefer-rest-params
    return construct(hostGlobal, [...arguments].map((a, i) => (i === 1 ? rawFn(a) : a)), new.target);
  } as any;
  const tableOps = hostTable.prototype as Record<string, (...a: unknown[]) => unknown>;
  const tableMembers = {
    get(this: unknown, index: unknown): unknown {
      return rewrapFn(tableOps.get!.call(this, index));
    },
    // (the value as given or not given at all: the host tells a missing one from undefined)
    set(this: unknown, index: unknown, ...value: unknown[]): unknown {
      return value.length === 0 ? tableOps.set!.call(this, index) : tableOps.set!.call(this, index, rawFn(value[0]));
    },
    grow(this: unknown, delta: unknown, ...value: unknown[]): unknown {
      return value.length === 0 ? tableOps.grow!.call(this, delta) : tableOps.grow!.call(this, delta, rawFn(value[0]));
    },
  };
  const globalValue = Object.getOwnPropertyDescriptor(hostGlobal.prototype, 'value')!;
  const globalMembers = {
    get value(): unknown {
      return rewrapFn(globalValue.get!.call(this));
    },
    // (the host's setter throws when it gets no argument: so does this one)
    set value(v: unknown) {
      const set = globalValue.set as (...a: unknown[]) => void;
      if (arguments.length === 0) set.call(this);
      else set.call(this, rawFn(v));
    },
    valueOf(this: unknown): unknown {
      return rewrapFn((hostGlobal.prototype as Record<string, () => unknown>).valueOf!.call(this));
    },
  };
  /** `C`'s prototype: the host's members as own properties (the JS API's descriptors), `members` in place of some. */
  const interfacePrototype = (C: HostObj, hostC: HostObj, members: object): object => {
    const own = new Map<PropertyKey, PropertyDescriptor>(Reflect.ownKeys(hostC.prototype).map((k) => [k, Reflect.getOwnPropertyDescriptor(hostC.prototype, k)!]));
    for (const [k, d] of Object.entries(Object.getOwnPropertyDescriptors(members))) {
      own.set(k, { ...own.get(k), ...(d.get !== undefined || d.set !== undefined ? { get: d.get, set: d.set } : { value: d.value }) });
    }
    own.set('constructor', { value: C, ...hidden });
    return Object.create(hostC.prototype, Object.fromEntries(own) as PropertyDescriptorMap);
  };
  for (const [C, hostC, members] of [[Table, hostTable, tableMembers], [Global, hostGlobal, globalMembers]] as const) {
    Object.defineProperties(C, {
      length: { value: hostC.length },
      prototype: { value: interfacePrototype(C, hostC, members), writable: false },
    });
    // (the host's static members, such as type reflection's)
    for (const key of Reflect.ownKeys(hostC)) {
      if (!Object.hasOwn(C, key)) Object.defineProperty(C, key, Reflect.getOwnPropertyDescriptor(hostC, key)!);
    }
  }
  /** A table or global the host made (an instance's export) gets the polyfill's interface. */
  const adoptRef = (v: unknown): unknown => {
    if (v !== null && typeof v === 'object') {
      const proto = Object.getPrototypeOf(v);
      if (proto === hostTable.prototype) Object.setPrototypeOf(v, Table.prototype);
      else if (proto === hostGlobal.prototype) Object.setPrototypeOf(v, Global.prototype);
    }
    return v;
  };

  const operations = {
    validate(bytes: unknown): boolean {
      // eslint-disable-next-line prefer-rest-params
      if (host.validate(...arguments)) return true;
      const v = viewOf(bytes);
      if (v === null || overLimits(v)) return false;
      try {
        const ast = decodeModule(v);
        if (!usesStackSwitching(ast)) return false;
        validateModule(ast);
        return true;
      } catch {
        return false;
      }
    },
    compile(bytes: unknown): Promise<HostObj> {
      // eslint-disable-next-line prefer-rest-params
      return compileAsync(bytes, arguments[1]);
    },
    instantiate(source: unknown): Promise<unknown> {
      // eslint-disable-next-line prefer-rest-params
      const [, imports, options] = arguments;
      if (isModule(source)) return instantiateAsync(source, imports);
      // a buffer: compiled first, then its imports are read (in a later job), as the host does
      const bytes = viewOf(source)?.slice() ?? null;
      if (bytes !== null && mentionsRuntime(bytes)) {
        // lowered beforehand: compiled as it is, linked to the runtime
        return host.compile(source, options).then(async (m: HostObj) => {
          const module = adopt(m, Module);
          return { module, instance: await instantiateAsync(module, imports) };
        });
      }
      return host.instantiate(source, unwrapImports(imports), options).then(
        (r: { module: HostObj; instance: HostObj }) => {
          adopt(r.module, Module);
          adopt(adoptPlain(r.instance), Instance);
          return r;
        },
        async (e: unknown) => {
          const low = lower(bytes, e);
          const module = adopt(register(await host.compile(low.bytes, options), low.original, low.isolated, low.auto, options), Module);
          return { module, instance: await instantiateAsync(module, imports) };
        },
      );
    },
  };
  /** A copy of a Response's body, to compile when the host's streaming compile fails (null: the host says why). */
  const spare = (r: unknown): Response | null => {
    try {
      return typeof Response === 'function' && r instanceof Response && !r.bodyUsed ? r.clone() : null;
    } catch {
      return null;
    }
  };
  const drop = (r: Response | null): void => void r?.body?.cancel().catch(() => {});
  const streaming = {
    compileStreaming(source: unknown): Promise<HostObj> {
      // eslint-disable-next-line prefer-rest-params
      const options = arguments[1];
      return Promise.resolve(source).then(async (response) => {
        const copy = spare(response);
        let m: HostObj;
        try {
          m = await host.compileStreaming(response, options);
        } catch (e) {
          if (copy === null || !(e instanceof host.CompileError)) throw (drop(copy), e);
          const low = lower(new Uint8Array(await copy.arrayBuffer()), e);
          return adopt(register(await host.compile(low.bytes, options), low.original, low.isolated, low.auto, options), Module);
        }
        drop(copy);
        return adopt(m, Module);
      });
    },
    instantiateStreaming(source: unknown): Promise<unknown> {
      // eslint-disable-next-line prefer-rest-params
      const [, imports, options] = arguments;
      return Promise.resolve(source).then(async (response) => {
        const copy = spare(response);
        let r: { module: HostObj; instance: HostObj };
        try {
          r = await host.instantiateStreaming(response, unwrapImports(imports), options);
        } catch (e) {
          if (copy === null || !(e instanceof host.CompileError)) throw (drop(copy), e);
          const low = lower(new Uint8Array(await copy.arrayBuffer()), e);
          const module = adopt(register(await host.compile(low.bytes, options), low.original, low.isolated, low.auto, options), Module);
          return { module, instance: await instantiateAsync(module, imports) };
        }
        drop(copy);
        adopt(r.module, Module);
        adopt(adoptPlain(r.instance), Instance);
        return r;
      });
    },
  };

  /** Is `x` a Module (of the host, and so of the polyfill)? */
  const isModule = (x: unknown): boolean => {
    if (x === null || typeof x !== 'object') return false;
    try {
      host.Module.exports(x);
      return true;
    } catch {
      return false;
    }
  };

  // everything the host has (Memory, Table, Global, Tag, Exception, JSTag, the errors, JSPI, ...)
  // with the same property attributes, but Module, Instance and the operations
  const ns: Record<PropertyKey, unknown> = {};
  for (const key of Reflect.ownKeys(host)) Object.defineProperty(ns, key, Reflect.getOwnPropertyDescriptor(host, key)!);
  Object.defineProperties(ns, {
    Module: { value: Module, ...hidden },
    Instance: { value: Instance, ...hidden },
    Table: { value: Table, ...hidden },
    Global: { value: Global, ...hidden },
    ...Object.fromEntries(Object.entries(Object.getOwnPropertyDescriptors(operations)).map(([k, d]) => [k, { ...d, ...method }])),
  });
  // the streaming operations where the host has them (a web page; Node)
  for (const [k, d] of Object.entries(Object.getOwnPropertyDescriptors(streaming))) {
    if (typeof host[k] === 'function') Object.defineProperty(ns, k, { ...d, ...method });
  }
  // JSPI's promising takes a Wasm function: the host's promising of the guarded export, whose
  // errors say why as the exported function's do (the polyfill's `Suspending` is the host's: an
  // import of a lowered module suspends the whole Wasm stack, the lowered frames with the rest)
  if (typeof host.promising === 'function') {
    const hostPromising = host.promising as (f: unknown) => (...a: unknown[]) => Promise<unknown>;
    const jspi = {
      promising(f: unknown): unknown {
        const g = typeof f === 'function' ? safeOf.get(f) : undefined;
        if (g === undefined) return hostPromising(f);
        const p = hostPromising(g);
        const wrapped = (...args: unknown[]): Promise<unknown> =>
          p(...args.map(rawFn)).then(rewrapFn, (e: unknown) => {
            throw translate(e);
          });
        Object.defineProperty(wrapped, 'name', { value: p.name });
        Object.defineProperty(wrapped, 'length', { value: p.length });
        return wrapped;
      },
    };
    Object.defineProperty(ns, 'promising', { ...Object.getOwnPropertyDescriptor(jspi, 'promising'), ...method });
  }
  if (!Object.hasOwn(ns, Symbol.toStringTag)) Object.defineProperty(ns, Symbol.toStringTag, { value: 'WebAssembly', writable: false, enumerable: false, configurable: true });
  // (tells wasmfx's host runtime that this namespace links modules lowered beforehand)
  Object.defineProperty(ns, LINKS_RUNTIME, { value: true, enumerable: false });
  // (wasmfx's host runtime, which has decoded and validated the module already: `new Module`
  // of its encoding would decode and validate it again, after the host had rejected it)
  Object.defineProperty(ns, COMPILE_VALIDATED, { value: compileValidated, enumerable: false });
  // (wasmfx's host runtime calls exported functions through modules of its own, which link the
  // host functions of lowered exports (unwrapImports): their traps come out untranslated)
  Object.defineProperty(ns, EXPLAIN_ERROR, { value: translate, enumerable: false });
  return ns as unknown as NS;
}

/** A module's types and the type of each function, computed once per module (an instance makes a JS function per export). */
const typesOf = new WeakMap<Ast, { types: ReturnType<typeof allSubTypes>; funcs: number[] }>();
function moduleTypes(m: Ast): { types: ReturnType<typeof allSubTypes>; funcs: number[] } {
  let t = typesOf.get(m);
  if (t === undefined) typesOf.set(m, (t = { types: allSubTypes(m), funcs: funcTypeIndices(m) }));
  return t;
}

/** The signature of type `index` of a module, with the module's types (for `funcRefs`). */
function funcTypeOf(m: Ast, index: number): { sig: FuncType; types: ReturnType<typeof allSubTypes> } {
  const { types } = moduleTypes(m);
  return { sig: types[index]!.comp as FuncType, types };
}

/**
 * Where a signature has function references (what JS passes as functions: an externref keeps
 * the very value JS gave): among the parameters, as its one result, among several results.
 */
function funcRefs({ sig, types }: ReturnType<typeof funcTypeOf>): { refIn: boolean; refOut: boolean; refsOut: boolean } {
  const isFunc = (t: ValType): boolean =>
    typeof t === 'object' && (t.heap === 'func' || t.heap === 'nofunc' || (typeof t.heap === 'number' && types[t.heap]?.comp.kind === 'func'));
  return {
    refIn: sig.params.some(isFunc),
    refOut: sig.results.length === 1 && isFunc(sig.results[0]!),
    refsOut: sig.results.length > 1 && sig.results.some(isFunc),
  };
}

/** Is `f` a Wasm function (the host's exported function objects have a numeric name and no prototype)? */
function isWasmFunction(f: unknown): boolean {
  return typeof f === 'function' && /^\d+$/.test(f.name) && !Object.hasOwn(f, 'prototype') && /\[native code\]/.test(Function.prototype.toString.call(f));
}

/** A namespace with this property links the runtime's imports of modules lowered beforehand. */
const LINKS_RUNTIME = Symbol.for('wasmfx.linksRuntime');
/** The polyfill's compile of a module already validated (HostRuntime.compile). */
const COMPILE_VALIDATED = Symbol.for('wasmfx.compileValidated');
/** The polyfill's translation of an error that left a lowered function (a trap's reason, a stack overflow). */
const EXPLAIN_ERROR = Symbol.for('wasmfx.explainError');

/** Does a binary name the runtime's import module (a module lowered beforehand)? */
function mentionsRuntime(bytes: Uint8Array): boolean {
  const needle = [0x77, 0x61, 0x73, 0x6d, 0x66, 0x78, 0x3a, 0x72, 0x74]; // "wasmfx:rt"
  outer: for (let i = 0; i + needle.length <= bytes.length; i++) {
    for (let j = 0; j < needle.length; j++) if (bytes[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

/** The original module's import and export descriptors, as the JS API lists them (new objects every time). */
function descriptors(exports: Ast['exports'], imports: Ast['imports']): { imports: HostObj[]; exports: HostObj[] } {
  const kind = { func: 'function', table: 'table', memory: 'memory', global: 'global', tag: 'tag' } as const;
  return {
    imports: imports.map((im) => ({ module: im.module, name: im.name, kind: kind[im.desc.kind] }) as HostObj),
    exports: exports.map((ex) => ({ name: ex.name, kind: kind[ex.kind] }) as HostObj),
  };
}

/** The realm's own `WebAssembly` when this module was loaded: the host of the shared polyfill. */
const realmHost: NS = (globalThis as any).WebAssembly;
let shared: NS | null = null;
/**
 * The shared polyfill, made on first use over the realm's own `WebAssembly` (not over what the
 * global is by then: that may be this very polyfill, installed by its user).
 */
const polyfill = (): NS => (shared ??= createPolyfill(realmHost));

/**
 * The polyfill over the global `WebAssembly` (one per realm, so all its instances share
 * continuations), made on first use: reads and writes go to it.
 */
export const WebAssembly: NS = new Proxy({} as NS, {
  get: (_t, p) => Reflect.get(polyfill(), p),
  set: (_t, p, v) => Reflect.set(polyfill(), p, v),
  has: (_t, p) => Reflect.has(polyfill(), p),
  deleteProperty: (_t, p) => Reflect.deleteProperty(polyfill(), p),
  defineProperty: (_t, p, d) => Reflect.defineProperty(polyfill(), p, d),
  ownKeys: () => Reflect.ownKeys(polyfill()),
  getOwnPropertyDescriptor: (_t, p) => {
    const d = Reflect.getOwnPropertyDescriptor(polyfill(), p);
    return d === undefined ? undefined : { ...d, configurable: true };
  },
});

/** A module with a continuation type: what a host without stack switching cannot validate. */
const PROBE = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 6, 2, 0x60, 0, 0, 0x5d, 0]);

/** Does the host run stack switching itself? */
export const hostHasStackSwitching = (host: NS = (globalThis as any).WebAssembly): boolean => host.validate(PROBE);

/**
 * Replaces `(globalThis as any).WebAssembly` by the polyfill where the host cannot run stack switching;
 * returns whether it did.
 */
export function installPolyfill(): boolean {
  if (hostHasStackSwitching()) return false;
  Object.defineProperty(globalThis, 'WebAssembly', { value: polyfill(), writable: true, configurable: true, enumerable: false });
  return true;
}

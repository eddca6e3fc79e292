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
// feature of the package's own `instantiate`).

import { decodeModule } from '../binary/decoder.ts';
import { encodeModule } from '../binary/encoder.ts';
import type { Module as Ast } from '../syntax/ast.ts';
import { validateModule } from '../valid/validator.ts';
import { lowerModule, RAW_PREFIX, TAG_PREFIX, usesStackSwitching } from '../lower/index.ts';
import { runtimeModule, TRAP_REASONS } from '../lower/rt.ts';
import { isWasmError } from '../util/errors.ts';

/* eslint-disable @typescript-eslint/no-explicit-any */
// The project's type libraries leave WebAssembly out: host objects are typed loosely here.
type NS = any;
type HostObj = any;
type Imports = Record<string, Record<string, unknown>>;

interface LoweredModule {
  readonly original: Ast;
  readonly descriptors: { imports: HostObj[]; exports: HostObj[] };
}

const EXHAUSTED = 'call stack exhausted';

/** Bytes of a BufferSource (a copy), or a TypeError. */
function bytesOf(src: unknown): Uint8Array {
  if (src instanceof Uint8Array) return src;
  if (ArrayBuffer.isView(src)) return new Uint8Array(src.buffer, src.byteOffset, src.byteLength);
  if (src instanceof ArrayBuffer) return new Uint8Array(src);
  throw new TypeError('WebAssembly: argument must be a BufferSource');
}

/** Builds a polyfill namespace over a host namespace (by default the global one). */
export function createPolyfill(host: NS = (globalThis as any).WebAssembly): NS {
  const lowered = new WeakMap<object, LoweredModule>();
  /** exported functions of lowered instances -> the host function to link into other lowered instances */
  const rawOf = new WeakMap<object, unknown>();
  /** tags -> their id global (a mutable i32 Global of the runtime's counter) */
  const tagIds = new WeakMap<object, HostObj>();
  let rt: Record<string, HostObj> | null = null;
  const runtime = (): Record<string, HostObj> => {
    if (rt === null) {
      const inst = new host.Instance(new host.Module(encodeModule(runtimeModule()) ), {});
      rt = inst.exports as unknown as Record<string, HostObj>;
    }
    return rt;
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

  /** What an error from a lowered instance is in JS. */
  const translate = (e: unknown): unknown => {
    if (e instanceof host.RuntimeError) {
      const why = rt === null ? 0 : (rt.why!.value as number);
      if (why !== 0) {
        rt!.why!.value = 0;
        const msg = TRAP_REASONS[why] ?? 'trap';
        const err = new host.RuntimeError(msg) as Error & { detail?: string };
        err.detail = msg;
        return err;
      }
      return e;
    }
    if (e instanceof RangeError && /call stack/i.test(e.message)) {
      const err = new host.RuntimeError(EXHAUSTED) as Error & { detail?: string };
      err.detail = EXHAUSTED;
      return err;
    }
    return e;
  };

  const compileSync = (src: unknown): HostObj => {
    const bytes = bytesOf(src);
    if (host.validate(bytes )) return new host.Module(bytes );
    let ast: Ast;
    try {
      ast = decodeModule(bytes);
      if (!usesStackSwitching(ast)) return new host.Module(bytes ); // the host's own error
      const vm = validateModule(ast);
      const low = lowerModule(ast, { valid: vm }).module;
      const m = new host.Module(encodeModule(low) );
      lowered.set(m, { original: ast, descriptors: descriptors(ast) });
      return m;
    } catch (e) {
      if (isWasmError(e)) throw new host.CompileError(e.format(), { cause: e });
      throw e;
    }
  };

  const linkImports = (module: HostObj, info: LoweredModule, imports: Imports | undefined): Imports => {
    const out: Imports = { 'wasmfx:rt': runtime() };
    const get = (mod: string, name: string): unknown => {
      if (imports === undefined || imports === null) throw new TypeError('WebAssembly.Instance: imports argument must be present');
      const o = imports[mod];
      if (o === undefined || o === null || (typeof o !== 'object' && typeof o !== 'function')) {
        throw new TypeError(`WebAssembly.Instance: import module "${mod}" is not an object`);
      }
      return (o as Record<string, unknown>)[name];
    };
    for (const im of info.original.imports) {
      const v = get(im.module, im.name);
      const slot = (out[im.module] ??= {});
      if (im.desc.kind === 'func') {
        slot[im.name] = rawOf.get(v as object) ?? v;
      } else if (im.desc.kind === 'tag') {
        slot[im.name] = v;
        if (v instanceof host.Tag) (out[`${TAG_PREFIX}${im.module}`] ??= {})[im.name] = tagId(v as HostObj);
      } else slot[im.name] = v;
    }
    void module;
    return out;
  };

  const wrapExports = (inst: HostObj, info: LoweredModule): Record<string, unknown> => {
    const ex = inst.exports as Record<string, unknown>;
    const out: Record<string, unknown> = Object.create(null);
    for (const d of info.descriptors.exports) {
      const v = ex[d.name];
      if (d.kind === 'function') {
        const f = v as (...a: unknown[]) => unknown;
        const w = function (this: unknown, ...args: unknown[]): unknown {
          try {
            return f.apply(this, args);
          } catch (e) {
            throw translate(e);
          }
        };
        Object.defineProperty(w, 'name', { value: f.name });
        Object.defineProperty(w, 'length', { value: f.length });
        rawOf.set(w, ex[`${RAW_PREFIX}${d.name}`] ?? f);
        out[d.name] = w;
      } else if (d.kind === 'tag') {
        const idg = ex[`${TAG_PREFIX}${d.name}`] as HostObj | undefined;
        if (idg !== undefined && !tagIds.has(v as object)) tagIds.set(v as HostObj, idg);
        out[d.name] = v;
      } else out[d.name] = v;
    }
    return Object.freeze(out);
  };

  const instantiateSync = (module: HostObj, imports?: Imports): HostObj => {
    const info = lowered.get(module);
    if (info === undefined) return new host.Instance(module, imports as HostObj);
    let inst: HostObj;
    try {
      inst = new host.Instance(module, linkImports(module, info, imports) as HostObj);
    } catch (e) {
      throw translate(e);
    }
    return Object.create(host.Instance.prototype, { exports: { value: wrapExports(inst, info), enumerable: true } });
  };

  // ---- the namespace
  const Module = function Module(this: unknown, bytes: unknown): HostObj {
    if (new.target === undefined) throw new TypeError("WebAssembly.Module must be invoked with 'new'");
    return compileSync(bytes);
  } as any;
  Object.defineProperties(Module, {
    prototype: { value: host.Module.prototype },
    imports: { value: (m: HostObj) => lowered.get(m)?.descriptors.imports ?? host.Module.imports(m) },
    exports: { value: (m: HostObj) => lowered.get(m)?.descriptors.exports ?? host.Module.exports(m) },
    customSections: {
      value: (m: HostObj, name: string) => {
        const info = lowered.get(m);
        if (info === undefined) return host.Module.customSections(m, name);
        return info.original.customs.filter((c) => c.name === name).map((c) => c.bytes.slice().buffer);
      },
    },
  });
  const Instance = function Instance(this: unknown, module: HostObj, imports?: Imports): HostObj {
    if (new.target === undefined) throw new TypeError("WebAssembly.Module must be invoked with 'new'");
    return instantiateSync(module, imports);
  } as any;
  Object.defineProperty(Instance, 'prototype', { value: host.Instance.prototype });

  const Tag = function Tag(this: unknown, type: { parameters: string[]; results?: string[] }): HostObj {
    if (new.target === undefined) throw new TypeError("WebAssembly.Module must be invoked with 'new'");
    return new host.Tag({ parameters: type.parameters });
  } as any;
  Object.defineProperty(Tag, 'prototype', { value: host.Tag.prototype });

  const ns = {
    Module,
    Instance,
    Tag,
    Memory: host.Memory,
    Table: host.Table,
    Global: host.Global,
    Exception: host.Exception,
    JSTag: host.JSTag,
    CompileError: host.CompileError,
    LinkError: host.LinkError,
    RuntimeError: host.RuntimeError,
    validate(src: unknown): boolean {
      const bytes = bytesOf(src);
      if (host.validate(bytes )) return true;
      try {
        const ast = decodeModule(bytes);
        if (!usesStackSwitching(ast)) return false;
        validateModule(ast);
        return true;
      } catch {
        return false;
      }
    },
    async compile(src: unknown): Promise<HostObj> {
      return compileSync(src);
    },
    async instantiate(src: unknown, imports?: Imports): Promise<unknown> {
      if (src instanceof host.Module) return instantiateSync(src, imports);
      const module = compileSync(src);
      return { module, instance: instantiateSync(module, imports) };
    },
    compileStreaming: host.compileStreaming,
    instantiateStreaming: host.instantiateStreaming,
  };
  Object.defineProperty(ns, Symbol.toStringTag, { value: 'WebAssembly' });
  return ns as unknown as NS;
}

/** The original module's import and export descriptors, as the JS API lists them. */
function descriptors(m: Ast): LoweredModule['descriptors'] {
  const kind = { func: 'function', table: 'table', memory: 'memory', global: 'global', tag: 'tag' } as const;
  return {
    imports: m.imports.map((im) => ({ module: im.module, name: im.name, kind: kind[im.desc.kind] }) as HostObj),
    exports: m.exports.map((ex) => ({ name: ex.name, kind: kind[ex.kind] }) as HostObj),
  };
}

let shared: NS | null = null;

/** The polyfill over the global `WebAssembly` (one per realm, so all its instances share continuations). */
export const WebAssembly: NS = new Proxy({} as NS, {
  get: (_t, p) => Reflect.get((shared ??= createPolyfill((globalThis as any).WebAssembly)), p),
  has: (_t, p) => Reflect.has((shared ??= createPolyfill((globalThis as any).WebAssembly)), p),
  ownKeys: () => Reflect.ownKeys((shared ??= createPolyfill((globalThis as any).WebAssembly))),
  getOwnPropertyDescriptor: (_t, p) => {
    const d = Reflect.getOwnPropertyDescriptor((shared ??= createPolyfill((globalThis as any).WebAssembly)), p);
    return d === undefined ? undefined : { ...d, configurable: true };
  },
});

/** A module with a continuation type: what a host without stack switching cannot validate. */
const PROBE = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 7, 2, 0x60, 0, 0, 0x5d, 0, 0]);

/** Does the host run stack switching itself? */
export const hostHasStackSwitching = (host: NS = (globalThis as any).WebAssembly): boolean => host.validate(PROBE);

/**
 * Replaces `(globalThis as any).WebAssembly` by the polyfill where the host cannot run stack switching;
 * returns whether it did.
 */
export function installPolyfill(): boolean {
  if (hostHasStackSwitching()) return false;
  const p = (shared ??= createPolyfill((globalThis as any).WebAssembly));
  Object.defineProperty(globalThis, 'WebAssembly', { value: p, writable: true, configurable: true, enumerable: false });
  return true;
}

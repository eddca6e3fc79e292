// Running validated modules on a `WebAssembly`-shaped namespace (the host's own
// `WebAssembly`, or a polyfill namespace): compiling with `ns.Module`, linking
// with `ns.Instance` against registered instances and a `spectest` module made
// of namespace objects, and exact calls and global reads through wrapper
// modules (src/host/exact.ts). The WAST host engine (src/script/engine-host.ts)
// and `wasmfx run --engine host|native` build on it.
//
// A module the namespace does not compile because the host lacks a feature the
// module uses (stack switching, or its `switch`) raises `MissingFeature`: the
// callers report it as unsupported, not as a failure. Features are detected by
// compiling a small probe module once per namespace.

import { allSubTypes, importCounts, type Module } from '../syntax/ast.ts';
import { instr, type OnClause, type Instr } from '../syntax/opcodes.ts';
import type { NumType, ValType } from '../syntax/types.ts';
import { encodeModule } from '../binary/encoder.ts';
import { parseModule } from '../text/parser.ts';
import { funcTypeOf, type CValType } from '../valid/types.ts';
import type { ValidModule } from '../valid/validator.ts';
import { LinkError } from '../util/errors.ts';
import { isRuntimeImport, unknownImport } from '../lower/error.ts';
import { f64FromBits } from '../util/float-bits.ts';
import type { SourceFile } from '../util/source.ts';
import type { Value } from '../runtime/value.ts';
import { PRINTS, formatPrinted } from './spectest.ts';
import { usesStackSwitching } from '../lower/analysis.ts';
import { abstractKey, compileWrapper, fromWrapperResults, needsModuleTypes, toWrapperArgs, type WrapTarget, type Wrapper } from './exact.ts';
import type { WasmImportObject, WasmInstanceObject, WasmModuleObject, WasmNamespace } from './namespace.ts';

/** The host cannot run a module because it lacks a feature the module uses; the message says which. */
export class MissingFeature extends Error {}

/** An action names an export that is not there, or not of the right kind. */
export class ExportError extends Error {}

/** A validated module, as the WAST runner's loader gives it (src/script/runner.ts LoadedModule). */
export interface ValidatedModule {
  readonly module: Module;
  readonly valid: ValidModule;
  readonly source: SourceFile;
}

export interface HostInstance {
  readonly loaded: ValidatedModule;
  readonly exports: Record<string, unknown>;
}

export interface HostRuntimeOptions {
  /** where spectest's `print*` functions write; default: nowhere */
  readonly print?: (line: string) => void;
  /** the reason given when a module uses stack switching and the namespace lacks it */
  readonly stackSwitchingReason?: string;
  /**
   * Features the host lacks although it compiles them (V8 compiles `switch` but aborts the
   * process running it), with the reason: modules using them are not run.
   */
  readonly lacks?: Readonly<Partial<Record<HostFeature, string>>>;
}

/** The results of an action with their types. */
export interface Results {
  readonly values: readonly Value[];
  readonly types: readonly CValType[];
}

// ---- host features ---------------------------------------------------------------------------

export type HostFeature = 'stack-switching' | 'switch';

const PROBES: Readonly<Record<HostFeature, string>> = {
  'stack-switching': '(module (type $f (func)) (type $c (cont $f)) (tag $t) (func (drop (cont.new $c (ref.null $f)))) (func (suspend $t)))',
  switch: `(module (rec (type $f (func (param (ref null $c)))) (type $c (cont $f))) (tag $t)
    (func (switch $c $t (ref.null $c)) (unreachable))
    (func (resume $c (on $t switch) (ref.null $c) (ref.null $c))))`,
};

const probed = new WeakMap<WasmNamespace, Map<HostFeature, boolean>>();

/** Does the namespace compile modules that use this feature? (probed once per namespace) */
export function hostSupports(ns: WasmNamespace, f: HostFeature): boolean {
  let m = probed.get(ns);
  if (m === undefined) probed.set(ns, (m = new Map()));
  let ok = m.get(f);
  if (ok === undefined) {
    try {
      new ns.Module(encodeModule(parseModule(PROBES[f], `<${f} probe>`)));
      ok = true;
    } catch {
      ok = false;
    }
    m.set(f, ok);
  }
  return ok;
}

/** The host features a module needs (only the ones hosts may lack). */
export function featuresUsed(m: Module): Set<HostFeature> {
  const used = new Set<HostFeature>();
  if (usesStackSwitching(m)) used.add('stack-switching');
  for (const f of m.funcs) {
    for (const i of f.body) {
      if (i.op === 'switch') used.add('switch');
      if (i.op === 'resume' && (i.args[1] as readonly OnClause[]).some((h) => h.label === null)) used.add('switch');
    }
  }
  return used;
}

// ---- spectest ----------------------------------------------------------------------------------


const asBits = (t: NumType): NumType => (t === 'f32' ? 'i32' : t === 'f64' ? 'i64' : t);

/**
 * spectest's print functions as a Wasm module, so that they have exact types (a JS function
 * would link as any function type): each passes its floats as bits to a JS import.
 */
function printModule(): Module {
  const m = parseModule('(module)');
  const names = Object.keys(PRINTS);
  names.forEach((name, k) => {
    const params = PRINTS[name]!;
    m.types.push({ types: [{ final: true, supers: [], comp: { kind: 'func', params: params.map(asBits), results: [] } }] });
    m.types.push({ types: [{ final: true, supers: [], comp: { kind: 'func', params: [...params], results: [] } }] });
    m.imports.push({ module: 'host', name, desc: { kind: 'func', type: 2 * k }, at: -1 });
  });
  names.forEach((name, k) => {
    const params = PRINTS[name]!;
    const body = params.flatMap((t, i): Instr[] => {
      const get = instr('local.get', i);
      return t === 'f32' ? [get, instr('i32.reinterpret_f32')] : t === 'f64' ? [get, instr('i64.reinterpret_f64')] : [get];
    });
    m.funcs.push({ type: 2 * k + 1, locals: [], body: [...body, instr('call', k), instr('end')], at: -1 });
    m.exports.push({ name, kind: 'func', index: names.length + k, at: -1 });
  });
  return m;
}

const printModules = new WeakMap<WasmNamespace, WasmModuleObject>();

// ---- wrapper caches ---------------------------------------------------------------------------

interface WrapperCache {
  /** signatures of abstract types: one wrapper each */
  readonly abstract: Map<string, Wrapper>;
  /** signatures naming defined types: per module, per target */
  readonly own: WeakMap<Module, Map<string, Wrapper>>;
}
const wrapperCaches = new WeakMap<WasmNamespace, WrapperCache>();

// ---- the runtime ------------------------------------------------------------------------------

const UNAVAILABLE = Symbol('unavailable');
/** A registered name whose instance could not be made on this host. */
interface Unavailable {
  readonly [UNAVAILABLE]: true;
  readonly unavailable: string;
}
const isUnavailable = (m: object): m is Unavailable => UNAVAILABLE in m;

export class HostRuntime {
  readonly ns: WasmNamespace;
  private readonly print: (line: string) => void;
  private readonly stackSwitchingReason: string;
  private readonly lacks: Readonly<Partial<Record<HostFeature, string>>>;
  /** importable modules by name: their exports, or why they are unavailable */
  private readonly modules = new Map<string, Record<string, unknown> | Unavailable>();
  private spectestExports: Record<string, unknown> | undefined;
  private readonly wrappers: WrapperCache;
  /** a bound wrapper per target object (an exported function or Global) */
  private readonly bound = new WeakMap<object, Map<Wrapper, (...args: unknown[]) => unknown>>();

  /** the namespace links what a module lowered beforehand imports of the runtime (the polyfill's does) */
  readonly linksRuntime: boolean;

  constructor(ns: WasmNamespace, opts: HostRuntimeOptions = {}) {
    this.ns = ns;
    this.print = opts.print ?? (() => {});
    this.stackSwitchingReason = opts.stackSwitchingReason ?? 'stack switching needs --engine lowered or native';
    this.lacks = opts.lacks ?? {};
    this.linksRuntime = (ns as unknown as Record<symbol, unknown>)[Symbol.for('wasmfx.linksRuntime')] === true;
    let c = wrapperCaches.get(ns);
    if (c === undefined) wrapperCaches.set(ns, (c = { abstract: new Map(), own: new WeakMap() }));
    this.wrappers = c;
  }

  /** Compiles a module. Throws MissingFeature when the host lacks a feature it uses, else the host's error. */
  compile(m: ValidatedModule): WasmModuleObject {
    const lacking = Object.entries(this.lacks);
    if (lacking.length > 0) {
      const used = featuresUsed(m.module);
      for (const [f, reason] of lacking) if (used.has(f as HostFeature)) throw new MissingFeature(reason);
    }
    // (the polyfill takes the module validated: no second decoding and validation)
    const direct = (this.ns as unknown as Record<symbol, unknown>)[Symbol.for('wasmfx.compileValidated')] as
      ((ast: Module, valid: ValidModule) => WasmModuleObject) | undefined;
    try {
      if (direct !== undefined) return direct(m.module, m.valid);
      return new this.ns.Module(encodeModule(m.module));
    } catch (e) {
      const used = featuresUsed(m.module);
      if (used.has('stack-switching') && !hostSupports(this.ns, 'stack-switching')) throw new MissingFeature(this.stackSwitchingReason);
      if (used.has('switch') && !hostSupports(this.ns, 'switch')) throw new MissingFeature('the host lacks stack switching\'s switch');
      throw e;
    }
  }

  /** Makes an instance's exports importable as module `name`. */
  register(name: string, inst: HostInstance): void {
    this.modules.set(name, inst.exports);
  }

  /** Marks module `name` as unavailable (its instance could not be made on this host). */
  registerUnavailable(name: string, reason: string): void {
    this.modules.set(name, { [UNAVAILABLE]: true, unavailable: reason });
  }

  /** The import object of a module. Throws LinkError "unknown import" or MissingFeature. */
  imports(m: ValidatedModule): WasmImportObject {
    const obj: WasmImportObject = Object.create(null) as WasmImportObject;
    for (const im of m.module.imports) {
      // a module lowered beforehand: the polyfill's namespace links its runtime and tag ids
      if (this.linksRuntime && isRuntimeImport(im.module)) continue;
      const v = this.lookup(im.module, im.name);
      if (v === undefined) {
        throw new LinkError(unknownImport(im.module, im.name), im.at, m.source);
      }
      (obj[im.module] ??= Object.create(null) as Record<string, unknown>)[im.name] = v;
    }
    return obj;
  }

  /** Instantiates a compiled module with imports from registered instances and spectest. */
  instantiate(m: ValidatedModule, compiled: WasmModuleObject): HostInstance {
    const inst: WasmInstanceObject = new this.ns.Instance(compiled, this.imports(m));
    return { loaded: m, exports: inst.exports };
  }

  private lookup(module: string, name: string): unknown {
    const mod = this.modules.get(module);
    if (mod === undefined) return module === 'spectest' ? this.spectestValue(name) : undefined;
    if (isUnavailable(mod)) throw new MissingFeature(mod.unavailable);
    return Object.hasOwn(mod, name) ? mod[name] : undefined;
  }

  // spectest: print functions (a Wasm module, for exact types), globals, tables and a memory.
  private spectest(): Record<string, unknown> {
    if (this.spectestExports === undefined) {
      let compiled = printModules.get(this.ns);
      if (compiled === undefined) printModules.set(this.ns, (compiled = new this.ns.Module(encodeModule(printModule()))));
      const out = this.print;
      const host: Record<string, unknown> = {};
      for (const [name, params] of Object.entries(PRINTS)) {
        host[name] = (...args: unknown[]): void => {
          params.forEach((t, i) => {
            const a = args[i];
            const v: Value = t === 'f32' ? (a as number) >>> 0 : t === 'f64' ? f64FromBits(a as bigint) : (a as number | bigint);
            out(formatPrinted(v, t));
          });
        };
      }
      const inst = new this.ns.Instance(compiled, { host });
      this.spectestExports = { ...inst.exports };
    }
    return this.spectestExports;
  }

  /** A spectest export, made on first use (so that a host lacking e.g. table64 fails only where it is imported). */
  private spectestValue(name: string): unknown {
    const ex = this.spectest();
    if (Object.hasOwn(ex, name)) return ex[name];
    const ns = this.ns;
    let v: unknown;
    try {
      switch (name) {
        case 'global_i32': v = new ns.Global({ value: 'i32', mutable: false }, 666); break;
        case 'global_i64': v = new ns.Global({ value: 'i64', mutable: false }, 666n); break;
        case 'global_f32': v = new ns.Global({ value: 'f32', mutable: false }, 666.6); break;
        case 'global_f64': v = new ns.Global({ value: 'f64', mutable: false }, 666.6); break;
        case 'table': v = new ns.Table({ element: 'anyfunc', initial: 10, maximum: 20 }, null); break;
        case 'table64': v = new ns.Table({ element: 'anyfunc', initial: 10n, maximum: 20n, address: 'i64' }, null); break;
        case 'memory': v = new ns.Memory({ initial: 1, maximum: 2 }); break;
        default: return undefined;
      }
    } catch (e) {
      throw new MissingFeature(`the host cannot make spectest's ${name}: ${(e as Error).message}`);
    }
    ex[name] = v;
    return v;
  }

  // ---- exact calls and reads -------------------------------------------------------------------

  /** The wrapper of a target: per signature when it is abstract, else per module and `ownKey`. */
  private wrapper(m: ValidatedModule, target: WrapTarget, ownKey: string): Wrapper {
    const subs = allSubTypes(m.module);
    const own = needsModuleTypes(target, subs);
    const key = own ? ownKey : abstractKey(target, subs);
    let map: Map<string, Wrapper>;
    if (own) {
      let mm = this.wrappers.own.get(m.module);
      if (mm === undefined) this.wrappers.own.set(m.module, (mm = new Map()));
      map = mm;
    } else {
      map = this.wrappers.abstract;
    }
    let w = map.get(key);
    if (w === undefined) {
      w = compileWrapper(this.ns, target, m.module.types);
      map.set(key, w);
    }
    return w;
  }

  /** The bound `call` of a target's wrapper. */
  private bind(target: object, w: Wrapper, field: 'f' | 'g'): (...args: unknown[]) => unknown {
    let byWrapper = this.bound.get(target);
    if (byWrapper === undefined) this.bound.set(target, (byWrapper = new Map()));
    let f = byWrapper.get(w);
    if (f === undefined) {
      const inst = new this.ns.Instance(w.module, { t: { [field]: target } });
      f = inst.exports.call as (...args: unknown[]) => unknown;
      byWrapper.set(w, f);
    }
    return f;
  }

  private exported(inst: HostInstance, name: string, kind: 'func' | 'global'): { index: number; value: object } {
    const ex = inst.loaded.module.exports.find((e) => e.name === name);
    const v = inst.exports[name];
    if (ex === undefined || v === undefined) throw new ExportError(`undefined export ${JSON.stringify(name)}`);
    if (ex.kind !== kind) throw new ExportError(`export ${JSON.stringify(name)} is not a ${kind === 'func' ? 'function' : 'global'}`);
    return { index: ex.index, value: v as object };
  }

  /** The parameter and result types of an exported function. */
  funcType(inst: HostInstance, name: string): { params: readonly CValType[]; results: readonly CValType[] } {
    const { index } = this.exported(inst, name, 'func');
    return funcTypeOf(inst.loaded.valid.funcs[index]!);
  }

  /** Calls an exported function with exact values (interpreter representation, see exact.ts). */
  call(inst: HostInstance, name: string, args: readonly Value[]): Results {
    const { index, value } = this.exported(inst, name, 'func');
    const m = inst.loaded;
    const ft = funcTypeOf(m.valid.funcs[index]!);
    if (args.length !== ft.params.length) throw new ExportError(`wrong number of arguments: ${name} takes ${ft.params.length}, got ${args.length}`);
    const ti = [...m.module.imports.flatMap((im) => (im.desc.kind === 'func' ? [im.desc.type] : [])), ...m.module.funcs.map((f) => f.type)][index]!;
    const w = this.wrapper(m, { kind: 'func', type: ti }, `func ${ti}`);
    const f = this.bind(value, w, 'f');
    let raw: unknown;
    try {
      raw = f(...toWrapperArgs(args, w.params));
    } catch (e) {
      // (the polyfill's reason for a trap of a lowered function the wrapper module called)
      const explain = (this.ns as unknown as Record<symbol, ((e: unknown) => unknown) | undefined>)[Symbol.for('wasmfx.explainError')];
      throw explain === undefined ? e : explain(e);
    }
    return { values: fromWrapperResults(raw, w.results), types: ft.results };
  }

  /** Reads an exported global exactly. */
  get(inst: HostInstance, name: string): Results {
    const { index, value } = this.exported(inst, name, 'global');
    const m = inst.loaded;
    const nImported = importCounts(m.module).global;
    const gt = index < nImported
      ? (m.module.imports.filter((im) => im.desc.kind === 'global')[index]!.desc as { type: { mutable: boolean; type: ValType } }).type
      : m.module.globals[index - nImported]!.type;
    const w = this.wrapper(m, { kind: 'global', type: gt }, `global ${index}`);
    const f = this.bind(value, w, 'g');
    return { values: fromWrapperResults(f(), w.results), types: [m.valid.globals[index]!.type] };
  }
}

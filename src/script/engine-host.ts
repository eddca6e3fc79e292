// The WAST engine of a `WebAssembly`-shaped namespace (`wasmfx wast --engine
// host|native`, and `lowered` with a polyfill namespace): runs the execution
// commands of a script on the namespace, with the command semantics of
// engine-interp.ts (names bound once per script, module definitions and
// instances, `register`, assert_unlinkable = a LinkError, assert_uninstantiable
// = a trap while instantiating).
//
// Modules are encoded (src/binary/encoder.ts) and compiled by the namespace;
// calls and global reads are exact (src/host/exact.ts: wrapper modules pass
// floats as bits, v128 as i64 pairs, classify references), and results are
// matched by src/script/values.ts as the interpreter's are. The host's errors
// are mapped to the spec's categories and messages by src/host/host-errors.ts.
//
// A module that does not compile because the host lacks a feature it uses
// (stack switching on plain V8, `switch` on V8's experimental support) makes
// its command *skipped*, with the reason; so does every later command that
// needs that module (its name, or the latest instance, is bound to the reason).

import type { Action, Command, Expected } from './ast.ts';
import { AssertionFailure, Unsupported, type LoadedModule, type ModuleLoader, type ScriptEngine } from './runner.ts';
import { HostRefs, constFits, constToValue, resultsMismatch } from './values.ts';
import { nulls, type Value } from '../runtime/value.ts';
import { WasmError, type ErrorKind } from '../util/errors.ts';
import type { WasmModuleObject, WasmNamespace } from '../host/namespace.ts';
import { classifyHostError, messageMatches } from '../host/host-errors.ts';
import { ExportError, HostRuntime, MissingFeature, type HostInstance, type HostRuntimeOptions, type Results } from '../host/host-runtime.ts';

/** The runtime's options (spectest's `print`, why stack switching is missing...) and a name. */
export interface HostEngineOptions extends HostRuntimeOptions {
  /** the engine's name in reports (default: host) */
  readonly name?: string;
}

const fail = (msg: string): never => {
  throw new AssertionFailure(msg);
};

/** A name whose module or instance the host could not make: commands that need it are skipped. */
interface Unavailable {
  readonly unavailable: string;
}
const isUnavailable = (v: object): v is Unavailable => 'unavailable' in v;

interface Definition {
  readonly loaded: LoadedModule;
  readonly compiled: WasmModuleObject;
}

const KIND_NAMES: Readonly<Record<ErrorKind, string>> = {
  syntax: 'syntax error', malformed: 'decoding error', invalid: 'validation error', unlinkable: 'link error',
  uninstantiable: 'instantiation error', trap: 'trap', exhaustion: 'exhaustion', exception: 'exception',
  suspension: 'suspension',
};

export class HostEngine implements ScriptEngine {
  readonly name: string;
  readonly ns: WasmNamespace;
  readonly runtime: HostRuntime;
  private readonly definitions = new Map<string, Definition | Unavailable>();
  private readonly instances = new Map<string, HostInstance | Unavailable>();
  private readonly hostRefs = new HostRefs();

  constructor(ns: WasmNamespace, opts: HostEngineOptions = {}) {
    this.ns = ns;
    this.name = opts.name ?? 'host';
    this.runtime = new HostRuntime(ns, opts);
  }

  run(cmd: Command, modules: ModuleLoader): void {
    try {
      this.dispatch(cmd, modules);
    } catch (e) {
      if (e instanceof MissingFeature) throw new Unsupported(e.message);
      if (e instanceof ExportError) throw new AssertionFailure(e.message);
      if (e instanceof AssertionFailure || e instanceof Unsupported || e instanceof WasmError) throw e;
      const c = classifyHostError(e, this.ns);
      if (c === undefined) throw e;
      throw new AssertionFailure(`unexpected ${KIND_NAMES[c.kind]}: ${c.text}`);
    }
  }

  private dispatch(cmd: Command, modules: ModuleLoader): void {
    switch (cmd.kind) {
      case 'module': {
        const m = modules.validate(cmd.source);
        const def = this.guard(() => this.define(m), (u) => {
          this.bind(this.definitions, cmd.id, u, 'module');
          if (!cmd.definition) this.bind(this.instances, cmd.id, u, 'instance');
        });
        this.bind(this.definitions, cmd.id, def, 'module');
        if (!cmd.definition) {
          const inst = this.guard(() => this.instantiate(def), (u) => this.bind(this.instances, cmd.id, u, 'instance'));
          this.bind(this.instances, cmd.id, inst, 'instance');
        }
        return;
      }
      case 'instance': {
        const def = this.lookup(this.definitions, cmd.module, 'module', (u) => this.bind(this.instances, cmd.id, u, 'instance'));
        const inst = this.guard(() => this.instantiate(def), (u) => this.bind(this.instances, cmd.id, u, 'instance'));
        this.bind(this.instances, cmd.id, inst, 'instance');
        return;
      }
      case 'register': {
        const inst = this.instances.get(cmd.module ?? '');
        if (inst !== undefined && isUnavailable(inst)) {
          this.runtime.registerUnavailable(cmd.name, inst.unavailable);
          throw new Unsupported(inst.unavailable);
        }
        this.runtime.register(cmd.name, this.lookup(this.instances, cmd.module, 'module instance'));
        return;
      }
      case 'action':
        this.action(cmd.action);
        return;
      case 'assert_return':
        checkResults(this.action(cmd.action), cmd.expected);
        return;
      case 'assert_trap':
        this.expectError('trap', cmd.message, 'runtime', () => this.action(cmd.action));
        return;
      case 'assert_exhaustion':
        this.expectError('exhaustion', cmd.message, 'exhaustion', () => this.action(cmd.action));
        return;
      case 'assert_suspension':
        this.expectError('suspension', cmd.message, 'suspension', () => this.action(cmd.action));
        return;
      case 'assert_exception':
        this.expectError('exception', null, 'exception', () => this.action(cmd.action));
        return;
      case 'assert_unlinkable': {
        const def = this.define(modules.validate(cmd.source));
        this.expectError('unlinkable', cmd.message, 'linking', () => this.instantiate(def));
        return;
      }
      case 'assert_uninstantiable': {
        const def = this.define(modules.validate(cmd.source));
        this.expectError('trap', cmd.message, 'instantiation', () => this.instantiate(def));
        return;
      }
      case 'assert_malformed':
      case 'assert_invalid':
        return; // static: the runner checks these
    }
  }

  /** Compiles a module; a module the host rejects although it is valid is a failure (unless a feature is missing). */
  private define(m: LoadedModule): Definition {
    try {
      return { loaded: m, compiled: this.runtime.compile(m) };
    } catch (e) {
      if (e instanceof MissingFeature) throw e;
      const c = classifyHostError(e, this.ns);
      if (c?.kind === 'invalid') fail(`the host rejects this valid module: ${c.text}`);
      throw e;
    }
  }

  private instantiate(def: Definition): HostInstance {
    try {
      return this.runtime.instantiate(def.loaded, def.compiled);
    } catch (e) {
      if (e instanceof WasmError) e.in(def.loaded.source);
      throw e;
    }
  }

  /**
   * Runs `f` (making a module or instance); when it fails, records why with `onUnavailable`, so
   * that the commands that need what it would have made are skipped, not failed again: with the
   * reason when the host lacks a feature, else pointing at the failed command.
   */
  private guard<T>(f: () => T, onUnavailable: (u: Unavailable) => void): T {
    try {
      return f();
    } catch (e) {
      const why = e instanceof MissingFeature || e instanceof Unsupported
        ? e.message
        : `a module it needs failed: ${(e instanceof Error ? e.message : String(e)).slice(0, 120)}`;
      onUnavailable({ unavailable: why });
      throw e;
    }
  }

  /** The instance of a name (the latest one without a name). */
  instance(name?: string): HostInstance {
    return this.lookup(this.instances, name, 'module instance');
  }

  /** Runs an action; returns its values with their types. */
  action(a: Action): Results {
    const inst = this.instance(a.module);
    if (a.kind === 'get') return this.runtime.get(inst, a.name);
    const ft = this.runtime.funcType(inst, a.name);
    if (a.args.length !== ft.params.length) {
      fail(`wrong number of arguments: ${a.name} takes ${ft.params.length}, got ${a.args.length}`);
    }
    const args: Value[] = nulls(a.args.length); // generic: keeps f64 NaN payloads
    a.args.forEach((c, i) => {
      if (!constFits(c, ft.params[i]!)) fail(`wrong type of argument ${i}`);
      args[i] = constToValue(c, this.hostRefs);
    });
    return this.runtime.call(inst, a.name, args);
  }

  /**
   * Expects `f` to throw an error of `kind` (as the host's errors map to the spec's) with a
   * message starting with `expected` (any message when null). An unhandled suspension may
   * also come as a trap whose message says so (hosts have no error class of their own for it).
   */
  private expectError(kind: ErrorKind, expected: string | null, what: string, f: () => unknown): void {
    try {
      f();
    } catch (e) {
      if (e instanceof AssertionFailure || e instanceof Unsupported || e instanceof MissingFeature || e instanceof ExportError) throw e;
      const c = classifyHostError(e, this.ns);
      if (c === undefined) throw e;
      const sameKind = c.kind === kind || (kind === 'suspension' && c.kind === 'trap');
      const matches = expected === null || messageMatches(c, expected);
      if (!sameKind || (kind === 'suspension' && c.kind === 'trap' && !matches)) {
        fail(`expected ${KIND_NAMES[kind]}${expected === null ? '' : ` "${expected}"`}, got ${KIND_NAMES[c.kind]}: ${c.text}`);
      }
      if (!matches) fail(`wrong ${what} error: expected "${expected}", got "${c.text}"`);
      return;
    }
    fail(`expected ${KIND_NAMES[kind]}${expected === null ? '' : ` "${expected}"`}, but it ${kind === 'unlinkable' || what === 'instantiation' ? 'instantiated' : 'returned'}`);
  }

  /** Names `v` (and makes it the latest); a name is bound once per script, as in the reference's run.ml. */
  private bind<T>(map: Map<string, T | Unavailable>, id: string | undefined, v: T | Unavailable, what: string): void {
    if (id !== undefined) {
      if (map.has(id)) fail(`${what} ${id} already defined`);
      map.set(id, v);
    }
    map.set('', v);
  }

  /** The value of a name; skips (Unsupported) when it stands for something the host could not make. */
  private lookup<T extends object>(
    map: Map<string, T | Unavailable>, id: string | undefined, what: string, onUnavailable?: (u: Unavailable) => void,
  ): T {
    const v = map.get(id ?? '');
    if (v === undefined) fail(id === undefined ? `no ${what} defined` : `unknown ${what} ${id}`);
    if (isUnavailable(v!)) {
      onUnavailable?.(v);
      throw new Unsupported(v.unavailable);
    }
    return v as T;
  }
}

function checkResults(got: Results, expected: readonly Expected[]): void {
  const m = resultsMismatch(got.values, got.types, expected);
  if (m !== null) fail(m);
}

/** The WAST engine of a namespace: `hostEngine(globalThis.WebAssembly)`, or a polyfill's namespace. */
export const hostEngine = (ns: WasmNamespace, opts: HostEngineOptions = {}): HostEngine => new HostEngine(ns, opts);

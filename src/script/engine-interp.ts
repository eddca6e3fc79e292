// The WAST engine of the interpreter (`wasmfx wast --engine interp`): runs
// the execution commands of a script the way the reference interpreter's
// script/run.ml does.
//
// State per script: module definitions and instances by name (the unnamed
// latest one under ''), and a linker holding `spectest` and every
// `(register "name" $inst)`. Imports are resolved by (module, field) name;
// their types are checked by `instantiate`.

import type { Action, Command, Expected, ModuleSource } from './ast.ts';
import { AssertionFailure, type LoadedModule, type ModuleLoader, type ScriptEngine } from './runner.ts';
import { Linker, standardLinker } from './linker.ts';
import { HostRefs, constFits, constToValue, resultsMismatch } from './values.ts';
import { nulls, type ExternVal, type FuncInst, type Instance, type Value } from '../runtime/value.ts';
import type { CValType } from '../valid/types.ts';
import { funcTypeOf } from '../valid/types.ts';
import { WasmError, type ErrorKind } from '../util/errors.ts';
import { instantiate } from '../runtime/instantiate.ts';
import { invoke, type EngineOptions } from '../exec/engine.ts';

export interface InterpEngineOptions {
  /** options of every invocation (fuel, limits...) */
  readonly engine?: EngineOptions;
  /** called with the linker before the first command: a place to add host modules */
  readonly setup?: (linker: Linker) => void;
  /** where spectest's `print*` functions write; default: nowhere */
  readonly print?: (line: string) => void;
}

const fail = (msg: string): never => {
  throw new AssertionFailure(msg);
};

/** What an action gave: values and their types. */
interface Results {
  readonly values: readonly Value[];
  readonly types: readonly CValType[];
}

export class InterpEngine implements ScriptEngine {
  readonly name = 'interp';
  readonly linker: Linker;
  private readonly definitions = new Map<string, LoadedModule>();
  private readonly instances = new Map<string, Instance>();
  private readonly hostRefs = new HostRefs();
  private readonly engineOptions: EngineOptions | undefined;
  private readonly invokeFn: (f: FuncInst, args: Value[]) => Value[];

  constructor(opts: InterpEngineOptions = {}) {
    this.engineOptions = opts.engine;
    const eo = opts.engine;
    this.invokeFn = eo === undefined ? (f, args) => invoke(f, args) : (f, args) => invoke(f, args, eo);
    this.linker = standardLinker({ print: opts.print ?? (() => {}) });
    opts.setup?.(this.linker);
  }

  run(cmd: Command, modules: ModuleLoader): void {
    switch (cmd.kind) {
      case 'module': {
        const m = modules.validate(cmd.source);
        this.bind(this.definitions, cmd.id, m, 'module');
        if (!cmd.definition) this.bind(this.instances, cmd.id, this.instantiate(m), 'instance');
        return;
      }
      case 'instance': {
        const m = this.lookup(this.definitions, cmd.module, 'module');
        this.bind(this.instances, cmd.id, this.instantiate(m), 'instance');
        return;
      }
      case 'register':
        this.linker.register(cmd.name, this.lookup(this.instances, cmd.module, 'module instance'));
        return;
      case 'action':
        this.action(cmd.action);
        return;
      case 'assert_return': {
        const got = this.action(cmd.action);
        checkResults(got, cmd.expected);
        return;
      }
      case 'assert_trap':
        expectError('trap', cmd.message, 'runtime', () => this.action(cmd.action));
        return;
      case 'assert_exhaustion':
        expectError('exhaustion', cmd.message, 'exhaustion', () => this.action(cmd.action));
        return;
      case 'assert_suspension':
        expectError('suspension', cmd.message, 'suspension', () => this.action(cmd.action));
        return;
      case 'assert_exception':
        expectError('exception', null, 'exception', () => this.action(cmd.action));
        return;
      case 'assert_unlinkable': {
        const m = this.load(modules, cmd.source);
        expectError('unlinkable', cmd.message, 'linking', () => this.instantiate(m));
        return;
      }
      case 'assert_uninstantiable': {
        const m = this.load(modules, cmd.source);
        expectError('trap', cmd.message, 'instantiation', () => this.instantiate(m));
        return;
      }
      case 'assert_malformed':
      case 'assert_invalid':
        return; // static: the runner checks these
    }
  }

  /** Instantiates a module with imports from the linker. Throws LinkError or Trap. */
  instantiate(m: LoadedModule): Instance {
    const imports = this.linker.resolve(m.valid, m.source);
    try {
      return instantiate(m.valid, imports, { invoke: this.invokeFn });
    } catch (e) {
      if (e instanceof WasmError) e.in(m.source);
      throw e;
    }
  }

  /** The instance of a name (the latest one without a name). */
  instance(name?: string): Instance {
    return this.lookup(this.instances, name, 'module instance');
  }

  /** Runs an action; returns its values with their types. */
  action(a: Action): Results {
    const inst = this.instance(a.module);
    const ex: ExternVal | undefined = inst.exports.get(a.name);
    if (ex === undefined) fail(`undefined export ${JSON.stringify(a.name)}`);
    if (a.kind === 'get') {
      if (ex!.kind !== 'global') fail(`export ${JSON.stringify(a.name)} is not a global`);
      const g = (ex as Extract<ExternVal, { kind: 'global' }>).value;
      return { values: [g.value], types: [g.type.type] };
    }
    if (ex!.kind !== 'func') fail(`export ${JSON.stringify(a.name)} is not a function`);
    const f = (ex as Extract<ExternVal, { kind: 'func' }>).value;
    const ft = funcTypeOf(f.type);
    if (a.args.length !== ft.params.length) {
      fail(`wrong number of arguments: ${a.name} takes ${ft.params.length}, got ${a.args.length}`);
    }
    // A generic array (never a double-only one, which would quiet signalling NaNs of f64s).
    const args: Value[] = nulls(a.args.length);
    a.args.forEach((c, i) => {
      if (!constFits(c, ft.params[i]!)) fail(`wrong type of argument ${i}`);
      args[i] = constToValue(c, this.hostRefs);
    });
    return { values: this.invokeFn(f, args), types: ft.results };
  }

  private load(modules: ModuleLoader, src: ModuleSource): LoadedModule {
    return modules.validate(src);
  }

  /** Names `v` (and makes it the latest); a name is bound once per script, as in the reference's run.ml. */
  private bind<T>(map: Map<string, T>, id: string | undefined, v: T, what: string): void {
    if (id !== undefined) {
      if (map.has(id)) fail(`${what} ${id} already defined`);
      map.set(id, v);
    }
    map.set('', v);
  }

  private lookup<T>(map: Map<string, T>, id: string | undefined, what: string): T {
    const v = map.get(id ?? '');
    if (v === undefined) fail(id === undefined ? `no ${what} defined` : `unknown ${what} ${id}`);
    return v!;
  }
}

function checkResults(got: Results, expected: readonly Expected[]): void {
  const m = resultsMismatch(got.values, got.types, expected);
  if (m !== null) fail(m);
}

const KIND_NAMES: Readonly<Record<ErrorKind, string>> = {
  syntax: 'syntax error', malformed: 'decoding error', invalid: 'validation error', unlinkable: 'link error',
  uninstantiable: 'instantiation error', trap: 'trap', exhaustion: 'exhaustion', exception: 'exception',
  suspension: 'suspension',
};

/**
 * Expects `f` to throw a WasmError of `kind` whose message starts with `expected` (any message
 * when null), as run.ml's assert_message does.
 */
function expectError(kind: ErrorKind, expected: string | null, what: string, f: () => unknown): void {
  try {
    f();
  } catch (e) {
    if (!(e instanceof WasmError)) throw e;
    if (e.kind !== kind) {
      fail(`expected ${KIND_NAMES[kind]}${expected === null ? '' : ` "${expected}"`}, got ${KIND_NAMES[e.kind]}: ${e.detail}`);
    }
    if (expected !== null && !e.detail.startsWith(expected)) {
      fail(`wrong ${what} error: expected "${expected}", got "${e.detail}"`);
    }
    return;
  }
  fail(`expected ${KIND_NAMES[kind]}${expected === null ? '' : ` "${expected}"`}, but it ${kind === 'unlinkable' || kind === 'trap' && what === 'instantiation' ? 'instantiated' : 'returned'}`);
}

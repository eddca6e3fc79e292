// A JS host for the modules of Binaryen's fuzzer (`wasm-opt -ttf`), written for
// wasmfx after the behaviour of Binaryen's scripts/fuzz_shell.js: the imports
// those modules expect, and a run that calls every export in order and prints
// what happens, one line per event, so that two engines can be compared line
// by line. It takes the `WebAssembly` namespace to run on as a parameter (V8's
// own, wasmfx's interpreter namespace, or the lowering polyfill).
//
// What the modules import, and how this host answers:
//  - "fuzzing-support" "log-i32|i64|f32|f64|v128|anyref|funcref|externref|contref"(x):
//    prints `[LoggingExternalInterface logging X]` (a v128 argument is a TypeError
//    at the boundary before the import runs, which Wasm may catch);
//    references are first passed through JSON.stringify and a property read,
//    as fuzz_shell does, to exercise the engine's objects from JS
//  - "log-branch"(actual, expected, id): prints the three, returns `actual`
//  - "throw"(n): a JS Error when n is 0, else a WebAssembly.Exception of the tag
//    "wasmtag" (i32) carrying n
//  - "call-export"(index, flags), "call-export-catch"(index): call the index'th
//    export with a null for each parameter (JS `.length` of the function); the
//    catching variant returns 1 when the call threw a JS or Wasm exception and 0
//    otherwise. Traps and host limits are never swallowed; bit 0 of `flags`
//    (catch and rethrow) makes no difference to the outcome, so it is ignored.
//  - "call-ref"(f, flags), "call-ref-catch"(f): the same on a function reference
//  - "table-get"(i), "table-set"(i, f): on the exported "table" (index as a
//    BigInt for a table64)
//  - "sleep"(ms, id): returns id (no JSPI here)
//  - "wasmtag" and "jstag": tags; "env" "setTempRet0"/"getTempRet0";
//    "imports" "j2wasm.ExceptionUtils.tag" (externref)
//  - any imported global (the fuzzer's "__fuzz_import" externrefs): an object
//    `{ payload }`, the payload being the sum of the char codes of the module and
//    field names mod 251 (as Binaryen computes it), printed `externref(N)`.
//
// The run: `[fuzz-exec] export NAME` for each export in the module's order
// (functions are called with nulls; a global's value is logged at its turn;
// memories, tables and tags are skipped), then `[fuzz-exec] note result: NAME
// => V` when the function returned something, or `exception thrown: ...` when
// it threw, after which the run goes on with the next export. Unlike
// fuzz_shell, which prints the engine's error message (and which Binaryen's
// fuzzer then ignores), the exception lines name a category that two engines
// can agree on:
//   `exception thrown: trap: MESSAGE`       a RuntimeError (MESSAGE in the engine's words)
//   `exception thrown: host limit: MESSAGE` stack overflow, out of memory, our interpreter's fuel
//   `exception thrown: wasm exception TAG(ARGS)` (TAG: "wasmtag", the name of an
//     exported tag, or `tag?`), `... jserror NAME`, `... value V`
// and values print a little more precisely (i64 as decimals, -0, multiple
// results element-wise, exported functions with their name, i.e. index). With
// `memoryDigests`, a line `[memory NAME BYTES HASH]` after each export gives the
// state of each exported memory.
//
// With `markContinuations`, the shell also prints a line `[continuation at the
// JS boundary: ...]` where a continuation type meets JS, found from the module's
// types: before JS calls a function, or Wasm calls an import, whose type has
// `contref`, `nullcontref` or `(ref cont)` in it; and when a non-null value of a
// concrete continuation type `(ref null? $ct)` crosses (a result, an argument of
// an import, a global's value, an exception's argument). The JS API of stack
// switching says nothing of continuations: wasmfx passes them as opaque objects,
// V8's WasmFX treats the abstract types as the JS API treats exnref (a
// TypeError, null included) and a non-null concrete one as an error (a
// TypeError, or it lets it through and aborts the process when JS touches it),
// so a comparison with V8 stops at the first such line (`firstDifference`'s
// `cut`), and with `markContinuations: 'stop'` the run itself ends there (before
// the shell looks at the value).
//
// The shell never looks at which engine it runs on: whatever differs between
// two engines' lines is for the caller to judge (see `firstDifference` below).

import { specTrapMessages } from '../../src/host/host-errors.ts';
import { decodeModule } from '../../src/binary/decoder.ts';
import { allSubTypes, funcTypeIndices, type Module } from '../../src/syntax/ast.ts';
import type { ValType } from '../../src/syntax/types.ts';

type Obj = Record<string, unknown>;
type AnyFn = (...args: unknown[]) => unknown;
type Ctor = abstract new (...args: never[]) => unknown;

/** The parts of a `WebAssembly` namespace the shell uses. */
export interface ShellNamespace {
  readonly Module: { new (bytes: Uint8Array): object; exports(m: object): { name: string; kind: string }[]; imports(m: object): { module: string; name: string; kind: string }[] };
  readonly Instance: new (module: object, imports?: object, options?: unknown) => { readonly exports: Obj };
  readonly Global: Ctor;
  readonly Tag: new (descriptor: { parameters: string[] }) => object;
  readonly Exception: new (tag: object, payload: unknown[]) => { is(tag: object): boolean; getArg(tag: object, i: number): unknown };
  readonly JSTag: object;
  readonly RuntimeError: Ctor;
}

export interface ShellOptions {
  /** the third argument of `new ns.Instance(...)` (wasmfx's namespace takes engine options there) */
  readonly instanceOptions?: unknown;
  /** a time (Date.now()) past which the run stops: checked at every import and export call */
  readonly deadline?: number;
  /** set to 1 at the deadline: wasmfx's interpreter polls it (EngineOptions.interrupt) */
  readonly interrupt?: Int32Array;
  /**
   * After each export, print a digest of each exported memory (`[memory NAME SIZE HASH]`):
   * a store that goes astray shows where it happens, not when a later load reads it.
   */
  readonly memoryDigests?: boolean;
  /**
   * Print a line where a continuation type meets JS (see the header); 'stop': and end the run
   * there (V8's WasmFX may abort the process when JS touches a continuation).
   */
  readonly markContinuations?: boolean | 'stop';
}

/** The lines of `markContinuations`. */
export const CONT_MARK = '[continuation at the JS boundary: ';
export const isContinuationMark = (line: string): boolean => line.startsWith(CONT_MARK);

/** Where the continuation types of a list of types are: any abstract one, and the positions of concrete ones. */
interface ContTypes {
  readonly abstract: boolean;
  readonly concrete: readonly number[];
  /** how many types there are */
  readonly count: number;
}

const NO_CONT: ContTypes = { abstract: false, concrete: [], count: 0 };

/** The continuation types among the params, results, global types and tag params of a module. */
class ContBoundary {
  private readonly m: Module;
  private readonly subs;
  private readonly funcTypes: number[];
  constructor(m: Module) {
    this.m = m;
    this.subs = allSubTypes(m);
    this.funcTypes = funcTypeIndices(m);
  }
  private of(ts: readonly ValType[]): ContTypes {
    let abstract = false;
    const concrete: number[] = [];
    ts.forEach((t, i) => {
      if (typeof t === 'string') return;
      if (t.heap === 'cont' || t.heap === 'nocont') abstract = true;
      else if (typeof t.heap === 'number' && this.subs[t.heap]?.comp.kind === 'cont') concrete.push(i);
    });
    return { abstract, concrete, count: ts.length };
  }
  private funcType(type: number): { params: ContTypes; results: ContTypes } | undefined {
    const comp = this.subs[type]?.comp;
    if (comp?.kind !== 'func') return undefined;
    return { params: this.of(comp.params), results: this.of(comp.results) };
  }
  /** function `index` (of the module's index space) */
  func(index: number): { params: ContTypes; results: ContTypes } | undefined {
    const t = this.funcTypes[index];
    return t === undefined ? undefined : this.funcType(t);
  }
  /** the function imports, by module and name */
  imports(): { module: string; name: string; params: ContTypes; results: ContTypes }[] {
    return this.m.imports.flatMap((im) => {
      if (im.desc.kind !== 'func') return [];
      const ft = this.funcType(im.desc.type)!;
      return ft.params.abstract || ft.results.abstract || ft.params.concrete.length > 0 ? [{ module: im.module, name: im.name, ...ft }] : [];
    });
  }
  /** an exported global */
  global(name: string): ContTypes {
    const ex = this.m.exports.find((e) => e.name === name && e.kind === 'global');
    if (ex === undefined) return NO_CONT;
    const imported = this.m.imports.filter((im) => im.desc.kind === 'global');
    const im = imported[ex.index];
    const type = im !== undefined && im.desc.kind === 'global' ? im.desc.type : this.m.globals[ex.index - imported.length]!.type;
    return this.of([type.type]);
  }
  /** the params of an exported tag */
  tag(name: string): ContTypes {
    const ex = this.m.exports.find((e) => e.name === name && e.kind === 'tag');
    if (ex === undefined) return NO_CONT;
    const imported = this.m.imports.flatMap((im) => (im.desc.kind === 'tag' ? [im.desc.type] : []));
    const type = ex.index < imported.length ? imported[ex.index]! : this.m.tags[ex.index - imported.length]!.type;
    return this.funcType(type)?.params ?? NO_CONT;
  }
}

/** FNV-1a over a memory's 32-bit words (a memory is a whole number of 64 KiB pages). */
function digest(buffer: ArrayBuffer): string {
  const words = new Int32Array(buffer);
  let h = 0x811c9dc5;
  for (let i = 0; i < words.length; i++) h = Math.imul(h ^ words[i]!, 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

export interface ShellRun {
  readonly lines: string[];
  /** the run stopped at the deadline (its lines are incomplete) */
  readonly timedOut: boolean;
}

/** Thrown through the engine when the deadline passes (and caught by the shell). */
class Deadline extends Error {}

/** A host limit: what one engine may hit and another not (stack depth, memory, our fuel). */
export function isHostLimit(e: unknown): boolean {
  if (e instanceof Deadline) return true;
  // wasmfx's Exhaustion (call stack exhausted, out of fuel, interrupted), also as the polyfill's RuntimeError
  const kind = (e as { kind?: unknown } | null)?.kind;
  if (kind === 'exhaustion') return true;
  const detail = (e as { detail?: unknown } | null)?.detail;
  if (typeof detail === 'string' && /^call stack exhausted|^out of fuel|^interrupted/.test(detail)) return true;
  const text = e instanceof Error ? e.message : '';
  return /maximum call stack size exceeded|out of memory|requested new array is too large|invalid array length|array buffer allocation failed/i.test(text);
}

/** The message of a trap: the spec's words (`detail`, wasmfx's errors and the polyfill's) or the engine's. */
const trapMessage = (e: unknown): string => {
  const detail = (e as { detail?: unknown } | null)?.detail;
  if (typeof detail === 'string') return detail;
  return e instanceof Error ? e.message.replace(/^WebAssembly\.[\w.]+\(\): /, '') : String(e);
};

/** Do two trap messages of two engines stand for the same trap? (V8's words mapped to the spec's, src/host/host-errors.ts) */
export function sameTrap(a: string, b: string): boolean {
  const sa = specTrapMessages(a);
  const sb = specTrapMessages(b);
  // (the spec's "undefined element 3" against V8's message for any undefined element)
  const close = (x: string, y: string): boolean => x === y || x.startsWith(`${y} `) || y.startsWith(`${x} `);
  return sa.some((x) => sb.some((y) => close(x, y)));
}

/** The payload of an imported global, from its names (Binaryen's execution-results.h does the same sum). */
const payloadOf = (module: string, name: string): number => {
  let p = 0;
  for (const s of [module, name]) for (const c of s) p = (p + c.charCodeAt(0)) % 251;
  return p;
};

/** Runs a module of Binaryen's fuzzer on `ns`; returns the printed lines. */
export function runFuzzShell(ns: ShellNamespace, bytes: Uint8Array, opts: ShellOptions = {}): ShellRun {
  const lines: string[] = [];
  const print = (s: string): void => {
    lines.push(s);
  };
  let timedOut = false;
  let boundary: ContBoundary | undefined;
  if (opts.markContinuations !== undefined && opts.markContinuations !== false) {
    try {
      boundary = new ContBoundary(decodeModule(bytes));
    } catch {
      // (a module that does not decode does not instantiate either)
    }
  }
  let stopped = false;
  const mark = (what: string): void => {
    print(`${CONT_MARK}${what}]`);
    if (opts.markContinuations === 'stop') {
      stopped = true;
      throw new Deadline('stop');
    }
  };
  /** Prints a line made by `f`, unless making it stops the run (at a mark); false if it did. */
  const emit = (f: () => string): boolean => {
    try {
      print(f());
      return true;
    } catch (e) {
      if (stopped) return false;
      throw e;
    }
  };
  /** Is a value of a concrete continuation type at one of `ct`'s positions non-null? */
  const crosses = (ct: ContTypes, values: readonly unknown[]): boolean => ct.concrete.some((i) => values[i] !== null && values[i] !== undefined);
  const check = (): void => {
    if (stopped) throw new Deadline('stop');
    if (timedOut || (opts.deadline !== undefined && Date.now() > opts.deadline)) {
      timedOut = true;
      if (opts.interrupt !== undefined) opts.interrupt[0] = 1;
      throw new Deadline('deadline');
    }
  };

  const wasmTag = new ns.Tag({ parameters: ['i32'] });
  /** exported tags, by name, to say which tag an exception has */
  const tags: [string, object][] = [['wasmtag', wasmTag]];
  const isException = (e: unknown): e is InstanceType<ShellNamespace['Exception']> => e instanceof (ns.Exception as unknown as Ctor);

  const show = (x: unknown): string => {
    if (x === null) return 'null';
    if (x === undefined) return 'undefined';
    switch (typeof x) {
      case 'number':
        return Object.is(x, -0) ? '-0' : String(x);
      case 'bigint':
        return `${x}n`;
      case 'string':
        return `string(${JSON.stringify(x)})`;
      case 'function':
        // (an exported Wasm function is named by its function index, in every engine)
        return `function(${(x as AnyFn).name})`;
      case 'object':
        if (Array.isArray(x)) return `[${x.map(show).join(', ')}]`;
        if (Object.hasOwn(x, 'payload')) return `externref(${String((x as { payload: unknown }).payload)})`;
        if (isException(x)) return `exception(${exceptionText(x)})`;
        if (x instanceof Error) return `jserror(${x.name})`;
        // a GC object (no prototype), a continuation, or another host object
        return Object.getPrototypeOf(x) === null ? 'object' : 'object(host)';
      default:
        return typeof x;
    }
  };

  const exceptionText = (x: InstanceType<ShellNamespace['Exception']>): string => {
    const found = tags.find(([, t]) => x.is(t));
    if (found === undefined) return 'tag?';
    const [name, tag] = found;
    const ct = name === 'wasmtag' ? NO_CONT : (boundary?.tag(name) ?? NO_CONT);
    if (ct.abstract) mark(`exception of tag ${name}`);
    const args: string[] = [];
    for (let i = 0; i < 16; i++) {
      let v: unknown;
      try {
        v = x.getArg(tag, i);
      } catch (e) {
        if (e instanceof RangeError) break;
        args.push('?'); // (a v128 or exnref argument cannot be read from JS)
        continue;
      }
      // (before the value is looked at: V8 may abort when JS touches a continuation)
      if (!ct.abstract && ct.concrete.includes(i) && v !== null && v !== undefined) mark(`a continuation in an exception of tag ${name}`);
      args.push(show(v));
    }
    return `${name}(${args.join(', ')})`;
  };

  /**
   * A trap: a RuntimeError, or one of wasmfx's errors (with a `detail`): the interpreter's
   * namespace throws its own UnhandledSuspension for a suspension no handler takes, where the
   * polyfill throws a RuntimeError "unhandled tag" (and V8 with wasmfx a SuspendError).
   */
  const isTrap = (e: unknown): boolean =>
    e instanceof (ns.RuntimeError as unknown as Ctor) || typeof (e as { detail?: unknown } | null)?.detail === 'string';

  /** The line of an exception that left an export. */
  const thrown = (e: unknown): string => {
    if (isHostLimit(e)) return `host limit: ${e instanceof Deadline ? 'deadline' : trapMessage(e)}`;
    if (isTrap(e)) return `trap: ${trapMessage(e)}`;
    if (isException(e)) return `wasm exception ${exceptionText(e)}`;
    if (e instanceof Error) return `jserror ${e.name}`;
    return `value ${show(e)}`;
  };

  const log = (x: unknown): void => {
    check();
    print(`[LoggingExternalInterface logging ${show(x)}]`);
  };
  const logRef = (x: unknown): void => {
    check();
    // (as fuzz_shell: use the reference from JS a little, which must not throw)
    JSON.stringify(x);
    if (x) void (x as Obj)['foobar'];
    print(`[LoggingExternalInterface logging ${show(x)}]`);
  };

  /** exports in the module's order (several may share a function) */
  const exportList: { name: string; value: unknown }[] = [];
  let exportsObj: Obj = {};

  const callWithNulls = (f: unknown): unknown => {
    // (a missing export or a null funcref: a TypeError, which Wasm may catch)
    if (typeof f !== 'function') throw new TypeError('not a function');
    const fn = f as AnyFn;
    const args = new Array<unknown>(fn.length).fill(null);
    // (an exported Wasm function's name is its index)
    const index = /^\d+$/.test(fn.name) ? Number(fn.name) : undefined;
    const ft = index === undefined ? undefined : boundary?.func(index);
    if (ft === undefined) return fn(...args);
    if (ft.params.abstract || ft.results.abstract) mark(`call of function ${index}`);
    const result = fn(...args);
    if (!ft.results.abstract && crosses(ft.results, ft.results.count === 1 ? [result] : (result as unknown[]))) {
      mark(`a continuation returned by function ${index}`);
    }
    return result;
  };
  /** Calls f; 1 if it threw an exception (traps and host limits pass), else 0. */
  const catching = (f: () => unknown): number => {
    try {
      f();
      return 0;
    } catch (e) {
      if (isTrap(e) || isHostLimit(e)) throw e;
      return 1;
    }
  };
  const tableIndex = (table: { length: unknown }, i: number): number | bigint => (typeof table.length === 'bigint' ? BigInt(i >>> 0) : i >>> 0);
  let tempRet0 = 0;

  const support: Obj = {
    'log-i32': log,
    'log-i64': log,
    'log-f32': log,
    'log-f64': log,
    'log-v128': log,
    'log-anyref': logRef,
    'log-funcref': logRef,
    'log-externref': logRef,
    'log-contref': logRef,
    'log-branch': (actual: unknown, expected: unknown, id: unknown): unknown => {
      check();
      print(`[LoggingExternalInterface log-branch ${show(actual)} ${show(expected)} ${show(id)}]`);
      return actual;
    },
    throw: (n: number): never => {
      check();
      if (!n) throw new Error('js exception');
      throw new ns.Exception(wasmTag, [n]);
    },
    'table-get': (i: number): unknown => {
      check();
      const t = exportsObj['table'] as { get(i: unknown): unknown; length: unknown };
      return t.get(tableIndex(t, i));
    },
    'table-set': (i: number, v: unknown): void => {
      check();
      const t = exportsObj['table'] as { set(i: unknown, v: unknown): void; length: unknown };
      t.set(tableIndex(t, i), v);
    },
    'call-export': (i: number): void => {
      check();
      callWithNulls(exportList[i]?.value);
    },
    'call-export-catch': (i: number): number => {
      check();
      return catching(() => callWithNulls(exportList[i]?.value));
    },
    'call-ref': (f: unknown): void => {
      check();
      callWithNulls(f);
    },
    'call-ref-catch': (f: unknown): number => {
      check();
      return catching(() => callWithNulls(f));
    },
    sleep: (_ms: unknown, id: unknown): unknown => {
      check();
      return id;
    },
    wasmtag: wasmTag,
    jstag: ns.JSTag,
  };
  const imports: Record<string, Obj> = {
    'fuzzing-support': support,
    env: {
      setTempRet0: (x: number): void => {
        tempRet0 = x;
      },
      getTempRet0: (): number => tempRet0,
    },
    imports: { 'j2wasm.ExceptionUtils.tag': new ns.Tag({ parameters: ['externref'] }) },
  };

  // imports with a continuation type
  for (const im of boundary?.imports() ?? []) {
    const f = imports[im.module]?.[im.name];
    if (typeof f !== 'function') continue;
    imports[im.module]![im.name] = (...args: unknown[]): unknown => {
      if (im.params.abstract || im.results.abstract) mark(`call of import ${im.module} ${im.name}`);
      else if (crosses(im.params, args)) mark(`a continuation passed to import ${im.module} ${im.name}`);
      return (f as AnyFn)(...args);
    };
  }

  let module: object;
  let instance: { readonly exports: Obj };
  try {
    module = new ns.Module(bytes);
    for (const im of ns.Module.imports(module)) {
      if (im.kind !== 'global') continue;
      const space = (imports[im.module] ??= {});
      space[im.name] ??= { payload: payloadOf(im.module, im.name) };
    }
    instance = new ns.Instance(module, imports, opts.instanceOptions);
  } catch (e) {
    if (!stopped) emit(() => `exception thrown: failed to instantiate module: ${thrown(e)}`);
    return { lines, timedOut };
  }
  exportsObj = instance.exports;

  const tasks: { name: string; run: () => unknown }[] = [];
  const memories: [string, { buffer: ArrayBuffer }][] = [];
  for (const { name, kind } of ns.Module.exports(module)) {
    const value = exportsObj[name];
    exportList.push({ name, value });
    if (kind === 'memory') memories.push([name, value as { buffer: ArrayBuffer }]);
    if (kind === 'tag') tags.push([name, value as object]);
    if (kind === 'global') {
      const g = value as { value: unknown };
      // (as fuzz_shell: touch the Global object from JS first)
      JSON.stringify(g);
      void (g as unknown as Obj)['foobar'];
      const ct = boundary?.global(name) ?? NO_CONT;
      tasks.push({
        name,
        run: () => {
          if (ct.abstract) mark(`global ${name}`);
          let v: unknown;
          try {
            v = g.value;
          } catch (e) {
            if (!(e instanceof TypeError)) throw e;
            print('[LoggingExternalInterface logging <illegal value>]'); // a v128 or exnref
            return undefined;
          }
          if (!ct.abstract && crosses(ct, [v])) mark(`a continuation in global ${name}`);
          (typeof v === 'object' ? logRef : log)(v);
          return undefined;
        },
      });
    } else if (kind === 'function') {
      tasks.push({ name, run: () => callWithNulls(value) });
    }
  }

  for (const task of tasks) {
    print(`[fuzz-exec] export ${task.name}`);
    let result: unknown = undefined;
    try {
      check();
      result = task.run();
    } catch (e) {
      if (timedOut || stopped) break;
      if (!emit(() => `exception thrown: ${thrown(e)}`)) break;
    }
    if (stopped) break;
    if (result !== undefined && !emit(() => `[fuzz-exec] note result: ${task.name} => ${show(result)}`)) break;
    if (opts.memoryDigests === true) {
      for (const [name, mem] of memories) print(`[memory ${name} ${mem.buffer.byteLength} ${digest(mem.buffer)}]`);
    }
  }
  return { lines, timedOut };
}

// ---- comparing two runs ----------------------------------------------------------------------

const TRAP = /^(exception thrown: (?:failed to instantiate module: )?trap: )(.*)$/;
const HOST_LIMIT = /^exception thrown: (?:failed to instantiate module: )?host limit: /;

/** Does a printed line say that a host limit was hit? */
export const isHostLimitLine = (line: string): boolean => HOST_LIMIT.test(line);

/**
 * The first line where two runs disagree, or null. Lines are compared up to the first host
 * limit of either run (included when both hit it on the same line), or the first line for
 * which `cut` holds (a comparison with V8's WasmFX cuts at `isContinuationMark`); traps by kind.
 */
export function firstDifference(
  a: readonly string[], b: readonly string[], cut?: (line: string) => boolean,
): { index: number; limited: boolean } | null {
  const stop = (l: string): boolean => HOST_LIMIT.test(l) || (cut?.(l) ?? false);
  const limitA = a.findIndex(stop);
  const limitB = b.findIndex(stop);
  const limited = limitA >= 0 || limitB >= 0;
  const end = Math.min(limitA < 0 ? a.length : limitA, limitB < 0 ? b.length : limitB);
  for (let i = 0; i < end; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x === y) continue;
    const tx = TRAP.exec(x);
    const ty = TRAP.exec(y);
    if (tx !== null && ty !== null && tx[1] === ty[1] && sameTrap(tx[2]!, ty[2]!)) continue;
    return { index: i, limited };
  }
  // (one run ends early: without a host limit, that is a difference)
  if (!limited && a.length !== b.length) return { index: end, limited };
  return null;
}

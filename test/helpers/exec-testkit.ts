// Helpers for the machine's tests: instantiate WAT with host imports, call exports.

import assert from 'node:assert/strict';
import { parseModule } from '../../src/text/parser.ts';
import { validateModule } from '../../src/valid/validator.ts';
import { instantiate } from '../../src/runtime/instantiate.ts';
import { funcType, hostFunc } from '../../src/runtime/func.ts';
import type { ExternVal, FuncInst, HostFunc, Instance, Value } from '../../src/runtime/value.ts';
import type { CValType } from '../../src/valid/types.ts';
import { type EngineOptions, invoke } from '../../src/exec/engine.ts';
import { WasmError } from '../../src/util/errors.ts';

export type Imports = Record<string, Record<string, ExternVal>>;

/**
 * A generator over a continuation: `$gen(n)` yields n, n-1, ..., 1 through `$yield`; the
 * export `sum(n)` resumes it until it returns and adds up what it yielded (bench/kernels.ts
 * times it; the stack-switching tests check it).
 */
export const GENERATOR_WAT = `(module
  (type $ft (func))
  (type $ct (cont $ft))
  (type $gt (func (param i32)))
  (type $gct (cont $gt))
  (tag $yield (param i32))
  (func $gen (param $n i32)
    (loop $l
      (suspend $yield (local.get $n))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))
  (elem declare func $gen)
  (func (export "sum") (param $n i32) (result i32)
    (local $acc i32) (local $k (ref null $ct))
    (local.set $k (cont.bind $gct $ct (local.get $n) (cont.new $gct (ref.func $gen))))
    (block $done
      (loop $next
        (block $on_yield (result i32 (ref $ct))
          (resume $ct (on $yield $on_yield) (local.get $k))
          (br $done))
        (local.set $k)
        (local.set $acc (i32.add (local.get $acc)))
        (br $next)))
    (local.get $acc)))`;

/** Parses, validates and instantiates a module; imports are looked up by module and field name. */
export function load(wat: string, imports: Imports = {}): Instance {
  const m = parseModule(wat, 'test.wat');
  const vm = validateModule(m);
  const exts = m.imports.map((im) => {
    const ev = imports[im.module]?.[im.name];
    if (ev === undefined) throw new Error(`test: no import ${im.module}.${im.name}`);
    return ev;
  });
  return instantiate(vm, exts, { invoke: (f, a) => invoke(f, a) });
}

export function exported(inst: Instance, name: string): ExternVal {
  const ev = inst.exports.get(name);
  if (ev === undefined) throw new Error(`test: no export ${name}`);
  return ev;
}

export function func(inst: Instance, name: string): FuncInst {
  const ev = exported(inst, name);
  assert.equal(ev.kind, 'func');
  return ev.value as FuncInst;
}

export function call(inst: Instance, name: string, args: Value[] = [], opts?: EngineOptions): Value[] {
  return invoke(func(inst, name), args, opts);
}

/** A host function import. */
export function host(params: CValType[], results: CValType[], fn: (args: Value[]) => Value[]): { kind: 'func'; value: HostFunc } {
  return { kind: 'func', value: hostFunc(funcType(params, results), fn) };
}

/** Runs f, expecting a WasmError of `kind` whose message starts with `prefix`; returns the error. */
export function throwsKind<E extends WasmError>(f: () => unknown, kind: string, prefix = ''): E {
  try {
    f();
  } catch (e) {
    if (!(e instanceof WasmError)) throw e;
    assert.equal(e.kind, kind, `expected ${kind}, got ${e.kind}: ${e.detail}`);
    assert.ok(e.detail.startsWith(prefix), `expected "${prefix}", got "${e.detail}"`);
    return e as E;
  }
  assert.fail(`expected a ${kind} error`);
}

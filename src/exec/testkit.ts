// Helpers for the machine's tests: instantiate WAT with host imports, call exports.

import assert from 'node:assert/strict';
import { parseModule } from '../text/parser.ts';
import { validateModule } from '../valid/validator.ts';
import { instantiate } from '../runtime/instantiate.ts';
import { funcType, hostFunc } from '../runtime/func.ts';
import type { ExternVal, FuncInst, HostFunc, Instance, Value } from '../runtime/value.ts';
import type { CValType } from '../valid/types.ts';
import { type EngineOptions, invoke } from './engine.ts';
import { WasmError } from '../util/errors.ts';

export type Imports = Record<string, Record<string, ExternVal>>;

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

// The `spectest` host module of the spec tests (after the reference interpreter's
// host/spectest.ml): print functions, constant globals (666 / 666.6), a table of 10..20
// funcrefs (i32 and i64 address types) and a memory of 1..2 pages.
//
// One `Spectest` holds one table, one table64 and one memory, shared by every import of
// them (as in the reference); functions and globals are made once per name.

import { hostFunc, funcType } from '../runtime/func.ts';
import { Global } from '../runtime/global.ts';
import { Memory } from '../runtime/memory.ts';
import { Table } from '../runtime/table.ts';
import type { ExternVal, Value } from '../runtime/value.ts';
import type { NumType } from '../syntax/types.ts';
import { formatF32, formatF64 } from '../text/numbers.ts';
import { f32ToBits, f64ToBits } from '../util/float-bits.ts';
import { C_FUNCREF, type CValType, funcTypeOf } from '../valid/types.ts';

export interface SpectestOptions {
  /** where `print*` writes, one line per value; default: process.stdout */
  readonly print?: (line: string) => void;
}

/** spectest's print functions and their parameters. */
export const PRINTS: Readonly<Record<string, readonly NumType[]>> = {
  print: [],
  print_i32: ['i32'],
  print_i64: ['i64'],
  print_f32: ['f32'],
  print_f64: ['f64'],
  print_i32_f32: ['i32', 'f32'],
  print_f64_f64: ['f64', 'f64'],
};

const GLOBALS: Readonly<Record<string, NumType>> = {
  global_i32: 'i32',
  global_i64: 'i64',
  global_f32: 'f32',
  global_f64: 'f64',
};

/** A value as `print` shows it: `42 : i32`, `666.6 : f32`. */
export function formatPrinted(v: Value, t: CValType): string {
  let s: string;
  switch (t) {
    case 'i32': s = String(v); break;
    case 'i64': s = String(v); break;
    case 'f32': s = formatF32(v as number); break;
    case 'f64': s = formatF64(f64ToBits(v as number)); break;
    default: s = v === null ? 'null' : 'ref';
  }
  return `${s} : ${typeof t === 'string' ? t : 'ref'}`;
}

export class Spectest {
  readonly table: Table;
  readonly table64: Table;
  readonly memory: Memory;
  private readonly out: (line: string) => void;
  private readonly cache = new Map<string, ExternVal>();

  constructor(opts: SpectestOptions = {}) {
    this.out = opts.print ?? ((line) => void process.stdout.write(`${line}\n`));
    this.table = new Table({ addr: 'i32', limits: { min: 10n, max: 20n }, elem: C_FUNCREF }, null);
    this.table64 = new Table({ addr: 'i64', limits: { min: 10n, max: 20n }, elem: C_FUNCREF }, null);
    this.memory = new Memory({ addr: 'i32', limits: { min: 1n, max: 2n } });
  }

  /** The names `lookup` knows. */
  static readonly names: readonly string[] = [...Object.keys(PRINTS), ...Object.keys(GLOBALS), 'table', 'table64', 'memory'];

  /** The extern value named `name`, or undefined ("unknown import"). */
  lookup(name: string): ExternVal | undefined {
    const hit = this.cache.get(name);
    if (hit) return hit;
    let ev: ExternVal | undefined;
    const params = PRINTS[name];
    const gt = GLOBALS[name];
    if (params !== undefined) {
      const type = funcType(params, []);
      const ps = funcTypeOf(type).params;
      ev = {
        kind: 'func',
        value: hostFunc(type, (args) => {
          args.forEach((v, i) => this.out(formatPrinted(v, ps[i]!)));
          return [];
        }, name),
      };
    } else if (gt !== undefined) {
      const v: Value = gt === 'i32' ? 666 : gt === 'i64' ? 666n : gt === 'f32' ? f32ToBits(666.6) : 666.6;
      ev = { kind: 'global', value: new Global({ mutable: false, type: gt }, v) };
    } else if (name === 'table') ev = { kind: 'table', value: this.table };
    else if (name === 'table64') ev = { kind: 'table', value: this.table64 };
    else if (name === 'memory') ev = { kind: 'memory', value: this.memory };
    if (ev) this.cache.set(name, ev);
    return ev;
  }

  /** The module as a map of all its extern values. */
  toMap(): Map<string, ExternVal> {
    return new Map(Spectest.names.map((n) => [n, this.lookup(n)!]));
  }
}

/** A fresh spectest module. */
export const createSpectest = (opts?: SpectestOptions): Spectest => new Spectest(opts);

// Module instances.

import type { Module } from '../syntax/ast.ts';
import type { DefType } from '../valid/types.ts';
import type { ValidModule } from '../valid/validator.ts';
import type {
  ExternVal, FuncInst, GlobalInst, Instance, MemoryInst, TableInst, TagInst, Value,
} from './value.ts';

/** A module instance; `instantiate` fills its index spaces in the spec's order. */
export class ModuleInstance implements Instance {
  readonly module: Module;
  readonly valid: ValidModule;
  readonly types: readonly DefType[];
  readonly funcs: FuncInst[] = [];
  readonly tables: TableInst[] = [];
  readonly memories: MemoryInst[] = [];
  readonly globals: GlobalInst[] = [];
  readonly tags: TagInst[] = [];
  readonly elems: (Value[] | null)[] = [];
  readonly datas: (Uint8Array | null)[] = [];
  readonly exports = new Map<string, ExternVal>();

  constructor(valid: ValidModule) {
    this.module = valid.module;
    this.valid = valid;
    this.types = valid.types;
  }

  /** The module's name (from `(module $id)` or the name section), for diagnostics. */
  get name(): string | undefined {
    return this.module.names.module;
  }

  /** An export by name, or undefined. */
  export(name: string): ExternVal | undefined {
    return this.exports.get(name);
  }
}

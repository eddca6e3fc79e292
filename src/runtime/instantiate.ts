// Instantiation (after the reference interpreter's exec/eval.ml `init`):
//   1. match the imports with the module's import types ("incompatible import type");
//   2. allocate functions, globals (initialisers in order), tags, tables (initialisers),
//      memories, element segments (items evaluated), data segments; build the exports;
//   3. run the active element segments, then the active data segments, in order, each
//      bounds-checked as `table.init`/`memory.init` and then dropped (declarative
//      segments are dropped too);
//   4. call the start function.
// A trap in step 3 or 4 leaves the effects done so far (on imported tables and memories).

import { LinkError, Trap } from '../util/errors.ts';
import {
  type CExternType, type CGlobalType, type CTableType, type DefType,
  defTypeToString, matchExternType, valTypeToString,
} from '../valid/types.ts';
import { validateModule, type ValidModule } from '../valid/validator.ts';
import type { Limits, MemoryType } from '../syntax/types.ts';
import { addrOf, evalConst } from './const-eval.ts';
import { wasmFunc } from './func.ts';
import { Global } from './global.ts';
import { ModuleInstance } from './instance.ts';
import { Memory } from './memory.ts';
import { Table } from './table.ts';
import { Tag } from './tag.ts';
import type { ExternVal, FuncInst, Value } from './value.ts';
import { desugarLegacyEH, usesLegacyEH } from '../syntax/legacy-eh.ts';

export interface InstantiateOptions {
  /** runs a function (the start function); the engine's `invoke` */
  readonly invoke?: (f: FuncInst, args: Value[]) => Value[];
}

/** The extern type of an extern value, as import matching sees it (current sizes of tables and memories). */
function externTypeOf(ev: ExternVal): CExternType {
  switch (ev.kind) {
    case 'func': return { kind: 'func', type: ev.value.type };
    case 'table': return { kind: 'table', type: ev.value.type };
    case 'memory': return { kind: 'memory', type: ev.value.type };
    case 'global': return { kind: 'global', type: ev.value.type };
    case 'tag': return { kind: 'tag', type: ev.value.type };
  }
}

// ---- printing extern types (the reference's string_of_extern_type) ----------------------

const limitsToString = (l: Limits): string => `${l.min}${l.max === null ? '' : ` ${l.max}`}`;
const defToString = (dt: DefType): string => defTypeToString(dt);

function externTypeToString(et: CExternType): string {
  switch (et.kind) {
    case 'func': return `func ${defToString(et.type)}`;
    case 'table': return `table ${et.type.addr} ${limitsToString(et.type.limits)} ${valTypeToString(et.type.elem)}`;
    case 'memory': return `memory ${et.type.addr} ${limitsToString(et.type.limits)}`;
    case 'global': {
      const t = valTypeToString(et.type.type);
      return `global ${et.type.mutable ? `(mut ${t})` : t}`;
    }
    case 'tag': return `tag ${defToString(et.type)}`;
  }
}

// ---- instantiation ----------------------------------------------------------------------

const desugared = new WeakMap<ValidModule, ValidModule>();
/**
 * The module the interpreter runs: legacy exception instructions rewritten to try_table and
 * throw_ref (src/lower/legacy-eh.ts), once per module; the module itself when it has none.
 */
function withoutLegacyEH(vm: ValidModule): ValidModule {
  // (remembered either way: the scan of every body is not repeated per instantiation)
  let out = desugared.get(vm);
  if (out === undefined) {
    out = usesLegacyEH(vm.module) ? validateModule(desugarLegacyEH(vm.module), vm.source) : vm;
    desugared.set(vm, out);
  }
  return out;
}

/** Instantiates a validated module with the given imports (one extern value per import, in order). */
export function instantiate(given: ValidModule, imports: readonly ExternVal[], opts: InstantiateOptions = {}): ModuleInstance {
  const vm = withoutLegacyEH(given);
  const m = vm.module;
  if (imports.length !== m.imports.length) {
    throw new LinkError(`wrong number of imports provided for initialisation: expected ${m.imports.length}, got ${imports.length}`);
  }
  const inst = new ModuleInstance(vm);

  // imports
  m.imports.forEach((im, i) => {
    const ev = imports[i]!;
    const want = vm.imports[i]!;
    const got = externTypeOf(ev);
    if (!matchExternType(got, want)) {
      throw new LinkError(
        `incompatible import type for "${im.module}" "${im.name}": expected ${externTypeToString(want)}, got ${externTypeToString(got)}`,
        im.at,
      );
    }
    switch (ev.kind) {
      case 'func': inst.funcs.push(ev.value); break;
      case 'table': inst.tables.push(ev.value); break;
      case 'memory': inst.memories.push(ev.value); break;
      case 'global': inst.globals.push(ev.value); break;
      case 'tag': inst.tags.push(ev.value); break;
    }
  });

  // functions
  const nImportedFuncs = inst.funcs.length;
  m.funcs.forEach((f, i) => inst.funcs.push(wasmFunc(vm.types[f.type]!, inst, nImportedFuncs + i)));

  // globals, each seeing the imported and earlier globals
  const nImportedGlobals = inst.globals.length;
  m.globals.forEach((g, i) => {
    const type: CGlobalType = vm.globals[nImportedGlobals + i]!;
    inst.globals.push(new Global(type, evalConst(g.init, inst)));
  });

  // tags: fresh identities
  const nImportedTags = inst.tags.length;
  m.tags.forEach((t, i) => {
    const x = nImportedTags + i;
    inst.tags.push(new Tag(vm.types[t.type]!, m.names.tags.get(x)));
  });

  // tables
  const nImportedTables = inst.tables.length;
  m.tables.forEach((t, i) => {
    const type: CTableType = vm.tables[nImportedTables + i]!;
    inst.tables.push(new Table(type, t.init === null ? null : evalConst(t.init, inst)));
  });

  // memories
  const nImportedMemories = inst.memories.length;
  m.memories.forEach((_, i) => {
    const type: MemoryType = vm.memories[nImportedMemories + i]!;
    inst.memories.push(new Memory(type));
  });

  // segments
  for (const e of m.elems) inst.elems.push(e.init.map((c) => evalConst(c, inst)));
  for (const d of m.datas) inst.datas.push(d.init);

  // exports
  for (const ex of m.exports) {
    const x = ex.index;
    let ev: ExternVal;
    switch (ex.kind) {
      case 'func': ev = { kind: 'func', value: inst.funcs[x]! }; break;
      case 'table': ev = { kind: 'table', value: inst.tables[x]! }; break;
      case 'memory': ev = { kind: 'memory', value: inst.memories[x]! }; break;
      case 'global': ev = { kind: 'global', value: inst.globals[x]! }; break;
      case 'tag': ev = { kind: 'tag', value: inst.tags[x]! }; break;
    }
    inst.exports.set(ex.name, ev);
  }

  // active and declarative element segments
  m.elems.forEach((e, i) => {
    const mode = e.mode;
    if (mode.kind === 'passive') return;
    if (mode.kind === 'active') {
      const items = inst.elems[i]!;
      const tab = inst.tables[mode.table]!;
      const off = addrOf(evalConst(mode.offset, inst));
      if (off + items.length > tab.elems.length) throw new Trap('out of bounds table access');
      for (let k = 0; k < items.length; k++) tab.elems[off + k] = items[k]!;
    }
    inst.elems[i] = null;
  });

  // active data segments
  m.datas.forEach((d, i) => {
    const mode = d.mode;
    if (mode.kind === 'passive') return;
    const bytes = inst.datas[i]!;
    const mem = inst.memories[mode.memory]!;
    const off = addrOf(evalConst(mode.offset, inst));
    if (off + bytes.length > mem.bytes.length) throw new Trap('out of bounds memory access');
    mem.bytes.set(bytes, off);
    inst.datas[i] = null;
  });

  // start
  if (m.start !== null) {
    const f = inst.funcs[m.start]!;
    if (opts.invoke === undefined) throw new Error('instantiate: a start function needs opts.invoke');
    opts.invoke(f, []);
  }
  return inst;
}

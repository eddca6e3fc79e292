// Exact calls into a `WebAssembly`-shaped namespace (src/host/namespace.ts).
//
// JavaScript numbers lose what the spec tests compare: an f32 crosses the JS
// boundary as a double (a signalling NaN comes back quiet, payloads may change),
// v128, exnref and contref do not cross it at all, and JS sees GC references as
// opaque objects. So every call goes through a small generated *wrapper module*
// that imports the target (a function with its exact type, or a global) and
// exports `call`, which takes and returns only what crosses the boundary intact:
//
//   i32, i64          as themselves (Number, BigInt)
//   f32 / f64         as their bits: i32 / i64 (f32.reinterpret_i32 ...)
//   v128              as two i64 (lanes 0 and 1 of i64x2)
//   externref family  as itself (the JS value)
//   funcref family    as itself (an exported function or null)
//   anyref family     results: an i32 class (0 null, 1 i31, 2 struct, 3 array, 4 other)
//                     plus the reference itself through extern.convert_any;
//                     arguments: an externref that the wrapper internalizes and casts
//   exnref, contref   results: an i32, 1 when null; arguments: only null (made inside)
//
// Values on the JS side use the interpreter's representation (src/runtime/value.ts:
// f32 as bits, f64 as the double, v128 bytes...), so that src/script/values.ts
// matches them. References the host keeps opaque come back as stand-ins of the
// right class (a WasmStruct without fields, ...): enough for `(ref.struct)` and
// friends. A wrapper's types are the target module's own types (copied whole)
// when the signature names a defined type, so that the import matches exactly;
// signatures of abstract types only share one compiled wrapper per namespace.

import { emptyModule, allSubTypes, type Module } from '../syntax/ast.ts';
import { instr, type Instr } from '../syntax/opcodes.ts';
import {
  EXTERNREF, FUNCREF, type AbsHeapType, type FuncType, type GlobalType, type RecType, type RefType, type SubType,
  type ValType,
} from '../syntax/types.ts';
import { encodeModule } from '../binary/encoder.ts';
import { f64FromBits, f64ToBits } from '../util/float-bits.ts';
import { ExternAny, HostRef, WasmArray, WasmExn, WasmStruct, nulls, type ContRef, type FuncInst, type Value } from '../runtime/value.ts';
import type { DefType } from '../valid/types.ts';
import type { WasmModuleObject, WasmNamespace } from './namespace.ts';

/** How one value crosses the boundary (see the header). */
export type Passing = 'i32' | 'i64' | 'f32' | 'f64' | 'v128' | 'extern' | 'func' | 'any' | 'exn' | 'cont';

/** A compiled wrapper module and how its `call` passes values. */
export interface Wrapper {
  readonly module: WasmModuleObject;
  readonly params: readonly Passing[];
  readonly results: readonly Passing[];
}

/** What a wrapper reaches: a function of type index `type`, or a global. */
export type WrapTarget =
  | { readonly kind: 'func'; readonly type: number }
  | { readonly kind: 'global'; readonly type: GlobalType };

const HIERARCHY: Readonly<Record<AbsHeapType, Passing>> = {
  any: 'any', eq: 'any', i31: 'any', struct: 'any', array: 'any', none: 'any',
  func: 'func', nofunc: 'func', extern: 'extern', noextern: 'extern', exn: 'exn', noexn: 'exn', cont: 'cont', nocont: 'cont',
};

/** How a value of type `t` passes; `subs` are the module's types (for defined heap types). */
function passingOf(t: ValType, subs: readonly SubType[]): Passing {
  if (typeof t === 'string') return t;
  if (typeof t.heap === 'string') return HIERARCHY[t.heap];
  const comp = subs[t.heap]?.comp.kind;
  return comp === 'func' ? 'func' : comp === 'cont' ? 'cont' : 'any';
}

const namesDefinedType = (t: ValType): boolean => typeof t === 'object' && typeof t.heap === 'number';

/** The signature of a target in the types of its module. */
function signatureOf(target: WrapTarget, subs: readonly SubType[]): { params: readonly ValType[]; results: readonly ValType[] } {
  if (target.kind === 'global') return { params: [], results: [target.type.type] };
  const comp = subs[target.type]?.comp;
  if (comp?.kind !== 'func') throw new Error(`type ${target.type} is not a function type`);
  return comp;
}

const typeKey = (t: ValType): string => (typeof t === 'string' ? t : `(ref${t.nullable ? ' null' : ''} ${t.heap})`);

/** Does the wrapper of this target need the module's own types? */
export function needsModuleTypes(target: WrapTarget, subs: readonly SubType[]): boolean {
  const { params, results } = signatureOf(target, subs);
  return params.some(namesDefinedType) || results.some(namesDefinedType);
}

/** A cache key for a target whose signature names no defined type. */
export function abstractKey(target: WrapTarget, subs: readonly SubType[]): string {
  if (target.kind === 'global') return `global ${target.type.mutable ? 'mut ' : ''}${typeKey(target.type.type)}`;
  const { params, results } = signatureOf(target, subs);
  return `func ${params.map(typeKey).join(' ')} -> ${results.map(typeKey).join(' ')}`;
}

const group = (comp: FuncType): RecType => ({ types: [{ final: true, supers: [], comp }] });
const isTop = (t: RefType, heap: AbsHeapType): boolean => t.nullable && t.heap === heap;
const nullable = (t: ValType): ValType => (typeof t === 'object' ? { nullable: true, heap: t.heap } : t);
const ZERO_V128 = new Uint8Array(16);

/**
 * The wrapper module of a target. `types` are the target module's rec groups when the
 * signature names defined types (`needsModuleTypes`), else empty.
 */
function wrapperModule(target: WrapTarget, types: readonly RecType[]): { module: Module; params: Passing[]; results: Passing[] } {
  const m = emptyModule();
  m.types.push(...types);
  const subs = allSubTypes(m);
  let targetType = -1;
  if (target.kind === 'func') {
    if (types.length > 0) targetType = target.type;
    else throw new Error('a function wrapper needs the type of its target');
  }
  const { params, results } = signatureOf(target, subs);

  // Arguments: the wrapper's parameters, converted to the target's.
  const wParams: ValType[] = [];
  const pre: Instr[] = [];
  const pPassing: Passing[] = [];
  const get = (): Instr => instr('local.get', wParams.length - 1);
  for (const t of params) {
    const p = passingOf(t, subs);
    pPassing.push(p);
    switch (p) {
      case 'i32': case 'i64':
        wParams.push(p);
        pre.push(get());
        break;
      case 'f32':
        wParams.push('i32');
        pre.push(get(), instr('f32.reinterpret_i32'));
        break;
      case 'f64':
        wParams.push('i64');
        pre.push(get(), instr('f64.reinterpret_i64'));
        break;
      case 'v128':
        pre.push(instr('v128.const', ZERO_V128));
        wParams.push('i64');
        pre.push(get(), instr('i64x2.replace_lane', 0));
        wParams.push('i64');
        pre.push(get(), instr('i64x2.replace_lane', 1));
        break;
      case 'extern': {
        const rt = t as RefType;
        wParams.push(EXTERNREF);
        pre.push(get());
        if (!isTop(rt, 'extern')) pre.push(instr('ref.cast', rt));
        break;
      }
      case 'func': {
        const rt = t as RefType;
        wParams.push(FUNCREF);
        pre.push(get());
        if (!isTop(rt, 'func')) pre.push(instr('ref.cast', rt));
        break;
      }
      case 'any': {
        const rt = t as RefType;
        wParams.push(EXTERNREF);
        pre.push(get(), instr('any.convert_extern'));
        if (!isTop(rt, 'any')) pre.push(instr('ref.cast', rt));
        break;
      }
      case 'exn': case 'cont': {
        // only null can be given: made here (the JS API cannot pass these types)
        const rt = t as RefType;
        pre.push(instr('ref.null', rt.heap));
        if (!rt.nullable) pre.push(instr('ref.as_non_null'));
        break;
      }
    }
  }

  // Results: stored in locals (last first), then pushed converted.
  const wResults: ValType[] = [];
  const post: Instr[] = [];
  const rPassing: Passing[] = [];
  const base = wParams.length;
  for (let i = results.length - 1; i >= 0; i--) post.push(instr('local.set', base + i));
  results.forEach((t, i) => {
    const p = passingOf(t, subs);
    rPassing.push(p);
    const get = (): Instr => instr('local.get', base + i);
    switch (p) {
      case 'i32': case 'i64':
        wResults.push(p);
        post.push(get());
        break;
      case 'f32':
        wResults.push('i32');
        post.push(get(), instr('i32.reinterpret_f32'));
        break;
      case 'f64':
        wResults.push('i64');
        post.push(get(), instr('i64.reinterpret_f64'));
        break;
      case 'v128':
        wResults.push('i64', 'i64');
        post.push(get(), instr('i64x2.extract_lane', 0), get(), instr('i64x2.extract_lane', 1));
        break;
      case 'extern':
        wResults.push(EXTERNREF);
        post.push(get());
        break;
      case 'func':
        wResults.push(FUNCREF);
        post.push(get());
        break;
      case 'any':
        // class = 4 - 4*null - 3*i31 - 2*struct - 1*array (the tests exclude each other)
        wResults.push('i32', EXTERNREF);
        post.push(
          instr('i32.const', 4),
          get(), instr('ref.is_null'), instr('i32.const', 4), instr('i32.mul'), instr('i32.sub'),
          get(), instr('ref.test', { nullable: false, heap: 'i31' }), instr('i32.const', 3), instr('i32.mul'), instr('i32.sub'),
          get(), instr('ref.test', { nullable: false, heap: 'struct' }), instr('i32.const', 2), instr('i32.mul'), instr('i32.sub'),
          get(), instr('ref.test', { nullable: false, heap: 'array' }), instr('i32.sub'),
          get(), instr('extern.convert_any'),
        );
        break;
      case 'exn': case 'cont':
        wResults.push('i32');
        post.push(get(), instr('ref.is_null'));
        break;
    }
  });

  const wType = subs.length;
  m.types.push(group({ kind: 'func', params: wParams, results: wResults }));
  if (target.kind === 'func') {
    m.imports.push({ module: 't', name: 'f', desc: { kind: 'func', type: targetType }, at: -1 });
    pre.push(instr('call', 0));
  } else {
    m.imports.push({ module: 't', name: 'g', desc: { kind: 'global', type: target.type }, at: -1 });
    pre.push(instr('global.get', 0));
  }
  m.funcs.push({ type: wType, locals: results.map(nullable), body: [...pre, ...post, instr('end')], at: -1 });
  m.exports.push({ name: 'call', kind: 'func', index: target.kind === 'func' ? 1 : 0, at: -1 });
  return { module: m, params: pPassing, results: rPassing };
}

/** The types of a function target's own wrapper when its signature is abstract: just its function type. */
function abstractTypes(target: WrapTarget, subs: readonly SubType[]): RecType[] {
  if (target.kind === 'global') return [];
  return [group(signatureOf(target, subs) as FuncType)];
}

/** Compiles the wrapper of a target (see `wrapperModule`). */
export function compileWrapper(ns: WasmNamespace, target: WrapTarget, moduleTypes: readonly RecType[]): Wrapper {
  const subs = moduleTypes.flatMap((g) => g.types);
  const own = needsModuleTypes(target, subs);
  const types = own ? moduleTypes : abstractTypes(target, subs);
  const t: WrapTarget = target.kind === 'func' && !own ? { kind: 'func', type: 0 } : target;
  const { module, params, results } = wrapperModule(t, types);
  return { module: new ns.Module(encodeModule(module)), params, results };
}

// ---- values across the boundary ---------------------------------------------------------------

/** The wrapper's arguments for interpreter values; throws a TypeError for a value it cannot pass. */
export function toWrapperArgs(values: readonly Value[], passing: readonly Passing[]): unknown[] {
  const out: unknown[] = [];
  passing.forEach((p, i) => {
    const v = values[i]!;
    switch (p) {
      case 'i32': out.push((v as number) | 0); break;
      case 'i64': out.push(BigInt.asIntN(64, v as bigint)); break;
      case 'f32': out.push((v as number) | 0); break;
      case 'f64': out.push(BigInt.asIntN(64, f64ToBits(v as number))); break;
      case 'v128': {
        const b = v as Uint8Array;
        const dv = new DataView(b.buffer, b.byteOffset, 16);
        out.push(dv.getBigInt64(0, true), dv.getBigInt64(8, true));
        break;
      }
      case 'extern': case 'any':
        out.push(v);
        break;
      case 'func':
        if (v !== null) throw new TypeError('only null can be passed as a function reference');
        out.push(null);
        break;
      case 'exn': case 'cont':
        if (v !== null) throw new TypeError(`only null can be passed as ${p}ref`);
        break;
    }
  });
  return out;
}

// Stand-ins for references the host keeps opaque (see the header).
const OPAQUE_TYPE = null as unknown as DefType;
const STRUCT = new WasmStruct(OPAQUE_TYPE, []);
const ARRAY = new WasmArray(OPAQUE_TYPE, []);
const EXN = new WasmExn({ type: OPAQUE_TYPE }, []);
const CONT: ContRef = { kind: 'cont', type: OPAQUE_TYPE, consumed: false };

/** A host function reference as an interpreter value (`(ref.func)` matches it). */
const hostFuncRef = (fn: unknown): FuncInst =>
  ({ kind: 'host', type: OPAQUE_TYPE, name: 'host function', fn: () => [], host: fn }) as FuncInst;

/** A JS value that left Wasm as an externref (or an internalized host value), as an interpreter value. */
function externValue(v: unknown): Value {
  if (v === null || v === undefined) return null;
  if (v instanceof HostRef) return v;
  return new ExternAny(new HostRef(v));
}

/** The interpreter values of a wrapper's results (`raw`: what `call` returned). */
export function fromWrapperResults(raw: unknown, passing: readonly Passing[]): Value[] {
  const n = passing.reduce((k, p) => k + (p === 'v128' || p === 'any' ? 2 : 1), 0);
  const flat: unknown[] = n === 0 ? [] : n === 1 ? [raw] : [...(raw as Iterable<unknown>)];
  // A generic array: a double-only one (say, after pushing an f64 first) would quiet signalling NaNs.
  const out: Value[] = nulls(passing.length);
  let k = 0;
  passing.forEach((p, i) => {
    const x = flat[k++];
    let v: Value;
    switch (p) {
      case 'i32': v = (x as number) | 0; break;
      case 'i64': v = BigInt.asIntN(64, x as bigint); break;
      case 'f32': v = (x as number) >>> 0; break;
      case 'f64': v = f64FromBits(x as bigint); break;
      case 'v128': {
        const b = new Uint8Array(16);
        const dv = new DataView(b.buffer);
        dv.setBigInt64(0, x as bigint, true);
        dv.setBigInt64(8, flat[k++] as bigint, true);
        v = b;
        break;
      }
      case 'extern': v = externValue(x); break;
      case 'func': v = x === null ? null : hostFuncRef(x); break;
      case 'any': {
        const ref = flat[k++];
        switch (x as number) {
          case 0: v = null; break;
          case 1: v = typeof ref === 'number' ? ref : 0; break; // i31: the JS API gives the number
          case 2: v = STRUCT; break;
          case 3: v = ARRAY; break;
          default: v = ref instanceof HostRef ? ref : externValue(ref); break;
        }
        break;
      }
      case 'exn': v = x ? null : EXN; break;
      case 'cont': v = x ? null : CONT; break;
    }
    out[i] = v;
  });
  return out;
}

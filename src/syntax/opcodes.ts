// THE instruction table: every instruction of Wasm 3.0 plus stack switching and
// the legacy exception handling, defined once, as data. The decoder, encoder,
// text parser, printer, validator (and later the interpreter and the lowering
// passes) are all driven by it. Adding an instruction is one row here plus,
// when it has no fixed signature, its typing rule in src/valid/rules.ts (the
// compiler insists: that table is an exhaustive Record over CustomOp).
//
// A row says:
//   name     the text mnemonic, which is also the instruction's identity (`Instr.op`)
//   prefix   0xfb (GC), 0xfc (misc), 0xfd (SIMD) or absent for one-byte opcodes
//   code     the opcode byte, or the u32 sub-opcode after the prefix
//   imm      immediates, in binary order (see ImmKind for each kind's value)
//   sig      a fixed typing rule "params -> results" over i32 i64 f32 f64 v128,
//            where `addr` is the address type of the instruction's memory
//            (from its memarg or memidx); absent when the rule is custom
//   alt      a second opcode for the same instruction, chosen by its immediate:
//            `select` with types (0x1c), `ref.test`/`ref.cast` with a nullable type
//   align    log2 of the natural alignment of a memory access (its maximum)
//   lanes    the number of lanes a lane immediate indexes
//   konst    allowed in constant expressions
//   feature  the proposal that introduced it

import type { HeapType, RefType, ValType } from './types.ts';

export type Feature =
  | 'mvp' | 'sign-ext' | 'sat-conv' | 'multi-value' | 'bulk-memory' | 'reference-types'
  | 'function-references' | 'gc' | 'tail-call' | 'exceptions' | 'memory64' | 'multi-memory'
  | 'simd' | 'relaxed-simd' | 'extended-const' | 'stack-switching' | 'legacy-exceptions';

/** Block types: none, one value type, or a function type index. */
export type BlockType = null | ValType | { readonly type: number };

export interface MemArg {
  /** log2 of the alignment */
  readonly align: number;
  readonly offset: bigint;
  readonly mem: number;
}

export interface BrTable {
  readonly labels: readonly number[];
  readonly default: number;
}

export interface BrCast {
  readonly label: number;
  readonly from: RefType;
  readonly to: RefType;
}

export type CatchKind = 'catch' | 'catch_ref' | 'catch_all' | 'catch_all_ref';
export interface Catch {
  readonly kind: CatchKind;
  /** absent for catch_all and catch_all_ref */
  readonly tag?: number;
  readonly label: number;
}

/** `(on $tag $label)` or, with label null, `(on $tag switch)`. */
export interface OnClause {
  readonly tag: number;
  readonly label: number | null;
}

/** Each immediate kind and the JavaScript value that carries it. */
export interface ImmValues {
  typeidx: number;
  funcidx: number;
  tableidx: number;
  memidx: number;
  globalidx: number;
  localidx: number;
  labelidx: number;
  elemidx: number;
  dataidx: number;
  tagidx: number;
  fieldidx: number;
  /** a plain u32 count (array.new_fixed) */
  u32: number;
  /** a lane index (u8) */
  lane: number;
  /** signed 32-bit value */
  i32: number;
  /** signed 64-bit value */
  i64: bigint;
  /** IEEE bits as an unsigned 32-bit number (keeps NaN payloads) */
  f32: number;
  /** IEEE bits as an unsigned 64-bit bigint */
  f64: bigint;
  /** 16 bytes, little-endian */
  v128: Uint8Array;
  /** 16 lane indices of i8x16.shuffle */
  shuffle: Uint8Array;
  blocktype: BlockType;
  memarg: MemArg;
  brtable: BrTable;
  /** null: untyped `select` (0x1b); a list: `select (result t*)` (0x1c) */
  selecttypes: readonly ValType[] | null;
  heaptype: HeapType;
  /** ref.test / ref.cast: nullable picks the alt opcode */
  reftype: RefType;
  brcast: BrCast;
  catches: readonly Catch[];
  handlers: readonly OnClause[];
}
export type ImmKind = keyof ImmValues;

export interface InstrDef {
  readonly name: string;
  readonly prefix?: 0xfb | 0xfc | 0xfd;
  readonly code: number;
  readonly imm: readonly ImmKind[];
  readonly sig?: string;
  readonly alt?: number;
  readonly align?: number;
  readonly lanes?: number;
  readonly konst?: boolean;
  readonly feature: Feature;
}

type Extra = Partial<Pick<InstrDef, 'alt' | 'align' | 'lanes' | 'konst'>>;
type Row<N extends string, I extends readonly ImmKind[], S extends string | undefined> = {
  readonly name: N; readonly code: number; readonly imm: I; readonly sig: S;
  readonly prefix?: 0xfb | 0xfc | 0xfd; readonly feature: Feature;
} & Extra;

/** One row; `code` is a byte, or [prefix, sub-opcode]. */
function op<const N extends string, const I extends readonly ImmKind[] = [], const S extends string | undefined = undefined>(
  name: N, code: number | readonly [0xfb | 0xfc | 0xfd, number], imm?: I, sig?: S, extra?: Extra,
): Row<N, I, S> {
  const [prefix, c] = typeof code === 'number' ? [undefined, code] : code;
  const row = { name, code: c, imm: (imm ?? []) as I, sig: sig as S, feature: 'mvp' as Feature, ...extra };
  return prefix === undefined ? row : { ...row, prefix };
}

/** Tags a group of rows with the proposal that introduced them. */
function feature<const R extends readonly InstrDef[]>(f: Feature, rows: R): R {
  for (const r of rows) (r as { feature: Feature }).feature = f;
  return rows;
}

const K = { konst: true } as const;
const [GC, MISC, SIMD] = [0xfb, 0xfc, 0xfd] as const;
const mem = (align: number, extra?: Extra): Extra => ({ align, ...extra });

export const INSTRS = [
  // ---- control -------------------------------------------------------------
  ...feature('mvp', [
    op('unreachable', 0x00),
    op('nop', 0x01, [], ' -> '),
    op('block', 0x02, ['blocktype']),
    op('loop', 0x03, ['blocktype']),
    op('if', 0x04, ['blocktype']),
    op('else', 0x05),
    op('end', 0x0b, [], undefined, K),
    op('br', 0x0c, ['labelidx']),
    op('br_if', 0x0d, ['labelidx']),
    op('br_table', 0x0e, ['brtable']),
    op('return', 0x0f),
    op('call', 0x10, ['funcidx']),
    op('call_indirect', 0x11, ['typeidx', 'tableidx']),
    op('drop', 0x1a),
    op('select', 0x1b, ['selecttypes'], undefined, { alt: 0x1c }),
  ]),
  ...feature('exceptions', [
    op('throw', 0x08, ['tagidx']),
    op('throw_ref', 0x0a),
    op('try_table', 0x1f, ['blocktype', 'catches']),
  ]),
  // The legacy exception handling of the first proposal, still emitted by toolchains.
  // `catch` and `catch_all` separate the parts of a `try` as `else` does an `if`'s;
  // `delegate` closes a `try` without handlers in place of its `end`.
  ...feature('legacy-exceptions', [
    op('try', 0x06, ['blocktype']),
    op('catch', 0x07, ['tagidx']),
    op('catch_all', 0x19),
    op('delegate', 0x18, ['labelidx']),
    op('rethrow', 0x09, ['labelidx']),
  ]),
  ...feature('tail-call', [
    op('return_call', 0x12, ['funcidx']),
    op('return_call_indirect', 0x13, ['typeidx', 'tableidx']),
  ]),
  ...feature('function-references', [
    op('call_ref', 0x14, ['typeidx']),
    op('return_call_ref', 0x15, ['typeidx']),
    op('ref.as_non_null', 0xd4),
    op('br_on_null', 0xd5, ['labelidx']),
    op('br_on_non_null', 0xd6, ['labelidx']),
  ]),

  // ---- variables -------------------------------------------------------------
  ...feature('mvp', [
    op('local.get', 0x20, ['localidx']),
    op('local.set', 0x21, ['localidx']),
    op('local.tee', 0x22, ['localidx']),
    op('global.get', 0x23, ['globalidx'], undefined, K),
    op('global.set', 0x24, ['globalidx']),
  ]),

  // ---- tables ----------------------------------------------------------------
  ...feature('reference-types', [
    op('table.get', 0x25, ['tableidx']),
    op('table.set', 0x26, ['tableidx']),
    op('table.grow', [MISC, 15], ['tableidx']),
    op('table.size', [MISC, 16], ['tableidx']),
    op('table.fill', [MISC, 17], ['tableidx']),
  ]),
  ...feature('bulk-memory', [
    op('table.init', [MISC, 12], ['elemidx', 'tableidx']),
    op('elem.drop', [MISC, 13], ['elemidx'], ' -> '),
    op('table.copy', [MISC, 14], ['tableidx', 'tableidx']),
  ]),

  // ---- memory ----------------------------------------------------------------
  ...feature('mvp', [
    op('i32.load', 0x28, ['memarg'], 'addr -> i32', mem(2)),
    op('i64.load', 0x29, ['memarg'], 'addr -> i64', mem(3)),
    op('f32.load', 0x2a, ['memarg'], 'addr -> f32', mem(2)),
    op('f64.load', 0x2b, ['memarg'], 'addr -> f64', mem(3)),
    op('i32.load8_s', 0x2c, ['memarg'], 'addr -> i32', mem(0)),
    op('i32.load8_u', 0x2d, ['memarg'], 'addr -> i32', mem(0)),
    op('i32.load16_s', 0x2e, ['memarg'], 'addr -> i32', mem(1)),
    op('i32.load16_u', 0x2f, ['memarg'], 'addr -> i32', mem(1)),
    op('i64.load8_s', 0x30, ['memarg'], 'addr -> i64', mem(0)),
    op('i64.load8_u', 0x31, ['memarg'], 'addr -> i64', mem(0)),
    op('i64.load16_s', 0x32, ['memarg'], 'addr -> i64', mem(1)),
    op('i64.load16_u', 0x33, ['memarg'], 'addr -> i64', mem(1)),
    op('i64.load32_s', 0x34, ['memarg'], 'addr -> i64', mem(2)),
    op('i64.load32_u', 0x35, ['memarg'], 'addr -> i64', mem(2)),
    op('i32.store', 0x36, ['memarg'], 'addr i32 -> ', mem(2)),
    op('i64.store', 0x37, ['memarg'], 'addr i64 -> ', mem(3)),
    op('f32.store', 0x38, ['memarg'], 'addr f32 -> ', mem(2)),
    op('f64.store', 0x39, ['memarg'], 'addr f64 -> ', mem(3)),
    op('i32.store8', 0x3a, ['memarg'], 'addr i32 -> ', mem(0)),
    op('i32.store16', 0x3b, ['memarg'], 'addr i32 -> ', mem(1)),
    op('i64.store8', 0x3c, ['memarg'], 'addr i64 -> ', mem(0)),
    op('i64.store16', 0x3d, ['memarg'], 'addr i64 -> ', mem(1)),
    op('i64.store32', 0x3e, ['memarg'], 'addr i64 -> ', mem(2)),
    op('memory.size', 0x3f, ['memidx'], ' -> addr'),
    op('memory.grow', 0x40, ['memidx'], 'addr -> addr'),
  ]),
  ...feature('bulk-memory', [
    op('memory.init', [MISC, 8], ['dataidx', 'memidx'], 'addr i32 i32 -> '),
    op('data.drop', [MISC, 9], ['dataidx'], ' -> '),
    op('memory.copy', [MISC, 10], ['memidx', 'memidx']),
    op('memory.fill', [MISC, 11], ['memidx'], 'addr i32 addr -> '),
  ]),

  // ---- numeric constants and operators ------------------------------------------
  ...feature('mvp', [
    op('i32.const', 0x41, ['i32'], ' -> i32', K),
    op('i64.const', 0x42, ['i64'], ' -> i64', K),
    op('f32.const', 0x43, ['f32'], ' -> f32', K),
    op('f64.const', 0x44, ['f64'], ' -> f64', K),

    op('i32.eqz', 0x45, [], 'i32 -> i32'),
    op('i32.eq', 0x46, [], 'i32 i32 -> i32'),
    op('i32.ne', 0x47, [], 'i32 i32 -> i32'),
    op('i32.lt_s', 0x48, [], 'i32 i32 -> i32'),
    op('i32.lt_u', 0x49, [], 'i32 i32 -> i32'),
    op('i32.gt_s', 0x4a, [], 'i32 i32 -> i32'),
    op('i32.gt_u', 0x4b, [], 'i32 i32 -> i32'),
    op('i32.le_s', 0x4c, [], 'i32 i32 -> i32'),
    op('i32.le_u', 0x4d, [], 'i32 i32 -> i32'),
    op('i32.ge_s', 0x4e, [], 'i32 i32 -> i32'),
    op('i32.ge_u', 0x4f, [], 'i32 i32 -> i32'),

    op('i64.eqz', 0x50, [], 'i64 -> i32'),
    op('i64.eq', 0x51, [], 'i64 i64 -> i32'),
    op('i64.ne', 0x52, [], 'i64 i64 -> i32'),
    op('i64.lt_s', 0x53, [], 'i64 i64 -> i32'),
    op('i64.lt_u', 0x54, [], 'i64 i64 -> i32'),
    op('i64.gt_s', 0x55, [], 'i64 i64 -> i32'),
    op('i64.gt_u', 0x56, [], 'i64 i64 -> i32'),
    op('i64.le_s', 0x57, [], 'i64 i64 -> i32'),
    op('i64.le_u', 0x58, [], 'i64 i64 -> i32'),
    op('i64.ge_s', 0x59, [], 'i64 i64 -> i32'),
    op('i64.ge_u', 0x5a, [], 'i64 i64 -> i32'),

    op('f32.eq', 0x5b, [], 'f32 f32 -> i32'),
    op('f32.ne', 0x5c, [], 'f32 f32 -> i32'),
    op('f32.lt', 0x5d, [], 'f32 f32 -> i32'),
    op('f32.gt', 0x5e, [], 'f32 f32 -> i32'),
    op('f32.le', 0x5f, [], 'f32 f32 -> i32'),
    op('f32.ge', 0x60, [], 'f32 f32 -> i32'),

    op('f64.eq', 0x61, [], 'f64 f64 -> i32'),
    op('f64.ne', 0x62, [], 'f64 f64 -> i32'),
    op('f64.lt', 0x63, [], 'f64 f64 -> i32'),
    op('f64.gt', 0x64, [], 'f64 f64 -> i32'),
    op('f64.le', 0x65, [], 'f64 f64 -> i32'),
    op('f64.ge', 0x66, [], 'f64 f64 -> i32'),

    op('i32.clz', 0x67, [], 'i32 -> i32'),
    op('i32.ctz', 0x68, [], 'i32 -> i32'),
    op('i32.popcnt', 0x69, [], 'i32 -> i32'),
    op('i32.add', 0x6a, [], 'i32 i32 -> i32'),
    op('i32.sub', 0x6b, [], 'i32 i32 -> i32'),
    op('i32.mul', 0x6c, [], 'i32 i32 -> i32'),
    op('i32.div_s', 0x6d, [], 'i32 i32 -> i32'),
    op('i32.div_u', 0x6e, [], 'i32 i32 -> i32'),
    op('i32.rem_s', 0x6f, [], 'i32 i32 -> i32'),
    op('i32.rem_u', 0x70, [], 'i32 i32 -> i32'),
    op('i32.and', 0x71, [], 'i32 i32 -> i32'),
    op('i32.or', 0x72, [], 'i32 i32 -> i32'),
    op('i32.xor', 0x73, [], 'i32 i32 -> i32'),
    op('i32.shl', 0x74, [], 'i32 i32 -> i32'),
    op('i32.shr_s', 0x75, [], 'i32 i32 -> i32'),
    op('i32.shr_u', 0x76, [], 'i32 i32 -> i32'),
    op('i32.rotl', 0x77, [], 'i32 i32 -> i32'),
    op('i32.rotr', 0x78, [], 'i32 i32 -> i32'),

    op('i64.clz', 0x79, [], 'i64 -> i64'),
    op('i64.ctz', 0x7a, [], 'i64 -> i64'),
    op('i64.popcnt', 0x7b, [], 'i64 -> i64'),
    op('i64.add', 0x7c, [], 'i64 i64 -> i64'),
    op('i64.sub', 0x7d, [], 'i64 i64 -> i64'),
    op('i64.mul', 0x7e, [], 'i64 i64 -> i64'),
    op('i64.div_s', 0x7f, [], 'i64 i64 -> i64'),
    op('i64.div_u', 0x80, [], 'i64 i64 -> i64'),
    op('i64.rem_s', 0x81, [], 'i64 i64 -> i64'),
    op('i64.rem_u', 0x82, [], 'i64 i64 -> i64'),
    op('i64.and', 0x83, [], 'i64 i64 -> i64'),
    op('i64.or', 0x84, [], 'i64 i64 -> i64'),
    op('i64.xor', 0x85, [], 'i64 i64 -> i64'),
    op('i64.shl', 0x86, [], 'i64 i64 -> i64'),
    op('i64.shr_s', 0x87, [], 'i64 i64 -> i64'),
    op('i64.shr_u', 0x88, [], 'i64 i64 -> i64'),
    op('i64.rotl', 0x89, [], 'i64 i64 -> i64'),
    op('i64.rotr', 0x8a, [], 'i64 i64 -> i64'),

    op('f32.abs', 0x8b, [], 'f32 -> f32'),
    op('f32.neg', 0x8c, [], 'f32 -> f32'),
    op('f32.ceil', 0x8d, [], 'f32 -> f32'),
    op('f32.floor', 0x8e, [], 'f32 -> f32'),
    op('f32.trunc', 0x8f, [], 'f32 -> f32'),
    op('f32.nearest', 0x90, [], 'f32 -> f32'),
    op('f32.sqrt', 0x91, [], 'f32 -> f32'),
    op('f32.add', 0x92, [], 'f32 f32 -> f32'),
    op('f32.sub', 0x93, [], 'f32 f32 -> f32'),
    op('f32.mul', 0x94, [], 'f32 f32 -> f32'),
    op('f32.div', 0x95, [], 'f32 f32 -> f32'),
    op('f32.min', 0x96, [], 'f32 f32 -> f32'),
    op('f32.max', 0x97, [], 'f32 f32 -> f32'),
    op('f32.copysign', 0x98, [], 'f32 f32 -> f32'),

    op('f64.abs', 0x99, [], 'f64 -> f64'),
    op('f64.neg', 0x9a, [], 'f64 -> f64'),
    op('f64.ceil', 0x9b, [], 'f64 -> f64'),
    op('f64.floor', 0x9c, [], 'f64 -> f64'),
    op('f64.trunc', 0x9d, [], 'f64 -> f64'),
    op('f64.nearest', 0x9e, [], 'f64 -> f64'),
    op('f64.sqrt', 0x9f, [], 'f64 -> f64'),
    op('f64.add', 0xa0, [], 'f64 f64 -> f64'),
    op('f64.sub', 0xa1, [], 'f64 f64 -> f64'),
    op('f64.mul', 0xa2, [], 'f64 f64 -> f64'),
    op('f64.div', 0xa3, [], 'f64 f64 -> f64'),
    op('f64.min', 0xa4, [], 'f64 f64 -> f64'),
    op('f64.max', 0xa5, [], 'f64 f64 -> f64'),
    op('f64.copysign', 0xa6, [], 'f64 f64 -> f64'),

    op('i32.wrap_i64', 0xa7, [], 'i64 -> i32'),
    op('i32.trunc_f32_s', 0xa8, [], 'f32 -> i32'),
    op('i32.trunc_f32_u', 0xa9, [], 'f32 -> i32'),
    op('i32.trunc_f64_s', 0xaa, [], 'f64 -> i32'),
    op('i32.trunc_f64_u', 0xab, [], 'f64 -> i32'),
    op('i64.extend_i32_s', 0xac, [], 'i32 -> i64'),
    op('i64.extend_i32_u', 0xad, [], 'i32 -> i64'),
    op('i64.trunc_f32_s', 0xae, [], 'f32 -> i64'),
    op('i64.trunc_f32_u', 0xaf, [], 'f32 -> i64'),
    op('i64.trunc_f64_s', 0xb0, [], 'f64 -> i64'),
    op('i64.trunc_f64_u', 0xb1, [], 'f64 -> i64'),
    op('f32.convert_i32_s', 0xb2, [], 'i32 -> f32'),
    op('f32.convert_i32_u', 0xb3, [], 'i32 -> f32'),
    op('f32.convert_i64_s', 0xb4, [], 'i64 -> f32'),
    op('f32.convert_i64_u', 0xb5, [], 'i64 -> f32'),
    op('f32.demote_f64', 0xb6, [], 'f64 -> f32'),
    op('f64.convert_i32_s', 0xb7, [], 'i32 -> f64'),
    op('f64.convert_i32_u', 0xb8, [], 'i32 -> f64'),
    op('f64.convert_i64_s', 0xb9, [], 'i64 -> f64'),
    op('f64.convert_i64_u', 0xba, [], 'i64 -> f64'),
    op('f64.promote_f32', 0xbb, [], 'f32 -> f64'),
    op('i32.reinterpret_f32', 0xbc, [], 'f32 -> i32'),
    op('i64.reinterpret_f64', 0xbd, [], 'f64 -> i64'),
    op('f32.reinterpret_i32', 0xbe, [], 'i32 -> f32'),
    op('f64.reinterpret_i64', 0xbf, [], 'i64 -> f64'),
  ]),
  ...feature('sign-ext', [
    op('i32.extend8_s', 0xc0, [], 'i32 -> i32'),
    op('i32.extend16_s', 0xc1, [], 'i32 -> i32'),
    op('i64.extend8_s', 0xc2, [], 'i64 -> i64'),
    op('i64.extend16_s', 0xc3, [], 'i64 -> i64'),
    op('i64.extend32_s', 0xc4, [], 'i64 -> i64'),
  ]),
  ...feature('sat-conv', [
    op('i32.trunc_sat_f32_s', [MISC, 0], [], 'f32 -> i32'),
    op('i32.trunc_sat_f32_u', [MISC, 1], [], 'f32 -> i32'),
    op('i32.trunc_sat_f64_s', [MISC, 2], [], 'f64 -> i32'),
    op('i32.trunc_sat_f64_u', [MISC, 3], [], 'f64 -> i32'),
    op('i64.trunc_sat_f32_s', [MISC, 4], [], 'f32 -> i64'),
    op('i64.trunc_sat_f32_u', [MISC, 5], [], 'f32 -> i64'),
    op('i64.trunc_sat_f64_s', [MISC, 6], [], 'f64 -> i64'),
    op('i64.trunc_sat_f64_u', [MISC, 7], [], 'f64 -> i64'),
  ]),

  // ---- references --------------------------------------------------------------
  ...feature('reference-types', [
    op('ref.null', 0xd0, ['heaptype'], undefined, K),
    op('ref.is_null', 0xd1),
    op('ref.func', 0xd2, ['funcidx'], undefined, K),
  ]),
  ...feature('gc', [
    op('ref.eq', 0xd3),
    op('struct.new', [GC, 0], ['typeidx'], undefined, K),
    op('struct.new_default', [GC, 1], ['typeidx'], undefined, K),
    op('struct.get', [GC, 2], ['typeidx', 'fieldidx']),
    op('struct.get_s', [GC, 3], ['typeidx', 'fieldidx']),
    op('struct.get_u', [GC, 4], ['typeidx', 'fieldidx']),
    op('struct.set', [GC, 5], ['typeidx', 'fieldidx']),
    op('array.new', [GC, 6], ['typeidx'], undefined, K),
    op('array.new_default', [GC, 7], ['typeidx'], undefined, K),
    op('array.new_fixed', [GC, 8], ['typeidx', 'u32'], undefined, K),
    op('array.new_data', [GC, 9], ['typeidx', 'dataidx']),
    op('array.new_elem', [GC, 10], ['typeidx', 'elemidx']),
    op('array.get', [GC, 11], ['typeidx']),
    op('array.get_s', [GC, 12], ['typeidx']),
    op('array.get_u', [GC, 13], ['typeidx']),
    op('array.set', [GC, 14], ['typeidx']),
    op('array.len', [GC, 15], [], undefined),
    op('array.fill', [GC, 16], ['typeidx']),
    op('array.copy', [GC, 17], ['typeidx', 'typeidx']),
    op('array.init_data', [GC, 18], ['typeidx', 'dataidx']),
    op('array.init_elem', [GC, 19], ['typeidx', 'elemidx']),
    op('ref.test', [GC, 20], ['reftype'], undefined, { alt: 21 }),
    op('ref.cast', [GC, 22], ['reftype'], undefined, { alt: 23 }),
    op('br_on_cast', [GC, 24], ['brcast']),
    op('br_on_cast_fail', [GC, 25], ['brcast']),
    op('any.convert_extern', [GC, 26], [], undefined, K),
    op('extern.convert_any', [GC, 27], [], undefined, K),
    op('ref.i31', [GC, 28], [], undefined, K),
    op('i31.get_s', [GC, 29], []),
    op('i31.get_u', [GC, 30], []),
  ]),

  // ---- stack switching (typed continuations) ------------------------------------
  ...feature('stack-switching', [
    op('cont.new', 0xe0, ['typeidx']),
    op('cont.bind', 0xe1, ['typeidx', 'typeidx']),
    op('suspend', 0xe2, ['tagidx']),
    op('resume', 0xe3, ['typeidx', 'handlers']),
    op('resume_throw', 0xe4, ['typeidx', 'tagidx', 'handlers']),
    op('resume_throw_ref', 0xe5, ['typeidx', 'handlers']),
    op('switch', 0xe6, ['typeidx', 'tagidx']),
  ]),

  // ---- SIMD ------------------------------------------------------------------
  ...feature('simd', [
    op('v128.load', [SIMD, 0x00], ['memarg'], 'addr -> v128', mem(4)),
    op('v128.load8x8_s', [SIMD, 0x01], ['memarg'], 'addr -> v128', mem(3)),
    op('v128.load8x8_u', [SIMD, 0x02], ['memarg'], 'addr -> v128', mem(3)),
    op('v128.load16x4_s', [SIMD, 0x03], ['memarg'], 'addr -> v128', mem(3)),
    op('v128.load16x4_u', [SIMD, 0x04], ['memarg'], 'addr -> v128', mem(3)),
    op('v128.load32x2_s', [SIMD, 0x05], ['memarg'], 'addr -> v128', mem(3)),
    op('v128.load32x2_u', [SIMD, 0x06], ['memarg'], 'addr -> v128', mem(3)),
    op('v128.load8_splat', [SIMD, 0x07], ['memarg'], 'addr -> v128', mem(0)),
    op('v128.load16_splat', [SIMD, 0x08], ['memarg'], 'addr -> v128', mem(1)),
    op('v128.load32_splat', [SIMD, 0x09], ['memarg'], 'addr -> v128', mem(2)),
    op('v128.load64_splat', [SIMD, 0x0a], ['memarg'], 'addr -> v128', mem(3)),
    op('v128.store', [SIMD, 0x0b], ['memarg'], 'addr v128 -> ', mem(4)),
    op('v128.const', [SIMD, 0x0c], ['v128'], ' -> v128', K),
    op('i8x16.shuffle', [SIMD, 0x0d], ['shuffle'], 'v128 v128 -> v128'),
    op('i8x16.swizzle', [SIMD, 0x0e], [], 'v128 v128 -> v128'),
    op('i8x16.splat', [SIMD, 0x0f], [], 'i32 -> v128'),
    op('i16x8.splat', [SIMD, 0x10], [], 'i32 -> v128'),
    op('i32x4.splat', [SIMD, 0x11], [], 'i32 -> v128'),
    op('i64x2.splat', [SIMD, 0x12], [], 'i64 -> v128'),
    op('f32x4.splat', [SIMD, 0x13], [], 'f32 -> v128'),
    op('f64x2.splat', [SIMD, 0x14], [], 'f64 -> v128'),
    op('i8x16.extract_lane_s', [SIMD, 0x15], ['lane'], 'v128 -> i32', { lanes: 16 }),
    op('i8x16.extract_lane_u', [SIMD, 0x16], ['lane'], 'v128 -> i32', { lanes: 16 }),
    op('i8x16.replace_lane', [SIMD, 0x17], ['lane'], 'v128 i32 -> v128', { lanes: 16 }),
    op('i16x8.extract_lane_s', [SIMD, 0x18], ['lane'], 'v128 -> i32', { lanes: 8 }),
    op('i16x8.extract_lane_u', [SIMD, 0x19], ['lane'], 'v128 -> i32', { lanes: 8 }),
    op('i16x8.replace_lane', [SIMD, 0x1a], ['lane'], 'v128 i32 -> v128', { lanes: 8 }),
    op('i32x4.extract_lane', [SIMD, 0x1b], ['lane'], 'v128 -> i32', { lanes: 4 }),
    op('i32x4.replace_lane', [SIMD, 0x1c], ['lane'], 'v128 i32 -> v128', { lanes: 4 }),
    op('i64x2.extract_lane', [SIMD, 0x1d], ['lane'], 'v128 -> i64', { lanes: 2 }),
    op('i64x2.replace_lane', [SIMD, 0x1e], ['lane'], 'v128 i64 -> v128', { lanes: 2 }),
    op('f32x4.extract_lane', [SIMD, 0x1f], ['lane'], 'v128 -> f32', { lanes: 4 }),
    op('f32x4.replace_lane', [SIMD, 0x20], ['lane'], 'v128 f32 -> v128', { lanes: 4 }),
    op('f64x2.extract_lane', [SIMD, 0x21], ['lane'], 'v128 -> f64', { lanes: 2 }),
    op('f64x2.replace_lane', [SIMD, 0x22], ['lane'], 'v128 f64 -> v128', { lanes: 2 }),

    op('i8x16.eq', [SIMD, 0x23], [], 'v128 v128 -> v128'),
    op('i8x16.ne', [SIMD, 0x24], [], 'v128 v128 -> v128'),
    op('i8x16.lt_s', [SIMD, 0x25], [], 'v128 v128 -> v128'),
    op('i8x16.lt_u', [SIMD, 0x26], [], 'v128 v128 -> v128'),
    op('i8x16.gt_s', [SIMD, 0x27], [], 'v128 v128 -> v128'),
    op('i8x16.gt_u', [SIMD, 0x28], [], 'v128 v128 -> v128'),
    op('i8x16.le_s', [SIMD, 0x29], [], 'v128 v128 -> v128'),
    op('i8x16.le_u', [SIMD, 0x2a], [], 'v128 v128 -> v128'),
    op('i8x16.ge_s', [SIMD, 0x2b], [], 'v128 v128 -> v128'),
    op('i8x16.ge_u', [SIMD, 0x2c], [], 'v128 v128 -> v128'),
    op('i16x8.eq', [SIMD, 0x2d], [], 'v128 v128 -> v128'),
    op('i16x8.ne', [SIMD, 0x2e], [], 'v128 v128 -> v128'),
    op('i16x8.lt_s', [SIMD, 0x2f], [], 'v128 v128 -> v128'),
    op('i16x8.lt_u', [SIMD, 0x30], [], 'v128 v128 -> v128'),
    op('i16x8.gt_s', [SIMD, 0x31], [], 'v128 v128 -> v128'),
    op('i16x8.gt_u', [SIMD, 0x32], [], 'v128 v128 -> v128'),
    op('i16x8.le_s', [SIMD, 0x33], [], 'v128 v128 -> v128'),
    op('i16x8.le_u', [SIMD, 0x34], [], 'v128 v128 -> v128'),
    op('i16x8.ge_s', [SIMD, 0x35], [], 'v128 v128 -> v128'),
    op('i16x8.ge_u', [SIMD, 0x36], [], 'v128 v128 -> v128'),
    op('i32x4.eq', [SIMD, 0x37], [], 'v128 v128 -> v128'),
    op('i32x4.ne', [SIMD, 0x38], [], 'v128 v128 -> v128'),
    op('i32x4.lt_s', [SIMD, 0x39], [], 'v128 v128 -> v128'),
    op('i32x4.lt_u', [SIMD, 0x3a], [], 'v128 v128 -> v128'),
    op('i32x4.gt_s', [SIMD, 0x3b], [], 'v128 v128 -> v128'),
    op('i32x4.gt_u', [SIMD, 0x3c], [], 'v128 v128 -> v128'),
    op('i32x4.le_s', [SIMD, 0x3d], [], 'v128 v128 -> v128'),
    op('i32x4.le_u', [SIMD, 0x3e], [], 'v128 v128 -> v128'),
    op('i32x4.ge_s', [SIMD, 0x3f], [], 'v128 v128 -> v128'),
    op('i32x4.ge_u', [SIMD, 0x40], [], 'v128 v128 -> v128'),
    op('f32x4.eq', [SIMD, 0x41], [], 'v128 v128 -> v128'),
    op('f32x4.ne', [SIMD, 0x42], [], 'v128 v128 -> v128'),
    op('f32x4.lt', [SIMD, 0x43], [], 'v128 v128 -> v128'),
    op('f32x4.gt', [SIMD, 0x44], [], 'v128 v128 -> v128'),
    op('f32x4.le', [SIMD, 0x45], [], 'v128 v128 -> v128'),
    op('f32x4.ge', [SIMD, 0x46], [], 'v128 v128 -> v128'),
    op('f64x2.eq', [SIMD, 0x47], [], 'v128 v128 -> v128'),
    op('f64x2.ne', [SIMD, 0x48], [], 'v128 v128 -> v128'),
    op('f64x2.lt', [SIMD, 0x49], [], 'v128 v128 -> v128'),
    op('f64x2.gt', [SIMD, 0x4a], [], 'v128 v128 -> v128'),
    op('f64x2.le', [SIMD, 0x4b], [], 'v128 v128 -> v128'),
    op('f64x2.ge', [SIMD, 0x4c], [], 'v128 v128 -> v128'),

    op('v128.not', [SIMD, 0x4d], [], 'v128 -> v128'),
    op('v128.and', [SIMD, 0x4e], [], 'v128 v128 -> v128'),
    op('v128.andnot', [SIMD, 0x4f], [], 'v128 v128 -> v128'),
    op('v128.or', [SIMD, 0x50], [], 'v128 v128 -> v128'),
    op('v128.xor', [SIMD, 0x51], [], 'v128 v128 -> v128'),
    op('v128.bitselect', [SIMD, 0x52], [], 'v128 v128 v128 -> v128'),
    op('v128.any_true', [SIMD, 0x53], [], 'v128 -> i32'),

    op('v128.load8_lane', [SIMD, 0x54], ['memarg', 'lane'], 'addr v128 -> v128', mem(0, { lanes: 16 })),
    op('v128.load16_lane', [SIMD, 0x55], ['memarg', 'lane'], 'addr v128 -> v128', mem(1, { lanes: 8 })),
    op('v128.load32_lane', [SIMD, 0x56], ['memarg', 'lane'], 'addr v128 -> v128', mem(2, { lanes: 4 })),
    op('v128.load64_lane', [SIMD, 0x57], ['memarg', 'lane'], 'addr v128 -> v128', mem(3, { lanes: 2 })),
    op('v128.store8_lane', [SIMD, 0x58], ['memarg', 'lane'], 'addr v128 -> ', mem(0, { lanes: 16 })),
    op('v128.store16_lane', [SIMD, 0x59], ['memarg', 'lane'], 'addr v128 -> ', mem(1, { lanes: 8 })),
    op('v128.store32_lane', [SIMD, 0x5a], ['memarg', 'lane'], 'addr v128 -> ', mem(2, { lanes: 4 })),
    op('v128.store64_lane', [SIMD, 0x5b], ['memarg', 'lane'], 'addr v128 -> ', mem(3, { lanes: 2 })),
    op('v128.load32_zero', [SIMD, 0x5c], ['memarg'], 'addr -> v128', mem(2)),
    op('v128.load64_zero', [SIMD, 0x5d], ['memarg'], 'addr -> v128', mem(3)),

    op('f32x4.demote_f64x2_zero', [SIMD, 0x5e], [], 'v128 -> v128'),
    op('f64x2.promote_low_f32x4', [SIMD, 0x5f], [], 'v128 -> v128'),

    op('i8x16.abs', [SIMD, 0x60], [], 'v128 -> v128'),
    op('i8x16.neg', [SIMD, 0x61], [], 'v128 -> v128'),
    op('i8x16.popcnt', [SIMD, 0x62], [], 'v128 -> v128'),
    op('i8x16.all_true', [SIMD, 0x63], [], 'v128 -> i32'),
    op('i8x16.bitmask', [SIMD, 0x64], [], 'v128 -> i32'),
    op('i8x16.narrow_i16x8_s', [SIMD, 0x65], [], 'v128 v128 -> v128'),
    op('i8x16.narrow_i16x8_u', [SIMD, 0x66], [], 'v128 v128 -> v128'),
    op('f32x4.ceil', [SIMD, 0x67], [], 'v128 -> v128'),
    op('f32x4.floor', [SIMD, 0x68], [], 'v128 -> v128'),
    op('f32x4.trunc', [SIMD, 0x69], [], 'v128 -> v128'),
    op('f32x4.nearest', [SIMD, 0x6a], [], 'v128 -> v128'),
    op('i8x16.shl', [SIMD, 0x6b], [], 'v128 i32 -> v128'),
    op('i8x16.shr_s', [SIMD, 0x6c], [], 'v128 i32 -> v128'),
    op('i8x16.shr_u', [SIMD, 0x6d], [], 'v128 i32 -> v128'),
    op('i8x16.add', [SIMD, 0x6e], [], 'v128 v128 -> v128'),
    op('i8x16.add_sat_s', [SIMD, 0x6f], [], 'v128 v128 -> v128'),
    op('i8x16.add_sat_u', [SIMD, 0x70], [], 'v128 v128 -> v128'),
    op('i8x16.sub', [SIMD, 0x71], [], 'v128 v128 -> v128'),
    op('i8x16.sub_sat_s', [SIMD, 0x72], [], 'v128 v128 -> v128'),
    op('i8x16.sub_sat_u', [SIMD, 0x73], [], 'v128 v128 -> v128'),
    op('f64x2.ceil', [SIMD, 0x74], [], 'v128 -> v128'),
    op('f64x2.floor', [SIMD, 0x75], [], 'v128 -> v128'),
    op('i8x16.min_s', [SIMD, 0x76], [], 'v128 v128 -> v128'),
    op('i8x16.min_u', [SIMD, 0x77], [], 'v128 v128 -> v128'),
    op('i8x16.max_s', [SIMD, 0x78], [], 'v128 v128 -> v128'),
    op('i8x16.max_u', [SIMD, 0x79], [], 'v128 v128 -> v128'),
    op('f64x2.trunc', [SIMD, 0x7a], [], 'v128 -> v128'),
    op('i8x16.avgr_u', [SIMD, 0x7b], [], 'v128 v128 -> v128'),
    op('i16x8.extadd_pairwise_i8x16_s', [SIMD, 0x7c], [], 'v128 -> v128'),
    op('i16x8.extadd_pairwise_i8x16_u', [SIMD, 0x7d], [], 'v128 -> v128'),
    op('i32x4.extadd_pairwise_i16x8_s', [SIMD, 0x7e], [], 'v128 -> v128'),
    op('i32x4.extadd_pairwise_i16x8_u', [SIMD, 0x7f], [], 'v128 -> v128'),

    op('i16x8.abs', [SIMD, 0x80], [], 'v128 -> v128'),
    op('i16x8.neg', [SIMD, 0x81], [], 'v128 -> v128'),
    op('i16x8.q15mulr_sat_s', [SIMD, 0x82], [], 'v128 v128 -> v128'),
    op('i16x8.all_true', [SIMD, 0x83], [], 'v128 -> i32'),
    op('i16x8.bitmask', [SIMD, 0x84], [], 'v128 -> i32'),
    op('i16x8.narrow_i32x4_s', [SIMD, 0x85], [], 'v128 v128 -> v128'),
    op('i16x8.narrow_i32x4_u', [SIMD, 0x86], [], 'v128 v128 -> v128'),
    op('i16x8.extend_low_i8x16_s', [SIMD, 0x87], [], 'v128 -> v128'),
    op('i16x8.extend_high_i8x16_s', [SIMD, 0x88], [], 'v128 -> v128'),
    op('i16x8.extend_low_i8x16_u', [SIMD, 0x89], [], 'v128 -> v128'),
    op('i16x8.extend_high_i8x16_u', [SIMD, 0x8a], [], 'v128 -> v128'),
    op('i16x8.shl', [SIMD, 0x8b], [], 'v128 i32 -> v128'),
    op('i16x8.shr_s', [SIMD, 0x8c], [], 'v128 i32 -> v128'),
    op('i16x8.shr_u', [SIMD, 0x8d], [], 'v128 i32 -> v128'),
    op('i16x8.add', [SIMD, 0x8e], [], 'v128 v128 -> v128'),
    op('i16x8.add_sat_s', [SIMD, 0x8f], [], 'v128 v128 -> v128'),
    op('i16x8.add_sat_u', [SIMD, 0x90], [], 'v128 v128 -> v128'),
    op('i16x8.sub', [SIMD, 0x91], [], 'v128 v128 -> v128'),
    op('i16x8.sub_sat_s', [SIMD, 0x92], [], 'v128 v128 -> v128'),
    op('i16x8.sub_sat_u', [SIMD, 0x93], [], 'v128 v128 -> v128'),
    op('f64x2.nearest', [SIMD, 0x94], [], 'v128 -> v128'),
    op('i16x8.mul', [SIMD, 0x95], [], 'v128 v128 -> v128'),
    op('i16x8.min_s', [SIMD, 0x96], [], 'v128 v128 -> v128'),
    op('i16x8.min_u', [SIMD, 0x97], [], 'v128 v128 -> v128'),
    op('i16x8.max_s', [SIMD, 0x98], [], 'v128 v128 -> v128'),
    op('i16x8.max_u', [SIMD, 0x99], [], 'v128 v128 -> v128'),
    op('i16x8.avgr_u', [SIMD, 0x9b], [], 'v128 v128 -> v128'),
    op('i16x8.extmul_low_i8x16_s', [SIMD, 0x9c], [], 'v128 v128 -> v128'),
    op('i16x8.extmul_high_i8x16_s', [SIMD, 0x9d], [], 'v128 v128 -> v128'),
    op('i16x8.extmul_low_i8x16_u', [SIMD, 0x9e], [], 'v128 v128 -> v128'),
    op('i16x8.extmul_high_i8x16_u', [SIMD, 0x9f], [], 'v128 v128 -> v128'),

    op('i32x4.abs', [SIMD, 0xa0], [], 'v128 -> v128'),
    op('i32x4.neg', [SIMD, 0xa1], [], 'v128 -> v128'),
    op('i32x4.all_true', [SIMD, 0xa3], [], 'v128 -> i32'),
    op('i32x4.bitmask', [SIMD, 0xa4], [], 'v128 -> i32'),
    op('i32x4.extend_low_i16x8_s', [SIMD, 0xa7], [], 'v128 -> v128'),
    op('i32x4.extend_high_i16x8_s', [SIMD, 0xa8], [], 'v128 -> v128'),
    op('i32x4.extend_low_i16x8_u', [SIMD, 0xa9], [], 'v128 -> v128'),
    op('i32x4.extend_high_i16x8_u', [SIMD, 0xaa], [], 'v128 -> v128'),
    op('i32x4.shl', [SIMD, 0xab], [], 'v128 i32 -> v128'),
    op('i32x4.shr_s', [SIMD, 0xac], [], 'v128 i32 -> v128'),
    op('i32x4.shr_u', [SIMD, 0xad], [], 'v128 i32 -> v128'),
    op('i32x4.add', [SIMD, 0xae], [], 'v128 v128 -> v128'),
    op('i32x4.sub', [SIMD, 0xb1], [], 'v128 v128 -> v128'),
    op('i32x4.mul', [SIMD, 0xb5], [], 'v128 v128 -> v128'),
    op('i32x4.min_s', [SIMD, 0xb6], [], 'v128 v128 -> v128'),
    op('i32x4.min_u', [SIMD, 0xb7], [], 'v128 v128 -> v128'),
    op('i32x4.max_s', [SIMD, 0xb8], [], 'v128 v128 -> v128'),
    op('i32x4.max_u', [SIMD, 0xb9], [], 'v128 v128 -> v128'),
    op('i32x4.dot_i16x8_s', [SIMD, 0xba], [], 'v128 v128 -> v128'),
    op('i32x4.extmul_low_i16x8_s', [SIMD, 0xbc], [], 'v128 v128 -> v128'),
    op('i32x4.extmul_high_i16x8_s', [SIMD, 0xbd], [], 'v128 v128 -> v128'),
    op('i32x4.extmul_low_i16x8_u', [SIMD, 0xbe], [], 'v128 v128 -> v128'),
    op('i32x4.extmul_high_i16x8_u', [SIMD, 0xbf], [], 'v128 v128 -> v128'),

    op('i64x2.abs', [SIMD, 0xc0], [], 'v128 -> v128'),
    op('i64x2.neg', [SIMD, 0xc1], [], 'v128 -> v128'),
    op('i64x2.all_true', [SIMD, 0xc3], [], 'v128 -> i32'),
    op('i64x2.bitmask', [SIMD, 0xc4], [], 'v128 -> i32'),
    op('i64x2.extend_low_i32x4_s', [SIMD, 0xc7], [], 'v128 -> v128'),
    op('i64x2.extend_high_i32x4_s', [SIMD, 0xc8], [], 'v128 -> v128'),
    op('i64x2.extend_low_i32x4_u', [SIMD, 0xc9], [], 'v128 -> v128'),
    op('i64x2.extend_high_i32x4_u', [SIMD, 0xca], [], 'v128 -> v128'),
    op('i64x2.shl', [SIMD, 0xcb], [], 'v128 i32 -> v128'),
    op('i64x2.shr_s', [SIMD, 0xcc], [], 'v128 i32 -> v128'),
    op('i64x2.shr_u', [SIMD, 0xcd], [], 'v128 i32 -> v128'),
    op('i64x2.add', [SIMD, 0xce], [], 'v128 v128 -> v128'),
    op('i64x2.sub', [SIMD, 0xd1], [], 'v128 v128 -> v128'),
    op('i64x2.mul', [SIMD, 0xd5], [], 'v128 v128 -> v128'),
    op('i64x2.eq', [SIMD, 0xd6], [], 'v128 v128 -> v128'),
    op('i64x2.ne', [SIMD, 0xd7], [], 'v128 v128 -> v128'),
    op('i64x2.lt_s', [SIMD, 0xd8], [], 'v128 v128 -> v128'),
    op('i64x2.gt_s', [SIMD, 0xd9], [], 'v128 v128 -> v128'),
    op('i64x2.le_s', [SIMD, 0xda], [], 'v128 v128 -> v128'),
    op('i64x2.ge_s', [SIMD, 0xdb], [], 'v128 v128 -> v128'),
    op('i64x2.extmul_low_i32x4_s', [SIMD, 0xdc], [], 'v128 v128 -> v128'),
    op('i64x2.extmul_high_i32x4_s', [SIMD, 0xdd], [], 'v128 v128 -> v128'),
    op('i64x2.extmul_low_i32x4_u', [SIMD, 0xde], [], 'v128 v128 -> v128'),
    op('i64x2.extmul_high_i32x4_u', [SIMD, 0xdf], [], 'v128 v128 -> v128'),

    op('f32x4.abs', [SIMD, 0xe0], [], 'v128 -> v128'),
    op('f32x4.neg', [SIMD, 0xe1], [], 'v128 -> v128'),
    op('f32x4.sqrt', [SIMD, 0xe3], [], 'v128 -> v128'),
    op('f32x4.add', [SIMD, 0xe4], [], 'v128 v128 -> v128'),
    op('f32x4.sub', [SIMD, 0xe5], [], 'v128 v128 -> v128'),
    op('f32x4.mul', [SIMD, 0xe6], [], 'v128 v128 -> v128'),
    op('f32x4.div', [SIMD, 0xe7], [], 'v128 v128 -> v128'),
    op('f32x4.min', [SIMD, 0xe8], [], 'v128 v128 -> v128'),
    op('f32x4.max', [SIMD, 0xe9], [], 'v128 v128 -> v128'),
    op('f32x4.pmin', [SIMD, 0xea], [], 'v128 v128 -> v128'),
    op('f32x4.pmax', [SIMD, 0xeb], [], 'v128 v128 -> v128'),
    op('f64x2.abs', [SIMD, 0xec], [], 'v128 -> v128'),
    op('f64x2.neg', [SIMD, 0xed], [], 'v128 -> v128'),
    op('f64x2.sqrt', [SIMD, 0xef], [], 'v128 -> v128'),
    op('f64x2.add', [SIMD, 0xf0], [], 'v128 v128 -> v128'),
    op('f64x2.sub', [SIMD, 0xf1], [], 'v128 v128 -> v128'),
    op('f64x2.mul', [SIMD, 0xf2], [], 'v128 v128 -> v128'),
    op('f64x2.div', [SIMD, 0xf3], [], 'v128 v128 -> v128'),
    op('f64x2.min', [SIMD, 0xf4], [], 'v128 v128 -> v128'),
    op('f64x2.max', [SIMD, 0xf5], [], 'v128 v128 -> v128'),
    op('f64x2.pmin', [SIMD, 0xf6], [], 'v128 v128 -> v128'),
    op('f64x2.pmax', [SIMD, 0xf7], [], 'v128 v128 -> v128'),

    op('i32x4.trunc_sat_f32x4_s', [SIMD, 0xf8], [], 'v128 -> v128'),
    op('i32x4.trunc_sat_f32x4_u', [SIMD, 0xf9], [], 'v128 -> v128'),
    op('f32x4.convert_i32x4_s', [SIMD, 0xfa], [], 'v128 -> v128'),
    op('f32x4.convert_i32x4_u', [SIMD, 0xfb], [], 'v128 -> v128'),
    op('i32x4.trunc_sat_f64x2_s_zero', [SIMD, 0xfc], [], 'v128 -> v128'),
    op('i32x4.trunc_sat_f64x2_u_zero', [SIMD, 0xfd], [], 'v128 -> v128'),
    op('f64x2.convert_low_i32x4_s', [SIMD, 0xfe], [], 'v128 -> v128'),
    op('f64x2.convert_low_i32x4_u', [SIMD, 0xff], [], 'v128 -> v128'),
  ]),
  ...feature('relaxed-simd', [
    op('i8x16.relaxed_swizzle', [SIMD, 0x100], [], 'v128 v128 -> v128'),
    op('i32x4.relaxed_trunc_f32x4_s', [SIMD, 0x101], [], 'v128 -> v128'),
    op('i32x4.relaxed_trunc_f32x4_u', [SIMD, 0x102], [], 'v128 -> v128'),
    op('i32x4.relaxed_trunc_f64x2_s_zero', [SIMD, 0x103], [], 'v128 -> v128'),
    op('i32x4.relaxed_trunc_f64x2_u_zero', [SIMD, 0x104], [], 'v128 -> v128'),
    op('f32x4.relaxed_madd', [SIMD, 0x105], [], 'v128 v128 v128 -> v128'),
    op('f32x4.relaxed_nmadd', [SIMD, 0x106], [], 'v128 v128 v128 -> v128'),
    op('f64x2.relaxed_madd', [SIMD, 0x107], [], 'v128 v128 v128 -> v128'),
    op('f64x2.relaxed_nmadd', [SIMD, 0x108], [], 'v128 v128 v128 -> v128'),
    op('i8x16.relaxed_laneselect', [SIMD, 0x109], [], 'v128 v128 v128 -> v128'),
    op('i16x8.relaxed_laneselect', [SIMD, 0x10a], [], 'v128 v128 v128 -> v128'),
    op('i32x4.relaxed_laneselect', [SIMD, 0x10b], [], 'v128 v128 v128 -> v128'),
    op('i64x2.relaxed_laneselect', [SIMD, 0x10c], [], 'v128 v128 v128 -> v128'),
    op('f32x4.relaxed_min', [SIMD, 0x10d], [], 'v128 v128 -> v128'),
    op('f32x4.relaxed_max', [SIMD, 0x10e], [], 'v128 v128 -> v128'),
    op('f64x2.relaxed_min', [SIMD, 0x10f], [], 'v128 v128 -> v128'),
    op('f64x2.relaxed_max', [SIMD, 0x110], [], 'v128 v128 -> v128'),
    op('i16x8.relaxed_q15mulr_s', [SIMD, 0x111], [], 'v128 v128 -> v128'),
    op('i16x8.relaxed_dot_i8x16_i7x16_s', [SIMD, 0x112], [], 'v128 v128 -> v128'),
    op('i32x4.relaxed_dot_i8x16_i7x16_add_s', [SIMD, 0x113], [], 'v128 v128 v128 -> v128'),
  ]),
] as const satisfies readonly InstrDef[];

// Extended constant expressions: these ordinary operators are also allowed in constants.
for (const name of ['i32.add', 'i32.sub', 'i32.mul', 'i64.add', 'i64.sub', 'i64.mul'] as const) {
  const row = INSTRS.find((r) => r.name === name)! as InstrDef & { konst?: boolean };
  (row as { konst?: boolean }).konst = true;
}

// ---- derived types and maps ---------------------------------------------------

type Defs = (typeof INSTRS)[number];
export type OpName = Defs['name'];
/** Instructions whose typing is not a fixed signature: each has a rule in the validator. */
export type CustomOp = Defs extends infer D
  ? D extends { name: infer N; sig: infer S } ? (S extends `${string}->${string}` ? never : N) : never
  : never;
export type SimpleOp = Exclude<OpName, CustomOp>;
export type DefOf<N extends OpName> = Extract<Defs, { name: N }>;

type ArgsOf<I extends readonly ImmKind[]> = { -readonly [P in keyof I]: ImmValues[I[P]] };
type InstrOf<D> = D extends { name: infer N; imm: infer I extends readonly ImmKind[] }
  ? { op: N; args: ArgsOf<I>; /** source offset: text char or binary byte; -1 when synthesised */ at: number }
  : never;
/** One instruction. Function bodies are flat sequences ending with `end`, as in the binary format. */
export type Instr = InstrOf<Defs>;
export type InstrFor<N extends OpName> = Extract<Instr, { op: N }>;

export const BY_NAME: ReadonlyMap<string, InstrDef> = new Map(INSTRS.map((r) => [r.name, r as InstrDef]));

/** Opcode key: the byte for one-byte opcodes; (prefix << 24) | sub for prefixed ones. */
export const opcodeKey = (prefix: number | undefined, code: number): number =>
  prefix === undefined ? code : prefix * 0x1000000 + code;

export const BY_OPCODE: ReadonlyMap<number, InstrDef> = (() => {
  const m = new Map<number, InstrDef>();
  for (const r of INSTRS as readonly InstrDef[]) {
    m.set(opcodeKey(r.prefix, r.code), r);
    if (r.alt !== undefined) m.set(opcodeKey(r.prefix, r.alt), r);
  }
  return m;
})();

/**
 * Builds an instruction (for passes that synthesise code); `at` defaults to -1. The arguments
 * are checked against the op's immediates; the result is an `Instr`, not `InstrFor<N>`: arrays of
 * hundreds of calls (the tests') each relating a union of member types to `Instr` made the type
 * check take 68 s instead of 8.
 */
export const instr = <N extends OpName>(op: N, ...args: InstrFor<N>['args']): Instr =>
  ({ op, args, at: -1 }) as unknown as Instr;

// The internal instruction set of the machine: what src/exec/compile.ts emits and
// src/exec/machine.ts dispatches on.
//
// Code is an array of int32s: an opcode followed by its immediates. Operands are frame
// slots (relative to the frame pointer `fp`): slot i < nlocals is local i, slot
// nlocals + h is the operand-stack position h, which the translator knows statically
// for every instruction. A frame's values live in three parallel arrays (compile.ts,
// kinds): i32 in `i32`, f32 (bits) and f64 in `num`, everything else (i64 bigints, v128,
// references) in `ref`; the translator knows which from the types, and names the ops
// by it (_I, _N, _R) where an op exists for several; _K names the form whose operand is an
// inline constant k instead of a slot. Notation below: d = destination slot,
// a/b/c/s/v = source slots, k = an inline constant, t = a code index (branch target),
// o = an index into the function's side table of objects, f = a function index,
// base = the slot of the first of several operands that are laid out consecutively
// (calls, aggregates, bulk operations), results written from `base` on.
//
// The dispatch loop switches on literal case labels (`case /*@NAME*/17:`), so that V8
// compiles the switch to a jump table; src/exec/ops.test.ts checks every label
// against this list. To renumber after editing the list:
//   npx node src/exec/ops.test.ts --renumber

export const OP_NAMES = [
  // ---- control
  'UNREACHABLE', //
  'NOP', //                                    (padding after peephole rewrites; never reached)
  'BR', //                   t
  'BR_LOOP', //              t - - - -         a back-edge (as BR; room for the post-pass to rotate the loop)
  'BR_IF', //                c t              jump when i32[c] != 0
  'BR_UNLESS', //            c t              jump when i32[c] == 0
  'BR_TABLE', //             c n arity src (t d)*(n+1)
  'RETURN', //               s n              results [s, s+n) to [0, n), pop the frame
  'RETURN0', //              -                no results (size 2, as BR: a branch to a return becomes one in place)
  'RETURN1_N', //            s
  'RETURN1_R', //            s
  'RETURN1_I', //            s
  'CALL', //                 f base
  'CALL_ADDI', //            f base d a k      i32[d] = a + k (the last argument), then CALL f base
  'CALL_INDIRECT', //        o(type) table base c is64
  'CALL_REF', //             base r
  'RETURN_CALL', //          f base
  'RETURN_CALL_INDIRECT', // o(type) table base c is64
  'RETURN_CALL_REF', //      base r
  'THROW', //                o(tag) base n
  'THROW_REF', //            s
  // ---- moves and constants
  'MOV_N', //                d s
  'MOV_R', //                d s
  'MOV_I', //                d s
  'CONST_I32', //            d k
  'CONST_F32', //            d k(bits)
  'CONST_F64', //            d i(f64 table)
  'CONST_R', //              d o
  'SELECT_N', //             d c a b
  'SELECT_R', //             d c a b
  'SELECT_I', //             d c a b
  'GLOBAL_GET_N', //         d g
  'GLOBAL_GET_R', //         d g
  'GLOBAL_GET_I', //         d g
  'GLOBAL_SET_N', //         g s
  'GLOBAL_SET_R', //         g s
  'GLOBAL_SET_I', //         g s
  // ---- i32 (d a b; _K: d a k)
  'I32_EQZ', 'I32_EQ', 'I32_NE', 'I32_LT_S', 'I32_LT_U', 'I32_GT_S', 'I32_GT_U', 'I32_LE_S', 'I32_LE_U',
  'I32_GE_S', 'I32_GE_U',
  'I32_EQ_K', 'I32_NE_K', 'I32_LT_S_K', 'I32_LT_U_K', 'I32_GT_S_K', 'I32_GT_U_K', 'I32_LE_S_K', 'I32_LE_U_K',
  'I32_GE_S_K', 'I32_GE_U_K',
  'I32_CLZ', 'I32_CTZ', 'I32_POPCNT', 'I32_ADD', 'I32_SUB', 'I32_MUL', 'I32_DIV_S', 'I32_DIV_U', 'I32_REM_S',
  'I32_REM_U', 'I32_AND', 'I32_OR', 'I32_XOR', 'I32_SHL', 'I32_SHR_S', 'I32_SHR_U', 'I32_ROTL', 'I32_ROTR',
  'I32_ADD_K', 'I32_MUL_K', 'I32_AND_K', 'I32_OR_K', 'I32_XOR_K', 'I32_SHL_K', 'I32_SHR_S_K', 'I32_SHR_U_K',
  'I32_EXTEND8_S', 'I32_EXTEND16_S', 'I32_WRAP_I64',
  // ---- compare and branch (a b t; _K: a k t)
  'J_EQ', 'J_NE', 'J_LT_S', 'J_LT_U', 'J_GT_S', 'J_GT_U', 'J_LE_S', 'J_LE_U', 'J_GE_S', 'J_GE_U',
  'J_EQ_K', 'J_NE_K', 'J_LT_S_K', 'J_LT_U_K', 'J_GT_S_K', 'J_GT_U_K', 'J_LE_S_K', 'J_LE_U_K', 'J_GE_S_K', 'J_GE_U_K',
  // ---- loop latches: d = a + k, then compare d and branch (d a k b t; _K: d a k k2 t; BR: d a k t)
  'ADDI_J_LT_S', 'ADDI_J_LT_U', 'ADDI_J_NE', 'ADDI_J_GT_S', 'ADDI_J_GE_S',
  'ADDI_J_LT_S_K', 'ADDI_J_LT_U_K', 'ADDI_J_NE_K', 'ADDI_J_GT_S_K', 'ADDI_J_GE_S_K',
  'ADDI_BR_IF', 'ADDI_BR_UNLESS',
  // d = a + b (slots), then the same (d a b c t; _K: d a b k t; BR: d a b t)
  'ADD_J_LT_S', 'ADD_J_LT_U', 'ADD_J_NE', 'ADD_J_GT_S', 'ADD_J_GE_S',
  'ADD_J_LT_S_K', 'ADD_J_LT_U_K', 'ADD_J_NE_K', 'ADD_J_GT_S_K', 'ADD_J_GE_S_K',
  'ADD_BR_IF', 'ADD_BR_UNLESS',
  // ---- i64 (bigints)
  'I64_EQZ', 'I64_EQ', 'I64_NE', 'I64_LT_S', 'I64_GT_S', 'I64_LE_S', 'I64_GE_S',
  'I64_ADD', 'I64_SUB', 'I64_MUL', 'I64_AND', 'I64_OR', 'I64_XOR', 'I64_SHL', 'I64_SHR_S', 'I64_SHR_U',
  'I64_EXTEND_I32_S', 'I64_EXTEND_I32_U',
  // ---- f64
  'F64_ADD', 'F64_SUB', 'F64_MUL', 'F64_DIV', 'F64_EQ', 'F64_NE', 'F64_LT', 'F64_GT', 'F64_LE', 'F64_GE',
  'F64_CONVERT_I32_S', 'F64_CONVERT_I32_U',
  // ---- f32 (operands and results are bits)
  'F32_ADD', 'F32_SUB', 'F32_MUL', 'F32_DIV', 'F32_EQ', 'F32_NE', 'F32_LT', 'F32_GT', 'F32_LE', 'F32_GE',
  'F32_CONVERT_I32_S',
  // ---- any other operator: a function from the side table; mask bit i (0-2): operand i is
  // in the reference array, bit 3: so is the result; bits 4-6 and 7: the same for the i32 array
  'GEN1', //                 d a o mask
  'GEN2', //                 d a b o mask
  'GEN3', //                 d a b c o mask
  // ---- memory 0 with i32 addresses (d a off / a v off)
  'I32_LOAD', 'I64_LOAD', 'F32_LOAD', 'F64_LOAD', 'I32_LOAD8_S', 'I32_LOAD8_U', 'I32_LOAD16_S', 'I32_LOAD16_U',
  'I64_LOAD8_S', 'I64_LOAD8_U', 'I64_LOAD16_S', 'I64_LOAD16_U', 'I64_LOAD32_S', 'I64_LOAD32_U',
  'I32_STORE', 'I64_STORE', 'F32_STORE', 'F64_STORE', 'I32_STORE8', 'I32_STORE16', 'I64_STORE8', 'I64_STORE16',
  'I64_STORE32',
  'I32_STORE_K', 'I32_STORE8_K', 'I32_STORE16_K', //   a k off: stores a constant
  // ---- any memory access: o = MemAccess (kind, memory, offset, lane)
  'MEM_LOAD', //             d a o
  'MEM_STORE', //            a v o
  'MEM_LOAD_LANE', //        d a v o
  'MEMORY_SIZE', //          d mem
  'MEMORY_GROW', //          d s mem
  'MEMORY_FILL', //          base mem
  'MEMORY_COPY', //          base dst src
  'MEMORY_INIT', //          base mem data
  'DATA_DROP', //            data
  // ---- tables
  'TABLE_GET', //            d c table
  'TABLE_SET', //            c v table
  'TABLE_SIZE', //           d table
  'TABLE_GROW', //           base table
  'TABLE_FILL', //           base table
  'TABLE_COPY', //           base dst src
  'TABLE_INIT', //           base table elem
  'ELEM_DROP', //            elem
  // ---- references
  'REF_NULL', //             d
  'REF_IS_NULL', //          d s
  'REF_FUNC', //             d f
  'REF_AS_NON_NULL', //      s
  'BR_ON_NULL', //           s t
  'BR_ON_NON_NULL', //       s t
  'REF_EQ', //               d a b
  'REF_TEST', //             d s o(ref type)
  'REF_CAST', //             s o
  'BR_ON_CAST', //           s o t
  'BR_ON_CAST_FAIL', //      s o t
  'REF_I31', //              d s
  'I31_GET_S', //            d s
  'I31_GET_U', //            d s
  'ANY_CONVERT_EXTERN', //   d s
  'EXTERN_CONVERT_ANY', //   d s
  // ---- aggregates (o = Aggr descriptor)
  'STRUCT_NEW', //           base o
  'STRUCT_NEW_DEFAULT', //   d o
  'STRUCT_GET_N', //         d s field
  'STRUCT_GET_R', //         d s field
  'STRUCT_GET_I', //         d s field
  'STRUCT_GET_P', //         d s field shift
  'STRUCT_SET_N', //         s v field
  'STRUCT_SET_R', //         s v field
  'STRUCT_SET_I', //         s v field
  'STRUCT_SET_P', //         s v field mask
  'ARRAY_NEW', //            base o
  'ARRAY_NEW_DEFAULT', //    d c o
  'ARRAY_NEW_FIXED', //      base o n
  'ARRAY_NEW_DATA', //       base o data
  'ARRAY_NEW_ELEM', //       base o elem
  'ARRAY_GET_N', //          d a i
  'ARRAY_GET_R', //          d a i
  'ARRAY_GET_I', //          d a i
  'ARRAY_GET_P', //          d a i shift
  'ARRAY_SET_N', //          a i v
  'ARRAY_SET_R', //          a i v
  'ARRAY_SET_I', //          a i v
  'ARRAY_SET_P', //          a i v mask
  'ARRAY_LEN', //            d a
  'ARRAY_FILL', //           base o
  'ARRAY_COPY', //           base o
  'ARRAY_INIT_DATA', //      base o data
  'ARRAY_INIT_ELEM', //      base o elem
  // ---- stack switching
  'CONT_NEW', //             d s o(cont type)
  'CONT_BIND', //            base o(BindSite)
  'SUSPEND', //              base o(tag) n
  'RESUME', //               base o(ResumeSite)
  'RESUME_THROW', //         base o(ResumeSite) o(tag) n
  'RESUME_THROW_REF', //     base o(ResumeSite)
  'SWITCH', //               base o(ResumeSite: the switch site)
] as const;

export type OpName = (typeof OP_NAMES)[number];

/** Opcode of each internal instruction. */
export const OP: { readonly [K in OpName]: number } = Object.fromEntries(OP_NAMES.map((n, i) => [n, i])) as {
  readonly [K in OpName]: number;
};

/** Size (opcode + immediates) of each instruction, where fixed (BR_TABLE: -1). */
export const OP_SIZE: Readonly<Record<OpName, number>> = (() => {
  const sizes: Partial<Record<OpName, number>> = {
    UNREACHABLE: 1, NOP: 1, BR: 2, BR_LOOP: 6, BR_IF: 3, BR_UNLESS: 3, BR_TABLE: -1, RETURN: 3, RETURN0: 2, RETURN1_N: 2, RETURN1_R: 2, RETURN1_I: 2,
    CALL: 3, CALL_ADDI: 6, CALL_INDIRECT: 6, CALL_REF: 3, RETURN_CALL: 3, RETURN_CALL_INDIRECT: 6, RETURN_CALL_REF: 3,
    THROW: 4, THROW_REF: 2, MOV_N: 3, MOV_R: 3, MOV_I: 3, CONST_I32: 3, CONST_F32: 3, CONST_F64: 3, CONST_R: 3,
    SELECT_N: 5, SELECT_R: 5, SELECT_I: 5, GLOBAL_GET_N: 3, GLOBAL_GET_R: 3, GLOBAL_GET_I: 3, GLOBAL_SET_N: 3,
    GLOBAL_SET_R: 3, GLOBAL_SET_I: 3,
    I32_EQZ: 3, I32_CLZ: 3, I32_CTZ: 3, I32_POPCNT: 3, I32_EXTEND8_S: 3, I32_EXTEND16_S: 3, I32_WRAP_I64: 3,
    I64_EQZ: 3, I64_EXTEND_I32_S: 3, I64_EXTEND_I32_U: 3, F64_CONVERT_I32_S: 3, F64_CONVERT_I32_U: 3,
    F32_CONVERT_I32_S: 3,
    GEN1: 5, GEN2: 6, GEN3: 7,
    MEM_LOAD: 4, MEM_STORE: 4, MEM_LOAD_LANE: 5, MEMORY_SIZE: 3, MEMORY_GROW: 4, MEMORY_FILL: 3, MEMORY_COPY: 4,
    MEMORY_INIT: 4, DATA_DROP: 2,
    TABLE_GET: 4, TABLE_SET: 4, TABLE_SIZE: 3, TABLE_GROW: 3, TABLE_FILL: 3, TABLE_COPY: 4, TABLE_INIT: 4, ELEM_DROP: 2,
    REF_NULL: 2, REF_IS_NULL: 3, REF_FUNC: 3, REF_AS_NON_NULL: 2, BR_ON_NULL: 3, BR_ON_NON_NULL: 3, REF_EQ: 4,
    REF_TEST: 4, REF_CAST: 3, BR_ON_CAST: 4, BR_ON_CAST_FAIL: 4, REF_I31: 3, I31_GET_S: 3, I31_GET_U: 3,
    ANY_CONVERT_EXTERN: 3, EXTERN_CONVERT_ANY: 3,
    STRUCT_NEW: 3, STRUCT_NEW_DEFAULT: 3, STRUCT_GET_N: 4, STRUCT_GET_R: 4, STRUCT_GET_I: 4, STRUCT_GET_P: 5, STRUCT_SET_N: 4,
    STRUCT_SET_R: 4, STRUCT_SET_I: 4, STRUCT_SET_P: 5, ARRAY_NEW: 3, ARRAY_NEW_DEFAULT: 4, ARRAY_NEW_FIXED: 4, ARRAY_NEW_DATA: 4,
    ARRAY_NEW_ELEM: 4, ARRAY_GET_N: 4, ARRAY_GET_R: 4, ARRAY_GET_I: 4, ARRAY_GET_P: 5, ARRAY_SET_N: 4, ARRAY_SET_R: 4, ARRAY_SET_I: 4,
    ARRAY_SET_P: 5, ARRAY_LEN: 3, ARRAY_FILL: 3, ARRAY_COPY: 3, ARRAY_INIT_DATA: 4, ARRAY_INIT_ELEM: 4,
    CONT_NEW: 4, CONT_BIND: 3, SUSPEND: 4, RESUME: 3, RESUME_THROW: 5, RESUME_THROW_REF: 3, SWITCH: 3,
  };
  for (const n of OP_NAMES) {
    if (sizes[n] !== undefined) continue;
    if (n.startsWith('J_')) sizes[n] = 4;
    else if (n.startsWith('ADDI_BR') || n.startsWith('ADD_BR')) sizes[n] = 5;
    else if (n.startsWith('ADDI_J') || n.startsWith('ADD_J')) sizes[n] = 6;
    else if (/^I(32|64)_(LOAD|STORE)/.test(n) || /^F(32|64)_(LOAD|STORE)/.test(n)) sizes[n] = 4;
    else sizes[n] = 4; // binary operators: d a b / d a k
  }
  return sizes as Record<OpName, number>;
})();

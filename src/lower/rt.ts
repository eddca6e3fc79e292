// The run-time representation that lowered modules share (see docs/lowering.md).
//
// Every lowered module starts its type section with the same rec group, so
// that its types are the same canonical types in every module (and in the
// runtime module that owns the shared globals):
//
//   0 $Frame  (sub (struct (field $next (mut (ref null $Frame))) (field $thunk (mut (ref null $Thunk)))))
//             a saved activation; each instrumented function extends it with its locals and stack.
//             $next: on a stack, the frame below (its caller); while an unwinding passes its list
//             of saved frames up by return values, the frame above (its callee: each frame
//             points to the list it got, so no frame is written twice and none needs a pointer
//             to the list's end); the thunk of the frame re-entered reverses it (wasmfx:rev).
//             (Throwing into a re-entered frame is the global `thr`, not a field: a field is eight
//             bytes in every saved frame of every idle continuation.)
//   1 $Thunk  (func (param (ref $Frame) (ref null $Stk)) (result (ref null $Frame)))  re-enters a
//             saved frame on a stack at its site (one thunk per site); when it unwound, the
//             stack's new top (else null)
//   2 $Stk    (struct $top $parent $hdl)   a continuation's stack: its saved frames, innermost
//             first; the handler table of the resume running it
//   3 $Hdl    (struct $key0 $keys)         a resume site's handler table (immutable, one per site,
//             made at instantiation): the key of its first clause (-1: none), which a suspension
//             checks first, and every clause's key ($Keys)
//   4 $Cont   (struct $inner)              a continuation value: the chain of stacks it captured,
//             from $inner up the parents to the first stack without one (a suspended chain's
//             outer stack has none); one-shot: consuming it clears $inner. A suspension's is made
//             by the driver of the handler's resume and returned with the clause: nothing young
//             goes into a global
//   5 $Keys   (array i32)                  handler keys: tag id * 2 + (1 for switch)
//
// The state of the machine lives in globals that every lowered module
// imports from "wasmfx:rt" (or defines, for a standalone module), listed in
// RT_GLOBALS; values cross continuation boundaries through "transfer"
// globals, one set per kind of value.

import type { FieldType, GlobalType, RecType, SubType, ValType } from '../syntax/types.ts';
import type { Module } from '../syntax/ast.ts';
import { emptyModule } from '../syntax/ast.ts';
import { instr } from '../syntax/opcodes.ts';

export const T_FRAME = 0;
export const T_THUNK = 1;
export const T_STK = 2;
export const T_HDL = 3;
export const T_CONT = 4;
export const T_KEYS = 5;
/**
 * $Frame of a function with no handler (no try_table): re-entering it to raise an exception
 * would only rethrow, so the driver passes the exception over it (drivercaught)
 */
export const T_FRAME_NC = 6;
/** the number of runtime types before the module's own */
export const RT_TYPES = 7;

// field indices
export const F_NEXT = 0;
export const F_THUNK = 1;
/** the first field of a frame subtype's own (frame types: $Frame's fields, then theirs) */
export const F_BASE = 2;
export const S_TOP = 0;
export const S_PARENT = 1;
export const S_HDL = 2;
export const H_KEY0 = 0;
export const H_KEYS = 1;
export const C_INNER = 0;

const r = (nullable: boolean, heap: number | 'any' | 'func' | 'extern' | 'exn'): ValType => ({ nullable, heap });
const mut = (type: ValType) => ({ mutable: true, type });

export const rtRecType = (): RecType => ({
  explicit: true,
  types: [
    { final: false, supers: [], comp: { kind: 'struct', fields: [mut(r(true, T_FRAME)), mut(r(true, T_THUNK))] } },
    { final: true, supers: [], comp: { kind: 'func', params: [r(false, T_FRAME), r(true, T_STK)], results: [r(true, T_FRAME)] } },
    {
      final: true, supers: [],
      comp: { kind: 'struct', fields: [mut(r(true, T_FRAME)), mut(r(true, T_STK)), mut(r(true, T_HDL))] },
    },
    { final: true, supers: [], comp: { kind: 'struct', fields: [{ mutable: false, type: 'i32' }, { mutable: false, type: r(false, T_KEYS) }] } },
    { final: true, supers: [], comp: { kind: 'struct', fields: [mut(r(true, T_STK))] } },
    { final: true, supers: [], comp: { kind: 'array', field: { mutable: false, type: 'i32' } } },
    { final: false, supers: [T_FRAME], comp: { kind: 'struct', fields: [mut(r(true, T_FRAME)), mut(r(true, T_THUNK))] } },
  ],
});

/** Kinds of values in transfer globals: one global per kind and position. */
export type Kind = 'i32' | 'i64' | 'f32' | 'f64' | 'v128' | 'cont' | 'any' | 'func' | 'extern' | 'exn';
export const KINDS: readonly Kind[] = ['i32', 'i64', 'f32', 'f64', 'v128', 'cont', 'any', 'func', 'extern', 'exn'];

export const KIND_TYPE: Readonly<Record<Kind, ValType>> = {
  i32: 'i32', i64: 'i64', f32: 'f32', f64: 'f64', v128: 'v128', cont: r(true, T_CONT),
  any: r(true, 'any'), func: r(true, 'func'), extern: r(true, 'extern'), exn: r(true, 'exn'),
};

/** The shared state, in import order. */
export const RT_GLOBALS = [
  ['cur', mut(r(true, T_STK))], // the running stack (null: the host's) for calls through wrappers: instrumented code passes it as a parameter
  ['hops', mut('i32')], // code -2: how many stacks further out the handling resume is (drivers count down)
  ['far', mut('i32')], // code -2: the code there
  ['uf', mut(r(true, T_FRAME))], // non-null: a call through a wrapper unwound, the list of frames saved (its caller takes it and clears uf)
  ['ki', mut(r(true, T_STK))], // the stack that suspended, when the unwinding leaves a resume (-2); else null
  ['kc', mut(r(true, T_CONT))], // the continuation for a resume site re-entered with a handler clause
  ['code', mut('i32')], // the handler clause of the stack the driver is at (-1: the unwinding is a switch to (swi, swo); -2: further out)
  ['swi', mut(r(true, T_STK))],
  ['swo', mut(r(true, T_STK))],
  // non-null from a switch until its target's landing: the stack that switched, whose continuation the
  // landing makes (Ctx.loadArrived) as the last value it receives (a young $Cont stored into a
  // global for it took V8's write barrier's slow path on every switch)
  ['sws', mut(r(true, T_STK))],
  ['st', mut('i32')], // the status a re-entered resume site gets
  ['exn', mut(r(true, 'exn'))],
  ['thr', mut('i32')], // 1: the frame the driver re-enters next raises `exn` at once (it clears the flag)
  ['why', mut('i32')], // why the last trap of the runtime happened (TRAP_REASONS)
  ['tagctr', mut('i32')], // the last tag id given out
] as const satisfies readonly (readonly [string, GlobalType])[];
export type RtGlobal = (typeof RT_GLOBALS)[number][0];
/**
 * The state that is set only between two points of one operation (an unwinding through a wrapper
 * or out of a resume, a switch and its target's landing, a throw into a re-entered frame). A trap
 * in between leaves it set (Wasm cannot catch traps), so a call from the host puts it back to its
 * default values (index.ts: an export's guard, an isolated module's reset; the polyfill for the
 * shared runtime).
 */
export const TRANSIENT_GLOBALS: readonly RtGlobal[] = ['uf', 'ki', 'sws', 'thr'];
/** The type of each runtime global, by name. */
export const RT_GLOBAL_TYPES: ReadonlyMap<RtGlobal, GlobalType> = new Map(RT_GLOBALS);

/** Shared even by isolated modules: the trap reason the host reads, the counter of tag ids. */
export const COLD_GLOBALS: ReadonlySet<string> = new Set(['why', 'tagctr']);

/** Messages of the traps the runtime raises, by `why` code (the interpreter's wording). */
export const TRAP_REASONS: readonly string[] = [
  '',
  'null continuation reference',
  'continuation already consumed',
  'null exception reference',
  'unhandled tag',
  'null function reference',
  'unhandled tag (a suspension cannot leave through a host frame)',
];
/** A standalone lowered module exports the reason of its last trap (TRAP_REASONS) under this name. */
export const WHY_EXPORT = 'wasmfx:why';
/** The message of the trap a `why` value names; undefined for 0 (none) or anything else. */
export const trapReason = (why: unknown): string | undefined =>
  typeof why === 'number' && why > 0 && why < TRAP_REASONS.length ? TRAP_REASONS[why] : undefined;
export const WHY_NULL_CONT = 1;
export const WHY_CONSUMED = 2;
export const WHY_NULL_EXN = 3;
export const WHY_UNHANDLED = 4;
export const WHY_NULL_FUNC = 5;
export const WHY_HOST_FRAME = 6;

/** Transfer global name for position `i` of kind `k`. */
export const xferName = (k: Kind, i: number): string => `${k}.${i}`;

/**
 * How many transfer globals of each kind the runtime module offers. A module whose signatures need
 * more gets them from a transfer module (`transferModule`), which the polyfill instantiates when it
 * links the first such module.
 */
export const DEFAULT_CAPACITY = 32;

/**
 * The runtime module: defines and exports the shared globals (RT_GLOBALS and the transfer
 * globals, `capacity` of each kind). Instantiate it once per group of modules that share
 * continuations.
 */
export function runtimeModule(capacity = DEFAULT_CAPACITY): Module {
  const m = emptyModule();
  m.types.push(rtRecType());
  const add = (name: string, type: GlobalType): void => {
    m.exports.push({ name, kind: 'global', index: m.globals.length, at: -1 });
    m.globals.push({ type, init: [defaultConst(type.type), instr('end')], at: -1 });
  };
  for (const [name, type] of RT_GLOBALS) add(name, type);
  for (const k of KINDS) for (let i = 0; i < capacity; i++) add(xferName(k, i), mut(KIND_TYPE[k]));
  return m;
}

/**
 * More transfer globals for the runtime: positions `from` to `to - 1` of each kind, exported
 * under the same names (`xferName`), so that modules needing more than the runtime module's
 * capacity share them too.
 */
export function transferModule(from: number, to: number): Module {
  const m = emptyModule();
  m.types.push(rtRecType()); // (the continuation kind's type: the runtime's $Cont)
  for (const k of KINDS) {
    for (let i = from; i < to; i++) {
      m.exports.push({ name: xferName(k, i), kind: 'global', index: m.globals.length, at: -1 });
      m.globals.push({ type: mut(KIND_TYPE[k]), init: [defaultConst(KIND_TYPE[k]), instr('end')], at: -1 });
    }
  }
  return m;
}

/** The constant instruction giving a default value of a defaultable type. */
export function defaultConst(t: ValType) {
  switch (t) {
    case 'i32': return instr('i32.const', 0);
    case 'i64': return instr('i64.const', 0n);
    case 'f32': return instr('f32.const', 0);
    case 'f64': return instr('f64.const', 0n);
    case 'v128': return instr('v128.const', new Uint8Array(16));
    default: return instr('ref.null', t.heap);
  }
}

/** The nullable version of a type (frame fields and scratch locals hold values of any type). */
export const nullable = (t: ValType): ValType => (typeof t === 'string' ? t : { nullable: true, heap: t.heap });

/** A frame type: $Frame's fields ($next, $thunk), then `extra` (from F_BASE); `nc`: of a function with no handler. */
export const frameSubType = (extra: readonly FieldType[], nc = false): SubType => ({
  final: true, supers: [nc ? T_FRAME_NC : T_FRAME],
  comp: { kind: 'struct', fields: [mut(r(true, T_FRAME)), mut(r(true, T_THUNK)), ...extra] },
});

// WAST scripts: the assertion language of the spec test suite (after the
// reference interpreter's script/script.ml). The text parser produces a
// Script; src/script/runner.ts executes it.

import type { Module } from '../syntax/ast.ts';
import type { HeapType } from '../syntax/types.ts';

/** A module as written in a script. Quoted and binary modules are decoded/parsed by the runner,
 *  because malformedness is what assertions test. */
export type ModuleSource =
  | { readonly kind: 'text'; readonly module: Module }
  | { readonly kind: 'binary'; readonly bytes: Uint8Array }
  | { readonly kind: 'quote'; readonly text: string; /** char offset of the first quoted string */ readonly textAt: number };

/** A constant argument or result, as in `(i32.const 1)` or `(ref.extern 7)`. */
export type Const =
  | { readonly type: 'i32'; readonly value: number }
  | { readonly type: 'i64'; readonly value: bigint }
  | { readonly type: 'f32'; /** bits */ readonly value: number }
  | { readonly type: 'f64'; /** bits */ readonly value: bigint }
  | { readonly type: 'v128'; readonly value: Uint8Array }
  | { readonly type: 'ref.null'; readonly heap: HeapType }
  | { readonly type: 'ref.extern'; readonly value: number }
  | { readonly type: 'ref.host'; readonly value: number };

/** A float lane or value pattern: an exact value or a NaN class. */
export type FloatPattern<T> =
  | { readonly kind: 'value'; readonly bits: T }
  | { readonly kind: 'nan:canonical' }
  | { readonly kind: 'nan:arithmetic' };

/** Abstract reference results: `(ref.func)`, `(ref.extern)`, `(ref.struct)`, `(ref.null)`... */
export type RefPatternKind =
  | 'ref' | 'ref.null' | 'ref.func' | 'ref.extern' | 'ref.any' | 'ref.eq' | 'ref.i31'
  | 'ref.struct' | 'ref.array' | 'ref.exn' | 'ref.cont' | 'ref.host';

export type Expected =
  | { readonly kind: 'const'; readonly value: Const }
  | { readonly kind: 'f32'; readonly pattern: FloatPattern<number> }
  | { readonly kind: 'f64'; readonly pattern: FloatPattern<bigint> }
  /** v128 with float lanes, some of which may be NaN patterns */
  | { readonly kind: 'v128f32'; readonly lanes: readonly FloatPattern<number>[] }
  | { readonly kind: 'v128f64'; readonly lanes: readonly FloatPattern<bigint>[] }
  /** `(ref.null)` without a type matches any null; with one, a null of that type */
  | { readonly kind: 'ref'; readonly ref: RefPatternKind; readonly heap?: HeapType; readonly value?: number }
  | { readonly kind: 'either'; readonly options: readonly Expected[] };

export type Action =
  | { readonly kind: 'invoke'; readonly module?: string; readonly name: string; readonly args: readonly Const[]; readonly at: number }
  | { readonly kind: 'get'; readonly module?: string; readonly name: string; readonly at: number };

export type Command =
  /** `(module $id? ...)`; with `definition`, only defined (not instantiated) */
  | { readonly kind: 'module'; readonly id?: string; readonly definition: boolean; readonly source: ModuleSource; readonly at: number }
  /** `(module instance $inst? $def?)` */
  | { readonly kind: 'instance'; readonly id?: string; readonly module?: string; readonly at: number }
  | { readonly kind: 'register'; readonly name: string; readonly module?: string; readonly at: number }
  | { readonly kind: 'action'; readonly action: Action; readonly at: number }
  | { readonly kind: 'assert_return'; readonly action: Action; readonly expected: readonly Expected[]; readonly at: number }
  | { readonly kind: 'assert_trap'; readonly action: Action; readonly message: string; readonly at: number }
  /** `(assert_trap (module ...) "msg")`: instantiation traps (start function) */
  | { readonly kind: 'assert_uninstantiable'; readonly source: ModuleSource; readonly message: string; readonly at: number }
  | { readonly kind: 'assert_exhaustion'; readonly action: Action; readonly message: string; readonly at: number }
  | { readonly kind: 'assert_exception'; readonly action: Action; readonly at: number }
  | { readonly kind: 'assert_suspension'; readonly action: Action; readonly message: string; readonly at: number }
  | { readonly kind: 'assert_malformed'; readonly source: ModuleSource; readonly message: string; readonly at: number }
  | { readonly kind: 'assert_invalid'; readonly source: ModuleSource; readonly message: string; readonly at: number }
  | { readonly kind: 'assert_unlinkable'; readonly source: ModuleSource; readonly message: string; readonly at: number };

export interface Script {
  readonly file: string;
  readonly text: string;
  readonly commands: readonly Command[];
}

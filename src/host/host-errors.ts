// Errors of a `WebAssembly`-shaped namespace, as the spec's error categories
// and messages (what WAST assertions compare).
//
// V8 words its traps differently from the spec ("divide by zero" for
// "integer divide by zero"), and sometimes one V8 message stands for several
// spec ones (a null or mistyped call_indirect target is "null function or
// function signature mismatch" either way). `specTrapMessages` maps a V8 message
// to the spec messages it may stand for; an assertion passes when one of them
// starts with the expected text. A RuntimeError with a string `detail` property
// (wasmfx's own errors, and the lowering polyfill's) carries the spec's message
// already and is taken as is.

import { WasmError, type ErrorKind } from '../util/errors.ts';
import type { WasmNamespace } from './namespace.ts';

/** V8's trap messages (v8/src/common/message-template.h, kWasmTrap*) and the spec messages they stand for. */
const V8_TRAPS: readonly (readonly [RegExp, readonly string[]])[] = [
  [/^unreachable\b/, ['unreachable executed']],
  [/^memory access out of bounds/, ['out of bounds memory access']],
  [/^operation does not support unaligned accesses/, ['unaligned atomic']],
  [/^divide by zero/, ['integer divide by zero']],
  [/^remainder by zero/, ['integer divide by zero']],
  [/^divide result unrepresentable/, ['integer overflow']],
  // one message for NaN (invalid conversion) and out of range (overflow)
  [/^float unrepresentable in integer range/, ['invalid conversion to integer', 'integer overflow']],
  [/^table index is out of bounds/, ['undefined element', 'out of bounds table access']],
  [/^invalid index into function table/, ['undefined element']],
  [/^null function or function signature mismatch/, ['uninitialized element', 'indirect call type mismatch', 'null function reference']],
  [/^function signature mismatch/, ['indirect call type mismatch', 'uninitialized element']], // V8 checks a null entry's signature first
  // a null entry of a table of typed function references (call_indirect); V8 14.6
  [/^null function$/, ['uninitialized element', 'null function reference']],
  // memory.init and active segments; array.new_data and array.init_data
  [/^data segment (\d+ )?(is )?out of bounds/, ['out of bounds memory access', 'out of bounds array access']],
  // table.init and active segments; array.new_elem and array.init_elem
  [/^element segment (\d+ )?(is )?out of bounds|^table access out of bounds/, ['out of bounds table access', 'out of bounds array access']],
  [/^table (copy|init|fill|grow|get|set).*out of bounds/, ['out of bounds table access']],
  [/^dereferencing a null pointer/, [
    'null reference', 'null function reference', 'null structure reference', 'null array reference', 'null i31 reference',
    'null exception reference', 'null continuation reference',
  ]],
  [/^illegal cast/, ['cast failure']],
  [/^array element access out of bounds/, ['out of bounds array access']],
  [/^requested new array is too large/, ['out of bounds array access', 'out of memory']],
  [/^rethrowing null value/, ['null exception reference']],
  // V8's stack switching (--experimental-wasm-wasmfx)
  [/^resuming an invalid continuation/, ['continuation already consumed']],
];

/** The spec messages a host's trap message may stand for (itself included). */
export function specTrapMessages(message: string): string[] {
  message = message.replace(/^WebAssembly\.[\w.]+\(\): /, ''); // V8's API prefix (traps while instantiating)
  const out: string[] = [];
  for (const [re, spec] of V8_TRAPS) if (re.test(message)) out.push(...spec);
  out.push(message);
  return out;
}

/** A host error, classified. */
export interface HostFailure {
  readonly kind: ErrorKind;
  /** the spec messages it may stand for, the best first */
  readonly messages: readonly string[];
  /** the host's own words, for reports */
  readonly text: string;
  /**
   * The messages were mapped from the host's wording, which lacks details the spec adds
   * (V8 says which element is uninitialized nowhere): see `messageMatches`.
   */
  readonly mapped?: boolean;
}

/**
 * Does a failure match an expected message prefix? Mapped messages also match an expected
 * message that only adds details after them ("uninitialized element 2" for "uninitialized element").
 */
export function messageMatches(f: HostFailure, expected: string): boolean {
  return f.messages.some((m) => m.startsWith(expected) || (f.mapped === true && expected.startsWith(`${m} `)));
}

type Ctor = abstract new (...args: never[]) => unknown;

/** `e instanceof ns[name]`, or of the host's own class of that name. */
function isA(e: unknown, ns: WasmNamespace | undefined, name: 'CompileError' | 'LinkError' | 'RuntimeError' | 'Exception'): boolean {
  const host = (globalThis as unknown as { WebAssembly?: Record<string, unknown> }).WebAssembly;
  for (const space of [ns as unknown as Record<string, unknown> | undefined, host]) {
    const c = space?.[name];
    if (typeof c === 'function' && e instanceof (c as Ctor)) return true;
  }
  return false;
}

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));
const detailOf = (e: unknown): string | undefined => {
  const d = (e as { detail?: unknown } | null)?.detail;
  return typeof d === 'string' ? d : undefined;
};

/** Is this the host's stack overflow? (V8: `RangeError: Maximum call stack size exceeded`) */
const isStackOverflow = (e: unknown): boolean =>
  e instanceof RangeError && /maximum call stack size exceeded|call stack exhausted/i.test(e.message);

/**
 * The category and spec messages of an error thrown by a namespace's Module, Instance or an
 * exported function; undefined for errors that are none of the namespace's (bugs, TypeErrors).
 */
export function classifyHostError(e: unknown, ns?: WasmNamespace): HostFailure | undefined {
  // wasmfx's own errors (its interpreter namespace, the host engine's link errors) say it all
  if (e instanceof WasmError) return { kind: e.kind, messages: [e.detail], text: e.detail };
  if (isA(e, ns, 'RuntimeError')) {
    const detail = detailOf(e);
    const text = messageOf(e);
    if (detail !== undefined) {
      // (the polyfill's stack overflow is a RuntimeError "call stack exhausted")
      const kind = /^unhandled tag/.test(detail) ? 'suspension' : /^call stack exhausted/.test(detail) ? 'exhaustion' : 'trap';
      return { kind, messages: [detail], text: detail };
    }
    return { kind: 'trap', messages: specTrapMessages(text), text, mapped: true };
  }
  if (isA(e, ns, 'LinkError')) {
    const text = messageOf(e);
    return { kind: 'unlinkable', messages: [detailOf(e) ?? 'incompatible import type', text], text };
  }
  if (isA(e, ns, 'CompileError')) {
    const text = messageOf(e);
    return { kind: 'invalid', messages: [detailOf(e) ?? text], text };
  }
  // V8's stack switching: a suspension no handler takes (`SuspendError: WasmFX: unhandled suspend`)
  if (e instanceof Error && (e.name === 'SuspendError' || /unhandled suspend/.test(e.message))) {
    return { kind: 'suspension', messages: ['unhandled tag'], text: `${e.name}: ${e.message}` };
  }
  if (isStackOverflow(e)) return { kind: 'exhaustion', messages: ['call stack exhausted'], text: messageOf(e) };
  if (isA(e, ns, 'Exception')) return { kind: 'exception', messages: ['unhandled exception'], text: 'a WebAssembly.Exception' };
  // A JS value thrown through Wasm (not an Error of the engine or of ours).
  if (!(e instanceof Error)) return { kind: 'exception', messages: ['unhandled exception'], text: `thrown ${String(e)}` };
  return undefined;
}

// One error class per spec assertion category (after the reference
// interpreter's util/error.ml). Each carries where it happened: `offset`
// is a character offset in text or a byte offset in a binary, and `file`
// names the source when known. `format()` renders the location the way
// the CLI prints it:
//   text:    file:line:col: message
//   binary:  file: offset 0x1f: message
// Messages reuse the reference interpreter's wording, so that the WAST
// runner can compare them with `assert_*` expectations.

import { type LineCol, lineCol, lineIndex, type SourceFile } from './source.ts';

export type ErrorKind =
  | 'syntax' // malformed text
  | 'malformed' // malformed binary
  | 'invalid'
  | 'unlinkable'
  | 'uninstantiable'
  | 'trap'
  | 'exhaustion'
  | 'exception'
  | 'suspension';

/** Where `offset` of `source` is, as errors print it: `file:line:col` in text, `file: offset 0x..` in a binary. */
export function locationOf(source: SourceFile | undefined, offset: number | undefined): string {
  const file = source?.name ?? '<input>';
  if (offset === undefined || offset < 0) return file;
  if (source?.text !== undefined) {
    const { line, col } = lineCol(source.text, offset);
    return `${file}:${line}:${col}`;
  }
  return `${file}: offset 0x${offset.toString(16)}`;
}

export class WasmError extends Error {
  readonly kind: ErrorKind;
  /** the message without location, as the spec tests expect it */
  readonly detail: string;
  offset: number | undefined;
  source: SourceFile | undefined;

  constructor(kind: ErrorKind, detail: string, offset?: number, source?: SourceFile) {
    super(detail);
    this.kind = kind;
    this.detail = detail;
    this.offset = offset;
    this.source = source;
    this.name = new.target.name;
  }

  /** Attaches the source (when a lower layer did not know it). Returns this. */
  in(source: SourceFile): this {
    this.source ??= source;
    return this;
  }

  /** The location prefix: `file:line:col` for text, `file: offset 0x..` for binaries. */
  location(): string {
    return locationOf(this.source, this.offset);
  }

  format(): string {
    return `${this.location()}: ${this.detail}`;
  }

  override get message(): string {
    return this.source || this.offset !== undefined ? this.format() : this.detail;
  }
  override set message(_: string) {
    // Error's constructor assigns message; the getter derives it.
  }
}

/** Malformed text (lexing, parsing, name resolution). */
export class WasmSyntaxError extends WasmError {
  constructor(detail: string, offset?: number, source?: SourceFile) {
    super('syntax', detail, offset, source);
  }
}

/** Malformed binary. */
export class MalformedError extends WasmError {
  constructor(detail: string, offset?: number, source?: SourceFile) {
    super('malformed', detail, offset, source);
  }
}

/** A module that decodes/parses but does not validate. */
export class ValidationError extends WasmError {
  /** function index, when the error is inside a function body */
  readonly func: number | undefined;
  /** the function's name, when known */
  readonly funcName: string | undefined;
  constructor(detail: string, offset?: number, func?: number, funcName?: string, source?: SourceFile) {
    super('invalid', detail, offset, source);
    this.func = func;
    this.funcName = funcName;
  }
  override format(): string {
    const where = this.func === undefined ? '' : ` (in func ${this.funcName === undefined ? this.func : '$' + this.funcName})`;
    return `${this.location()}: ${this.detail}${where}`;
  }
}

export class LinkError extends WasmError {
  constructor(detail: string, offset?: number, source?: SourceFile) {
    super('unlinkable', detail, offset, source);
  }
}

export const isWasmError = (e: unknown): e is WasmError => e instanceof WasmError;

/** One frame of a Wasm backtrace. */
export interface BacktraceFrame {
  /** function index in its module, and its name when known */
  readonly func: number;
  readonly name?: string;
  /** module name (from the name section or the text `$id`), when known */
  readonly module?: string;
  /** offset of the instruction in the source (binary byte offset, or text char offset) */
  readonly offset: number;
  /** the module's source, when known: a text one gives the frame a line and column */
  readonly source?: SourceFile;
  /** true on the first frame of a continuation: the frames after it belong to the continuation's parent (its resumer) */
  readonly continuationBoundary?: boolean;
}

const LINES = new WeakMap<SourceFile, (offset: number) => LineCol>();

/** Where a frame is: `file:line:col` in a text module, else the byte offset (and the file). */
function frameWhere(f: BacktraceFrame): string {
  if (f.offset < 0) return '';
  const src = f.source;
  if (src?.text !== undefined) {
    let at = LINES.get(src);
    if (at === undefined) LINES.set(src, (at = lineIndex(src.text)));
    const { line, col } = at(f.offset);
    return ` @ ${src.name}:${line}:${col}`;
  }
  return ` @ ${src === undefined ? '' : `${src.name}:`}0x${f.offset.toString(16)}`;
}

/**
 * Renders a backtrace, innermost frame first, one line per frame, marking where each
 * continuation was resumed. Runs of identical frames (deep recursion) are collapsed, and a
 * trace of more than `maxLines` lines keeps its two ends.
 */
export function formatBacktrace(frames: readonly BacktraceFrame[], maxLines = 40): string {
  const describe = (f: BacktraceFrame): string => {
    const fn = f.name === undefined ? `func ${f.func}` : `$${f.name}`;
    return `${f.module === undefined ? '' : `${f.module}!`}${fn}${frameWhere(f)}`;
  };
  const lines: string[] = [];
  for (let i = 0; i < frames.length; ) {
    const text = describe(frames[i]!);
    // a run of identical frames (none of them a continuation boundary but maybe the last)
    let j = i + 1;
    while (j < frames.length && !frames[j - 1]!.continuationBoundary && describe(frames[j]!) === text) j++;
    const run = j - i;
    if (run > 3) {
      lines.push(`  ${i}: ${text}`, `  ... ${run - 2} more frames of ${text.split(' @ ')[0]} ...`, `  ${j - 1}: ${text}`);
    } else for (let k = i; k < j; k++) lines.push(`  ${k}: ${text}`);
    if (frames[j - 1]!.continuationBoundary && j < frames.length) lines.push('  -- resumed from --');
    i = j;
  }
  if (lines.length > maxLines) {
    const head = lines.slice(0, maxLines - 10);
    const tail = lines.slice(-9);
    lines.splice(0, lines.length, ...head, `  ... (${lines.length - head.length - tail.length} lines left out) ...`, ...tail);
  }
  return lines.join('\n');
}

/** Errors raised while running code carry the Wasm backtrace at the point of failure. */
export class RuntimeError extends WasmError {
  backtrace: readonly BacktraceFrame[] = [];
  override format(): string {
    const bt = this.backtrace.length > 0 ? `\nwasm backtrace:\n${formatBacktrace(this.backtrace)}` : '';
    return `${super.format()}${bt}`;
  }
}

/** A trap: "unreachable executed", "integer divide by zero", "out of bounds memory access", ... */
export class Trap extends RuntimeError {
  constructor(detail: string) {
    super('trap', detail);
  }
}

/** Resource exhaustion: "call stack exhausted", out of fuel, interrupted. */
export class Exhaustion extends RuntimeError {
  constructor(detail: string) {
    super('exhaustion', detail);
  }
}

/** A suspension that no handler caught: "unhandled tag". */
export class UnhandledSuspension extends RuntimeError {
  constructor(detail: string) {
    super('suspension', detail);
  }
}

/** A Wasm exception that escaped to the host. `exn` is the exception reference (tag + payload). */
export class UncaughtException extends RuntimeError {
  readonly exn: unknown;
  constructor(exn: unknown, detail = 'unhandled exception') {
    super('exception', detail);
    this.exn = exn;
  }
}


// The WAST runner. One command handler per command kind (an exhaustive
// Record, so a new kind of command cannot be forgotten). Today it runs the
// commands that need no execution ("validate-only"): every module is
// parsed/decoded, validated, encoded, decoded and re-encoded, and the
// bytes must be identical; every assert_malformed / assert_invalid must
// fail in the right phase with the expected message prefix. Commands that
// need an engine go through `RunOptions.engine`; without one they are
// counted as skipped. An engine skips a command it cannot run on its host
// (a feature the host lacks) by throwing `Unsupported` with the reason.

import type { Module } from '../syntax/ast.ts';
import { decodeModule } from '../binary/decoder.ts';
import { encodeModule } from '../binary/encoder.ts';
import { parseModule } from '../text/parser.ts';
import { validateModule, type ValidModule } from '../valid/validator.ts';
import { RuntimeError, WasmError, isWasmError, type ErrorKind } from '../util/errors.ts';
import { lineIndex, type SourceFile } from '../util/source.ts';
import type { Command, ModuleSource, Script } from './ast.ts';

/** A script module, loaded and validated (the runner does it once per module). */
export interface LoadedModule {
  readonly module: Module;
  readonly valid: ValidModule;
  /** where its offsets point (for error locations) */
  readonly source: SourceFile;
}

/** What the runner gives an engine: its modules, parsed/decoded and validated once. */
export interface ModuleLoader {
  /** Parses or decodes the module (errors keep their category: syntax/malformed). */
  load(src: ModuleSource): Module;
  /** Loads and validates it (throws ValidationError). Cached per source. */
  validate(src: ModuleSource): LoadedModule;
}

/** What an execution engine must offer the runner (the interpreter and lowered engines plug in here). */
export interface ScriptEngine {
  readonly name: string;
  /** Runs one execution command; throws a WasmError (trap, link error...) or an AssertionFailure. */
  run(cmd: Command, modules: ModuleLoader): void;
}

export interface RunOptions {
  /** null/undefined: validate-only */
  readonly engine?: ScriptEngine | null;
  /** called for every command, for `--verbose` */
  readonly onCommand?: (c: CommandResult) => void;
}

export type Outcome = 'passed' | 'failed' | 'skipped';

export interface CommandResult {
  readonly file: string;
  readonly line: number;
  readonly kind: Command['kind'];
  readonly outcome: Outcome;
  /** why it failed or was skipped */
  readonly message?: string;
}

export interface RunSummary {
  passed: number;
  failed: number;
  skipped: number;
  results: CommandResult[];
}

/** A failed expectation (not an error of the module under test). */
export class AssertionFailure extends Error {}

/**
 * Thrown by an engine for a command it cannot run because the host lacks a feature (e.g. a
 * module using stack switching on an engine without it): the command counts as skipped,
 * with the message as the reason.
 */
export class Unsupported extends Error {}

const fail = (msg: string): never => {
  throw new AssertionFailure(msg);
};

/** Where a script module's offsets point: the script text, the quoted text, or the bytes. */
export function moduleSource(src: ModuleSource, file: string, scriptText: string): SourceFile {
  switch (src.kind) {
    case 'text':
      return { name: file, text: scriptText };
    case 'binary':
      return { name: `${file} (binary module)` };
    case 'quote':
      return { name: `${file} (quoted module)`, text: src.text };
  }
}

/** Parses/decodes a script module. Errors keep their category (syntax/malformed). */
function loadModule(src: ModuleSource, file: string): Module {
  switch (src.kind) {
    case 'text':
      return src.module;
    case 'binary':
      return decodeModule(src.bytes, { name: `${file} (binary module)` });
    case 'quote':
      return parseModule(src.text, `${file} (quoted module)`);
  }
}

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean =>
  a.length === b.length && a.every((x, i) => x === b[i]);

/** The full static pipeline on one module: validate, then encode -> decode -> encode must be stable. */
export function checkModule(m: Module, source: SourceFile): ValidModule {
  const file = source.name;
  const valid = validateModule(m, source);
  const b1 = encodeModule(m);
  let m2: Module;
  try {
    m2 = decodeModule(b1, { name: `${file} (re-encoded)` });
  } catch (e) {
    if (isWasmError(e)) fail(`re-encoded module does not decode: ${e.format()}`);
    throw e;
  }
  const b2 = encodeModule(m2);
  if (!sameBytes(b1, b2)) {
    const i = b1.findIndex((x, k) => x !== b2[k]);
    fail(`encode/decode round trip differs at byte 0x${(i < 0 ? Math.min(b1.length, b2.length) : i).toString(16)}`);
  }
  return valid;
}

/** Expects `f` to throw a WasmError of one of `kinds` whose message starts with `expected`. */
function expectError(kinds: readonly ErrorKind[], expected: string, what: string, f: () => void): void {
  try {
    f();
  } catch (e) {
    if (!(e instanceof WasmError)) throw e;
    if (!kinds.includes(e.kind)) fail(`expected ${what} error "${expected}", got ${e.kind} error: ${e.format()}`);
    if (!e.detail.startsWith(expected)) fail(`wrong ${what} error: expected "${expected}", got "${e.detail}"`);
    return;
  }
  fail(`expected ${what} error "${expected}", but the module was accepted`);
}

type CommandRule<K extends Command['kind']> = (cmd: Extract<Command, { kind: K }>, ctx: Context) => Outcome;

interface Context {
  readonly file: string;
  readonly source: (src: ModuleSource) => SourceFile;
  readonly engine: ScriptEngine | null;
  readonly load: (src: ModuleSource) => Module;
  readonly modules: ModuleLoader;
}

/** Execution commands: run by the engine, skipped without one. */
const execute = (cmd: Command, ctx: Context): Outcome => {
  if (!ctx.engine) return 'skipped';
  ctx.engine.run(cmd, ctx.modules);
  return 'passed';
};

const HANDLERS: { readonly [K in Command['kind']]: CommandRule<K> } = {
  module: (cmd, ctx) => {
    // The full static pipeline (with the binary round trip) first; the engine reuses its result.
    ctx.modules.validate(cmd.source);
    if (ctx.engine) ctx.engine.run(cmd, ctx.modules);
    return 'passed';
  },
  assert_malformed: (cmd, ctx) => {
    expectError(['syntax', 'malformed'], cmd.message, 'decoding/parsing', () => void ctx.load(cmd.source));
    return 'passed';
  },
  assert_invalid: (cmd, ctx) => {
    const m = ctx.load(cmd.source);
    expectError(['invalid'], cmd.message, 'validation', () => void validateModule(m, ctx.source(cmd.source)));
    return 'passed';
  },
  // These need a module that is valid; without an engine we check that much and skip the rest.
  assert_unlinkable: (cmd, ctx) => {
    ctx.modules.validate(cmd.source);
    return execute(cmd, ctx);
  },
  assert_uninstantiable: (cmd, ctx) => {
    ctx.modules.validate(cmd.source);
    return execute(cmd, ctx);
  },
  instance: execute,
  register: execute,
  action: execute,
  assert_return: execute,
  assert_trap: execute,
  assert_exhaustion: execute,
  assert_exception: execute,
  assert_suspension: execute,
};

/** Runs every command of a script; never throws for errors of the script's modules. */
export function runScript(script: Script, opts: RunOptions = {}): RunSummary {
  const summary: RunSummary = { passed: 0, failed: 0, skipped: 0, results: [] };
  const source = (src: ModuleSource): SourceFile => moduleSource(src, script.file, script.text);
  const load = (src: ModuleSource): Module => loadModule(src, script.file);
  const validated = new WeakMap<ModuleSource, LoadedModule>();
  const modules: ModuleLoader = {
    load,
    validate: (src) => {
      let m = validated.get(src);
      if (m === undefined) {
        const module = load(src);
        const s = source(src);
        m = { module, valid: checkModule(module, s), source: s };
        validated.set(src, m);
      }
      return m;
    },
  };
  const ctx: Context = { file: script.file, source, engine: opts.engine ?? null, load, modules };
  const lineOf = lineIndex(script.text);
  for (const cmd of script.commands) {
    const line = lineOf(cmd.at).line;
    let outcome: Outcome;
    let message: string | undefined;
    try {
      outcome = (HANDLERS[cmd.kind] as CommandRule<typeof cmd.kind>)(cmd as never, ctx);
    } catch (e) {
      outcome = e instanceof Unsupported ? 'skipped' : 'failed';
      message = e instanceof Unsupported ? e.message : describe(e);
    }
    summary[outcome]++;
    const r: CommandResult = message === undefined
      ? { file: script.file, line, kind: cmd.kind, outcome }
      : { file: script.file, line, kind: cmd.kind, outcome, message };
    summary.results.push(r);
    opts.onCommand?.(r);
  }
  return summary;
}

/** A one-line description of why a command failed. Internal errors keep their first stack frame. */
export function describe(e: unknown): string {
  if (e instanceof AssertionFailure) return e.message;
  // Runtime errors on one line: the message and the innermost frame, not the whole backtrace.
  if (e instanceof RuntimeError) {
    const f = e.backtrace[0];
    const where = f === undefined ? '' : ` (in ${f.module === undefined ? '' : `${f.module}!`}${f.name === undefined ? `func ${f.func}` : `$${f.name}`})`;
    return `unexpected ${e.kind}: ${e.detail}${where}`;
  }
  if (isWasmError(e)) return `unexpected ${e.kind} error: ${e.format()}`;
  if (e instanceof Error) {
    const frame = e.stack?.split('\n').find((l) => l.trim().startsWith('at '))?.trim();
    return `internal error: ${e.name}: ${e.message}${frame ? ` (${frame})` : ''}`;
  }
  return `internal error: ${String(e)}`;
}

export type { SourceFile };

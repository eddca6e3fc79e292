// The WAST script parser (after the reference interpreter's parser.mly,
// script part, and script/script.ml).
//
// Text modules are parsed eagerly; `(module binary ...)` and
// `(module quote ...)` are kept as bytes/text for the runner, because their
// malformedness is what assertions test. A file that is only module fields
// (no `(module` wrapper) is one implicit module.
//
// Script identifiers (`$m` of modules, instances, register, invoke) are kept
// without the `$`.
//
// Results map to `Expected` as follows: i32/i64 constants are `const`; f32/f64
// constants (values or nan:canonical / nan:arithmetic) are `f32`/`f64` patterns;
// v128 with a float shape is `v128f32`/`v128f64` (lane patterns), with an integer
// shape a `const`; every reference result is a `ref` pattern: `(ref.null)`
// (any null), `(ref.null ht)`, `(ref.extern n)` / `(ref.host n)` (with `value`),
// `(ref.extern)`, `(ref.func)`, `(ref.struct)`, `(ref)`...

import type {
  Action, Command, Const, Expected, FloatPattern, ModuleSource, RefPatternKind, Script,
} from './ast.ts';
import { WasmError, WasmSyntaxError } from '../util/errors.ts';
import { parseF32, parseF64, parseI32, parseI64, parseU32 } from '../text/numbers.ts';
import {
  decodeUtf8Lossless, EOF, FLOAT, ID, INT, KEYWORD, LPAR, NAT, RPAR, STRING, TokenStream,
} from '../text/lexer.ts';
import { isModuleField, Parser, parseModuleFields, SHAPES } from '../text/parser.ts';

const REF_PATTERNS: ReadonlyMap<string, RefPatternKind> = new Map<string, RefPatternKind>([
  ['ref', 'ref'], ['ref.func', 'ref.func'], ['ref.extern', 'ref.extern'], ['ref.any', 'ref.any'],
  ['ref.eq', 'ref.eq'], ['ref.i31', 'ref.i31'], ['ref.struct', 'ref.struct'], ['ref.array', 'ref.array'],
  ['ref.exn', 'ref.exn'], ['ref.cont', 'ref.cont'],
]);

class ScriptParser {
  readonly ts: TokenStream;
  /** parses constants (heap types by index only: a script has no type names) */
  readonly p: Parser;

  constructor(ts: TokenStream) {
    this.ts = ts;
    this.p = new Parser(ts);
  }

  fail(msg: string, at = this.ts.start()): never {
    throw new WasmSyntaxError(msg, at);
  }
  unexpected(): never {
    return this.fail('unexpected token');
  }
  close(): void {
    if (this.ts.kind() !== RPAR) this.unexpected();
    this.ts.pos++;
  }
  optId(): string | undefined {
    if (this.ts.kind() !== ID) return undefined;
    const s = this.ts.idName();
    this.ts.pos++;
    return s;
  }
  /** A string as a UTF-8 name. */
  name(): string {
    if (this.ts.kind() !== STRING) this.unexpected();
    const s = this.ts.stringName();
    this.ts.pos++;
    return s;
  }
  /** A string as a message (kept even if it is not valid UTF-8). */
  message(): string {
    if (this.ts.kind() !== STRING) this.unexpected();
    const s = decodeUtf8Lossless(this.ts.stringBytes());
    this.ts.pos++;
    return s;
  }

  script(): Command[] {
    const ts = this.ts;
    const commands: Command[] = [];
    if (ts.kind() === LPAR && ts.kind(1) === KEYWORD && isModuleField(ts.tokenText(1))) {
      const at = ts.start();
      const module = parseModuleFields(ts, null, 0);
      if (ts.kind() !== EOF) this.unexpected();
      commands.push({ kind: 'module', definition: false, source: { kind: 'text', module }, at });
      return commands;
    }
    while (ts.kind() !== EOF) commands.push(this.command());
    return commands;
  }

  command(): Command {
    const ts = this.ts;
    if (ts.kind() !== LPAR || ts.kind(1) !== KEYWORD) this.unexpected();
    const at = ts.start();
    const kw = ts.tokenText(1);
    switch (kw) {
      case 'module':
        return this.moduleCommand();
      case 'register': {
        ts.pos += 2;
        const name = this.name();
        const module = this.optId();
        this.close();
        return module === undefined ? { kind: 'register', name, at } : { kind: 'register', name, module, at };
      }
      case 'invoke': case 'get':
        return { kind: 'action', action: this.action(), at };
      case 'assert_return': {
        ts.pos += 2;
        const action = this.action();
        const expected: Expected[] = [];
        while (ts.kind() === LPAR) expected.push(this.result());
        this.close();
        return { kind: 'assert_return', action, expected, at };
      }
      case 'assert_trap': {
        ts.pos += 2;
        if (ts.isOpen('module')) {
          const source = this.assertedModule(true);
          const message = this.message();
          this.close();
          return { kind: 'assert_uninstantiable', source, message, at };
        }
        const action = this.action();
        const message = this.message();
        this.close();
        return { kind: 'assert_trap', action, message, at };
      }
      case 'assert_exhaustion': case 'assert_suspension': {
        ts.pos += 2;
        const action = this.action();
        const message = this.message();
        this.close();
        return { kind: kw, action, message, at };
      }
      case 'assert_exception': {
        ts.pos += 2;
        const action = this.action();
        this.close();
        return { kind: 'assert_exception', action, at };
      }
      case 'assert_malformed': case 'assert_invalid': case 'assert_unlinkable': {
        ts.pos += 2;
        const source = this.assertedModule(kw === 'assert_unlinkable');
        const message = this.message();
        this.close();
        return { kind: kw, source, message, at };
      }
      default:
        ts.pos++;
        return this.unexpected();
    }
  }

  /** `(module ...)` as a command: a definition, an instance, or both (the common case). */
  moduleCommand(): Command {
    const ts = this.ts;
    const at = ts.start();
    ts.pos += 2;
    if (ts.isKw('instance')) {
      ts.pos++;
      const a = this.optId();
      const b = this.optId();
      this.close();
      const [id, module] = b === undefined ? [undefined, a] : [a, b];
      const cmd: { kind: 'instance'; id?: string; module?: string; at: number } = { kind: 'instance', at };
      if (id !== undefined) cmd.id = id;
      if (module !== undefined) cmd.module = module;
      return cmd;
    }
    let definition = false;
    if (ts.isKw('definition')) {
      definition = true;
      ts.pos++;
    }
    const id = this.optId();
    const source = this.moduleSource(id, at);
    return id === undefined
      ? { kind: 'module', definition, source, at }
      : { kind: 'module', id, definition, source, at };
  }

  /** The module of an assertion: `(module $id? ...)` (instances only where the reference allows). */
  assertedModule(instance: boolean): ModuleSource {
    const ts = this.ts;
    if (!ts.isOpen('module')) this.unexpected();
    const at = ts.start();
    ts.pos += 2;
    if (ts.isKw('definition')) {
      if (instance) this.fail('misplaced module definition', at);
      ts.pos++;
    }
    if (ts.isKw('instance')) this.fail('module instances are not supported in assertions');
    const id = this.optId();
    return this.moduleSource(id, at);
  }

  /** After `(module definition? $id?`: binary, quote or fields, and the closing `)`. */
  moduleSource(id: string | undefined, at: number): ModuleSource {
    const ts = this.ts;
    if (ts.isKw('binary') || ts.isKw('quote')) {
      const quote = ts.isKw('quote');
      ts.pos++;
      const textAt = ts.start();
      const parts: Uint8Array[] = [];
      let n = 0;
      while (ts.kind() === STRING) {
        const b = ts.stringBytes();
        parts.push(b);
        n += b.length;
        ts.pos++;
      }
      this.close();
      const bytes = new Uint8Array(n);
      let o = 0;
      for (const b of parts) {
        bytes.set(b, o);
        o += b.length;
      }
      return quote ? { kind: 'quote', text: decodeUtf8Lossless(bytes), textAt } : { kind: 'binary', bytes };
    }
    const module = parseModuleFields(ts, id ?? null, at);
    this.close();
    return { kind: 'text', module };
  }

  action(): Action {
    const ts = this.ts;
    if (ts.kind() !== LPAR || ts.kind(1) !== KEYWORD) this.unexpected();
    const at = ts.start();
    const kw = ts.tokenText(1);
    if (kw !== 'invoke' && kw !== 'get') {
      ts.pos++;
      this.unexpected();
    }
    ts.pos += 2;
    const module = this.optId();
    const name = this.name();
    if (kw === 'get') {
      this.close();
      return module === undefined ? { kind: 'get', name, at } : { kind: 'get', module, name, at };
    }
    const args: Const[] = [];
    while (ts.kind() === LPAR) args.push(this.literal());
    this.close();
    return module === undefined ? { kind: 'invoke', name, args, at } : { kind: 'invoke', module, name, args, at };
  }

  /** A constant argument. */
  literal(): Const {
    const ts = this.ts;
    if (ts.kind() !== LPAR || ts.kind(1) !== KEYWORD) this.unexpected();
    const kw = ts.tokenText(1);
    ts.pos += 2;
    let c: Const;
    switch (kw) {
      case 'i32.const': c = { type: 'i32', value: this.p.num(parseI32) }; break;
      case 'i64.const': c = { type: 'i64', value: this.p.num(parseI64) }; break;
      case 'f32.const': c = { type: 'f32', value: this.p.num(parseF32) }; break;
      case 'f64.const': c = { type: 'f64', value: this.p.num(parseF64) }; break;
      case 'v128.const': c = { type: 'v128', value: this.p.v128() }; break;
      case 'ref.null': c = { type: 'ref.null', heap: this.p.heapType() }; break;
      case 'ref.extern': c = { type: 'ref.extern', value: this.nat32() }; break;
      case 'ref.host': c = { type: 'ref.host', value: this.nat32() }; break;
      default:
        ts.pos--;
        return this.unexpected();
    }
    this.close();
    return c;
  }

  nat32(): number {
    const ts = this.ts;
    if (ts.kind() !== NAT) this.unexpected();
    const v = parseU32(ts.tokenText());
    if (v === null) this.fail('i32 constant out of range');
    ts.pos++;
    return v!;
  }

  /** A float value or NaN pattern. */
  floatPattern<T>(parse: (s: string) => T | null): FloatPattern<T> {
    const ts = this.ts;
    if (ts.isKw('nan:canonical') || ts.isKw('nan:arithmetic')) {
      const kind = ts.tokenText() as 'nan:canonical' | 'nan:arithmetic';
      ts.pos++;
      return { kind };
    }
    return { kind: 'value', bits: this.p.num(parse) };
  }

  result(): Expected {
    const ts = this.ts;
    if (ts.kind() !== LPAR || ts.kind(1) !== KEYWORD) this.unexpected();
    const at = ts.start();
    const kw = ts.tokenText(1);
    ts.pos += 2;
    let r: Expected;
    switch (kw) {
      case 'i32.const': case 'i64.const': {
        if (ts.isKw('nan:canonical') || ts.isKw('nan:arithmetic')) this.fail('NaN pattern with non-float type');
        r = { kind: 'const', value: kw === 'i32.const' ? { type: 'i32', value: this.p.num(parseI32) } : { type: 'i64', value: this.p.num(parseI64) } };
        break;
      }
      case 'f32.const': r = { kind: 'f32', pattern: this.floatPattern(parseF32) }; break;
      case 'f64.const': r = { kind: 'f64', pattern: this.floatPattern(parseF64) }; break;
      case 'v128.const': {
        const shape = ts.isKw('f32x4') ? 'f32x4' : ts.isKw('f64x2') ? 'f64x2' : null;
        if (shape === null) {
          for (let o = 1; ts.kind(o) !== RPAR && ts.kind(o) !== EOF; o++) {
            if (ts.isKw('nan:canonical', o) || ts.isKw('nan:arithmetic', o)) this.fail('invalid vector constant', ts.start(o));
          }
          r = { kind: 'const', value: { type: 'v128', value: this.p.v128() } };
          break;
        }
        ts.pos++;
        const n = SHAPES.get(shape)!;
        if (shape === 'f32x4') {
          const lanes: FloatPattern<number>[] = [];
          while (this.isLane()) lanes.push(this.floatPattern(parseF32));
          if (lanes.length !== n) this.fail('wrong number of lane literals', at);
          r = { kind: 'v128f32', lanes };
        } else {
          const lanes: FloatPattern<bigint>[] = [];
          while (this.isLane()) lanes.push(this.floatPattern(parseF64));
          if (lanes.length !== n) this.fail('wrong number of lane literals', at);
          r = { kind: 'v128f64', lanes };
        }
        break;
      }
      case 'ref.null':
        r = ts.kind() === RPAR ? { kind: 'ref', ref: 'ref.null' } : { kind: 'ref', ref: 'ref.null', heap: this.p.heapType() };
        break;
      case 'ref.host':
        r = { kind: 'ref', ref: 'ref.host', value: this.nat32() };
        break;
      case 'ref.extern':
        r = ts.kind() === RPAR ? { kind: 'ref', ref: 'ref.extern' } : { kind: 'ref', ref: 'ref.extern', value: this.nat32() };
        break;
      case 'either': {
        const options: Expected[] = [this.result()];
        while (ts.kind() === LPAR) options.push(this.result());
        r = { kind: 'either', options };
        break;
      }
      default: {
        const k = REF_PATTERNS.get(kw);
        if (k === undefined) {
          ts.pos--;
          return this.unexpected();
        }
        r = { kind: 'ref', ref: k };
      }
    }
    this.close();
    return r;
  }

  isLane(): boolean {
    const k = this.ts.kind();
    return k === NAT || k === INT || k === FLOAT || this.ts.isKw('nan:canonical') || this.ts.isKw('nan:arithmetic');
  }
}

/** Parses a WAST script. Errors are WasmSyntaxErrors located in `file`. */
export function parseScript(text: string, file: string): Script {
  const ts = new TokenStream(text);
  try {
    const commands = new ScriptParser(ts).script();
    return { file, text, commands };
  } catch (e) {
    if (e instanceof WasmError) e.in({ name: file, text });
    throw e;
  }
}


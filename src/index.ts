// The wasmfx JS API. Everything a program needs to read, check and write
// WebAssembly 3.0 + stack-switching modules:
//
//   parseModule(text, file?)        WAT text        -> Module   (throws WasmSyntaxError)
//   decodeModule(bytes, source?)    binary          -> Module   (throws MalformedError)
//   validateModule(module, source?) Module          -> ValidModule (throws ValidationError)
//   encodeModule(module)            Module          -> Uint8Array
//   printModule(module)             Module          -> WAT text
//   parseScript(text, file)         WAST text       -> Script
//   runScript(script, options)      Script          -> counts of passed/failed/skipped commands
//
// and runs them, with an API shaped like the JS API's `WebAssembly` namespace:
//
//   instantiate(source, imports, { engine: 'interp' })  -> Promise<{ module, instance }>
//   instantiateSync(source, imports, options)           -> { module, instance }
//   WebAssembly.{Module, Instance, Memory, Table, Global, Tag, Exception, JSTag, validate, compile,
//                instantiate, CompileError, LinkError, RuntimeError}
//   createPolyfill(host), installPolyfill()  the polyfill (also 'wasmfx/polyfill'): stack switching
//                                            lowered to plain Wasm 3.0, run by the host's engine
//   createWasi({ args, env, preopens })      WASI preview1 for command modules on any of these engines
//                                            (`imports`, `start(instance)` -> exit code), from 'wasmfx/wasi':
//                                            it needs Node (node:fs) and an npm package, and this module
//                                            stays loadable as it is in a web page
//
// where `source` is bytes, WAT text or a compiled module, and traps surface as `Trap`
// errors carrying the Wasm backtrace (through every continuation up to the host call).
//
// Every error is a WasmError with `kind`, `detail` (the spec's message),
// `offset` and `format()` giving `file:line:col: message` or
// `file: offset 0x..: message`.

import { decodeModule } from './binary/decoder.ts';
import { encodeModule } from './binary/encoder.ts';
import { parseModule } from './text/parser.ts';
import { printModule } from './text/printer.ts';
import { validateModule } from './valid/validator.ts';
import type { Module } from './syntax/ast.ts';

export { decodeModule, encodeModule, parseModule, printModule, validateModule };
export { parseScript } from './script/script-parser.ts';
export { runScript, type RunOptions, type RunSummary, type CommandResult, type ScriptEngine } from './script/runner.ts';
export {
  WasmError, WasmSyntaxError, MalformedError, ValidationError, LinkError, isWasmError, type ErrorKind,
  RuntimeError, Trap, Exhaustion, UnhandledSuspension, UncaughtException, formatBacktrace, type BacktraceFrame,
} from './util/errors.ts';
export {
  instantiate, instantiateSync, type ImportObject, type JsApiOptions, type WebAssemblyInstantiatedSource,
} from './host/js-api.ts';
export { invoke, type EngineOptions } from './exec/engine.ts';
/** The JS API's namespace, run by wasmfx's engines: a drop-in for the built-in `WebAssembly`. */
export { WebAssembly } from './host/js-api.ts';
/**
 * The polyfill (also `wasmfx/polyfill`): a namespace over a host `WebAssembly` without stack switching
 * that lowers stack-switching modules to plain Wasm 3.0 and compiles them on the host.
 */
export { createPolyfill, installPolyfill, hostHasStackSwitching } from './host/polyfill.ts';
export type * from './syntax/ast.ts';
export type * from './syntax/types.ts';
export type * from './script/ast.ts';
export { INSTRS, BY_NAME, BY_OPCODE, instr, type Instr, type OpName, type InstrDef, type ImmKind } from './syntax/opcodes.ts';
export { VERSION } from './version.ts';
/** The lowering compiler: stack switching -> plain Wasm 3.0 (see docs/lowering.md). */
export { lowerModule, isolable, usesStackSwitching, runtimeModule, LowerError, TRAP_REASONS, WHY_EXPORT, type Lowered, type LoweredInfo, type LowerOptions } from './lower/index.ts';

/** Reads a module from text (string) or bytes (binary, or UTF-8 text without the `\0asm` magic). */
export function readModule(source: string | Uint8Array, file?: string): Module {
  if (typeof source === 'string') return parseModule(source, file);
  const isBinary = source.length >= 4 && source[0] === 0 && source[1] === 0x61 && source[2] === 0x73 && source[3] === 0x6d;
  return isBinary
    ? decodeModule(source, file === undefined ? undefined : { name: file })
    : parseModule(new TextDecoder().decode(source), file);
}

/** WAT text to validated binary, like `wasmfx parse`. */
export function watToWasm(text: string, file?: string): Uint8Array {
  const m = parseModule(text, file);
  validateModule(m, file === undefined ? undefined : { name: file, text });
  return encodeModule(m);
}

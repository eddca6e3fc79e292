// Loading a module file for the CLI: binary or text, told apart by the `\0asm` magic, never by
// the file name. (Apart from io.ts, so that a command that needs no module, `wasmfx run` on
// the main thread, does not load the decoder and the parser.)

import type { Module } from '../syntax/ast.ts';
import type { SourceFile } from '../util/source.ts';
import { decodeModule } from '../binary/decoder.ts';
import { parseModule } from '../text/parser.ts';
import { decodeText, displayName, isBinary, readInput } from './io.ts';

/** Decodes a binary or parses a text module (errors carry the file name and location); `bytes`: the file's. */
export function loadModuleFile(path: string): { module: Module; source: SourceFile; bytes: Uint8Array } {
  const bytes = readInput(path);
  const name = displayName(path);
  if (isBinary(bytes)) return { module: decodeModule(bytes, { name }), source: { name }, bytes };
  const text = decodeText(bytes, name);
  return { module: parseModule(text, name), source: { name, text }, bytes };
}

// Reading inputs and writing outputs for the CLI. A module input is text
// or binary, told apart by the `\0asm` magic, never by the file name.

import { readFileSync, writeFileSync } from 'node:fs';
import { isWasmError, locationOf } from '../util/errors.ts';
import { LowerError } from '../lower/error.ts';

export class CliError extends Error {}

/** A command line that cannot be right (exit code 2), e.g. the wrong number of program arguments. */
export class UsageError extends CliError {}

/** Reads a file, or standard input for `-`. */
export function readInput(path: string): Uint8Array {
  try {
    return path === '-' ? readFileSync(0) : readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : String((e as Error).message);
    throw new CliError(`${path}: cannot read: ${why}`);
  }
}

export const displayName = (path: string): string => (path === '-' ? '<stdin>' : path);

export const isBinary = (bytes: Uint8Array): boolean =>
  bytes.length >= 4 && bytes[0] === 0 && bytes[1] === 0x61 && bytes[2] === 0x73 && bytes[3] === 0x6d;

export function decodeText(bytes: Uint8Array, name: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new CliError(`${name}: not a Wasm binary, and not UTF-8 text`);
  }
}

/** Writes to a file, or standard output for `-`/undefined. */
export function writeOutput(path: string | undefined, data: string | Uint8Array): void {
  try {
    if (path === undefined || path === '-') process.stdout.write(data);
    else writeFileSync(path, data);
  } catch (e) {
    throw new CliError(`${path}: cannot write: ${(e as Error).message}`);
  }
}

/**
 * Reports an error of a command on `write` (standard error) and returns the exit code: 2 for
 * usage errors, else 1. Input errors print located (`file:line:col: ...`); anything else is a bug
 * of ours and says so, without a JavaScript stack trace unless WASMFX_DEBUG is set.
 */
export function reportError(e: unknown, write: (text: string) => void): number {
  if (isWasmError(e)) write(`${e.format()}\n`);
  else if (e instanceof CliError) write(`wasmfx: ${e.message}\n`);
  else if (e instanceof LowerError) write(`${e.source === undefined ? 'wasmfx' : locationOf(e.source, e.at)}: cannot lower: ${e.message}\n`);
  else {
    const detail = process.env.WASMFX_DEBUG ? (e as Error).stack : String((e as Error)?.message ?? e);
    write(`wasmfx: internal error: ${detail}\n`);
  }
  return e instanceof UsageError ? 2 : 1;
}

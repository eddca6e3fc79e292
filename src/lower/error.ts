// The error of a module the lowering cannot rewrite (a limit of the lowering, not an invalid
// module), in a file of its own: the CLI reports it without loading the compiler.

import type { SourceFile } from '../util/source.ts';

export class LowerError extends Error {
  /** where in the input module (its `at`: an offset in its text or binary), when one place is to blame */
  readonly at: number | undefined;
  /** the input's source, when the caller knows it (the CLI's report names the file) */
  source: SourceFile | undefined;
  constructor(message: string, at?: number) {
    super(message);
    this.at = at;
  }
}

/** Is an import one that a module lowered by wasmfx (not standalone) makes of the runtime the polyfill links? */
export const isRuntimeImport = (module: string): boolean => module === 'wasmfx:rt' || module.startsWith('wasmfx:tag:');

/**
 * The message of a link error for an import nothing provides; for one of the runtime's it says
 * where such a module runs (every linker of wasmfx: the WAST runner's, the host runtime's, WASI's).
 */
export const unknownImport = (module: string, name: string): string =>
  `unknown import ${JSON.stringify(module)}.${JSON.stringify(name)}` +
  (isRuntimeImport(module)
    ? ' (a module lowered by wasmfx: it runs on the lowered engine or the polyfill, which link its runtime; `wasmfx lower --standalone` makes one that needs none)'
    : '');

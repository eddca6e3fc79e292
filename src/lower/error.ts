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

/** What an "unknown import" of the runtime adds: where such a module runs. */
export const RUNTIME_IMPORT_HINT =
  ' (a module lowered by wasmfx: it runs on the lowered engine or the polyfill, which link its runtime; `wasmfx lower --standalone` makes one that needs none)';

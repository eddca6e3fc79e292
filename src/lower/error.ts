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

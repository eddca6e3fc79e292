// Import resolution by (module name, field name), shared by the WAST engine
// and `wasmfx run`. A linker maps module names to providers: a registered
// instance (`(register "M" $inst)`), the `spectest` module, or any host
// module. (WASI programs link through the JS API instead: src/host/wasi.ts.)
// The linker only finds the extern value by name; whether its type fits the
// import is `instantiate`'s check ("incompatible import type").

import type { ValidModule } from '../valid/validator.ts';
import type { CExternType } from '../valid/types.ts';
import type { ExternVal, Instance } from '../runtime/value.ts';
import { LinkError } from '../util/errors.ts';
import { unknownImport } from '../lower/error.ts';
import { createSpectest } from '../host/spectest.ts';
import type { SourceFile } from '../util/source.ts';

/** Finds the export `name` of a host module; `type` is what the importing module expects. */
export type ImportProvider = (name: string, type: CExternType) => ExternVal | undefined;

export class Linker {
  private readonly providers = new Map<string, ImportProvider>();

  /** Provides module `name` (replaces an earlier provider of that name). */
  define(name: string, provider: ImportProvider): this {
    this.providers.set(name, provider);
    return this;
  }

  /** Provides module `name` from a map of extern values (e.g. a host module's exports). */
  defineExports(name: string, exports: ReadonlyMap<string, ExternVal>): this {
    return this.define(name, (field) => exports.get(field));
  }

  /** Makes an instance's exports importable as module `name`. */
  register(name: string, inst: Instance): this {
    return this.defineExports(name, inst.exports);
  }

  has(name: string): boolean {
    return this.providers.has(name);
  }

  /** The extern values for a module's imports, in order. Throws LinkError `unknown import "m"."n"`. */
  resolve(vm: ValidModule, source?: SourceFile): ExternVal[] {
    return vm.module.imports.map((im, i) => {
      const found = this.providers.get(im.module)?.(im.name, vm.imports[i]!);
      if (found === undefined) {
        throw new LinkError(unknownImport(im.module, im.name), im.at, source);
      }
      return found;
    });
  }
}

export interface StandardLinkerOptions {
  /** where spectest's `print*` functions write (default: standard output) */
  readonly print?: (line: string) => void;
}

/** A linker with the host modules every program may import: `spectest`. */
export function standardLinker(opts: StandardLinkerOptions = {}): Linker {
  const spectest = createSpectest(opts.print === undefined ? {} : { print: opts.print });
  return new Linker().define('spectest', (name) => spectest.lookup(name));
}

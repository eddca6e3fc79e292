// `wasmfx cc`: C sources -> a runnable wasm32-wasip1 module with the fiber
// library (fiber/) linked in on the chosen backend.
//
//   1. clang -c each source (in Clang's virtual file system: the sources, the
//      headers beside them and under -I, and fiber/);
//   2. which fiber API the objects use (fiber.h or fiber_switch.h) from their
//      undefined symbols (llvm-nm), so that only that one is linked;
//   3. clang -c the library's backend (always -O2) and its shadow-stack
//      primitives (fiber/common/stack.S), then link with wasi-libc;
//   4. the shadow-stack check (stack-check.ts) on the linked module;
//   5. wasmfx: wasm-merge with the backend's WAT module (continuations), then
//      Binaryen's optimizer; asyncify: Binaryen's Asyncify, then its optimizer
//      (both inlining the library's small functions into the program);
//   6. the library's internal exports removed.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { decodeModule } from '../binary/decoder.ts';
import { encodeModule } from '../binary/encoder.ts';
import { Writer } from '../binary/writer.ts';
import { parseModule } from '../text/parser.ts';
import { validateModule } from '../valid/validator.ts';
import type { Module } from '../syntax/ast.ts';
import { addStackCheck } from './stack-check.ts';
import { BINARYEN_FEATURES, ToolError, runBinaryen, runBinaryenPasses, runLlvm, treeFile, treePut, type Tree } from './toolchain.ts';

export type FiberBackend = 'wasmfx' | 'asyncify';
export const FIBER_BACKENDS: readonly FiberBackend[] = ['wasmfx', 'asyncify'];
export type OptLevel = '0' | '1' | '2' | '3' | 's' | 'z';

export interface CcOptions {
  readonly fiber: FiberBackend;
  /** -O level of the program (the library is always -O2); default 2 */
  readonly opt?: OptLevel;
  readonly includeDirs?: readonly string[];
  /** NAME or NAME=VALUE */
  readonly defines?: readonly string[];
  /** the default shadow stack of a fiber, bytes (FIBER_STACK_SIZE) */
  readonly stackSize?: number;
  /** more arguments for clang (e.g. -Wall, -std=c17, -Wl,...) */
  readonly clangArgs?: readonly string[];
  /** the directory relative paths are taken from; default process.cwd() */
  readonly cwd?: string;
}

export interface CcResult {
  readonly wasm: Uint8Array;
  /** the fiber API the program uses */
  readonly api: FiberApi | null;
  /** the compiler's warnings (diagnostics of a successful compile) */
  readonly warnings: string;
}

export type FiberApi = 'fiber' | 'fiber_switch';

/** The fiber library: fiber/ at the package's root (two levels above src/cc and dist/cc). */
const FIBER_DIR = fileURLToPath(new URL('../../fiber/', import.meta.url));

/** The fiber library's objects, by source and defines (they do not depend on the program). */
const libraryObjects = new Map<string, Uint8Array>();

/** Where things are in Clang's virtual file system. */
const V_FIBER = '/wasmfx-fiber';
const V_BUILD = '/wasmfx-build';

/** Symbols that tell which API the program uses (any one of them). */
const SWITCH_SYMBOLS = new Set(['fiber_switch', 'fiber_switch_return', 'fiber_main']);
const FIBER_SYMBOLS = new Set(['fiber_alloc', 'fiber_alloc_sized', 'fiber_free', 'fiber_yield', 'fiber_resume', 'fiber_init', 'fiber_finalize']);

/** Exports the library needs internally (between its C and WAT parts), not part of the program. */
const INTERNAL_EXPORT = /^(__wasmfx_fiber_|__fiber_stack_overflow$|asyncify_)/;

const HEADER = /\.(h|hh|hpp|inc|def)$/;

/** Compiles and links C sources; throws ToolError with the compiler's diagnostics. */
export async function compileC(sources: readonly string[], opts: CcOptions): Promise<CcResult> {
  if (sources.length === 0) throw new ToolError('clang', 'wasmfx cc: no input files');
  const cwd = opts.cwd ?? process.cwd();
  const tree: Tree = {};
  treePut(tree, `${V_BUILD}/.keep`, '');
  addDir(tree, FIBER_DIR, V_FIBER, /\.(h|c|S|wat)$/, 3);

  const vpath = (p: string): string => {
    const abs = resolve(cwd, p);
    const rel = relative(cwd, abs);
    return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : abs;
  };
  const vSources = sources.map((s) => {
    let text: Uint8Array;
    try {
      text = readFileSync(resolve(cwd, s));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new ToolError('clang', code === 'ENOENT' ? `clang: error: no such file or directory: '${s}'` : `clang: error: cannot read '${s}' (${code ?? 'unreadable'})`);
    }
    const v = vpath(s);
    treePut(tree, v, new Uint8Array(text));
    addDir(tree, dirname(resolve(cwd, s)), dirname(v.startsWith('/') ? v : `/${v}`), HEADER, 0);
    return v;
  });
  const includes = (opts.includeDirs ?? []).map((d) => {
    const v = vpath(d);
    addDir(tree, resolve(cwd, d), v.startsWith('/') ? v : `/${v}`, HEADER, 4);
    return `-I${v}`;
  });
  const common = ['--target=wasm32-wasip1', `-I${V_FIBER}/include`, ...includes, ...(opts.defines ?? []).map((d) => `-D${d}`)];
  const opt = `-O${opts.opt ?? '2'}`;
  let warnings = '';

  // 1. the program's objects
  const objects: string[] = [];
  let files = tree;
  for (const [i, v] of vSources.entries()) {
    const obj = `${V_BUILD}/${i}-${basename(v).replace(/\.[^.]*$/, '')}.o`;
    const r = await runLlvm('clang', [...common, opt, ...(opts.clangArgs ?? []), '-c', v, '-o', obj], files);
    files = r.files;
    warnings += r.output;
    objects.push(obj);
  }

  // 2. which API
  const nm = await runLlvm('nm', ['--undefined-only', '--just-symbol-name', ...objects], files);
  const undefinedSyms = new Set(nm.output.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.endsWith(':')));
  const api: FiberApi | null = [...SWITCH_SYMBOLS].some((s) => undefinedSyms.has(s))
    ? 'fiber_switch'
    : [...FIBER_SYMBOLS].some((s) => undefinedSyms.has(s)) ? 'fiber' : null;

  // 3. the library, and the link
  if (api !== null) {
    // the library sees the stack size, and the program's own defines of FIBER_* settings
    const libDefs = [...(opts.defines ?? []).filter((d) => d.startsWith('FIBER_')).map((d) => `-D${d}`), ...(opts.stackSize === undefined ? [] : [`-DFIBER_STACK_SIZE=${opts.stackSize}`])];
    for (const [src, obj] of [[`${V_FIBER}/${opts.fiber}/${api}.c`, `${V_BUILD}/lib-${api}.o`], [`${V_FIBER}/common/stack.S`, `${V_BUILD}/lib-stack.o`]] as const) {
      // the library's objects depend only on these: built once per process
      const key = `${src} ${libDefs.join(' ')}`;
      let bytes = libraryObjects.get(key);
      if (bytes === undefined) {
        const r = await runLlvm('clang', ['--target=wasm32-wasip1', `-I${V_FIBER}/include`, `-I${V_FIBER}`, '-O2', ...libDefs, '-c', src, '-o', obj], files);
        bytes = treeFile(r.files, obj);
        if (bytes === undefined) throw new ToolError('clang', `${r.output}\nclang: no object for ${src}`);
        libraryObjects.set(key, bytes);
      }
      treePut(files, obj, bytes);
      objects.push(obj);
    }
  }
  const out = `${V_BUILD}/a.out.wasm`;
  const linkArgs = (opts.clangArgs ?? []).filter((a) => a.startsWith('-Wl,') || a.startsWith('-z') || a === '-s');
  const linked = await runLlvm('clang', ['--target=wasm32-wasip1', opt, ...linkArgs, ...objects, '-o', out], files);
  warnings += linked.output;
  const bytes = treeFile(linked.files, out);
  if (bytes === undefined) throw new ToolError('clang', `${linked.output}\nclang: the linker wrote no module`);
  if (api === null) return { wasm: bytes, api, warnings };

  // 4. the shadow-stack check
  const checked = encodeModule(addStackCheck(decodeModule(bytes)).module);

  // 5. the backend
  let wasm: Uint8Array;
  if (opts.fiber === 'wasmfx') {
    wasm = await runBinaryen('wasm-merge', [checked, wasmfxPart(api)], [...BINARYEN_FEATURES, '-g', '{0}', 'main', '{1}', 'wasmfx_fiber']);
    // Binaryen's optimizer on the merged module, as the Asyncify build gets: it inlines the
    // library's functions on the way to a suspension (fiber_yield or fiber_switch, and the WAT
    // part's suspend or switch in it: ALWAYS_INLINE) into the program, so that a fiber that yields
    // from a loop suspends from its own frame: one frame to save and restore per yield instead of
    // three (itersum: 1.24-1.57 s -> 0.93-1.2 s for 10M yields on lowered). (Asyncify's
    // fiber_switch stays a call: its rewind calls it again.) Not at -O0 (the program asked for none).
    if ((opts.opt ?? '2') !== '0') wasm = await runBinaryenPasses(withInlineHints(wasm, ALWAYS_INLINE[api]), [], {}, binaryenLevel(opts.opt), INLINE_FIBER_LIBRARY);
  } else {
    // Asyncify's output needs Binaryen's optimizer (as Emscripten runs it): at least -O1
    wasm = await runBinaryenPasses(checked, ['asyncify'], { 'asyncify-ignore-imports': '' }, binaryenLevel(opts.opt), INLINE_FIBER_LIBRARY);
  }

  // 6. internal exports out
  const m = decodeModule(wasm);
  return { wasm: encodeModule(withoutInternalExports(m)), api, warnings };
}

/** Binaryen's -O level for the program's (at least 1). */
const binaryenLevel = (opt: OptLevel | undefined): number => ({ '0': 1, '1': 1, '2': 2, '3': 3, s: 2, z: 2 })[opt ?? '2'];
/** Binaryen inlines every function up to this size (expressions): fiber_yield, fiber_switch and the WAT part's helpers are 8-12 */
const INLINE_FIBER_LIBRARY = 12;

/** The backend's WAT part for an API, parsed, validated and encoded once per process. */
const wasmfxParts = new Map<FiberApi, Uint8Array>();
function wasmfxPart(api: FiberApi): Uint8Array {
  let bytes = wasmfxParts.get(api);
  if (bytes === undefined) {
    const file = join(FIBER_DIR, 'wasmfx', `${api}.wat`);
    const text = readFileSync(file, 'utf8');
    const wat = parseModule(text, file);
    validateModule(wat, { name: file, text });
    bytes = encodeModule(wat);
    wasmfxParts.set(api, bytes);
  }
  return bytes;
}

function withoutInternalExports(m: Module): Module {
  return { ...m, exports: m.exports.filter((e) => !INTERNAL_EXPORT.test(e.name)), customs: m.customs.filter((c) => c.name !== TOOLCHAIN_INLINE) };
}

/** Binaryen's custom section of toolchain inlining hints (read by its inliner; removed from the output) */
const TOOLCHAIN_INLINE = 'binaryen.inline';
/**
 * The library functions a program's calls go through on the way to a suspension, exported under
 * these names: Binaryen inlines them into every caller whatever their size, so that the program's
 * own function holds the `suspend` or `switch` and a suspension saves and restores one frame, not
 * three (fiber_switch is some 60 expressions, above the size Binaryen inlines by itself, and
 * raising that size for the whole program made other programs slower: state 30% at 40).
 * itersum_switch, 20M switches on lowered: 2.9-3.9 s -> 1.7-2.7 s (fresh processes).
 */
const ALWAYS_INLINE: Record<FiberApi, readonly string[]> = {
  fiber: ['fiber_yield', '__wasmfx_fiber_suspend'],
  fiber_switch: ['fiber_switch', '__wasmfx_fiber_switch'],
};

/**
 * The module with Binaryen's toolchain hint "always inline" (127) on the functions exported under
 * these names: a code-annotation section (per function: its index, and hints at code offsets,
 * where offset 0 is the function itself).
 */
function withInlineHints(bytes: Uint8Array, exportNames: readonly string[]): Uint8Array {
  const m = decodeModule(bytes);
  const funcs = [...new Set(m.exports.filter((e) => e.kind === 'func' && exportNames.includes(e.name)).map((e) => e.index))].sort((a, b) => a - b);
  if (funcs.length === 0) return bytes;
  const w = new Writer();
  w.u32(funcs.length);
  for (const f of funcs) {
    w.u32(f);
    w.u32(1); // one hint
    w.u32(0); // offset 0: the function itself
    w.u32(1); // its size
    w.byte(127); // always inline
  }
  const custom = { name: TOOLCHAIN_INLINE, bytes: w.buf.slice(0, w.pos), after: 10 };
  return encodeModule({ ...m, customs: [...m.customs, custom] });
}

/** Copies the files of a host directory matching `pattern` into the tree at `vdir` (to `depth` levels of subdirectories). */
function addDir(tree: Tree, dir: string, vdir: string, pattern: RegExp, depth: number): void {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return; // clang reports the missing directory or header itself
  }
  for (const name of entries) {
    const p = join(dir, name);
    let st;
    try {
      st = statSync(p);
    } catch {
      continue;
    }
    if (st.isDirectory()) {
      if (depth > 0 && !name.startsWith('.') && name !== 'node_modules') addDir(tree, p, `${vdir}/${name}`, pattern, depth - 1);
    } else if (pattern.test(name) && st.size < 1 << 22) {
      treePut(tree, `${vdir}/${name}`, new Uint8Array(readFileSync(p)));
    }
  }
}

// The tools `wasmfx cc` drives, all from npm: Clang/LLD compiled to Wasm
// (@yowasp/clang, with wasi-libc) and Binaryen's command-line tools (the
// `binaryen` package: wasm-merge, wasm-opt with Asyncify). Clang runs
// in-process in a virtual file system (a tree of names to contents); Binaryen's
// tools run as child Node processes on files in a temporary directory.

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** A virtual file system: names to contents or sub-trees. */
export interface Tree { [name: string]: Tree | string | Uint8Array }

/** A tool failed: its diagnostics (already in the tool's own file:line:col form). */
export class ToolError extends Error {
  readonly tool: string;
  readonly diagnostics: string;
  constructor(tool: string, diagnostics: string) {
    super(diagnostics.trim() === '' ? `${tool} failed` : diagnostics.trimEnd());
    this.tool = tool;
    this.diagnostics = diagnostics;
  }
}

type YowaspCommand = (args: string[] | null, files?: Tree, options?: Record<string, unknown>) => Promise<Tree | undefined>;
interface Yowasp { runClang: YowaspCommand; runLLVM: YowaspCommand; Exit: new (...a: never[]) => Error & { code: number } }

let yowasp: Promise<Yowasp> | undefined;

/** Loads Clang/LLD once per process (its resources are ~100 MB of Wasm, compiled lazily by the engine). */
function loadYowasp(): Promise<Yowasp> {
  yowasp ??= (async () => {
    const m = (await import('@yowasp/clang')) as unknown as Yowasp;
    // the first run only loads the resources; without a progress callback it prints progress on stdout
    await m.runLLVM(null, {}, { fetchProgress: () => {} });
    return m;
  })();
  return yowasp;
}

const decoder = new TextDecoder();

/**
 * Runs `clang ARGS` (or another LLVM tool: `tool` 'wasm-ld', 'nm', ...) over `files`; returns the
 * resulting tree and what the tool printed. Throws ToolError with the diagnostics when it fails.
 */
export async function runLlvm(tool: 'clang' | 'nm', args: readonly string[], files: Tree): Promise<{ files: Tree; output: string }> {
  const m = await loadYowasp();
  const chunks: Uint8Array[] = [];
  const collect = (b: Uint8Array | null): void => void (b !== null && chunks.push(new Uint8Array(b)));
  const text = (): string => chunks.map((c) => decoder.decode(c)).join('');
  const opts = { stdout: collect, stderr: collect, decodeASCII: false, fetchProgress: () => {} };
  try {
    const out = tool === 'clang' ? await m.runClang(['clang', ...args], files, opts) : await m.runLLVM(['nm', ...args], files, opts);
    return { files: out ?? files, output: text() };
  } catch (e) {
    if (e instanceof m.Exit) throw new ToolError(tool, text());
    throw e;
  }
}

/** A file of the tree by its path (components separated by '/'). */
export function treeFile(tree: Tree, path: string): Uint8Array | undefined {
  let node: Tree | string | Uint8Array | undefined = tree;
  for (const part of path.split('/').filter((p) => p !== '')) {
    if (node === undefined || typeof node === 'string' || node instanceof Uint8Array) return undefined;
    node = node[part];
  }
  if (typeof node === 'string') return new TextEncoder().encode(node);
  return node instanceof Uint8Array ? node : undefined;
}

/** Puts a file into the tree at `path`, making the directories on the way. */
export function treePut(tree: Tree, path: string, contents: string | Uint8Array): void {
  const parts = path.split('/').filter((p) => p !== '');
  let node = tree;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (next === undefined || typeof next === 'string' || next instanceof Uint8Array) node = node[part] = {};
    else node = next;
  }
  node[parts[parts.length - 1]!] = contents;
}

type BinaryenJs = typeof import('binaryen').default;
let binaryenJs: Promise<BinaryenJs> | undefined;

/**
 * Runs Binaryen passes in this process (binaryen.js; wasm-merge has no JS API and runs as a
 * tool): `passArgs` are --pass-arg's, `optimize` an -O level to run after the passes,
 * `alwaysInline` the size (in Binaryen's expressions) up to which it inlines every function
 * (its default: 2).
 */
export async function runBinaryenPasses(
  bytes: Uint8Array, passes: readonly string[], passArgs: Readonly<Record<string, string>>, optimize: number, alwaysInline?: number,
): Promise<Uint8Array> {
  binaryenJs ??= import('binaryen').then((m) => m.default);
  const b = await binaryenJs;
  const m = b.readBinary(bytes);
  try {
    // Wasm 3.0 and stack switching, not Binaryen's proposals (custom descriptors, compact imports, ...)
    const F = b.Features;
    m.setFeatures(F.MutableGlobals | F.NontrappingFPToInt | F.SIMD128 | F.BulkMemory | F.SignExt | F.ExceptionHandling |
      F.TailCall | F.ReferenceTypes | F.Multivalue | F.GC | F.StackSwitching | F.ExtendedConst | F.MultiMemory | F.Memory64 | F.BulkMemoryOpt);
    b.setDebugInfo(true); // keep the name section: backtraces name functions
    for (const [k, v] of Object.entries(passArgs)) b.setPassArgument(k, v);
    m.runPasses([...passes]);
    if (optimize > 0) {
      b.setOptimizeLevel(optimize);
      b.setShrinkLevel(0);
      b.setAlwaysInlineMaxSize(alwaysInline ?? 2);
      m.optimize();
    }
    return m.emitBinary();
  } finally {
    m.dispose();
    for (const k of Object.keys(passArgs)) b.setPassArgument(k, null);
  }
}

const binaryenBin = (tool: string): string =>
  join(dirname(createRequire(import.meta.url).resolve('binaryen/package.json')), 'bin', tool);

/** Binaryen's feature flags for everything the fiber library's modules use. */
export const BINARYEN_FEATURES: readonly string[] = [
  '--enable-bulk-memory', '--enable-sign-ext', '--enable-mutable-globals', '--enable-nontrapping-float-to-int',
  '--enable-multivalue', '--enable-reference-types', '--enable-exception-handling', '--enable-tail-call',
  '--enable-gc', '--enable-stack-switching', '--enable-simd',
];

/**
 * Runs a Binaryen tool (`wasm-merge`: it has no JS API) on input modules (written to a temporary
 * directory as in0.wasm, in1.wasm, ...; `args` names them by `{0}`, `{1}`, ...); resolves to
 * out.wasm. A child process: builds running at the same time overlap with it.
 */
export function runBinaryen(tool: 'wasm-merge', inputs: readonly Uint8Array[], args: readonly string[]): Promise<Uint8Array> {
  const dir = mkdtempSync(join(tmpdir(), 'wasmfx-cc-'));
  const done = (): void => rmSync(dir, { recursive: true, force: true });
  inputs.forEach((bytes, i) => writeFileSync(join(dir, `in${i}.wasm`), bytes));
  const argv = args.map((a) => a.replace(/\{(\d+)\}/g, (_, i: string) => join(dir, `in${i}.wasm`)));
  const out = join(dir, 'out.wasm');
  return new Promise<Uint8Array>((resolve, reject) => {
    const child = spawn(process.execPath, [binaryenBin(tool), ...argv, '-o', out], { stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.on('data', (b: Buffer) => void (text += b.toString('utf8')));
    child.stderr.on('data', (b: Buffer) => void (text += b.toString('utf8')));
    child.on('error', (e) => reject(new ToolError(tool, `cannot run ${tool}: ${e.message}`)));
    child.on('close', (status) => {
      if (status !== 0) reject(new ToolError(tool, `${tool}: ${text.trim() || `exit status ${status}`}`));
      else resolve(new Uint8Array(readFileSync(out)));
    });
  }).finally(done);
}

// The C fiber examples (examples/fibers/) on both fiber backends, in one run
// (`npx node bench/fibers.ts` or `npm run bench:fibers`; see bench/README.md):
//
//   wasmfx    `wasmfx cc --fiber=wasmfx`: continuations, run on the lowered engine
//             (the default of `wasmfx run`) and, for fiber.h programs, on native
//             (V8's experimental WasmFX; it has no `switch`)
//   asyncify  `wasmfx cc --fiber=asyncify`: Binaryen's Asyncify, run on plain V8 (host)
//
// Each run is a fresh process doing what `wasmfx run PROG ARGS` does for a WASI
// program (this script's --child: createWasi and the engine's instantiate), so the
// figures are what a user sees. Per run: the process's wall time, the time of `_start`
// alone (after compiling and instantiating: the program's own work), the peak RSS of the
// process, and the size of the program's linear memory at the end. Medians of --runs runs,
// the backends interleaved; ratios asyncify / wasmfx-lowered within this run. Outputs must
// agree between all runs of an example.
//
// Options: --runs N (default 5), --only a,b, --json FILE, --quick (small sizes, 1 run: a smoke test).

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const self = fileURLToPath(import.meta.url);
const root = join(dirname(self), '..');
const NATIVE_FLAGS = ['--experimental-wasm-wasmfx', '--no-turboshaft-wasm-load-elimination'];

type Engine = 'lowered' | 'native' | 'host';

/**
 * The process's peak RSS, bytes: VmHWM (Linux), since getrusage's maxrss keeps the high-water
 * mark of the process image before exec (here the parent, with Clang loaded); else maxRSS.
 */
function peakRss(): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) * 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS * 1024;
}

// ---- child: one run --------------------------------------------------------------------------------

if (process.argv[2] === '--child') {
  const [lib, engine, file, ...args] = process.argv.slice(3) as ['dist' | 'src', Engine, string, ...string[]];
  const mod = (path: string): string => (lib === 'dist' ? `../dist/${path}.js` : `../src/${path}.ts`);
  const { createWasi } = (await import(mod('host/wasi'))) as typeof import('../src/host/wasi.ts');
  let out = '';
  const wasi = createWasi({ args: ['prog.wasm', ...args], stdout: (b) => void (out += new TextDecoder().decode(b)) });
  const bytes = readFileSync(file);
  let instance: { exports: Record<string, unknown> };
  if (engine === 'lowered') {
    const { instantiate } = (await import(mod('host/js-api'))) as typeof import('../src/host/js-api.ts');
    instance = (await instantiate(bytes, wasi.imports as never)).instance as never;
  } else {
    const ns = (globalThis as unknown as { WebAssembly: { instantiate(b: Uint8Array, i: unknown): Promise<{ instance: unknown }> } }).WebAssembly;
    instance = (await ns.instantiate(bytes, wasi.imports)).instance as never;
  }
  const t0 = performance.now();
  const code = wasi.start(instance);
  const startMs = performance.now() - t0;
  const memory = (instance.exports['memory'] as { buffer: ArrayBuffer }).buffer.byteLength;
  process.stderr.write(JSON.stringify({ code, startMs, memory, rss: peakRss(), out }) + '\n');
  process.exit(0);
}

// ---- the benchmarks ----------------------------------------------------------------------------------

interface Example {
  readonly name: string;
  /** arguments of the measured runs, and of --quick */
  readonly args: readonly string[];
  readonly quickArgs: readonly string[];
}

const EXAMPLES: readonly Example[] = [
  { name: 'itersum', args: ['10000000'], quickArgs: ['1000'] },
  { name: 'treesum', args: ['20'], quickArgs: ['8'] },
  { name: 'sieve', args: ['20000'], quickArgs: ['500'] },
  { name: 'state', args: ['1000000'], quickArgs: ['100'] },
  { name: 'skynet', args: ['1000000'], quickArgs: ['1000'] },
  { name: 'c10m', args: ['20000', '10'], quickArgs: ['1000', '2'] },
  { name: 'roundrobin', args: ['10000'], quickArgs: ['10'] },
  { name: 'churn', args: ['1000000'], quickArgs: ['1000'] },
  { name: 'itersum_switch', args: ['10000000'], quickArgs: ['1000'] },
  { name: 'treesum_switch', args: ['20'], quickArgs: ['8'] },
  { name: 'sieve_switch', args: ['20000'], quickArgs: ['500'] },
  { name: 'roundrobin_switch', args: ['10000'], quickArgs: ['10'] },
];

const argv = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const quick = argv.includes('--quick');
const RUNS = Number(opt('--runs') ?? (quick ? 1 : 5));
const only = opt('--only')?.split(',');
const jsonOut = opt('--json');

/**
 * The children load wasmfx from dist/ (the compiled JavaScript `wasmfx run` loads, as a user's
 * process does) when it is up to date with src/, else from src/ (Node strips the types of some 80
 * files at every start: about 0.4 s more wall time than `wasmfx run`).
 */
const LIB: 'dist' | 'src' = (() => {
  const built = join(root, 'dist', 'host', 'js-api.js');
  if (!existsSync(built)) return 'src';
  const newest = (dir: string): number => Math.max(0, ...readdirSync(dir, { withFileTypes: true }).map((e) =>
    e.isDirectory() ? newest(join(dir, e.name)) : e.name.endsWith('.ts') ? statSync(join(dir, e.name)).mtimeMs : 0));
  return newest(join(root, 'src')) <= statSync(built).mtimeMs ? 'dist' : 'src';
})();
if (LIB === 'src') process.stderr.write('fibers: dist/ is missing or older than src/ (npm run build): wasmfx loads from src/, wall times include stripping its types\n');

interface Sample { wallMs: number; startMs: number; rss: number; memory: number; out: string }

function runOnce(engine: Engine, file: string, args: readonly string[]): Sample {
  const flags = engine === 'native' ? NATIVE_FLAGS : [];
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [...flags, self, '--child', LIB, engine, file, ...args], { encoding: 'utf8', maxBuffer: 1 << 28, timeout: 600_000 });
  const wallMs = performance.now() - t0;
  const last = r.stderr.trim().split('\n').pop() ?? '';
  let j: { code: number; startMs: number; memory: number; rss: number; out: string };
  try {
    j = JSON.parse(last);
  } catch {
    throw new Error(`${engine} ${file} ${args.join(' ')}: ${r.stderr.slice(-2000)}`);
  }
  if (j.code !== 0) throw new Error(`${engine} ${file}: exit ${j.code}`);
  return { wallMs, startMs: j.startMs, rss: j.rss, memory: j.memory, out: j.out };
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const { compileC } = await import('../src/cc/driver.ts');
const dir = mkdtempSync(join(tmpdir(), 'wasmfx-bench-fibers-'));
interface Row {
  name: string; args: readonly string[]; symmetric: boolean;
  size: { wasmfx: number; asyncify: number };
  runs: Partial<Record<'wasmfx-lowered' | 'wasmfx-native' | 'asyncify-host', { wallMs: number; startMs: number; rss: number; memory: number }>>;
}
const rows: Row[] = [];
try {
  for (const ex of EXAMPLES) {
    if (only !== undefined && !only.includes(ex.name)) continue;
    const src = join('examples', 'fibers', `${ex.name}.c`);
    const symmetric = readFileSync(join(root, src), 'utf8').includes('fiber_switch.h');
    const files: Record<string, string> = {};
    const size = { wasmfx: 0, asyncify: 0 };
    for (const backend of ['wasmfx', 'asyncify'] as const) {
      const r = await compileC([src], { fiber: backend, cwd: root });
      files[backend] = join(dir, `${ex.name}-${backend}.wasm`);
      writeFileSync(files[backend]!, r.wasm);
      size[backend] = r.wasm.length;
    }
    const args = quick ? ex.quickArgs : ex.args;
    const configs: [keyof Row['runs'], Engine, string][] = [
      ['wasmfx-lowered', 'lowered', files['wasmfx']!],
      ['asyncify-host', 'host', files['asyncify']!],
      ...(symmetric ? [] : [['wasmfx-native', 'native', files['wasmfx']!] as [keyof Row['runs'], Engine, string]]),
    ];
    const samples = new Map<string, Sample[]>();
    let expected: string | undefined;
    for (let i = 0; i < RUNS; i++) {
      for (const [key, engine, file] of configs) {
        let s: Sample;
        try {
          s = runOnce(engine, file, args);
        } catch (e) {
          process.stderr.write(`${ex.name} ${key}: ${(e as Error).message.split('\n')[0]}\n`);
          continue;
        }
        expected ??= s.out;
        if (s.out !== expected) throw new Error(`${ex.name}: ${key} prints something else:\n${s.out}\nvs\n${expected}`);
        samples.set(key, [...(samples.get(key) ?? []), s]);
      }
    }
    const runs: Row['runs'] = {};
    for (const [key, ss] of samples) {
      runs[key as keyof Row['runs']] = {
        wallMs: median(ss.map((s) => s.wallMs)), startMs: median(ss.map((s) => s.startMs)),
        rss: median(ss.map((s) => s.rss)), memory: median(ss.map((s) => s.memory)),
      };
    }
    rows.push({ name: ex.name, args, symmetric, size, runs });
    process.stderr.write(`${ex.name} done\n`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

// ---- report ----------------------------------------------------------------------------------------

const f1 = (x: number | undefined): string => (x === undefined ? '-' : x >= 100 ? x.toFixed(0) : x.toFixed(1));
const mb = (x: number | undefined): string => (x === undefined ? '-' : (x / 2 ** 20).toFixed(1));
const ratio = (a: number | undefined, b: number | undefined): string => (a === undefined || b === undefined ? '-' : `${(a / b).toFixed(2)}x`);
const header = ['example', 'args', 'wasmfx KB', 'asyncify KB', '_start ms lowered', 'asyncify', 'native', 'asyncify/lowered', 'wall ms lowered', 'asyncify', 'RSS MB lowered', 'asyncify', 'memory MB lowered', 'asyncify'];
const table = rows.map((r) => {
  const L = r.runs['wasmfx-lowered'], A = r.runs['asyncify-host'], N = r.runs['wasmfx-native'];
  return [r.name, r.args.join(' '), (r.size.wasmfx / 1024).toFixed(1), (r.size.asyncify / 1024).toFixed(1),
    f1(L?.startMs), f1(A?.startMs), r.symmetric ? 'n/a' : f1(N?.startMs), ratio(A?.startMs, L?.startMs),
    f1(L?.wallMs), f1(A?.wallMs), mb(L?.rss), mb(A?.rss), mb(L?.memory), mb(A?.memory)];
});
const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
const line = (cells: readonly string[]): string => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
console.log(`${cpus()[0]?.model ?? 'cpu'} x${cpus().length}, Node ${process.version}, median of ${RUNS} fresh processes each`);
console.log(line(header));
console.log(line(widths.map((w) => '-'.repeat(w))));
for (const row of table) console.log(line(row));
if (jsonOut !== undefined) writeFileSync(jsonOut, JSON.stringify({ runs: RUNS, quick, rows }, null, 2));

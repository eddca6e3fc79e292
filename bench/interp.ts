// Benchmarks of the interpreter (run on demand: `npx node bench/interp.ts`; see bench/README.md).
//
//  (a) stack switching: suspend/resume round trips in a tight loop, on our interpreter and on
//      the reference interpreter running the same module. The reference is timed as a whole
//      process; its startup (the same script with 0 iterations) is subtracted. Target: >= 20x.
//  (b) compute kernels without stack switching (recursive fib, a memory-heavy sieve), on our
//      interpreter and on V8 running the same binary natively (WebAssembly.instantiate).
//      Target: within 30x of V8.
//
// Every figure is the best of several runs after a warm-up (runs of the same call until
// WARM_MS have passed): the interpreter is itself JIT-compiled by V8, which optimises its
// dispatch loop only after it has run for a while, as V8 tiers up the native Wasm too. The
// first (cold) run of each kernel is reported as well. Options:
//   --quick            fewer iterations and runs (a smoke test)
//   --warm MS          warm-up time per measurement (default 1000; --quick: 200)
//   --iterations N     round trips for (a) (default 100000)
//   --no-reference     skip the reference interpreter
//   --baseline DIR     also time the interpreter of another checkout (e.g. `git worktree add --detach
//                      /tmp/base HEAD~3`) in the same process: the old build against the new
//   --processes N      fresh processes per engine for the whole-process table (default 5; 0: none)
//
// Fresh processes: each kernel run once in a new Node process (bench/run-once.ts: the package's
// instantiate on interp, V8's WebAssembly for the other), the call timed with nothing warmed
// up, as a user's `wasmfx run` meets it; sizes where start-up is under 10% of the interpreter's
// process. The interpreter must stay within 30x of V8 on every run, not only on the best. Next
// to it, the whole process as a user times it: `wasmfx run --engine interp|host --invoke F FILE N`
// from spawn to exit (start-up included), at sizes where start-up is under 10% on interp.
// WASMFX_REFERENCE_INTERPRETER overrides the reference interpreter's path.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseModule } from '../src/text/parser.ts';
import { encodeModule } from '../src/binary/encoder.ts';
import type { FuncInst, Value } from '../src/runtime/value.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const iterArg = argv.indexOf('--iterations');
const ITER = iterArg >= 0 ? Number(argv[iterArg + 1]) : quick ? 10_000 : 100_000;
const RUNS = quick ? 2 : 5;
const warmArg = argv.indexOf('--warm');
const WARM_MS = warmArg >= 0 ? Number(argv[warmArg + 1]) : quick ? 200 : 1000;
const refTool = process.env.WASMFX_REFERENCE_INTERPRETER ?? resolve(root, '..', 'shared', 'tools', 'reference-interpreter');
const useRef = !argv.includes('--no-reference');
const baseArg = argv.indexOf('--baseline');
const BASELINE = baseArg >= 0 ? resolve(argv[baseArg + 1]!) : null;
const procArg = argv.indexOf('--processes');
const PROCESSES = procArg >= 0 ? Number(argv[procArg + 1]) : quick ? 2 : 5;

/** An interpreter build: the modules of a checkout that parse, validate, instantiate and invoke. */
interface Build {
  parse(text: string): unknown;
  validate(m: unknown): unknown;
  instantiate(vm: unknown, imports: unknown, host: { invoke: (f: FuncInst, a: Value[]) => Value[] }): { exports: Map<string, { kind: string; value: FuncInst }> };
  invoke(f: FuncInst, args: Value[]): Value[];
  link(vm: unknown): unknown;
}

async function loadBuild(dir: string): Promise<Build> {
  const at = (p: string) => import(join(dir, p));
  const [parser, validator, inst, engine, linker] = await Promise.all([
    at('src/text/parser.ts'), at('src/valid/validator.ts'), at('src/runtime/instantiate.ts'), at('src/exec/engine.ts'), at('src/script/linker.ts'),
  ]);
  return {
    parse: parser.parseModule, validate: validator.validateModule, instantiate: inst.instantiate, invoke: engine.invoke,
    link: (vm) => linker.standardLinker().resolve(vm),
  };
}

// ---- the programs -------------------------------------------------------------------------------

const SWITCHING = `(module
  (type $ft (func (param i32)))
  (type $ct (cont $ft))
  (tag $yield (param i32) (result i32))
  ;; a generator that yields forever, receiving a value back each time
  (func $gen (param $x i32)
    (loop $l
      (local.set $x (suspend $yield (local.get $x)))
      (br $l)))
  (elem declare func $gen)
  (func (export "roundtrips") (param $n i32) (result i32)
    (local $k (ref null $ct)) (local $i i32) (local $sum i32)
    (local.set $k (cont.new $ct (ref.func $gen)))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (block $h (result i32 (ref $ct))
          (resume $ct (on $yield $h) (local.get $i) (local.get $k))
          (unreachable))
        (local.set $k)
        (local.set $sum (i32.add (local.get $sum)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (local.get $sum)))`;

const KERNELS = `(module
  (memory 800)
  (func $fib (export "fib") (param $n i32) (result i32)
    (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
      (then (local.get $n))
      (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1)))
                     (call $fib (i32.sub (local.get $n) (i32.const 2)))))))
  ;; sieve of Eratosthenes over bytes [0, n), then a checksum of 32-bit words: the number of primes below n
  (func (export "sieve") (param $n i32) (result i32)
    (local $i i32) (local $j i32) (local $count i32)
    (memory.fill (i32.const 0) (i32.const 1) (local.get $n))
    (local.set $i (i32.const 2))
    (block $done
      (loop $outer
        (br_if $done (i32.gt_u (i32.mul (local.get $i) (local.get $i)) (local.get $n)))
        (if (i32.load8_u (local.get $i))
          (then
            (local.set $j (i32.mul (local.get $i) (local.get $i)))
            (block $end
              (loop $inner
                (br_if $end (i32.ge_u (local.get $j) (local.get $n)))
                (i32.store8 (local.get $j) (i32.const 0))
                (local.set $j (i32.add (local.get $j) (local.get $i)))
                (br $inner)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $outer)))
    (local.set $i (i32.const 2))
    (block $done2
      (loop $count
        (br_if $done2 (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $count (i32.add (local.get $count) (i32.load8_u (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $count)))
    (local.get $count)))`;

// ---- timing -------------------------------------------------------------------------------------

/**
 * Best time of `runs` runs in ms, after warming up (at least one run, and runs until WARM_MS
 * have passed); also the time of the first run, and the last result.
 */
function best<T>(f: () => T, runs = RUNS): { ms: number; first: number; result: T } {
  const start = performance.now();
  let result = f();
  const first = performance.now() - start;
  while (performance.now() - start < WARM_MS) result = f();
  let ms = Infinity;
  for (let r = 0; r < runs; r++) {
    const t = performance.now();
    result = f();
    ms = Math.min(ms, performance.now() - t);
  }
  return { ms, first, result };
}

function ours(text: string, b: Build): Map<string, FuncInst> {
  const vm = b.validate(b.parse(text));
  const inst = b.instantiate(vm, b.link(vm), { invoke: (f, a) => b.invoke(f, a) });
  const out = new Map<string, FuncInst>();
  for (const [name, ex] of inst.exports) if (ex.kind === 'func') out.set(name, ex.value);
  return out;
}

async function native(text: string): Promise<Record<string, (...a: number[]) => number>> {
  const bytes = encodeModule(parseModule(text));
  // (the project's type libraries leave WebAssembly out; Node has it)
  const wasm = (globalThis as unknown as { WebAssembly: { instantiate(b: Uint8Array): Promise<{ instance: { exports: unknown } }> } }).WebAssembly;
  const { instance } = await wasm.instantiate(bytes);
  return instance.exports as unknown as Record<string, (...a: number[]) => number>;
}

function reference(script: string, dir: string, name: string): number {
  const file = join(dir, `${name}.wast`);
  writeFileSync(file, script);
  let ms = Infinity;
  for (let r = 0; r < Math.max(RUNS, 3); r++) {
    const t = performance.now();
    const p = spawnSync(refTool, [file], { encoding: 'utf8' });
    const el = performance.now() - t;
    if (p.status !== 0) throw new Error(`reference interpreter failed on ${file}: ${p.stderr || p.stdout}`);
    ms = Math.min(ms, el);
  }
  return ms;
}

// ---- the table ----------------------------------------------------------------------------------

interface Row {
  name: string;
  ours: number;
  /** the baseline build's time (--baseline) */
  base: number | null;
  other: number | null;
  /** the first (cold) runs, ours and the other's (null: not measured separately) */
  oursFirst: number;
  otherFirst: number | null;
  otherName: string;
  /** ratio = other / ours when we are faster (a), ours / other when slower (b) */
  kind: 'speedup' | 'slowdown';
  target: number;
}

const rows: Row[] = [];
const fmt = (ms: number): string => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));

function table(head: string[], body: string[][]): void {
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const b of body) console.log(line(b));
}

/** The wall-clock ms of `wasmfx run` from spawn to exit, in each of PROCESSES fresh processes. */
function walls(file: string, fn: string, arg: number, engine: string): number[] {
  const cli = join(root, 'src', 'cli', 'main.ts');
  return spawnRuns([cli, 'run', '--engine', engine, '--invoke', fn, file, String(arg)], (_, wall) => wall);
}

/** The call's ms in each of PROCESSES fresh processes (bench/run-once.ts). */
function processes(file: string, fn: string, arg: number, engine: string): number[] {
  const once = join(root, 'bench', 'run-once.ts');
  return spawnRuns([once, engine, file, fn, String(arg)], (stdout) => Number(stdout.split(' ')[0]));
}

/** PROCESSES fresh Node processes with these arguments, each measured from its output and wall-clock ms. */
function spawnRuns(args: string[], measure: (stdout: string, wall: number) => number): number[] {
  return Array.from({ length: PROCESSES }, () => {
    const t = performance.now();
    const p = spawnSync(process.execPath, args, { encoding: 'utf8' });
    const wall = performance.now() - t;
    if (p.status !== 0) throw new Error(`node ${args.join(' ')}: ${p.stderr}`);
    return measure(p.stdout, wall);
  });
}

async function main(): Promise<void> {
  console.log(
    `wasmfx interpreter benchmark (node ${process.version}, ${quick ? 'quick' : 'full'} run, best of ${RUNS} after ${WARM_MS} ms of warm-up)\n`,
  );
  const build = await loadBuild(root);
  const base = BASELINE === null ? null : await loadBuild(BASELINE);
  if (BASELINE !== null) console.log(`baseline: ${BASELINE}\n`);

  // (a) stack switching vs the reference interpreter
  const sw = ours(SWITCHING, build).get('roundtrips')!;
  const a = best(() => build.invoke(sw, [ITER] as Value[]));
  let aBase: number | null = null;
  if (base !== null) {
    const swb = ours(SWITCHING, base).get('roundtrips')!;
    aBase = best(() => base.invoke(swb, [ITER] as Value[])).ms;
  }
  let refMs: number | null = null;
  if (useRef && existsSync(refTool)) {
    spawnSync(refTool, ['-v']); // builds it on first use
    const dir = mkdtempSync(join(tmpdir(), 'wasmfx-bench-'));
    const full = reference(`${SWITCHING}\n(assert_return (invoke "roundtrips" (i32.const ${ITER})) (i32.const ${a.result[0]}))\n`, dir, 'switch');
    const empty = reference(`${SWITCHING}\n(assert_return (invoke "roundtrips" (i32.const 0)) (i32.const 0))\n`, dir, 'empty');
    refMs = Math.max(full - empty, 0.001);
    rmSync(dir, { recursive: true, force: true });
  } else if (useRef) {
    console.log(`(reference interpreter not found at ${refTool}: set WASMFX_REFERENCE_INTERPRETER)\n`);
  }
  rows.push({
    name: `suspend/resume round trips x${ITER}`, ours: a.ms, base: aBase, other: refMs, oursFirst: a.first, otherFirst: refMs,
    otherName: 'reference', kind: 'speedup', target: 20,
  });

  // (b) compute kernels vs V8
  const k = ours(KERNELS, build);
  const kb = base === null ? null : ours(KERNELS, base);
  const v8 = await native(KERNELS);
  const kernel = (name: string, fn: string, arg: number, runs: number) => {
    const o = best(() => build.invoke(k.get(fn)!, [arg]), runs);
    const b = kb === null ? null : best(() => base!.invoke(kb.get(fn)!, [arg]), runs).ms;
    const v = best(() => v8[fn]!(arg));
    if (o.result[0] !== v.result) throw new Error(`${name}: ${String(o.result[0])} vs V8 ${v.result}`);
    rows.push({ name, ours: o.ms, base: b, other: v.ms, oursFirst: o.first, otherFirst: v.first, otherName: 'V8', kind: 'slowdown', target: 30 });
  };
  for (const n of quick ? [20, 25] : [25, 27, 30]) kernel(`fib(${n})`, 'fib', n, n >= 30 ? Math.min(RUNS, 3) : RUNS);
  const sieveN = quick ? 200_000 : 2_000_000;
  kernel(`sieve(${sieveN}) (memory)`, 'sieve', sieveN, RUNS);

  const head = ['benchmark', 'wasmfx ms', ...(base ? ['baseline ms', 'new/old'] : []), 'other ms', 'vs', 'ratio', 'target', '', 'first run ms', 'first-run ratio'];
  const body = rows.map((r) => {
    let ratio = '-';
    let ok = '';
    if (r.other !== null) {
      if (r.kind === 'speedup') {
        const x = r.other / r.ours;
        ratio = `${x.toFixed(1)}x faster`;
        ok = x >= r.target ? 'ok' : 'MISSED';
      } else {
        const x = r.ours / r.other;
        ratio = `${x.toFixed(1)}x slower`;
        ok = x <= r.target ? 'ok' : 'MISSED';
      }
    }
    const target = r.kind === 'speedup' ? `>= ${r.target}x faster` : `<= ${r.target}x slower`;
    let cold = '-';
    if (r.otherFirst !== null) {
      cold = r.kind === 'speedup' ? `${(r.otherFirst / r.oursFirst).toFixed(1)}x faster` : `${(r.oursFirst / r.otherFirst).toFixed(1)}x slower`;
    }
    const b = base ? [r.base === null ? '-' : fmt(r.base), r.base === null ? '-' : `${(r.ours / r.base).toFixed(3)}`] : [];
    return [r.name, fmt(r.ours), ...b, r.other === null ? '-' : fmt(r.other), r.otherName, ratio, target, ok, fmt(r.oursFirst), cold];
  });
  table(head, body);
  if (refMs !== null) {
    console.log(`\nround trip: wasmfx ${((a.ms * 1e6) / ITER).toFixed(0)} ns, reference ${((refMs * 1e6) / ITER).toFixed(0)} ns`);
  }

  // (c) whole fresh processes, as a user runs them
  if (PROCESSES > 0) {
    const dir = mkdtempSync(join(tmpdir(), 'wasmfx-bench-'));
    const file = join(dir, 'kernels.wasm');
    writeFileSync(file, encodeModule(parseModule(KERNELS)));
    console.log(`\nfresh processes, ${PROCESSES} per engine and row: one call of F(N) timed in the process (bench/run-once.ts), and wasmfx run from spawn to exit; ms`);
    const prow: string[][] = [];
    const med = (xs: number[]) => [...xs].sort((p, q) => p - q)[xs.length >> 1]!;
    const row = (name: string, i: number[], v: number[]) => {
      const ratios = i.map((x, r) => x / v[r]!);
      prow.push([
        name, fmt(Math.min(...i)), fmt(med(i)), fmt(Math.min(...v)), fmt(med(v)), ratios.map((x) => x.toFixed(1)).join(' '),
        `${Math.max(...ratios).toFixed(1)}x`, Math.max(...ratios) <= 30 ? 'ok' : 'MISSED',
      ]);
    };
    const sizes = quick ? [['fib', 27, 30], ['sieve', 2_000_000, 5_000_000]] as const : [['fib', 32, 37], ['sieve', 20_000_000, 50_000_000]] as const;
    for (const [fn, arg] of sizes) row(`${fn}(${arg}), the call`, processes(file, fn, arg, 'interp'), processes(file, fn, arg, 'host'));
    for (const [fn, , arg] of sizes) row(`${fn}(${arg}), wasmfx run`, walls(file, fn, arg, 'interp'), walls(file, fn, arg, 'host'));
    rmSync(dir, { recursive: true, force: true });
    table(['fresh process', 'interp least', 'median', 'V8 least', 'median', 'interp/V8 per run', 'worst', '<= 30x'], prow);
  }
}

await main();

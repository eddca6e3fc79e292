// Benchmarks of stack switching on three engines, in one run (`npx node bench/switching.ts`
// or `npm run bench:switching`; see bench/README.md):
//
//   lowered  the polyfill (src/host/polyfill.ts): the module lowered to plain Wasm 3.0 and run
//            by V8, in this process (isolated: these programs import and export numbers only,
//            so the polyfill keeps the machine's state in each module's own globals)
//   native   V8's own experimental stack switching: a child process (process.execPath with
//            NATIVE_FLAGS) running the same measurement code on globalThis.WebAssembly
//   interp   wasmfx's interpreter (src/host/js-api.ts, engine 'interp'), smaller N
//
// The programs are bench/programs/*.wat; each exports `run(N)`, which loops N times inside
// Wasm and returns a checksum that every engine must agree on (checked at a small N on all
// three, and at the measured N between lowered, native and the first runs).
//
// Method (as bench/interp.ts): a warm-up by time (the same call until WARM_MS have passed),
// then RUNS runs: best and median (the kernel and its baseline: 25 runs, interleaved, as its
// target is 5% and one call takes a few ms). Figures are per operation (a round trip, a switch, a
// cont.new + resume) unless the unit says otherwise. "First run" is a fresh process (lowered:
// plain Node; native: Node with NATIVE_FLAGS) compiling the module and doing one call of the
// same N: what the first call of a fresh `wasmfx run` sees, before V8 has tiered anything up.
// Memory: a fresh process (--expose-gc) keeps a million suspended one-frame continuations
// alive; the figure is the RSS delta after gc() (the JS heap's delta too, in the JSON).
//
// Options:
//   --quick          small N, short warm-up, few runs, first runs of one benchmark only:
//                    a smoke test of a few seconds (its figures mean nothing)
//   --json FILE      also write every figure to FILE
//   --warm MS        warm-up time per measurement (default 1000; --quick: 30)
//   --runs N         timed runs per measurement (default 5; --quick: 2)
//   --only ID,...    only these benchmarks (ids: see BENCHES)
//   --passes P       measure lowered and native P times over all the benchmarks, a pass after the
//                    other (default 1): best = the best of all passes, median = the median of the
//                    passes' medians. On a machine whose speed changes for seconds to minutes
//                    (bench/README.md, "Noise"), P = 3 shows each engine at its best.
//   --shared         lowered: every module on the runtime that lowered modules share (its
//                    imported globals), as the polyfill lowers a module that imports or exports
//                    references or tags (PolyfillOptions.isolated false)
// Internal: --child native|first|mem ... runs one part in a child process and prints JSON.

import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseModule } from '../src/text/parser.ts';
import { encodeModule } from '../src/binary/encoder.ts';
import { emptyNames, type Module as Ast } from '../src/syntax/ast.ts';
import { BENCHES, type Bench, type Target, type Unit } from './switching-benches.ts';
// (the lowering compiler, the polyfill and the interpreter's JS API are imported where they
// are needed: a native child process loads none of them)

const here = dirname(fileURLToPath(import.meta.url));
const self = fileURLToPath(import.meta.url);
export const NATIVE_FLAGS = ['--experimental-wasm-wasmfx', '--no-turboshaft-wasm-load-elimination'];

// ---- options ------------------------------------------------------------------------------------

const argv = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const quick = argv.includes('--quick');
const WARM_MS = Number(opt('--warm') ?? (quick ? 30 : 1000));
const RUNS = Number(opt('--runs') ?? (quick ? 2 : 5));
const only = opt('--only')?.split(',');
const shared = argv.includes('--shared');
const PASSES = Math.max(1, Number(opt('--passes') ?? 1));
const jsonOut = opt('--json');
const MEM_COUNT = quick ? 10_000 : 1_000_000;
/** continuations for native when it cannot hold MEM_COUNT (bytes per continuation from this count) */
const MEM_FALLBACK = 10_000;

// ---- the benchmarks -----------------------------------------------------------------------------

type Engine = 'lowered' | 'native' | 'interp';
const selected = (b: Bench): boolean => only === undefined || only.includes(b.id) || (b.pair !== undefined && only.includes(b.pair)) ||
  BENCHES.some((o) => o.pair === b.id && only.includes(o.id));
const nOf = (b: Bench, e: Engine): number => {
  if (!quick) return e === 'interp' ? b.interpN : b.n;
  return e === 'interp' && b.unit === 'ns/op' ? Math.ceil(b.quickN / 10) : b.quickN;
};
const label = (b: Bench): string => (b.unit === 'ms' && b.timed ? b.title.replace('(N)', `(${nOf(b, 'lowered')})`) : b.title);

function ast(b: Bench): Ast {
  return parseModule(readFileSync(join(here, 'programs', b.file), 'utf8'), b.file);
}

/** Sizes in bytes of the original and the lowered binary, both without the name section. */
async function sizes(b: Bench): Promise<{ original: number; lowered: number }> {
  const { lowerModule } = await import('../src/lower/index.ts');
  const m = ast(b);
  m.names = emptyNames();
  const original = encodeModule(m).length; // (before lowering: lowerModule fills in the input's `names` today)
  const low = lowerModule(m).module;
  low.names = emptyNames();
  return { original, lowered: encodeModule(low).length };
}

// ---- engines ------------------------------------------------------------------------------------

type Exports = Record<string, (...a: number[]) => number>;
/* eslint-disable @typescript-eslint/no-explicit-any */
const hostWasm = (): any => (globalThis as any).WebAssembly;
let polyfill: any = null;

/** Compiles and instantiates a benchmark's program on an engine; the times of both steps (ms). */
async function load(b: Bench, e: Engine): Promise<{ exports: Exports; compileMs: number; instantiateMs: number }> {
  const bytes = encodeModule(ast(b));
  const imports: Record<string, Record<string, unknown>> = b.depth === undefined ? {} : { bench: { depth: b.depth } };
  if (e === 'interp') {
    const { instantiateSync } = await import('../src/host/js-api.ts');
    const t = performance.now();
    const { instance } = instantiateSync(bytes, imports, { engine: 'interp' });
    return { exports: (instance as unknown as { exports: Exports }).exports, compileMs: performance.now() - t, instantiateMs: 0 };
  }
  if (e === 'lowered' && polyfill === null) polyfill = (await import('../src/host/polyfill.ts')).createPolyfill(hostWasm(), shared ? { isolated: false } : {});
  const ns = e === 'native' ? hostWasm() : polyfill;
  const t0 = performance.now();
  const module = new ns.Module(bytes);
  const t1 = performance.now();
  const instance = new ns.Instance(module, imports);
  return { exports: instance.exports as Exports, compileMs: t1 - t0, instantiateMs: performance.now() - t1 };
}

// ---- timing -------------------------------------------------------------------------------------

interface Timing {
  /** ms per call: best and median of RUNS, and the first call in this process */
  best: number;
  median: number;
  first: number;
  n: number;
  result: number;
}

/**
 * Times the calls together: each is warmed up by time (its first call, then calls until
 * WARM_MS have passed), then `runs` rounds each time every call once (interleaved, so that a
 * change in the machine's load hits them alike).
 */
function measure(calls: readonly { f: () => number; n: number }[], runs = RUNS): Timing[] {
  const firsts: number[] = [];
  const results: number[] = [];
  for (const c of calls) {
    const start = performance.now();
    results.push(c.f());
    firsts.push(performance.now() - start);
    while (performance.now() - start < WARM_MS) c.f();
  }
  const times = calls.map(() => [] as number[]);
  for (let r = 0; r < runs; r++) {
    calls.forEach((c, i) => {
      const t = performance.now();
      const x = c.f();
      times[i]!.push(performance.now() - t);
      if (x !== results[i]) throw new Error(`run ${r}: result ${x}, earlier ${results[i]}`);
    });
  }
  return calls.map((c, i) => {
    const ts = times[i]!.sort((p, q) => p - q);
    return { best: ts[0]!, median: ts[(ts.length - 1) >> 1]!, first: firsts[i]!, n: c.n, result: results[i]! };
  });
}

interface EngineResult {
  /** checksums at each benchmark's `check` N */
  checks: Record<string, number>;
  timings: Record<string, Timing>;
  errors: Record<string, string>;
}

/** Every selected benchmark that `e` runs: the checksum, then the timing. */
/** The benchmarks in groups measured together (a kernel and its baseline), in order. */
function groups(benches: readonly Bench[]): Bench[][] {
  const out: Bench[][] = [];
  const done = new Set<string>();
  for (const b of benches) {
    if (done.has(b.id)) continue;
    const g = [b, ...benches.filter((o) => o.pair === b.id || b.pair === o.id)];
    for (const x of g) done.add(x.id);
    out.push(g);
  }
  return out;
}

/** Every given benchmark that `e` runs: the checksum, then the timing. */
async function runEngine(e: Engine, benches: readonly Bench[]): Promise<EngineResult> {
  const out: EngineResult = { checks: {}, timings: {}, errors: {} };
  for (const group of groups(benches)) {
    try {
      const calls: { f: () => number; n: number }[] = [];
      for (const g of group) {
        const ex = (await load(g, e)).exports;
        out.checks[g.id] = ex.run!(g.check);
        const n = nOf(g, e);
        calls.push({ f: () => ex.run!(n), n });
      }
      const runs = quick || e === 'interp' ? RUNS : Math.max(RUNS, ...group.map((g) => g.runs ?? RUNS));
      if (group[0]!.timed) measure(calls, runs).forEach((t, i) => (out.timings[group[i]!.id] = t));
    } catch (err) {
      for (const g of group) out.errors[g.id] = String((err as Error)?.message ?? err);
    }
  }
  return out;
}

/** medians of each timing's passes (--passes), for the pooled median */
const passMedians = new WeakMap<Timing, number[]>();
const mergeInto = (to: EngineResult, r: EngineResult): void => {
  Object.assign(to.checks, r.checks);
  for (const [id, t] of Object.entries(r.timings)) {
    const was = to.timings[id];
    if (was === undefined) {
      passMedians.set(t, [t.median]);
      to.timings[id] = t;
      continue;
    }
    // another pass: the best of all, the median of the passes' medians
    const ms = [...(passMedians.get(was) ?? [was.median]), t.median].sort((a, b) => a - b);
    const merged = { ...was, best: Math.min(was.best, t.best), median: ms[(ms.length - 1) >> 1]! };
    passMedians.set(merged, ms);
    to.timings[id] = merged;
  }
  Object.assign(to.errors, r.errors);
};

// ---- child processes ----------------------------------------------------------------------------

interface ChildOutcome<T> {
  ok: boolean;
  value?: T;
  /** why it failed: the signal or status and the end of stderr */
  why?: string;
  stderr?: string;
}

function child<T>(nodeFlags: readonly string[], args: readonly string[]): Promise<ChildOutcome<T>> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [...nodeFlags, self, '--child', ...args, ...(quick ? ['--quick'] : []), ...(shared ? ['--shared'] : []),
      '--warm', String(WARM_MS), '--runs', String(RUNS)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    p.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    p.on('close', (status, signal) => {
      const last = stdout.trim().split('\n').pop() ?? '';
      if (status === 0 && last.startsWith('{')) return resolve({ ok: true, value: JSON.parse(last) as T });
      const lines = stderr.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !/^\d+: 0x|^#$|^-+.*-+$|^<--|^\[\d+:/.test(l));
      resolve({ ok: false, why: `${signal ?? `exit ${String(status)}`}: ${lines.slice(0, 3).join(' / ')}`, stderr });
    });
  });
}

/** What V8's failure on a program says, briefly. */
const nativeFailure = (o: ChildOutcome<unknown>): string =>
  (/unimplemented code/.test(o.stderr ?? '') ? 'V8 lacks switch'
    : /out of memory|Allocation failed/.test(o.stderr ?? '') ? 'V8 out of memory' : `failed: ${o.why ?? ''}`);

interface FirstRun {
  compileMs: number;
  instantiateMs: number;
  callMs: number;
  n: number;
  result: number;
  /** from the process's start to the call's end */
  sinceStartMs: number;
}

interface Mem {
  count: number;
  rss: number;
  heap: number;
  external: number;
  ms: number;
  result: number;
}

async function childMain(kind: string): Promise<void> {
  const byId = (id: string | undefined): Bench => {
    const b = BENCHES.find((x) => x.id === id);
    if (b === undefined) throw new Error(`no benchmark ${String(id)}`);
    return b;
  };
  let out: unknown;
  if (kind === 'native') {
    const ids = opt('--ids')!.split(',');
    out = await runEngine('native', BENCHES.filter((b) => ids.includes(b.id)));
  } else if (kind === 'first') {
    const b = byId(opt('--bench'));
    const e = opt('--engine') as Engine;
    const { exports, compileMs, instantiateMs } = await load(b, e);
    const n = nOf(b, e);
    const t = performance.now();
    const result = exports.run!(n);
    const end = performance.now();
    out = { compileMs, instantiateMs, callMs: end - t, n, result, sinceStartMs: end } satisfies FirstRun;
  } else if (kind === 'mem') {
    const gc = (globalThis as { gc?: () => void }).gc;
    if (gc === undefined) throw new Error('the memory child needs --expose-gc');
    const count = Number(opt('--count'));
    const ex = (await load(byId('idle'), opt('--engine') as Engine)).exports;
    ex.run!(10);
    ex.clear!();
    gc();
    gc();
    const a = process.memoryUsage();
    const t = performance.now();
    const result = ex.run!(count);
    const ms = performance.now() - t;
    gc();
    gc();
    const z = process.memoryUsage();
    out = { count, rss: z.rss - a.rss, heap: z.heapUsed - a.heapUsed, external: z.external - a.external, ms, result } satisfies Mem;
  } else throw new Error(`unknown child ${kind}`);
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

// ---- the run ------------------------------------------------------------------------------------

interface Row {
  id: string;
  title: string;
  unit: Unit | 'MB';
  n: { lowered: number; native: number; interp: number };
  lowered: { best: number; median: number } | null;
  native: { best: number; median: number } | null;
  interp: { best: number; median: number } | null;
  /** why an engine has no figure */
  missing: Partial<Record<Engine, string>>;
  /** lowered / native (best) */
  ratio: number | null;
  target: Target | null;
  /** the figure compared with the target */
  measured: number | null;
  ok: boolean | null;
  first: { lowered: FirstRun | null; native: FirstRun | null; missing: Partial<Record<Engine, string>> };
  size: { original: number; lowered: number };
}

const perOp = (b: Bench, ms: number, n: number): number => (b.unit === 'ns/op' ? (ms * 1e6) / n : ms);

async function main(): Promise<void> {
  const benches = BENCHES.filter(selected);
  const t0 = performance.now();
  const log = (s: string): void => void process.stderr.write(`${s}\n`);
  const load0 = loadavg()[0]!;
  log(`stack switching benchmark: node ${process.version}, ${quick ? 'quick' : 'full'} run, best and median of ${RUNS} after ${WARM_MS} ms of warm-up`);

  // In a full run each benchmark is measured on the three engines one after the other (lowered
  // in process, native in a child process, interp in process), so that the ratios compare
  // figures taken at about the same time on a machine whose load may change; then come the
  // fresh processes (first runs, memory), one at a time. In --quick everything runs at once.
  const lowered: EngineResult = { checks: {}, timings: {}, errors: {} };
  const interp: EngineResult = { checks: {}, timings: {}, errors: {} };
  const native: EngineResult = { checks: {}, timings: {}, errors: {} };
  /** V8 on some benchmarks in a child process; what V8 lacks aborts the process: that is tried alone */
  const nativeJob = async (bs: readonly Bench[]): Promise<void> => {
    if (bs.length === 0) return;
    const o = await child<EngineResult>(NATIVE_FLAGS, ['native', '--ids', bs.map((b) => b.id).join(',')]);
    if (o.ok) mergeInto(native, o.value!);
    else for (const b of bs) native.errors[b.id] = nativeFailure(o);
  };
  const firsts = new Map<string, Partial<Record<Engine, ChildOutcome<FirstRun>>>>();
  const firstJob = async (b: Bench): Promise<void> => {
    const l = await child<FirstRun>([], ['first', '--engine', 'lowered', '--bench', b.id]);
    const n = await child<FirstRun>(NATIVE_FLAGS, ['first', '--engine', 'native', '--bench', b.id]);
    firsts.set(b.id, { lowered: l, native: n });
  };
  const mem: Record<'lowered' | 'native' | 'fallback', ChildOutcome<Mem> | null> = { lowered: null, native: null, fallback: null };
  const memJob = async (): Promise<void> => {
    mem.lowered = await child<Mem>(['--expose-gc'], ['mem', '--engine', 'lowered', '--count', String(MEM_COUNT)]);
    mem.native = await child<Mem>(['--expose-gc', ...NATIVE_FLAGS], ['mem', '--engine', 'native', '--count', String(MEM_COUNT)]);
    if (!mem.native.ok) {
      mem.fallback = await child<Mem>(['--expose-gc', ...NATIVE_FLAGS], ['mem', '--engine', 'native', '--count', String(MEM_FALLBACK)]);
    }
  };
  const firstOf = benches.filter((b) => b.timed && (!quick || b.id === 'roundtrip'));
  const withMem = benches.some((b) => b.id === 'idle');

  if (quick) {
    const jobs = [nativeJob(benches.filter((b) => b.native)), ...benches.filter((b) => !b.native).map((b) => nativeJob([b])),
      ...firstOf.map(firstJob), withMem ? memJob() : Promise.resolve()];
    mergeInto(lowered, await runEngine('lowered', benches));
    mergeInto(interp, await runEngine('interp', benches));
    await Promise.all(jobs);
  } else {
    for (let pass = 1; pass <= PASSES; pass++) {
      for (const g of groups(benches)) {
        log(`  ${g.map((b) => b.id).join(', ')}: lowered, native${pass === 1 ? ', interp' : ''}${PASSES > 1 ? ` (pass ${pass} of ${PASSES})` : ''}...`);
        mergeInto(lowered, await runEngine('lowered', g));
        await nativeJob(g);
        if (pass === 1) mergeInto(interp, await runEngine('interp', g));
      }
    }
    for (const b of firstOf) {
      log(`  ${b.id}: first runs (fresh processes)...`);
      await firstJob(b);
    }
    if (withMem) {
      log('  memory (fresh processes)...');
      await memJob();
    }
  }

  const { lowered: memLowered, native: memNative, fallback: memNativeFallback } = mem;

  // ---- checksums
  const errors: string[] = [];
  for (const b of benches) {
    const seen = (['lowered', 'native', 'interp'] as const)
      .map((e) => [e, { lowered, native, interp }[e].checks[b.id]] as const)
      .filter(([, v]) => v !== undefined);
    if (seen.length > 1 && seen.some(([, v]) => v !== seen[0]![1])) {
      errors.push(`${b.id}: checksums of run(${b.check}) differ: ${seen.map(([e, v]) => `${e} ${v}`).join(', ')}`);
    }
    for (const e of ['lowered', 'native', 'interp'] as const) {
      const err = { lowered, native, interp }[e].errors[b.id];
      if (err !== undefined && !(e === 'native' && !b.native)) errors.push(`${b.id}: ${e}: ${err}`);
    }
    const lt = lowered.timings[b.id];
    const nt = native.timings[b.id];
    if (lt !== undefined && nt !== undefined && lt.result !== nt.result) {
      errors.push(`${b.id}: run(${lt.n}): lowered ${lt.result}, native ${nt.result}`);
    }
    const f = firsts.get(b.id);
    for (const e of ['lowered', 'native'] as const) {
      const o = f?.[e];
      if (o === undefined) continue;
      if (!o.ok) {
        if (e === 'lowered' || b.native) errors.push(`${b.id}: first run on ${e}: ${o.why ?? ''}`);
      } else if (lt !== undefined && o.value!.result !== lt.result) {
        errors.push(`${b.id}: first run on ${e}: run(${o.value!.n}) = ${o.value!.result}, lowered ${lt.result}`);
      }
    }
  }
  if (memLowered !== null && !memLowered.ok) errors.push(`idle: memory on lowered: ${memLowered.why ?? ''}`);
  if (memLowered?.ok && memNative?.ok && memLowered.value!.result !== memNative.value!.result) {
    errors.push(`idle: run(${MEM_COUNT}): lowered ${memLowered.value!.result}, native ${memNative.value!.result}`);
  }

  // ---- rows
  const rows: Row[] = [];
  const fig = (b: Bench, t: Timing | undefined) => (t === undefined ? null : { best: perOp(b, t.best, t.n), median: perOp(b, t.median, t.n) });
  for (const b of benches) {
    const size = await sizes(b);
    if (!b.timed) {
      if (b.id !== 'idle') continue;
      const mb = (o: ChildOutcome<Mem> | null) => (o?.ok ? o.value!.rss / 1e6 : null);
      const l = mb(memLowered);
      const nat = mb(memNative);
      const missing: Row['missing'] = { interp: 'not measured' };
      if (l === null) missing.lowered = memLowered?.why ?? 'failed';
      if (nat === null) missing.native = memNative === null ? 'failed' : nativeFailure(memNative);
      rows.push({
        id: b.id, title: MEM_COUNT === 1_000_000 ? b.title : `${MEM_COUNT} idle one-frame continuations`, unit: 'MB',
        n: { lowered: MEM_COUNT, native: MEM_COUNT, interp: 0 },
        lowered: l === null ? null : { best: l, median: l }, native: nat === null ? null : { best: nat, median: nat }, interp: null,
        missing, ratio: l !== null && nat !== null ? l / nat : null, target: b.target ?? null, measured: l,
        ok: l === null ? false : l < b.target!.value, first: { lowered: null, native: null, missing: {} }, size,
      });
      continue;
    }
    const l = fig(b, lowered.timings[b.id]);
    const nat = fig(b, native.timings[b.id]);
    const it = fig(b, interp.timings[b.id]);
    const missing: Row['missing'] = {};
    for (const e of ['lowered', 'native', 'interp'] as const) {
      const err = { lowered, native, interp }[e].errors[b.id];
      if (err !== undefined) missing[e] = err;
    }
    const ratio = l !== null && nat !== null ? l.best / nat.best : null;
    let measured: number | null = null;
    const target = b.target ?? null;
    if (target?.kind === 'ns') measured = l?.best ?? null;
    else if (target?.kind === 'vs-native') measured = ratio;
    else if (target?.kind === 'vs-plain') {
      const plain = lowered.timings[b.pair!];
      measured = l !== null && plain !== undefined ? l.best / plain.best : null;
    }
    const f = firsts.get(b.id);
    const firstMissing: Row['first']['missing'] = {};
    if (f?.native !== undefined && !f.native.ok) firstMissing.native = nativeFailure(f.native);
    rows.push({
      id: b.id, title: label(b), unit: b.unit,
      n: { lowered: nOf(b, 'lowered'), native: nOf(b, 'native'), interp: nOf(b, 'interp') },
      lowered: l, native: nat, interp: it, missing, ratio, target, measured,
      ok: target === null ? null : measured !== null && measured <= target.value,
      first: { lowered: f?.lowered?.ok ? f.lowered.value! : null, native: f?.native?.ok ? f.native.value! : null, missing: firstMissing },
      size,
    });
  }

  // ---- the table
  const num = (x: number): string => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
  const targetText = (t: Target | null): string => {
    if (t === null) return '';
    switch (t.kind) {
      case 'ns': return `lowered <= ${t.value} ns`;
      case 'vs-native': return `<= ${t.value}x native`;
      case 'vs-plain': return `<= ${t.value}x plain`;
      case 'mb': return `lowered < ${t.value} MB`;
    }
  };
  const na = (why: string | undefined): string => (why === undefined ? '-' : /lacks switch|out of memory/.test(why) ? `n/a (${why})` : 'error');
  const short = (why: string | undefined): string => (why === undefined ? '-' : /lacks switch|out of memory/.test(why) ? 'n/a' : 'error');
  const firstCell = (r: Row, e: 'lowered' | 'native'): string => {
    const f = r.first[e];
    if (f === null) return short(r.first.missing[e]);
    return num(r.unit === 'ns/op' ? (f.callMs * 1e6) / f.n : f.callMs);
  };
  const sizeCell = (r: Row): string => {
    const { original: o, lowered: l } = r.size;
    return l === o ? `${o} (not lowered)` : `${o} -> ${l} (${(l / o).toFixed(1)}x)`;
  };
  const head = ['benchmark', 'unit', 'lowered', 'median', 'native', 'median', 'interp', 'low/nat', 'target', '', 'measured', '1st low', '1st nat', 'bytes orig -> lowered'];
  const body = rows.map((r) => [
    r.title, r.unit,
    r.lowered === null ? na(r.missing.lowered) : num(r.lowered.best), r.lowered === null ? '' : r.unit === 'MB' ? '' : num(r.lowered.median),
    r.native === null ? na(r.missing.native) : num(r.native.best), r.native === null || r.unit === 'MB' ? '' : num(r.native.median),
    r.interp === null ? (r.unit === 'MB' ? '-' : na(r.missing.interp)) : num(r.interp.best),
    r.ratio === null ? '-' : `${r.ratio.toFixed(2)}x`,
    targetText(r.target), r.ok === null ? '' : r.ok ? 'ok' : 'MISS',
    r.measured === null || r.target === null ? '' : r.target.kind === 'vs-native' || r.target.kind === 'vs-plain' ? `${r.measured.toFixed(3)}x` : num(r.measured),
    firstCell(r, 'lowered'), firstCell(r, 'native'),
    sizeCell(r),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  const out: string[] = [];
  out.push(`stack switching: node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? '?'} (load average ${load0.toFixed(1)} at the start, ${loadavg()[0]!.toFixed(1)} at the end); ` +
    `${quick ? 'QUICK run (a smoke test: the figures mean nothing)' : 'full run'}; best and median of ${RUNS} after ${WARM_MS} ms of warm-up` +
    (PASSES > 1 ? `, ${PASSES} passes (best of all, median of the passes' medians; interp: one pass)` : '') +
    (shared ? '; lowered: on the shared runtime (--shared)' : ''));
  out.push('');
  out.push(line(head));
  out.push(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const b of body) out.push(line(b));
  out.push('');
  const ns = (id: string, e: Engine): string => {
    const r = rows.find((x) => x.id === id);
    return r === undefined ? '?' : String(r.n[e]);
  };
  out.push(`N: ${rows.filter((r) => r.unit === 'ns/op').map((r) => `${r.id} ${ns(r.id, 'lowered')} (interp ${ns(r.id, 'interp')})`).join(', ')}.`);
  const plain = lowered.timings['kernel-plain'];
  const cont = lowered.timings['kernel-cont'];
  if (plain !== undefined && cont !== undefined) {
    const nplain = native.timings['kernel-plain'];
    const ncont = native.timings['kernel-cont'];
    out.push(`kernel: module with continuations / plain module = ${(cont.best / plain.best).toFixed(3)}x on lowered (best), ${(cont.median / plain.median).toFixed(3)}x (median)` +
      (nplain !== undefined && ncont !== undefined ? `; ${(ncont.best / nplain.best).toFixed(3)}x on native` : '') + '.');
  }
  if (memLowered?.ok) {
    const m = memLowered.value!;
    out.push(`memory, lowered: ${m.count} continuations: RSS +${(m.rss / 1e6).toFixed(1)} MB, JS heap +${(m.heap / 1e6).toFixed(1)} MB (${(m.rss / m.count).toFixed(0)} bytes each), made in ${m.ms.toFixed(0)} ms.`);
  }
  if (memNative !== null) {
    const fb = memNativeFallback?.ok ? memNativeFallback.value! : null;
    const m = memNative.ok ? memNative.value! : fb;
    const what = memNative.ok ? '' : `${MEM_COUNT} continuations: ${nativeFailure(memNative)} (one mmap'd stack per continuation; vm.max_map_count ${mapCount()})` + (fb === null ? '.' : '; ');
    out.push(`memory, native: ${what}${m === null ? '' : `${m.count} continuations: RSS +${(m.rss / 1e6).toFixed(1)} MB, JS heap +${(m.heap / 1e6).toFixed(1)} MB (${(m.rss / m.count).toFixed(0)} bytes each), made in ${m.ms.toFixed(0)} ms.`}`);
  }
  const f1 = rows.find((r) => r.id === 'roundtrip')?.first;
  for (const e of ['lowered', 'native'] as const) {
    const f = f1?.[e];
    if (f === null || f === undefined) continue;
    out.push(`first run, ${e}, roundtrip: compile ${f.compileMs.toFixed(1)} ms${e === 'lowered' ? ' (decode, validate, lower, encode, V8 compile)' : ''}, instantiate ${f.instantiateMs.toFixed(1)} ms, the call ${f.callMs.toFixed(1)} ms; ${f.sinceStartMs.toFixed(0)} ms from process start.`);
  }
  out.push(`sizes without the name section; the runtime module the lowered ones share is ${await rtSize()} bytes.`);
  if (errors.length > 0) {
    out.push('');
    for (const e of errors) out.push(`ERROR: ${e}`);
  }
  console.log(out.join('\n'));
  log(`(${((performance.now() - t0) / 1000).toFixed(1)} s)`);

  if (jsonOut !== undefined) {
    const json = {
      node: process.version, cpu: cpus()[0]?.model, cpus: cpus().length, loadavg: [load0, loadavg()[0]], date: new Date().toISOString(), quick, warmMs: WARM_MS, runs: RUNS, passes: PASSES, shared,
      rows, checksums: { lowered: lowered.checks, native: native.checks, interp: interp.checks },
      memory: { lowered: memLowered?.value ?? null, native: memNative?.value ?? null, nativeFallback: memNativeFallback?.value ?? null, nativeFailure: memNative?.ok === false ? nativeFailure(memNative) : null },
      errors,
    };
    writeFileSync(jsonOut, `${JSON.stringify(json, null, 2)}\n`);
  }
  if (errors.length > 0) process.exitCode = 1;
}

async function rtSize(): Promise<number> {
  const { runtimeModule } = await import('../src/lower/index.ts');
  return encodeModule(runtimeModule()).length;
}

function mapCount(): string {
  try {
    return readFileSync('/proc/sys/vm/max_map_count', 'utf8').trim();
  } catch {
    return '?';
  }
}

const childKind = opt('--child');
if (childKind !== undefined) await childMain(childKind);
else await main();

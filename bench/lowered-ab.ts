// Two lowerings of the programs of bench/switching.ts, timed in ONE process, alternating run by
// run (bench/README, "Comparing two lowerings").
//
//   npx node bench/lowered-ab.ts --baseline DIR   A: another checkout's lowering (e.g. a `git worktree
//                                                 add --detach DIR REV`), B: this one's
//   npx node bench/lowered-ab.ts --isolated       A: this lowering on the shared runtime (its imported
//                                                 globals: the polyfill's for modules that import or
//                                                 export references or tags), B: isolated (the
//                                                 polyfill's for modules of numbers, `wasmfx run`'s)
//   npx node bench/lowered-ab.ts --baseline DIR --isolated   both isolated (what bench/switching.ts
//                                                 measures: the polyfill lowers its programs so)
//
// Why one process: on these machines the same lowered code runs at one of two speeds (a round
// trip of 11-12 ns or of 20-24 ns), a state of the machine that lasts seconds to minutes (both
// vCPUs alike, whatever the memory layout) and is steady within a process's run; two builds
// measured in separate processes differ by that more than by what changed. Alternating in one
// process, both builds see the same state, and the ratio B/A is stable to a few percent.
//
// Options: --only ID,...  (ids of bench/switching-benches.ts; default: every timed one)
//          --rounds R      timed runs of each build, alternating (default 9)
//          --warm MS       warm-up per program, both builds alternating (default 1000)
//          --quick         small N, one run, no warm-up: a smoke test (its figures mean nothing)
// Exit status 1 when the two builds disagree on a checksum.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCHES, type Bench } from './switching-benches.ts';

const here = dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const baseline = opt('--baseline');
const isolated = argv.includes('--isolated');
if (baseline === undefined && !isolated) {
  console.error('usage: npx node bench/lowered-ab.ts (--baseline DIR [--isolated] | --isolated) [--only ID,...] [--rounds R] [--warm MS]');
  process.exit(2);
}
if (baseline !== undefined && !existsSync(join(resolve(baseline), 'src', 'lower', 'index.ts'))) {
  console.error(`--baseline ${baseline}: not a checkout of wasmfx (no src/lower/index.ts)`);
  process.exit(2);
}
const only = opt('--only')?.split(',');
const quick = argv.includes('--quick');
const ROUNDS = Number(opt('--rounds') ?? (quick ? 1 : 9));
const WARM_MS = Number(opt('--warm') ?? (quick ? 0 : 1000));
const nOf = (b: Bench): number => (quick ? b.quickN : b.n);

/* eslint-disable @typescript-eslint/no-explicit-any */
type Run = (n: number) => number;

/** A checkout's lowering: parse, lower, encode, and its runtime module (instantiated once). */
interface Build {
  readonly name: string;
  load(b: Bench): Run;
}

async function build(root: string, name: string, iso: boolean): Promise<Build> {
  const src = (p: string) => import(join(root, 'src', p));
  const [{ parseModule }, { encodeModule }, { lowerModule }, { runtimeModule }] = await Promise.all([
    src('text/parser.ts'), src('binary/encoder.ts'), src('lower/index.ts'), src('lower/rt.ts'),
  ]);
  const W = (globalThis as any).WebAssembly;
  const rt = new W.Instance(new W.Module(encodeModule(runtimeModule())), {});
  let tags = 0;
  return {
    name,
    load(b: Bench): Run {
      const m = parseModule(readFileSync(join(here, 'programs', b.file), 'utf8'), b.file);
      const low = lowerModule(m, iso ? { isolated: true } : {});
      const mod = new W.Module(encodeModule(low.module));
      const imports: Record<string, Record<string, unknown>> = { 'wasmfx:rt': rt.exports, bench: { depth: new W.Global({ value: 'i32' }, b.depth ?? 0) } };
      for (const im of W.Module.imports(mod) as { module: string; name: string }[]) {
        if (im.module.startsWith('wasmfx:tag:')) (imports[im.module] ??= {})[im.name] = new W.Global({ value: 'i32', mutable: true }, 1000 + tags++);
      }
      return new W.Instance(mod, imports).exports.run as Run;
    },
  };
}

const self = resolve(here, '..');
const [A, B] = baseline !== undefined
  ? [await build(resolve(baseline), `baseline ${baseline}${isolated ? ', isolated' : ''}`, isolated), await build(self, `this checkout${isolated ? ', isolated' : ''}`, isolated)]
  : [await build(self, 'shared runtime', false), await build(self, 'isolated (the polyfill for modules of numbers, wasmfx run)', true)];

const perOp = (b: Bench, ms: number): number => (b.unit === 'ns/op' ? (ms * 1e6) / nOf(b) : ms);
const fmt = (x: number): string => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const sorted = (xs: number[]): number[] => [...xs].sort((x, y) => x - y);

console.log(`A: ${A.name}\nB: ${B.name}\n${quick ? 'QUICK (the figures mean nothing): ' : ''}${ROUNDS} runs of each, alternating, after ${WARM_MS} ms of warm-up; node ${process.version}\n`);
const rows: string[][] = [['benchmark', 'unit', 'A best', 'A median', 'B best', 'B median', 'B/A best', 'B/A median']];
let bad = false;
for (const b of BENCHES) {
  if (!b.timed || b.id === 'kernel-plain' || (only !== undefined && !only.includes(b.id))) continue;
  const [ra, rb] = [A.load(b), B.load(b)];
  const [ca, cb] = [ra(b.check), rb(b.check)];
  if (ca !== cb) {
    console.log(`ERROR: ${b.id}: checksums differ: A ${ca}, B ${cb}`);
    bad = true;
    continue;
  }
  const t0 = performance.now();
  while (performance.now() - t0 < WARM_MS) {
    ra(nOf(b));
    rb(nOf(b));
  }
  const ta: number[] = [];
  const tb: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    for (const [r, out] of [[ra, ta], [rb, tb]] as const) {
      const t = performance.now();
      r(nOf(b));
      out.push(perOp(b, performance.now() - t));
    }
  }
  const [sa, sb] = [sorted(ta), sorted(tb)];
  const mid = ROUNDS >> 1;
  rows.push([b.id, b.unit, fmt(sa[0]!), fmt(sa[mid]!), fmt(sb[0]!), fmt(sb[mid]!), (sb[0]! / sa[0]!).toFixed(3), (sb[mid]! / sa[mid]!).toFixed(3)]);
}
const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
for (const [k, r] of rows.entries()) {
  console.log(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '));
  if (k === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
}
if (bad) process.exitCode = 1;

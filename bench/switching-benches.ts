// The programs of bench/switching.ts (and bench/lowered-ab.ts): one entry per row of its table.

export type Unit = 'ns/op' | 'ms';

export interface Target {
  /** what is compared with `value`: lowered ns/op, lowered/native, lowered/plain kernel, lowered MB */
  readonly kind: 'ns' | 'vs-native' | 'vs-plain' | 'mb';
  readonly value: number;
}

export interface Bench {
  readonly id: string;
  readonly title: string;
  readonly file: string;
  /** the imported global "bench" "depth" */
  readonly depth?: number;
  readonly unit: Unit;
  /** N of the timed runs (lowered and native), and in --quick */
  readonly n: number;
  readonly quickN: number;
  /** the interpreter's N */
  readonly interpN: number;
  /** N of the checksum every engine computes */
  readonly check: number;
  /** false: checked only (the memory program) */
  readonly timed: boolean;
  /** does V8 run it natively? */
  readonly native: boolean;
  readonly target?: Target;
  /** measured interleaved with another (the kernel's baseline) */
  readonly pair?: string;
  /** timed runs in a full run, when not RUNS */
  readonly runs?: number;
}

const B = (b: Omit<Bench, 'timed' | 'native' | 'unit' | 'check'> & Partial<Bench>): Bench => ({
  timed: true, native: true, unit: 'ns/op', check: 1000, ...b,
});

export const BENCHES: readonly Bench[] = [
  B({ id: 'roundtrip', title: 'suspend/resume round trip, depth 1', file: 'roundtrip.wat', n: 1_000_000, quickN: 20_000, interpN: 100_000, target: { kind: 'ns', value: 10 } }),
  B({ id: 'fresh10', title: 'suspend 10 frames down, entered afresh', file: 'fresh.wat', depth: 10, n: 200_000, quickN: 2_000, interpN: 20_000, target: { kind: 'vs-native', value: 0.5 } }),
  B({ id: 'fresh100', title: 'suspend 100 frames down, entered afresh', file: 'fresh.wat', depth: 100, n: 20_000, quickN: 200, interpN: 2_000 }),
  B({ id: 'loop1', title: 'suspend from a loop 1 frame deep', file: 'deep-loop.wat', depth: 1, n: 1_000_000, quickN: 20_000, interpN: 100_000, target: { kind: 'ns', value: 10 } }),
  B({ id: 'loop100', title: 'suspend from a loop 100 frames deep', file: 'deep-loop.wat', depth: 100, n: 1_000_000, quickN: 20_000, interpN: 100_000, target: { kind: 'ns', value: 10 } }),
  B({ id: 'switch', title: 'switch between two continuations', file: 'switch.wat', n: 1_000_000, quickN: 20_000, interpN: 100_000, native: false }),
  B({ id: 'new', title: 'cont.new + resume to completion', file: 'new-resume.wat', n: 1_000_000, quickN: 20_000, interpN: 100_000 }),
  B({ id: 'idle', title: 'a million idle one-frame continuations', file: 'idle.wat', n: 0, quickN: 0, interpN: 0, timed: false, unit: 'ms', target: { kind: 'mb', value: 200 } }),
  B({ id: 'kernel-plain', title: 'kernel fib(N), plain module', file: 'kernel-plain.wat', unit: 'ms', n: 30, quickN: 18, interpN: 30, check: 15, runs: 25 }),
  B({ id: 'kernel-cont', title: 'kernel fib(N), module with continuations', file: 'kernel-cont.wat', unit: 'ms', n: 30, quickN: 18, interpN: 30, check: 15, pair: 'kernel-plain', runs: 25, target: { kind: 'vs-plain', value: 1.05 } }),
];


// Micro-benchmarks of the interpreter's machine: `npx node bench/kernels.ts`.
// Compares with V8 running the same binary natively (fib, a memory loop, an f64 loop)
// and times suspend/resume round trips of a generator (compare with the reference
// interpreter: ../shared/tools/reference-interpreter on the same program).

import { parseModule } from '../src/text/parser.ts';
import { encodeModule } from '../src/binary/encoder.ts';
import { GENERATOR_WAT, call, load } from '../test/helpers/exec-testkit.ts';

const WAT = `(module
  (memory 16)
  (func $fib (export "fib") (param i32) (result i32)
    (if (result i32) (i32.lt_s (local.get 0) (i32.const 2))
      (then (local.get 0))
      (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                     (call $fib (i32.sub (local.get 0) (i32.const 2)))))))
  (func (export "memloop") (param $reps i32) (result i32)
    (local $i i32) (local $sum i32)
    (loop $r
      (local.set $i (i32.const 0))
      (loop $w
        (i32.store (local.get $i) (local.get $i))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br_if $w (i32.lt_u (local.get $i) (i32.const 1048576))))
      (local.set $i (i32.const 0))
      (loop $s
        (local.set $sum (i32.add (local.get $sum) (i32.load (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br_if $s (i32.lt_u (local.get $i) (i32.const 1048576))))
      (br_if $r (local.tee $reps (i32.sub (local.get $reps) (i32.const 1)))))
    (local.get $sum))
  (func (export "floop") (param $n i32) (result f64)
    (local $x f64) (local $i i32)
    (loop $l
      (local.set $x (f64.add (f64.mul (local.get $x) (f64.const 0.5)) (f64.convert_i32_s (local.get $i))))
      (br_if $l (i32.lt_s (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (local.get $x))
)`;


interface Native {
  Module: new (bytes: Uint8Array) => unknown;
  Instance: new (m: unknown, imports: object) => { exports: Record<string, (...a: number[]) => unknown> };
}

function best(f: () => unknown, runs: number): number {
  let t = Infinity;
  for (let k = 0; k < runs; k++) {
    const s = performance.now();
    f();
    t = Math.min(t, performance.now() - s);
  }
  return t;
}

const runs = Number(process.env.WASMFX_BENCH_RUNS ?? 30);
const inst = load(WAT);
const gen = load(GENERATOR_WAT);
const WA = (globalThis as unknown as { WebAssembly?: Native }).WebAssembly;
const native = WA === undefined ? null : new WA.Instance(new WA.Module(encodeModule(parseModule(WAT))), {}).exports;
for (const [name, arg] of [['fib', 27], ['memloop', 10], ['floop', 3_000_000]] as const) {
  const ours = best(() => call(inst, name, [arg]), runs);
  const theirs = native === null ? NaN : best(() => native[name]!(arg), runs);
  console.log(`${name}(${arg}): ${ours.toFixed(1)} ms; native ${theirs.toFixed(2)} ms; ratio ${(ours / theirs).toFixed(1)}`);
}
const n = 1_000_000;
const g = best(() => call(gen, 'sum', [n]), Math.max(3, runs / 5));
console.log(`generator: ${((g / n) * 1e6).toFixed(0)} ns per suspend/resume round trip`);

// Differential testing of the translator and the machine against V8's own Wasm
// engine: random flat i32 programs (operand stacks left across instructions,
// blocks/ifs/loops with parameters and results, br_if/br_table carrying values,
// local.set/tee of pending values, select, calls) must give the same results.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseModule } from '../text/parser.ts';
import { encodeModule } from '../binary/encoder.ts';
import { load, call } from './testkit.ts';

interface WasmApi {
  Module: new (bytes: Uint8Array) => unknown;
  Instance: new (m: unknown, imports: object) => { exports: Record<string, (...a: unknown[]) => unknown> };
}
const WA = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

/** A small deterministic PRNG (mulberry32). */
function rng(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n) => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (((t ^ (t >>> 14)) >>> 0) % n);
  };
}

const UNARY = ['i32.eqz', 'i32.clz', 'i32.ctz', 'i32.popcnt', 'i32.extend8_s'];
const BINARY = [
  'i32.add', 'i32.sub', 'i32.mul', 'i32.and', 'i32.or', 'i32.xor', 'i32.shl', 'i32.shr_s', 'i32.shr_u', 'i32.rotl',
  'i32.rotr', 'i32.eq', 'i32.ne', 'i32.lt_s', 'i32.lt_u', 'i32.gt_s', 'i32.gt_u', 'i32.le_s', 'i32.le_u', 'i32.ge_s',
  'i32.ge_u', 'i32.div_u', 'i32.rem_s',
];
const BINARY64 = ['i64.add', 'i64.sub', 'i64.mul', 'i64.xor', 'i64.shl', 'i64.shr_u', 'i64.rotl'];
const CMP64 = ['i64.eq', 'i64.lt_s', 'i64.gt_u'];
const CONSTS = [0, 1, -1, 2, 3, 7, 31, 32, 100, -100, 0x7fffffff, -0x80000000, 12345];

type T = 'i32' | 'i64';

interface Label {
  readonly types: readonly T[];
  readonly loop: boolean;
}

class Gen {
  readonly r: (n: number) => number;
  readonly locals: readonly T[];
  readonly counters: number[];
  readonly nfuncs: number;
  readonly self: number;
  readonly sigs: readonly Sig[];
  out: string[] = [];
  budget = 60;

  constructor(r: (n: number) => number, locals: readonly T[], counters: number[], self: number, sigs: readonly Sig[]) {
    this.r = r;
    this.locals = locals;
    this.counters = counters;
    this.self = self;
    this.sigs = sigs;
    this.nfuncs = sigs.length;
  }

  emit(s: string): void {
    this.out.push(s);
  }

  pick<X>(xs: readonly X[]): X {
    return xs[this.r(xs.length)]!;
  }

  /** A local of type t, if any. */
  localOf(t: T): number {
    const xs: number[] = [];
    this.locals.forEach((l, i) => {
      if (l === t) xs.push(i);
    });
    return xs.length === 0 ? -1 : this.pick(xs);
  }

  push(st: T[], t: T): void {
    if (t === 'i32') {
      const x = this.r(2) ? this.localOf('i32') : -1;
      this.emit(x >= 0 ? `local.get ${x}` : `i32.const ${this.pick(CONSTS)}`);
    } else {
      const x = this.r(2) ? this.localOf('i64') : -1;
      this.emit(x >= 0 ? `local.get ${x}` : `i64.const ${BigInt(this.pick(CONSTS)) * BigInt(1 + this.r(3) * 0x10000)}`);
    }
    st.push(t);
  }

  /** Whether the top of st matches ts. */
  topIs(st: readonly T[], ts: readonly T[]): boolean {
    if (st.length < ts.length) return false;
    for (let i = 0; i < ts.length; i++) if (st[st.length - ts.length + i] !== ts[i]) return false;
    return true;
  }

  types(n: number): T[] {
    return Array.from({ length: n }, () => (this.r(3) === 0 ? 'i64' : 'i32'));
  }

  /** Random code from stack st (mutated); returns false when it ended in a branch. */
  code(st: T[], labels: Label[], depth: number): boolean {
    const n = 1 + this.r(8);
    for (let k = 0; k < n && this.budget > 0; k++) {
      this.budget--;
      const c = this.r(100);
      const top = st[st.length - 1];
      if (c < 18) this.push(st, this.r(4) === 0 ? 'i64' : 'i32');
      else if (c < 24 && top === 'i32') this.emit(this.pick(UNARY));
      else if (c < 36 && top === 'i32' && st[st.length - 2] === 'i32') {
        this.emit(this.pick(BINARY));
        st.pop();
      } else if (c < 40 && top === 'i64' && st[st.length - 2] === 'i64') {
        const cmp = this.r(3) === 0;
        this.emit(cmp ? this.pick(CMP64) : this.pick(BINARY64));
        st.pop();
        if (cmp) st[st.length - 1] = 'i32';
      } else if (c < 42 && top !== undefined) {
        // conversions
        if (top === 'i32') this.emit(this.r(2) ? 'i64.extend_i32_s' : 'i64.extend_i32_u');
        else this.emit(this.r(2) ? 'i32.wrap_i64' : 'i64.eqz');
        st[st.length - 1] = top === 'i32' ? 'i64' : 'i32';
      } else if (c < 49 && top !== undefined) {
        const x = this.localOf(top);
        if (x >= 0) {
          this.emit(`local.set ${x}`);
          st.pop();
        }
      } else if (c < 53 && top !== undefined) {
        const x = this.localOf(top);
        if (x >= 0) this.emit(`local.tee ${x}`);
      } else if (c < 56 && top !== undefined) {
        this.emit('drop');
        st.pop();
      } else if (c < 59 && top === 'i32' && st.length >= 3 && st[st.length - 2] === st[st.length - 3]) {
        this.emit('select');
        st.pop();
        st.pop();
      } else if (c < 67 && depth < 4) {
        // block / if with parameters and results
        const isIf = this.r(2) === 0 && top === 'i32';
        const avail = st.length - (isIf ? 1 : 0);
        const np = this.r(Math.min(avail, 2) + 1);
        const params = st.slice(avail - np, avail);
        const results = this.types(this.r(3));
        const ty = `${np ? ` (param ${params.join(' ')})` : ''}${results.length ? ` (result ${results.join(' ')})` : ''}`;
        const lab = { types: results, loop: false };
        if (isIf) {
          this.emit(`if${ty}`);
          st.pop();
          this.body(params, results, [...labels, lab], depth + 1);
          this.emit('else');
          this.body(params, results, [...labels, lab], depth + 1);
        } else {
          this.emit(`block${ty}`);
          this.body(params, results, [...labels, lab], depth + 1);
        }
        this.emit('end');
        st.length -= np;
        st.push(...results);
      } else if (c < 71 && depth < 3 && this.counters.length > depth) {
        // a bounded loop (parameters passed around on the back-edge)
        const results = this.types(this.r(2));
        const params = this.types(this.r(2));
        const ctr = this.counters[depth]!;
        this.emit(`i32.const 0`);
        this.emit(`local.set ${ctr}`);
        for (const t of params) this.push(st, t);
        const ty = `${params.length ? ` (param ${params.join(' ')})` : ''}${results.length ? ` (result ${results.join(' ')})` : ''}`;
        this.emit(`loop${ty}`);
        const inner: T[] = [...params];
        const lab = { types: params, loop: true };
        if (this.code(inner, [...labels, lab], depth + 1)) {
          this.fix(inner, params);
          this.emit(`local.get ${ctr}`);
          this.emit('i32.const 1');
          this.emit('i32.add');
          this.emit(`local.tee ${ctr}`);
          this.emit(`i32.const ${2 + this.r(3)}`);
          this.emit('i32.lt_u');
          this.emit('br_if 0');
          this.fix(inner, results);
        }
        this.emit('end');
        st.length -= params.length;
        st.push(...results);
      } else if (c < 74 && depth < 3 && this.counters.length > depth) {
        // a top-tested loop: the counter is tested first, so any branch back to the loop ends
        const ctr = this.counters[depth]!;
        const k = 2 + this.r(3);
        const cmp = this.pick(['i32.gt_u', 'i32.ge_s', 'i32.eq']);
        this.emit(`i32.const 0`);
        this.emit(`local.set ${ctr}`);
        this.emit('block');
        this.emit('loop');
        if (this.r(3) === 0) {
          // test at the top, increment at the bottom (no other branch back: it would skip the increment)
          this.emit(`local.get ${ctr}`);
          this.emit(`i32.const ${k}`);
          this.emit(this.pick(['i32.ge_u', 'i32.ge_s', 'i32.eq', 'i32.gt_s']));
          this.emit('br_if 1');
          const inner: T[] = [];
          if (this.code(inner, [...labels, { types: [], loop: false }, { types: [], loop: true }], depth + 1)) {
            this.fix(inner, []);
            this.emit(`local.get ${ctr}`);
            this.emit('i32.const 1');
            this.emit('i32.add');
            this.emit(`local.set ${ctr}`);
            this.emit('br 0');
          }
          this.emit('end');
          this.emit('end');
          continue;
        }
        if (this.r(2)) {
          this.emit(`local.get ${ctr}`);
          this.emit('i32.const 1');
          this.emit('i32.add');
          this.emit(`local.tee ${ctr}`);
        } else {
          this.emit(`local.get ${ctr}`);
          this.emit('i32.const 1');
          this.emit('i32.add');
          this.emit(`local.set ${ctr}`);
          this.emit(`local.get ${ctr}`);
        }
        this.emit(`i32.const ${cmp === 'i32.eq' ? k : k - 1}`);
        this.emit(cmp);
        this.emit('br_if 1');
        const inner: T[] = [];
        const labs = [...labels, { types: [], loop: false }, { types: [], loop: false }];
        if (this.code(inner, labs, depth + 1)) {
          this.fix(inner, []);
          this.emit('br 0');
        }
        this.emit('end');
        this.emit('end');
      } else if (c < 78 && labels.length > 0) {
        // br_if to a block label (loops are only branched to by their latch)
        const l = this.r(labels.length);
        const lab = labels[labels.length - 1 - l]!;
        if (!lab.loop && top === 'i32' && this.topIs(st.slice(0, -1), lab.types)) {
          this.emit(`br_if ${l}`);
          st.pop();
        }
      } else if (c < 80 && labels.length > 0) {
        const l = this.r(labels.length);
        const lab = labels[labels.length - 1 - l]!;
        if (!lab.loop && this.topIs(st, lab.types)) {
          this.emit(`br ${l}`);
          return false;
        }
      } else if (c < 83 && labels.length > 0 && top === 'i32') {
        const l = this.r(labels.length);
        const lab = labels[labels.length - 1 - l]!;
        if (!lab.loop && this.topIs(st.slice(0, -1), lab.types)) {
          const same: number[] = [];
          labels.forEach((x, i) => {
            if (!x.loop && x.types.join() === lab.types.join()) same.push(labels.length - 1 - i);
          });
          const targets = Array.from({ length: 1 + this.r(3) }, () => this.pick(same));
          this.emit(`br_table ${targets.join(' ')} ${l}`);
          return false;
        }
      } else if (c < 88 && this.self + 1 < this.nfuncs) {
        const f = this.self + 1 + this.r(this.nfuncs - this.self - 1);
        const sig = this.sigs[f]!;
        if (this.topIs(st, sig.params)) {
          this.emit(`call ${f}`);
          st.length -= sig.params.length;
          st.push(...sig.results);
        }
      }
    }
    return true;
  }

  /** Adjusts the stack to exactly `want`. */
  fix(st: T[], want: readonly T[]): void {
    // keep the longest prefix that already matches, then drop and push
    let keep = 0;
    while (keep < st.length && keep < want.length && st[keep] === want[keep]) keep++;
    while (st.length > keep) {
      const t = st.pop()!;
      const x = this.r(2) ? this.localOf(t) : -1;
      this.emit(x >= 0 ? `local.set ${x}` : 'drop');
    }
    for (let i = keep; i < want.length; i++) this.push(st, want[i]!);
  }

  body(params: readonly T[], results: readonly T[], labels: Label[], depth: number): void {
    const st = [...params];
    if (this.code(st, labels, depth)) this.fix(st, results);
  }
}

interface Sig {
  readonly params: readonly T[];
  readonly results: readonly T[];
}

function program(seed: number): { wat: string; sigs: Sig[] } {
  const r = rng(seed);
  const nf = 1 + r(3);
  const ty = (): T => (r(3) === 0 ? 'i64' : 'i32');
  const sigs: Sig[] = Array.from({ length: nf }, () => ({
    params: Array.from({ length: r(3) }, ty),
    results: Array.from({ length: 1 + r(2) }, ty),
  }));
  const funcs: string[] = [];
  for (let f = 0; f < nf; f++) {
    const { params, results } = sigs[f]!;
    const extra: T[] = Array.from({ length: 2 + r(3) }, ty);
    const locals: T[] = [...params, ...extra];
    const counters = [locals.length, locals.length + 1, locals.length + 2];
    const g = new Gen(r, locals, counters, f, sigs);
    g.body([], results, [{ types: results, loop: false }], 0);
    funcs.push(
      `(func (export "f${f}")${params.length ? ` (param ${params.join(' ')})` : ''} (result ${results.join(' ')}) (local ${[...extra, 'i32', 'i32', 'i32'].join(' ')})\n    ${g.out.join('\n    ')})`,
    );
  }
  return { wat: `(module\n  ${funcs.join('\n  ')}\n)`, sigs };
}

test('random programs agree with V8', { skip: WA === undefined ? 'no WebAssembly' : false }, () => {
  let checked = 0;
  const seeds = Number(process.env.WASMFX_FUZZ_SEEDS ?? 400);
  for (let seed = 1; seed <= seeds; seed++) {
    const { wat, sigs } = program(seed);
    const bytes = encodeModule(parseModule(wat));
    const native = new WA!.Instance(new WA!.Module(bytes), {}).exports;
    const ours = load(wat);
    const r = rng(seed * 7919);
    sigs.forEach(({ params }, f) => {
      for (let trial = 0; trial < 3; trial++) {
        const args = params.map((t) => {
          const v = (CONSTS[r(CONSTS.length)]! + r(5)) | 0;
          return t === 'i32' ? v : BigInt.asIntN(64, BigInt(v) * 0x1_0000_0001n);
        });
        let want: unknown;
        let wantTrap = false;
        try {
          const v = native[`f${f}`]!(...(args as number[]));
          want = Array.isArray(v) ? v : [v];
        } catch {
          wantTrap = true;
        }
        let got: unknown;
        let gotTrap = false;
        try {
          got = call(ours, `f${f}`, args);
        } catch (e) {
          if ((e as { kind?: string }).kind !== 'trap') throw e;
          gotTrap = true;
        }
        assert.equal(gotTrap, wantTrap, `seed ${seed} f${f}(${args}): trap ${gotTrap} vs ${wantTrap}\n${wat}`);
        if (!wantTrap) assert.deepEqual(got, want, `seed ${seed} f${f}(${args})\n${wat}`);
        checked++;
      }
    });
  }
  assert.ok(checked > 1000);
});

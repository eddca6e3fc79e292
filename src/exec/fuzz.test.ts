// Differential testing of the translator and the machine against V8's own Wasm
// engine: random flat i32 programs (operand stacks left across instructions,
// blocks/ifs/loops with parameters and results, br_if/br_table carrying values,
// local.set/tee of pending values, select, calls) must give the same results;
// so must random mixed-type programs (see "mixed-type programs" below).
//
// WASMFX_FUZZ_SEEDS=n runs n programs of each kind; WASMFX_FUZZ_MIXED_SEEDS=n only
// changes the mixed ones, and WASMFX_FUZZ_FIRST=s starts them at seed s.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseModule } from '../text/parser.ts';
import { encodeModule } from '../binary/encoder.ts';
import { validateModule } from '../valid/validator.ts';
import { BY_NAME } from '../syntax/opcodes.ts';
import type { MemoryInst } from '../runtime/value.ts';
import { NUMERIC } from './numeric.ts';
import { instantiate } from '../runtime/instantiate.ts';
import { invoke } from './engine.ts';
import { load, call, exported } from '../../test/helpers/exec-testkit.ts';

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

/**
 * What both generators share: bringing a random operand stack to the types a block or a
 * function must leave, and a function body that way.
 */
abstract class StackGen<V, L> {
  abstract readonly r: (n: number) => number;
  abstract emit(s: string): void;
  abstract localOf(t: V): number;
  abstract push(st: V[], t: V): void;
  abstract code(st: V[], labels: L[], depth: number): boolean;

  /** Adjusts the stack to exactly `want`. */
  fix(st: V[], want: readonly V[]): void {
    // keep the longest prefix that already matches, then drop (or set a local) and push
    let keep = 0;
    while (keep < st.length && keep < want.length && st[keep] === want[keep]) keep++;
    while (st.length > keep) {
      const t = st.pop()!;
      const x = this.r(2) ? this.localOf(t) : -1;
      this.emit(x >= 0 ? `local.set ${x}` : 'drop');
    }
    for (let i = keep; i < want.length; i++) this.push(st, want[i]!);
  }

  body(params: readonly V[], results: readonly V[], labels: L[], depth: number): void {
    const st = [...params];
    if (this.code(st, labels, depth)) this.fix(st, results);
  }
}

class Gen extends StackGen<T, Label> {
  readonly r: (n: number) => number;
  readonly locals: readonly T[];
  readonly counters: number[];
  readonly nfuncs: number;
  readonly self: number;
  readonly sigs: readonly Sig[];
  out: string[] = [];
  budget = 60;

  constructor(r: (n: number) => number, locals: readonly T[], counters: number[], self: number, sigs: readonly Sig[]) {
    super();
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

test('random programs agree with V8', () => {
  assert.ok(WA !== undefined, 'this JavaScript host has no WebAssembly to compare with');
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

// ---- mixed-type programs -----------------------------------------------------------------------
//
// Random programs over i32, i64, f32, f64, v128, funcref and externref: blocks, ifs, loops and
// try_tables (catch, catch_ref + throw_ref) with mixed parameters and results, a few or many;
// br, br_if, br_table, br_on_null, br_on_non_null, return, throw and tail calls carrying them
// (and dead code after them); select (typed and not); direct, indirect and call_ref calls with
// several results; locals (sometimes hundreds), globals, struct fields and array elements of
// every type (packed i8/i16 too); every numeric operator, conversions and reinterprets
// included; SIMD splats and lanes to and from every scalar type; loads and stores of every
// width (unaligned, out of bounds); NaN constants with signalling payloads everywhere.
//
// Every value is deterministic: a float operator whose NaN result has an unspecified payload (all
// but abs, neg, copysign, reinterpret) is followed by `sanitize`, which replaces a NaN by a
// constant NaN (`x; c; x; x; f.eq; select`); moves, loads, selects, calls and globals must keep
// NaN bits exactly. Exported wrappers `e<n>` take and return floats as their bits (i32/i64) and
// references as small integers, so no value crosses the JS boundary as a JS float. After each
// call the trap class (if any), the globals, struct and arrays (`dump`) and memory must agree.
//
// Each program also has a stack-switching variant that only we run: there the wrappers run the
// function as a continuation under a handler of the tag $y, `call $h` sites (P -> R) become
// `suspend $y` (the handler calls $h and resumes with its results), and some calls become
// `cont.new` + `resume`; it must give what V8 gives for the plain variant.

type MT = 'i32' | 'i64' | 'f32' | 'f64' | 'v128' | 'funcref' | 'externref';
const MTYPES: readonly MT[] = ['i32', 'i64', 'f32', 'f64', 'v128', 'funcref', 'externref'];
const NUMS: readonly MT[] = ['i32', 'i64', 'f32', 'f64'];
/** the types with loads and stores, and immutable globals $k_<type> */
const VALS: readonly MT[] = [...NUMS, 'v128'];
const isRef = (t: MT): boolean => t === 'funcref' || t === 'externref';

interface MOp {
  readonly name: string;
  readonly params: readonly MT[];
  readonly result: MT;
}
/** The numeric operators (from the interpreter's table, so none is missed). */
const MOPS: readonly MOp[] = Object.keys(NUMERIC).map((name) => {
  const [p, r] = BY_NAME.get(name)!.sig!.split('->').map((s) => s.trim());
  return { name, params: p!.split(' ') as MT[], result: r as MT };
});
/** Float operators whose result is exact on NaNs too (bit operations). */
const EXACT = new Set(['f32.abs', 'f32.neg', 'f32.copysign', 'f64.abs', 'f64.neg', 'f64.copysign', 'f32.reinterpret_i32', 'f64.reinterpret_i64']);
const MAY_TRAP = /div|rem|trunc_f/;
const COMPARE: Record<string, readonly string[]> = Object.fromEntries(
  NUMS.map((t) => [t, MOPS.filter((o) => o.result === 'i32' && o.params.length === 2 && o.params[0] === t).map((o) => o.name)]),
);

const I32S = [0, 1, -1, 2, 7, 31, 32, 63, 64, 100, -100, 255, 256, 0x7fff, 0x8000, 0xffff, 0x7fffffff, -0x80000000, 0x7f800001, 0x7fc00000];
const I64S = [
  0n, 1n, -1n, 63n, 64n, 0x7fffffffn, 0x80000000n, 0xffffffffn, 0x100000000n, -0x8000000000000000n, 0x7fffffffffffffffn,
  0x7ff0000000000001n, -0x10000000000000n,
];
const F32S = [
  0, 0x80000000, 0x3f800000, 0xbf800000, 0x3f000000, 0x3fc00000, 0x40200000, 0xbfc00000, 0x7f800000, 0xff800000, 0x7fc00000,
  0xffc00000, 0x7f800001, 0x7fa00000, 0xff800001, 0x7fc00001, 0x7fffffff, 1, 0x80000001, 0x00800000, 0x7f7fffff, 0x4f000000,
  0xcf000000, 0x4effffff, 0x4f800000, 0x5f000000, 0xdf000000,
];
const F64S = [
  0n, 0x8000000000000000n, 0x3ff0000000000000n, 0xbff0000000000000n, 0x3fe0000000000000n, 0x3ff8000000000000n,
  0x4004000000000000n, 0x7ff0000000000000n, 0xfff0000000000000n, 0x7ff8000000000000n, 0xfff8000000000000n,
  0x7ff0000000000001n, 0x7ff4000000000000n, 0xfff0000000000001n, 0x7ff8000000000001n, 0x7fffffffffffffffn, 1n,
  0x7fefffffffffffffn, 0x0010000000000000n, 0x41e0000000000000n, 0xc1e0000000200000n, 0x41dfffffffc00000n,
  0x43e0000000000000n, 0xc3e0000000000000n, 0x43f0000000000000n, 0x36a0000000000000n,
];
/** Signalling and quiet NaNs with payloads, for sanitize. */
const NAN32 = [0x7f800001, 0xffa00000, 0x7fc00000, 0x7fd00001];
const NAN64 = [0x7ff0000000000001n, 0xfff4000000000000n, 0x7ff8000000000000n, 0x7ffc000000000abcn];

/** Exact WAT text of f32 bits (uint32). */
function f32Text(b: number): string {
  const s = b >>> 31 ? '-' : '';
  const e = (b >>> 23) & 0xff;
  const m = b & 0x7fffff;
  if (e === 0xff) return s + (m ? `nan:0x${m.toString(16)}` : 'inf');
  const frac = (m * 2).toString(16).padStart(6, '0');
  return e === 0 ? `${s}0x0.${frac}p-126` : `${s}0x1.${frac}p${e - 127}`;
}

/** Exact WAT text of f64 bits (unsigned bigint). */
function f64Text(b: bigint): string {
  const s = b >> 63n ? '-' : '';
  const e = Number((b >> 52n) & 0x7ffn);
  const m = b & 0xfffffffffffffn;
  if (e === 0x7ff) return s + (m ? `nan:0x${m.toString(16)}` : 'inf');
  const frac = m.toString(16).padStart(13, '0');
  return e === 0 ? `${s}0x0.${frac}p-1022` : `${s}0x1.${frac}p${e - 1023}`;
}

const LOADS: Record<string, readonly string[]> = {
  i32: ['i32.load', 'i32.load8_s', 'i32.load8_u', 'i32.load16_s', 'i32.load16_u'],
  i64: ['i64.load', 'i64.load8_s', 'i64.load8_u', 'i64.load16_s', 'i64.load16_u', 'i64.load32_s', 'i64.load32_u'],
  f32: ['f32.load'],
  f64: ['f64.load'],
  v128: ['v128.load', 'v128.load', 'v128.load64_splat', 'v128.load32_zero', 'v128.load8x8_s', 'v128.load16x4_u'],
};
const STORES: Record<string, readonly string[]> = {
  i32: ['i32.store', 'i32.store8', 'i32.store16'],
  i64: ['i64.store', 'i64.store8', 'i64.store16', 'i64.store32'],
  f32: ['f32.store'],
  f64: ['f64.store'],
  v128: ['v128.store'],
};
const width = (op: string): number => {
  if (op.startsWith('v128')) return op === 'v128.load' || op === 'v128.store' ? 16 : op.endsWith('32_zero') ? 4 : 8;
  const m = /(8|16|32)(_[su])?$/.exec(op);
  return m ? Number(m[1]) / 8 : op.startsWith('i64') || op.startsWith('f64') ? 8 : 4;
};

/** The fields of struct $S (in global $gs) and the arrays $A<name> (in globals $ga<name>, 4 elements): storage and value types. */
const FIELDS: readonly (readonly [string, MT])[] = [
  ['i32', 'i32'], ['i64', 'i64'], ['f32', 'f32'], ['f64', 'f64'], ['i8', 'i32'], ['i16', 'i32'], ['funcref', 'funcref'], ['externref', 'externref'],
];
const ARRAYS: readonly (readonly [string, string, MT])[] = [
  ['8', 'i8', 'i32'], ['16', 'i16', 'i32'], ['L', 'i64', 'i64'], ['F', 'f32', 'f32'], ['D', 'f64', 'f64'], ['R', 'funcref', 'funcref'],
];
const packed = (s: string): boolean => s === 'i8' || s === 'i16';

/** Text differing between the plain variant (V8's) and the stack-switching one (ours). */
const variant = (plain: readonly string[], ss: readonly string[]): string =>
  `\u0001${plain.join('\n    ')}\u0002${ss.join('\n    ')}\u0003`;
const render = (wat: string, ss: boolean): string =>
  wat.replace(/\u0001([^\u0002]*)\u0002([^\u0003]*)\u0003/g, (_, a: string, b: string) => (ss ? b : a));

/** Code converting a reference on top of the stack to an i32 (null: -1 when `safe`, else a trap). */
function refToI32(t: MT, scratch: number, safe: boolean): string[] {
  const nonNull = t === 'funcref'
    ? ['i32.const 3', `local.get ${scratch}`, 'table.set $t', 'i32.const 3', 'call_indirect (type $k)']
    : [`local.get ${scratch}`, 'any.convert_extern', 'ref.cast (ref i31)', 'i31.get_s'];
  if (!safe) return [`local.set ${scratch}`, ...nonNull];
  return [`local.tee ${scratch}`, 'ref.is_null', 'if (result i32)', 'i32.const -1', 'else', ...nonNull, 'end'];
}

/** The value on top of the stack as its carrier (refs: safe; with scratch locals fr, er, vr: funcref, externref, v128). */
function toCarrier(t: MT, fr: number, er: number, vr: number): string[] {
  if (t === 'f32') return ['i32.reinterpret_f32'];
  if (t === 'f64') return ['i64.reinterpret_f64'];
  if (t === 'v128') {
    return [`local.tee ${vr}`, 'i64x2.extract_lane 0', `local.get ${vr}`, 'i64x2.extract_lane 1', 'i64.const 1', 'i64.rotl', 'i64.xor'];
  }
  if (t === 'funcref') return refToI32(t, fr, true);
  if (t === 'externref') return refToI32(t, er, true);
  return [];
}

/** The JS-facing type of a value: floats as their bits, references as an i32. */
const carrier = (t: MT): MT => (t === 'i64' || t === 'f64' || t === 'v128' ? 'i64' : 'i32');

function sigText(params: readonly MT[], results: readonly MT[]): string {
  return `${params.length ? ` (param ${params.join(' ')})` : ''}${results.length ? ` (result ${results.join(' ')})` : ''}`;
}

interface MSig {
  readonly params: readonly MT[];
  readonly results: readonly MT[];
}

interface MLabel {
  readonly types: readonly MT[];
  /** a loop (or a label of exnref): only the generator's fixed code branches there */
  readonly loop: boolean;
}

/** What the functions of a program can refer to. */
interface World {
  /** $f0, $f1, ...: a function calls only later ones */
  readonly sigs: readonly MSig[];
  /** exception tags $x0, $x1, ... */
  readonly tags: readonly (readonly MT[])[];
  /** $h (plain) or `suspend $y` (stack switching) */
  readonly yields: MSig;
}

class MixGen extends StackGen<MT, MLabel> {
  readonly r: (n: number) => number;
  readonly w: World;
  /** the locals the random code may use (parameters first) */
  readonly locals: readonly MT[];
  /** one scratch local per type, for sanitize, stores and conversions */
  readonly scratch: Record<MT, number>;
  readonly counters: readonly number[];
  /** the function's index in w.sigs (calls go to later ones); $h: w.sigs.length, no calls */
  readonly self: number;
  readonly results: readonly MT[];
  /** $h: no suspend, no throw (the handler runs it outside the continuation) */
  readonly inner: boolean;
  out: string[] = [];
  budget = 70;
  /** how many try_tables the code being generated is in */
  tries = 0;

  constructor(r: (n: number) => number, w: World, self: number, params: readonly MT[], results: readonly MT[]) {
    super();
    this.r = r;
    this.w = w;
    this.self = self;
    this.results = results;
    this.inner = self >= w.sigs.length;
    // sometimes hundreds of locals (large slot numbers)
    this.locals = [...params, ...NUMS, ...this.types(r(10) ? r(4) : 200 + r(400))];
    const base = this.locals.length;
    this.scratch = Object.fromEntries(MTYPES.map((t, i) => [t, base + i])) as Record<MT, number>;
    this.counters = [base + MTYPES.length, base + MTYPES.length + 1, base + MTYPES.length + 2];
  }

  /** The declared locals (after the parameters). */
  localDecl(nparams: number): string {
    return `(local ${[...this.locals.slice(nparams), ...MTYPES, 'i32', 'i32', 'i32'].join(' ')})`;
  }

  emit(...s: string[]): void {
    this.out.push(...s);
  }

  pick<X>(xs: readonly X[]): X {
    return xs[this.r(xs.length)]!;
  }

  type(): MT {
    return this.pick(['i32', 'i32', 'i32', 'i64', 'i64', 'f32', 'f32', 'f64', 'f64', 'v128', 'funcref', 'externref'] as const);
  }

  types(n: number): MT[] {
    return Array.from({ length: n }, () => this.type());
  }

  /** Types for parameters or results: up to `n`, sometimes many more. */
  some(n: number): MT[] {
    return this.types(this.r(12) ? this.r(n + 1) : n + 1 + this.r(12));
  }

  localOf(t: MT): number {
    const xs: number[] = [];
    this.locals.forEach((l, i) => {
      if (l === t) xs.push(i);
    });
    return xs.length === 0 ? -1 : this.pick(xs);
  }

  topIs(st: readonly MT[], ts: readonly MT[]): boolean {
    if (st.length < ts.length) return false;
    for (let i = 0; i < ts.length; i++) if (st[st.length - ts.length + i] !== ts[i]) return false;
    return true;
  }

  /** A constant instruction (sequence) of type t; `plain`: a single constant instruction (for global initializers). */
  constant(t: MT, plain = false): string[] {
    const r = this.r;
    switch (t) {
      case 'i32':
        return [`i32.const ${r(4) ? this.pick(I32S) : r(0x100000000) | 0}`];
      case 'i64':
        return [`i64.const ${r(4) ? this.pick(I64S) : BigInt.asIntN(64, (BigInt(r(0x100000000)) << 32n) | BigInt(r(0x100000000)))}`];
      case 'f32': {
        const b = r(4) ? this.pick(F32S) : r(0x100000000);
        return !plain && r(4) === 0 ? [`i32.const ${b | 0}`, 'f32.reinterpret_i32'] : [`f32.const ${f32Text(b)}`];
      }
      case 'f64': {
        const b = r(4) ? this.pick(F64S) : (BigInt(r(0x100000000)) << 32n) | BigInt(r(0x100000000));
        return !plain && r(4) === 0 ? [`i64.const ${BigInt.asIntN(64, b)}`, 'f64.reinterpret_i64'] : [`f64.const ${f64Text(b)}`];
      }
      case 'v128':
        return [r(2)
          ? `v128.const i64x2 ${BigInt.asIntN(64, this.pick([...I64S, ...F64S]))} ${BigInt.asIntN(64, this.pick([...I64S, ...F64S]))}`
          : `v128.const i32x4 ${Array.from({ length: 4 }, () => this.pick([...I32S, ...F32S]) | 0).join(' ')}`];
      case 'funcref':
        return [r(3) === 0 ? 'ref.null func' : `ref.func $id${r(3)}`];
      case 'externref':
        return r(3) === 0 || plain ? ['ref.null extern'] : [`i32.const ${this.pick(I32S)}`, 'ref.i31', 'extern.convert_any'];
    }
  }

  /** Emits an address; returns the memarg for an access of `size` bytes: mostly in bounds, sometimes unaligned or out. */
  address(size: number): string {
    const r = this.r;
    const c = r(400);
    let addr = r(64);
    let offset = r(6) ? 0 : this.pick([1, 3, 8]);
    if (c >= 340) [addr, offset] = [65536 - size - r(8), 0];
    if (c === 398) addr = 65536 - 1 - r(8); // out of bounds but for bytes
    if (c === 399) {
      [addr, offset] = this.pick([[65536, 0], [-1, 0], [0x7fffffff, 0], [131072 - 8, 0], [0, 65535], [8, 0xfffffff0], [65536 - size, 1]]);
    }
    const align = r(3) === 0 ? ` align=${1 << r(Math.log2(size) + 1)}` : '';
    this.emit(`i32.const ${addr}`);
    return `${offset ? ` offset=${offset}` : ''}${align}`;
  }

  /** Pushes a value of type t: a constant, a local, a global, a load, a table entry. */
  push(st: MT[], t: MT): void {
    const c = this.r(10);
    const x = this.localOf(t);
    if (c < 4 || (c < 7 && x < 0)) this.emit(...this.constant(t));
    else if (c < 7) this.emit(`local.get ${x}`);
    else if (c < 8 || (c < 9 && isRef(t))) this.emit(`global.get $${c === 7 && !isRef(t) && this.r(2) ? 'k' : 'g'}_${t}`);
    else if (!isRef(t)) {
      const op = this.pick(LOADS[t]!);
      const m = this.address(width(op));
      this.emit(`${op}${m}`);
    } else if (t === 'funcref') this.emit(`i32.const ${this.r(4)}`, 'table.get $t');
    else this.emit(...this.constant(t));
    st.push(t);
  }

  /** Pushes an i32 condition: a constant, a value, a comparison. */
  cond(st: MT[]): void {
    const c = this.r(6);
    if (c === 0) this.emit(`i32.const ${this.r(2)}`);
    else if (c === 1) this.push([], 'i32');
    else if (c < 4) {
      const t = this.pick(NUMS);
      this.push([], t);
      this.push([], t);
      this.emit(this.pick(COMPARE[t]!));
    } else if (c === 4) {
      const t = this.r(2) ? 'i32' : 'i64';
      this.push([], t);
      this.emit(`${t}.eqz`);
    } else {
      this.push([], this.r(2) ? 'funcref' : 'externref');
      this.emit('ref.is_null');
    }
    st.push('i32');
  }

  /** Replaces a NaN on top of the stack by a constant NaN (or any constant). */
  sanitize(t: MT): void {
    const s = this.scratch[t];
    const c = this.r(4) ? [`${t}.const ${t === 'f32' ? f32Text(this.pick(NAN32)) : f64Text(this.pick(NAN64))}`] : this.constant(t);
    this.emit(`local.tee ${s}`, ...c, `local.get ${s}`, `local.get ${s}`, `${t}.eq`, 'select');
  }

  numeric(st: MT[]): void {
    const top = st[st.length - 1];
    if (top === 'v128' || this.r(8) === 0) return this.simd(st);
    if (top === undefined || isRef(top)) return this.push(st, this.pick(NUMS));
    // mostly binary operators: a second operand of the type on top if there is none
    if (this.r(3) && st[st.length - 2] !== top) this.push(st, top);
    let ops = MOPS.filter((o) => this.topIs(st, o.params));
    if (this.r(3)) ops = ops.filter((o) => !MAY_TRAP.test(o.name));
    if (ops.length === 0) return;
    const op = this.pick(ops);
    this.emit(op.name);
    st.length -= op.params.length;
    st.push(op.result);
    if ((op.result === 'f32' || op.result === 'f64') && !EXACT.has(op.name)) this.sanitize(op.result);
  }

  /** SIMD: splats and lanes from and to every scalar type, bitwise and integer lane operators. */
  simd(st: MT[]): void {
    const top = st[st.length - 1];
    const shape: Record<string, string> = { i32: this.pick(['i8x16', 'i16x8', 'i32x4']), i64: 'i64x2', f32: 'f32x4', f64: 'f64x2' };
    if (top !== 'v128') {
      if (top !== undefined && !isRef(top) && this.r(2)) {
        this.emit(`${shape[top]}.splat`);
        st[st.length - 1] = 'v128';
      } else this.push(st, 'v128');
      return;
    }
    const lanes = (sh: string): number => 128 / Number(sh.slice(1, sh.indexOf('x')));
    const c = this.r(8);
    if (c === 0) this.emit(this.pick(['v128.not', 'f32x4.abs', 'f32x4.neg', 'f64x2.abs', 'f64x2.neg', 'i8x16.popcnt', 'i32x4.neg', 'i16x8.abs']));
    else if (c === 1 || c === 5) {
      if (st[st.length - 2] !== 'v128') this.push(st, 'v128');
      if (c === 5) this.push(st, 'v128');
      this.emit(c === 5 ? 'v128.bitselect' : this.pick([
        'v128.and', 'v128.or', 'v128.xor', 'v128.andnot', 'i32x4.add', 'i64x2.sub', 'i8x16.add_sat_u', 'i16x8.mul', 'i8x16.swizzle',
        'i32x4.eq', 'i64x2.lt_s', `i8x16.shuffle ${Array.from({ length: 16 }, () => this.r(32)).join(' ')}`,
      ]));
      st.length -= c === 5 ? 2 : 1;
    } else if (c === 2) {
      const t = this.pick(NUMS);
      const sh = shape[t]!;
      const sx = sh === 'i8x16' || sh === 'i16x8' ? this.pick(['_s', '_u']) : '';
      this.emit(`${sh}.extract_lane${sx} ${this.r(lanes(sh))}`);
      st[st.length - 1] = t;
    } else if (c === 3) {
      const t = this.pick(NUMS);
      const sh = shape[t]!;
      this.push(st, t);
      this.emit(`${sh}.replace_lane ${this.r(lanes(sh))}`);
      st.pop();
    } else if (c === 4) {
      this.emit(this.pick(['v128.any_true', 'i32x4.all_true', 'i8x16.bitmask', 'i64x2.bitmask']));
      st[st.length - 1] = 'i32';
    } else {
      this.push(st, 'i32');
      this.emit(this.pick(['i32x4.shl', 'i64x2.shr_s', 'i8x16.shr_u', 'i16x8.shl']));
      st.pop();
    }
  }

  memory(st: MT[]): void {
    const top = st[st.length - 1];
    const c = this.r(20);
    if (c === 0) {
      this.emit('memory.size');
      st.push('i32');
    } else if (c === 1) {
      this.emit(`i32.const ${this.r(2)}`, 'memory.grow');
      st.push('i32');
    } else if (c < 11) {
      const t = this.pick(VALS);
      const op = this.pick(LOADS[t]!);
      let m = '';
      if (top === 'i32' && this.r(2)) {
        if (this.r(64)) this.emit('i32.const 63', 'i32.and');
        st.pop();
      } else m = this.address(width(op));
      this.emit(`${op}${m}`);
      st.push(t);
    } else if (top !== undefined && !isRef(top) && this.r(2)) {
      const op = this.pick(STORES[top]!);
      this.emit(`local.set ${this.scratch[top]}`);
      const m = this.address(width(op));
      this.emit(`local.get ${this.scratch[top]}`, `${op}${m}`);
      st.pop();
    } else {
      const t = this.pick(VALS);
      const op = this.pick(STORES[t]!);
      const m = this.address(width(op));
      this.push(st, t);
      this.emit(`${op}${m}`);
      st.pop();
    }
  }

  variable(st: MT[]): void {
    const top = st[st.length - 1];
    const c = this.r(10);
    if (c < 3 || top === undefined) {
      const t = this.type();
      const x = this.localOf(t);
      this.emit(x >= 0 ? `local.get ${x}` : `global.get $g_${t}`);
      st.push(t);
    } else if (c < 6) {
      const x = this.localOf(top);
      if (x < 0) return;
      this.emit(`local.set ${x}`);
      st.pop();
    } else if (c < 8) {
      const x = this.localOf(top);
      if (x >= 0) this.emit(`local.tee ${x}`);
    } else if (c < 9) {
      this.emit(`global.get $g_${top}`);
      st.push(top);
    } else {
      this.emit(`global.set $g_${top}`);
      st.pop();
    }
  }

  /** Struct fields and array elements of every type: get, set, new. */
  aggregate(st: MT[]): void {
    const top = st[st.length - 1];
    const c = this.r(6);
    const [fs, ft] = this.pick(FIELDS);
    const k = FIELDS.findIndex(([s]) => s === fs);
    const [an, as, at] = this.pick(ARRAYS);
    const index = (): string => `i32.const ${this.r(40) === 0 ? this.pick([4, -1]) : this.r(4)}`;
    const sx = packed(as) ? (this.r(2) ? '_s' : '_u') : '';
    if (c === 0) {
      this.emit('global.get $gs', `struct.get${packed(fs) ? (this.r(2) ? '_s' : '_u') : ''} $S ${k}`);
      st.push(ft);
    } else if (c === 1) {
      if (top === ft && this.r(2)) this.emit(`local.set ${this.scratch[ft]}`, 'global.get $gs', `local.get ${this.scratch[ft]}`);
      else {
        this.emit('global.get $gs');
        this.push(st, ft);
      }
      this.emit(`struct.set $S ${k}`);
      st.pop();
    } else if (c === 2) {
      if (this.r(3)) {
        const vals = FIELDS.map(([, t]) => t);
        this.args(st, vals);
        this.emit('struct.new $S');
        st.length -= vals.length;
      } else this.emit('struct.new_default $S');
      this.emit('global.set $gs');
    } else if (c === 3) {
      if (top === 'i32' && this.r(2)) {
        this.emit(`local.set ${this.scratch.i32}`, `global.get $ga${an}`, `local.get ${this.scratch.i32}`);
        if (this.r(32)) this.emit('i32.const 3', 'i32.and');
        st.pop();
      } else this.emit(`global.get $ga${an}`, index());
      this.emit(`array.get${sx} $A${an}`);
      st.push(at);
    } else if (c === 4) {
      if (top === at && this.r(2)) this.emit(`local.set ${this.scratch[at]}`, `global.get $ga${an}`, index(), `local.get ${this.scratch[at]}`);
      else {
        this.emit(`global.get $ga${an}`, index());
        this.push(st, at);
      }
      this.emit(`array.set $A${an}`);
      st.pop();
    } else {
      const n = this.r(2) ? 4 : 1;
      this.args(st, Array.from({ length: n }, () => at));
      this.emit(n === 4 ? `array.new_fixed $A${an} 4` : `i32.const 4\n    array.new $A${an}`, `global.set $ga${an}`);
      st.length -= n;
    }
  }

  select(st: MT[]): void {
    const n = st.length;
    if (!(n >= 3 && st[n - 1] === 'i32' && st[n - 2] === st[n - 3])) {
      const t = st[n - 1] ?? this.type();
      if (n === 0) this.push(st, t);
      this.push(st, t);
      if (this.r(2)) this.cond(st);
      else this.push(st, 'i32');
    }
    const t = st[st.length - 2]!;
    this.emit(isRef(t) || this.r(2) ? `select (result ${t})` : 'select');
    st.length -= 2;
  }

  refs(st: MT[]): void {
    const top = st[st.length - 1];
    if (top === undefined || !isRef(top)) return this.push(st, this.r(2) ? 'funcref' : 'externref');
    const c = this.r(4);
    if (c === 0) this.emit('ref.is_null');
    else if (c === 1 && top === 'funcref') {
      this.emit(`local.set ${this.scratch.funcref}`, `i32.const ${this.r(4)}`, `local.get ${this.scratch.funcref}`, 'table.set $t');
      st.pop();
      return;
    } else this.emit(...refToI32(top, this.scratch[top], this.r(4) !== 0));
    st[st.length - 1] = 'i32';
  }

  /** A block, an if (with an else, mostly) or a try_table, with parameters from the stack and random results. */
  block(st: MT[], labels: MLabel[], depth: number): void {
    const c = this.r(5);
    const isIf = c < 2;
    if (isIf) this.cond(st);
    const avail = st.length - (isIf ? 1 : 0);
    const np = this.r(Math.min(avail, 3) + 1);
    const params = st.slice(avail - np, avail);
    const results = this.some(3);
    const lab = { types: results, loop: false };
    if (c === 4 && !this.inner) {
      // block A (results) { block B (caught values [exnref]) { try_table (catch B) { body } br A } handler }
      const tag = this.r(this.w.tags.length + 1);
      const caught = tag < this.w.tags.length ? this.w.tags[tag]! : [];
      const withRef = this.r(3) === 0;
      const outer = { types: results, loop: false };
      const bt = `${sigText(params, caught)}${withRef ? ' (result exnref)' : ''}`;
      this.emit(`block${sigText(params, results)}`, `block${bt}`);
      const clause = tag < this.w.tags.length ? `catch${withRef ? '_ref' : ''} $x${tag}` : `catch_all${withRef ? '_ref' : ''}`;
      this.emit(`try_table${sigText(params, results)} (${clause} 0)`);
      this.tries++;
      this.body(params, results, [...labels, outer, { types: caught, loop: withRef }, lab], depth + 2);
      this.tries--;
      this.emit('end', 'br 1', 'end');
      if (withRef && this.r(2)) {
        this.emit('throw_ref'); // rethrown: the rest is dead code
        this.fix([], results);
      } else {
        if (withRef) this.emit('drop');
        this.body(caught, results, [...labels, outer], depth + 1);
      }
      this.emit('end');
    } else {
      this.emit(`${isIf ? 'if' : 'block'}${sigText(params, results)}`);
      if (isIf) st.pop();
      this.body(params, results, [...labels, lab], depth + 1);
      if (isIf && (this.r(4) || params.join() !== results.join())) {
        this.emit('else');
        this.body(params, results, [...labels, lab], depth + 1);
      }
      this.emit('end');
    }
    st.length -= np;
    st.push(...results);
  }

  /** A loop run 2 to 4 times, its parameters passed around on the back-edge. */
  loop(st: MT[], labels: MLabel[], depth: number): void {
    const ctr = this.counters[depth]!;
    const params = this.some(2);
    const results = this.some(2);
    this.emit('i32.const 0', `local.set ${ctr}`);
    this.args(st, params);
    this.emit(`loop${sigText(params, results)}`);
    const inner = [...params];
    if (this.code(inner, [...labels, { types: params, loop: true }], depth + 1)) {
      this.fix(inner, params);
      this.emit(`local.get ${ctr}`, 'i32.const 1', 'i32.add', `local.tee ${ctr}`, `i32.const ${2 + this.r(3)}`, 'i32.lt_u', 'br_if 0');
      this.fix(inner, results);
    }
    this.emit('end');
    st.length -= params.length;
    st.push(...results);
  }

  /** A branch carrying values (completed to the label's types if need be); returns false when control does not fall through. */
  branch(st: MT[], labels: MLabel[]): boolean {
    const l = this.r(labels.length);
    const lab = labels[labels.length - 1 - l]!;
    const c = this.r(12);
    if (c === 9) return this.tail(st);
    if (c === 10 && this.w.tags.length > 0 && !this.inner && (this.tries > 0 || this.r(4) === 0)) {
      const x = this.r(this.w.tags.length);
      this.args(st, this.w.tags[x]!);
      this.emit(`throw $x${x}`);
      return false;
    }
    if (c === 11) {
      if (this.r(8)) return true;
      this.emit('unreachable');
      return false;
    }
    if (lab.loop) return true; // loops are only branched to by their latch
    const last = lab.types[lab.types.length - 1];
    if (c === 4 && (last === undefined || !isRef(last))) return true;
    const top = st[st.length - 1];
    const want = c === 3 ? [...lab.types, top !== undefined && isRef(top) ? top : this.r(2) ? 'funcref' : 'externref'] : lab.types;
    if (!this.topIs(st, want)) {
      if (this.r(2)) return true;
      this.args(st, want);
    }
    if (c < 3) {
      this.cond(st);
      this.emit(`br_if ${l}`);
      st.pop();
    } else if (c === 3) {
      this.emit(`br_on_null ${l}`);
    } else if (c === 4) {
      this.emit(`br_on_non_null ${l}`);
      st.pop();
    } else if (c < 7) {
      this.emit(l === labels.length - 1 && this.r(2) ? 'return' : `br ${l}`);
      return false;
    } else {
      const same: number[] = [];
      labels.forEach((x, i) => {
        if (!x.loop && x.types.join() === lab.types.join()) same.push(labels.length - 1 - i);
      });
      this.push(st, 'i32');
      this.emit(`br_table ${Array.from({ length: 1 + this.r(3) }, () => this.pick(same)).join(' ')} ${l}`);
      return false;
    }
    return true;
  }

  /** A tail call (direct, indirect or by reference) to a function with the same results. */
  tail(st: MT[]): boolean {
    const own = this.results.join();
    const fs = this.w.sigs.map((s, f) => (f > this.self && s.results.join() === own ? f : -1)).filter((f) => f >= 0);
    if (fs.length === 0) return true;
    const f = this.pick(fs);
    this.args(st, this.w.sigs[f]!.params);
    const c = this.r(3);
    if (c === 0) this.emit(`return_call $f${f}`);
    else if (c === 1) this.emit(`i32.const ${4 + f}`, `return_call_indirect $t (type $s${f})`);
    else this.emit(`ref.func $f${f}`, `return_call_ref $s${f}`);
    return false;
  }

  /** Completes the stack to end with `params`, reusing what is already there. */
  args(st: MT[], params: readonly MT[]): void {
    let k = params.length;
    while (k > 0 && !this.topIs(st, params.slice(0, k))) k--;
    for (const t of params.slice(k)) this.push(st, t);
  }

  /** A call of a later function: direct (in a continuation, in the stack-switching variant), indirect or by reference. */
  call(st: MT[]): void {
    if (this.self + 1 >= this.w.sigs.length) return;
    const f = this.self + 1 + this.r(this.w.sigs.length - this.self - 1);
    const sig = this.w.sigs[f]!;
    this.args(st, sig.params);
    const c = this.r(6);
    if (c < 3) this.emit(variant([`call $f${f}`], c === 0 ? [`call $f${f}`] : [`ref.func $f${f}`, `cont.new $c${f}`, `resume $c${f}`]));
    else if (c < 5) this.emit(`i32.const ${4 + f}`, `call_indirect $t (type $s${f})`);
    else this.emit(`ref.func $f${f}`, `call_ref $s${f}`);
    st.length -= sig.params.length;
    st.push(...sig.results);
  }

  /** `call $h` in the plain variant, `suspend $y` in the stack-switching one. */
  suspend(st: MT[]): void {
    if (this.inner) return;
    const { params, results } = this.w.yields;
    this.args(st, params);
    this.emit(variant(['call $h'], ['suspend $y']));
    st.length -= params.length;
    st.push(...results);
  }

  /** Code that consumes values under a polymorphic stack (after a branch), leaving st. */
  dead(st: MT[]): void {
    st.length = 0;
    const c = this.r(5);
    if (c === 0) this.emit('drop');
    else if (c === 1) this.emit('select', 'drop');
    else if (c === 2) {
      this.emit(this.pick(['i32.add', 'i64.eqz', 'f64.mul', 'f32.neg\n    drop\n    i32.const 1']));
      st.push(this.out[this.out.length - 1]!.startsWith('f64') ? 'f64' : 'i32');
    } else if (c === 3) {
      const t = this.type();
      const x = this.localOf(t);
      if (x >= 0) this.emit(`local.set ${x}`);
    }
  }

  /** Random code from stack st (mutated); returns false when it ended in a branch. */
  code(st: MT[], labels: MLabel[], depth: number): boolean {
    const n = depth === 0 ? 10 + this.r(30) : 1 + this.r(8);
    for (let k = 0; k < n && this.budget > 0; k++) {
      this.budget--;
      const c = this.r(100);
      if (c < 12) this.push(st, this.type());
      else if (c < 30) this.numeric(st);
      else if (c < 37) this.memory(st);
      else if (c < 46) this.variable(st);
      else if (c < 50) this.aggregate(st);
      else if (c < 53 && st.length > 0) {
        this.emit('drop');
        st.pop();
      } else if (c < 58) this.select(st);
      else if (c < 61) this.refs(st);
      else if (c < 70 && depth < 4) this.block(st, labels, depth);
      else if (c < 74 && depth < 3) this.loop(st, labels, depth);
      else if (c < 85) {
        if (!this.branch(st, labels)) {
          if (this.r(3)) return false;
          this.dead(st);
        }
      } else if (c < 92) this.call(st);
      else if (c < 95) this.suspend(st);
    }
    return true;
  }

}

const hexBytes = (r: (n: number) => number, n: number): string =>
  Array.from({ length: n }, () => `\\${r(256).toString(16).padStart(2, '0')}`).join('');

/**
 * A random program: $f0..$fn with wrappers e0..en, $h, and `dump`. Returns the text with both
 * variants marked (see `render`).
 */
function mixedProgram(seed: number): { wat: string; sigs: MSig[]; dumped: string[] } {
  const r = rng(seed);
  const g0 = new MixGen(r, { sigs: [], tags: [], yields: { params: [], results: [] } }, 0, [], []);
  const nf = 1 + r(4);
  const sigs: MSig[] = Array.from({ length: nf }, () => ({ params: g0.some(3), results: g0.some(3) }));
  const tags = Array.from({ length: r(3) }, () => g0.types(r(4)));
  const yields = { params: g0.some(3), results: g0.some(3) };
  const w: World = { sigs, tags, yields };
  const parts: string[] = [
    '(type $k (func (result i32)))',
    ...sigs.map((s, f) => `(type $s${f} (func${sigText(s.params, s.results)}))`),
    `(type $sh (func${sigText(yields.params, yields.results)}))`,
    `(type $S (struct ${FIELDS.map(([s]) => `(field (mut ${s}))`).join(' ')}))`,
    ...ARRAYS.map(([n, s]) => `(type $A${n} (array (mut ${s})))`),
    variant([], [
      ...sigs.flatMap((s, f) => [
        `(type $c${f} (cont $s${f}))`,
        `(type $fb${f} (func${sigText([], s.results)}))`,
        `(type $cb${f} (cont $fb${f}))`,
        `(type $fty${f} (func${sigText(yields.results, s.results)}))`,
        `(type $cy${f} (cont $fty${f}))`,
      ]),
      `(tag $y${sigText(yields.params, yields.results)})`,
    ]),
    ...tags.map((p, i) => `(tag $x${i}${sigText(p, [])})`),
    `(table $t ${4 + nf} funcref)`,
    `(elem (i32.const 0) func $id0 $id1 $id2)`,
    `(elem (i32.const 4) func ${sigs.map((_, f) => `$f${f}`).join(' ')})`,
    '(memory (export "mem") 1 2)',
    `(data (i32.const 0) "${hexBytes(r, 64)}")`,
    `(data (i32.const 65520) "${hexBytes(r, 16)}")`,
    ...[0, 1, 2].map((i) => `(func $id${i} (result i32) i32.const ${100 + i})`),
    ...MTYPES.map((t) => `(global $g_${t} (mut ${t}) ${g0.constant(t, true).join(' ')})`),
    ...VALS.map((t) => `(global $k_${t} ${t} ${g0.constant(t, true).join(' ')})`),
    '(global $gs (mut (ref $S)) (struct.new_default $S))',
    ...ARRAYS.map(([n, , t]) => `(global $ga${n} (mut (ref $A${n})) ${g0.constant(t, true).join(' ')} i32.const 4 array.new $A${n})`),
  ];
  // dump: the mutable globals, the struct's fields, the arrays' elements, as carriers
  const dumped: string[] = []; // what each result is
  const dump: string[] = [];
  const out = (t: MT, what: string, ...get: string[]): void => {
    dump.push(...get, ...toCarrier(t, 0, 1, 2));
    dumped.push(`${what} (${t})`);
  };
  for (const t of MTYPES) out(t, `$g_${t}`, `global.get $g_${t}`);
  FIELDS.forEach(([s, t], k) => out(t, `$gs.${k}`, 'global.get $gs', `struct.get${packed(s) ? '_u' : ''} $S ${k}`));
  for (const [n, s, t] of ARRAYS) {
    for (let i = 0; i < 4; i++) out(t, `$ga${n}[${i}]`, `global.get $ga${n}`, `i32.const ${i}`, `array.get${packed(s) ? '_u' : ''} $A${n}`);
  }
  const dumpTypes = dumped.map((d) => carrier(/\((\w+)\)$/.exec(d)![1] as MT));
  parts.push(`(func (export "dump") (result ${dumpTypes.join(' ')}) (local funcref externref v128)\n    ${dump.join('\n    ')})`);
  // $h: what a suspension computes
  const h = new MixGen(r, w, nf, yields.params, yields.results);
  h.body([], yields.results, [{ types: yields.results, loop: false }], 0);
  parts.push(`(func $h (type $sh) ${h.localDecl(yields.params.length)}\n    ${h.out.join('\n    ')})`);
  for (let f = 0; f < nf; f++) {
    const { params, results } = sigs[f]!;
    const g = new MixGen(r, w, f, params, results);
    g.body([], results, [{ types: results, loop: false }], 0);
    parts.push(`(func $f${f} (type $s${f}) ${g.localDecl(params.length)}\n    ${g.out.join('\n    ')})`);
    // the exported wrapper: carriers in, $f<f> (as a continuation handling $y, in the stack-switching variant), carriers out
    const np = params.length;
    const [fr, er, vr, cl, kl] = [0, 1, 2, 3, 4].map((i) => np + results.length + i) as [number, number, number, number, number];
    const wr: string[] = [];
    params.forEach((t, i) => {
      wr.push(`local.get ${i}`);
      if (t === 'f32') wr.push('f32.reinterpret_i32');
      else if (t === 'f64') wr.push('f64.reinterpret_i64');
      else if (t === 'funcref') wr.push('i32.const 3', 'i32.and', 'table.get $t');
      else if (t === 'externref') wr.push('ref.i31', 'extern.convert_any', 'ref.null extern', `local.get ${i}`, 'i32.const 1', 'i32.and', 'select (result externref)');
      else if (t === 'v128') wr.push('i64x2.splat', 'v128.const i64x2 0 0x123456789', 'v128.xor');
    });
    wr.push(variant([`call $f${f}`], [
      `ref.func $f${f}`, `cont.new $c${f}`, `cont.bind $c${f} $cb${f}`, `local.set ${cl}`,
      `block $done${sigText([], results)}`,
      'loop $l',
      `block $on (result ${[...yields.params, `(ref $cy${f})`].join(' ')})`,
      `local.get ${cl}`, `resume $cb${f} (on $y $on)`, 'br $done',
      'end',
      `local.set ${kl}`, 'call $h', `local.get ${kl}`, `cont.bind $cy${f} $cb${f}`, `local.set ${cl}`, 'br $l',
      'end',
      'unreachable',
      'end',
    ]));
    for (let i = results.length - 1; i >= 0; i--) wr.push(`local.set ${np + i}`);
    results.forEach((t, i) => wr.push(`local.get ${np + i}`, ...toCarrier(t, fr, er, vr)));
    const wlocals = `(local ${[...results, 'funcref', 'externref', 'v128'].join(' ')}${variant([], [` (ref null $cb${f}) (ref null $cy${f})`])})`;
    parts.push(`(func (export "e${f}")${sigText(params.map(carrier), results.map(carrier))} ${wlocals}\n    ${wr.join('\n    ')})`);
  }
  return { wat: `(module\n  ${parts.join('\n  ')}\n)`, sigs, dumped };
}

/** A trap's class, from V8's message or ours. */
function trapClass(msg: string): string {
  if (/by zero/.test(msg)) return 'div0';
  if (/overflow|unrepresentable|invalid conversion/.test(msg)) return 'int';
  if (/array/.test(msg)) return 'array';
  if (/memory/.test(msg)) return 'memory';
  if (/unreachable/.test(msg)) return 'unreachable';
  if (/cast/.test(msg)) return 'cast';
  if (/uninitialized element|signature/.test(msg)) return 'indirect';
  if (/null/.test(msg)) return 'null';
  if (/table|undefined element/.test(msg)) return 'table';
  return `unknown trap: ${msg}`;
}

const bitsArg = (r: (n: number) => number, t: MT): number | bigint => {
  switch (t) {
    case 'i32':
      return r(3) ? I32S[r(I32S.length)]! : r(0x100000000) | 0;
    case 'i64':
    case 'v128':
      return BigInt.asIntN(64, r(3) ? I64S[r(I64S.length)]! : (BigInt(r(0x100000000)) << 32n) | BigInt(r(0x100000000)));
    case 'f32':
      return (r(4) ? F32S[r(F32S.length)]! : r(0x100000000)) | 0;
    case 'f64':
      return BigInt.asIntN(64, r(4) ? F64S[r(F64S.length)]! : (BigInt(r(0x100000000)) << 32n) | BigInt(r(0x100000000)));
    default:
      return r(8);
  }
};

/** A carrier value in hex. */
const hexOf = (v: unknown): string =>
  typeof v === 'bigint' ? `0x${BigInt.asUintN(64, v).toString(16)}` : typeof v === 'number' ? `0x${(v >>> 0).toString(16)}` : String(v);

const show = (v: unknown): string => JSON.stringify(v, (_, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x));

type Outcome = { value: unknown[] } | { trap: string } | { exception: true };

/** A call's outcome; throws on anything but a value, a trap or an uncaught Wasm exception. */
function outcome(f: () => unknown): Outcome {
  try {
    const v = f();
    return { value: v === undefined ? [] : Array.isArray(v) ? v : [v] };
  } catch (e) {
    if (WA !== undefined && e instanceof (WA as unknown as { Exception: new () => object }).Exception) return { exception: true };
    if (!(e instanceof Error)) throw e;
    const kind = (e as { kind?: string }).kind;
    if (kind === 'exception') return { exception: true };
    if (e.constructor.name === 'RuntimeError' || kind === 'trap') return { trap: trapClass((e as { detail?: string }).detail ?? e.message) };
    throw e;
  }
}

/** Runs one mixed program on V8 (plain variant) and ours (both variants); returns a description of the first disagreement. */
function checkMixed(seed: number): string | undefined {
  const { wat, sigs, dumped } = mixedProgram(seed);
  const texts = [render(wat, false), render(wat, true)];
  const modules = texts.map((text, ss) => {
    try {
      return validateModule(parseModule(text));
    } catch (e) {
      throw new Error(`seed ${seed}: the generator made an invalid module (${ss ? 'stack switching' : 'plain'}): ${(e as Error).message}\n${text}`);
    }
  });
  const native = new WA!.Instance(new WA!.Module(encodeModule(modules[0]!.module)), {}).exports;
  const ours = modules.map((vm) => instantiate(vm, [], { invoke: (f, a) => invoke(f, a) }));
  const r = rng(seed * 7919);
  for (let f = 0; f < sigs.length; f++) {
    for (let trial = 0; trial < 3; trial++) {
      const args = sigs[f]!.params.map((t) => bitsArg(r, t));
      const want = show(outcome(() => native[`e${f}`]!(...(args as number[]))));
      const wantDump = native['dump']!() as unknown[];
      const a = new Uint8Array((native['mem'] as unknown as { buffer: ArrayBuffer }).buffer);
      for (let ss = 0; ss < 2; ss++) {
        const where = `seed ${seed}${ss ? ' (stack-switching variant)' : ''}: e${f}(${args.join(', ')}) [trial ${trial}]`;
        const got = show(outcome(() => call(ours[ss]!, `e${f}`, args)));
        if (got !== want) return `${where}: V8 ${want}, ours ${got}\n${texts[ss]}`;
        const gotDump = call(ours[ss]!, 'dump');
        const diff = dumped.flatMap((d, i) => (gotDump[i] !== wantDump[i] ? [`${d}: V8 ${hexOf(wantDump[i])}, ours ${hexOf(gotDump[i])}`] : []));
        if (diff.length > 0) return `${where}: afterwards ${diff.join('; ')}\n${texts[ss]}`;
        const b = (exported(ours[ss]!, 'mem').value as MemoryInst).bytes;
        if (a.length !== b.length || !Buffer.from(a).equals(Buffer.from(b.buffer, b.byteOffset, b.length))) {
          const i = a.findIndex((x, j) => x !== b[j]);
          return `${where}: memory: V8 ${a.length} bytes, ours ${b.length}; first difference at ${i}: V8 ${a[i]}, ours ${b[i]}\n${texts[ss]}`;
        }
      }
    }
  }
  return undefined;
}

test('random mixed-type programs agree with V8', () => {
  assert.ok(WA !== undefined, 'this JavaScript host has no WebAssembly to compare with');
  const first = Number(process.env.WASMFX_FUZZ_FIRST ?? 1);
  const seeds = Number(process.env.WASMFX_FUZZ_MIXED_SEEDS ?? process.env.WASMFX_FUZZ_SEEDS ?? 200);
  const failures: string[] = [];
  for (let seed = first; seed < first + seeds; seed++) {
    const bad = checkMixed(seed);
    if (bad !== undefined) failures.push(bad);
  }
  const lines = failures.slice(0, 10).map((f) => f.split('\n')[0]).join('\n');
  assert.equal(failures.length, 0, `${failures.length} of ${seeds} programs disagree:\n${lines}\n\nthe first:\n${failures[0]}`);
});

// A much less structured generator of WasmFX programs than wasmfx-gen.ts, for
// the chaos differential test (test/diff-chaos.test.ts). Instead of fixed
// scenario shapes, a program is lists of random numbers; the renderer below
// consumes them one by one as choices, building type-correct modules by random
// nesting of statements and expressions:
//
//   - tags with params and results of mixed types (i32, i64, f32, f64) and
//     continuation references: as payload ($td), as result ($tr, $tq), and in
//     an exception ($ek); $te is both a control tag and an exception tag;
//   - resume sites: a loop resuming a continuation under a random set of
//     handlers ((on $t $l), (on $tsw switch), duplicates, labels taking the
//     continuation as nullable, or a loop label whose parameters receive the
//     payload); each handler runs random code (which may itself resume,
//     suspend, throw...) and then continues the continuation with cont.bind
//     (in one or two steps), forwards the suspension to an outer handler,
//     resumes it in a nested site, throws into it (resume_throw,
//     resume_throw_ref), stashes it in a global, or abandons it;
//   - try_table with catch, catch_ref, catch_all, catch_all_ref as statements,
//     and (with the option legacyEH) legacy try with catch, catch_all, rethrow and delegate,
//     expressions and around suspensions, and taking parameters; throw,
//     throw_ref of caught exnrefs (kept in locals and in a global);
//   - switch between coroutines (functions of the recursive type $fs), to new
//     ones, to partially applied ones, to continuations made by suspend ($tq);
//   - cont.new (also of imported host functions), cont.bind with mixed-type
//     partial application, continuations in locals and globals, typed select,
//     ref.as_non_null and br_on_non_null on them;
//   - call, call_ref, return_call, return_call_ref (also to host functions),
//     return, br, br_if, br_table out of multi-value blocks, blocks with
//     parameters, bounded loops, suspensions anywhere (also in the middle of
//     an operand list), and dead code after branches (stack-switching
//     instructions on the polymorphic stack);
//   - a second module, now and then, which imports the first one's functions,
//     globals and some of its tags, and declares its own tags of the same
//     types for the others (which match neither handlers nor catches of the
//     first module's tags);
//   - faults: unreachable, division by zero, invalid conversion, null and
//     consumed continuations, null references and exnrefs, unhandled tags,
//     stack exhaustion, uncaught exceptions.
//
// Every value computed is folded into a global trace hash ($h, an i64) and a
// float accumulator ($acc); each export returns both, so a divergence anywhere
// in the control flow shows up in the results (the globals persist from one
// export to the next, traps included, as do continuations and exnrefs kept in
// globals).
//
// The modules are valid by construction (the renderer tracks the types of
// locals, labels, tags and continuations). Termination: loops count their
// turns, and every loop turn spends fuel from $fuel (reset by each export);
// every function entry spends one of the $calls of the whole script, and a
// function entered without any returns at once. The latter also bounds the
// frames of all stacks, suspended continuations kept from one invocation to
// the next included, below the reference interpreter's budget of 256 frames:
// the only stack exhaustion is the deliberately unbounded recursion of $inf.

// Determinism: float results may carry NaNs, whose bits differ between
// engines; they are only observed through comparisons, trunc_sat and the
// NaN-guarded logging functions (no copysign, no float-to-int reinterpret).
//
// When the choices run out, every further choice is 0, and option 0 is always
// the simplest one (no statement, a constant): shrinking the lists (which
// fast-check does) gives smaller programs.

import fc from 'fast-check';

export interface ChaosProgram {
  /** the signatures, functions and exports */
  readonly header: readonly number[];
  /** the code of each function, then of each export of the first module (at most 3), then of
   *  the second: separate lists, so that a long body does not leave the others without choices */
  readonly bodies: readonly (readonly number[])[];
}

/** A generated script: its modules (and their registration), then the exports to invoke. */
export interface ChaosScript {
  readonly wat: string;
  readonly exports: readonly { readonly module: string; readonly name: string }[];
}

// Without fast-check's bias towards small numbers and short arrays: a small choice means the
// simplest option, and an early end of the list the simplest program.
const choicesArb = (minLength: number, maxLength: number) =>
  fc.noBias(fc.array(fc.noBias(fc.nat({ max: 0xffff })), { minLength, maxLength, size: 'max' }));

export const chaosProgramArb: fc.Arbitrary<ChaosProgram> = fc.record({
  header: choicesArb(100, 100),
  bodies: fc.array(choicesArb(0, 400), { minLength: 13, maxLength: 13 }),
});

// ---- choices ------------------------------------------------------------------------------------

class Choices {
  private i = 0;
  private readonly xs: readonly number[];
  constructor(xs: readonly number[]) {
    this.xs = xs;
  }
  /** 0..n-1; always 0 once the choices are used up */
  int(n: number): number {
    if (n <= 1) return 0;
    const x = this.xs[this.i++];
    return x === undefined ? 0 : x % n;
  }
  chance(pct: number): boolean {
    return this.int(100) >= 100 - pct;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  /** one of the options by weight; the first one once the choices are used up */
  weighted<T>(opts: readonly (readonly [number, T])[]): T {
    const live = opts.filter(([w]) => w > 0);
    let r = this.int(live.reduce((s, [w]) => s + w, 0));
    for (const [w, v] of live) {
      if (r < w) return v;
      r -= w;
    }
    return live[0]![1];
  }
}

// ---- types ---------------------------------------------------------------------------------------

type VT = 'i32' | 'i64' | 'f32' | 'f64';
const VTS: readonly VT[] = ['i32', 'i64', 'f32', 'f64'];
/** a value type as written in the text: a VT, `exnref`, or `(ref null $K..)` */
type Ty = string;
const isVT = (t: Ty): t is VT => (VTS as readonly string[]).includes(t);
const isInt = (t: VT): boolean => t === 'i32' || t === 'i64';
const nullRef = (k: string): Ty => `(ref null ${k})`;
/** the continuation type named in `(ref null $K)` */
const refTarget = (t: Ty): string | null => /^\(ref null (\$\w+)\)$/.exec(t)?.[1] ?? null;

interface Sig {
  readonly params: readonly Ty[];
  readonly results: readonly Ty[];
}
const sigKey = (s: Sig): string => `${s.params.join(' ')}->${s.results.join(' ')}`;

/**
 * Function and continuation types, one of each per signature. Each is its own rec group (so that
 * the imported functions' types match spectest's), except the coroutine types, which refer to each
 * other; a type only refers to types made before it.
 */
class TypeTable {
  private readonly byKey = new Map<string, { readonly f: string; readonly k: string; readonly sig: Sig }>();
  private readonly byCont = new Map<string, Sig>();
  private readonly order: { readonly f: string; readonly k: string; readonly sig: Sig }[] = [];

  constructor() {
    // the coroutine type: it takes the continuation that switched to it
    this.add('$fs', '$ks', { params: ['i32', nullRef('$ks')], results: ['i32'] });
  }

  private add(f: string, k: string, sig: Sig): void {
    const e = { f, k, sig };
    this.byKey.set(sigKey(sig), e);
    this.byCont.set(k, sig);
    this.order.push(e);
  }

  private entry(sig: Sig) {
    const key = sigKey(sig);
    if (!this.byKey.has(key)) this.add(`$F${this.order.length}`, `$K${this.order.length}`, sig);
    return this.byKey.get(key)!;
  }

  func(sig: Sig): string {
    return this.entry(sig).f;
  }
  cont(sig: Sig): string {
    return this.entry(sig).k;
  }
  sigOf(k: string): Sig {
    return this.byCont.get(k)!;
  }
  conts(): string[] {
    return this.order.map((e) => e.k);
  }

  render(): string {
    const list = (kw: string, ts: readonly Ty[]) => (ts.length === 0 ? '' : ` (${kw} ${ts.join(' ')})`);
    const pair = (e: { readonly f: string; readonly k: string; readonly sig: Sig }) =>
      `(type ${e.f} (func${list('param', e.sig.params)}${list('result', e.sig.results)})) (type ${e.k} (cont ${e.f}))`;
    const [co, ...rest] = this.order;
    return [`(rec ${pair(co!)})`, ...rest.map(pair)].join('\n  ');
  }
}

interface Tag {
  readonly name: string;
  readonly params: readonly Ty[];
  readonly results: readonly Ty[];
}

interface FnInfo {
  readonly name: string;
  readonly sig: Sig;
  /** a coroutine: of type $fs */
  readonly co: boolean;
  /** imported from spectest (a host function: called, tail called, run as a continuation) */
  readonly host?: string;
}

const HOSTS: readonly { readonly name: string; readonly params: readonly VT[] }[] = [
  { name: 'print', params: [] },
  { name: 'print_i32', params: ['i32'] },
  { name: 'print_i64', params: ['i64'] },
  { name: 'print_f32', params: ['f32'] },
  { name: 'print_f64', params: ['f64'] },
  { name: 'print_i32_f32', params: ['i32', 'f32'] },
  { name: 'print_f64_f64', params: ['f64', 'f64'] },
];

// ---- numbers ----------------------------------------------------------------------------------

const I32S = [0, 1, -1, 2, 3, 7, 31, 32, 255, -128, 0x7fffffff, -0x80000000, 0x12345678, -559038737];
const I64S = ['0', '1', '-1', '2', '63', '64', '0x7fffffffffffffff', '-0x8000000000000000', '0x123456789abcdef', '-4294967296', '4294967296'];
const FLOATS = ['0', '-0', '1', '-1', '0.5', '1.5', '-2.75', '3.25', '1e10', '-1e-10', 'inf', '-inf', 'nan', '2147483648', '-2147483904', '0x1p-149', '-1e38', '65536.5', '9223372036854775808'];
// f64 only: beyond f32's range (a malformed f32 literal)
const F64S = [...FLOATS, '1e300', '-0x1p-1074', '1.7976931348623157e308'];

// integer operators; the division family is rendered with a guard unless deliberately faulty
const IBIN = ['add', 'add', 'sub', 'sub', 'mul', 'and', 'or', 'xor', 'xor', 'shl', 'shr_s', 'shr_u', 'rotl', 'rotr', 'div_s', 'div_u', 'rem_s', 'rem_u'];
const FBIN = ['add', 'add', 'sub', 'mul', 'mul', 'div', 'min', 'max'];
const IUN = ['clz', 'ctz', 'popcnt', 'extend8_s', 'extend16_s'];
const FUN = ['neg', 'abs', 'sqrt', 'ceil', 'floor', 'trunc', 'nearest'];
const ICMP = ['eq', 'ne', 'lt_s', 'lt_u', 'gt_s', 'gt_u', 'le_s', 'le_u', 'ge_s', 'ge_u'];
const FCMP = ['eq', 'ne', 'lt', 'gt', 'le', 'ge'];

/** conversions to `to` from `from` that never trap and never look at the bits of a NaN */
function convOps(to: VT, from: VT): string[] {
  if (to === from) return [];
  const table: Record<VT, Partial<Record<VT, string[]>>> = {
    i32: { i64: ['i32.wrap_i64'], f32: ['i32.trunc_sat_f32_s', 'i32.trunc_sat_f32_u'], f64: ['i32.trunc_sat_f64_s', 'i32.trunc_sat_f64_u'] },
    i64: { i32: ['i64.extend_i32_s', 'i64.extend_i32_u'], f32: ['i64.trunc_sat_f32_s', 'i64.trunc_sat_f32_u'], f64: ['i64.trunc_sat_f64_s', 'i64.trunc_sat_f64_u'] },
    f32: { i32: ['f32.convert_i32_s', 'f32.convert_i32_u', 'f32.reinterpret_i32'], i64: ['f32.convert_i64_s', 'f32.convert_i64_u'], f64: ['f32.demote_f64'] },
    f64: { i32: ['f64.convert_i32_s', 'f64.convert_i32_u'], i64: ['f64.convert_i64_s', 'f64.convert_i64_u', 'f64.reinterpret_i64'], f32: ['f64.promote_f32'] },
  };
  return table[to][from]!;
}

/** trapping conversions (invalid conversion to integer, integer overflow) */
const TRUNCS: Record<'i32' | 'i64', readonly (readonly [string, VT])[]> = {
  i32: [['i32.trunc_f32_s', 'f32'], ['i32.trunc_f64_u', 'f64'], ['i32.trunc_f64_s', 'f64']],
  i64: [['i64.trunc_f64_s', 'f64'], ['i64.trunc_f32_u', 'f32'], ['i64.trunc_f64_u', 'f64']],
};

// ---- the tags --------------------------------------------------------------------------------

const EXN_TAGS: readonly Tag[] = [
  { name: '$ei', params: ['i32'], results: [] },
  { name: '$el', params: ['i64'], results: [] },
  { name: '$ef', params: ['f64'], results: [] },
  { name: '$em', params: ['i64', 'f32'], results: [] },
  // also suspended to and handled: the same tag as an exception and as a control tag
  { name: '$te', params: [], results: [] },
];

// ---- a function being rendered ----------------------------------------------------------------

class FnCtx {
  readonly decls: string[] = [];
  /** value locals (and parameters) by type */
  readonly vals = new Map<VT, string[]>(VTS.map((t) => [t, []]));
  /** continuation parameters by continuation type; `$c_K` locals are added on demand */
  readonly contParams = new Map<string, string[]>();
  private readonly contLocals = new Set<string>();
  private readonly scratches = new Set<string>();
  /** labels of enclosing blocks without results: targets for br and br_if */
  readonly labels: string[] = [];
  private n = 0;

  readonly info: FnInfo | null;
  readonly index: number;

  constructor(info: FnInfo | null, index: number) {
    this.info = info;
    this.index = index;
    info?.sig.params.forEach((t, i) => {
      const name = `$p${i}`;
      if (isVT(t)) this.vals.get(t)!.push(name);
      else {
        const k = refTarget(t)!;
        this.contParams.set(k, [...(this.contParams.get(k) ?? []), name]);
      }
    });
    for (const t of VTS) {
      for (let i = 0; i < 2; i++) this.vals.get(t)!.push(this.local(t, 'v'));
    }
  }

  get results(): readonly Ty[] {
    return this.info?.sig.results ?? ['i64', 'f64'];
  }

  local(t: Ty, prefix: string): string {
    const name = `$${prefix}${this.n++}`;
    this.decls.push(`(local ${name} ${t})`);
    return name;
  }

  /** the local `$c_K` of type (ref null $K) */
  contLocal(k: string): string {
    const name = `$c_${k.slice(1)}`;
    if (!this.contLocals.has(name)) {
      this.contLocals.add(name);
      this.decls.push(`(local ${name} ${nullRef(k)})`);
    }
    return name;
  }

  contLocalsOf(k: string): string[] {
    return [...(this.contParams.get(k) ?? []), this.contLocal(k)];
  }

  /** a local for the value at position p while reducing several values to one */
  scratch(p: number, t: Ty): string {
    const name = `$s${p}_${t.replace(/\W+/g, '_')}`;
    if (!this.scratches.has(name)) {
      this.scratches.add(name);
      this.decls.push(`(local ${name} ${t})`);
    }
    return name;
  }
}

// ---- the renderer ------------------------------------------------------------------------------

/** loop turns per invocation (each export resets $fuel) */
const FUEL = 150;
/** function entries in the whole script (never reset): the frames on all stacks, suspended ones
 *  included, are at most that many, below the reference interpreter's 256 */
const CALLS = 220;
const SITE_BASE = 1_000_000;

class Gen {
  private readonly types = new TypeTable();
  /** the Wasm functions, then the imported ones */
  private readonly fns: FnInfo[] = [];
  /** control tags */
  private readonly susTags: Tag[];
  /** the continuation type passed by $td and $ek */
  private readonly kd: string;
  /** the continuation type given back by $tr */
  private readonly kr: string;
  /** how many of `fns` are Wasm functions */
  private readonly nwasm: number;
  /** exception tags: those of EXN_TAGS and $ek, which carries a continuation */
  private readonly exnTags: readonly Tag[];
  /** every tag, once ($te is both a control tag and an exception tag) */
  private readonly allTags: readonly Tag[];
  /** continuation types with a global ($gc_K) */
  private readonly stashed = new Set<string>();
  private id = 0;
  private fn!: FnCtx;

  private c: Choices;
  private readonly bodies: readonly (readonly number[])[];

  /** appended to the names of the modules (the reference interpreter rejects a script defining
   *  a module name twice) */
  private readonly suffix: string;
  /** legacy try/catch/delegate/rethrow among the statements (the reference interpreter has none) */
  private readonly legacy: boolean;

  constructor(prog: ChaosProgram, suffix: string, legacy: boolean) {
    this.suffix = suffix;
    this.legacy = legacy;
    const c = new Choices(prog.header);
    this.c = c;
    this.bodies = prog.bodies;
    const vts = (max: number) => Array.from({ length: c.int(max + 1) }, () => c.pick(VTS));
    const sigs: Sig[] = Array.from({ length: 2 + c.int(3) }, () => ({ params: vts(3), results: vts(c.chance(15) ? 3 : 2) }));
    const nf = 2 + c.int(6);
    for (let i = 0; i < nf; i++) {
      const co = i > 0 && c.chance(25);
      const sig = co ? this.types.sigOf('$ks') : c.pick(sigs);
      this.types.func(sig);
      this.fns.push({ name: `$f${i}`, sig, co });
    }
    this.kd = this.types.cont(this.fns[0]!.sig);
    this.kr = this.types.cont(c.pick(this.fns).sig);
    this.nwasm = nf;
    // after the Wasm functions: always "later" than any of them
    for (const h of HOSTS) {
      if (!c.chance(35)) continue;
      const sig = { params: h.params, results: [] };
      this.types.func(sig);
      this.fns.push({ name: `$${h.name}`, sig, co: false, host: h.name });
    }
    this.susTags = [
      { name: '$ta', params: ['i32'], results: ['i32'] },
      { name: '$tb', params: ['i64', 'f32'], results: ['f64'] },
      { name: '$tc', params: ['f64'], results: ['i64', 'i32'] },
      { name: '$td', params: [nullRef(this.kd)], results: ['i32'] },
      { name: '$tr', params: ['i32'], results: [nullRef(this.kr)] },
      { name: '$tsw', params: [], results: ['i32'] },
      { name: '$te', params: [], results: [] },
      // resumed like a coroutine: its continuation under a site of result i32 is of type $ks,
      // which a switch can target
      { name: '$tq', params: ['f32'], results: ['i32', nullRef('$ks')] },
    ];
    this.exnTags = [...EXN_TAGS, { name: '$ek', params: [nullRef(this.kd)], results: [] }];
    this.allTags = [...this.susTags.filter((t) => t.name !== '$te'), ...this.exnTags, { name: '$unh', params: ['i32'], results: [] }];
  }

  private mark(): number {
    return SITE_BASE + this.id++;
  }
  private label(prefix: string): string {
    return `$${prefix}${this.id++}`;
  }

  // ---- expressions ----

  private constOf(t: VT): string {
    const c = this.c;
    switch (t) {
      case 'i32': return `(i32.const ${c.chance(70) ? c.int(20) - 2 : c.pick(I32S)})`;
      case 'i64': return `(i64.const ${c.chance(60) ? String(c.int(40) - 3) : c.pick(I64S)})`;
      default: return `(${t}.const ${c.chance(50) ? String((c.int(64) - 16) / 4) : c.pick(t === 'f32' ? FLOATS : F64S)})`;
    }
  }

  private leaf(t: VT): string {
    return this.c.weighted<() => string>([
      [3, () => this.constOf(t)],
      [4, () => `(local.get ${this.c.pick(this.fn.vals.get(t)!)})`],
      [1, () => `(global.get $g_${t})`],
    ])();
  }

  private cond(d: number): string {
    return this.c.weighted<() => string>([
      [1, () => `(i32.and ${this.ex('i32', d)} (i32.const 1))`],
      [2, () => this.ex('i32', d)],
      [1, () => {
        const u = this.c.pick(VTS);
        return `(${u}.${this.c.pick(isInt(u) ? ICMP : FCMP)} ${this.ex(u, d)} ${this.ex(u, d)})`;
      }],
    ])();
  }

  /** a condition that holds now and then (and not for zeros, which are common) */
  private rare(d: number): string {
    return `(i32.eq (i32.and ${this.ex('i32', d)} (i32.const 7)) (i32.const ${1 + this.c.int(7)}))`;
  }

  ex(t: VT, d: number): string {
    if (d <= 0) return this.leaf(t);
    const c = this.c;
    const d1 = d - 1;
    return c.weighted<() => string>([
      [6, () => this.leaf(t)],
      [6, () => {
        const op = c.pick(isInt(t) ? IBIN : FBIN);
        const a = this.ex(t, d1);
        const b = this.ex(t, d1);
        // a zero divisor traps: mostly avoided, sometimes left to chance
        const guarded = /^(div|rem)/.test(op) && isInt(t) && !c.chance(4) ? `(${t}.or ${b} (${t}.const 1))` : b;
        return `(${t}.${op} ${a} ${guarded})`;
      }],
      [1, () => (isInt(t) ? `(${t}.${c.pick(IUN)} ${this.ex(t, d1)})` : `(${t}.${c.pick(FUN)} ${this.ex(t, d1)})`)],
      [2, () => {
        const u = c.pick(VTS.filter((x) => x !== t));
        return `(${c.pick(convOps(t, u))} ${this.ex(u, d1)})`;
      }],
      [t === 'i32' ? 2 : 0, () => {
        const u = c.pick(VTS);
        return c.chance(20) ? `(${u === 'i32' || u === 'i64' ? u : 'i64'}.eqz ${this.ex(u === 'i32' || u === 'i64' ? u : 'i64', d1)})`
          : `(${u}.${c.pick(isInt(u) ? ICMP : FCMP)} ${this.ex(u, d1)} ${this.ex(u, d1)})`;
      }],
      [this.fn.info === null ? 0 : 3, () => this.suspendEx(t, d1)],
      [this.fn.info === null ? 0 : 2, () => this.callEx(t, d1)],
      [1, () => `(if (result ${t}) ${this.cond(d1)} (then ${this.ex(t, d1)}) (else ${this.ex(t, d1)}))`],
      [1, () => {
        const l = this.label('e');
        return `(block ${l} (result ${t}) (drop (br_if ${l} ${this.ex(t, d1)} ${this.cond(d1)})) ${this.ex(t, d1)})`;
      }],
      [1, () => `(select ${this.ex(t, d1)} ${this.ex(t, d1)} ${this.cond(d1)})`],
      [2, () => this.tryEx(t, d1)],
      [1, () => `(block (result ${t}) (if ${this.rare(d1)} (then ${this.throwInstr(d1)})) ${this.ex(t, d1)})`],
      [1, () => {
        // operands of several types, reduced to one: values stay on the stack across the suspensions
        const ts = [t, c.pick(VTS), c.pick(VTS)].slice(0, 2 + c.int(2));
        return `(block (result ${t}) ${ts.map((u) => this.ex(u as VT, d1)).join(' ')} ${this.reduce(ts, t)})`;
      }],
      // faults: a trapping conversion (invalid or overflowing)
      [isInt(t) && c.chance(30) ? 1 : 0, () => {
        const [op, from] = c.pick(TRUNCS[t as 'i32' | 'i64']);
        return `(${op} ${this.ex(from, d1)})`;
      }],
    ])();
  }

  /** the values of `ts` */
  exs(ts: readonly Ty[], d: number): string {
    return ts.map((t) => (isVT(t) ? this.ex(t, d) : t === 'exnref' ? this.exnEx(d) : this.contEx(refTarget(t)!, d))).join(' ');
  }

  /** Flat code that pops values of the types `ts` and pushes one `t` made of them all. */
  reduce(ts: readonly Ty[], t: VT): string {
    if (ts.length === 0) return `(${t}.const ${this.c.int(9)})`;
    const conv = (u: Ty): string => {
      const ops = convOps(t, isVT(u) ? u : 'i32');
      if (!isVT(u)) return `(ref.is_null)${ops.length === 0 ? '' : ` (${this.c.pick(ops)})`}`;
      return ops.length === 0 ? '' : `(${this.c.pick(ops)})`;
    };
    const parts: string[] = [];
    for (let p = ts.length - 1; p >= 1; p--) parts.push(`(local.set ${this.fn.scratch(p, ts[p]!)})`);
    parts.push(conv(ts[0]!));
    for (let p = 1; p < ts.length; p++) {
      parts.push(`(local.get ${this.fn.scratch(p, ts[p]!)})`, conv(ts[p]!), isInt(t) ? `(${t}.${this.c.pick(['xor', 'add', 'sub'])})` : `(${t}.add)`);
    }
    return parts.filter((s) => s !== '').join(' ');
  }

  /** Flat code popping values of the types `ts`: continuations go to their locals, numbers to the log. */
  private takePayload(ts: readonly Ty[]): string {
    return ts.map((t) => (isVT(t) ? `(call $log_${t})` : `(local.set ${this.fn.contLocal(refTarget(t)!)})`)).reverse().join(' ');
  }

  /** Flat code that logs (and pops) values of the types `ts`. */
  logAll(ts: readonly Ty[]): string {
    return ts.length === 0 ? '' : `${this.reduce(ts, 'i64')} (call $log_i64)`;
  }

  private suspendEx(t: VT, d: number): string {
    const tag = this.c.pick(this.susTags);
    return `(block (result ${t}) (suspend ${tag.name} ${this.exs(tag.params, d)}) ${this.takeResults(tag.results, t)})`;
  }

  /** Flat code turning results (of a suspend or a call) into one `t`; a continuation goes to its local. */
  private takeResults(rs: readonly Ty[], t: VT): string {
    const [take, nums] = this.keepConts(rs);
    return `${take} ${this.reduce(nums, t)}`;
  }

  /** Flat code popping the continuations that end `rs` into their locals; and the types left. */
  private keepConts(rs: readonly Ty[]): [string, readonly Ty[]] {
    let n = rs.length;
    while (n > 0 && refTarget(rs[n - 1]!) !== null) n--;
    return [rs.slice(n).map((t) => `(local.set ${this.fn.contLocal(refTarget(t)!)})`).reverse().join(' '), rs.slice(0, n)];
  }

  /** Functions to call (or run) from the current one: later ones, now and then any (recursion,
   *  which $calls bounds). */
  private later(fns: readonly FnInfo[]): readonly FnInfo[] {
    return this.c.chance(3) ? fns : fns.filter((f) => this.fns.indexOf(f) > this.fn.index);
  }

  private callee(filter: (f: FnInfo) => boolean = () => true): FnInfo | null {
    const from = this.later(this.fns.filter(filter));
    return from.length === 0 ? null : this.c.pick(from);
  }

  private callEx(t: VT, d: number): string {
    const f = this.callee();
    if (f === null) return this.leaf(t);
    return `(block (result ${t}) ${this.callInstr(f, d)} ${this.reduce(f.sig.results, t)})`;
  }

  /** a call of f (call or call_ref), leaving its results on the stack */
  private callInstr(f: FnInfo, d: number): string {
    const args = this.exs(f.sig.params, d);
    if (!this.c.chance(30)) return `(call ${f.name} ${args})`;
    const ft = this.types.func(f.sig);
    const other = this.c.pick(this.fns.filter((g) => g.sig === f.sig));
    const ref = this.c.chance(50) ? `(ref.func ${f.name})` : `(select (result (ref ${ft})) (ref.func ${f.name}) (ref.func ${other.name}) ${this.cond(0)})`;
    return `(call_ref ${ft} ${args} ${ref})`;
  }

  private exnTag(): Tag {
    return this.c.pick(this.exnTags);
  }

  private throwInstr(d: number): string {
    const tag = this.exnTag();
    return `(throw ${tag.name} ${this.exs(tag.params, d)})`;
  }

  /** an exnref: from a local (maybe null), or made on the spot by catching a throw */
  private exnEx(d: number): string {
    return this.c.weighted<() => string>([
      [1, () => `(local.get $x${this.c.int(2)})`],
      [3, () => {
        const l = this.label('mk');
        return `(block ${l} (result exnref) (try_table (catch_all_ref ${l}) ${this.throwInstr(d)}) (unreachable))`;
      }],
    ])();
  }

  /** a continuation of type k: null, new, or taken from a local */
  contEx(k: string, d: number): string {
    const made = this.makeCont(k, d);
    return this.c.weighted<() => string>([
      [1, () => `(ref.null ${k})`],
      [made === null ? 0 : 5, () => made!],
      [3, () => {
        const l = this.c.pick(this.fn.contLocalsOf(k));
        return `(block (result ${nullRef(k)}) (local.get ${l}) (local.set ${l} (ref.null ${k})))`;
      }],
      [d > 0 ? 1 : 0, () => `(select (result ${nullRef(k)}) ${this.contEx(k, d - 1)} ${this.contEx(k, d - 1)} ${this.cond(0)})`],
      [d > 0 && this.c.chance(20) ? 1 : 0, () => `(ref.as_non_null ${made ?? this.contEx(k, d - 1)})`],
    ])();
  }

  /**
   * A new continuation of type k, or null if no function makes one: cont.new of a function of
   * that type, or of one taking more parameters first, of which cont.bind supplies those.
   */
  private makeCont(k: string, d: number): string | null {
    const want = this.types.sigOf(k);
    const makers = this.fns.filter((f) =>
      sigKey({ params: [], results: f.sig.results }) === sigKey({ params: [], results: want.results }) &&
      f.sig.params.length >= want.params.length &&
      sigKey({ params: f.sig.params.slice(f.sig.params.length - want.params.length), results: [] }) === sigKey({ params: want.params, results: [] }));
    const from = this.later(makers);
    if (from.length === 0) return null;
    const f = this.c.pick(from);
    const kf = this.types.cont(f.sig);
    const fresh = `(cont.new ${kf} (ref.func ${f.name}))`;
    if (kf === k) return fresh;
    const n = f.sig.params.length - want.params.length;
    return `(cont.bind ${kf} ${k} ${this.exs(f.sig.params.slice(0, n), d)} ${fresh})`;
  }

  private tryEx(t: VT, d: number): string {
    const tag = this.exnTag();
    const out = this.label('eo');
    const lab = this.label('ec');
    const kind = this.c.pick(['catch', 'catch_ref', 'catch_all', 'catch_all_ref'] as const);
    const payload: Ty[] = kind === 'catch' ? [...tag.params] : kind === 'catch_ref' ? [...tag.params, 'exnref'] : kind === 'catch_all' ? [] : ['exnref'];
    const clause = kind.startsWith('catch_all') ? `(${kind} ${lab})` : `(${kind} ${tag.name} ${lab})`;
    const keep = payload.at(-1) === 'exnref' ? `(local.set $x${this.c.int(2)})` : '';
    const rest = keep === '' ? payload : payload.slice(0, -1);
    return `(block ${out} (result ${t})
        (block ${lab}${payload.length > 0 ? ` (result ${payload.join(' ')})` : ''}
          (br ${out} (try_table (result ${t}) ${clause} ${this.ex(t, d)})))
        ${keep} (call $log_i32 (i32.const ${this.mark()})) ${this.reduce(rest, t)})`;
  }

  // ---- statements ----

  stmts(d: number, max = 4, min = 0): string {
    return Array.from({ length: min + this.c.int(max - min + 1) }, () => this.st(d)).filter((s) => s !== '').join('\n    ');
  }

  st(d: number): string {
    const c = this.c;
    const f = this.fn;
    const d1 = d - 1;
    const e = Math.min(d, 2); // expression depth
    const nested = d > 0 ? 1 : 0;
    const co = f.info?.co ?? false;
    return c.weighted<() => string>([
      [3, () => {
        const t = c.pick(VTS);
        return `(call $log_${t} ${this.ex(t, e)})`;
      }],
      [3, () => {
        const t = c.pick(VTS);
        return `(local.set ${c.pick(f.vals.get(t)!)} ${this.ex(t, e)})`;
      }],
      [1, () => {
        const t = c.pick(VTS);
        return `(global.set $g_${t} ${this.ex(t, e)})`;
      }],
      [2 * nested, () => `(if ${this.cond(1)} (then ${this.stmts(d1, 3)}) (else ${this.stmts(d1, 2)}))`],
      [1 * nested, () => {
        const l = this.label('b');
        const body = this.withLabel(l, () => `${this.stmts(d1, 2)} (br_if ${l} ${this.cond(1)}) ${this.stmts(d1, 2)}`);
        return `(block ${l} ${body})`;
      }],
      [3 * nested, () => this.loopSt(d1)],
      [co ? 6 : 0, () => this.loopSt(d1, 'switch')],
      [f.info === null ? 0 : 3 * nested, () => this.loopSt(d1, 'suspend')],
      [1 * nested, () => this.brTableSt(d1)],
      [1 * nested, () => this.paramBlockSt(d1)],
      [4 * nested, () => (this.legacy && c.chance(35) ? this.legacyTrySt(d1) : this.trySt(d1))],
      [2, () => `(if ${this.rare(1)} (then ${this.throwInstr(1)} ${this.dead()}))`],
      [1, () => {
        const x = `$x${c.int(2)}`;
        return c.chance(90) ? `(if (i32.eqz (ref.is_null (local.get ${x}))) (then (throw_ref (local.get ${x}))))` : `(throw_ref (local.get ${x}))`;
      }],
      [1, () => (c.chance(50) ? `(global.set $gx (local.get $x${c.int(2)}))` : `(local.set $x${c.int(2)} (global.get $gx))`)],
      [f.info === null ? 0 : 5, () => this.suspendSt(e)],
      [f.info === null ? 0 : 2 * nested, () => (this.legacy && c.chance(35) ? this.legacyTrySt(d1, true) : this.trySt(d1, true))],
      [f.info === null ? 1 : 3, () => {
        const g = this.callee();
        return g === null ? '' : `${this.callInstr(g, e)} ${this.logAll(g.sig.results)}`;
      }],
      [2, () => this.tailCallSt(e)],
      [1, () => `(if ${this.cond(1)} (then (return ${f.info === null ? '(global.get $h) (call $fcanon (global.get $acc))' : this.exs(f.results, e)}) ${this.dead()}))`],
      [f.labels.length > 0 ? 1 : 0, () => `(br_if ${c.pick(f.labels)} ${this.cond(1)})`],
      [(d >= 2 ? 4 : 1) * nested + (f.info === null ? 4 : 0), () => this.site(d1, null)],
      [f.info === null ? 0 : nested, () => this.loopSite(d1)],
      [co ? 6 : f.info === null ? 0 : 1, () => this.switchSt(e)],
      [2, () => this.contSt(e)],
      [1, () => this.stashSt()],
      [1, () => this.faultSt(e)],
    ])();
  }

  /** Sometimes dead code, valid on the polymorphic stack after an unconditional branch. */
  private dead(): string {
    const c = this.c;
    if (!c.chance(25)) return '';
    const k = c.pick(this.types.conts());
    const drops = (n: number) => '(drop) '.repeat(n);
    return c.weighted<() => string>([
      [1, () => '(drop)'],
      [1, () => '(i64.add) (drop)'],
      [1, () => `(suspend ${c.pick(this.susTags.filter((t) => t.results.length === 1)).name}) (drop)`],
      [1, () => `(resume ${k}) ${drops(this.types.sigOf(k).results.length)}`],
      [1, () => `(resume_throw_ref ${k}) ${drops(this.types.sigOf(k).results.length)}`],
      [1, () => '(switch $ks $tsw) (drop) (drop)'],
      [1, () => `(cont.bind $ks ${this.types.cont({ params: [nullRef('$ks')], results: ['i32'] })}) (drop)`],
      [1, () => '(cont.new $ks) (drop)'],
      [1, () => '(throw_ref)'],
    ])();
  }

  private suspendSt(e: number): string {
    const tag = this.c.pick(this.susTags);
    const [take, nums] = this.keepConts(tag.results);
    return `(suspend ${tag.name} ${this.exs(tag.params, e)}) ${take} ${this.logAll(nums)}`;
  }

  private withLabel(l: string, body: () => string): string {
    this.fn.labels.push(l);
    try {
      return body();
    } finally {
      this.fn.labels.pop();
    }
  }

  /** a bounded loop; some switch to a peer or suspend at every turn (a coroutine, a generator) */
  private loopSt(d: number, each: 'switch' | 'suspend' | null = null): string {
    const n = this.fn.local('i32', 'n');
    const out = this.label('lb');
    const loop = this.label('lp');
    const body = this.withLabel(out, () => {
      const b = this.stmts(d, 3);
      if (each === null) return b;
      return `${b} ${each === 'switch' ? this.switchSt(1) : this.suspendSt(1)} ${this.stmts(d, 1)}`;
    });
    return `(local.set ${n} (i32.const 0))
    (block ${out}
      (loop ${loop}
        (br_if ${out} (i32.ge_u (local.get ${n}) (i32.const ${1 + this.c.int(4)})))
        (br_if ${out} (call $tick))
        (local.set ${n} (i32.add (local.get ${n}) (i32.const 1)))
        (call $log_i32 (i32.add (local.get ${n}) (i32.const ${this.mark()})))
        ${body}
        (br ${loop})))`;
  }

  /** br_table out of nested multi-value blocks; each block passes on new values */
  private brTableSt(d: number): string {
    const c = this.c;
    const ts = Array.from({ length: 1 + c.int(3) }, () => c.pick(VTS));
    const n = 2 + c.int(2);
    const labels = Array.from({ length: n }, () => this.label('m'));
    const res = `(result ${ts.join(' ')})`;
    let code = `${this.stmts(d, 2)}
      (br_table ${Array.from({ length: 1 + c.int(4) }, () => c.pick(labels)).join(' ')} ${this.exs(ts, 1)} ${this.ex('i32', 1)})`;
    for (let i = n - 1; i >= 0; i--) {
      code = `(block ${labels[i]} ${res}\n      ${code})\n      ${this.logAll(ts)} (call $log_i32 (i32.const ${this.mark()}))`;
      if (i > 0) code += ` ${this.exs(ts, 1)}`;
    }
    return code;
  }

  /** a block taking parameters, with statements (maybe suspending) run above them */
  private paramBlockSt(d: number): string {
    const c = this.c;
    const ts = Array.from({ length: 1 + c.int(3) }, () => c.pick(VTS));
    const r = c.pick(VTS);
    const params = `(param ${ts.join(' ')})`;
    if (c.chance(50)) {
      return `${this.exs(ts, 1)}
    (block ${params} (result ${r})
      ${this.stmts(d, 3)}
      ${this.reduce(ts, r)})
    (call $log_${r})`;
    }
    // a try_table taking them: a catch drops them (the catch_all's block takes them too, and
    // drops them at its branch)
    const out = this.label('po');
    const lab = this.label('pc');
    const body = this.withLabel(lab, () => `${this.stmts(d, 3)} ${c.chance(50) ? `(if ${this.cond(1)} (then ${this.throwInstr(1)}))` : ''}`);
    return `${this.exs(ts, 1)}
    (block ${out} ${params} (result ${r})
      (block ${lab} ${params}
        (try_table ${params} (result ${r}) (catch_all ${lab})
          ${body}
          ${this.reduce(ts, r)})
        (br ${out}))
      (call $log_i32 (i32.const ${this.mark()})) ${this.constOf(r)})
    (call $log_${r})`;
  }

  /** a try_table; with `suspend`, around a suspension (to catch what a resume_throw raises there) */
  private trySt(d: number, suspend = false): string {
    const c = this.c;
    const out = this.label('tx');
    const clauses = Array.from({ length: 1 + c.int(3) }, () => {
      const kind = c.pick(['catch', 'catch_ref', 'catch_all', 'catch_all_ref'] as const);
      const tag = this.exnTag();
      const payload: Ty[] = kind === 'catch' ? [...tag.params] : kind === 'catch_ref' ? [...tag.params, 'exnref'] : kind === 'catch_all' ? [] : ['exnref'];
      return { kind, tag, payload, label: this.label('tc') };
    });
    // a throw in the body, most of the time (else exceptions come only from further in)
    const body = this.withLabel(out, () => {
      const b = suspend ? `${this.stmts(d, 1)} ${this.suspendSt(1)} ${this.stmts(d, 2)}` : this.stmts(d, 4);
      return c.chance(60) ? `${b} (if ${this.cond(1)} (then ${this.throwInstr(1)})) ${this.stmts(d, 1)}` : b;
    });
    let code = `(try_table ${clauses.map((k) => (k.kind.startsWith('catch_all') ? `(${k.kind} ${k.label})` : `(${k.kind} ${k.tag.name} ${k.label})`)).join(' ')}
        ${body})
      (br ${out})`;
    for (const k of clauses) {
      const keep = k.payload.at(-1) === 'exnref' ? `(local.set $x${c.int(2)})` : '';
      const rest = keep === '' ? k.payload : k.payload.slice(0, -1);
      const handler = this.withLabel(out, () => this.stmts(d, 2));
      code = `(block ${k.label}${k.payload.length > 0 ? ` (result ${k.payload.join(' ')})` : ''}
      ${code})
      ${keep} ${this.takePayload(rest)} (call $log_i32 (i32.const ${this.mark()}))
      ${handler}
      (br ${out})`;
    }
    return `(block ${out}\n      ${code})`;
  }

  /**
   * A legacy try (catch $t ... / catch_all ... / delegate), to mix the two exception mechanisms:
   * its handlers start with the tag's payload, may rethrow the exception they caught, and a
   * try closed by delegate hands its exceptions to the block around it.
   */
  private legacyTrySt(d: number, suspend = false): string {
    const c = this.c;
    const body = (() => {
      const b = suspend ? `${this.stmts(d, 1)} ${this.suspendSt(1)} ${this.stmts(d, 2)}` : this.stmts(d, 4);
      return c.chance(60) ? `${b} (if ${this.cond(1)} (then ${this.throwInstr(1)})) ${this.stmts(d, 1)}` : b;
    })();
    if (c.chance(20)) return `(try (do ${body}) (delegate 0))`;
    const tags = Array.from({ length: c.int(3) }, () => this.exnTag());
    const handler = (payload: readonly Ty[]): string => {
      const h = `${this.takePayload(payload)} (call $log_i32 (i32.const ${this.mark()})) ${this.stmts(d, 2)}`;
      return c.chance(20) ? `${h} (rethrow 0)` : h;
    };
    const catches = tags.map((t) => `(catch ${t.name} ${handler(t.params)})`);
    if (tags.length === 0 || c.chance(50)) catches.push(`(catch_all ${handler([])})`);
    return `(try (do ${body}) ${catches.join(' ')})`;
  }

  private tailCallSt(e: number): string {
    const info = this.fn.info;
    if (info === null) return '';
    const same = this.fns.filter((g) => sigKey({ params: [], results: g.sig.results }) === sigKey({ params: [], results: info.sig.results }));
    const g = this.callee((x) => same.includes(x));
    if (g === null) return '';
    const args = this.exs(g.sig.params, e);
    const ft = this.types.func(g.sig);
    const call = this.c.chance(60) ? `(return_call ${g.name} ${args})` : `(return_call_ref ${ft} ${args} (ref.func ${g.name}))`;
    return `(if ${this.cond(1)} (then ${call}))`;
  }

  /** switch to a coroutine: the one that switched to us (in a local), or a new one */
  private switchSt(e: number): string {
    const c = this.c;
    const f = this.fn;
    const cos = this.fns.filter((g) => g.co);
    // a coroutine mostly switches back to the one that switched to it (its parameter)
    const peer = f.info?.co === true && c.chance(75) ? '$p1' : c.pick(f.contLocalsOf('$ks'));
    const sw = (target: string) => `(switch $ks $tsw ${this.ex('i32', e)} ${target}) (local.set ${peer}) (call $log_i32)`;
    return c.weighted<() => string>([
      [6, () => `(if (ref.is_null (local.get ${peer})) (then (call $log_i32 (i32.const ${this.mark()}))) (else ${sw(`(local.get ${peer})`)}))`],
      [cos.length > 0 ? 4 : 0, () => sw(`(cont.new $ks (ref.func ${c.pick(cos).name}))`)],
      [c.chance(15) ? 1 : 0, () => sw('(ref.null $ks)')],
      [cos.length > 0 ? 2 : 0, () => {
        // to a coroutine given its first argument by cont.bind: the switch passes only ourselves
        const kb = this.types.cont({ params: [nullRef('$ks')], results: ['i32'] });
        const target = `(cont.bind $ks ${kb} ${this.ex('i32', e)} (cont.new $ks (ref.func ${c.pick(cos).name})))`;
        return `(switch ${kb} $tsw ${target}) (local.set ${peer}) (call $log_i32)`;
      }],
    ])();
  }

  /** a continuation into a local: new, or a partial application of one already there */
  private contSt(e: number): string {
    const c = this.c;
    const f = this.fn;
    const g = c.pick(this.fns);
    const k = this.types.cont(g.sig);
    if (g.sig.params.length === 0 || c.chance(40)) return `(local.set ${f.contLocal(k)} (cont.new ${k} (ref.func ${g.name})))`;
    const n = 1 + c.int(g.sig.params.length);
    const kp = this.types.cont({ params: g.sig.params.slice(n), results: g.sig.results });
    const src = c.pick(f.contLocalsOf(k));
    const take = c.chance(90) ? `(local.set ${src} (ref.null ${k}))` : '';
    return `(if (i32.eqz (ref.is_null (local.get ${src})))
      (then (local.set ${f.contLocal(kp)} (cont.bind ${k} ${kp} ${this.exs(g.sig.params.slice(0, n), e)} (local.get ${src}))) ${take}))`;
  }

  /** a continuation between a local and its global (kept across calls and invocations) */
  private stashSt(): string {
    const c = this.c;
    const k = c.pick(this.types.conts());
    this.stashed.add(k);
    const l = c.pick(this.fn.contLocalsOf(k));
    const g = `$gc_${k.slice(1)}`;
    return c.chance(50)
      ? `(global.set ${g} (local.get ${l})) (local.set ${l} (ref.null ${k}))`
      : `(local.set ${l} (global.get ${g})) (global.set ${g} (ref.null ${k}))`;
  }

  private faultSt(e: number): string {
    const c = this.c;
    const fault = c.weighted<() => string>([
      [2, () => `(unreachable) ${this.dead()}`],
      [2, () => `(drop (${c.pick(['i32.div_u', 'i32.rem_s', 'i32.div_s'])} ${this.ex('i32', e)} (i32.const 0)))`],
      [1, () => `(drop (i64.div_s (i64.const -0x8000000000000000) (i64.const -1)))`],
      [2, () => `(suspend $unh ${this.ex('i32', e)})`],
      [2, () => `(drop (call $inf ${this.ex('i32', e)}))`],
      [1, () => '(resume $K_void (ref.null $K_void))'],
      [1, () => '(drop (cont.new $K_void (ref.null $F_void)))'],
      [1, () => {
        // a consumed continuation used again
        const g = c.pick(this.fns);
        const k = this.types.cont(g.sig);
        const l = this.fn.contLocal(k);
        return `(local.set ${l} (cont.new ${k} (ref.func ${g.name}))) (drop (cont.bind ${k} ${k} (local.get ${l}))) (drop (cont.bind ${k} ${k} (local.get ${l})))`;
      }],
    ])();
    return c.chance(80) ? `(if ${this.rare(1)} (then ${fault}))` : fault;
  }

  // ---- resume sites ----

  /** a continuation type to resume: mostly one some function has (so there are new ones), else any */
  private siteType(root = false): string {
    const c = this.c;
    const made = [...new Set(this.fns.map((f) => this.types.cont(f.sig)))];
    return root || c.chance(70) ? c.pick(made) : c.pick(this.types.conts());
  }

  /**
   * A resume site: a loop resuming a continuation of type k under random handlers until it
   * returns, is abandoned or the loop's bound is reached. With `from`, the continuation is taken
   * from that local (of type (ref null k)); else it is new, or taken from a local or the global.
   */
  site(d: number, from: { readonly local: string; readonly k: string } | null, root = false): string {
    const c = this.c;
    const f = this.fn;
    const k = from?.k ?? this.siteType(root);
    const { params, results } = this.types.sigOf(k);
    const k0 = this.types.cont({ params: [], results });
    const dc = f.local(nullRef(k0), 'dc');
    const mode = f.local('i32', 'dm');
    const count = f.local('i32', 'dn');
    const exit = this.label('x');
    const loop = this.label('l');

    // where the continuation comes from; a local or global one may be null (then the site is skipped)
    const made = from === null ? this.makeCont(k, 1) : null;
    const take = (get: string, set: string) => `(block (result ${nullRef(k)}) ${get} ${c.chance(92) ? set : ''})`;
    const source = from !== null
      ? { guard: null, src: take(`(local.get ${from.local})`, `(local.set ${from.local} (ref.null ${k}))`) }
      : root ? { guard: null, src: made! }
      : c.weighted<() => { guard: string | null; src: string }>([
        [made === null ? 0 : 12, () => ({ guard: null, src: made! })],
        [3, () => {
          const l = c.pick(f.contLocalsOf(k));
          return { guard: `(local.get ${l})`, src: take(`(local.get ${l})`, `(local.set ${l} (ref.null ${k}))`) };
        }],
        [1, () => {
          this.stashed.add(k);
          const g = `$gc_${k.slice(1)}`;
          return { guard: `(global.get ${g})`, src: take(`(global.get ${g})`, `(global.set ${g} (ref.null ${k}))`) };
        }],
      ])();
    const { guard, src } = source;

    // how it starts: all arguments bound (in one or two steps), or a direct resume with some
    // arguments (after binding the others), or a throw into it before it ever ran
    const modes = new Set<number>();
    const n = c.int(params.length + 1);
    const kp = this.types.cont({ params: params.slice(n), results });
    const bindAll = () => {
      const first = n === 0 ? src : `(cont.bind ${k} ${kp} ${this.exs(params.slice(0, n), 1)} ${src})`;
      return `(local.set ${dc} (cont.bind ${kp} ${k0} ${this.exs(params.slice(n), 1)} ${first}))`;
    };
    let init: string;
    let direct = '';
    const start = c.weighted<string>([[5, 'bind'], [4, 'direct'], [root ? 0 : 1, 'throw']]);
    if (start === 'direct') {
      const ds = f.local(nullRef(kp), 'ds');
      init = `(local.set ${ds} ${n === 0 ? src : `(cont.bind ${k} ${kp} ${this.exs(params.slice(0, n), 1)} ${src})`}) (local.set ${mode} (i32.const 9))`;
      direct = `(resume ${kp} HANDLERS ${this.exs(params.slice(n), 1)} (local.get ${ds}))`;
      modes.add(9);
    } else {
      const m = start === 'throw' ? 1 + c.int(this.exnTags.length + 1) : 0;
      modes.add(m);
      init = `${bindAll()} (local.set ${mode} (i32.const ${m}))`;
    }
    // what a throw into it throws: the payload, per type, or an exnref
    const pay = new Map<Ty, string>();
    const payLocal = (t: Ty) => {
      if (!pay.has(t)) pay.set(t, f.local(t, 'dt'));
      return pay.get(t)!;
    };
    const dx = f.local('exnref', 'dx');
    const setThrow = (m: number, e: number): string => {
      if (m === this.exnTags.length + 1) return `(local.set ${dx} ${this.exnEx(e)})`;
      return this.exnTags[m - 1]!.params.map((t) => `(local.set ${payLocal(t)} ${this.exs([t], e)})`).join(' ');
    };
    if (start === 'throw') init = `${setThrow([...modes][0]!, 1)} ${init}`;

    // the handlers
    // the outermost site handles every tag (an unhandled one ends the whole invocation)
    const handled = this.susTags.filter(() => root || c.chance(45));
    const onSwitch = results.length === 1 && results[0] === 'i32' && (root || c.chance(92));
    const clauses = [...handled.map((t) => ({ t, label: this.label('h') }))];
    const handlerCode = clauses.map(({ t }) => {
      const kh = this.types.cont({ params: t.results, results });
      const ch = f.contLocal(kh);
      const parts: string[] = [`(local.set ${ch})`];
      const payload: string[] = [];
      for (let i = t.params.length - 1; i >= 0; i--) {
        const ty = t.params[i]!;
        if (isVT(ty)) {
          // (a value local from now on: the code after may use the payload)
          const l = f.local(ty, 'q');
          f.vals.get(ty)!.push(l);
          parts.push(`(local.set ${l})`);
          payload.unshift(l);
        } else {
          const l = f.contLocal(refTarget(ty)!);
          parts.push(`(local.set ${l})`);
          payload.unshift(l);
        }
      }
      parts.push(`(call $log_i32 (i32.const ${this.mark()}))`);
      for (const [i, l] of payload.entries()) if (isVT(t.params[i]!)) parts.push(`(call $log_${t.params[i]} (local.get ${l}))`);
      parts.push(this.withLabel(exit, () => this.stmts(d - 1, 2)));
      const nullIt = () => (c.chance(90) ? `(local.set ${ch} (ref.null ${kh}))` : '');
      // the reply, bound to the continuation
      const bindReply = (): string => {
        if (t.results.length >= 2 && c.chance(40)) {
          // two steps: bind the first results, then the others
          const m = 1 + c.int(t.results.length - 1);
          const kh1 = this.types.cont({ params: t.results.slice(m), results });
          return `(cont.bind ${kh1} ${k0} ${this.exs(t.results.slice(m), 1)} (cont.bind ${kh} ${kh1} ${this.exs(t.results.slice(0, m), 1)} (local.get ${ch})))`;
        }
        return `(cont.bind ${kh} ${k0} ${this.exs(t.results, 1)} (local.get ${ch}))`;
      };
      const throwInto = (): string => {
        const m = 1 + c.int(this.exnTags.length + 1);
        modes.add(m);
        return `(local.set ${dc} ${bindReply()}) ${nullIt()} ${setThrow(m, 1)} (local.set ${mode} (i32.const ${m})) (br ${loop})`;
      };
      const action = (): string => c.weighted<() => string>([
        [6, () => {
          modes.add(0);
          return `(local.set ${dc} ${bindReply()}) ${nullIt()} (local.set ${mode} (i32.const 0)) (br ${loop}) ${this.dead()}`;
        }],
        [5, throwInto],
        [root ? 0 : 2, () => {
          // forward: ask an outer handler of the same tag for the reply
          modes.add(0);
          const fwd = `(suspend ${t.name} ${payload.map((l) => `(local.get ${l})`).join(' ')})`;
          return `(local.set ${dc} (cont.bind ${kh} ${k0} ${fwd} (local.get ${ch}))) ${nullIt()} (local.set ${mode} (i32.const 0)) (br ${loop})`;
        }],
        [d > 0 ? 2 : 0, () => `${this.site(d - 1, { local: ch, k: kh })} (br ${exit})`],
        [1, () => {
          this.stashed.add(kh);
          return `(global.set $gc_${kh.slice(1)} (local.get ${ch})) (br ${exit})`;
        }],
        [1, () => `(br ${exit}) ${this.dead()}`],
        [1, () => {
          // use it twice
          modes.add(0);
          return `(local.set ${dc} ${bindReply()}) (drop (cont.bind ${kh} ${kh} (local.get ${ch}))) (local.set ${mode} (i32.const 0)) (br ${loop})`;
        }],
      ])();
      // sometimes one of two actions, chosen at run time (each ends with a branch): at random, or
      // the first one after a few rounds (mostly: continue a few times, then throw into it)
      const after = `(i32.ge_u (local.get ${count}) (i32.const ${1 + c.int(4)}))`;
      parts.push(c.weighted<() => string>([
        [3, action],
        [1, () => `(if ${this.cond(1)} (then ${action()})) ${action()}`],
        [1, () => `(if ${after} (then ${action()})) ${action()}`],
        [2, () => `(if ${after} (then ${throwInto()})) ${action()}`],
      ])());
      return parts.join('\n        ');
    });

    const hs = [
      ...clauses.map(({ t, label }) => `(on ${t.name} ${label})`),
      ...(onSwitch ? ['(on $tsw switch)'] : []),
    ];
    // duplicate clauses: the first one for a tag wins
    if (hs.length > 0 && c.chance(10)) hs.push(c.pick(hs));
    const hsText = hs.join(' ');
    const res = results.length === 0 ? '' : ` (result ${results.join(' ')})`;
    const byMode = (m: number): string => {
      if (m === 0) return `(resume ${k0} ${hsText} (local.get ${dc}))`;
      if (m === 9) return direct.replace('HANDLERS', hsText);
      if (m === this.exnTags.length + 1) return `(resume_throw_ref ${k0} ${hsText} (local.get ${dx}) (local.get ${dc}))`;
      const tag = this.exnTags[m - 1]!;
      return `(resume_throw ${k0} ${tag.name} ${hsText} ${tag.params.map((t) => `(local.get ${payLocal(t)})`).join(' ')} (local.get ${dc}))`;
    };
    const ms = [...modes].sort((a, b) => a - b);
    let dispatch = byMode(ms.at(-1)!);
    for (const m of ms.slice(0, -1).reverse()) {
      dispatch = `(if${res} (i32.eq (local.get ${mode}) (i32.const ${m})) (then ${byMode(m)}) (else ${dispatch}))`;
    }
    let code = `${dispatch}
        ${this.logAll(results)} (call $log_i32 (i32.const ${this.mark()}))
        (br ${exit})`;
    for (const [i, { t, label }] of clauses.entries()) {
      const kh = this.types.cont({ params: t.results, results });
      // (the label may take the continuation as nullable)
      code = `(block ${label} (result ${[...t.params, c.chance(25) ? nullRef(kh) : `(ref ${kh})`].join(' ')})
        ${code})
        ${handlerCode[i]!}`;
    }
    const site = `${init}
    (local.set ${count} (i32.const 0))
    (block ${exit}
      (loop ${loop}
        (br_if ${exit} (i32.ge_u (local.get ${count}) (i32.const ${root ? 30 : 2 + c.int(8)})))
        (br_if ${exit} (call $tick))
        (local.set ${count} (i32.add (local.get ${count}) (i32.const 1)))
        ${code}))`;
    // skipped when the continuation is null
    if (guard === null) return site;
    if (c.chance(60)) return `(if (ref.is_null ${guard}) (then (call $log_i32 (i32.const ${this.mark()}))) (else ${site}))`;
    const skip = this.label('sk');
    const go = this.label('go');
    return `(block ${skip} (block ${go} (result (ref ${k})) (br_on_non_null ${go} ${guard}) (call $log_i32 (i32.const ${this.mark()})) (br ${skip}))
      (drop)
      ${site})`;
  }

  /**
   * A resume site whose handler for one tag is a loop label: a suspension branches back to the
   * start of the loop, its payload and continuation as the loop's parameters.
   */
  loopSite(d: number): string {
    const c = this.c;
    const f = this.fn;
    const k = this.siteType(true);
    const src = this.makeCont(k, 1);
    if (src === null) return '';
    const { params, results } = this.types.sigOf(k);
    const t = c.pick(this.susTags);
    const kh = this.types.cont({ params: t.results, results });
    const ch = f.contLocal(kh);
    const first = f.local('i32', 'lf');
    const count = f.local('i32', 'lc');
    const exit = this.label('lx');
    const loop = this.label('lh');
    const payload = t.params.map((ty) => (isVT(ty) ? f.local(ty, 'q') : f.contLocal(refTarget(ty)!)));
    const hs = `(on ${t.name} ${loop})${results.length === 1 && results[0] === 'i32' && c.chance(70) ? ' (on $tsw switch)' : ''}`;
    const take = [`(local.set ${ch})`, ...payload.map((l) => `(local.set ${l})`).reverse()].join(' ');
    const done = `${this.logAll(results)} (call $log_i32 (i32.const ${this.mark()})) (br ${exit})`;
    const handler = this.withLabel(exit, () => this.stmts(d - 1, 2));
    return `(local.set ${first} (i32.const 1)) (local.set ${count} (i32.const 0))
    (block ${exit}
      ${t.params.map((ty) => (isVT(ty) ? this.constOf(ty) : `(ref.null ${refTarget(ty)})`)).join(' ')} (ref.null ${kh})
      (loop ${loop} (param ${[...t.params, nullRef(kh)].join(' ')})
        ${take}
        (br_if ${exit} (i32.ge_u (local.get ${count}) (i32.const ${2 + c.int(8)})))
        (br_if ${exit} (call $tick))
        (local.set ${count} (i32.add (local.get ${count}) (i32.const 1)))
        (if (local.get ${first}) (then
          (local.set ${first} (i32.const 0))
          (resume ${k} ${hs} ${this.exs(params, 1)} ${src}) ${done}))
        (call $log_i32 (i32.const ${this.mark()}))
        ${payload.map((l, i) => (isVT(t.params[i]!) ? `(call $log_${t.params[i]} (local.get ${l}))` : '')).join(' ')}
        ${handler}
        (resume ${kh} ${hs} ${this.exs(t.results, 1)} (local.get ${ch})) ${done}))`;
  }

  // ---- the module ----

  private renderFn(info: FnInfo, index: number): string {
    this.fn = new FnCtx(info, index);
    const defaults = info.sig.results.map((t) => (isVT(t) ? `(${t}.const ${index})` : `(ref.null ${refTarget(t)})`)).join(' ');
    // a coroutine mostly starts with a loop switching to its peer
    const body = info.co && this.c.chance(70) ? `${this.loopSt(2, 'switch')}\n    ${this.stmts(3, 6)}` : this.stmts(3, 8, 2);
    const result = this.exs(info.sig.results, 2);
    const params = info.sig.params.map((t, i) => `(param $p${i} ${t})`).join(' ');
    const results = info.sig.results.length === 0 ? '' : `(result ${info.sig.results.join(' ')})`;
    return `
  (func ${info.name} (export "${info.name.slice(1)}") (type ${this.types.func(info.sig)}) ${params} ${results}
    ${this.fn.decls.join(' ')} (local $x0 exnref) (local $x1 exnref)
    (call $log_i32 (i32.const ${index + 1}))
    (if (call $enter) (then (return ${defaults})))
    ${body}
    ${result})`;
  }

  private renderExport(name: string): string {
    this.fn = new FnCtx(null, -1);
    const roots = Array.from({ length: 1 + this.c.int(3) }, () => {
      const site = this.site(3, null, true);
      const l = this.label('r');
      const caught = `(block ${l} (result exnref) (try_table (catch_all_ref ${l}) ${site}) (ref.null exn)) (local.set $x1)`;
      return `${this.c.chance(50) ? caught : site}\n    ${this.stmts(2, 2)}`;
    });
    // An exception that escapes is logged (its tag and payload), then rethrown: the invocation
    // still ends with it, and the next ones (or the final "hash") show which one it was.
    const out = this.label('u');
    const catches = this.exnTags.map((t, i) => ({ t, i, label: this.label('uc') }));
    let code = `(try_table ${catches.map(({ t, label }) => `(catch_ref ${t.name} ${label})`).join(' ')} (catch_all_ref ${out})
      ${roots.join('\n    ')})
    (return (global.get $h) (call $fcanon (global.get $acc)))`;
    for (const { t, i, label } of catches) {
      code = `(block ${label} (result ${[...t.params, 'exnref'].join(' ')})
    ${code})
    (local.set $x0) ${this.takePayload(t.params)} (call $log_i32 (i32.const ${SITE_BASE - 10 - i})) (br ${out} (local.get $x0))`;
    }
    return `
  (func (export "${name}") (result i64 f64)
    ${this.fn.decls.join(' ')} (local $x0 exnref) (local $x1 exnref)
    (global.set $fuel (i32.const ${FUEL}))
    (call $log_i32 (i32.const ${SITE_BASE - 1}))
    (block ${out} (result exnref)
    ${code})
    (throw_ref))`;
  }

  private setBody(i: number): void {
    this.c = new Choices(this.bodies[i] ?? []);
  }

  private tagDecl(t: Tag, exp: boolean): string {
    return `(tag ${t.name}${exp ? ` (export "${t.name.slice(1)}")` : ''}${t.params.length > 0 ? ` (param ${t.params.join(' ')})` : ''}${t.results.length > 0 ? ` (result ${t.results.join(' ')})` : ''})`;
  }

  private hostImports(): string {
    return this.fns.filter((f) => f.host !== undefined).map((f) => `(import "spectest" "${f.host}" (func ${f.name} (type ${this.types.func(f.sig)})))`).join('\n  ');
  }

  render(): ChaosScript {
    const header = this.c;
    // the exports first: they are where execution starts, so they get the choices before they run out
    const names = Array.from({ length: 1 + header.int(3) }, (_, i) => `x${i}`);
    const client = header.chance(35);
    const exps = names.map((n, i) => {
      this.setBody(this.nwasm + i);
      return this.renderExport(n);
    });
    const fns = this.fns.slice(0, this.nwasm).map((f, i) => {
      this.setBody(i);
      return this.renderFn(f, i);
    });
    const stashed = [...this.stashed];
    const m1 = `m1${this.suffix}`;
    const main = `(module $${m1}
  ${this.types.render()}
  (type $F_void (func))
  (type $K_void (cont $F_void))
  ${this.hostImports()}
  ${this.allTags.map((t) => this.tagDecl(t, true)).join('\n  ')}
  (global $h (export "h") (mut i64) (i64.const 0))
  (global $acc (export "acc") (mut f64) (f64.const 0))
  (global $fuel (export "fuel") (mut i32) (i32.const 0))
  (global $calls (mut i32) (i32.const ${CALLS}))
  ${VTS.map((t) => `(global $g_${t} (export "g_${t}") (mut ${t}) (${t}.const 0))`).join('\n  ')}
  (global $gx (export "gx") (mut exnref) (ref.null exn))
  ${stashed.map((k) => `(global $gc_${k.slice(1)} (export "gc_${k.slice(1)}") (mut ${nullRef(k)}) (ref.null ${k}))`).join('\n  ')}
  (func $log_i64 (export "log_i64") (param i64)
    (global.set $h (i64.mul (i64.xor (global.get $h) (local.get 0)) (i64.const 0x100000001b3))))
  (func $log_i32 (export "log_i32") (param i32) (call $log_i64 (i64.extend_i32_u (local.get 0))))
  ;; a NaN's bits may differ between engines: all NaNs log the same
  (func $log_f64 (export "log_f64") (param f64)
    (global.set $acc (f64.add (f64.mul (global.get $acc) (f64.const 0.5)) (local.get 0)))
    (call $log_i64 (select (i64.const 0x7ff8) (i64.reinterpret_f64 (local.get 0)) (f64.ne (local.get 0) (local.get 0)))))
  (func $log_f32 (export "log_f32") (param f32) (call $log_f64 (f64.promote_f32 (local.get 0))))
  (func $fcanon (export "fcanon") (param f64) (result f64)
    (select (f64.const -0.125) (local.get 0) (f64.ne (local.get 0) (local.get 0))))
  (func $tick (export "tick") (result i32)
    (global.set $fuel (i32.sub (global.get $fuel) (i32.const 1)))
    (i32.lt_s (global.get $fuel) (i32.const 0)))
  (func $enter (result i32)
    (global.set $calls (i32.sub (global.get $calls) (i32.const 1)))
    (i32.lt_s (global.get $calls) (i32.const 0)))
  (func $inf (export "inf") (param i32) (result i32)
    (i32.add (i32.const 1) (call $inf (local.get 0))))
  (func (export "hash") (result i64 f64 i32 i32)
    (global.get $h) (call $fcanon (global.get $acc)) (global.get $fuel) (global.get $calls))
  (elem declare func ${this.fns.map((f) => f.name).join(' ')})
${fns.join('\n')}
${exps.join('\n')}
)
(register "${m1}" $${m1})`;
    const exports = names.map((name) => ({ module: `$${m1}`, name }));
    const wat = client ? `${main}\n${this.renderClient(header, new Set(stashed), exports)}` : main;
    // last, the state the invocations left (whatever their outcomes)
    exports.push({ module: `$${m1}`, name: 'hash' });
    return { wat, exports };
  }

  /**
   * A second module, which imports the first one's functions, helpers and globals, and some of its
   * tags: for the others it declares tags of its own of the same types (with the same names), which
   * neither handle nor catch the first module's suspensions and exceptions, nor the other way round.
   */
  private renderClient(header: Choices, mainStashed: ReadonlySet<string>, exports: { module: string; name: string }[]): string {
    const own = this.allTags.filter(() => header.chance(35));
    const names = Array.from({ length: 1 + header.int(2) }, (_, i) => `y${i}`);
    const exps = names.map((n, i) => {
      this.setBody(this.nwasm + 3 + i);
      return this.renderExport(n);
    });
    exports.push(...names.map((name) => ({ module: `$m2${this.suffix}`, name })));
    const imp = (name: string, desc: string) => `(import "m1${this.suffix}" "${name}" ${desc})`;
    const globals = [
      imp('h', '(global $h (mut i64))'), imp('acc', '(global $acc (mut f64))'), imp('fuel', '(global $fuel (mut i32))'),
      ...VTS.map((t) => imp(`g_${t}`, `(global $g_${t} (mut ${t}))`)), imp('gx', '(global $gx (mut exnref))'),
      ...[...mainStashed].map((k) => imp(`gc_${k.slice(1)}`, `(global $gc_${k.slice(1)} (mut ${nullRef(k)}))`)),
    ];
    const helpers = [
      ['log_i64', '(param i64)'], ['log_i32', '(param i32)'], ['log_f64', '(param f64)'], ['log_f32', '(param f32)'],
      ['fcanon', '(param f64) (result f64)'], ['tick', '(result i32)'], ['inf', '(param i32) (result i32)'],
    ].map(([n, t]) => imp(n!, `(func $${n} ${t})`));
    return `(module $m2${this.suffix}
  ${this.types.render()}
  (type $F_void (func))
  (type $K_void (cont $F_void))
  ${this.hostImports()}
  ${this.fns.slice(0, this.nwasm).map((f) => imp(f.name.slice(1), `(func ${f.name} (type ${this.types.func(f.sig)}))`)).join('\n  ')}
  ${helpers.join('\n  ')}
  ${globals.join('\n  ')}
  ${this.allTags.filter((t) => !own.includes(t)).map((t) => imp(t.name.slice(1), this.tagDecl(t, false))).join('\n  ')}
  ${own.map((t) => this.tagDecl(t, false)).join('\n  ')}
  ${[...this.stashed].filter((k) => !mainStashed.has(k)).map((k) => `(global $gc_${k.slice(1)} (mut ${nullRef(k)}) (ref.null ${k}))`).join('\n  ')}
  (elem declare func ${this.fns.map((f) => f.name).join(' ')})
${exps.join('\n')}
)`;
  }
}

/**
 * The script of a program: its modules, and the exports to invoke in order. The modules are
 * named $m1 and $m2 (the second one is optional), followed by `suffix`.
 */
export function renderChaos(prog: ChaosProgram, suffix = '', opts: { legacyEH?: boolean } = {}): ChaosScript {
  return new Gen(prog, suffix, opts.legacyEH === true).render();
}

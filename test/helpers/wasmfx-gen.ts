// A generator of small WasmFX programs (fast-check arbitraries), for the
// differential test against the reference interpreter. A program is one
// module with a few scenarios, each an exported function "tN" returning an
// i32 built from what it computed and from a global trace hash ($log):
//
//   gen     a generator yielding values to a consumer loop, which replies;
//           optional resume_throw into it (caught by the generator or not),
//           a trap / unhandled tag / exception / stack overflow at some step
//   sched   a round-robin scheduler of several tasks (a queue of
//           continuations in a table), tasks that spawn tasks (cont.bind)
//   nest    nested handlers: each level handles one tag and forwards the
//           others outwards; the body suspends to any level (or to none)
//   switch  two coroutines passing control with `switch`
//   bind    cont.bind before the first resume and after a suspension;
//           optional reuse of a consumed continuation
//   rec     recursion inside a continuation, suspending every few levels
//
// Every scenario has its own types, tags and functions (names prefixed by
// `$sN_`); they share $log, $h, the exception tag $exn, the never-handled
// tag $unh and a memory.

import fc from 'fast-check';

// ---- i32 expressions over a few variables ---------------------------------------------------

export type Ex =
  | { readonly k: 'v'; readonly i: number }
  | { readonly k: 'c'; readonly c: number }
  | { readonly k: 'u'; readonly op: string; readonly a: Ex }
  | { readonly k: 'b'; readonly op: string; readonly a: Ex; readonly b: Ex };

// division and remainder are rare: they trap on zero (and div_s on overflow)
const BINOPS = [
  'add', 'add', 'add', 'sub', 'sub', 'mul', 'mul', 'xor', 'xor', 'and', 'or', 'shl', 'shr_s', 'shr_u', 'rotl', 'rotr',
  'lt_s', 'gt_u', 'eq', 'add', 'sub', 'mul', 'xor', 'div_s', 'rem_u',
];
const UNOPS = ['clz', 'ctz', 'popcnt', 'eqz', 'extend8_s'];

const constArb: fc.Arbitrary<number> = fc.oneof(
  { arbitrary: fc.integer({ min: -3, max: 40 }), weight: 4 },
  { arbitrary: fc.integer({ min: -0x80000000, max: 0x7fffffff }), weight: 1 },
);

export function exprArb(nvars: number, depth = 2): fc.Arbitrary<Ex> {
  const leaf: fc.Arbitrary<Ex> = fc.oneof(
    { arbitrary: fc.nat(nvars - 1).map((i): Ex => ({ k: 'v', i })), weight: 3 },
    { arbitrary: constArb.map((c): Ex => ({ k: 'c', c })), weight: 2 },
  );
  if (depth === 0) return leaf;
  const sub = exprArb(nvars, depth - 1);
  return fc.oneof(
    { arbitrary: leaf, weight: 2 },
    { arbitrary: fc.record({ op: fc.constantFrom(...BINOPS), a: sub, b: sub }).map((r): Ex => ({ k: 'b', ...r })), weight: 3 },
    { arbitrary: fc.record({ op: fc.constantFrom(...UNOPS), a: sub }).map((r): Ex => ({ k: 'u', ...r })), weight: 1 },
  );
}

export function renderEx(e: Ex, vars: readonly string[]): string {
  switch (e.k) {
    case 'v': return vars[e.i % vars.length]!;
    case 'c': return `(i32.const ${e.c})`;
    case 'u': return `(i32.${e.op} ${renderEx(e.a, vars)})`;
    case 'b': return `(i32.${e.op} ${renderEx(e.a, vars)} ${renderEx(e.b, vars)})`;
  }
}

const get = (name: string): string => `(local.get ${name})`;

// ---- failures injected at some step -----------------------------------------------------------

export type Fault = 'unreachable' | 'div0' | 'oob' | 'unhandled' | 'throw' | 'exhaust' | 'null-cont';
const faultArb: fc.Arbitrary<Fault> = fc.constantFrom('unreachable', 'div0', 'oob', 'unhandled', 'throw', 'exhaust', 'null-cont');

function faultCode(f: Fault, x: string): string {
  switch (f) {
    case 'unreachable': return '(unreachable)';
    case 'div0': return `(drop (i32.div_u ${x} (i32.const 0)))`;
    case 'oob': return `(drop (i32.load (i32.add (i32.const 65534) (i32.and ${x} (i32.const 1)))))`;
    case 'unhandled': return `(drop (suspend $unh ${x}))`;
    case 'throw': return `(throw $exn ${x})`;
    case 'exhaust': return `(drop (call $inf ${x}))`;
    case 'null-cont': return '(resume $ct0 (ref.null $ct0))';
  }
}

const optFault = (maxStep: number) =>
  fc.option(fc.record({ step: fc.nat(maxStep), fault: faultArb }), { freq: 3 });

// ---- scenarios ----------------------------------------------------------------------------------

export interface GenScenario {
  readonly kind: 'gen';
  readonly n: number;
  readonly seed: number;
  readonly yieldEx: Ex; // over i, acc
  readonly mixEx: Ex; // over sum, v
  readonly replyEx: Ex; // over v, sum
  readonly fault: { readonly step: number; readonly fault: Fault } | null;
  /** the consumer throws into the generator with resume_throw at this count (0: before it started) */
  readonly throwAt: number | null;
  readonly genCatches: boolean;
  readonly consumerCatches: boolean;
}

export interface SchedScenario {
  readonly kind: 'sched';
  readonly tasks: number;
  readonly pa: number;
  readonly pb: number;
  readonly pm: number;
  readonly workEx: Ex; // over id, i
  readonly spawnAt: number | null;
  readonly fault: { readonly task: number; readonly step: number; readonly fault: Fault } | null;
}

export interface NestScenario {
  readonly kind: 'nest';
  readonly levels: number;
  /** tag: a level (0 outermost), or `levels` for the never-handled tag; -1 throws */
  readonly steps: readonly { readonly tag: number; readonly ex: Ex }[]; // ex over acc
  readonly mixEx: Ex; // over acc, r
  readonly replies: readonly Ex[]; // over x
  readonly consumerCatches: boolean;
}

export interface SwitchScenario {
  readonly kind: 'switch';
  readonly start: number;
  readonly limit: number;
  readonly inc: readonly [number, number];
  readonly retEx: readonly [Ex, Ex]; // over i
  /** switch to a null continuation once i reaches this */
  readonly nullAt: number | null;
}

export interface BindScenario {
  readonly kind: 'bind';
  readonly b1: number; // args bound before the first resume (0..3)
  readonly b2: number; // args bound after the suspension (0..2)
  readonly args: readonly number[];
  readonly sEx: Ex; // over a, b, c
  readonly rEx: Ex; // over a, b, c, r1, r2
  readonly xEx: readonly [Ex, Ex]; // over x
  /** use a consumed continuation: 1 before the first resume, 2 after the last */
  readonly reuse: 0 | 1 | 2;
}

export interface RecScenario {
  readonly kind: 'rec';
  /** recursion depth; null: unbounded (stack exhaustion) */
  readonly depth: number | null;
  /** suspends at every level that is a multiple of this (unbounded recursion: only at the top, since
   *  the effects before stack exhaustion must not depend on the depth limit) */
  readonly every: number;
  readonly ex: Ex; // over n, r, c
  readonly replyEx: Ex; // over v
}

export type Scenario = GenScenario | SchedScenario | NestScenario | SwitchScenario | BindScenario | RecScenario;

const genArb: fc.Arbitrary<GenScenario> = fc.record({
  kind: fc.constant('gen' as const),
  n: fc.nat(10),
  seed: constArb,
  yieldEx: exprArb(2),
  mixEx: exprArb(2),
  replyEx: exprArb(2),
  fault: optFault(10),
  throwAt: fc.option(fc.nat(6), { freq: 2 }),
  genCatches: fc.boolean(),
  consumerCatches: fc.boolean(),
});

const schedArb: fc.Arbitrary<SchedScenario> = fc.record({
  kind: fc.constant('sched' as const),
  tasks: fc.integer({ min: 1, max: 5 }),
  pa: fc.nat(7),
  pb: fc.nat(7),
  pm: fc.integer({ min: 1, max: 6 }),
  workEx: exprArb(2),
  spawnAt: fc.option(fc.nat(3), { freq: 2 }),
  fault: fc.option(fc.record({ task: fc.nat(4), step: fc.nat(4), fault: faultArb }), { freq: 4 }),
});

const nestArb: fc.Arbitrary<NestScenario> = fc.integer({ min: 1, max: 4 }).chain((levels) =>
  fc.record({
    kind: fc.constant('nest' as const),
    levels: fc.constant(levels),
    steps: fc.array(
      fc.record({
        tag: fc.oneof(
          { arbitrary: fc.nat(levels - 1), weight: 12 },
          { arbitrary: fc.constant(levels), weight: 1 },
          { arbitrary: fc.constant(-1), weight: 1 },
        ),
        ex: exprArb(1),
      }),
      { maxLength: 8 },
    ),
    mixEx: exprArb(2),
    replies: fc.array(exprArb(1), { minLength: levels, maxLength: levels }),
    consumerCatches: fc.boolean(),
  }),
);

const switchArb: fc.Arbitrary<SwitchScenario> = fc.record({
  kind: fc.constant('switch' as const),
  start: fc.integer({ min: -3, max: 5 }),
  limit: fc.nat(16),
  inc: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
  retEx: fc.tuple(exprArb(1), exprArb(1)),
  nullAt: fc.option(fc.nat(12), { freq: 4 }),
});

const bindArb: fc.Arbitrary<BindScenario> = fc.record({
  kind: fc.constant('bind' as const),
  b1: fc.nat(3),
  b2: fc.nat(2),
  args: fc.array(constArb, { minLength: 3, maxLength: 3 }),
  sEx: exprArb(3),
  rEx: exprArb(5),
  xEx: fc.tuple(exprArb(1), exprArb(1)),
  reuse: fc.constantFrom(0, 0, 0, 1, 2) as fc.Arbitrary<0 | 1 | 2>,
});

const recArb: fc.Arbitrary<RecScenario> = fc.record({
  kind: fc.constant('rec' as const),
  // the reference interpreter's call budget is 256 frames: stay well below, or recurse forever
  depth: fc.oneof({ arbitrary: fc.nat(150), weight: 6 }, { arbitrary: fc.constant(null), weight: 1 }),
  every: fc.integer({ min: 1, max: 40 }),
  ex: exprArb(3),
  replyEx: exprArb(1),
});

export const scenarioArb: fc.Arbitrary<Scenario> = fc.oneof(genArb, schedArb, nestArb, switchArb, bindArb, recArb);

export interface Program {
  readonly scenarios: readonly Scenario[];
}

export const programArb: fc.Arbitrary<Program> = fc.record({
  scenarios: fc.array(scenarioArb, { minLength: 1, maxLength: 4 }),
});

// ---- rendering ----------------------------------------------------------------------------------

/** Wraps an i32-producing body so that an escaping $exn gives its payload plus a mark instead. */
function catching(body: string, on: boolean): string {
  if (!on) return body;
  return `(block $caught (result i32)
      (try_table (result i32) (catch $exn $caught)
        ${body})
      (return))
    (call $log)
    (i32.sub (global.get $h) (i32.const 1000))`;
}

function renderGen(p: string, s: GenScenario, name: string): string {
  const n = (x: string) => `$${p}${x}`;
  const recv = `(suspend ${n('y')} ${renderEx(s.yieldEx, [get('$i'), get('$acc')])})`;
  const recvSafe = s.genCatches
    ? `(block $c (result i32) (try_table (result i32) (catch $exn $c) ${recv}))`
    : recv;
  const fault = s.fault === null ? '' : `(if (i32.eq (local.get $i) (i32.const ${s.fault.step})) (then ${faultCode(s.fault.fault, get('$acc'))}))`;
  const resume = `(resume ${n('ct')} (on ${n('y')} $on_y) (local.get $reply) (local.get $k))`;
  const step = s.throwAt === null
    ? resume
    : `(if (i32.eq (local.get $cnt) (i32.const ${s.throwAt}))
          (then (resume_throw ${n('ct')} $exn (on ${n('y')} $on_y) (local.get $reply) (local.get $k)))
          (else ${resume}))`;
  const body = `(local.set $k (cont.new ${n('ct')} (ref.func ${n('gen')})))
    (local.set $reply (i32.const ${s.seed}))
    (block $done
      (loop $next
        (block $on_y (result i32 (ref ${n('ct')}))
          ${step}
          (br $done))
        (local.set $k) (local.set $v)
        (local.set $cnt (i32.add (local.get $cnt) (i32.const 1)))
        (local.set $sum ${renderEx(s.mixEx, [get('$sum'), get('$v')])})
        (local.set $reply ${renderEx(s.replyEx, [get('$v'), get('$sum')])})
        (br $next)))
    (call $log (local.get $sum))
    (i32.add (global.get $h) (local.get $cnt))`;
  return `
  (type ${n('ft')} (func (param i32)))
  (type ${n('ct')} (cont ${n('ft')}))
  (tag ${n('y')} (param i32) (result i32))
  (func ${n('gen')} (type ${n('ft')})
    (local $i i32) (local $acc i32)
    (local.set $acc (local.get 0))
    (block $exit
      (loop $l
        (br_if $exit (i32.ge_u (local.get $i) (i32.const ${s.n})))
        ${fault}
        (local.set $acc (i32.add (local.get $acc) ${recvSafe}))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (call $log (local.get $acc)))
  (elem declare func ${n('gen')})
  (func (export "${name}") (result i32)
    (local $k (ref null ${n('ct')})) (local $v i32) (local $sum i32) (local $reply i32) (local $cnt i32)
    ${catching(body, s.consumerCatches)})`;
}

function renderSched(p: string, s: SchedScenario, name: string): string {
  const n = (x: string) => `$${p}${x}`;
  const spawn = s.spawnAt === null
    ? ''
    : `(if (i32.and (i32.lt_u (local.get 0) (i32.const 100)) (i32.eq (local.get $i) (i32.const ${s.spawnAt})))
          (then (suspend ${n('spawn')} (cont.bind ${n('pct')} ${n('ct')} (i32.add (local.get 0) (i32.const 100))
                  (cont.new ${n('pct')} (ref.func ${n('task')}))))))`;
  const fault = s.fault === null
    ? ''
    : `(if (i32.and (i32.eq (local.get 0) (i32.const ${s.fault.task})) (i32.eq (local.get $i) (i32.const ${s.fault.step})))
          (then ${faultCode(s.fault.fault, get('$i'))}))`;
  const spawnTasks = Array.from({ length: s.tasks }, (_, id) =>
    `(call ${n('enq')} (cont.bind ${n('pct')} ${n('ct')} (i32.const ${id}) (cont.new ${n('pct')} (ref.func ${n('task')}))))`).join('\n    ');
  return `
  (type ${n('ft')} (func))
  (type ${n('ct')} (cont ${n('ft')}))
  (type ${n('pft')} (func (param i32)))
  (type ${n('pct')} (cont ${n('pft')}))
  (tag ${n('yield')})
  (tag ${n('spawn')} (param (ref ${n('ct')})))
  (table ${n('q')} 64 (ref null ${n('ct')}))
  (global ${n('head')} (mut i32) (i32.const 0))
  (global ${n('tail')} (mut i32) (i32.const 0))
  (func ${n('enq')} (param (ref ${n('ct')}))
    (table.set ${n('q')} (i32.and (global.get ${n('tail')}) (i32.const 63)) (local.get 0))
    (global.set ${n('tail')} (i32.add (global.get ${n('tail')}) (i32.const 1))))
  (func ${n('deq')} (result (ref null ${n('ct')}))
    (local $k (ref null ${n('ct')}))
    (local.set $k (table.get ${n('q')} (i32.and (global.get ${n('head')}) (i32.const 63))))
    (table.set ${n('q')} (i32.and (global.get ${n('head')}) (i32.const 63)) (ref.null ${n('ct')}))
    (global.set ${n('head')} (i32.add (global.get ${n('head')}) (i32.const 1)))
    (local.get $k))
  (func ${n('task')} (type ${n('pft')})
    (local $i i32) (local $n i32)
    (local.set $n (i32.rem_u (i32.add (i32.mul (local.get 0) (i32.const ${s.pa})) (i32.const ${s.pb})) (i32.const ${s.pm})))
    (block $exit
      (loop $l
        (br_if $exit (i32.ge_u (local.get $i) (local.get $n)))
        (call $log ${renderEx(s.workEx, [get('0'), get('$i')])})
        ${spawn}
        ${fault}
        (suspend ${n('yield')})
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l))))
  (elem declare func ${n('task')})
  (func (export "${name}") (result i32)
    (local $k (ref null ${n('ct')}))
    (global.set ${n('head')} (i32.const 0))
    (global.set ${n('tail')} (i32.const 0))
    ${spawnTasks}
    (block $empty
      (loop $l
        (br_if $empty (i32.eq (global.get ${n('head')}) (global.get ${n('tail')})))
        (local.set $k (call ${n('deq')}))
        (block $on_spawn (result (ref ${n('ct')}) (ref ${n('ct')}))
          (block $on_yield (result (ref ${n('ct')}))
            (resume ${n('ct')} (on ${n('yield')} $on_yield) (on ${n('spawn')} $on_spawn) (local.get $k))
            (call $log (i32.const -1))
            (br $l))
          (call ${n('enq')})
          (br $l))
        (local.set $k)
        (call ${n('enq')})
        (call ${n('enq')} (ref.as_non_null (local.get $k)))
        (br $l)))
    (global.get $h))`;
}

function renderNest(p: string, s: NestScenario, name: string): string {
  const n = (x: string) => `$${p}${x}`;
  const tag = (i: number) => (i === s.levels ? '$unh' : n(`t${i}`));
  const steps = s.steps.map((st) => {
    const x = renderEx(st.ex, [get('$acc')]);
    if (st.tag < 0) return `(if (i32.eqz (i32.and (local.get $acc) (i32.const 3))) (then (throw $exn ${x})))`;
    return `(local.set $r (suspend ${tag(st.tag)} ${x}))
    (local.set $acc ${renderEx(s.mixEx, [get('$acc'), get('$r')])})`;
  }).join('\n    ');
  const levels = Array.from({ length: s.levels }, (_, i) => {
    const inner = i === s.levels - 1 ? n('body') : n(`lev${i + 1}`);
    const reply = renderEx(s.replies[i]!, [get('$x')]);
    return `
  (func ${n(`lev${i}`)} (result i32)
    (local $k (ref null ${n('c1')})) (local $x i32)
    (block $done (result i32)
      (block $h (result i32 (ref ${n('c1')}))
        (resume ${n('c0')} (on ${tag(i)} $h) (cont.new ${n('c0')} (ref.func ${inner})))
        (br $done))
      (local.set $k) (local.set $x)
      (loop $l
        (call $log (i32.add (local.get $x) (i32.const ${(i + 1) * 7919})))
        (block $h2 (result i32 (ref ${n('c1')}))
          (resume ${n('c1')} (on ${tag(i)} $h2) ${reply} (local.get $k))
          (br $done))
        (local.set $k) (local.set $x)
        (br $l))
      (unreachable)))`;
  }).join('');
  const refs = [n('body'), ...Array.from({ length: s.levels - 1 }, (_, i) => n(`lev${i + 1}`))];
  return `
  (type ${n('f0')} (func (result i32)))
  (type ${n('c0')} (cont ${n('f0')}))
  (type ${n('f1')} (func (param i32) (result i32)))
  (type ${n('c1')} (cont ${n('f1')}))
  ${Array.from({ length: s.levels }, (_, i) => `(tag ${n(`t${i}`)} (param i32) (result i32))`).join('\n  ')}
  (func ${n('body')} (result i32)
    (local $acc i32) (local $r i32)
    (local.set $acc (global.get $h))
    ${steps}
    (local.get $acc))${levels}
  (elem declare func ${refs.join(' ')})
  (func (export "${name}") (result i32)
    ${catching(`(i32.add (call ${n('lev0')}) (global.get $h))`, s.consumerCatches)})`;
}

function renderSwitch(p: string, s: SwitchScenario, name: string): string {
  const n = (x: string) => `$${p}${x}`;
  const co = (id: 0 | 1) => {
    const target = s.nullAt === null
      ? '(local.get 1)'
      : `(select (result (ref null ${n('ct')})) (ref.null ${n('ct')}) (local.get 1) (i32.ge_s (local.get 0) (i32.const ${s.nullAt})))`;
    return `
  (func ${n(`co${id}`)} (type ${n('ft')})
    (loop $l
      (call $log (i32.add (local.get 0) (i32.const ${(id + 1) * 100000})))
      (if (i32.ge_s (local.get 0) (i32.const ${s.limit}))
        (then (return ${renderEx(s.retEx[id], [get('0')])})))
      (switch ${n('ct')} ${n('sw')} (i32.add (local.get 0) (i32.const ${s.inc[id]})) ${target})
      (local.set 1)
      (local.set 0)
      (br $l))
    (unreachable))`;
  };
  return `
  (rec
    (type ${n('ft')} (func (param i32 (ref null ${n('ct')})) (result i32)))
    (type ${n('ct')} (cont ${n('ft')})))
  (tag ${n('sw')} (result i32))${co(0)}${co(1)}
  (elem declare func ${n('co0')} ${n('co1')})
  (func (export "${name}") (result i32)
    (resume ${n('ct')} (on ${n('sw')} switch)
      (i32.const ${s.start})
      (cont.new ${n('ct')} (ref.func ${n('co1')}))
      (cont.new ${n('ct')} (ref.func ${n('co0')})))
    (global.get $h)
    (i32.add))`;
}

function renderBind(p: string, s: BindScenario, name: string): string {
  const n = (x: string) => `$${p}${x}`;
  const c = (arity: number) => n(`c${arity}`);
  const a1 = 3 - s.b1;
  const first = s.args.map((v) => `(i32.const ${v})`);
  const x = [get('$x')];
  const second = [renderEx(s.xEx[0], x), renderEx(s.xEx[1], x)];
  const a2 = 2 - s.b2;
  return `
  ${[0, 1, 2, 3].map((k) => `(type ${n(`f${k}`)} (func (param${' i32'.repeat(k)}) (result i32)))
  (type ${c(k)} (cont ${n(`f${k}`)}))`).join('\n  ')}
  (tag ${n('t')} (param i32) (result i32 i32))
  (func ${n('fn')} (type ${n('f3')})
    (local $r1 i32) (local $r2 i32)
    (call $log ${renderEx(s.sEx, [get('0'), get('1'), get('2')])})
    (suspend ${n('t')} ${renderEx(s.sEx, [get('0'), get('1'), get('2')])})
    (local.set $r2)
    (local.set $r1)
    ${renderEx(s.rEx, [get('0'), get('1'), get('2'), get('$r1'), get('$r2')])})
  (elem declare func ${n('fn')})
  (func (export "${name}") (result i32)
    (local $k3 (ref null ${c(3)})) (local $kb (ref null ${c(a1)})) (local $ks (ref null ${c(2)}))
    (local $kt (ref null ${c(a2)})) (local $x i32)
    (local.set $k3 (cont.new ${c(3)} (ref.func ${n('fn')})))
    (local.set $kb (cont.bind ${c(3)} ${c(a1)} ${first.slice(0, s.b1).join(' ')} (local.get $k3)))
    ${s.reuse === 1 ? `(drop (cont.bind ${c(3)} ${c(3)} (local.get $k3)))` : ''}
    (block $h (result i32 (ref ${c(2)}))
      (return (i32.add (global.get $h)
        (resume ${c(a1)} (on ${n('t')} $h) ${first.slice(s.b1).join(' ')} (local.get $kb)))))
    (local.set $ks)
    (local.set $x)
    (local.set $kt (cont.bind ${c(2)} ${c(a2)} ${second.slice(0, s.b2).join(' ')} (local.get $ks)))
    (resume ${c(a2)} ${second.slice(s.b2).join(' ')} (local.get $kt))
    ${s.reuse === 2 ? `(drop (resume ${c(a2)} ${second.slice(s.b2).join(' ')} (local.get $kt)))` : ''}
    (global.get $h)
    (i32.add))`;
}

function renderRec(p: string, s: RecScenario, name: string): string {
  const n = (x: string) => `$${p}${x}`;
  return `
  (type ${n('ft')} (func (param i32) (result i32)))
  (type ${n('ct')} (cont ${n('ft')}))
  (tag ${n('y')} (param i32) (result i32))
  (func ${n('rec')} (type ${n('ft')})
    (local $r i32) (local $c i32)
    (if (i32.eqz (i32.rem_u (local.get 0) (i32.const ${s.depth === null ? 0x7fffffff : s.every})))
      (then (local.set $r (suspend ${n('y')} (local.get 0)))))
    (if (result i32) (i32.eqz (local.get 0))
      (then (local.get $r))
      (else
        (local.set $c (call ${n('rec')} (i32.sub (local.get 0) (i32.const 1))))
        ${renderEx(s.ex, [get('0'), get('$r'), get('$c')])})))
  (elem declare func ${n('rec')})
  (func (export "${name}") (result i32)
    (local $k (ref null ${n('ct')})) (local $v i32) (local $sum i32) (local $arg i32)
    (local.set $k (cont.new ${n('ct')} (ref.func ${n('rec')})))
    (local.set $arg (i32.const ${s.depth ?? 0x7fffffff}))
    (block $done (result i32)
      (loop $next
        (block $on_y (result i32 (ref ${n('ct')}))
          (br $done (resume ${n('ct')} (on ${n('y')} $on_y) (local.get $arg) (local.get $k))))
        (local.set $k)
        (local.set $v)
        (call $log (local.get $v))
        (local.set $sum (i32.add (local.get $sum) (local.get $v)))
        (local.set $arg ${renderEx(s.replyEx, [get('$v')])})
        (br $next))
      (unreachable))
    (local.get $sum)
    (i32.add)
    (global.get $h)
    (i32.add))`;
}

/** The module text of a program, and the names of its exports in the order to call them. */
export function renderProgram(prog: Program): { wat: string; exports: string[] } {
  const exports: string[] = [];
  const parts = prog.scenarios.map((s, i) => {
    const p = `s${i}_`;
    const name = `t${i}_${s.kind}`;
    exports.push(name);
    switch (s.kind) {
      case 'gen': return renderGen(p, s, name);
      case 'sched': return renderSched(p, s, name);
      case 'nest': return renderNest(p, s, name);
      case 'switch': return renderSwitch(p, s, name);
      case 'bind': return renderBind(p, s, name);
      case 'rec': return renderRec(p, s, name);
    }
  });
  const wat = `(module
  (memory 1)
  (global $h (mut i32) (i32.const 0))
  (tag $exn (param i32))
  (tag $unh (param i32) (result i32))
  (type $ft0 (func))
  (type $ct0 (cont $ft0))
  (func $log (param i32)
    (global.set $h (i32.xor (i32.mul (global.get $h) (i32.const 31)) (local.get 0))))
  (func $inf (param i32) (result i32)
    (i32.add (i32.const 1) (call $inf (local.get 0))))
${parts.join('\n')}
)`;
  return { wat, exports };
}

// The lowering compiler as a pass: what it emits for every module of the spec
// suite (the stack-switching scripts' modules and a sample of the others).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseScript } from '../script/script-parser.ts';
import { parseModule } from '../text/parser.ts';
import { encodeModule } from '../binary/encoder.ts';
import { Reader } from '../binary/reader.ts';
import { validateModule } from '../valid/validator.ts';
import type { Module } from '../syntax/ast.ts';
import { isolable, lowerModule, usesStackSwitching, runtimeModule, TRAP_REASONS, WHY_EXPORT } from './index.ts';
import { LowerError } from './error.ts';
import { tighten } from './tighten.ts';
import { I } from './context.ts';
import { analyse, CONT_OPS } from './analysis.ts';
import { reuseSites, tableReuseSites } from './reuse.ts';
import { liveAtSites } from './liveness.ts';
import { runScript } from '../script/runner.ts';
import { InterpEngine } from '../script/engine-interp.ts';
import { hostEngine } from '../script/engine-host.ts';
import { createPolyfill } from '../host/polyfill.ts';
import { coreWastFiles } from '../../test/helpers/spec.ts';
import { validModulesOf } from '../../test/helpers/modules.ts';

const host = (globalThis as unknown as { WebAssembly: { validate(b: Uint8Array): boolean } }).WebAssembly;


const ssModules = coreWastFiles('stack-switching').flatMap(validModulesOf).filter(usesStackSwitching);

/** The script `file` passes `n` assertions, none failing or skipped, on the interpreter and on the lowered engine. */
function passesOnBothEngines(file: string, n: number): void {
  const engines = [
    new InterpEngine({}),
    hostEngine(createPolyfill((globalThis as { WebAssembly?: unknown }).WebAssembly) as never, { name: 'lowered' }),
  ];
  for (const engine of engines) {
    const r = runScript(parseScript(readFileSync(file, 'utf8'), file), { engine });
    assert.deepEqual([r.passed, r.failed, r.skipped], [n, 0, 0], r.results.find((c) => c.outcome !== 'passed')?.message ?? '');
  }
}

test('lowering: every stack-switching module of the suite becomes plain Wasm 3.0 the host validates', () => {
  assert.ok(ssModules.length >= 40, `only ${ssModules.length} modules`);
  for (const m of ssModules) {
    const { module: out, info } = lowerModule(m);
    assert.equal(info.lowered, true);
    assert.equal(usesStackSwitching(out), false, 'a stack-switching type or instruction is left');
    for (const f of out.funcs) for (const i of f.body) assert.ok(!CONT_OPS.has(i.op), i.op);
    validateModule(out);
    const bytes = encodeModule(out);
    assert.ok(host.validate(bytes), 'the host rejects the lowered module');
    // deterministic: lowering again gives the same bytes
    assert.deepEqual(encodeModule(lowerModule(m).module), bytes);
  }
});

test('lowering: a module without stack switching comes out byte-identical', () => {
  const files = coreWastFiles().filter((f) => !f.includes('stack-switching')).filter((_, i) => i % 6 === 0);
  let n = 0;
  for (const file of files) {
    for (const m of validModulesOf(file)) {
      if (usesStackSwitching(m)) continue;
      const before = encodeModule(m);
      const { module: out, info } = lowerModule(m);
      assert.equal(info.lowered, false);
      assert.deepEqual(encodeModule(out), before, file);
      n++;
    }
  }
  assert.ok(n > 100, `only ${n} modules`);
});

test('lowering: the runtime module and a lowered generator link and run on the host', () => {
  const W = (globalThis as unknown as { WebAssembly: { Module: new (b: Uint8Array) => object; Instance: new (m: object, i?: object) => { exports: Record<string, unknown> } } }).WebAssembly;
  const rt = new W.Instance(new W.Module(encodeModule(runtimeModule())));
  const m = parseModule(readFileSync(new URL('../../examples/generator.wat', import.meta.url), 'utf8'));
  const low = lowerModule(m).module;
  const inst = new W.Instance(new W.Module(encodeModule(low)), { 'wasmfx:rt': rt.exports });
  assert.equal((inst.exports.sum as () => number)(), 55);
  // only functions that may suspend are instrumented: the rest keep their bodies
  const kernel = parseModule(`(module
    (type $f (func)) (type $k (cont $f)) (tag $t)
    (func $fib (export "fib") (param i32) (result i32)
      (if (result i32) (i32.lt_u (local.get 0) (i32.const 2)) (then (local.get 0))
        (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1))) (call $fib (i32.sub (local.get 0) (i32.const 2)))))))
    (func $g (suspend $t)) (elem declare func $g)
    (func (export "go") (resume $k (cont.new $k (ref.func $g)))))`);
  const lk = lowerModule(kernel).module;
  assert.deepEqual(JSON.stringify(lk.funcs[0]!.body, (_k, v) => (typeof v === 'bigint' ? String(v) : v)),
    JSON.stringify(kernel.funcs[0]!.body, (_k, v) => (typeof v === 'bigint' ? String(v) : v)));
  assert.equal(lk.exports.find((e) => e.name === 'fib')!.index, 0, 'fib is exported as it was');
});

test('lowering: an isolated module keeps the continuation state in its own globals', () => {
  const W = (globalThis as unknown as { WebAssembly: { Module: new (b: Uint8Array) => object; Instance: new (m: object, i?: object) => { exports: Record<string, unknown> } } }).WebAssembly;
  const rt = new W.Instance(new W.Module(encodeModule(runtimeModule())));
  const m = parseModule(readFileSync(new URL('../../examples/generator.wat', import.meta.url), 'utf8'));
  const { module: low, info } = lowerModule(m, { isolated: true });
  assert.equal(info.isolated, true);
  // only the trap reason and the tag counter are shared
  assert.deepEqual(low.imports.map((im) => im.name).sort(), ['tagctr', 'why']);
  const inst = new W.Instance(new W.Module(encodeModule(low)), { 'wasmfx:rt': rt.exports });
  assert.equal((inst.exports.sum as () => number)(), 55);
  // the input is left as it was
  assert.deepEqual(encodeModule(m), encodeModule(parseModule(readFileSync(new URL('../../examples/generator.wat', import.meta.url), 'utf8'))));
});

test('lowering: a standalone module imports nothing and runs on the host\'s plain WebAssembly', () => {
  const W = (globalThis as unknown as { WebAssembly: { Module: new (b: Uint8Array) => object; Instance: new (m: object, i?: object) => { exports: Record<string, unknown> }; RuntimeError: ErrorConstructor } }).WebAssembly;
  const gen = parseModule(readFileSync(new URL('../../examples/generator.wat', import.meta.url), 'utf8'));
  const { module: low, info } = lowerModule(gen, { standalone: true });
  assert.deepEqual([info.isolated, info.standalone], [true, true]);
  assert.deepEqual(low.imports, []);
  assert.equal((new W.Instance(new W.Module(encodeModule(low))).exports.sum as () => number)(), 55);
  // a trap of the continuation machine: `unreachable`, its reason in wasmfx:why; the next call starts afresh
  const m = parseModule(`
    (type $ft (func (result i32))) (type $ct (cont $ft))
    (type $ft1 (func (param i32) (result i32))) (type $ct1 (cont $ft1))
    (tag $t (result i32))
    (global $k (mut (ref null $ct1)) (ref.null $ct1))
    (func $g (result i32) (i32.add (suspend $t) (i32.const 1)))
    (elem declare func $g)
    (func (export "start") (result i32)
      (block $h (result (ref $ct1))
        (return (resume $ct (on $t $h) (cont.new $ct (ref.func $g)))))
      (global.set $k) (i32.const 0))
    (func (export "finish") (param i32) (result i32)
      (resume $ct1 (local.get 0) (global.get $k)))`);
  const ex = new W.Instance(new W.Module(encodeModule(lowerModule(m, { standalone: true }).module))).exports;
  const why = ex[WHY_EXPORT] as { value: number };
  assert.equal((ex.start as () => number)(), 0);
  assert.equal((ex.finish as (x: number) => number)(41), 42);
  assert.throws(() => (ex.finish as (x: number) => number)(1), (e: Error) => e instanceof W.RuntimeError && /unreachable/.test(e.message));
  assert.equal(TRAP_REASONS[why.value], 'continuation already consumed');
  why.value = 0; // (read, then cleared: a later trap of the program's own is not the machine's)
  assert.equal((ex.start as () => number)(), 0);
  assert.equal((ex.finish as (x: number) => number)(9), 10);
  // an imported function cannot suspend into a standalone module (JS cannot, another lowered
  // module's export traps): calls to it are no suspension sites, their callers stay plain
  const calls = parseModule(`
    (import "env" "log" (func $log (param i32)))
    (type $ft (func)) (type $ct (cont $ft)) (tag $t)
    (func $work (call $log (i32.const 1)))
    (func $g (call $work) (suspend $t) (call $work))
    (elem declare func $g)
    (func (export "go") (block $h (result (ref $ct)) (resume $ct (on $t $h) (cont.new $ct (ref.func $g))) (return)) (drop))`);
  const iso = lowerModule(calls, { isolated: true }).stats;
  const sa = lowerModule(calls, { standalone: true }).stats;
  assert.deepEqual([iso.instrumented, iso.sites], [3, 5], 'isolated: $work and its calls are sites');
  assert.deepEqual([sa.instrumented, sa.sites], [2, 2], 'standalone: only the suspend and the resume');
  const logged: number[] = [];
  const goEx = new W.Instance(new W.Module(encodeModule(lowerModule(calls, { standalone: true }).module)), { env: { log: (x: number) => logged.push(x) } }).exports;
  (goEx.go as () => void)();
  assert.deepEqual(logged, [1]);
  // a tag's identity across modules needs the shared runtime
  const imp = parseModule('(tag $t (import "m" "t")) (type $ft (func)) (type $ct (cont $ft)) (func (drop (cont.new $ct (ref.null $ft))))');
  assert.throws(() => lowerModule(imp, { standalone: true }), (e: Error) => e instanceof LowerError && /standalone module cannot import tags \(m t\)/.test(e.message));
});

test('lowering: a resume reuses the consumed continuation object only where nothing else can reach it', () => {
  const file = new URL('../../test/fixtures/lower/reuse.wast', import.meta.url).pathname;
  const [m] = validModulesOf(file);
  const types = m!.types.flatMap((g) => g.types);
  const counts = new Map<string, number>();
  for (const ex of m!.exports) {
    if (ex.kind !== 'func') continue;
    const f = m!.funcs[ex.index - m!.imports.filter((i) => i.desc.kind === 'func').length]!;
    const comp = types[f.type]!.comp;
    const np = comp.kind === 'func' ? comp.params.length : 0;
    const sites = reuseSites(f.body, (x) => {
      const t = f.locals[x - np];
      return t !== undefined && typeof t !== 'string' && typeof t.heap === 'number' && types[t.heap]!.comp.kind === 'cont';
    });
    counts.set(ex.name, sites.size);
  }
  // (further-out-again resumes a cont.new straight away: reused, with no local, reuse-loop-param.wast)
  assert.deepEqual(Object.fromEntries(counts), {
    loop: 1, bound: 1, 'copy-in-table': 0, 'kept-elsewhere': 0, 'tee-copy': 0, 'other-branch': 0, 'done-again': 1, 'thrown-again': 1, 'further-out-again': 1,
  });
  // and the script's assertions hold on the interpreter and on the lowered engine
  passesOnBothEngines(file, 11);
});

test('lowering: continuations of more than one stack resume again, bound, from elsewhere, with an exception and through a tail call', () => {
  passesOnBothEngines(new URL('../../test/fixtures/lower/chains.wast', import.meta.url).pathname, 7);
});

test('lowering: tighten drops the blocks no branch targets and renumbers the branches across them', () => {
  const body = [
    I('block', null), // 1: targeted from inside the loop, across block 3
    I('loop', null), // 2: a loop stays
    I('block', null), // 3: untargeted: goes
    I('local.get', 0), I('br_if', 2), // -> 1
    I('block', null), I('end'), // 4: empty, untargeted: goes
    I('local.get', 0), I('br_if', 1), // -> 2
    I('end'),
    I('end'),
    I('end'),
    I('end'),
  ];
  const out = tighten(body);
  assert.deepEqual(out.map((i) => [i.op, ...(i.args as unknown[])]), [
    ['block', null], ['loop', null], ['local.get', 0], ['br_if', 1], ['local.get', 0], ['br_if', 0], ['end'], ['end'], ['end'],
  ]);
});

test('lowering: frame chains are re-entered as the calls that made them ran, and unwind again from any frame (docs/lowering.md)', () => {
  const file = new URL('../../test/fixtures/lower/frame-chains.wast', import.meta.url).pathname;
  const [m] = validModulesOf(file);
  const { module: out } = lowerModule(m!);
  const names = [...out.names.funcs.values()];
  // the recursions get a chain (their copies per site, reenter, the chain's thunk); the
  // generators, which no site calls, do not
  for (const f of ['rec', 'walk', 'thrower', 'two', 'srec']) assert.ok(names.includes(`${f}:chain`), f);
  for (const f of ['gen', 'walk-gen', 'deep-gen', 'catching-gen']) assert.ok(!names.includes(`${f}:chain`), f);
  assert.ok(names.includes('walk:at3') && names.includes('walk:reenter') && names.includes('loopy:at2'));
  passesOnBothEngines(file, 10);
});

test('lowering: the polyfill lowers a module of numbers isolated unless it imports a function of a shared one, and links both kinds both ways', () => {
  const file = new URL('../../test/fixtures/lower/isolable.wast', import.meta.url).pathname;
  assert.deepEqual(validModulesOf(file).map(isolable), [true, false, true, false, true]);
  passesOnBothEngines(file, 17);
});

test('lowering: wasmfx:resume stays under V8\'s inlining limit (500 bytes of code), so a round trip inlines into its resumer', () => {
  // (docs/lowering.md, "Inlining": at 506 bytes the round trip was 20% slower)
  const m = parseModule(readFileSync(new URL('../../examples/generator.wat', import.meta.url), 'utf8'));
  for (const isolated of [false, true]) {
    const low = lowerModule(m, { isolated }).module;
    const bytes = encodeModule(low);
    // the code section's entries: (size, body) per defined function
    const r = new Reader(bytes, undefined, 8);
    const sizes = new Map<string, number>();
    const nImported = low.imports.filter((i) => i.desc.kind === 'func').length;
    while (!r.atEnd()) {
      const id = r.byte();
      const end = r.u32() + r.pos;
      if (id === 10) {
        const n = r.u32();
        for (let i = 0; i < n; i++) {
          const size = r.u32();
          sizes.set(low.names.funcs.get(nImported + i) ?? '', size);
          r.pos += size;
        }
      }
      r.pos = end;
    }
    // (and the driver's copy that a switch goes on in, called once per switch)
    for (const f of ['wasmfx:resume', 'wasmfx:drive']) {
      const size = sizes.get(f);
      assert.ok(size !== undefined && size < 450, `${f} is ${size} bytes (isolated: ${isolated})`);
    }
  }
});

/** Per module of a script: how many resumes (or refilling table.sets) tableReuseSites finds. */
function tableSites(file: string, which: 'resumes' | 'refills'): number[] {
  return validModulesOf(file).map((m) => {
    const types = m.types.flatMap((g) => g.types);
    const found = tableReuseSites(validateModule(m), (t) => typeof t.heap === 'number' && types[t.heap]!.comp.kind === 'cont');
    return [...found[which].values()].reduce((n, s) => n + s.size, 0);
  });
}

test('lowering: a resume from a table slot reuses its continuation object when the handler writes it back to that slot, and only then', () => {
  const file = new URL('../../test/fixtures/lower/table-reuse.wast', import.meta.url).pathname;
  // the first module's "step"; none in the second, whose "move" writes into another slot
  assert.deepEqual(tableSites(file, 'resumes'), [1, 0]);
  passesOnBothEngines(file, 23);
});

test('lowering: a saved frame keeps only the locals live after a site, whichever path reads them', () => {
  const file = new URL('../../test/fixtures/lower/liveness.wast', import.meta.url).pathname;
  const [m] = validModulesOf(file);
  const types = m!.types.flatMap((g) => g.types);
  const siteOps = new Set(['suspend', 'switch', 'resume', 'resume_throw', 'resume_throw_ref', 'call', 'call_ref']);
  const kept = (name: string): number[] => {
    const x = [...m!.names.funcs].find(([, n]) => n === name)?.[0];
    const f = m!.funcs[x!]!;
    const comp = types[f.type]!.comp;
    const np = comp.kind === 'func' ? comp.params.length : 0;
    return [...liveAtSites(f.body, np + f.locals.length, (ins) => siteOps.has(ins.op))].sort();
  };
  // the local each function reads on one path only is kept; what the site's result overwrites is not
  assert.deepEqual(
    Object.fromEntries(['branchy', 'loop', 'catchy', 'catchy2', 'table', 'middle', 'viaparam'].map((n) => [n, kept(n)])),
    { branchy: [0], loop: [0, 1], catchy: [0], catchy2: [0], table: [0], middle: [0], viaparam: [] },
  );
  passesOnBothEngines(file, 8);
});

test('lowering: an exception thrown into a continuation passes over the frames of functions without a handler, and is caught where the interpreter catches it', () => {
  passesOnBothEngines(new URL('../../test/fixtures/lower/throw-through.wast', import.meta.url).pathname, 6);
});

test('lowering: in a closed module, a resume that handles every tag its suspensions use forwards nothing, and its callers stay plain', () => {
  const src = (extra: string) => `(module
    (type $f (func (param i32) (result i32)))
    (type $k (cont $f))
    (tag $y (param i32) (result i32))
    (tag $s (result i32))
    (func $gen (type $f) (suspend $y (local.get 0)))
    (rec (type $sf (func (param i32 (ref null $sk)) (result i32))) (type $sk (cont $sf)))
    (func $swap (type $sf) (switch $sk $s (local.get 0) (local.get 1)) (drop))
    (elem declare func $gen $swap)
    (func $total (param i32) (result i32)
      (block $h (result i32 (ref $k))
        (return (resume $k (on $y $h) (on $s switch) (local.get 0) (cont.new $k (ref.func $gen)))))
      (drop))
    (func $partial (param i32) (result i32)
      (block $h (result i32 (ref $k))
        (return (resume $k (on $y $h) (local.get 0) (cont.new $k (ref.func $gen)))))
      (drop))
    (func $calls-total (export "a") (param i32) (result i32) (call $total (local.get 0)))
    (func $calls-partial (export "b") (param i32) (result i32) (call $partial (local.get 0)))
    ${extra})`;
  const susp = (text: string): Record<string, boolean> => {
    const m = parseModule(text);
    const a = analyse(m, validateModule(m));
    return Object.fromEntries([...m.names.funcs].filter(([, n]) => n !== 'gen' && n !== 'swap').map(([x, n]) => [n, a.susp[x]!]));
  };
  assert.deepEqual(susp(src('')), { total: false, partial: true, 'calls-total': false, 'calls-partial': true });
  // a module that exports a tag is not closed: another module may suspend with a tag of its own
  assert.deepEqual(susp(src('(export "t" (tag $y))')), { total: true, partial: true, 'calls-total': true, 'calls-partial': true });
});

test('lowering: a scheduler\'s resume whose continuations switch for ever goes on across its driver\'s returns to redrive and redrive\'s tail calls to itself', () => {
  passesOnBothEngines(new URL('../../test/fixtures/lower/switch-long.wast', import.meta.url).pathname, 8);
});

test('lowering: a switch\'s continuation arrives wherever its target starts or goes on (fresh, bound, at a suspend, at a switch), and a resume\'s own values there stay its own', () => {
  passesOnBothEngines(new URL('../../test/fixtures/lower/switch-arrive.wast', import.meta.url).pathname, 11);
});

test('lowering: a switch\'s continuation written into a table slot refills the object there when nothing else can reach either, and only then', () => {
  const file = new URL('../../test/fixtures/lower/table-refill.wast', import.meta.url).pathname;
  // the ring's switch-to (two shapes) and its three bodies; none where a resume passes a
  // continuation to a body, the switch's continuation is kept elsewhere too, or the module's
  // continuations may be resumed by another module
  assert.deepEqual(tableSites(file, 'refills'), [5, 0, 0, 0]);
  passesOnBothEngines(file, 11);
});

test('lowering: after a stack overflow between a resume_throw or a switch and the frame that takes it over, the next call starts afresh', () => {
  // `thr` (raise at the next landing) is set by resume_throw and cleared by the landing of the frame
  // the driver re-enters; a stack overflow calling that frame's thunk left it set, and the next
  // resume anywhere raised the old exception (in about half the runs of this test, before the
  // polyfill reset the machine's state when an error leaves an export). Searched for: the depth
  // where `deep` overflows, then every depth around it; after each, a fresh resume must just work.
  const m = parseModule(`(module
    (type $f (func)) (type $k (cont $f))
    (tag $y) (tag $e)
    (global $kk (mut (ref null $k)) (ref.null $k))
    (func $body (suspend $y))
    (func $ret)
    (elem declare func $body $ret)
    (func (export "prep")
      (block $h (result (ref $k)) (resume $k (on $y $h) (cont.new $k (ref.func $body))) (return))
      (global.set $kk))
    (func $deep (export "deep") (param $n i32)
      (if (local.get $n) (then (call $deep (i32.sub (local.get $n) (i32.const 1))) (return)))
      (block $c (try_table (catch_all $c) (resume_throw $k $e (global.get $kk)))))
    (func (export "check") (result i32)
      (block $h (result (ref $k)) (resume $k (on $y $h) (cont.new $k (ref.func $ret))) (return (i32.const 1)))
      (drop) (i32.const 2))
    ;; the same for a switch (sws: the switching stack, until the target's landing takes it)
    (rec (type $sf (func (param (ref null $sk)))) (type $sk (cont $sf)))
    (tag $sw)
    (global $sb (mut (ref null $sk)) (ref.null $sk))
    (global $got (mut i32) (i32.const 0))
    (func $sa (type $sf) (drop (switch $sk $sw (global.get $sb))))
    (func $sbody (type $sf) (param $p (ref null $sk)) (global.set $got (ref.is_null (local.get $p))))
    (elem declare func $sa $sbody)
    (func $deeps (export "deeps") (param $n i32)
      (if (local.get $n) (then (call $deeps (i32.sub (local.get $n) (i32.const 1))) (return)))
      (global.set $sb (cont.new $sk (ref.func $sbody)))
      (resume $sk (on $sw switch) (ref.null $sk) (cont.new $sk (ref.func $sa))))
    (func (export "checks") (result i32)
      (resume $sk (on $sw switch) (ref.null $sk) (cont.new $sk (ref.func $sbody)))
      (global.get $got)))`);
  const bytes = encodeModule(m);
  for (let round = 0; round < 4; round++) {
    for (const isolated of [true, false]) {
      const P = createPolyfill((globalThis as { WebAssembly?: unknown }).WebAssembly, { isolated });
      const { exports: x } = new P.Instance(new P.Module(bytes)) as { exports: Record<string, (n?: number) => number> };
      for (const [deep, check] of [['deep', 'check'], ['deeps', 'checks']] as const) {
        let lo = 1;
        let hi = 1 << 22;
        let overflows = 0;
        const probe = (n: number): boolean => {
          x.prep!();
          try {
            x[deep]!(n);
            return true;
          } catch (e) {
            assert.match(String(e), /RuntimeError: call stack exhausted/);
            overflows++;
            return false;
          } finally {
            assert.equal(x[check]!(), 1, `isolated ${isolated}, after ${deep}(${n})`);
          }
        };
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (probe(mid)) lo = mid + 1;
          else hi = mid;
        }
        for (let n = Math.max(0, lo - 300); n < lo + 300; n++) probe(n);
        assert.ok(overflows > 0);
      }
    }
  }
});

test('lowering: a call through a reference handed over by another module is a suspension site, though no function of the calling module has its type', () => {
  const file = new URL('../../test/fixtures/lower/foreign-funcref.wast', import.meta.url).pathname;
  const threads = validModulesOf(file)[1]!;
  // its four calls of the yield function (by call_ref of a parameter, twice, or after a cast; by
  // call_indirect) are sites
  const a = analyse(threads, validateModule(threads));
  const calls = threads.funcs.flatMap((f) => f.body).filter((i) => i.op === 'call_ref' || i.op === 'call_indirect');
  assert.deepEqual(calls.map((i) => a.isSiteCall(i)), [true, true, true, true]);
  passesOnBothEngines(file, 7);
});

test('lowering: a resume reuses the consumed continuation object when it reached it on the operand stack alone, from a cont.new or a handler clause', () => {
  const file = new URL('../../test/fixtures/lower/reuse-loop-param.wast', import.meta.url).pathname;
  const counts = Object.fromEntries(validModulesOf(file).flatMap((m) => m.exports.filter((ex) => ex.kind === 'func')
    .map((ex) => [ex.name, reuseSites(m.funcs[ex.index]!.body, () => false).size])));
  // (branch: the first resume's continuation comes from the loop, fed by a cont.new and the second
  // resume's clause; the second one's from the block, which a br also feeds with a global's copy)
  assert.deepEqual(counts, { count: 1, echo: 1, kept: 0, again: 0, two: 2, falls: 0, branch: 1 });
  passesOnBothEngines(file, 9);
});

test('lowering: blocks, ifs and loops with parameters around a site, entered with values of subtypes of their parameter types, lower to valid modules', () => {
  passesOnBothEngines(new URL('../../test/fixtures/lower/block-params.wast', import.meta.url).pathname, 2);
});

test('lowering: v128 values and signalling NaNs through continuations and exported functions, exactly', () => {
  // (the WAST engine calls exports through modules of its own: the polyfill links them Wasm to Wasm)
  passesOnBothEngines(new URL('../../test/fixtures/lower/exact-values.wast', import.meta.url).pathname, 8);
  // a plain function that suspends only through a tail call: its callee runs on its stack
  passesOnBothEngines(new URL('../../test/fixtures/lower/tail-into-suspension.wast', import.meta.url).pathname, 6);
});

test('lowering: signatures with more values of a kind than the runtime module has transfer globals (isolated, and shared: a transfer module)', () => {
  // a continuation of 40 i32 parameters that suspends with 35 i64 values and receives 34 i32
  const N = { p: 40, q: 35, r: 34 };
  const rep = (n: number, s: (i: number) => string): string => Array.from({ length: n }, (_, i) => s(i)).join(' ');
  const wat = `(module
    (type $f (func (param ${rep(N.p, () => 'i32')}) (result i32)))
    (type $c (cont $f))
    (type $g (func (param ${rep(N.r, () => 'i32')}) (result i32)))
    (type $k (cont $g))
    (tag $t (param ${rep(N.q, () => 'i64')}) (result ${rep(N.r, () => 'i32')}))
    (func $body (type $f)
      (local $acc i32)
      (suspend $t ${rep(N.q, (j) => `(i64.mul (i64.extend_i32_s (local.get ${j})) (i64.const 3))`)})
      ;; the results, the last one on top: r_k weighs k + 1
      ${rep(N.r, (k) => `i32.const ${N.r - k} i32.mul local.get $acc i32.add local.set $acc`)}
      ${rep(N.p, (i) => `local.get $acc local.get ${i} i32.add local.set $acc`)}
      (local.get $acc))
    (elem declare func $body)
    (func (export "run") (param $x i32) (result i32)
      (local $s i64) (local $kk (ref null $k))
      (block $h (result ${rep(N.q, () => 'i64')} (ref $k))
        (return (resume $c (on $t $h) ${rep(N.p, (i) => `(i32.add (local.get $x) (i32.const ${i}))`)} (cont.new $c (ref.func $body)))))
      (local.set $kk)
      ${rep(N.q, () => '(local.set $s (i64.add (local.get $s)))')}
      (resume $k ${rep(N.r, (k) => `(i32.add (i32.wrap_i64 (local.get $s)) (i32.const ${k}))`)} (local.get $kk))))`;
  const expected = (x: number): number => {
    const P = N.p * x + (N.p * (N.p - 1)) / 2;
    const s = 3 * (N.q * x + (N.q * (N.q - 1)) / 2);
    let acc = 0;
    for (let k = 0; k < N.r; k++) acc += (s + k) * (k + 1);
    return (acc + P) | 0;
  };
  const script = `${wat}\n${[1, -7, 123456].map((x) => `(assert_return (invoke "run" (i32.const ${x})) (i32.const ${expected(x)}))`).join('\n')}`;
  const WA = (globalThis as { WebAssembly?: unknown }).WebAssembly;
  const engines = [
    new InterpEngine({}),
    hostEngine(createPolyfill(WA as never) as never, { name: 'lowered isolated' }),
    hostEngine(createPolyfill(WA as never, { isolated: false }) as never, { name: 'lowered shared' }),
  ];
  for (const engine of engines) {
    const r = runScript(parseScript(script, 'many-values.wast'), { engine });
    assert.deepEqual([r.passed, r.failed, r.skipped], [4, 0, 0], `${engine.name}: ${r.results.find((c) => c.outcome !== 'passed')?.message ?? ''}`);
  }
});

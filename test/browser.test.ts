// The package's JS API in an ordinary web page: the built package (dist/, rebuilt first when
// older than src/) served over http://127.0.0.1 without COOP/COEP headers (so no
// SharedArrayBuffer), imported by the page from /dist/index.js and run in headless Chromium
// (@sparticuz/chromium, installed by `npm ci`; see test/helpers/browser.ts). The polyfill
// (/dist/host/polyfill.js) runs stack-switching binaries there on Chromium's own engine, which
// has no stack switching by default. The test fails, with the reason, when the browser cannot launch.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { watToWasm } from '../src/index.ts';
import { lowerModule } from '../src/lower/index.ts';
import { parseModule } from '../src/text/parser.ts';
import { encodeModule } from '../src/binary/encoder.ts';
import { repoRoot } from './helpers/spec.ts';
import { openBrowser, type BrowserHarness } from './helpers/browser.ts';

let b: BrowserHarness;

before(async () => {
  b = await openBrowser();
});

after(async () => {
  await b?.close();
});

test('dist/index.js loads in an ordinary page (http://127.0.0.1, not cross-origin isolated, no SharedArrayBuffer)', async () => {
  const headers = (await fetch(`${b.origin}/test/browser/index.html`)).headers;
  assert.equal(headers.get('cross-origin-opener-policy'), null);
  assert.equal(headers.get('cross-origin-embedder-policy'), null);
  const r = await b.run(`
    export default async function () {
      const wasmfx = await import('/dist/index.js');
      return {
        href: location.href,
        sharedArrayBuffer: typeof SharedArrayBuffer,
        crossOriginIsolated,
        exports: Object.keys(wasmfx).filter((k) => ['instantiate', 'watToWasm', 'WebAssembly', 'VERSION'].includes(k)).sort(),
      };
    }
  `) as { href: string; sharedArrayBuffer: string; crossOriginIsolated: boolean; exports: string[] };
  assert.equal(r.href, `${b.origin}/test/browser/index.html`);
  assert.equal(r.sharedArrayBuffer, 'undefined');
  assert.equal(r.crossOriginIsolated, false);
  assert.deepEqual(r.exports, ['VERSION', 'WebAssembly', 'instantiate', 'watToWasm']);
});

test('examples/generator.wat as text, instantiated with { engine: "interp" }: sum() is 55', async () => {
  const r = await b.run(`
    import { instantiate, WebAssembly as W } from '/dist/index.js';
    const text = await (await fetch('/examples/generator.wat')).text();
    const { module, instance } = await instantiate(text, {}, { engine: 'interp' });
    export default { sum: instance.exports.sum(), module: module instanceof W.Module, exports: W.Module.exports(module) };
  `);
  assert.deepEqual(r, { sum: 55, module: true, exports: [{ name: 'sum', kind: 'function' }] });
});

// A worker asks its handler (through the $ask tag) twice; the handler answers with a JS import.
// `boom` traps inside a continuation.
const ASKER = `(module
  (import "env" "double" (func $double (param i32) (result i32)))
  (type $ft (func (param i32) (result i32)))
  (type $ct (cont $ft))
  (type $vt (func)) (type $vct (cont $vt))
  (tag $ask (param i32) (result i32))
  (func $worker (param $x i32) (result i32)
    (i32.add (suspend $ask (local.get $x)) (suspend $ask (i32.const 100))))
  (func $bad unreachable)
  (elem declare func $worker $bad)
  (func (export "run") (param $x i32) (result i32)
    (local $k (ref null $ct)) (local $v i32)
    (local.set $k (cont.new $ct (ref.func $worker)))
    (local.set $v (local.get $x))
    (loop $l
      (block $on_ask (result i32 (ref $ct))
        (return (resume $ct (on $ask $on_ask) (local.get $v) (local.get $k))))
      (local.set $k)
      (local.set $v (call $double))
      (br $l))
    unreachable)
  (func (export "boom")
    (resume $vct (cont.new $vct (ref.func $bad)))))`;

test('a stack-switching binary (built here with watToWasm) passed to the page as bytes', async () => {
  const bytes = watToWasm(ASKER);
  const r = await b.run(`
    import { Trap, WebAssembly as W } from '/dist/index.js';
    export default async function (bytes) {
      const buffer = new Uint8Array(bytes).buffer;   // an ArrayBuffer, as fetch() gives
      const asked = [];
      const { instance } = await W.instantiate(buffer, { env: { double: (x) => (asked.push(x), 2 * x) } });
      const run = instance.exports.run(5);
      let trap = null;
      try {
        instance.exports.boom();
      } catch (e) {
        trap = { runtimeError: e instanceof W.RuntimeError, trap: e instanceof Trap, message: e.message, frames: e.backtrace.length };
      }
      return { valid: W.validate(buffer), magic: [...new Uint8Array(buffer, 0, 4)], run, asked, trap };
    }
  `, { arg: [...bytes] }) as Record<string, unknown>;
  assert.deepEqual(r, {
    valid: true,
    magic: [0, 0x61, 0x73, 0x6d],
    run: 210,
    asked: [5, 100],
    trap: { runtimeError: true, trap: true, message: 'unreachable executed', frames: 2 },
  });
});

test('an error in the page comes back with its message', async () => {
  await assert.rejects(
    b.run(`import { instantiate } from '/dist/index.js'; export default () => instantiate('(module (func (i32.frob)))');`),
    /in the page: CompileError: .*unknown operator i32\.frob/,
  );
});

// Two tasks under a round-robin scheduler: each logs (task, i) through a JS import and yields, three times.
const SCHEDULER = `(module
  (type $ft (func))
  (type $ct (cont $ft))
  (import "env" "log" (func $log (param i32 i32)))
  (tag $yield)
  (table $q 2 (ref null $ct))
  (func $task (param $id i32)
    (local $i i32)
    (loop $l
      (call $log (local.get $id) (local.get $i))
      (suspend $yield)
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 3)))))
  (func $task1 (call $task (i32.const 1)))
  (func $task2 (call $task (i32.const 2)))
  (elem declare func $task1 $task2)
  (func (export "run") (result i32)
    (local $live i32) (local $cur i32) (local $switches i32) (local $k (ref null $ct))
    (table.set $q (i32.const 0) (cont.new $ct (ref.func $task1)))
    (table.set $q (i32.const 1) (cont.new $ct (ref.func $task2)))
    (local.set $live (i32.const 2))
    (loop $sched
      (local.set $k (table.get $q (local.get $cur)))
      (if (i32.eqz (ref.is_null (local.get $k)))
        (then
          (block $done
            (block $on (result (ref $ct))
              (resume $ct (on $yield $on) (local.get $k))
              ;; the task returned
              (table.set $q (local.get $cur) (ref.null $ct))
              (local.set $live (i32.sub (local.get $live) (i32.const 1)))
              (br $done))
            ;; the task yielded: its continuation goes back into the queue
            (local.set $k)
            (table.set $q (local.get $cur) (local.get $k))
            (local.set $switches (i32.add (local.get $switches) (i32.const 1))))))
      (local.set $cur (i32.xor (local.get $cur) (i32.const 1)))
      (br_if $sched (local.get $live)))
    (local.get $switches)))`;

test('the polyfill (/dist/host/polyfill.js) in an ordinary page: stack-switching binaries run on Chromium\'s own engine, no flag', async () => {
  const r = await b.run(`
    import { WebAssembly as W, installPolyfill, hostHasStackSwitching } from '/dist/host/polyfill.js';
    export default async function ({ generator, scheduler }) {
      const native = globalThis.WebAssembly;
      const gen = new Uint8Array(generator);
      const r = { chrome: /Chrome\\/(\\d+)/.exec(navigator.userAgent)?.[1], crossOriginIsolated, nativeValidate: native.validate(gen), hostHasStackSwitching: hostHasStackSwitching() };
      const { module, instance } = await W.instantiate(gen, {});
      r.sum = instance.exports.sum();
      r.exports = W.Module.exports(module);
      r.module = module instanceof W.Module && module instanceof native.Module;
      const response = new Response(gen, { headers: { 'Content-Type': 'application/wasm' } });
      r.streamingSum = (await W.instantiateStreaming(response)).instance.exports.sum();
      const log = [];
      const s = await W.instantiate(new Uint8Array(scheduler), { env: { log: (task, i) => log.push(task + ':' + i) } });
      r.switches = s.instance.exports.run();
      r.log = log;
      // installPolyfill(): the page's WebAssembly becomes the polyfill
      r.installed = installPolyfill();
      r.replaced = globalThis.WebAssembly !== native && globalThis.WebAssembly.Module === W.Module;
      r.globalSum = (await WebAssembly.instantiate(gen)).instance.exports.sum();
      r.globalSync = new WebAssembly.Instance(new WebAssembly.Module(gen)).exports.sum();
      r.installedAgain = installPolyfill();
      // what the page loaded: the polyfill's import graph, all of it from /dist/
      r.loaded = performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname).filter((p) => !p.startsWith('/__run__/'));
      return r;
    }
  `, { arg: { generator: [...watToWasm(readFileSync(join(repoRoot, 'examples', 'generator.wat'), 'utf8'))], scheduler: [...watToWasm(SCHEDULER)] } }) as Record<string, unknown> & { loaded: string[]; chrome: string };
  const { loaded, chrome, ...rest } = r;
  assert.ok(Number(chrome) >= 147, `Chromium ${chrome}`);
  assert.deepEqual(rest, {
    crossOriginIsolated: false,
    nativeValidate: false,
    hostHasStackSwitching: false,
    sum: 55,
    exports: [{ name: 'sum', kind: 'function' }],
    module: true,
    streamingSum: 55,
    switches: 6,
    log: ['1:0', '2:0', '1:1', '2:1', '1:2', '2:2'],
    installed: true,
    replaced: true,
    globalSum: 55,
    globalSync: 55,
    installedAgain: false,
  });
  // the import graph loaded in the browser (so nothing in it imports node:...): the lowering, not the interpreter
  assert.ok(loaded.includes('/dist/host/polyfill.js') && loaded.includes('/dist/lower/index.js'), loaded.join(' '));
  assert.deepEqual(loaded.filter((p) => !p.startsWith('/dist/') || !p.endsWith('.js')), []);
  assert.deepEqual(loaded.filter((p) => p.startsWith('/dist/exec/') || p === '/dist/host/js-api.js'), []);
});

test('a module lowered standalone (wasmfx lower --standalone) runs on Chromium\'s own WebAssembly: no wasmfx in the page at all', async () => {
  const lowered = (source: string): number[] => [...encodeModule(lowerModule(parseModule(source), { standalone: true }).module)];
  const r = await b.run(`
    export default async function ({ generator, scheduler }) {
      const { instance } = await WebAssembly.instantiate(new Uint8Array(generator));
      const log = [];
      const s = new WebAssembly.Instance(new WebAssembly.Module(new Uint8Array(scheduler)), { env: { log: (task, i) => log.push(task + ':' + i) } });
      return {
        sum: instance.exports.sum(),
        switches: s.exports.run(),
        log,
        loaded: performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname).filter((p) => !p.startsWith('/__run__/')),
      };
    }
  `, { arg: { generator: lowered(readFileSync(join(repoRoot, 'examples', 'generator.wat'), 'utf8')), scheduler: lowered(SCHEDULER) } });
  assert.deepEqual(r, { sum: 55, switches: 6, log: ['1:0', '2:0', '1:1', '2:1', '1:2', '2:2'], loaded: [] });
});

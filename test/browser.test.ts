// The package's JS API in an ordinary web page: the built package (dist/, rebuilt first when
// older than src/) served over http://127.0.0.1 without COOP/COEP headers (so no
// SharedArrayBuffer), imported by the page from /dist/index.js and run in headless Chromium
// (@sparticuz/chromium, installed by `npm ci`; see test/helpers/browser.ts). The test fails,
// with the reason, when the browser cannot launch.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { watToWasm } from '../src/index.ts';
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

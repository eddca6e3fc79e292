// The official WebAssembly JS API tests (WPT style, spec/js-api/**/*.any.js, those
// meant for a JS shell: `// META: global=` lists `jsshell`) run against wasmfx's
// `WebAssembly` namespace (src/host/js-api.ts), installed as `globalThis.WebAssembly`
// in this process (node:test runs each test file in a process of its own), with a small
// testharness.js (test/helpers/testharness.ts; the runner is test/helpers/js-api-suite.ts,
// shared with test/js-api-polyfill.test.ts). limits.any.js is not run (see the list).
//
// Every subtest passes, except those listed in test/js-api-exceptions.json
// (file -> subtest -> reason; "*" as a subtest name: the file is not run at all).
// The list must stay honest: a listed subtest that passes fails the run.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WebAssembly as wasmfxWebAssembly } from '../src/host/js-api.ts';
import { jsApiSuite, runScripts } from './helpers/js-api-suite.ts';

jsApiSuite({ namespace: wasmfxWebAssembly, exceptionsFile: 'test/js-api-exceptions.json', label: 'js-api', minSubtests: 1000 });

test('the testharness shim reports what fails', async () => {
  const script = `
    test(() => { assert_equals(NaN, NaN); assert_not_equals(0, -0); assert_array_equals([1, NaN], [1, NaN]); }, "pass");
    test(() => assert_equals(0, -0), "zeros");
    test(() => assert_equals(1, "1"), "types");
    test(() => { throw 7; }, "throws");
    test(() => assert_throws_js(TypeError, () => { throw new RangeError(); }), "wrong error");
    test(() => assert_throws_js(Error, () => { throw new TypeError(); }), "subclass");
    test(() => assert_throws_js(TypeError, () => {}), "no throw");
    test(() => assert_throws_exactly(1, () => { throw 1; }), "exactly");
    test(() => assert_throws({ name: "TypeError" }, () => { throw new TypeError(); }), "legacy");
    test(() => assert_class_string([], "Array"), "class string");
    test(() => {}, "twice");
    test(() => { assert_true(false); }, "twice");
    test(t => { t.add_cleanup(() => { throw new Error("cleanup"); }); }, "cleanup");
    promise_test(() => Promise.resolve(), "resolves");
    promise_test(() => Promise.reject(new Error("no")), "rejects");
    promise_test(() => 1, "not a promise");
    promise_test(() => new Promise(() => {}), "never settles");
    promise_test(t => promise_rejects_js(t, TypeError, Promise.reject(new TypeError())), "rejects_js");
    promise_test(t => promise_rejects_js(t, TypeError, Promise.resolve()), "rejects_js resolved");
    promise_test(t => promise_rejects(t, new TypeError(), Promise.reject(new RangeError())), "rejects legacy");
    promise_test(t => { t.step_timeout(t.unreached_func("late"), 0); return new Promise(r => setTimeout(r, 20)); }, "unreached");
    setup(() => { throw new Error("in setup"); });
  `;
  const { results, errors } = await runScripts('self-test.js', [{ path: 'self-test.js', text: script }], 200);
  const passed = [...results].filter(([, r]) => r.pass).map(([n]) => n);
  assert.deepEqual(passed, ['pass', 'exactly', 'legacy', 'class string', 'twice', 'cleanup', 'resolves', 'rejects_js']);
  assert.deepEqual([...results.keys()].filter((n) => n.startsWith('twice')), ['twice', 'twice (2)']);
  assert.match(results.get('never settles')!.message, /^TIMEOUT/);
  assert.match(results.get('not a promise')!.message, /thenable/);
  assert.deepEqual(errors.map((e) => e.replace(/:.*/s, '')), ['a cleanup function of "cleanup" threw', 'setup threw']);
  const broken = await runScripts('broken.js', [{ path: 'broken.js', text: 'test(() => {}, "a");\nnull.x;' }], 200);
  assert.match(broken.errors[0]!, /the script threw: TypeError.*broken\.js:2/);
});

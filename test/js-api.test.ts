// The official WebAssembly JS API tests (WPT style, spec/js-api/**/*.any.js, those
// meant for a JS shell: `// META: global=` lists `jsshell`) run against wasmfx's
// `WebAssembly` namespace (src/host/js-api.ts), installed as `globalThis.WebAssembly`
// in this process (node:test runs each test file in a process of its own), with a small
// testharness.js (test/helpers/testharness.ts). limits.any.js is not run (see the list).
//
// Every subtest passes, except those listed in test/js-api-exceptions.json
// (file -> subtest -> reason; "*" as a subtest name: the file is not run at all).
// The list must stay honest: a listed subtest that passes fails the run.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import vm from 'node:vm';
import { WebAssembly as wasmfxWebAssembly } from '../src/host/js-api.ts';
import { Harness, describeError } from './helpers/testharness.ts';
import { filesUnder, repoRoot, specDir } from './helpers/spec.ts';

type Exceptions = Record<string, Record<string, string>>;

const exceptionsFile = join(repoRoot, 'test', 'js-api-exceptions.json');
const exceptions: Exceptions = (JSON.parse(readFileSync(exceptionsFile, 'utf8')) as { files: Exceptions }).files;

function suiteDir(): string {
  const dir = join(specDir(), 'js-api');
  if (!existsSync(join(dir, 'wasm-module-builder.js'))) {
    throw new Error(
      `the WebAssembly JS API test suite was not found at ${dir} (expected ${join(dir, 'wasm-module-builder.js')}).\n` +
        'Set WASMFX_SPEC_DIR to a folder holding js-api/ (the WPT-style JS API tests) beside core/, ' +
        'e.g. WASMFX_SPEC_DIR=/path/to/spec npm test',
    );
  }
  return dir;
}

const root = suiteDir();

/** The `// META: key=value` lines at the top of a test file. */
function metadata(code: string): { key: string; value: string }[] {
  const out: { key: string; value: string }[] = [];
  for (const line of code.split('\n')) {
    const m = /^\/\/ META: *([a-z]+)=(.*)$/.exec(line.trim());
    if (m) out.push({ key: m[1]!, value: m[2]!.trim() });
    else if (line.trim() !== '') break;
  }
  return out;
}

function anyJsFiles(): string[] {
  return filesUnder(root, '.any.js').filter((f) =>
    metadata(readFileSync(f, 'utf8')).some((m) => m.key === 'global' && m.value.split(',').map((s) => s.trim()).includes('jsshell')));
}

/** A `// META: script=` path: /wasm/jsapi/X is the suite's X, others are relative to the test file. */
function scriptPath(ref: string, file: string): string {
  return ref.startsWith('/wasm/jsapi/') ? join(root, ref.slice('/wasm/jsapi/'.length)) : resolve(dirname(file), ref);
}

// ---- the global environment --------------------------------------------------------------------

Object.defineProperty(globalThis, 'WebAssembly', { value: wasmfxWebAssembly, writable: true, enumerable: false, configurable: true });

/** The harness of the file being run; the global testharness functions go to it. */
let current: Harness | undefined;
const dispatcher = new Harness().globals();
for (const name of Object.keys(dispatcher)) {
  const value = dispatcher[name];
  const forward = typeof value === 'function' && name !== 'AssertionError'
    ? function (this: unknown, ...args: unknown[]): unknown {
      if (current === undefined) throw new Error(`${name} called outside of a test file`);
      return (current.globals()[name] as (...a: unknown[]) => unknown).apply(this, args);
    }
    : value;
  Object.defineProperty(globalThis, name, { value: forward, writable: true, enumerable: false, configurable: true });
}

// (a harness error of the file being run; node:test reports it as well, as a failure of that file's test)
process.on('unhandledRejection', (reason) => {
  current?.error(`unhandled rejection: ${describeError(reason)}`);
});

interface FileResult {
  readonly results: Map<string, { pass: boolean; message: string }>;
  readonly errors: string[];
}

/**
 * Runs scripts (a test file's helper scripts, then the file) in one function, so that helpers see
 * the file's top-level declarations, as scripts sharing a global scope do, while the top-level
 * `let`s of different files do not collide; `this` is the global object.
 */
async function runScripts(name: string, parts: readonly { path: string; text: string }[], timeout: number): Promise<FileResult> {
  const h = new Harness({ timeout });
  // the combined source, and where each part starts in it (to name the right file in errors)
  let source = '(function () {\n';
  const starts: { path: string; line: number }[] = [];
  let line = 2;
  for (const p of parts) {
    starts.push({ path: p.path, line });
    source += `${p.text}\n`;
    line += p.text.split('\n').length;
  }
  source += '})';
  const combined = `${name} (with its helper scripts)`;
  const where = (l: number): string => {
    const s = starts.findLast((x) => x.line <= l);
    return s === undefined ? `${combined}:${l}` : `${relative(root, s.path)}:${l - s.line + 1}`;
  };
  current = h;
  try {
    const fn = vm.runInThisContext(source, { filename: combined }) as () => void;
    fn.call(globalThis);
  } catch (e) {
    const at = e instanceof Error ? new RegExp(`${combined.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:(\\d+)`).exec(e.stack ?? '') : null;
    h.error(`the script threw: ${describeError(e)}${at ? ` (at ${where(Number(at[1]))})` : ''}`);
  }
  const report = await h.finish();
  current = undefined;
  const results = new Map<string, { pass: boolean; message: string }>();
  for (const r of report.results) results.set(r.name, { pass: r.status === 'PASS', message: `${r.status}: ${r.message}` });
  return { results, errors: [...report.errors] };
}

/** Runs one test file with the helper scripts its `// META: script=` lines name. */
function runFile(file: string): Promise<FileResult> {
  const code = readFileSync(file, 'utf8');
  const meta = metadata(code);
  const long = meta.some((m) => m.key === 'timeout' && m.value === 'long');
  const helpers = meta.filter((m) => m.key === 'script').map((m) => scriptPath(m.value, file));
  const parts = [...helpers.map((p) => ({ path: p, text: readFileSync(p, 'utf8') })), { path: file, text: code }];
  return runScripts(file, parts, long ? 60_000 : 10_000);
}

// ---- the tests ---------------------------------------------------------------------------------

const files = anyJsFiles();
const totals = { files: 0, subtests: 0, passed: 0, excepted: 0 };
const perFile: string[] = [];
const stale: string[] = [];

for (const file of files) {
  const name = relative(root, file);
  const allowed = exceptions[name] ?? {};
  test(`js-api ${name}`, async (t) => {
    const t0 = performance.now();
    if (Object.hasOwn(allowed, '*')) {
      t.skip(allowed['*']);
      perFile.push(`${name}: not run`);
      return;
    }
    const { results, errors } = await runFile(file);
    const failures: string[] = [];
    let passed = 0;
    let excepted = 0;
    for (const e of errors) failures.push(`(harness) ${e}`);
    for (const [sub, r] of results) {
      if (r.pass) {
        passed++;
        if (Object.hasOwn(allowed, sub)) stale.push(`${name}: ${sub}`);
      } else if (Object.hasOwn(allowed, sub)) {
        excepted++;
      } else {
        failures.push(`${sub}: ${r.message}`);
      }
    }
    for (const sub of Object.keys(allowed)) if (sub !== '*' && !results.has(sub)) stale.push(`${name}: ${sub} (no such subtest)`);
    totals.files++;
    totals.subtests += results.size;
    totals.passed += passed;
    totals.excepted += excepted;
    perFile.push(`${name}: ${results.size} subtests, ${passed} passed, ${excepted} listed exceptions, ${failures.length} unexpected failures`);
    t.diagnostic(`${results.size} subtests: ${passed} passed, ${excepted} listed exceptions (${Math.round(performance.now() - t0)} ms)`);
    assert.deepEqual(failures, [], `unexpected failures in ${name}`);
  });
}

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

test('js-api exceptions are current', (t) => {
  assert.ok(files.length >= 40, `only ${files.length} js-api test files found`);
  assert.ok(totals.subtests >= 1000, `only ${totals.subtests} subtests ran`);
  for (const line of perFile) t.diagnostic(line);
  t.diagnostic(`${totals.subtests} subtests in ${totals.files} files: ${totals.passed} passed, ${totals.excepted} listed exceptions`);
  const known = new Set(files.map((f) => relative(root, f)));
  assert.deepEqual(Object.keys(exceptions).filter((f) => !known.has(f)), [], 'exceptions for missing files');
  assert.deepEqual(stale, [], 'these pass now: remove them from test/js-api-exceptions.json');
});

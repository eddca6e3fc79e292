// Runs the official WebAssembly JS API tests (WPT style, spec/js-api/**/*.any.js, those
// meant for a JS shell: `// META: global=` lists `jsshell`) against a `WebAssembly`
// namespace installed as `globalThis.WebAssembly` in this process (node:test runs each
// test file in a process of its own), with a small testharness.js
// (test/helpers/testharness.ts). Used by test/js-api.test.ts (wasmfx's interpreter-backed
// namespace) and test/js-api-polyfill.test.ts (the polyfill over Node's own WebAssembly).
//
// Every subtest must pass, except those listed in an exceptions file
// ({ files: file -> subtest -> reason }; "*" as a subtest name: the file is not run at all).
// The list must stay honest: a listed subtest that passes fails the run.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import vm from 'node:vm';
import { Harness, describeError } from './testharness.ts';
import { filesUnder, repoRoot, specDir } from './spec.ts';

type Exceptions = Record<string, Record<string, string>>;

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

// ---- the global environment --------------------------------------------------------------------

/** The harness of the file being run; the global testharness functions go to it. */
let current: Harness | undefined;
/**
 * The harness of the file run last. Some upstream tests leave a promise behind that asserts when
 * it settles (legacy/exceptions/js-api/identity.tentative.any.js: an `instantiate(...).then` in a
 * synchronous test): under load it settles after the file's last test. Its assertions go to that
 * file's harness: one that passes is harmless, one that fails still rejects (node:test then fails
 * the file), instead of every late assertion failing as "called outside of a test file".
 */
let last: Harness | undefined;
let installed = false;

/** Installs the testharness functions on the global object (forwarding to the file being run). */
function installHarnessGlobals(): void {
  if (installed) return;
  installed = true;
  const dispatcher = new Harness().globals();
  for (const name of Object.keys(dispatcher)) {
    const value = dispatcher[name];
    const forward = typeof value === 'function' && name !== 'AssertionError'
      ? function (this: unknown, ...args: unknown[]): unknown {
        const h = current ?? last;
        if (h === undefined) throw new Error(`${name} called outside of a test file`);
        return (h.globals()[name] as (...a: unknown[]) => unknown).apply(this, args);
      }
      : value;
    Object.defineProperty(globalThis, name, { value: forward, writable: true, enumerable: false, configurable: true });
  }
  // (a harness error of the file being run; node:test reports it as well, as a failure of that file's test)
  process.on('unhandledRejection', (reason) => {
    current?.error(`unhandled rejection: ${describeError(reason)}`);
  });
}

export interface FileResult {
  readonly results: Map<string, { pass: boolean; message: string }>;
  readonly errors: string[];
}

/**
 * Runs scripts (a test file's helper scripts, then the file) in one function, so that helpers see
 * the file's top-level declarations, as scripts sharing a global scope do, while the top-level
 * `let`s of different files do not collide; `this` is the global object.
 */
export async function runScripts(name: string, parts: readonly { path: string; text: string }[], timeout: number, root = ''): Promise<FileResult> {
  installHarnessGlobals();
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
  last = h;
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

export interface SuiteOptions {
  /** the namespace under test; installed as `globalThis.WebAssembly` */
  readonly namespace: unknown;
  /** the exceptions file, relative to the repository */
  readonly exceptionsFile: string;
  /** what the node:test tests are called: `${label} FILE` */
  readonly label: string;
  /** at least this many subtests must run */
  readonly minSubtests: number;
  /** the folder of the test files, when not the suite's own (its helper scripts stay the suite's) */
  readonly dir?: string;
  /** at least this many test files must be found (default 40) */
  readonly minFiles?: number;
}

/** Declares one node:test test per JS API test file, and a last one checking that the exceptions are current. */
export function jsApiSuite(opts: SuiteOptions): void {
  const exceptionsPath = join(repoRoot, opts.exceptionsFile);
  const exceptions: Exceptions = (JSON.parse(readFileSync(exceptionsPath, 'utf8')) as { files: Exceptions }).files;
  const root = suiteDir();
  const dir = opts.dir ?? root;
  const files = filesUnder(dir, '.any.js').filter((f) =>
    metadata(readFileSync(f, 'utf8')).some((m) => m.key === 'global' && m.value.split(',').map((s) => s.trim()).includes('jsshell')));
  /** A `// META: script=` path: /wasm/jsapi/X is the suite's X, others are relative to the test file. */
  const scriptPath = (ref: string, file: string): string =>
    ref.startsWith('/wasm/jsapi/') ? join(root, ref.slice('/wasm/jsapi/'.length)) : resolve(dirname(file), ref);
  /** Runs one test file with the helper scripts its `// META: script=` lines name. */
  const runFile = (file: string): Promise<FileResult> => {
    const code = readFileSync(file, 'utf8');
    const meta = metadata(code);
    const long = meta.some((m) => m.key === 'timeout' && m.value === 'long');
    const helpers = meta.filter((m) => m.key === 'script').map((m) => scriptPath(m.value, file));
    const parts = [...helpers.map((p) => ({ path: p, text: readFileSync(p, 'utf8') })), { path: file, text: code }];
    return runScripts(file, parts, long ? 60_000 : 10_000, root);
  };

  Object.defineProperty(globalThis, 'WebAssembly', { value: opts.namespace, writable: true, enumerable: false, configurable: true });
  installHarnessGlobals();

  const totals = { files: 0, subtests: 0, passed: 0, excepted: 0 };
  const perFile: string[] = [];
  const stale: string[] = [];

  for (const file of files) {
    const name = relative(dir, file);
    const allowed = exceptions[name] ?? {};
    test(`${opts.label} ${name}`, async (t) => {
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

  test(`${opts.label} exceptions are current`, (t) => {
    assert.ok(files.length >= (opts.minFiles ?? 40), `only ${files.length} js-api test files found in ${dir}`);
    assert.ok(totals.subtests >= opts.minSubtests, `only ${totals.subtests} subtests ran`);
    for (const line of perFile) t.diagnostic(line);
    t.diagnostic(`${totals.subtests} subtests in ${totals.files} files: ${totals.passed} passed, ${totals.excepted} listed exceptions`);
    const known = new Set(files.map((f) => relative(dir, f)));
    assert.deepEqual(Object.keys(exceptions).filter((f) => !known.has(f)), [], 'exceptions for missing files');
    assert.deepEqual(stale, [], `these pass now: remove them from ${opts.exceptionsFile}`);
  });
}

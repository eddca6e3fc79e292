// A small stand-in for WPT's testharness.js (web-platform-tests/wpt,
// resources/testharness.js): the part of its API that the WebAssembly JS API
// tests (spec/js-api/**/*.any.js) use, with the same semantics:
//
//   test(fn, name)           runs fn(t) at once; PASS unless it throws
//   promise_test(fn, name)   queued; run one after the other once the script is done;
//                            PASS when the promise fn(t) returns fulfils
//   setup(fn), done()        setup runs fn at once (a throw is a harness error)
//   assert_*                 SameValue comparisons (NaN equals NaN, +0 is not -0), ...
//   assert_throws_js(C, f)   f throws an object whose constructor is C and whose name is C.name
//   promise_rejects_js(t, C, p), promise_rejects(t, code, p) (legacy: compares names)
//   t.step_func, t.unreached_func, t.add_cleanup, t.step_timeout
//
// One `Harness` collects the results of one test file. Its `globals` are the functions
// to install on the global object; `finish()` waits for the promise tests.

export type Status = 'PASS' | 'FAIL' | 'TIMEOUT';

export interface SubtestResult {
  readonly name: string;
  readonly status: Status;
  /** why it failed ('' when it passed) */
  readonly message: string;
}

export interface HarnessReport {
  readonly results: readonly SubtestResult[];
  /** errors outside of any subtest: a throwing setup or script, an unhandled rejection */
  readonly errors: readonly string[];
}

/** A failed assertion (as testharness.js's AssertionError). */
export class AssertionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AssertionError';
  }
}

type Fn = (...args: unknown[]) => unknown;

// ---- formatting (testharness.js's format_value) -------------------------------------------------

const CONTROL: Readonly<Record<number, string>> = {
  0: '0', 8: 'b', 9: 't', 10: 'n', 11: 'v', 12: 'f', 13: 'r',
};

export function format_value(val: unknown, seen: unknown[] = []): string {
  if (typeof val === 'object' && val !== null) {
    if (seen.includes(val)) return '[...]';
    seen.push(val);
  }
  if (Array.isArray(val)) return `[${val.map((x) => format_value(x, seen)).join(', ')}]`;
  switch (typeof val) {
    case 'string': {
      let s = val.replace(/\\/g, '\\\\');
      s = s.replace(/[\u0000-\u001f\ufffd-\uffff]/g, (c) => {
        const code = c.charCodeAt(0);
        const named = CONTROL[code];
        if (named !== undefined) return `\\${named}`;
        return code < 0x20 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16)}`;
      });
      return `"${s.replace(/"/g, '\\"')}"`;
    }
    case 'boolean':
    case 'undefined':
      return String(val);
    case 'number':
      return Object.is(val, -0) ? '-0' : String(val);
    case 'bigint':
      return `${val}n`;
    case 'symbol':
      return val.toString();
    default:
      if (val === null) return 'null';
      try {
        const s = String(val);
        return `${typeof val} "${s.length > 1000 ? `${s.slice(0, 997)}...` : s}"`;
      } catch (e) {
        return `[stringifying object threw ${String(e)} with type ${typeof e}]`;
      }
  }
}

// ---- assertions ---------------------------------------------------------------------------------

/** SameValue, as testharness.js's same_value: NaN equals NaN, +0 and -0 differ. */
export function same_value(x: unknown, y: unknown): boolean {
  if (y !== y) return x !== x;
  if (x === 0 && y === 0) return 1 / x === 1 / (y as number);
  return x === y;
}

/** `message` with ${name} placeholders filled from `subs` (formatted with format_value). */
function assert(ok: boolean, fnName: string, description: string | undefined, message: string, subs: Record<string, unknown> = {}): void {
  if (ok) return;
  const text = message.replace(/\$\{([^}]+)\}/g, (_, k: string) => format_value(subs[k]));
  throw new AssertionError(`${fnName}: ${description === undefined || description === '' ? '' : `${description} `}${text}`);
}

function assert_true(actual: unknown, description?: string): void {
  assert(actual === true, 'assert_true', description, 'expected true got ${actual}', { actual });
}

function assert_false(actual: unknown, description?: string): void {
  assert(actual === false, 'assert_false', description, 'expected false got ${actual}', { actual });
}

function assert_equals(actual: unknown, expected: unknown, description?: string): void {
  if (typeof actual !== typeof expected) {
    assert(false, 'assert_equals', description,
      `expected (${typeof expected}) \${expected} but got (${typeof actual}) \${actual}`, { expected, actual });
  }
  assert(same_value(actual, expected), 'assert_equals', description, 'expected ${expected} but got ${actual}', { expected, actual });
}

function assert_not_equals(actual: unknown, expected: unknown, description?: string): void {
  assert(!same_value(actual, expected), 'assert_not_equals', description, 'got disallowed value ${actual}', { actual });
}

function assert_array_equals(actual: unknown, expected: readonly unknown[], description?: string): void {
  assert(typeof actual === 'object' && actual !== null && 'length' in actual, 'assert_array_equals', description,
    'value is ${actual}, expected array', { actual });
  const a = actual as ArrayLike<unknown>;
  assert(a.length === expected.length, 'assert_array_equals', description,
    'lengths differ, expected array ${expected} length ${el}, got ${actual} length ${al}',
    { expected, el: expected.length, actual, al: a.length });
  for (let i = 0; i < a.length; i++) {
    const has = (o: object): boolean => Object.prototype.hasOwnProperty.call(o, i);
    assert(has(a) === has(expected), 'assert_array_equals', description,
      'expected property ${i} to be ${e} but was ${a}',
      { i, e: has(expected) ? 'present' : 'missing', a: has(a) ? 'present' : 'missing' });
    assert(same_value(expected[i], a[i]), 'assert_array_equals', description,
      'expected property ${i} to be ${expected} but got ${actual}', { i, expected: expected[i], actual: a[i] });
  }
}

function assert_own_property(object: object, name: PropertyKey, description?: string): void {
  assert(Object.prototype.hasOwnProperty.call(object, name), 'assert_own_property', description,
    'expected property ${p} missing', { p: name });
}

function assert_not_own_property(object: object, name: PropertyKey, description?: string): void {
  assert(!Object.prototype.hasOwnProperty.call(object, name), 'assert_not_own_property', description,
    'unexpected property ${p} is found on object', { p: name });
}

function assert_class_string(object: unknown, className: string, description?: string): void {
  const actual = Object.prototype.toString.call(object);
  const expected = `[object ${className}]`;
  assert(same_value(actual, expected), 'assert_class_string', description, 'expected ${expected} but got ${actual}', { expected, actual });
}

function assert_unreached(description?: string): void {
  assert(false, 'assert_unreached', description, 'Reached unreachable code');
}

function assert_throws_js_impl(constructor: unknown, func: Fn, description: string | undefined, type: string): void {
  try {
    func.call(undefined);
  } catch (e) {
    if (e instanceof AssertionError) throw e;
    assert(typeof e === 'object', type, description, '${func} threw ${e} with type ${type}, not an object',
      { func, e, type: typeof e });
    assert(e !== null, type, description, '${func} threw null, not an object', { func });
    assert(typeof constructor === 'function', type, description, '${constructor} is not a constructor', { constructor });
    let obj: unknown = constructor;
    while (obj) {
      if (typeof obj === 'function' && obj.name === 'Error') break;
      obj = Object.getPrototypeOf(obj);
    }
    assert(obj != null, type, description, '${constructor} is not an Error subtype', { constructor });
    const err = e as { constructor?: unknown; name?: unknown };
    const ctor = constructor as Fn;
    assert(err.constructor === ctor && err.name === ctor.name, type, description,
      '${func} threw ${actual} (${actual_name}) expected instance of ${expected} (${expected_name})',
      { func, actual: e, actual_name: err.name, expected: ctor, expected_name: ctor.name });
    return;
  }
  assert(false, type, description, '${func} did not throw', { func });
}

function assert_throws_js(constructor: unknown, func: Fn, description?: string): void {
  assert_throws_js_impl(constructor, func, description, 'assert_throws_js');
}

function assert_throws_exactly_impl(exception: unknown, func: Fn, description: string | undefined, type: string): void {
  try {
    func.call(undefined);
  } catch (e) {
    if (e instanceof AssertionError) throw e;
    assert(same_value(e, exception), type, description, '${func} threw ${e} but we expected it to throw ${exception}',
      { func, e, exception });
    return;
  }
  assert(false, type, description, '${func} did not throw', { func });
}

function assert_throws_exactly(exception: unknown, func: Fn, description?: string): void {
  assert_throws_exactly_impl(exception, func, description, 'assert_throws_exactly');
}

/** The legacy assert_throws: with an object `code` (all the suite uses), the names must match. */
function assert_throws_legacy(code: unknown, func: Fn, description?: string): void {
  try {
    func.call(undefined);
  } catch (e) {
    if (e instanceof AssertionError) throw e;
    if (code === null) return;
    if (typeof code === 'object') {
      const name = (code as { name?: unknown }).name;
      assert(typeof e === 'object' && e !== null && 'name' in e && (e as { name: unknown }).name == name, 'assert_throws', description,
        '${func} threw ${actual} (${actual_name}) expected ${expected} (${expected_name})',
        { func, actual: e, actual_name: (e as { name?: unknown } | null)?.name, expected: code, expected_name: name });
      return;
    }
    throw new AssertionError(`assert_throws: unsupported expectation ${format_value(code)} (DOMException codes are not implemented)`);
  }
  assert(false, 'assert_throws', description, '${func} did not throw', { func });
}

// ---- tests --------------------------------------------------------------------------------------

/** A subtest (testharness.js's Test), the `t` passed to test bodies. */
export class Test {
  readonly name: string;
  status: Status | undefined;
  message = '';
  private readonly cleanups: (() => unknown)[] = [];
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  /** called when a step fails after the body finished (an asynchronous step of a promise test) */
  onFail: (() => void) | undefined;

  constructor(name: string) {
    this.name = name;
  }

  fail(e: unknown): void {
    if (this.status !== undefined) return;
    this.status = 'FAIL';
    this.message = e instanceof AssertionError ? e.message : describeError(e);
    this.onFail?.();
  }

  /** Runs `f` as a step of this test: a throw fails the test (nothing runs once it has a result). */
  step<T>(f: (...a: unknown[]) => T, thisObj: unknown, ...args: unknown[]): T | undefined {
    if (this.status !== undefined) return undefined;
    try {
      return f.apply(thisObj, args);
    } catch (e) {
      this.fail(e);
      return undefined;
    }
  }

  step_func(f: Fn, thisObj?: unknown): Fn {
    const t = this;
    return function (this: unknown, ...args: unknown[]) {
      return t.step(f, thisObj === undefined ? this : thisObj, ...args);
    };
  }

  step_func_done(f?: Fn, thisObj?: unknown): Fn {
    return this.step_func((...args: unknown[]) => (f === undefined ? undefined : f.apply(thisObj, args)));
  }

  unreached_func(description?: string): Fn {
    return this.step_func(() => assert_unreached(description));
  }

  step_timeout(f: Fn, ms: number, ...args: unknown[]): ReturnType<typeof setTimeout> {
    const h = setTimeout(() => {
      this.timers.delete(h);
      this.step(f, this, ...args);
    }, ms);
    this.timers.add(h);
    return h;
  }

  add_cleanup(f: () => unknown): void {
    this.cleanups.push(f);
  }

  /** Runs the cleanups (once the test has a result); returns what the throwing ones threw (harness errors, as in testharness.js). */
  cleanup(): string[] {
    for (const h of this.timers) clearTimeout(h);
    this.timers.clear();
    const errors: string[] = [];
    for (const f of this.cleanups.splice(0)) {
      try {
        f();
      } catch (e) {
        errors.push(`a cleanup function of "${this.name}" threw: ${describeError(e)}`);
      }
    }
    return errors;
  }
}

export function describeError(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  try {
    return `threw ${format_value(e)}`;
  } catch {
    return 'threw an unprintable value';
  }
}

export interface HarnessOptions {
  /** how long one promise test may take (ms); default 10 s, as testharness.js */
  readonly timeout?: number;
}

/** The results of one test file. */
export class Harness {
  private readonly results: SubtestResult[] = [];
  private readonly errors: string[] = [];
  private readonly names = new Map<string, number>();
  private queue: Promise<void> = Promise.resolve();
  private readonly timeout: number;
  private untitled = 0;

  constructor(options: HarnessOptions = {}) {
    this.timeout = options.timeout ?? 10_000;
  }

  /** Records a harness error (outside any subtest). */
  error(message: string): void {
    this.errors.push(message);
  }

  /** A unique name for a subtest (a repeated name gets " (2)", " (3)" ...). */
  private nameOf(name: unknown): string {
    let n = typeof name === 'string' ? name : `Untitled${this.untitled++ === 0 ? '' : ` ${this.untitled - 1}`}`;
    const k = (this.names.get(n) ?? 0) + 1;
    this.names.set(n, k);
    if (k > 1) n = `${n} (${k})`;
    return n;
  }

  private record(t: Test): void {
    this.results.push({ name: t.name, status: t.status ?? 'PASS', message: t.message });
  }

  test(func: Fn, name?: unknown): void {
    const t = new Test(this.nameOf(name));
    t.step(func, t, t);
    t.status ??= 'PASS';
    for (const e of t.cleanup()) this.error(e);
    this.record(t);
  }

  promise_test(func: Fn, name?: unknown): void {
    const t = new Test(this.nameOf(name));
    this.queue = this.queue.then(() => this.runPromiseTest(t, func));
  }

  private runPromiseTest(t: Test, func: Fn): Promise<void> {
    return new Promise<void>((resolve) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const finish = (): void => {
        if (timer !== undefined) clearTimeout(timer);
        timer = undefined;
        t.onFail = undefined;
        t.status ??= 'PASS';
        for (const e of t.cleanup()) this.error(e);
        this.record(t);
        resolve();
      };
      t.onFail = finish;
      timer = setTimeout(() => {
        if (t.status === undefined) {
          t.status = 'TIMEOUT';
          t.message = `no result after ${this.timeout} ms`;
        }
        finish();
      }, this.timeout);
      const p = t.step(func, t, t);
      if (t.status !== undefined) return; // failed (and finished)
      if (p === null || (typeof p !== 'object' && typeof p !== 'function') || typeof (p as { then?: unknown }).then !== 'function') {
        t.fail(new AssertionError(`promise_test: test body must return a 'thenable' object (received ${format_value(p)})`));
        return;
      }
      Promise.resolve(p).then(
        () => {
          if (timer !== undefined) finish();
        },
        (e: unknown) => t.fail(e),
      );
    });
  }

  setup(funcOrProperties?: unknown, maybeProperties?: unknown): void {
    void maybeProperties;
    if (typeof funcOrProperties !== 'function') return;
    try {
      (funcOrProperties as Fn)();
    } catch (e) {
      this.error(`setup threw: ${describeError(e)}`);
    }
  }

  /** Waits for the promise tests; returns everything recorded. */
  async finish(): Promise<HarnessReport> {
    await this.queue;
    // let stray asynchronous work (and its unhandled rejections) surface
    await new Promise((r) => setImmediate(r));
    return { results: [...this.results], errors: [...this.errors] };
  }

  private cachedGlobals: Record<string, unknown> | undefined;

  /** The testharness.js functions, bound to this harness, to install as globals. */
  globals(): Record<string, unknown> {
    this.cachedGlobals ??= this.makeGlobals();
    return this.cachedGlobals;
  }

  private makeGlobals(): Record<string, unknown> {
    const promise_rejects_js = (t: Test, constructor: unknown, promise: Promise<unknown>, description?: string): Promise<unknown> =>
      Promise.resolve(promise)
        .then(t.unreached_func(`Should have rejected: ${description ?? ''}`))
        .catch((e: unknown) => assert_throws_js_impl(constructor, () => { throw e; }, description, 'promise_rejects_js'));
    const promise_rejects_exactly = (t: Test, exception: unknown, promise: Promise<unknown>, description?: string): Promise<unknown> =>
      Promise.resolve(promise)
        .then(t.unreached_func(`Should have rejected: ${description ?? ''}`))
        .catch((e: unknown) => assert_throws_exactly_impl(exception, () => { throw e; }, description, 'promise_rejects_exactly'));
    const promise_rejects = (t: Test, code: unknown, promise: Promise<unknown>, description?: string): Promise<unknown> =>
      Promise.resolve(promise)
        .then(t.unreached_func(`Should have rejected: ${description ?? ''}`))
        .catch((e: unknown) => assert_throws_legacy(code, () => { throw e; }, description));
    return {
      test: (func: Fn, name?: unknown) => this.test(func, name),
      promise_test: (func: Fn, name?: unknown) => this.promise_test(func, name),
      setup: (f?: unknown, p?: unknown) => this.setup(f, p),
      done: () => undefined,
      format_value: (v: unknown) => format_value(v),
      assert_equals,
      assert_not_equals,
      assert_true,
      assert_false,
      assert_array_equals,
      assert_own_property,
      assert_not_own_property,
      assert_class_string,
      assert_throws_js,
      assert_throws_exactly,
      assert_throws: assert_throws_legacy,
      assert_unreached,
      // not in testharness.js (one test calls it where it means assert_unreached): the same
      assert_not_reached: assert_unreached,
      promise_rejects_js,
      promise_rejects_exactly,
      promise_rejects,
      AssertionError,
    };
  }
}

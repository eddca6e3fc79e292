import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyHostError, messageMatches, specTrapMessages } from './host-errors.ts';
import { hostNamespace } from './namespace.ts';
import { Exhaustion, Trap, UnhandledSuspension } from '../util/errors.ts';

const ns = hostNamespace()!;

test("V8's trap messages map to the spec's", () => {
  const cases: [string, string][] = [
    ['unreachable', 'unreachable'],
    ['divide by zero', 'integer divide by zero'],
    ['remainder by zero', 'integer divide by zero'],
    ['divide result unrepresentable', 'integer overflow'],
    ['float unrepresentable in integer range', 'invalid conversion to integer'],
    ['float unrepresentable in integer range', 'integer overflow'],
    ['memory access out of bounds', 'out of bounds memory access'],
    ['table index is out of bounds', 'undefined element'],
    ['table index is out of bounds', 'out of bounds table access'],
    ['function signature mismatch', 'indirect call type mismatch'],
    ['null function or function signature mismatch', 'uninitialized element'],
    ['null function', 'uninitialized element'],
    ['dereferencing a null pointer', 'null structure reference'],
    ['dereferencing a null pointer', 'null function reference'],
    ['illegal cast', 'cast failure'],
    ['array element access out of bounds', 'out of bounds array access'],
    ['element segment out of bounds', 'out of bounds array access'],
    ['WebAssembly.Instance(): data segment 0 is out of bounds (offset 1, length 0, memory size 0)', 'out of bounds memory access'],
    ['WebAssembly.Instance(): table index is out of bounds', 'out of bounds table access'],
    ['resuming an invalid continuation', 'continuation already consumed'],
  ];
  for (const [v8, spec] of cases) {
    const f = classifyHostError(new ns.RuntimeError(v8), ns)!;
    assert.equal(f.kind, 'trap', v8);
    assert.ok(messageMatches(f, spec), `${v8} -> ${spec}: ${f.messages.join(' | ')}`);
  }
  // a mapped message does not match other traps
  assert.ok(!messageMatches(classifyHostError(new ns.RuntimeError('divide by zero'), ns)!, 'integer overflow'));
  assert.ok(!messageMatches(classifyHostError(new ns.RuntimeError('illegal cast'), ns)!, 'out of bounds'));
  // V8 never says which element: the spec's detail after a mapped message is accepted
  assert.ok(messageMatches(classifyHostError(new ns.RuntimeError('function signature mismatch'), ns)!, 'uninitialized element 2'));
  // an unknown message stands for itself
  assert.deepEqual(specTrapMessages('something new'), ['something new']);
});

test("V8's own words for call_indirect on a null entry (a table of funcref, of typed references) map to the spec's", async () => {
  const { watToWasm } = await import('../index.ts');
  const wat = `(module (type $t (func)) (table $a 1 funcref) (table $b 1 (ref null $t))
    (func (export "a") (call_indirect $a (type $t) (i32.const 0)))
    (func (export "b") (call_indirect $b (type $t) (i32.const 0))))`;
  const instance = new ns.Instance(new ns.Module(watToWasm(wat))) as unknown as { exports: Record<string, () => void> };
  for (const name of ['a', 'b']) {
    let err: unknown = null;
    try {
      instance.exports[name]!();
    } catch (e) {
      err = e;
    }
    const f = classifyHostError(err, ns)!;
    assert.equal(f.kind, 'trap', name);
    assert.ok(messageMatches(f, 'uninitialized element 0'), `${name}: ${f.messages.join(' | ')}`);
  }
});

test('a RuntimeError with a detail string carries the spec message (the polyfill sets it)', () => {
  const e = Object.assign(new ns.RuntimeError('trap'), { detail: 'null continuation reference' });
  const f = classifyHostError(e, ns)!;
  assert.equal(f.kind, 'trap');
  assert.deepEqual(f.messages, ['null continuation reference']);
  assert.ok(!messageMatches(f, 'continuation already consumed'));
  const u = Object.assign(new ns.RuntimeError('x'), { detail: 'unhandled tag $t' });
  assert.equal(classifyHostError(u, ns)!.kind, 'suspension');
  const x = Object.assign(new ns.RuntimeError('call stack exhausted'), { detail: 'call stack exhausted' });
  assert.equal(classifyHostError(x, ns)!.kind, 'exhaustion');
});

test('stack overflow, exceptions, link and compile errors, and wasmfx errors', () => {
  let overflow: unknown;
  const f = (): number => f() + 1;
  try {
    f();
  } catch (e) {
    overflow = e;
  }
  assert.deepEqual(classifyHostError(overflow, ns), { kind: 'exhaustion', messages: ['call stack exhausted'], text: 'Maximum call stack size exceeded' });
  const tag = new ns.Tag!({ parameters: ['i32'] });
  assert.equal(classifyHostError(new ns.Exception!(tag, [1]), ns)!.kind, 'exception');
  assert.equal(classifyHostError(42, ns)!.kind, 'exception');
  assert.equal(classifyHostError(new ns.LinkError('Import #0 "m" "f": function import requires a callable'), ns)!.kind, 'unlinkable');
  assert.ok(messageMatches(classifyHostError(new ns.LinkError('...'), ns)!, 'incompatible import type'));
  assert.equal(classifyHostError(new ns.CompileError('bad'), ns)!.kind, 'invalid');
  const suspend = Object.assign(new Error('WasmFX: unhandled suspend'), { name: 'SuspendError' });
  assert.ok(messageMatches(classifyHostError(suspend, ns)!, 'unhandled tag'));
  assert.equal(classifyHostError(suspend, ns)!.kind, 'suspension');
  // wasmfx's own errors (its interpreter namespace) say it all
  assert.deepEqual(classifyHostError(new Trap('null continuation reference'), ns)!.messages, ['null continuation reference']);
  assert.equal(classifyHostError(new Exhaustion('call stack exhausted'), ns)!.kind, 'exhaustion');
  assert.equal(classifyHostError(new UnhandledSuspension('unhandled tag'), ns)!.kind, 'suspension');
  // anything else is nobody's error of the module: a bug to report
  assert.equal(classifyHostError(new TypeError('x'), ns), undefined);
});

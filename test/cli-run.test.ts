// `wasmfx run` and `wasmfx wast` with the interpreter, as a user runs them:
// results on stdout, runtime errors as `file: message` plus the Wasm
// backtrace on stderr, exit codes (0 ok, 1 trap or bad input, 2 usage).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { repoRoot, specDir } from './helpers/spec.ts';

const main = join(repoRoot, 'src', 'cli', 'main.ts');
const example = join(repoRoot, 'examples', 'generator.wat');
const tmp = mkdtempSync(join(tmpdir(), 'wasmfx-run-'));

function wasmfx(args: string[]) {
  const r = spawnSync(process.execPath, [main, ...args], { timeout: 120_000 });
  return { code: r.status, stdout: r.stdout.toString('utf8'), stderr: r.stderr.toString('utf8') };
}

const noStack = (s: string) => assert.doesNotMatch(s, /\n\s+at .*\(|node:internal|TypeError|RangeError|internal error/);

function file(name: string, text: string): string {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
}

const prog = file(
  'prog.wat',
  `(module $prog
  (import "spectest" "print_i32" (func $print (param i32)))
  (type $ft (func))
  (type $ct (cont $ft))
  (tag $yield)
  (tag $exn (param i32))
  (func (export "div") (param i32 i32) (result i32)
    (call $print (local.get 0))
    (i32.div_s (local.get 0) (local.get 1)))
  (func (export "echo") (param i64 f32 f64) (result i64 f32 f64)
    (local.get 0) (local.get 1) (local.get 2))
  (func $rec (export "rec") (call $rec))
  (func (export "spin") (loop $l (br $l)))
  (func (export "unhandled") (suspend $yield))
  (func (export "throws") (throw $exn (i32.const 1)))
  (func $inner (unreachable))
  (func $body (suspend $yield) (call $inner))
  (elem declare func $body)
  (func (export "cont-trap")
    (local $k (ref null $ct))
    (block $h (result (ref $ct))
      (resume $ct (on $yield $h) (cont.new $ct (ref.func $body)))
      (return))
    (local.set $k)
    (resume $ct (local.get $k)))
  (memory 1)
  (global (export "g") i32 (i32.const 1)))
`,
);

test('run: --invoke calls an export and prints its results', () => {
  const r = wasmfx(['run', '--invoke', 'sum', example]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '55\n');
});

test('run: _start by default, else main', () => {
  const s = file('start.wat', '(module (func (export "main") (result i32) (i32.const 2)) (func (export "_start") (result i32) (i32.const 1)))');
  assert.equal(wasmfx(['run', s]).stdout, '1\n');
  const m = file('main.wat', '(module (func (export "main") (result i32 i64) (i32.const -3) (i64.const 4)))');
  const r = wasmfx(['run', m]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '-3\n4\n');
  const none = wasmfx(['run', example]);
  assert.equal(none.code, 1);
  assert.match(none.stderr, /no _start or main export.*--invoke.*sum/);
  noStack(none.stderr);
});

test('run: arguments follow the parameter types; options after the file belong to the program', () => {
  const r = wasmfx(['run', '--engine', 'interp', '--invoke', 'echo', prog, '-0x10', 'nan:0x200000', '-inf']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '-16\nnan:0x200000\n-inf\n');
  const big = wasmfx(['run', '--invoke', 'echo', prog, '18446744073709551615', '1.5', '0x1p-1']);
  assert.equal(big.stdout, '-1\n1.5\n0.5\n');
  const d = wasmfx(['run', '--invoke', 'div', prog, '-7', '2']);
  assert.equal(d.code, 0, d.stderr);
  assert.equal(d.stdout, '-7 : i32\n-3\n', 'spectest print, then the result');
  // `--invoke` after the file is a program argument: one too many for _start/main... and div
  const after = wasmfx(['run', '--invoke', 'div', prog, '1', '2', '--invoke']);
  assert.equal(after.code, 2);
  assert.match(after.stderr, /div\(i32, i32\) takes 2 arguments, got 3/);
  const bad = wasmfx(['run', '--invoke', 'div', prog, '1', 'x']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /argument 2: "x" is not a valid i32/);
  assert.equal(wasmfx(['run', '--invoke', 'div', prog, '4294967296', '1']).code, 2, 'i32 out of range');
  noStack(bad.stderr);
});

test('run: the lowered engine by default: a trap prints file: message, exit 1', () => {
  const r = wasmfx(['run', '--invoke', 'div', prog, '1', '0']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /prog\.wat: .*divide by zero/);
  noStack(r.stderr);
  const u = wasmfx(['run', '--invoke', 'unhandled', prog]);
  assert.equal(u.code, 1);
  assert.match(u.stderr, /unhandled tag/);
});

test('run --engine interp: a trap prints file: message and the backtrace, exit 1', () => {
  const r = wasmfx(['run', '--engine', 'interp', '--invoke', 'div', prog, '1', '0']);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '1 : i32\n');
  assert.match(r.stderr, new RegExp(`^${prog.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: integer divide by zero\nwasm backtrace:\n  0: prog!func \\d+ @ .*prog\\.wat:9:\\d+\n$`));
  noStack(r.stderr);
});

test('run: backtraces through continuations, collapsed recursion', () => {
  const c = wasmfx(['run', '--engine', 'interp', '--invoke', 'cont-trap', prog]);
  assert.equal(c.code, 1);
  assert.match(c.stderr, /unreachable executed\nwasm backtrace:\n {2}0: prog!\$inner @ .*\n {2}1: prog!\$body @ .*\n {2}-- resumed from --\n {2}2: prog!func \d+ @ /);
  const rec = wasmfx(['run', '--engine', 'interp', '--invoke', 'rec', prog]);
  assert.equal(rec.code, 1);
  assert.match(rec.stderr, /call stack exhausted\n/);
  assert.match(rec.stderr, /\.\.\. \d+ more frames of prog!\$rec \.\.\./);
  assert.ok(rec.stderr.split('\n').length < 50, 'the backtrace is short');
  noStack(rec.stderr);
});

test('run: unhandled tags, uncaught exceptions, fuel', () => {
  const u = wasmfx(['run', '--invoke', 'unhandled', prog]);
  assert.equal(u.code, 1);
  assert.match(u.stderr, /: unhandled tag/);
  const t = wasmfx(['run', '--invoke', 'throws', prog]);
  assert.equal(t.code, 1);
  assert.match(t.stderr, /: unhandled exception|uncaught exception/);
  const f = wasmfx(['run', '--fuel', '10000', '--invoke', 'spin', prog]);
  assert.equal(f.code, 1);
  assert.match(f.stderr, /out of fuel/);
  assert.equal(wasmfx(['run', '--fuel', 'lots', prog]).code, 2);
});

test('run: binary modules, link errors, start traps, not a function', () => {
  const wasm = join(tmp, 'gen.wasm');
  assert.equal(wasmfx(['parse', example, '-o', wasm]).code, 0);
  const b = wasmfx(['run', '--invoke', 'sum', wasm]);
  assert.equal(b.code, 0, b.stderr);
  assert.equal(b.stdout, '55\n');
  const link = wasmfx(['run', '--engine', 'interp', file('link.wat', '(module (import "env" "f" (func)))')]);
  assert.equal(link.code, 1);
  assert.match(link.stderr, /link\.wat:1:\d+: unknown import "env"\."f"/);
  const start = wasmfx(['run', '--engine', 'interp', file('start-trap.wat', '(module (func $s unreachable) (start $s))')]);
  assert.equal(start.code, 1);
  assert.match(start.stderr, /start-trap\.wat: unreachable executed\nwasm backtrace:/);
  const g = wasmfx(['run', '--invoke', 'g', prog]);
  assert.equal(g.code, 1);
  assert.match(g.stderr, /export is a global, not a function/);
  const missing = wasmfx(['run', join(tmp, 'nope.wat')]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /cannot read: no such file/);
  for (const r of [link, start, g, missing]) noStack(r.stderr);
});

test('wast executes by default; failures as file:line: kind: message', () => {
  const f = file(
    'exec.wast',
    [
      '(module $m (func (export "f") (param i32) (result i32) (i32.div_u (i32.const 10) (local.get 0)))',
      '  (func (export "nan") (result f32) (f32.const nan:0x600000)))',
      '(assert_return (invoke "f" (i32.const 2)) (i32.const 5))',
      '(assert_trap (invoke "f" (i32.const 0)) "integer divide")',
      '(assert_return (invoke "f" (i32.const 1)) (i32.const 11))',
      '(assert_return (invoke "nan") (f32.const nan:arithmetic))',
      '(assert_return (invoke "nan") (f32.const nan:canonical))',
      '(register "M" $m)',
      '(module (import "M" "f" (func (param i32) (result i32))))',
      '(assert_unlinkable (module (import "M" "g" (func))) "unknown import")',
      '(assert_trap (module (func $s unreachable) (start $s)) "unreachable")',
    ].join('\n'),
  );
  for (const args of [['wast', f], ['wast', '--engine', 'interp', f]]) {
    const r = wasmfx(args);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /exec\.wast:5: assert_return: wrong return values: got \(i32\.const 10\), expected \(i32\.const 11\)\n/);
    assert.match(r.stdout, /exec\.wast:7: assert_return: wrong return values: got \(f32\.const nan:0x600000\), expected \(f32\.const nan:canonical\)\n/);
    assert.match(r.stdout, /^8 passed, 2 failed, 0 skipped$/m);
  }
  const v = wasmfx(['wast', '-v', f]);
  assert.match(v.stdout, /exec\.wast:3: assert_return: passed/);
  const only = wasmfx(['wast', '--validate-only', f]);
  assert.match(only.stdout, /^2 passed, 0 failed, 8 skipped$/m);
  assert.equal(only.code, 0);
});

test('wast: a module name is bound once per script, as in the reference interpreter', () => {
  const f = file(
    'names.wast',
    [
      '(module $m (func (export "f") (result i32) (i32.const 1)))',
      '(module $m (func (export "f") (result i32) (i32.const 2)))',
      '(assert_return (invoke $m "f") (i32.const 1))',
      '(module $n (func (export "f") (result i32) (i32.const 3)))',
      '(assert_return (invoke "f") (i32.const 3))',
    ].join('\n'),
  );
  const r = wasmfx(['wast', f]);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /names\.wast:2: module: module m already defined\n/);
  assert.match(r.stdout, /^4 passed, 1 failed, 0 skipped$/m);
});

test('wast: the stack-switching suite passes with nothing skipped', () => {
  const r = wasmfx(['wast', join(specDir(), 'core', 'stack-switching')]);
  assert.equal(r.code, 0, r.stdout);
  assert.match(r.stdout, /^\d+ passed, 0 failed, 0 skipped$/m);
});

test('help: run is listed, with its options before the file', () => {
  assert.match(wasmfx(['--help']).stdout, /\brun\b/);
  const h = wasmfx(['run', '--help']);
  assert.equal(h.code, 0);
  assert.match(h.stdout, /Usage: wasmfx run \[options\] <file> \[args\.\.\.\]/);
  for (const o of ['--invoke', '--fuel', '--engine']) assert.match(h.stdout, new RegExp(o));
  assert.equal(wasmfx(['run']).code, 2);
  assert.equal(wasmfx(['run', '--engine', 'jit', prog]).code, 2);
});

test('lower: the output is plain Wasm; run links a module lowered beforehand to the runtime', () => {
  const low = join(tmp, 'gen.lowered.wasm');
  const r = wasmfx(['lower', example, '-o', low]);
  assert.equal(r.code, 0, r.stderr);
  const host = (globalThis as unknown as { WebAssembly: { validate(b: Uint8Array): boolean } }).WebAssembly;
  assert.ok(host.validate(readFileSync(low)), 'the host validates the lowered module');
  const run = wasmfx(['run', '--invoke', 'sum', low]);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout, '55\n');
  const text = wasmfx(['lower', '--print', example, '-o', '-']);
  assert.match(text.stdout, /\(import "wasmfx:rt" "cur"/);
  assert.doesNotMatch(text.stdout, /^\s+(suspend|switch|resume|resume_throw|resume_throw_ref|cont\.new|cont\.bind)\b/m);
  // --isolated: the machine's state in the module's own globals; only the trap reason and the tag
  // counter come from the runtime
  const iso = join(tmp, 'gen.isolated.wasm');
  assert.equal(wasmfx(['lower', '--isolated', example, '-o', iso]).code, 0);
  const isoText = wasmfx(['lower', '--isolated', '--print', example, '-o', '-']).stdout;
  assert.deepEqual([...isoText.matchAll(/\(import "wasmfx:rt" "([^"]+)"/g)].map((x) => x[1]).sort(), ['tagctr', 'why']);
  const isoRun = wasmfx(['run', '--invoke', 'sum', iso]);
  assert.equal(isoRun.code, 0, isoRun.stderr);
  assert.equal(isoRun.stdout, '55\n');
  // --stats: what it did, on standard error
  const stats = wasmfx(['lower', '--stats', example, '-o', join(tmp, 'gen.stats.wasm')]);
  assert.match(stats.stderr, /^\S*generator\.wat: 2 functions, 2 instrumented \(they may suspend or resume\), 2 suspension sites, \d+ functions added; \d+ -> [\d,]+ bytes \(\d+\.\d\dx\)\n$/);
  // --standalone: nothing imported of wasmfx; the host's plain WebAssembly runs it
  const sa = join(tmp, 'gen.standalone.wasm');
  assert.equal(wasmfx(['lower', '--standalone', example, '-o', sa]).code, 0);
  const W = globalThis as unknown as { WebAssembly: { Instance: new (m: object) => { exports: { sum(): number } }; Module: new (b: Uint8Array) => object } };
  assert.equal(new W.WebAssembly.Instance(new W.WebAssembly.Module(readFileSync(sa))).exports.sum(), 55);
  const saRun = wasmfx(['run', '--invoke', 'sum', sa]);
  assert.equal(saRun.stdout, '55\n', saRun.stderr);
  // run says what a trap of its continuation machine was, as for the module it came from
  const consumed = file('consumed.wat', `(module
    (type $ft (func (result i32))) (type $ct (cont $ft)) (type $ft1 (func (param i32) (result i32))) (type $ct1 (cont $ft1))
    (tag $t (result i32)) (global $k (mut (ref null $ct1)) (ref.null $ct1))
    (func $g (result i32) (i32.add (suspend $t) (i32.const 1))) (elem declare func $g)
    (func (export "main") (result i32)
      (block $h (result (ref $ct1)) (return (resume $ct (on $t $h) (cont.new $ct (ref.func $g)))))
      (global.set $k) (drop (resume $ct1 (i32.const 1) (global.get $k))) (resume $ct1 (i32.const 1) (global.get $k))))`);
  const consumedSa = join(tmp, 'consumed.standalone.wasm');
  assert.equal(wasmfx(['lower', '--standalone', consumed, '-o', consumedSa]).code, 0);
  for (const [f, engine] of [[consumed, 'lowered'], [consumedSa, 'lowered'], [consumedSa, 'host'], [consumedSa, 'interp']] as const) {
    const t = wasmfx(['run', '--engine', engine, f]);
    // (the interpreter adds its backtrace)
    assert.deepEqual([t.code, t.stderr.split('\n')[0]!.replace(/^.*[\\/]/, '')], [1, `${basename(f)}: continuation already consumed`], `${f} on ${engine}`);
  }
  const tagImport = wasmfx(['lower', '--standalone', file('tag-import.wat', '(module (tag (import "m" "t")) (type $f (func)) (type $c (cont $f)) (func (drop (cont.new $c (ref.null $f)))))')]);
  assert.equal(tagImport.code, 1);
  assert.match(tagImport.stderr, /tag-import\.wat:1:\d+: cannot lower: a standalone module cannot import tags/);
  const bad = wasmfx(['lower', file('bad-lower.wat', '(module (func (i32.frob)))')]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /bad-lower\.wat:1:\d+: unknown operator/);
});

test("wast shows spectest's print output by default, as the reference interpreter does; -q silences it", () => {
  const f = file('prints.wast', [
    '(module (import "spectest" "print_i32" (func $p (param i32))) (func (export "go") (call $p (i32.const 42))))',
    '(invoke "go")',
    '(assert_return (invoke "go"))',
  ].join('\n'));
  for (const engine of ['interp', 'lowered']) {
    assert.equal(wasmfx(['wast', '--engine', engine, f]).stdout, '42 : i32\n42 : i32\n3 passed, 0 failed, 0 skipped\n', engine);
    assert.equal(wasmfx(['wast', '-q', '--engine', engine, f]).stdout, '3 passed, 0 failed, 0 skipped\n', engine);
  }
});

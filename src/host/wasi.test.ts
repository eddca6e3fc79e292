// WASI (wasi.ts, wasi-fs.ts) on the three in-process engines: the interpreter (through its
// JS API), the lowered engine (the polyfill) and the host's WebAssembly. The program is
// test/fixtures/wasi/tool.wat, which calls wasi_snapshot_preview1 directly; the standard
// streams are functions here, and the preopen is a temporary directory with symlinks
// that point inside and outside it.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { watToWasm } from '../index.ts';
import { RuntimeError } from '../util/errors.ts';
import { instantiateSync } from './js-api.ts';
import { hostNamespace } from './namespace.ts';
import { createWasi, type WasiOptions } from './wasi.ts';

const fixture = new URL('../../test/fixtures/wasi/tool.wat', import.meta.url);
const tool = watToWasm(readFileSync(fixture, 'utf8'), 'tool.wat');
const ns = hostNamespace()!;

type Instantiate = (bytes: Uint8Array, imports: object) => { readonly exports: object };
const ENGINES: Readonly<Record<string, Instantiate>> = {
  interp: (bytes, imports) => instantiateSync(bytes, imports as never, { engine: 'interp' }).instance,
  lowered: (bytes, imports) => instantiateSync(bytes, imports as never).instance,
  host: (bytes, imports) => new ns.Instance(new ns.Module(bytes), imports as never),
};

// tmp/outside/secret.txt, and the sandbox tmp/box with links in and out
const tmp = mkdtempSync(join(tmpdir(), 'wasmfx-wasi-'));
const outside = join(tmp, 'outside');
const box = join(tmp, 'box');
mkdirSync(outside);
writeFileSync(join(outside, 'secret.txt'), 'secret');
mkdirSync(join(box, 'sub'), { recursive: true });
writeFileSync(join(box, 'inside.txt'), 'inside');
symlinkSync('inside.txt', join(box, 'in-link'));
symlinkSync('..', join(box, 'sub', 'up'));
symlinkSync(join(outside, 'secret.txt'), join(box, 'out-link'));
symlinkSync('../outside/secret.txt', join(box, 'out-rel'));
symlinkSync(outside, join(box, 'out-dir'));
symlinkSync(join(outside, 'made.txt'), join(box, 'dangling'));
after(() => rmSync(tmp, { recursive: true, force: true }));

interface Run { code: number; stdout: string; stderr: string }

function run(
  engine: string, argv: readonly string[], o: Partial<Pick<WasiOptions, 'env' | 'preopens'>> & { stdin?: string } = {},
  bytes = tool,
): Run {
  let input = Buffer.from(o.stdin ?? '');
  const out: Uint8Array[] = [];
  const err: Uint8Array[] = [];
  const wasi = createWasi({
    args: ['tool', ...argv],
    env: o.env ?? {},
    preopens: o.preopens ?? [{ host: box, guest: '.' }],
    stdin: (max) => {
      const b = input.subarray(0, max);
      input = input.subarray(b.length);
      return b;
    },
    stdout: (b) => void out.push(b.slice()),
    stderr: (b) => void err.push(b.slice()),
  });
  const code = wasi.start(ENGINES[engine]!(bytes, wasi.imports));
  return { code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
}

const lines = (r: Run): string[] => r.stdout.split('\n').slice(0, -1);

for (const engine of Object.keys(ENGINES)) {
  test(`${engine}: argv, environment, standard input, exit codes`, () => {
    const a = run(engine, ['args', 'x', 'héllo wörld'], { env: { A: '1', EMPTY: '' } });
    // argv's strings in UTF-8 bytes, each with its NUL: tool, args, x, héllo wörld
    assert.deepEqual(lines(a), ['tool', 'x', 'héllo wörld', 'A=1', 'EMPTY=', String(5 + 5 + 2 + 14)]);
    assert.equal(a.code, 0, '_start returned');
    assert.deepEqual(lines(run(engine, ['args'])), ['tool', '10'], 'no environment unless given');
    const input = 'a line of input\n'.repeat(1000);
    assert.equal(run(engine, ['cat'], { stdin: input }).stdout, input);
    assert.deepEqual(run(engine, ['exit', '7']), { code: 7, stdout: '', stderr: 'bye\n' });
    assert.equal(run(engine, ['exit', '0']).code, 0);
    assert.equal(run(engine, ['unknown']).code, 2);
  });

  test(`${engine}: preopens as wasi-libc finds them`, () => {
    const r = run(engine, ['preopens'], { preopens: [{ host: box, guest: '.' }, { host: outside, guest: '/out' }] });
    // fds 3 and 4, EBADF after them; a directory that passes reading and writing on to what it opens
    assert.deepEqual(lines(r), ['3 .', '4 /out', '8', '3', '66']);
  });

  test(`${engine}: clocks and random_get`, () => {
    assert.deepEqual(run(engine, ['sanity']), { code: 0, stdout: 'ok\n', stderr: '' });
  });

  test(`${engine}: files in a preopen: write, read back, seek, stat, append, directories`, () => {
    const name = `out-${engine}.txt`;
    const r = run(engine, ['files', name, 'hello']);
    assert.equal(r.code, 0, r.stdout);
    // size by seek, the text, size and type (regular file) by fd, size after appending by path,
    // mkdir d, its type (directory), create d/inner, rmdir d (not empty), unlink d/inner, rmdir d, stat d (no entry)
    assert.deepEqual(lines(r), ['5', 'hello', '5', '4', '6', '0', '3', '0', '55', '0', '0', '44']);
    assert.equal(readFileSync(join(box, name), 'utf8'), 'hello+');
    assert.ok(!existsSync(join(box, 'd')));
    const list = run(engine, ['list', '.']);
    for (const n of ['.', '..', 'inside.txt', 'sub', 'in-link', 'out-dir', name]) assert.ok(lines(list).includes(n), n);
    assert.deepEqual(lines(run(engine, ['list', 'sub'])).sort(), ['.', '..', 'up']);
  });

  test(`${engine}: the sandbox: no absolute paths, no .. above it, no symlinks out of it`, () => {
    const opens = ['inside.txt', 'sub/../inside.txt', 'in-link', 'sub/up/inside.txt', '.', 'nope', ''];
    assert.deepEqual(lines(run(engine, ['open', ...opens])), ['0', '0', '0', '0', '0', '44', '44']);
    const escapes = [
      '../outside/secret.txt', '/etc/passwd', 'sub/../../outside/secret.txt', // by name
      'out-link', 'out-rel', 'out-dir/secret.txt', 'sub/up/out-dir/secret.txt', // through symlinks: the last one, or on the way
    ];
    assert.deepEqual(lines(run(engine, ['open', ...escapes])), escapes.map(() => '76'));
    // creating: inside yes; through a symlinked directory, above the root, through links: no
    const news = ['fresh.txt', 'out-dir/new.txt', '../new.txt', 'out-link', 'dangling'];
    assert.deepEqual(lines(run(engine, ['new', ...news])), ['0', '76', '76', '76', '44']);
    assert.ok(existsSync(join(box, 'fresh.txt')));
    assert.ok(!existsSync(join(outside, 'new.txt')) && !existsSync(join(tmp, 'new.txt')) && !existsSync(join(outside, 'made.txt')));
    assert.equal(readFileSync(join(outside, 'secret.txt'), 'utf8'), 'secret', 'not truncated through out-link');
    // without following the last symlink, it is a link inside; what is behind a symlinked directory is not
    assert.deepEqual(lines(run(engine, ['info', 'out-link', 'inside.txt', 'out-dir/secret.txt', '/etc/passwd'])), ['0 7', '0 4', '76 0', '76 0']);
    assert.equal(run(engine, ['list', 'out-dir']).code, 30, 'a symlinked directory out of the box does not open');
  });

  test(`${engine}: a trap propagates from start`, () => {
    assert.throws(() => run(engine, ['trap']), (e: unknown) => {
      if (engine === 'interp') {
        assert.ok(e instanceof RuntimeError);
        assert.deepEqual(e.backtrace.slice(0, 2).map((f) => f.name), ['inner', 'trap']);
      } else assert.ok(e instanceof (ns.RuntimeError as unknown as typeof Error));
      return true;
    });
  });
}

// a generator that prints what it yields and exits from inside its continuation
const generator = watToWasm(`(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (type $ft (func))
  (type $ct (cont $ft))
  (tag $yield (param i32))
  (func $gen
    (local $i i32)
    (loop $l
      (suspend $yield (local.get $i))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 3))))
    (call $exit (i32.const 9)))
  (elem declare func $gen)
  (func (export "_start")
    (local $k (ref null $ct)) (local $v i32)
    (local.set $k (cont.new $ct (ref.func $gen)))
    (loop $l
      (block $h (result i32 (ref $ct))
        (resume $ct (on $yield $h) (local.get $k))
        (unreachable))
      (local.set $k)
      (local.set $v)
      (i32.store8 (i32.const 100) (i32.add (i32.const 48) (local.get $v)))
      (i32.store (i32.const 0) (i32.const 100))
      (i32.store (i32.const 4) (i32.const 1))
      (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
      (br $l))))`);

test('stack switching and WASI: proc_exit from inside a continuation (interp, lowered)', () => {
  for (const engine of ['interp', 'lowered']) assert.deepEqual(run(engine, [], {}, generator), { code: 9, stdout: '012', stderr: '' }, engine);
});

const misc = watToWasm(`(module
  (import "wasi_snapshot_preview1" "proc_raise" (func $raise (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_shutdown" (func $shutdown (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (i32.store8 (i32.const 300) (call $raise (i32.const 6)))
    (i32.store8 (i32.const 301) (call $shutdown (i32.const 3) (i32.const 0)))
    ;; an iovec past the end of memory
    (i32.store8 (i32.const 302) (call $write (i32.const 1) (i32.const 65532) (i32.const 1) (i32.const 8)))
    ;; sleep 20 ms: a relative subscription to the monotonic clock, userdata 7; the event at 128
    (i64.store (i32.const 0) (i64.const 7))
    (i32.store (i32.const 16) (i32.const 1))
    (i64.store (i32.const 24) (i64.const 20000000))
    (drop (call $poll (i32.const 0) (i32.const 128) (i32.const 1) (i32.const 200)))
    (i32.store8 (i32.const 303) (i32.load (i32.const 200)))
    (i32.store8 (i32.const 304) (i32.load8_u (i32.const 128)))
    (i32.store (i32.const 400) (i32.const 300))
    (i32.store (i32.const 404) (i32.const 5))
    (drop (call $write (i32.const 1) (i32.const 400) (i32.const 1) (i32.const 8)))))`);

test('errnos, never exceptions: proc_raise and sockets unsupported, bad pointers EFAULT; poll_oneoff sleeps', () => {
  for (const engine of Object.keys(ENGINES)) {
    const t0 = performance.now();
    const r = run(engine, [], {}, misc);
    assert.ok(performance.now() - t0 >= 15, `${engine}: slept`);
    // NOTSUP, NOTSUP, FAULT, one event, its userdata
    assert.deepEqual([...Buffer.from(r.stdout, 'latin1')], [58, 58, 21, 1, 7], engine);
  }
});

test('createWasi: a preopen must be a directory; start needs memory and _start', () => {
  assert.throws(() => createWasi({ args: [], preopens: [{ host: join(tmp, 'none'), guest: '.' }] }), /cannot preopen .*none: no such directory/);
  assert.throws(() => createWasi({ args: [], preopens: [{ host: join(box, 'inside.txt'), guest: '.' }] }), /not a directory/);
  const wasi = createWasi({ args: [] });
  const noMemory = new ns.Instance(new ns.Module(watToWasm('(module (func (export "_start")))')));
  assert.throws(() => wasi.start(noMemory), /exports its memory as "memory"/);
});

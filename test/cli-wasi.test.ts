// `wasmfx run` with WASI programs, as a user runs them, on every engine: argv after the
// file, `--env`, `--dir` (a sandbox), the process's standard streams, proc_exit's exit code,
// traps as `file: message` (interp: plus the backtrace). The program is
// test/fixtures/wasi/tool.wat (what it does per command is in its header); the WASI
// semantics in detail are src/host/wasi.test.ts's. The runs of a test go in parallel.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './helpers/spec.ts';

const main = join(repoRoot, 'src', 'cli', 'main.ts');
const tool = join(repoRoot, 'test', 'fixtures', 'wasi', 'tool.wat');
const ENGINES = ['interp', 'lowered', 'host', 'native'];

const tmp = mkdtempSync(join(tmpdir(), 'wasmfx-cli-wasi-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const box = join(tmp, 'box');
const outside = join(tmp, 'outside');
mkdirSync(box);
mkdirSync(outside);
writeFileSync(join(outside, 'secret.txt'), 'secret');
symlinkSync(join(outside, 'secret.txt'), join(box, 'out-link'));
symlinkSync(outside, join(box, 'out-dir'));

interface Result { code: number | null; stdout: string; stderr: string }

function wasmfx(args: readonly string[], stdin = ''): Promise<Result> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [main, ...args], { timeout: 60_000 });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    p.stdout.on('data', (b: Buffer) => out.push(b));
    p.stderr.on('data', (b: Buffer) => err.push(b));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }));
    p.stdin.end(stdin);
  });
}

const noStack = (s: string) => assert.doesNotMatch(s, /\n\s+at .*\(|node:internal|TypeError|RangeError|internal error/);

test('argv after the file, --env, standard streams, the exit code, on every engine', async () => {
  const input = 'some input\n'.repeat(20_000);
  const [exitInterp, exitNative, cat, ...args] = await Promise.all([
    // the exit code through run.ts (the interpreter) and run-host.ts (in the child Node)
    wasmfx(['run', '--engine', 'interp', tool, 'exit', '3']),
    wasmfx(['run', '--engine', 'native', tool, 'exit', '4']),
    wasmfx(['run', tool, 'cat'], input),
    ...ENGINES.map((e) => wasmfx(['run', '--engine', e, '--env', 'A=1', '--env', 'B=x=y', tool, 'args', '--env', 'héllo'])),
  ]);
  assert.deepEqual(exitInterp, { code: 3, stdout: '', stderr: 'bye\n' });
  assert.deepEqual(exitNative, { code: 4, stdout: '', stderr: 'bye\n' });
  assert.equal(cat.code, 0, cat.stderr);
  assert.ok(cat.stdout === input, 'the output is the input');
  ENGINES.forEach((e, i) => {
    const r = args[i]!;
    assert.equal(r.code, 0, `${e}: ${r.stderr}`);
    // options after the file belong to the program; the size of argv's strings in UTF-8
    const size = [tool, 'args', '--env', 'héllo'].reduce((n, a) => n + Buffer.byteLength(a) + 1, 0);
    assert.equal(r.stdout, `${tool}\n--env\nhéllo\nA=1\nB=x=y\n${size}\n`, e);
  });
});

test('--dir: files in the preopened directory; nothing outside it', async () => {
  const [files, news] = await Promise.all([
    wasmfx(['run', '--dir', box, tool, 'files', 'out.txt', 'hello']),
    wasmfx(['run', '--engine', 'interp', '--dir', `${box}::/sandbox`, tool, 'new', 'out-dir/new.txt', '../new.txt', 'out-link', '/etc/passwd']),
  ]);
  assert.equal(files.code, 0, files.stderr);
  assert.equal(files.stdout.split('\n')[1], 'hello');
  assert.equal(readFileSync(join(box, 'out.txt'), 'utf8'), 'hello+');
  assert.deepEqual(news.stdout, '76\n76\n76\n76\n', 'ERRNO_NOTCAPABLE');
  assert.ok(!existsSync(join(outside, 'new.txt')) && !existsSync(join(tmp, 'new.txt')));
  assert.equal(readFileSync(join(outside, 'secret.txt'), 'utf8'), 'secret');
});

test('a trap: file: message, exit 1; the interpreter adds the backtrace; fuel', async () => {
  const [interp, lowered, fuel] = await Promise.all([
    ...['interp', 'lowered'].map((e) => wasmfx(['run', '--engine', e, tool, 'trap'])),
    // --fuel works for WASI programs (on the interpreter): strlen of a long argument takes more
    wasmfx(['run', '--fuel', '1000', tool, 'args', 'x'.repeat(10_000)]),
  ]);
  assert.equal(fuel.code, 1);
  assert.match(fuel.stderr, /tool\.wat: out of fuel/);
  assert.equal(interp.code, 1);
  assert.match(interp.stderr, /tool\.wat: unreachable executed\nwasm backtrace:\n {2}0: tool!\$inner @ .*tool\.wat:\d+:\d+\n {2}1: tool!\$trap @ /);
  assert.equal(lowered.code, 1);
  assert.match(lowered.stderr, /^.*tool\.wat: unreachable\n$/);
  for (const r of [interp, lowered]) noStack(r.stderr);
});

test('bad options and modules that are not WASI commands', async () => {
  const noMemory = join(tmp, 'no-memory.wat');
  writeFileSync(noMemory, '(module (import "wasi_snapshot_preview1" "proc_exit" (func (param i32))) (func (export "_start")))');
  const other = join(tmp, 'other-import.wat');
  writeFileSync(other, '(module (import "wasi_snapshot_preview1" "proc_exit" (func (param i32)))\n  (import "env" "f" (func)) (memory (export "memory") 1) (func (export "_start")))');
  const [env, dir, invoke, memory, link] = await Promise.all([
    wasmfx(['run', '--env', 'NOVALUE', tool, 'args']),
    wasmfx(['run', '--dir', join(tmp, 'none'), tool, 'args']),
    wasmfx(['run', '--invoke', '_start', tool, 'args']),
    wasmfx(['run', noMemory]),
    wasmfx(['run', '--engine', 'interp', other]),
  ]);
  assert.equal(env.code, 2);
  assert.match(env.stderr, /--env.*not K=V/);
  assert.equal(dir.code, 1);
  assert.match(dir.stderr, /^wasmfx: --dir: cannot preopen .*none: no such directory\n$/);
  assert.equal(invoke.code, 2);
  assert.match(invoke.stderr, /a WASI program runs its _start/);
  assert.equal(memory.code, 1);
  assert.match(memory.stderr, /no-memory\.wat: a WASI command exports its memory as "memory"/);
  assert.equal(link.code, 1);
  assert.match(link.stderr, /other-import\.wat:2:3: unknown import "env"\."f"\n$/);
  for (const r of [env, dir, invoke, memory, link]) noStack(r.stderr);
});

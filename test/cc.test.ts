// `wasmfx cc` and the fiber library: C programs built with both backends
// (WasmFX continuations, Binaryen's Asyncify) print the same on every engine
// that can run them: interp (small sizes: it is slow), lowered, host (Asyncify
// builds only: no stack switching there) and native (V8's WasmFX, which has no
// `switch`: fiber_switch.h programs are refused there). Also: the compiler's
// diagnostics for bad C, the shadow-stack overflow trap, misuses that trap
// with a message, and fibers created and freed keeping memory flat.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileC, FIBER_BACKENDS } from '../src/cc/driver.ts';
import { decodeModule } from '../src/binary/decoder.ts';
import { printModule } from '../src/text/printer.ts';
import { ToolError } from '../src/cc/toolchain.ts';
import { build, run, type Engine } from './helpers/cc.ts';
import { repoRoot } from './helpers/spec.ts';

const scratch = mkdtempSync(join(tmpdir(), 'wasmfx-cc-'));
const fixture = (name: string): string => join('test', 'fixtures', 'cc', name);
const examplesDir = join('examples', 'fibers');

/** Arguments that keep each example quick on the interpreter (the default size otherwise). */
const SMALL: Readonly<Record<string, readonly string[]>> = {
  hello: ['2'], hello_switch: ['2'], itersum: ['300'], itersum_switch: ['300'], treesum: ['6'], treesum_switch: ['6'],
  sieve: ['200'], sieve_switch: ['200'], state: ['20'], skynet: ['100'], c10m: ['300', '3'], roundrobin: ['10'],
  roundrobin_switch: ['10'], churn: ['2000'],
};

/** Engines for a program: interp, lowered, and host (Asyncify) or native (WasmFX without switch). */
function engines(backend: string, symmetric: boolean): Engine[] {
  return backend === 'asyncify' ? ['host', 'lowered', 'interp'] : symmetric ? ['lowered', 'interp'] : ['lowered', 'native', 'interp'];
}

const examples = readdirSync(join(repoRoot, examplesDir)).filter((f) => f.endsWith('.c')).sort();

test('every example builds with both backends and prints the same on every engine', async (t) => {
  assert.ok(examples.includes('hello.c') && examples.includes('hello_switch.c'));
  // start every build at once: Binaryen's tools run as child processes beside Clang
  for (const file of examples) for (const backend of FIBER_BACKENDS) void build([join(examplesDir, file)], backend).catch(() => {});
  for (const file of examples) {
    const name = file.replace(/\.c$/, '');
    const src = join(examplesDir, file);
    const symmetric = readFileSync(join(repoRoot, src), 'utf8').includes('fiber_switch.h');
    await t.test(name, async () => {
      const outputs = new Map<string, string>();
      for (const backend of FIBER_BACKENDS) {
        const wasm = await build([src], backend);
        for (const engine of engines(backend, symmetric)) {
          const args = engine === 'interp' ? (SMALL[name] ?? []) : [];
          const r = await run(engine, wasm, args, scratch);
          assert.equal(r.code, 0, `${name} (${backend}) on ${engine}: exit ${r.code}\n${r.stderr}`);
          assert.notEqual(r.stdout, '', `${name} (${backend}) on ${engine} printed nothing`);
          assert.doesNotMatch(r.stdout, /MISMATCH/);
          const key = args.join(' ');
          const before = outputs.get(key);
          if (before === undefined) outputs.set(key, r.stdout);
          else assert.equal(r.stdout, before, `${name} (${backend}) on ${engine} ${key}: differs`);
        }
      }
    });
  }
});

test('hello prints what the fiber yields, and FIBER_ERROR for a resume after the end', async () => {
  const wasm = await build([join(examplesDir, 'hello.c')], 'wasmfx');
  const r = await run('lowered', wasm, ['2'], scratch);
  assert.equal(r.stdout, 'Hello\nfrom\na\nfiber!\n'.repeat(2) + 'done: 42\nresume after the end: FIBER_ERROR\n');
});

test('hello_switch: control passes back and forth with fiber_switch', async () => {
  const wasm = await build([join(examplesDir, 'hello_switch.c')], 'asyncify');
  const r = await run('host', wasm, ['1'], scratch);
  assert.equal(r.stdout, 'Hello\nfrom\ntwo\nfibers!\nswitches: 2, switched from: a fiber\n');
});

test('the library inlines into the program: a fiber suspends or switches from its own function (one frame to save)', async () => {
  for (const [example, fn, op] of [['itersum.c', 'count_up', 'suspend'], ['itersum_switch.c', 'count_up', 'switch']] as const) {
    const m = decodeModule(await build([join(examplesDir, example)], 'wasmfx'));
    const text = printModule(m);
    const body = new RegExp(`\\(func \\$${fn} [^]*?\\n  \\)\\n`).exec(text)?.[0] ?? '';
    assert.match(body, new RegExp(`\\n\\s+${op} `), `${example}: ${fn} holds the ${op}`);
    assert.doesNotMatch(body, /call \$fiber_(yield|switch)\b/, `${example}: ${fn} calls no library function on the way`);
    assert.ok(!m.customs.some((c) => c.name === 'binaryen.inline'), 'the inlining hints are gone from the output');
  }
});

test('a fiber that overflows its shadow stack traps with a message, on every backend and engine', async () => {
  for (const backend of FIBER_BACKENDS) {
    const wasm = await build([fixture('overflow.c')], backend);
    for (const engine of engines(backend, false)) {
      const ok = await run(engine, wasm, ['10'], scratch);
      assert.equal(ok.stdout, 'depth 10: 27 (status 0)\n', `${backend} on ${engine}`);
      const bad = await run(engine, wasm, [engine === 'interp' ? '200' : '1000'], scratch);
      assert.equal(bad.code, 1, `${backend} on ${engine}: ${bad.stdout}`);
      assert.match(bad.stderr, /^fiber: stack overflow: a fiber used more than its shadow stack; give fibers more with `wasmfx cc --fiber-stack-size=BYTES`/);
      assert.match(bad.stderr, /prog\.wasm: unreachable/);
      assert.equal(bad.stdout, '');
    }
  }
});

test('--fiber-stack-size gives fibers bigger shadow stacks', async () => {
  const wasm = await build([fixture('overflow.c')], 'wasmfx', { stackSize: 1 << 20 });
  const r = await run('lowered', wasm, ['1000'], scratch);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^depth 1000: /);
});

test('misuses are FIBER_ERROR where the API has a status, else a trap with a message', async () => {
  for (const backend of FIBER_BACKENDS) {
    const wasm = await build([fixture('misuse.c')], backend);
    const engine: Engine = backend === 'wasmfx' ? 'lowered' : 'host';
    assert.equal((await run(engine, wasm, [], scratch)).stdout, 'first: 7\nagain: FIBER_ERROR\n');
    assert.equal((await run(engine, wasm, ['resume-null'], scratch)).stdout, 'resume(NULL): FIBER_ERROR\n');
    const y = await run(engine, wasm, ['yield'], scratch);
    assert.equal(y.code, 1);
    assert.match(y.stderr, /^fiber: fiber_yield: called outside of a fiber\n/);
    const sw = await build([fixture('switch_misuse.c')], backend);
    const s = await run(backend === 'wasmfx' ? 'lowered' : 'host', sw, [], scratch);
    assert.equal(s.stdout, 'got 5, from NULL\n');
    assert.equal(s.code, 1);
    assert.match(s.stderr, /^fiber: fiber_switch: the target fiber has finished\n/);
  }
});

test('bad C: the compiler\'s diagnostics with file:line:col, and exit 1 from the CLI', async () => {
  await assert.rejects(compileC([fixture('bad.c')], { fiber: 'wasmfx', cwd: repoRoot }), (e: unknown) => {
    assert.ok(e instanceof ToolError);
    assert.match(e.message, /^test\/fixtures\/cc\/bad\.c:3:27: error: use of undeclared identifier 'undefined_entry'/m);
    return true;
  });
  const out = join(scratch, 'bad.wasm');
  const r = spawnSync(process.execPath, [join(repoRoot, 'src', 'cli', 'main.ts'), 'cc', fixture('bad.c'), '-o', out], { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /bad\.c:3:27: error: use of undeclared identifier/);
  assert.doesNotMatch(r.stderr, /\n\s+at |internal error/);
  const missing = spawnSync(process.execPath, [join(repoRoot, 'src', 'cli', 'main.ts'), 'cc', 'no-such.c', '-o', out], { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 });
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /no such file or directory: 'no-such\.c'/);
});

test('wasmfx run gives the lowered engine a big stack: 5000 fibers nested in each other', async () => {
  // nested resumes keep native stack frames on the lowered engine (the CLI runs programs in a
  // thread with THREAD_STACK_MB); Node's default stack ends at about 1300 levels
  const src = join(scratch, 'nest.c');
  const { writeFileSync } = await import('node:fs');
  writeFileSync(src, `#include <fiber.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
static fiber_t *chain;
static void *level(void *arg) {
  intptr_t k = (intptr_t)arg;
  if (k == 0) return (void *)1;
  fiber_result_t st;
  intptr_t below = (intptr_t)fiber_resume(chain[k - 1], (void *)(k - 1), &st);
  return (void *)(below + 1);
}
int main(int argc, char **argv) {
  intptr_t n = argc > 1 ? atoi(argv[1]) : 10;
  chain = malloc(sizeof(fiber_t) * (n + 1));
  for (intptr_t i = 0; i <= n; i++) chain[i] = fiber_alloc_sized(level, 2048);
  fiber_result_t st;
  printf("%d levels: %d\\n", (int)n, (int)(intptr_t)fiber_resume(chain[n], (void *)n, &st));
  return 0;
}
`);
  const wasm = join(scratch, 'nest.wasm');
  const cli = (args: string[]) => spawnSync(process.execPath, [join(repoRoot, 'src', 'cli', 'main.ts'), ...args], { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 });
  assert.equal(cli(['cc', src, '-o', wasm]).status, 0);
  const r = cli(['run', wasm, '5000']);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, '5000 levels: 5001\n');
});

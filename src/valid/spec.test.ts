// The validator against the core spec suite: every module a script defines
// (or links, or instantiates) validates; every assert_invalid module fails
// with a message starting as the script expects.
//
// Two routes to the modules, each skipped when its tools are missing:
//  - text: our WAST parser (src/script/script-parser.ts);
//  - binary: the reference interpreter converts each script to its binary
//    form (`wasm -d FILE.wast -o FILE.bin.wast`, cached in the temp folder),
//    and our decoder reads the modules. This one does not depend on our
//    text parser.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import type { Module } from '../syntax/ast.ts';
import { ValidationError } from '../util/errors.ts';
import { coreWastFiles, referenceInterpreter, repoRoot, specDir } from '../../test/helpers/spec.ts';
import { sexpEnd } from '../../test/helpers/sexp.ts';
import { validateModule } from './validator.ts';

interface Tally {
  valid: number;
  invalid: number;
  failures: string[];
  ms: number;
}

const newTally = (): Tally => ({ valid: 0, invalid: 0, failures: [], ms: 0 });

/** Validates a module that should validate, or should not (with the message prefix). */
function check(t: Tally, whereFn: () => string, m: Module, expect: string | null): void {
  const start = performance.now();
  let err: unknown = null;
  try {
    validateModule(m);
  } catch (e) {
    err = e;
  }
  t.ms += performance.now() - start;
  const where = err === null ? '' : whereFn();
  if (expect === null) {
    if (err === null) t.valid++;
    else t.failures.push(`${where}: valid module rejected: ${err instanceof ValidationError ? err.detail : String(err)}`);
  } else if (err instanceof ValidationError && err.detail.startsWith(expect)) t.invalid++;
  else {
    const where = whereFn();
    const got = err === null ? 'it validated' : err instanceof ValidationError ? `"${err.detail}"` : String(err);
    t.failures.push(`${where}: expected "${expect}", ${got}`);
  }
}

function report(route: string, t: Tally): void {
  console.log(`${route}: ${t.valid} valid modules, ${t.invalid} assert_invalid, ${t.failures.length} failures, validation ${Math.round(t.ms)} ms`);
}

// ---- text route -------------------------------------------------------------------------

const scriptParser = resolve(repoRoot, 'src', 'script', 'script-parser.ts');

test('spec suite (text): valid modules validate, invalid ones fail as expected', async () => {
  const { parseScript } = (await import(scriptParser)) as { parseScript: (text: string, file: string) => { commands: readonly { kind: string; source?: unknown; message?: string; at: number }[] } };
  const { parseModule } = (await import(resolve(repoRoot, 'src', 'text', 'parser.ts'))) as { parseModule: (text: string, file?: string) => Module };
  const { decodeModule } = await import('../binary/decoder.ts');
  const t = newTally();
  for (const file of coreWastFiles()) {
    const name = relative(specDir(), file);
    const text = readFileSync(file, 'utf8');
    const script = parseScript(text, name);
    for (const cmd of script.commands) {
      const where = () => `${name}:${text.slice(0, cmd.at).split('\n').length}`;
      let expect: string | null;
      switch (cmd.kind) {
        case 'module': case 'assert_unlinkable': case 'assert_uninstantiable': expect = null; break;
        case 'assert_invalid': expect = cmd.message!; break;
        default: continue;
      }
      const src = cmd.source as
        | { kind: 'text'; module: Module }
        | { kind: 'binary'; bytes: Uint8Array }
        | { kind: 'quote'; text: string };
      let m: Module;
      try {
        m = src.kind === 'text' ? src.module : src.kind === 'binary' ? decodeModule(src.bytes) : parseModule(src.text);
      } catch (e) {
        if (expect !== null) t.failures.push(`${where()}: cannot read the module: ${String(e)}`);
        continue;
      }
      check(t, where, m, expect);
    }
  }
  report('text route', t);
  assert.deepEqual(t.failures, []);
  assert.ok(t.valid >= 2000, `only ${t.valid} valid modules`);
  assert.ok(t.invalid >= 2690, `only ${t.invalid} assert_invalid`);
});

// ---- binary route ------------------------------------------------------------------------------

/** The script in binary form, converted by the reference interpreter (cached). */
function binaryScript(file: string): string {
  const st = statSync(file);
  const dir = join(tmpdir(), 'wasmfx-spec-bin');
  mkdirSync(dir, { recursive: true });
  const key = `${relative(specDir(), file).replace(/[/\\]/g, '_')}-${st.size}-${Math.floor(st.mtimeMs)}`;
  const out = join(dir, `${key}.bin.wast`);
  if (!existsSync(out)) {
    const r = spawnSync(referenceInterpreter(), ['-d', file, '-o', out], { encoding: 'utf8', timeout: 600_000 });
    if (r.status !== 0) throw new Error(`reference interpreter failed on ${file}: ${r.stderr}`);
  }
  return readFileSync(out, 'utf8');
}

function stringBytes(form: string): Uint8Array {
  const out: number[] = [];
  for (const m of form.matchAll(/"((?:[^"\\]|\\.)*)"/g)) {
    const s = m[1]!;
    for (let i = 0; i < s.length; i++) {
      if (s[i] === '\\') {
        const n = s[i + 1]!;
        if (/[0-9a-fA-F]/.test(n)) {
          out.push(parseInt(s.slice(i + 1, i + 3), 16));
          i += 2;
        } else {
          out.push({ n: 10, t: 9, r: 13 }[n] ?? n.charCodeAt(0));
          i++;
        }
      } else out.push(...Buffer.from(s[i]!, 'utf8'));
    }
  }
  return new Uint8Array(out);
}

const BINARY_MODULE = /^\(module(\s+\$\S+)?(\s+definition)?(\s+\$\S+)?\s+binary\b/;

test('spec suite (binary): valid modules validate, invalid ones fail as expected', { timeout: 900_000 }, async () => {
  const { decodeModule } = await import('../binary/decoder.ts');
  const t = newTally();
  for (const file of coreWastFiles()) {
    const name = relative(specDir(), file);
    const text = binaryScript(file);
    let i = 0;
    for (;;) {
      const j = text.indexOf('(', i);
      if (j < 0) break;
      const end = sexpEnd(text, j);
      const form = text.slice(j, end);
      i = end;
      const where = () => `${name} (binary form, line ${text.slice(0, j).split('\n').length})`;
      let mtext: string;
      let expect: string | null = null;
      if (BINARY_MODULE.test(form)) mtext = form;
      else if (/^\(assert_(invalid|unlinkable|trap)\s+\(module/.test(form)) {
        const k = form.indexOf('(module');
        const e = sexpEnd(form, k);
        mtext = form.slice(k, e);
        if (!BINARY_MODULE.test(mtext)) continue;
        if (form.startsWith('(assert_invalid')) expect = /"((?:[^"\\]|\\.)*)"/.exec(form.slice(e))![1]!;
      } else continue;
      let m: Module;
      try {
        m = decodeModule(stringBytes(mtext));
      } catch (e) {
        t.failures.push(`${where()}: cannot decode the module: ${String(e)}`);
        continue;
      }
      check(t, where, m, expect);
    }
  }
  report('binary route', t);
  assert.deepEqual(t.failures, []);
  assert.ok(t.valid >= 2000, `only ${t.valid} valid modules`);
  assert.ok(t.invalid >= 2690, `only ${t.invalid} assert_invalid`);
});

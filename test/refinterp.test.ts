// Differential test against the proposal's OCaml reference interpreter:
// binaries written by our parser + encoder must be accepted by it and mean
// the same module as the original text. We compare the two through the
// reference interpreter's own printer (binary -> text, original -> text).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseScript } from '../src/script/script-parser.ts';
import { encodeModule } from '../src/binary/encoder.ts';
import { coreWastFiles, referenceInterpreter, specDir } from './helpers/spec.ts';
import { sexpEnd } from './helpers/sexp.ts';

const tool = referenceInterpreter();
const SAMPLE_EVERY = 7; // every 7th text module of the suite: ~300 modules

function refInterp(args: string[]) {
  return spawnSync(tool, args, { encoding: 'utf8', timeout: 600_000 });
}

test('reference interpreter agrees with our binaries', { timeout: 900_000 }, () => {
  const version = refInterp(['-v']); // builds it on first use
  assert.equal(version.status, 0, version.stderr);

  const dir = mkdtempSync(join(tmpdir(), 'wasmfx-ref-'));
  let n = 0;
  let compared = 0;
  const mismatches: string[] = [];
  for (const file of coreWastFiles()) {
    const text = readFileSync(file, 'utf8');
    const script = parseScript(text, relative(specDir(), file));
    for (const cmd of script.commands) {
      if (cmd.kind !== 'module' || cmd.definition || cmd.source.kind !== 'text') continue;
      if (n++ % SAMPLE_EVERY !== 0) continue;
      const where = `${script.file}:${text.slice(0, cmd.at).split('\n').length}`;
      const ours = join(dir, `m${n}.wasm`);
      const orig = join(dir, `m${n}.wat`);
      writeFileSync(ours, encodeModule(cmd.source.module));
      writeFileSync(orig, text.slice(cmd.at, sexpEnd(text, cmd.at)));
      const r = refInterp(['-d', '-i', ours, '-o', `${ours}.out.wat`, '-i', orig, '-o', `${orig}.out.wat`]);
      if (r.status !== 0) {
        mismatches.push(`${where}: reference interpreter rejected it: ${r.stderr || r.stdout}`);
        continue;
      }
      if (readFileSync(`${ours}.out.wat`, 'utf8') !== readFileSync(`${orig}.out.wat`, 'utf8')) {
        mismatches.push(`${where}: differs (see ${ours}.out.wat and ${orig}.out.wat)`);
      }
      compared++;
    }
  }
  assert.deepEqual(mismatches, []);
  rmSync(dir, { recursive: true, force: true });
  assert.ok(compared >= 250, `only ${compared} modules compared`);
});

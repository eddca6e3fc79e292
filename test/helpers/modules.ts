// Modules in tests: the valid ones of a script, and comparing them.

import { readFileSync } from 'node:fs';
import { decodeModule } from '../../src/binary/decoder.ts';
import type { Module } from '../../src/syntax/ast.ts';
import { parseScript } from '../../src/script/script-parser.ts';
import { validateModule } from '../../src/valid/validator.ts';

/** The valid modules of a WAST script, text and binary ones (those it expects to fail are left out). */
export function validModulesOf(file: string): Module[] {
  const out: Module[] = [];
  for (const c of parseScript(readFileSync(file, 'utf8'), file).commands) {
    if (c.kind !== 'module') continue;
    try {
      const m = c.source.kind === 'binary' ? decodeModule(c.source.bytes) : c.source.kind === 'text' ? c.source.module : null;
      if (m === null) continue;
      validateModule(m);
      out.push(m);
    } catch {
      // (a module the script expects to be malformed or invalid)
    }
  }
  return out;
}

/** A module (or any part of one) without source offsets (`at`), byte arrays as plain arrays. */
export const stripOffsets = (v: unknown): unknown => {
  if (v === null || typeof v !== 'object') return v;
  if (v instanceof Uint8Array) return [...v];
  if (v instanceof Map) return new Map([...v].map(([k, x]) => [k, stripOffsets(x)]));
  if (Array.isArray(v)) return v.map(stripOffsets);
  const o: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) if (k !== 'at') o[k] = stripOffsets(x);
  return o;
};

// The fixed signatures of the instruction table ("params -> results" in src/syntax/opcodes.ts),
// parsed once: for a 32-bit and a 64-bit memory or table (`addr`). The validator's generic
// rule and the interpreter's translator both read them here.

import { INSTRS, type InstrDef } from './opcodes.ts';
import type { NumType, VecType } from './types.ts';

export type SigType = NumType | VecType;

export interface Signature {
  readonly p32: readonly SigType[];
  readonly r32: readonly SigType[];
  /** the same with `addr` as i64 */
  readonly p64: readonly SigType[];
  readonly r64: readonly SigType[];
}

function parse(sig: string): Signature {
  const [l, r] = sig.split('->') as [string, string];
  const conv = (x: string, addr: SigType): SigType[] =>
    x.split(/\s+/).filter((w) => w !== '').map((w) => (w === 'addr' ? addr : (w as SigType)));
  return { p32: conv(l, 'i32'), r32: conv(r, 'i32'), p64: conv(l, 'i64'), r64: conv(r, 'i64') };
}

/** The signature of every instruction that has one, by name. */
export const SIGNATURES: ReadonlyMap<string, Signature> = new Map(
  (INSTRS as readonly InstrDef[]).filter((d) => d.sig !== undefined).map((d) => [d.name, parse(d.sig!)]),
);

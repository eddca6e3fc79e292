// The `name` custom section (with the extended-name-section subsections),
// decoded into `Names` and encoded back. Decoding goes by what the section
// means, not by how it is written, as toolchains write it in their own ways
// (Kotlin pads its LEB128 sizes): subsections in any order, unknown ones
// skipped, a name given twice keeps the first, an empty indirect entry
// (a function without local names) is dropped. Encoding writes the
// subsections in the order the spec lists them:
//   0 module   1 functions   2 locals (indirect)   3 labels (indirect)   4 types
//   5 tables   6 memories    7 globals   8 elem segments   9 data segments
//   10 fields (indirect)     11 tags
// A name section that does not decode is not an error: the decoder keeps it
// as a raw custom section instead.

import { emptyNames, type Names } from '../syntax/ast.ts';
import { Reader } from './reader.ts';
import { Writer } from './writer.ts';

type MapKey = Exclude<keyof Names, 'module'>;

/** Subsection id -> the field of Names it fills; indirect maps are marked. */
const SUBSECTIONS: readonly (readonly [number, MapKey, boolean])[] = [
  [1, 'funcs', false],
  [2, 'locals', true],
  [3, 'labels', true],
  [4, 'types', false],
  [5, 'tables', false],
  [6, 'memories', false],
  [7, 'globals', false],
  [8, 'elems', false],
  [9, 'datas', false],
  [10, 'fields', true],
  [11, 'tags', false],
];
const BY_ID = new Map(SUBSECTIONS.map((s) => [s[0], s]));

function readNameMap(r: Reader): Map<number, string> {
  const n = r.len32();
  const m = new Map<number, string>();
  for (let i = 0; i < n; i++) {
    const x = r.u32();
    const s = r.name();
    if (!m.has(x)) m.set(x, s);
  }
  return m;
}

/** Decodes the payload of a `name` section (after its name); null when it is malformed. */
export function decodeNames(payload: Uint8Array): Names | null {
  const r = new Reader(payload);
  const names = emptyNames();
  try {
    while (!r.atEnd()) {
      const id = r.byte();
      const size = r.len32();
      const end = r.pos + size;
      if (end > payload.length) return null;
      if (id === 0) {
        names.module ??= r.name();
        r.pos = end;
      } else if (!BY_ID.has(id)) {
        r.pos = end; // a subsection of a later proposal: skipped
      } else {
        const [, key, indirect] = BY_ID.get(id)!;
        if (indirect) {
          const n = r.len32();
          const outer = names[key] as Map<number, Map<number, string>>;
          for (let i = 0; i < n; i++) {
            const x = r.u32();
            const inner = readNameMap(r);
            if (!outer.has(x)) outer.set(x, inner);
          }
        } else {
          const m = readNameMap(r);
          const known = names[key] as Map<number, string>;
          for (const [x, name] of m) if (!known.has(x)) known.set(x, name);
        }
      }
      if (r.pos !== end) return null;
    }
  } catch {
    return null;
  }
  // an empty indirect entry (Kotlin writes one for every function without local names) names
  // nothing, and the text format cannot say it: dropped, so that a module printed and parsed
  // back has the same names (the raw section still keeps its bytes, see the decoder)
  for (const [, key, indirect] of SUBSECTIONS) {
    if (!indirect) continue;
    const outer = names[key] as Map<number, Map<number, string>>;
    for (const [x, inner] of outer) if (inner.size === 0) outer.delete(x);
  }
  return names;
}

const sortedKeys = <V>(m: Map<number, V>): number[] => [...m.keys()].sort((a, b) => a - b);

function writeNameMap(w: Writer, m: Map<number, string>): void {
  w.u32(m.size);
  for (const k of sortedKeys(m)) {
    w.u32(k);
    w.name(m.get(k)!);
  }
}

/** Writes the payload of a `name` section into `w` (nothing when there are no names). */
export function writeNames(w: Writer, names: Names): void {
  if (names.module !== undefined) {
    w.byte(0);
    const s = w.beginSized();
    w.name(names.module);
    w.endSized(s);
  }
  for (const [id, key, indirect] of SUBSECTIONS) {
    const map = names[key];
    if (map.size === 0) continue;
    w.byte(id);
    const s = w.beginSized();
    if (indirect) {
      const outer = map as Map<number, Map<number, string>>;
      w.u32(outer.size);
      for (const k of sortedKeys(outer)) {
        w.u32(k);
        writeNameMap(w, outer.get(k)!);
      }
    } else {
      writeNameMap(w, map as Map<number, string>);
    }
    w.endSized(s);
  }
}

/** The payload of a `name` section for `names` (empty when there is nothing to say). */
export function encodeNames(names: Names): Uint8Array {
  const w = new Writer(64);
  writeNames(w, names);
  return w.finish();
}

/** Byte-for-byte equality. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

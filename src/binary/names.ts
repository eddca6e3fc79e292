// The `name` custom section (with the extended-name-section subsections),
// decoded into `Names` and encoded back. Subsections, in the order they must
// appear:
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

function readNameMap(r: Reader): Map<number, string> | null {
  const n = r.len32();
  const m = new Map<number, string>();
  for (let i = 0; i < n; i++) {
    const x = r.u32();
    const s = r.name();
    if (m.has(x)) return null;
    m.set(x, s);
  }
  return m;
}

/** Decodes the payload of a `name` section (after its name); null when it is malformed. */
export function decodeNames(payload: Uint8Array): Names | null {
  const r = new Reader(payload);
  const names = emptyNames();
  let last = -1;
  try {
    while (!r.atEnd()) {
      const id = r.byte();
      if (id <= last || id > 11) return null;
      last = id;
      const size = r.len32();
      const end = r.pos + size;
      if (id === 0) {
        names.module = r.name();
      } else {
        const [, key, indirect] = BY_ID.get(id)!;
        if (indirect) {
          const n = r.len32();
          const outer = names[key] as Map<number, Map<number, string>>;
          for (let i = 0; i < n; i++) {
            const x = r.u32();
            const inner = readNameMap(r);
            if (inner === null || outer.has(x)) return null;
            outer.set(x, inner);
          }
        } else {
          const m = readNameMap(r);
          if (m === null) return null;
          names[key] = m as never;
        }
      }
      if (r.pos !== end) return null;
    }
  } catch {
    return null;
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

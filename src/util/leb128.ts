// LEB128 writers. (Readers live in src/binary/reader.ts, where the spec's
// exact malformed-integer rules need the reader's position and errors.)

/** Appends the unsigned LEB128 encoding of `v` (a number up to 2^53 or a bigint). */
export function writeU(out: number[], v: number | bigint): void {
  if (typeof v === 'number' && v < 0x80000000) {
    do {
      let b = v & 0x7f;
      v >>>= 7;
      if (v !== 0) b |= 0x80;
      out.push(b);
    } while (v !== 0);
    return;
  }
  let x = BigInt(v);
  do {
    let b = Number(x & 0x7fn);
    x >>= 7n;
    if (x !== 0n) b |= 0x80;
    out.push(b);
  } while (x !== 0n);
}

/** Appends the signed LEB128 encoding of `v`. */
export function writeS(out: number[], v: number | bigint): void {
  if (typeof v === 'number' && v >= -0x80000000 && v < 0x80000000) {
    for (;;) {
      const b = v & 0x7f;
      v >>= 7;
      if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
        out.push(b);
        return;
      }
      out.push(b | 0x80);
    }
  }
  let x = BigInt(v);
  for (;;) {
    const b = Number(x & 0x7fn);
    x >>= 7n;
    if ((x === 0n && (b & 0x40) === 0) || (x === -1n && (b & 0x40) !== 0)) {
      out.push(b);
      return;
    }
    out.push(b | 0x80);
  }
}

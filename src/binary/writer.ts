// A growable byte buffer with the binary format's primitive encodings:
// LEB128 (always the shortest form), little-endian words, names, and
// size-prefixed regions (sections, function bodies) whose size is filled in
// when the region is closed.

const utf8 = new TextEncoder();

export class Writer {
  buf: Uint8Array;
  pos: number;

  constructor(capacity = 1024) {
    this.buf = new Uint8Array(capacity);
    this.pos = 0;
  }

  private grow(need: number): void {
    let cap = this.buf.length * 2;
    while (cap < this.pos + need) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  byte(b: number): void {
    if (this.pos >= this.buf.length) this.grow(1);
    this.buf[this.pos++] = b;
  }

  bytes(bs: Uint8Array): void {
    if (this.pos + bs.length > this.buf.length) this.grow(bs.length);
    this.buf.set(bs, this.pos);
    this.pos += bs.length;
  }

  /** Unsigned LEB128 of a non-negative number (up to 2^53). */
  u32(v: number): void {
    if (this.pos + 8 > this.buf.length) this.grow(8);
    const b = this.buf;
    let p = this.pos;
    while (v >= 0x80) {
      b[p++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    b[p++] = v;
    this.pos = p;
  }

  /** Signed LEB128 of a number (up to +-2^53). */
  sN(v: number): void {
    if (this.pos + 8 > this.buf.length) this.grow(8);
    const b = this.buf;
    let p = this.pos;
    for (;;) {
      const low = ((v % 0x80) + 0x80) % 0x80;
      v = (v - low) / 0x80;
      if ((v === 0 && (low & 0x40) === 0) || (v === -1 && (low & 0x40) !== 0)) {
        b[p++] = low;
        this.pos = p;
        return;
      }
      b[p++] = low | 0x80;
    }
  }

  u64(v: bigint): void {
    if (v >= 0n && v < 0x20000000000000n) return this.u32(Number(v));
    v = BigInt.asUintN(64, v);
    do {
      let byte = Number(v & 0x7fn);
      v >>= 7n;
      if (v !== 0n) byte |= 0x80;
      this.byte(byte);
    } while (v !== 0n);
  }

  s64(v: bigint): void {
    if (v >= -0x20000000000000n && v < 0x20000000000000n) return this.sN(Number(v));
    v = BigInt.asIntN(64, v);
    for (;;) {
      const byte = Number(v & 0x7fn);
      v >>= 7n;
      if ((v === 0n && (byte & 0x40) === 0) || (v === -1n && (byte & 0x40) !== 0)) {
        this.byte(byte);
        return;
      }
      this.byte(byte | 0x80);
    }
  }

  word32(v: number): void {
    if (this.pos + 4 > this.buf.length) this.grow(4);
    const b = this.buf;
    const p = this.pos;
    b[p] = v;
    b[p + 1] = v >>> 8;
    b[p + 2] = v >>> 16;
    b[p + 3] = v >>> 24;
    this.pos = p + 4;
  }

  word64(v: bigint): void {
    v = BigInt.asUintN(64, v);
    this.word32(Number(v & 0xffffffffn));
    this.word32(Number(v >> 32n));
  }

  name(s: string): void {
    let ascii = true;
    for (let i = 0; i < s.length; i++) {
      if (s.charCodeAt(i) >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (!ascii) {
      const bs = utf8.encode(s);
      this.u32(bs.length);
      this.bytes(bs);
      return;
    }
    this.u32(s.length);
    if (this.pos + s.length > this.buf.length) this.grow(s.length);
    const b = this.buf;
    let p = this.pos;
    for (let i = 0; i < s.length; i++) b[p++] = s.charCodeAt(i);
    this.pos = p;
  }

  /** Opens a size-prefixed region; pass the result to `endSized`. */
  beginSized(): number {
    return this.pos;
  }

  /** Closes a region: inserts its size (u32 LEB128) in front of its content. */
  endSized(start: number): void {
    const size = this.pos - start;
    let n = 1;
    for (let v = size; v >= 0x80; v = Math.floor(v / 0x80)) n++;
    if (this.pos + n > this.buf.length) this.grow(n);
    const b = this.buf;
    b.copyWithin(start + n, start, this.pos);
    let v = size;
    let p = start;
    while (v >= 0x80) {
      b[p++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    b[p] = v;
    this.pos += n;
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}

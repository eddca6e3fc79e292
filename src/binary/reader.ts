// A byte reader over a whole binary module, with the spec's exact rules for
// LEB128 integers and names. Like the reference interpreter's decoder, there
// is one stream for the whole module: sections and function bodies are not
// read from bounded sub-streams, their sizes are checked after the fact.
// Every error is a MalformedError carrying the byte offset where it was found;
// running out of bytes is reported at the end of the input.

import { MalformedError } from '../util/errors.ts';
import type { SourceFile } from '../util/source.ts';

export const UNEXPECTED_END = 'unexpected end of section or function';

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Bigints 0..127 (one-byte u64 values: memory offsets, limits), allocated once. */
const SMALL_U64: readonly bigint[] = Array.from({ length: 128 }, (_, i) => BigInt(i));

export class Reader {
  readonly bytes: Uint8Array;
  readonly len: number;
  pos: number;
  readonly source: SourceFile | undefined;

  constructor(bytes: Uint8Array, source?: SourceFile, pos = 0) {
    this.bytes = bytes;
    this.len = bytes.length;
    this.pos = pos;
    this.source = source;
  }

  // ---- errors ----------------------------------------------------------------

  error(detail: string, at: number): MalformedError {
    return new MalformedError(detail, at, this.source);
  }

  /** The error for running out of input (reported at the end of the input). */
  eos(): MalformedError {
    return new MalformedError(UNEXPECTED_END, this.len, this.source);
  }

  atEnd(): boolean {
    return this.pos >= this.len;
  }

  // ---- bytes -----------------------------------------------------------------

  byte(): number {
    if (this.pos >= this.len) throw this.eos();
    return this.bytes[this.pos++]!;
  }

  /** The next byte without consuming it, or -1 at the end. */
  peek(): number {
    return this.pos < this.len ? this.bytes[this.pos]! : -1;
  }

  /** Consumes `expected` or fails with `msg` at the offending byte. */
  expect(expected: number, msg: string): void {
    const b = this.byte();
    if (b !== expected) throw this.error(msg, this.pos - 1);
  }

  /** Consumes a reserved zero byte. */
  zero(): void {
    this.expect(0x00, 'zero byte expected');
  }

  /** `n` bytes as a fresh copy. */
  take(n: number): Uint8Array {
    if (n < 0 || this.pos + n > this.len) throw this.eos();
    // (a plain Uint8Array even when the input is a Node Buffer, whose slice() is a view)
    const out = new Uint8Array(this.bytes.subarray(this.pos, this.pos + n));
    this.pos += n;
    return out;
  }

  skip(n: number): void {
    if (n < 0 || this.pos + n > this.len) throw this.eos();
    this.pos += n;
  }

  /** Little-endian 32-bit word as an unsigned number (f32 bits). */
  word32(): number {
    if (this.pos + 4 > this.len) {
      this.pos = this.len;
      throw this.eos();
    }
    const b = this.bytes;
    const p = this.pos;
    this.pos = p + 4;
    return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
  }

  /** Little-endian 64-bit word as an unsigned bigint (f64 bits). */
  word64(): bigint {
    if (this.pos + 8 > this.len) {
      this.pos = this.len;
      throw this.eos();
    }
    const lo = this.word32();
    const hi = this.word32();
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  // ---- LEB128 -----------------------------------------------------------------
  //
  // An N-bit integer takes at most ceil(N/7) bytes ("integer representation too
  // long", reported where a further byte would start); in the last byte the bits
  // beyond N must be zero (unsigned) or copies of the sign bit (signed) ("integer
  // too large", reported at that byte).

  /** Unsigned LEB128 of at most `bits` bits (<= 32), as a non-negative number. */
  uN(bits: number): number {
    let b = this.byte();
    if (b < 0x80) {
      if (bits < 7 && b >= 1 << bits) throw this.error('integer too large', this.pos - 1);
      return b;
    }
    let result = b & 0x7f;
    let mul = 0x80;
    for (let n = bits - 7; ; n -= 7) {
      if (n <= 0) throw this.error('integer representation too long', this.pos);
      b = this.byte();
      if (n < 7 && (b & 0x7f) >= 1 << n) throw this.error('integer too large', this.pos - 1);
      result += (b & 0x7f) * mul;
      if (b < 0x80) return result;
      mul *= 0x80;
    }
  }

  u32(): number {
    const p = this.pos;
    if (p < this.len) {
      const b = this.bytes[p]!;
      if (b < 0x80) {
        this.pos = p + 1;
        return b;
      }
    }
    return this.uN(32);
  }

  /** Signed LEB128 of at most `bits` bits (<= 33), as a number. */
  sN(bits: number): number {
    let result = 0;
    let mul = 1;
    for (let n = bits; ; n -= 7) {
      if (n <= 0) throw this.error('integer representation too long', this.pos);
      const b = this.byte();
      if (n < 7) {
        const mask = (-1 << (n - 1)) & 0x7f;
        const m = b & mask;
        if (m !== 0 && m !== mask) throw this.error('integer too large', this.pos - 1);
      }
      if (b < 0x80) {
        // the last byte: bit 6 is the sign
        return b & 0x40 ? result + ((b & 0x7f) - 0x80) * mul : result + b * mul;
      }
      result += (b & 0x7f) * mul;
      mul *= 0x80;
    }
  }

  s32(): number {
    const p = this.pos;
    if (p < this.len) {
      const b = this.bytes[p]!;
      if (b < 0x80) {
        this.pos = p + 1;
        return (b << 25) >> 25;
      }
    }
    return this.sN(32);
  }

  /** Signed 33-bit LEB128 (block types, heap types). */
  s33(): number {
    return this.sN(33);
  }

  u64(): bigint {
    const p = this.pos;
    if (p < this.len) {
      const b = this.bytes[p]!;
      if (b < 0x80) {
        this.pos = p + 1;
        return SMALL_U64[b]!;
      }
    }
    let result = 0n;
    let shift = 0n;
    for (let n = 64; ; n -= 7) {
      if (n <= 0) throw this.error('integer representation too long', this.pos);
      const b = this.byte();
      if (n < 7 && (b & 0x7f) >= 1 << n) throw this.error('integer too large', this.pos - 1);
      result |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return result;
      shift += 7n;
    }
  }

  s64(): bigint {
    const p = this.pos;
    if (p < this.len) {
      const b = this.bytes[p]!;
      if (b < 0x80) {
        this.pos = p + 1;
        return BigInt((b << 25) >> 25);
      }
    }
    let result = 0n;
    let shift = 0n;
    for (let n = 64; ; n -= 7) {
      if (n <= 0) throw this.error('integer representation too long', this.pos);
      const b = this.byte();
      if (n < 7) {
        const mask = (-1 << (n - 1)) & 0x7f;
        const m = b & mask;
        if (m !== 0 && m !== mask) throw this.error('integer too large', this.pos - 1);
      }
      if (b < 0x80) {
        result |= BigInt(b & 0x7f) << shift;
        if (b & 0x40) result -= 1n << (shift + 7n);
        return result;
      }
      result |= BigInt(b & 0x7f) << shift;
      shift += 7n;
    }
  }

  /** A one-byte signed 7-bit code (type constructors); returns the raw byte. */
  s7(): number {
    const b = this.byte();
    if (b >= 0x80) throw this.error('integer representation too long', this.pos);
    return b;
  }

  // ---- lengths and names ---------------------------------------------------------

  /** A u32 length that must not exceed the remaining input. */
  len32(): number {
    const p = this.pos;
    const n = this.u32();
    if (n > this.len - p) throw this.error('length out of bounds', p);
    return n;
  }

  /** A UTF-8 name. */
  name(): string {
    const p = this.pos;
    const n = this.len32();
    if (this.pos + n > this.len) throw this.eos();
    const start = this.pos;
    const end = start + n;
    const b = this.bytes;
    this.pos = end;
    if (n < 64) {
      // short ASCII names (the common case) without the decoder
      let s = '';
      let i = start;
      for (; i < end; i++) {
        const c = b[i]!;
        if (c >= 0x80) break;
        s += String.fromCharCode(c);
      }
      if (i === end) return s;
    }
    try {
      return utf8.decode(b.subarray(start, end));
    } catch {
      throw this.error('malformed UTF-8 encoding', p);
    }
  }
}


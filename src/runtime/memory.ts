// Memory instances: a fixed-length ArrayBuffer and views over it, all replaced by `grow`
// (the old buffer is detached where the host can transfer it, as the JS API specifies).
// Fixed-length, not resizable: V8 reads the length of a view over a resizable buffer
// through a slow path on every access, which cost the interpreter a third of its time in
// memory-bound code.

import type { AddrType, Limits, MemoryType } from '../syntax/types.ts';
import { Exhaustion } from '../util/errors.ts';
import { MEMORY32_MAX_PAGES, runtimeLimits } from './limits.ts';
import { PAGE_SIZE, type MemoryInst, type MemViews } from './value.ts';

/** A new buffer of n bytes with the contents of `old` (detached afterwards when the host can). */
function regrow(old: ArrayBuffer, n: number): ArrayBuffer {
  const transfer = (old as { transfer?: (n: number) => ArrayBuffer }).transfer;
  if (typeof transfer === 'function') return transfer.call(old, n);
  const b = new ArrayBuffer(n);
  new Uint8Array(b).set(new Uint8Array(old));
  return b;
}

function views(b: ArrayBuffer): MemViews {
  return {
    u8: new Uint8Array(b),
    i8: new Int8Array(b),
    u16: new Uint16Array(b),
    i16: new Int16Array(b),
    i32: new Int32Array(b),
    u32: new Uint32Array(b),
    i64: new BigInt64Array(b),
    f64: new Float64Array(b),
  };
}

export class Memory implements MemoryInst {
  readonly addr: AddrType;
  /** the declared maximum in pages, if any */
  readonly max: bigint | null;
  buffer: ArrayBuffer;
  view: DataView;
  bytes: Uint8Array;
  readonly views: MemViews;
  /** the most pages this memory can ever have: min(declared max, address-type or practical limit) */
  readonly limitPages: number;
  private readonly declared: MemoryType;

  /** Allocates a zeroed memory of `type.limits.min` pages. Throws `Exhaustion` past the practical limit. */
  constructor(type: MemoryType) {
    this.declared = type;
    this.addr = type.addr;
    this.max = type.limits.max;
    const cap = type.addr === 'i32' ? MEMORY32_MAX_PAGES : runtimeLimits.memory64Pages;
    const limit = this.max === null || this.max > BigInt(cap) ? cap : Number(this.max);
    if (type.limits.min > BigInt(limit)) throw new Exhaustion('out of memory');
    this.limitPages = limit;
    const min = Number(type.limits.min);
    try {
      this.buffer = new ArrayBuffer(min * PAGE_SIZE);
    } catch {
      throw new Exhaustion('out of memory');
    }
    this.view = new DataView(this.buffer);
    this.views = views(this.buffer);
    this.bytes = this.views.u8;
  }

  /** current size in pages */
  get pages(): number {
    return this.buffer.byteLength / PAGE_SIZE;
  }

  /** current size in bytes */
  get byteLength(): number {
    return this.buffer.byteLength;
  }

  /** The memory's type now: the current size is its minimum (what import matching looks at). */
  get type(): MemoryType {
    const limits: Limits = { min: BigInt(this.pages), max: this.max };
    return this.declared.shared === undefined
      ? { addr: this.addr, limits }
      : { addr: this.addr, limits, shared: this.declared.shared };
  }

  grow(delta: number): number {
    const old = this.pages;
    if (!(delta >= 0) || old + delta > this.limitPages) return -1;
    // (a grow by 0 replaces the buffer too, as the JS API's "refresh the memory buffer" does)
    let b: ArrayBuffer;
    try {
      b = regrow(this.buffer, (old + delta) * PAGE_SIZE);
    } catch {
      return -1;
    }
    this.buffer = b;
    this.view = new DataView(b);
    // the views object stays (compiled code holds it); its arrays are replaced
    Object.assign(this.views, views(b));
    this.bytes = this.views.u8;
    return old;
  }
}

// Memory instances: a fixed-length ArrayBuffer and views over it, all replaced by `grow`
// (the old buffer is detached where the host can transfer it, as the JS API specifies).
// Fixed-length, not resizable: V8 reads the length of a view over a resizable buffer
// through a slow path on every access, which cost the interpreter a third of its time in
// memory-bound code. The interpreter reads and writes through `view`.

import type { AddrType, Limits, MemoryType } from '../syntax/types.ts';
import { Exhaustion } from '../util/errors.ts';
import { MEMORY32_MAX_PAGES, runtimeLimits } from './limits.ts';
import { PAGE_SIZE, type MemoryInst } from './value.ts';

/** A new buffer of n bytes with the contents of `old` (detached afterwards when the host can). */
function regrow(old: ArrayBuffer, n: number): ArrayBuffer {
  const transfer = (old as { transfer?: (n: number) => ArrayBuffer }).transfer;
  if (typeof transfer === 'function') return transfer.call(old, n);
  const b = new ArrayBuffer(n);
  new Uint8Array(b).set(new Uint8Array(old));
  return b;
}

export class Memory implements MemoryInst {
  readonly addr: AddrType;
  /** the declared maximum in pages, if any */
  readonly max: bigint | null;
  buffer: ArrayBuffer;
  view: DataView;
  bytes: Uint8Array;
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
    this.bytes = new Uint8Array(this.buffer);
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
    this.bytes = new Uint8Array(b);
    return old;
  }
}

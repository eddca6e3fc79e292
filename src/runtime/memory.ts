// Memory instances: a resizable ArrayBuffer whose views (`bytes`, `view`, and any
// view the machine makes without a length) track the memory's size across `grow`.

import type { AddrType, Limits, MemoryType } from '../syntax/types.ts';
import { Exhaustion } from '../util/errors.ts';
import { MEMORY32_MAX_PAGES, runtimeLimits } from './limits.ts';
import { PAGE_SIZE, type MemoryInst } from './value.ts';

export class Memory implements MemoryInst {
  readonly addr: AddrType;
  /** the declared maximum in pages, if any */
  readonly max: bigint | null;
  readonly buffer: ArrayBuffer;
  readonly view: DataView;
  readonly bytes: Uint8Array;
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
      this.buffer = new ArrayBuffer(min * PAGE_SIZE, { maxByteLength: limit * PAGE_SIZE });
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
    if (delta === 0) return old;
    try {
      this.buffer.resize((old + delta) * PAGE_SIZE);
    } catch {
      return -1;
    }
    return old;
  }
}

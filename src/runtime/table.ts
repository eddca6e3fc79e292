// Table instances: a plain array of reference values (see value.ts), grown in place.

import type { AddrType } from '../syntax/types.ts';
import { Exhaustion } from '../util/errors.ts';
import type { CRefType, CTableType } from '../valid/types.ts';
import { TABLE32_MAX, runtimeLimits } from './limits.ts';
import type { TableInst, Value } from './value.ts';

export class Table implements TableInst {
  readonly addr: AddrType;
  readonly elem: CRefType;
  /** the declared maximum, if any */
  readonly max: bigint | null;
  readonly elems: Value[];

  /** A table of `type.limits.min` entries, each `init`. Throws `Exhaustion` past the practical limit. */
  constructor(type: CTableType, init: Value = null) {
    this.addr = type.addr;
    this.elem = type.elem;
    this.max = type.limits.max;
    if (type.limits.min > BigInt(this.limit())) throw new Exhaustion('out of memory');
    const n = Number(type.limits.min);
    this.elems = new Array<Value>(n).fill(init);
  }

  /** the most entries this table can have now: min(declared max, address-type and practical limits) */
  limit(): number {
    const cap = Math.min(this.addr === 'i32' ? TABLE32_MAX : Number.MAX_SAFE_INTEGER, runtimeLimits.tableElems);
    return this.max === null || this.max > BigInt(cap) ? cap : Number(this.max);
  }

  get size(): number {
    return this.elems.length;
  }

  /** The table's type now: the current size is its minimum (what import matching looks at). */
  get type(): CTableType {
    return { addr: this.addr, limits: { min: BigInt(this.elems.length), max: this.max }, elem: this.elem };
  }

  grow(delta: number, init: Value): number {
    const old = this.elems.length;
    if (!(delta >= 0) || old + delta > this.limit()) return -1;
    try {
      for (let i = 0; i < delta; i++) this.elems.push(init);
    } catch {
      this.elems.length = old;
      return -1;
    }
    return old;
  }
}

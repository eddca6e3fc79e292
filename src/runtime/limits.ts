// Practical limits of the runtime: what the spec allows but a JS host cannot hold.
//
// i32 memories may always reach 65536 pages (4 GiB, the most a resizable
// ArrayBuffer can reserve in V8). i64 memories and tables are bounded by the
// values below; growing past them fails (`memory.grow` / `table.grow` give -1),
// and allocating past them (at instantiation, or a GC array) throws `Exhaustion`.

export interface RuntimeLimits {
  /** the most pages an i64 memory may have (at most 65536: V8's largest resizable ArrayBuffer is 4 GiB) */
  memory64Pages: number;
  /** the most entries a table (i32 or i64) may have */
  tableElems: number;
  /** the most elements one GC array may have */
  arrayElems: number;
}

/** The limits in force; change them with `setRuntimeLimits` before instantiating. */
export const runtimeLimits: RuntimeLimits = {
  memory64Pages: 65536,
  tableElems: 10_000_000,
  arrayElems: 1 << 27,
};

/** Sets some limits; returns the previous ones (to restore them, e.g. in tests). */
export function setRuntimeLimits(l: Partial<RuntimeLimits>): RuntimeLimits {
  const old = { ...runtimeLimits };
  if (l.memory64Pages !== undefined) runtimeLimits.memory64Pages = Math.min(Math.max(0, Math.floor(l.memory64Pages)), 65536);
  if (l.tableElems !== undefined) runtimeLimits.tableElems = Math.min(Math.max(0, Math.floor(l.tableElems)), 0xffff_ffff);
  if (l.arrayElems !== undefined) runtimeLimits.arrayElems = Math.min(Math.max(0, Math.floor(l.arrayElems)), 0xffff_ffff);
  return old;
}

/** The largest size an i32 table may have (spec: 2^32 - 1 entries). */
export const TABLE32_MAX = 0xffff_ffff;
/** The largest size of an i32 memory in pages (spec: 2^16). */
export const MEMORY32_MAX_PAGES = 65536;

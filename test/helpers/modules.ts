// Comparing modules in tests.

/** A module (or any part of one) without source offsets (`at`), byte arrays as plain arrays. */
export const stripOffsets = (v: unknown): unknown => {
  if (v === null || typeof v !== 'object') return v;
  if (v instanceof Uint8Array) return [...v];
  if (v instanceof Map) return new Map([...v].map(([k, x]) => [k, stripOffsets(x)]));
  if (Array.isArray(v)) return v.map(stripOffsets);
  const o: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) if (k !== 'at') o[k] = stripOffsets(x);
  return o;
};

// The limits and controls of one run of the interpreter (its own file: the machine and the
// engine's entry points both need it, and neither may import the other back).

export interface EngineOptions {
  /** most Wasm frames of the running chain of stacks (default 200,000) */
  maxCallDepth?: number;
  /** most bytes of the running chain's stack segments (default 64 MiB, 24 bytes per value slot) */
  maxStackBytes?: number;
  /** most bytes of one stack segment (default: maxStackBytes) */
  maxSegmentBytes?: number;
  /** a budget of calls and loop back-edges; running out throws Exhaustion("out of fuel") */
  fuel?: number;
  /** a flag polled at calls and loop back-edges (every 4096 of them); non-zero throws Exhaustion("interrupted") */
  interrupt?: Int32Array;
}

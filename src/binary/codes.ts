// Byte codes shared by the decoder and the encoder.

import type { AbsHeapType } from '../syntax/types.ts';

/** Abstract heap types and their one-byte (s7) codes; as reference types they are the nullable abbreviations. */
export const ABS_CODES: Readonly<Record<AbsHeapType, number>> = {
  nocont: 0x75, noexn: 0x74, nofunc: 0x73, noextern: 0x72, none: 0x71, func: 0x70, extern: 0x6f,
  any: 0x6e, eq: 0x6d, i31: 0x6c, struct: 0x6b, array: 0x6a, exn: 0x69, cont: 0x68,
};

/** Standard section ids in the order they must appear (tags after memories, data count before code). */
export const SECTION_ORDER: readonly number[] = [1, 2, 3, 4, 5, 13, 6, 7, 8, 9, 12, 10, 11];

// Global instances.

import type { CGlobalType } from '../valid/types.ts';
import type { GlobalInst, Value } from './value.ts';

export class Global implements GlobalInst {
  readonly type: CGlobalType;
  value: Value;
  constructor(type: CGlobalType, value: Value) {
    this.type = type;
    this.value = value;
  }
}

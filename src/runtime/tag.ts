// Tag instances. A tag's identity is the object: a defined tag is a fresh object per
// instantiation, an imported tag is the exporter's object (what `catch` and the
// stack-switching handlers compare).

import type { DefType } from '../valid/types.ts';
import type { TagInst } from './value.ts';

export class Tag implements TagInst {
  readonly type: DefType;
  readonly name?: string;
  constructor(type: DefType, name?: string) {
    this.type = type;
    if (name !== undefined) this.name = name;
  }
}

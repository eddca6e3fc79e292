// An instruction emitter whose branches name their targets (label objects)
// instead of relative depths: generated code nests blocks freely and every
// depth is computed when the branch is written.

import type { BlockType, Instr, OpName } from '../syntax/opcodes.ts';
import type { CatchKind } from '../syntax/opcodes.ts';
import { I } from './context.ts';

export type Label = object;

export interface LabelCatch {
  readonly kind: CatchKind;
  readonly tag?: number;
  readonly label: Label;
}

export class Emitter {
  readonly out: Instr[] = [];
  private readonly labels: Label[];

  /** `fn` is the function's own label (a branch to it returns). */
  constructor(fn: Label) {
    this.labels = [fn];
  }

  get top(): Label {
    return this.labels[this.labels.length - 1]!;
  }

  depth(l: Label): number {
    const i = this.labels.lastIndexOf(l);
    if (i < 0) throw new Error('lowering: branch to a label that is not open');
    return this.labels.length - 1 - i;
  }

  op(op: OpName, ...args: unknown[]): this {
    this.out.push(I(op, ...args));
    return this;
  }

  push(...ins: Instr[]): this {
    for (const i of ins) this.out.push(i);
    return this;
  }

  open(op: 'block' | 'loop' | 'if', label: Label, bt: BlockType = null): this {
    this.out.push(I(op, bt));
    this.labels.push(label);
    return this;
  }

  tryTable(label: Label, bt: BlockType, catches: readonly LabelCatch[]): this {
    const cs = catches.map((c) => (c.tag === undefined
      ? { kind: c.kind, label: this.depth(c.label) }
      : { kind: c.kind, tag: c.tag, label: this.depth(c.label) }));
    this.out.push(I('try_table', bt, cs));
    this.labels.push(label);
    return this;
  }

  /** Opens a structured instruction whose immediates are already final (the label is pushed). */
  openRaw(ins: Instr, label: Label): this {
    this.out.push(ins);
    this.labels.push(label);
    return this;
  }

  else(): this {
    this.out.push(I('else'));
    return this;
  }

  end(): this {
    this.out.push(I('end'));
    this.labels.pop();
    return this;
  }

  br(op: 'br' | 'br_if' | 'br_on_null' | 'br_on_non_null', l: Label): this {
    this.out.push(I(op, this.depth(l)));
    return this;
  }

  brTable(ls: readonly Label[], def: Label): this {
    this.out.push(I('br_table', { labels: ls.map((l) => this.depth(l)), default: this.depth(def) }));
    return this;
  }

  /** A block/loop/if whose body `f` writes; returns this. */
  blk(op: 'block' | 'loop' | 'if', bt: BlockType, f: (l: Label) => void): this {
    const l = {};
    this.open(op, l, bt);
    f(l);
    return this.end();
  }
}

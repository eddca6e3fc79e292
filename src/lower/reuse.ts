// Resume sites that may hand the continuation a suspension makes back in the
// object they consumed, instead of allocating one per suspension.
//
// A continuation is one-shot: resuming it consumes the $Cont object (its inner
// stack is cleared), and the suspension that comes back makes a new one. A new
// object per suspension costs an allocation (and a fresh cache line) per round
// trip; putting the new continuation into the consumed object is exact only
// when nothing else can still reach that object, or a second resume of the old
// reference would find the new continuation instead of trapping.
//
// The pattern of generators and schedulers guarantees that syntactically: a
// local $k that only ever holds a fresh continuation and is only read to be
// resumed at once,
//
//     (block $h (result ... (ref $ct))
//       (resume $ct (on $e $h) ... (local.get $k))
//       (br $out))                      ;; the block ends only through $h
//     (local.set $k)
//
// Then the object in $k has no other reference (no local.tee, every local.get
// is consumed by the resume right after it, every value written comes from
// cont.new, cont.bind, ref.null or such a handler block), and when the resume's handler
// clauses all lead back into $k, the continuation the suspension makes can
// live in the object $k held. Everything else allocates, as before.

import type { Instr } from '../syntax/opcodes.ts';
import type { RefType } from '../syntax/types.ts';
import type { ValidModule } from '../valid/validator.ts';
import { typedWalk } from '../valid/walk.ts';
import { labelsOf } from '../syntax/labels.ts';

/** Instructions after which control never falls through. */
export const JUMPS: ReadonlySet<string> = new Set([
  'unreachable', 'return', 'br', 'br_table', 'throw', 'throw_ref', 'rethrow',
  'return_call', 'return_call_ref', 'return_call_indirect',
]);

interface Blk {
  readonly open: number;
  /** instructions (body indices) that branch to this block's label */
  readonly from: number[];
  end: number;
}

/**
 * The blocks of `body`, by the index of their `end`, and the blocks each instruction branches to
 * (by body index, in the order of its labels; a branch to the function's label has none).
 */
function blocksOf(body: readonly Instr[]): { endOf: Map<number, Blk>; targetsOf: Map<number, Blk[]> } {
  const endOf = new Map<number, Blk>();
  const ctl: Blk[] = [];
  const targetsOf = new Map<number, Blk[]>();
  const resolve = (i: number, ins: Instr): void => {
    const ts: Blk[] = [];
    for (const l of labelsOf(ins)) {
      const b = ctl[ctl.length - 1 - l];
      if (b === undefined) continue; // the function's label
      b.from.push(i);
      ts.push(b);
    }
    targetsOf.set(i, ts);
  };
  body.forEach((ins, i) => {
    switch (ins.op) {
      case 'block': case 'loop': case 'if': case 'try_table': {
        if (ins.op === 'try_table') resolve(i, ins); // (its catch labels are outside it)
        ctl.push({ open: i, from: [], end: -1 });
        return;
      }
      case 'end': {
        const b = ctl.pop();
        if (b === undefined) return; // the function's
        b.end = i;
        endOf.set(i, b);
        return;
      }
      default:
        resolve(i, ins);
    }
  });
  return { endOf, targetsOf };
}

/**
 * The resume instructions of `body` that may reuse the consumed $Cont. `contLocal(x)`: is local x a
 * declared (not parameter) local of a continuation type.
 */
export function reuseSites(body: readonly Instr[], contLocal: (x: number) => boolean): Set<Instr> {
  const out = new Set<Instr>();
  if (!body.some((ins) => ins.op === 'resume')) return out; // (most instrumented functions)
  const { endOf, targetsOf } = blocksOf(body);

  const isGetOf = (i: number, k: number): boolean => body[i]?.op === 'local.get' && body[i]!.args[0] === k;
  /** Is `b` a handler block that only ends into local.set k, reached only from resumes of k? */
  const isKBlock = (b: Blk, k: number): boolean => {
    if (body[b.open]!.op !== 'block' || b.end < 1) return false;
    const next = body[b.end + 1];
    if (next?.op !== 'local.set' || next.args[0] !== k) return false;
    const last = body[b.end - 1]!;
    if (b.end - 1 === b.open || !JUMPS.has(last.op) || (targetsOf.get(b.end - 1) ?? []).includes(b)) return false;
    return b.from.every((j) => body[j]!.op === 'resume' && isGetOf(j - 1, k));
  };

  // the candidate locals, with the indices of their uses
  const uses = new Map<number, number[]>();
  body.forEach((ins, i) => {
    if ((ins.op === 'local.get' || ins.op === 'local.set' || ins.op === 'local.tee') && contLocal(ins.args[0])) {
      const l = uses.get(ins.args[0]);
      if (l === undefined) uses.set(ins.args[0], [i]);
      else l.push(i);
    }
  });
  for (const [k, is] of uses) {
    const ok = is.every((i) => {
      const ins = body[i]!;
      if (ins.op === 'local.tee') return false;
      if (ins.op === 'local.get') return body[i + 1]?.op === 'resume';
      const prev = body[i - 1];
      if (prev === undefined) return false;
      if (prev.op === 'cont.new' || prev.op === 'cont.bind' || prev.op === 'ref.null') return true;
      const b = prev.op === 'end' ? endOf.get(i - 1) : undefined;
      return b !== undefined && isKBlock(b, k);
    });
    if (!ok) continue;
    for (const i of is) {
      if (body[i]!.op !== 'local.get') continue;
      const ts = targetsOf.get(i + 1) ?? [];
      const clauses = labelsOf(body[i + 1]!).length;
      if (clauses > 0 && ts.length === clauses && ts.every((b) => isKBlock(b, k))) out.add(body[i + 1]!);
    }
  }
  return out;
}

// ---- tables of continuations ---------------------------------------------------------------------
//
// A library that keeps its continuations in a table (a fiber library: a slot per fiber) resumes
// `(table.get $t (local.get $slot))` and writes the continuation its handler gets back into the
// same slot. Its $Cont can be reused too, with one difference: the slot still holds the object
// while the continuation runs, so the resume clears it as usual (reuse = 2), and only the
// suspension's new continuation goes into it instead of a new object (no allocation, and no young
// object stored into the old table, which takes V8's write-barrier slow path: 10-15% of a C
// fiber's yield). That is exact when nothing but that slot can hold the object:
//
//   - the table is the module's own (not imported or exported), of a continuation type, and no
//     elem segment, table.copy, table.fill or table.init touches it; table.grow adds nulls;
//   - every table.get of it is resumed at once (`resume` right after), so no copy is made;
//   - every table.set stores ref.null, a cont.new, or the write-back below;
//   - a write-back: the resume's every clause branches to a handler block reached only from it and
//     not by falling through, whose end is followed by `local.set $k`, then straight-line code
//     without calls or control (so nothing can read the slot in between), then
//     `local.get $slot; local.get $k; table.set $t`, with the resume's own `$slot` (a local never
//     written in the function) and `$k` used nowhere else.

/** The instructions tableReuseSites looks at (a resume of a slot comes with its table.get). */
const TABLE_OPS: ReadonlySet<string> = new Set(['table.get', 'table.set', 'table.grow', 'table.fill', 'table.init', 'table.copy']);

/** Instructions allowed between a write-back's `local.set $k` and its `table.set`. */
const STRAIGHT = /^(local\.(get|set|tee)|global\.(get|set)|(i32|i64|f32|f64)\.[a-z0-9_]+|drop|nop|ref\.null)$/;

/**
 * The resume instructions of `m` that may put the continuation a suspension makes into the object
 * they took from a table slot (above), by function index.
 */
export function tableReuseSites(vm: ValidModule, isContRef: (t: RefType) => boolean): Map<number, Set<Instr>> {
  const m = vm.module;
  const out = new Map<number, Set<Instr>>();
  const nImported = m.imports.filter((i) => i.desc.kind === 'table').length;
  const nImportedFuncs = m.imports.filter((i) => i.desc.kind === 'func').length;
  const candidates = new Set<number>();
  m.tables.forEach((t, i) => {
    if (isContRef(t.type.elem) && t.init === null) candidates.add(nImported + i);
  });
  for (const ex of m.exports) if (ex.kind === 'table') candidates.delete(ex.index);
  for (const el of m.elems) if (el.mode.kind === 'active') candidates.delete(el.mode.table);
  if (candidates.size === 0) return out;

  const found: { func: number; resume: Instr; table: number }[] = [];
  m.funcs.forEach((f, fi) => {
    const body = f.body;
    // (most functions of a C program touch no table: no block scan for them)
    if (!body.some((ins) => TABLE_OPS.has(ins.op))) return;
    const written = new Set<number>();
    const localUses = new Map<number, number>();
    for (const ins of body) {
      if (ins.op === 'local.set' || ins.op === 'local.tee') written.add(ins.args[0]);
      if (ins.op === 'local.get' || ins.op === 'local.set' || ins.op === 'local.tee') localUses.set(ins.args[0], (localUses.get(ins.args[0]) ?? 0) + 1);
    }
    const { targetsOf } = blocksOf(body);
    const fail = (t: number): void => void candidates.delete(t);
    /** the write-back after handler block b of the resume at r reading slot local s from table t: its table.set, or -1 */
    const writesBack = (b: Blk, r: number, s: number, t: number): number => {
      // reached only from this resume, and not by falling through
      if (body[b.open]!.op !== 'block' || b.end - 1 <= b.open || !b.from.every((j) => j === r)) return -1;
      if (!JUMPS.has(body[b.end - 1]!.op)) return -1;
      const set = body[b.end + 1];
      if (set?.op !== 'local.set') return -1;
      const k = set.args[0];
      if (localUses.get(k) !== 2) return -1;
      for (let i = b.end + 2; i < body.length; i++) {
        const ins = body[i]!;
        if (ins.op === 'table.set') {
          const ok = ins.args[0] === t && body[i - 1]?.op === 'local.get' && body[i - 1]!.args[0] === k &&
            body[i - 2]?.op === 'local.get' && body[i - 2]!.args[0] === s && i - 2 > b.end + 1;
          return ok ? i : -1;
        }
        const usesK = (ins.op === 'local.get' || ins.op === 'local.set' || ins.op === 'local.tee') && ins.args[0] === k;
        if (!STRAIGHT.test(ins.op) || (usesK && !(ins.op === 'local.get' && body[i + 1]?.op === 'table.set'))) return -1;
      }
      return -1;
    };
    /** the table.sets that are write-backs of the resumes found here */
    const backs = new Set<number>();
    let growsOfNull: Set<number> | undefined;
    body.forEach((ins, i) => {
      switch (ins.op) {
        case 'table.get':
          if (candidates.has(ins.args[0]) && body[i + 1]?.op !== 'resume') fail(ins.args[0]);
          return;
        case 'table.set': {
          const t = ins.args[0];
          if (!candidates.has(t)) return;
          const v = body[i - 1];
          if (v?.op === 'ref.null' || v?.op === 'cont.new') return;
          // a write-back of a resume in this function (checked with the resumes below)
          if (v?.op !== 'local.get') fail(t);
          return;
        }
        case 'table.grow':
          // it adds nulls: `ref.null` right before a simple size, or a value typed null (nocont)
          if (candidates.has(ins.args[0]) && !(body[i - 2]?.op === 'ref.null' && /^(local\.get|i32\.const)$/.test(body[i - 1]?.op ?? ''))) {
            growsOfNull ??= nullGrows(vm, fi);
            if (!growsOfNull.has(i)) fail(ins.args[0]);
          }
          return;
        case 'table.fill':
          fail(ins.args[0]);
          return;
        case 'table.init':
          fail(ins.args[1]);
          return;
        case 'table.copy':
          fail(ins.args[0]);
          fail(ins.args[1]);
          return;
        case 'resume': {
          const get = body[i - 1];
          const slot = body[i - 2];
          if (get?.op !== 'table.get' || !candidates.has(get.args[0]) || slot?.op !== 'local.get' || written.has(slot.args[0])) return;
          // every clause's block (none may be the function's label)
          const clauses = targetsOf.get(i) ?? [];
          if (clauses.length === 0 || clauses.length !== labelsOf(ins).length) return;
          const sets = clauses.map((b) => writesBack(b, i, slot.args[0], get.args[0]));
          if (sets.every((x) => x >= 0)) {
            found.push({ func: nImportedFuncs + fi, resume: ins, table: get.args[0] });
            for (const x of sets) backs.add(x);
          }
          return;
        }
      }
    });
    // every table.set of a `local.get` must be the write-back of one of the resumes found here
    body.forEach((ins, i) => {
      if (ins.op === 'table.set' && candidates.has(ins.args[0]) && body[i - 1]?.op === 'local.get' && !backs.has(i)) fail(ins.args[0]);
    });
  });
  for (const s of found) {
    if (!candidates.has(s.table)) continue;
    let set = out.get(s.func);
    if (set === undefined) out.set(s.func, (set = new Set()));
    set.add(s.resume);
  }
  return out;
}

/** The table.grow instructions of defined function `defined` whose initial value is typed null (the bottom type nocont). */
function nullGrows(vm: ValidModule, defined: number): Set<number> {
  const out = new Set<number>();
  typedWalk(vm, defined, (ins, k, c) => {
    if (ins.op !== 'table.grow') return;
    const init = c.vals[c.vals.length - 2];
    if (init !== undefined && init !== 'bot' && typeof init === 'object' && init.heap === 'nocont') out.add(k);
  });
  return out;
}

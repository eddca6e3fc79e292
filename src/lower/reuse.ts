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
import type { CFuncType } from '../valid/types.ts';
import { typedWalk } from '../valid/walk.ts';
import { labelsOf } from '../syntax/labels.ts';
import { contFunc, isClosed } from './analysis.ts';

/** Instructions after which control never falls through. */
export const JUMPS: ReadonlySet<string> = new Set([
  'unreachable', 'return', 'br', 'br_table', 'throw', 'throw_ref', 'rethrow',
  'return_call', 'return_call_ref', 'return_call_indirect',
]);

/** Instructions whose continuation is a new object (or null): nothing else refers to it. */
const FRESH: ReadonlySet<string> = new Set(['cont.new', 'cont.bind', 'ref.null']);

/** Instructions that open a block (closed by an `end`). */
export const OPENS: ReadonlySet<string> = new Set(['block', 'loop', 'if', 'try_table']);

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
  // The same without a local: a continuation that reaches the resume on the operand stack alone
  // (through the parameters and results of blocks and loops, and branches) from a cont.new, a
  // cont.bind, a ref.null or a resume's handler clause is the only reference to its object (a
  // handler receives a new $Cont, or the one its resume reused, which had no other reference
  // either). Such are benchmarks' and hand-written generators' loops: `(loop $l (param (ref
  // $ct)) (resume $ct (on $t $l)) ...)` after a `cont.new`, or two resumes handing the
  // continuation to each other through a block's parameter and result. Anything else that puts a
  // continuation on the stack (a local, a global, a table, a field, a call, select, br_if, ...)
  // may leave another reference behind, and the resume allocates as usual.
  const openBlk = new Map<number, Blk>();
  for (const b of endOf.values()) openBlk.set(b.open, b);
  /** the value a branch from instruction j delivers: a resume's clause, or a br's operand */
  const deliversUnique = (j: number, seen: Set<number>): boolean =>
    body[j]!.op === 'resume' || (body[j]!.op === 'br' && uniqueBefore(j, seen));
  /** Is the value on top of the stack right before instruction i the only reference to its object? */
  const uniqueBefore = (i: number, seen: Set<number>): boolean => {
    if (seen.has(i)) return false;
    seen.add(i);
    const prev = body[i - 1];
    if (prev !== undefined && FRESH.has(prev.op)) return true;
    switch (prev?.op) {
      case 'ref.as_non_null':
        return uniqueBefore(i - 1, seen);
      case 'block': case 'loop': {
        // the block's last parameter: from before it, and (a loop) from every branch to it
        const b = openBlk.get(i - 1);
        if (b === undefined || !uniqueBefore(i - 1, seen)) return false;
        return prev.op === 'block' || b.from.every((j) => deliversUnique(j, seen));
      }
      case 'end': {
        // a block's last result: from every branch to it, and from its end unless nothing falls through
        const b = endOf.get(i - 1);
        if (b === undefined || body[b.open]!.op !== 'block') return false;
        const falls = !JUMPS.has(body[i - 2]!.op) || i - 2 === b.open;
        if (falls && !uniqueBefore(i - 1, seen)) return false;
        return b.from.every((j) => deliversUnique(j, seen));
      }
      default:
        return false;
    }
  };
  body.forEach((ins, j) => {
    if (ins.op === 'resume' && labelsOf(ins).length > 0 && uniqueBefore(j, new Set())) out.add(ins);
  });
  for (const [k, is] of uses) {
    const ok = is.every((i) => {
      const ins = body[i]!;
      if (ins.op === 'local.tee') return false;
      if (ins.op === 'local.get') return body[i + 1]?.op === 'resume';
      const prev = body[i - 1];
      if (prev === undefined) return false;
      if (FRESH.has(prev.op)) return true;
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
//
// The switches of a fiber_switch library take their target from a table slot too (a table.get
// switched to at once counts as consumed at once), and write the continuation their landing gets
// back (the switcher's) into the switcher's slot:
//
//     (switch $ct $t ... (table.get $t (...)))
//     (local.set $k)  ... (local.set $v) ... (table.set $t (...slot...) (local.get $k))
//
// That continuation is a new object made at the landing. When the local it goes into reaches the
// table.set through copies (`local.get $a` `local.set $b`), inside the switch's block and in no
// loop entered on the way (so each value is read once), and those locals have no use in the
// function but such chains (Binaryen gives the chains of several inlined switches the same
// locals), nothing else can reach it: storing it is the same as putting its stack into the
// object the slot holds (a refill, `refills` below), which has no other reference either (the
// rules above), unless a resume of the table keeps its object to reuse it (then no refills). A
// refill stores an old object into an old one: no WasmTableSet builtin, no write-barrier slow
// path (together 12% of a C program that switches, by profile).
//
// A fiber's first switch arrives as the last parameter of the function its continuation was made
// of (`body`, which writes it into the switcher's slot). That parameter is a fresh continuation or
// null (freshStarts) when the function is only ever made into continuations (every `ref.func` of
// it goes to `cont.new`), the module has no `cont.bind`, every `resume` in it whose last parameter
// is a reference passes `ref.null` there, and no continuation of the module gets to another
// module (closed, with exports that return numbers): then the table.set of it, reached the same
// way from the function's start, is a write-back as well.

/** The instructions tableReuseSites looks at (a resume of a slot comes with its table.get). */
const TABLE_OPS: ReadonlySet<string> = new Set(['table.get', 'table.set', 'table.grow', 'table.fill', 'table.init', 'table.copy']);

/** Instructions allowed between a write-back's `local.set $k` and its `table.set`. */
const STRAIGHT = /^(local\.(get|set|tee)|global\.(get|set)|(i32|i64|f32|f64)\.[a-z0-9_]+|drop|nop|ref\.null)$/;

/** What tableReuseSites found, by function index. */
export interface TableReuse {
  /** resumes that may put the continuation a suspension makes into the object they took from a slot */
  readonly resumes: Map<number, Set<Instr>>;
  /** table.sets of a switch's continuation that may put its stack into the object the slot holds */
  readonly refills: Map<number, Set<Instr>>;
}

/** The resumes and switch write-backs of `m` that may reuse objects of tables of continuations (above). */
export function tableReuseSites(vm: ValidModule, isContRef: (t: RefType) => boolean): TableReuse {
  const m = vm.module;
  const out: TableReuse = { resumes: new Map(), refills: new Map() };
  const nImported = m.imports.filter((i) => i.desc.kind === 'table').length;
  const nImportedFuncs = m.imports.filter((i) => i.desc.kind === 'func').length;
  const candidates = new Set<number>();
  m.tables.forEach((t, i) => {
    if (isContRef(t.type.elem) && t.init === null && t.type.addr === 'i32') candidates.add(nImported + i);
  });
  for (const ex of m.exports) if (ex.kind === 'table') candidates.delete(ex.index);
  for (const el of m.elems) if (el.mode.kind === 'active') candidates.delete(el.mode.table);
  if (candidates.size === 0) return out;

  const found: { func: number; resume: Instr; table: number }[] = [];
  const refills: { func: number; set: Instr; table: number }[] = [];
  const starts = freshStarts(vm);
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
    /**
     * From body[from] on (the local.set of v after a switch, or the function's start for a
     * parameter), the value in v goes through copies (`local.get $a` `local.set $b`) into a
     * table.set, inside the block of `from` and in no loop entered on the way (so each value is
     * read once), where nothing else touches those locals: the table.set, and the uses of locals
     * on the way (null: not so). (A local may also serve other such chains, Binaryen reuses
     * locals, but no other use: checked when all are known.)
     */
    const chainToSet = (from: number, v: number): { set: number; uses: number[] } | null => {
      const uses = from >= 0 ? [v] : [];
      const open: string[] = [];
      for (let j = from + 1; j < body.length; j++) {
        const ins = body[j]!;
        const reads = ins.op === 'local.get' && ins.args[0] === v && !open.includes('loop');
        const next = body[j + 1];
        if (reads && next?.op === 'table.set') return { set: j + 1, uses: [...uses, v] };
        if (reads && next?.op === 'local.set') {
          uses.push(v, next.args[0]);
          v = next.args[0];
          j++;
          continue;
        }
        if ((ins.op === 'local.get' || ins.op === 'local.set' || ins.op === 'local.tee') && ins.args[0] === v) return null;
        if (open.length === 0 && (JUMPS.has(ins.op) || ins.op === 'else')) return null;
        if (OPENS.has(ins.op)) open.push(ins.op);
        else if (ins.op === 'end' && open.pop() === undefined) return null;
      }
      return null;
    };
    /** write-backs of new continuations (a switch's, a fresh start's) into table t, to check */
    const chains: { set: number; uses: number[]; table: number }[] = [];
    const chain = (from: number, v: number, t: number | null): void => {
      const c = chainToSet(from, v);
      if (c !== null && (t === null || body[c.set]!.args[0] === t)) chains.push({ ...c, table: body[c.set]!.args[0] as number });
    };
    /** the table.sets that are write-backs of the resumes and switches found here */
    const backs = new Set<number>();
    // a fresh continuation arriving as the last parameter (freshStarts)
    const param = starts.get(nImportedFuncs + fi);
    if (param !== undefined && !written.has(param)) chain(-1, param, null);
    let growsOfNull: Set<number> | undefined;
    body.forEach((ins, i) => {
      switch (ins.op) {
        case 'table.get':
          if (candidates.has(ins.args[0]) && body[i + 1]?.op !== 'resume' && body[i + 1]?.op !== 'switch') fail(ins.args[0]);
          return;
        case 'switch': {
          const get = body[i - 1];
          const first = body[i + 1];
          if (get?.op === 'table.get' && candidates.has(get.args[0]) && first?.op === 'local.set') chain(i + 1, first.args[0], get.args[0]);
          return;
        }
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
    // the chains whose locals have no use but in chains are write-backs
    const inChains = new Map<number, number>();
    for (const c of chains) for (const l of c.uses) inChains.set(l, (inChains.get(l) ?? 0) + 1);
    for (const c of chains) {
      if (!candidates.has(c.table) || !c.uses.every((l) => inChains.get(l) === localUses.get(l))) continue;
      backs.add(c.set);
      refills.push({ func: nImportedFuncs + fi, set: body[c.set]!, table: c.table });
    }
    // every table.set of a `local.get` must be the write-back of one of the resumes or switches found here
    body.forEach((ins, i) => {
      if (ins.op === 'table.set' && candidates.has(ins.args[0]) && body[i - 1]?.op === 'local.get' && !backs.has(i)) fail(ins.args[0]);
    });
  });
  const add = (map: Map<number, Set<Instr>>, func: number, ins: Instr): void => {
    let set = map.get(func);
    if (set === undefined) map.set(func, (set = new Set()));
    set.add(ins);
  };
  const kept = new Set<number>();
  for (const s of found) {
    if (!candidates.has(s.table)) continue;
    add(out.resumes, s.func, s.resume);
    kept.add(s.table);
  }
  // (a refill would put a new continuation into an object such a resume keeps to reuse)
  for (const r of refills) if (candidates.has(r.table) && !kept.has(r.table)) add(out.refills, r.func, r.set);
  return out;
}

/**
 * Functions whose last parameter, a continuation, is only ever a fresh one (a switch's, made at
 * its target) or null, by function index, with that parameter's local index: functions referred
 * to only by `ref.func` right before `cont.new` (not exported, called, in a table, an elem
 * segment's list or a global), in a module without `cont.bind` where every `resume` whose last
 * parameter is a reference passes `ref.null` there (right before its continuation: a `local.get`,
 * `global.get`, or a `table.get` of a `local.get`, `global.get` or constant). The module is closed
 * (analysis.ts) and its exports return numbers: no continuation of it gets to another module,
 * whose resumes could pass anything.
 */
function freshStarts(vm: ValidModule): Map<number, number> {
  const m = vm.module;
  const out = new Map<number, number>();
  const numeric = (f: number): boolean => (vm.funcs[f]!.comp as CFuncType).results.every((r) => typeof r === 'string');
  if (!isClosed(m) || !m.exports.every((ex) => ex.kind !== 'func' || numeric(ex.index))) return out;
  const nImportedFuncs = m.imports.filter((i) => i.desc.kind === 'func').length;
  const made = new Set<number>();
  const ruled = new Set<number>();
  const SIMPLE = /^(local\.get|global\.get|i32\.const)$/;
  for (const ex of m.exports) if (ex.kind === 'func') ruled.add(ex.index);
  for (const el of m.elems) {
    for (const e of el.init) for (const ins of e) if (ins.op === 'ref.func' && el.mode.kind !== 'declarative') ruled.add(ins.args[0]);
  }
  for (const g of m.globals) for (const ins of g.init) if (ins.op === 'ref.func') ruled.add(ins.args[0]);
  if (m.start !== null) ruled.add(m.start);
  for (const f of m.funcs) {
    for (let i = 0; i < f.body.length; i++) {
      const ins = f.body[i]!;
      switch (ins.op) {
        case 'ref.func':
          if (f.body[i + 1]?.op === 'cont.new') made.add(ins.args[0]);
          else ruled.add(ins.args[0]);
          break;
        case 'call': case 'return_call':
          ruled.add(ins.args[0]);
          break;
        case 'cont.bind':
          return out;
        case 'resume': {
          const k = f.body[i - 1];
          const n = k?.op === 'table.get' && SIMPLE.test(f.body[i - 2]?.op ?? '') ? 2 : k?.op === 'local.get' || k?.op === 'global.get' ? 1 : -1;
          // (a resume whose last parameter is no reference cannot fill a continuation's)
          const last = contFunc(vm, ins.args[0]).params.at(-1);
          if (last !== undefined && typeof last === 'object' && (n < 0 || f.body[i - 1 - n]?.op !== 'ref.null')) return out;
          break;
        }
      }
    }
  }
  for (const x of made) {
    if (ruled.has(x) || x < nImportedFuncs) continue;
    const ft = vm.funcs[x]!.comp as CFuncType;
    const last = ft.params[ft.params.length - 1];
    if (last !== undefined && typeof last === 'object' && typeof last.heap === 'object' && last.heap.comp.kind === 'cont') out.set(x, ft.params.length - 1);
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

// Legacy exception handling (`try`, `catch`, `catch_all`, `delegate`,
// `rethrow`) rewritten to Wasm 3.0's `try_table` and `throw_ref`: a pass
// Module -> Module that the interpreter and the lowering compiler run before
// anything else, so that they know one exception mechanism only. Compilers
// still emit the legacy form (Kotlin/Wasm's wasm-js target, Emscripten,
// Binaryen's fuzzer), and a module may mix both.
//
//   try (P -> R) body                        block $end (P -> R)
//   catch $t1 h1                 ==>           block $c2 (P -> T2 exnref)
//   catch_all h2                                 block $c1 (P -> T1 exnref)
//   end                                            try_table (P -> R) (catch_ref $t1 $c1) (catch_all_ref $c2)
//                                                    body
//                                                  end
//                                                  br $end
//                                                end
//                                                local.set $e1  h1  br $end
//                                              end
//                                              local.set $e2  h2
//                                            end
//
// A handler keeps its exception in a local of its own: `rethrow L` becomes
// `local.get $eL throw_ref`. `try body delegate L` hands what body throws to
// the code around label L as if thrown there: its try_table catches everything
// into a trampoline block wrapped around the part of L's block where the
// delegate is (its body, an arm of an if, a handler, the function body), which
// rethrows it there, inside L (so L's own catches see it when L is a try):
//
//   block $exit (P -> R)  block $dt (P -> exnref)  ...L's code...  br $exit  end  throw_ref  end
//
// Branch depths move to the new nesting. A module without legacy instructions
// comes back as the same object.

import type { Func, Module } from './ast.ts';
import type { BlockType, Instr } from './opcodes.ts';
import type { FuncType, SubType, ValType } from './types.ts';
import { labelsOf, withLabels } from './labels.ts';

export const LEGACY_EH_OPS: ReadonlySet<string> = new Set(['try', 'catch', 'catch_all', 'delegate', 'rethrow']);

export const usesLegacyEH = (m: Module): boolean => m.funcs.some((f) => f.body.some((i) => LEGACY_EH_OPS.has(i.op)));

const EXN: ValType = { nullable: true, heap: 'exn' };

const mk = (op: string, args: readonly unknown[], at = -1): Instr => ({ op, args, at }) as unknown as Instr;

/** The module with every legacy exception instruction rewritten (the same object when there is none). */
export function desugarLegacyEH(m: Module): Module {
  if (!usesLegacyEH(m)) return m;
  const out: Module = { ...m, types: [...m.types], funcs: [...m.funcs], names: { ...m.names, labels: new Map(m.names.labels) } };
  const subs: SubType[] = m.types.flatMap((g) => g.types);
  const funcType = (x: number): FuncType => {
    const c = subs[x]!.comp;
    if (c.kind !== 'func') throw new Error(`internal: type ${x} is not a function type`);
    return c;
  };
  const tagTypes = [
    ...m.imports.flatMap((im) => (im.desc.kind === 'tag' ? [im.desc.type] : [])),
    ...m.tags.map((t) => t.type),
  ];
  const nImportedFuncs = m.imports.filter((im) => im.desc.kind === 'func').length;
  // block types with parameters or several results need a function type: one per signature
  const added = new Map<string, number>();
  const blockType = (ps: readonly ValType[], rs: readonly ValType[]): BlockType => {
    if (ps.length === 0 && rs.length === 0) return null;
    if (ps.length === 0 && rs.length === 1) return rs[0]!;
    const key = JSON.stringify([ps, rs]);
    let x = added.get(key);
    if (x === undefined) {
      x = subs.length + added.size;
      added.set(key, x);
      out.types.push({ explicit: false, types: [{ final: true, supers: [], comp: { kind: 'func', params: [...ps], results: [...rs] } }] });
    }
    return { type: x };
  };
  const sig = (bt: BlockType): { ps: readonly ValType[]; rs: readonly ValType[] } => {
    if (bt === null) return { ps: [], rs: [] };
    if (typeof bt === 'object' && 'type' in bt) {
      const ft = funcType(bt.type);
      return { ps: ft.params, rs: ft.results };
    }
    return { ps: [], rs: [bt as ValType] };
  };
  m.funcs.forEach((f, i) => {
    if (!f.body.some((ins) => LEGACY_EH_OPS.has(ins.op))) return;
    const ft = funcType(f.type);
    out.funcs[i] = rewriteFunc(f, ft.params.length, ft.results, sig, blockType, (t) => funcType(tagTypes[t]!).params);
    out.names.labels.delete(nImportedFuncs + i);
  });
  return out;
}

type Sig = (bt: BlockType) => { ps: readonly ValType[]; rs: readonly ValType[] };

/** A block of the input (or the function), as the rewrite sees it. */
interface Frame {
  readonly ps: readonly ValType[];
  readonly rs: readonly ValType[];
  /** index in the new nesting of the block a branch to this label goes to */
  readonly target: number;
  /** the instruction that started the current region (the opener, else, catch or catch_all) */
  region: number;
  /** in a handler: the local holding its exception */
  exn: number | null;
  /** try: its handlers left to open, and the one we are in */
  clause: number;
  readonly clauses: readonly number[];
  /** the trampoline of the current region (delegate target): new-nesting indices of $exit and $dt */
  dt: { exit: number; dt: number } | null;
}

function rewriteFunc(
  f: Func, nParams: number, fResults: readonly ValType[], sig: Sig,
  blockType: (ps: readonly ValType[], rs: readonly ValType[]) => BlockType, tagParams: (t: number) => readonly ValType[],
): Func {
  const body = f.body;
  // pre-scan: the handlers of each try, the label of each try closed by delegate, and the
  // regions a delegate targets
  const clausesOf = new Map<number, number[]>();
  const delegated = new Map<number, number>();
  const targets = new Set<number>(); // region starts (-1: the function body)
  {
    const stack: { open: number; region: number }[] = [{ open: -1, region: -1 }];
    body.forEach((ins, i) => {
      switch (ins.op) {
        case 'block': case 'loop': case 'if': case 'try_table': case 'try':
          stack.push({ open: i, region: i });
          if (ins.op === 'try') clausesOf.set(i, []);
          break;
        case 'else':
          stack[stack.length - 1]!.region = i;
          break;
        case 'catch': case 'catch_all': {
          const top = stack[stack.length - 1]!;
          clausesOf.get(top.open)?.push(i);
          top.region = i;
          break;
        }
        case 'end':
          if (stack.length > 1) stack.pop();
          break;
        case 'delegate': {
          delegated.set(stack.pop()!.open, ins.args[0] as number);
          const t = stack[stack.length - 1 - (ins.args[0] as number)];
          if (t !== undefined) targets.add(t.region);
          break;
        }
      }
    });
  }

  const locals = [...f.locals];
  const newLocal = (t: ValType): number => nParams + locals.push(t) - 1;
  const out: Instr[] = [];
  let depth = 0; // blocks open in the new code
  const emit = (op: string, ...args: unknown[]): void => {
    out.push(mk(op, args));
  };
  const open = (op: string, ...args: unknown[]): number => {
    emit(op, ...args);
    return depth++;
  };
  const close = (): void => {
    emit('end');
    depth--;
  };
  const rel = (target: number): number => depth - 1 - target;
  const ctl: Frame[] = [];
  const frame = (ps: readonly ValType[], rs: readonly ValType[], target: number, region: number, clauses: number[] = []): Frame => {
    const fr: Frame = { ps, rs, target, region, exn: null, clause: 0, clauses, dt: null };
    ctl.push(fr);
    return fr;
  };
  /** Opens the trampoline of a region a delegate targets (the region's values: ps -> rs). */
  const enterRegion = (fr: Frame, ps: readonly ValType[]): void => {
    if (!targets.has(fr.region)) return;
    const exit = open('block', blockType(ps, fr.rs));
    const dt = open('block', blockType(ps, [EXN]));
    fr.dt = { exit, dt };
  };
  const leaveRegion = (fr: Frame): void => {
    if (fr.dt === null) return;
    emit('br', rel(fr.dt.exit));
    close();
    emit('throw_ref');
    close();
    fr.dt = null;
  };
  /** The values a handler starts with: its tag's parameters (none for catch_all). */
  const handlerValues = (clause: number): readonly ValType[] => {
    const c = body[clause]!;
    return c.op === 'catch' ? tagParams(c.args[0] as number) : [];
  };
  /** Enters handler `fr.clause` of try frame fr (its block ends here: its values are on the stack). */
  const nextHandler = (fr: Frame): void => {
    const i = fr.clause++;
    const ts = handlerValues(fr.clauses[i]!);
    close();
    fr.exn = newLocal(EXN);
    emit('local.set', fr.exn);
    fr.region = fr.clauses[i]!;
    enterRegion(fr, ts);
  };

  // the function body is region -1 (a branch to its label leaves the function)
  enterRegion(frame([], fResults, -1, -1), []);

  body.forEach((ins, i) => {
    const top = ctl[ctl.length - 1]!;
    switch (ins.op) {
      case 'block': case 'loop': case 'if': {
        const { ps, rs } = sig(ins.args[0] as BlockType);
        out.push(ins);
        const t = depth++;
        enterRegion(frame(ps, rs, t, i), ps);
        return;
      }
      case 'try_table': {
        const { ps, rs } = sig(ins.args[0] as BlockType);
        out.push(withLabels(ins, labelsOf(ins).map(mapLabel)));
        const t = depth++;
        enterRegion(frame(ps, rs, t, i), ps);
        return;
      }
      case 'try': {
        const { ps, rs } = sig(ins.args[0] as BlockType);
        const clauses = clausesOf.get(i)!;
        const label = delegated.get(i);
        if (label !== undefined) {
          // try_table catching everything into the trampoline of the delegate's target
          // (its label counts from outside the try: the frames open now)
          const fr = ctl[ctl.length - 1 - label]!.dt;
          if (fr === null) throw new Error('internal: delegate target without a trampoline');
          emit('try_table', ins.args[0], [{ kind: 'catch_all_ref', label: rel(fr.dt) }]);
          const t = depth++;
          enterRegion(frame(ps, rs, t, i), ps);
          return;
        }
        const end = open('block', blockType(ps, rs));
        const fr = frame(ps, rs, end, i, clauses);
        if (clauses.length === 0) {
          enterRegion(fr, ps);
          return;
        }
        for (let k = clauses.length - 1; k >= 0; k--) open('block', blockType(ps, [...handlerValues(clauses[k]!), EXN]));
        emit('try_table', blockType(ps, rs), clauses.map((x, k) => {
          const c = body[x]!;
          return c.op === 'catch' ? { kind: 'catch_ref', tag: c.args[0], label: k } : { kind: 'catch_all_ref', label: k };
        }));
        depth++;
        enterRegion(fr, ps);
        return;
      }
      case 'catch': case 'catch_all': {
        // top is the try: leave its body (the first handler) or its previous handler
        leaveRegion(top);
        if (top.clause === 0) close(); // the try_table
        emit('br', rel(top.target));
        nextHandler(top);
        return;
      }
      case 'else': {
        leaveRegion(top);
        emit('else');
        top.region = i;
        enterRegion(top, top.ps);
        return;
      }
      case 'end': {
        leaveRegion(top);
        if (ctl.length === 1) {
          emit('end'); // the function's
          return;
        }
        ctl.pop();
        close();
        return;
      }
      case 'delegate': {
        leaveRegion(top);
        ctl.pop();
        close();
        return;
      }
      case 'rethrow': {
        const fr = ctl[ctl.length - 1 - (ins.args[0] as number)]!;
        if (fr.exn === null) throw new Error('internal: rethrow of a label that is not a handler');
        emit('local.get', fr.exn);
        emit('throw_ref');
        return;
      }
      default: {
        const ls = labelsOf(ins);
        out.push(ls.length === 0 ? ins : withLabels(ins, ls.map(mapLabel)));
      }
    }
  });
  return { type: f.type, locals, body: out, at: f.at };

  /** A label of the input as a depth in the output (the function's frame targets -1: depth itself). */
  function mapLabel(l: number): number {
    return rel(ctl[ctl.length - 1 - l]!.target);
  }
}

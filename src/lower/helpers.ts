// The functions every lowered module carries (generated once per module, on
// first use): the driver that runs a continuation's saved frames, handler
// search, suspend/switch/resume entry points, and per-type helpers for
// cont.new and cont.bind. They work on the shared runtime types and globals
// only, so the copy in any module can run any module's frames.

import type { ValType } from '../syntax/types.ts';
import type { CFuncType, CValType } from '../valid/types.ts';
import { type Ctx, I, LowerError } from './context.ts';
import { Emitter, type Label } from './emit.ts';
import {
  frameSubType, nullable, C_INNER, F_BASE, F_NEXT, F_THUNK, type Kind, H_KEY0, H_KEYS, S_HDL, S_PARENT, S_TOP, T_CONT, T_FRAME, T_FRAME_NC, T_HDL, T_KEYS, T_STK, T_THUNK,
  WHY_CONSUMED, WHY_NULL_CONT, WHY_NULL_FUNC, WHY_UNHANDLED,
} from './rt.ts';

const ref = (nullable: boolean, heap: number | 'exn'): ValType => ({ nullable, heap });
const STK = ref(true, T_STK);

export class Helpers {
  private readonly c: Ctx;
  private readonly made = new Map<string, number>();
  constructor(c: Ctx) {
    this.c = c;
  }

  private once(key: string, make: (x: number) => void): number {
    let x = this.made.get(key);
    if (x === undefined) {
      x = this.c.addFunc(null);
      this.made.set(key, x);
      make(x);
    }
    return x;
  }

  private g(name: Parameters<Ctx['rtGlobal']>[0]): number {
    return this.c.rtGlobal(name);
  }

  private trap(e: Emitter, why: number): void {
    e.op('i32.const', why).op('global.set', this.g('why')).op('unreachable');
  }

  private def(x: number, params: ValType[], results: ValType[], locals: ValType[], e: Emitter, name: string, type?: number): void {
    e.op('end');
    this.c.setFunc(x, { type: type ?? this.c.funcType(params, results), locals, body: e.out, at: -1 });
    this.c.out.names.funcs.set(x, `wasmfx:${name}`);
  }

  /**
   * Consumes the continuation in local k (traps on null or consumed): its inner stack goes to local
   * `inner`. With `reuse` (a local: the resume's flag), k's object is not cleared when the flag is
   * 1 (from a local): such a resume clears it where it ends other than by a suspension (release).
   */
  private emitTake(e: Emitter, k: number, inner: number, reuse?: number): void {
    e.op('local.get', k).op('ref.is_null').blk('if', null, () => this.trap(e, WHY_NULL_CONT));
    e.op('local.get', k).op('struct.get', T_CONT, C_INNER).op('local.tee', inner).op('ref.is_null')
      .blk('if', null, () => this.trap(e, WHY_CONSUMED));
    if (reuse === undefined) {
      e.op('local.get', k).op('ref.null', T_STK).op('struct.set', T_CONT, C_INNER);
    } else {
      // (reuse 2, from a table slot: the slot still holds the object, which must stay consumed)
      e.op('local.get', reuse).op('i32.const', 1).op('i32.ne').blk('if', null, () => {
        e.op('local.get', k).op('ref.null', T_STK).op('struct.set', T_CONT, C_INNER);
      });
    }
  }

  /**
   * Local `outer` := the outer stack of the chain that starts at local `inner`: the last one up
   * the parents (a suspended chain's outer stack has no parent; its resume sets one). Most
   * chains are one stack: the walk up a longer one is a call (no loop in the caller).
   */
  private emitOuter(e: Emitter, inner: number, outer: number): void {
    e.op('local.get', inner).op('local.tee', outer).op('struct.get', T_STK, S_PARENT).op('ref.is_null').op('i32.eqz');
    e.blk('if', null, () => e.op('local.get', inner).op('call', this.outer()).op('local.set', outer));
  }

  /** outer(s) -> the last stack up the parents from s (s has a parent). */
  private outer(): number {
    return this.once('outer', (x) => {
      const e = new Emitter({});
      e.blk('loop', null, (l) => {
        e.op('local.get', 0).op('struct.get', T_STK, S_PARENT).op('local.tee', 1).op('ref.is_null').op('i32.eqz');
        e.blk('if', null, () => e.op('local.get', 1).op('local.set', 0).br('br', l));
      });
      e.op('local.get', 0);
      this.def(x, [STK], [STK], [STK], e, 'outer');
    });
  }

  /** take(k) -> inner, outer: consumes a continuation (traps on null or consumed). */
  take(): number {
    return this.once('take', (x) => {
      const e = new Emitter({});
      this.emitTake(e, 0, 1);
      this.emitOuter(e, 1, 2);
      e.op('local.get', 1).op('ref.as_non_null').op('local.get', 2).op('ref.as_non_null');
      this.def(x, [ref(true, T_CONT)], [ref(false, T_STK), ref(false, T_STK)], [STK, STK], e, 'take');
    });
  }

  /**
   * resume(k, handlers, throw, reuse) -> status, continuation: status -1 done, -2 unwinding
   * further out, i: handler clause i (with the continuation the suspension made). handlers: the
   * resume site's table, with the key of its first clause (-1: none), which a suspension checks
   * first. throw = 1: the frame re-entered
   * first raises the exception in `exn` (resume_throw). reuse = 1: the continuation a suspension
   * makes goes into k's object (nothing else can reach it: reuse.ts); 2: the same, k's object
   * taken from a table slot, which holds it consumed meanwhile (reuse.ts). cur: the running stack.
   */
  resume(): number {
    return this.once('resume', (x) => {
      const e = new Emitter({});
      const [K, HDL, THROW, REUSE, CUR, INNER, OUTER] = [0, 1, 2, 3, 4, 5, 6];
      // (inline: a call less per resume). A reusing resume leaves k's object uncleared while the
      // continuation runs: nothing else can reach it (reuse.ts), and a suspension puts the new
      // continuation there anyway, so the round trip saves a store (with its write barrier: 7-10%
      // of a round trip, measured). Every other way out of the resume clears it (release).
      this.emitTake(e, K, INNER, REUSE);
      this.emitOuter(e, INNER, OUTER);
      e.op('local.get', OUTER).op('local.get', CUR).op('struct.set', T_STK, S_PARENT);
      e.op('local.get', OUTER).op('local.get', HDL).op('struct.set', T_STK, S_HDL);
      e.op('local.get', THROW).blk('if', null, () => {
        e.op('i32.const', 1).op('global.set', this.g('thr'));
      });
      // The driver, inline. After a switch it goes on in wasmfx:redrive, which calls a copy of
      // it (wasmfx:drive) once per switch: V8 has no on-stack replacement for Wasm, and a
      // scheduler's resume that runs once and switches for ever would run its driver loop in the
      // baseline tier (Liftoff) throughout (redrive's own loop restarts itself for that). (A resume
      // that always calls drive costs the round trip 8%, measured, even with drive inlined.)
      this.driver(e, INNER, OUTER, 7, 8, 9, 10, 11, { k: K, flag: REUSE }, {
        tail: () => {},
        onSwitch: () => {
          e.op('local.get', K).op('local.get', REUSE).op('local.get', INNER).op('local.get', OUTER).op('call', this.redrive()).op('return');
        },
      });
      this.def(
        x, [ref(true, T_CONT), ref(true, T_HDL), 'i32', 'i32', STK], ['i32', ref(true, T_CONT)],
        [STK, STK, ref(true, T_FRAME), ref(true, 'exn'), ref(true, T_FRAME), STK, 'i32'], e, 'resume',
      );
    });
  }

  /**
   * redrive(k, reuse, S, O) -> status, continuation: drive until it ends other than by a switch.
   * Every 4096 switches it tail-calls itself: V8 has no on-stack replacement, and its loop,
   * entered once by a scheduler that switches for ever, would stay Liftoff code (3% of a
   * switch-based C fiber program's time); a new activation runs the optimized code.
   */
  private redrive(): number {
    return this.once('redrive', (x) => {
      const e = new Emitter({});
      const [K, REUSE, S, O, CODE, C, N] = [0, 1, 2, 3, 4, 5, 6];
      e.blk('loop', null, (again) => {
        e.op('local.get', K).op('local.get', REUSE).op('local.get', S).op('local.get', O).op('call', this.drive());
        e.op('local.set', O).op('local.set', S).op('local.set', C).op('local.tee', CODE);
        e.op('i32.const', -3).op('i32.eq');
        e.blk('if', null, () => {
          e.op('local.get', N).op('i32.const', 1).op('i32.add').op('local.tee', N).op('i32.const', 4096).op('i32.lt_u').br('br_if', again);
          e.op('local.get', K).op('local.get', REUSE).op('local.get', S).op('local.get', O).op('return_call', x);
        });
      });
      e.op('local.get', CODE).op('local.get', C);
      this.def(x, [ref(true, T_CONT), 'i32', STK, STK], ['i32', ref(true, T_CONT)], ['i32', ref(true, T_CONT), 'i32'], e, 'redrive');
    });
  }

  /**
   * drive(k, reuse, S, O) -> status, continuation, S', O': resume's driver (below) on the chain
   * S..O of the continuation k. Status -3: a switch put the chain S'..O' in place of this one:
   * call it again with them.
   */
  private drive(): number {
    return this.once('drive', (x) => {
      const e = new Emitter({});
      const [K, REUSE, S, O] = [0, 1, 2, 3];
      this.driver(e, S, O, 4, 5, 6, 7, 8, { k: K, flag: REUSE }, {
        tail: () => e.op('local.get', S).op('local.get', O),
        // (it goes on with the new chain 255 switches in 256: returning to redrive, which calls it
        // again, costs a return and a call per switch; a new activation now and then runs the
        // code V8 has optimized meanwhile, no on-stack replacement)
        onSwitch: () => {
          e.op('local.get', 9).op('i32.const', 1).op('i32.add').op('local.tee', 9).op('i32.const', 255).op('i32.and').op('i32.eqz');
          e.blk('if', null, () => e.op('i32.const', -3).op('ref.null', T_CONT).op('local.get', S).op('local.get', O).op('return'));
        },
      });
      this.def(
        x, [ref(true, T_CONT), 'i32', STK, STK], ['i32', ref(true, T_CONT), STK, STK],
        [ref(true, T_FRAME), ref(true, 'exn'), ref(true, T_FRAME), STK, 'i32', 'i32'], e, 'drive',
      );
    });
  }

  /**
   * The driver (docs/lowering.md): runs the saved frames of the chain S..O. The
   * running stack is S: no global holds it, as a young stack stored into a global takes V8's write
   * barrier slow path. The frames of the stack S still to run are in the local R (S.top is written
   * only when S is suspended again: one write barrier per suspension, not per frame). F: the frame
   * running, X: an exception caught from it, K: the stack that suspended; `reuse`: the resume's
   * consumed continuation and whether the new one may go into it.
   */
  private driver(
    e: Emitter, S: number, O: number, F: number, X: number, R: number, K: number, ACT: number, reuse: { k: number; flag: number },
    how: { tail: () => void; onSwitch: () => void },
  ): void {
    const g = (n: Parameters<Ctx['rtGlobal']>[0]) => this.g(n);
    const toParent = () => {
      // s = s.parent; rest = s.top
      e.op('local.get', S).op('struct.get', T_STK, S_PARENT).op('local.set', S);
      e.op('local.get', S).op('struct.get', T_STK, S_TOP).op('local.set', R);
    };
    const isOuter = () => e.op('local.get', S).op('local.get', O).op('ref.eq');
    // the driver returns: status and continuation pushed, then what `how` adds
    const done = () => {
      how.tail();
      e.op('return');
    };
    // The handler is this resume's: it returns the clause and the continuation K..S. S, its outer
    // stack, has no parent while it is suspended.
    const suspended = () => {
      e.op('local.get', S).op('ref.null', T_STK).op('struct.set', T_STK, S_PARENT);
      e.op('local.get', reuse.flag).blk('if', null, () => {
        e.op('local.get', reuse.k).op('local.get', K).op('struct.set', T_CONT, C_INNER);
        e.op('global.get', g('code')).op('local.get', reuse.k);
        done();
      });
      e.op('global.get', g('code')).op('local.get', K).op('struct.new', T_CONT);
      done();
    };
    // a reusing resume's continuation, left uncleared by emitTake, is consumed when it ends
    const release = () => e.op('local.get', reuse.flag).blk('if', null, () => {
      e.op('local.get', reuse.k).op('ref.null', T_STK).op('struct.set', T_CONT, C_INNER);
    });
    e.op('local.get', S).op('struct.get', T_STK, S_TOP).op('local.set', R);
    const L = {};
    e.open('loop', L);
    const caught = {};
    e.open('block', caught, ref(true, 'exn'));
    // the next frame, or the end of this stack
    e.op('local.get', R).op('local.tee', F).op('ref.is_null');
    e.blk('if', null, () => {
      isOuter().blk('if', null, () => {
        release();
        e.op('i32.const', -1).op('ref.null', T_CONT);
        done();
      });
      e.op('i32.const', -1).op('global.set', g('st'));
      toParent();
      e.br('br', L);
    });
    e.op('local.get', F).op('struct.get', T_FRAME, F_NEXT).op('local.set', R);
    e.tryTable({}, ref(true, T_FRAME), [{ kind: 'catch_all_ref', label: caught }]);
    e.op('local.get', F).op('ref.as_non_null').op('local.get', S).op('local.get', F).op('struct.get', T_FRAME, F_THUNK).op('call_ref', T_THUNK);
    e.end();
    e.op('local.tee', F).op('ref.is_null').op('i32.eqz');
    e.blk('if', null, () => {
      // it unwound: the thunk returned the stack's new top (the frames saved, then the rest)
      e.op('local.get', S).op('local.get', F).op('struct.set', T_STK, S_TOP);
      // the stack that suspended: S, unless the unwinding comes out of an inner resume
      e.op('global.get', g('ki')).op('local.tee', K).op('ref.is_null');
      e.open('if', {});
      e.op('local.get', S).op('local.set', K);
      e.else();
      e.op('ref.null', T_STK).op('global.set', g('ki'));
      e.end();
      // the common case inline: the handler is this resume's (code >= 0 and S is the outer stack);
      // every other case is a call (driverSlow), to keep resume small enough for V8 to inline
      // into the function that resumes (wire bytes <= --wasm-inlining-max-size, 500)
      e.op('global.get', g('code')).op('i32.const', 0).op('i32.ge_s');
      e.blk('if', null, () => {
        isOuter().blk('if', null, suspended);
      });
      e.op('local.get', S).op('local.get', O).op('local.get', K).op('call', this.driverSlow());
      e.op('local.set', O).op('local.set', S).op('local.tee', ACT);
      e.blk('if', null, () => {
        e.op('local.get', ACT).op('i32.const', 1).op('i32.eq').blk('if', null, () => {
          release();
          e.op('i32.const', -2).op('ref.null', T_CONT);
          done();
        });
        // a switch: the target chain goes on elsewhere (resume, drive)
        e.op('local.get', ACT).op('i32.const', 3).op('i32.eq').blk('if', null, () => how.onSwitch());
        e.op('local.get', S).op('struct.get', T_STK, S_TOP).op('local.set', R);
        e.br('br', L);
      });
      // (act 0: the handler is this resume's after all; emitted twice: the inline case keeps its
      // own copy, which V8 lays out better than a branch to one, measured)
      suspended();
    });
    e.br('br', L);
    e.end(); // caught
    // (a call: see driverCaught)
    e.op('local.tee', X).op('local.get', S).op('local.get', O).op('local.get', R).op('call', this.driverCaught());
    e.op('local.set', R).op('local.set', S);
    e.blk('if', null, () => {
      release();
      e.op('local.get', X).op('throw_ref');
    });
    e.br('br', L);
    e.end(); // L
    e.op('unreachable');
  }

  /**
   * driverCaught(X, S, O, R) -> out, S, R: the driver caught the exception X from a frame of the
   * stack S (R: the frames of S still to run). out 1: S was the outer stack and has no frame left,
   * X leaves the resume; else the next frame (R, of S) is re-entered in throw mode with X. Frames
   * of functions with no handler ($FrameNC) are passed over: re-entered, they would only rethrow
   * (a Wasm throw and catch each, about as much as a whole round trip: a C fiber ended by
   * unwinding it passes all its frames so). (Out of line: it keeps wasmfx:resume under V8's
   * inlining limit, and exceptions are the rare case.)
   */
  private driverCaught(): number {
    return this.once('drivercaught', (x) => {
      const e = new Emitter({});
      const [X, S, O, R] = [0, 1, 2, 3];
      const l = {};
      e.open('loop', l);
      e.op('local.get', R).op('ref.is_null');
      e.blk('if', null, () => {
        e.op('local.get', S).op('local.get', O).op('ref.eq').blk('if', null, () => {
          e.op('i32.const', 1).op('local.get', S).op('local.get', R).op('return');
        });
        e.op('local.get', S).op('struct.get', T_STK, S_PARENT).op('local.tee', S).op('struct.get', T_STK, S_TOP).op('local.set', R);
        e.br('br', l);
      });
      e.op('local.get', R).op('ref.test', { nullable: false, heap: T_FRAME_NC });
      e.blk('if', null, () => {
        e.op('local.get', R).op('struct.get', T_FRAME, F_NEXT).op('local.set', R);
        e.br('br', l);
      });
      e.end();
      e.op('i32.const', 1).op('global.set', this.g('thr')).op('local.get', X).op('global.set', this.g('exn'));
      e.op('i32.const', 0).op('local.get', S).op('local.get', R);
      this.def(x, [ref(true, 'exn'), STK, STK, ref(true, T_FRAME)], ['i32', STK, ref(true, T_FRAME)], [], e, 'drivercaught');
    });
  }

  /**
   * driverSlow(S, O, K) -> act, S, O: the driver's cases other than "the handler is this resume's"
   * after the chain S..O unwound from the stack K (code: the clause, -1 switch, -2 further out).
   * act 0: the handler is this resume's after all (code >= 0, S = O); 1: it is further out than
   * this resume (ki := K); 2: run the chain from S (its top) on, O its outer stack; 3: the same
   * after a switch.
   */
  private driverSlow(): number {
    return this.once('driverslow', (x) => {
      const e = new Emitter({});
      const g = (n: Parameters<Ctx['rtGlobal']>[0]) => this.g(n);
      const [S, O, K] = [0, 1, 2];
      const isOuter = () => e.op('local.get', S).op('local.get', O).op('ref.eq');
      const ret = (act: number) => e.op('i32.const', act).op('local.get', S).op('local.get', O).op('return');
      e.blk('loop', null, (U) => {
        e.op('global.get', g('code')).op('i32.const', -2).op('i32.ne');
        e.blk('if', null, () => {
          e.op('global.get', g('code')).op('i32.const', 0).op('i32.lt_s');
          e.blk('if', null, () => {
            // switch (code -1): the target chain takes the place of this one under the same handler
            e.op('global.get', g('swo')).op('local.get', S).op('struct.get', T_STK, S_PARENT).op('struct.set', T_STK, S_PARENT);
            e.op('global.get', g('swo')).op('local.get', S).op('struct.get', T_STK, S_HDL).op('struct.set', T_STK, S_HDL);
            isOuter().blk('if', null, () => e.op('global.get', g('swo')).op('local.set', O));
            // (S is the outer stack of the continuation switch made)
            e.op('local.get', S).op('ref.null', T_STK).op('struct.set', T_STK, S_PARENT);
            e.op('global.get', g('swi')).op('local.set', S);
            ret(3);
          });
          isOuter().blk('if', null, () => ret(0));
          // a resume inside the chain handles it: its frame gets the clause and the continuation
          e.op('global.get', g('code')).op('global.set', g('st'));
          e.op('local.get', K).op('struct.new', T_CONT).op('global.set', g('kc'));
          e.op('local.get', S).op('local.get', S).op('struct.get', T_STK, S_PARENT).op('local.set', S);
          e.op('ref.null', T_STK).op('struct.set', T_STK, S_PARENT);
          ret(2);
        });
        e.op('global.get', g('hops')).op('i32.const', 1).op('i32.sub').op('global.set', g('hops'));
        e.op('global.get', g('hops')).op('i32.eqz');
        e.blk('if', null, () => e.op('global.get', g('far')).op('global.set', g('code')));
        isOuter().blk('if', null, () => {
          e.op('local.get', K).op('global.set', g('ki'));
          ret(1);
        });
        e.op('local.get', S).op('struct.get', T_STK, S_PARENT).op('local.set', S);
        e.br('br', U);
      });
      e.op('unreachable');
      this.def(x, [STK, STK, STK], ['i32', STK, STK], [], e, 'driverslow');
    });
  }

  /**
   * find(key) -> the stack whose resume handles key (tag id * 2 + switch bit); sets code (or hops, far)
   * (how many stacks out it is), or traps.
   */
  find(): number {
    return this.once('find', (x) => {
      const e = new Emitter({});
      e.blk('block', null, (nf) => {
        e.blk('loop', null, (S) => {
          e.op('local.get', 1).op('ref.is_null').br('br_if', nf);
          e.blk('block', null, (next) => {
            e.op('local.get', 1).op('struct.get', T_STK, S_HDL).br('br_on_null', next).op('struct.get', T_HDL, H_KEYS).op('local.set', 2);
            e.op('local.get', 2).op('array.len').op('local.set', 4).op('i32.const', 0).op('local.set', 3);
            e.blk('loop', null, (A) => {
              e.op('local.get', 3).op('local.get', 4).op('i32.ge_u').br('br_if', next);
              e.op('local.get', 2).op('local.get', 3).op('array.get', T_KEYS).op('local.get', 0).op('i32.eq');
              e.blk('if', null, () => {
                e.op('local.get', 5).op('i32.eqz');
                e.open('if', {});
                e.op('local.get', 3).op('global.set', this.g('code'));
                e.else();
                e.op('local.get', 5).op('global.set', this.g('hops')).op('local.get', 3).op('global.set', this.g('far'));
                e.op('i32.const', -2).op('global.set', this.g('code'));
                e.end();
                e.op('local.get', 1).op('return');
              });
              e.op('local.get', 3).op('i32.const', 1).op('i32.add').op('local.set', 3).br('br', A);
            });
          });
          e.op('local.get', 5).op('i32.const', 1).op('i32.add').op('local.set', 5);
          e.op('local.get', 1).op('struct.get', T_STK, S_PARENT).op('local.set', 1).br('br', S);
        });
      });
      this.trap(e, WHY_UNHANDLED);
      this.def(x, ['i32', STK], [STK], [ref(true, T_KEYS), 'i32', 'i32', 'i32'], e, 'find');
    });
  }


  /**
   * Branches to `slow` unless the key in local `key` is that of the first clause of the resume
   * of the stack in local `cur` (two loads, where find costs a call and the keys' length).
   */
  private unlessOwnFirst(e: Emitter, key: number, cur: number, slow: Label): void {
    e.op('local.get', cur).br('br_on_null', slow).op('struct.get', T_STK, S_HDL).br('br_on_null', slow);
    e.op('struct.get', T_HDL, H_KEY0).op('local.get', key).op('i32.ne').br('br_if', slow);
  }

  /**
   * suspend(key): finds the handler and starts unwinding; the handler's resume site makes the
   * continuation (ki..tgt).
   */
  suspend(): number {
    const find = this.find();
    return this.once('suspend', (x) => {
      const e = new Emitter({});
      const CUR = 1;
      // the nearest handler first (a generator's: the first clause of the running stack's resume), without a call
      e.blk('block', null, (done) => {
        e.blk('block', null, (slow) => {
          this.unlessOwnFirst(e, 0, CUR, slow);
          e.op('i32.const', 0).op('global.set', this.g('code'));
          e.br('br', done);
        });
        e.op('local.get', 0).op('local.get', CUR).op('call', find).op('drop');
      });
      this.def(x, ['i32', STK], [], [], e, 'suspend');
    });
  }

  /**
   * switch(k, key, cur): the driver switches to k; the target's landing makes the continuation of
   * the current chain (from sws: Ctx.loadArrived), the last value it receives. (Set last: a trap
   * of take or find leaves sws null.)
   */
  switch(): number {
    const find = this.find();
    const take = this.take();
    return this.once('switch', (x) => {
      const e = new Emitter({});
      e.op('local.get', 0).op('call', take).op('global.set', this.g('swo')).op('global.set', this.g('swi'));
      // (the driver switches: code -1, or far -1 when the handler is further out)
      e.blk('block', null, (done) => {
        // the running stack's own resume first (a scheduler's), without a call, as suspend does
        e.blk('block', null, (slow) => {
          this.unlessOwnFirst(e, 1, 2, slow);
          e.op('i32.const', -1).op('global.set', this.g('code'));
          e.br('br', done);
        });
        e.op('local.get', 1).op('local.get', 2).op('call', find).op('local.set', 3);
        e.op('global.get', this.g('code')).op('i32.const', -2).op('i32.eq');
        e.open('if', {});
        e.op('i32.const', -1).op('global.set', this.g('far'));
        e.else();
        e.op('i32.const', -1).op('global.set', this.g('code'));
        e.end();
      });
      e.op('local.get', 2).op('global.set', this.g('sws'));
      this.def(x, [ref(true, T_CONT), 'i32', STK], [], [STK], e, 'switch');
    });
  }

  /**
   * rev(list, rest) -> the new top of a stack: an unwinding's list of saved frames (outermost
   * first, each one's next its callee, the innermost's null) reversed, innermost first, in front
   * of `rest`. (The frames are new, young objects: no write barrier takes its slow path.)
   */
  rev(): number {
    return this.once('rev', (x) => {
      const e = new Emitter({});
      e.blk('loop', null, (l) => {
        e.op('local.get', 0).op('struct.get', T_FRAME, F_NEXT).op('local.set', 2);
        e.op('local.get', 0).op('local.get', 1).op('struct.set', T_FRAME, F_NEXT);
        e.op('local.get', 0).op('local.set', 1);
        e.op('local.get', 2).op('local.tee', 0).op('ref.is_null').op('i32.eqz').br('br_if', l);
      });
      e.op('local.get', 1);
      this.def(x, [ref(true, T_FRAME), ref(true, T_FRAME)], [ref(true, T_FRAME)], [ref(true, T_FRAME)], e, 'rev');
    });
  }

  private chainT: number | undefined;
  private chainN: number | undefined;
  /** The global that counts the frames made of functions whose frames may be in a chain (instrument.ts). */
  chainCount(): number {
    this.chainN ??= this.c.addGlobal({ type: { mutable: true, type: 'i32' }, init: [I('i32.const', 0), I('end')], at: -1 });
    return this.chainN;
  }
  /**
   * $Chain {next, thunk, list, below}: frames an unwinding saved below a frame re-entered lazily
   * (`below`), kept as they were saved (outermost first, each one's next its callee), in one
   * frame on the stack that stands in for `below` too: its next is below's (instrument.ts,
   * chainParts). A subtype of $FrameNC: an exception that leaves its thunk has been taken to
   * `below` already, and passes over both (drivercaught).
   */
  chainType(): number {
    this.chainT ??= this.c.addType(frameSubType([{ mutable: false, type: ref(false, T_FRAME) }, { mutable: false, type: ref(false, T_FRAME) }], true));
    return this.chainT;
  }

  /** The frame that starts a fresh continuation of function type ft (input type index). */
  private startFrame(ft: number): { type: number; thunk: number } {
    const c = this.c;
    const fType = c.typeIdx(ft);
    // (no handler in it: an exception passes over it, drivercaught)
    const type = c.addType(frameSubType([{ mutable: false, type: { nullable: false, heap: fType } }], true));
    const thunk = this.once(`start:${ft}`, (x) => {
      const ftype = c.vm.types[ft]!.comp as CFuncType;
      const e = new Emitter({});
      this.throwIfPending(e);
      // (a switch may start it: loadArrived)
      c.loadArrived(ftype.params.map((t) => c.kind(t)), ftype.params.map((t) => c.cval(t)), e.out);
      e.op('local.get', 1).op('global.set', this.g('cur')); // (for the function's wrapper)
      e.op('local.get', 0).op('ref.cast', { nullable: false, heap: type }).op('struct.get', type, F_BASE).op('call_ref', fType);
      const rs = ftype.results.map((t) => c.cval(t));
      // it unwound: its wrapper left the list of frames saved in uf; they replace the start frame
      e.op('global.get', this.g('uf')).op('ref.is_null').op('i32.eqz');
      e.blk('if', c.bt(rs, rs), () => {
        for (let i = 0; i < rs.length; i++) e.op('drop');
        e.op('global.get', this.g('uf')).op('ref.null', T_FRAME).op('global.set', this.g('uf'));
        e.op('local.get', 0).op('struct.get', T_FRAME, F_NEXT).op('call', this.rev()).op('return');
      });
      c.store(ftype.results.map((t) => c.kind(t)), e.out);
      e.op('ref.null', T_FRAME);
      this.def(x, [ref(false, T_FRAME), STK], [ref(true, T_FRAME)], [], e, `start${ft}`, T_THUNK);
    });
    return { type, thunk };
  }

  /**
   * A frame re-entered to throw (the driver set `thr` just before re-entering it: frames are
   * re-entered one at a time): clears the flag and throws the pending exception.
   */
  throwIfPending(e: Emitter): void {
    e.op('global.get', this.g('thr'));
    e.blk('if', null, () => {
      e.op('i32.const', 0).op('global.set', this.g('thr'));
      e.op('global.get', this.g('exn')).op('throw_ref');
    });
  }

  /** cont.new $ct: (ref null $ft) -> (ref $Cont). */
  contNew(ct: number): number {
    const c = this.c;
    const st = c.in.types.flatMap((g) => g.types)[ct]!.comp;
    if (st.kind !== 'cont') throw new LowerError('internal: cont.new of a non-continuation type');
    const ft = st.type;
    return this.once(`contnew:${ft}`, (x) => {
      const { type, thunk } = this.startFrame(ft);
      const e = new Emitter({});
      e.op('local.get', 0).op('ref.is_null').blk('if', null, () => this.trap(e, WHY_NULL_FUNC));
      e.op('ref.null', T_FRAME).push(c.refFunc(thunk)).op('local.get', 0).op('ref.as_non_null').op('struct.new', type);
      e.op('ref.null', T_STK).op('ref.null', T_HDL).op('struct.new', T_STK);
      e.op('struct.new', T_CONT);
      this.def(x, [{ nullable: true, heap: c.typeIdx(ft) }], [ref(false, T_CONT)], [], e, `contnew${ft}`);
    });
  }

  /** cont.bind $ct1 $ct2: [bound* (ref null $Cont)] -> (ref $Cont). */
  contBind(ct1: number, ct2: number): number {
    const c = this.c;
    const f1 = (c.vm.types[ct1]!.comp as { type: { comp: CFuncType } }).type.comp;
    const f2 = (c.vm.types[ct2]!.comp as { type: { comp: CFuncType } }).type.comp;
    const nb = f1.params.length - f2.params.length;
    const bound: CValType[] = f1.params.slice(0, nb);
    const rest: CValType[] = f1.params.slice(nb);
    const key = `bind:${ct1}:${ct2}`;
    return this.once(key, (x) => {
      const take = this.take();
      const bt = bound.map((t) => c.cval(t));
      const e = new Emitter({});
      if (nb === 0) {
        e.op('local.get', 0).op('call', take).op('drop').op('struct.new', T_CONT);
        this.def(x, [ref(true, T_CONT)], [ref(false, T_CONT)], [], e, `bind${ct1}_${ct2}`);
        return;
      }
      const type = c.addType(frameSubType(bt.map((t) => ({ mutable: false, type: nullable(t) })), true));
      const thunk = this.bindThunk(type, bound, rest, key);
      // params: bound..., k; locals: inner, outer, frame
      const k = nb;
      e.op('local.get', k).op('call', take).op('local.set', nb + 2).op('local.set', nb + 1);
      e.op('local.get', nb + 1).op('struct.get', T_STK, S_TOP).push(c.refFunc(thunk));
      for (let i = 0; i < nb; i++) e.op('local.get', i);
      e.op('struct.new', type).op('local.set', nb + 3);
      e.op('local.get', nb + 1).op('local.get', nb + 3).op('struct.set', T_STK, S_TOP);
      e.op('local.get', nb + 1).op('struct.new', T_CONT);
      this.def(x, [...bt, ref(true, T_CONT)], [ref(false, T_CONT)], [STK, STK, ref(true, type)], e, `bind${ct1}_${ct2}`);
    });
  }

  private bindThunk(type: number, bound: CValType[], rest: CValType[], key: string): number {
    const c = this.c;
    return this.once(`${key}:thunk`, (x) => {
      const e = new Emitter({});
      // an exception to raise passes through (thr stays set): the frame below raises it
      e.op('global.get', this.g('thr')).blk('if', null, () => {
        e.op('ref.null', T_FRAME).op('return');
      });
      const rt = rest.map((t) => c.cval(t));
      const locals = rt.map((t) => (typeof t === 'string' ? t : { nullable: true, heap: t.heap }));
      c.loadArrived(rest.map((t) => c.kind(t)), rt, e.out);
      for (let i = rt.length - 1; i >= 0; i--) e.op('local.set', 2 + i);
      for (let i = 0; i < bound.length; i++) {
        e.op('local.get', 0).op('ref.cast', { nullable: false, heap: type }).op('struct.get', type, F_BASE + i);
        const t = c.cval(bound[i]!);
        if (typeof t !== 'string' && !t.nullable) e.op('ref.as_non_null');
      }
      for (let i = 0; i < rt.length; i++) {
        e.op('local.get', 2 + i);
        const t = rt[i]!;
        if (typeof t !== 'string' && !t.nullable) e.op('ref.as_non_null');
      }
      c.store([...bound, ...rest].map((t) => c.kind(t)), e.out);
      e.op('ref.null', T_FRAME);
      this.def(x, [ref(false, T_FRAME), STK], [ref(true, T_FRAME)], locals, e, 'bindthunk', T_THUNK);
    });
  }
}


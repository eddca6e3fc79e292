;; fiber_switch.h on WasmFX, the part C cannot write: continuations and
;; `switch`. Merged with the C program (wasm-merge) by `wasmfx cc
;; --fiber=wasmfx`; the C side (fiber_switch.c) names continuations by table
;; slots, and keeps the shadow stacks.
(module $wasmfx_fiber_switch
  ;; a fiber's continuation takes the switch's argument and the continuation
  ;; of the fiber that switched (to put back into that fiber's slot)
  (rec
    (type $fn (func (param i32 (ref null $ct)) (result i32)))
    (type $ct (cont $fn)))
  (type $fn0 (func (result i32)))
  (type $ct0 (cont $fn0))
  (import "main" "__wasmfx_fiber_start" (func $start (param i32) (result i32)))
  (tag $switch (result i32))
  ;; fiber_switch_return: the target's slot and the argument, to the scheduler
  (tag $end (param i32 i32))
  ;; fiber_free of a suspended fiber
  (tag $cancel)
  (global $cancelling (mut i32) (i32.const 0))
  (table $conts 0 (ref null $ct))
  ;; the slot of the fiber that switched last (0: none, as after fiber_switch_return)
  (global $from (mut i32) (i32.const 0))
  (global $payload (mut i32) (i32.const 0))
  (global $target (mut i32) (i32.const 0))

  (func $body (type $fn)
    (table.set $conts (global.get $from) (local.get 1))
    (call $start (local.get 0)))
  (elem declare func $body)

  (func (export "__wasmfx_fiber_table_grow") (param $delta i32) (result i32)
    (table.grow $conts (ref.null $ct) (local.get $delta)))

  (func (export "__wasmfx_fiber_new") (param $slot i32)
    (table.set $conts (local.get $slot) (cont.new $ct (ref.func $body))))

  (func (export "__wasmfx_fiber_drop") (param $slot i32)
    (table.set $conts (local.get $slot) (ref.null $ct)))

  ;; Ends the suspended fiber in `slot`: resumes it with $cancelling set, and
  ;; its suspension point throws $cancel, which no C frame catches; its stack
  ;; unwinds, so an engine with real stacks frees it. (Not resume_throw: V8
  ;; 14.6 crashes unwinding a continuation of four frames or more that way.)
  ;; (It resumes straight from the slot, which it clears afterwards: every table.get of $conts is
  ;; consumed at once, so the lowering may refill the objects of the table, src/lower/reuse.ts.)
  (func (export "__wasmfx_fiber_cancel") (param $slot i32)
    (global.set $cancelling (i32.const 1))
    (block $done
      ;; (the clauses are never taken, a cancelled fiber throws where it would switch or end;
      ;; with them this resume handles every tag, and the lowering leaves its callers
      ;; uninstrumented)
      (block $ended (result i32 i32 (ref $ct0))
        (try_table (catch $cancel $done)
          (drop (resume $ct (on $switch switch) (on $end $ended) (i32.const 0) (ref.null $ct)
            (table.get $conts (local.get $slot)))))
        (br $done))
      (unreachable))
    (table.set $conts (local.get $slot) (ref.null $ct))
    (global.set $cancelling (i32.const 0)))

  ;; From the running fiber (in slot $self) to the one in slot $target. Returns
  ;; the argument of the switch that comes back; its source is in $from.
  (func (export "__wasmfx_fiber_switch") (param $target i32) (param $arg i32) (param $self i32) (result i32)
    (local $k (ref null $ct))
    (global.set $from (local.get $self))
    (switch $ct $switch (local.get $arg) (table.get $conts (local.get $target)))
    (if (global.get $cancelling) (then (throw $cancel)))
    (local.set $k)
    (table.set $conts (global.get $from) (local.get $k)))

  (func (export "__wasmfx_fiber_from") (result i32) (global.get $from))
  (func (export "__wasmfx_fiber_payload") (result i32) (global.get $payload))
  (func (export "__wasmfx_fiber_target") (result i32) (global.get $target))

  ;; The scheduler (fiber_main): runs the fiber in `slot`, and every fiber it
  ;; switches to, until one returns (0; its result in $payload) or ends with
  ;; fiber_switch_return (1; its target in $target, the argument in $payload).
  (func (export "__wasmfx_fiber_run") (param $slot i32) (param $arg i32) (result i32)
    (global.set $from (i32.const 0))
    (block $ended (result i32 i32 (ref $ct0))
      (global.set $payload
        (resume $ct (on $switch switch) (on $end $ended)
          (local.get $arg) (ref.null $ct) (table.get $conts (local.get $slot))))
      (return (i32.const 0)))
    (drop) ;; the ended fiber's continuation: garbage
    (global.set $payload)
    (global.set $target)
    (i32.const 1))

  (func (export "__wasmfx_fiber_end") (param $target i32) (param $arg i32)
    (suspend $end (local.get $target) (local.get $arg)))
)

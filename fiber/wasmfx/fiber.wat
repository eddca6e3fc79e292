;; fiber.h on WasmFX, the part C cannot write: continuations. Merged with the
;; C program (wasm-merge) by `wasmfx cc --fiber=wasmfx`; the C side
;; (fiber.c) names continuations by table slots.
(module $wasmfx_fiber
  (type $fn (func (param i32) (result i32)))
  (type $ct (cont $fn))
  (import "main" "__wasmfx_fiber_run" (func $run (param i32) (result i32)))
  ;; fiber_yield: the value yielded out, the value of the next resume in
  (tag $yield (param i32) (result i32))
  ;; fiber_free of a suspended fiber
  (tag $cancel)
  (global $cancelling (mut i32) (i32.const 0))
  (table $conts 0 (ref null $ct))
  (global $payload (mut i32) (i32.const 0))

  (func $body (type $fn) (call $run (local.get 0)))
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
  ;; (The continuation is resumed straight from its slot, which it leaves consumed meanwhile: a
  ;; table whose continuations are only ever resumed so lets the lowering reuse their objects,
  ;; src/lower/reuse.ts.)
  (func (export "__wasmfx_fiber_cancel") (param $slot i32)
    (global.set $cancelling (i32.const 1))
    (block $done
      ;; (the $yield clause is never taken, a cancelled fiber throws where it would yield; with
      ;; it this resume handles every tag, and the lowering leaves its callers uninstrumented)
      (block $yielded (result i32 (ref $ct))
        (try_table (catch $cancel $done)
          (drop (resume $ct (on $yield $yielded) (i32.const 0) (table.get $conts (local.get $slot)))))
        (br $done))
      (unreachable))
    (table.set $conts (local.get $slot) (ref.null $ct))
    (global.set $cancelling (i32.const 0)))

  ;; Runs the fiber in `slot` until it yields (1; the new continuation goes back
  ;; into the slot) or returns (0); the yielded or returned value is in $payload.
  (func (export "__wasmfx_fiber_resume") (param $slot i32) (param $arg i32) (result i32)
    (local $k (ref null $ct))
    (block $yielded (result i32 (ref $ct))
      (global.set $payload
        (resume $ct (on $yield $yielded) (local.get $arg) (table.get $conts (local.get $slot))))
      (table.set $conts (local.get $slot) (ref.null $ct))
      (return (i32.const 0)))
    (local.set $k)
    (global.set $payload)
    (table.set $conts (local.get $slot) (local.get $k))
    (i32.const 1))

  (func (export "__wasmfx_fiber_payload") (result i32) (global.get $payload))

  (func (export "__wasmfx_fiber_suspend") (param $v i32) (result i32)
    (local.set $v (suspend $yield (local.get $v)))
    (if (global.get $cancelling) (then (throw $cancel)))
    (local.get $v))
)

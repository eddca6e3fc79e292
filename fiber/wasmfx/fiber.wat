;; fiber.h on WasmFX, the part C cannot write: continuations. Merged with the
;; C program (wasm-merge) by `wasmfx cc --fiber=wasmfx`; the C side
;; (fiber.c) names continuations by table slots.
(module $wasmfx_fiber
  (type $fn (func (param i32) (result i32)))
  (type $ct (cont $fn))
  (import "main" "__wasmfx_fiber_run" (func $run (param i32) (result i32)))
  ;; fiber_yield: the value yielded out, the value of the next resume in
  (tag $yield (param i32) (result i32))
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
    (suspend $yield (local.get $v)))
)

;; A generator with WasmFX typed continuations: `$gen` yields 10, 9, ..., 1
;; through the `$yield` tag; `$sum` resumes it until it returns and adds up
;; what it yielded. (See ../shared/docs/stack-switching-explainer.md.)
(module $generator
  (type $ft (func))
  (type $ct (cont $ft))
  (tag $yield (param i32))

  ;; The generator body: suspends once per value.
  (func $gen
    (local $i i32)
    (local.set $i (i32.const 10))
    (loop $l
      (suspend $yield (local.get $i))
      (local.set $i (i32.sub (local.get $i) (i32.const 1)))
      (br_if $l (local.get $i))))
  (elem declare func $gen)

  ;; The consumer: the handler block receives the payload and the continuation.
  (func $sum (export "sum") (result i32)
    (local $acc i32)
    (local $k (ref null $ct))
    (local.set $k (cont.new $ct (ref.func $gen)))
    (block $done
      (loop $next
        (block $on_yield (result i32 (ref $ct))
          (resume $ct (on $yield $on_yield) (local.get $k))
          (br $done))
        (local.set $k)
        (local.set $acc (i32.add (local.get $acc)))
        (br $next)))
    (local.get $acc))
)

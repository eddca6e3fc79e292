;; 1. Suspend/resume round trips at depth 1: a generator that suspends forever
;; (`suspend $yield` with an i32 payload and an i32 reply), resumed N times by a
;; handler loop in another function. Returns the sum of the payloads.
(module
  (type $ft (func (param i32)))
  (type $ct (cont $ft))
  (tag $yield (param i32) (result i32))
  (func $gen (param $x i32)
    (loop $l
      (local.set $x (suspend $yield (i32.mul (local.get $x) (i32.const 3))))
      (br $l)))
  (elem declare func $gen)
  (func (export "run") (param $n i32) (result i32)
    (local $k (ref null $ct)) (local $i i32) (local $sum i32)
    (local.set $k (cont.new $ct (ref.func $gen)))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (block $h (result i32 (ref $ct))
          (resume $ct (on $yield $h) (local.get $i) (local.get $k))
          (unreachable))
        (local.set $k)
        (local.set $sum (i32.add (local.get $sum)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (local.get $sum)))

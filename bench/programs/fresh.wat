;; 2. A suspension D frames below the handler, those frames entered afresh for
;; every suspension: the generator calls a recursion that suspends at its
;; bottom, D frames in all counting the generator's own; the next resume
;; returns through them and the generator calls the recursion again. D is the
;; imported global "bench" "depth" (>= 2). Returns a checksum of the payloads.
(module
  (import "bench" "depth" (global $D i32))
  (type $ft (func (param i32)))
  (type $ct (cont $ft))
  (tag $yield (param i32) (result i32))
  ;; d frames of $rec: the innermost (d = 1) suspends
  (func $rec (param $x i32) (param $d i32) (result i32)
    (if (result i32) (i32.le_u (local.get $d) (i32.const 1))
      (then (suspend $yield (local.get $x)))
      (else (i32.add (call $rec (i32.add (local.get $x) (i32.const 1)) (i32.sub (local.get $d) (i32.const 1)))
                     (i32.const 1)))))
  (func $gen (param $x i32)
    (loop $l
      (local.set $x (call $rec (local.get $x) (i32.sub (global.get $D) (i32.const 1))))
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
        (local.set $sum (i32.xor (i32.mul (local.get $sum) (i32.const 31))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (local.get $sum)))

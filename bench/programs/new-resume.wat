;; 5. A fresh continuation run to completion, N times: `cont.new` and a
;; `resume` of a function that returns without suspending (the handler is
;; never used). Returns the sum of the results.
(module
  (type $ft (func (param i32) (result i32)))
  (type $ct (cont $ft))
  (tag $yield (param i32) (result i32))
  (func $body (param $x i32) (result i32)
    (i32.add (i32.mul (local.get $x) (i32.const 3)) (i32.const 1)))
  (elem declare func $body)
  (func (export "run") (param $n i32) (result i32)
    (local $i i32) (local $sum i32)
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (block $h (result i32 (ref $ct))
          (local.set $sum (i32.add (local.get $sum)
            (resume $ct (on $yield $h) (local.get $i) (cont.new $ct (ref.func $body)))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $l))
        (unreachable)))
    (local.get $sum)))

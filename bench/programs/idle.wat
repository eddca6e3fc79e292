;; 6. N idle continuations: each is a fresh one-frame generator resumed once,
;; which suspends at once; the handler keeps the suspended continuation in a
;; GC array held by a global (so all N stay alive). Returns the sum of the
;; payloads. `clear` drops them.
(module
  (type $ft (func (param i32)))
  (type $ct (cont $ft))
  (type $arr (array (mut (ref null $ct))))
  (tag $yield (param i32) (result i32))
  (global $keep (mut (ref null $arr)) (ref.null $arr))
  (func $gen (param $x i32)
    (local $y i32)
    (local.set $y (suspend $yield (i32.add (local.get $x) (i32.const 1))))
    (drop (suspend $yield (i32.add (local.get $x) (local.get $y)))))
  (elem declare func $gen)
  (func (export "run") (param $n i32) (result i32)
    (local $a (ref $arr)) (local $i i32) (local $sum i32) (local $k (ref null $ct))
    (local.set $a (array.new_default $arr (local.get $n)))
    (global.set $keep (local.get $a))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (block $h (result i32 (ref $ct))
          (resume $ct (on $yield $h) (local.get $i) (cont.new $ct (ref.func $gen)))
          (unreachable))
        (local.set $k)
        (array.set $arr (local.get $a) (local.get $i) (local.get $k))
        (local.set $sum (i32.add (local.get $sum)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (local.get $sum))
  (func (export "clear")
    (global.set $keep (ref.null $arr))))

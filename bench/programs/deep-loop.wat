;; 3. A generator that suspends again and again from a loop D frames deep: the
;; generator recurses once until there are D frames of it (D is the imported
;; global "bench" "depth"), then the loop in the innermost frame suspends
;; forever. With D = 1 this is roundtrip.wat. Returns the sum of the payloads.
(module
  (import "bench" "depth" (global $D i32))
  (type $ft (func (param i32)))
  (type $ct (cont $ft))
  (tag $yield (param i32) (result i32))
  (global $rem (mut i32) (i32.const 0))
  (func $gen (param $x i32)
    (if (global.get $rem)
      (then
        (global.set $rem (i32.sub (global.get $rem) (i32.const 1)))
        (call $gen (local.get $x))
        (return)))
    (loop $l
      (local.set $x (suspend $yield (i32.mul (local.get $x) (i32.const 3))))
      (br $l)))
  (elem declare func $gen)
  (func (export "run") (param $n i32) (result i32)
    (local $k (ref null $ct)) (local $i i32) (local $sum i32)
    (global.set $rem (i32.sub (global.get $D) (i32.const 1)))
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

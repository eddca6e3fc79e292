;; 4. Symmetric switching: two continuations of the same function hand control
;; to each other with `switch` (the resume installs an `(on $sw switch)`
;; handler), passing a counter; N switches in all, then the running one
;; returns the counter. Returns N.
(module
  (rec
    (type $ft (func (param i32 (ref null $ct)) (result i32)))
    (type $ct (cont $ft)))
  (tag $sw (result i32))
  (global $n (mut i32) (i32.const 0))
  (func $player (type $ft) (param $x i32) (param $other (ref null $ct)) (result i32)
    (loop $l
      (if (i32.ge_u (local.get $x) (global.get $n)) (then (return (local.get $x))))
      (switch $ct $sw (i32.add (local.get $x) (i32.const 1)) (local.get $other))
      (local.set $other)
      (local.set $x)
      (br $l))
    (unreachable))
  (elem declare func $player)
  (func (export "run") (param $n i32) (result i32)
    (global.set $n (local.get $n))
    (resume $ct (on $sw switch)
      (i32.const 0)
      (cont.new $ct (ref.func $player))
      (cont.new $ct (ref.func $player)))))

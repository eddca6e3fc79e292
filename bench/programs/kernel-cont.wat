;; 7. The kernel of kernel-plain.wat (a recursive fib(N), never suspending) in
;; a module that also uses stack switching: a generator, resumed by `gen`.
(module
  (type $ft (func (param i32)))
  (type $ct (cont $ft))
  (tag $yield (param i32) (result i32))
  (func $fib (param $n i32) (result i32)
    (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
      (then (local.get $n))
      (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1)))
                     (call $fib (i32.sub (local.get $n) (i32.const 2)))))))
  (func (export "run") (param $n i32) (result i32)
    (call $fib (local.get $n)))
  (func $gen (param $x i32)
    (loop $l
      (local.set $x (suspend $yield (call $fib (local.get $x))))
      (br $l)))
  (elem declare func $gen)
  (func (export "gen") (param $n i32) (result i32)
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

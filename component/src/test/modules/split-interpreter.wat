;; A bytecode interpreter shaped like the JavaScript engine's dispatch loop (a loop around a br_table over
;; nested blocks), for FunctionSplitterTest: run with small thresholds, FunctionSplitter outlines its
;; cases into helpers, and the test checks the split module computes exactly what this one does.
;; The program is 2-byte instructions (op, operand) from address 0; state is written from address 1024.
(module
  (memory (export "memory") 1)
  (func $mix (param $x i64) (result i64)
    (i64.xor (i64.mul (local.get $x) (i64.const 0x9E3779B97F4A7C15)) (i64.shr_u (local.get $x) (i64.const 29))))

  ;; Runs at most $steps instructions from $pc; answers an i32 made from the state. Exits three ways:
  ;; `return` from inside a case (op 5), a branch carrying a value to an outer typed block (op 6), and the
  ;; step budget running out (falls out of the loop).
  (func (export "run") (param $pc i32) (param $steps i32) (result i32)
    (local $op i32) (local $arg i32) (local $acc i64) (local $f f64) (local $i i32) (local $g f32)
    (local.set $f (f64.const 1))
    (block $done (result i32)
      (loop $dispatch
        (br_if 1 (i32.const -1) (i32.eqz (local.get $steps)))
        (local.set $steps (i32.sub (local.get $steps) (i32.const 1)))
        (local.set $op (i32.load8_u (local.get $pc)))
        (local.set $arg (i32.load8_u offset=1 (local.get $pc)))
        (local.set $pc (i32.and (i32.add (local.get $pc) (i32.const 2)) (i32.const 127)))
        (block $op7 (block $op6 (block $op5 (block $op4 (block $op3 (block $op2 (block $op1 (block $op0
          (br_table $op0 $op1 $op2 $op3 $op4 $op5 $op6 $op7 (i32.and (local.get $op) (i32.const 7))))
          ;; 0: add
          (local.set $acc (i64.add (local.get $acc) (i64.extend_i32_u (local.get $arg))))
          (local.set $g (f32.add (local.get $g) (f32.convert_i32_u (local.get $arg))))
          (br $dispatch))
          ;; 1: multiply, and fold into $f
          (local.set $acc (i64.mul (local.get $acc) (i64.extend_i32_u (i32.add (local.get $arg) (i32.const 1)))))
          (local.set $f (f64.add (f64.mul (local.get $f) (f64.const 1.5)) (f64.convert_i64_s (local.get $acc))))
          (if (f64.gt (f64.abs (local.get $f)) (f64.const 1e300)) (then (local.set $f (f64.const 1))))
          (br $dispatch))
          ;; 2: jump when $acc is odd
          (if (i32.wrap_i64 (i64.and (local.get $acc) (i64.const 1)))
            (then (local.set $pc (i32.and (i32.shl (local.get $arg) (i32.const 1)) (i32.const 127)))))
          (br $dispatch))
          ;; 3: store $acc
          (i64.store offset=1024 (i32.shl (i32.and (local.get $arg) (i32.const 31)) (i32.const 3)) (local.get $acc))
          (br $dispatch))
          ;; 4: load, xor, mix
          (local.set $acc (call $mix (i64.xor (local.get $acc)
            (i64.load offset=1024 (i32.shl (i32.and (local.get $arg) (i32.const 31)) (i32.const 3))))))
          (br $dispatch))
          ;; 5: return from inside the case when the operand says so
          (if (i32.eq (local.get $arg) (i32.const 255))
            (then (return (i32.add (i32.wrap_i64 (local.get $acc)) (i32.const 5)))))
          (local.set $acc (i64.rotl (local.get $acc) (i64.extend_i32_u (local.get $arg))))
          (br $dispatch))
          ;; 6: leave the loop with a value when $acc is large
          (drop (br_if $done (i32.wrap_i64 (i64.shr_u (local.get $acc) (i64.const 32)))
                             (i64.gt_u (local.get $acc) (i64.const 0xFFFFFFFFFF))))
          (local.set $acc (i64.sub (local.get $acc) (i64.extend_i32_u (local.get $arg))))
          (br $dispatch))
        ;; 7: an inner loop, nested blocks with results
        (local.set $i (i32.and (local.get $arg) (i32.const 3)))
        (block $inner
          (loop $again
            (br_if $inner (i32.eqz (local.get $i)))
            (local.set $acc (block (result i64)
              (drop (br_if 0 (i64.const 7) (i32.eq (local.get $i) (i32.const 2))))
              (i64.add (i64.rotl (local.get $acc) (i64.const 3)) (i64.extend_i32_u (local.get $i)))))
            (local.set $i (i32.sub (local.get $i) (i32.const 1)))
            (br $again)))
        (br $dispatch))
      unreachable)
    ;; $done's value
    (i64.store offset=1024 (i32.const 256) (local.get $acc))
    (f64.store offset=1024 (i32.const 264) (local.get $f))
    (f32.store offset=1024 (i32.const 272) (local.get $g)))

  ;; The same without a result: `return` inside a case leaves a void function.
  (func (export "run_void") (param $pc i32) (param $steps i32)
    (local $op i32) (local $acc i64)
    (loop $dispatch
      (if (i32.eqz (local.get $steps)) (then (return)))
      (local.set $steps (i32.sub (local.get $steps) (i32.const 1)))
      (local.set $op (i32.load8_u (local.get $pc)))
      (local.set $pc (i32.and (i32.add (local.get $pc) (i32.const 2)) (i32.const 127)))
      (block $b (block $a
        (br_table $a $b (i32.and (local.get $op) (i32.const 1))))
        (local.set $acc (call $mix (i64.add (local.get $acc) (i64.extend_i32_u (local.get $op)))))
        (i64.store offset=2048 (i32.const 0) (local.get $acc))
        (br $dispatch))
      (if (i32.eq (local.get $op) (i32.const 255)) (then (return)))
      (local.set $acc (i64.xor (local.get $acc) (i64.const 0x5555)))
      (i64.store offset=2048 (i32.const 8) (local.get $acc))
      (br $dispatch)))
)

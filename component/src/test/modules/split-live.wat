;; For FunctionSplitterTest: a dispatch loop over 32 locals of four types that stay live across it, with the
;; module's own globals in use (one imported, one defined). Outlined whole, the loop has more live locals
;; than FunctionSplitter.MAX_PARAMS, so the rest must go through the spill-slot globals the split adds after
;; these two; outlined case by case, each case's written locals must come back out, and $r (set at the top
;; of the loop, so dead there) only where case 3 leaves for $done with it. Program as in split-interpreter.wat:
;; 2-byte instructions (op, operand) from address 0.
(module
  (import "env" "seed" (global $seed i32))
  (global $count (mut i32) (i32.const 0))
  (memory (export "memory") 1)
  (func (export "count") (result i32) (global.get $count))
  (func (export "run") (param $pc i32) (param $steps i32) (result i64)
    (local $a0 i32) (local $a1 i32) (local $a2 i32) (local $a3 i32) (local $a4 i32) (local $a5 i32) (local $a6 i32) (local $a7 i32) (local $a8 i32) (local $a9 i32) (local $a10 i32) (local $a11 i32) (local $op i32) (local $arg i32) (local $t i32) (local $r i64)
    (local $b0 i64) (local $b1 i64) (local $b2 i64) (local $b3 i64) (local $b4 i64) (local $b5 i64) (local $b6 i64) (local $b7 i64) (local $b8 i64) (local $b9 i64)
    (local $c0 f64) (local $c1 f64) (local $c2 f64) (local $c3 f64) (local $c4 f64) (local $c5 f64) (local $d0 f32) (local $d1 f32) (local $d2 f32) (local $d3 f32)
    (block $done
      (loop $dispatch
        (local.set $r (i64.const -1))
        (br_if $done (i32.eqz (local.get $steps)))
        (local.set $steps (i32.sub (local.get $steps) (i32.const 1)))
        (local.set $op (i32.load8_u (local.get $pc)))
        (local.set $arg (i32.load8_u offset=1 (local.get $pc)))
        (local.set $pc (i32.and (i32.add (local.get $pc) (i32.const 2)) (i32.const 127)))
        (block $op7 (block $op6 (block $op5 (block $op4 (block $op3 (block $op2 (block $op1 (block $op0
          (br_table $op0 $op1 $op2 $op3 $op4 $op5 $op6 $op7 (i32.and (local.get $op) (i32.const 7))))
          ;; 0
          (local.set $t (i32.mul (local.get $a0) (i32.const 3)))  ;; $t: dead after the case
          (local.set $a0 (i32.add (i32.add (local.get $a0) (i32.mul (local.get $a1) (i32.add (local.get $arg) (i32.const 1)))) (global.get $seed)))
          (local.set $a7 (i32.xor (local.get $a7) (local.get $t)))
          (local.set $b0 (i64.rotl (i64.xor (local.get $b0) (i64.extend_i32_u (local.get $a3))) (i64.const 1)))
          (local.set $c0 (f64.add (f64.mul (local.get $c0) (f64.const 0.5)) (f64.convert_i32_s (local.get $a5))))
          (local.set $d0 (f32.add (f32.mul (local.get $d0) (f32.const 0.5)) (f32.convert_i32_u (local.get $arg))))
          (global.set $count (i32.add (global.get $count) (i32.const 1)))
          (br $dispatch))
          ;; 1
          (local.set $t (i32.mul (local.get $a1) (i32.const 3)))  ;; $t: dead after the case
          (local.set $a1 (i32.add (i32.add (local.get $a1) (i32.mul (local.get $a2) (i32.add (local.get $arg) (i32.const 1)))) (global.get $seed)))
          (local.set $a8 (i32.xor (local.get $a8) (local.get $t)))
          (local.set $b1 (i64.rotl (i64.xor (local.get $b1) (i64.extend_i32_u (local.get $a4))) (i64.const 2)))
          (local.set $c1 (f64.add (f64.mul (local.get $c1) (f64.const 0.5)) (f64.convert_i32_s (local.get $a6))))
          (local.set $d1 (f32.add (f32.mul (local.get $d1) (f32.const 0.5)) (f32.convert_i32_u (local.get $arg))))
          (global.set $count (i32.add (global.get $count) (i32.const 1)))
          (br $dispatch))
          ;; 2
          (local.set $t (i32.mul (local.get $a2) (i32.const 3)))  ;; $t: dead after the case
          (local.set $a2 (i32.add (i32.add (local.get $a2) (i32.mul (local.get $a3) (i32.add (local.get $arg) (i32.const 1)))) (global.get $seed)))
          (local.set $a9 (i32.xor (local.get $a9) (local.get $t)))
          (local.set $b2 (i64.rotl (i64.xor (local.get $b2) (i64.extend_i32_u (local.get $a5))) (i64.const 3)))
          (local.set $c2 (f64.add (f64.mul (local.get $c2) (f64.const 0.5)) (f64.convert_i32_s (local.get $a7))))
          (local.set $d2 (f32.add (f32.mul (local.get $d2) (f32.const 0.5)) (f32.convert_i32_u (local.get $arg))))
          (global.set $count (i32.add (global.get $count) (i32.const 1)))
          (br $dispatch))
          ;; 3: leaves the loop with $r now and then
          (local.set $r (i64.extend_i32_u (local.get $a3)))
          (br_if $done (i32.ge_u (local.get $arg) (i32.const 253)))
          (local.set $t (i32.mul (local.get $a3) (i32.const 3)))  ;; $t: dead after the case
          (local.set $a3 (i32.add (i32.add (local.get $a3) (i32.mul (local.get $a4) (i32.add (local.get $arg) (i32.const 1)))) (global.get $seed)))
          (local.set $a10 (i32.xor (local.get $a10) (local.get $t)))
          (local.set $b3 (i64.rotl (i64.xor (local.get $b3) (i64.extend_i32_u (local.get $a6))) (i64.const 4)))
          (local.set $c3 (f64.add (f64.mul (local.get $c3) (f64.const 0.5)) (f64.convert_i32_s (local.get $a8))))
          (local.set $d3 (f32.add (f32.mul (local.get $d3) (f32.const 0.5)) (f32.convert_i32_u (local.get $arg))))
          (global.set $count (i32.add (global.get $count) (i32.const 1)))
          (br $dispatch))
          ;; 4
          (local.set $t (i32.mul (local.get $a4) (i32.const 3)))  ;; $t: dead after the case
          (local.set $a4 (i32.add (i32.add (local.get $a4) (i32.mul (local.get $a5) (i32.add (local.get $arg) (i32.const 1)))) (global.get $seed)))
          (local.set $a11 (i32.xor (local.get $a11) (local.get $t)))
          (local.set $b4 (i64.rotl (i64.xor (local.get $b4) (i64.extend_i32_u (local.get $a7))) (i64.const 5)))
          (local.set $c4 (f64.add (f64.mul (local.get $c4) (f64.const 0.5)) (f64.convert_i32_s (local.get $a9))))
          (local.set $d0 (f32.add (f32.mul (local.get $d0) (f32.const 0.5)) (f32.convert_i32_u (local.get $arg))))
          (global.set $count (i32.add (global.get $count) (i32.const 1)))
          (br $dispatch))
          ;; 5
          (local.set $t (i32.mul (local.get $a5) (i32.const 3)))  ;; $t: dead after the case
          (local.set $a5 (i32.add (i32.add (local.get $a5) (i32.mul (local.get $a6) (i32.add (local.get $arg) (i32.const 1)))) (global.get $seed)))
          (local.set $a0 (i32.xor (local.get $a0) (local.get $t)))
          (local.set $b5 (i64.rotl (i64.xor (local.get $b5) (i64.extend_i32_u (local.get $a8))) (i64.const 6)))
          (local.set $c5 (f64.add (f64.mul (local.get $c5) (f64.const 0.5)) (f64.convert_i32_s (local.get $a10))))
          (local.set $d1 (f32.add (f32.mul (local.get $d1) (f32.const 0.5)) (f32.convert_i32_u (local.get $arg))))
          (global.set $count (i32.add (global.get $count) (i32.const 1)))
          (br $dispatch))
          ;; 6
          (local.set $t (i32.mul (local.get $a6) (i32.const 3)))  ;; $t: dead after the case
          (local.set $a6 (i32.add (i32.add (local.get $a6) (i32.mul (local.get $a7) (i32.add (local.get $arg) (i32.const 1)))) (global.get $seed)))
          (local.set $a1 (i32.xor (local.get $a1) (local.get $t)))
          (local.set $b6 (i64.rotl (i64.xor (local.get $b6) (i64.extend_i32_u (local.get $a9))) (i64.const 7)))
          (local.set $c0 (f64.add (f64.mul (local.get $c0) (f64.const 0.5)) (f64.convert_i32_s (local.get $a11))))
          (local.set $d2 (f32.add (f32.mul (local.get $d2) (f32.const 0.5)) (f32.convert_i32_u (local.get $arg))))
          (global.set $count (i32.add (global.get $count) (i32.const 1)))
          (br $dispatch))
          ;; 7: return the state so far when the operand says so
          (if (i32.eq (local.get $arg) (i32.const 255)) (then (return (i64.extend_i32_u (global.get $count)))))
          (local.set $t (i32.mul (local.get $a7) (i32.const 3)))  ;; $t: dead after the case
          (local.set $a7 (i32.add (i32.add (local.get $a7) (i32.mul (local.get $a8) (i32.add (local.get $arg) (i32.const 1)))) (global.get $seed)))
          (local.set $a2 (i32.xor (local.get $a2) (local.get $t)))
          (local.set $b7 (i64.rotl (i64.xor (local.get $b7) (i64.extend_i32_u (local.get $a10))) (i64.const 8)))
          (local.set $c1 (f64.add (f64.mul (local.get $c1) (f64.const 0.5)) (f64.convert_i32_s (local.get $a0))))
          (local.set $d3 (f32.add (f32.mul (local.get $d3) (f32.const 0.5)) (f32.convert_i32_u (local.get $arg))))
          (global.set $count (i32.add (global.get $count) (i32.const 1)))
          (br $dispatch)
        unreachable))
    ;; every local is read here, so all are live across the loop
    (i64.xor (local.get $r) (i64.add (i64.mul (i64.add (i64.mul (i64.add (i64.mul (i64.add (i64.mul (i64.add (i64.mul (i64.add (i64.mul (i64.add (i64.mul (i64.add (i64.mul (i64.add (i64.mul (i64.add (i64.mul (i64.add (i64.mul (i64.add (i64.mul (i64.add (i64.mul (i64.add (i64.mul (i64.add (i64.mul (i64.add (i64.mul (i64.add (i64.mul (i64.add (i64.mul (i64.add (i64.mul (i64.add (i64.mul (i64.add (i64.mul (i64.add (i64.mul (i64.add (i64.mul (i64.add (i64.mul (i64.add (i64.mul (i64.add (i64.mul (i64.add (i64.mul (i64.add (i64.mul (i64.add (i64.mul (i64.add (i64.mul (i64.add (i64.mul (i64.add (i64.mul (i64.const 0) (i64.const 31)) (i64.extend_i32_u (local.get $a0))) (i64.const 31)) (i64.extend_i32_u (local.get $a1))) (i64.const 31)) (i64.extend_i32_u (local.get $a2))) (i64.const 31)) (i64.extend_i32_u (local.get $a3))) (i64.const 31)) (i64.extend_i32_u (local.get $a4))) (i64.const 31)) (i64.extend_i32_u (local.get $a5))) (i64.const 31)) (i64.extend_i32_u (local.get $a6))) (i64.const 31)) (i64.extend_i32_u (local.get $a7))) (i64.const 31)) (i64.extend_i32_u (local.get $a8))) (i64.const 31)) (i64.extend_i32_u (local.get $a9))) (i64.const 31)) (i64.extend_i32_u (local.get $a10))) (i64.const 31)) (i64.extend_i32_u (local.get $a11))) (i64.const 31)) (local.get $b0)) (i64.const 31)) (local.get $b1)) (i64.const 31)) (local.get $b2)) (i64.const 31)) (local.get $b3)) (i64.const 31)) (local.get $b4)) (i64.const 31)) (local.get $b5)) (i64.const 31)) (local.get $b6)) (i64.const 31)) (local.get $b7)) (i64.const 31)) (local.get $b8)) (i64.const 31)) (local.get $b9)) (i64.const 31)) (i64.trunc_f64_s (local.get $c0))) (i64.const 31)) (i64.trunc_f64_s (local.get $c1))) (i64.const 31)) (i64.trunc_f64_s (local.get $c2))) (i64.const 31)) (i64.trunc_f64_s (local.get $c3))) (i64.const 31)) (i64.trunc_f64_s (local.get $c4))) (i64.const 31)) (i64.trunc_f64_s (local.get $c5))) (i64.const 31)) (i64.trunc_f32_s (local.get $d0))) (i64.const 31)) (i64.trunc_f32_s (local.get $d1))) (i64.const 31)) (i64.trunc_f32_s (local.get $d2))) (i64.const 31)) (i64.trunc_f32_s (local.get $d3)))))
)

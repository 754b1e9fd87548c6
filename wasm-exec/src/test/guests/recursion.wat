;; Unbounded recursion: exhausts the call stack (a trap, not a dead worker).
(module
  (memory (export "memory") 1)
  (func $down (param $n i32) (result i32)
    (i32.add (call $down (i32.add (local.get $n) (i32.const 1))) (i32.const 1)))
  (func (export "edge_alloc") (param i32) (result i32) (i32.const 0))
  (func (export "edge_http_handle") (result i32) (call $down (i32.const 0))))

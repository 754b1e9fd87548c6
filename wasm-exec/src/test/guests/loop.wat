;; Never returns: the deadline watchdog must interrupt it.
(module
  (memory (export "memory") 1)
  (global $spins (mut i64) (i64.const 0))
  (func (export "edge_alloc") (param i32) (result i32) (i32.const 0))
  (func (export "edge_http_handle") (result i32)
    (loop $forever
      (global.set $spins (i64.add (global.get $spins) (i64.const 1)))
      (br $forever))
    (i32.const 0)))

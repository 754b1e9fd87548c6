;; A valid module that lacks edge_http_handle: loading it must fail with a clear message.
(module
  (memory (export "memory") 1)
  (func (export "edge_alloc") (param i32) (result i32) (i32.const 0)))

;; The cheapest possible handler (200, empty body): measures the executor's own per-request cost.
(module
  (memory (export "memory") 1)
  (func (export "edge_alloc") (param i32) (result i32) (i32.const 0))
  (func (export "edge_http_handle") (result i32) (i32.const 0)))

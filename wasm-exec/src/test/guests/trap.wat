;; Traps on every request (unreachable): the executor must answer 500 and keep serving.
(module
  (memory (export "memory") 1)
  (func (export "edge_alloc") (param i32) (result i32) (i32.const 0))
  (func (export "edge_http_handle") (result i32) unreachable))

;; A "WAGI" module whose _start takes a parameter: the WAGI executor must refuse it at load.
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start") (param i32) (call $exit (local.get 0))))

;; The linking shape componentize-js and wit-component emit: the main module's imports of lowered host
;; functions go through a shim module's table, because canon lower needs the main module's memory and
;; realloc, which only exist once it is instantiated; a fix-up module then fills the table.
;; Used by ComponentRuntimeTest. Built by scripts/build-wasm.sh (jco parse).
(component
  (import "test:host/log@0.1.0" (instance $host
    (export "log" (func (param "msg" string)))
  ))

  (core module $Shim
    (type $log-t (func (param i32 i32)))
    (table (export "$imports") 1 1 funcref)
    (func (export "0") (param i32 i32)
      (call_indirect (type $log-t) (local.get 0) (local.get 1) (i32.const 0))))
  (core instance $shim (instantiate $Shim))

  (core module $Main
    (import "host" "log" (func $log (param i32 i32)))
    (memory (export "memory") 1)
    (global $bump (mut i32) (i32.const 1024))
    (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
      (local $p i32)
      (local.set $p (global.get $bump))
      (global.set $bump (i32.add (global.get $bump) (local.get 3)))
      (local.get $p))
    ;; run(msg): logs msg twice
    (func (export "run") (param i32 i32)
      (call $log (local.get 0) (local.get 1))
      (call $log (local.get 0) (local.get 1))))
  (alias core export $shim "0" (core func $log-shim))
  (core instance $host-shim (export "log" (func $log-shim)))
  (core instance $main (instantiate $Main (with "host" (instance $host-shim))))
  (alias core export $main "memory" (core memory $memory))
  (alias core export $main "cabi_realloc" (core func $realloc))

  (core func $log (canon lower (func $host "log") (memory $memory) string-encoding=utf8))
  (alias core export $shim "$imports" (core table $table))
  (core module $Fixup
    (type $log-t (func (param i32 i32)))
    (import "" "0" (func $log (type $log-t)))
    (import "" "$imports" (table 1 1 funcref))
    (elem (i32.const 0) func $log))
  (core instance $fixup-args (export "0" (func $log)) (export "$imports" (table $table)))
  (core instance (instantiate $Fixup (with "" (instance $fixup-args))))

  (func $run (param "msg" string) (canon lift (core func $main "run") (memory $memory) (realloc $realloc)))
  (export "run" (func $run))
)

;; A component whose answer depends on everything a call leaves behind in its core instance: a mutable
;; global, a memory cell, a table slot, the memory's size and the content of a grown page, and a passive
;; data and element segment that the call uses once and drops (a second use traps). A fresh instance
;; answers 1011 to its first call; an instance reset to its state as instantiated must too.
;; Used by InstancePoolTest. Built by scripts/build-wasm.sh (jco parse).
(component
  (core module $M
    (memory (export "memory") 1)
    (global $calls (mut i32) (i32.const 0))
    (table $t 2 funcref)
    (func $one (result i32) (i32.const 1))
    (data $d "\2a")
    (elem $e func $one)
    (func (export "count") (result i32)
      (local $r i32)
      ;; 1 per call so far, from a global
      (global.set $calls (i32.add (global.get $calls) (i32.const 1)))
      (local.set $r (global.get $calls))
      ;; 10 per call so far, from a memory cell
      (i32.store (i32.const 16) (i32.add (i32.load (i32.const 16)) (i32.const 1)))
      (local.set $r (i32.add (local.get $r) (i32.mul (i32.load (i32.const 16)) (i32.const 10))))
      ;; 100 if table slot 1 was set by an earlier call
      (if (i32.eqz (ref.is_null (table.get $t (i32.const 1))))
        (then (local.set $r (i32.add (local.get $r) (i32.const 100)))))
      (table.set $t (i32.const 1) (ref.func $one))
      ;; 1000 per page before growing by one
      (local.set $r (i32.add (local.get $r) (i32.mul (memory.size) (i32.const 1000))))
      (drop (memory.grow (i32.const 1)))
      ;; 10000 if the page just grown is not zero
      (if (i32.load (i32.const 65536))
        (then (local.set $r (i32.add (local.get $r) (i32.const 10000)))))
      (i32.store (i32.const 65536) (i32.const 7))
      ;; passive segments, dropped after use: the second call of an instance traps here
      (memory.init $d (i32.const 32) (i32.const 0) (i32.const 1))
      (data.drop $d)
      (table.init $t $e (i32.const 0) (i32.const 0) (i32.const 1))
      (elem.drop $e)
      (local.get $r))
    (func (export "trap") (unreachable))
    (elem declare func $one))
  (core instance $m (instantiate $M))
  (func (export "count") (result u32) (canon lift (core func $m "count")))
  (func (export "trap") (canon lift (core func $m "trap")))
)

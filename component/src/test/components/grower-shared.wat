;; grower.wat with a shared (threads) memory: "grow" asks memory.grow for n pages and answers what it returned
;; (the previous size, or -1 when refused); "wait" is memory.atomic.wait32 on address 0 expecting 1 (it holds 0),
;; so it answers 1 ("not-equal") at once on a shared memory, and traps on a memory that is not shared.
;; A shared memory is budgeted by wasm-exec's SharedBudgetedMemory, not by the pooled ResettableMemory, and its
;; component is never pooled. Used by ComponentMemoryBudgetTest. Built by scripts/build-wasm.sh (jco parse).
(component
  (core module $M
    (memory (export "memory") 1 256 shared)
    (func (export "grow") (param i32) (result i32)
      (memory.grow (local.get 0)))
    (func (export "wait") (result i32)
      (memory.atomic.wait32 (i32.const 0) (i32.const 1) (i64.const 0))))
  (core instance $m (instantiate $M))
  (func (export "grow") (param "pages" u32) (result s32) (canon lift (core func $m "grow")))
  (func (export "wait") (result s32) (canon lift (core func $m "wait")))
)

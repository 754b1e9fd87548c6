;; A component whose memory grows on demand: "grow" asks memory.grow for n pages and answers what it
;; returned (the previous size, or -1 when refused), "trap" grows by one page and then traps.
;; Used by ComponentMemoryBudgetTest. Built by scripts/build-wasm.sh (jco parse).
(component
  (core module $M
    (memory (export "memory") 1)
    (func (export "grow") (param i32) (result i32)
      (memory.grow (local.get 0)))
    (func (export "trap")
      (drop (memory.grow (i32.const 1)))
      (unreachable)))
  (core instance $m (instantiate $M))
  (func (export "grow") (param "pages" u32) (result s32) (canon lift (core func $m "grow")))
  (func (export "trap") (canon lift (core func $m "trap")))
)

;; A test component for the runtime (ComponentParserTest, ComponentRuntimeTest): it imports a host
;; interface with a string function and a resource, and exports an interface whose functions pass
;; integers, strings and handles across the canonical ABI. Built by scripts/build-wasm.sh (jco parse).
(component
  (import "test:host/values@0.1.0" (instance $host
    (export $counter "counter" (type (sub resource)))
    (export "reverse" (func (param "s" string) (result string)))
    (export "[constructor]counter" (func (param "start" u32) (result (own $counter))))
    (export "[method]counter.next" (func (param "self" (borrow $counter)) (result u32)))
    ;; 17 flat values: more than MAX_FLAT_PARAMS, so the record travels through guest memory
    (type $wide (record (field "f0" u32) (field "f1" u32) (field "f2" u32) (field "f3" u32) (field "f4" u32) (field "f5" u32) (field "f6" u32) (field "f7" u32) (field "f8" u32) (field "f9" u32) (field "f10" u32) (field "f11" u32) (field "f12" u32) (field "f13" u32) (field "f14" u32) (field "f15" u32) (field "f16" u32)))
    (export $wide-export "wide" (type (eq $wide)))
    (export "sum" (func (param "r" $wide-export) (result u32)))
  ))
  (alias export $host "counter" (type $counter))

  ;; memory and a bump allocator, instantiated first so that canon lower can name them
  (core module $Mem
    (memory (export "memory") 1)
    (global $bump (mut i32) (i32.const 1024))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $p i32)
      (local.set $p (i32.and (i32.add (global.get $bump) (i32.sub (local.get 2) (i32.const 1)))
                             (i32.xor (i32.sub (local.get 2) (i32.const 1)) (i32.const -1))))
      (global.set $bump (i32.add (local.get $p) (local.get 3)))
      (local.get $p)))
  (core instance $mem (instantiate $Mem))
  (alias core export $mem "memory" (core memory $memory))
  (alias core export $mem "realloc" (core func $realloc))

  (core func $reverse (canon lower (func $host "reverse") (memory $memory) (realloc $realloc) string-encoding=utf8))
  (core func $new (canon lower (func $host "[constructor]counter")))
  (core func $next (canon lower (func $host "[method]counter.next")))
  (core func $drop (canon resource.drop $counter))
  (core func $sum (canon lower (func $host "sum") (memory $memory)))
  (core instance $hostcore
    (export "reverse" (func $reverse))
    (export "[constructor]counter" (func $new))
    (export "[method]counter.next" (func $next))
    (export "[resource-drop]counter" (func $drop))
    (export "sum" (func $sum)))

  (core module $Main
    (import "mem" "memory" (memory 1))
    (import "host" "reverse" (func $reverse (param i32 i32 i32)))
    (import "host" "[constructor]counter" (func $new (param i32) (result i32)))
    (import "host" "[method]counter.next" (func $next (param i32) (result i32)))
    (import "host" "[resource-drop]counter" (func $drop (param i32)))
    (import "host" "sum" (func $sum (param i32) (result i32)))
    (global $posts (export "posts") (mut i32) (i32.const 0))
    (func (export "add") (param i32 i32) (result i32)
      (i32.add (local.get 0) (local.get 1)))
    ;; shout(s) = host reverse(s), its result written at 16 and returned from there
    (func (export "shout") (param i32 i32) (result i32)
      (call $reverse (local.get 0) (local.get 1) (i32.const 16))
      (i32.const 16))
    (func (export "post-shout") (param i32)
      (global.set $posts (i32.add (global.get $posts) (i32.const 1))))
    ;; count(start): a host counter, next() twice, dropped; the second value
    (func (export "count") (param i32) (result i32)
      (local $h i32) (local $v i32)
      (local.set $h (call $new (local.get 0)))
      (drop (call $next (local.get $h)))
      (local.set $v (call $next (local.get $h)))
      (call $drop (local.get $h))
      (local.get $v))
    ;; use-after-drop: drops the handle, then uses it
    (func (export "use-after-drop") (result i32)
      (local $h i32)
      (local.set $h (call $new (i32.const 0)))
      (call $drop (local.get $h))
      (call $next (local.get $h)))
    ;; a string whose pointer runs past the end of memory
    (func (export "bad-string") (result i32)
      (i32.store (i32.const 32) (i32.const 0xfffffff0))
      (i32.store (i32.const 36) (i32.const 100))
      (i32.const 32))
    (func (export "spin") (loop $l (br $l)))
    ;; sum(p0..p16): the host stored the 17 arguments in memory; the same bytes are the host's record
    (func (export "sum") (param i32) (result i32)
      (call $sum (local.get 0))))
  (core instance $main (instantiate $Main
    (with "mem" (instance $mem))
    (with "host" (instance $hostcore))))

  (alias core export $main "post-shout" (core func $post-shout))
  (func $add (param "a" u32) (param "b" u32) (result u32) (canon lift (core func $main "add")))
  (func $shout (param "s" string) (result string)
    (canon lift (core func $main "shout") (memory $memory) (realloc $realloc) (post-return $post-shout)))
  (func $count (param "start" u32) (result u32) (canon lift (core func $main "count")))
  (func $use-after-drop (result u32) (canon lift (core func $main "use-after-drop")))
  (func $bad-string (result string) (canon lift (core func $main "bad-string") (memory $memory)))
  (func $spin (canon lift (core func $main "spin")))
  (func $sum17 (param "p0" u32) (param "p1" u32) (param "p2" u32) (param "p3" u32) (param "p4" u32) (param "p5" u32) (param "p6" u32) (param "p7" u32) (param "p8" u32) (param "p9" u32) (param "p10" u32) (param "p11" u32) (param "p12" u32) (param "p13" u32) (param "p14" u32) (param "p15" u32) (param "p16" u32) (result u32)
    (canon lift (core func $main "sum") (memory $memory) (realloc $realloc)))

  ;; componentize-js re-exports through a nested component; so does this one for "add"
  (component $Wrap
    (import "import-func-add" (func $f (param "a" u32) (param "b" u32) (result u32)))
    (export "add" (func $f)))
  (instance $wrap (instantiate $Wrap (with "import-func-add" (func $add))))
  (alias export $wrap "add" (func $wrapped-add))

  (instance $run
    (export "add" (func $wrapped-add))
    (export "shout" (func $shout))
    (export "count" (func $count))
    (export "use-after-drop" (func $use-after-drop))
    (export "bad-string" (func $bad-string))
    (export "spin" (func $spin))
    (export "sum" (func $sum17)))
  (export "test:guest/run@0.1.0" (instance $run))
)

;; A test component for the WASI host interfaces (WasiHostEndToEndTest): it imports wasi:io and wasi:cli
;; at 0.2.0, as the sdk2 tutorial build does, while edge provides 0.2.6. "hello" writes a line to stdout
;; through an output-stream resource and drops it; "env-count" lowers get-environment's
;; list<tuple<string, string>> through realloc. Built by scripts/build-wasm.sh (jco parse).
(component
  (import "wasi:io/error@0.2.0" (instance $error
    (export "error" (type (sub resource)))))
  (alias export $error "error" (type $error-type))
  (import "wasi:io/streams@0.2.0" (instance $streams
    (alias outer 1 $error-type (type $e))
    (export $err "error" (type (eq $e)))
    (export $os "output-stream" (type (sub resource)))
    (type $own-err (own $err))
    (type $se (variant (case "last-operation-failed" $own-err) (case "closed")))
    (export $stream-error "stream-error" (type (eq $se)))
    (type $bytes (list u8))
    (type $borrow-os (borrow $os))
    (type $write-result (result (error $stream-error)))
    (export "[method]output-stream.blocking-write-and-flush"
      (func (param "self" $borrow-os) (param "contents" $bytes) (result $write-result)))))
  (alias export $streams "output-stream" (type $output-stream))
  (import "wasi:cli/stdout@0.2.0" (instance $stdout
    (alias outer 1 $output-stream (type $os0))
    (export $os "output-stream" (type (eq $os0)))
    (type $own-os (own $os))
    (export "get-stdout" (func (result $own-os)))))
  (import "wasi:cli/environment@0.2.0" (instance $env
    (type $pair (tuple string string))
    (type $pairs (list $pair))
    (export "get-environment" (func (result $pairs)))))

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

  (core func $write (canon lower (func $streams "[method]output-stream.blocking-write-and-flush")
    (memory $memory)))
  (core func $drop-stream (canon resource.drop $output-stream))
  (core func $get-stdout (canon lower (func $stdout "get-stdout")))
  (core func $get-env (canon lower (func $env "get-environment") (memory $memory) (realloc $realloc)
    string-encoding=utf8))
  (core instance $hostcore
    (export "write" (func $write))
    (export "drop-stream" (func $drop-stream))
    (export "get-stdout" (func $get-stdout))
    (export "get-env" (func $get-env)))

  (core module $Main
    (import "mem" "memory" (memory 1))
    (import "host" "write" (func $write (param i32 i32 i32 i32)))
    (import "host" "drop-stream" (func $drop-stream (param i32)))
    (import "host" "get-stdout" (func $get-stdout (result i32)))
    (import "host" "get-env" (func $get-env (param i32)))
    (data (i32.const 64) "hello from wasm\n")
    ;; hello(): stdout, write 16 bytes, drop; the result's discriminant (0 = ok)
    (func (export "hello") (result i32)
      (local $s i32)
      (local.set $s (call $get-stdout))
      (call $write (local.get $s) (i32.const 64) (i32.const 16) (i32.const 128))
      (call $drop-stream (local.get $s))
      (i32.load8_u (i32.const 128)))
    ;; env-count(): the length of get-environment's list
    (func (export "env-count") (result i32)
      (call $get-env (i32.const 256))
      (i32.load (i32.const 260))))
  (core instance $main (instantiate $Main
    (with "mem" (instance $mem))
    (with "host" (instance $hostcore))))

  (func $hello (result u32) (canon lift (core func $main "hello")))
  (func $env-count (result u32) (canon lift (core func $main "env-count")))
  (instance $cli
    (export "hello" (func $hello))
    (export "env-count" (func $env-count)))
  (export "test:guest/cli@0.1.0" (instance $cli))
)

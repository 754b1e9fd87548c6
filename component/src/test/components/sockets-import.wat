;; A component that imports wasi:sockets, which edge does not provide: loading it must fail naming the
;; interface (WasiHostEndToEndTest). Built by scripts/build-wasm.sh (jco parse).
(component
  (import "wasi:sockets/instance-network@0.2.0" (instance
    (export "network" (type (sub resource))))))

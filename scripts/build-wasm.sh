#!/usr/bin/env bash
# Builds every .wasm in the repository from its source, into its committed location.
#
#   scripts/build-wasm.sh           rebuild in place
#   scripts/build-wasm.sh --check   rebuild into a temp dir; fail if a committed .wasm differs or is missing
#
# Toolchain: clang 14 with --target=wasm32-wasi (wasi-libc, lld) and wabt's wat2wasm; component WAT through jco 1.4.4 (npx). The flags below
# are pinned; clang's output is deterministic, so a rebuild yields the same bytes.
# JavaScript components (*.js sources) are built by scripts/build-js-component.sh (node + npm, the
# toolchain pinned by examples/hello-key-value-store-js/package-lock.json). Their Wizer snapshot keeps a
# few bytes seeded by the kernel, so --check compares them with scripts/wasm-stable-compare.mjs: identical
# except at most 64 bytes of the memory image their data sections initialise (docs/components.md, "Building components").
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CLANG="${CLANG:-clang}"
WAT2WASM="${WAT2WASM:-wat2wasm}"
# Component-model WAT has no wabt support: jco 1.4.4 bundles wasm-tools' parser (pinned, deterministic).
JCO=(npx -y @bytecodealliance/jco@1.4.4)
# Reactor module (no main; _initialize runs once per instance), the edge exports, no debug info.
CFLAGS=(--target=wasm32-wasi -O2 -std=c11 -Wall -Werror -mexec-model=reactor -I"$ROOT/sdk"
        -Wl,--export=edge_http_handle -Wl,--strip-debug)
# WAGI programs (guests/wagi/*.c, targets marked "command") are ordinary WASI commands:
# main() behind _start, plain stdio, no edge ABI.
CFLAGS_COMMAND=(--target=wasm32-wasi -O2 -std=c11 -Wall -Werror -Wl,--strip-debug)

# sources (relative to ROOT, ':'-separated) -> output (relative to ROOT)
TARGETS=(
  "examples/hello-key-value-store/src/main.c:examples/hello-key-value-store/src/json.c examples/hello-key-value-store/target/hello-key-value-store.wasm"
  "examples/hello-world/src/main.c examples/hello-world/target/hello-world.wasm"
  "examples/static-files/src/main.c examples/static-files/target/static-files.wasm"
  "examples/two-stores/src/main.c examples/two-stores/target/two-stores.wasm"
  "examples/variables/src/main.c examples/variables/target/variables.wasm"
)
for src in "$ROOT"/wasm-exec/src/test/guests/*.c "$ROOT"/wasm-exec/src/test/guests/*.wat; do
  [ -e "$src" ] || continue
  name="$(basename "${src%.*}")"
  TARGETS+=("${src#"$ROOT"/} wasm-exec/src/test/resources/guests/$name.wasm")
done
# Test components of the component module: component-model WAT, encoded by jco's wasm-tools (kind "component").
for src in "$ROOT"/component/src/test/components/*.wat; do
  [ -e "$src" ] || continue
  name="$(basename "${src%.*}")"
  TARGETS+=("${src#"$ROOT"/} component/src/test/resources/components/$name.wasm component")
done
# Core modules of the component module's tests (wabt's wat2wasm, like the guests above).
for src in "$ROOT"/component/src/test/modules/*.wat; do
  [ -e "$src" ] || continue
  name="$(basename "${src%.*}")"
  TARGETS+=("${src#"$ROOT"/} component/src/test/resources/modules/$name.wasm")
done
# JavaScript components: the tutorial's own app and the component runtime's test components.
TARGETS+=("examples/hello-key-value-store-js/src/index.js examples/hello-key-value-store-js/target/hello-key-value-store.wasm")
for src in "$ROOT"/component/src/test/js/*.js; do
  [ -e "$src" ] || continue
  name="$(basename "${src%.*}")"
  TARGETS+=("${src#"$ROOT"/} component/src/test/resources/components/$name.wasm")
done
# WAGI guests and the WAGI example are WASI commands (third field "command").
TARGETS+=(
  "examples/wagi-hello/src/main.c examples/wagi-hello/target/wagi-hello.wasm command"
)
for src in "$ROOT"/wasm-exec/src/test/guests/wagi/*.c; do
  [ -e "$src" ] || continue
  name="$(basename "${src%.*}")"
  TARGETS+=("${src#"$ROOT"/} wasm-exec/src/test/resources/guests/wagi/$name.wasm command")
done

# Ingress test guests of the routes module.
for src in "$ROOT"/routes/src/test/guests/*.c; do
  [ -e "$src" ] || continue
  name="$(basename "${src%.*}")"
  TARGETS+=("${src#"$ROOT"/} routes/src/test/resources/guests/$name.wasm")
done

# Fleet test guests of the gateway module.
for src in "$ROOT"/gateway/src/test/guests/*.c; do
  [ -e "$src" ] || continue
  name="$(basename "${src%.*}")"
  TARGETS+=("${src#"$ROOT"/} gateway/src/test/resources/guests/$name.wasm")
done

check=false
if [ "${1:-}" = "--check" ]; then
  check=true
elif [ $# -gt 0 ]; then
  echo "usage: $0 [--check]" >&2
  exit 2
fi

out_root="$ROOT"
if $check; then
  out_root="$(mktemp -d)"
  trap 'rm -rf "$out_root"' EXIT
fi

build() { # src[:src...] out [command]
  local out="$out_root/$2" srcs=() flags=("${CFLAGS[@]}")
  IFS=: read -r -a srcs <<<"$1"
  [ "${3:-}" = "command" ] && flags=("${CFLAGS_COMMAND[@]}")
  mkdir -p "$(dirname "$out")"
  case "${srcs[0]}" in
    *.c)   (cd "$ROOT" && "$CLANG" "${flags[@]}" -o "$out" "${srcs[@]}") ;;
    *.wat) if [ "${3:-}" = "component" ]; then
             (cd "$ROOT" && "${JCO[@]}" parse "${srcs[0]}" -o "$out" >/dev/null)
           else
             (cd "$ROOT" && "$WAT2WASM" "${srcs[0]}" -o "$out")
           fi ;;
    *.js)  "$ROOT/scripts/build-js-component.sh" "$ROOT/${srcs[0]}" "$out" ;;
    *)     echo "unknown source type: ${srcs[0]}" >&2; return 1 ;;
  esac
}

same() { # src committed rebuilt
  case "$1" in
    *.js) node "$ROOT/scripts/wasm-stable-compare.mjs" "$2" "$3" >/dev/null ;;
    *)    cmp -s "$2" "$3" ;;
  esac
}

failed=0
if $check; then  # the JS components' comparison must itself be right before it judges them
  node "$ROOT/scripts/wasm-stable-compare.test.mjs" || failed=1
fi
for target in "${TARGETS[@]}"; do
  read -r src out kind <<<"$target"
  build "$src" "$out" "$kind"
  if $check; then
    if [ ! -f "$ROOT/$out" ]; then
      echo "MISSING  $out (built from $src; run scripts/build-wasm.sh and commit it)" >&2
      failed=1
    elif ! same "$src" "$ROOT/$out" "$out_root/$out"; then
      echo "DIFFERS  $out (rebuild from $src does not match the committed file)" >&2
      failed=1
    else
      echo "ok       $out"
    fi
  else
    echo "built    $out"
  fi
done
if $check && git -C "$ROOT" rev-parse --git-dir >/dev/null 2>&1; then
  # every committed .wasm must come from a source listed above
  known=" "
  for target in "${TARGETS[@]}"; do read -r _ out <<<"$target"; known+="$out "; done
  while IFS= read -r committed; do
    case "$known" in
      *" $committed "*) ;;
      *) echo "NO SOURCE $committed (not built by scripts/build-wasm.sh)" >&2; failed=1 ;;
    esac
  done < <(git -C "$ROOT" ls-files '*.wasm')
fi
exit $failed

#!/usr/bin/env bash
# Builds one JavaScript file into a Spin component (WebAssembly component, WASI 0.2) the way the Spin
# key-value tutorial's own build line does: webpack 5, then `j2w -d combined-wit -n combined` from
# @fermyon/spin-sdk 2.0.0 (componentize-js 0.10.5, jco 1.4.4, wizer 7.0.5).
#
#   scripts/build-js-component.sh SRC.js OUT.wasm
#
# The toolchain is pinned by examples/hello-key-value-store-js/{package.json,package-lock.json}; every JS
# component in the repository is built with it. Needs node (>= 18) and npm with access to the npm registry
# only. node_modules are installed once per lock-file digest under $EDGE_JS_BUILD_CACHE
# (default ~/.cache/edge/js-build) and reused: a warm build takes seconds, not an `npm ci`.
#
# @fermyon/spin-sdk 2.0.0 depends on @fermyon/knitwit, which is published only on GitHub: the SDK tarball
# is fetched from the registry with `npm pack`, its sha512 checked, and that dependency (and its
# postinstall) removed. knitwit's one job in this build, writing the "combined" world (Spin's imports plus
# the incoming-handler export), is done by appending combined-world-appended-to-spin.wit to the SDK's WIT.
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 SRC.js OUT.wasm" >&2; exit 2; }
command -v node >/dev/null && command -v npm >/dev/null \
  || { echo "error: building JavaScript components needs node and npm (run scripts/install-deps.sh)" >&2; exit 1; }
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SRC="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
OUT="$(mkdir -p "$(dirname "$2")" && cd "$(dirname "$2")" && pwd)/$(basename "$2")"
TOOLCHAIN="$ROOT/examples/hello-key-value-store-js"
SDK_TGZ_SHA512=1c6aa983f3c5667bb05e849e72b62bca88e020f4f7fa29736f880725bfb3875a5baf22cd3f6e0f73c014c52adb082fd5d0b848bc35c15a0647e3e08ae37e5cf3

key="$(cat "$TOOLCHAIN/package.json" "$TOOLCHAIN/package-lock.json" "$TOOLCHAIN/combined-world-appended-to-spin.wit" \
       "${BASH_SOURCE[0]}" "$ROOT/scripts/js-build-deterministic.c" "$ROOT/scripts/js-build-deterministic.cjs" | sha256sum | cut -c1-16)"
CACHE="${EDGE_JS_BUILD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/edge/js-build}/$key"
mkdir -p "$CACHE"
exec 9>"$CACHE/.lock"
flock 9  # concurrent builds share one install

if [ ! -f "$CACHE/app/.installed" ]; then
  rm -rf "$CACHE/spin-sdk-2.0.0-patched" "$CACHE/app" "$CACHE/pack"
  mkdir -p "$CACHE/pack" && (cd "$CACHE/pack" && npm pack --silent @fermyon/spin-sdk@2.0.0 >/dev/null)
  echo "$SDK_TGZ_SHA512  $CACHE/pack/fermyon-spin-sdk-2.0.0.tgz" | sha512sum --quiet -c - \
    || { echo "error: @fermyon/spin-sdk 2.0.0 tarball does not match its pinned sha512" >&2; exit 1; }
  tar xzf "$CACHE/pack/fermyon-spin-sdk-2.0.0.tgz" -C "$CACHE/pack"
  mv "$CACHE/pack/package" "$CACHE/spin-sdk-2.0.0-patched"
  node -e 'const fs=require("fs"),p=process.argv[1],j=JSON.parse(fs.readFileSync(p));
    delete j.dependencies["@fermyon/knitwit"]; delete j.dependencies["typedoc-plugin-missing-exports"];
    delete j.scripts.postinstall; fs.writeFileSync(p, JSON.stringify(j,null,2))' "$CACHE/spin-sdk-2.0.0-patched/package.json"
  mkdir -p "$CACHE/app"
  cp "$TOOLCHAIN/package.json" "$TOOLCHAIN/package-lock.json" "$CACHE/app/"
  (cd "$CACHE/app" && npm ci --no-audit --no-fund --install-links --loglevel=error >/dev/null)
  cp -r "$CACHE/app/node_modules/@fermyon/spin-sdk/bin/wit" "$CACHE/app/combined-wit"
  cat "$TOOLCHAIN/combined-world-appended-to-spin.wit" >> "$CACHE/app/combined-wit/spin.wit"
  # Wizer runs through a wrapper that pins what its snapshot could otherwise pick up from the build host:
  # the working directory (it lands in the snapshot's environment as PWD), randomness and clocks.
  ${CC:-clang} -O2 -shared -fPIC -o "$CACHE/js-build-deterministic.so" "$ROOT/scripts/js-build-deterministic.c" -ldl
  wizer_dir="$(echo "$CACHE"/app/node_modules/@bytecodealliance/wizer-linux-*)"  # the one for this machine
  mv "$wizer_dir/wizer" "$wizer_dir/wizer.real"
  printf '#!/bin/sh\ncd / && export PWD=/ && unset OLDPWD\nLD_PRELOAD=%s exec %s "$@"\n' \
    "$CACHE/js-build-deterministic.so" "$wizer_dir/wizer.real" > "$wizer_dir/wizer"
  chmod +x "$wizer_dir/wizer"
  touch "$CACHE/app/.installed"
fi

# Build in a fixed directory (the same path on every run) so no varying path can reach the output.
cd "$CACHE/app"
rm -rf src dist.js target && mkdir -p src target
cp "$SRC" src/index.js
cp "$TOOLCHAIN/webpack.config.js" .
npx --no-install webpack --mode=production --no-stats >/dev/null
# componentize-js names its scratch directory (whose path lands in the snapshot) with Math.random():
# the preload fixes the seed, TMPDIR fixes the parent.
export TMPDIR=/tmp NODE_OPTIONS="--require $ROOT/scripts/js-build-deterministic.cjs"
rm -rf "/tmp/$(node -e 'console.log(require("crypto").createHash("sha256").update(Math.random().toString()).digest("hex").slice(0,12))')"
npx --no-install j2w -i dist.js -d combined-wit -n combined -o target/out.wasm >/dev/null
cp target/out.wasm "$OUT"

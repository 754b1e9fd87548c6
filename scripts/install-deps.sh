#!/usr/bin/env bash
# Installs what a fresh Debian machine lacks to build guests and run the test suite:
# the wasm32-wasi C toolchain, wabt, the Redis server (tests start their own processes), and node + npm
# for the JavaScript components (scripts/build-js-component.sh; any node >= 18 already on PATH is kept;
# libc6-dev for the host-side preload that build compiles).
# The gateway itself needs only a JDK: the example's .wasm is committed.
set -euo pipefail

packages=(clang lld wasi-libc libclang-rt-14-dev-wasm32 wabt redis-server sqlite3 libc6-dev)
missing=()
command -v node >/dev/null && command -v npm >/dev/null || packages+=(nodejs npm)
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "installing: ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

#!/usr/bin/env bash
# The whole test suite: toolchain check, every .wasm reproduced from source, then every module's tests.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build-wasm.sh --check
./mvnw -B verify "$@"

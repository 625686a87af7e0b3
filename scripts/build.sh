#!/usr/bin/env bash
# Configures (once) and builds the project into build/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
[ -f build/build.ninja ] || cmake -S . -B build -G Ninja >&2
cmake --build build >&2

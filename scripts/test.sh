#!/usr/bin/env bash
# The newcomer's test command: set up, build, run every test (lit, which also runs the C unit tests).
# Extra arguments go to lit (e.g. -v, --filter REGEX).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
"$root/scripts/build.sh"
exec python3 /usr/lib/llvm-19/build/utils/lit/lit.py -sv --time-tests "$root/build/test" "$@"

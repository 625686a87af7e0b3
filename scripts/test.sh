#!/usr/bin/env bash
# The newcomer's test command: set up, build, run every test (lit, which also runs the C unit tests).
# Extra arguments go to lit (e.g. -v, --filter REGEX).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
"$root/scripts/build.sh"
# Debian's python3 (with python3-psutil) runs lit, so a hung test is stopped by --timeout instead of
# stalling the run; ARENA_TEST_TIMEOUT overrides the per-test limit in seconds.
exec /usr/bin/python3 /usr/lib/llvm-19/build/utils/lit/lit.py -sv --time-tests \
  --timeout "${ARENA_TEST_TIMEOUT:-300}" "$root/build/test" "$@"

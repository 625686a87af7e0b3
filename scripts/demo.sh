#!/usr/bin/env bash
# The newcomer's first command: set up, build, run the demo (a BPF program builds a linked list in the
# arena, user space walks it natively, and the kernel's JITed arena accesses are shown).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
"$root/scripts/build.sh"
exec "$root/examples/demo.sh" "$root/build/bin/arena" "$@"

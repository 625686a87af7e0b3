#!/usr/bin/env bash
# The demo: C -> BPF instructions -> verifier -> JITed x86-64 -> a list user space walks natively.
# Usage: examples/demo.sh [path/to/arena] (scripts/demo.sh builds first and passes build/bin/arena).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
arena=${1:-$here/../build/bin/arena}
bin=$(dirname "$arena")
obj=$(mktemp --suffix=.bpf.o)
trap 'rm -f "$obj"' EXIT

step() { printf '\n== %s\n' "$*"; }

step "compile examples/linked_list/list.bpf.c with clang-19 (arena cc)"
"$arena" cc "$here/linked_list/list.bpf.c" -o "$obj"

step "BPF instructions of 'sum' (arena casts and accesses marked)"
"$arena" dump "$obj" | sed -n '/<sum>:/,$p'

step "the kernel's verifier accepts both programs"
"$arena" verify "$obj" | grep -E 'verdict|processed'

step "BPF builds the list in the arena; user space walks it with plain pointers"
"$bin/arena-demo-walk" "$obj"

step "the kernel's JIT: r12 holds the arena base, each access is one instruction at base + 32-bit index"
"$arena" jit "$obj" --prog sum | grep -E 'r12|arena accesses'

#!/bin/bash
# Verification time of the suite's largest program: our verifier (user backend) beside the kernel's load
# time for the same object, measured in one run.
#
# Usage: bench/verifier/run.sh [BUILD_DIR] [RUNS]      (default build dir: build, 20 runs per backend)
#
# The largest program is the one our verifier processes the most instructions for, among the programs of
# the BPF sources in test/ and bench/ that compile with the project's flags and that the kernel accepts. Each measurement is the wall time of `arena verify` (process start,
# object open, map creation, load); the same for a trivial program is subtracted so what remains is the
# verification (plus load-time fixups) of the big one. Medians are reported.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
runs=${2:-20}
arena=$build/bin/arena
clang=${CLANG19:-clang-19}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
[ -x "$arena" ] || { echo "run.sh: $arena not found: build the project first" >&2; exit 1; }

flags=(-g -O2 -target bpf -I "$root/libbpf/include" -I "$root/test/verifier/Inputs")
# every (object, program) our verifier accepts, with its processed-instruction count
: > "$tmp/cands"
k=0
while IFS= read -r src; do
	k=$((k + 1))
	o=$tmp/c$k.o
	"$clang" "${flags[@]}" -c "$src" -o "$o" 2>/dev/null || continue
	"$arena" verify "$o" --backend user 2>/dev/null | awk -v o="$o" -v s="$src" '
		/^prog .*: verdict: accepted/ { name = $2; sub(":", "", name); next }
		/^processed [0-9]+ insns/ { if (name != "") print $2, o, name, s; name = "" }' >> "$tmp/cands" || true
done < <(grep -rlE 'SEC\("(syscall|xdp)"\)' "$root/test" "$root/bench" --include='*.c' | sort)
best=; prog=; obj=; best_n=0
while read -r n o p s; do
	# the biggest one the kernel accepts too (through the same CLI, so with the same log buffer)
	if "$arena" verify "$o" --prog "$p" --backend kernel >/dev/null 2>&1; then
		best_n=$n; obj=$o; prog=$p; best=$s
		break
	fi
done < <(sort -rn "$tmp/cands")
[ -n "$best" ] || { echo "run.sh: no candidate program verified on both backends" >&2; exit 1; }
cp "$obj" "$tmp/big.o"

cat > "$tmp/trivial.c" <<'EOC'
#include "vcommon.h"
SEC("syscall") int prog(void *ctx) { return 0; }
EOC
"$clang" "${flags[@]}" -c "$tmp/trivial.c" -o "$tmp/trivial.o"

# median wall time in microseconds of `arena verify OBJ --backend B` over $runs runs
median_us() {
	local obj=$1 backend=$2 p=$3 i t0 t1
	for ((i = 0; i < runs; i++)); do
		t0=$(date +%s%N)
		"$arena" verify "$obj" --prog "$p" --backend $backend >/dev/null 2>&1 || { echo "verify failed on $backend" >&2; exit 1; }
		t1=$(date +%s%N)
		echo $(((t1 - t0) / 1000))
	done | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

k_big=$(median_us "$tmp/big.o" kernel "$prog"); k_triv=$(median_us "$tmp/trivial.o" kernel prog)
u_big=$(median_us "$tmp/big.o" user "$prog"); u_triv=$(median_us "$tmp/trivial.o" user prog)
processed=$("$arena" verify "$tmp/big.o" --prog "$prog" --backend user 2>/dev/null | grep -o 'processed [0-9]* insns' || true)
kprocessed=$("$arena" verify "$tmp/big.o" --prog "$prog" --backend kernel 2>/dev/null | grep -o 'processed [0-9]* insns' || true)
k=$((k_big - k_triv)); u=$((u_big - u_triv))
echo "largest program: $prog in ${best#$root/} ($best_n insns processed by our verifier)"
echo "kernel: load ${k_big} us, trivial ${k_triv} us -> verification ~${k} us (${kprocessed})"
echo "user:   load ${u_big} us, trivial ${u_triv} us -> verification ~${u} us (${processed})"
awk -v k=$k -v u=$u 'BEGIN { if (k > 0) printf "ratio user/kernel: %.2f\n", u / k; else print "ratio: kernel time below resolution" }'

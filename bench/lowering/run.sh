#!/bin/sh
# Instruction counts of clang-14 + arena-lower against clang-19's native lowering, per program.
#
#   bench/lowering/run.sh [BUILD_DIR]          (default: build/ under the repository)
#
# Each program is compiled the way `arena cc` compiles it (same flags; clang-14 gets
# -D__BPF_FEATURE_ADDR_SPACE_CAST and its IR goes through BUILD_DIR/bin/arena-lower). The count is the
# number of 8-byte instruction slots in the object's executable sections (ld_imm64 counts 2, as the
# verifier counts it); the addr_space_cast instructions of each object are counted too. Prints one row
# per program, the totals, and last:
#   RATIO lowering_insns_vs_clang19 <lowered total / clang-19 total>      (target: <= 1.05)
# A program one compiler cannot build is reported SKIP with the reason and left out of both totals.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-$root/build}
lower=$build/bin/arena-lower
clang19=${CLANG19:-clang-19}
clang14=${CLANG14:-clang-14}
readelf=${READELF:-/usr/lib/llvm-19/bin/llvm-readelf}
objdump=${OBJDUMP:-/usr/lib/llvm-19/bin/llvm-objdump}
multiarch=/usr/include/$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)

[ -x "$lower" ] || { echo "run.sh: $lower not built (cmake --build $build --target arena-lower)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The arena cc recipe (tools/arena/compile.c).
cflags="-g -O2 -target bpf -mcpu=v3 -I $root/libbpf/include -idirafter $multiarch"

insns() {
	total=0
	# Section rows: [Nr] Name Type Address Off Size ES Flg ...; executable sections have X in Flg.
	for size in $("$readelf" -S -W "$1" | sed -n 's/^ *\[ *[0-9]*\] *//p' | awk '$7 ~ /X/ { print $5 }'); do
		total=$((total + 0x$size))
	done
	echo $((total / 8))
}

casts() {
	"$objdump" -d "$1" | grep -c addr_space_cast || true
}

progs="$here/progs/*.bpf.c $root/bench/jit/*.bpf.c $root/examples/*/*.bpf.c"
t19=0
t14=0
printf '%-38s %8s %8s %7s %8s %8s\n' PROGRAM CLANG19 LOWERED RATIO CASTS19 CASTS14
for src in $progs; do
	[ -f "$src" ] || continue
	grep -q "__arena" "$src" || continue
	name=${src#$root/}
	o=$tmp/$(echo "$name" | tr '/' '_')
	if ! err=$($clang19 $cflags -I "$(dirname "$src")" -c "$src" -o "$o.19.o" 2>&1); then
		printf '%-38s SKIP clang-19: %s\n' "$name" "$(echo "$err" | grep -a -m1 error)"
		continue
	fi
	if ! err=$($clang14 $cflags -I "$(dirname "$src")" -D__BPF_FEATURE_ADDR_SPACE_CAST -emit-llvm -c "$src" \
		-o "$o.bc" 2>&1) || ! err=$("$lower" "$o.bc" -o "$o.14.o" 2>&1); then
		printf '%-38s SKIP clang-14+lowering: %s\n' "$name" "$(echo "$err" | grep -a -m1 error)"
		continue
	fi
	n19=$(insns "$o.19.o")
	n14=$(insns "$o.14.o")
	t19=$((t19 + n19))
	t14=$((t14 + n14))
	printf '%-38s %8d %8d %7s %8d %8d\n' "$name" "$n19" "$n14" "$(awk "BEGIN { printf \"%.3f\", $n14 / $n19 }")" \
		"$(casts "$o.19.o")" "$(casts "$o.14.o")"
done
[ "$t19" -gt 0 ] || { echo "run.sh: no program built with both compilers" >&2; exit 1; }
printf '%-38s %8d %8d %7s\n' TOTAL "$t19" "$t14" "$(awk "BEGIN { printf \"%.3f\", $t14 / $t19 }")"
echo "RATIO lowering_insns_vs_clang19 $(awk "BEGIN { printf \"%.4f\", $t14 / $t19 }")"

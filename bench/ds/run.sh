#!/usr/bin/env bash
# bench/run.sh ds: the arena hash table against BPF_MAP_TYPE_HASH, from BPF and from user space, in one
# process and one run (see bench_ds.c). Builds the BPF side with `arena cc`, then runs bench-ds: a table,
# then RATIO lines, the last `RATIO arena_htab_vs_bpf_hash <x>`. Extra arguments go to bench-ds
# (--keys N --repeat N --rounds N --cap SLOTS); ARENA_BENCH_COMPILER=clang-14 builds with the old compiler.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${ARENA_BUILD_DIR:-$root/build}
lookups=${ARENA_BENCH_LOOKUPS:-256}
for tool in arena bench-ds; do
	if [ ! -x "$build/bin/$tool" ]; then
		echo "bench/ds: $build/bin/$tool not found: build first (scripts/build.sh, or set ARENA_BUILD_DIR)" >&2
		exit 1
	fi
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$build/bin/arena" cc "$root/bench/ds/ds_bench.bpf.c" -o "$tmp/ds_bench.bpf.o" \
	--compiler "${ARENA_BENCH_COMPILER:-clang-19}" -D "BENCH_LOOKUPS=$lookups"
echo "bench ds: $(uname -r), $(nproc) CPUs, compiler ${ARENA_BENCH_COMPILER:-clang-19}"
exec "$build/bin/bench-ds" "$tmp/ds_bench.bpf.o" --keys 4096 --lookups "$lookups" --repeat 4000 --rounds 7 "$@"

#!/usr/bin/env bash
# bench/run.sh SUITE [ARGS...]: runs the benchmark suite bench/SUITE/run.sh (ARGS passed on).
# A suite is a directory with an executable run.sh; adding one needs no change here. Suites find the
# build in $ARENA_BUILD_DIR, default <repo>/build (scripts/build.sh).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

suites() {
	local d
	for d in "$here"/*/; do
		[ -x "$d/run.sh" ] && basename "$d"
	done
}

if [ $# -lt 1 ] || [ "$1" = -h ] || [ "$1" = --help ]; then
	echo "usage: bench/run.sh SUITE [ARGS...]"
	echo "suites: $(suites | tr '\n' ' ')"
	[ $# -ge 1 ] && exit 0
	exit 2
fi
suite=$1
shift
if [ ! -x "$here/$suite/run.sh" ]; then
	echo "bench/run.sh: no benchmark suite '$suite' (suites: $(suites | tr '\n' ' '))" >&2
	exit 2
fi
exec "$here/$suite/run.sh" "$@"

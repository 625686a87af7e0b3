#!/bin/sh
# JIT benchmark: the same arena programs on the kernel's JIT, our JIT and our interpreter, in one run,
# with the ratios of test-run duration per run.
#  1. unit-jit_bench: identical instructions on all three engines (no loader involved), results checked
#     equal first; htab_lookup (the issue's anchor) and absent_read (absent-page loads).
#  2. arena_htab.bpf.c through `arena run --backend kernel|user --engine jit|interp --repeat N --json`.
# Usage: bench/jit/run.sh [BUILD_DIR] [REPEAT]
set -u
build=${1:-build}
repeat=${2:-20000}
bin=$build/bin
here=$(dirname "$0")

echo "== unit-jit_bench (repeat $repeat)"
"$bin/unit-jit_bench" "$repeat" || echo "unit-jit_bench failed"

echo "== arena run $here/arena_htab.bpf.c (repeat $repeat; absent_read at repeat/100)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for eng in "kernel jit" "user jit" "user interp"; do
	set -- $eng
	if [ "$1" = kernel ]; then args="--backend kernel"; else args="--backend user --engine $2"; fi
	timeout 300 "$bin/arena" run "$here/arena_htab.bpf.c" $args --repeat "$repeat" --json \
		>"$tmp/$1-$2.json" 2>"$tmp/$1-$2.err" || echo "arena run $args failed (see below)"
done
python3 - "$tmp" <<'PY'
import json, os, sys
d = sys.argv[1]
res = {}
for name in ("kernel-jit", "user-jit", "user-interp"):
    res[name] = {}
    with open(os.path.join(d, name + ".json")) as f:
        for line in f:
            if line.startswith("{"):
                o = json.loads(line)
                res[name][o["prog"]] = o
    if not res[name]:
        err = open(os.path.join(d, name + ".err")).read().strip().splitlines()[-3:]
        print("%-12s no results: %s" % (name, " | ".join(err)))
for prog in ("htab_lookup", "list_walk", "absent_read"):
    k, j, i = (res[n].get(prog) for n in ("kernel-jit", "user-jit", "user-interp"))
    ns = lambda o: o["duration_ns"] if o else None
    line = "%-12s ns/run kernel-jit %s, ukern-jit %s, ukern-interp %s" % (prog, ns(k), ns(j), ns(i))
    if k and j and ns(k):
        line += "; ratio jit/kernel %.2f" % (ns(j) / ns(k))
    if j and i and ns(j):
        line += ", interp/jit %.1f" % (ns(i) / ns(j))
    if k and j and k["retval"] != j["retval"]:
        line += "  RESULTS DIFFER (%s vs %s)" % (k["retval"], j["retval"])
    print(line)
PY

#!/usr/bin/env python3
"""Build every arena program of the lit suite with clang-19 and with clang-14 + arena-lower (through
`arena cc`), run both objects on the live kernel (`arena run --json --backend kernel`) and compare.

Usage: both_compilers_sweep.py ARENA TEST_ROOT
A program is any test/**/*.c outside test/llvm/ that names __arena and declares a SEC(...). Its own
directory and that directory's Inputs/ are on the include path, as its RUN lines put them.
Per program one line: SAME (identical results, or both refused), DIFF / FAIL (exit 1 at the end), SKIP
(clang-19 cannot build it with the default recipe: the program needs flags from its RUN lines) or
EXCLUDED (its own inline assembly uses a mnemonic clang-14's assembler lacks, or it calls an intrinsic
LLVM 14's BPF backend cannot compile, e.g. __builtin_clzll; the reason is printed).
"""
import concurrent.futures
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile


def own_asm_mnemonics(src):
    """may_goto / addr_space_cast written as mnemonics in the source or its local headers."""
    texts = []
    d = os.path.dirname(src)
    for path in [src] + [os.path.join(d, "Inputs", f) for f in os.listdir(os.path.join(d, "Inputs"))
                         if f.endswith(".h")] if os.path.isdir(os.path.join(d, "Inputs")) else [src]:
        with open(path, errors="replace") as f:
            texts.append(f.read())
    found = set()
    for t in texts:
        for m in ("may_goto", "addr_space_cast"):
            if re.search(r'asm[^;]*"[^"]*\b%s\b' % m, t):
                found.add(m)
    return sorted(found)


def run(argv):
    p = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    return p.returncode, p.stdout, p.stderr


def outcome(arena, obj):
    rc, out, err = run([arena, "run", obj, "--json", "--backend", "kernel"])
    results = []
    for line in out.splitlines():
        try:
            r = json.loads(line)
        except ValueError:
            continue
        results.append((r.get("prog"), r.get("retval")))
    refused = [l for l in err.splitlines() if "refused" in l or "failed" in l]
    return rc, results, refused


def main():
    arena, root = sys.argv[1], sys.argv[2]
    progs = []
    for d, _, files in os.walk(root):
        if os.path.relpath(d, root).split(os.sep)[0] in ("llvm", "utils"):
            continue
        for f in sorted(files):
            p = os.path.join(d, f)
            if f.endswith(".c"):
                with open(p, errors="replace") as fh:
                    t = fh.read()
                if "__arena" in t and "SEC(" in t:
                    progs.append(p)
    tmp = tempfile.mkdtemp(prefix="sweep-")

    def one(src):
        """(line, counted, bad) for one program."""
        name = os.path.relpath(src, root)
        d = os.path.dirname(src)
        inc = ["-I", d] + (["-I", os.path.join(d, "Inputs")] if os.path.isdir(os.path.join(d, "Inputs")) else [])
        objs = {}
        for comp in ("clang-19", "clang-14"):
            o = os.path.join(tmp, name.replace(os.sep, "_") + "." + comp + ".o")
            rc, _, err = run([arena, "cc", src, "-o", o, "--compiler", comp] + inc)
            objs[comp] = (rc, o, err)
        if objs["clang-19"][0]:
            first = next((l for l in objs["clang-19"][2].splitlines() if "error" in l), "?")
            return "SKIP %s: clang-19 cannot build it with the default recipe: %s" % (name, first.strip()), 0, 0
        if objs["clang-14"][0]:
            mn = own_asm_mnemonics(src)
            if mn:
                return ("EXCLUDED %s: its own inline assembly uses %s, which clang-14's assembler lacks "
                        "(bpf_arena.h encodes it as bytes)" % (name, ", ".join(mn))), 0, 0
            llvm14 = [l for l in objs["clang-14"][2].splitlines() if "LLVM 14's BPF backend cannot compile" in l]
            if llvm14:
                return ("EXCLUDED %s: LLVM 14's BPF backend cannot compile it (plain clang-14 crashes too): %s"
                        % (name, llvm14[0].strip())), 0, 0
            return "FAIL %s: clang-14 + arena-lower cannot build it:\n%s" % (name, objs["clang-14"][2]), 0, 1
        r19 = outcome(arena, objs["clang-19"][1])
        r14 = outcome(arena, objs["clang-14"][1])
        same_status = (r19[0] == 0) == (r14[0] == 0)
        if same_status and r19[1] == r14[1]:
            what = ("both refused: %s" % r19[2][-1]) if r19[0] and r19[2] else \
                   ", ".join("%s=%s" % x for x in r14[1])
            return "SAME %s: %s" % (name, what), 1, 0
        return ("DIFF %s:\n  clang-19: rc=%d %s %s\n  clang-14: rc=%d %s %s" % (
            name, r19[0], r19[1], r19[2][-1:], r14[0], r14[1], r14[2][-1:])), 1, 1

    # Two programs at a time: each step is a short-lived process, the machine has two cores.
    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
            results = list(pool.map(one, sorted(progs)))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    counted = sum(r[1] for r in results)
    bad = sum(r[2] for r in results)
    for line, _, _ in results:
        print(line)
    print("compared %d programs, %d differ or fail" % (counted, bad))
    sys.exit(1 if bad or not counted else 0)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Checks the hand-encoded addr_space_cast for every (dst, src) register pair r0..r9.

Usage: cast_register_pairs.py ARENA_LOWER OBJDUMP WORKDIR
Takes the cast's inline-assembly text from arena-lower's own output (lowering a one-load function), builds
one function per register pair that pins the operands with {rN} constraints, compiles it with arena-lower
(no arena pointers left, so it only emits), and checks that the disassembler decodes exactly
`rD = addr_space_cast(rS, 0x0, 0x1)` in each function. Prints "pairs ok N" or the first mismatches.
"""
import os
import re
import subprocess
import sys

HEAD = 'target datalayout = "e-m:e-p:64:64-i64:64-i128:128-n32:64-S128"\ntarget triple = "bpf"\n'


def main():
    lower, objdump, work = sys.argv[1:4]
    one = os.path.join(work, "one.ll")
    with open(one, "w") as f:
        f.write(HEAD + "define i32 @f(i32 addrspace(1)* %p) {\n  %v = load i32, i32 addrspace(1)* %p\n"
                "  ret i32 %v\n}\n")
    ir = subprocess.run([lower, one, "--print-ir"], capture_output=True, text=True, check=True).stdout
    m = re.search(r'asm ("(?:[^"\\]|\\.)*"), "=r,r"', ir)
    if not m:
        sys.exit("no cast in arena-lower's output:\n" + ir)
    text = m.group(1)
    fns = []
    for d in range(10):
        for s in range(10):
            fns.append('define void @f_%d_%d() {\n'
                       '  %%x = call i64 asm sideeffect "$0 = 42", "={r%d}"()\n'
                       '  %%y = call i64 asm %s, "={r%d},{r%d}"(i64 %%x)\n'
                       '  call void asm sideeffect "", "{r%d}"(i64 %%y)\n'
                       '  ret void\n}\n' % (d, s, s, text, d, s, d))
    pairs = os.path.join(work, "pairs.ll")
    obj = os.path.join(work, "pairs.o")
    with open(pairs, "w") as f:
        f.write(HEAD + "".join(fns))
    subprocess.run([lower, pairs, "-o", obj, "-O0"], check=True)
    out = subprocess.run([objdump, "-d", obj], capture_output=True, text=True, check=True).stdout
    cur, ok, bad = None, 0, []
    for line in out.splitlines():
        f = re.match(r"^[0-9a-f]+ <f_(\d+)_(\d+)>:", line)
        if f:
            cur = (int(f.group(1)), int(f.group(2)))
            continue
        c = re.search(r"r(\d+) = addr_space_cast\(r(\d+), 0x0, 0x1\)", line)
        if c and cur:
            if (int(c.group(1)), int(c.group(2))) == cur:
                ok += 1
            else:
                bad.append("f_%d_%d: %s" % (cur[0], cur[1], line.strip()))
            cur = None
    if bad:
        print("mismatch:\n" + "\n".join(bad[:5]))
        sys.exit(1)
    print("pairs ok %d" % ok)


if __name__ == "__main__":
    main()

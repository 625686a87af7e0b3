; The lowering is for BPF modules only.
; RUN: not %bindir/arena-lower %s -o %t.o 2>&1 | FileCheck %s
; CHECK: error: module target is 'x86_64-unknown-linux-gnu', not BPF: compile with clang-14 -target bpf
target triple = "x86_64-unknown-linux-gnu"

define void @f() {
  ret void
}

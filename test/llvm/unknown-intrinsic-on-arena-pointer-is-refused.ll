; An intrinsic other than memset/memcpy/memmove that takes an arena pointer would touch arena memory in a
; way the lowering cannot check: refused by name, not compiled.
; RUN: not %bindir/arena-lower %s -o %t.o 2>&1 | FileCheck %s
; CHECK: in function 'f' (no debug location; build with -g): error: cannot lower 'llvm.prefetch.p1i8' on an arena pointer
target datalayout = "e-m:e-p:64:64-i64:64-i128:128-n32:64-S128"
target triple = "bpf"

declare void @llvm.prefetch.p1i8(i8 addrspace(1)*, i32, i32, i32)

define void @f(i8 addrspace(1)* %p) {
  call void @llvm.prefetch.p1i8(i8 addrspace(1)* %p, i32 0, i32 0, i32 1)
  ret void
}

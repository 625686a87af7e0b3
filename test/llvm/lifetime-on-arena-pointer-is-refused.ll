; clang refuses automatic variables in an address space, so lifetime markers never name arena memory in
; clang's IR; if hand-written IR does, the marker is an intrinsic on an arena pointer the lowering does not
; know: refused by name like any other (exit status 1, no object), never a crash. The same markers on
; stack memory in the same function pass through.
; RUN: rm -f %t.o
; RUN: not %bindir/arena-lower %s -o %t.o 2>&1 | FileCheck %s --implicit-check-not=error:
; RUN: not ls %t.o
; CHECK: in function 'f' (no debug location; build with -g): error: cannot lower 'llvm.lifetime.start.p1i8' on an arena pointer
; CHECK: in function 'f' (no debug location; build with -g): error: cannot lower 'llvm.lifetime.end.p1i8' on an arena pointer
; CHECK: arena-lower: error: cannot lower '{{.*}}'; no object written
target datalayout = "e-m:e-p:64:64-i64:64-i128:128-n32:64-S128"
target triple = "bpf"

declare void @llvm.lifetime.start.p1i8(i64, i8 addrspace(1)* nocapture)
declare void @llvm.lifetime.end.p1i8(i64, i8 addrspace(1)* nocapture)
declare void @llvm.lifetime.start.p0i8(i64, i8* nocapture)
declare void @llvm.lifetime.end.p0i8(i64, i8* nocapture)

define i8 @f(i8 addrspace(1)* %p) {
  %s = alloca i8
  call void @llvm.lifetime.start.p0i8(i64 1, i8* %s)
  call void @llvm.lifetime.start.p1i8(i64 8, i8 addrspace(1)* %p)
  store i8 1, i8 addrspace(1)* %p
  %v = load i8, i8 addrspace(1)* %p
  store volatile i8 %v, i8* %s
  call void @llvm.lifetime.end.p1i8(i64 8, i8 addrspace(1)* %p)
  call void @llvm.lifetime.end.p0i8(i64 1, i8* %s)
  ret i8 %v
}

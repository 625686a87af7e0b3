; Without debug info the diagnostic still says where: the function's name, and how to get a line.
; RUN: not %bindir/arena-lower %s -o %t.o 2>&1 | FileCheck %s
; CHECK: arena-lower: in function 'get' (no debug location; build with -g): error: memory access in address space 3
target datalayout = "e-m:e-p:64:64-i64:64-i128:128-n32:64-S128"
target triple = "bpf"

define i32 @get(i32 addrspace(3)* %p) {
  %v = load i32, i32 addrspace(3)* %p
  ret i32 %v
}

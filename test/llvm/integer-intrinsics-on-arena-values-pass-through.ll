; The integer intrinsics clang-14 -O2 can emit for BPF (min/max family, saturating and overflow
; arithmetic, llvm.expect, funnel shifts, bswap) take values, not arena pointers: the lowering passes them
; through untouched, casts only the loads that produced their operands, and LLVM 14 compiles the result.
; RUN: %bindir/arena-lower %s -o %t.o --print-ir | FileCheck %s --check-prefix=IR
; RUN: %objdump -d --no-show-raw-insn --mcpu=v3 %t.o | FileCheck %s --check-prefix=ASM
; IR-LABEL: define i64 @f(i64 addrspace(1)* %p)
; IR-NEXT: %[[K:[^ ]+]] = call i64* asm "{{.*}}.long 1", "=r,r"(i64 addrspace(1)* %p)
; IR-NOT: asm
; IR: %a = load i64, i64* %[[K]]
; IR: %b = load i64, i64* %
; IR-NEXT: %e = call i64 @llvm.expect.i64(i64 %a, i64 1)
; IR-NEXT: %m1 = call i64 @llvm.smax.i64(i64 %e, i64 %b)
; IR-NEXT: %m2 = call i64 @llvm.smin.i64(i64 %m1, i64 %b)
; IR-NEXT: %m3 = call i64 @llvm.umax.i64(i64 %m2, i64 %a)
; IR-NEXT: %m4 = call i64 @llvm.umin.i64(i64 %m3, i64 %b)
; IR-NEXT: %s1 = call i64 @llvm.uadd.sat.i64(i64 %m4, i64 %a)
; IR-NEXT: %s2 = call i64 @llvm.ssub.sat.i64(i64 %s1, i64 %b)
; IR-NEXT: %o = call { i64, i1 } @llvm.uadd.with.overflow.i64(i64 %s2, i64 %a)
; IR: %r = call i64 @llvm.fshr.i64(i64 %o0, i64 %a, i64 7)
; IR-NEXT: %w = trunc i64 %r to i32
; IR-NEXT: %x = call i32 @llvm.bswap.i32(i32 %w)
; IR: ret i64
; ASM-LABEL: <f>:
; ASM-NEXT: = addr_space_cast(r1, 0x0, 0x1)
; ASM-NOT: addr_space_cast
; ASM: be32
; ASM: exit
target datalayout = "e-m:e-p:64:64-i64:64-i128:128-n32:64-S128"
target triple = "bpf"

declare i64 @llvm.expect.i64(i64, i64)
declare i64 @llvm.smax.i64(i64, i64)
declare i64 @llvm.smin.i64(i64, i64)
declare i64 @llvm.umax.i64(i64, i64)
declare i64 @llvm.umin.i64(i64, i64)
declare i64 @llvm.uadd.sat.i64(i64, i64)
declare i64 @llvm.ssub.sat.i64(i64, i64)
declare { i64, i1 } @llvm.uadd.with.overflow.i64(i64, i64)
declare i64 @llvm.fshr.i64(i64, i64, i64)
declare i32 @llvm.bswap.i32(i32)

define i64 @f(i64 addrspace(1)* %p) {
  %a = load i64, i64 addrspace(1)* %p
  %q = getelementptr i64, i64 addrspace(1)* %p, i64 1
  %b = load i64, i64 addrspace(1)* %q
  %e = call i64 @llvm.expect.i64(i64 %a, i64 1)
  %m1 = call i64 @llvm.smax.i64(i64 %e, i64 %b)
  %m2 = call i64 @llvm.smin.i64(i64 %m1, i64 %b)
  %m3 = call i64 @llvm.umax.i64(i64 %m2, i64 %a)
  %m4 = call i64 @llvm.umin.i64(i64 %m3, i64 %b)
  %s1 = call i64 @llvm.uadd.sat.i64(i64 %m4, i64 %a)
  %s2 = call i64 @llvm.ssub.sat.i64(i64 %s1, i64 %b)
  %o = call { i64, i1 } @llvm.uadd.with.overflow.i64(i64 %s2, i64 %a)
  %o0 = extractvalue { i64, i1 } %o, 0
  %r = call i64 @llvm.fshr.i64(i64 %o0, i64 %a, i64 7)
  %w = trunc i64 %r to i32
  %x = call i32 @llvm.bswap.i32(i32 %w)
  %y = zext i32 %x to i64
  ret i64 %y
}

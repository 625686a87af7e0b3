; llvm.bpf.passthrough (an identity clang's BPF passes insert and LLVM's backend removes) may carry an
; arena pointer: it passes the user form through, and the access through its result is cast.
; RUN: %bindir/arena-lower %s -o %t.o --print-ir | FileCheck %s --check-prefix=IR
; RUN: %objdump -d --no-show-raw-insn %t.o | FileCheck %s --check-prefix=ASM
; IR: [[Q:%[a-z]+]] = call i32 addrspace(1)* @llvm.bpf.passthrough.p1i32.p1i32(i32 0, i32 addrspace(1)* %p)
; IR-NEXT: call i32* asm "{{.*}}.long 1", "=r,r"(i32 addrspace(1)* [[Q]])
; ASM: r1 = addr_space_cast(r1, 0x0, 0x1)
; ASM-NEXT: r0 = *(u32 *)(r1 + 0x0)
target datalayout = "e-m:e-p:64:64-i64:64-i128:128-n32:64-S128"
target triple = "bpf"

declare i32 addrspace(1)* @llvm.bpf.passthrough.p1i32.p1i32(i32, i32 addrspace(1)*)

define i32 @f(i32 addrspace(1)* %p) {
  %q = call i32 addrspace(1)* @llvm.bpf.passthrough.p1i32.p1i32(i32 0, i32 addrspace(1)* %p)
  %v = load i32, i32 addrspace(1)* %q
  ret i32 %v
}

// __arena globals: moved to the writable section .addr_space.1 (const dropped), each global's address
// is cast once and element offsets fold into the accesses.
// REQUIRES: clang-14, clang-19
// RUN: %clang14 %bpf_cflags -mcpu=v3 -D__BPF_FEATURE_ADDR_SPACE_CAST -emit-llvm -c %s -o %t.bc
// RUN: %bindir/arena-lower %t.bc -o %t14.o --print-ir | FileCheck %s --check-prefix=IR
// RUN: %objdump -d --no-show-raw-insn --mcpu=v3 %t14.o | FileCheck %s --check-prefix=ASM
// RUN: %objdump -d --no-show-raw-insn --mcpu=v3 %t14.o | FileCheck %s --check-prefix=LOWERED
// RUN: %clang19 %bpf_cflags -mcpu=v3 -c %s -o %t19.o
// RUN: %objdump -d --no-show-raw-insn --mcpu=v3 %t19.o | FileCheck %s --check-prefix=ASM

// RUN: llvm-readelf -S %t14.o | FileCheck %s --check-prefix=ELF
// RUN: llvm-readelf -S %t19.o | FileCheck %s --check-prefix=ELF
// ELF: .addr_space.1 PROGBITS {{[0-9a-f]+}} {{[0-9a-f]+}} 00001c 00 WA

// IR-DAG: @counter = {{.*}}addrspace(1) global i64 5, section ".addr_space.1"
// IR-DAG: @table = {{.*}}addrspace(1) global [4 x i32] [i32 1, i32 2, i32 3, i32 4], section ".addr_space.1"
// IR-DAG: @limit = {{.*}}addrspace(1) global i32 100, section ".addr_space.1"
// IR-LABEL: define {{.*}}@globals(
// IR-DAG: %[[C:[^ ]+]] = call i64* asm "{{.*}}.long 1", "=r,r"(i64 addrspace(1)* @counter)
// IR-DAG: %[[T:[^ ]+]] = call [4 x i32]* asm "{{.*}}.long 1", "=r,r"([4 x i32] addrspace(1)* @table)
// IR-NOT: addrspace(1)* getelementptr
// IR: ret i32

// One cast per global; the table's element offsets fold into the loads.
// ASM-LABEL: <globals>:
// ASM: r[[G:[0-9]]] = 0x0 ll
// ASM-NEXT: r[[C:[0-9]]] = addr_space_cast(r[[G]], 0x0, 0x1)
// ASM: *(u64 *)(r[[C]] + 0x0) = r
// ASM: r[[H:[0-9]]] = 0x0 ll
// ASM: addr_space_cast(r[[H]], 0x0, 0x1)
// ASM: exit
// The lowering rebases table[i] on the table's one cast (clang-19 casts each element address).
// LOWERED-LABEL: <globals>:
// LOWERED: *(u64 *)(r{{[0-9]}} + 0x0) = r
// LOWERED: r[[TB:[0-9]]] = addr_space_cast(r{{[0-9]}}, 0x0, 0x1)
// LOWERED-NEXT: = *(u32 *)(r[[TB]] + 0x0)
// LOWERED-NEXT: = *(u32 *)(r[[TB]] + 0x4)
// LOWERED: = *(u32 *)(r[[TB]] + 0x8)
// LOWERED: = *(u32 *)(r[[TB]] + 0xc)
// LOWERED-NOT: addr_space_cast


#include "Inputs/arena_test.h"
ARENA_MAP(arena, 4);

__u64 __arena counter = 5;
__u32 __arena table[4] = { 1, 2, 3, 4 };
const __u32 __arena limit = 100; /* const arena globals become writable, like clang-19 */

SEC("syscall")
int globals(void *ctx)
{
	__u32 s = 0;
	int i;

	counter += 10;
	for (i = 0; i < 4; i++)
		s += table[i];
	return counter + s + limit; /* 15 + 10 + 100 */
}

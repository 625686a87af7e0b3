// Only address spaces 0 and 1 exist on BPF: an access through address_space(2), or a conversion to it, is
// reported at its source line and no object is written (never compiled into something the kernel would
// misread).
// REQUIRES: clang-14
// RUN: rm -f %t.o
// RUN: %clang14 -g -O2 -target bpf -mcpu=v3 -emit-llvm -c %s -o %t.bc
// RUN: not %bindir/arena-lower %t.bc -o %t.o 2>&1 | FileCheck %s
// RUN: not test -e %t.o

#define __as2 __attribute__((address_space(2)))

int get(int __as2 *p)
{
	// CHECK: other-address-space-is-reported-at-its-line.c:[[@LINE+1]]:9: error: memory access in address space 2: only the arena (1) is supported
	return *p;
}

int convert(int __attribute__((address_space(1))) *p)
{
	// CHECK: other-address-space-is-reported-at-its-line.c:[[@LINE+1]]:9: error: cannot convert from address space 1 to 2
	return *(int __as2 *)p;
}
// CHECK: error: cannot lower '{{.*}}.bc'; no object written

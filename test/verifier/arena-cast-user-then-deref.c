// The user-form result of cast_user is a scalar: dereferencing it is refused.
// RUN: %clang19 %bpf_cflags -I %S/Inputs -c %s -o %t.o
// RUN: %each-backend --expect-fail %arena verify %t.o -- %s
// CHECK: R1 invalid mem access 'scalar'
#include "vcommon.h"

ARENA_MAP(arena, 0);
SEC("syscall")
NAKED int prog(void)
{
	asm volatile(
		"r1 = %[arena] ll\n"
		"r1 = 4096\n"
		"r1 = addr_space_cast(r1, 1, 0)\n"
		"r0 = *(u64 *)(r1 + 0)\n"
		"exit\n"
		:: [arena]"i"(&arena));
}

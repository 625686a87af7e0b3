// addr_space_cast with an immediate other than 1 or 1<<16 is refused.
// RUN: %clang19 %bpf_cflags -I %S/Inputs -c %s -o %t.o
// RUN: %each-backend --expect-fail %arena verify %t.o -- %s
// CHECK: addr_space_cast insn can only convert between address space 1 and 0
#include "vcommon.h"

ARENA_MAP(arena, 0);
SEC("syscall")
NAKED int prog(void)
{
	asm volatile(
		"r1 = %[arena] ll\n"
		"r1 = 0\n"
		".byte 0xbf, 0x11\n.short 1\n.long 2\n"
		"r0 = 0\n"
		"exit\n"
		:: [arena]"i"(&arena));
}

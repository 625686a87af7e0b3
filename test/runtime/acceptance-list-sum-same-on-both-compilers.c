// Acceptance of the runtime headers: a program written only against __arena, cast_kern, cast_user,
// bpf_arena_alloc_pages, can_loop and the map-type constant builds with clang-19 (native casts) and
// clang-14 (explicit casts) from nothing but -I libbpf/include, the kernel accepts both, and both return the
// same value. The list is built with user-form links, as user space would read them, then walked back.
// REQUIRES: clang-19, clang-14, kernel-arena
// RUN: %clang19 %bpf_cflags -mcpu=v3 -c %s -o %t19.o
// RUN: %clang14 %bpf_cflags -mcpu=v3 -c %s -o %t14.o
// RUN: %objdump -d --no-show-raw-insn %t19.o | FileCheck %s --check-prefix=NATIVE
// RUN: %objdump -d --no-show-raw-insn %t14.o | FileCheck %s --check-prefix=EXPLICIT
// RUN: %each-backend %arena run %t19.o --json -- %s --check-prefix=RESULT
// RUN: %each-backend %arena run %t14.o --json -- %s --check-prefix=RESULT

// clang-19 casts to the kernel form before each access and never back (links stay user-form values).
// NATIVE-LABEL: <list_sum>:
// NATIVE: addr_space_cast(r{{[0-9]}}, 0x0, 0x1)
// NATIVE: may_goto
// NATIVE-NOT: addr_space_cast(r{{[0-9]}}, 0x1, 0x0)
// NATIVE: exit

// clang-14: the hand-encoded casts, both directions, and the hand-encoded may_goto.
// EXPLICIT-LABEL: <list_sum>:
// EXPLICIT: r[[R:[0-9]]] = addr_space_cast(r[[R]], 0x0, 0x1)
// EXPLICIT: r[[R]] = addr_space_cast(r[[R]], 0x1, 0x0)
// EXPLICIT: may_goto
// EXPLICIT: exit

// 1*1 + 2*2 + ... + 20*20 = 2870
// RESULT: {"prog":"list_sum",{{.*}}"retval":{{ ?}}2870{{[,}]}}

#include <bpf_arena.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARENA);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 32);
} arena SEC(".maps");

struct node {
	struct node __arena *next;
	__u64 value;
};

SEC("syscall")
int list_sum(void *ctx)
{
	struct node __arena *head = NULL, *n;
	__u64 sum = 0;
	int i = 1;

	while (i <= 20 && can_loop) {
		n = bpf_arena_alloc_pages(&arena, NULL, 1, -1, 0);
		if (!n)
			return -1;
		cast_kern(n);
		n->value = i * i;
		n->next = head;
		cast_user(n);
		head = n;
		i++;
	}
	while (head && can_loop) {
		n = head;
		cast_kern(n);
		sum += n->value;
		head = n->next;
	}
	return sum;
}

char _license[] SEC("license") = "GPL";

/* The fault dispatcher (kernel/fault.c) takes any number of regions: every JIT image with arena accesses
 * and every arena user mapping holds one, and a program-heavy process can hold thousands. Registers 1000
 * regions that never match, then one whose fixup makes a PROT_NONE page readable: a read there must be
 * repaired (past the first chunk of 256 slots); after unregistering everything, slots are reused.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "internal.h"

#define NDUMMY 1000

static struct ukern_fault_region dummy[NDUMMY], live;
static int fixups;

static bool never(struct ukern_fault_region *r, void *uc, uintptr_t addr)
{
	return false;
}

static bool make_readable(struct ukern_fault_region *r, void *uc, uintptr_t addr)
{
	fixups++;
	return !mprotect((void *)r->start, r->end - r->start, PROT_READ);
}

int main(void)
{
	char *page = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int fail = 0, err;

	alarm(30);
	if (page == MAP_FAILED)
		return printf("FAIL mmap\n"), 1;
	for (int i = 0; i < NDUMMY; i++) {
		dummy[i] = (struct ukern_fault_region){ 0x1000 + i * 16, 0x1000 + i * 16 + 8, false, never, NULL };
		err = ukern_fault_register(&dummy[i]);
		if (err) {
			printf("FAIL register of region %d: %d\n", i, err);
			return 1;
		}
	}
	live = (struct ukern_fault_region){ (uintptr_t)page, (uintptr_t)page + 4096, false, make_readable, NULL };
	if ((err = ukern_fault_register(&live)))
		return printf("FAIL register of the live region: %d\n", err), 1;
	if (*(volatile char *)page != 0 || fixups != 1) {
		printf("FAIL fault past %d regions: fixups %d\n", NDUMMY, fixups);
		fail = 1;
	}
	for (int i = 0; i < NDUMMY; i++)
		ukern_fault_unregister(&dummy[i]);
	ukern_fault_unregister(&live);
	/* slots are reused: the live region again, first in the chain now */
	mprotect(page, 4096, PROT_NONE);
	if ((err = ukern_fault_register(&live)) || *(volatile char *)page != 0 || fixups != 2) {
		printf("FAIL after unregistering: err %d fixups %d\n", err, fixups);
		fail = 1;
	}
	printf("%s\n", fail ? "fault_regions: FAILED" : "fault_regions: all passed");
	return fail;
}

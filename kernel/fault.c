/* The process's one SIGSEGV/SIGBUS handler, dispatching to registered fault regions.
 *
 * Regions are arena user ranges (matched by the faulting data address: fault a page in, or refuse with
 * BPF_F_SEGV_ON_FAULT) and JIT images (matched by the faulting instruction address: exception-table fixup).
 * The table is a chain of fixed arrays of atomic pointers (chunks), so the handler reads it without locks:
 * a chunk is added (never removed: a handler may be walking it) when every slot of the chain is taken, so
 * the number of regions has no fixed cap (each JIT image with arena accesses holds one). A fault no region
 * repairs goes to the handler that was installed before ours; if that was the default action, it is
 * restored and the instruction re-executed, so the process dies by SIGSEGV exactly as without us.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>

#include "internal.h"

#define CHUNK_REGIONS 256

struct chunk {
	struct ukern_fault_region *slot[CHUNK_REGIONS];
	struct chunk *next;
};

static struct chunk first_chunk;
static struct sigaction old_segv, old_bus;
static pthread_once_t install_once = PTHREAD_ONCE_INIT;
static int install_err;

static void chain(int sig, siginfo_t *info, void *uc)
{
	struct sigaction *old = sig == SIGSEGV ? &old_segv : &old_bus;

	if ((old->sa_flags & SA_SIGINFO) && old->sa_sigaction) {
		old->sa_sigaction(sig, info, uc);
		return;
	}
	if (old->sa_handler != SIG_DFL && old->sa_handler != SIG_IGN && old->sa_handler) {
		old->sa_handler(sig);
		return;
	}
	/* Default action: put it back and let the faulting instruction run again. */
	sigaction(sig, old, NULL);
}

static void handler(int sig, siginfo_t *info, void *ucv)
{
	ucontext_t *uc = ucv;
	uintptr_t addr = (uintptr_t)info->si_addr;
	uintptr_t pc = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
	int saved = errno;

	for (struct chunk *ch = &first_chunk; ch; ch = __atomic_load_n(&ch->next, __ATOMIC_ACQUIRE)) {
		for (int i = 0; i < CHUNK_REGIONS; i++) {
			struct ukern_fault_region *r = __atomic_load_n(&ch->slot[i], __ATOMIC_ACQUIRE);
			uintptr_t key = 0;

			if (!r)
				continue;
			key = r->by_pc ? pc : addr;
			if (key >= r->start && key < r->end && r->fixup(r, ucv, addr)) {
				errno = saved;
				return;
			}
		}
	}
	errno = saved;
	chain(sig, info, ucv);
}

static void install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = handler;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER | SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSEGV, &sa, &old_segv) || sigaction(SIGBUS, &sa, &old_bus))
		install_err = -errno;
}

int ukern_fault_register(struct ukern_fault_region *region)
{
	pthread_once(&install_once, install);
	if (install_err)
		return install_err;
	for (struct chunk *ch = &first_chunk;;) {
		struct chunk *next, *fresh;

		for (int i = 0; i < CHUNK_REGIONS; i++) {
			struct ukern_fault_region *expected = NULL;

			if (__atomic_compare_exchange_n(&ch->slot[i], &expected, region, false, __ATOMIC_RELEASE,
							__ATOMIC_RELAXED))
				return 0;
		}
		next = __atomic_load_n(&ch->next, __ATOMIC_ACQUIRE);
		if (!next) {
			fresh = calloc(1, sizeof(*fresh));
			if (!fresh) {
				ukern_log(UKERN_WARN, "ukern: no memory for more fault regions\n");
				return -ENOMEM;
			}
			/* Filled before it is published, so the handler never sees a half-made chunk. */
			fresh->slot[0] = region;
			if (__atomic_compare_exchange_n(&ch->next, &next, fresh, false, __ATOMIC_RELEASE,
							__ATOMIC_ACQUIRE))
				return 0;
			free(fresh); /* another thread added one: use it */
		}
		ch = next;
	}
}

void ukern_fault_unregister(struct ukern_fault_region *region)
{
	for (struct chunk *ch = &first_chunk; ch; ch = __atomic_load_n(&ch->next, __ATOMIC_ACQUIRE)) {
		for (int i = 0; i < CHUNK_REGIONS; i++) {
			struct ukern_fault_region *expected = region;

			if (__atomic_compare_exchange_n(&ch->slot[i], &expected, NULL, false, __ATOMIC_RELEASE,
							__ATOMIC_RELAXED))
				return;
		}
	}
}

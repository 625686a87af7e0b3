/* Exception-table fixups for arena accesses of JITed code (the kernel's ex_handler_bpf, in user space).
 *
 * Each JIT image registers one fault region with the core's dispatcher, matched by the faulting pc. On a
 * SIGSEGV/SIGBUS whose pc is inside the image, jit_fixup() looks the pc up in the image's exception table:
 * a load gets its destination register zeroed, a store or atomic leaves every register as it was, and
 * execution resumes at the entry's resume offset (after the instruction, or after an atomic's whole
 * sequence). A pc with no entry, or a data address outside the arena's window, is a real crash: we return
 * false and the dispatcher re-raises it.
 *
 * Runs in a signal handler: binary search over an immutable table, no allocation, no locks.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <ucontext.h>

#include "jit_internal.h"

/* x86 register number (ModRM order) -> ucontext general register index. */
static const int greg_of[16] = {
	REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI, REG_RDI,
	REG_R8,  REG_R9,  REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15,
};

const struct jit_ex *jit_ex_find(const struct jit_priv *priv, uint32_t off)
{
	uint32_t lo = 0, hi = priv->ex_cnt;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (priv->ex[mid].insn_off == off)
			return &priv->ex[mid];
		if (priv->ex[mid].insn_off < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static bool jit_fixup(struct ukern_fault_region *region, void *ucontext, uintptr_t fault_addr)
{
	const struct jit_priv *priv = region->priv;
	ucontext_t *uc = ucontext;
	greg_t *g = uc->uc_mcontext.gregs;
	uintptr_t pc = (uintptr_t)g[REG_RIP];
	const struct jit_ex *ex;

	if (pc < (uintptr_t)priv->image || pc >= (uintptr_t)priv->image + priv->len)
		return false;
	ex = jit_ex_find(priv, (uint32_t)(pc - (uintptr_t)priv->image));
	if (!ex)
		return false;
	if (fault_addr < priv->arena_lo || fault_addr >= priv->arena_hi)
		return false;
	if (ex->kind == JIT_EX_LOAD && ex->zero_reg >= 0)
		g[greg_of[ex->zero_reg & 15]] = 0;
	g[REG_RIP] = (greg_t)((uintptr_t)priv->image + ex->resume);
	return true;
}

int jit_extable_register(struct jit_priv *priv)
{
	int err;

	if (!priv->ex_cnt)
		return 0; /* nothing can fault by design: any fault is a crash, the dispatcher's default */
	priv->region = (struct ukern_fault_region){
		.start = (uintptr_t)priv->image,
		.end = (uintptr_t)priv->image + priv->len,
		.by_pc = true,
		.fixup = jit_fixup,
		.priv = priv,
	};
	err = ukern_fault_register(&priv->region);
	if (err)
		return err;
	priv->registered = true;
	return 0;
}

void jit_extable_unregister(struct jit_priv *priv)
{
	if (priv->registered)
		ukern_fault_unregister(&priv->region);
	priv->registered = false;
}

/* jit/: the x86-64 JIT of ukern, the contract the core and the CLI use.
 *
 * ukern_jit_compile() and ukern_jit_free() (declared in internal.h) are the engine entry points: they turn a
 * verified program into prog->jit_image / jit_entry and back. This header adds what the rest of ukern and the
 * tools need besides: the disassembly view (arena accesses marked), a compile variant that takes the arena
 * bases explicitly (unit tests and benches that build a program by hand), and the may_goto budget both
 * engines must share.
 */
#ifndef UKERN_JIT_H
#define UKERN_JIT_H

#include <stdint.h>
#include <stdio.h>

#include "internal.h"

/* may_goto, the kernel's timed budget on x86-64 (6.15+, arch_bpf_timed_may_goto): each function invocation
 * has a counter starting at UKERN_MAY_GOTO_BATCH and a start time (0 = not yet). A may_goto with the counter
 * at 0 jumps; otherwise it decrements, and when that reaches 0 the clock is checked: the first check records
 * the time and refills, later ones refill until UKERN_MAY_GOTO_BUDGET_NS have passed since, then leave 0 so
 * the next may_goto jumps. */
#define UKERN_MAY_GOTO_BATCH 0xffffu
#define UKERN_MAY_GOTO_BUDGET_NS 250000000ull

/* The clock check, called by JITed code with the frame's {counter, start time} pair; returns the new counter. */
uint64_t ukern_jit_may_goto_check(uint64_t *slot);

/* Compiles prog as ukern_jit_compile() does, but with the arena bases given (view may be NULL when the
 * program has no arena) instead of asked from prog->arena. Returns 0 or a negative errno. */
int ukern_jit_compile_view(struct ukern_prog *prog, const struct ukern_arena_view *view);

/* Prints the JITed image of prog as x86-64 assembly (capstone): one block per BPF instruction headed by its
 * index, each arena access marked "; arena" with what a fault does. Returns 0, -ENOENT when prog has no
 * image, or a negative errno. */
int ukern_jit_disasm(const struct ukern_prog *prog, FILE *out);

/* Counts about the image (for tests and the CLI). */
struct ukern_jit_stats {
	size_t sz;             /* sizeof(struct ukern_jit_stats), set by the caller */
	uint32_t image_len;    /* bytes of code */
	uint32_t passes;       /* emission passes until the sizes converged */
	uint32_t arena_insns;  /* exception-table entries: faulting arena accesses */
	uint32_t arena_zext;   /* arena accesses that needed an explicit 32-bit index move first */
};
int ukern_jit_stats(const struct ukern_prog *prog, struct ukern_jit_stats *stats);

#endif /* UKERN_JIT_H */

/* Helpers shared by the files of llvm/ (not part of the contract in arena_lower.h). */
#ifndef ARENA_LOWER_INTERNAL_H
#define ARENA_LOWER_INTERNAL_H

#include <llvm-c/Core.h>

#include "arena_lower.h"

/* Reports MSG at AT's source location ("file:line:col: error: msg"), or names AT's function or global
 * when the IR carries no debug location. */
void lower_report(const struct arena_lower_opts *opts, enum arena_lower_level level, LLVMValueRef at,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Address space of pointer type T, -1 when T is not a pointer. */
int lower_ptr_as(LLVMTypeRef t);

/* cast.c: builds, at the builder's position, the addr_space_cast of V with immediate IMM as inline
 * assembly LLVM 14 can emit; the result has type DST_TY. NAME + SUFFIX names the result. */
LLVMValueRef lower_build_cast(LLVMBuilderRef b, LLVMValueRef v, LLVMTypeRef dst_ty, unsigned imm,
			      const char *name, const char *suffix);

/* cast.c: constant C (an expression or an aggregate) contains an addrspacecast expression. */
int lower_const_converts_as(LLVMValueRef c);
int lower_init_converts_as(LLVMValueRef init);

/* calls.c */
typedef LLVMValueRef (*lower_kern_fn)(void *ctx, LLVMValueRef v);
int lower_is_debug_intrinsic(LLVMValueRef call);
/* Lowers the arena pointer arguments of CALL where they are memory accesses (memset, memcpy, memmove);
 * other calls keep user-form arguments, as with clang-19; intrinsics that would access arena memory in
 * another way are reported. Returns 1 when CALL was replaced. */
int lower_call(const struct arena_lower_opts *opts, LLVMBuilderRef b, LLVMValueRef call, lower_kern_fn kern,
	       void *ctx, int *errors, unsigned *accesses);

/* Refuses modules this lowering is not for (not BPF). */
int lower_check_module(LLVMModuleRef mod, const struct arena_lower_opts *opts);

#endif

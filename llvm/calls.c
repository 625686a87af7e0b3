/* Calls that involve arena pointers.
 *
 * clang-19 casts only the pointer operand of loads, stores and atomics; calls (kfuncs, helpers, BPF
 * subprograms, inline assembly) receive the user-form value unchanged, which is what the kernel's arena
 * kfuncs expect. This lowering does the same, and in addition lowers memset/memcpy/memmove whose
 * destination or source is in the arena: they are memory accesses too (clang-19 leaves them uncast and
 * the verifier refuses the result; LLVM 22 casts them). Any other intrinsic taking an arena pointer
 * would access or describe arena memory in a way we cannot check, so it is reported, never compiled.
 */
#include <errno.h>
#include <string.h>

#include <llvm-c/Core.h>
#include <llvm-c/DebugInfo.h>

#include "lower_internal.h"

static const char *callee_name(LLVMValueRef call, size_t *len)
{
	LLVMValueRef callee = LLVMGetCalledValue(call);

	*len = 0;
	if (!callee || !LLVMIsAFunction(callee))
		return NULL;
	return LLVMGetValueName2(callee, len);
}

int lower_is_debug_intrinsic(LLVMValueRef call)
{
	size_t len;
	const char *n = callee_name(call, &len);

	return n && len > 9 && !strncmp(n, "llvm.dbg.", 9);
}

static int mem_intrinsic_ptr_args(const char *name, size_t len)
{
	static const struct {
		const char *prefix;
		int ptr_args;
	} known[] = {
		{ "llvm.memset.", 1 }, { "llvm.memcpy.inline.", 2 }, { "llvm.memcpy.", 2 }, { "llvm.memmove.", 2 },
	};
	size_t i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		size_t pl = strlen(known[i].prefix);
		if (len > pl && !strncmp(name, known[i].prefix, pl))
			return known[i].ptr_args;
	}
	return 0;
}

static void copy_call_attrs(LLVMValueRef from, LLVMValueRef to, unsigned nargs)
{
	LLVMAttributeRef attrs[64];
	long idx;

	for (idx = -1; idx <= (long)nargs; idx++) {
		LLVMAttributeIndex ai = idx < 0 ? (LLVMAttributeIndex)LLVMAttributeFunctionIndex : (LLVMAttributeIndex)idx;
		unsigned n = LLVMGetCallSiteAttributeCount(from, ai), i;

		if (!n || n > 64)
			continue;
		LLVMGetCallSiteAttributes(from, ai, attrs);
		for (i = 0; i < n; i++)
			LLVMAddCallSiteAttribute(to, ai, attrs[i]);
	}
}

int lower_call(const struct arena_lower_opts *opts, LLVMBuilderRef b, LLVMValueRef call, lower_kern_fn kern,
	       void *ctx, int *errors, unsigned *accesses)
{
	unsigned nargs = LLVMGetNumArgOperands(call), i, id;
	LLVMValueRef callee = LLVMGetCalledValue(call), args[16], decl, nc;
	LLVMTypeRef tys[3], fn_ty;
	int arena_args = 0, ptr_args;
	size_t len;
	const char *name;

	if (!callee || !LLVMIsAFunction(callee) || !(id = LLVMGetIntrinsicID(callee)))
		return 0; /* kfunc, helper, subprogram, inline asm: user form, as clang-19 */
	if (lower_is_debug_intrinsic(call))
		return 0;
	name = callee_name(call, &len);
	/* clang's BPF passes mark values with llvm.bpf.passthrough, an identity the backend removes later:
	 * the arena pointer flows through it in user form and its result is lowered like any value. */
	if (len > 21 && !strncmp(name, "llvm.bpf.passthrough.", 21))
		return 0;
	for (i = 0; i < nargs; i++)
		if (lower_ptr_as(LLVMTypeOf(LLVMGetOperand(call, i))) == ARENA_LOWER_AS)
			arena_args++;
	if (!arena_args)
		return 0;
	ptr_args = mem_intrinsic_ptr_args(name, len);
	if (!ptr_args || nargs > 16) {
		lower_report(opts, ARENA_LOWER_ERROR, call, "cannot lower '%.*s' on an arena pointer", (int)len, name);
		(*errors)++;
		return 0;
	}
	for (i = 0; i < nargs; i++) {
		args[i] = LLVMGetOperand(call, i);
		if ((int)i < ptr_args && lower_ptr_as(LLVMTypeOf(args[i])) == ARENA_LOWER_AS) {
			args[i] = kern(ctx, args[i]);
			if (!args[i]) {
				(*errors)++;
				return 0;
			}
		}
	}
	/* Overloaded on the pointer types and the length type, in that order. */
	for (i = 0; i < (unsigned)ptr_args; i++)
		tys[i] = LLVMTypeOf(args[i]);
	tys[ptr_args] = LLVMTypeOf(args[2]); /* the length, argument 2 of all four */
	decl = LLVMGetIntrinsicDeclaration(LLVMGetGlobalParent(callee), id, tys, ptr_args + 1);
	fn_ty = LLVMIntrinsicGetType(LLVMGetTypeContext(tys[0]), id, tys, ptr_args + 1);
	LLVMPositionBuilderBefore(b, call);
	LLVMSetCurrentDebugLocation2(b, LLVMInstructionGetDebugLoc(call));
	nc = LLVMBuildCall2(b, fn_ty, decl, args, nargs, "");
	copy_call_attrs(call, nc, nargs);
	LLVMInstructionEraseFromParent(call);
	if (!LLVMGetFirstUse(callee)) /* the address-space-1 variant is gone from the module */
		LLVMDeleteFunction(callee);
	if (accesses)
		(*accesses)++;
	return 1;
}

int lower_check_module(LLVMModuleRef mod, const struct arena_lower_opts *opts)
{
	const char *triple = LLVMGetTarget(mod);

	if (!triple || strncmp(triple, "bpf", 3)) {
		lower_report(opts, ARENA_LOWER_ERROR, NULL, "module target is '%s', not BPF: compile with "
			     "clang-14 -target bpf", triple && *triple ? triple : "(none)");
		return -EINVAL;
	}
	return 0;
}

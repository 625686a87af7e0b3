/* The addr_space_cast instruction as inline assembly that LLVM 14 can emit.
 *
 * LLVM 14's BPF backend cannot select `addrspacecast` and its assembler has no addr_space_cast mnemonic,
 * so the cast is a call to inline assembly that writes the 8 instruction bytes directly:
 *   opcode 0xbf (BPF_ALU64 | BPF_MOV | BPF_X), regs byte (src << 4) | dst, off = 1, imm.
 * The register numbers come from the operands the register allocator chose: `.ifc` compares each
 * operand's printed name with r0..r10 and `.set`s an assembler-local symbol, made unique per asm
 * statement with ${:uid}, whose value the `.byte` expression uses. Separate output and input registers
 * ("=r,r", not a tied "+r") let the allocator keep the user-form value live without a copy, exactly as
 * the native instruction does.
 *
 * The call is readnone and nounwind and has no side effects, so LLVM may drop, merge or move it like
 * the native cast; only the verifier needs it to exist right where a pointer is dereferenced, which the
 * data dependency guarantees.
 */
#include <stdio.h>
#include <string.h>

#include <llvm-c/Core.h>

#include "lower_internal.h"

static size_t cast_asm_text(char *buf, size_t len, unsigned imm)
{
	size_t n = 0;
	int r;

	for (r = 0; r <= 10; r++)
		n += snprintf(buf + n, len - n, ".ifc $0, r%d\n.set .Larena_d${:uid}, %d\n.endif\n", r, r);
	for (r = 0; r <= 10; r++)
		n += snprintf(buf + n, len - n, ".ifc $1, r%d\n.set .Larena_s${:uid}, %d\n.endif\n", r, r);
	n += snprintf(buf + n, len - n,
		      ".byte 0xbf, (.Larena_s${:uid} << 4) | .Larena_d${:uid}\n.short 1\n.long %u", imm);
	return n;
}

LLVMValueRef lower_build_cast(LLVMBuilderRef b, LLVMValueRef v, LLVMTypeRef dst_ty, unsigned imm,
			      const char *name, const char *suffix)
{
	LLVMContextRef ctx = LLVMGetTypeContext(dst_ty);
	LLVMTypeRef src_ty = LLVMTypeOf(v), fn_ty = LLVMFunctionType(dst_ty, &src_ty, 1, 0);
	static const char *const attrs[] = { "readnone", "nounwind" };
	char text[2048], nm[256];
	size_t len = cast_asm_text(text, sizeof(text), imm), i;
	LLVMValueRef ia, call;

	ia = LLVMGetInlineAsm(fn_ty, text, len, (char *)"=r,r", 4, 0, 0, LLVMInlineAsmDialectATT, 0);
	snprintf(nm, sizeof(nm), "%s%s", name && *name ? name : "arena", suffix);
	call = LLVMBuildCall2(b, fn_ty, ia, &v, 1, nm);
	for (i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++) {
		unsigned kind = LLVMGetEnumAttributeKindForName(attrs[i], strlen(attrs[i]));
		LLVMAddCallSiteAttribute(call, LLVMAttributeFunctionIndex, LLVMCreateEnumAttribute(ctx, kind, 0));
	}
	return call;
}

int lower_const_converts_as(LLVMValueRef c)
{
	int n, i;

	if (!c || !LLVMIsAConstantExpr(c))
		return 0;
	if (LLVMGetConstOpcode(c) == LLVMAddrSpaceCast)
		return 1;
	n = LLVMGetNumOperands(c);
	for (i = 0; i < n; i++)
		if (lower_const_converts_as(LLVMGetOperand(c, i)))
			return 1;
	return 0;
}

int lower_init_converts_as(LLVMValueRef init)
{
	int n, i;

	if (!init || LLVMIsAGlobalValue(init))
		return 0;
	if (LLVMIsAConstantExpr(init))
		return lower_const_converts_as(init);
	if (!LLVMIsAConstantStruct(init) && !LLVMIsAConstantArray(init) && !LLVMIsAConstantVector(init))
		return 0;
	n = LLVMGetNumOperands(init);
	for (i = 0; i < n; i++)
		if (lower_init_converts_as(LLVMGetOperand(init, i)))
			return 1;
	return 0;
}

/* Object emission through LLVM 14's BPF target machine, and the post-lowering cleanup passes.
 *
 * The target machine is configured the way clang-14 configures it for `-target bpf` (CPU from the
 * module's "target-cpu" attribute, default "generic"; features from "target-features"; static
 * relocation and default code model), so an object built here differs from `clang-14 -c` only by the
 * lowering. LLVM reports backend problems (unsupported calls, inline-asm errors) as diagnostics on the
 * context: they are collected here and turned into a failure instead of LLVM's default exit.
 *
 * Some intrinsics never reach a diagnostic: LLVM 14's BPF backend has no lowering for ctlz/cttz
 * (__builtin_clz*, __builtin_ctz*) and its legalizer then loops, growing memory without bound until the
 * process is killed or segfaults (plain `clang-14 -target bpf -O2 -c` crashes the same way; LLVM 19
 * compiles them). Those are refused by name, at their source line, before the backend runs. The list
 * is measured, not guessed: every common integer intrinsic at i8..i64 through llc-14 -mcpu=v1 and v3
 * (llvm/README.md, "Intrinsics"); the others compile or fail with a diagnostic of their own.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <llvm-c/Core.h>
#include <llvm-c/Error.h>
#include <llvm-c/Target.h>
#include <llvm-c/TargetMachine.h>
#include <llvm-c/Transforms/PassBuilder.h>

#include "lower_internal.h"

void LLVMInitializeBPFTargetInfo(void);
void LLVMInitializeBPFTarget(void);
void LLVMInitializeBPFTargetMC(void);
void LLVMInitializeBPFAsmPrinter(void);
void LLVMInitializeBPFAsmParser(void);

struct diag_sink {
	arena_lower_print_fn print;
	void *cookie;
	int errors;
	int asm_hint;
};

static void diag_collect(LLVMDiagnosticInfoRef di, void *cookie)
{
	struct diag_sink *s = cookie;
	LLVMDiagnosticSeverity sev = LLVMGetDiagInfoSeverity(di);
	char *desc = LLVMGetDiagInfoDescription(di);
	char line[2048];

	if (sev == LLVMDSError)
		s->errors++;
	if (s->print && (sev == LLVMDSError || sev == LLVMDSWarning)) {
		snprintf(line, sizeof(line), "%s: LLVM 14 BPF backend: %s", sev == LLVMDSError ? "error" : "warning",
			 desc ? desc : "(no description)");
		s->print(sev == LLVMDSError ? ARENA_LOWER_ERROR : ARENA_LOWER_WARN, line, s->cookie);
		if (sev == LLVMDSError && desc && strstr(desc, "<inline asm>") && !s->asm_hint++)
			s->print(ARENA_LOWER_INFO, "note: the source's own inline assembly uses something LLVM 14's "
				 "assembler does not know (may_goto, addr_space_cast, ...): write can_loop / cond_break "
				 "from bpf_arena.h, which encode may_goto as bytes, and let arena-lower insert the casts",
				 s->cookie);
	}
	LLVMDisposeMessage(desc);
}

static void bpf_target_init(void)
{
	static int done;

	if (done)
		return;
	LLVMInitializeBPFTargetInfo();
	LLVMInitializeBPFTarget();
	LLVMInitializeBPFTargetMC();
	LLVMInitializeBPFAsmPrinter();
	LLVMInitializeBPFAsmParser(); /* the cast is inline assembly, parsed at emission */
	done = 1;
}

/* The string attribute KIND of the module's first defined function, or DEF. */
static const char *fn_attr(LLVMModuleRef mod, const char *kind, const char *def, char *buf, size_t len)
{
	LLVMValueRef fn;

	for (fn = LLVMGetFirstFunction(mod); fn; fn = LLVMGetNextFunction(fn)) {
		LLVMAttributeRef a;
		unsigned vlen = 0;
		const char *v;

		if (LLVMIsDeclaration(fn))
			continue;
		a = LLVMGetStringAttributeAtIndex(fn, LLVMAttributeFunctionIndex, kind, strlen(kind));
		if (!a)
			return def;
		v = LLVMGetStringAttributeValue(a, &vlen);
		snprintf(buf, len, "%.*s", (int)vlen, v ? v : "");
		return buf;
	}
	return def;
}

static LLVMTargetMachineRef bpf_target_machine(LLVMModuleRef mod, const char *cpu, int opt_level,
					       arena_lower_print_fn print, void *cookie)
{
	char cpu_buf[64], feat_buf[256], *err = NULL;
	const char *triple = LLVMGetTarget(mod), *feat;
	LLVMCodeGenOptLevel lvl;
	LLVMTargetRef t;

	bpf_target_init();
	if (LLVMGetTargetFromTriple(triple, &t, &err)) {
		if (print) {
			char line[512];
			snprintf(line, sizeof(line), "error: no LLVM 14 target for '%s': %s", triple, err ? err : "");
			print(ARENA_LOWER_ERROR, line, cookie);
		}
		LLVMDisposeMessage(err);
		return NULL;
	}
	if (!cpu)
		cpu = fn_attr(mod, "target-cpu", "generic", cpu_buf, sizeof(cpu_buf));
	feat = fn_attr(mod, "target-features", "", feat_buf, sizeof(feat_buf));
	lvl = opt_level <= 0 ? LLVMCodeGenLevelNone : opt_level == 1 ? LLVMCodeGenLevelLess :
	      opt_level == 2 ? LLVMCodeGenLevelDefault : LLVMCodeGenLevelAggressive;
	return LLVMCreateTargetMachine(t, triple, cpu, feat, lvl, LLVMRelocDefault, LLVMCodeModelDefault);
}

int arena_lower_cleanup(LLVMModuleRef mod, const struct arena_lower_opts *opts)
{
	LLVMPassBuilderOptionsRef po;
	LLVMErrorRef e;

	if (!mod || !opts || opts->sz < sizeof(*opts))
		return -EINVAL;
	po = LLVMCreatePassBuilderOptions();
	/* Opt-in (arena-lower --cleanup): the lowering already erases what it leaves dead, these passes
	 * changed no program of the benchmark, and re-running generic passes after clang's BPF-specific IR
	 * adjustments could undo them. Kept for experiments. None of them can see through the casts. */
	e = LLVMRunPasses(mod, "function(instcombine,early-cse,simplifycfg)", NULL, po);
	LLVMDisposePassBuilderOptions(po);
	if (e) {
		char *m = LLVMGetErrorMessage(e);
		lower_report(opts, ARENA_LOWER_ERROR, NULL, "cleanup passes failed: %s", m);
		LLVMDisposeErrorMessage(m);
		return -EINVAL;
	}
	return 0;
}

/* Intrinsics that crash or hang LLVM 14's BPF backend instead of producing a diagnostic. */
static const struct {
	const char *prefix;
	const char *builtin;
} backend_unselectable[] = {
	{ "llvm.ctlz.", "__builtin_clz" },
	{ "llvm.cttz.", "__builtin_ctz" },
};

static int emit_check_selectable(LLVMModuleRef mod, const struct arena_emit_opts *opts)
{
	struct arena_lower_opts lo = { .sz = sizeof(lo), .print = opts->print, .cookie = opts->cookie };
	LLVMValueRef fn;
	int errors = 0;
	size_t i;

	for (fn = LLVMGetFirstFunction(mod); fn; fn = LLVMGetNextFunction(fn)) {
		size_t len = 0;
		const char *name = LLVMGetValueName2(fn, &len);
		LLVMUseRef u;

		if (!LLVMGetIntrinsicID(fn) || !name)
			continue;
		for (i = 0; i < sizeof(backend_unselectable) / sizeof(backend_unselectable[0]); i++)
			if (!strncmp(name, backend_unselectable[i].prefix, strlen(backend_unselectable[i].prefix)))
				break;
		if (i == sizeof(backend_unselectable) / sizeof(backend_unselectable[0]))
			continue;
		/* Reported once per call, so every source line that needs rewriting is named. */
		for (u = LLVMGetFirstUse(fn); u; u = LLVMGetNextUse(u)) {
			LLVMValueRef at = LLVMGetUser(u);

			lower_report(&lo, ARENA_LOWER_ERROR, LLVMIsAInstruction(at) ? at : fn,
				     "LLVM 14's BPF backend cannot compile '%.*s' (%s*): it crashes on it, as plain "
				     "clang-14 -target bpf -c does; build with clang-19 (arena cc --compiler clang-19) "
				     "or compute the bit count without the builtin", (int)len, name,
				     backend_unselectable[i].builtin);
			errors++;
		}
	}
	return errors ? -EINVAL : 0;
}

int arena_lower_emit_object(LLVMModuleRef mod, const char *path, const struct arena_emit_opts *opts)
{
	struct diag_sink sink = { 0 };
	LLVMContextRef ctx = LLVMGetModuleContext(mod);
	LLVMDiagnosticHandler old = LLVMContextGetDiagnosticHandler(ctx);
	void *old_ctx = LLVMContextGetDiagnosticContext(ctx);
	LLVMTargetMachineRef tm;
	char *err = NULL;
	int ret = 0;

	if (!mod || !path || !opts || opts->sz < sizeof(*opts))
		return -EINVAL;
	sink.print = opts->print;
	sink.cookie = opts->cookie;
	if (emit_check_selectable(mod, opts))
		return -EINVAL;
	tm = bpf_target_machine(mod, opts->cpu, opts->opt_level, opts->print, opts->cookie);
	if (!tm)
		return -EINVAL;
	LLVMContextSetDiagnosticHandler(ctx, diag_collect, &sink);
	if (LLVMTargetMachineEmitToFile(tm, mod, (char *)path, LLVMObjectFile, &err)) {
		if (opts->print) {
			char line[1024];
			snprintf(line, sizeof(line), "error: cannot write '%s': %s", path, err ? err : "");
			opts->print(ARENA_LOWER_ERROR, line, opts->cookie);
		}
		ret = -EIO;
	}
	LLVMDisposeMessage(err);
	LLVMContextSetDiagnosticHandler(ctx, old, old_ctx);
	LLVMDisposeTargetMachine(tm);
	if (!ret && sink.errors) {
		remove(path);
		ret = -EINVAL;
	}
	return ret;
}

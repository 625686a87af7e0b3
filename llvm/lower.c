/* The arena lowering itself: rewrite address_space(1) accesses of a clang-14 -O2 module into accesses
 * through addr_space_cast values, the way clang-19's BPF backend does natively.
 *
 * Model (the kernel's and clang-19's): a value of type `T addrspace(1)*` always holds the user-form
 * address. Only a memory access needs the kernel form, so the lowering leaves every other use alone
 * (comparisons, stores of the pointer, calls, returns, phis) and gives each access a pointer in address
 * space 0 produced by addr_space_cast(r, 0, 1) ("cast kern").
 *
 * Steps per function, in this order (docs/lowering.md has the long version):
 *  1. Constant expressions that change address space are turned into instructions before their user
 *     (the conversion itself is lowered right there: LLVM's builder would fold it back into a constant).
 *  2. `addrspacecast as0 -> as1` becomes the user cast; `addrspacecast as1 -> as0` becomes the kern cast
 *     of its operand (shared with the accesses through the same value).
 *  3. Each load, store, cmpxchg, atomicrmw and memset/memcpy/memmove operand in as1 is replaced by the
 *     kern-cast value. A GEP or bitcast chain is rebuilt in as0 on top of one cast of its base, so that
 *     constant offsets fold into the access. Casts are cached per value and function: an instruction is
 *     cast right after its definition, an argument or global at function entry.
 *  4. The as1 chains left without users are deleted; anything still converting address space or
 *     accessing memory outside as0 is reported (never silently compiled).
 * Globals in as1 without a section move to ".addr_space.1" and lose `constant`, as with clang-19.
 *
 * Invariants: only values of pointer type in as1 are ever cast; a cast value is only used by accesses
 * (or by the explicit C cast it replaces); new instructions carry the debug location of the instruction
 * they are placed before, so BTF line info stays meaningful.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <llvm-c/Core.h>
#include <llvm-c/DebugInfo.h>

#include "arena_lower.h"
#include "lower_internal.h"

/* Open-addressing map from an as1 value to its as0 (kernel-form) replacement, one per function. */
struct cast_map {
	LLVMValueRef *keys;
	LLVMValueRef *vals;
	size_t cap, len;
};

struct fn_lower {
	const struct arena_lower_opts *opts;
	struct arena_lower_stats *stats;
	LLVMModuleRef mod;
	LLVMContextRef ctx;
	LLVMBuilderRef b;
	LLVMValueRef fn;
	struct cast_map casts;    /* as1 value -> its kernel-form (as0) pointer */
	struct cast_map user_src; /* user-cast call -> the as0 pointer it converted */
	int errors;
};

static size_t map_slot(const struct cast_map *m, LLVMValueRef k)
{
	size_t h = ((size_t)k >> 4) * 0x9e3779b97f4a7c15ull;
	size_t i = h & (m->cap - 1);

	while (m->keys[i] && m->keys[i] != k)
		i = (i + 1) & (m->cap - 1);
	return i;
}

static LLVMValueRef map_get(const struct cast_map *m, LLVMValueRef k)
{
	if (!m->cap)
		return NULL;
	return m->vals[map_slot(m, k)];
}

static int map_put(struct cast_map *m, LLVMValueRef k, LLVMValueRef v)
{
	if ((m->len + 1) * 2 > m->cap) {
		struct cast_map n = { .cap = m->cap ? m->cap * 2 : 64 };
		size_t i;

		n.keys = calloc(n.cap, sizeof(*n.keys));
		n.vals = calloc(n.cap, sizeof(*n.vals));
		if (!n.keys || !n.vals) {
			free(n.keys);
			free(n.vals);
			return -ENOMEM;
		}
		for (i = 0; i < m->cap; i++) {
			if (m->keys[i]) {
				size_t s = map_slot(&n, m->keys[i]);
				n.keys[s] = m->keys[i];
				n.vals[s] = m->vals[i];
				n.len++;
			}
		}
		free(m->keys);
		free(m->vals);
		*m = n;
	}
	size_t s = map_slot(m, k);
	if (!m->keys[s])
		m->len++;
	m->keys[s] = k;
	m->vals[s] = v;
	return 0;
}

static void map_free(struct cast_map *m)
{
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}

void lower_report(const struct arena_lower_opts *opts, enum arena_lower_level level, LLVMValueRef at,
		  const char *fmt, ...)
{
	char msg[1024], loc[512] = "";
	const char *lvl = level == ARENA_LOWER_ERROR ? "error" : level == ARENA_LOWER_WARN ? "warning" : "note";
	va_list ap;

	if (!opts || !opts->print)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (at && (LLVMIsAInstruction(at) || LLVMIsAGlobalVariable(at) || LLVMIsAFunction(at))) {
		unsigned flen = 0, dlen = 0;
		const char *file = LLVMGetDebugLocFilename(at, &flen);
		const char *dir = LLVMGetDebugLocDirectory(at, &dlen);
		unsigned line = LLVMGetDebugLocLine(at);
		unsigned col = LLVMIsAInstruction(at) ? LLVMGetDebugLocColumn(at) : 0;

		(void)dir;
		(void)dlen;
		if (file && flen && line) {
			if (col)
				snprintf(loc, sizeof(loc), "%.*s:%u:%u: ", (int)flen, file, line, col);
			else
				snprintf(loc, sizeof(loc), "%.*s:%u: ", (int)flen, file, line);
		} else {
			LLVMValueRef owner = at;
			size_t nlen = 0;
			const char *name;

			if (LLVMIsAInstruction(at))
				owner = LLVMGetBasicBlockParent(LLVMGetInstructionParent(at));
			name = LLVMGetValueName2(owner, &nlen);
			if (name && nlen)
				snprintf(loc, sizeof(loc), "in %s '%.*s' (no debug location; build with -g): ",
					 LLVMIsAGlobalVariable(owner) ? "global" : "function", (int)nlen, name);
		}
	}
	char line_buf[1600];
	snprintf(line_buf, sizeof(line_buf), "%s%s: %s", loc, lvl, msg);
	opts->print(level, line_buf, opts->cookie);
}

int lower_ptr_as(LLVMTypeRef t)
{
	if (LLVMGetTypeKind(t) != LLVMPointerTypeKind)
		return -1;
	return (int)LLVMGetPointerAddressSpace(t);
}

static LLVMTypeRef ptr_in_as(LLVMTypeRef ptr_ty, unsigned as)
{
	return LLVMPointerType(LLVMGetElementType(ptr_ty), as);
}

static LLVMValueRef first_non_phi(LLVMBasicBlockRef bb)
{
	LLVMValueRef i = LLVMGetFirstInstruction(bb);

	while (i && LLVMIsAPHINode(i))
		i = LLVMGetNextInstruction(i);
	return i;
}

/* Positions the builder before WHERE and gives what it builds WHERE's debug location. */
static void build_before(struct fn_lower *c, LLVMValueRef where)
{
	LLVMPositionBuilderBefore(c->b, where);
	LLVMSetCurrentDebugLocation2(c->b, LLVMInstructionGetDebugLoc(where));
}

/* Positions the builder right after the definition of V: after the phi group for a phi, at function
 * entry for an argument, a global or a constant. */
static void build_after_def(struct fn_lower *c, LLVMValueRef v)
{
	LLVMValueRef next;

	if (LLVMIsAInstruction(v))
		next = LLVMIsAPHINode(v) ? first_non_phi(LLVMGetInstructionParent(v)) : LLVMGetNextInstruction(v);
	else
		next = first_non_phi(LLVMGetEntryBasicBlock(c->fn));
	build_before(c, next);
}

static const char *value_name(LLVMValueRef v)
{
	size_t len = 0;
	const char *n = LLVMGetValueName2(v, &len);

	return n && len ? n : "";
}

/* The as0 pointer through which memory at as1 value V is accessed; built once per value. */
static LLVMValueRef kern_of(struct fn_lower *c, LLVMValueRef v)
{
	LLVMValueRef r = map_get(&c->casts, v), base, wb;
	LLVMTypeRef ty = LLVMTypeOf(v);
	int is_gep, is_bitcast, is_user_cast;

	if (r)
		return r;

	is_gep = (LLVMIsAGetElementPtrInst(v) ||
		  (LLVMIsAConstantExpr(v) && LLVMGetConstOpcode(v) == LLVMGetElementPtr));
	is_bitcast = (LLVMIsABitCastInst(v) || (LLVMIsAConstantExpr(v) && LLVMGetConstOpcode(v) == LLVMBitCast));
	is_user_cast = map_get(&c->user_src, v) != NULL;

	if ((is_gep || is_bitcast) && lower_ptr_as(LLVMTypeOf(LLVMGetOperand(v, 0))) == ARENA_LOWER_AS) {
		/* Rebuild the address arithmetic in as0 on the cast of its base, so offsets fold into the
		 * access and one cast serves the whole chain. */
		base = LLVMGetOperand(v, 0);
		wb = kern_of(c, base);
		if (!wb)
			return NULL;
		if (LLVMIsAInstruction(v))
			build_after_def(c, v);
		else
			build_after_def(c, wb);
		if (is_gep) {
			unsigned n = LLVMGetNumOperands(v) - 1, i;
			LLVMValueRef idx[64];

			if (n > 64) {
				lower_report(c->opts, ARENA_LOWER_ERROR, v, "address arithmetic with %u indices", n);
				return NULL;
			}
			for (i = 0; i < n; i++)
				idx[i] = LLVMGetOperand(v, i + 1);
			r = LLVMBuildGEP2(c->b, LLVMGetGEPSourceElementType(v), wb, idx, n, value_name(v));
			if (LLVMIsAGetElementPtrInst(r) && LLVMIsInBounds(v))
				LLVMSetIsInBounds(r, 1);
		} else {
			r = LLVMBuildBitCast(c->b, wb, ptr_in_as(ty, 0), value_name(v));
		}
	} else if (is_user_cast) {
		/* cast kern of cast user of an as0 pointer is that pointer (clang-19 folds the pair too). */
		LLVMValueRef src = map_get(&c->user_src, v);

		build_after_def(c, v);
		r = LLVMTypeOf(src) == ptr_in_as(ty, 0) ? src : LLVMBuildBitCast(c->b, src, ptr_in_as(ty, 0), "");
	} else {
		if (!LLVMGetElementType(ty)) {
			lower_report(c->opts, ARENA_LOWER_ERROR, v, "opaque pointers are not supported: give arena-lower "
				     "the typed-pointer IR clang-14 emits");
			return NULL;
		}
		build_after_def(c, v);
		r = lower_build_cast(c->b, v, ptr_in_as(ty, 0), ARENA_LOWER_CAST_KERN_IMM, value_name(v), ".kern");
		if (c->stats)
			c->stats->kern_casts++;
	}
	if (!r || map_put(&c->casts, v, r))
		return NULL;
	return r;
}

/* Turns constant expression CE (which converts address space somewhere inside) into instructions
 * placed before BEFORE; returns the replacement or NULL after reporting what it cannot handle. */
static LLVMValueRef materialize_const(struct fn_lower *c, LLVMValueRef ce, LLVMValueRef before, LLVMValueRef user)
{
	LLVMOpcode op;
	LLVMValueRef ops[64];
	unsigned n, i;

	if (!LLVMIsAConstantExpr(ce) || !lower_const_converts_as(ce))
		return ce;
	op = LLVMGetConstOpcode(ce);
	n = LLVMGetNumOperands(ce);
	if (n > 64)
		return NULL;
	for (i = 0; i < n; i++) {
		ops[i] = materialize_const(c, LLVMGetOperand(ce, i), before, user);
		if (!ops[i])
			return NULL;
	}
	/* Every case below gets at least one non-constant operand from the recursion, except the
	 * conversion itself, whose operand is constant: LLVM's builder would fold an instruction built on
	 * it straight back into the constant expression, so the conversion is lowered here directly. */
	if (op == LLVMAddrSpaceCast) {
		int sas = lower_ptr_as(LLVMTypeOf(ops[0])), das = lower_ptr_as(LLVMTypeOf(ce));
		LLVMValueRef r;

		if (sas == ARENA_LOWER_AS && das == 0) {
			r = kern_of(c, ops[0]);
			if (r && LLVMTypeOf(r) != LLVMTypeOf(ce)) {
				build_before(c, before);
				r = LLVMBuildBitCast(c->b, r, LLVMTypeOf(ce), "");
			}
			return r;
		}
		if (sas == 0 && das == ARENA_LOWER_AS) {
			build_before(c, before);
			r = lower_build_cast(c->b, ops[0], LLVMTypeOf(ce), ARENA_LOWER_CAST_USER_IMM, value_name(ops[0]),
					     ".user");
			if (c->stats)
				c->stats->user_casts++;
			if (map_put(&c->user_src, r, ops[0]))
				return NULL;
			return r;
		}
		lower_report(c->opts, ARENA_LOWER_ERROR, user, "cannot convert from address space %d to %d: only the "
			     "arena (1) and the default (0) address space exist on BPF", sas, das);
		return NULL;
	}
	build_before(c, before);
	switch (op) {
	case LLVMBitCast:
		return LLVMBuildBitCast(c->b, ops[0], LLVMTypeOf(ce), "");
	case LLVMPtrToInt:
		return LLVMBuildPtrToInt(c->b, ops[0], LLVMTypeOf(ce), "");
	case LLVMIntToPtr:
		return LLVMBuildIntToPtr(c->b, ops[0], LLVMTypeOf(ce), "");
	case LLVMGetElementPtr: {
		LLVMValueRef r = LLVMBuildGEP2(c->b, LLVMGetGEPSourceElementType(ce), ops[0], ops + 1, n - 1, "");
		if (LLVMIsAGetElementPtrInst(r) && LLVMIsInBounds(ce))
			LLVMSetIsInBounds(r, 1);
		return r;
	}
	default:
		lower_report(c->opts, ARENA_LOWER_ERROR, user,
			     "cannot lower a constant expression (opcode %d) that converts between address spaces", op);
		return NULL;
	}
}

/* Step 1: every operand that is a constant expression converting address space becomes instructions. */
static void expand_const_casts(struct fn_lower *c, LLVMValueRef inst)
{
	unsigned n = LLVMGetNumOperands(inst), i;

	if (LLVMIsACallInst(inst) && LLVMGetIntrinsicID(LLVMGetCalledValue(inst)) &&
	    lower_is_debug_intrinsic(inst))
		return;
	for (i = 0; i < n; i++) {
		LLVMValueRef op = LLVMGetOperand(inst, i), before = inst, r;

		if (!op || !LLVMIsAConstantExpr(op) || !lower_const_converts_as(op))
			continue;
		if (LLVMIsAPHINode(inst))
			before = LLVMGetBasicBlockTerminator(LLVMGetIncomingBlock(inst, i));
		r = materialize_const(c, op, before, inst);
		if (!r)
			c->errors++;
		else
			LLVMSetOperand(inst, i, r);
	}
}

/* Step 2: explicit conversions written in C. */
static void lower_addrspacecast(struct fn_lower *c, LLVMValueRef inst)
{
	LLVMValueRef src = LLVMGetOperand(inst, 0), r;
	LLVMTypeRef to = LLVMTypeOf(inst);
	int sas = lower_ptr_as(LLVMTypeOf(src)), das = lower_ptr_as(to);

	if (sas == 0 && das == ARENA_LOWER_AS) {
		build_before(c, inst);
		r = lower_build_cast(c->b, src, to, ARENA_LOWER_CAST_USER_IMM, value_name(inst), ".user");
		if (c->stats)
			c->stats->user_casts++;
		if (!r || map_put(&c->user_src, r, src)) {
			c->errors++;
			return;
		}
	} else if (sas == ARENA_LOWER_AS && das == 0) {
		r = kern_of(c, src);
		if (!r) {
			c->errors++;
			return;
		}
		if (LLVMTypeOf(r) != to) {
			build_before(c, inst);
			r = LLVMBuildBitCast(c->b, r, to, "");
		}
	} else {
		lower_report(c->opts, ARENA_LOWER_ERROR, inst,
			     "cannot convert from address space %d to %d: only the arena (1) and the default (0) "
			     "address space exist on BPF", sas, das);
		c->errors++;
		return;
	}
	LLVMReplaceAllUsesWith(inst, r);
	LLVMInstructionEraseFromParent(inst);
}

static int ptr_operand_index(LLVMValueRef inst)
{
	switch (LLVMGetInstructionOpcode(inst)) {
	case LLVMLoad:
	case LLVMAtomicCmpXchg:
	case LLVMAtomicRMW:
		return 0;
	case LLVMStore:
		return 1;
	default:
		return -1;
	}
}

static LLVMValueRef kern_cb(void *c, LLVMValueRef v)
{
	return kern_of(c, v);
}

/* Step 3 for one access. Returns 1 when INST was replaced (it no longer exists). */
static int lower_access(struct fn_lower *c, LLVMValueRef inst)
{
	int idx = ptr_operand_index(inst), as;
	LLVMValueRef ptr, r;

	if (idx >= 0) {
		ptr = LLVMGetOperand(inst, idx);
		as = lower_ptr_as(LLVMTypeOf(ptr));
		if (as == 0)
			return 0;
		if (as != ARENA_LOWER_AS) {
			lower_report(c->opts, ARENA_LOWER_ERROR, inst,
				     "memory access in address space %d: only the arena (1) is supported", as);
			c->errors++;
			return 0;
		}
		r = kern_of(c, ptr);
		if (!r) {
			c->errors++;
			return 0;
		}
		LLVMSetOperand(inst, idx, r);
		if (c->stats)
			c->stats->accesses++;
		return 0;
	}
	if (LLVMIsACallInst(inst))
		return lower_call(c->opts, c->b, inst, kern_cb, c, &c->errors, c->stats ? &c->stats->accesses : NULL);
	return 0;
}

/* Step 4: drop as1 address arithmetic whose only users were the accesses now rebased. */
static void erase_dead_chains(LLVMValueRef fn)
{
	int changed = 1;

	while (changed) {
		LLVMBasicBlockRef bb;

		changed = 0;
		for (bb = LLVMGetFirstBasicBlock(fn); bb; bb = LLVMGetNextBasicBlock(bb)) {
			LLVMValueRef i = LLVMGetFirstInstruction(bb), next;

			for (; i; i = next) {
				next = LLVMGetNextInstruction(i);
				if ((LLVMIsAGetElementPtrInst(i) || LLVMIsABitCastInst(i)) &&
				    lower_ptr_as(LLVMTypeOf(i)) >= 0 && !LLVMGetFirstUse(i)) {
					LLVMInstructionEraseFromParent(i);
					changed = 1;
				}
			}
		}
	}
}

static void check_lowered(struct fn_lower *c)
{
	LLVMBasicBlockRef bb;

	for (bb = LLVMGetFirstBasicBlock(c->fn); bb; bb = LLVMGetNextBasicBlock(bb)) {
		LLVMValueRef i;

		for (i = LLVMGetFirstInstruction(bb); i; i = LLVMGetNextInstruction(i)) {
			int idx = ptr_operand_index(i);

			int k, n = LLVMGetNumOperands(i), left = LLVMIsAAddrSpaceCastInst(i) != NULL;

			if (!(LLVMIsACallInst(i) && lower_is_debug_intrinsic(i)))
				for (k = 0; k < n && !left; k++)
					left = lower_const_converts_as(LLVMGetOperand(i, k));
			if (left) {
				lower_report(c->opts, ARENA_LOWER_ERROR, i, "internal: address space conversion left after lowering");
				c->errors++;
			} else if (idx >= 0 && lower_ptr_as(LLVMTypeOf(LLVMGetOperand(i, idx))) != 0) {
				lower_report(c->opts, ARENA_LOWER_ERROR, i, "internal: arena access left without cast");
				c->errors++;
			}
		}
	}
}

/* The instructions of FN in order, so the walk survives the insertions and removals it causes. */
static int collect_insts(LLVMValueRef fn, LLVMValueRef **out, size_t *n)
{
	LLVMBasicBlockRef bb;
	LLVMValueRef *v = NULL, i;
	size_t cap = 0;

	*n = 0;
	for (bb = LLVMGetFirstBasicBlock(fn); bb; bb = LLVMGetNextBasicBlock(bb)) {
		for (i = LLVMGetFirstInstruction(bb); i; i = LLVMGetNextInstruction(i)) {
			if (*n == cap) {
				LLVMValueRef *nv = realloc(v, (cap = cap ? cap * 2 : 256) * sizeof(*v));
				if (!nv) {
					free(v);
					return -ENOMEM;
				}
				v = nv;
			}
			v[(*n)++] = i;
		}
	}
	*out = v;
	return 0;
}

static int lower_function(struct fn_lower *c)
{
	LLVMValueRef *insts = NULL;
	size_t n, k;
	int pass;

	/* Step 1. */
	if (collect_insts(c->fn, &insts, &n))
		return -ENOMEM;
	for (k = 0; k < n; k++)
		expand_const_casts(c, insts[k]);
	free(insts);

	/* Step 2: user casts first (pass 0), so a kern cast of a user cast can see through it (pass 1). */
	for (pass = 0; pass < 2; pass++) {
		if (collect_insts(c->fn, &insts, &n))
			return -ENOMEM;
		for (k = 0; k < n; k++)
			if (LLVMIsAAddrSpaceCastInst(insts[k]) &&
			    (pass || lower_ptr_as(LLVMTypeOf(insts[k])) == ARENA_LOWER_AS))
				lower_addrspacecast(c, insts[k]);
		free(insts);
	}

	/* Step 3. Accesses only ever get new operands, or (calls) are replaced in place, so the list
	 * collected before stays valid for the instructions not yet visited. */
	if (collect_insts(c->fn, &insts, &n))
		return -ENOMEM;
	for (k = 0; k < n; k++)
		lower_access(c, insts[k]);
	free(insts);

	/* Step 4. */
	erase_dead_chains(c->fn);
	if (!c->errors)
		check_lowered(c);
	return 0;
}

static void lower_globals(LLVMModuleRef mod, const struct arena_lower_opts *opts, struct arena_lower_stats *stats,
			  int *errors)
{
	LLVMValueRef g;

	for (g = LLVMGetFirstGlobal(mod); g; g = LLVMGetNextGlobal(g)) {
		int as = lower_ptr_as(LLVMTypeOf(g));
		const char *sec = LLVMGetSection(g);
		size_t nlen = 0;
		const char *name = LLVMGetValueName2(g, &nlen);

		if (name && nlen >= 5 && !strncmp(name, "llvm.", 5))
			continue;
		if (as != 0 && as != ARENA_LOWER_AS) {
			lower_report(opts, ARENA_LOWER_ERROR, g, "global '%s' in address space %d: only the arena (1) "
				     "is supported", name, as);
			(*errors)++;
			continue;
		}
		if (LLVMGetInitializer(g) && lower_init_converts_as(LLVMGetInitializer(g))) {
			lower_report(opts, ARENA_LOWER_ERROR, g, "initializer of global '%s' converts between address "
				     "spaces; a static initializer cannot hold a cast arena pointer", name);
			(*errors)++;
			continue;
		}
		if (as != ARENA_LOWER_AS || (sec && *sec))
			continue;
		/* One section per address space, writable, like clang-19: the loader maps it into the arena. */
		LLVMSetSection(g, ".addr_space.1");
		LLVMSetGlobalConstant(g, 0);
		if (stats)
			stats->globals++;
	}
}

int arena_lower_module(LLVMModuleRef mod, const struct arena_lower_opts *opts, struct arena_lower_stats *stats)
{
	struct fn_lower c = { .opts = opts, .stats = stats, .mod = mod, .ctx = LLVMGetModuleContext(mod) };
	int errors = 0, err = 0;
	LLVMValueRef fn;

	if (!mod || !opts || opts->sz < sizeof(struct arena_lower_opts))
		return -EINVAL;
	if (stats) {
		size_t sz = stats->sz;
		memset(stats, 0, sz < sizeof(*stats) ? sz : sizeof(*stats));
		stats->sz = sz;
		if (sz < sizeof(*stats))
			return -EINVAL;
	}
	if (lower_check_module(mod, opts))
		return -EINVAL;
	c.b = LLVMCreateBuilderInContext(c.ctx);
	for (fn = LLVMGetFirstFunction(mod); fn && !err; fn = LLVMGetNextFunction(fn)) {
		if (LLVMIsDeclaration(fn))
			continue;
		c.fn = fn;
		c.errors = 0;
		err = lower_function(&c);
		errors += c.errors;
		map_free(&c.casts);
		map_free(&c.user_src);
	}
	LLVMDisposeBuilder(c.b);
	if (err)
		return err;
	lower_globals(mod, opts, stats, &errors);
	return errors ? -EINVAL : 0;
}

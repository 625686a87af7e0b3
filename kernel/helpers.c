/* Helpers (by BPF_FUNC_* id) and kfuncs (by name) the user-space kernel provides.
 *
 * Each is a plain C function taking r1..r5, so the JIT calls it directly and the interpreter through the
 * same pointer. Map arguments arrive as struct ukern_map * (what ld_imm64 of a map loads after the core's
 * fixups). bpf_loop's callback is engine-specific: the interpreter runs it itself (interp.c) and never calls
 * helper_loop; a JIT passes a native function pointer, which helper_loop calls as fn(index, ctx).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

#define P(x) ((void *)(uintptr_t)(x))

static uint64_t helper_map_lookup_elem(uint64_t map, uint64_t key, uint64_t r3, uint64_t r4, uint64_t r5)
{
	struct ukern_map *m = P(map);

	return (uintptr_t)m->ops->lookup(m, P(key));
}

static uint64_t helper_map_update_elem(uint64_t map, uint64_t key, uint64_t value, uint64_t flags, uint64_t r5)
{
	struct ukern_map *m = P(map);

	return (uint64_t)(int64_t)m->ops->update(m, P(key), P(value), flags);
}

static uint64_t helper_map_delete_elem(uint64_t map, uint64_t key, uint64_t r3, uint64_t r4, uint64_t r5)
{
	struct ukern_map *m = P(map);

	return (uint64_t)(int64_t)m->ops->delete(m, P(key));
}

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static uint64_t helper_ktime_get_ns(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	return clock_ns(CLOCK_MONOTONIC);
}

static uint64_t helper_ktime_get_boot_ns(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	return clock_ns(CLOCK_BOOTTIME);
}

static uint64_t helper_ktime_get_coarse_ns(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	return clock_ns(CLOCK_MONOTONIC_COARSE);
}

static uint64_t helper_get_prandom_u32(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	static __thread uint64_t s;

	if (!s) {
		if (getrandom(&s, sizeof(s), 0) != sizeof(s) || !s)
			s = clock_ns(CLOCK_MONOTONIC) | 1;
	}
	/* xorshift64*: fast, per thread, good enough for what programs use it for */
	s ^= s >> 12;
	s ^= s << 25;
	s ^= s >> 27;
	return (uint32_t)((s * 2685821657736338717ull) >> 32);
}

static uint64_t helper_get_smp_processor_id(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	int cpu = sched_getcpu();

	return cpu < 0 ? 0 : (uint64_t)cpu;
}

static uint64_t helper_get_current_pid_tgid(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	return ((uint64_t)getpid() << 32) | (uint32_t)syscall(SYS_gettid);
}

/* bpf_trace_printk(fmt, fmt_size, a1, a2, a3): the kernel's conversions (%d %i %u %x %X %ld %lu %lx %lld
 * %llu %llx %p %s %c %%), at most three arguments; the text goes to stderr instead of trace_pipe. */
static uint64_t helper_trace_printk(uint64_t fmt, uint64_t fmt_size, uint64_t a1, uint64_t a2, uint64_t a3)
{
	const char *f = P(fmt);
	uint64_t args[3] = { a1, a2, a3 };
	char out[512];
	size_t o = 0;
	int n = 0;

	if (!fmt_size || f[fmt_size - 1])
		return (uint64_t)-EINVAL;
	for (uint64_t i = 0; f[i] && o < sizeof(out) - 1; i++) {
		char spec[8], *s = spec;
		int lcnt = 0;

		if (f[i] != '%') {
			out[o++] = f[i];
			continue;
		}
		if (f[i + 1] == '%') {
			out[o++] = '%';
			i++;
			continue;
		}
		if (n >= 3)
			return (uint64_t)-EINVAL;
		*s++ = '%';
		i++;
		while (f[i] == 'l' && lcnt < 2) {
			lcnt++;
			i++;
		}
		switch (f[i]) {
		case 'd': case 'i': case 'u': case 'x': case 'X': {
			uint64_t v = args[n++];

			strcpy(s, "ll");
			s[2] = f[i];
			s[3] = 0;
			if (lcnt == 0)
				v = (f[i] == 'd' || f[i] == 'i') ? (uint64_t)(int64_t)(int32_t)v : (uint32_t)v;
			o += snprintf(out + o, sizeof(out) - o, spec, (unsigned long long)v);
			break;
		}
		case 'p':
			o += snprintf(out + o, sizeof(out) - o, "0x%llx", (unsigned long long)args[n++]);
			while (f[i + 1] == 'K' || f[i + 1] == 'x')
				i++;
			break;
		case 's': {
			const char *str = P(args[n++]);

			o += snprintf(out + o, sizeof(out) - o, "%s", str ? str : "(null)");
			break;
		}
		case 'c':
			out[o++] = (char)args[n++];
			break;
		default:
			return (uint64_t)-EINVAL;
		}
		if (o >= sizeof(out))
			o = sizeof(out) - 1;
	}
	out[o] = 0;
	/* one line per call, as trace_pipe shows one event per line */
	fprintf(stderr, "%s%s", out, o && out[o - 1] == '\n' ? "" : "\n");
	return o;
}

static uint64_t helper_loop(uint64_t nr, uint64_t fn, uint64_t ctx, uint64_t flags, uint64_t r5)
{
	uint64_t (*cb)(uint64_t, uint64_t) = P(fn);
	uint64_t i;

	if (flags)
		return (uint64_t)-EINVAL;
	if (nr > (1u << 23))
		return (uint64_t)-E2BIG;
	for (i = 0; i < nr; i++)
		if (cb(i, ctx))
			return i + 1;
	return i;
}

#define A(...) { __VA_ARGS__ }
static const struct ukern_func_proto helpers[] = {
	{ "bpf_map_lookup_elem", helper_map_lookup_elem, UKERN_RET_MAP_VALUE_OR_NULL,
	  A(UKERN_ARG_CONST_MAP_PTR, UKERN_ARG_PTR_TO_MAP_KEY), false },
	{ "bpf_map_update_elem", helper_map_update_elem, UKERN_RET_INTEGER,
	  A(UKERN_ARG_CONST_MAP_PTR, UKERN_ARG_PTR_TO_MAP_KEY, UKERN_ARG_PTR_TO_MAP_VALUE, UKERN_ARG_ANYTHING), false },
	{ "bpf_map_delete_elem", helper_map_delete_elem, UKERN_RET_INTEGER,
	  A(UKERN_ARG_CONST_MAP_PTR, UKERN_ARG_PTR_TO_MAP_KEY), false },
	{ "bpf_ktime_get_ns", helper_ktime_get_ns, UKERN_RET_INTEGER, A(0), false },
	/* as the kernel's proto: only fmt and its size are checked; r3..r5 are passed whatever they hold */
	{ "bpf_trace_printk", helper_trace_printk, UKERN_RET_INTEGER,
	  A(UKERN_ARG_PTR_TO_MEM, UKERN_ARG_CONST_SIZE), false },
	{ "bpf_get_prandom_u32", helper_get_prandom_u32, UKERN_RET_INTEGER, A(0), false },
	{ "bpf_get_smp_processor_id", helper_get_smp_processor_id, UKERN_RET_INTEGER, A(0), false },
	{ "bpf_get_current_pid_tgid", helper_get_current_pid_tgid, UKERN_RET_INTEGER, A(0), false },
	{ "bpf_ktime_get_boot_ns", helper_ktime_get_boot_ns, UKERN_RET_INTEGER, A(0), false },
	{ "bpf_ktime_get_coarse_ns", helper_ktime_get_coarse_ns, UKERN_RET_INTEGER, A(0), false },
	{ "bpf_loop", helper_loop, UKERN_RET_INTEGER,
	  A(UKERN_ARG_ANYTHING, UKERN_ARG_PTR_TO_FUNC, UKERN_ARG_PTR_TO_STACK_OR_NULL, UKERN_ARG_ANYTHING), false },
};

const struct ukern_func_proto *ukern_helper_proto(int32_t func_id)
{
	switch (func_id) {
	case BPF_FUNC_map_lookup_elem: return &helpers[0];
	case BPF_FUNC_map_update_elem: return &helpers[1];
	case BPF_FUNC_map_delete_elem: return &helpers[2];
	case BPF_FUNC_ktime_get_ns: return &helpers[3];
	case BPF_FUNC_trace_printk: return &helpers[4];
	case BPF_FUNC_get_prandom_u32: return &helpers[5];
	case BPF_FUNC_get_smp_processor_id: return &helpers[6];
	case BPF_FUNC_get_current_pid_tgid: return &helpers[7];
	case BPF_FUNC_ktime_get_boot_ns: return &helpers[8];
	case BPF_FUNC_ktime_get_coarse_ns: return &helpers[9];
	case BPF_FUNC_loop: return &helpers[10];
	}
	return NULL;
}

/* ---- kfuncs ------------------------------------------------------------------------------------- */

static uint64_t kfunc_arena_alloc_pages(uint64_t map, uint64_t addr, uint64_t cnt, uint64_t node, uint64_t flags)
{
	return ukern_arena_alloc_pages(P(map), addr, (uint32_t)cnt, (int)node, flags);
}

static uint64_t kfunc_arena_free_pages(uint64_t map, uint64_t addr, uint64_t cnt, uint64_t r4, uint64_t r5)
{
	ukern_arena_free_pages(P(map), addr, (uint32_t)cnt);
	return 0;
}

static uint64_t kfunc_arena_reserve_pages(uint64_t map, uint64_t addr, uint64_t cnt, uint64_t r4, uint64_t r5)
{
	/* an int-returning kernel function leaves the upper half of r0 zero (eax write) */
	return (uint32_t)ukern_arena_reserve_pages(P(map), addr, (uint32_t)cnt);
}

static const struct ukern_func_proto kfuncs[] = {
	{ "bpf_arena_alloc_pages", kfunc_arena_alloc_pages, UKERN_RET_ARENA_PTR,
	  A(UKERN_ARG_ARENA_MAP, UKERN_ARG_ARENA_PTR_OR_NULL, UKERN_ARG_SCALAR, UKERN_ARG_SCALAR, UKERN_ARG_SCALAR),
	  true },
	{ "bpf_arena_free_pages", kfunc_arena_free_pages, UKERN_RET_VOID,
	  A(UKERN_ARG_ARENA_MAP, UKERN_ARG_ARENA_PTR_OR_NULL, UKERN_ARG_SCALAR), true },
	{ "bpf_arena_reserve_pages", kfunc_arena_reserve_pages, UKERN_RET_INTEGER,
	  A(UKERN_ARG_ARENA_MAP, UKERN_ARG_ARENA_PTR_OR_NULL, UKERN_ARG_SCALAR), true },
};

const struct ukern_func_proto *ukern_kfunc_proto(const char *name)
{
	for (size_t i = 0; name && i < sizeof(kfuncs) / sizeof(kfuncs[0]); i++)
		if (!strcmp(kfuncs[i].name, name))
			return &kfuncs[i];
	return NULL;
}

/* Differential test of the JIT against the core's interpreter, on a real ukern arena (arena.c: absent pages
 * PROT_NONE on the program side, the core's fault dispatcher): the random programs of jit_gen.h run on
 * ukern_interp_run(), on the JIT through ukern_jit_compile() (the engine entry the loader uses), and on the
 * reference evaluator; r0 and the arena contents must agree three ways.
 *
 * Usage: unit-jit_interp [programs [insns [first-seed]]] (defaults 300, 250, 1).
 */
#include "jit_gen.h"

static uint8_t before[FA_PAGES][4096], after_interp[FA_PAGES][4096];
#define NPAGES 6u

static void save(uint8_t *kbase, const bool *present, uint8_t (*dst)[4096])
{
	for (uint32_t pg = 0; pg < NPAGES; pg++)
		if (present[pg])
			memcpy(dst[pg], kbase + pg * 4096ull, 4096);
}

static void restore(uint8_t *kbase, const bool *present, uint8_t (*src)[4096])
{
	for (uint32_t pg = 0; pg < NPAGES; pg++)
		if (present[pg])
			memcpy(kbase + pg * 4096ull, src[pg], 4096);
}

static int diff(uint8_t *kbase, const bool *present, uint8_t (*want)[4096])
{
	for (uint32_t pg = 0; pg < NPAGES; pg++)
		if (present[pg] && memcmp(kbase + pg * 4096ull, want[pg], 4096))
			return (int)pg;
	return -1;
}

int main(int argc, char **argv)
{
	uint32_t nprogs = argc > 1 ? strtoul(argv[1], NULL, 0) : 300;
	uint32_t nunits = argc > 2 ? strtoul(argv[2], NULL, 0) : 250;
	uint64_t seed0 = argc > 3 ? strtoull(argv[3], NULL, 0) : 1;
	const uint64_t user = 1ull << 44; /* low 32 bits 0: window page = arena page */
	union bpf_attr attr;
	struct ukern_map *map;
	struct fake_arena view; /* the reference evaluator's picture of the same arena */
	uint32_t fails = 0, arena_accesses = 0;
	uint8_t *kbase;
	long fd;

	if (nunits > 1000)
		nunits = 1000;
	memset(&attr, 0, sizeof(attr));
	attr.map_type = BPF_MAP_TYPE_ARENA;
	attr.max_entries = 16;
	attr.map_flags = BPF_F_MMAPABLE;
	attr.map_extra = user;
	fd = ukern_bpf(BPF_MAP_CREATE, &attr, sizeof(attr));
	map = fd >= 0 ? ukern_map_from_fd((int)fd) : NULL;
	if (!map) {
		printf("FAIL cannot create a ukern arena: %ld\n", fd);
		return 1;
	}
	memset(&view, 0, sizeof(view));
	if (ukern_arena_view(map, &view.view)) {
		printf("FAIL no arena view\n");
		return 1;
	}
	kbase = (uint8_t *)(uintptr_t)view.view.kern_vm_start;
	for (uint32_t i = 0; i < nprogs; i++) {
		uint64_t seed = seed0 + i, mask, want, got, ref;
		struct ukern_prog *p;
		int err, pg;

		gen_seed(seed);
		mask = rnd() & 0x3f;
		ukern_arena_free_pages(map, user, NPAGES);
		for (uint32_t k = 0; k < NPAGES; k++) {
			view.present[k] = (mask >> k) & 1;
			if (view.present[k] && ukern_arena_alloc_pages(map, user + k * 4096ull, 1, -1, 0) !=
			    user + k * 4096ull) {
				printf("FAIL seed %llu: cannot allocate arena page %u\n", (unsigned long long)seed, k);
				return 1;
			}
		}
		for (uint32_t k = 0; k < NPAGES; k++)
			if (view.present[k])
				for (int w = 0; w < 512; w++)
					((uint64_t *)(kbase + k * 4096ull))[w] = (seed + w) * 0x9e3779b97f4a7c15ull >> (w & 3) * 16;
		gen_program(nunits);
		p = tp_prog(&T, "diff");
		p->arena = map;
		p->verified = true;
		save(kbase, view.present, before);
		want = ukern_interp_run(p, NULL);
		save(kbase, view.present, after_interp);
		restore(kbase, view.present, before);
		ref = ref_run(p, &view, NULL, &err);
		if (err || ref != want || diff(kbase, view.present, after_interp) >= 0) {
			printf("FAIL seed %llu: interpreter r0 0x%llx, reference 0x%llx (err %d, arena page %d)\n",
			       (unsigned long long)seed, (unsigned long long)want, (unsigned long long)ref, err,
			       diff(kbase, view.present, after_interp));
			fails++;
			continue;
		}
		restore(kbase, view.present, before);
		err = ukern_jit_compile(p);
		if (err) {
			printf("FAIL seed %llu: jit compile %d\n", (unsigned long long)seed, err);
			fails++;
			continue;
		}
		got = p->jit_entry(NULL);
		struct ukern_jit_stats st = { .sz = sizeof(st) };

		/* also a strong reference into jit.o: internal.h declares the engine entry points weak, and a weak
		 * reference alone does not pull a member out of a static library */
		if (ukern_jit_stats(p, &st) == 0)
			arena_accesses += st.arena_insns;
		pg = diff(kbase, view.present, after_interp);
		if (got != want || pg >= 0) {
			printf("FAIL seed %llu: jit r0 0x%llx, interpreter 0x%llx, arena page %d differs\n",
			       (unsigned long long)seed, (unsigned long long)got, (unsigned long long)want, pg);
			fails++;
		}
		ukern_jit_free(p);
	}
	printf("jit-interp: %u programs of %u units, %u arena accesses, on a ukern arena: %u mismatches\n", nprogs,
	       nunits, arena_accesses, fails);
	return fails ? 1 : 0;
}

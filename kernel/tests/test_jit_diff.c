/* Differential test of the JIT: random valid programs (ALU32/64 with every operator incl. signed div/mod,
 * byte swaps, sign-extending moves and loads, 32/64-bit conditional jumps, stack traffic, helper calls, and
 * arena loads/stores/atomics on present and absent pages, through pointers whose upper half is sometimes
 * dirty) run on the JIT and on the reference evaluator of jit_testlib.h; r0 and the arena contents must be
 * identical. Both absent-page schemes are covered: PROT_NONE (every access faults) and a read-only zero page
 * (loads read 0 without a fault, stores and atomics fault).
 *
 * Usage: unit-jit-diff [programs [insns [first-seed]]] (defaults 300 programs of 250 insns, seed 1). Each
 * program is a pure function of its seed: a failure prints the seed so it can be replayed alone, and
 * JIT_DIFF_SHOW=1 prints the failing program's disassembly.
 *
 * When the core's interpreter can run these programs on a real ukern arena, it plugs in as a third engine
 * at engine_run(): the generator and the comparison do not change.
 */
#include <stdbool.h>

#include "jit_gen.h"

static uint8_t before[FA_PAGES][4096], after_ref[FA_PAGES][4096];

static void arena_fill(struct fake_arena *fa, uint64_t seed)
{
	for (uint32_t pg = 0; pg < FA_PAGES; pg++) {
		if (!fa->present[pg])
			continue;
		uint64_t *w = (uint64_t *)fa_page(fa, pg);

		for (int i = 0; i < 512; i++) {
			seed = seed * 6364136223846793005ull + 1442695040888963407ull;
			w[i] = (i & 3) ? seed : (seed >> 48); /* some small values, some large */
		}
	}
}

static void arena_save(struct fake_arena *fa, uint8_t (*dst)[4096])
{
	for (uint32_t pg = 0; pg < FA_PAGES; pg++)
		if (fa->present[pg])
			memcpy(dst[pg], fa_page(fa, pg), 4096);
}

static void arena_restore(struct fake_arena *fa, uint8_t (*src)[4096])
{
	for (uint32_t pg = 0; pg < FA_PAGES; pg++)
		if (fa->present[pg])
			memcpy(fa_page(fa, pg), src[pg], 4096);
}

static int arena_diff(struct fake_arena *fa, uint8_t (*want)[4096])
{
	for (uint32_t pg = 0; pg < FA_PAGES; pg++)
		if (fa->present[pg] && memcmp(fa_page(fa, pg), want[pg], 4096))
			return (int)pg;
	return -1;
}

int main(int argc, char **argv)
{
	uint32_t nprogs = argc > 1 ? strtoul(argv[1], NULL, 0) : 300;
	uint32_t nunits = argc > 2 ? strtoul(argv[2], NULL, 0) : 250;
	uint64_t seed0 = argc > 3 ? strtoull(argv[3], NULL, 0) : 1;
	struct fake_arena fa;
	uint32_t fails = 0, faults_seen = 0, zext_total = 0, arena_total = 0;

	if (nunits > 1000)
		nunits = 1000;
	if (fa_init(&fa, 0x7f0000000000ull)) {
		printf("FAIL cannot reserve the fake arena\n");
		return 1;
	}
	for (uint32_t i = 0; i < nprogs; i++) {
		uint64_t seed = seed0 + i;
		enum fa_absent_mode mode = i % 2 ? FA_ABSENT_ZERO : FA_ABSENT_NONE;
		struct ukern_prog *p;
		uint64_t want, got;
		int err, pg;

		gen_seed(seed);
		/* pages 0..5 in play: a random subset present */
		fa_layout(&fa, rnd() & 0x3f, mode);
		arena_fill(&fa, seed);
		gen_program(nunits);
		p = tp_prog(&T, "diff");
		arena_save(&fa, before);
		want = ref_run(p, &fa, NULL, &err);
		if (err) {
			printf("FAIL seed %llu: reference cannot run it (%d)\n", (unsigned long long)seed, err);
			fails++;
			continue;
		}
		arena_save(&fa, after_ref);
		arena_restore(&fa, before);
		err = ukern_jit_compile_view(p, &fa.view);
		if (err) {
			printf("FAIL seed %llu: jit compile %d\n", (unsigned long long)seed, err);
			fails++;
			continue;
		}
		got = p->jit_entry(NULL);
		pg = arena_diff(&fa, after_ref);
		struct ukern_jit_stats st = { .sz = sizeof(st) };

		ukern_jit_stats(p, &st);
		zext_total += st.arena_zext;
		arena_total += st.arena_insns;
		for (uint32_t k = 0; k < 6; k++)
			faults_seen += !fa.present[k];
		if (got != want || pg >= 0) {
			printf("FAIL seed %llu (%s): jit r0 0x%llx, reference 0x%llx, arena page %d differs\n",
			       (unsigned long long)seed, mode ? "zero-page" : "prot-none", (unsigned long long)got,
			       (unsigned long long)want, pg);
			if (getenv("JIT_DIFF_SHOW"))
				ukern_jit_disasm(p, stdout);
			fails++;
		}
		ukern_jit_free(p);
	}
	printf("jit-diff: %u programs of %u units, %u arena accesses (%u with an explicit index move), "
	       "%u absent pages in play: %u mismatches\n", nprogs, nunits, arena_total, zext_total, faults_seen, fails);
	return fails ? 1 : 0;
}

/* bpf_arena_map.h: declare an arena map, with an optional fixed user address that survives every loader.
 *
 *   BPF_ARENA_MAP(name, pages, flags);            // the loader chooses the user address
 *   BPF_ARENA_MAP(name, pages, flags, addr);      // fixed user address (map_extra), any 64-bit value
 *
 * flags: 0 or BPF_F_NO_USER_CONV / BPF_F_SEGV_ON_FAULT; BPF_F_MMAPABLE is always added (the kernel requires
 * it). addr is an integer constant expression; the kernel refuses, at map creation, an addr that is not page
 * aligned (-EINVAL) or a range [addr, addr + pages * 4096) that crosses a 4 GiB boundary (-ERANGE): both are
 * checked here at compile time instead.
 *
 * Why two records of the address. libbpf reads `map_extra` from the map's BTF definition, but the forms
 * differ by version and compiler: `__uint(map_extra, N)` (an array dimension) holds only 32 bits;
 * `__ulong(map_extra, N)` (an enum) is refused by libbpf 1.1 at open ("expected PTR, got enum64") and is
 * silently truncated to 0 by clang-14, which predates BTF_KIND_ENUM64. So the macro writes:
 *   1. in the map definition, the address as an array dimension when addr < 2^32, else 0: every libbpf
 *      reads it, and no loader ever sees a wrong address, at worst none. The array is of char, not int as
 *      in `__uint`: libbpf reads only the dimension, and the kernel refuses BTF whose array is 4 GiB or
 *      more (int[addr] for any addr >= 1 GiB), which would drop the object's BTF;
 *   2. a companion `const __u64` holding the full address, in section ".arena.map_extra", named
 *      `__arena_map_extra__<name>`. Loaders that do not know it skip the section (libbpf logs
 *      "skipping unrecognized data section"); the project's loader reads it and calls
 *      bpf_map__set_map_extra() before load. The contract is written out in docs/runtime.md.
 */
#ifndef BPF_ARENA_MAP_H
#define BPF_ARENA_MAP_H

#define BPF_ARENA_MAP_EXTRA_SEC ".arena.map_extra"
#define BPF_ARENA_MAP_EXTRA_PREFIX "__arena_map_extra__"

#define __bpf_arena_second(first, second, ...) second
/* The optional fourth argument, or 0: with no address the comma swallowing leaves (x, 0ULL). */
#define __bpf_arena_addr_arg(...) (__bpf_arena_second(x, ##__VA_ARGS__, 0ULL, 0ULL))
/* The 32-bit-safe part for the BTF map definition: the address, or 0 when it does not fit. */
#define __bpf_arena_addr_lo(addr) (((unsigned long long)(addr) >> 32) ? 0 : (unsigned long long)(addr))

#define BPF_ARENA_MAP(name, pages, flags, ...)                                                           \
	struct {                                                                                         \
		__uint(type, BPF_MAP_TYPE_ARENA);                                                        \
		__uint(map_flags, BPF_F_MMAPABLE | (flags));                                             \
		__uint(max_entries, pages);                                                              \
		char (*map_extra)[__bpf_arena_addr_lo(__bpf_arena_addr_arg(__VA_ARGS__))];                \
	} name SEC(".maps");                                                                             \
	_Static_assert((__bpf_arena_addr_arg(__VA_ARGS__) & 4095) == 0,                                 \
		       "BPF_ARENA_MAP " #name ": the user address must be page aligned");                \
	_Static_assert(!__bpf_arena_addr_arg(__VA_ARGS__) ||                                             \
			       (__bpf_arena_addr_arg(__VA_ARGS__) >> 32) ==                              \
			       ((__bpf_arena_addr_arg(__VA_ARGS__) + (pages) * 4096ULL - 1) >> 32),      \
		       "BPF_ARENA_MAP " #name ": the arena must not cross a 4 GiB boundary");            \
	static const __u64 __arena_map_extra__##name                                                     \
		__attribute__((section(BPF_ARENA_MAP_EXTRA_SEC), used, aligned(8))) =                    \
			__bpf_arena_addr_arg(__VA_ARGS__)

#endif /* BPF_ARENA_MAP_H */

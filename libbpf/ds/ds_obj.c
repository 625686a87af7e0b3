/* ds_obj.c: binding the data-structure library to a loaded object.
 *
 * The heap and the structures' root pointers are ordinary BPF globals: libbpf mmaps .bss and .data, so
 * after load bpf_map__initial_value() is the live mapping and a variable is found by its offset in the
 * section's BTF DATASEC. The heap's user-side page range is the arena mapping (see arena_ds/alloc.h for
 * why user pages come from the top).
 */
#include <errno.h>
#include <string.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "arena_ds.h"
#include "bpf_arena_uapi.h"

struct ds_view ds_view__of(const struct arena_obj *obj)
{
	struct ds_view v = { 0, 0 };
	void *base = arena_obj__arena_base(obj);

	if (base) {
		v.lo = (uint64_t)(uintptr_t)base;
		v.hi = v.lo + arena_obj__arena_size(obj);
	}
	return v;
}

struct ds_view ds_view__range(const void *base, size_t size)
{
	struct ds_view v = { (uint64_t)(uintptr_t)base, (uint64_t)(uintptr_t)base + size };

	return v;
}

/* The data section map holding `sec` (".bss", ".data"): libbpf names it "<obj prefix>.bss". */
static struct bpf_map *ds_section_map(struct bpf_object *bo, const char *sec)
{
	struct bpf_map *m;
	size_t sl = strlen(sec);

	bpf_object__for_each_map(m, bo) {
		const char *name = bpf_map__name(m);
		size_t nl = strlen(name);

		if (nl >= sl && !strcmp(name + nl - sl, sec))
			return m;
	}
	return NULL;
}

void *ds_obj__global(struct arena_obj *obj, const char *name, size_t *size)
{
	static const char *const secs[] = { ".bss", ".data" };
	struct bpf_object *bo = obj ? arena_obj__bpf(obj) : NULL;
	struct btf *btf = bo ? bpf_object__btf(bo) : NULL;
	unsigned int s;

	if (!btf || !name) {
		errno = EINVAL;
		return NULL;
	}
	for (s = 0; s < sizeof(secs) / sizeof(secs[0]); s++) {
		const struct btf_var_secinfo *vi;
		const struct btf_type *dt;
		struct bpf_map *m;
		size_t msz;
		char *data;
		__s32 id;
		int i;

		id = btf__find_by_name_kind(btf, secs[s], BTF_KIND_DATASEC);
		m = ds_section_map(bo, secs[s]);
		if (id < 0 || !m)
			continue;
		dt = btf__type_by_id(btf, id);
		vi = btf_var_secinfos(dt);
		for (i = 0; i < btf_vlen(dt); i++, vi++) {
			const struct btf_type *var = btf__type_by_id(btf, vi->type);

			if (strcmp(btf__name_by_offset(btf, var->name_off), name))
				continue;
			data = (char *)bpf_map__initial_value(m, &msz);
			if (!data || vi->offset + vi->size > msz) {
				errno = EFAULT;
				return NULL;
			}
			if (size)
				*size = vi->size;
			return data + vi->offset;
		}
	}
	errno = ENOENT;
	return NULL;
}

void *ds_obj__root(struct arena_obj *obj, const char *name)
{
	size_t sz = 0;
	uint64_t *p = ds_obj__global(obj, name, &sz);

	if (!p || sz != sizeof(uint64_t))
		return NULL;
	return arena_obj__ptr(obj, __atomic_load_n(p, __ATOMIC_ACQUIRE));
}

int ds_heap__attach_range(struct ds_heap *h, void *base, size_t size)
{
	uint64_t lo = (uint64_t)(uintptr_t)base;

	if (!h || !base || size < DS_PAGE_SIZE || lo % DS_PAGE_SIZE)
		return -EINVAL;
	if (h->arena_hi) /* already attached: keep the cursor */
		return h->arena_lo == lo && h->arena_hi == lo + size ? 0 : -EBUSY;
	h->magic = DS_HEAP_MAGIC;
	h->arena_lo = lo;
	h->arena_hi = lo + (size & ~(DS_PAGE_SIZE - 1));
	h->user_lo = h->arena_hi;
	h->user_floor = lo;
	return 0;
}

int ds_heap__attach(struct ds_heap *h, struct arena_obj *obj)
{
	struct bpf_map *m = obj ? arena_obj__arena_map(obj) : NULL;

	if (!m || !arena_obj__arena_base(obj))
		return -EINVAL;
	if (bpf_map__map_flags(m) & BPF_F_SEGV_ON_FAULT)
		return -EINVAL;
	return ds_heap__attach_range(h, arena_obj__arena_base(obj), arena_obj__arena_size(obj));
}

/* BPF_MAP_TYPE_HASH: chained buckets under one mutex per map.
 *
 * Values are handed to programs by address (bpf_map_lookup_elem), so an element's memory must stay valid
 * after a concurrent delete, as RCU guarantees on the kernel: deleted elements go to a free list and are
 * reused, never returned to malloc while the map lives. Iteration (get_next_key) walks buckets in order;
 * a key that is gone restarts from the first element, as the kernel does.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct helem {
	struct helem *next;
	uint32_t hash;
	char data[]; /* key, padded to 8, then value */
};

struct hash_priv {
	pthread_mutex_t lock;
	struct helem **buckets;
	uint32_t nbuckets, count, key_pad;
	struct helem *free_list;
};

static uint32_t hash_key(const void *key, uint32_t n)
{
	const unsigned char *p = key;
	uint32_t h = 2166136261u;

	for (uint32_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

static int hash_alloc(struct ukern_map *map, const union bpf_attr *attr)
{
	const uint32_t allowed = BPF_F_NO_PREALLOC | BPF_F_NO_COMMON_LRU | BPF_F_NUMA_NODE | BPF_F_RDONLY |
				 BPF_F_WRONLY | BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG | BPF_F_ZERO_SEED;
	struct hash_priv *h;
	uint32_t n = 1;

	if (!attr->max_entries || !attr->key_size || !attr->value_size || (attr->map_flags & ~allowed))
		return -EINVAL;
	if (attr->key_size > 512 || attr->value_size > (1u << 20))
		return -E2BIG;
	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	while (n < attr->max_entries && n < (1u << 20))
		n <<= 1;
	h->buckets = calloc(n, sizeof(*h->buckets));
	if (!h->buckets) {
		free(h);
		return -ENOMEM;
	}
	h->nbuckets = n;
	h->key_pad = (attr->key_size + 7) & ~7u;
	pthread_mutex_init(&h->lock, NULL);
	map->priv = h;
	return 0;
}

static void hash_free(struct ukern_map *map)
{
	struct hash_priv *h = map->priv;

	if (!h)
		return;
	for (uint32_t b = 0; b < h->nbuckets; b++)
		for (struct helem *e = h->buckets[b], *n; e; e = n) {
			n = e->next;
			free(e);
		}
	for (struct helem *e = h->free_list, *n; e; e = n) {
		n = e->next;
		free(e);
	}
	free(h->buckets);
	free(h);
}

static struct helem *find(struct ukern_map *map, const void *key, uint32_t hash, struct helem ***link)
{
	struct hash_priv *h = map->priv;
	struct helem **l = &h->buckets[hash & (h->nbuckets - 1)];

	for (; *l; l = &(*l)->next)
		if ((*l)->hash == hash && !memcmp((*l)->data, key, map->key_size))
			break;
	if (link)
		*link = l;
	return *l;
}

static void *hash_lookup(struct ukern_map *map, const void *key)
{
	struct hash_priv *h = map->priv;
	struct helem *e;

	pthread_mutex_lock(&h->lock);
	e = find(map, key, hash_key(key, map->key_size), NULL);
	pthread_mutex_unlock(&h->lock);
	return e ? e->data + h->key_pad : NULL;
}

static int hash_update(struct ukern_map *map, const void *key, const void *value, uint64_t flags)
{
	struct hash_priv *h = map->priv;
	uint32_t hash = hash_key(key, map->key_size);
	uint64_t mode = flags & ~(uint64_t)BPF_F_LOCK;
	struct helem **link, *e;
	int err = 0;

	if (mode > BPF_EXIST)
		return -EINVAL;
	pthread_mutex_lock(&h->lock);
	e = find(map, key, hash, &link);
	if (e) {
		if (mode == BPF_NOEXIST)
			err = -EEXIST;
		else
			memcpy(e->data + h->key_pad, value, map->value_size);
		goto out;
	}
	if (mode == BPF_EXIST) {
		err = -ENOENT;
		goto out;
	}
	if (h->count >= map->max_entries) {
		err = -E2BIG;
		goto out;
	}
	if (h->free_list) {
		e = h->free_list;
		h->free_list = e->next;
	} else {
		e = malloc(sizeof(*e) + h->key_pad + ((map->value_size + 7) & ~7u));
		if (!e) {
			err = -ENOMEM;
			goto out;
		}
	}
	e->hash = hash;
	memcpy(e->data, key, map->key_size);
	memcpy(e->data + h->key_pad, value, map->value_size);
	e->next = NULL;
	*link = e;
	h->count++;
out:
	pthread_mutex_unlock(&h->lock);
	return err;
}

static int hash_delete(struct ukern_map *map, const void *key)
{
	struct hash_priv *h = map->priv;
	struct helem **link, *e;
	int err = 0;

	pthread_mutex_lock(&h->lock);
	e = find(map, key, hash_key(key, map->key_size), &link);
	if (!e) {
		err = -ENOENT;
	} else {
		*link = e->next;
		e->next = h->free_list;
		h->free_list = e;
		h->count--;
	}
	pthread_mutex_unlock(&h->lock);
	return err;
}

static int hash_get_next_key(struct ukern_map *map, const void *key, void *next_key)
{
	struct hash_priv *h = map->priv;
	struct helem *e = NULL;
	uint32_t b = 0;
	int err = -ENOENT;

	pthread_mutex_lock(&h->lock);
	if (key) {
		uint32_t hash = hash_key(key, map->key_size);

		e = find(map, key, hash, NULL);
		if (e) {
			b = (hash & (h->nbuckets - 1)) + 1;
			e = e->next;
		}
	}
	for (; !e && b < h->nbuckets; b++)
		e = h->buckets[b];
	if (e) {
		memcpy(next_key, e->data, map->key_size);
		err = 0;
	}
	pthread_mutex_unlock(&h->lock);
	return err;
}

static int hash_direct_value_addr(struct ukern_map *map, uint32_t off, uint64_t *addr)
{
	return -EOPNOTSUPP;
}

const struct ukern_map_ops ukern_hash_map_ops = {
	.alloc = hash_alloc,
	.free = hash_free,
	.lookup = hash_lookup,
	.update = hash_update,
	.delete = hash_delete,
	.get_next_key = hash_get_next_key,
	.direct_value_addr = hash_direct_value_addr,
};

/* A small chained hash map for the store's unique keys (order numbers,
 * idempotency keys): FNV-1a over bytes, doubling at load factor 1. */
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"

struct ord_mem_map_entry {
    ord_mem_map_entry *next;
    uint64_t hash;
    void *value;
    size_t len;
    char key[]; /* len bytes */
};

static uint64_t map_hash(const char *key, size_t len)
{
    uint64_t h = 14695981039346656037u;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)key[i];
        h *= 1099511628211u;
    }
    return h;
}

static ord_mem_map_entry **map_slot(const ord_mem_map *map, const char *key, size_t len,
                                    uint64_t hash)
{
    ord_mem_map_entry **at = &map->buckets[hash & (map->bucket_count - 1)];
    while (*at != NULL) {
        ord_mem_map_entry *e = *at;
        if (e->hash == hash && e->len == len && memcmp(e->key, key, len) == 0)
            return at;
        at = &e->next;
    }
    return at;
}

void *ord_mem_map_find(const ord_mem_map *map, const char *key, size_t len)
{
    if (map->bucket_count == 0)
        return NULL;
    ord_mem_map_entry *e = *map_slot(map, key, len, map_hash(key, len));
    return e != NULL ? e->value : NULL;
}

static ord_error map_grow(ord_mem_map *map)
{
    size_t n = map->bucket_count == 0 ? 64 : map->bucket_count * 2;
    ord_mem_map_entry **buckets = calloc(n, sizeof *buckets);
    if (buckets == NULL)
        return ORD_ENOMEM;
    for (size_t i = 0; i < map->bucket_count; i++) {
        ord_mem_map_entry *e = map->buckets[i];
        while (e != NULL) {
            ord_mem_map_entry *next = e->next;
            ord_mem_map_entry **head = &buckets[e->hash & (n - 1)];
            e->next = *head;
            *head = e;
            e = next;
        }
    }
    free(map->buckets);
    map->buckets = buckets;
    map->bucket_count = n;
    return ORD_OK;
}

ord_error ord_mem_map_put(ord_mem_map *map, const char *key, size_t len, void *value)
{
    /* Growing is only an optimisation once buckets exist: a failed grow
     * still leaves a working (longer-chained) map. */
    if (map->count >= map->bucket_count && map_grow(map) != ORD_OK && map->bucket_count == 0)
        return ORD_ENOMEM;
    uint64_t hash = map_hash(key, len);
    ord_mem_map_entry **at = map_slot(map, key, len, hash);
    if (*at != NULL) {
        (*at)->value = value;
        return ORD_OK;
    }
    ord_mem_map_entry *e = malloc(sizeof *e + len);
    if (e == NULL)
        return ORD_ENOMEM;
    e->next = NULL;
    e->hash = hash;
    e->value = value;
    e->len = len;
    memcpy(e->key, key, len);
    *at = e;
    map->count++;
    return ORD_OK;
}

void *ord_mem_map_remove(ord_mem_map *map, const char *key, size_t len)
{
    if (map->bucket_count == 0)
        return NULL;
    ord_mem_map_entry **at = map_slot(map, key, len, map_hash(key, len));
    ord_mem_map_entry *e = *at;
    if (e == NULL)
        return NULL;
    void *value = e->value;
    *at = e->next;
    free(e);
    map->count--;
    return value;
}

size_t ord_mem_map_remove_if(ord_mem_map *map, bool (*drop)(void *value, void *ctx), void *ctx)
{
    size_t removed = 0;
    for (size_t i = 0; i < map->bucket_count; i++) {
        ord_mem_map_entry **at = &map->buckets[i];
        while (*at != NULL) {
            ord_mem_map_entry *e = *at;
            if (drop(e->value, ctx)) {
                *at = e->next;
                free(e);
                map->count--;
                removed++;
            } else {
                at = &e->next;
            }
        }
    }
    return removed;
}

void ord_mem_map_clear(ord_mem_map *map)
{
    for (size_t i = 0; i < map->bucket_count; i++) {
        ord_mem_map_entry *e = map->buckets[i];
        while (e != NULL) {
            ord_mem_map_entry *next = e->next;
            free(e);
            e = next;
        }
    }
    free(map->buckets);
    map->buckets = NULL;
    map->bucket_count = 0;
    map->count = 0;
}

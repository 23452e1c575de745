/* Sorted growable arrays keyed by a leading int64: the tables of the
 * in-memory downstream services. */
#include "downstream_internal.h"

#include <stdlib.h>
#include <string.h>

void *ord_mem_ds_vec_at(const ds_vec *vec, size_t size, size_t index)
{
    return (char *)vec->items + index * size;
}

static int64_t key_at(const ds_vec *vec, size_t size, size_t index)
{
    int64_t key;
    memcpy(&key, ord_mem_ds_vec_at(vec, size, index), sizeof key);
    return key;
}

size_t ord_mem_ds_vec_search(const ds_vec *vec, size_t size, int64_t key, bool *found)
{
    size_t lo = 0;
    size_t hi = vec->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (key_at(vec, size, mid) < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = lo < vec->count && key_at(vec, size, lo) == key;
    return lo;
}

void *ord_mem_ds_vec_find(const ds_vec *vec, size_t size, int64_t key)
{
    bool found;
    size_t at = ord_mem_ds_vec_search(vec, size, key, &found);
    return found ? ord_mem_ds_vec_at(vec, size, at) : NULL;
}

ord_error ord_mem_ds_vec_insert(ds_vec *vec, size_t size, size_t index, const void *elem)
{
    if (vec->count == vec->cap) {
        size_t cap = vec->cap ? vec->cap * 2 : 16;
        void *items = realloc(vec->items, cap * size);
        if (items == NULL)
            return ORD_ENOMEM;
        vec->items = items;
        vec->cap = cap;
    }
    char *at = ord_mem_ds_vec_at(vec, size, index);
    memmove(at + size, at, (vec->count - index) * size);
    memcpy(at, elem, size);
    vec->count++;
    return ORD_OK;
}

void ord_mem_ds_vec_remove(ds_vec *vec, size_t size, size_t index)
{
    char *at = ord_mem_ds_vec_at(vec, size, index);
    memmove(at, at + size, (vec->count - index - 1) * size);
    vec->count--;
}

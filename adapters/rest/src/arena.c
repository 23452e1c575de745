/* Per-request bump allocator over a list of blocks. */
#include "arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_BLOCK_SIZE 8192

struct rest_arena_block {
    rest_arena_block *next;
    size_t used;
    size_t size;
    alignas(max_align_t) unsigned char data[];
};

static size_t round_up(size_t n)
{
    size_t a = alignof(max_align_t);
    return (n + a - 1) / a * a;
}

void *ord_rest_arena_alloc(rest_arena *a, size_t size)
{
    if (size > SIZE_MAX / 2)
        return NULL;
    size = round_up(size == 0 ? 1 : size);
    rest_arena_block *b = a->head;
    if (b == NULL || b->size - b->used < size) {
        size_t cap = size > ARENA_BLOCK_SIZE ? size : ARENA_BLOCK_SIZE;
        b = malloc(sizeof *b + cap);
        if (b == NULL)
            return NULL;
        b->used = 0;
        b->size = cap;
        b->next = a->head;
        a->head = b;
    }
    void *p = b->data + b->used;
    b->used += size;
    memset(p, 0, size);
    return p;
}

char *ord_rest_arena_strndup(rest_arena *a, const char *text, size_t len)
{
    char *p = ord_rest_arena_alloc(a, len + 1);
    if (p == NULL)
        return NULL;
    if (len > 0)
        memcpy(p, text, len);
    p[len] = '\0';
    return p;
}

void ord_rest_arena_free(rest_arena *a)
{
    rest_arena_block *b = a->head;
    while (b != NULL) {
        rest_arena_block *next = b->next;
        free(b);
        b = next;
    }
    a->head = NULL;
}

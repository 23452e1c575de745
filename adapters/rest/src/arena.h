/* A per-request bump allocator: temporaries of one request (decoded items,
 * decoded query values, fingerprints) are freed together at its end. */
#ifndef ORDERS_REST_ARENA_H
#define ORDERS_REST_ARENA_H

#include <stddef.h>

typedef struct rest_arena_block rest_arena_block;

typedef struct rest_arena {
    rest_arena_block *head;
} rest_arena;

/* Zeroed, aligned memory for any type; NULL when out of memory. */
void *ord_rest_arena_alloc(rest_arena *a, size_t size);
/* Copy of text[0..len) with a NUL; NULL when out of memory. */
char *ord_rest_arena_strndup(rest_arena *a, const char *text, size_t len);
void ord_rest_arena_free(rest_arena *a);

#endif

/* A small open-addressing hash index, so lookups by orderId or eventId stay
 * fast when a load test leaves many thousands of them in the simulator. */
#include "sim.h"

#include <stdint.h>
#include <stdlib.h>

uint64_t sim_hash_int(int64_t key)
{
    /* splitmix64 finaliser: spreads sequential ids over the table. */
    uint64_t x = (uint64_t)key + 0x9e3779b97f4a7c15u;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9u;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebu;
    return x ^ (x >> 31);
}

uint64_t sim_hash_text(const char *text)
{
    uint64_t h = 1469598103934665603u; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)text; *p != '\0'; p++) {
        h ^= *p;
        h *= 1099511628211u;
    }
    return h;
}

size_t sim_index_find(const sim_index *ix, uint64_t hash, bool (*same)(const void *ctx, size_t pos),
                      const void *ctx)
{
    if (ix->cap == 0)
        return SIZE_MAX;
    for (size_t i = (size_t)hash & (ix->cap - 1);; i = (i + 1) & (ix->cap - 1)) {
        if (ix->slots[i] == 0)
            return SIZE_MAX;
        if (ix->hashes[i] == hash && same(ctx, ix->slots[i] - 1))
            return ix->slots[i] - 1;
    }
}

static void place(size_t *slots, uint64_t *hashes, size_t cap, uint64_t hash, size_t slot)
{
    size_t i = (size_t)hash & (cap - 1);
    while (slots[i] != 0)
        i = (i + 1) & (cap - 1);
    slots[i] = slot;
    hashes[i] = hash;
}

int sim_index_add(sim_index *ix, uint64_t hash, size_t pos)
{
    if ((ix->used + 1) * 2 > ix->cap) {
        size_t cap = ix->cap == 0 ? 64 : ix->cap * 2;
        size_t *slots = calloc(cap, sizeof *slots);
        uint64_t *hashes = calloc(cap, sizeof *hashes);
        if (slots == NULL || hashes == NULL) {
            free(slots);
            free(hashes);
            return -1;
        }
        for (size_t i = 0; i < ix->cap; i++)
            if (ix->slots[i] != 0)
                place(slots, hashes, cap, ix->hashes[i], ix->slots[i]);
        free(ix->slots);
        free(ix->hashes);
        ix->slots = slots;
        ix->hashes = hashes;
        ix->cap = cap;
    }
    place(ix->slots, ix->hashes, ix->cap, hash, pos + 1);
    ix->used++;
    return 0;
}

void sim_index_clear(sim_index *ix)
{
    free(ix->slots);
    free(ix->hashes);
    *ix = (sim_index){0};
}

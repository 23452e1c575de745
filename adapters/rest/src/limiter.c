/* Token buckets in an open-addressed table guarded by striped locks. */
#include "limiter.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS 8192   /* clients tracked at once */
#define PROBE 8      /* a key lives in one of PROBE slots from its hash */
#define STRIPES 64
#define KEY_SIZE 80

typedef struct slot {
    char key[KEY_SIZE]; /* "" when free */
    double tokens;
    double last;        /* when tokens was last brought up to date */
} slot;

struct ord_rest_limiter {
    double per_second;
    double burst;
    pthread_mutex_t stripes[STRIPES];
    slot slots[SLOTS];
};

ord_rest_limiter *ord_rest_limiter_new(double per_second, double burst)
{
    ord_rest_limiter *l = calloc(1, sizeof *l);
    if (l == NULL)
        return NULL;
    l->per_second = per_second;
    l->burst = burst < 1 ? 1 : burst;
    for (int i = 0; i < STRIPES; i++)
        pthread_mutex_init(&l->stripes[i], NULL);
    return l;
}

void ord_rest_limiter_free(ord_rest_limiter *l)
{
    if (l == NULL)
        return;
    for (int i = 0; i < STRIPES; i++)
        pthread_mutex_destroy(&l->stripes[i]);
    free(l);
}

/* FNV-1a. */
static uint64_t hash_of(const char *key)
{
    uint64_t h = 1469598103934665603ULL;
    for (const unsigned char *p = (const unsigned char *)key; *p != '\0'; p++)
        h = (h ^ *p) * 1099511628211ULL;
    return h;
}

/* The key's slot in its neighbourhood, claimed (full bucket) when absent. A
 * neighbourhood never straddles two stripes: slots are grouped by PROBE. */
static slot *find(ord_rest_limiter *l, const char *key, uint64_t h, double now)
{
    size_t base = (size_t)(h % (SLOTS / PROBE)) * PROBE;
    slot *oldest = &l->slots[base];
    for (size_t i = 0; i < PROBE; i++) {
        slot *s = &l->slots[base + i];
        if (strcmp(s->key, key) == 0)
            return s;
        if (s->key[0] == '\0' || s->last < oldest->last)
            oldest = s;
    }
    snprintf(oldest->key, sizeof oldest->key, "%s", key);
    oldest->tokens = l->burst;
    oldest->last = now;
    return oldest;
}

static bool use(ord_rest_limiter *l, const char *key, double now, double *wait_s, bool take)
{
    uint64_t h = hash_of(key);
    pthread_mutex_t *lock = &l->stripes[(h % (SLOTS / PROBE)) % STRIPES];
    pthread_mutex_lock(lock);
    slot *s = find(l, key, h, now);
    if (now > s->last) {
        s->tokens += (now - s->last) * l->per_second;
        if (s->tokens > l->burst)
            s->tokens = l->burst;
        s->last = now;
    }
    bool ok = s->tokens >= 1.0;
    if (ok && take)
        s->tokens -= 1.0;
    if (!ok && wait_s != NULL)
        *wait_s = l->per_second > 0 ? (1.0 - s->tokens) / l->per_second : 60.0;
    pthread_mutex_unlock(lock);
    return ok;
}

bool ord_rest_limiter_take(ord_rest_limiter *l, const char *key, double now, double *wait_s)
{
    return use(l, key, now, wait_s, true);
}

bool ord_rest_limiter_has(ord_rest_limiter *l, const char *key, double now, double *wait_s)
{
    return use(l, key, now, wait_s, false);
}

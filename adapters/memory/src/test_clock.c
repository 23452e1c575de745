/* A clock that moves only when told and an id source that counts up, so that
 * tests can predict times and ids. Both are lock-free atomics. */
#include <orders/adapters/memory/test_clock.h>

#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

struct ord_manual_clock {
    _Atomic int64_t now_ms;
};

struct ord_counting_ids {
    _Atomic uint64_t last;
};

ord_error ord_manual_clock_new(ord_manual_clock **out, int64_t start_ms)
{
    if (out == NULL)
        return ORD_EINVALID;
    *out = malloc(sizeof **out);
    if (*out == NULL)
        return ORD_ENOMEM;
    atomic_init(&(*out)->now_ms, start_ms);
    return ORD_OK;
}

void ord_manual_clock_free(ord_manual_clock *clock)
{
    free(clock);
}

void ord_manual_clock_advance(ord_manual_clock *clock, int64_t delta_ms)
{
    if (clock != NULL)
        atomic_fetch_add(&clock->now_ms, delta_ms);
}

static int64_t manual_now_ms(void *self)
{
    ord_manual_clock *clock = self;
    return atomic_load(&clock->now_ms);
}

static const ord_clock_ops manual_clock_ops = {
    .version = ORD_CLOCK_VERSION,
    .now_ms = manual_now_ms,
};

ord_clock ord_manual_clock_port(ord_manual_clock *clock)
{
    return (ord_clock){.ops = &manual_clock_ops, .self = clock};
}

ord_error ord_counting_ids_new(ord_counting_ids **out)
{
    if (out == NULL)
        return ORD_EINVALID;
    *out = malloc(sizeof **out);
    if (*out == NULL)
        return ORD_ENOMEM;
    atomic_init(&(*out)->last, 0);
    return ORD_OK;
}

void ord_counting_ids_free(ord_counting_ids *ids)
{
    free(ids);
}

static ord_error counting_uuid_v4(void *self, char out[ORD_UUID_SIZE])
{
    ord_counting_ids *ids = self;
    uint64_t n = atomic_fetch_add(&ids->last, 1) + 1;
    /* The counter fills the last group and spills into the first; the
     * version (4) and variant (8) digits stay fixed, so the text is a
     * well-formed version 4 UUID that sorts in issue order. */
    snprintf(out, ORD_UUID_SIZE, "%08" PRIx64 "-0000-4000-8000-%012" PRIx64, n >> 48,
             n & UINT64_C(0xffffffffffff));
    return ORD_OK;
}

static const ord_id_source_ops counting_id_ops = {
    .version = ORD_ID_SOURCE_VERSION,
    .uuid_v4 = counting_uuid_v4,
};

ord_id_source ord_counting_ids_port(ord_counting_ids *ids)
{
    return (ord_id_source){.ops = &counting_id_ops, .self = ids};
}

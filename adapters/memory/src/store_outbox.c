/* The outbox over the in-memory store: events appended by order updates,
 * claimed head-of-order only, so delivery keeps each order's sequence;
 * delivered ones purged after their retention. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store_internal.h"

bool ord_mem_event_ok(const ord_outbox_event *event)
{
    return event->order_id > 0 && event->payload != NULL &&
           memchr(event->event_id, '\0', sizeof event->event_id) != NULL &&
           event->type >= ORD_EVENT_ORDER_PLACED && event->type <= ORD_EVENT_ORDER_DELIVERED;
}

ord_error ord_mem_event_prepare(const ord_outbox_event *event, ord_mem_event **out)
{
    *out = NULL;
    if (!ord_mem_event_ok(event))
        return ORD_EINVALID;
    ord_mem_event *e = calloc(1, sizeof *e);
    if (e == NULL)
        return ORD_ENOMEM;
    e->event = *event;
    e->event.id = 0;
    e->event.attempts = 0;
    e->event.payload = strdup(event->payload);
    if (e->event.payload == NULL) {
        free(e);
        return ORD_ENOMEM;
    }
    e->next_attempt_ms = INT64_MIN; /* due at once */
    *out = e;
    return ORD_OK;
}

void ord_mem_event_free(ord_mem_event *event)
{
    if (event == NULL)
        return;
    free(event->event.payload);
    free(event);
}

ord_error ord_mem_store_reserve_event(ord_memory_store *store)
{
    if (store->event_count < store->event_capacity)
        return ORD_OK;
    size_t cap = store->event_capacity == 0 ? 64 : store->event_capacity * 2;
    ord_mem_event **grown = realloc(store->events, cap * sizeof *grown);
    if (grown == NULL)
        return ORD_ENOMEM;
    store->events = grown;
    store->event_capacity = cap;
    return ORD_OK;
}

void ord_mem_store_append_event(ord_memory_store *store, ord_mem_event *event)
{
    event->event.id = ++store->last_event_id;
    store->events[store->event_count++] = event;
}

/* Events stay in id order (appends only, purges keep the order), so an id
 * is found by bisection even after purges left gaps. */
static ord_mem_event *find_event(ord_memory_store *store, int64_t id)
{
    size_t lo = 0;
    size_t hi = store->event_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int64_t at = store->events[mid]->event.id;
        if (at == id)
            return store->events[mid];
        if (at < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* The time of a delivery: the store's clock, or the system's real time. */
static int64_t delivery_now(const ord_memory_store *store)
{
    if (store->clock.ops != NULL)
        return store->clock.ops->now_ms(store->clock.self);
    struct timespec ts;
    if (timespec_get(&ts, TIME_UTC) != TIME_UTC)
        return 0;
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool event_due(const ord_mem_event *e, int64_t now_ms, const char *owner)
{
    if (e->parked || e->next_attempt_ms > now_ms)
        return false;
    return e->lease_owner[0] == '\0' || strcmp(e->lease_owner, owner) == 0 ||
           !ord_mem_held(e->lease_until_ms, now_ms);
}

static ord_error claim_locked(ord_memory_store *store, int64_t now_ms, int64_t lease_until_ms,
                              const char *owner, size_t max, ord_outbox_batch *out)
{
    while (store->first_undelivered < store->event_count &&
           store->events[store->first_undelivered]->delivered)
        store->first_undelivered++;
    if (max == 0 || store->first_undelivered == store->event_count)
        return ORD_OK;

    /* One flag per order: its oldest undelivered event has been seen. */
    unsigned char *seen = calloc(store->order_count + 1, 1);
    ord_mem_event **picked = calloc(max, sizeof *picked);
    ord_error rc = seen != NULL && picked != NULL ? ORD_OK : ORD_ENOMEM;
    size_t n = 0;
    for (size_t i = store->first_undelivered; rc == ORD_OK && i < store->event_count && n < max;
         i++) {
        ord_mem_event *e = store->events[i];
        if (e->delivered)
            continue;
        int64_t order = e->event.order_id;
        if ((uint64_t)order <= store->order_count) {
            if (seen[order])
                continue;
            seen[order] = 1;
        }
        if (event_due(e, now_ms, owner))
            picked[n++] = e;
    }
    if (rc == ORD_OK && n > 0) {
        out->events = calloc(n, sizeof *out->events);
        if (out->events == NULL)
            rc = ORD_ENOMEM;
    }
    for (size_t i = 0; rc == ORD_OK && i < n; i++) {
        out->events[i] = picked[i]->event;
        out->events[i].payload = strdup(picked[i]->event.payload);
        if (out->events[i].payload == NULL)
            rc = ORD_ENOMEM;
        else
            out->count++;
    }
    /* Leases only once every copy succeeded: a failed claim takes nothing. */
    for (size_t i = 0; rc == ORD_OK && i < n; i++) {
        ord_mem_owner_copy(picked[i]->lease_owner, owner);
        picked[i]->lease_until_ms = lease_until_ms;
    }
    free(seen);
    free(picked);
    return rc;
}

typedef struct claim_args {
    int64_t now_ms;
    int64_t lease_until_ms;
    bool valid;
    char owner[ORD_OWNER_SIZE];
    size_t max;
    ord_outbox_batch *out;
} claim_args;

static ord_error claim_op(ord_memory_store *store, void *ctx)
{
    claim_args *a = ctx;
    if (!a->valid)
        return ORD_EINVALID;
    return claim_locked(store, a->now_ms, a->lease_until_ms, a->owner, a->max, a->out);
}

static ord_error outbox_claim(void *self, int64_t now_ms, int64_t lease_until_ms,
                              const char *owner, size_t max, ord_outbox_batch *out)
{
    if (out == NULL)
        return ORD_EINVALID;
    memset(out, 0, sizeof *out);
    claim_args a = {.now_ms = now_ms, .lease_until_ms = lease_until_ms, .max = max, .out = out};
    a.valid = ord_mem_owner_copy(a.owner, owner);
    ord_error rc = ord_mem_store_call(self, ORD_MEM_OUTBOX_CLAIM, claim_op, &a);
    if (rc != ORD_OK)
        ord_outbox_batch_free(out);
    return rc;
}

typedef struct mark_args {
    int64_t id;
    int64_t retry_at_ms;
    bool park;
    bool delivered;
} mark_args;

/* Shared by mark_delivered and mark_failed. */
static ord_error mark_locked(ord_memory_store *store, void *ctx)
{
    const mark_args *a = ctx;
    ord_mem_event *e = find_event(store, a->id);
    if (e == NULL)
        return ORD_ENOTFOUND;
    if (a->delivered) {
        if (!e->delivered)
            e->delivered_at_ms = delivery_now(store);
        e->delivered = true;
    } else if (!e->delivered) {
        e->event.attempts++;
        e->next_attempt_ms = a->retry_at_ms;
        e->parked = a->park;
    }
    e->lease_owner[0] = '\0';
    e->lease_until_ms = 0;
    return ORD_OK;
}

static ord_error outbox_mark(ord_memory_store *store, int64_t id, int64_t retry_at_ms, bool park,
                             bool delivered)
{
    mark_args a = {.id = id, .retry_at_ms = retry_at_ms, .park = park, .delivered = delivered};
    return ord_mem_store_call(store, ORD_MEM_OUTBOX_MARK, mark_locked, &a);
}

static ord_error outbox_mark_delivered(void *self, int64_t id)
{
    return outbox_mark(self, id, 0, false, true);
}

static ord_error outbox_mark_failed(void *self, int64_t id, int64_t retry_at_ms, bool park)
{
    return outbox_mark(self, id, retry_at_ms, park, false);
}

typedef struct mark_many_args {
    const int64_t *ids;
    size_t count;
    size_t marked;
} mark_many_args;

static ord_error mark_many_locked(ord_memory_store *store, void *ctx)
{
    mark_many_args *a = ctx;
    for (size_t i = 0; i < a->count; i++) {
        bool repeated = false; /* an id given twice counts once, as in SQL */
        for (size_t j = 0; j < i && !repeated; j++)
            repeated = a->ids[j] == a->ids[i];
        if (repeated)
            continue;
        mark_args one = {.id = a->ids[i], .delivered = true};
        if (mark_locked(store, &one) == ORD_OK)
            a->marked++;
    }
    return ORD_OK;
}

static ord_error outbox_mark_delivered_many(void *self, const int64_t *ids, size_t count,
                                            size_t *marked)
{
    if (marked != NULL)
        *marked = 0;
    if ((ids == NULL && count > 0) || count > ORD_OUTBOX_MARK_MAX)
        return ORD_EINVALID;
    mark_many_args a = {.ids = ids, .count = count, .marked = 0};
    ord_error rc = ord_mem_store_call(self, ORD_MEM_OUTBOX_MARK, mark_many_locked, &a);
    if (rc == ORD_OK && marked != NULL)
        *marked = a.marked;
    return rc;
}

typedef struct count_args {
    int64_t pending;
    int64_t parked;
} count_args;

static ord_error count_locked(ord_memory_store *store, void *ctx)
{
    count_args *a = ctx;
    for (size_t i = store->first_undelivered; i < store->event_count; i++) {
        const ord_mem_event *e = store->events[i];
        if (e->delivered)
            continue;
        if (e->parked)
            a->parked++;
        else
            a->pending++;
    }
    return ORD_OK;
}

static ord_error outbox_count(void *self, int64_t *pending, int64_t *parked)
{
    if (pending == NULL || parked == NULL)
        return ORD_EINVALID;
    *pending = 0;
    *parked = 0;
    count_args a = {0, 0};
    ord_error rc = ord_mem_store_call(self, ORD_MEM_OUTBOX_OTHER, count_locked, &a);
    if (rc == ORD_OK) {
        *pending = a.pending;
        *parked = a.parked;
    }
    return rc;
}

static void redrive_one(ord_mem_event *e)
{
    e->parked = false;
    e->event.attempts = 0;
    e->next_attempt_ms = INT64_MIN;
    e->lease_owner[0] = '\0';
    e->lease_until_ms = 0;
}

typedef struct redrive_args {
    int64_t id; /* 0: every parked event */
    int64_t count;
} redrive_args;

static ord_error redrive_locked(ord_memory_store *store, void *ctx)
{
    redrive_args *a = ctx;
    if (a->id != 0) {
        ord_mem_event *e = find_event(store, a->id);
        if (e == NULL || e->delivered || !e->parked)
            return ORD_ENOTFOUND;
        redrive_one(e);
        a->count = 1;
        return ORD_OK;
    }
    for (size_t i = store->first_undelivered; i < store->event_count; i++) {
        ord_mem_event *e = store->events[i];
        if (!e->delivered && e->parked) {
            redrive_one(e);
            a->count++;
        }
    }
    return ORD_OK;
}

static ord_error outbox_redrive(void *self, int64_t id, int64_t *count)
{
    if (count != NULL)
        *count = 0;
    redrive_args a = {.id = id, .count = 0};
    ord_error rc = ord_mem_store_call(self, ORD_MEM_OUTBOX_OTHER, redrive_locked, &a);
    if (rc == ORD_OK && count != NULL)
        *count = a.count;
    return rc;
}

static bool purgeable(const ord_mem_event *e, int64_t delivered_before_ms)
{
    return e->delivered && !e->parked && e->delivered_at_ms < delivered_before_ms;
}

/* Deletes in one pass that closes the gaps, so the events that remain keep
 * their id order (find_event and the claim rely on it). */
static int64_t purge_locked(ord_memory_store *store, int64_t delivered_before_ms, size_t max)
{
    size_t kept = 0;
    size_t first_undelivered = store->event_count;
    size_t deleted = 0;
    for (size_t i = 0; i < store->event_count; i++) {
        ord_mem_event *e = store->events[i];
        if (deleted < max && purgeable(e, delivered_before_ms)) {
            ord_mem_event_free(e);
            deleted++;
            continue;
        }
        if (i >= store->first_undelivered && first_undelivered == store->event_count)
            first_undelivered = kept;
        store->events[kept++] = e;
    }
    store->first_undelivered = first_undelivered < kept ? first_undelivered : kept;
    store->event_count = kept;
    return (int64_t)deleted;
}

typedef struct purge_args {
    int64_t delivered_before_ms;
    size_t max;
    int64_t count;
} purge_args;

static ord_error purge_op(ord_memory_store *store, void *ctx)
{
    purge_args *a = ctx;
    if (a->max > 0)
        a->count = purge_locked(store, a->delivered_before_ms, a->max);
    return ORD_OK;
}

static ord_error outbox_purge_delivered(void *self, int64_t delivered_before_ms, size_t max,
                                        int64_t *count)
{
    if (count == NULL)
        return ORD_EINVALID;
    *count = 0;
    purge_args a = {.delivered_before_ms = delivered_before_ms, .max = max, .count = 0};
    ord_error rc = ord_mem_store_call(self, ORD_MEM_OUTBOX_OTHER, purge_op, &a);
    if (rc == ORD_OK)
        *count = a.count;
    return rc;
}

static const ord_outbox_ops memory_outbox_ops = {
    .version = ORD_OUTBOX_VERSION,
    .claim = outbox_claim,
    .mark_delivered = outbox_mark_delivered,
    .mark_delivered_many = outbox_mark_delivered_many,
    .mark_failed = outbox_mark_failed,
    .count = outbox_count,
    .redrive = outbox_redrive,
    .purge_delivered = outbox_purge_delivered,
};

ord_outbox ord_memory_store_outbox(ord_memory_store *store)
{
    return (ord_outbox){.ops = &memory_outbox_ops, .self = store};
}

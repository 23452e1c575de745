/* Retention: expired idempotency keys go, and so do outbox events delivered
 * longer than outbox_retention_ms ago, in bounded batches, so that neither
 * table grows forever. */
#include <orders/application/retention.h>

#include "internal.h"

/* One statement deletes at most this many, so no single call holds the
 * store (or its row locks) for long. */
#define PURGE_BATCH 1000

/* The method is optional and came with version 2: a version 1 table ends
 * before it, so it is read only from a newer one. */
static bool can_purge(const ord_outbox *outbox)
{
    return outbox->ops->version >= 2 && outbox->ops->purge_delivered != NULL;
}

ord_error ord_purge_delivered_events(ord_service *svc, int64_t *count)
{
    if (count != NULL)
        *count = 0;
    if (svc == NULL)
        return ORD_EINVALID;
    const ord_outbox *outbox = &svc->ports.outbox;
    if (svc->config.outbox_retention_ms == 0 || !can_purge(outbox))
        return ORD_OK;
    int64_t before = ord_app_now(svc) - svc->config.outbox_retention_ms;
    int64_t total = 0;
    ord_error err = ORD_OK;
    while (total < ORD_PURGE_EVENTS_MAX) {
        int64_t batch = 0;
        size_t max = ORD_PURGE_EVENTS_MAX - total < PURGE_BATCH
                         ? (size_t)(ORD_PURGE_EVENTS_MAX - total)
                         : PURGE_BATCH;
        err = outbox->ops->purge_delivered(outbox->self, before, max, &batch);
        if (err != ORD_OK)
            break;
        /* A store reporting a negative count or more than asked is broken:
         * stop, counting none of that batch. */
        if (batch < 0 || (uint64_t)batch > max) {
            err = ORD_EINTERNAL;
            break;
        }
        total += batch;
        if ((uint64_t)batch < max)
            break;
    }
    if (count != NULL)
        *count = total;
    return err;
}

ord_error ord_purge_idempotency_keys(ord_service *svc, int64_t *count)
{
    int64_t purged = 0;
    if (count)
        *count = 0;
    if (svc == NULL)
        return ORD_EINVALID;
    const ord_idempotency_store *store = &svc->ports.idempotency;
    ord_error err = store->ops->purge(store->self, ord_app_now(svc), &purged);
    if (err == ORD_OK && count)
        *count = purged;
    return err;
}

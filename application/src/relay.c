/* The outbox relay: claim due events with a lease, hand each to the event
 * sink, and mark it delivered, or failed with a backoff (parked after too
 * many attempts). */
#include <orders/application/relay.h>

#include "internal.h"

#include <stdlib.h>
#include <string.h>

/* One call claims at most this many events, whatever max says, so a step
 * always returns quickly. */
#define MAX_BATCH ORD_OUTBOX_MARK_MAX

/* min * 2^attempts, capped at max (doubling stops at the cap, so no overflow). */
static int64_t event_backoff(const ord_service_config *c, int attempts)
{
    int64_t wait = c->outbox_backoff_min_ms;
    for (int i = 0; i < attempts && wait < c->outbox_backoff_max_ms; i++)
        wait *= 2;
    return wait < c->outbox_backoff_max_ms ? wait : c->outbox_backoff_max_ms;
}

static bool can_mark_many(const ord_outbox *outbox)
{
    return outbox->ops->version >= 3 && outbox->ops->mark_delivered_many != NULL;
}

/* Record the deliveries of a pass: in one write when the outbox can (one
 * commit per pass instead of one per event), else one by one. An event
 * whose mark fails is delivered again later; consumers de-duplicate. */
static void mark_delivered(const ord_service *svc, const ord_outbox_batch *batch,
                           const bool *delivered, const int64_t *ids, size_t count,
                           ord_work_report *report)
{
    const ord_outbox *outbox = &svc->ports.outbox;
    ord_error many = ORD_EINVALID;
    if (count > 0 && can_mark_many(outbox))
        many = outbox->ops->mark_delivered_many(outbox->self, ids, count, NULL);
    for (size_t i = 0; i < batch->count; i++) {
        if (!delivered[i])
            continue;
        const ord_outbox_event *ev = &batch->events[i];
        ord_error err = many;
        if (!can_mark_many(outbox))
            err = outbox->ops->mark_delivered(outbox->self, ev->id);
        if (err == ORD_OK)
            report->completed++;
        else
            report->failed++;
        ord_app_notify_background(svc, "event_delivered", ev->order_id, err);
    }
}

/* Without an event sink there is nothing to relay to: ORD_EINVALID (the
 * service may be built without one; see ports.h). */
ord_error ord_relay_events(ord_service *svc, size_t max, ord_work_report *report)
{
    if (svc == NULL || report == NULL)
        return ORD_EINVALID;
    memset(report, 0, sizeof *report);
    if (svc->ports.events.ops == NULL)
        return ORD_EINVALID;
    if (max == 0)
        return ORD_OK;
    if (max > MAX_BATCH)
        max = MAX_BATCH;
    int64_t now = ord_app_now(svc);
    const ord_outbox *outbox = &svc->ports.outbox;
    const ord_event_sink *sink = &svc->ports.events;
    ord_outbox_batch batch = {0};
    ord_error err = outbox->ops->claim(outbox->self, now, now + svc->config.lease_ms,
                                       svc->worker_id, max, &batch);
    if (err != ORD_OK)
        return err;
    if (batch.count == 0)
        return ORD_OK;
    bool *delivered = calloc(batch.count, sizeof *delivered);
    int64_t *ids = calloc(batch.count, sizeof *ids);
    if (delivered == NULL || ids == NULL) {
        free(delivered);
        free(ids);
        ord_outbox_batch_free(&batch);
        return ORD_ENOMEM; /* the leases run out; the events go out later */
    }
    size_t delivered_count = 0;
    for (size_t i = 0; i < batch.count; i++) {
        const ord_outbox_event *ev = &batch.events[i];
        report->claimed++;
        err = sink->ops->deliver(sink->self, NULL, ev);
        if (err == ORD_OK) {
            delivered[i] = true;
            ids[delivered_count++] = ev->id;
            continue;
        }
        bool park = ev->attempts + 1 >= svc->config.outbox_max_attempts;
        int64_t next = now + event_backoff(&svc->config, ev->attempts);
        (void)outbox->ops->mark_failed(outbox->self, ev->id, next, park);
        report->failed++;
        ord_app_notify_background(svc, park ? "event_parked" : "event_retry", ev->order_id, err);
    }
    mark_delivered(svc, &batch, delivered, ids, delivered_count, report);
    free(delivered);
    free(ids);
    ord_outbox_batch_free(&batch);
    return ORD_OK;
}

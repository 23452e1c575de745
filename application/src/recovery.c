/* Background steps: claim work with a lease, act on each order or event, and
 * leave the ones that failed leased until their next try (the backoff). */
#include <orders/application/recovery.h>

#include "internal.h"

#include <stdlib.h>
#include <string.h>

/* One call claims at most this many orders or events, whatever max says, so
 * a step always returns quickly and its id buffer stays small. */
#define MAX_BATCH 1000

static int64_t clamp(int64_t value, int64_t lo, int64_t hi)
{
    return value < lo ? lo : value > hi ? hi : value;
}

/* Claim orders of one kind for this worker. */
static ord_error claim_orders(const ord_service *svc, ord_work_kind kind, int64_t now,
                              int64_t stale_before, size_t max, int64_t **ids, size_t *count)
{
    *ids = NULL;
    *count = 0;
    if (max > MAX_BATCH)
        max = MAX_BATCH;
    *ids = calloc(max, sizeof **ids);
    if (*ids == NULL)
        return ORD_ENOMEM;
    ord_work_claim claim = {
        .kind = kind,
        .now_ms = now,
        .stale_before_ms = stale_before,
        .lease_until_ms = now + svc->config.lease_ms,
        .owner = svc->worker_id,
        .max = max,
    };
    const ord_order_repository *repo = &svc->ports.orders;
    ord_error err = repo->ops->claim(repo->self, &claim, *ids, count);
    if (err != ORD_OK || *count > max) {
        free(*ids);
        *ids = NULL;
        *count = 0;
        return err != ORD_OK ? err : ORD_EINTERNAL;
    }
    return ORD_OK;
}

static void defer(const ord_service *svc, int64_t order_id, int64_t until_ms)
{
    const ord_order_repository *repo = &svc->ports.orders;
    (void)repo->ops->defer(repo->self, order_id, svc->worker_id, until_ms);
}

/* The wait before the next try equals the time since the order last changed,
 * within [min, max]: as the failed tries do not change the order, each wait
 * doubles the order's age, so the waits grow exponentially by construction. */
static int64_t retry_at(const ord_service *svc, const ord_order *order, int64_t now)
{
    int64_t age = now - order->updated_at_ms;
    return now + clamp(age, svc->config.tracking_backoff_min_ms, svc->config.tracking_backoff_max_ms);
}

static bool work_args_ok(const ord_service *svc, const ord_work_report *report)
{
    return svc != NULL && report != NULL;
}

/* Cancel a PENDING_CHECK order past its deadline and give back its stock. */
static ord_error cancel_past_deadline(const app_run *run, ord_order *order)
{
    ord_error err = app_transition(run, order, ORD_STATUS_CANCELLED, "deadline",
                                   ORD_UPDATE_INVENTORY, ORD_INVENTORY_RELEASE);
    if (err != ORD_OK)
        return err;
    /* A failed release stays owed on the order (ord_recover_inventory_actions). */
    (void)app_settle_inventory(run, order);
    return ORD_OK;
}

static bool recover_pending_one(const app_run *run, int64_t id, int64_t now)
{
    const ord_service *svc = run->svc;
    ord_order order;
    ord_order_init(&order);
    ord_error err = app_load(svc, id, &order);
    bool done = false;
    if (err != ORD_OK) {
        app_notify_background(svc, "pending_resume", id, err);
    } else if (order.status != ORD_STATUS_PENDING_CHECK) {
        done = true; /* someone finished it since the claim */
    } else if (now - order.created_at_ms >= svc->config.pending_deadline_ms) {
        err = cancel_past_deadline(run, &order);
        done = err == ORD_OK;
        app_notify_background(svc, "pending_cancel_deadline", id, err);
    } else {
        ord_place_result res;
        memset(&res, 0, sizeof res);
        err = app_saga_continue(run, &order, &res);
        if (err == ORD_OK) {
            switch (res.outcome) {
            case ORD_PLACED:
            case ORD_PLACE_INSUFFICIENT_STOCK:
            case ORD_PLACE_CONFLICT:
                done = true;
                break;
            default:
                err = res.cause != ORD_OK ? res.cause : ORD_EUNAVAILABLE;
                break;
            }
        }
        ord_place_result_free(&res);
        app_notify_background(svc, "pending_resume", id, err);
        if (!done)
            defer(svc, id, now + svc->config.pending_stale_ms);
    }
    ord_order_free(&order);
    return done;
}

ord_error ord_recover_pending_orders(ord_service *svc, size_t max, ord_work_report *report)
{
    if (!work_args_ok(svc, report))
        return ORD_EINVALID;
    memset(report, 0, sizeof *report);
    if (max == 0)
        return ORD_OK;
    int64_t now = app_now(svc);
    int64_t *ids;
    size_t count;
    ord_error err = claim_orders(svc, ORD_WORK_STALE_PENDING, now,
                                 now - svc->config.pending_stale_ms, max, &ids, &count);
    if (err != ORD_OK)
        return err;
    app_run run = {.svc = svc, .ctx = NULL, .background = true};
    for (size_t i = 0; i < count; i++) {
        report->claimed++;
        if (recover_pending_one(&run, ids[i], now))
            report->completed++;
        else
            report->failed++;
    }
    free(ids);
    return ORD_OK;
}

static bool recover_tracking_one(const app_run *run, int64_t id, int64_t now)
{
    ord_order order;
    ord_order_init(&order);
    ord_error err = app_load(run->svc, id, &order);
    bool done = false;
    if (err == ORD_OK) {
        bool wanted = order.tracking_number == NULL && (order.status == ORD_STATUS_CONFIRMED ||
                                                        order.status == ORD_STATUS_SHIPPED ||
                                                        order.status == ORD_STATUS_DELIVERED);
        if (!wanted) {
            ord_order_free(&order);
            return true; /* got its number, or was cancelled, since the claim */
        }
        err = app_request_shipment(run, &order);
        done = err == ORD_OK;
        if (!done)
            defer(run->svc, id, retry_at(run->svc, &order, now));
    }
    app_notify_background(run->svc, "tracking_number", id, err);
    ord_order_free(&order);
    return done;
}

ord_error ord_recover_tracking_numbers(ord_service *svc, size_t max, ord_work_report *report)
{
    if (!work_args_ok(svc, report))
        return ORD_EINVALID;
    memset(report, 0, sizeof *report);
    if (max == 0)
        return ORD_OK;
    int64_t now = app_now(svc);
    int64_t *ids;
    size_t count;
    ord_error err = claim_orders(svc, ORD_WORK_MISSING_TRACKING, now,
                                 now - svc->config.tracking_backoff_min_ms, max, &ids, &count);
    if (err != ORD_OK)
        return err;
    app_run run = {.svc = svc, .ctx = NULL, .background = true};
    for (size_t i = 0; i < count; i++) {
        report->claimed++;
        if (recover_tracking_one(&run, ids[i], now))
            report->completed++;
        else
            report->failed++;
    }
    free(ids);
    return ORD_OK;
}

static bool recover_inventory_one(const app_run *run, int64_t id, int64_t now)
{
    ord_order order;
    ord_order_init(&order);
    ord_error err = app_load(run->svc, id, &order);
    const char *what = "inventory_action";
    bool done = false;
    if (err == ORD_OK) {
        if (order.pending_inventory == ORD_INVENTORY_NONE) {
            ord_order_free(&order);
            return true;
        }
        what = order.pending_inventory == ORD_INVENTORY_COMMIT ? "inventory_commit"
                                                               : "inventory_release";
        int64_t until = retry_at(run->svc, &order, now);
        err = app_settle_inventory(run, &order);
        done = err == ORD_OK;
        if (!done)
            defer(run->svc, id, until);
    }
    app_notify_background(run->svc, what, id, err);
    ord_order_free(&order);
    return done;
}

/* Debts are retried on the tracking schedule: both wait on a downstream
 * service that answers again sooner or later. */
ord_error ord_recover_inventory_actions(ord_service *svc, size_t max, ord_work_report *report)
{
    if (!work_args_ok(svc, report))
        return ORD_EINVALID;
    memset(report, 0, sizeof *report);
    if (max == 0)
        return ORD_OK;
    int64_t now = app_now(svc);
    int64_t *ids;
    size_t count;
    ord_error err = claim_orders(svc, ORD_WORK_INVENTORY, now,
                                 now - svc->config.tracking_backoff_min_ms, max, &ids, &count);
    if (err != ORD_OK)
        return err;
    app_run run = {.svc = svc, .ctx = NULL, .background = true};
    for (size_t i = 0; i < count; i++) {
        report->claimed++;
        if (recover_inventory_one(&run, ids[i], now))
            report->completed++;
        else
            report->failed++;
    }
    free(ids);
    return ORD_OK;
}

/* min * 2^attempts, capped at max (doubling stops at the cap, so no overflow). */
static int64_t event_backoff(const ord_service_config *c, int attempts)
{
    int64_t wait = c->outbox_backoff_min_ms;
    for (int i = 0; i < attempts && wait < c->outbox_backoff_max_ms; i++)
        wait *= 2;
    return wait < c->outbox_backoff_max_ms ? wait : c->outbox_backoff_max_ms;
}

/* Without an event sink there is nothing to relay to: ORD_EINVALID (the
 * service may be built without one; see ports.h). */
ord_error ord_relay_events(ord_service *svc, size_t max, ord_work_report *report)
{
    if (!work_args_ok(svc, report))
        return ORD_EINVALID;
    memset(report, 0, sizeof *report);
    if (svc->ports.events.ops == NULL)
        return ORD_EINVALID;
    if (max == 0)
        return ORD_OK;
    if (max > MAX_BATCH)
        max = MAX_BATCH;
    int64_t now = app_now(svc);
    const ord_outbox *outbox = &svc->ports.outbox;
    const ord_event_sink *sink = &svc->ports.events;
    ord_outbox_batch batch = {0};
    ord_error err = outbox->ops->claim(outbox->self, now, now + svc->config.lease_ms,
                                       svc->worker_id, max, &batch);
    if (err != ORD_OK)
        return err;
    for (size_t i = 0; i < batch.count; i++) {
        const ord_outbox_event *ev = &batch.events[i];
        report->claimed++;
        err = sink->ops->deliver(sink->self, NULL, ev);
        if (err == ORD_OK) {
            err = outbox->ops->mark_delivered(outbox->self, ev->id);
            if (err == ORD_OK)
                report->completed++;
            else
                report->failed++; /* delivered again later; consumers de-duplicate */
            app_notify_background(svc, "event_delivered", ev->order_id, err);
            continue;
        }
        bool park = ev->attempts + 1 >= svc->config.outbox_max_attempts;
        int64_t next = now + event_backoff(&svc->config, ev->attempts);
        (void)outbox->ops->mark_failed(outbox->self, ev->id, next, park);
        report->failed++;
        app_notify_background(svc, park ? "event_parked" : "event_retry", ev->order_id, err);
    }
    ord_outbox_batch_free(&batch);
    return ORD_OK;
}

ord_error ord_purge_idempotency_keys(ord_service *svc, int64_t *count)
{
    int64_t purged = 0;
    if (count)
        *count = 0;
    if (svc == NULL)
        return ORD_EINVALID;
    const ord_idempotency_store *store = &svc->ports.idempotency;
    ord_error err = store->ops->purge(store->self, app_now(svc), &purged);
    if (err == ORD_OK && count)
        *count = purged;
    return err;
}

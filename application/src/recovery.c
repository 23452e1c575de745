/* Recovery: claim orders with a lease, act on each (resume the saga, cancel
 * past the deadline, fetch a tracking number, pay an owed stock action), and
 * leave the ones that failed leased until their next try (the backoff). */
#include <orders/application/recovery.h>

#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One call claims at most this many orders, whatever max says, so a step
 * always returns quickly and its id buffer stays small. */
#define MAX_BATCH 1000

static int64_t clamp(int64_t value, int64_t lo, int64_t hi)
{
    return value < lo ? lo : value > hi ? hi : value;
}

/* One run of a background step over claimed orders. */
typedef struct app_step {
    app_run run;
    const char *owner; /* the service's worker_id */
    int64_t now;
} app_step;

typedef bool (*order_step)(const app_step *step, int64_t order_id);

static void step_init(app_step *step, ord_service *svc)
{
    step->run = (app_run){.svc = svc, .ctx = NULL, .background = true};
    step->owner = svc->worker_id;
    step->now = ord_app_now(svc);
}

static void defer(const app_step *step, int64_t order_id, int64_t until_ms)
{
    const ord_order_repository *repo = &step->run.svc->ports.orders;
    (void)repo->ops->defer(repo->self, order_id, step->owner, until_ms);
}

/* Claim up to @p max orders of one kind untouched for @p stale_ms and work
 * each with @p fn, counting what happened. */
static ord_error run_order_step(ord_service *svc, ord_work_kind kind, int64_t stale_ms, size_t max,
                                order_step fn, ord_work_report *report)
{
    if (svc == NULL || report == NULL)
        return ORD_EINVALID;
    memset(report, 0, sizeof *report);
    if (max == 0)
        return ORD_OK;
    if (max > MAX_BATCH)
        max = MAX_BATCH;
    int64_t *ids = calloc(max, sizeof *ids);
    if (ids == NULL)
        return ORD_ENOMEM;
    app_step step;
    step_init(&step, svc);
    ord_work_claim claim = {
        .kind = kind,
        .now_ms = step.now,
        .stale_before_ms = step.now - stale_ms,
        .lease_until_ms = step.now + svc->config.lease_ms,
        .owner = step.owner,
        .max = max,
    };
    size_t count = 0;
    const ord_order_repository *repo = &svc->ports.orders;
    ord_error err = repo->ops->claim(repo->self, &claim, ids, &count);
    if (err == ORD_OK && count > max)
        err = ORD_EINTERNAL;
    for (size_t i = 0; err == ORD_OK && i < count; i++) {
        report->claimed++;
        if (fn(&step, ids[i]))
            report->completed++;
        else
            report->failed++;
    }
    free(ids);
    return err;
}

/* The wait before the next try equals the time since the order last changed,
 * within [min, max]: as the failed tries do not change the order, each wait
 * doubles the order's age, so the waits grow exponentially by construction. */
static int64_t retry_at(const app_step *step, const ord_order *order)
{
    const ord_service_config *c = &step->run.svc->config;
    int64_t age = step->now - order->updated_at_ms;
    return step->now + clamp(age, c->tracking_backoff_min_ms, c->tracking_backoff_max_ms);
}

/* Cancel a PENDING_CHECK order past its deadline and give back its stock. */
static ord_error cancel_past_deadline(const app_run *run, ord_order *order)
{
    ord_error err = ord_app_transition(run, order, ORD_STATUS_CANCELLED, "deadline",
                                       ORD_UPDATE_INVENTORY, ORD_INVENTORY_RELEASE);
    if (err != ORD_OK)
        return err;
    /* A failed release stays owed on the order (ord_recover_inventory_actions). */
    (void)ord_app_settle_inventory(run, order);
    return ORD_OK;
}

/* When the order was placed: its last entry into PENDING_CHECK. A draft
 * enters it at checkout, maybe long after the cart was started, and the
 * deadline gives the saga its full time from there. */
static int64_t placed_at(const ord_order *order)
{
    for (size_t i = order->history_count; i > 0; i--) {
        const ord_status_change *h = &order->history[i - 1];
        if (h->to == ORD_STATUS_PENDING_CHECK)
            return h->at_ms;
    }
    return order->created_at_ms;
}

static bool recover_pending_one(const app_step *step, int64_t id)
{
    const ord_service *svc = step->run.svc;
    ord_order order;
    ord_order_init(&order);
    ord_error err = ord_app_load(svc, id, &order);
    bool done = false;
    if (err != ORD_OK) {
        ord_app_notify_background(svc, "pending_resume", id, err);
    } else if (order.status != ORD_STATUS_PENDING_CHECK) {
        done = true; /* someone finished it since the claim */
    } else if (step->now - placed_at(&order) >= svc->config.pending_deadline_ms) {
        err = cancel_past_deadline(&step->run, &order);
        done = err == ORD_OK;
        ord_app_notify_background(svc, "pending_cancel_deadline", id, err);
    } else {
        ord_place_result res;
        memset(&res, 0, sizeof res);
        err = ord_app_saga_continue(&step->run, &order, &res);
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
        ord_app_notify_background(svc, "pending_resume", id, err);
        if (!done)
            defer(step, id, step->now + svc->config.pending_stale_ms);
    }
    ord_order_free(&order);
    return done;
}

ord_error ord_recover_pending_orders(ord_service *svc, size_t max, ord_work_report *report)
{
    int64_t stale = svc ? svc->config.pending_stale_ms : 0;
    return run_order_step(svc, ORD_WORK_STALE_PENDING, stale, max, recover_pending_one, report);
}

static bool recover_tracking_one(const app_step *step, int64_t id)
{
    ord_order order;
    ord_order_init(&order);
    ord_error err = ord_app_load(step->run.svc, id, &order);
    bool done = false;
    if (err == ORD_OK) {
        bool wanted = order.tracking_number == NULL &&
                      (order.status == ORD_STATUS_CONFIRMED || order.status == ORD_STATUS_SHIPPED ||
                       order.status == ORD_STATUS_DELIVERED);
        if (!wanted) {
            ord_order_free(&order);
            return true; /* got its number, or was cancelled, since the claim */
        }
        int64_t until = retry_at(step, &order);
        err = ord_app_request_shipment(&step->run, &order);
        done = err == ORD_OK;
        if (!done)
            defer(step, id, until);
    }
    ord_app_notify_background(step->run.svc, "tracking_number", id, err);
    ord_order_free(&order);
    return done;
}

ord_error ord_recover_tracking_numbers(ord_service *svc, size_t max, ord_work_report *report)
{
    int64_t stale = svc ? svc->config.tracking_backoff_min_ms : 0;
    return run_order_step(svc, ORD_WORK_MISSING_TRACKING, stale, max, recover_tracking_one, report);
}

static bool recover_inventory_one(const app_step *step, int64_t id)
{
    ord_order order;
    ord_order_init(&order);
    ord_error err = ord_app_load(step->run.svc, id, &order);
    const char *what = "inventory_action";
    bool done = false;
    if (err == ORD_OK) {
        if (order.pending_inventory == ORD_INVENTORY_NONE) {
            ord_order_free(&order);
            return true;
        }
        what = order.pending_inventory == ORD_INVENTORY_COMMIT ? "inventory_commit"
                                                               : "inventory_release";
        int64_t until = retry_at(step, &order);
        err = ord_app_settle_inventory(&step->run, &order);
        done = err == ORD_OK;
        if (!done)
            defer(step, id, until);
    }
    ord_app_notify_background(step->run.svc, what, id, err);
    ord_order_free(&order);
    return done;
}

/* Debts are retried on the tracking schedule: both wait on a downstream
 * service that answers again sooner or later. */
ord_error ord_recover_inventory_actions(ord_service *svc, size_t max, ord_work_report *report)
{
    int64_t stale = svc ? svc->config.tracking_backoff_min_ms : 0;
    return run_order_step(svc, ORD_WORK_INVENTORY, stale, max, recover_inventory_one, report);
}

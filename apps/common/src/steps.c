/* One batch of a background step, and its log lines. */
#include "steps.h"

#include <string.h>

static const char *const names[SRV_STEP_COUNT] = {
    [SRV_STEP_PENDING_ORDERS] = "pending_orders",
    [SRV_STEP_INVENTORY_ACTIONS] = "inventory_actions",
    [SRV_STEP_TRACKING_NUMBERS] = "tracking_numbers",
    [SRV_STEP_PURGE_IDEMPOTENCY_KEYS] = "purge_idempotency_keys",
    [SRV_STEP_PURGE_DELIVERED_EVENTS] = "purge_delivered_events",
    [SRV_STEP_RELAY_EVENTS] = "relay_events",
};

const char *srv_step_name(srv_step step)
{
    return (unsigned)step < SRV_STEP_COUNT ? names[step] : "unknown";
}

/* More may be waiting when a batch came back full and not all of it failed
 * (failed work is deferred, so it would not come back at once anyway). */
static bool more(const ord_work_report *r, size_t max)
{
    return r->claimed >= max && r->failed < r->claimed;
}

static void report_debug(const srv_unit *u, srv_step step, const ord_work_report *r)
{
    if (r->claimed == 0)
        return;
    srv_field f[] = {SRV_STR("worker", u->role), SRV_STR("step", srv_step_name(step)),
                     SRV_NUM("claimed", r->claimed), SRV_NUM("completed", r->completed),
                     SRV_NUM("failed", r->failed)};
    srv_log_write(u->deps.log, SRV_DEBUG, "background step done", f, 5);
}

static void report_deleted(const srv_unit *u, const char *what, int64_t deleted)
{
    if (deleted <= 0)
        return;
    srv_field f[] = {SRV_STR("worker", u->role), SRV_NUM("deleted", deleted)};
    srv_log_write(u->deps.log, SRV_INFO, what, f, 2);
}

void srv_step_run(srv_unit *unit, srv_step step, size_t batch, srv_step_outcome *out)
{
    memset(out, 0, sizeof *out);
    static ord_error (*const claiming[SRV_STEP_COUNT])(ord_service *, size_t, ord_work_report *) = {
        [SRV_STEP_PENDING_ORDERS] = ord_recover_pending_orders,
        [SRV_STEP_INVENTORY_ACTIONS] = ord_recover_inventory_actions,
        [SRV_STEP_TRACKING_NUMBERS] = ord_recover_tracking_numbers,
        [SRV_STEP_RELAY_EVENTS] = ord_relay_events,
    };
    switch (step) {
    case SRV_STEP_PURGE_IDEMPOTENCY_KEYS:
        out->err = ord_purge_idempotency_keys(unit->svc, &out->deleted);
        report_deleted(unit, "expired idempotency keys deleted", out->deleted);
        return;
    case SRV_STEP_PURGE_DELIVERED_EVENTS:
        out->err = ord_purge_delivered_events(unit->svc, &out->deleted);
        report_deleted(unit, "delivered outbox events deleted", out->deleted);
        /* A call that reached its bound left more behind. */
        out->more = out->err == ORD_OK && out->deleted >= ORD_PURGE_EVENTS_MAX;
        return;
    case SRV_STEP_PENDING_ORDERS:
    case SRV_STEP_INVENTORY_ACTIONS:
    case SRV_STEP_TRACKING_NUMBERS:
    case SRV_STEP_RELAY_EVENTS:
        out->err = claiming[step](unit->svc, batch, &out->report);
        report_debug(unit, step, &out->report);
        out->more = out->err == ORD_OK && more(&out->report, batch);
        return;
    case SRV_STEP_COUNT:
        break;
    }
    out->err = ORD_EINVALID;
}

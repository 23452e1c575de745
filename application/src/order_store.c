/* Reading orders and writing their changes: every status change goes through
 * ord_app_transition(), which appends the history entry and, when consumers care,
 * the outbox event describing the order as of that change, in one update. */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <orders/application/order_json.h>
#include <orders/application/queries.h>
#include <orders/domain/event.h>
#include <orders/domain/order_ref.h>

void ord_app_swap_orders(ord_order *a, ord_order *b)
{
    ord_order tmp = *a;
    *a = *b;
    *b = tmp;
}

/* Order numbers are random; a clash is astronomically rare but retried. */
#define NUMBER_ATTEMPTS 3

/* Whether an order with this number is stored: only then was a conflict of
 * create a clash of numbers. */
static bool number_taken(const ord_order_repository *repo, const char *number)
{
    ord_order found;
    ord_order_init(&found);
    bool taken = repo->ops->get_by_number(repo->self, number, &found) == ORD_OK;
    ord_order_free(&found);
    return taken;
}

/* A conflict is answered with another number only when the number is
 * indeed taken. Any other conflict (a store that refuses a create for a
 * concurrent one of the customer) goes back to the caller as ORD_ECONFLICT:
 * trying again under a new number would only hide it. */
ord_error ord_app_create(const ord_service *svc, ord_order *order)
{
    const ord_order_repository *repo = &svc->ports.orders;
    for (int attempt = 0; attempt < NUMBER_ATTEMPTS; attempt++) {
        char uuid[ORD_UUID_SIZE];
        ord_error err = ord_app_new_uuid(svc, uuid);
        if (err != ORD_OK)
            return err;
        snprintf(order->number, sizeof order->number, "ORD-%s", uuid);
        err = repo->ops->create(repo->self, order);
        if (err != ORD_ECONFLICT)
            return err;
        if (!number_taken(repo, order->number))
            return ORD_ECONFLICT;
    }
    return ORD_EINTERNAL; /* the id source keeps repeating itself */
}

ord_error ord_app_load(const ord_service *svc, int64_t id, ord_order *out)
{
    ord_order_free(out);
    const ord_order_repository *repo = &svc->ports.orders;
    return repo->ops->get_by_id(repo->self, id, out);
}

ord_error ord_app_load_ref(const ord_service *svc, const char *ref, ord_order *out)
{
    int64_t id = 0;
    char number[ORD_ORDER_NUMBER_SIZE];
    ord_order_free(out);
    if (ref == NULL || !ord_order_ref_parse(ref, &id, number))
        return ORD_ENOTFOUND;
    const ord_order_repository *repo = &svc->ports.orders;
    if (id > 0)
        return repo->ops->get_by_id(repo->self, id, out);
    return repo->ops->get_by_number(repo->self, number, out);
}

/* The event of a change, with its payload rendered from the order at the
 * version the update will store. */
static ord_error build_event(const app_run *run, ord_order *next, const ord_status_change *change,
                             ord_event_type type, ord_outbox_event *ev)
{
    memset(ev, 0, sizeof *ev);
    ord_error err = ord_app_new_uuid(run->svc, ev->event_id);
    if (err != ORD_OK)
        return err;
    ev->type = type;
    ev->order_id = next->id;
    ev->customer_id = next->customer_id;
    ev->sequence = next->version + 1;
    ev->occurred_at_ms = change->at_ms;
    int64_t read_version = next->version;
    next->version = read_version + 1;
    err = ord_event_to_json(&ev->payload, ev, next);
    next->version = read_version;
    return err;
}

ord_error ord_app_write(const app_run *run, ord_order *next, unsigned fields,
                        const ord_status_change *change)
{
    ord_outbox_event ev;
    bool has_event = false;
    ord_event_type type;
    ord_error err;

    next->updated_at_ms = change ? change->at_ms : ord_app_now(run->svc);
    if (change != NULL && ord_event_type_for_status(&type, change->to)) {
        err = build_event(run, next, change, type, &ev);
        if (err != ORD_OK) {
            free(ev.payload);
            return err;
        }
        has_event = true;
    }
    ord_order_update up = {
        .order = next,
        .fields = fields,
        .change = change,
        .event = has_event ? &ev : NULL,
        .release_lease = run->background,
    };
    int64_t new_version = 0;
    const ord_order_repository *repo = &run->svc->ports.orders;
    err = repo->ops->update(repo->self, &up, &new_version);
    if (has_event)
        free(ev.payload);
    if (err == ORD_OK)
        next->version = new_version > next->version ? new_version : next->version + 1;
    return err;
}

/* A status change, with the fields named by @p extra_fields: pending
 * inventory from @p pending, the tracking number from @p tracking. */
static ord_error transition(const app_run *run, ord_order *order, ord_status to,
                            const char *reason, unsigned extra_fields,
                            ord_inventory_action pending, const char *tracking)
{
    ord_order next;
    ord_order_init(&next);
    ord_error err = ord_order_copy(&next, order);
    if (err != ORD_OK)
        return err;
    ord_status_change change;
    err = ord_order_transition(&next, to, ord_app_now(run->svc), reason, &change);
    if (err == ORD_OK) {
        if (extra_fields & ORD_UPDATE_INVENTORY)
            next.pending_inventory = pending;
        if (extra_fields & ORD_UPDATE_TRACKING)
            err = ord_order_set_text(&next.tracking_number, tracking);
    }
    if (err == ORD_OK)
        err = ord_app_write(run, &next, ORD_UPDATE_STATUS | extra_fields, &change);
    if (err == ORD_OK) {
        ord_status from = order->status;
        ord_app_swap_orders(order, &next);
        const ord_service_observer *o = &run->svc->config.observer;
        if (o->status_changed)
            o->status_changed(o->ctx, order, from, to);
    }
    ord_order_free(&next);
    return err;
}

ord_error ord_app_transition(const app_run *run, ord_order *order, ord_status to,
                             const char *reason, unsigned extra_fields,
                             ord_inventory_action pending)
{
    return transition(run, order, to, reason, extra_fields & ~(unsigned)ORD_UPDATE_TRACKING,
                      pending, NULL);
}

ord_error ord_app_transition_tracked(const app_run *run, ord_order *order, ord_status to,
                                     const char *reason, const char *tracking)
{
    if (tracking == NULL || tracking[0] == '\0')
        return transition(run, order, to, reason, 0, ORD_INVENTORY_NONE, NULL);
    return transition(run, order, to, reason, ORD_UPDATE_TRACKING, ORD_INVENTORY_NONE, tracking);
}

/* Read the order again; on failure it is left as it was. */
static ord_error reload(const app_run *run, ord_order *order)
{
    ord_order fresh;
    ord_order_init(&fresh);
    ord_error err = ord_app_load(run->svc, order->id, &fresh);
    if (err == ORD_OK)
        ord_app_swap_orders(order, &fresh);
    ord_order_free(&fresh);
    return err;
}

/* Record @p debt (NONE clears it) at the version the order was read. */
static ord_error write_debt(const app_run *run, ord_order *order, ord_inventory_action debt)
{
    ord_order next;
    ord_order_init(&next);
    ord_error err = ord_order_copy(&next, order);
    if (err == ORD_OK) {
        next.pending_inventory = debt;
        err = ord_app_write(run, &next, ORD_UPDATE_INVENTORY, NULL);
    }
    if (err == ORD_OK)
        ord_app_swap_orders(order, &next);
    ord_order_free(&next);
    return err;
}

static ord_error pay_debt(const app_run *run, const ord_order *order)
{
    const ord_inventory *inv = &run->svc->ports.inventory;
    switch (order->pending_inventory) {
    case ORD_INVENTORY_NONE:
        return ORD_OK;
    case ORD_INVENTORY_RELEASE:
        return inv->ops->release(inv->self, run->ctx, order->id);
    case ORD_INVENTORY_COMMIT:
        return inv->ops->commit(inv->self, run->ctx, order->id);
    }
    return ORD_EINTERNAL;
}

/* A debt is cleared only by a write at the version read before it was paid.
 * When another write came in between, it may have recorded stock that
 * reached inventory after our payment (a reservation that lost its race
 * with a cancel): read again and pay again, release and commit being
 * repeatable, rather than clear a debt we did not cover. */
ord_error ord_app_settle_inventory(const app_run *run, ord_order *order)
{
    for (int attempt = 0; attempt < APP_MAX_RETRIES; attempt++) {
        if (order->pending_inventory == ORD_INVENTORY_NONE)
            return ORD_OK;
        ord_error err = pay_debt(run, order);
        if (err == ORD_OK)
            err = write_debt(run, order, ORD_INVENTORY_NONE);
        if (err != ORD_ECONFLICT)
            return err;
        err = reload(run, order);
        if (err != ORD_OK)
            return err;
    }
    return ORD_ECONFLICT;
}

/* Written even when the order already owes the same: the new version makes
 * a concurrent settling of that older debt pay it again (see above). */
ord_error ord_app_owe_inventory(const app_run *run, ord_order *order, ord_inventory_action debt)
{
    for (int attempt = 0; attempt < APP_MAX_RETRIES; attempt++) {
        ord_error err = write_debt(run, order, debt);
        if (err != ORD_ECONFLICT)
            return err;
        err = reload(run, order);
        if (err != ORD_OK)
            return err;
    }
    return ORD_ECONFLICT;
}

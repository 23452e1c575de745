/* The create saga (docs/api.md, The create saga) around Persist: Prechecks
 * before it, then Reserve, Shipment and Confirm. Create, checkout,
 * idempotent retries and the recovery worker all run this same code, so a
 * crash at any step is repaired by running it again (every downstream call
 * is keyed by the order id). */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#include <orders/domain/money.h>

void ord_app_set_products(ord_place_result *out, const int64_t *ids, size_t count)
{
    if (count > ORD_MAX_ITEMS)
        count = ORD_MAX_ITEMS;
    memcpy(out->products, ids, count * sizeof *ids);
    out->product_count = count;
}

static void precheck_contract_failure(ord_place_result *out)
{
    out->outcome = ORD_PLACE_PRECHECK_UNAVAILABLE;
    out->failed_service = ORD_PRECHECK_CATALOG;
    out->cause = ORD_ECONTRACT;
}

/* Prices an order cannot be made from: products the catalog priced outside
 * its contract (no sale now), then prices in several currencies (an order
 * has one total). Either is an answer about these products, not an outage
 * of the catalog: the client is told which, and retrying cannot help until
 * the catalog changes. Returns false with out->outcome set. */
static bool prices_usable(const ord_product_price *prices, size_t count, ord_place_result *out)
{
    out->product_count = 0;
    for (size_t i = 0; i < count; i++)
        if (!ord_product_price_usable(&prices[i]))
            out->products[out->product_count++] = prices[i].product_id;
    if (out->product_count > 0) {
        out->outcome = ORD_PLACE_UNPRICED_PRODUCT;
        return false;
    }
    for (size_t i = 0; i < count; i++)
        if (strcmp(prices[i].price.currency, prices[0].price.currency) != 0)
            out->products[out->product_count++] = prices[i].product_id;
    if (out->product_count > 0) {
        out->outcome = ORD_PLACE_MIXED_CURRENCIES;
        return false;
    }
    return true;
}

ord_error ord_app_precheck(const app_run *run, int64_t customer_id, const ord_order_item *lines,
                           size_t count, ord_order_item **priced, ord_place_result *out)
{
    *priced = NULL;
    if (count == 0 || count > ORD_MAX_ITEMS)
        return ORD_EINTERNAL;
    ord_product_price *prices = calloc(count, sizeof *prices);
    if (prices == NULL)
        return ORD_ENOMEM;
    for (size_t i = 0; i < count; i++)
        prices[i].product_id = lines[i].product_id;

    const ord_precheck *pc = &run->svc->ports.precheck;
    ord_precheck_result res = {0};
    ord_error err = pc->ops->check(pc->self, run->ctx, customer_id, prices, count, &res);
    if (err != ORD_OK) {
        out->outcome = ORD_PLACE_PRECHECK_UNAVAILABLE;
        out->failed_service = res.failed;
        out->cause = err;
        free(prices);
        return ORD_OK;
    }

    switch (res.verdict) {
    case ORD_PRECHECK_PASSED:
        if (!prices_usable(prices, count, out))
            break;
        *priced = calloc(count, sizeof **priced);
        if (*priced == NULL) {
            free(prices);
            return ORD_ENOMEM;
        }
        for (size_t i = 0; i < count; i++) {
            (*priced)[i] = lines[i];
            (*priced)[i].has_price = true;
            (*priced)[i].unit_price = prices[i].price;
        }
        break;
    case ORD_PRECHECK_UNKNOWN_PRODUCTS:
        out->product_count = 0;
        for (size_t i = 0; i < count; i++)
            if (!prices[i].found)
                out->products[out->product_count++] = prices[i].product_id;
        if (out->product_count == 0)
            precheck_contract_failure(out); /* "unknown" but named none */
        else
            out->outcome = ORD_PLACE_UNKNOWN_PRODUCT;
        break;
    case ORD_PRECHECK_RESTRICTED:
        out->outcome = ORD_PLACE_RESTRICTED;
        break;
    case ORD_PRECHECK_INELIGIBLE:
        out->outcome = ORD_PLACE_INELIGIBLE;
        break;
    default:
        precheck_contract_failure(out);
        break;
    }
    free(prices);
    return ORD_OK;
}

/* Hand the order to the result and say how it ended. */
static ord_error answer(ord_place_result *out, ord_order *order, ord_place_outcome outcome)
{
    out->outcome = outcome;
    ord_order_free(&out->order);
    ord_app_swap_orders(&out->order, order);
    out->tracking_pending = outcome == ORD_PLACED && out->order.tracking_number == NULL;
    return ORD_OK;
}

static ord_error store_unavailable(ord_place_result *out, ord_order *order, ord_error cause)
{
    out->cause = cause;
    return answer(out, order, ORD_PLACE_STORE_UNAVAILABLE);
}

/* An order that ended CANCELLED before this attempt looked at it (a retry
 * after a crash, or recovery got there first) answers as it ended: short of
 * stock, or else a concurrent change (cancel, deadline) won. */
static ord_error answer_cancelled(ord_place_result *out, ord_order *order)
{
    if (order->history_count > 0 &&
        strcmp(order->history[order->history_count - 1].reason, "insufficient_stock") == 0)
        return answer(out, order, ORD_PLACE_INSUFFICIENT_STOCK);
    return answer(out, order, ORD_PLACE_CONFLICT);
}

static ord_error cancel_for_stock(const app_run *run, ord_order *order, ord_place_result *out)
{
    for (int attempt = 0; attempt < APP_MAX_RETRIES; attempt++) {
        ord_error err = ord_app_transition(run, order, ORD_STATUS_CANCELLED, "insufficient_stock",
                                           0, ORD_INVENTORY_NONE);
        if (err == ORD_OK)
            return answer(out, order, ORD_PLACE_INSUFFICIENT_STOCK);
        if (err == ORD_ENOMEM || err == ORD_EINTERNAL)
            return err;
        if (err != ORD_ECONFLICT)
            return store_unavailable(out, order, err); /* recovery cancels it later */
        int64_t id = order->id;
        err = ord_app_load(run->svc, id, order);
        if (err != ORD_OK) {
            order->id = id;
            return store_unavailable(out, order, err);
        }
        if (order->status == ORD_STATUS_CANCELLED)
            return answer(out, order, ORD_PLACE_INSUFFICIENT_STOCK);
        if (order->status != ORD_STATUS_PENDING_CHECK)
            return answer(out, order, ORD_PLACE_CONFLICT);
    }
    return store_unavailable(out, order, ORD_ECONFLICT);
}

/* Our reservation may have landed after a cancel released the order's stock:
 * give it back, and if inventory cannot hear it now, leave the debt on the
 * order for ord_recover_inventory_actions(). */
static void release_after_lost_race(const app_run *run, ord_order *order)
{
    const ord_inventory *inv = &run->svc->ports.inventory;
    if (inv->ops->release(inv->self, run->ctx, order->id) == ORD_OK)
        return;
    (void)ord_app_owe_inventory(run, order, ORD_INVENTORY_RELEASE);
}

static ord_error create_shipment(const app_run *run, const ord_order *order,
                                 char number[ORD_TRACKING_NUMBER_SIZE]);

/* Reserve, ship and confirm. The shipment is created before the confirm so
 * that CONFIRMED, its tracking number, history entry and event are one
 * write (one commit instead of two). A crash or failure in between leaves
 * the order PENDING_CHECK with stock reserved and perhaps a shipment; the
 * retry or recovery repeats both calls, keyed by the order id. A cancel
 * that wins the race leaves a shipment for a cancelled order, as a cancel
 * between confirm and shipment always could. Returns with *answered set
 * when out holds the final outcome; otherwise the order is CONFIRMED (or
 * later), and *shipment says how this attempt's shipment call went
 * (ORD_EINVALID: not called). */
static ord_error reserve_and_confirm(const app_run *run, ord_order *order, ord_place_result *out,
                                     bool *answered, ord_error *shipment)
{
    const ord_inventory *inv = &run->svc->ports.inventory;
    ord_reserve_result rr;
    memset(&rr, 0, sizeof rr);
    *answered = true;
    ord_error err =
        inv->ops->reserve(inv->self, run->ctx, order->id, order->items, order->item_count, &rr);
    /* A shortage must name what is short: anything else is outside the
     * contract, and no reason to cancel the customer's order. */
    if (err == ORD_OK && !rr.reserved &&
        (rr.unavailable_count == 0 || rr.unavailable_count > ORD_MAX_ITEMS))
        err = ORD_ECONTRACT;
    if (err != ORD_OK) {
        out->cause = err;
        return answer(out, order, ORD_PLACE_INVENTORY_UNAVAILABLE);
    }
    if (!rr.reserved) {
        ord_app_set_products(out, rr.unavailable, rr.unavailable_count);
        return cancel_for_stock(run, order, out);
    }
    /* A tracking service that cannot answer does not undo the order: it is
     * confirmed without a number, which recovery obtains later. */
    char tracking[ORD_TRACKING_NUMBER_SIZE] = "";
    *shipment = ORD_EINVALID;
    if (order->tracking_number == NULL && order->delivery_address != NULL)
        *shipment = create_shipment(run, order, tracking);
    for (int attempt = 0; attempt < APP_MAX_RETRIES; attempt++) {
        err = ord_app_transition_tracked(run, order, ORD_STATUS_CONFIRMED, "stock_reserved",
                                         order->tracking_number == NULL ? tracking : NULL);
        if (err == ORD_OK) {
            *answered = false;
            return ORD_OK;
        }
        if (err == ORD_ENOMEM || err == ORD_EINTERNAL)
            return err;
        if (err != ORD_ECONFLICT)
            return store_unavailable(out, order, err); /* recovery confirms it later */
        int64_t id = order->id;
        err = ord_app_load(run->svc, id, order);
        if (err != ORD_OK) {
            order->id = id;
            return store_unavailable(out, order, err);
        }
        switch (order->status) {
        case ORD_STATUS_PENDING_CHECK:
            continue; /* another field moved the version: decide again */
        case ORD_STATUS_CONFIRMED:
        case ORD_STATUS_SHIPPED:
        case ORD_STATUS_DELIVERED:
            *answered = false; /* recovery (or a retry) confirmed it first */
            return ORD_OK;
        case ORD_STATUS_CANCELLED:
            release_after_lost_race(run, order);
            return answer(out, order, ORD_PLACE_CONFLICT);
        default:
            return answer(out, order, ORD_PLACE_CONFLICT);
        }
    }
    return store_unavailable(out, order, ORD_ECONFLICT);
}

/* Store a tracking number: no status change, so no history and no event. */
static void store_tracking(const app_run *run, ord_order *order, const char *number)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        ord_order next;
        ord_order_init(&next);
        ord_error err = ord_order_copy(&next, order);
        if (err == ORD_OK)
            err = ord_order_set_text(&next.tracking_number, number);
        if (err == ORD_OK)
            err = ord_app_write(run, &next, ORD_UPDATE_TRACKING, NULL);
        if (err == ORD_OK)
            ord_app_swap_orders(order, &next);
        ord_order_free(&next);
        if (err != ORD_ECONFLICT)
            return;
        ord_order fresh;
        ord_order_init(&fresh);
        if (ord_app_load(run->svc, order->id, &fresh) != ORD_OK) {
            ord_order_free(&fresh);
            return;
        }
        ord_app_swap_orders(order, &fresh);
        ord_order_free(&fresh);
        if (order->tracking_number != NULL || order->status == ORD_STATUS_CANCELLED)
            return;
    }
}

/* Create (or find) the order's shipment: its tracking number in @p number. */
static ord_error create_shipment(const app_run *run, const ord_order *order,
                                 char number[ORD_TRACKING_NUMBER_SIZE])
{
    ord_shipment_request req = {
        .order_id = order->id,
        .customer_name = order->customer_name,
        .delivery_address = order->delivery_address,
        .carrier = order->carrier ? order->carrier : ORD_DEFAULT_CARRIER,
    };
    number[0] = '\0';
    const ord_tracking *tr = &run->svc->ports.tracking;
    ord_error err = tr->ops->create_shipment(tr->self, run->ctx, &req, number);
    number[ORD_TRACKING_NUMBER_SIZE - 1] = '\0';
    if (err == ORD_OK && number[0] == '\0')
        err = ORD_ECONTRACT;
    if (err != ORD_OK)
        number[0] = '\0';
    return err;
}

/* Obtain and store the order's tracking number unless it has one.
 * Returns ORD_OK when the order has its number afterwards, else why not. */
ord_error ord_app_request_shipment(const app_run *run, ord_order *order)
{
    if (order->tracking_number != NULL)
        return ORD_OK;
    if (order->delivery_address == NULL)
        return ORD_EINVALID; /* a draft: nothing to ship to yet */
    char number[ORD_TRACKING_NUMBER_SIZE];
    ord_error err = create_shipment(run, order, number);
    if (err != ORD_OK)
        return err;
    store_tracking(run, order, number);
    return order->tracking_number != NULL ? ORD_OK : ORD_EUNAVAILABLE;
}

ord_error ord_app_saga_continue(const app_run *run, ord_order *order, ord_place_result *out)
{
    bool answered = false;
    ord_error shipment = ORD_EINVALID;
    ord_error err;
    switch (order->status) {
    case ORD_STATUS_PENDING_CHECK:
        err = reserve_and_confirm(run, order, out, &answered, &shipment);
        if (err != ORD_OK || answered)
            return err;
        break;
    case ORD_STATUS_CONFIRMED:
    case ORD_STATUS_SHIPPED:
    case ORD_STATUS_DELIVERED:
        break;
    case ORD_STATUS_CANCELLED:
        return answer_cancelled(out, order);
    default:
        return answer(out, order, ORD_PLACE_CONFLICT);
    }
    /* A tracking service that cannot answer does not undo the order: it is
     * placed, and recovery obtains the number later. One that failed
     * before the confirm is not asked again in the same request. */
    ord_error cause = ORD_OK;
    if (order->tracking_number == NULL)
        cause = shipment != ORD_EINVALID && shipment != ORD_OK
                    ? shipment
                    : ord_app_request_shipment(run, order);
    if (cause != ORD_OK)
        out->cause = cause;
    return answer(out, order, ORD_PLACED);
}

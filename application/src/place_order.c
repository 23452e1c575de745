/* POST /api/v1/orders: the create saga's Validate, Prechecks and Persist,
 * then its tail (saga.c); docs/api.md, The create saga names the steps.
 * With an Idempotency-Key a retry replays the answer, or resumes the order
 * an earlier attempt left behind (place_keyed.c). */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <orders/domain/text.h>
#include <orders/domain/validation.h>

void ord_place_result_free(ord_place_result *result)
{
    if (result == NULL)
        return;
    ord_order_free(&result->order);
    ord_field_errors_free(&result->fields);
    free(result->replay_body);
    memset(result, 0, sizeof *result);
}

static ord_error invalid(ord_place_result *out, const char *field, const char *message)
{
    if (ord_field_errors_add(&out->fields, field, message) != ORD_OK)
        return ORD_ENOMEM;
    out->outcome = ORD_PLACE_INVALID;
    return ORD_OK;
}

/* Fields of a new PENDING_CHECK order with its price snapshot and total. */
static ord_error build_order(const app_run *run, const ord_create_request *request,
                             const ord_order_item *priced, ord_order *order, ord_place_result *out,
                             bool *answered)
{
    *answered = false;
    ord_error err = ord_order_set_text(&order->customer_name, request->customer_name);
    if (err == ORD_OK)
        err = ord_order_set_text(&order->delivery_address, request->delivery_address);
    if (err == ORD_OK)
        err = ord_order_set_text(&order->carrier,
                                 request->carrier ? request->carrier : ORD_DEFAULT_CARRIER);
    if (err == ORD_OK)
        err = ord_order_set_items(order, priced, request->item_count);
    if (err != ORD_OK)
        return err;
    order->customer_id = request->customer_id;
    err = ord_order_compute_total(order, &order->total, priced[0].unit_price.currency);
    if (err == ORD_EOVERFLOW) {
        *answered = true;
        return invalid(out, "items", "total price is too large");
    }
    if (err != ORD_OK)
        return ORD_EINTERNAL; /* prices were checked to share one currency */
    return ord_order_start(order, ORD_STATUS_PENDING_CHECK, ord_app_now(run->svc), "created");
}

/* Store the built order and run the rest of the saga. A keyed request on a
 * store that binds numbers binds the key to the number first; otherwise the
 * key is bound to the stored order, which leaves a lost reply or a crash in
 * between to place a second order on retry (version 1 key stores). */
static ord_error store_and_continue(const app_run *run, const ord_idempotency *idem,
                                    const app_idem_order *held, bool held_is_foreign,
                                    ord_order *order, ord_place_result *out)
{
    if (idem != NULL && run->svc->bind_numbers) {
        bool stored = false, resumed = false;
        ord_error err = ord_app_create_keyed(run, idem, held->number, held_is_foreign,
                                             held->number_is_new, order, out, &stored, &resumed);
        if (err != ORD_OK || !stored)
            return err;
        if (!resumed)
            ord_app_notify_created(run->svc, order);
        return ord_app_saga_continue(run, order, out);
    }
    ord_error err = ord_app_create(run->svc, order);
    if (err == ORD_EUNAVAILABLE || err == ORD_ETIMEOUT) {
        out->outcome = ORD_PLACE_STORE_UNAVAILABLE;
        out->cause = err;
        return ORD_OK;
    }
    if (err == ORD_ECONFLICT) {
        /* Not a number clash (those are retried): the store refused this
         * create for a concurrent one of the customer. */
        out->outcome = ORD_PLACE_CUSTOMER_BUSY;
        return ORD_OK;
    }
    if (err != ORD_OK)
        return err == ORD_ENOMEM ? err : ORD_EINTERNAL;
    ord_app_notify_created(run->svc, order);
    ord_app_idem_bind(run->svc, idem, out->idempotency_scope, order->id);
    return ord_app_saga_continue(run, order, out);
}

/* The saga from Prechecks on (docs/api.md, The create saga), for a request
 * that holds its key (or has none); @p held has the number the key holds
 * ("" for none). */
static ord_error place_new(const app_run *run, const ord_create_request *request,
                           const ord_idempotency *idem, const app_idem_order *held,
                           bool held_is_foreign, ord_place_result *out)
{
    ord_order_item *lines = calloc(request->item_count, sizeof *lines);
    if (lines == NULL)
        return ORD_ENOMEM;
    for (size_t i = 0; i < request->item_count; i++) {
        lines[i].product_id = request->items[i].product_id;
        lines[i].quantity = (int32_t)request->items[i].quantity;
    }
    ord_order_item *priced = NULL;
    ord_error err =
        ord_app_precheck(run, request->customer_id, lines, request->item_count, &priced, out);
    free(lines);
    if (err != ORD_OK || priced == NULL)
        return err;

    ord_order order;
    ord_order_init(&order);
    bool answered = false;
    err = build_order(run, request, priced, &order, out, &answered);
    free(priced);
    if (err == ORD_OK && !answered)
        err = store_and_continue(run, idem, held, held_is_foreign, &order, out);
    ord_order_free(&order);
    return err;
}

/* What ord_place_finish() needs to keep a key bound: its order's id, or
 * the number the order may be stored under (not one this request bound
 * when it began the key: nothing can be stored under that yet). */
static void keep_bound(ord_place_result *out, const app_idem_order *found)
{
    out->order.id = found->id;
    snprintf(out->order.number, sizeof out->order.number, "%s",
             found->number_is_new ? "" : found->number);
}

/* The earlier attempt's order: by id once it was bound, else by number. */
static ord_error load_resumed(const app_run *run, const app_idem_order *found, ord_order *out)
{
    if (found->id > 0)
        return ord_app_load(run->svc, found->id, out);
    const ord_order_repository *repo = &run->svc->ports.orders;
    return repo->ops->get_by_number(repo->self, found->number, out);
}

/* Resume the order an earlier attempt of the key left, or place anew; the
 * customer's lock (if any) is held by the caller. */
static ord_error place_holding_lock(const app_run *run, const ord_create_request *request,
                                    const ord_idempotency *idem, app_idem_verdict verdict,
                                    const app_idem_order *found, ord_place_result *out)
{
    if (verdict != APP_IDEM_RESUME)
        return place_new(run, request, idem, found, false, out);
    ord_order order;
    ord_order_init(&order);
    ord_error err = load_resumed(run, found, &order);
    /* A number is trusted only for the customer's own order (see
     * ord_app_keyed_order_is_ours()); an id was bound to a stored order. */
    bool foreign = err == ORD_OK && found->id == 0 &&
                   !ord_app_keyed_order_is_ours(&order, request->customer_id);
    if (err == ORD_OK && !foreign) {
        err = ord_app_saga_continue(run, &order, out);
        ord_order_free(&order);
        return err;
    }
    ord_order_free(&order);
    if (err != ORD_OK && err != ORD_ENOTFOUND) {
        out->outcome = ORD_PLACE_STORE_UNAVAILABLE;
        out->cause = err;
        keep_bound(out, found);
        return ORD_OK;
    }
    /* Not stored (a lost create, or a crash before it), or gone (purged):
     * store the request under the key's number. Until an order exists an
     * answer that is not final keeps the key on that number, for the
     * earlier attempt's create may yet land. */
    err = place_new(run, request, idem, found, foreign, out);
    if (err == ORD_OK && !foreign && out->order.id == 0 && out->order.number[0] == '\0')
        snprintf(out->order.number, sizeof out->order.number, "%s", found->number);
    return err;
}

ord_error ord_place_order(ord_service *svc, const ord_principal *who, const ord_call_context *ctx,
                          const ord_create_request *request, const ord_idempotency *idem,
                          ord_place_result *out)
{
    if (out == NULL)
        return ORD_EINVALID;
    memset(out, 0, sizeof *out);
    if (svc == NULL || who == NULL || request == NULL)
        return ORD_EINVALID;
    app_run run = {.svc = svc, .ctx = ctx, .background = false};

    ord_error err = ord_validate_create_request(request, &out->fields);
    if (err == ORD_EINVALID) {
        out->outcome = ORD_PLACE_INVALID;
        return ORD_OK;
    }
    if (err != ORD_OK)
        return err;
    bool allowed = who->kind == ORD_PRINCIPAL_ADMIN || ord_principal_owns(who, request->customer_id);
    app_idem_owner owner = {.customer_id = request->customer_id, .guest_token = NULL, .who = who};
    app_idem_verdict verdict = APP_IDEM_PROCEED;
    app_idem_order found = {0};
    err = ord_app_idem_open(svc, idem, &owner, allowed ? ORD_PLACED : ORD_PLACE_FORBIDDEN,
                            svc->begin_binds, out, &verdict, &found);
    if (err != ORD_OK || verdict == APP_IDEM_ANSWERED)
        return err;
    app_customer_lock held;
    if (!ord_app_lock_customer(svc, request->customer_id, &held, out, &err)) {
        keep_bound(out, &found); /* a key bound to an order stays bound */
        return err;
    }
    err = place_holding_lock(&run, request, idem, verdict, &found, out);
    ord_app_unlock_customer(svc, &held);
    return err;
}

/* POST /api/v1/orders: validate, prechecks, persist PENDING_CHECK, then the
 * saga's tail (saga.c). With an Idempotency-Key a retry replays the answer,
 * or resumes the order an earlier attempt left behind. */
#include "internal.h"

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

/* Steps 3 and 4 and the rest of the saga, for a request that holds its key
 * (or has none). */
static ord_error place_new(const app_run *run, const ord_create_request *request,
                           const ord_idempotency *idem, ord_place_result *out)
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
    if (err == ORD_OK && !answered) {
        err = ord_app_create(run->svc, &order);
        if (err == ORD_EUNAVAILABLE || err == ORD_ETIMEOUT) {
            out->outcome = ORD_PLACE_STORE_UNAVAILABLE;
            out->cause = err;
            err = ORD_OK;
        } else if (err == ORD_ECONFLICT) {
            /* Not a number clash (those are retried): the store refused
             * this create for a concurrent one of the customer. */
            out->outcome = ORD_PLACE_CUSTOMER_BUSY;
            err = ORD_OK;
        } else if (err == ORD_OK) {
            ord_app_notify_created(run->svc, &order);
            ord_app_idem_bind(run->svc, idem, out->idempotency_scope, order.id);
            err = ord_app_saga_continue(run, &order, out);
        } else if (err != ORD_ENOMEM) {
            err = ORD_EINTERNAL;
        }
    }
    ord_order_free(&order);
    return err;
}

/* Resume the order an earlier attempt of the key left, or place anew; the
 * customer's lock (if any) is held by the caller. */
static ord_error place_holding_lock(const app_run *run, const ord_create_request *request,
                                    const ord_idempotency *idem, app_idem_verdict verdict,
                                    int64_t order_id, ord_place_result *out)
{
    if (verdict == APP_IDEM_RESUME) {
        ord_order order;
        ord_order_init(&order);
        ord_error err = ord_app_load(run->svc, order_id, &order);
        if (err == ORD_OK) {
            err = ord_app_saga_continue(run, &order, out);
            ord_order_free(&order);
            return err;
        }
        ord_order_free(&order);
        if (err != ORD_ENOTFOUND) {
            out->outcome = ORD_PLACE_STORE_UNAVAILABLE;
            out->cause = err;
            out->order.id = order_id; /* keeps the key bound (ord_place_finish) */
            return ORD_OK;
        }
        /* The bound order is gone (purged): place the request afresh. */
    }
    return place_new(run, request, idem, out);
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
    if (idem != NULL &&
        (idem->key == NULL || !ord_idempotency_key_is_valid(idem->key, strlen(idem->key))))
        return invalid(out, "Idempotency-Key", "must be 1 to 255 printable ASCII characters");
    if (who->kind != ORD_PRINCIPAL_ADMIN && !ord_principal_owns(who, request->customer_id)) {
        out->outcome = ORD_PLACE_FORBIDDEN;
        return ORD_OK;
    }

    app_idem_verdict verdict = APP_IDEM_PROCEED;
    int64_t order_id = 0;
    if (idem != NULL) {
        ord_app_scope_customer(out->idempotency_scope, request->customer_id);
        err = ord_app_idem_begin(svc, idem, out, &verdict, &order_id);
        if (err != ORD_OK || verdict == APP_IDEM_ANSWERED)
            return err;
    }
    app_customer_lock held;
    if (!ord_app_lock_customer(svc, request->customer_id, &held, out, &err)) {
        out->order.id = order_id; /* a key bound to an order stays bound */
        return err;
    }
    err = place_holding_lock(&run, request, idem, verdict, order_id, out);
    ord_app_unlock_customer(svc, &held);
    return err;
}

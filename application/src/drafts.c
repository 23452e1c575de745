/* Drafts (a cart): create, set a line, and checkout, which fixes prices in
 * one DRAFT -> PENDING_CHECK update and then runs the create saga's tail. */
#include <orders/application/drafts.h>

#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <orders/support/secret.h>
#include <orders/support/sha256.h>

_Static_assert(ORD_GUEST_TOKEN_HASH_SIZE == ORD_SHA256_HEX_SIZE,
               "a draft keeps the hex SHA-256 of its guest token");

/* Longest guest token accepted, in bytes. */
#define GUEST_TOKEN_MAX 255

/* A token of only whitespace is no token: nobody could tell it from a typo. */
static bool has_guest(const ord_draft_owner *owner)
{
    if (owner->guest_token == NULL)
        return false;
    for (const char *p = owner->guest_token; *p; p++)
        if (!strchr(" \t\n\r\v\f", *p))
            return true;
    return false;
}

bool ord_draft_owner_present(const ord_draft_owner *owner)
{
    return owner != NULL && (owner->customer_id != 0 || has_guest(owner));
}

/* The draft's owner proves itself with the field it created the draft with:
 * the same customer id, or a guest token with the same hash (compared in
 * constant time: the hash stands in for a secret). */
static bool owner_matches(const ord_order *draft, const ord_draft_owner *owner)
{
    if (draft->customer_id > 0)
        return owner->customer_id == draft->customer_id;
    if (!has_guest(owner) || draft->guest_token_hash[0] == '\0')
        return false;
    char hash[ORD_SHA256_HEX_SIZE];
    ord_sha256_hex(hash, owner->guest_token, strlen(owner->guest_token));
    return ord_text_equal_secret(hash, draft->guest_token_hash);
}

/* A customer principal speaks only for itself; a guest token proves itself. */
static bool principal_may_use(const ord_principal *who, const ord_draft_owner *owner)
{
    if (who->kind == ORD_PRINCIPAL_ADMIN)
        return true;
    if (who->kind != ORD_PRINCIPAL_CUSTOMER)
        return false;
    return owner->customer_id == 0 || ord_principal_owns(who, owner->customer_id);
}

static ord_error add(ord_field_errors *errors, const char *field, const char *message)
{
    return ord_field_errors_add(errors, field, message);
}

/* Every rule of a new draft, each broken one reported. */
static ord_error validate_new_draft(const ord_draft_owner *owner, const ord_item_request *items,
                                    size_t item_count, ord_field_errors *errors)
{
    size_t before = errors->count;
    ord_error err = ORD_OK;
    bool customer = owner->customer_id != 0;
    if (!customer && !has_guest(owner))
        err = add(errors, "customerId", "Either customerId or guestToken must be provided");
    if (err == ORD_OK && customer && owner->customer_id < 0)
        err = add(errors, "customerId", "must be > 0");
    /* Both would leave a token the guest believes in but the draft ignores. */
    if (err == ORD_OK && customer && has_guest(owner))
        err = add(errors, "guestToken", "give either customerId or guestToken, not both");
    if (err == ORD_OK && has_guest(owner) && strlen(owner->guest_token) > GUEST_TOKEN_MAX)
        err = add(errors, "guestToken", "must be at most 255 characters");
    if (err != ORD_OK)
        return ORD_ENOMEM;
    if (ord_validate_items(items, item_count, true, errors) == ORD_ENOMEM)
        return ORD_ENOMEM;
    return errors->count > before ? ORD_EINVALID : ORD_OK;
}

static ord_error store_new_draft(ord_service *svc, const ord_draft_owner *owner,
                                 const ord_item_request *items, size_t item_count, ord_order *draft)
{
    ord_error err = ORD_OK;
    draft->customer_id = owner->customer_id;
    if (owner->customer_id == 0)
        ord_sha256_hex(draft->guest_token_hash, owner->guest_token, strlen(owner->guest_token));
    for (size_t i = 0; err == ORD_OK && i < item_count; i++)
        err = ord_order_set_line(draft, items[i].product_id, items[i].quantity);
    if (err == ORD_OK)
        err = ord_money_make(&draft->total, 0, "USD");
    if (err == ORD_OK)
        err = ord_order_start(draft, ORD_STATUS_DRAFT, ord_app_now(svc), "created");
    if (err != ORD_OK)
        return err == ORD_ENOMEM ? err : ORD_EINTERNAL;
    return ord_app_create(svc, draft);
}

ord_error ord_create_draft(ord_service *svc, const ord_principal *who, const ord_draft_owner *owner,
                           const ord_item_request *items, size_t item_count,
                           ord_field_errors *errors, ord_order *out)
{
    if (svc == NULL || who == NULL || owner == NULL || out == NULL ||
        (item_count > 0 && items == NULL))
        return ORD_EINVALID;
    ord_field_errors local = {0};
    ord_field_errors *errs = errors ? errors : &local;
    ord_error err = validate_new_draft(owner, items, item_count, errs);
    ord_field_errors_free(&local);
    if (err != ORD_OK)
        return err;
    if (!principal_may_use(who, owner))
        return ORD_EFORBIDDEN;

    ord_order draft;
    ord_order_init(&draft);
    err = store_new_draft(svc, owner, items, item_count, &draft);
    if (err == ORD_OK) {
        ord_app_notify_created(svc, &draft);
        ord_order_free(out);
        ord_app_swap_orders(out, &draft);
    }
    ord_order_free(&draft);
    return err;
}

ord_error ord_set_draft_line(ord_service *svc, const ord_principal *who, const char *ref,
                             const ord_draft_owner *owner, int64_t product_id, int64_t quantity,
                             ord_field_errors *errors, ord_order *out)
{
    if (svc == NULL || who == NULL || owner == NULL || out == NULL)
        return ORD_EINVALID;
    ord_field_errors local = {0};
    ord_field_errors *errs = errors ? errors : &local;
    ord_error err = ord_validate_draft_line(product_id, quantity, errs);
    ord_field_errors_free(&local);
    if (err != ORD_OK)
        return err;
    if (!principal_may_use(who, owner))
        return ORD_EFORBIDDEN;

    app_run run = {.svc = svc, .ctx = NULL, .background = false};
    ord_order draft;
    ord_order_init(&draft);
    err = ORD_ECONFLICT;
    for (int attempt = 0; attempt < APP_MAX_RETRIES && err == ORD_ECONFLICT; attempt++) {
        err = ord_app_load_ref(svc, ref, &draft);
        if (err != ORD_OK)
            break;
        if (!owner_matches(&draft, owner)) {
            err = ORD_EFORBIDDEN;
            break;
        }
        if (draft.status != ORD_STATUS_DRAFT) {
            err = ORD_ETRANSITION;
            break;
        }
        ord_order next;
        ord_order_init(&next);
        err = ord_order_copy(&next, &draft);
        if (err == ORD_OK) {
            err = ord_order_set_line(&next, product_id, quantity);
            if (err == ORD_EINVALID &&
                add(errs, "items", "must have at most 100 entries") != ORD_OK)
                err = ORD_ENOMEM;
        }
        if (err == ORD_OK)
            err = ord_app_write(&run, &next, ORD_UPDATE_ITEMS, NULL);
        if (err == ORD_OK) {
            ord_order_free(out);
            ord_app_swap_orders(out, &next);
        }
        ord_order_free(&next);
    }
    if (errors == NULL)
        ord_field_errors_free(&local);
    ord_order_free(&draft);
    return err;
}

/* The one update of checkout: prices, total, delivery fields and the status,
 * at the version the draft was read. Losing that race means another
 * checkout (or a cart change) won. */
static ord_error fix_draft(const app_run *run, ord_order *draft,
                           const ord_checkout_request *request, const ord_order_item *priced,
                           ord_place_result *out, bool *answered)
{
    *answered = false;
    ord_order next;
    ord_order_init(&next);
    ord_error err = ord_order_copy(&next, draft);
    if (err == ORD_OK)
        err = ord_order_set_items(&next, priced, draft->item_count);
    if (err == ORD_OK && request->customer_name != NULL)
        err = ord_order_set_text(&next.customer_name, request->customer_name);
    if (err == ORD_OK)
        err = ord_order_set_text(&next.delivery_address, request->delivery_address);
    if (err == ORD_OK)
        err = ord_order_set_text(&next.carrier,
                                 request->carrier ? request->carrier : ORD_DEFAULT_CARRIER);
    if (err != ORD_OK) {
        ord_order_free(&next);
        return err == ORD_ENOMEM ? err : ORD_EINTERNAL;
    }
    err = ord_order_compute_total(&next, &next.total, priced[0].unit_price.currency);
    if (err != ORD_OK) {
        ord_order_free(&next);
        if (err != ORD_EOVERFLOW)
            return ORD_EINTERNAL;
        *answered = true;
        out->outcome = ORD_PLACE_INVALID;
        return ord_field_errors_add(&out->fields, "items", "total price is too large");
    }
    ord_status_change change;
    err = ord_order_transition(&next, ORD_STATUS_PENDING_CHECK, ord_app_now(run->svc), "checkout",
                               &change);
    if (err == ORD_OK)
        err = ord_app_write(run, &next, ORD_UPDATE_STATUS | ORD_UPDATE_ITEMS | ORD_UPDATE_DELIVERY,
                            &change);
    if (err == ORD_OK) {
        ord_app_swap_orders(draft, &next);
        const ord_service_observer *o = &run->svc->config.observer;
        if (o->status_changed)
            o->status_changed(o->ctx, draft, ORD_STATUS_DRAFT, ORD_STATUS_PENDING_CHECK);
    } else if (err == ORD_ECONFLICT) {
        *answered = true;
        out->outcome = ORD_PLACE_CONFLICT;
        err = ORD_OK;
    } else if (err == ORD_EUNAVAILABLE || err == ORD_ETIMEOUT) {
        *answered = true;
        out->outcome = ORD_PLACE_STORE_UNAVAILABLE;
        out->cause = err;
        err = ORD_OK;
    }
    if (*answered) {
        ord_order_free(&out->order);
        ord_app_swap_orders(&out->order, draft);
    }
    ord_order_free(&next);
    return err;
}

/* From a draft its owner may check out (or an order an earlier attempt of
 * this key got further with) to the final outcome; the customer's lock (if
 * any) is held by the caller. */
static ord_error checkout_owned(const app_run *run, ord_order *draft,
                                const ord_checkout_request *request, const ord_idempotency *idem,
                                bool resumed, ord_place_result *out)
{
    if (draft->status != ORD_STATUS_DRAFT) {
        if (resumed)
            return ord_app_saga_continue(run, draft, out);
        out->outcome = ORD_PLACE_NOT_DRAFT;
        return ORD_OK;
    }
    if (draft->item_count == 0) {
        out->outcome = ORD_PLACE_EMPTY_DRAFT;
        return ORD_OK;
    }
    /* Bound before the status changes: a retry after a crash finds the
     * order whether or not the checkout update made it. */
    ord_app_idem_bind(run->svc, idem, out->idempotency_scope, draft->id);

    ord_order_item *priced = NULL;
    ord_error err =
        ord_app_precheck(run, draft->customer_id, draft->items, draft->item_count, &priced, out);
    if (err != ORD_OK || priced == NULL)
        return err;
    bool answered = false;
    err = fix_draft(run, draft, request, priced, out, &answered);
    free(priced);
    if (err != ORD_OK || answered)
        return err;
    return ord_app_saga_continue(run, draft, out);
}

/* A loaded draft: the owner's proof, then (for a customer's draft) the
 * customer's lock around the rest. */
static ord_error checkout_loaded(const app_run *run, ord_order *draft,
                                 const ord_checkout_request *request, const ord_idempotency *idem,
                                 bool resumed, ord_place_result *out)
{
    if (!owner_matches(draft, &request->owner)) {
        out->outcome = ORD_PLACE_NOT_OWNER;
        return ORD_OK;
    }
    app_customer_lock held;
    ord_error err = ORD_OK;
    if (!ord_app_lock_customer(run->svc, draft->customer_id, &held, out, &err)) {
        if (resumed)
            out->order.id = draft->id; /* a key bound to an order stays bound */
        return err;
    }
    err = checkout_owned(run, draft, request, idem, resumed, out);
    ord_app_unlock_customer(run->svc, &held);
    return err;
}

ord_error ord_checkout_draft(ord_service *svc, const ord_principal *who,
                             const ord_call_context *ctx, const char *ref,
                             const ord_checkout_request *request, const ord_idempotency *idem,
                             ord_place_result *out)
{
    if (out == NULL)
        return ORD_EINVALID;
    memset(out, 0, sizeof *out);
    if (svc == NULL || who == NULL || request == NULL)
        return ORD_EINVALID;
    app_run run = {.svc = svc, .ctx = ctx, .background = false};

    ord_error err = ord_validate_delivery(request->customer_name, request->delivery_address,
                                          request->carrier, &out->fields);
    if (err == ORD_EINVALID) {
        out->outcome = ORD_PLACE_INVALID;
        return ORD_OK;
    }
    if (err != ORD_OK)
        return err;
    ord_place_outcome refused = ORD_PLACED;
    if (request->owner.customer_id <= 0 && !has_guest(&request->owner))
        refused = ORD_PLACE_NOT_OWNER;
    else if (!principal_may_use(who, &request->owner))
        refused = ORD_PLACE_FORBIDDEN;
    /* A customer's key lives in the customer's scope, a guest's in its token's. */
    app_idem_owner owner = {.customer_id = request->owner.customer_id > 0
                                               ? request->owner.customer_id
                                               : 0,
                            .guest_token = request->owner.guest_token};
    app_idem_verdict verdict = APP_IDEM_PROCEED;
    app_idem_order found = {0}; /* checkout binds ids, never numbers */
    err = ord_app_idem_open(svc, idem, &owner, refused, out, &verdict, &found);
    if (err != ORD_OK || verdict == APP_IDEM_ANSWERED)
        return err;

    ord_order draft;
    ord_order_init(&draft);
    bool resumed = false;
    if (verdict == APP_IDEM_RESUME) {
        err = ord_app_load(svc, found.id, &draft);
        resumed = err == ORD_OK;
    }
    if (!resumed && (verdict != APP_IDEM_RESUME || err == ORD_ENOTFOUND))
        err = ord_app_load_ref(svc, ref, &draft);
    if (err == ORD_ENOTFOUND) {
        out->outcome = ORD_PLACE_DRAFT_NOT_FOUND;
        err = ORD_OK;
    } else if (err == ORD_OK) {
        err = checkout_loaded(&run, &draft, request, idem, resumed, out);
    } else if (err != ORD_ENOMEM) {
        out->outcome = ORD_PLACE_STORE_UNAVAILABLE;
        out->cause = err;
        out->order.id = found.id; /* keeps a bound key bound (ord_place_finish) */
        err = ORD_OK;
    }
    ord_order_free(&draft);
    return err;
}

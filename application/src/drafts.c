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

/* Who may speak for @p owner, before any draft is read. A customer speaks
 * only for itself, never with a guest token (a customer never reaches a
 * guest's draft); a guest (nobody signed in) only with a guest token, since
 * a customer's draft needs the customer's credentials. Returns ORD_OK,
 * ORD_EFORBIDDEN (403) or ORD_EUNAUTHORIZED (401). */
static ord_error principal_may_use(const ord_principal *who, const ord_draft_owner *owner)
{
    switch (who->kind) {
    case ORD_PRINCIPAL_ADMIN:
        return ORD_OK;
    case ORD_PRINCIPAL_CUSTOMER:
        if (has_guest(owner) || owner->customer_id != who->customer_id || who->customer_id <= 0)
            return ORD_EFORBIDDEN;
        return ORD_OK;
    case ORD_PRINCIPAL_GUEST:
        return owner->customer_id != 0 ? ORD_EUNAUTHORIZED : ORD_OK;
    }
    return ORD_EFORBIDDEN;
}

/* A loaded draft: a customer sees only its own drafts (another's, or a
 * guest's, is not found: no existence leak); anyone else proves the owner
 * with the draft's own field. Returns ORD_OK, ORD_ENOTFOUND or
 * ORD_EUNAUTHORIZED. */
static ord_error may_change(const ord_principal *who, const ord_order *draft,
                            const ord_draft_owner *owner)
{
    if (who->kind == ORD_PRINCIPAL_CUSTOMER)
        return ord_principal_owns(who, draft->customer_id) ? ORD_OK : ORD_ENOTFOUND;
    return owner_matches(draft, owner) ? ORD_OK : ORD_EUNAUTHORIZED;
}

/* Guest tokens are bearer secrets: a client-chosen one must be worth at
 * least 128 bits by its alphabet (22 base64url characters, 32 hex digits,
 * 39 decimal digits), printable ASCII, and not a few characters repeated. */
#define GUEST_TOKEN_MIN_BITS 128.0

static bool guest_token_is_strong(const char *token)
{
    size_t len = strlen(token);
    if (len == 0 || len > GUEST_TOKEN_MAX)
        return false;
    bool digit = false, lower = false, upper = false, other = false;
    size_t counts[128] = {0};
    size_t distinct = 0;
    for (const char *p = token; *p != '\0'; p++) {
        unsigned char ch = (unsigned char)*p;
        if (ch <= 0x20 || ch >= 0x7f)
            return false;
        if (counts[ch]++ == 0)
            distinct++;
        if (ch >= '0' && ch <= '9')
            digit = true;
        else if (ch >= 'a' && ch <= 'z')
            lower = true;
        else if (ch >= 'A' && ch <= 'Z')
            upper = true;
        else
            other = true;
    }
    for (size_t i = 0; i < 128; i++)
        if (counts[i] * 3 > len)
            return false; /* one character is over a third of the token */
    if (distinct < 8)
        return false;
    /* Bits per character of the smallest alphabet the token fits in. */
    bool hex_only = !other && !(upper && lower);
    for (const char *p = token; hex_only && *p != '\0'; p++)
        hex_only = (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') || (*p >= 'A' && *p <= 'F');
    bool letters = upper || lower;
    double bits = other                 ? 6.0   /* base64url and beyond */
                  : upper && lower      ? 5.95  /* 62 letters and digits */
                  : !letters            ? 3.32  /* decimal digits */
                  : hex_only && !digit  ? 2.58  /* only a-f: 6 letters */
                  : hex_only            ? 4.0   /* hexadecimal */
                  : digit               ? 5.16  /* one case and digits */
                                        : 4.7;  /* one case */
    return bits * (double)len >= GUEST_TOKEN_MIN_BITS;
}

/* A token the server chooses when a guest sends none: two random UUIDs'
 * hex (244 random bits), prefixed so that it reads as what it is. */
static ord_error issue_guest_token(const ord_service *svc, char out[ORD_GUEST_TOKEN_SIZE])
{
    char a[ORD_UUID_SIZE], b[ORD_UUID_SIZE];
    ord_error err = ord_app_new_uuid(svc, a);
    if (err == ORD_OK)
        err = ord_app_new_uuid(svc, b);
    if (err != ORD_OK)
        return err == ORD_ENOMEM ? err : ORD_EINTERNAL;
    size_t n = 0;
    memcpy(out, "gt_", 3);
    n = 3;
    for (const char *p = a; *p != '\0'; p++)
        if (*p != '-')
            out[n++] = *p;
    for (const char *p = b; *p != '\0'; p++)
        if (*p != '-')
            out[n++] = *p;
    out[n] = '\0';
    return ORD_OK;
}

static ord_error add(ord_field_errors *errors, const char *field, const char *message)
{
    return ord_field_errors_add(errors, field, message);
}

/* Every rule of a new draft, each broken one reported; a NULL owner is one
 * the server chose (a guest under an issued token), only the lines count. */
static ord_error validate_new_draft(const ord_draft_owner *owner, const ord_item_request *items,
                                    size_t item_count, ord_field_errors *errors)
{
    size_t before = errors->count;
    if (owner == NULL)
        return ord_validate_items(items, item_count, true, errors) == ORD_ENOMEM ? ORD_ENOMEM
               : errors->count > before                                         ? ORD_EINVALID
                                                                                 : ORD_OK;
    ord_error err = ORD_OK;
    bool customer = owner->customer_id != 0;
    if (!customer && owner->guest_token == NULL)
        err = add(errors, "customerId", "Either customerId or guestToken must be provided");
    if (err == ORD_OK && customer && owner->customer_id < 0)
        err = add(errors, "customerId", "must be > 0");
    /* Both would leave a token the guest believes in but the draft ignores. */
    if (err == ORD_OK && customer && has_guest(owner))
        err = add(errors, "guestToken", "give either customerId or guestToken, not both");
    if (err == ORD_OK && owner->guest_token != NULL && strlen(owner->guest_token) > GUEST_TOKEN_MAX)
        err = add(errors, "guestToken", "must be at most 255 characters");
    else if (err == ORD_OK && owner->guest_token != NULL && !customer &&
             !guest_token_is_strong(owner->guest_token))
        err = add(errors, "guestToken",
                  "must be a random secret of 128 bits or more (e.g. 32 hex digits); "
                  "omit it to get one");
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
                           ord_field_errors *errors, char *issued_token, ord_order *out)
{
    if (issued_token != NULL)
        issued_token[0] = '\0';
    if (svc == NULL || who == NULL || owner == NULL || out == NULL ||
        (item_count > 0 && items == NULL))
        return ORD_EINVALID;
    /* Nobody named: a guest's draft under a token the server chooses. */
    ord_draft_owner chosen = *owner;
    bool issue = issued_token != NULL && owner->customer_id == 0 && owner->guest_token == NULL &&
                 who->kind != ORD_PRINCIPAL_CUSTOMER;
    char token[ORD_GUEST_TOKEN_SIZE];
    if (issue) {
        ord_error err = issue_guest_token(svc, token);
        if (err != ORD_OK)
            return err;
        chosen.guest_token = token;
    }
    ord_field_errors local = {0};
    ord_field_errors *errs = errors ? errors : &local;
    /* A token the server chose is strong by construction (and a test's
     * counting id source would not look it). */
    ord_error err = validate_new_draft(issue ? NULL : &chosen, items, item_count, errs);
    ord_field_errors_free(&local);
    if (err != ORD_OK)
        return err;
    err = principal_may_use(who, &chosen);
    if (err != ORD_OK)
        return err;

    ord_order draft;
    ord_order_init(&draft);
    err = store_new_draft(svc, &chosen, items, item_count, &draft);
    if (err == ORD_OK) {
        ord_app_notify_created(svc, &draft);
        ord_order_free(out);
        ord_app_swap_orders(out, &draft);
        if (issue)
            memcpy(issued_token, token, sizeof token);
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
    err = principal_may_use(who, owner);
    if (err != ORD_OK)
        return err;

    app_run run = {.svc = svc, .ctx = NULL, .background = false};
    ord_order draft;
    ord_order_init(&draft);
    err = ORD_ECONFLICT;
    for (int attempt = 0; attempt < APP_MAX_RETRIES && err == ORD_ECONFLICT; attempt++) {
        err = ord_app_load_ref(svc, ref, &draft);
        if (err != ORD_OK)
            break;
        err = may_change(who, &draft, owner);
        if (err != ORD_OK)
            break;
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
static ord_error checkout_loaded(const app_run *run, const ord_principal *who, ord_order *draft,
                                 const ord_checkout_request *request, const ord_idempotency *idem,
                                 bool resumed, ord_place_result *out)
{
    ord_error may = may_change(who, draft, &request->owner);
    if (may != ORD_OK) {
        out->outcome = may == ORD_ENOTFOUND ? ORD_PLACE_DRAFT_NOT_FOUND : ORD_PLACE_NOT_OWNER;
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
    ord_error may = principal_may_use(who, &request->owner);
    if (request->owner.customer_id <= 0 && !has_guest(&request->owner))
        refused = ORD_PLACE_NOT_OWNER;
    else if (may != ORD_OK)
        refused = may == ORD_EUNAUTHORIZED ? ORD_PLACE_NOT_OWNER : ORD_PLACE_FORBIDDEN;
    /* A customer's key lives in the customer's scope, a guest's in its
     * token's; an admin's in its own. */
    app_idem_owner owner = {.customer_id = request->owner.customer_id > 0
                                               ? request->owner.customer_id
                                               : 0,
                            .guest_token = request->owner.guest_token,
                            .who = who};
    app_idem_verdict verdict = APP_IDEM_PROCEED;
    app_idem_order found = {0}; /* checkout binds ids, never numbers */
    err = ord_app_idem_open(svc, idem, &owner, refused, false, out, &verdict, &found);
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
        err = checkout_loaded(&run, who, &draft, request, idem, resumed, out);
    } else if (err != ORD_ENOMEM) {
        out->outcome = ORD_PLACE_STORE_UNAVAILABLE;
        out->cause = err;
        out->order.id = found.id; /* keeps a bound key bound (ord_place_finish) */
        err = ORD_OK;
    }
    ord_order_free(&draft);
    return err;
}

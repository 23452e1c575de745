/* Idempotency-Key handling, the one home for create and checkout: open
 * (check the key, scope it, fingerprint the request, begin: replay,
 * mismatch, in progress, resume), bind to the order (or its number), and
 * record the final answer. */
#include <orders/application/idempotency.h>

#include "internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <orders/domain/validation.h>
#include <orders/support/sha256.h>

size_t ord_idempotency_request_text(char *out, size_t cap, const char *method, const char *path,
                                    const char *body, size_t body_len)
{
    const char *parts[] = {method != NULL ? method : "", " ", path != NULL ? path : "", "\n"};
    size_t len = 0;
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        size_t n = strlen(parts[i]);
        if (len < cap)
            memcpy(out + len, parts[i], n < cap - len ? n : cap - len);
        len += n;
    }
    if (body != NULL && len < cap)
        memcpy(out + len, body, body_len < cap - len ? body_len : cap - len);
    len += body != NULL ? body_len : 0;
    if (cap > 0)
        out[len < cap ? len : cap - 1] = '\0';
    return len;
}

/* An admin acting for a customer or a guest gets keys of its own: the same
 * key from that customer (or from another admin) is another request. The
 * scope names the admin and the owner only by a hash, so it stays short. */
static void narrow_to_admin(char scope[ORD_IDEMPOTENCY_SCOPE_SIZE], const ord_principal *who)
{
    if (who == NULL || who->kind != ORD_PRINCIPAL_ADMIN)
        return;
    const char *subject = who->subject != NULL ? who->subject : "";
    char text[ORD_SHA256_HEX_SIZE + 1 + ORD_IDEMPOTENCY_SCOPE_SIZE];
    ord_sha256_hex(text, subject, strlen(subject));
    size_t n = strlen(text);
    int m = snprintf(text + n, sizeof text - n, "\n%s", scope);
    char digest[ORD_SHA256_HEX_SIZE];
    ord_sha256_hex(digest, text, n + (size_t)(m > 0 ? m : 0));
    snprintf(scope, ORD_IDEMPOTENCY_SCOPE_SIZE, "admin:%.32s", digest);
}

/* A guest's scope names the token by its hash: keys are stored, tokens not. */
static void scope_of(char scope[ORD_IDEMPOTENCY_SCOPE_SIZE], const app_idem_owner *owner)
{
    if (owner->customer_id > 0) {
        snprintf(scope, ORD_IDEMPOTENCY_SCOPE_SIZE, "customer:%" PRId64, owner->customer_id);
    } else {
        char hash[ORD_SHA256_HEX_SIZE];
        ord_sha256_hex(hash, owner->guest_token, strlen(owner->guest_token));
        snprintf(scope, ORD_IDEMPOTENCY_SCOPE_SIZE, "guest:%s", hash);
    }
    narrow_to_admin(scope, owner->who);
}

/* A replayed 201 names the order it created (Location, ETag): the one the
 * key is bound to, read now. Unreadable, the replay goes without its ETag. */
static void replayed_order(const ord_service *svc, const ord_idem_record *rec,
                           ord_place_result *out)
{
    out->order.id = rec->order_id;
    if (rec->order_id <= 0 || rec->response_status != 201)
        return;
    ord_order order;
    ord_order_init(&order);
    if (ord_app_load(svc, rec->order_id, &order) == ORD_OK) {
        ord_order_free(&out->order);
        ord_app_swap_orders(&out->order, &order);
    }
    ord_order_free(&order);
}

/* Take the key, or learn what it holds. */
static ord_error begin(const ord_service *svc, const ord_idempotency *idem, bool with_number,
                       ord_place_result *out, app_idem_verdict *verdict, app_idem_order *found)
{
    /* A number for the order a new key will place, bound with the key in
     * one call; without one (no randomness now) the create binds it later. */
    char number[ORD_ORDER_NUMBER_SIZE] = "";
    char uuid[ORD_UUID_SIZE];
    if (with_number && ord_app_new_uuid(svc, uuid) == ORD_OK)
        snprintf(number, sizeof number, "ORD-%s", uuid);
    char fingerprint[ORD_SHA256_HEX_SIZE];
    const char *fp = idem->fingerprint ? idem->fingerprint : "";
    ord_sha256_hex(fingerprint, fp, strlen(fp));
    int64_t now = ord_app_now(svc);
    ord_idem_begin args = {
        .scope = out->idempotency_scope,
        .key = idem->key,
        .fingerprint = fingerprint,
        .now_ms = now,
        .lock_until_ms = now + svc->config.idempotency_lock_ms,
        .expires_at_ms = now + svc->config.idempotency_ttl_ms,
        .order_number = number[0] != '\0' ? number : NULL,
    };
    ord_idem_record rec = {0};
    const ord_idempotency_store *store = &svc->ports.idempotency;
    ord_error err = store->ops->begin(store->self, &args, &rec);
    if (err != ORD_OK) {
        ord_idem_record_free(&rec);
        /* Nothing was done yet and the key was not taken: it may hold another
         * request's answer or be in flight, so ord_place_finish() must leave it
         * alone. An empty scope tells it so. */
        out->idempotency_scope[0] = '\0';
        out->outcome = ORD_PLACE_STORE_UNAVAILABLE;
        out->cause = err;
        *verdict = APP_IDEM_ANSWERED;
        return ORD_OK;
    }
    switch (rec.state) {
    case ORD_IDEM_STARTED:
        rec.order_number[sizeof rec.order_number - 1] = '\0';
        if (number[0] != '\0' && strcmp(rec.order_number, number) == 0) {
            memcpy(found->number, number, sizeof found->number);
            found->number_is_new = true;
        }
        break;
    case ORD_IDEM_RESUMABLE:
        /* Without an order or a number the earlier attempt stopped before
         * storing one: starting over is the resumption. A version 1 store
         * leaves the number as zeroed above. */
        if (rec.order_id > 0 || rec.order_number[0] != '\0') {
            *verdict = APP_IDEM_RESUME;
            found->id = rec.order_id;
            rec.order_number[sizeof rec.order_number - 1] = '\0';
            memcpy(found->number, rec.order_number, sizeof found->number);
        }
        break;
    case ORD_IDEM_IN_PROGRESS:
        out->outcome = ORD_PLACE_KEY_IN_PROGRESS;
        *verdict = APP_IDEM_ANSWERED;
        break;
    case ORD_IDEM_COMPLETED:
        out->outcome = ORD_PLACE_REPLAYED;
        out->replay_status = rec.response_status;
        out->replay_body = rec.response_body;
        rec.response_body = NULL;
        replayed_order(svc, &rec, out);
        *verdict = APP_IDEM_ANSWERED;
        break;
    case ORD_IDEM_MISMATCH:
        out->outcome = ORD_PLACE_KEY_MISMATCH;
        *verdict = APP_IDEM_ANSWERED;
        break;
    default:
        ord_idem_record_free(&rec);
        return ORD_EINTERNAL;
    }
    ord_idem_record_free(&rec);
    return ORD_OK;
}

ord_error ord_app_idem_open(const ord_service *svc, const ord_idempotency *idem,
                            const app_idem_owner *owner, ord_place_outcome refused,
                            bool with_number, ord_place_result *out, app_idem_verdict *verdict,
                            app_idem_order *found)
{
    *verdict = APP_IDEM_PROCEED;
    memset(found, 0, sizeof *found);
    if (idem != NULL &&
        (idem->key == NULL || !ord_idempotency_key_is_valid(idem->key, strlen(idem->key)))) {
        *verdict = APP_IDEM_ANSWERED;
        out->outcome = ORD_PLACE_INVALID;
        return ord_field_errors_add(&out->fields, "Idempotency-Key",
                                    "must be 1 to 255 printable ASCII characters");
    }
    if (refused != ORD_PLACED) {
        *verdict = APP_IDEM_ANSWERED;
        out->outcome = refused;
        return ORD_OK;
    }
    if (idem == NULL)
        return ORD_OK;
    scope_of(out->idempotency_scope, owner);
    return begin(svc, idem, with_number, out, verdict, found);
}

/* Binding is what lets a retry after a crash find the order; when the store
 * cannot bind now, the final complete() or release() still records it, so
 * only a crash in between loses the link (the order itself is repaired by
 * recovery either way). Checkout binds the draft before changing it; create
 * binds this way only on a version 1 key store (else by number, first). */
void ord_app_idem_bind(const ord_service *svc, const ord_idempotency *idem, const char *scope,
                       int64_t order_id)
{
    if (idem == NULL)
        return;
    const ord_idempotency_store *store = &svc->ports.idempotency;
    (void)store->ops->bind(store->self, scope, idem->key, order_id);
}

ord_error ord_app_idem_bind_number(const ord_service *svc, const ord_idempotency *idem,
                                   const char *scope, const char *replaces, const char *number,
                                   char bound[ORD_ORDER_NUMBER_SIZE])
{
    const ord_idempotency_store *store = &svc->ports.idempotency;
    ord_error err =
        store->ops->bind_number(store->self, scope, idem->key, replaces, number, bound);
    bound[ORD_ORDER_NUMBER_SIZE - 1] = '\0';
    if (err == ORD_OK && bound[0] == '\0')
        return ORD_EINTERNAL; /* the store answered outside its contract */
    return err;
}

/* What each outcome leaves under the key, as place_order.h documents. */
ord_error ord_place_finish(ord_service *svc, const ord_idempotency *idem,
                           const ord_place_result *result, int status, const char *body)
{
    if (svc == NULL || result == NULL)
        return ORD_EINVALID;
    if (idem == NULL || idem->key == NULL)
        return ORD_OK;
    const char *scope = result->idempotency_scope;
    if (scope[0] == '\0')
        return ORD_OK; /* refused before a key was ever taken */
    const ord_idempotency_store *store = &svc->ports.idempotency;
    int64_t order_id = result->order.id;

    switch (result->outcome) {
    case ORD_PLACED:
    case ORD_PLACE_UNKNOWN_PRODUCT:
    case ORD_PLACE_RESTRICTED:
    case ORD_PLACE_INELIGIBLE:
    case ORD_PLACE_INSUFFICIENT_STOCK:
    case ORD_PLACE_NOT_DRAFT:
    case ORD_PLACE_EMPTY_DRAFT:
    case ORD_PLACE_DRAFT_NOT_FOUND:
    case ORD_PLACE_CONFLICT:
        return store->ops->complete(store->self, scope, idem->key, order_id, status,
                                    body ? body : "");
    case ORD_PLACE_INVENTORY_UNAVAILABLE:
        return store->ops->release(store->self, scope, idem->key, order_id);
    case ORD_PLACE_STORE_UNAVAILABLE:
    case ORD_PLACE_CUSTOMER_BUSY:
    case ORD_PLACE_PRECHECK_UNAVAILABLE:
        /* Once an order exists, a retry must resume it rather than place a
         * second one: keep the key bound. So too when only its number is
         * known (the store may have stored the order before it failed): the
         * retry looks it up by that number. Before that, nothing happened. */
        if (order_id > 0 || result->order.number[0] != '\0')
            return store->ops->release(store->self, scope, idem->key, order_id);
        return store->ops->forget(store->self, scope, idem->key);
    case ORD_PLACE_INVALID:
    case ORD_PLACE_FORBIDDEN:
    case ORD_PLACE_NOT_OWNER:
    /* Nothing was stored, and a fixed catalog may price the same request. */
    case ORD_PLACE_UNPRICED_PRODUCT:
    case ORD_PLACE_MIXED_CURRENCIES:
        return store->ops->forget(store->self, scope, idem->key);
    case ORD_PLACE_REPLAYED:
    case ORD_PLACE_KEY_MISMATCH:
    case ORD_PLACE_KEY_IN_PROGRESS:
        return ORD_OK;
    }
    return ORD_OK;
}

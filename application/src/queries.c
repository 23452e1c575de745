/* Reading orders: one by reference, a customer's orders page by page with an
 * opaque keyset cursor. */
#include <orders/application/queries.h>

#include "internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <orders/support/sha256.h>

ord_error ord_get_order(ord_service *svc, const ord_principal *who, const char *ref, ord_order *out)
{
    if (svc == NULL || who == NULL || out == NULL)
        return ORD_EINVALID;
    ord_error err = ord_app_load_ref(svc, ref, out);
    if (err != ORD_OK)
        return err;
    /* Someone else's order looks exactly like a missing one: no existence leak. */
    if (!ord_principal_owns(who, out->customer_id)) {
        ord_order_free(out);
        return ORD_ENOTFOUND;
    }
    return ORD_OK;
}

/* The cursor is hex of (created_at_ms, id) and a check value over them and
 * the customer, so that an edited, truncated or borrowed cursor is refused
 * instead of silently skipping orders. It is not a secret: it only names a
 * position in a list the caller may read anyway. */
static void cursor_check(char out[9], int64_t customer_id, uint64_t created, uint64_t id)
{
    char text[80];
    char digest[ORD_SHA256_HEX_SIZE];
    int n = snprintf(text, sizeof text, "orders-cursor:%" PRId64 ":%016" PRIx64 ":%016" PRIx64,
                     customer_id, created, id);
    ord_sha256_hex(digest, text, (size_t)n);
    memcpy(out, digest, 8);
    out[8] = '\0';
}

static void cursor_encode(char out[ORD_CURSOR_SIZE], int64_t customer_id, int64_t created_at_ms,
                          int64_t id)
{
    char check[9];
    uint64_t created = (uint64_t)created_at_ms;
    uint64_t uid = (uint64_t)id;
    cursor_check(check, customer_id, created, uid);
    snprintf(out, ORD_CURSOR_SIZE, "%016" PRIx64 "%016" PRIx64 "%s", created, uid, check);
}

static bool hex_value(const char *text, size_t len, uint64_t *out)
{
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        int d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else
            return false;
        v = (v << 4) | (uint64_t)d;
    }
    *out = v;
    return true;
}

static bool cursor_decode(const char *cursor, int64_t customer_id, int64_t *created_at_ms,
                          int64_t *id)
{
    uint64_t created, uid;
    char check[9];
    if (strlen(cursor) != 40)
        return false;
    if (!hex_value(cursor, 16, &created) || !hex_value(cursor + 16, 16, &uid))
        return false;
    cursor_check(check, customer_id, created, uid);
    if (memcmp(check, cursor + 32, 8) != 0)
        return false;
    if (uid == 0 || uid > (uint64_t)INT64_MAX || created > (uint64_t)INT64_MAX)
        return false;
    *created_at_ms = (int64_t)created;
    *id = (int64_t)uid;
    return true;
}

ord_error ord_list_orders(ord_service *svc, const ord_principal *who,
                          const ord_list_request *request, ord_list_result *out)
{
    if (out == NULL)
        return ORD_EINVALID;
    memset(out, 0, sizeof *out);
    if (svc == NULL || who == NULL || request == NULL)
        return ORD_EINVALID;
    if (who->kind != ORD_PRINCIPAL_ADMIN && !ord_principal_owns(who, request->customer_id))
        return ORD_EFORBIDDEN;

    ord_order_query q = {.customer_id = request->customer_id};
    q.limit = request->limit == 0 ? ORD_DEFAULT_PAGE_SIZE : request->limit;
    if (q.limit > ORD_MAX_PAGE_SIZE)
        return ORD_EINVALID;
    if (request->status != NULL) {
        if (!ord_status_parse(&q.status, request->status))
            return ORD_EINVALID;
        q.has_status = true;
    }
    if (request->cursor != NULL) {
        if (!cursor_decode(request->cursor, request->customer_id, &q.after_created_at_ms,
                           &q.after_id))
            return ORD_EINVALID;
        q.has_after = true;
    }
    /* Customer ids are positive: no one has orders under 0 or below. */
    if (request->customer_id <= 0)
        return ORD_OK;

    const ord_order_repository *repo = &svc->ports.orders;
    ord_error err = repo->ops->list_by_customer(repo->self, &q, &out->page);
    if (err != ORD_OK) {
        memset(out, 0, sizeof *out);
        return err;
    }
    if (out->page.has_more && out->page.count > 0) {
        const ord_order *last = &out->page.orders[out->page.count - 1];
        cursor_encode(out->next_cursor, request->customer_id, last->created_at_ms, last->id);
        out->has_next = true;
    }
    return ORD_OK;
}

/* Idempotency keys in PostgreSQL: begin() is one call of the function
 * orders_idempotency_begin (migrations 0001, 0005, 0007, 0010), an atomic
 * insert-or-get. */
#include <stdlib.h>
#include <string.h>

#include <orders/domain/validation.h>

#include "pg_internal.h"

static bool parse_state(const char *text, ord_idem_state *out)
{
    static const struct {
        const char *name;
        ord_idem_state state;
    } names[] = {
        {"STARTED", ORD_IDEM_STARTED},     {"RESUMABLE", ORD_IDEM_RESUMABLE},
        {"IN_PROGRESS", ORD_IDEM_IN_PROGRESS}, {"COMPLETED", ORD_IDEM_COMPLETED},
        {"MISMATCH", ORD_IDEM_MISMATCH},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (strcmp(text, names[i].name) == 0) {
            *out = names[i].state;
            return true;
        }
    }
    return false;
}

ord_error ord_pg_decode_idem_record(const PGresult *r, ord_idem_record *out)
{
    memset(out, 0, sizeof *out);
    ord_error rc = ORD_OK;
    char state[16];
    if (PQntuples(r) != 1 || !ord_pg_get_text_into(r, 0, 0, state, sizeof state) ||
        !parse_state(state, &out->state)) {
        rc = ORD_EINTERNAL;
    } else if (!ord_pg_get_text_into(r, 0, 4, out->order_number, sizeof out->order_number)) {
        rc = ORD_EINTERNAL; /* the column's constraint keeps it shorter */
    } else {
        out->order_id = ord_pg_get_int(r, 0, 1);
        if (out->state == ORD_IDEM_COMPLETED) {
            out->response_status = (int)ord_pg_get_int(r, 0, 2);
            rc = ord_pg_get_text(r, 0, 3, &out->response_body);
            if (rc == ORD_OK && out->response_body == NULL)
                rc = ORD_EINTERNAL;
        }
    }
    if (rc != ORD_OK)
        ord_idem_record_free(out);
    return rc;
}

/* NULL, or 1 to ORD_ORDER_NUMBER_SIZE - 1 bytes (as bind_number()). */
static bool proposed_number_ok(const char *number)
{
    if (number == NULL)
        return true;
    size_t len = strlen(number);
    return len > 0 && len < ORD_ORDER_NUMBER_SIZE;
}

static ord_error idem_begin(void *self, const ord_idem_begin *a, ord_idem_record *out)
{
    if (out == NULL)
        return ORD_EINVALID;
    memset(out, 0, sizeof *out);
    if (self == NULL || a == NULL || a->scope == NULL || a->key == NULL ||
        a->fingerprint == NULL || !ord_idempotency_key_is_valid(a->key, strlen(a->key)) ||
        !proposed_number_ok(a->order_number))
        return ORD_EINVALID;

    pg_params p;
    ord_pg_params_init(&p);
    ord_pg_param_text(&p, a->scope);
    ord_pg_param_text(&p, a->key);
    ord_pg_param_text(&p, a->fingerprint);
    ord_pg_param_i64(&p, a->now_ms);
    ord_pg_param_i64(&p, a->lock_until_ms);
    ord_pg_param_i64(&p, a->expires_at_ms);
    ord_pg_param_text(&p, a->order_number);
    PGresult *r = NULL;
    ord_error rc = ord_pg_run(self, PG_IDEM_BEGIN, p.values, p.count, &r);
    if (rc != ORD_OK)
        return rc;
    rc = ord_pg_decode_idem_record(r, out);
    PQclear(r);
    return rc;
}

static ord_error idem_bind(void *self, const char *scope, const char *key, int64_t order_id)
{
    if (self == NULL || scope == NULL || key == NULL)
        return ORD_EINVALID;
    pg_params p;
    ord_pg_params_init(&p);
    ord_pg_param_text(&p, scope);
    ord_pg_param_text(&p, key);
    ord_pg_param_i64(&p, order_id);
    return ord_pg_run_count(self, PG_IDEM_BIND, &p, true, NULL);
}

static ord_error idem_complete(void *self, const char *scope, const char *key, int64_t order_id,
                               int status, const char *body)
{
    if (self == NULL || scope == NULL || key == NULL || body == NULL)
        return ORD_EINVALID;
    pg_params p;
    ord_pg_params_init(&p);
    ord_pg_param_text(&p, scope);
    ord_pg_param_text(&p, key);
    ord_pg_param_i64(&p, order_id);
    ord_pg_param_i64(&p, status);
    ord_pg_param_text(&p, body);
    return ord_pg_run_count(self, PG_IDEM_COMPLETE, &p, true, NULL);
}

static ord_error idem_release(void *self, const char *scope, const char *key, int64_t order_id)
{
    if (self == NULL || scope == NULL || key == NULL)
        return ORD_EINVALID;
    pg_params p;
    ord_pg_params_init(&p);
    ord_pg_param_text(&p, scope);
    ord_pg_param_text(&p, key);
    ord_pg_param_i64(&p, order_id);
    return ord_pg_run_count(self, PG_IDEM_RELEASE, &p, true, NULL);
}

static ord_error idem_forget(void *self, const char *scope, const char *key)
{
    if (self == NULL || scope == NULL || key == NULL)
        return ORD_EINVALID;
    pg_params p;
    ord_pg_params_init(&p);
    ord_pg_param_text(&p, scope);
    ord_pg_param_text(&p, key);
    return ord_pg_run_count(self, PG_IDEM_FORGET, &p, false, NULL);
}

static bool number_ok(const char *number)
{
    return number != NULL && number[0] != '\0' && strlen(number) < ORD_ORDER_NUMBER_SIZE;
}

static ord_error idem_bind_number(void *self, const char *scope, const char *key,
                                  const char *replaces, const char *number,
                                  char bound[ORD_ORDER_NUMBER_SIZE])
{
    if (bound == NULL)
        return ORD_EINVALID;
    bound[0] = '\0';
    if (self == NULL || scope == NULL || key == NULL || !number_ok(number) ||
        (replaces != NULL && strlen(replaces) >= ORD_ORDER_NUMBER_SIZE))
        return ORD_EINVALID;
    pg_params p;
    ord_pg_params_init(&p);
    ord_pg_param_text(&p, scope);
    ord_pg_param_text(&p, key);
    ord_pg_param_text(&p, replaces);
    ord_pg_param_text(&p, number);
    PGresult *r = NULL;
    ord_error rc = ord_pg_run(self, PG_IDEM_BIND_NUMBER, p.values, p.count, &r);
    if (rc != ORD_OK)
        return rc;
    if (PQntuples(r) == 0)
        rc = ORD_ENOTFOUND;
    else if (PQntuples(r) != 1 || !ord_pg_get_text_into(r, 0, 0, bound, ORD_ORDER_NUMBER_SIZE))
        rc = ORD_EINTERNAL;
    PQclear(r);
    if (rc != ORD_OK)
        bound[0] = '\0';
    return rc;
}

static ord_error idem_purge(void *self, int64_t now_ms, int64_t *count)
{
    if (count != NULL)
        *count = 0;
    if (self == NULL)
        return ORD_EINVALID;
    pg_params p;
    ord_pg_params_init(&p);
    ord_pg_param_i64(&p, now_ms);
    int64_t n = 0;
    ord_error rc = ord_pg_run_count(self, PG_IDEM_PURGE, &p, false, &n);
    if (rc == ORD_OK && count != NULL)
        *count = n;
    return rc;
}

static const ord_idempotency_store_ops pg_idempotency_ops = {
    .version = ORD_IDEMPOTENCY_STORE_VERSION,
    .begin = idem_begin,
    .bind = idem_bind,
    .complete = idem_complete,
    .release = idem_release,
    .forget = idem_forget,
    .purge = idem_purge,
    .bind_number = idem_bind_number,
};

ord_idempotency_store ord_pg_store_idempotency(ord_pg_store *store)
{
    return (ord_idempotency_store){.ops = &pg_idempotency_ops, .self = store};
}

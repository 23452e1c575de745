/* The outbox relay side: claim each order's oldest undelivered event under
 * a lease (FOR UPDATE SKIP LOCKED), mark it delivered or failed, count,
 * re-drive parked events, purge delivered ones past their retention. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_internal.h"

ord_error ord_pg_decode_event(const PGresult *r, int row, ord_outbox_event *e)
{
    e->id = ord_pg_get_int(r, row, 0);
    ord_pg_get_uuid(r, row, 1, e->event_id);
    e->type = (ord_event_type)ord_pg_get_int(r, row, 2);
    e->order_id = ord_pg_get_int(r, row, 3);
    e->customer_id = ord_pg_get_int(r, row, 4);
    e->sequence = ord_pg_get_int(r, row, 5);
    e->occurred_at_ms = ord_pg_get_int(r, row, 6);
    e->attempts = (int)ord_pg_get_int(r, row, 8);
    ord_error rc = ord_pg_get_text(r, row, 7, &e->payload);
    if (rc == ORD_OK && e->payload == NULL)
        rc = ORD_EINTERNAL;
    return rc;
}

static ord_error outbox_claim(void *self, int64_t now_ms, int64_t lease_until_ms,
                              const char *owner, size_t max, ord_outbox_batch *out)
{
    if (out == NULL)
        return ORD_EINVALID;
    memset(out, 0, sizeof *out);
    if (self == NULL || !ord_pg_owner_ok(owner))
        return ORD_EINVALID;
    if (max == 0)
        return ORD_OK;

    pg_params p;
    ord_pg_params_init(&p);
    ord_pg_param_i64(&p, now_ms);
    ord_pg_param_i64(&p, lease_until_ms);
    ord_pg_param_text(&p, owner);
    ord_pg_param_i64(&p, max > INT64_MAX ? INT64_MAX : (int64_t)max);
    PGresult *r = NULL;
    ord_error rc = ord_pg_run(self, PG_OUTBOX_CLAIM, p.values, p.count, &r);
    if (rc != ORD_OK)
        return rc;
    size_t rows = (size_t)PQntuples(r);
    if (rows > 0) {
        out->events = calloc(rows, sizeof *out->events);
        if (out->events == NULL)
            rc = ORD_ENOMEM;
    }
    for (size_t i = 0; rc == ORD_OK && i < rows; i++) {
        rc = ord_pg_decode_event(r, (int)i, &out->events[i]);
        out->count = i + 1;
    }
    PQclear(r);
    /* The leases stay; they run out by themselves. */
    if (rc != ORD_OK)
        ord_outbox_batch_free(out);
    return rc;
}

static ord_error outbox_mark_delivered(void *self, int64_t id)
{
    if (self == NULL)
        return ORD_EINVALID;
    pg_params p;
    ord_pg_params_init(&p);
    ord_pg_param_i64(&p, id);
    return ord_pg_run_count(self, PG_OUTBOX_DELIVERED, &p, true, NULL);
}

/* The ids as a bigint[] literal. */
static char *ids_array(const int64_t *ids, size_t count)
{
    size_t size = 3 + count * 21;
    char *text = malloc(size);
    if (text == NULL)
        return NULL;
    size_t len = 0;
    text[len++] = '{';
    for (size_t i = 0; i < count; i++)
        len += (size_t)snprintf(text + len, size - len, "%s%" PRId64, i > 0 ? "," : "", ids[i]);
    text[len++] = '}';
    text[len] = '\0';
    return text;
}

static ord_error outbox_mark_delivered_many(void *self, const int64_t *ids, size_t count,
                                            size_t *marked)
{
    if (marked != NULL)
        *marked = 0;
    if (self == NULL || (ids == NULL && count > 0) || count > ORD_OUTBOX_MARK_MAX)
        return ORD_EINVALID;
    if (count == 0)
        return ORD_OK;
    pg_params p;
    ord_pg_params_init(&p);
    ord_pg_param_owned(&p, ids_array(ids, count));
    int64_t n = 0;
    ord_error rc = ord_pg_run_count(self, PG_OUTBOX_DELIVERED_MANY, &p, false, &n);
    ord_pg_params_free(&p);
    if (rc == ORD_OK && marked != NULL)
        *marked = (size_t)n;
    return rc;
}

static ord_error outbox_mark_failed(void *self, int64_t id, int64_t retry_at_ms, bool park)
{
    if (self == NULL)
        return ORD_EINVALID;
    pg_params p;
    ord_pg_params_init(&p);
    ord_pg_param_i64(&p, id);
    ord_pg_param_i64(&p, retry_at_ms);
    ord_pg_param_bool(&p, park);
    return ord_pg_run_count(self, PG_OUTBOX_FAILED, &p, true, NULL);
}

static ord_error outbox_count(void *self, int64_t *pending, int64_t *parked)
{
    if (self == NULL || pending == NULL || parked == NULL)
        return ORD_EINVALID;
    *pending = 0;
    *parked = 0;
    PGresult *r = NULL;
    ord_error rc = ord_pg_run(self, PG_OUTBOX_COUNT, NULL, 0, &r);
    if (rc != ORD_OK)
        return rc;
    if (PQntuples(r) == 1) {
        *pending = ord_pg_get_int(r, 0, 0);
        *parked = ord_pg_get_int(r, 0, 1);
    } else {
        rc = ORD_EINTERNAL;
    }
    PQclear(r);
    return rc;
}

static ord_error outbox_redrive(void *self, int64_t id, int64_t *count)
{
    if (count != NULL)
        *count = 0;
    if (self == NULL)
        return ORD_EINVALID;
    pg_params p;
    ord_pg_params_init(&p);
    int64_t n = 0;
    ord_error rc;
    if (id != 0) {
        ord_pg_param_i64(&p, id);
        rc = ord_pg_run_count(self, PG_OUTBOX_REDRIVE_ONE, &p, true, NULL);
        n = rc == ORD_OK ? 1 : 0;
    } else {
        rc = ord_pg_run_count(self, PG_OUTBOX_REDRIVE_ALL, &p, false, &n);
    }
    if (rc == ORD_OK && count != NULL)
        *count = n;
    return rc;
}

static ord_error outbox_purge_delivered(void *self, int64_t delivered_before_ms, size_t max,
                                        int64_t *count)
{
    if (count == NULL)
        return ORD_EINVALID;
    *count = 0;
    if (self == NULL)
        return ORD_EINVALID;
    if (max == 0)
        return ORD_OK;
    pg_params p;
    ord_pg_params_init(&p);
    ord_pg_param_i64(&p, delivered_before_ms);
    ord_pg_param_i64(&p, max > INT64_MAX ? INT64_MAX : (int64_t)max);
    int64_t n = 0;
    ord_error rc = ord_pg_run_count(self, PG_OUTBOX_PURGE, &p, false, &n);
    if (rc == ORD_OK)
        *count = n;
    return rc;
}

static const ord_outbox_ops pg_outbox_ops = {
    .version = ORD_OUTBOX_VERSION,
    .claim = outbox_claim,
    .mark_delivered = outbox_mark_delivered,
    .mark_delivered_many = outbox_mark_delivered_many,
    .mark_failed = outbox_mark_failed,
    .count = outbox_count,
    .redrive = outbox_redrive,
    .purge_delivered = outbox_purge_delivered,
};

ord_outbox ord_pg_store_outbox(ord_pg_store *store)
{
    return (ord_outbox){.ops = &pg_outbox_ops, .self = store};
}

/* Leases on orders that need background work: FOR UPDATE SKIP LOCKED, so
 * that two workers (or server instances) never claim one order at once. */
#include "pg_internal.h"

static bool kind_statement(ord_work_kind kind, pg_stmt *id)
{
    switch (kind) {
    case ORD_WORK_STALE_PENDING:
        *id = PG_ORDER_CLAIM_PENDING;
        return true;
    case ORD_WORK_MISSING_TRACKING:
        *id = PG_ORDER_CLAIM_TRACKING;
        return true;
    case ORD_WORK_INVENTORY:
        *id = PG_ORDER_CLAIM_INVENTORY;
        return true;
    }
    return false;
}

ord_error ord_pg_orders_claim(void *self, const ord_work_claim *claim, int64_t *ids, size_t *count)
{
    if (count == NULL)
        return ORD_EINVALID;
    *count = 0;
    pg_stmt id;
    if (self == NULL || claim == NULL || (ids == NULL && claim->max > 0) ||
        !kind_statement(claim->kind, &id) || !ord_pg_owner_ok(claim->owner))
        return ORD_EINVALID;
    if (claim->max == 0)
        return ORD_OK;

    pg_params p;
    ord_pg_params_init(&p);
    ord_pg_param_i64(&p, claim->stale_before_ms);
    ord_pg_param_i64(&p, claim->now_ms);
    ord_pg_param_text(&p, claim->owner);
    ord_pg_param_i64(&p, claim->lease_until_ms);
    ord_pg_param_i64(&p, claim->max > INT64_MAX ? INT64_MAX : (int64_t)claim->max);
    PGresult *r = NULL;
    ord_error rc = ord_pg_run(self, id, p.values, p.count, &r);
    if (rc != ORD_OK)
        return rc;
    size_t rows = (size_t)PQntuples(r);
    for (size_t i = 0; i < rows && i < claim->max; i++)
        ids[i] = ord_pg_get_int(r, (int)i, 0);
    *count = rows < claim->max ? rows : claim->max;
    PQclear(r);
    return ORD_OK;
}

ord_error ord_pg_orders_defer(void *self, int64_t order_id, const char *owner, int64_t until_ms)
{
    if (self == NULL || !ord_pg_owner_ok(owner))
        return ORD_EINVALID;
    pg_params p;
    ord_pg_params_init(&p);
    ord_pg_param_i64(&p, order_id);
    ord_pg_param_text(&p, owner);
    ord_pg_param_i64(&p, until_ms);
    PGresult *r = NULL;
    ord_error rc = ord_pg_run(self, PG_ORDER_DEFER, p.values, p.count, &r);
    if (rc != ORD_OK)
        return rc;
    if (PQntuples(r) != 1)
        rc = ORD_EINTERNAL;
    else if (!ord_pg_get_bool(r, 0, 0))
        rc = ord_pg_get_bool(r, 0, 1) ? ORD_ECONFLICT : ORD_ENOTFOUND;
    PQclear(r);
    return rc;
}

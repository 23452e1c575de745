/* Connection budget: N instances × (pool + background workers) must fit in
 * PostgreSQL's max_connections less its reserved slots, or requests meet
 * "too many clients" under load instead of a clear refusal at start. */
#include "budget.h"

#include <orders/adapters/http/services.h>

int srv_budget_needed(int64_t pool_size, bool relay)
{
    /* The recovery worker, and the relay's. Readiness probes and metrics
     * borrow from the pool; the migration and this check close theirs
     * before the pool opens any. */
    return (int)pool_size + 1 + (relay ? 1 : 0);
}

int srv_budget_judge(const srv_log *log, int64_t pool_size, bool relay,
                     const ord_pg_capacity *c, FILE *err)
{
    int needed = srv_budget_needed(pool_size, relay);
    int pool = (int)pool_size;
    if (needed > c->available) {
        fprintf(err,
                "order-server: --database-pool-size %d plus %d background connection%s need %d "
                "database connections, more than PostgreSQL allows (%s = %d); lower "
                "ORDER_DATABASE_POOL_SIZE or raise max_connections\n",
                pool, needed - pool, needed - pool == 1 ? "" : "s", needed, c->limited_by,
                c->available);
        return 2;
    }
    int others = c->in_use;
    if (c->role_limit >= 0 && c->available == c->role_limit)
        others = c->role_in_use;
    else if (c->database_limit >= 0 && c->available == c->database_limit)
        others = c->database_in_use;
    if (needed + others > c->available) {
        srv_field f[] = {SRV_NUM("needed", needed), SRV_NUM("inUse", others),
                         SRV_NUM("available", c->available),
                         SRV_STR("limitedBy", c->limited_by)};
        srv_log_write(log, SRV_WARN,
                      "database connections may run out: this instance's pool and workers do "
                      "not fit beside the sessions already open",
                      f, 4);
    } else {
        srv_field f[] = {SRV_NUM("needed", needed), SRV_NUM("inUse", others),
                         SRV_NUM("available", c->available)};
        srv_log_write(log, SRV_DEBUG, "database connection budget", f, 3);
    }
    return 0;
}

int srv_budget_check(srv_app *app, FILE *err)
{
    ord_pg_options pg = ORD_PG_OPTIONS_INIT;
    pg.connect_timeout_s = (int)app->cfg.database_connect_timeout_s;
    pg.application_name = "orders-budget";
    ord_pg_capacity c;
    ord_error rc = ord_pg_capacity_read(app->cfg.database_url, &pg, &c);
    if (rc != ORD_OK) {
        srv_field f[] = {SRV_STR("error", ord_strerror(rc)), SRV_STR("detail", c.detail)};
        srv_log_write(&app->log, SRV_WARN,
                      "cannot read the database's connection limits; not checked", f, 2);
        return 0;
    }
    return srv_budget_judge(&app->log, app->cfg.database_pool_size,
                            ord_http_services_configured(app->http, ORD_HTTP_EVENTS), &c, err);
}

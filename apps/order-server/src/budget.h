/* The database connections one instance holds, checked at start against
 * what PostgreSQL lets it open. */
#ifndef ORDER_SERVER_BUDGET_H
#define ORDER_SERVER_BUDGET_H

#include <stdio.h>

#include <orders/adapters/postgres/capacity.h>

#include "app.h"

/* Connections of one instance at most: the HTTP workers' pool and one per
 * background worker (recovery; the relay when events go to a webhook). */
int srv_budget_needed(int64_t pool_size, bool relay);

/* Compare what an instance with this pool needs with @p capacity. Returns 0
 * when it fits; 2 when it can never fit, after writing one line to @p err
 * naming the settings. Logs a warning to @p log when it fits alone but not
 * beside the sessions already open (other instances, say). */
int srv_budget_judge(const srv_log *log, int64_t pool_size, bool relay,
                     const ord_pg_capacity *capacity, FILE *err);

/* Read the database's capacity and judge it. A capacity that cannot be read
 * is logged and let pass (the pool's own limits still hold). */
int srv_budget_check(srv_app *app, FILE *err);

#endif

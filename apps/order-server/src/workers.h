/* Background workers, each on its own thread with its own unit: saga
 * recovery (stale PENDING_CHECK orders, owed inventory actions, missing
 * tracking numbers, expired idempotency keys, delivered outbox events past
 * their retention) and the outbox relay. */
#ifndef ORDER_SERVER_WORKERS_H
#define ORDER_SERVER_WORKERS_H

#include <stdbool.h>

#include "app.h"

/* Start the workers app->cfg asks for. Returns NULL after logging why. */
srv_workers *srv_workers_start(srv_app *app);

/* Wake every worker at once, let it finish the step it is in, join and free.
 * Accepts NULL. */
void srv_workers_stop(srv_workers *workers);

#endif

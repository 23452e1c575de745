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

/* Tell the relay that events were written: it runs soon (not sooner than
 * a quarter of its interval after its last pass) instead of at its next
 * poll. @p workers is a srv_workers; for srv_unit_deps::events_written. */
void srv_workers_nudge_relay(void *workers);

/* Wake every worker at once, let it finish the step it is in, join and free.
 * Accepts NULL. */
void srv_workers_stop(srv_workers *workers);

#endif

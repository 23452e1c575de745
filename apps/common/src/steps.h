/* The background steps, one batch at a time: the order server's worker
 * threads run them on timers, the Lambda program in one pass per scheduled
 * event. Each logs what it deleted (info) and what it claimed (debug). */
#ifndef ORDER_APPS_STEPS_H
#define ORDER_APPS_STEPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <orders/application/recovery.h>
#include <orders/application/relay.h>
#include <orders/application/retention.h>

#include "unit.h"

typedef enum srv_step {
    SRV_STEP_PENDING_ORDERS,         /* resume or cancel stale PENDING_CHECK orders */
    SRV_STEP_INVENTORY_ACTIONS,      /* owed releases and commits */
    SRV_STEP_TRACKING_NUMBERS,       /* missing tracking numbers */
    SRV_STEP_PURGE_IDEMPOTENCY_KEYS, /* expired keys */
    SRV_STEP_PURGE_DELIVERED_EVENTS, /* delivered events past their retention */
    SRV_STEP_RELAY_EVENTS,           /* deliver due outbox events (needs an event sink) */
    SRV_STEP_COUNT
} srv_step;

/* What one batch did. */
typedef struct srv_step_outcome {
    ord_error err;
    ord_work_report report; /* the claiming steps' counts (zero for purges) */
    int64_t deleted;        /* the purges' count */
    bool more;              /* a full batch: more is probably waiting, run again */
} srv_step_outcome;

/* "pending_orders", "relay_events"...: static text for logs. */
const char *srv_step_name(srv_step step);

/* Run one batch of @p step (at most @p batch orders or events) with
 * @p unit's service. */
void srv_step_run(srv_unit *unit, srv_step step, size_t batch, srv_step_outcome *out);

#endif

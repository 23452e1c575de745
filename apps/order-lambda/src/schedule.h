/* A scheduled event (EventBridge): one pass of every background step
 * within the time the invocation has left. A Lambda function has no
 * threads between invocations, so this is when recovery, tracking retries,
 * the outbox relay and the purges run. */
#ifndef ORDER_LAMBDA_SCHEDULE_H
#define ORDER_LAMBDA_SCHEDULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "unit.h"

/* Run the pass with @p unit: each step batch after batch while batches come
 * back full, starting no batch when less than @p reserve_ms is left before
 * @p deadline_ms (epoch milliseconds; 0: unknown, one batch per step). The
 * relay runs when @p relay (an event sink is configured). Returns a JSON
 * summary to free with cJSON_free(), or NULL when memory ran out; *failed
 * names the first step that failed (NULL when none did). */
char *lam_schedule_run(srv_unit *unit, size_t batch, bool relay, int64_t deadline_ms,
                       int64_t reserve_ms, const char **failed);

#endif

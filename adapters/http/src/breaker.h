/* A count-based circuit breaker (closed / open / half-open), after
 * Resilience4j's: failure rate over the last N calls, a wait while open, then
 * a few trial calls that decide whether it closes again. */
#ifndef ORDERS_HTTP_BREAKER_H
#define ORDERS_HTTP_BREAKER_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <orders/adapters/http/services.h>

/* What a finished call tells the breaker. */
typedef enum http_breaker_verdict {
    HTTP_BREAKER_SUCCESS = 0,
    HTTP_BREAKER_FAILURE,
    HTTP_BREAKER_IGNORE /* cancelled: hands a trial permit back */
} http_breaker_verdict;

/* Leave to make one call; stale permits (from before a state change) are
 * ignored when recorded. */
typedef struct http_permit {
    bool granted;
    uint64_t generation;
} http_permit;

typedef struct http_breaker {
    pthread_mutex_t lock;
    ord_http_breaker_options options;
    ord_http_breaker_state state;
    uint64_t generation;  /* grows at every state change */
    bool *window;         /* ring of the last calls: true = failure */
    int window_next, window_count, window_failures;
    int64_t opened_at_ms;
    int trial_issued, trial_done, trial_failures;
} http_breaker;

/* 0, or -1 when out of memory. options are checked by the caller. */
int ord_http_breaker_init(http_breaker *breaker, const ord_http_breaker_options *options);
void ord_http_breaker_destroy(http_breaker *breaker);
/* Ask leave to call; permit->granted false means the breaker is open. */
void ord_http_breaker_acquire(http_breaker *breaker, int64_t now_ms, http_permit *permit);
/* Report how a call with that permit ended. */
void ord_http_breaker_record(http_breaker *breaker, int64_t now_ms, const http_permit *permit,
                             http_breaker_verdict verdict);
/* State now (open past its wait reports half-open). */
ord_http_breaker_state ord_http_breaker_state_at(http_breaker *breaker, int64_t now_ms);

#endif

/* The circuit breaker's state machine; every transition under its mutex. */
#include "breaker.h"

#include <stdlib.h>
#include <string.h>

int ord_http_breaker_init(http_breaker *breaker, const ord_http_breaker_options *options)
{
    memset(breaker, 0, sizeof *breaker);
    breaker->options = *options;
    breaker->window = calloc((size_t)options->window_size, sizeof *breaker->window);
    if (breaker->window == NULL)
        return -1;
    if (pthread_mutex_init(&breaker->lock, NULL) != 0) {
        free(breaker->window);
        breaker->window = NULL;
        return -1;
    }
    breaker->state = ORD_HTTP_BREAKER_CLOSED;
    return 0;
}

void ord_http_breaker_destroy(http_breaker *breaker)
{
    if (breaker->window == NULL)
        return;
    pthread_mutex_destroy(&breaker->lock);
    free(breaker->window);
    breaker->window = NULL;
}

static void enter(http_breaker *b, ord_http_breaker_state state, int64_t now_ms)
{
    b->state = state;
    b->generation++;
    b->window_next = b->window_count = b->window_failures = 0;
    b->trial_issued = b->trial_done = b->trial_failures = 0;
    if (state == ORD_HTTP_BREAKER_OPEN)
        b->opened_at_ms = now_ms;
}

static bool rate_exceeded(const http_breaker *b, int failures, int calls)
{
    return (int64_t)failures * 100 >= (int64_t)b->options.failure_rate_percent * calls;
}

/* Open whose wait has run out becomes half-open. Caller holds the lock. */
static void advance(http_breaker *b, int64_t now_ms)
{
    if (b->state == ORD_HTTP_BREAKER_OPEN && now_ms - b->opened_at_ms >= b->options.open_wait_ms)
        enter(b, ORD_HTTP_BREAKER_HALF_OPEN, now_ms);
}

void ord_http_breaker_acquire(http_breaker *breaker, int64_t now_ms, http_permit *permit)
{
    pthread_mutex_lock(&breaker->lock);
    advance(breaker, now_ms);
    permit->generation = breaker->generation;
    switch (breaker->state) {
    case ORD_HTTP_BREAKER_CLOSED:
        permit->granted = true;
        break;
    case ORD_HTTP_BREAKER_HALF_OPEN:
        permit->granted = breaker->trial_issued < breaker->options.half_open_calls;
        if (permit->granted)
            breaker->trial_issued++;
        break;
    case ORD_HTTP_BREAKER_OPEN:
    default:
        permit->granted = false;
        break;
    }
    pthread_mutex_unlock(&breaker->lock);
}

static void record_closed(http_breaker *b, int64_t now_ms, bool failed)
{
    int size = b->options.window_size;
    if (b->window_count == size) {
        /* The oldest call leaves the window. */
        if (b->window[b->window_next])
            b->window_failures--;
    } else {
        b->window_count++;
    }
    b->window[b->window_next] = failed;
    b->window_failures += failed;
    b->window_next = (b->window_next + 1) % size;
    if (b->window_count >= b->options.minimum_calls &&
        rate_exceeded(b, b->window_failures, b->window_count))
        enter(b, ORD_HTTP_BREAKER_OPEN, now_ms);
}

static void record_trial(http_breaker *b, int64_t now_ms, bool failed)
{
    b->trial_done++;
    b->trial_failures += failed;
    if (b->trial_done < b->options.half_open_calls)
        return;
    if (rate_exceeded(b, b->trial_failures, b->trial_done))
        enter(b, ORD_HTTP_BREAKER_OPEN, now_ms);
    else
        enter(b, ORD_HTTP_BREAKER_CLOSED, now_ms);
}

void ord_http_breaker_record(http_breaker *breaker, int64_t now_ms, const http_permit *permit,
                             http_breaker_verdict verdict)
{
    if (!permit->granted)
        return;
    pthread_mutex_lock(&breaker->lock);
    /* A call that started before the last state change says nothing about
     * the present: a slow success must not close a breaker that opened. */
    if (permit->generation == breaker->generation) {
        bool failed = verdict == HTTP_BREAKER_FAILURE;
        if (breaker->state == ORD_HTTP_BREAKER_CLOSED && verdict != HTTP_BREAKER_IGNORE)
            record_closed(breaker, now_ms, failed);
        else if (breaker->state == ORD_HTTP_BREAKER_HALF_OPEN && verdict == HTTP_BREAKER_IGNORE)
            breaker->trial_issued--;
        else if (breaker->state == ORD_HTTP_BREAKER_HALF_OPEN)
            record_trial(breaker, now_ms, failed);
    }
    pthread_mutex_unlock(&breaker->lock);
}

ord_http_breaker_state ord_http_breaker_state_at(http_breaker *breaker, int64_t now_ms)
{
    pthread_mutex_lock(&breaker->lock);
    ord_http_breaker_state state = breaker->state;
    if (state == ORD_HTTP_BREAKER_OPEN && now_ms - breaker->opened_at_ms >= breaker->options.open_wait_ms)
        state = ORD_HTTP_BREAKER_HALF_OPEN;
    pthread_mutex_unlock(&breaker->lock);
    return state;
}

/* The Lambda Runtime API (2018-06-01) over HTTP with libcurl: take the next
 * invocation (a long poll), post its response or its error, or report a
 * failed start. The endpoint is trusted no more than any peer: every size
 * and header read from it is bounded and checked. */
#ifndef ORDER_LAMBDA_RUNTIME_H
#define ORDER_LAMBDA_RUNTIME_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <orders/domain/error.h>

/* Largest event taken: Lambda's limit for a synchronous invocation's
 * payload. A bigger one is refused unread (an invocation error). */
#define LAM_MAX_EVENT_BYTES (6 * 1024 * 1024)
/* Bytes of a request id with NUL (AWS sends UUIDs: 36 characters). */
#define LAM_REQUEST_ID_SIZE 129
/* Bytes of a trace id with NUL. */
#define LAM_TRACE_ID_SIZE 513

typedef struct lam_runtime lam_runtime;

/* One invocation as the Runtime API handed it over. */
typedef struct lam_invocation {
    char request_id[LAM_REQUEST_ID_SIZE]; /* [A-Za-z0-9._-], safe in a URL path */
    int64_t deadline_ms;                  /* Unix epoch milliseconds; 0: not given */
    char trace_id[LAM_TRACE_ID_SIZE];     /* "" when not given or not printable */
    char *event;                          /* owned, NUL-terminated; NULL when refused */
    size_t event_len;
} lam_invocation;

typedef enum lam_next_result {
    LAM_NEXT_EVENT = 0,   /* an event arrived: answer it */
    LAM_NEXT_REFUSED = 1, /* an invocation whose event cannot be taken (too large):
                             post an error for its request id (why says what) */
    LAM_NEXT_STOP = 2,    /* the stop flag was raised while waiting */
    LAM_NEXT_FAILED = 3   /* the endpoint failed or broke the protocol (why says how) */
} lam_next_result;

/* Connect to @p endpoint ("host:port", as AWS_LAMBDA_RUNTIME_API gives it).
 * @p stop is polled while waiting for the next invocation; raising it (a
 * signal handler may) ends the wait with LAM_NEXT_STOP within a second.
 * Returns ORD_EINVALID for an endpoint that is not host:port. */
ord_error lam_runtime_new(lam_runtime **out, const char *endpoint, volatile sig_atomic_t *stop);

void lam_runtime_free(lam_runtime *rt);

/* Wait for the next invocation (no time limit: AWS holds the request until
 * there is one). @p why receives the reason of REFUSED and FAILED. */
lam_next_result lam_runtime_next(lam_runtime *rt, lam_invocation *inv, char *why, size_t cap);

/* Post the answer of an invocation (JSON text). */
ord_error lam_runtime_respond(lam_runtime *rt, const char *request_id, const char *body, size_t len);

/* Post the failure of an invocation: @p type ("Runtime.MalformedEvent") and
 * a message without secrets. */
ord_error lam_runtime_fail(lam_runtime *rt, const char *request_id, const char *type,
                           const char *message);

/* Post a failed start (bad settings, database unreachable). */
ord_error lam_runtime_init_error(lam_runtime *rt, const char *type, const char *message);

/* Free the event and zero @p inv. */
void lam_invocation_clear(lam_invocation *inv);

#endif

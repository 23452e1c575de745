/* Token buckets per client key ("customer:12345", "addr:203.0.113.9"), in a
 * fixed table: memory stays bounded whatever keys arrive (a full table
 * gives the least recently used slot of a key's neighbourhood to the new
 * key). Thread-safe. */
#ifndef ORDERS_REST_LIMITER_H
#define ORDERS_REST_LIMITER_H

#include <stdbool.h>
#include <stddef.h>

typedef struct ord_rest_limiter ord_rest_limiter;

/* Buckets that refill @p per_second tokens a second up to @p burst.
 * NULL when out of memory. */
ord_rest_limiter *ord_rest_limiter_new(double per_second, double burst);
void ord_rest_limiter_free(ord_rest_limiter *limiter);

/* Take a token of @p key at @p now (seconds): true when there was one;
 * otherwise *wait_s receives the seconds until the next. */
bool ord_rest_limiter_take(ord_rest_limiter *limiter, const char *key, double now, double *wait_s);

/* Whether @p key has a token left, without taking it; *wait_s as above. */
bool ord_rest_limiter_has(ord_rest_limiter *limiter, const char *key, double now, double *wait_s);

#endif

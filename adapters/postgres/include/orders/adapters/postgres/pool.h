/**
 * @file pool.h
 * @brief A pool of PostgreSQL connections shared by many threads, and stores
 *        that borrow one for each call.
 *
 * A store made with ord_pg_store_new_pooled() has no connection of its own:
 * each port call borrows a free connection from the pool, runs its one
 * statement and gives the connection back, so that many request threads
 * (most of them waiting on a client or a downstream service) share a few
 * database sessions. A store that holds customer locks keeps the connection
 * they live on until the last is unlocked (store.h). A call that finds no
 * connection free within the pool's acquire timeout returns
 * ORD_EUNAVAILABLE.
 *
 * Connections are opened on first use and reopened after a failure (the
 * store's reconnect interval applies per connection), never closed while
 * the pool lives: a session's identity is what tells other instances that
 * a request holding an idempotency key is still alive.
 */
#ifndef ORDERS_ADAPTERS_POSTGRES_POOL_H
#define ORDERS_ADAPTERS_POSTGRES_POOL_H

#include <stddef.h>
#include <stdint.h>

#include <orders/adapters/postgres/store.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Most connections one pool may hold. */
#define ORD_PG_POOL_MAX_SIZE 1000

/** @brief The pool. Opaque; thread-safe. */
typedef struct ord_pg_pool ord_pg_pool;

/** @brief What a pool is doing now. */
typedef struct ord_pg_pool_stats {
    size_t size;            /**< Connections the pool may hold. */
    size_t busy;            /**< Borrowed now. */
    uint64_t waits;         /**< Calls that found none free and waited, since start. */
    uint64_t timeouts;      /**< Calls that waited in vain (ORD_EUNAVAILABLE), since start. */
} ord_pg_pool_stats;

/**
 * @brief Create a pool for the database at @p conninfo. Opens no connection.
 * @param[out] out receives the pool, owned by the caller (ord_pg_pool_free());
 *             NULL on failure.
 * @param conninfo a libpq URL or key=value string; copied.
 * @param options settings of every connection (copied), or NULL for
 *        ORD_PG_OPTIONS_INIT.
 * @param size connections at most, 1..ORD_PG_POOL_MAX_SIZE.
 * @param acquire_timeout_ms longest a call waits for a free connection (>= 0).
 * @return ORD_OK; ORD_EINVALID for a bad argument; ORD_ENOMEM.
 */
ord_error ord_pg_pool_new(ord_pg_pool **out, const char *conninfo, const ord_pg_options *options,
                          size_t size, int acquire_timeout_ms);

/**
 * @brief Close every connection and free the pool. Every store made from it
 *        must be freed first. Accepts NULL.
 */
void ord_pg_pool_free(ord_pg_pool *pool);

/**
 * @brief A store whose calls borrow connections from @p pool. Like any store
 *        it serves one thread at a time; give each thread its own.
 * @param[out] out receives the store (ord_pg_store_free()); NULL on failure.
 * @param pool borrowed; must outlive the store.
 * @return ORD_OK, ORD_EINVALID, ORD_ENOMEM.
 */
ord_error ord_pg_store_new_pooled(ord_pg_store **out, ord_pg_pool *pool);

/**
 * @brief Read the pool's counters. Safe from any thread.
 * @param[out] out receives them.
 */
void ord_pg_pool_stats_get(ord_pg_pool *pool, ord_pg_pool_stats *out);

#ifdef __cplusplus
}
#endif
#endif

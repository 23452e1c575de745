/**
 * @file store.h
 * @brief PostgreSQL order store (libpq): the repository, outbox and
 *        idempotency ports over one database connection.
 *
 * One ord_pg_store is one connection with its prepared statements. It is not
 * thread-safe: give each thread its own store (DESIGN.md: one connection per
 * worker thread). Several stores, threads and server instances may share one
 * database: writes are atomic statements, updates check the version, work
 * and events are claimed with leases under FOR UPDATE SKIP LOCKED.
 *
 * The store reconnects by itself after the server restarts; a call made
 * while the database is down returns ORD_EUNAVAILABLE. Errors are mapped to
 * ord_error; no SQL text or server message ever reaches a caller
 * (ord_pg_store_last_error() exists for diagnostics only).
 *
 * The repository's per-customer lock (lock_customer, unlock_customer) is a
 * session-level advisory lock on the store's connection, so it belongs to
 * the store: two stores exclude each other, and the lock ends with
 * unlock_customer(), ord_pg_store_free() or the connection, whichever comes
 * first. After a reconnect the store holds no lock (the server released
 * them with the old connection). A store whose connection ends while it
 * holds locks serves no other call (ORD_EUNAVAILABLE) until each of them
 * has been unlocked (or asked for again with lock_customer), so that no work
 * done in the belief of holding a lock runs on a connection that does not
 * hold it. Its key is the two-key form
 * (1869767282, customer id folded to 32 bits: the low half XOR the high
 * half, which is the id itself up to 2^31 - 1), a namespace of its own: the
 * migration lock is (1869767283, 1), and single 64-bit keys never overlap
 * two-key ones. Two customers whose ids fold alike share a lock (a spurious
 * busy answer, never a missed one). A pooler in transaction mode would hand
 * the connection to others: connect the store directly, or in session mode.
 *
 * TCP connections use keepalives, so that a network that silently drops the
 * connection fails a call (ORD_EUNAVAILABLE) in about a minute instead of
 * hanging it until the operating system gives up: the store passes libpq
 * keepalives=1, keepalives_idle=30, keepalives_interval=10,
 * keepalives_count=3 and tcp_user_timeout=60000 (milliseconds data may stay
 * unacknowledged, which keepalives do not cover). Any of them set in the
 * conninfo wins (keepalives=0 turns the probes off). Unix-domain sockets
 * ignore them.
 */
#ifndef ORDERS_ADAPTERS_POSTGRES_STORE_H
#define ORDERS_ADAPTERS_POSTGRES_STORE_H

#include <stdbool.h>

#include <orders/domain/error.h>
#include <orders/ports/idempotency_store.h>
#include <orders/ports/order_repository.h>
#include <orders/ports/outbox.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Version of ord_pg_options this header describes (2: the insert-time
 *  serialize_customer_creates field of version 1 is gone; the repository's
 *  lock_customer replaces it). */
#define ORD_PG_OPTIONS_VERSION 2

/** @brief Settings of a store; start from ORD_PG_OPTIONS_INIT. */
typedef struct ord_pg_options {
    int version;                     /**< ORD_PG_OPTIONS_VERSION. */
    int connect_timeout_s;           /**< Seconds a connection attempt may take (> 0);
                                          the URL's connect_timeout wins when given. */
    int reconnect_interval_ms;       /**< After a failed connection attempt, calls
                                          fail fast (ORD_EUNAVAILABLE) for this long
                                          before the next attempt (>= 0). */
    const char *application_name;    /**< Shown in pg_stat_activity; copied;
                                          NULL for "orders". */
    int statement_timeout_ms;        /**< Longest a statement may run on the server,
                                          waits for row locks included (>= 0; 0 keeps
                                          the server's setting). A statement cut off
                                          returns ORD_ETIMEOUT and writes nothing.
                                          Ignored when the URL sets "options". */
} ord_pg_options;

/** Defaults: 5 s connect timeout, 500 ms between reconnect attempts, the
 *  server's statement timeout. */
#define ORD_PG_OPTIONS_INIT {ORD_PG_OPTIONS_VERSION, 5, 500, NULL, 0}

/** @brief The store. Opaque; use from one thread at a time. */
typedef struct ord_pg_store ord_pg_store;

/**
 * @brief Create a store for the database at @p conninfo and try to connect.
 *
 * A database that is down does not fail the call: the store connects on
 * first use (ord_pg_ping() tells whether it answers now).
 * @param[out] out receives the store, owned by the caller (ord_pg_store_free());
 *             NULL on failure.
 * @param conninfo a libpq URL ("postgresql://...") or key=value string; copied.
 * @param options settings (copied), or NULL for ORD_PG_OPTIONS_INIT.
 * @return ORD_OK; ORD_EINVALID for an unparsable @p conninfo or bad options;
 *         ORD_ENOMEM.
 */
ord_error ord_pg_store_new(ord_pg_store **out, const char *conninfo, const ord_pg_options *options);

/** @brief Close the connection (releasing its customer locks) and free the store. Accepts NULL. */
void ord_pg_store_free(ord_pg_store *store);

/** @brief The repository port over @p store (valid while the store lives). */
ord_order_repository ord_pg_store_orders(ord_pg_store *store);

/** @brief The outbox port over @p store (valid while the store lives). */
ord_outbox ord_pg_store_outbox(ord_pg_store *store);

/** @brief The idempotency port over @p store (valid while the store lives). */
ord_idempotency_store ord_pg_store_idempotency(ord_pg_store *store);

/**
 * @brief Readiness: connect if needed and run a trivial query.
 * @return ORD_OK when the database answers, ORD_EUNAVAILABLE otherwise,
 *         ORD_EINVALID for a NULL store.
 */
ord_error ord_pg_ping(ord_pg_store *store);

/**
 * @brief The server's or libpq's text for the last failure of this store,
 *        for an operator's log only: it may quote SQL and data, so never
 *        send it to a client.
 * @return text owned by the store, valid until its next call; "" when the
 *         last call succeeded; never NULL.
 */
const char *ord_pg_store_last_error(const ord_pg_store *store);

#ifdef __cplusplus
}
#endif
#endif

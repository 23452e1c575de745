/* Shared by the PostgreSQL adapter's tests: a private database per test
 * program in the throwaway cluster that the CTest fixture started, wiped
 * between tests, plus a raw connection for looking behind the ports. */
#ifndef ORDERS_TESTS_PG_TEST_H
#define ORDERS_TESTS_PG_TEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include <orders/adapters/postgres/store.h>
#include <orders/domain/order.h>

/**
 * Create (dropping any old one) and migrate the database @p name in the
 * cluster whose directory is $ORDERS_TEST_PG_DIR. Aborts the program when
 * the cluster is missing. Call once, before any other pgt_ function.
 */
void pgt_init(const char *name);

/**
 * Create an empty, unmigrated database @p name (dropping any old one).
 * @param[out] out receives its connection string.
 */
void pgt_fresh_database(const char *name, char *out, size_t cap);

/** The connection string of the test database (static storage). */
const char *pgt_conninfo(void);

/** Empty every table and restart the identities. @return 0 on success. */
int pgt_truncate(void);

/** A new store on the test database; aborts on failure. */
ord_pg_store *pgt_store(void);

/** A raw connection to the test database (PQfinish() it). */
PGconn *pgt_connect(void);

/** Run SQL on a fresh connection and return the first value as an integer (-1 on error). */
int64_t pgt_scalar(const char *sql);

/** Run SQL on a fresh connection; 0 on success. */
int pgt_exec(const char *sql);

/** Restart the cluster (stop, start on the same port); 0 on success. */
int pgt_restart_cluster(void);

/** Stop the cluster; 0 on success. */
int pgt_stop_cluster(void);

/** Start the cluster again after pgt_stop_cluster(); 0 on success. */
int pgt_start_cluster(void);

/** A new order number, unique across runs ("ORD-" + random UUID v4). */
void pgt_number(char out[ORD_ORDER_NUMBER_SIZE]);

/** A new UUID v4. */
void pgt_uuid(char out[ORD_UUID_SIZE]);

/**
 * A PENDING_CHECK order of @p customer with @p lines priced USD lines
 * (product i+1, quantity i+1, price 100*(i+1)+99), address and carrier,
 * and its first history entry at @p at_ms. Free with ord_order_free().
 */
void pgt_build_order(ord_order *o, int64_t customer, int64_t at_ms, size_t lines);

/** Build and create an order through @p store; returns its id (aborts on failure). */
int64_t pgt_create(ord_pg_store *store, int64_t customer, int64_t at_ms);

/** Mark outbox event @p id delivered through @p outbox, then set its
 *  recorded delivery time to @p at_ms in SQL. @return 0 on success. */
int pgt_deliver_at(ord_outbox outbox, int64_t id, int64_t at_ms);

/** Move a stored order (read at @p version) to @p to; returns the ord_error. */
ord_error pgt_move(ord_pg_store *store, int64_t id, int64_t version, ord_status from,
                   ord_status to, int64_t at_ms, int64_t *new_version);

#endif

/* Private plumbing of the PostgreSQL store, shared by its pg_*.c files: the
 * connection with its prepared statements, parameter building and binary
 * result decoding. */
#ifndef ORDERS_ADAPTERS_POSTGRES_PG_INTERNAL_H
#define ORDERS_ADAPTERS_POSTGRES_PG_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include <orders/adapters/postgres/pool.h>
#include <orders/adapters/postgres/store.h>

/* ---- Statements (pg_statements.c). ---- */

/** @brief Every statement the store prepares, one per operation. */
typedef enum pg_stmt {
    PG_ORDER_CREATE = 0,
    PG_ORDER_GET_BY_ID,
    PG_ORDER_GET_BY_NUMBER,
    PG_ORDER_LIST,
    PG_ORDER_UPDATE,
    PG_ORDER_UPDATE_KEEP_LINES,
    PG_ORDER_CLAIM_PENDING,
    PG_ORDER_CLAIM_TRACKING,
    PG_ORDER_CLAIM_INVENTORY,
    PG_ORDER_DEFER,
    PG_ORDER_LOCK_CUSTOMER,
    PG_ORDER_UNLOCK_CUSTOMER,
    PG_OUTBOX_CLAIM,
    PG_OUTBOX_DELIVERED,
    PG_OUTBOX_DELIVERED_MANY,
    PG_OUTBOX_FAILED,
    PG_OUTBOX_COUNT,
    PG_OUTBOX_REDRIVE_ONE,
    PG_OUTBOX_REDRIVE_ALL,
    PG_OUTBOX_PURGE,
    PG_IDEM_BEGIN,
    PG_IDEM_BIND,
    PG_IDEM_COMPLETE,
    PG_IDEM_RELEASE,
    PG_IDEM_FORGET,
    PG_IDEM_PURGE,
    PG_IDEM_BIND_NUMBER,
    PG_STMT_COUNT
} pg_stmt;

/** @brief A statement's prepared name, its text and its parameter count. */
typedef struct pg_statement {
    const char *name;
    const char *sql;
    int params;
} pg_statement;

/** @brief The statement @p id (static data). */
const pg_statement *ord_pg_statement(pg_stmt id);

/* Advisory lock namespaces (the first of two int4 keys): per-customer
 * locks (pg_lock.c) and the migration run (pg_migrate.c). Never equal. */
#define PG_CUSTOMER_LOCK_SPACE "1869767282"
#define PG_MIGRATE_LOCK_SPACE "1869767283"

/* ---- The store (pg_store.c, pg_conn.c). ---- */

/** Bytes kept of the last error text. */
#define PG_ERROR_SIZE 512

/** @brief One database connection with what lives on it. */
typedef struct pg_link {
    PGconn *conn;                 /**< NULL or the current connection. */
    bool prepared[PG_STMT_COUNT]; /**< Prepared on the current connection. */
    int64_t retry_connect_at_ms;  /**< Monotonic; no attempt before then. */
    int64_t last_answer_ms;       /**< Monotonic: when the connection last answered. */
} pg_link;

struct ord_pg_store {
    pg_link *link;                  /**< The connection in use: &own, one borrowed from
                                         the pool for a call (or pinned while customer
                                         locks are held), or NULL between calls. */
    pg_link own;                    /**< A store's own connection (no pool). */
    ord_pg_pool *pool;              /**< Borrowed; NULL for a store of its own. */
    char *conninfo;                 /**< Owned copy. */
    char *application_name;         /**< Owned copy. */
    ord_pg_options options;         /**< Copied at creation. */
    char last_error[PG_ERROR_SIZE]; /**< For ord_pg_store_last_error(). */
    int64_t *locked;                /**< Customers whose lock the caller holds:
                                         the current connection's, or (locks_lost)
                                         those a lost connection held (owned array). */
    size_t locked_count;            /**< Entries of locked. */
    size_t locked_cap;              /**< Room in locked. */
    bool locks_lost;                /**< The connection ended while holding the
                                         locks in locked: every other call fails
                                         until each is unlocked (pg_lock.c). */
};

/**
 * @brief Run a prepared statement (preparing it on first use, in the same
 *        round trip) with text parameters and binary results.
 * @param values @p count parameter values (NULL entries are SQL NULL).
 * @param[out] out the result on success (PQclear() it); NULL on failure.
 * @return ORD_OK or the mapped failure (connection lost: ORD_EUNAVAILABLE;
 *         so too while locks_lost, without running anything).
 */
ord_error ord_pg_run(ord_pg_store *store, pg_stmt id, const char *const *values, int count,
                     PGresult **out);

/**
 * @brief Make sure the store has a connection to work on (a pooled store
 *        borrows one, waiting up to the pool's acquire timeout) and that it
 *        works. Pair with ord_pg_let_go().
 * @return ORD_OK or ORD_EUNAVAILABLE.
 */
ord_error ord_pg_connect(ord_pg_store *store);

/** @brief Whether store options and a connection string are usable. */
bool ord_pg_options_ok(const ord_pg_options *options, const char *conninfo);

/** @brief A pooled store gives its connection back unless customer locks pin it. */
void ord_pg_let_go(ord_pg_store *store);

/* ---- The pool (pg_pool.c). ---- */

/** @brief Borrow a free link, waiting up to the pool's timeout; NULL when none freed up. */
pg_link *ord_pg_pool_take(ord_pg_pool *pool);

/** @brief Give a link back (its connection kept, or NULL after a failure). */
void ord_pg_pool_give(ord_pg_pool *pool, pg_link *link);

/** @brief The pool's connection string and settings, for its stores (borrowed). */
const char *ord_pg_pool_conninfo(const ord_pg_pool *pool);
/** @brief See ord_pg_pool_conninfo(). */
const ord_pg_options *ord_pg_pool_options_of(const ord_pg_pool *pool);

/**
 * @brief Close the current connection, if any: its prepared statements and
 *        customer locks end with it (when it held any, locks_lost is set).
 */
void ord_pg_disconnect(ord_pg_store *store);

/**
 * @brief Open a new connection to @p conninfo with the store's settings
 *        (statement_timeout_ms 0: the server's own).
 * @return the connection (check PQstatus(); PQfinish() it in any case) or NULL.
 */
PGconn *ord_pg_open(const char *conninfo, int connect_timeout_s, const char *application_name,
                    int statement_timeout_ms);

/** @brief Map a failed result (or NULL) on @p conn to an ord_error. */
ord_error ord_pg_map_error(PGconn *conn, const PGresult *result);

/** @brief Remember the failure text of @p result (or of the connection). */
void ord_pg_note_error(ord_pg_store *store, const PGresult *result);

/* ---- Parameters (pg_codec.c). ---- */

/** Most parameters of one statement. */
#define PG_MAX_PARAMS 32

/** @brief Text parameters of one statement; owned buffers are freed by ord_pg_params_free(). */
typedef struct pg_params {
    const char *values[PG_MAX_PARAMS];
    char numbers[PG_MAX_PARAMS][24]; /**< Storage for formatted integers. */
    char *owned[PG_MAX_PARAMS];      /**< Built strings (arrays) to free. */
    int count;
    bool failed;                     /**< An allocation failed: do not run. */
} pg_params;

/** @brief Start an empty parameter list. */
void ord_pg_params_init(pg_params *p);
/** @brief Free the built strings. */
void ord_pg_params_free(pg_params *p);
/** @brief Append an integer. */
void ord_pg_param_i64(pg_params *p, int64_t value);
/** @brief Append a borrowed string (NULL for SQL NULL). */
void ord_pg_param_text(pg_params *p, const char *value);
/** @brief Append a boolean. */
void ord_pg_param_bool(pg_params *p, bool value);
/** @brief Append an owned string (taken; NULL means allocation failed). */
void ord_pg_param_owned(pg_params *p, char *value);

/**
 * @brief Run a statement that changes rows, and count them (its command
 *        tag), for the writes that only need to know how many rows changed.
 * @param p the parameters (a list whose building failed runs nothing).
 * @param must_change whether changing no row is ORD_ENOTFOUND (a write on
 *        one key or event) rather than a count of 0 (a purge).
 * @param[out] rows receives the count; may be NULL.
 * @return ORD_OK, ORD_ENOTFOUND, ORD_ENOMEM, or what ord_pg_run() returned.
 */
ord_error ord_pg_run_count(ord_pg_store *store, pg_stmt id, const pg_params *p, bool must_change,
                           int64_t *rows);

/**
 * @brief Append the four item arrays (product ids, quantities, prices,
 *        currencies) as array literals; a line without a price gets NULLs.
 */
void ord_pg_param_items(pg_params *p, const ord_order_item *items, size_t count);

/* ---- Binary results (pg_codec.c). ---- */

/** @brief A bigint, integer or smallint column; 0 when NULL. */
int64_t ord_pg_get_int(const PGresult *r, int row, int col);
/** @brief A boolean column; false when NULL. */
bool ord_pg_get_bool(const PGresult *r, int row, int col);
/** @brief Whether a column is NULL. */
bool ord_pg_is_null(const PGresult *r, int row, int col);
/**
 * @brief Copy a text column.
 * @param[out] out receives an owned string, or NULL for SQL NULL.
 * @return ORD_OK or ORD_ENOMEM.
 */
ord_error ord_pg_get_text(const PGresult *r, int row, int col, char **out);
/**
 * @brief Copy a text column into a fixed buffer.
 * @return true when it fits (NULL gives ""), false when it does not.
 */
bool ord_pg_get_text_into(const PGresult *r, int row, int col, char *buf, size_t cap);
/** @brief A uuid column as canonical lower-case text; "" when NULL. */
void ord_pg_get_uuid(const PGresult *r, int row, int col, char out[37]);

/** @brief Cursor over a one-dimensional binary array value. */
typedef struct pg_array {
    const unsigned char *p;   /**< Next element. */
    const unsigned char *end; /**< End of the value. */
    size_t count;             /**< Elements (0 for NULL or empty). */
} pg_array;

/** @brief Open an array column. @return false when the value is malformed. */
bool ord_pg_array_open(const PGresult *r, int row, int col, pg_array *a);
/**
 * @brief Take the next element.
 * @param[out] data its bytes (NULL for a NULL element).
 * @param[out] len its length.
 * @return false when no element is left or the value is malformed.
 */
bool ord_pg_array_next(pg_array *a, const unsigned char **data, size_t *len);
/** @brief Decode a big-endian integer element of 2, 4 or 8 bytes. */
int64_t ord_pg_decode_int(const unsigned char *data, size_t len);

/* ---- Orders (pg_orders_*.c). ---- */

/** @brief ord_order_repository_ops::get_by_id and get_by_number (pg_orders_read.c). */
ord_error ord_pg_orders_get_by_id(void *self, int64_t id, ord_order *out);
ord_error ord_pg_orders_get_by_number(void *self, const char *number, ord_order *out);
/** @brief ord_order_repository_ops::list_by_customer (pg_orders_read.c). */
ord_error ord_pg_orders_list(void *self, const ord_order_query *query, ord_order_page *out);
/** @brief ord_order_repository_ops::claim and defer (pg_orders_claim.c). */
ord_error ord_pg_orders_claim(void *self, const ord_work_claim *claim, int64_t *ids, size_t *count);
ord_error ord_pg_orders_defer(void *self, int64_t order_id, const char *owner, int64_t until_ms);

/** @brief ord_order_repository_ops::lock_customer and unlock_customer (pg_lock.c). */
ord_error ord_pg_orders_lock_customer(void *self, int64_t customer_id);
ord_error ord_pg_orders_unlock_customer(void *self, int64_t customer_id);

/* ---- Rows into records: what the statements return, decoded (a row the
 * schema could not have produced is ORD_EINTERNAL, never a crash). ---- */

/**
 * @brief An order with items and history from row 0 of PG_ORDER_GET_BY_*.
 * @param[out] out an initialised order; filled, or freed on failure.
 * @return ORD_OK, ORD_ENOTFOUND (no row), ORD_EINTERNAL, ORD_ENOMEM.
 */
ord_error ord_pg_decode_order(const PGresult *r, ord_order *out);
/** @brief The order's own columns of one row (lists): ORD_OK, ORD_EINTERNAL, ORD_ENOMEM. */
ord_error ord_pg_decode_order_head(const PGresult *r, int row, ord_order *o);
/** @brief One outbox event of PG_OUTBOX_CLAIM: ORD_OK, ORD_EINTERNAL, ORD_ENOMEM. */
ord_error ord_pg_decode_event(const PGresult *r, int row, ord_outbox_event *e);
/**
 * @brief The answer of orders_idempotency_begin (PG_IDEM_BEGIN).
 * @param[out] out zeroed, then filled; freed on failure.
 * @return ORD_OK, ORD_EINTERNAL, ORD_ENOMEM.
 */
ord_error ord_pg_decode_idem_record(const PGresult *r, ord_idem_record *out);

/** @brief Whether a lease owner name is usable (1 .. ORD_OWNER_SIZE-1 bytes). */
bool ord_pg_owner_ok(const char *owner);

#endif

/**
 * @file store.h
 * @brief In-memory order store: repository, outbox and idempotency store in
 *        one thread-safe object, so that an update and its event are atomic
 *        here too. A fake for tests and an embedded store for trying the
 *        library without a database.
 *
 * Per-customer locks (ord_order_repository_ops::lock_customer) belong to a
 * holder, as the PostgreSQL store's belong to its connection. Every port
 * from ord_memory_store_orders() is one and the same holder, the store
 * itself (they share their self). For more holders over the same orders,
 * as several connections or server instances would be, open
 * connections: ord_memory_store_connection_new() and
 * ord_memory_store_connection_orders().
 */
#ifndef ORDERS_ADAPTERS_MEMORY_STORE_H
#define ORDERS_ADAPTERS_MEMORY_STORE_H

#include <stddef.h>

#include <orders/adapters/memory/fault.h>
#include <orders/ports/clock.h>
#include <orders/ports/idempotency_store.h>
#include <orders/ports/order_repository.h>
#include <orders/ports/outbox.h>

#ifdef __cplusplus
extern "C" {
#endif

/** @brief The store. Opaque; every function is safe to call from any thread. */
typedef struct ord_memory_store ord_memory_store;

/** @brief Operations that can be made to fail. */
typedef enum ord_memory_store_op {
    ORD_MEM_ORDER_CREATE = 0,
    ORD_MEM_ORDER_GET,        /**< get_by_id and get_by_number */
    ORD_MEM_ORDER_LIST,
    ORD_MEM_ORDER_UPDATE,
    ORD_MEM_ORDER_CLAIM,
    ORD_MEM_ORDER_DEFER,
    ORD_MEM_OUTBOX_CLAIM,
    ORD_MEM_OUTBOX_MARK,      /**< mark_delivered and mark_failed */
    ORD_MEM_OUTBOX_OTHER,     /**< count, redrive and purge_delivered */
    ORD_MEM_IDEM_BEGIN,
    ORD_MEM_IDEM_WRITE,       /**< bind, bind_number, complete, release, forget, purge */
    ORD_MEM_ORDER_LOCK,       /**< lock_customer (ORD_FAULT_AFTER: taken, yet reported
                                   failed); unlock_customer cannot be made to fail */
    ORD_MEM_STORE_OP_COUNT
} ord_memory_store_op;

/**
 * @brief Create an empty store.
 * @param[out] out receives the store, owned by the caller (ord_memory_store_free()).
 * @return ORD_OK, ORD_EINVALID (@p out is NULL) or ORD_ENOMEM.
 */
ord_error ord_memory_store_new(ord_memory_store **out);

/** @brief Free the store and everything in it. Accepts NULL. */
void ord_memory_store_free(ord_memory_store *store);

/** @brief The repository port over @p store (valid while the store lives). */
ord_order_repository ord_memory_store_orders(ord_memory_store *store);

/** @brief Another holder of per-customer locks over a store (see above). Opaque. */
typedef struct ord_memory_store_connection ord_memory_store_connection;

/**
 * @brief Open a connection: a lock holder of its own over @p store's orders.
 * @param store the store; it must outlive the connection.
 * @param[out] out receives the connection, owned by the caller
 *             (ord_memory_store_connection_free()); NULL on failure.
 * @return ORD_OK, ORD_EINVALID (a NULL argument) or ORD_ENOMEM.
 */
ord_error ord_memory_store_connection_new(ord_memory_store *store,
                                          ord_memory_store_connection **out);

/**
 * @brief Close a connection: every customer lock it holds is released, as a
 *        closed connection releases its locks. Accepts NULL. Call it before
 *        freeing the store.
 */
void ord_memory_store_connection_free(ord_memory_store_connection *connection);

/**
 * @brief The repository port of a connection (valid while the connection
 *        lives): the store's orders, with customer locks held by the
 *        connection.
 */
ord_order_repository ord_memory_store_connection_orders(ord_memory_store_connection *connection);

/** @brief The outbox port over @p store (valid while the store lives). */
ord_outbox ord_memory_store_outbox(ord_memory_store *store);

/**
 * @brief Take the time of deliveries (recorded by the outbox's
 *        mark_delivered, compared by its purge_delivered) from @p clock
 *        instead of the system's real-time clock, so that a test clock
 *        moves deliveries through the retention period too.
 * @param clock copied; what it points at must outlive the store, or the
 *        next call of this function; {NULL, NULL} goes back to the system
 *        clock.
 */
void ord_memory_store_use_clock(ord_memory_store *store, ord_clock clock);

/** @brief The idempotency port over @p store (valid while the store lives). */
ord_idempotency_store ord_memory_store_idempotency(ord_memory_store *store);

/**
 * @brief Arm (or with a zeroed @p fault, disarm) a fault on one operation.
 * @param fault copied.
 */
void ord_memory_store_inject(ord_memory_store *store, ord_memory_store_op op, const ord_fault *fault);

/** @brief How many times an operation was called (faulted calls included). */
size_t ord_memory_store_calls(ord_memory_store *store, ord_memory_store_op op);

/** @brief Number of orders stored. */
size_t ord_memory_store_order_count(ord_memory_store *store);

/** @brief Number of outbox events stored, delivered or not (purged ones no longer count). */
size_t ord_memory_store_event_count(ord_memory_store *store);

/** @brief Number of customers whose lock is held now, by any holder. */
size_t ord_memory_store_locked_customers(ord_memory_store *store);

#ifdef __cplusplus
}
#endif
#endif

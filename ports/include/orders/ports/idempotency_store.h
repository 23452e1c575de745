/**
 * @file idempotency_store.h
 * @brief Port: idempotency keys with their request fingerprint and outcome.
 *
 * begin() is an atomic insert-or-get: of two concurrent first requests with
 * one key exactly one is told ORD_IDEM_STARTED. Keys live in a scope (the
 * caller), so two callers never see each other's keys.
 *
 * Version 2 adds bind_number() and ord_idem_record::order_number: the key is
 * bound to the number its order will be stored under before the order is
 * stored, so a retry finds the order even when the create's reply was lost or
 * the process died right after it; "same key, at most one order". A version 1
 * store binds only the id of a stored order (bind()), which leaves that
 * window open: the service still accepts one, with that weaker guarantee.
 *
 * Version 3 adds ord_idem_begin::order_number: begin() binds a key it
 * starts to the number proposed, so that a create takes its key and binds
 * its number in one call (one commit) instead of two. A store of version 2
 * ignores the field and reports no number; the service then binds with
 * bind_number() as before.
 *
 * The state rule of begin() (new, in progress, resumable, completed,
 * mismatch, expired) is written twice, once per store: in C in the
 * in-memory store (adapters/memory/src/store_idempotency.c) and in PL/pgSQL
 * in the PostgreSQL store, as the function orders_idempotency_begin of its
 * migrations (the latest definition wins). Neither is derived from the
 * other: the port's contract suite (tests/contract/store_contract_idempotency.c),
 * run against both stores, is what holds them together, so a change to the
 * rule goes into both and into the suite.
 */
#ifndef ORDERS_PORTS_IDEMPOTENCY_STORE_H
#define ORDERS_PORTS_IDEMPOTENCY_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <orders/domain/error.h>
#include <orders/domain/order.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Version of ord_idempotency_store_ops this header describes. */
#define ORD_IDEMPOTENCY_STORE_VERSION 3

/** @brief What begin() found. */
typedef enum ord_idem_state {
    ORD_IDEM_STARTED = 0,     /**< New key; the caller now holds it. */
    ORD_IDEM_RESUMABLE = 1,   /**< An earlier attempt stopped without a final answer
                                   (released, or its lock ran out); the caller now
                                   holds it and should resume record.order_id, or
                                   (id 0) the order stored as record.order_number,
                                   or (neither) start over. */
    ORD_IDEM_IN_PROGRESS = 2, /**< Another request holds the key right now. */
    ORD_IDEM_COMPLETED = 3,   /**< Finished; record has the stored response. */
    ORD_IDEM_MISMATCH = 4     /**< The key was used with a different request. */
} ord_idem_state;

/** @brief The key's row as begin() found it. */
typedef struct ord_idem_record {
    ord_idem_state state;  /**< Outcome of begin(). */
    int64_t order_id;      /**< Order the key is bound to, or 0. */
    int response_status;   /**< Stored status when COMPLETED. */
    char *response_body;   /**< Owned stored body when COMPLETED (free()), else NULL. */
    char order_number[ORD_ORDER_NUMBER_SIZE]; /**< Version 2: the number bound by
                                   bind_number(), or "". A version 1 store leaves it
                                   as the caller zeroed it. */
} ord_idem_record;

/** @brief Free a record's body and zero it. Accepts NULL. */
static inline void ord_idem_record_free(ord_idem_record *record)
{
    if (record == NULL)
        return;
    free(record->response_body);
    record->response_body = NULL;
    record->state = ORD_IDEM_STARTED;
    record->order_id = 0;
    record->response_status = 0;
    record->order_number[0] = '\0';
}

/** @brief Arguments of begin(). All borrowed. */
typedef struct ord_idem_begin {
    const char *scope;       /**< The caller ("customer:12345"). */
    const char *key;         /**< The Idempotency-Key, 1..255 printable ASCII. */
    const char *fingerprint; /**< Identifies the request (hex SHA-256). */
    int64_t now_ms;          /**< Current time. */
    int64_t lock_until_ms;   /**< The holder's claim ends then (crash safety). */
    int64_t expires_at_ms;   /**< The key may be forgotten after this. */
    /** Version 3: NULL, or the number (1 to ORD_ORDER_NUMBER_SIZE - 1 bytes,
     *  copied) that a key begin() starts (ORD_IDEM_STARTED) is bound to, as
     *  by bind_number() with replaces NULL; record.order_number then holds
     *  it. A key that exists keeps its own number. */
    const char *order_number;
} ord_idem_begin;

/** @brief Operations of an idempotency store. A static const table per adapter. */
typedef struct ord_idempotency_store_ops {
    int version; /**< ORD_IDEMPOTENCY_STORE_VERSION the adapter was built against. */

    /**
     * @brief Insert the key or report what it holds. An expired key counts as
     *        absent. A matching key that is released or whose lock ran out is
     *        taken over (RESUMABLE). So is one whose holder the store knows
     *        to be gone before its lock runs out (the PostgreSQL store: the
     *        database session that took it has ended, as a killed server's
     *        do); a store that cannot tell waits for the lock.
     * @param[out] out a zeroed record, filled as documented per state; the
     *        caller frees it with ord_idem_record_free().
     * @return ORD_OK (see out->state), ORD_EUNAVAILABLE.
     */
    ord_error (*begin)(void *self, const ord_idem_begin *args, ord_idem_record *out);

    /**
     * @brief Bind the held key to an order as soon as one exists, so that a
     *        retry after a crash resumes it. Keeps the bound number.
     * @return ORD_OK, ORD_ENOTFOUND, ORD_EUNAVAILABLE.
     */
    ord_error (*bind)(void *self, const char *scope, const char *key, int64_t order_id);

    /**
     * @brief Store the final response of the held key.
     * @param body NUL-terminated, copied.
     * @return ORD_OK, ORD_ENOTFOUND, ORD_EUNAVAILABLE.
     */
    ord_error (*complete)(void *self, const char *scope, const char *key, int64_t order_id,
                          int status, const char *body);

    /**
     * @brief Give the key up without a final answer: the next begin() with
     *        the same fingerprint gets RESUMABLE with @p order_id.
     * @return ORD_OK, ORD_ENOTFOUND, ORD_EUNAVAILABLE.
     */
    ord_error (*release)(void *self, const char *scope, const char *key, int64_t order_id);

    /**
     * @brief Delete the key, as if it had never been used (the request was
     *        refused before any work started).
     * @return ORD_OK (also when absent), ORD_EUNAVAILABLE.
     */
    ord_error (*forget)(void *self, const char *scope, const char *key);

    /**
     * @brief Delete keys that expired before @p now_ms.
     * @param[out] count receives how many were deleted.
     * @return ORD_OK, ORD_EUNAVAILABLE.
     */
    ord_error (*purge)(void *self, int64_t now_ms, int64_t *count);

    /* ---- Version 2: required when version >= 2. ---- */

    /**
     * @brief Bind the held key to the number its order is about to be stored
     *        under, before the create, so that a retry looks the order up by
     *        that number (found: resume it; absent: store it under the same
     *        number). The first number bound wins: the key takes @p number
     *        only when it holds none yet (@p replaces NULL) or exactly
     *        @p replaces (a number that turned out to belong to an unrelated
     *        order); otherwise it keeps its own. Atomic against a concurrent
     *        bind_number() of the same key. bind(), complete() and release()
     *        keep the number; begin() of an expired key starts without one.
     * @param replaces NULL, or the number the caller saw bound and now replaces.
     * @param number 1 to ORD_ORDER_NUMBER_SIZE - 1 bytes, copied.
     * @param[out] bound receives the number the key holds afterwards: @p number,
     *        or the one another holder bound first; "" when the call fails.
     * @return ORD_OK, ORD_ENOTFOUND (no such key), ORD_EINVALID, ORD_EUNAVAILABLE.
     */
    ord_error (*bind_number)(void *self, const char *scope, const char *key,
                             const char *replaces, const char *number,
                             char bound[ORD_ORDER_NUMBER_SIZE]);
} ord_idempotency_store_ops;

/** @brief An idempotency store: its operations and their state. */
typedef struct ord_idempotency_store {
    const ord_idempotency_store_ops *ops; /**< Method table. */
    void *self;                           /**< Passed back to every method. */
} ord_idempotency_store;

#ifdef __cplusplus
}
#endif
#endif

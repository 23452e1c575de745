/* Shared by the storage contract files: the fixture plumbing and builders
 * for orders and events that use only the domain and the port structs. */
#ifndef ORDERS_TESTS_STORE_CONTRACT_H
#define ORDERS_TESTS_STORE_CONTRACT_H

#include <stdbool.h>
#include <stdint.h>

#include <orders/domain/event.h>
#include <orders/domain/order.h>

#include "contract.h"

/** A fixed "now" far from 0, so that stale and future times stay positive. */
#define SC_T0 INT64_C(1767225600000)

/** A cmocka test that gets a fresh fixture as its state. */
#define SC_TEST(fn) cmocka_unit_test_setup_teardown(fn, sc_setup, sc_teardown)

/** cmocka setup: a fresh store from the current factory in *state. */
int sc_setup(void **state);
/** cmocka teardown: drops the store made by sc_setup(). */
int sc_teardown(void **state);

/** The groups, one per file; each returns its failed tests. */
int sc_run_orders(void);
int sc_run_updates(void);
int sc_run_claims(void);
int sc_run_outbox(void);
int sc_run_idempotency(void);
int sc_run_locks(void);

/**
 * A second repository over the fixture's store from the factory's
 * second_connection hook; skips the test when the factory has none or the
 * repository has no per-customer lock.
 */
ord_order_repository sc_second_connection(ord_store_fixture *f);

/**
 * Mark the event @p id delivered at @p at_ms through the factory's
 * deliver_at hook; skips the test when the factory has none.
 */
void sc_deliver_at(ord_store_fixture *f, int64_t id, int64_t at_ms);

/** A new order number, unique within the run ("ORD-" + a version 4 UUID). */
void sc_next_number(char out[ORD_ORDER_NUMBER_SIZE]);

/** A new event id, unique within the run (a version 4 UUID). */
void sc_next_uuid(char out[ORD_UUID_SIZE]);

/**
 * A PENDING_CHECK order of @p customer_id, created at @p at_ms, with two
 * priced USD lines, its total, a delivery address and carrier, and its first
 * history entry; not stored. Free with ord_order_free().
 */
void sc_build_order(ord_order *order, int64_t customer_id, int64_t at_ms);

/**
 * As sc_build_order(), then every optional field set too (customer name,
 * tracking number, guest hash, pending inventory, a later updated_at_ms) and
 * three lines, one of them free.
 */
void sc_build_full_order(ord_order *order);

/** Build (as sc_build_order()) and store an order; returns its id. */
int64_t sc_create_order(const ord_store_fixture *f, int64_t customer_id, int64_t at_ms);

/** Load an order that must exist. Free with ord_order_free(). */
void sc_load(const ord_store_fixture *f, int64_t id, ord_order *out);

/**
 * Move a stored order to @p to at @p at_ms through the repository, appending
 * the history entry and, when the new status raises one, its event
 * (payload names the order and the version). Returns the new version.
 */
int64_t sc_move(const ord_store_fixture *f, int64_t id, ord_status to, int64_t at_ms);

/** Set pending_inventory (and updated_at_ms = @p at_ms) of a stored order. */
void sc_set_pending_inventory(const ord_store_fixture *f, int64_t id, ord_inventory_action action,
                              int64_t at_ms);

/** Assert that two orders hold the same values in every field. */
void sc_assert_orders_equal(const ord_order *expected, const ord_order *actual);

/** Assert that @p order is zeroed (as a failed get leaves it). */
void sc_assert_order_zeroed(const ord_order *order);

/** Outbox counts: assert pending and parked. */
void sc_assert_outbox_counts(const ord_store_fixture *f, int64_t pending, int64_t parked);

#endif

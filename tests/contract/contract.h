/**
 * @file contract.h
 * @brief Port contract suites: the same test functions run against every
 *        implementation of a port (in-memory, PostgreSQL, HTTP).
 *
 * An adapter's test program fills a factory and calls the runner; the runner
 * makes a fresh fixture for every test (setup) and drops it after (teardown).
 */
#ifndef ORDERS_TESTS_CONTRACT_H
#define ORDERS_TESTS_CONTRACT_H

#include <stdint.h>

#include <orders/ports/ports.h>

/** @brief The storage ports under test, fresh and empty for each test. */
typedef struct ord_store_fixture {
    void *state;                       /**< The factory's own data. */
    ord_order_repository orders;
    ord_outbox outbox;
    ord_idempotency_store idempotency;
} ord_store_fixture;

/** @brief How to make and drop storage fixtures. */
typedef struct ord_store_factory {
    const char *name;                               /**< Shown in test output. */
    int (*setup)(ord_store_fixture *fixture);       /**< 0 on success; empty store. */
    void (*teardown)(ord_store_fixture *fixture);
    /**
     * Optional (NULL: the per-customer lock tests are skipped). Another
     * repository over the same store that holds customer locks in its own
     * name, as a second connection does; it lives until teardown, which
     * drops it too. 0 on success.
     */
    int (*second_connection)(ord_store_fixture *fixture, ord_order_repository *out);
    /**
     * Optional (NULL: the outbox purge tests that need chosen delivery
     * times are skipped). Mark the undelivered event @p id delivered as
     * mark_delivered would, had it been called at @p at_ms (Unix ms). 0 on
     * success.
     */
    int (*deliver_at)(ord_store_fixture *fixture, int64_t id, int64_t at_ms);
} ord_store_factory;

/**
 * The catalog every downstream fixture starts with (the HTTP factory loads it
 * into the simulator): product 1 at 99.99 USD with 10 in stock, product 2 at
 * 0.10 with 100, product 3 at 0.20 with 100, product 4 at 149.99 with 0;
 * product 999 is unknown; customer 666 is restricted, 777 ineligible.
 */
#define ORD_CONTRACT_RESTRICTED_CUSTOMER 666
#define ORD_CONTRACT_INELIGIBLE_CUSTOMER 777
#define ORD_CONTRACT_UNKNOWN_PRODUCT 999

/** @brief The downstream ports under test, seeded with the catalog above. */
typedef struct ord_downstream_fixture {
    void *state;
    ord_precheck precheck;
    ord_inventory inventory;
    ord_tracking tracking;
    ord_event_sink events;
} ord_downstream_fixture;

/** @brief How to make, drop and inspect downstream fixtures. */
typedef struct ord_downstream_factory {
    const char *name;
    int (*setup)(ord_downstream_fixture *fixture);  /**< 0 on success; seeded, no faults. */
    void (*teardown)(ord_downstream_fixture *fixture);
    /** Stock of a product as the service counts it; 0 on success. */
    int (*stock)(ord_downstream_fixture *fixture, int64_t product_id, int64_t *available,
                 int64_t *reserved, int64_t *committed);
    /** Events the sink received, duplicates by eventId counted once. */
    int64_t (*events_received)(ord_downstream_fixture *fixture);
} ord_downstream_factory;

/** @brief Run the storage contract (repository, outbox, idempotency). @return failed tests. */
int ord_run_store_contract(const ord_store_factory *factory);

/** @brief Run the downstream contract (precheck, inventory, tracking, sink). @return failed tests. */
int ord_run_downstream_contract(const ord_downstream_factory *factory);

/** @brief An event sink under test, fresh for each test. */
typedef struct ord_event_sink_fixture {
    void *state;         /**< The factory's own data. */
    ord_event_sink sink; /**< The port. */
} ord_event_sink_fixture;

/** @brief How to make, drop and read back event sinks. */
typedef struct ord_event_sink_factory {
    const char *name;                                  /**< Shown in test output. */
    int (*setup)(ord_event_sink_fixture *fixture);     /**< 0 on success; nothing received yet. */
    void (*teardown)(ord_event_sink_fixture *fixture);
    /**
     * What a consumer received so far, oldest first, repeats of an event id
     * left out: up to @p cap copies of (event_id, payload) in @p out (the
     * caller frees each payload), and how many there are in *count. 0 on
     * success.
     */
    int (*received)(ord_event_sink_fixture *fixture, ord_outbox_event *out, size_t cap,
                    size_t *count);
} ord_event_sink_factory;

/** Run the event sink contract; returns the number of failed tests. */
int ord_run_event_sink_contract(const ord_event_sink_factory *factory);

#endif

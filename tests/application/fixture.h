/* The world every application test runs in: the use cases over the
 * in-memory store and fakes, a manual clock and counting ids, a seeded
 * catalog, and helpers to place orders and read stock. */
#ifndef ORDERS_TESTS_APPLICATION_FIXTURE_H
#define ORDERS_TESTS_APPLICATION_FIXTURE_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>

#include <cmocka.h>

#include <orders/adapters/memory/downstream.h>
#include <orders/adapters/memory/store.h>
#include <orders/adapters/memory/test_clock.h>
#include <orders/orders.h>

/* The seeded catalog (USD): product 1 at 99.99 (10 in stock), 2 at 0.10
 * (100), 3 at 0.20 (100), 4 at 149.99 (none), 5 at 149.99 (10); product 999
 * is unknown; customer 666 is restricted, 777 ineligible. */
#define FX_CUSTOMER 12345
#define FX_OTHER_CUSTOMER 4242
#define FX_RESTRICTED 666
#define FX_INELIGIBLE 777
#define FX_UNKNOWN_PRODUCT 999
#define FX_START_MS 1772980200000LL /* 2026-03-08T14:30:00Z */
#define FX_ADDRESS "123 Main St, City, State 12345"

/** Counters filled by the service observer. */
typedef struct fx_observed {
    size_t created;
    size_t status_changes;
    size_t background;
    int64_t last_background_order;
    ord_error last_background_result;
    char last_background_what[64];
} fx_observed;

typedef struct fx {
    ord_memory_store *store;
    ord_memory_downstream *ds;
    ord_manual_clock *clock;
    ord_counting_ids *ids;
    ord_ports ports;
    ord_service_config config;
    ord_service *svc;
    fx_observed seen;
} fx;

/* cmocka setup/teardown: *state becomes a fresh fx. */
int fx_setup(void **state);
int fx_teardown(void **state);

/* Build a service over the fixture's ports with fx->config (after changing
 * it); the previous service is freed. */
void fx_rebuild(fx *f);

ord_principal fx_admin(void);
ord_principal fx_customer(int64_t customer_id);

/* A create request; @p count items follow as (int product, int quantity) pairs. */
typedef struct fx_request {
    ord_create_request req;
    ord_item_request items[ORD_MAX_ITEMS];
} fx_request;

void fx_request_init(fx_request *r, int64_t customer_id, size_t count, ...);

/* Place a request as admin without an idempotency key; asserts ORD_OK. */
void fx_place(fx *f, const fx_request *r, ord_place_result *out);
/* Place 2 x product 1 + 1 x product 5 for FX_CUSTOMER and assert it is
 * placed; returns the order id. */
int64_t fx_place_confirmed(fx *f);

ord_memory_stock fx_stock(fx *f, int64_t product_id);
/* Load an order as admin by id; asserts success. */
void fx_load(fx *f, int64_t id, ord_order *out);
/* "123" for an id. */
const char *fx_ref(int64_t id, char buf[24]);
void fx_fail(fx *f, int op_is_store, int op, ord_fault_mode mode, ord_error error, int skip,
             int times);
void fx_heal(fx *f, int op_is_store, int op);
#define FX_STORE 1
#define FX_DOWNSTREAM 0

/* Relay every due event to the fake sink until nothing is left to claim. */
void fx_relay_all(fx *f);

#endif

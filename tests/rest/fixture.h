/* The world every REST test runs in: the API over one service built on the
 * in-memory store and fakes (manual clock, counting ids, seeded catalog),
 * plus helpers to send requests and read JSON answers. */
#ifndef ORDERS_TESTS_REST_FIXTURE_H
#define ORDERS_TESTS_REST_FIXTURE_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

#include <orders/adapters/memory/downstream.h>
#include <orders/adapters/memory/store.h>
#include <orders/adapters/memory/test_clock.h>
#include <orders/adapters/rest/api.h>
#include <orders/orders.h>

/* Catalog (USD): product 1 at 99.99 (10 in stock), 2 at 0.10 (100), 3 at
 * 0.20 (100), 4 at 149.99 (none), 5 at 149.99 (10); 999 is unknown;
 * customer 666 is restricted, 777 ineligible. */
#define RX_CUSTOMER 12345
#define RX_OTHER_CUSTOMER 4242
#define RX_START_MS 1772980200000LL /* 2026-03-08T14:30:00Z */
#define RX_ORDER_BODY                                                                    \
    "{\"customerId\":12345,\"customerName\":\"Ada Lovelace\",\"items\":[{\"productId\":1," \
    "\"quantity\":2},{\"productId\":5,\"quantity\":1}],\"deliveryAddress\":\"123 Main St, "  \
    "City, State 12345\",\"carrier\":\"DHL\"}"

typedef struct rx_ready {
    bool database_up;
    bool inventory_up;
} rx_ready;

typedef struct rx {
    ord_memory_store *store;
    ord_memory_downstream *ds;
    ord_manual_clock *clock;
    ord_counting_ids *ids;
    ord_service *svc;
    ord_ports ports;            /* what svc was built over */
    ord_service_config config;  /* and with */
    ord_rest_metrics *metrics;
    ord_rest_api *api;
    FILE *log;       /* access log (a temporary file) */
    bool no_service; /* the service callback returns NULL */
    rx_ready ready;
    void *thread_marker;     /* when set, the thread data every request must carry */
    int wrong_thread_data;   /* requests that carried other thread data */
} rx;

/* cmocka setup/teardown: *state becomes a fresh rx. */
int rx_setup(void **state);
int rx_teardown(void **state);

/* Build the service again over x->ports with x->config (after changing
 * it); the API serves the new one from the next request on. */
void rx_rebuild_service(rx *x);

/* Send a request through ord_rest_api_handle(); @p headers are name, value
 * pairs ending with NULL. The body is sent as application/json unless a
 * Content-Type header is given. */
ord_rest_response rx_send(rx *x, const char *method, const char *path, const char *query,
                          const char *body, ...);
/* As rx_send, with a principal and a header array. */
ord_rest_response rx_send_as(rx *x, const ord_principal *who, const char *method, const char *path,
                             const char *query, const char *body, const ord_rest_header *headers,
                             size_t header_count);

/* The response body parsed; the caller frees it with cJSON_Delete(). */
cJSON *rx_json(const ord_rest_response *res);
/* Integer / string member of a JSON object (asserts presence and type). */
int64_t rx_int(const cJSON *obj, const char *name);
const char *rx_str(const cJSON *obj, const char *name);
/* Assert the body is problem+json with this status and error text, and a
 * type URI that this title may carry. */
void rx_assert_problem(const ord_rest_response *res, int status, const char *error);
/* Where every problem type URI begins (docs/api.md, Errors). */
#define RX_PROBLEM_TYPE_PREFIX "https://orders.example/problems/"
/* Assert the problem's type is RX_PROBLEM_TYPE_PREFIX + @p type. */
void rx_assert_problem_type(const ord_rest_response *res, const char *type);
/* Assert a header's value. */
void rx_assert_header(const ord_rest_response *res, const char *name, const char *value);

/* POST RX_ORDER_BODY and assert 201; returns the order id. */
int64_t rx_place(rx *x);
/* Path of an order: "/api/v1/orders/<id><suffix>". */
const char *rx_path(char buf[96], int64_t id, const char *suffix);

ord_principal rx_customer(int64_t customer_id);

/* The service callback the fixture's API uses (its ctx is the rx), for
 * tests that build an API of their own over the same service. */
ord_rest_service_fn rx_service_callback(void);

#endif

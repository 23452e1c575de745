/* Test helper: drives the downstream simulator's control API (/sim/...) over
 * HTTP, and builds the HTTP adapter pointed at it. */
#ifndef ORDERS_TESTS_HTTP_SIM_CONTROL_H
#define ORDERS_TESTS_HTTP_SIM_CONTROL_H

#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include <orders/adapters/http/client.h>
#include <orders/adapters/http/services.h>

/* Base URL of the simulator the CTest fixture started ("http://127.0.0.1:N"),
 * read from the file named by ORD_SIM_PORT_FILE. NULL when there is none. */
const char *sim_base_url(void);

/* One HTTP exchange with the simulator; returns the status (or -1) and,
 * when body_out is not NULL, the answer body (free()). */
int sim_http(const char *method, const char *path, const char *body, char **body_out);

/* POST /sim/reset; true on 204. */
bool sim_reset(void);
/* PUT /sim/faults with this JSON; true on 200. */
bool sim_fault(const char *json);
/* PUT /sim/catalog with this JSON; true on 204. */
bool sim_catalog(const char *json);
/* GET /sim/state, parsed (cJSON_Delete), or NULL. */
cJSON *sim_state(void);
/* A number from GET /sim/state: state[section][key], or -1. */
int64_t sim_state_number(const char *section, const char *key);
/* Stock of one product from GET /sim/state; false when absent. */
bool sim_stock(int64_t product_id, int64_t *available, int64_t *reserved, int64_t *committed);
/* Wait (bounded) until no request of any service is in flight. */
void sim_wait_idle(void);

/* Options pointed at the simulator, with short test timeouts and a small
 * breaker. webhook must hold 300 bytes and outlive ord_http_services_new. */
void sim_test_options(ord_http_options *options, char *webhook);

/* The adapter under test, pointed at a freshly reset simulator. */
typedef struct http_fixture {
    ord_http_services *services;
    ord_http_client *client;
    char webhook[300];
} http_fixture;

/* Reset the simulator and build services and a client from the test options,
 * changed by tweak (may be NULL). NULL on failure. */
http_fixture *http_fixture_open(void (*tweak)(ord_http_options *options));
void http_fixture_close(http_fixture *fx);

/* cmocka group setup/teardown: libcurl's global init, and a check that the
 * simulator fixture is there. */
int http_group_setup(void **state);
int http_group_teardown(void **state);

#endif

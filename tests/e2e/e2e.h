/* End-to-end test support: HTTP to the order server and the simulator of the
 * stack that stack.sh started (ORD_E2E_DIR), JSON access, waiting for the
 * background workers, concurrent requests, and server restarts. */
#ifndef ORDERS_TESTS_E2E_H
#define ORDERS_TESTS_E2E_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

/* Longest wait for something the background workers do (a bound against
 * hanging, not a timing requirement: they normally take a second or two). */
#define E2E_WAIT_S 60

/* One HTTP answer. */
typedef struct e2e_reply {
    long status;  /* HTTP status, or -1 when the request failed */
    char *body;   /* NUL-terminated */
    size_t body_len;
    char *headers; /* the raw header block */
    cJSON *json;   /* the body parsed, or NULL */
} e2e_reply;

/* cmocka group setup/teardown: libcurl, the stack's ports. */
int e2e_group_setup(void **state);
int e2e_group_teardown(void **state);
/* The same for a stack without an order server (the simulator only). */
int e2e_sim_group_setup(void **state);

/* "http://127.0.0.1:PORT" of the order server and the simulator. */
const char *e2e_server_url(void);
const char *e2e_sim_url(void);

/* A request to the order server. The variadic part is extra header lines
 * ("Name: value") ending with NULL; a body is sent as application/json
 * unless a Content-Type line is given. */
e2e_reply e2e_call(const char *method, const char *path, const char *body, ...);
e2e_reply e2e_vcall(const char *base, const char *method, const char *path, const char *body,
                    size_t body_len, const char *const *headers, size_t header_count);
void e2e_reply_free(e2e_reply *r);

/* A response header's value (first match, case-insensitive) copied into
 * buf; NULL when absent. */
const char *e2e_header(const e2e_reply *r, const char *name, char *buf, size_t cap);

/* Members of a JSON object (fail the test when absent or of another type). */
int64_t e2e_int(const cJSON *obj, const char *name);
const char *e2e_str(const cJSON *obj, const char *name);
/* The amount of a JSON number in minor units (cents), exactly. */
int64_t e2e_cents(const cJSON *obj, const char *name);

/* Assert a problem+json answer with this status and "error" text. */
void e2e_assert_problem(const e2e_reply *r, long status, const char *error);

/* The simulator: reset, faults ({"service":..,"mode":..} JSON), state. */
void e2e_sim_reset(void);
void e2e_fault(const char *service, const char *mode);
void e2e_fault_json(const char *json);
cJSON *e2e_sim_state(void);
/* Stock of a product now. */
void e2e_sim_stock(int64_t product, int64_t *available, int64_t *reserved, int64_t *committed);
/* Status of an order's reservation ("RESERVED", ...), or NULL when none;
 * copied into buf. */
const char *e2e_sim_reservation(int64_t order_id, char *buf, size_t cap);
/* Reservations and shipments the simulator holds for an order. */
int e2e_sim_reservation_count(int64_t order_id);
int e2e_sim_shipment_count(int64_t order_id);

/* An order body for a customer with items given as JSON array text. */
char *e2e_order_body(int64_t customer, const char *items);
/* POST an order and assert 201; returns its id. */
int64_t e2e_place(int64_t customer, const char *items);
/* GET an order and assert 200; the caller frees the JSON. */
cJSON *e2e_get_order(int64_t id);
/* Status of an order into buf. */
const char *e2e_status(int64_t id, char *buf, size_t cap);
/* "/api/v1/orders/<id><suffix>" into buf. */
const char *e2e_path(char *buf, size_t cap, int64_t id, const char *suffix);

/* Poll (every 100 ms, at most E2E_WAIT_S) until cond(ctx); false on time-out. */
bool e2e_wait(bool (*cond)(void *ctx), void *ctx);
/* Wait until an order has this status / a tracking number. */
bool e2e_wait_status(int64_t id, const char *status);
bool e2e_wait_tracking(int64_t id);

/* Requests sent at once from separate threads (released together). */
typedef struct e2e_job {
    const char *method;
    char path[160];
    const char *body;
    const char *headers[4]; /* extra header lines, NULL-terminated */
    e2e_reply reply;        /* filled */
} e2e_job;
void e2e_parallel(e2e_job *jobs, size_t count);

/* The stack's server process: stop it (SIGTERM expecting exit 0, or
 * SIGKILL) and start it again on the same port and database. */
void e2e_server_stop(const char *signal);
void e2e_server_start(void);
/* Further instances of the server on the same database and simulator:
 * start instance N (2, 3...; 1 is the stack's own), stop it with SIGNAL
 * ("TERM" expects exit 0, "KILL"), and its base URL. */
void e2e_instance_start(int n);
void e2e_instance_stop(int n, const char *signal);
void e2e_instance_url(int n, char *url, size_t cap);

/* Run the stack's order-server binary with COMMAND ("redrive-events")
 * against the stack's database; returns its exit status. */
int e2e_server_command(const char *command);
/* Run scripts/pg-cluster.sh CMD on the stack's cluster (stop, restart...). */
void e2e_cluster(const char *cmd);

/* Contents of a file of the stack directory ("server.log"); free(). */
char *e2e_read_stack_file(const char *name);

#endif

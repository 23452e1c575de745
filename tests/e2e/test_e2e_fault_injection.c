/* Fault injection under load: two server instances on one database, clients
 * that retry with their Idempotency-Key (switching instance when one does
 * not answer), a SIGKILL of an instance, a database restart and failing or
 * hanging downstream services. Afterwards every order, reservation, shipment
 * and event is checked against the database and the simulator's state. */
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "e2e.h"
#include "e2e_db.h"

#define INSTANCES 2
#define CLIENTS 6
/* Each client places orders until the faults are over (and at least
 * MIN_ORDERS), at most MAX_ORDERS. */
#define MIN_ORDERS 20
#define MAX_ORDERS 400
/* How long one key is retried before the client gives up on it (bounded:
 * every fault of the run heals well within it). */
#define KEY_RETRY_S 40
#define PRODUCTS 11
#define SCARCE_PRODUCT 11
#define PLENTY 1000000
#define SCARCE 5
/* Customers of the load run; the checks look at their orders only. */
#define FIRST_CUSTOMER 6000
#define FIRST_CUSTOMER_TEXT "6000"

static char urls[INSTANCES + 1][64];
static atomic_bool faults_over;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void pause_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static e2e_reply call_on(int instance, const char *method, const char *path, const char *body,
                         const char *key)
{
    char header[300];
    const char *headers[1];
    size_t count = 0;
    if (key != NULL) {
        snprintf(header, sizeof header, "Idempotency-Key: %s", key);
        headers[count++] = header;
    }
    return e2e_vcall(urls[instance], method, path, body, body != NULL ? strlen(body) : 0,
                     headers, count);
}

static void refresh_urls(void)
{
    for (int i = 1; i <= INSTANCES; i++)
        e2e_instance_url(i, urls[i], sizeof urls[i]);
}

static int setup(void **state)
{
    int rc = e2e_group_setup(state);
    if (rc != 0)
        return rc;
    e2e_instance_start(2);
    refresh_urls();
    return 0;
}

static int teardown(void **state)
{
    e2e_instance_stop(2, "TERM");
    return e2e_group_teardown(state);
}

/* ---- a retry after the key's holder was killed ---- */

typedef struct held_create {
    const char *body;
    e2e_reply reply;
} held_create;

static void *create_on_first(void *arg)
{
    held_create *h = arg;
    h->reply = call_on(1, "POST", "/api/v1/orders", h->body, "killed-holder-1");
    return NULL;
}

static int64_t first_order_of(int instance, int64_t customer)
{
    char path[96];
    snprintf(path, sizeof path, "/api/v1/orders/customer/%" PRId64, customer);
    e2e_reply r = call_on(instance, "GET", path, NULL, NULL);
    int64_t id = 0;
    if (r.status == 200 && cJSON_IsArray(r.json) && cJSON_GetArraySize(r.json) > 0)
        id = e2e_int(cJSON_GetArrayItem(r.json, 0), "orderId");
    e2e_reply_free(&r);
    return id;
}

static void test_retry_after_the_key_holder_was_killed_resumes_its_order(void **state)
{
    (void)state;
    e2e_sim_reset();
    e2e_fault("inventory", "hang");
    held_create h = {.body = e2e_order_body(4101, "[{\"productId\":3,\"quantity\":1}]")};
    pthread_t thread;
    assert_int_equal(pthread_create(&thread, NULL, create_on_first, &h), 0);

    /* Stored and bound to its key, the create waits for inventory: kill it. */
    int64_t id = 0;
    for (int i = 0; i < 200 && (id = first_order_of(2, 4101)) == 0; i++)
        pause_ms(25);
    assert_true(id > 0);
    e2e_instance_stop(1, "KILL");
    pthread_join(thread, NULL);
    assert_true(h.reply.status == -1); /* the connection died with the server */
    e2e_reply_free(&h.reply);
    e2e_fault("inventory", "ok");

    /* A client retries for a few seconds, as real ones do: the other instance
     * takes the key over and finishes the same order. Before, every retry
     * was 409 "in progress" until the key's lock ran out. */
    e2e_reply r = {.status = -1};
    double start = now_s();
    for (;;) {
        r = call_on(2, "POST", "/api/v1/orders", h.body, "killed-holder-1");
        if (r.status != 409 || now_s() - start > 3.0)
            break;
        e2e_reply_free(&r);
        pause_ms(100);
    }
    assert_int_equal(r.status, 201);
    assert_int_equal(e2e_int(r.json, "orderId"), id);
    assert_string_equal(e2e_str(r.json, "status"), "CONFIRMED");
    e2e_reply_free(&r);
    assert_int_equal(e2e_sim_reservation_count(id), 1);
    free((char *)h.body);
    e2e_instance_start(1);
}

/* ---- many clients, many faults ---- */

typedef struct key_outcome {
    int final_status; /* 201, 400 (insufficient stock), or 0: given up */
    int64_t order_id; /* from any answer that named it; 0: none */
    bool conflicting; /* two answers named different orders */
} key_outcome;

typedef struct client {
    int index;
    unsigned seed;
    key_outcome keys[MAX_ORDERS];
    int used; /* keys[0..used) */
    int unexpected_status; /* first status outside the expected set, or 0 */
    char unexpected_body[200];
    int answers_5xx_other_than_503;
} client;

static bool acceptable(int status)
{
    /* -1: the instance died or restarts; 503: a dependency is down; 409: the
     * key is in progress on the instance that died, or a lost race. */
    return status == -1 || status == 201 || status == 204 || status == 400 || status == 409 ||
           status == 503;
}

static void note(client *c, const e2e_reply *r)
{
    if (r->status >= 500 && r->status != 503)
        c->answers_5xx_other_than_503++;
    if (!acceptable((int)r->status) && c->unexpected_status == 0) {
        c->unexpected_status = (int)r->status;
        snprintf(c->unexpected_body, sizeof c->unexpected_body, "%s",
                 r->body != NULL ? r->body : "");
    }
}

static void place(client *c, int n, int *instance)
{
    char key[48];
    snprintf(key, sizeof key, "chaos-%d-%d", c->index, n);
    /* 1..3 distinct products: steps of 4 never meet again within 3 lines. */
    int lines = 1 + (int)(rand_r(&c->seed) % 3);
    int first = (int)(rand_r(&c->seed) % PRODUCTS);
    char items[160] = "[";
    for (int i = 0; i < lines; i++) {
        char line[48];
        snprintf(line, sizeof line, "%s{\"productId\":%d,\"quantity\":1}", i ? "," : "",
                 (first + 4 * i) % PRODUCTS + 1);
        strcat(items, line);
    }
    strcat(items, "]");
    char *body = e2e_order_body(FIRST_CUSTOMER + c->index, items);
    key_outcome *k = &c->keys[n];
    double start = now_s();
    while (now_s() - start < KEY_RETRY_S) {
        e2e_reply r = call_on(*instance, "POST", "/api/v1/orders", body, key);
        note(c, &r);
        if (r.json != NULL && cJSON_GetObjectItem(r.json, "orderId") != NULL) {
            int64_t id = e2e_int(r.json, "orderId");
            if (k->order_id != 0 && k->order_id != id)
                k->conflicting = true;
            k->order_id = id;
        }
        long status = r.status;
        e2e_reply_free(&r);
        if (status == 201 || status == 400) {
            k->final_status = (int)status;
            break;
        }
        if (status == -1)
            *instance = *instance % INSTANCES + 1; /* this one is down: the other */
        pause_ms(150);
    }
    free(body);
}

/* Cancel, ship or ship-and-deliver some orders, retrying what did not
 * answer; 409 is a fair answer (a race with recovery, or a cancelled order). */
static void act(client *c, int n, int *instance)
{
    key_outcome *k = &c->keys[n];
    if (k->final_status != 201)
        return;
    static const char *const plans[][2] = {
        {NULL, NULL}, {"/cancel", NULL}, {"/ship", NULL}, {"/ship", "/deliver"}};
    const char *const *plan = plans[rand_r(&c->seed) % 4];
    for (int step = 0; step < 2 && plan[step] != NULL; step++) {
        char path[96];
        e2e_path(path, sizeof path, k->order_id, plan[step]);
        double start = now_s();
        while (now_s() - start < KEY_RETRY_S) {
            e2e_reply r = call_on(*instance, "PUT", path, NULL, NULL);
            note(c, &r);
            long status = r.status;
            e2e_reply_free(&r);
            if (status == 204 || status == 409)
                break;
            if (status == -1)
                *instance = *instance % INSTANCES + 1;
            pause_ms(150);
        }
    }
}

static void *client_run(void *arg)
{
    client *c = arg;
    int instance = 1 + c->index % INSTANCES;
    for (int n = 0; n < MAX_ORDERS && (n < MIN_ORDERS || !atomic_load(&faults_over)); n++) {
        place(c, n, &instance);
        act(c, n, &instance);
        c->used = n + 1;
        instance = instance % INSTANCES + 1;
    }
    return NULL;
}

/* ---- checks from the database ---- */

typedef struct settle_ctx {
    PGconn *db;
} settle_ctx;

/* Nothing left for the background workers: no order waiting for stock, a
 * tracking number or an inventory action, no event waiting for delivery. */
static bool settled(void *arg)
{
    settle_ctx *s = arg;
    return e2e_scalar(s->db,
                  "SELECT (SELECT count(*) FROM orders WHERE status = 'PENDING_CHECK' "
                  "   OR pending_inventory <> 0 "
                  "   OR (status IN ('CONFIRMED', 'SHIPPED', 'DELIVERED') "
                  "       AND coalesce(tracking_number, '') = '')) "
                  "     + (SELECT count(*) FROM outbox_events WHERE NOT delivered)") == 0;
}

static const cJSON *find_by_order(const cJSON *list, int64_t order_id)
{
    const cJSON *item;
    cJSON_ArrayForEach(item, list) {
        const cJSON *id = cJSON_GetObjectItem(item, "orderId");
        if (cJSON_IsNumber(id) && (int64_t)id->valuedouble == order_id)
            return item;
    }
    return NULL;
}

static void check_orders_against_simulator(PGconn *db, const cJSON *state)
{
    const cJSON *reservations = cJSON_GetObjectItem(state, "reservations");
    const cJSON *shipments = cJSON_GetObjectItem(state, "shipments");
    PGresult *r = PQexec(db, "SELECT id, status, coalesce(tracking_number, '') FROM orders "
                             "WHERE customer_id >= " FIRST_CUSTOMER_TEXT);
    assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
    for (int i = 0; i < PQntuples(r); i++) {
        int64_t id = strtoll(PQgetvalue(r, i, 0), NULL, 10);
        const char *status = PQgetvalue(r, i, 1);
        const char *tracking = PQgetvalue(r, i, 2);
        const cJSON *res = find_by_order(reservations, id);
        const char *res_status = res != NULL ? e2e_str(res, "status") : "NONE";
        bool ok;
        if (strcmp(status, "CONFIRMED") == 0)
            ok = strcmp(res_status, "RESERVED") == 0;
        else if (strcmp(status, "SHIPPED") == 0 || strcmp(status, "DELIVERED") == 0)
            ok = strcmp(res_status, "COMMITTED") == 0;
        else if (strcmp(status, "CANCELLED") == 0)
            ok = strcmp(res_status, "RESERVED") != 0 && strcmp(res_status, "COMMITTED") != 0;
        else
            ok = false; /* nothing may stay PENDING_CHECK once settled */
        if (!ok)
            fail_msg("order %" PRId64 " is %s but its reservation is %s", id, status, res_status);
        const cJSON *ship = find_by_order(shipments, id);
        if (strcmp(status, "CANCELLED") != 0) {
            if (ship == NULL || strcmp(e2e_str(ship, "trackingNumber"), tracking) != 0)
                fail_msg("order %" PRId64 " (%s) has tracking \"%s\" but the simulator %s", id,
                         status, tracking, ship ? e2e_str(ship, "trackingNumber") : "has none");
        }
    }
    PQclear(r);
    /* And nothing reserved or shipped for an order the database does not know. */
    const cJSON *item;
    cJSON_ArrayForEach(item, reservations) {
        char sql[128];
        snprintf(sql, sizeof sql, "SELECT count(*) FROM orders WHERE id = %" PRId64,
                 e2e_int(item, "orderId"));
        if (e2e_scalar(db, sql) != 1)
            fail_msg("a reservation for unknown order %" PRId64, e2e_int(item, "orderId"));
    }
}

static void check_stock(const cJSON *state)
{
    const cJSON *p;
    cJSON_ArrayForEach(p, cJSON_GetObjectItem(state, "products")) {
        int64_t id = e2e_int(p, "productId");
        int64_t total = e2e_int(p, "available") + e2e_int(p, "reserved") + e2e_int(p, "committed");
        if (total != (id == SCARCE_PRODUCT ? SCARCE : PLENTY))
            fail_msg("product %" PRId64 ": stock adds up to %" PRId64, id, total);
    }
}

/* Every outbox event reached the sink, and each order's events arrived
 * first in the order of their sequence. */
static void check_events(PGconn *db, const cJSON *state)
{
    const cJSON *events = cJSON_GetObjectItem(state, "events");
    int64_t received = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, events)
        received += e2e_int(e, "customerId") >= FIRST_CUSTOMER;
    assert_int_equal(received, e2e_scalar(db, "SELECT count(*) FROM outbox_events "
                                          "WHERE customer_id >= " FIRST_CUSTOMER_TEXT));
    assert_int_equal(e2e_scalar(db, "SELECT count(*) FROM outbox_events WHERE parked"), 0);
    PGresult *r = PQexec(db, "SELECT order_id, max(sequence) FROM outbox_events "
                             "WHERE customer_id >= " FIRST_CUSTOMER_TEXT " GROUP BY order_id");
    assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
    for (int i = 0; i < PQntuples(r); i++) {
        int64_t order = strtoll(PQgetvalue(r, i, 0), NULL, 10);
        int64_t last = -1;
        cJSON_ArrayForEach(e, events) {
            if (e2e_int(e, "orderId") != order)
                continue;
            int64_t seq = e2e_int(e, "sequence");
            if (seq <= last)
                fail_msg("order %" PRId64 ": event %" PRId64 " arrived after %" PRId64, order,
                         seq, last);
            last = seq;
        }
        assert_int_equal(last, strtoll(PQgetvalue(r, i, 1), NULL, 10));
    }
    PQclear(r);
}

static void test_faults_under_load_lose_and_duplicate_nothing(void **state)
{
    (void)state;
    e2e_sim_reset();
    char catalog[2048];
    size_t n = (size_t)snprintf(catalog, sizeof catalog, "{\"products\":[");
    for (int p = 1; p <= PRODUCTS; p++)
        n += (size_t)snprintf(catalog + n, sizeof catalog - n,
                              "%s{\"productId\":%d,\"name\":\"P%d\",\"price\":1.25,"
                              "\"currency\":\"USD\",\"available\":%d}",
                              p > 1 ? "," : "", p, p, p == SCARCE_PRODUCT ? SCARCE : PLENTY);
    snprintf(catalog + n, sizeof catalog - n, "]}");
    e2e_reply put = e2e_vcall(e2e_sim_url(), "PUT", "/sim/catalog", catalog, strlen(catalog),
                              NULL, 0);
    assert_int_equal(put.status, 204);
    e2e_reply_free(&put);

    static client clients[CLIENTS];
    pthread_t threads[CLIENTS];
    atomic_store(&faults_over, false);
    for (int i = 0; i < CLIENTS; i++) {
        clients[i] = (client){.index = i, .seed = 1234u + (unsigned)i};
        assert_int_equal(pthread_create(&threads[i], NULL, client_run, &clients[i]), 0);
    }

    /* The faults, one after another, while the clients work. */
    pause_ms(1500);
    e2e_instance_stop(1, "KILL");
    pause_ms(1500);
    e2e_instance_start(1);
    e2e_fault_json("{\"service\":\"tracking\",\"mode\":\"hang\"}");
    pause_ms(1500);
    e2e_fault_json("{\"service\":\"tracking\",\"mode\":\"ok\"}");
    e2e_cluster("restart");
    pause_ms(1000);
    e2e_fault_json("{\"service\":\"inventory\",\"mode\":\"error\",\"errorRate\":0.3}");
    e2e_fault_json("{\"service\":\"events\",\"mode\":\"error\"}");
    pause_ms(2000);
    e2e_fault_json("{\"service\":\"all\",\"mode\":\"ok\"}");
    atomic_store(&faults_over, true);

    for (int i = 0; i < CLIENTS; i++)
        pthread_join(threads[i], NULL);

    int placed = 0, refused = 0;
    for (int i = 0; i < CLIENTS; i++) {
        client *c = &clients[i];
        if (c->unexpected_status != 0)
            fail_msg("client %d got status %d: %s", i, c->unexpected_status, c->unexpected_body);
        assert_int_equal(c->answers_5xx_other_than_503, 0);
        for (int k = 0; k < c->used; k++) {
            if (c->keys[k].conflicting)
                fail_msg("key chaos-%d-%d was answered with two different orders", i, k);
            if (c->keys[k].final_status == 0)
                fail_msg("key chaos-%d-%d never got a final answer", i, k);
            placed += c->keys[k].final_status == 201;
            refused += c->keys[k].final_status == 400;
        }
    }
    assert_true(placed > 0);
    print_message("placed %d orders, %d refused for stock\n", placed, refused);

    PGconn *db = e2e_database();
    settle_ctx s = {db};
    if (!e2e_wait(settled, &s))
        fail_msg("unsettled: %" PRId64 " pending, %" PRId64 " owing inventory, %" PRId64
                 " without tracking number, %" PRId64 " events undelivered",
                 e2e_scalar(db, "SELECT count(*) FROM orders WHERE status = 'PENDING_CHECK'"),
                 e2e_scalar(db, "SELECT count(*) FROM orders WHERE pending_inventory <> 0"),
                 e2e_scalar(db, "SELECT count(*) FROM orders WHERE status IN ('CONFIRMED', "
                            "'SHIPPED', 'DELIVERED') AND coalesce(tracking_number, '') = ''"),
                 e2e_scalar(db, "SELECT count(*) FROM outbox_events WHERE NOT delivered"));
    /* One order per key: every stored order is the one its key is bound to. */
    assert_int_equal(e2e_scalar(db, "SELECT count(*) FROM orders o WHERE NOT EXISTS "
                                "(SELECT 1 FROM idempotency_keys k "
                                " WHERE k.order_number = o.order_number)"),
                     0);
    assert_int_equal(e2e_scalar(db, "SELECT count(*) FROM orders "
                                "WHERE customer_id >= " FIRST_CUSTOMER_TEXT),
                     placed + refused);

    cJSON *sim = e2e_sim_state();
    check_orders_against_simulator(db, sim);
    check_stock(sim);
    check_events(db, sim);
    cJSON_Delete(sim);
    PQfinish(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_retry_after_the_key_holder_was_killed_resumes_its_order),
        cmocka_unit_test(test_faults_under_load_lose_and_duplicate_nothing),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

/* Three order servers on one database behind HAProxy (balanced.sh: the
 * arrangement of scripts/run.sh --instances 3), on the stack's database and
 * simulator:
 * - under load, every background claim is taken once, every event reaches
 *   the sink once and in order per order, and each order is worked by one
 *   instance (the workers' log lines, the leases and the simulator agree);
 * - scripts/rolling-restart.sh restarts every instance under steady load
 *   through HAProxy and not one request fails;
 * - kill -9 of an instance holding leased work: another instance takes it
 *   over once the lease has expired; no order stays PENDING_CHECK, no
 *   reservation leaks. */
#include <inttypes.h>
#include <libgen.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <libpq-fe.h>

#include "e2e.h"
#include "e2e_db.h"

#define INSTANCES 3
#define PRODUCTS 4
#define PLENTY 1000000
/* Customers of each test, so that the checks look at their own orders. */
#define LOAD_CUSTOMER 7100
#define RESTART_CUSTOMER 7200
#define KILL_CUSTOMER 7300

static char balanced_dir[1024];
static char front_url[128];
static char instance_url[INSTANCES + 1][128];

/* ---- helpers ---- */

static void pause_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    size_t cap = 1 << 16, len = 0, n;
    char *text = malloc(cap);
    assert_non_null(text);
    while ((n = fread(text + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (len + 1 == cap) {
            cap *= 2;
            text = realloc(text, cap);
            assert_non_null(text);
        }
    }
    text[len] = '\0';
    fclose(f);
    return text;
}

static void read_line_into(const char *name, char *out, size_t cap)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/%s", balanced_dir, name);
    char *text = read_text(path);
    if (text == NULL)
        fail_msg("no %s", path);
    text[strcspn(text, "\r\n")] = '\0';
    snprintf(out, cap, "%s", text);
    free(text);
}

static const char *scripts_dir(void)
{
    static char dir[1024];
    const char *cluster = getenv("ORD_E2E_CLUSTER"); /* scripts/pg-cluster.sh */
    assert_non_null(cluster);
    snprintf(dir, sizeof dir, "%s", cluster);
    return dirname(dir);
}

static int run(const char *line)
{
    int status = system(line);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void put_catalog(void)
{
    char catalog[1024];
    size_t n = (size_t)snprintf(catalog, sizeof catalog, "{\"products\":[");
    for (int p = 1; p <= PRODUCTS; p++)
        n += (size_t)snprintf(catalog + n, sizeof catalog - n,
                              "%s{\"productId\":%d,\"name\":\"P%d\",\"price\":2.50,"
                              "\"currency\":\"USD\",\"available\":%d}",
                              p > 1 ? "," : "", p, p, PLENTY);
    snprintf(catalog + n, sizeof catalog - n, "]}");
    e2e_reply put =
        e2e_vcall(e2e_sim_url(), "PUT", "/sim/catalog", catalog, strlen(catalog), NULL, 0);
    assert_int_equal(put.status, 204);
    e2e_reply_free(&put);
}

static e2e_reply post_order(const char *base, int64_t customer, int product)
{
    char items[64];
    snprintf(items, sizeof items, "[{\"productId\":%d,\"quantity\":1}]", product);
    char *body = e2e_order_body(customer, items);
    e2e_reply r = e2e_vcall(base, "POST", "/api/v1/orders", body, strlen(body), NULL, 0);
    free(body);
    return r;
}

/* Each background action line of every instance's log: how many times each
 * order had ACTION done with result ok, and by which instances (bit n). */
typedef struct action_count {
    int64_t order_id;
    int count;
    unsigned instances;
} action_count;

static int count_actions(const char *action, action_count *out, int cap)
{
    int used = 0;
    for (int n = 1; n <= INSTANCES; n++) {
        char path[1200];
        snprintf(path, sizeof path, "%s/instance-%d.log", balanced_dir, n);
        char *log = read_text(path);
        if (log == NULL)
            continue;
        for (char *line = strtok(log, "\n"); line != NULL; line = strtok(NULL, "\n")) {
            if (strstr(line, "\"background action\"") == NULL)
                continue;
            cJSON *j = cJSON_Parse(line);
            const cJSON *a = cJSON_GetObjectItem(j, "action");
            const cJSON *r = cJSON_GetObjectItem(j, "result");
            const cJSON *id = cJSON_GetObjectItem(j, "orderId");
            if (cJSON_IsString(a) && strcmp(a->valuestring, action) == 0 && cJSON_IsString(r) &&
                strcmp(r->valuestring, "ok") == 0 && cJSON_IsNumber(id)) {
                int64_t order = (int64_t)id->valuedouble;
                int k = 0;
                while (k < used && out[k].order_id != order)
                    k++;
                if (k == used && used < cap)
                    out[used++] = (action_count){order, 0, 0};
                if (k < used) {
                    out[k].count++;
                    out[k].instances |= 1u << n;
                }
            }
            cJSON_Delete(j);
        }
        free(log);
    }
    return used;
}

static const action_count *find_action(const action_count *a, int n, int64_t order)
{
    for (int i = 0; i < n; i++)
        if (a[i].order_id == order)
            return &a[i];
    return NULL;
}

typedef struct settle_ctx {
    PGconn *db;
    const char *customers; /* SQL predicate on customer_id */
} settle_ctx;

static bool settled(void *arg)
{
    settle_ctx *s = arg;
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT (SELECT count(*) FROM orders WHERE (%s) AND (status = 'PENDING_CHECK' "
             "OR pending_inventory <> 0 OR (status = 'CONFIRMED' AND "
             "coalesce(tracking_number, '') = ''))) + "
             "(SELECT count(*) FROM outbox_events WHERE (%s) AND NOT delivered)",
             s->customers, s->customers);
    return e2e_scalar(s->db, sql) == 0;
}

/* Every order of these customers is CONFIRMED with one reservation held and
 * one shipment; no reservation exists for an order the database lacks. */
static void check_confirmed_once(PGconn *db, const char *customers, const cJSON *state)
{
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT id, status FROM orders WHERE %s", customers);
    PGresult *r = PQexec(db, sql);
    assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
    for (int i = 0; i < PQntuples(r); i++) {
        int64_t id = strtoll(PQgetvalue(r, i, 0), NULL, 10);
        if (strcmp(PQgetvalue(r, i, 1), "CONFIRMED") != 0)
            fail_msg("order %" PRId64 " is %s", id, PQgetvalue(r, i, 1));
        char res[32];
        const char *rs = e2e_sim_reservation(id, res, sizeof res);
        if (rs == NULL || strcmp(rs, "RESERVED") != 0 || e2e_sim_reservation_count(id) != 1 ||
            e2e_sim_shipment_count(id) != 1)
            fail_msg("order %" PRId64 ": reservation %s (%d), %d shipments", id,
                     rs ? rs : "none", e2e_sim_reservation_count(id), e2e_sim_shipment_count(id));
    }
    PQclear(r);
    const cJSON *p;
    cJSON_ArrayForEach(p, cJSON_GetObjectItem(state, "products")) {
        int64_t total = e2e_int(p, "available") + e2e_int(p, "reserved") + e2e_int(p, "committed");
        if (total != PLENTY)
            fail_msg("product %" PRId64 ": stock adds up to %" PRId64, e2e_int(p, "productId"),
                     total);
    }
}

/* ---- setup ---- */

static int setup(void **state)
{
    int rc = e2e_group_setup(state);
    if (rc != 0)
        return rc;
    /* The stack's own server would take background work too: only the
     * balanced instances run. */
    e2e_server_stop("TERM");
    const char *stack = getenv("ORD_E2E_DIR");
    assert_non_null(stack);
    snprintf(balanced_dir, sizeof balanced_dir, "%s/balanced", stack);
    char line[4096];
    /* Checks every 200 ms, out after two failures: a 1.5 s grace covers it.
     * Small batches spread the claims; a short lease for the takeover. */
    snprintf(line, sizeof line,
             "bash '%s/../tests/e2e/balanced.sh' start '%s' '%s' %d 200 "
             "--drain-grace-ms 1500 --threads 32 --database-pool-size 6 "
             "--recovery-interval-ms 200 --relay-interval-ms 100 --pending-stale-ms 1000 "
             "--lease-ms 3000 --batch-size 2 --tracking-backoff-min-ms 200 "
             "--tracking-backoff-max-ms 1000 --outbox-backoff-min-ms 100 "
             "--outbox-backoff-max-ms 1000 --inventory-timeout-ms 1000 --retry-attempts 1 "
             "--breaker-window 1000 --breaker-minimum-calls 1000",
             scripts_dir(), balanced_dir, stack, INSTANCES);
    if (run(line) != 0)
        fail_msg("balanced.sh start failed");
    read_line_into("front_url", front_url, sizeof front_url);
    for (int n = 1; n <= INSTANCES; n++) {
        char name[32];
        snprintf(name, sizeof name, "instance-%d.url", n);
        read_line_into(name, instance_url[n], sizeof instance_url[n]);
    }
    return 0;
}

static int teardown(void **state)
{
    char line[2048];
    snprintf(line, sizeof line, "bash '%s/../tests/e2e/balanced.sh' stop '%s'", scripts_dir(),
             balanced_dir);
    int rc = run(line);
    e2e_group_teardown(state);
    return rc;
}

/* ---- 1. the work is shared, each piece done once ---- */

static void test_three_instances_take_each_claim_and_event_once(void **state)
{
    (void)state;
    e2e_sim_reset();
    put_catalog();
    /* Orders left PENDING_CHECK for the recovery workers: inventory refuses
     * while they are placed, and is back before they go stale. */
    e2e_fault("inventory", "error");
    enum { ORDERS = 24 };
    int64_t ids[ORDERS];
    for (int i = 0; i < ORDERS; i++) {
        e2e_reply r = post_order(front_url, LOAD_CUSTOMER + i % 6, 1 + i % PRODUCTS);
        assert_int_equal(r.status, 503);
        ids[i] = e2e_int(r.json, "orderId");
        e2e_reply_free(&r);
    }
    e2e_fault("inventory", "ok");
    /* And a steady stream of orders placed through the balancer meanwhile,
     * shipped and delivered: events for the three relays. */
    for (int i = 0; i < 30; i++) {
        e2e_reply r = post_order(front_url, LOAD_CUSTOMER + 10 + i % 6, 1 + i % PRODUCTS);
        assert_int_equal(r.status, 201);
        int64_t id = e2e_int(r.json, "orderId");
        e2e_reply_free(&r);
        if (i % 3 == 0) {
            char path[96];
            e2e_path(path, sizeof path, id, "/ship");
            e2e_reply s = e2e_vcall(front_url, "PUT", path, NULL, 0, NULL, 0);
            assert_int_equal(s.status, 204);
            e2e_reply_free(&s);
        }
    }

    PGconn *db = e2e_database();
    settle_ctx s = {db, "customer_id BETWEEN 7100 AND 7199"};
    assert_true(e2e_wait(settled, &s));
    /* Settled means confirmed, shipped or confirmed: count them all. */
    assert_int_equal(e2e_scalar(db, "SELECT count(*) FROM orders WHERE customer_id BETWEEN 7100 "
                                "AND 7199 AND status NOT IN ('CONFIRMED', 'SHIPPED')"),
                     0);

    /* Each stale order resumed exactly once, by one instance, and no lease
     * is left behind. */
    static action_count resumed[256];
    int n = count_actions("pending_resume", resumed, 256);
    unsigned workers = 0;
    for (int i = 0; i < ORDERS; i++) {
        const action_count *a = find_action(resumed, n, ids[i]);
        if (a == NULL || a->count != 1)
            fail_msg("order %" PRId64 " was resumed %d times", ids[i], a ? a->count : 0);
        workers |= a->instances;
        char res[32];
        const char *rs = e2e_sim_reservation(ids[i], res, sizeof res);
        assert_non_null(rs);
        assert_int_equal(e2e_sim_reservation_count(ids[i]), 1);
        assert_int_equal(e2e_sim_shipment_count(ids[i]), 1);
    }
    print_message("stale orders resumed by instances (bits): %x\n", workers);
    assert_int_equal(e2e_scalar(db, "SELECT count(*) FROM orders WHERE customer_id BETWEEN 7100 "
                                "AND 7199 AND lease_owner IS NOT NULL "
                                "AND status = 'PENDING_CHECK'"),
                     0);

    /* Every event once, in order per order: the sink saw no duplicate, as
     * many events as the outbox holds, each order's in sequence; and the
     * relays logged one delivery per event. */
    cJSON *sim = e2e_sim_state();
    assert_int_equal(e2e_int(sim, "duplicateEvents"), 0);
    int64_t outbox = e2e_scalar(db, "SELECT count(*) FROM outbox_events "
                                "WHERE customer_id BETWEEN 7100 AND 7199");
    int64_t received = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItem(sim, "events")) {
        if (e2e_int(e, "customerId") < LOAD_CUSTOMER || e2e_int(e, "customerId") > 7199)
            continue;
        received++;
        int64_t order = e2e_int(e, "orderId");
        int64_t seq = e2e_int(e, "sequence");
        const cJSON *f;
        cJSON_ArrayForEach(f, cJSON_GetObjectItem(sim, "events")) {
            if (f == e)
                break;
            if (e2e_int(f, "orderId") == order && e2e_int(f, "sequence") >= seq)
                fail_msg("order %" PRId64 ": event %" PRId64 " after %" PRId64, order, seq,
                         e2e_int(f, "sequence"));
        }
    }
    assert_true(outbox > ORDERS);
    assert_int_equal(received, outbox);
    /* No delivery failed here, so each event took one attempt: the relays
     * logged exactly as many deliveries per order as it has events. */
    static action_count delivered[512];
    int d = count_actions("event_delivered", delivered, 512);
    PGresult *per = PQexec(db, "SELECT order_id, count(*) FROM outbox_events "
                               "WHERE customer_id BETWEEN 7100 AND 7199 GROUP BY order_id");
    assert_int_equal(PQresultStatus(per), PGRES_TUPLES_OK);
    for (int i = 0; i < PQntuples(per); i++) {
        int64_t order = strtoll(PQgetvalue(per, i, 0), NULL, 10);
        const action_count *a = find_action(delivered, d, order);
        int64_t events = strtoll(PQgetvalue(per, i, 1), NULL, 10);
        if (a == NULL || a->count != events)
            fail_msg("order %" PRId64 ": %" PRId64 " events, %d deliveries logged", order, events,
                     a ? a->count : 0);
    }
    PQclear(per);
    check_confirmed_once(db, "customer_id BETWEEN 7100 AND 7109", sim);
    cJSON_Delete(sim);
    PQfinish(db);
}

/* ---- 2. a rolling restart under steady load fails nothing ---- */

typedef struct load_client {
    int index;
    atomic_bool *stop;
    int requests;
    int failures;
    char first_failure[400];
} load_client;

static size_t discard(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    (void)ptr;
    (void)userdata;
    return size * nmemb;
}

/* A client on one kept-alive connection to the balancer: creates (with an
 * Idempotency-Key each) and reads, one after another. Any answer but 201 or
 * 200, and any transport error, is a failure. */
static void *load_run(void *arg)
{
    load_client *c = arg;
    CURL *curl = curl_easy_init();
    struct curl_slist *headers = NULL;
    headers = curl_slist_append(headers, "Content-Type: application/json");
    headers = curl_slist_append(headers, "Expect:");
    char url[256], key[80], keyline[120];
    char *body = e2e_order_body(RESTART_CUSTOMER + c->index, "[{\"productId\":2,\"quantity\":1}]");
    for (int i = 0; !atomic_load(c->stop); i++) {
        bool create = i % 2 == 0;
        struct curl_slist *h = NULL;
        curl_easy_reset(curl);
        if (create) {
            snprintf(url, sizeof url, "%s/api/v1/orders", front_url);
            snprintf(key, sizeof key, "roll-%d-%d", c->index, i);
            snprintf(keyline, sizeof keyline, "Idempotency-Key: %s", key);
            h = curl_slist_append(NULL, keyline);
            for (struct curl_slist *x = headers; x != NULL; x = x->next)
                h = curl_slist_append(h, x->data);
            curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
            curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h);
        } else {
            snprintf(url, sizeof url, "%s/api/v1/orders/customer/%d?limit=5", front_url,
                     RESTART_CUSTOMER + c->index);
        }
        curl_easy_setopt(curl, CURLOPT_URL, url);
        curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
        curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
        CURLcode code = curl_easy_perform(curl);
        long status = 0;
        if (code == CURLE_OK)
            curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
        curl_slist_free_all(h);
        c->requests++;
        if (status != (create ? 201 : 200)) {
            if (c->failures++ == 0)
                snprintf(c->first_failure, sizeof c->first_failure, "%s %s: %s, status %ld",
                         create ? "POST" : "GET", url, curl_easy_strerror(code), status);
        }
    }
    free(body);
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    return NULL;
}

static void test_a_rolling_restart_under_load_fails_no_request(void **state)
{
    (void)state;
    e2e_sim_reset();
    put_catalog();
    enum { CLIENTS = 4 };
    static load_client clients[CLIENTS];
    pthread_t threads[CLIENTS];
    atomic_bool stop;
    atomic_store(&stop, false);
    for (int i = 0; i < CLIENTS; i++) {
        clients[i] = (load_client){.index = i, .stop = &stop};
        assert_int_equal(pthread_create(&threads[i], NULL, load_run, &clients[i]), 0);
    }
    pause_ms(500);
    char line[2048];
    snprintf(line, sizeof line, "bash '%s/rolling-restart.sh' '%s'", scripts_dir(),
             balanced_dir);
    double start = now_s();
    int rc = run(line);
    double took = now_s() - start;
    pause_ms(500);
    atomic_store(&stop, true);
    int requests = 0, failures = 0;
    for (int i = 0; i < CLIENTS; i++) {
        pthread_join(threads[i], NULL);
        requests += clients[i].requests;
        failures += clients[i].failures;
        if (clients[i].failures > 0)
            print_message("client %d: %s\n", i, clients[i].first_failure);
    }
    print_message("rolling restart of %d instances in %.1f s: %d requests, %d failed\n",
                  INSTANCES, took, requests, failures);
    assert_int_equal(rc, 0);
    assert_int_equal(failures, 0);
    assert_true(requests > 100);
    /* Each instance is a new process now. */
    for (int n = 1; n <= INSTANCES; n++) {
        char name[32], exits[64];
        snprintf(name, sizeof name, "instance-%d.exits", n);
        read_line_into(name, exits, sizeof exits);
        assert_string_equal(exits, "0");
    }
}

/* ---- 3. kill -9: leased work taken over after the lease ---- */

static int64_t leased_by(PGconn *db, const char *owner)
{
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM orders WHERE customer_id BETWEEN 7300 AND 7399 "
             "AND status = 'PENDING_CHECK' AND lease_owner = '%s'",
             owner);
    return e2e_scalar(db, sql);
}

static void test_a_killed_instances_leases_are_taken_over_after_they_expire(void **state)
{
    (void)state;
    e2e_sim_reset();
    put_catalog();
    e2e_fault("inventory", "error");
    enum { ORDERS = 8 };
    int64_t ids[ORDERS];
    for (int i = 0; i < ORDERS; i++) {
        e2e_reply r = post_order(front_url, KILL_CUSTOMER + i, 1 + i % PRODUCTS);
        assert_int_equal(r.status, 503);
        ids[i] = e2e_int(r.json, "orderId");
        e2e_reply_free(&r);
    }
    /* Now inventory holds every call: the workers that claim the stale
     * orders keep their leases while they wait. */
    e2e_fault("inventory", "hang");
    PGconn *db = e2e_database();
    int victim = 0;
    for (int i = 0; i < 200 && victim == 0; i++) {
        for (int n = 1; n <= INSTANCES && victim == 0; n++) {
            char owner[32];
            snprintf(owner, sizeof owner, "balanced-%d", n);
            if (leased_by(db, owner) > 0)
                victim = n;
        }
        if (victim == 0)
            pause_ms(50);
    }
    assert_true(victim > 0);
    char owner[32], pid_text[32];
    snprintf(owner, sizeof owner, "balanced-%d", victim);
    char name[32];
    snprintf(name, sizeof name, "instance-%d.pid", victim);
    read_line_into(name, pid_text, sizeof pid_text);
    int64_t held = leased_by(db, owner);
    assert_int_equal(kill((pid_t)strtol(pid_text, NULL, 10), SIGKILL), 0);
    print_message("killed instance %d holding %" PRId64 " leased orders\n", victim, held);

    /* Inventory back: the others finish theirs at once; the victim's wait
     * for their leases to run out, then another instance takes them. */
    e2e_fault("inventory", "ok");
    settle_ctx s = {db, "customer_id BETWEEN 7300 AND 7399"};
    assert_true(e2e_wait(settled, &s));
    assert_int_equal(e2e_scalar(db, "SELECT count(*) FROM orders WHERE customer_id BETWEEN 7300 "
                                "AND 7399 AND status = 'PENDING_CHECK'"),
                     0);
    static action_count resumed[256];
    int n = count_actions("pending_resume", resumed, 256);
    for (int i = 0; i < ORDERS; i++) {
        const action_count *a = find_action(resumed, n, ids[i]);
        if (a == NULL || a->count != 1)
            fail_msg("order %" PRId64 " was resumed %d times", ids[i], a ? a->count : 0);
        /* The victim died before finishing any of the orders it held. */
        assert_int_equal(a->instances & (1u << victim), 0);
    }
    cJSON *sim = e2e_sim_state();
    check_confirmed_once(db, "customer_id BETWEEN 7300 AND 7399", sim);
    cJSON_Delete(sim);
    PQfinish(db);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_three_instances_take_each_claim_and_event_once),
        cmocka_unit_test(test_a_rolling_restart_under_load_fails_no_request),
        cmocka_unit_test(test_a_killed_instances_leases_are_taken_over_after_they_expire),
    };
    int rc = cmocka_run_group_tests(tests, setup, teardown);
    curl_global_cleanup();
    return rc;
}

/* The connection budget, measured: an instance with a pool of POOL under
 * more concurrent requests than that holds exactly POOL + 2 sessions
 * (recovery and relay workers), counted in pg_stat_activity by its
 * application_name; and a pool that cannot fit in max_connections stops
 * the start with exit status 2 and one line naming the settings. The stack
 * runs with --database-pool-size 3. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <libpq-fe.h>

#include "e2e.h"
#include "e2e_db.h"

#define POOL 3
#define BACKGROUND 2 /* recovery and relay */
#define CLIENTS 24

/* Sessions of the stack's instance: every order-server session but the
 * ones of other programs (this test's, the migration's). */
static int64_t sessions(PGconn *db)
{
    PGresult *r = PQexec(db, "SELECT count(*) FROM pg_stat_activity "
                             "WHERE application_name LIKE 'order-server %'");
    assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
    int64_t n = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return n;
}

static int64_t pool_waits(void)
{
    e2e_reply m = e2e_call("GET", "/metrics", NULL, NULL);
    assert_int_equal(m.status, 200);
    const char *line = strstr(m.body, "\ndb_pool_waits_total ");
    assert_non_null(line);
    int64_t waits = strtoll(line + strlen("\ndb_pool_waits_total "), NULL, 10);
    e2e_reply_free(&m);
    return waits;
}

static void test_an_instance_holds_its_pool_and_one_session_per_worker(void **state)
{
    (void)state;
    e2e_sim_reset();
    PGconn *db = e2e_database();
    int64_t most = 0;
    /* Rounds of concurrent creates and reads until the pool was short at
     * least once (every connection of it then open), each round sampled. */
    for (int round = 0; round < 10 && (round < 2 || pool_waits() == 0); round++) {
        static e2e_job jobs[CLIENTS];
        static char bodies[CLIENTS][256];
        for (int i = 0; i < CLIENTS; i++) {
            memset(&jobs[i], 0, sizeof jobs[i]);
            if (i % 2 == 0) {
                char *body = e2e_order_body(900 + i, "[{\"productId\":1,\"quantity\":1}]");
                snprintf(bodies[i], sizeof bodies[i], "%s", body);
                free(body);
                jobs[i].method = "POST";
                snprintf(jobs[i].path, sizeof jobs[i].path, "/api/v1/orders");
                jobs[i].body = bodies[i];
            } else {
                jobs[i].method = "GET";
                snprintf(jobs[i].path, sizeof jobs[i].path, "/api/v1/orders/customer/%d",
                         900 + i - 1);
            }
        }
        e2e_parallel(jobs, CLIENTS);
        for (int i = 0; i < CLIENTS; i++) {
            assert_true(jobs[i].reply.status == 201 || jobs[i].reply.status == 200);
            e2e_reply_free(&jobs[i].reply);
        }
        int64_t now = sessions(db);
        most = now > most ? now : most;
    }
    assert_true(pool_waits() > 0);
    /* The pool keeps what it opened: every link of it, and the workers'. */
    int64_t after = sessions(db);
    print_message("sessions: %" PRId64 " after the load, at most %" PRId64 " seen\n", after,
                  most);
    assert_int_equal(after, POOL + BACKGROUND);
    assert_true(most <= POOL + BACKGROUND);
    PQfinish(db);
}

static void test_a_pool_beyond_max_connections_is_refused_at_start(void **state)
{
    (void)state;
    char *dir = getenv("ORD_E2E_DIR");
    assert_non_null(dir);
    char line[4096];
    /* The throwaway cluster has max_connections 200, 3 of them reserved. */
    snprintf(line, sizeof line,
             "ORDER_DATABASE_URL=\"$(cat '%s/db_url')\" ORDER_AUTH=off \"$(cat '%s/server_bin')\" "
             "--port 0 --ops-port off --database-pool-size 250 2>&1 >/dev/null",
             dir, dir);
    FILE *p = popen(line, "r");
    assert_non_null(p);
    char out[2048] = "";
    size_t n = fread(out, 1, sizeof out - 1, p);
    out[n] = '\0';
    int status = pclose(p);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 2);
    /* One line, naming the settings and the arithmetic. */
    assert_non_null(strstr(out, "--database-pool-size 250"));
    assert_non_null(strstr(out, "need 252"));
    assert_non_null(strstr(out, "max_connections 200 - superuser_reserved_connections 3 = 197"));
    assert_int_equal(strchr(out, '\n') - out, (long)strlen(out) - 1);

}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_an_instance_holds_its_pool_and_one_session_per_worker),
        cmocka_unit_test(test_a_pool_beyond_max_connections_is_refused_at_start),
    };
    return cmocka_run_group_tests(tests, e2e_group_setup, e2e_group_teardown);
}

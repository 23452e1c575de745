/* The connection budget's arithmetic against given limits: what fits, what
 * is refused (one line naming the settings), and which limit counts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "budget.h"

static ord_pg_capacity limits(int max, int reserved, int role_limit, int in_use)
{
    ord_pg_capacity c;
    memset(&c, 0, sizeof c);
    c.max_connections = max;
    c.superuser_reserved = reserved;
    c.role_limit = role_limit;
    c.database_limit = -1;
    c.in_use = in_use;
    c.available = max - reserved;
    snprintf(c.limited_by, sizeof c.limited_by, "max_connections %d - superuser_reserved_connections %d",
             max, reserved);
    if (role_limit >= 0 && role_limit < c.available) {
        c.available = role_limit;
        snprintf(c.limited_by, sizeof c.limited_by, "the role's CONNECTION LIMIT %d", role_limit);
    }
    return c;
}

/* Runs the judge and returns its status; @p line receives what it wrote. */
static int judge(int64_t pool, bool relay, const ord_pg_capacity *c, char *line, size_t cap,
                 char *log_text, size_t log_cap)
{
    FILE *err = fmemopen(line, cap, "w");
    FILE *out = fmemopen(log_text, log_cap, "w");
    assert_non_null(err);
    assert_non_null(out);
    srv_log log = {out, SRV_DEBUG};
    int rc = srv_budget_judge(&log, pool, relay, c, err);
    fclose(err);
    fclose(out);
    return rc;
}

static void test_the_pool_and_each_background_worker_count(void **state)
{
    (void)state;
    assert_int_equal(srv_budget_needed(10, true), 12);
    assert_int_equal(srv_budget_needed(10, false), 11);
}

static void test_a_pool_that_fits_starts(void **state)
{
    (void)state;
    char line[512] = "", log_text[1024] = "";
    ord_pg_capacity c = limits(100, 3, -1, 0);
    assert_int_equal(judge(95, true, &c, line, sizeof line, log_text, sizeof log_text), 0);
    assert_string_equal(line, "");
    assert_null(strstr(log_text, "may run out"));
}

static void test_a_pool_beyond_the_limit_is_refused_naming_the_settings(void **state)
{
    (void)state;
    char line[512] = "", log_text[1024] = "";
    ord_pg_capacity c = limits(100, 3, -1, 0);
    assert_int_equal(judge(96, true, &c, line, sizeof line, log_text, sizeof log_text), 2);
    assert_non_null(strstr(line, "--database-pool-size 96 plus 2 background connections need 98"));
    assert_non_null(strstr(line, "max_connections 100 - superuser_reserved_connections 3 = 97"));
    assert_non_null(strstr(line, "ORDER_DATABASE_POOL_SIZE"));
    assert_int_equal(strchr(line, '\n') - line, (long)strlen(line) - 1);
}

static void test_a_role_connection_limit_counts_when_lower(void **state)
{
    (void)state;
    char line[512] = "", log_text[1024] = "";
    ord_pg_capacity c = limits(100, 3, 20, 0);
    assert_int_equal(judge(20, false, &c, line, sizeof line, log_text, sizeof log_text), 2);
    assert_non_null(strstr(line, "the role's CONNECTION LIMIT 20 = 20"));
}

static void test_fitting_alone_but_not_beside_open_sessions_warns(void **state)
{
    (void)state;
    char line[512] = "", log_text[1024] = "";
    /* Two instances of 40 + 2 already run: a third does not fit beside them. */
    ord_pg_capacity c = limits(100, 3, -1, 84);
    assert_int_equal(judge(40, true, &c, line, sizeof line, log_text, sizeof log_text), 0);
    assert_string_equal(line, "");
    assert_non_null(strstr(log_text, "database connections may run out"));
    assert_non_null(strstr(log_text, "\"inUse\":84"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_pool_and_each_background_worker_count),
        cmocka_unit_test(test_a_pool_that_fits_starts),
        cmocka_unit_test(test_a_pool_beyond_the_limit_is_refused_naming_the_settings),
        cmocka_unit_test(test_a_role_connection_limit_counts_when_lower),
        cmocka_unit_test(test_fitting_alone_but_not_beside_open_sessions_warns),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

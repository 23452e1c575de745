/* Schema migrations: applied once, atomically, safely from several
 * processes at once, and refused when an applied file was edited. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <orders/adapters/postgres/migrate.h>

#include "pg_test.h"

static int64_t scalar_on(const char *conninfo, const char *sql)
{
    PGconn *conn = PQconnectdb(conninfo);
    PGresult *r = PQexec(conn, sql);
    int64_t v = -1;
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
        v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    PQfinish(conn);
    return v;
}

static void test_embedded_migrations_are_numbered_from_one(void **state)
{
    (void)state;
    assert_true(ord_pg_latest_schema_version() >= 1);
    assert_string_equal(ord_pg_migration_name(1), "0001_orders_schema");
    assert_null(ord_pg_migration_name(0));
    assert_null(ord_pg_migration_name(ord_pg_latest_schema_version() + 1));
}

static void test_empty_database_gets_every_migration_then_nothing(void **state)
{
    (void)state;
    char conninfo[1024];
    pgt_fresh_database("orders_test_migrate_once", conninfo, sizeof conninfo);
    int version = -1;
    assert_int_equal(ord_pg_schema_version(conninfo, &version), ORD_OK);
    assert_int_equal(version, 0);

    ord_pg_migration_report report;
    assert_int_equal(ord_pg_migrate(conninfo, &report), ORD_OK);
    assert_int_equal(report.from_version, 0);
    assert_int_equal(report.to_version, ord_pg_latest_schema_version());
    assert_int_equal(report.applied, ord_pg_latest_schema_version());
    assert_string_equal(report.detail, "");

    assert_int_equal(ord_pg_migrate(conninfo, &report), ORD_OK);
    assert_int_equal(report.applied, 0);
    assert_int_equal(report.from_version, ord_pg_latest_schema_version());
    assert_int_equal(ord_pg_schema_version(conninfo, &version), ORD_OK);
    assert_int_equal(version, ord_pg_latest_schema_version());
    assert_int_equal(scalar_on(conninfo, "SELECT count(*) FROM orders_schema_version"),
                     ord_pg_latest_schema_version());
}

typedef struct migrator {
    const char *conninfo;
    pthread_barrier_t *start;
    ord_error rc;
    int applied;
} migrator;

static void *migrate_run(void *arg)
{
    migrator *m = arg;
    ord_pg_migration_report report;
    pthread_barrier_wait(m->start);
    m->rc = ord_pg_migrate(m->conninfo, &report);
    m->applied = report.applied;
    return NULL;
}

static void test_concurrent_migrations_apply_each_file_once(void **state)
{
    (void)state;
    char conninfo[1024];
    pgt_fresh_database("orders_test_migrate_race", conninfo, sizeof conninfo);
    enum { N = 4 };
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, N);
    migrator ms[N];
    pthread_t threads[N];
    for (int i = 0; i < N; i++) {
        ms[i] = (migrator){.conninfo = conninfo, .start = &start, .rc = ORD_EINTERNAL};
        assert_int_equal(pthread_create(&threads[i], NULL, migrate_run, &ms[i]), 0);
    }
    int applied = 0;
    for (int i = 0; i < N; i++) {
        pthread_join(threads[i], NULL);
        assert_int_equal(ms[i].rc, ORD_OK);
        applied += ms[i].applied;
    }
    pthread_barrier_destroy(&start);
    assert_int_equal(applied, ord_pg_latest_schema_version());
    assert_int_equal(scalar_on(conninfo, "SELECT count(*) FROM orders_schema_version"),
                     ord_pg_latest_schema_version());
}

static void test_edited_migration_is_refused(void **state)
{
    (void)state;
    char conninfo[1024];
    pgt_fresh_database("orders_test_migrate_edited", conninfo, sizeof conninfo);
    assert_int_equal(ord_pg_migrate(conninfo, NULL), ORD_OK);
    PGconn *conn = PQconnectdb(conninfo);
    PGresult *r = PQexec(conn, "UPDATE orders_schema_version SET checksum = 'edited' "
                               "WHERE version = 1");
    assert_int_equal(PQresultStatus(r), PGRES_COMMAND_OK);
    PQclear(r);
    PQfinish(conn);

    ord_pg_migration_report report;
    assert_int_equal(ord_pg_migrate(conninfo, &report), ORD_ECONFLICT);
    assert_non_null(strstr(report.detail, "0001_orders_schema"));
    assert_int_equal(report.applied, 0);
}

static void test_unreachable_database_fails_as_unavailable(void **state)
{
    (void)state;
    ord_pg_migration_report report;
    assert_int_equal(ord_pg_migrate("host=/nonexistent port=1 dbname=x user=x", &report),
                     ORD_EUNAVAILABLE);
    assert_true(strlen(report.detail) > 0);
    int version = 0;
    assert_int_equal(ord_pg_schema_version("host=/nonexistent port=1 dbname=x", &version),
                     ORD_EUNAVAILABLE);
    assert_int_equal(ord_pg_migrate(NULL, &report), ORD_EINVALID);
}

static void test_every_table_carries_customer_id(void **state)
{
    (void)state;
    assert_int_equal(pgt_scalar("SELECT count(*) FROM information_schema.columns "
                                "WHERE table_schema = 'public' AND column_name = 'customer_id' "
                                "AND table_name IN ('orders', 'order_items', "
                                "'order_status_history', 'outbox_events', 'idempotency_keys')"),
                     5);
}

int main(void)
{
    pgt_init("orders_test_migrate");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_embedded_migrations_are_numbered_from_one),
        cmocka_unit_test(test_empty_database_gets_every_migration_then_nothing),
        cmocka_unit_test(test_concurrent_migrations_apply_each_file_once),
        cmocka_unit_test(test_edited_migration_is_refused),
        cmocka_unit_test(test_unreachable_database_fails_as_unavailable),
        cmocka_unit_test(test_every_table_carries_customer_id),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

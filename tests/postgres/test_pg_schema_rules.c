/* The rules that keep the schema distributable by customer (docs/scaling.md),
 * checked against the catalog of the migrated database: every table holding
 * a customer's data has a NOT NULL customer_id; every primary key, unique
 * constraint, unique index and exclusion constraint includes it; every
 * foreign key between such tables joins customer_id to customer_id; and no
 * foreign key ties tables of different distributions. A directory
 * (distributed by its own key, to route lookups that do not know the
 * customer) carries a NOT NULL customer_id too. A migration that breaks a
 * rule fails here. The rules are shown to catch violations on a schema built to
 * break them, and on the schema as it was before migration 0008. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pg_migrations.h"
#include "pg_test.h"

/* Tables that hold no customer's data (local or reference tables when
 * distributed): the migrations' own bookkeeping. */
#define NOT_PER_CUSTOMER "{orders_schema_version}"
/* Directories: keyed by something else than the customer, naming it. */
#define DIRECTORIES "{order_numbers}"

/* One line per violation in schema $1; $2 lists the tables exempt, $3 the
 * directories. */
static const char *const RULES_SQL =
    "WITH t AS ("
    "  SELECT c.oid, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
    "  WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND NOT c.relispartition),"
    " named AS (SELECT * FROM t WHERE relname <> ALL ($2::text[])),"
    " cust AS ("
    "  SELECT named.oid, named.relname, a.attnum, a.attnotnull,"
    "  named.relname = ANY ($3::text[]) AS directory FROM named"
    "  LEFT JOIN pg_attribute a ON a.attrelid = named.oid AND a.attname = 'customer_id'"
    "  AND NOT a.attisdropped) "
    "SELECT relname || ': no customer_id column' FROM cust WHERE attnum IS NULL "
    "UNION ALL "
    "SELECT relname || ': customer_id may be NULL' FROM cust "
    "WHERE attnum IS NOT NULL AND NOT attnotnull "
    "UNION ALL "
    "SELECT cust.relname || ': ' || ic.relname || ' does not include customer_id' "
    "FROM cust JOIN pg_index i ON i.indrelid = cust.oid JOIN pg_class ic ON ic.oid = i.indexrelid "
    "WHERE (i.indisunique OR i.indisexclusion) AND cust.attnum IS NOT NULL "
    "AND NOT cust.directory AND NOT (cust.attnum = ANY (i.indkey::int2[])) "
    "UNION ALL "
    "SELECT f.relname || ': ' || con.conname || ' does not join customer_id to customer_id' "
    "FROM pg_constraint con JOIN cust f ON f.oid = con.conrelid "
    "JOIN cust r ON r.oid = con.confrelid "
    "WHERE con.contype = 'f' AND f.attnum IS NOT NULL AND r.attnum IS NOT NULL "
    "AND NOT f.directory AND NOT r.directory "
    "AND NOT EXISTS (SELECT 1 FROM unnest(con.conkey, con.confkey) AS k(a, b) "
    "                WHERE k.a = f.attnum AND k.b = r.attnum) "
    "UNION ALL "
    /* Tables of different distributions cannot be tied by a foreign key: an
     * exempt table or a directory to a per-customer table or a directory. */
    "SELECT t.relname || ': ' || con.conname || ' references a table of another distribution' "
    "FROM pg_constraint con JOIN t ON t.oid = con.conrelid JOIN t r ON r.oid = con.confrelid "
    "WHERE con.contype = 'f' AND t.relname <> r.relname AND ("
    "  (t.relname = ANY ($2::text[] || $3::text[]) AND r.relname <> ALL ($2::text[])) "
    "  OR (t.relname <> ALL ($2::text[]) AND r.relname = ANY ($3::text[]))) "
    "ORDER BY 1";

/* The violations in @p schema, one per line, into @p out; their count. */
static int violations(PGconn *db, const char *schema, char *out, size_t cap)
{
    const char *params[] = {schema, NOT_PER_CUSTOMER, DIRECTORIES};
    PGresult *r = PQexecParams(db, RULES_SQL, 3, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK)
        fail_msg("rules query: %s", PQerrorMessage(db));
    size_t used = 0;
    out[0] = '\0';
    int n = PQntuples(r);
    for (int i = 0; i < n; i++) {
        int w = snprintf(out + used, cap - used, "%s\n", PQgetvalue(r, i, 0));
        if (w > 0 && (size_t)w < cap - used)
            used += (size_t)w;
    }
    PQclear(r);
    return n;
}

static void exec_ok(PGconn *db, const char *sql)
{
    PGresult *r = PQexec(db, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        fail_msg("%s: %s", sql, PQerrorMessage(db));
    PQclear(r);
}

/* A new table is held to the rules unless listed as exempt, on purpose;
 * first, the tables of today are there, so the rules do not pass on an
 * empty schema. */
static void test_the_tables_the_rules_cover_exist(void **state)
{
    (void)state;
    PGconn *db = pgt_connect();
    PGresult *r = PQexec(db, "SELECT count(*) FROM pg_class c JOIN pg_namespace n "
                             "ON n.oid = c.relnamespace WHERE n.nspname = 'public' "
                             "AND c.relkind IN ('r', 'p') AND c.relname IN "
                             "('orders', 'order_items', 'order_status_history', "
                             "'outbox_events', 'idempotency_keys', 'order_numbers', "
                             "'orders_schema_version')");
    assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
    /* The tables this test was written for are there: the query above
     * cannot pass on an empty schema. */
    assert_string_equal(PQgetvalue(r, 0, 0), "7");
    PQclear(r);
    PQfinish(db);
}

static void test_the_migrated_schema_keeps_every_rule(void **state)
{
    (void)state;
    PGconn *db = pgt_connect();
    char found[4096];
    int n = violations(db, "public", found, sizeof found);
    if (n != 0)
        fail_msg("the schema breaks the distribution rules (docs/scaling.md):\n%s", found);
    PQfinish(db);
}

static void test_the_rules_catch_a_schema_that_breaks_them(void **state)
{
    (void)state;
    PGconn *db = pgt_connect();
    exec_ok(db, "DROP SCHEMA IF EXISTS rules_selftest CASCADE");
    exec_ok(db, "CREATE SCHEMA rules_selftest");
    exec_ok(db, "CREATE TABLE rules_selftest.parent (id bigint, customer_id bigint NOT NULL, "
                "PRIMARY KEY (id, customer_id), UNIQUE (id))");
    exec_ok(db, "CREATE TABLE rules_selftest.child (id bigint, parent_id bigint, "
                "customer_id bigint, other_customer bigint NOT NULL, "
                "PRIMARY KEY (id, other_customer), "
                "FOREIGN KEY (parent_id, other_customer) "
                "REFERENCES rules_selftest.parent (id, customer_id))");
    exec_ok(db, "CREATE TABLE rules_selftest.loose (id bigint PRIMARY KEY)");
    exec_ok(db, "CREATE UNIQUE INDEX parent_id_only ON rules_selftest.parent (id) "
                "WHERE customer_id > 0");
    exec_ok(db, "CREATE TABLE rules_selftest.orders_schema_version (v int, parent bigint, "
                "customer_id bigint, FOREIGN KEY (parent, customer_id) "
                "REFERENCES rules_selftest.parent (id, customer_id))");
    /* A directory needs no customer in its key, but must name the customer,
     * and may not be tied to a per-customer table by a foreign key. */
    exec_ok(db, "CREATE TABLE rules_selftest.order_numbers (n text PRIMARY KEY, "
                "customer_id bigint, parent bigint, FOREIGN KEY (parent, customer_id) "
                "REFERENCES rules_selftest.parent (id, customer_id))");
    char found[4096];
    int n = violations(db, "rules_selftest", found, sizeof found);
    print_message("%s", found);
    assert_non_null(strstr(found, "loose: no customer_id column"));
    assert_non_null(strstr(found, "child: customer_id may be NULL"));
    assert_non_null(strstr(found, "child: child_pkey does not include customer_id"));
    assert_non_null(strstr(found, "parent: parent_id_key does not include customer_id"));
    assert_non_null(strstr(found, "parent: parent_id_only does not include customer_id"));
    assert_non_null(
        strstr(found, "child: child_parent_id_other_customer_fkey does not join customer_id"));
    assert_non_null(strstr(found, "orders_schema_version: orders_schema_version_parent_"
                                  "customer_id_fkey references a table of another"));
    assert_non_null(strstr(found, "order_numbers: customer_id may be NULL"));
    assert_non_null(strstr(found, "order_numbers: order_numbers_parent_customer_id_fkey "
                                  "references a table of another"));
    assert_null(strstr(found, "order_numbers_pkey"));
    assert_int_equal(n, 9);
    exec_ok(db, "DROP SCHEMA rules_selftest CASCADE");
    PQfinish(db);
}

/* The schema of migrations 0001-0007 broke the rules: the test would have
 * failed on it, and 0008 is what mended it. */
static void test_the_schema_before_0008_broke_them(void **state)
{
    (void)state;
    char conninfo[1024];
    pgt_fresh_database("orders_schema_rules_v7", conninfo, sizeof conninfo);
    PGconn *db = PQconnectdb(conninfo);
    assert_int_equal(PQstatus(db), CONNECTION_OK);
    assert_true(ord_pg_migration_count >= 8);
    assert_string_equal(ord_pg_migrations[7].name, "0008_customer_in_every_key");
    for (size_t i = 0; i < 7; i++) {
        PGresult *r = PQexec(db, ord_pg_migrations[i].sql);
        if (PQresultStatus(r) != PGRES_COMMAND_OK)
            fail_msg("%s: %s", ord_pg_migrations[i].name, PQerrorMessage(db));
        PQclear(r);
    }
    char found[4096];
    int n = violations(db, "public", found, sizeof found);
    print_message("%s", found);
    assert_non_null(strstr(found, "orders: orders_pkey does not include customer_id"));
    assert_non_null(strstr(found, "orders: orders_number_unique does not include customer_id"));
    assert_non_null(strstr(found, "idempotency_keys: idempotency_keys_pkey does not include"));
    assert_true(n >= 7);
    PQfinish(db);
}

int main(void)
{
    pgt_init("orders_schema_rules");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_tables_the_rules_cover_exist),
        cmocka_unit_test(test_the_migrated_schema_keeps_every_rule),
        cmocka_unit_test(test_the_rules_catch_a_schema_that_breaks_them),
        cmocka_unit_test(test_the_schema_before_0008_broke_them),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

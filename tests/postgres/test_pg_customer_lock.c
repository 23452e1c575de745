/* The PostgreSQL store's per-customer lock beyond the port contract: a
 * session-level advisory lock in its own key space, held by the store's
 * connection, gone with that connection (freed store, killed backend), and
 * never believed held by a store after it reconnected. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include <cmocka.h>

#include <orders/adapters/postgres/store.h>

#include "pg_test.h"

#define T0 INT64_C(1767225600000)
#define CUSTOMER 42

static int setup(void **state)
{
    (void)state;
    return pgt_truncate();
}

static ord_error lock(ord_pg_store *store, int64_t customer)
{
    ord_order_repository r = ord_pg_store_orders(store);
    return r.ops->lock_customer(r.self, customer);
}

static ord_error unlock(ord_pg_store *store, int64_t customer)
{
    ord_order_repository r = ord_pg_store_orders(store);
    return r.ops->unlock_customer(r.self, customer);
}

/* Advisory locks of this test's database (other test programs share the
 * cluster, not the database). */
#define OUR_ADVISORY_LOCKS                                                                     \
    "FROM pg_locks WHERE locktype = 'advisory' AND granted "                                   \
    "AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) "

/* Granted advisory locks with this two-key value, as pg_locks shows them. */
static int64_t advisory_locks(const char *space, const char *key)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT count(*) " OUR_ADVISORY_LOCKS "AND objsubid = 2 AND classid = %s "
             "AND objid = %s",
             space, key);
    return pgt_scalar(sql);
}

/* The backend that holds customer 42's lock. */
static int64_t holder_pid(void)
{
    return pgt_scalar("SELECT pid " OUR_ADVISORY_LOCKS
                      "AND objsubid = 2 AND classid = 1869767282 AND objid = 42");
}

/* A closed connection lets go of its locks when its backend has exited, which
 * happens just after the client hung up: wait for that (up to a minute). */
static void wait_for_backend_exit(int64_t pid)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM pg_stat_activity WHERE pid = %lld",
             (long long)pid);
    for (int i = 0; i < 1200 && pgt_scalar(sql) != 0; i++) {
        struct timespec ts = {.tv_sec = 0, .tv_nsec = 50 * 1000000L};
        nanosleep(&ts, NULL);
    }
    assert_int_equal(pgt_scalar(sql), 0);
}

static void test_two_stores_contend_for_one_customer(void **state)
{
    (void)state;
    ord_pg_store *a = pgt_store();
    ord_pg_store *b = pgt_store();
    assert_int_equal(lock(a, CUSTOMER), ORD_OK);
    assert_int_equal(lock(b, CUSTOMER), ORD_ECONFLICT);
    assert_int_equal(advisory_locks("1869767282", "42"), 1);

    /* The lock serialises lock_customer() only: create does not wait for it. */
    int64_t id = pgt_create(b, CUSTOMER, T0);
    assert_true(id > 0);

    assert_int_equal(unlock(a, CUSTOMER), ORD_OK);
    assert_int_equal(advisory_locks("1869767282", "42"), 0);
    assert_int_equal(lock(b, CUSTOMER), ORD_OK);
    assert_int_equal(lock(a, CUSTOMER), ORD_ECONFLICT);
    assert_int_equal(unlock(b, CUSTOMER), ORD_OK);
    ord_pg_store_free(a);
    ord_pg_store_free(b);
}

static void test_customer_lock_keys_stay_apart_from_the_migration_lock(void **state)
{
    (void)state;
    ord_pg_store *a = pgt_store();
    /* In a shared namespace, customer 1 would be the migration's key 1. */
    assert_int_equal(lock(a, 1), ORD_OK);
    assert_int_equal(advisory_locks("1869767282", "1"), 1);
    assert_int_equal(pgt_scalar("SELECT count(*) FROM (SELECT pg_try_advisory_xact_lock("
                                "1869767283, 1) AS ok) t WHERE ok"),
                     1);
    /* An id above 32 bits folds its halves: 2^32 + 5 -> 5 ^ 1 = 4. */
    int64_t big = ((int64_t)1 << 32) + 5;
    assert_int_equal(lock(a, big), ORD_OK);
    assert_int_equal(advisory_locks("1869767282", "4"), 1);
    assert_int_equal(unlock(a, 1), ORD_OK);
    assert_int_equal(unlock(a, big), ORD_OK);
    assert_int_equal(pgt_scalar("SELECT count(*) " OUR_ADVISORY_LOCKS), 0);
    ord_pg_store_free(a);
}

static void test_freed_store_releases_its_customer_locks(void **state)
{
    (void)state;
    ord_pg_store *a = pgt_store();
    ord_pg_store *b = pgt_store();
    assert_int_equal(lock(a, CUSTOMER), ORD_OK);
    int64_t pid = holder_pid();
    assert_true(pid > 0);
    ord_pg_store_free(a);
    wait_for_backend_exit(pid);
    assert_int_equal(lock(b, CUSTOMER), ORD_OK);
    assert_int_equal(unlock(b, CUSTOMER), ORD_OK);
    ord_pg_store_free(b);
}

static void test_store_whose_connection_died_no_longer_holds_its_locks(void **state)
{
    (void)state;
    ord_pg_store *a = pgt_store();
    ord_pg_store *b = pgt_store();
    assert_int_equal(lock(a, CUSTOMER), ORD_OK);
    int64_t pid = holder_pid();
    char sql[96];
    snprintf(sql, sizeof sql, "SELECT pg_terminate_backend(%lld)::int", (long long)pid);
    assert_int_equal(pgt_scalar(sql), 1);
    wait_for_backend_exit(pid);

    /* The server let go with the connection, and another store took it. */
    assert_int_equal(lock(b, CUSTOMER), ORD_OK);
    /* The first store reconnects and must ask again, not trust its memory. */
    assert_int_equal(lock(a, CUSTOMER), ORD_ECONFLICT);
    /* Nor may its unlock release what it no longer holds. */
    assert_int_equal(unlock(a, CUSTOMER), ORD_OK);
    assert_int_equal(lock(a, CUSTOMER), ORD_ECONFLICT);
    assert_int_equal(advisory_locks("1869767282", "42"), 1);

    assert_int_equal(unlock(b, CUSTOMER), ORD_OK);
    assert_int_equal(lock(a, CUSTOMER), ORD_OK);
    assert_int_equal(unlock(a, CUSTOMER), ORD_OK);
    ord_pg_store_free(a);
    ord_pg_store_free(b);
}

/* Creates one order for CUSTOMER through @p store; returns the ord_error. */
static ord_error create_one(ord_pg_store *store)
{
    ord_order o;
    pgt_build_order(&o, CUSTOMER, T0, 1);
    ord_order_repository r = ord_pg_store_orders(store);
    ord_error rc = r.ops->create(r.self, &o);
    ord_order_free(&o);
    return rc;
}

static void test_store_that_lost_a_held_lock_does_no_work_until_it_is_unlocked(void **state)
{
    (void)state;
    ord_pg_store *a = pgt_store();
    ord_pg_store *b = pgt_store();
    assert_int_equal(lock(a, CUSTOMER), ORD_OK);
    int64_t pid = holder_pid();
    char sql[96];
    snprintf(sql, sizeof sql, "SELECT pg_terminate_backend(%lld)::int", (long long)pid);
    assert_int_equal(pgt_scalar(sql), 1);
    wait_for_backend_exit(pid);
    assert_int_equal(lock(b, CUSTOMER), ORD_OK);

    /* The caller of the first store still believes it holds the lock: work
     * done for it on a new connection would run beside the new holder's. */
    assert_int_equal(create_one(a), ORD_EUNAVAILABLE);
    ord_idempotency_store keys = ord_pg_store_idempotency(a);
    ord_idem_begin args = {.scope = "customer:42", .key = "k", .fingerprint = "f",
                           .now_ms = T0, .lock_until_ms = T0 + 1000, .expires_at_ms = T0 + 2000};
    ord_idem_record rec = {0};
    assert_int_equal(keys.ops->begin(keys.self, &args, &rec), ORD_EUNAVAILABLE);
    assert_int_equal(pgt_scalar("SELECT count(*) FROM orders"), 0);

    /* Once told the lock is gone, the store works again, without it. */
    assert_int_equal(unlock(a, CUSTOMER), ORD_OK);
    assert_int_equal(create_one(a), ORD_OK);
    assert_int_equal(lock(a, CUSTOMER), ORD_ECONFLICT);
    assert_int_equal(unlock(b, CUSTOMER), ORD_OK);
    ord_pg_store_free(a);
    ord_pg_store_free(b);
}

static void test_store_that_lost_a_held_lock_may_ask_for_it_again(void **state)
{
    (void)state;
    ord_pg_store *a = pgt_store();
    assert_int_equal(lock(a, CUSTOMER), ORD_OK);
    assert_int_equal(lock(a, 7), ORD_OK);
    int64_t pid = holder_pid();
    char sql[96];
    snprintf(sql, sizeof sql, "SELECT pg_terminate_backend(%lld)::int", (long long)pid);
    assert_int_equal(pgt_scalar(sql), 1);
    wait_for_backend_exit(pid);

    /* Asking again for one lost lock while another is still believed held
     * would hide that loss. */
    assert_int_equal(lock(a, CUSTOMER), ORD_EUNAVAILABLE);
    assert_int_equal(create_one(a), ORD_EUNAVAILABLE);
    assert_int_equal(unlock(a, 7), ORD_OK);
    /* Nothing believed held any more: a fresh lock on the new connection. */
    assert_int_equal(lock(a, CUSTOMER), ORD_OK);
    assert_int_equal(advisory_locks("1869767282", "42"), 1);
    assert_int_equal(create_one(a), ORD_OK);
    assert_int_equal(unlock(a, CUSTOMER), ORD_OK);
    assert_int_equal(advisory_locks("1869767282", "42"), 0);
    ord_pg_store_free(a);
}

static void test_customer_lock_of_an_unreachable_database_is_unavailable(void **state)
{
    (void)state;
    ord_pg_store *s = NULL;
    assert_int_equal(ord_pg_store_new(&s, "host=/nonexistent port=1 dbname=x user=x", NULL),
                     ORD_OK);
    assert_int_equal(lock(s, CUSTOMER), ORD_EUNAVAILABLE);
    assert_int_equal(unlock(s, CUSTOMER), ORD_OK);
    ord_pg_store_free(s);
}

int main(void)
{
    pgt_init("orders_test_customer_lock");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_two_stores_contend_for_one_customer, setup),
        cmocka_unit_test_setup(test_customer_lock_keys_stay_apart_from_the_migration_lock, setup),
        cmocka_unit_test_setup(test_freed_store_releases_its_customer_locks, setup),
        cmocka_unit_test_setup(test_store_whose_connection_died_no_longer_holds_its_locks, setup),
        cmocka_unit_test_setup(test_store_that_lost_a_held_lock_does_no_work_until_it_is_unlocked,
                               setup),
        cmocka_unit_test_setup(test_store_that_lost_a_held_lock_may_ask_for_it_again, setup),
        cmocka_unit_test_setup(test_customer_lock_of_an_unreachable_database_is_unavailable,
                               setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

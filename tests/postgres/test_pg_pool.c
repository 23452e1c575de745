/* The connection pool beyond the storage contract: many threads on few
 * sessions, a bounded wait for a free connection, and customer locks that
 * keep the session they live on. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <orders/adapters/postgres/pool.h>

#include "pg_test.h"

#define T0 INT64_C(1767225600123)
#define APP_NAME "orders-pool-test"

static ord_pg_pool *new_pool(size_t size, int timeout_ms)
{
    ord_pg_options o = ORD_PG_OPTIONS_INIT;
    o.application_name = APP_NAME;
    ord_pg_pool *pool = NULL;
    assert_int_equal(ord_pg_pool_new(&pool, pgt_conninfo(), &o, size, timeout_ms), ORD_OK);
    return pool;
}

static ord_pg_store *pooled(ord_pg_pool *pool)
{
    ord_pg_store *store = NULL;
    assert_int_equal(ord_pg_store_new_pooled(&store, pool), ORD_OK);
    return store;
}

static int64_t sessions_of_this_test(void)
{
    return pgt_scalar("SELECT count(*) FROM pg_stat_activity WHERE application_name = '" APP_NAME
                      "' AND datname = current_database()");
}

static int setup(void **state)
{
    (void)state;
    return pgt_truncate();
}

static void test_bad_pool_arguments_are_refused(void **state)
{
    (void)state;
    ord_pg_pool *pool = (ord_pg_pool *)1;
    assert_int_equal(ord_pg_pool_new(&pool, pgt_conninfo(), NULL, 0, 100), ORD_EINVALID);
    assert_null(pool);
    assert_int_equal(ord_pg_pool_new(&pool, pgt_conninfo(), NULL, ORD_PG_POOL_MAX_SIZE + 1, 100),
                     ORD_EINVALID);
    assert_int_equal(ord_pg_pool_new(&pool, pgt_conninfo(), NULL, 2, -1), ORD_EINVALID);
    assert_int_equal(ord_pg_pool_new(&pool, "host='unterminated", NULL, 2, 100), ORD_EINVALID);
    ord_pg_store *store = (ord_pg_store *)1;
    assert_int_equal(ord_pg_store_new_pooled(&store, NULL), ORD_EINVALID);
    assert_null(store);
}

typedef struct worker {
    ord_pg_pool *pool;
    int64_t customer;
    int created;
} worker;

#define THREADS 12
#define ORDERS_EACH 25
#define SHARED 3

static void *work(void *arg)
{
    worker *w = arg;
    ord_pg_store *store = NULL;
    if (ord_pg_store_new_pooled(&store, w->pool) != ORD_OK)
        return NULL;
    ord_order_repository repo = ord_pg_store_orders(store);
    for (int i = 0; i < ORDERS_EACH; i++) {
        ord_order o;
        pgt_build_order(&o, w->customer, T0 + i, 2);
        if (repo.ops->create(repo.self, &o) == ORD_OK) {
            ord_order got;
            ord_order_init(&got);
            if (repo.ops->get_by_id(repo.self, o.id, &got) == ORD_OK && got.id == o.id)
                w->created++;
            ord_order_free(&got);
        }
        ord_order_free(&o);
    }
    ord_pg_store_free(store);
    return NULL;
}

/* Twelve threads, each with its own store, share three sessions: every
 * call succeeds (waiting for a free connection when needed), and the
 * database never sees more than three sessions of the pool. */
static void test_many_threads_share_a_few_sessions(void **state)
{
    (void)state;
    ord_pg_pool *pool = new_pool(SHARED, 10000);
    worker workers[THREADS];
    pthread_t threads[THREADS];
    for (int i = 0; i < THREADS; i++) {
        workers[i] = (worker){.pool = pool, .customer = 100 + i};
        assert_int_equal(pthread_create(&threads[i], NULL, work, &workers[i]), 0);
    }
    for (int i = 0; i < THREADS; i++)
        pthread_join(threads[i], NULL);
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(workers[i].created, ORDERS_EACH);
    assert_int_equal(pgt_scalar("SELECT count(*) FROM orders"), THREADS * ORDERS_EACH);
    int64_t sessions = sessions_of_this_test();
    assert_true(sessions >= 1 && sessions <= SHARED);
    ord_pg_pool_stats stats;
    ord_pg_pool_stats_get(pool, &stats);
    assert_int_equal(stats.size, SHARED);
    assert_int_equal(stats.busy, 0);
    assert_int_equal(stats.timeouts, 0);
    ord_pg_pool_free(pool);
    assert_int_equal(sessions_of_this_test(), 0);
}

/* A customer lock lives on its session: the store keeps that connection
 * until the last lock is released, and the lock excludes other stores. */
static void test_a_customer_lock_keeps_its_session(void **state)
{
    (void)state;
    ord_pg_pool *pool = new_pool(2, 5000);
    ord_pg_store *a = pooled(pool);
    ord_pg_store *b = pooled(pool);
    ord_order_repository ra = ord_pg_store_orders(a);
    ord_order_repository rb = ord_pg_store_orders(b);
    ord_pg_pool_stats stats;

    assert_int_equal(ra.ops->lock_customer(ra.self, 7), ORD_OK);
    ord_pg_pool_stats_get(pool, &stats);
    assert_int_equal(stats.busy, 1);
    /* Calls of the holder run on its session; others share the rest. */
    int64_t id = pgt_create(a, 7, T0);
    assert_true(id > 0);
    assert_int_equal(rb.ops->lock_customer(rb.self, 7), ORD_ECONFLICT);
    ord_pg_pool_stats_get(pool, &stats);
    assert_int_equal(stats.busy, 1);
    assert_int_equal(pgt_scalar("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND "
                                "database = (SELECT oid FROM pg_database "
                                "            WHERE datname = current_database())"),
                     1);

    assert_int_equal(ra.ops->unlock_customer(ra.self, 7), ORD_OK);
    ord_pg_pool_stats_get(pool, &stats);
    assert_int_equal(stats.busy, 0);
    assert_int_equal(rb.ops->lock_customer(rb.self, 7), ORD_OK);
    assert_int_equal(rb.ops->unlock_customer(rb.self, 7), ORD_OK);
    ord_pg_store_free(a);
    ord_pg_store_free(b);
    ord_pg_pool_free(pool);
}

/* With every connection held, a call waits for the acquire timeout and
 * fails as unavailable; once one is free again, calls succeed. */
static void test_no_free_connection_in_time_is_unavailable(void **state)
{
    (void)state;
    ord_pg_pool *pool = new_pool(1, 200);
    ord_pg_store *holder = pooled(pool);
    ord_pg_store *other = pooled(pool);
    ord_order_repository rh = ord_pg_store_orders(holder);
    ord_order_repository ro = ord_pg_store_orders(other);
    assert_int_equal(rh.ops->lock_customer(rh.self, 9), ORD_OK);

    ord_order got;
    ord_order_init(&got);
    assert_int_equal(ro.ops->get_by_id(ro.self, 1, &got), ORD_EUNAVAILABLE);
    assert_int_equal(ord_pg_ping(other), ORD_EUNAVAILABLE);
    ord_pg_pool_stats stats;
    ord_pg_pool_stats_get(pool, &stats);
    assert_int_equal(stats.timeouts, 2);
    assert_non_null(strstr(ord_pg_store_last_error(other), "pooled connection"));

    assert_int_equal(rh.ops->unlock_customer(rh.self, 9), ORD_OK);
    assert_int_equal(ro.ops->get_by_id(ro.self, 1, &got), ORD_ENOTFOUND);
    assert_int_equal(ord_pg_ping(other), ORD_OK);
    ord_pg_store_free(holder);
    ord_pg_store_free(other);
    ord_pg_pool_free(pool);
}

/* Freeing a store that still holds locks ends them with its session (the
 * connection is closed, and reopened by the next borrower). */
static void test_freeing_a_locking_store_releases_its_locks(void **state)
{
    (void)state;
    ord_pg_pool *pool = new_pool(1, 5000);
    ord_pg_store *a = pooled(pool);
    ord_order_repository ra = ord_pg_store_orders(a);
    assert_int_equal(ra.ops->lock_customer(ra.self, 11), ORD_OK);
    ord_pg_store_free(a);

    ord_pg_store *b = pooled(pool);
    ord_order_repository rb = ord_pg_store_orders(b);
    assert_int_equal(rb.ops->lock_customer(rb.self, 11), ORD_OK);
    assert_int_equal(rb.ops->unlock_customer(rb.self, 11), ORD_OK);
    ord_pg_store_free(b);
    ord_pg_pool_free(pool);
}

int main(void)
{
    pgt_init("orders_test_pool");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_bad_pool_arguments_are_refused, setup),
        cmocka_unit_test_setup(test_many_threads_share_a_few_sessions, setup),
        cmocka_unit_test_setup(test_a_customer_lock_keeps_its_session, setup),
        cmocka_unit_test_setup(test_no_free_connection_in_time_is_unavailable, setup),
        cmocka_unit_test_setup(test_freeing_a_locking_store_releases_its_locks, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* The store across a database restart and an outage: calls made while the
 * server is away fail with ORD_EUNAVAILABLE, and the same store works again
 * once it is back, with nothing lost but its customer locks. Runs alone
 * (RUN_SERIAL). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include <orders/adapters/postgres/store.h>

#include "pg_test.h"

#define T0 INT64_C(1767225600000)

static void pause_ms(long ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Loads @p id until the server answers; every failure on the way must be
 * ORD_EUNAVAILABLE. Gives up after about a minute. */
static ord_error load_when_back(ord_pg_store *store, int64_t id, ord_order *out)
{
    ord_order_repository repo = ord_pg_store_orders(store);
    ord_error rc = ORD_EUNAVAILABLE;
    for (int attempt = 0; attempt < 1200; attempt++) {
        rc = repo.ops->get_by_id(repo.self, id, out);
        if (rc != ORD_EUNAVAILABLE)
            break;
        pause_ms(50);
    }
    return rc;
}

static void test_store_works_again_after_the_server_restarts(void **state)
{
    (void)state;
    assert_int_equal(pgt_truncate(), 0);
    ord_pg_store *store = pgt_store();
    int64_t id = pgt_create(store, 1, T0);

    assert_int_equal(pgt_restart_cluster(), 0);

    /* The server is up again when the restart returns, and the store notices
     * its old session was closed before sending anything on it: the very
     * first call succeeds. */
    ord_order got;
    ord_order_init(&got);
    ord_order_repository repo = ord_pg_store_orders(store);
    assert_int_equal(repo.ops->get_by_id(repo.self, id, &got), ORD_OK);
    assert_int_equal(got.id, id);
    assert_int_equal(got.item_count, 2);
    ord_order_free(&got);
    /* Writes work too, on the new connection's freshly prepared statements. */
    int64_t second = pgt_create(store, 1, T0 + 1);
    assert_true(second > id);
    ord_pg_store_free(store);
}

static void test_calls_during_an_outage_are_unavailable_then_recover(void **state)
{
    (void)state;
    assert_int_equal(pgt_truncate(), 0);
    ord_pg_store *store = pgt_store();
    int64_t id = pgt_create(store, 2, T0);

    assert_int_equal(pgt_stop_cluster(), 0);

    ord_order_repository repo = ord_pg_store_orders(store);
    ord_order o;
    pgt_build_order(&o, 2, T0, 1);
    assert_int_equal(repo.ops->create(repo.self, &o), ORD_EUNAVAILABLE);
    assert_int_equal(o.id, 0);
    ord_order got;
    ord_order_init(&got);
    assert_int_equal(repo.ops->get_by_id(repo.self, id, &got), ORD_EUNAVAILABLE);
    assert_int_equal(got.id, 0);
    int64_t ids[4];
    size_t n = 99;
    ord_work_claim claim = {.kind = ORD_WORK_STALE_PENDING, .now_ms = T0, .stale_before_ms = T0,
                            .lease_until_ms = T0 + 1, .owner = "w", .max = 4};
    assert_int_equal(repo.ops->claim(repo.self, &claim, ids, &n), ORD_EUNAVAILABLE);
    assert_int_equal(n, 0);
    ord_outbox outbox = ord_pg_store_outbox(store);
    ord_outbox_batch batch = {0};
    assert_int_equal(outbox.ops->claim(outbox.self, T0, T0 + 1, "r", 4, &batch), ORD_EUNAVAILABLE);
    assert_int_equal(batch.count, 0);
    ord_idempotency_store idem = ord_pg_store_idempotency(store);
    ord_idem_begin b = {.scope = "customer:2", .key = "k", .fingerprint = "f", .now_ms = T0,
                        .lock_until_ms = T0 + 1, .expires_at_ms = T0 + 2};
    ord_idem_record rec;
    assert_int_equal(idem.ops->begin(idem.self, &b, &rec), ORD_EUNAVAILABLE);
    assert_int_equal(ord_pg_ping(store), ORD_EUNAVAILABLE);

    assert_int_equal(pgt_start_cluster(), 0);

    assert_int_equal(load_when_back(store, id, &got), ORD_OK);
    assert_int_equal(got.customer_id, 2);
    ord_order_free(&got);
    assert_int_equal(repo.ops->create(repo.self, &o), ORD_OK);
    assert_int_equal(ord_pg_ping(store), ORD_OK);
    assert_int_equal(pgt_scalar("SELECT count(*) FROM orders"), 2);
    ord_order_free(&o);
    ord_pg_store_free(store);
}

static ord_error lock_customer(ord_pg_store *store, int64_t customer)
{
    ord_order_repository r = ord_pg_store_orders(store);
    return r.ops->lock_customer(r.self, customer);
}

static ord_error unlock_customer(ord_pg_store *store, int64_t customer)
{
    ord_order_repository r = ord_pg_store_orders(store);
    return r.ops->unlock_customer(r.self, customer);
}

static void test_customer_locks_survive_nothing_across_a_restart(void **state)
{
    (void)state;
    ord_pg_store *a = pgt_store();
    ord_pg_store *b = pgt_store();
    assert_int_equal(lock_customer(a, 42), ORD_OK);
    assert_int_equal(lock_customer(b, 42), ORD_ECONFLICT);

    assert_int_equal(pgt_restart_cluster(), 0);

    /* The new server knows no lock: whoever asks first gets it. */
    assert_int_equal(lock_customer(b, 42), ORD_OK);
    /* The store that held it before does not believe it still does. */
    assert_int_equal(lock_customer(a, 42), ORD_ECONFLICT);
    assert_int_equal(unlock_customer(a, 42), ORD_OK);
    assert_int_equal(lock_customer(a, 42), ORD_ECONFLICT);
    assert_int_equal(unlock_customer(b, 42), ORD_OK);
    assert_int_equal(lock_customer(a, 42), ORD_OK);
    assert_int_equal(unlock_customer(a, 42), ORD_OK);
    ord_pg_store_free(a);
    ord_pg_store_free(b);
}

int main(void)
{
    pgt_init("orders_test_restart");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_store_works_again_after_the_server_restarts),
        cmocka_unit_test(test_calls_during_an_outage_are_unavailable_then_recover),
        cmocka_unit_test(test_customer_locks_survive_nothing_across_a_restart),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    /* Leave the server running for the tests after this one, whatever happened. */
    pgt_start_cluster();
    return failed;
}

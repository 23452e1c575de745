/* One shared services object, one client per thread: concurrent reservations
 * from several threads are all counted once, by the simulator and by the
 * adapter's counters. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sim_control.h"

enum { THREADS = 4, CALLS = 25 };

typedef struct worker {
    ord_http_services *services;
    int index;
    int reserved;
    int errors;
} worker;

static void *reserve_many(void *arg)
{
    worker *w = arg;
    ord_http_client *client = NULL;
    if (ord_http_client_new(&client, w->services) != ORD_OK) {
        w->errors = CALLS;
        return NULL;
    }
    ord_inventory port = ord_http_client_inventory(client);
    for (int i = 0; i < CALLS; i++) {
        ord_order_item item = {.product_id = 1, .quantity = 1};
        ord_reserve_result result;
        int64_t order_id = 1000 * (w->index + 1) + i;
        if (port.ops->reserve(port.self, NULL, order_id, &item, 1, &result) != ORD_OK)
            w->errors++;
        else if (result.reserved)
            w->reserved++;
    }
    ord_http_client_free(client);
    return NULL;
}

static void test_threads_with_their_own_clients_reserve_exactly_the_stock(void **state)
{
    (void)state;
    http_fixture *fx = http_fixture_open(NULL);
    assert_non_null(fx);
    assert_true(sim_fault("{\"service\":\"inventory\",\"mode\":\"slow\",\"latencyMs\":5}"));
    pthread_t threads[THREADS];
    worker workers[THREADS];
    for (int i = 0; i < THREADS; i++) {
        workers[i] = (worker){.services = fx->services, .index = i};
        assert_int_equal(pthread_create(&threads[i], NULL, reserve_many, &workers[i]), 0);
    }
    int reserved = 0;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(threads[i], NULL);
        assert_int_equal(workers[i].errors, 0);
        reserved += workers[i].reserved;
    }
    assert_int_equal(reserved, THREADS * CALLS);
    int64_t a, r, c;
    assert_true(sim_stock(1, &a, &r, &c));
    assert_int_equal(a, 100 - THREADS * CALLS);
    assert_int_equal(r, THREADS * CALLS);
    ord_http_stats stats;
    ord_http_services_stats(fx->services, &stats);
    assert_int_equal(stats.services[ORD_HTTP_INVENTORY].outcomes[ORD_HTTP_OUTCOME_SUCCESS],
                     THREADS * CALLS);
    http_fixture_close(fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_threads_with_their_own_clients_reserve_exactly_the_stock),
    };
    return cmocka_run_group_tests(tests, http_group_setup, http_group_teardown);
}

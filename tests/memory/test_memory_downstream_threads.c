/* The in-memory downstream fakes under concurrent callers: stock is never
 * oversold, a repeated key acts once, and the books always balance. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <orders/adapters/memory/downstream.h>

#define THREADS 8
#define ORDERS_PER_THREAD 60
#define STOCK 100

static ord_money usd(int64_t minor)
{
    ord_money m;
    ord_money_make(&m, minor, "USD");
    return m;
}

/* Product 1 with STOCK units, product 2 with plenty. */
static int setup(void **state)
{
    ord_memory_downstream *ds;
    if (ord_memory_downstream_new(&ds) != ORD_OK)
        return -1;
    if (ord_memory_downstream_set_product(ds, 1, usd(100), STOCK) != ORD_OK ||
        ord_memory_downstream_set_product(ds, 2, usd(100), 1000000) != ORD_OK) {
        ord_memory_downstream_free(ds);
        return -1;
    }
    *state = ds;
    return 0;
}

static int teardown(void **state)
{
    ord_memory_downstream_free(*state);
    return 0;
}

typedef struct worker {
    pthread_t thread;
    ord_memory_downstream *ds;
    int index;
    int succeeded; /* reservations that came back reserved */
    int failed;    /* calls that returned an error */
    char number[ORD_TRACKING_NUMBER_SIZE];
} worker;

static void run_workers(ord_memory_downstream *ds, worker *workers, void *(*body)(void *))
{
    for (int i = 0; i < THREADS; i++) {
        workers[i] = (worker){.ds = ds, .index = i};
        assert_int_equal(pthread_create(&workers[i].thread, NULL, body, &workers[i]), 0);
    }
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_join(workers[i].thread, NULL), 0);
}

static ord_memory_stock stock(ord_memory_downstream *ds, int64_t product_id)
{
    ord_memory_stock s = {0};
    assert_int_equal(ord_memory_downstream_stock(ds, product_id, &s), ORD_OK);
    return s;
}

static int64_t order_of(const worker *w, int n)
{
    return 1000 + (int64_t)w->index * ORDERS_PER_THREAD + n;
}

/* Each worker reserves one unit of product 1 for orders of its own. */
static void *reserve_own_orders(void *arg)
{
    worker *w = arg;
    ord_inventory inv = ord_memory_downstream_inventory(w->ds);
    ord_order_item item = {.product_id = 1, .quantity = 1};
    for (int n = 0; n < ORDERS_PER_THREAD; n++) {
        ord_reserve_result result;
        if (inv.ops->reserve(inv.self, NULL, order_of(w, n), &item, 1, &result) != ORD_OK)
            w->failed++;
        else if (result.reserved)
            w->succeeded++;
    }
    return NULL;
}

static void test_concurrent_reserves_never_oversell(void **state)
{
    ord_memory_downstream *ds = *state;
    worker workers[THREADS];
    run_workers(ds, workers, reserve_own_orders);
    int succeeded = 0;
    for (int i = 0; i < THREADS; i++) {
        assert_int_equal(workers[i].failed, 0);
        succeeded += workers[i].succeeded;
    }
    /* THREADS * ORDERS_PER_THREAD units asked for, STOCK to give. */
    assert_int_equal(succeeded, STOCK);
    ord_memory_stock s = stock(ds, 1);
    assert_int_equal(s.available, 0);
    assert_int_equal(s.reserved, STOCK);
    assert_int_equal(ord_memory_downstream_calls(ds, ORD_MEM_RESERVE), THREADS * ORDERS_PER_THREAD);
}

/* Every worker reserves the same one order, again and again. */
static void *reserve_one_order(void *arg)
{
    worker *w = arg;
    ord_inventory inv = ord_memory_downstream_inventory(w->ds);
    ord_order_item item = {.product_id = 2, .quantity = 3};
    for (int n = 0; n < ORDERS_PER_THREAD; n++) {
        ord_reserve_result result;
        if (inv.ops->reserve(inv.self, NULL, 77, &item, 1, &result) != ORD_OK || !result.reserved)
            w->failed++;
    }
    return NULL;
}

static void test_concurrent_repeats_of_one_order_reserve_once(void **state)
{
    ord_memory_downstream *ds = *state;
    worker workers[THREADS];
    run_workers(ds, workers, reserve_one_order);
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(workers[i].failed, 0);
    ord_memory_stock s = stock(ds, 2);
    assert_int_equal(s.reserved, 3);
    assert_int_equal(s.available, 1000000 - 3);
}

/* Each worker reserves, releases and commits its own orders, interleaved
 * with the others; at the end reserved stock is zero and nothing is lost. */
static void *reserve_then_settle(void *arg)
{
    worker *w = arg;
    ord_inventory inv = ord_memory_downstream_inventory(w->ds);
    ord_order_item item = {.product_id = 2, .quantity = 2};
    for (int n = 0; n < ORDERS_PER_THREAD; n++) {
        int64_t order_id = order_of(w, n);
        ord_reserve_result result;
        if (inv.ops->reserve(inv.self, NULL, order_id, &item, 1, &result) != ORD_OK ||
            !result.reserved) {
            w->failed++;
            continue;
        }
        ord_error err = n % 2 == 0 ? inv.ops->commit(inv.self, NULL, order_id)
                                   : inv.ops->release(inv.self, NULL, order_id);
        if (err != ORD_OK)
            w->failed++;
    }
    return NULL;
}

static void test_concurrent_reserve_release_commit_keep_the_books_balanced(void **state)
{
    ord_memory_downstream *ds = *state;
    worker workers[THREADS];
    run_workers(ds, workers, reserve_then_settle);
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(workers[i].failed, 0);
    ord_memory_stock s = stock(ds, 2);
    const int64_t committed = THREADS * (ORDERS_PER_THREAD / 2) * 2;
    assert_int_equal(s.reserved, 0);
    assert_int_equal(s.committed, committed);
    assert_int_equal(s.available + s.committed, 1000000);
}

static void *ship_one_order(void *arg)
{
    worker *w = arg;
    ord_tracking t = ord_memory_downstream_tracking(w->ds);
    ord_shipment_request request = {.order_id = 88, .delivery_address = "A", .carrier = "DHL"};
    if (t.ops->create_shipment(t.self, NULL, &request, w->number) != ORD_OK)
        w->failed++;
    return NULL;
}

static void test_concurrent_shipments_of_one_order_get_one_number(void **state)
{
    ord_memory_downstream *ds = *state;
    worker workers[THREADS];
    run_workers(ds, workers, ship_one_order);
    for (int i = 0; i < THREADS; i++) {
        assert_int_equal(workers[i].failed, 0);
        assert_string_equal(workers[i].number, workers[0].number);
    }
    assert_string_equal(workers[0].number, "TRK-00000000-0000-4000-8000-000000000001");
}

/* Every worker delivers the same ORDERS_PER_THREAD events. */
static void *deliver_shared_events(void *arg)
{
    worker *w = arg;
    ord_event_sink sink = ord_memory_downstream_events(w->ds);
    for (int n = 0; n < ORDERS_PER_THREAD; n++) {
        ord_outbox_event event = {.order_id = n + 1, .payload = "{}"};
        snprintf(event.event_id, sizeof event.event_id, "00000000-0000-4000-8000-%012d", n);
        if (sink.ops->deliver(sink.self, NULL, &event) != ORD_OK)
            w->failed++;
    }
    return NULL;
}

static void test_concurrent_deliveries_record_each_event_once(void **state)
{
    ord_memory_downstream *ds = *state;
    worker workers[THREADS];
    run_workers(ds, workers, deliver_shared_events);
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(workers[i].failed, 0);
    assert_int_equal(ord_memory_downstream_event_count(ds), ORDERS_PER_THREAD);
    assert_int_equal(ord_memory_downstream_duplicate_events(ds),
                     (THREADS - 1) * ORDERS_PER_THREAD);
}

#define TEST(t) cmocka_unit_test_setup_teardown(t, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(test_concurrent_reserves_never_oversell),
        TEST(test_concurrent_repeats_of_one_order_reserve_once),
        TEST(test_concurrent_reserve_release_commit_keep_the_books_balanced),
        TEST(test_concurrent_shipments_of_one_order_get_one_number),
        TEST(test_concurrent_deliveries_record_each_event_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

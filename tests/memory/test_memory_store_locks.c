/* The in-memory store's per-customer locks and connections: every port of the
 * store is one holder, each connection another; closing a connection releases
 * its locks (and only its own); faults on lock_customer; the lock count. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <orders/adapters/memory/store.h>

#define CUSTOMER 7
#define OTHER_CUSTOMER 8

static int setup(void **state)
{
    ord_memory_store *store = NULL;
    if (ord_memory_store_new(&store) != ORD_OK)
        return -1;
    *state = store;
    return 0;
}

static int teardown(void **state)
{
    ord_memory_store_free(*state);
    return 0;
}

static ord_error lock(ord_order_repository r, int64_t customer)
{
    return r.ops->lock_customer(r.self, customer);
}

static ord_error unlock(ord_order_repository r, int64_t customer)
{
    return r.ops->unlock_customer(r.self, customer);
}

static ord_memory_store_connection *open_connection(ord_memory_store *store)
{
    ord_memory_store_connection *s = NULL;
    assert_int_equal(ord_memory_store_connection_new(store, &s), ORD_OK);
    assert_non_null(s);
    return s;
}

static void test_every_port_of_the_store_is_one_lock_holder(void **state)
{
    ord_memory_store *store = *state;
    ord_order_repository a = ord_memory_store_orders(store);
    ord_order_repository b = ord_memory_store_orders(store);
    assert_int_equal(lock(a, CUSTOMER), ORD_OK);
    assert_int_equal(lock(b, CUSTOMER), ORD_OK);
    assert_int_equal(ord_memory_store_locked_customers(store), 1);
    assert_int_equal(unlock(b, CUSTOMER), ORD_OK);
    assert_int_equal(ord_memory_store_locked_customers(store), 0);
}

static void test_connections_are_lock_holders_of_their_own(void **state)
{
    ord_memory_store *store = *state;
    ord_memory_store_connection *one = open_connection(store);
    ord_memory_store_connection *two = open_connection(store);
    ord_order_repository own = ord_memory_store_orders(store);
    assert_int_equal(lock(ord_memory_store_connection_orders(one), CUSTOMER), ORD_OK);
    assert_int_equal(lock(ord_memory_store_connection_orders(two), CUSTOMER), ORD_ECONFLICT);
    assert_int_equal(lock(own, CUSTOMER), ORD_ECONFLICT);
    assert_int_equal(lock(own, OTHER_CUSTOMER), ORD_OK);
    assert_int_equal(lock(ord_memory_store_connection_orders(one), OTHER_CUSTOMER), ORD_ECONFLICT);
    assert_int_equal(ord_memory_store_locked_customers(store), 2);
    ord_memory_store_connection_free(two);
    ord_memory_store_connection_free(one);
}

static void test_closing_a_connection_releases_its_locks_and_no_other(void **state)
{
    ord_memory_store *store = *state;
    ord_memory_store_connection *one = open_connection(store);
    ord_memory_store_connection *two = open_connection(store);
    assert_int_equal(lock(ord_memory_store_connection_orders(one), CUSTOMER), ORD_OK);
    assert_int_equal(lock(ord_memory_store_connection_orders(one), 9), ORD_OK);
    assert_int_equal(lock(ord_memory_store_connection_orders(two), OTHER_CUSTOMER), ORD_OK);
    assert_int_equal(ord_memory_store_locked_customers(store), 3);

    ord_memory_store_connection_free(one);
    assert_int_equal(ord_memory_store_locked_customers(store), 1);
    ord_order_repository own = ord_memory_store_orders(store);
    assert_int_equal(lock(own, CUSTOMER), ORD_OK);
    assert_int_equal(lock(own, 9), ORD_OK);
    assert_int_equal(lock(own, OTHER_CUSTOMER), ORD_ECONFLICT);
    ord_memory_store_connection_free(two);
    assert_int_equal(lock(own, OTHER_CUSTOMER), ORD_OK);
    assert_int_equal(ord_memory_store_locked_customers(store), 3);
    ord_memory_store_connection_free(NULL);
}

static void test_connection_repository_sees_the_stores_orders(void **state)
{
    ord_memory_store *store = *state;
    ord_memory_store_connection *s = open_connection(store);
    ord_order_repository connection = ord_memory_store_connection_orders(s);
    ord_order o;
    ord_order_init(&o);
    snprintf(o.number, sizeof o.number, "ORD-00000000-0000-4000-8000-000000000001");
    o.customer_id = CUSTOMER;
    assert_int_equal(ord_order_set_line(&o, 1, 2), ORD_OK);
    assert_int_equal(ord_money_make(&o.total, 0, "USD"), ORD_OK);
    assert_int_equal(ord_order_start(&o, ORD_STATUS_PENDING_CHECK, 1000, "created"), ORD_OK);
    assert_int_equal(connection.ops->create(connection.self, &o), ORD_OK);
    assert_int_equal(ord_memory_store_order_count(store), 1);

    ord_order_repository own = ord_memory_store_orders(store);
    ord_order got;
    ord_order_init(&got);
    assert_int_equal(own.ops->get_by_number(own.self, o.number, &got), ORD_OK);
    assert_int_equal(got.id, o.id);
    ord_order_free(&got);
    assert_int_equal(connection.ops->get_by_id(connection.self, o.id, &got), ORD_OK);
    assert_int_equal(got.customer_id, CUSTOMER);
    ord_order_free(&got);
    ord_order_page page = {0};
    ord_order_query q = {.customer_id = CUSTOMER, .limit = 10};
    assert_int_equal(connection.ops->list_by_customer(connection.self, &q, &page), ORD_OK);
    assert_int_equal(page.count, 1);
    ord_order_page_free(&page);
    ord_order_free(&o);
    ord_memory_store_connection_free(s);
}

static void test_lock_fault_before_takes_nothing_and_after_takes_it(void **state)
{
    ord_memory_store *store = *state;
    ord_memory_store_connection *s = open_connection(store);
    ord_order_repository own = ord_memory_store_orders(store);
    ord_fault fault = {.mode = ORD_FAULT_BEFORE, .error = ORD_EUNAVAILABLE, .times = 1};
    ord_memory_store_inject(store, ORD_MEM_ORDER_LOCK, &fault);
    assert_int_equal(lock(own, CUSTOMER), ORD_EUNAVAILABLE);
    assert_int_equal(ord_memory_store_locked_customers(store), 0);

    /* The lost reply: taken, yet reported failed, until unlocked. */
    fault.mode = ORD_FAULT_AFTER;
    ord_memory_store_inject(store, ORD_MEM_ORDER_LOCK, &fault);
    assert_int_equal(lock(own, CUSTOMER), ORD_EUNAVAILABLE);
    assert_int_equal(ord_memory_store_locked_customers(store), 1);
    assert_int_equal(lock(ord_memory_store_connection_orders(s), CUSTOMER), ORD_ECONFLICT);
    assert_int_equal(unlock(own, CUSTOMER), ORD_OK);
    assert_int_equal(lock(ord_memory_store_connection_orders(s), CUSTOMER), ORD_OK);
    assert_int_equal(ord_memory_store_calls(store, ORD_MEM_ORDER_LOCK), 4);
    ord_memory_store_connection_free(s);
}

static void test_connection_arguments_are_checked(void **state)
{
    ord_memory_store *store = *state;
    ord_memory_store_connection *s = (ord_memory_store_connection *)&s; /* must be reset */
    assert_int_equal(ord_memory_store_connection_new(NULL, &s), ORD_EINVALID);
    assert_null(s);
    assert_int_equal(ord_memory_store_connection_new(store, NULL), ORD_EINVALID);
    assert_int_equal(ord_memory_store_locked_customers(NULL), 0);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_every_port_of_the_store_is_one_lock_holder),
        T(test_connections_are_lock_holders_of_their_own),
        T(test_closing_a_connection_releases_its_locks_and_no_other),
        T(test_connection_repository_sees_the_stores_orders),
        T(test_lock_fault_before_takes_nothing_and_after_takes_it),
        T(test_connection_arguments_are_checked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

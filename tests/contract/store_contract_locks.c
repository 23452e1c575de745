/* Storage contract, part 6: the repository's optional per-customer lock
 * (version 2): exclusive between connections, never waiting, released only by
 * its holder, and excluding nothing but other lock_customer() calls. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "store_contract.h"

#define CUSTOMER 4711
#define OTHER_CUSTOMER 4712

static ord_error lock(const ord_order_repository *r, int64_t customer)
{
    return r->ops->lock_customer(r->self, customer);
}

static ord_error unlock(const ord_order_repository *r, int64_t customer)
{
    return r->ops->unlock_customer(r->self, customer);
}

static void test_customer_lock_is_exclusive_between_connections(void **state)
{
    ord_store_fixture *f = *state;
    ord_order_repository second = sc_second_connection(f);
    assert_int_equal(lock(&f->orders, CUSTOMER), ORD_OK);
    assert_int_equal(lock(&second, CUSTOMER), ORD_ECONFLICT);
    /* Another customer is not held up. */
    assert_int_equal(lock(&second, OTHER_CUSTOMER), ORD_OK);
    assert_int_equal(lock(&f->orders, OTHER_CUSTOMER), ORD_ECONFLICT);

    assert_int_equal(unlock(&f->orders, CUSTOMER), ORD_OK);
    assert_int_equal(lock(&second, CUSTOMER), ORD_OK);
    assert_int_equal(lock(&f->orders, CUSTOMER), ORD_ECONFLICT);
    assert_int_equal(unlock(&second, CUSTOMER), ORD_OK);
    assert_int_equal(unlock(&second, OTHER_CUSTOMER), ORD_OK);
    assert_int_equal(lock(&f->orders, OTHER_CUSTOMER), ORD_OK);
    assert_int_equal(unlock(&f->orders, OTHER_CUSTOMER), ORD_OK);
}

static void test_customer_lock_taken_again_by_its_holder_does_not_stack(void **state)
{
    ord_store_fixture *f = *state;
    ord_order_repository second = sc_second_connection(f);
    assert_int_equal(lock(&f->orders, CUSTOMER), ORD_OK);
    assert_int_equal(lock(&f->orders, CUSTOMER), ORD_OK);
    assert_int_equal(unlock(&f->orders, CUSTOMER), ORD_OK);
    /* One unlock released both takings. */
    assert_int_equal(lock(&second, CUSTOMER), ORD_OK);
    assert_int_equal(unlock(&second, CUSTOMER), ORD_OK);
}

static void test_unlock_never_releases_another_connections_lock(void **state)
{
    ord_store_fixture *f = *state;
    ord_order_repository second = sc_second_connection(f);
    assert_int_equal(lock(&f->orders, CUSTOMER), ORD_OK);
    assert_int_equal(unlock(&second, CUSTOMER), ORD_OK);
    assert_int_equal(lock(&second, CUSTOMER), ORD_ECONFLICT);
    assert_int_equal(unlock(&f->orders, CUSTOMER), ORD_OK);
}

static void test_unlock_of_a_customer_not_held_is_ok(void **state)
{
    ord_store_fixture *f = *state;
    ord_order_repository second = sc_second_connection(f);
    assert_int_equal(unlock(&f->orders, CUSTOMER), ORD_OK);
    assert_int_equal(unlock(&f->orders, CUSTOMER), ORD_OK);
    /* Unlocking twice after a lock leaves nothing behind either. */
    assert_int_equal(lock(&f->orders, CUSTOMER), ORD_OK);
    assert_int_equal(unlock(&f->orders, CUSTOMER), ORD_OK);
    assert_int_equal(unlock(&f->orders, CUSTOMER), ORD_OK);
    assert_int_equal(lock(&second, CUSTOMER), ORD_OK);
    assert_int_equal(unlock(&second, CUSTOMER), ORD_OK);
}

static void test_customer_lock_refuses_ids_that_name_no_customer(void **state)
{
    ord_store_fixture *f = *state;
    ord_order_repository second = sc_second_connection(f);
    assert_int_equal(lock(&f->orders, 0), ORD_EINVALID);
    assert_int_equal(lock(&f->orders, -CUSTOMER), ORD_EINVALID);
    assert_int_equal(unlock(&f->orders, 0), ORD_EINVALID);
    assert_int_equal(unlock(&f->orders, INT64_MIN), ORD_EINVALID);
    /* Nothing was taken: the customer is free for the other connection. */
    assert_int_equal(lock(&second, CUSTOMER), ORD_OK);
    assert_int_equal(unlock(&second, CUSTOMER), ORD_OK);
}

static void test_customer_lock_of_the_largest_ids_is_exclusive(void **state)
{
    ord_store_fixture *f = *state;
    ord_order_repository second = sc_second_connection(f);
    assert_int_equal(lock(&f->orders, INT64_MAX), ORD_OK);
    assert_int_equal(lock(&second, INT64_MAX), ORD_ECONFLICT);
    assert_int_equal(unlock(&f->orders, INT64_MAX), ORD_OK);
    assert_int_equal(lock(&second, INT64_MAX), ORD_OK);
    assert_int_equal(unlock(&second, INT64_MAX), ORD_OK);
}

static void test_customer_lock_holds_up_no_reads_or_writes(void **state)
{
    ord_store_fixture *f = *state;
    ord_order_repository second = sc_second_connection(f);
    assert_int_equal(lock(&f->orders, CUSTOMER), ORD_OK);

    /* The other connection creates, reads and updates the customer's orders. */
    ord_order order;
    sc_build_order(&order, CUSTOMER, SC_T0);
    assert_int_equal(second.ops->create(second.self, &order), ORD_OK);
    ord_order got;
    ord_order_init(&got);
    assert_int_equal(second.ops->get_by_id(second.self, order.id, &got), ORD_OK);
    assert_int_equal(got.customer_id, CUSTOMER);
    got.updated_at_ms = SC_T0 + 1;
    ord_order_update update = {.order = &got, .fields = ORD_UPDATE_TRACKING};
    int64_t version = 0;
    assert_int_equal(second.ops->update(second.self, &update, &version), ORD_OK);
    assert_int_equal(version, 2);
    ord_order_free(&got);
    ord_order_free(&order);

    assert_int_equal(lock(&second, CUSTOMER), ORD_ECONFLICT);
    assert_int_equal(unlock(&f->orders, CUSTOMER), ORD_OK);
}

int sc_run_locks(void)
{
    const struct CMUnitTest store_contract_locks[] = {
        SC_TEST(test_customer_lock_is_exclusive_between_connections),
        SC_TEST(test_customer_lock_taken_again_by_its_holder_does_not_stack),
        SC_TEST(test_unlock_never_releases_another_connections_lock),
        SC_TEST(test_unlock_of_a_customer_not_held_is_ok),
        SC_TEST(test_customer_lock_refuses_ids_that_name_no_customer),
        SC_TEST(test_customer_lock_of_the_largest_ids_is_exclusive),
        SC_TEST(test_customer_lock_holds_up_no_reads_or_writes),
    };
    return cmocka_run_group_tests(store_contract_locks, NULL, NULL);
}

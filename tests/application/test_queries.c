/* Reading orders: ownership without existence leaks, and keyset pages with
 * an opaque cursor that refuses tampering. */
#include "fixture.h"

#include <string.h>

static ord_principal admin;

static void test_get_by_id_or_number_for_the_owner_only(void **state)
{
    fx *f = *state;
    int64_t id = fx_place_confirmed(f);
    char ref[24];
    ord_order o;
    ord_order_init(&o);
    ord_principal owner = fx_customer(FX_CUSTOMER);
    assert_int_equal(ord_get_order(f->svc, &owner, fx_ref(id, ref), &o), ORD_OK);
    assert_int_equal(o.id, id);
    assert_int_equal(o.history_count, 2);
    assert_int_equal(o.item_count, 2);
    char number[ORD_ORDER_NUMBER_SIZE];
    strcpy(number, o.number);
    ord_order_free(&o);

    assert_int_equal(ord_get_order(f->svc, &admin, number, &o), ORD_OK);
    assert_int_equal(o.id, id);
    ord_order_free(&o);

    ord_principal stranger = fx_customer(FX_OTHER_CUSTOMER);
    assert_int_equal(ord_get_order(f->svc, &stranger, ref, &o), ORD_ENOTFOUND);
    assert_int_equal(ord_get_order(f->svc, &stranger, number, &o), ORD_ENOTFOUND);
    assert_int_equal(o.id, 0);
    assert_null(o.items);
    assert_int_equal(ord_get_order(f->svc, &admin, "424242", &o), ORD_ENOTFOUND);
    assert_int_equal(ord_get_order(f->svc, &admin, "not-an-id", &o), ORD_ENOTFOUND);
}

static void test_get_reports_an_unreachable_store(void **state)
{
    fx *f = *state;
    int64_t id = fx_place_confirmed(f);
    fx_fail(f, FX_STORE, ORD_MEM_ORDER_GET, ORD_FAULT_BEFORE, ORD_EUNAVAILABLE, 0, 1);
    char ref[24];
    ord_order o;
    ord_order_init(&o);
    assert_int_equal(ord_get_order(f->svc, &admin, fx_ref(id, ref), &o), ORD_EUNAVAILABLE);
    ord_order_free(&o);
}

/* 25 orders one second apart; every third is cancelled. */
static void place_many(fx *f, int64_t ids[25])
{
    for (int i = 0; i < 25; i++) {
        fx_request r;
        fx_request_init(&r, FX_CUSTOMER, 1, 2, 1);
        ord_place_result res = {0};
        fx_place(f, &r, &res);
        assert_int_equal(res.outcome, ORD_PLACED);
        ids[i] = res.order.id;
        ord_place_result_free(&res);
        if (i % 3 == 0) {
            char ref[24];
            assert_int_equal(ord_cancel_order(f->svc, &admin, NULL, fx_ref(ids[i], ref), 0), ORD_OK);
        }
        ord_manual_clock_advance(f->clock, 1000);
    }
}

static void test_list_pages_newest_first_with_a_cursor(void **state)
{
    fx *f = *state;
    int64_t ids[25];
    place_many(f, ids);
    ord_list_request req = {.customer_id = FX_CUSTOMER};
    ord_list_result page = {0};
    assert_int_equal(ord_list_orders(f->svc, &admin, &req, &page), ORD_OK);
    assert_int_equal(page.page.count, ORD_DEFAULT_PAGE_SIZE);
    assert_true(page.has_next);
    for (size_t i = 0; i < page.page.count; i++)
        assert_int_equal(page.page.orders[i].id, ids[24 - i]);
    char cursor[ORD_CURSOR_SIZE];
    strcpy(cursor, page.next_cursor);
    ord_order_page_free(&page.page);

    req.cursor = cursor;
    assert_int_equal(ord_list_orders(f->svc, &admin, &req, &page), ORD_OK);
    assert_int_equal(page.page.count, 5);
    assert_false(page.has_next);
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(page.page.orders[i].id, ids[4 - i]);
    ord_order_page_free(&page.page);

    req = (ord_list_request){.customer_id = FX_CUSTOMER, .limit = 4, .status = "CANCELLED"};
    assert_int_equal(ord_list_orders(f->svc, &admin, &req, &page), ORD_OK);
    assert_int_equal(page.page.count, 4);
    assert_true(page.has_next);
    assert_int_equal(page.page.orders[0].id, ids[24]);
    assert_int_equal(page.page.orders[1].id, ids[21]);
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(page.page.orders[i].status, ORD_STATUS_CANCELLED);
    ord_order_page_free(&page.page);
}

static void test_list_refuses_bad_limit_status_and_cursor(void **state)
{
    fx *f = *state;
    int64_t ids[25];
    place_many(f, ids);
    ord_list_result page = {0};
    ord_list_request req = {.customer_id = FX_CUSTOMER, .limit = ORD_MAX_PAGE_SIZE + 1};
    assert_int_equal(ord_list_orders(f->svc, &admin, &req, &page), ORD_EINVALID);
    req = (ord_list_request){.customer_id = FX_CUSTOMER, .status = "shipped"};
    assert_int_equal(ord_list_orders(f->svc, &admin, &req, &page), ORD_EINVALID);
    req = (ord_list_request){.customer_id = FX_CUSTOMER, .cursor = "garbage"};
    assert_int_equal(ord_list_orders(f->svc, &admin, &req, &page), ORD_EINVALID);
    req = (ord_list_request){.customer_id = FX_CUSTOMER, .cursor = ""};
    assert_int_equal(ord_list_orders(f->svc, &admin, &req, &page), ORD_EINVALID);

    req = (ord_list_request){.customer_id = FX_CUSTOMER, .limit = 2};
    assert_int_equal(ord_list_orders(f->svc, &admin, &req, &page), ORD_OK);
    char cursor[ORD_CURSOR_SIZE];
    strcpy(cursor, page.next_cursor);
    ord_order_page_free(&page.page);
    /* Every single-character edit of the cursor is refused. */
    for (size_t i = 0; cursor[i] != '\0'; i++) {
        char tampered[ORD_CURSOR_SIZE];
        strcpy(tampered, cursor);
        tampered[i] = tampered[i] == '0' ? '1' : '0';
        req.cursor = tampered;
        assert_int_equal(ord_list_orders(f->svc, &admin, &req, &page), ORD_EINVALID);
        assert_int_equal(page.page.count, 0);
    }
    /* A cursor is bound to its customer's list. */
    req = (ord_list_request){.customer_id = FX_OTHER_CUSTOMER, .cursor = cursor};
    assert_int_equal(ord_list_orders(f->svc, &admin, &req, &page), ORD_EINVALID);
    req = (ord_list_request){.customer_id = FX_CUSTOMER, .limit = 2, .cursor = cursor};
    assert_int_equal(ord_list_orders(f->svc, &admin, &req, &page), ORD_OK);
    assert_int_equal(page.page.orders[0].id, ids[22]);
    ord_order_page_free(&page.page);
}

static void test_list_is_for_the_customer_or_an_admin(void **state)
{
    fx *f = *state;
    fx_place_confirmed(f);
    ord_list_result page = {0};
    ord_list_request req = {.customer_id = FX_CUSTOMER};
    ord_principal stranger = fx_customer(FX_OTHER_CUSTOMER);
    assert_int_equal(ord_list_orders(f->svc, &stranger, &req, &page), ORD_EFORBIDDEN);
    ord_principal owner = fx_customer(FX_CUSTOMER);
    assert_int_equal(ord_list_orders(f->svc, &owner, &req, &page), ORD_OK);
    assert_int_equal(page.page.count, 1);
    assert_false(page.has_next);
    ord_order_page_free(&page.page);

    req.customer_id = 999999;
    assert_int_equal(ord_list_orders(f->svc, &admin, &req, &page), ORD_OK);
    assert_int_equal(page.page.count, 0);
    assert_false(page.has_next);
}

static int setup(void **state)
{
    admin = fx_admin();
    return fx_setup(state);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, fx_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_get_by_id_or_number_for_the_owner_only),
        T(test_get_reports_an_unreachable_store),
        T(test_list_pages_newest_first_with_a_cursor),
        T(test_list_refuses_bad_limit_status_and_cursor),
        T(test_list_is_for_the_customer_or_an_admin),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

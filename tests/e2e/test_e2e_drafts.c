/* End to end: drafts (a cart) for customers and guests, owner proof, lines,
 * checkout through the saga, its refusals, and two concurrent checkouts of
 * one draft of which exactly one proceeds. */
#include "e2e.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int reset(void **state)
{
    (void)state;
    e2e_sim_reset();
    return 0;
}

static int64_t create_draft(const char *body)
{
    e2e_reply r = e2e_call("POST", "/api/v1/orders/drafts", body, NULL);
    if (r.status != 201)
        fail_msg("creating a draft: %ld %s", r.status, r.body);
    assert_string_equal(e2e_str(r.json, "status"), "DRAFT");
    int64_t id = e2e_int(r.json, "orderId");
    char buf[96];
    char expected[96];
    snprintf(expected, sizeof expected, "/api/v1/orders/%lld", (long long)id);
    assert_string_equal(e2e_header(&r, "Location", buf, sizeof buf), expected);
    e2e_reply_free(&r);
    return id;
}

static e2e_reply set_line(int64_t id, const char *body)
{
    char path[96];
    return e2e_call("PUT", e2e_path(path, sizeof path, id, "/items"), body, NULL);
}

static e2e_reply checkout(int64_t id, const char *body)
{
    char path[96];
    return e2e_call("POST", e2e_path(path, sizeof path, id, "/checkout"), body, NULL);
}

static const cJSON *line_of(const cJSON *order, int64_t product)
{
    const cJSON *item;
    cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(order, "items"))
        if (e2e_int(item, "productId") == product)
            return item;
    return NULL;
}

static void test_customer_draft_lines_then_checkout_confirms_at_current_prices(void **state)
{
    (void)state;
    int64_t id = create_draft("{\"customerId\":4001}");
    e2e_reply r = set_line(id, "{\"productId\":1,\"quantity\":3,\"customerId\":4001}");
    assert_int_equal(r.status, 200);
    assert_int_equal(e2e_int(line_of(r.json, 1), "quantity"), 3);
    e2e_reply_free(&r);
    r = set_line(id, "{\"productId\":5,\"quantity\":1,\"customerId\":4001}");
    assert_int_equal(r.status, 200);
    e2e_reply_free(&r);
    r = set_line(id, "{\"productId\":1,\"quantity\":2,\"customerId\":4001}");
    assert_int_equal(r.status, 200);
    assert_int_equal(e2e_int(line_of(r.json, 1), "quantity"), 2);
    e2e_reply_free(&r);
    r = set_line(id, "{\"productId\":7,\"quantity\":4,\"customerId\":4001}");
    assert_int_equal(r.status, 200);
    e2e_reply_free(&r);
    /* Quantity 0 removes the line. */
    r = set_line(id, "{\"productId\":7,\"quantity\":0,\"customerId\":4001}");
    assert_int_equal(r.status, 200);
    assert_null(line_of(r.json, 7));
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r.json, "items")), 2);
    e2e_reply_free(&r);

    r = checkout(id, "{\"customerId\":4001,\"deliveryAddress\":\"1 Draft Lane\",\"carrier\":\"UPS\","
                     "\"customerName\":\"Grace Hopper\"}");
    assert_int_equal(r.status, 201);
    assert_int_equal(e2e_int(r.json, "orderId"), id);
    assert_string_equal(e2e_str(r.json, "status"), "CONFIRMED");
    assert_int_equal(e2e_cents(r.json, "totalPrice"), 34997);
    assert_int_equal(e2e_cents(line_of(r.json, 1), "priceAtPurchase"), 9999);
    assert_string_equal(e2e_str(r.json, "carrier"), "UPS");
    assert_int_equal(strncmp(e2e_str(r.json, "trackingNumber"), "TRK-", 4), 0);
    e2e_reply_free(&r);
    char buf[32];
    assert_string_equal(e2e_sim_reservation(id, buf, sizeof buf), "RESERVED");
}

static void test_draft_can_start_with_items(void **state)
{
    (void)state;
    int64_t id = create_draft("{\"customerId\":4002,\"items\":[{\"productId\":3,\"quantity\":2}]}");
    cJSON *order = e2e_get_order(id);
    assert_int_equal(e2e_int(line_of(order, 3), "quantity"), 2);
    cJSON_Delete(order);
}

static void test_guest_draft_requires_its_token(void **state)
{
    (void)state;
    int64_t id = create_draft("{\"guestToken\":\"e2eGuestT0kenAbc9Xy7Qw3R\"}");
    e2e_reply r = set_line(id, "{\"productId\":1,\"quantity\":1,\"guestToken\":\"e2eGuestT0kenXyz9Xy7Qw3R\"}");
    e2e_assert_problem(&r, 401, "Unauthorized");
    e2e_reply_free(&r);
    r = set_line(id, "{\"productId\":1,\"quantity\":1,\"customerId\":4003}");
    e2e_assert_problem(&r, 401, "Unauthorized");
    e2e_reply_free(&r);
    r = set_line(id, "{\"productId\":1,\"quantity\":1,\"guestToken\":\"e2eGuestT0kenAbc9Xy7Qw3R\"}");
    assert_int_equal(r.status, 200);
    e2e_reply_free(&r);

    r = checkout(id, "{\"guestToken\":\"e2eGuestT0kenXyz9Xy7Qw3R\",\"deliveryAddress\":\"2 Guest Rd\"}");
    e2e_assert_problem(&r, 401, "Unauthorized");
    e2e_reply_free(&r);
    char buf[32];
    assert_string_equal(e2e_status(id, buf, sizeof buf), "DRAFT");
    r = checkout(id, "{\"guestToken\":\"e2eGuestT0kenAbc9Xy7Qw3R\",\"deliveryAddress\":\"2 Guest Rd\"}");
    assert_int_equal(r.status, 201);
    assert_string_equal(e2e_str(r.json, "status"), "CONFIRMED");
    assert_string_equal(e2e_str(r.json, "carrier"), "DHL");
    e2e_reply_free(&r);
}

static void test_draft_without_an_owner_gets_an_issued_guest_token(void **state)
{
    (void)state;
    e2e_reply r = e2e_call("POST", "/api/v1/orders/drafts", "{}", NULL);
    assert_int_equal(r.status, 201);
    char body[200];
    snprintf(body, sizeof body, "{\"productId\":1,\"quantity\":1,\"guestToken\":\"%s\"}",
             e2e_str(r.json, "guestToken"));
    int64_t id = e2e_int(r.json, "orderId");
    e2e_reply_free(&r);
    r = set_line(id, body);
    assert_int_equal(r.status, 200);
    e2e_reply_free(&r);
    r = e2e_call("POST", "/api/v1/orders/drafts", "{\"guestToken\":\"guest-abc\"}", NULL);
    e2e_assert_problem(&r, 400, "Validation failed");
    e2e_reply_free(&r);
}

static void test_lines_of_a_checked_out_order_are_refused_with_409(void **state)
{
    (void)state;
    int64_t id = create_draft("{\"customerId\":4004,\"items\":[{\"productId\":1,\"quantity\":1}]}");
    e2e_reply r = checkout(id, "{\"customerId\":4004,\"deliveryAddress\":\"3 Road\"}");
    assert_int_equal(r.status, 201);
    e2e_reply_free(&r);
    r = set_line(id, "{\"productId\":2,\"quantity\":1,\"customerId\":4004}");
    e2e_assert_problem(&r, 409, "Order is not in draft state");
    e2e_reply_free(&r);
    r = checkout(id, "{\"customerId\":4004,\"deliveryAddress\":\"3 Road\"}");
    e2e_assert_problem(&r, 400, "Order is not in draft state");
    e2e_reply_free(&r);
}

static void test_checkout_of_an_empty_or_unknown_draft_is_refused(void **state)
{
    (void)state;
    int64_t id = create_draft("{\"customerId\":4005}");
    e2e_reply r = checkout(id, "{\"customerId\":4005,\"deliveryAddress\":\"4 Road\"}");
    assert_int_equal(r.status, 400);
    assert_int_equal(e2e_int(r.json, "status"), 400);
    e2e_reply_free(&r);
    char buf[32];
    assert_string_equal(e2e_status(id, buf, sizeof buf), "DRAFT");

    r = checkout(987654321, "{\"customerId\":4005,\"deliveryAddress\":\"4 Road\"}");
    assert_int_equal(r.status, 404);
    e2e_reply_free(&r);
}

static void test_a_draft_can_be_cancelled(void **state)
{
    (void)state;
    int64_t id = create_draft("{\"customerId\":4006,\"items\":[{\"productId\":1,\"quantity\":1}]}");
    char path[96];
    e2e_reply r = e2e_call("PUT", e2e_path(path, sizeof path, id, "/cancel"), NULL, NULL);
    assert_int_equal(r.status, 204);
    e2e_reply_free(&r);
    char buf[32];
    assert_string_equal(e2e_status(id, buf, sizeof buf), "CANCELLED");
}

static void test_two_concurrent_checkouts_of_one_draft_have_one_winner(void **state)
{
    (void)state;
    int64_t id = create_draft("{\"customerId\":4007,\"items\":[{\"productId\":1,\"quantity\":2}]}");
    /* Slow prices keep both checkouts in flight together. */
    e2e_fault_json("{\"service\":\"catalog\",\"mode\":\"slow\",\"latencyMs\":500}");
    e2e_job jobs[2];
    memset(jobs, 0, sizeof jobs);
    for (int i = 0; i < 2; i++) {
        jobs[i].method = "POST";
        e2e_path(jobs[i].path, sizeof jobs[i].path, id, "/checkout");
        jobs[i].body = "{\"customerId\":4007,\"deliveryAddress\":\"5 Race St\"}";
    }
    e2e_parallel(jobs, 2);
    e2e_fault("all", "ok");
    int won = 0, lost = 0;
    for (int i = 0; i < 2; i++) {
        if (jobs[i].reply.status == 201)
            won++;
        else if (jobs[i].reply.status == 409)
            lost++;
        else
            fail_msg("checkout answered %ld: %s", jobs[i].reply.status, jobs[i].reply.body);
        e2e_reply_free(&jobs[i].reply);
    }
    assert_int_equal(won, 1);
    assert_int_equal(lost, 1);
    char buf[32];
    assert_string_equal(e2e_status(id, buf, sizeof buf), "CONFIRMED");
    assert_int_equal(e2e_sim_reservation_count(id), 1);
    int64_t available, reserved, committed;
    e2e_sim_stock(1, &available, &reserved, &committed);
    assert_int_equal(reserved, 2);
}

static void test_checkout_with_an_idempotency_key_replays(void **state)
{
    (void)state;
    int64_t id = create_draft("{\"customerId\":4008,\"items\":[{\"productId\":1,\"quantity\":1}]}");
    char path[96];
    e2e_path(path, sizeof path, id, "/checkout");
    const char *body = "{\"customerId\":4008,\"deliveryAddress\":\"6 Key St\"}";
    e2e_reply first = e2e_call("POST", path, body, "Idempotency-Key: e2e-checkout-1", NULL);
    assert_int_equal(first.status, 201);
    e2e_reply again = e2e_call("POST", path, body, "Idempotency-Key: e2e-checkout-1", NULL);
    assert_int_equal(again.status, 201);
    char buf[32];
    assert_string_equal(e2e_header(&again, "Idempotent-Replayed", buf, sizeof buf), "true");
    assert_string_equal(again.body, first.body);
    e2e_reply_free(&first);
    e2e_reply_free(&again);
    assert_int_equal(e2e_sim_reservation_count(id), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_customer_draft_lines_then_checkout_confirms_at_current_prices, reset),
        cmocka_unit_test_setup(test_draft_can_start_with_items, reset),
        cmocka_unit_test_setup(test_guest_draft_requires_its_token, reset),
        cmocka_unit_test_setup(test_draft_without_an_owner_gets_an_issued_guest_token, reset),
        cmocka_unit_test_setup(test_lines_of_a_checked_out_order_are_refused_with_409, reset),
        cmocka_unit_test_setup(test_checkout_of_an_empty_or_unknown_draft_is_refused, reset),
        cmocka_unit_test_setup(test_a_draft_can_be_cancelled, reset),
        cmocka_unit_test_setup(test_two_concurrent_checkouts_of_one_draft_have_one_winner, reset),
        cmocka_unit_test_setup(test_checkout_with_an_idempotency_key_replays, reset),
    };
    return cmocka_run_group_tests(tests, e2e_group_setup, e2e_group_teardown);
}

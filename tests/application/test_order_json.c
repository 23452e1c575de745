/* The order and event JSON bodies, compared byte for byte: field order and
 * names of docs/api.md (Reading orders, Events), exact money, RFC 3339
 * times, null where the API says,
 * and string escaping that always yields valid JSON. */
#include "fixture.h"

#include <stdlib.h>
#include <string.h>

#define NUMBER "ORD-550e8400-e29b-41d4-a716-446655440000"

static ord_money usd(int64_t minor)
{
    ord_money m;
    assert_int_equal(ord_money_make(&m, minor, "USD"), ORD_OK);
    return m;
}

/* Order 789: CONFIRMED, 2 x 99.99 + 1 x 149.99, no tracking yet. */
static void build_order(ord_order *o)
{
    ord_order_init(o);
    o->id = 789;
    strcpy(o->number, NUMBER);
    o->customer_id = 12345;
    assert_int_equal(ord_order_set_text(&o->customer_name, "Ada Lovelace"), ORD_OK);
    assert_int_equal(ord_order_set_text(&o->delivery_address, FX_ADDRESS), ORD_OK);
    assert_int_equal(ord_order_set_text(&o->carrier, "DHL"), ORD_OK);
    ord_order_item items[] = {
        {.product_id = 1, .quantity = 2, .has_price = true, .unit_price = usd(9999)},
        {.product_id = 5, .quantity = 1, .has_price = true, .unit_price = usd(14999)},
    };
    assert_int_equal(ord_order_set_items(o, items, 2), ORD_OK);
    o->total = usd(34997);
    assert_int_equal(ord_order_start(o, ORD_STATUS_PENDING_CHECK, FX_START_MS, "created"), ORD_OK);
    assert_int_equal(ord_order_transition(o, ORD_STATUS_CONFIRMED, FX_START_MS + 1500,
                                          "stock_reserved", NULL),
                     ORD_OK);
    o->version = 2;
}

static void expect_json(const ord_order *o, ord_order_json_form form, const char *want)
{
    char *json = NULL;
    assert_int_equal(ord_order_to_json(&json, o, form), ORD_OK);
    assert_non_null(json);
    assert_string_equal(json, want);
    free(json);
}

static void test_full_order_json_matches_the_api(void **state)
{
    (void)state;
    ord_order o;
    build_order(&o);
    expect_json(&o, ORD_ORDER_JSON_FULL,
                "{\"orderId\":789,\"orderNumber\":\"" NUMBER "\",\"customerId\":12345,"
                "\"customerName\":\"Ada Lovelace\",\"status\":\"CONFIRMED\","
                "\"totalPrice\":349.97,\"currency\":\"USD\",\"orderDate\":\"2026-03-08T14:30:00Z\","
                "\"trackingNumber\":null,\"deliveryAddress\":\"" FX_ADDRESS "\",\"carrier\":\"DHL\","
                "\"items\":[{\"productId\":1,\"quantity\":2,\"priceAtPurchase\":99.99},"
                "{\"productId\":5,\"quantity\":1,\"priceAtPurchase\":149.99}],"
                "\"statusHistory\":[{\"from\":null,\"to\":\"PENDING_CHECK\","
                "\"at\":\"2026-03-08T14:30:00Z\",\"reason\":\"created\"},"
                "{\"from\":\"PENDING_CHECK\",\"to\":\"CONFIRMED\",\"at\":\"2026-03-08T14:30:01Z\","
                "\"reason\":\"stock_reserved\"}],\"version\":2}");
    ord_order_free(&o);
}

static void test_summary_json_has_only_the_list_fields(void **state)
{
    (void)state;
    ord_order o;
    build_order(&o);
    assert_int_equal(ord_order_set_text(&o.tracking_number, "TRK-1"), ORD_OK);
    expect_json(&o, ORD_ORDER_JSON_SUMMARY,
                "{\"orderId\":789,\"orderNumber\":\"" NUMBER "\",\"status\":\"CONFIRMED\","
                "\"totalPrice\":349.97,\"currency\":\"USD\",\"orderDate\":\"2026-03-08T14:30:00Z\","
                "\"trackingNumber\":\"TRK-1\"}");
    ord_order_free(&o);
}

static void test_money_is_exact_with_the_currency_decimals(void **state)
{
    (void)state;
    ord_order o;
    build_order(&o);
    o.total = usd(30); /* 0.10 + 0.20 */
    char *json = NULL;
    assert_int_equal(ord_order_to_json(&json, &o, ORD_ORDER_JSON_SUMMARY), ORD_OK);
    assert_non_null(strstr(json, "\"totalPrice\":0.30,\"currency\":\"USD\""));
    free(json);
    assert_int_equal(ord_money_make(&o.total, 1500, "JPY"), ORD_OK);
    assert_int_equal(ord_order_to_json(&json, &o, ORD_ORDER_JSON_SUMMARY), ORD_OK);
    assert_non_null(strstr(json, "\"totalPrice\":1500,\"currency\":\"JPY\""));
    free(json);
    ord_order_free(&o);
}

static void test_strings_are_escaped_and_utf8_passes_through(void **state)
{
    (void)state;
    ord_order o;
    build_order(&o);
    assert_int_equal(ord_order_set_text(&o.customer_name,
                                        "Zo\xc3\xab \"Q\" \\ \n\t\r\b\f\x01\x1f \xe2\x82\xac \xf0\x9f\x93\xa6 /"),
                     ORD_OK);
    char *json = NULL;
    assert_int_equal(ord_order_to_json(&json, &o, ORD_ORDER_JSON_FULL), ORD_OK);
    const char *want = "\"customerName\":\"Zo\xc3\xab \\\"Q\\\" \\\\ \\n\\t\\r\\b\\f\\u0001\\u001f "
                       "\xe2\x82\xac \xf0\x9f\x93\xa6 /\"";
    if (strstr(json, want) == NULL)
        fail_msg("%s lacks %s", json, want);
    free(json);
    ord_order_free(&o);
}

static void test_invalid_utf8_becomes_replacement_characters(void **state)
{
    (void)state;
    ord_order o;
    build_order(&o);
    /* A lone continuation byte, an overlong '/', a surrogate, a cut sequence. */
    assert_int_equal(ord_order_set_text(&o.carrier, "a\x80" "b\xc0\xaf" "c\xed\xa0\x80" "d\xe2\x82"),
                     ORD_OK);
    char *json = NULL;
    assert_int_equal(ord_order_to_json(&json, &o, ORD_ORDER_JSON_FULL), ORD_OK);
    const char *want = "\"carrier\":\"a\\ufffdb\\ufffd\\ufffdc\\ufffd\\ufffd\\ufffdd\\ufffd\\ufffd\"";
    if (strstr(json, want) == NULL)
        fail_msg("%s lacks %s", json, want);
    free(json);
    ord_order_free(&o);
}

static void test_draft_json_has_nulls_for_what_is_not_fixed_yet(void **state)
{
    (void)state;
    ord_order d;
    ord_order_init(&d);
    d.id = 5;
    strcpy(d.number, NUMBER);
    ord_order_item line = {.product_id = 3, .quantity = 4};
    assert_int_equal(ord_order_set_items(&d, &line, 1), ORD_OK);
    d.total = usd(0);
    assert_int_equal(ord_order_start(&d, ORD_STATUS_DRAFT, FX_START_MS, "created"), ORD_OK);
    d.version = 1;
    expect_json(&d, ORD_ORDER_JSON_FULL,
                "{\"orderId\":5,\"orderNumber\":\"" NUMBER "\",\"customerId\":null,"
                "\"customerName\":null,\"status\":\"DRAFT\",\"totalPrice\":0.00,"
                "\"currency\":\"USD\",\"orderDate\":\"2026-03-08T14:30:00Z\","
                "\"trackingNumber\":null,\"deliveryAddress\":null,\"carrier\":null,"
                "\"items\":[{\"productId\":3,\"quantity\":4,\"priceAtPurchase\":null}],"
                "\"statusHistory\":[{\"from\":null,\"to\":\"DRAFT\","
                "\"at\":\"2026-03-08T14:30:00Z\",\"reason\":\"created\"}],\"version\":1}");
    ord_order_free(&d);
}

static void test_event_json_wraps_the_order(void **state)
{
    (void)state;
    ord_order o;
    build_order(&o);
    ord_outbox_event ev;
    memset(&ev, 0, sizeof ev);
    strcpy(ev.event_id, "f47ac10b-58cc-4372-a567-0e02b2c3d479");
    ev.type = ORD_EVENT_ORDER_PLACED;
    ev.order_id = 789;
    ev.customer_id = 12345;
    ev.sequence = 2;
    ev.occurred_at_ms = FX_START_MS + 1500;
    char *order_json = NULL;
    assert_int_equal(ord_order_to_json(&order_json, &o, ORD_ORDER_JSON_FULL), ORD_OK);
    char *json = NULL;
    assert_int_equal(ord_event_to_json(&json, &ev, &o), ORD_OK);
    const char *head = "{\"eventId\":\"f47ac10b-58cc-4372-a567-0e02b2c3d479\","
                       "\"eventType\":\"OrderPlaced\",\"occurredAt\":\"2026-03-08T14:30:01Z\","
                       "\"orderId\":789,\"orderNumber\":\"" NUMBER "\",\"customerId\":12345,"
                       "\"status\":\"CONFIRMED\",\"sequence\":2,\"order\":";
    size_t head_len = strlen(head);
    assert_memory_equal(json, head, head_len);
    assert_memory_equal(json + head_len, order_json, strlen(order_json));
    assert_string_equal(json + head_len + strlen(order_json), "}");
    free(json);
    free(order_json);
    ord_order_free(&o);
}

static void test_unrenderable_values_are_refused_without_output(void **state)
{
    (void)state;
    ord_order o;
    build_order(&o);
    char *json = (char *)"untouched";
    o.created_at_ms = INT64_MAX; /* beyond year 9999 */
    assert_int_equal(ord_order_to_json(&json, &o, ORD_ORDER_JSON_FULL), ORD_EINVALID);
    assert_null(json);
    o.created_at_ms = FX_START_MS;
    strcpy(o.total.currency, "us");
    assert_int_equal(ord_order_to_json(&json, &o, ORD_ORDER_JSON_SUMMARY), ORD_EINVALID);
    assert_null(json);
    assert_int_equal(ord_order_to_json(&json, NULL, ORD_ORDER_JSON_FULL), ORD_EINVALID);
    assert_int_equal(ord_order_to_json(NULL, &o, ORD_ORDER_JSON_FULL), ORD_EINVALID);
    assert_int_equal(ord_order_to_json(&json, &o, (ord_order_json_form)7), ORD_EINVALID);
    assert_int_equal(ord_event_to_json(&json, NULL, &o), ORD_EINVALID);
    ord_order_free(&o);
}

static void test_large_orders_render_completely(void **state)
{
    (void)state;
    ord_order o;
    build_order(&o);
    ord_order_item items[ORD_MAX_ITEMS];
    for (int i = 0; i < ORD_MAX_ITEMS; i++)
        items[i] = (ord_order_item){.product_id = i + 1, .quantity = ORD_MAX_QUANTITY,
                                    .has_price = true, .unit_price = usd(INT64_MAX / 1000000)};
    assert_int_equal(ord_order_set_items(&o, items, ORD_MAX_ITEMS), ORD_OK);
    char *json = NULL;
    assert_int_equal(ord_order_to_json(&json, &o, ORD_ORDER_JSON_FULL), ORD_OK);
    assert_non_null(strstr(json, "{\"productId\":100,\"quantity\":10000,\"priceAtPurchase\":92233720368.54}"));
    assert_string_equal(json + strlen(json) - 14, "],\"version\":2}");
    free(json);
    ord_order_free(&o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_order_json_matches_the_api),
        cmocka_unit_test(test_summary_json_has_only_the_list_fields),
        cmocka_unit_test(test_money_is_exact_with_the_currency_decimals),
        cmocka_unit_test(test_strings_are_escaped_and_utf8_passes_through),
        cmocka_unit_test(test_invalid_utf8_becomes_replacement_characters),
        cmocka_unit_test(test_draft_json_has_nulls_for_what_is_not_fixed_yet),
        cmocka_unit_test(test_event_json_wraps_the_order),
        cmocka_unit_test(test_unrenderable_values_are_refused_without_output),
        cmocka_unit_test(test_large_orders_render_completely),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

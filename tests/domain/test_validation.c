/* Validation of the create request, checkout fields, draft lines and
 * Idempotency-Key: each rule alone, then many broken at once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <orders/domain/order.h>
#include <orders/domain/validation.h>

static const ord_item_request good_items[] = {{.product_id = 1, .quantity = 2},
                                              {.product_id = 5, .quantity = 1}};

static ord_create_request good_request(void)
{
    return (ord_create_request){
        .customer_id = 12345,
        .customer_name = "Ada Lovelace",
        .delivery_address = "123 Main St, City, State 12345",
        .carrier = "DHL",
        .items = good_items,
        .item_count = 2,
    };
}

/* A string of n copies of unit (unit may be several bytes); caller frees. */
static char *repeat(const char *unit, size_t n)
{
    size_t len = strlen(unit);
    char *text = malloc(len * n + 1);
    assert_non_null(text);
    for (size_t i = 0; i < n; i++)
        memcpy(text + i * len, unit, len);
    text[len * n] = '\0';
    return text;
}

/* Validate @p req and expect exactly one error, on @p field with @p message. */
static void expect_single_error(const ord_create_request *req, const char *field,
                                const char *message)
{
    ord_field_errors errors = {0};
    assert_int_equal(ord_validate_create_request(req, &errors), ORD_EINVALID);
    assert_int_equal(errors.count, 1);
    assert_string_equal(errors.items[0].field, field);
    assert_string_equal(errors.items[0].message, message);
    ord_field_errors_free(&errors);
}

static void expect_valid(const ord_create_request *req)
{
    ord_field_errors errors = {0};
    assert_int_equal(ord_validate_create_request(req, &errors), ORD_OK);
    assert_int_equal(errors.count, 0);
    ord_field_errors_free(&errors);
}

static void test_a_good_request_passes(void **state)
{
    (void)state;
    ord_create_request req = good_request();
    expect_valid(&req);
    req.customer_name = NULL;
    req.carrier = NULL;
    expect_valid(&req);
}

static void test_customer_id_must_be_positive(void **state)
{
    (void)state;
    ord_create_request req = good_request();
    req.customer_id = 0;
    expect_single_error(&req, "customerId", "must be > 0");
    req.customer_id = -7;
    expect_single_error(&req, "customerId", "must be > 0");
    req.customer_id = 1;
    expect_valid(&req);
}

static void test_items_must_number_between_1_and_100(void **state)
{
    (void)state;
    ord_item_request many[ORD_MAX_ITEMS + 1];
    for (int i = 0; i <= ORD_MAX_ITEMS; i++)
        many[i] = (ord_item_request){.product_id = i + 1, .quantity = 1};
    ord_create_request req = good_request();
    req.item_count = 0;
    expect_single_error(&req, "items", "must contain between 1 and 100 items");
    req.items = NULL;
    expect_single_error(&req, "items", "must contain between 1 and 100 items");
    req.items = many;
    req.item_count = ORD_MAX_ITEMS + 1;
    expect_single_error(&req, "items", "must contain between 1 and 100 items");
    req.item_count = ORD_MAX_ITEMS;
    expect_valid(&req);
    req.item_count = 1;
    expect_valid(&req);
}

static void test_product_id_must_be_positive(void **state)
{
    (void)state;
    ord_item_request items[] = {{1, 1}, {2, 1}, {3, 1}, {0, 1}};
    ord_create_request req = good_request();
    req.items = items;
    req.item_count = 4;
    expect_single_error(&req, "items[3].productId", "must be > 0");
    items[3].product_id = -1;
    expect_single_error(&req, "items[3].productId", "must be > 0");
}

static void test_duplicate_product_is_reported_on_the_later_line(void **state)
{
    (void)state;
    ord_item_request items[] = {{7, 1}, {8, 1}, {7, 3}};
    ord_create_request req = good_request();
    req.items = items;
    req.item_count = 3;
    expect_single_error(&req, "items[2].productId", "duplicate product");
}

static void test_quantity_must_be_between_1_and_10000(void **state)
{
    (void)state;
    ord_item_request items[] = {{1, 1}, {2, 0}};
    ord_create_request req = good_request();
    req.items = items;
    req.item_count = 2;
    expect_single_error(&req, "items[1].quantity", "must be between 1 and 10000");
    items[1].quantity = -1;
    expect_single_error(&req, "items[1].quantity", "must be between 1 and 10000");
    items[1].quantity = ORD_MAX_QUANTITY + 1;
    expect_single_error(&req, "items[1].quantity", "must be between 1 and 10000");
    items[1].quantity = INT64_MAX;
    expect_single_error(&req, "items[1].quantity", "must be between 1 and 10000");
    items[1].quantity = ORD_MAX_QUANTITY;
    expect_valid(&req);
}

static void test_delivery_address_is_required_and_not_blank(void **state)
{
    (void)state;
    ord_create_request req = good_request();
    const char *blank[] = {NULL, "", "   ", " \t\r\n "};
    for (size_t i = 0; i < sizeof blank / sizeof blank[0]; i++) {
        req.delivery_address = blank[i];
        expect_single_error(&req, "deliveryAddress", "must not be blank");
    }
}

static void test_delivery_address_limit_counts_characters_not_bytes(void **state)
{
    (void)state;
    ord_create_request req = good_request();
    char *at_limit = repeat("\xC3\xA9", ORD_MAX_ADDRESS_CHARS); /* 500 x "é", 1000 bytes */
    char *over = repeat("a", ORD_MAX_ADDRESS_CHARS + 1);
    req.delivery_address = at_limit;
    expect_valid(&req);
    req.delivery_address = over;
    expect_single_error(&req, "deliveryAddress", "must be at most 500 characters");
    free(at_limit);
    free(over);
}

static void test_text_fields_must_be_valid_utf8(void **state)
{
    (void)state;
    ord_create_request req = good_request();
    req.delivery_address = "Stra\xDF" "e 1"; /* Latin-1, not UTF-8 */
    expect_single_error(&req, "deliveryAddress", "must be valid UTF-8");
    req = good_request();
    req.carrier = "\xC0\xAF";                /* overlong '/' */
    expect_single_error(&req, "carrier", "must be valid UTF-8");
    req = good_request();
    req.customer_name = "\xED\xA0\x80";      /* surrogate */
    expect_single_error(&req, "customerName", "must be valid UTF-8");
}

static void test_text_fields_must_not_contain_control_characters(void **state)
{
    (void)state;
    ord_create_request req = good_request();
    req.delivery_address = "1 Main St\x1b" "[31m"; /* a terminal escape */
    expect_single_error(&req, "deliveryAddress", "must not contain control characters");
    req = good_request();
    req.delivery_address = "1 Main St\nCity";
    expect_single_error(&req, "deliveryAddress", "must not contain control characters");
    req = good_request();
    req.carrier = "DHL\x7f";                     /* DEL */
    expect_single_error(&req, "carrier", "must not contain control characters");
    req = good_request();
    req.customer_name = "Ada\xC2\x85";          /* U+0085, a C1 control */
    expect_single_error(&req, "customerName", "must not contain control characters");
    req = good_request();
    req.customer_name = "Ad\xC2\xA0" "a";      /* U+00A0 (no-break space) is text */
    expect_valid(&req);
}

static void test_items_alone_follow_the_same_rules_and_may_be_empty_for_drafts(void **state)
{
    (void)state;
    ord_field_errors errors = {0};
    assert_int_equal(ord_validate_items(NULL, 0, true, &errors), ORD_OK);
    assert_int_equal(ord_validate_items(NULL, 0, false, &errors), ORD_EINVALID);
    assert_true(ord_field_errors_has(&errors, "items"));
    ord_field_errors_free(&errors);
    ord_item_request lines[] = {{1, 1}, {2, 0}, {1, 3}};
    assert_int_equal(ord_validate_items(lines, 3, true, &errors), ORD_EINVALID);
    assert_int_equal(errors.count, 2);
    assert_string_equal(errors.items[0].field, "items[1].quantity");
    assert_string_equal(errors.items[1].field, "items[2].productId");
    assert_string_equal(errors.items[1].message, "duplicate product");
    ord_field_errors_free(&errors);
}

static void test_carrier_is_optional_but_limited(void **state)
{
    (void)state;
    ord_create_request req = good_request();
    char *at_limit = repeat("\xE2\x82\xAC", ORD_MAX_CARRIER_CHARS); /* 50 x "€" */
    char *over = repeat("c", ORD_MAX_CARRIER_CHARS + 1);
    req.carrier = NULL;
    expect_valid(&req);
    req.carrier = at_limit;
    expect_valid(&req);
    req.carrier = over;
    expect_single_error(&req, "carrier", "must be at most 50 characters");
    req.carrier = "  ";
    expect_single_error(&req, "carrier", "must not be blank");
    free(at_limit);
    free(over);
}

static void test_customer_name_is_optional_but_limited(void **state)
{
    (void)state;
    ord_create_request req = good_request();
    char *at_limit = repeat("\xF0\x9F\x98\x80", ORD_MAX_NAME_CHARS); /* 200 emoji */
    char *over = repeat("n", ORD_MAX_NAME_CHARS + 1);
    req.customer_name = NULL;
    expect_valid(&req);
    req.customer_name = at_limit;
    expect_valid(&req);
    req.customer_name = over;
    expect_single_error(&req, "customerName", "must be at most 200 characters");
    req.customer_name = "";
    expect_single_error(&req, "customerName", "must not be blank");
    free(at_limit);
    free(over);
}

static void test_every_broken_rule_is_reported_at_once(void **state)
{
    (void)state;
    ord_item_request items[] = {{0, 1}, {4, 0}, {4, 20000}, {-2, -2}};
    char *long_name = repeat("n", ORD_MAX_NAME_CHARS + 1);
    ord_create_request req = {
        .customer_id = -1,
        .customer_name = long_name,
        .delivery_address = " ",
        .carrier = "\xFF",
        .items = items,
        .item_count = 4,
    };
    const struct { const char *field, *message; } expected[] = {
        {"customerId", "must be > 0"},
        {"items[0].productId", "must be > 0"},
        {"items[1].quantity", "must be between 1 and 10000"},
        {"items[2].productId", "duplicate product"},
        {"items[2].quantity", "must be between 1 and 10000"},
        {"items[3].productId", "must be > 0"},
        {"items[3].quantity", "must be between 1 and 10000"},
        {"deliveryAddress", "must not be blank"},
        {"carrier", "must be valid UTF-8"},
        {"customerName", "must be at most 200 characters"},
    };
    const size_t n = sizeof expected / sizeof expected[0];
    ord_field_errors errors = {0};
    assert_int_equal(ord_validate_create_request(&req, &errors), ORD_EINVALID);
    assert_int_equal(errors.count, n);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(errors.items[i].field, expected[i].field);
        assert_string_equal(errors.items[i].message, expected[i].message);
    }
    assert_false(errors.out_of_memory);
    ord_field_errors_free(&errors);
    free(long_name);
}

static void test_errors_append_to_an_existing_list(void **state)
{
    (void)state;
    ord_field_errors errors = {0};
    assert_int_equal(ord_field_errors_add(&errors, "earlier", "already there"), ORD_OK);
    ord_create_request req = good_request();
    req.customer_id = 0;
    assert_int_equal(ord_validate_create_request(&req, &errors), ORD_EINVALID);
    assert_int_equal(errors.count, 2);
    assert_string_equal(errors.items[0].field, "earlier");
    assert_true(ord_field_errors_has(&errors, "customerId"));
    req = good_request();
    assert_int_equal(ord_validate_create_request(&req, &errors), ORD_OK);
    assert_int_equal(errors.count, 2);
    ord_field_errors_free(&errors);
}

static void test_validators_answer_without_an_error_list(void **state)
{
    (void)state;
    ord_create_request req = good_request();
    assert_int_equal(ord_validate_create_request(&req, NULL), ORD_OK);
    req.customer_id = 0;
    assert_int_equal(ord_validate_create_request(&req, NULL), ORD_EINVALID);
    assert_int_equal(ord_validate_create_request(NULL, NULL), ORD_EINVALID);
    assert_int_equal(ord_validate_delivery(NULL, NULL, NULL, NULL), ORD_EINVALID);
    assert_int_equal(ord_validate_draft_line(0, 1, NULL), ORD_EINVALID);
}

static void test_error_list_grows_cuts_long_text_and_frees(void **state)
{
    (void)state;
    ord_field_errors errors = {0};
    for (int i = 0; i < 250; i++)
        assert_int_equal(ord_field_errors_add(&errors, "f", "m"), ORD_OK);
    assert_int_equal(errors.count, 250);
    assert_true(errors.capacity >= 250);
    char *long_field = repeat("p", 300);
    char *long_message = repeat("q", 300);
    assert_int_equal(ord_field_errors_add(&errors, long_field, long_message), ORD_OK);
    assert_int_equal(strlen(errors.items[250].field), ORD_FIELD_PATH_SIZE - 1);
    assert_int_equal(strlen(errors.items[250].message), ORD_FIELD_MESSAGE_SIZE - 1);
    assert_false(ord_field_errors_has(&errors, "g"));
    assert_true(ord_field_errors_has(&errors, "f"));
    ord_field_errors_free(&errors);
    assert_null(errors.items);
    assert_int_equal(errors.count, 0);
    assert_int_equal(errors.capacity, 0);
    ord_field_errors_free(NULL);
    assert_int_equal(ord_field_errors_add(NULL, "f", "m"), ORD_EINVALID);
    free(long_field);
    free(long_message);
}

static void test_delivery_fields_follow_the_create_rules(void **state)
{
    (void)state;
    ord_field_errors errors = {0};
    assert_int_equal(ord_validate_delivery("Ada", "1 Road", "UPS", &errors), ORD_OK);
    assert_int_equal(ord_validate_delivery(NULL, "1 Road", NULL, &errors), ORD_OK);
    assert_int_equal(errors.count, 0);
    char *long_carrier = repeat("c", ORD_MAX_CARRIER_CHARS + 1);
    assert_int_equal(ord_validate_delivery("\xC3", NULL, long_carrier, &errors), ORD_EINVALID);
    assert_int_equal(errors.count, 3);
    assert_string_equal(errors.items[0].field, "deliveryAddress");
    assert_string_equal(errors.items[0].message, "must not be blank");
    assert_string_equal(errors.items[1].field, "carrier");
    assert_string_equal(errors.items[1].message, "must be at most 50 characters");
    assert_string_equal(errors.items[2].field, "customerName");
    assert_string_equal(errors.items[2].message, "must be valid UTF-8");
    ord_field_errors_free(&errors);
    free(long_carrier);
}

static void test_draft_line_allows_quantity_zero(void **state)
{
    (void)state;
    ord_field_errors errors = {0};
    assert_int_equal(ord_validate_draft_line(1, 0, &errors), ORD_OK);
    assert_int_equal(ord_validate_draft_line(1, ORD_MAX_QUANTITY, &errors), ORD_OK);
    assert_int_equal(errors.count, 0);
    assert_int_equal(ord_validate_draft_line(0, -1, &errors), ORD_EINVALID);
    assert_int_equal(errors.count, 2);
    assert_string_equal(errors.items[0].field, "productId");
    assert_string_equal(errors.items[0].message, "must be > 0");
    assert_string_equal(errors.items[1].field, "quantity");
    assert_string_equal(errors.items[1].message, "must be between 0 and 10000");
    assert_int_equal(ord_validate_draft_line(3, ORD_MAX_QUANTITY + 1, &errors), ORD_EINVALID);
    assert_int_equal(errors.count, 3);
    ord_field_errors_free(&errors);
}

static void test_idempotency_key_is_1_to_255_printable_ascii(void **state)
{
    (void)state;
    char key[ORD_MAX_IDEMPOTENCY_KEY + 2];
    memset(key, 'k', sizeof key);
    assert_true(ord_idempotency_key_is_valid("abc-123", 7));
    assert_true(ord_idempotency_key_is_valid("a b~!", 5));
    assert_true(ord_idempotency_key_is_valid(key, ORD_MAX_IDEMPOTENCY_KEY));
    assert_false(ord_idempotency_key_is_valid(key, ORD_MAX_IDEMPOTENCY_KEY + 1));
    assert_false(ord_idempotency_key_is_valid("", 0));
    assert_false(ord_idempotency_key_is_valid(NULL, 3));
    assert_false(ord_idempotency_key_is_valid(" ", 1));
    assert_false(ord_idempotency_key_is_valid("    ", 4));
    assert_false(ord_idempotency_key_is_valid("a\tb", 3));
    assert_false(ord_idempotency_key_is_valid("a\x7f", 2));
    assert_false(ord_idempotency_key_is_valid("caf\xC3\xA9", 5));
    assert_false(ord_idempotency_key_is_valid("a\0b", 3));
    assert_true(ord_idempotency_key_is_valid("ab\x01", 2)); /* only len bytes count */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_good_request_passes),
        cmocka_unit_test(test_customer_id_must_be_positive),
        cmocka_unit_test(test_items_must_number_between_1_and_100),
        cmocka_unit_test(test_product_id_must_be_positive),
        cmocka_unit_test(test_duplicate_product_is_reported_on_the_later_line),
        cmocka_unit_test(test_quantity_must_be_between_1_and_10000),
        cmocka_unit_test(test_delivery_address_is_required_and_not_blank),
        cmocka_unit_test(test_delivery_address_limit_counts_characters_not_bytes),
        cmocka_unit_test(test_text_fields_must_be_valid_utf8),
        cmocka_unit_test(test_text_fields_must_not_contain_control_characters),
        cmocka_unit_test(test_items_alone_follow_the_same_rules_and_may_be_empty_for_drafts),
        cmocka_unit_test(test_carrier_is_optional_but_limited),
        cmocka_unit_test(test_customer_name_is_optional_but_limited),
        cmocka_unit_test(test_every_broken_rule_is_reported_at_once),
        cmocka_unit_test(test_errors_append_to_an_existing_list),
        cmocka_unit_test(test_validators_answer_without_an_error_list),
        cmocka_unit_test(test_error_list_grows_cuts_long_text_and_frees),
        cmocka_unit_test(test_delivery_fields_follow_the_create_rules),
        cmocka_unit_test(test_draft_line_allows_quantity_zero),
        cmocka_unit_test(test_idempotency_key_is_1_to_255_printable_ascii),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Drafts: create for a customer or a guest, set lines, and check out into a
 * placed order, with owner proofs, concurrent checkouts and idempotency. */
#include "fixture.h"

#include <string.h>

#include <orders/support/sha256.h>

/* A guest token strong enough to be accepted: 24 letters and digits. */
#define GUEST "Zq3xV9pL2mT7wR4kY8nB1cD6"

static ord_principal admin;

static int64_t new_draft(fx *f, const ord_draft_owner *owner, size_t count, int64_t product,
                         int64_t quantity)
{
    ord_item_request items[] = {{.product_id = product, .quantity = quantity}};
    ord_order draft;
    ord_order_init(&draft);
    assert_int_equal(ord_create_draft(f->svc, &admin, owner, items, count, NULL, NULL, &draft), ORD_OK);
    int64_t id = draft.id;
    ord_order_free(&draft);
    return id;
}

static ord_error checkout(fx *f, int64_t id, const ord_draft_owner *owner, ord_place_result *out)
{
    char ref[24];
    ord_checkout_request req = {.owner = *owner, .delivery_address = FX_ADDRESS,
                                .customer_name = "Grace Hopper"};
    return ord_checkout_draft(f->svc, &admin, NULL, fx_ref(id, ref), &req, NULL, out);
}

static void test_create_customer_draft_without_prices(void **state)
{
    fx *f = *state;
    ord_draft_owner owner = {.customer_id = FX_CUSTOMER};
    ord_item_request items[] = {{.product_id = 1, .quantity = 2}, {.product_id = 3, .quantity = 1}};
    ord_order d;
    ord_order_init(&d);
    assert_int_equal(ord_create_draft(f->svc, &admin, &owner, items, 2, NULL, NULL, &d), ORD_OK);
    assert_true(d.id > 0);
    assert_true(ord_order_number_is_valid(d.number));
    assert_int_equal(d.status, ORD_STATUS_DRAFT);
    assert_int_equal(d.customer_id, FX_CUSTOMER);
    assert_string_equal(d.guest_token_hash, "");
    assert_int_equal(d.item_count, 2);
    assert_false(d.items[0].has_price);
    assert_int_equal(d.total.minor, 0);
    assert_string_equal(d.total.currency, "USD");
    assert_int_equal(d.history_count, 1);
    assert_int_equal(d.history[0].to, ORD_STATUS_DRAFT);
    assert_string_equal(d.history[0].reason, "created");
    assert_null(d.delivery_address);
    ord_order_free(&d);
    assert_int_equal(ord_memory_store_event_count(f->store), 0);
    assert_int_equal(f->seen.created, 1);
}

static void test_create_guest_draft_stores_only_the_token_hash(void **state)
{
    fx *f = *state;
    ord_draft_owner owner = {.guest_token = GUEST};
    int64_t id = new_draft(f, &owner, 0, 0, 0);
    ord_order d;
    ord_order_init(&d);
    fx_load(f, id, &d);
    char hash[ORD_SHA256_HEX_SIZE];
    ord_sha256_hex(hash, GUEST, strlen(GUEST));
    assert_int_equal(d.customer_id, 0);
    assert_string_equal(d.guest_token_hash, hash);
    assert_int_equal(d.item_count, 0);
    ord_order_free(&d);
}

static void test_create_draft_needs_an_owner(void **state)
{
    fx *f = *state;
    ord_draft_owner nobody = {0};
    ord_field_errors errors = {0};
    ord_order d;
    ord_order_init(&d);
    assert_int_equal(ord_create_draft(f->svc, &admin, &nobody, NULL, 0, &errors, NULL, &d), ORD_EINVALID);
    assert_int_equal(errors.count, 1);
    assert_string_equal(errors.items[0].field, "customerId");
    assert_string_equal(errors.items[0].message, "Either customerId or guestToken must be provided");
    ord_field_errors_free(&errors);

    ord_draft_owner empty_token = {.guest_token = ""};
    assert_int_equal(ord_create_draft(f->svc, &admin, &empty_token, NULL, 0, &errors, NULL, &d),
                     ORD_EINVALID);
    ord_field_errors_free(&errors);
    /* A blank token names nobody, and is no secret either. */
    ord_draft_owner blank_token = {.guest_token = " \t "};
    assert_false(ord_draft_owner_present(&blank_token));
    assert_int_equal(ord_create_draft(f->svc, &admin, &blank_token, NULL, 0, &errors, NULL, &d),
                     ORD_EINVALID);
    assert_string_equal(errors.items[0].field, "guestToken");
    ord_field_errors_free(&errors);

    ord_draft_owner both = {.customer_id = FX_CUSTOMER, .guest_token = GUEST};
    assert_int_equal(ord_create_draft(f->svc, &admin, &both, NULL, 0, &errors, NULL, &d), ORD_EINVALID);
    assert_true(ord_field_errors_has(&errors, "guestToken"));
    ord_field_errors_free(&errors);
    assert_int_equal(ord_memory_store_order_count(f->store), 0);
}

static void test_create_draft_reports_bad_lines(void **state)
{
    fx *f = *state;
    ord_draft_owner owner = {.customer_id = FX_CUSTOMER};
    ord_item_request items[] = {{.product_id = 1, .quantity = 0},
                                {.product_id = -2, .quantity = 1},
                                {.product_id = 1, .quantity = 1}};
    ord_field_errors errors = {0};
    ord_order d;
    ord_order_init(&d);
    assert_int_equal(ord_create_draft(f->svc, &admin, &owner, items, 3, &errors, NULL, &d), ORD_EINVALID);
    assert_true(ord_field_errors_has(&errors, "items[0].quantity"));
    assert_true(ord_field_errors_has(&errors, "items[1].productId"));
    assert_true(ord_field_errors_has(&errors, "items[2].productId"));
    ord_field_errors_free(&errors);
    assert_int_equal(ord_memory_store_order_count(f->store), 0);
}

static void test_customer_creates_drafts_only_for_itself(void **state)
{
    fx *f = *state;
    ord_principal stranger = fx_customer(FX_OTHER_CUSTOMER);
    ord_draft_owner owner = {.customer_id = FX_CUSTOMER};
    ord_order d;
    ord_order_init(&d);
    assert_int_equal(ord_create_draft(f->svc, &stranger, &owner, NULL, 0, NULL, NULL, &d), ORD_EFORBIDDEN);
    ord_principal self = fx_customer(FX_CUSTOMER);
    assert_int_equal(ord_create_draft(f->svc, &self, &owner, NULL, 0, NULL, NULL, &d), ORD_OK);
    ord_order_free(&d);
}

static void test_weak_guest_tokens_are_refused(void **state)
{
    fx *f = *state;
    static const char *const weak[] = {
        "guest-abc",                                   /* far too short */
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", /* one character */
        "abababababababababababababababababababababab", /* two characters */
        "0123456789012345678901234567890123",          /* 34 digits: 113 bits */
        "0123456789abcdef0123456789abcde",             /* 31 hex digits: 124 bits */
        "Zq3xV9pL2mT7wR4kY8nB1",                       /* 21 letters and digits: 125 bits */
    };
    ord_field_errors errors = {0};
    ord_order d;
    ord_order_init(&d);
    for (size_t i = 0; i < sizeof weak / sizeof weak[0]; i++) {
        ord_draft_owner owner = {.guest_token = weak[i]};
        assert_int_equal(ord_create_draft(f->svc, &admin, &owner, NULL, 0, &errors, NULL, &d),
                         ORD_EINVALID);
        assert_true(ord_field_errors_has(&errors, "guestToken"));
        ord_field_errors_free(&errors);
    }
    /* 23 letters and digits (137 bits) are enough, and so are 32 hex digits
     * and 22 base64url characters. */
    static const char *const strong[] = {"Zq3xV9pL2mT7wR4kY8nB1cD", "0123456789abcdef0123456789abcdef",
                                         "q-3_V9pL2mT7wR4kY8nB1c"};
    for (size_t i = 0; i < sizeof strong / sizeof strong[0]; i++) {
        ord_draft_owner owner = {.guest_token = strong[i]};
        assert_int_equal(ord_create_draft(f->svc, &admin, &owner, NULL, 0, &errors, NULL, &d),
                         ORD_OK);
        ord_order_free(&d);
    }
    assert_int_equal(ord_memory_store_order_count(f->store), 3);
}

static void test_server_issues_a_guest_token_when_none_is_sent(void **state)
{
    fx *f = *state;
    ord_principal guest = {.kind = ORD_PRINCIPAL_GUEST};
    ord_draft_owner nobody = {0};
    char token[ORD_GUEST_TOKEN_SIZE];
    char second[ORD_GUEST_TOKEN_SIZE];
    ord_order d;
    ord_order_init(&d);
    assert_int_equal(ord_create_draft(f->svc, &guest, &nobody, NULL, 0, NULL, token, &d), ORD_OK);
    int64_t id = d.id;
    assert_int_equal(strlen(token), ORD_GUEST_TOKEN_SIZE - 1);
    assert_memory_equal(token, "gt_", 3);
    /* Only the hash is stored. */
    char hash[ORD_SHA256_HEX_SIZE];
    ord_sha256_hex(hash, token, strlen(token));
    assert_string_equal(d.guest_token_hash, hash);
    assert_int_equal(d.customer_id, 0);
    ord_order_free(&d);
    assert_int_equal(ord_create_draft(f->svc, &guest, &nobody, NULL, 0, NULL, second, &d), ORD_OK);
    assert_string_not_equal(token, second);
    ord_order_free(&d);

    /* The token proves the guest afterwards. */
    char ref[24];
    ord_draft_owner proof = {.guest_token = token};
    assert_int_equal(ord_set_draft_line(f->svc, &guest, fx_ref(id, ref), &proof, 1, 2, NULL, &d),
                     ORD_OK);
    ord_order_free(&d);
    /* A customer's token never gets one: the draft is the customer's. */
    ord_principal self = fx_customer(FX_CUSTOMER);
    assert_int_equal(ord_create_draft(f->svc, &self, &nobody, NULL, 0, NULL, token, &d),
                     ORD_EINVALID);
    assert_string_equal(token, "");
}

static void test_guests_and_customers_never_reach_each_others_drafts(void **state)
{
    fx *f = *state;
    ord_principal guest = {.kind = ORD_PRINCIPAL_GUEST};
    ord_principal self = fx_customer(FX_CUSTOMER);
    ord_principal stranger = fx_customer(FX_OTHER_CUSTOMER);
    ord_draft_owner mine = {.customer_id = FX_CUSTOMER};
    ord_draft_owner token = {.guest_token = GUEST};
    ord_draft_owner theirs = {.customer_id = FX_OTHER_CUSTOMER};
    int64_t customer_draft = new_draft(f, &mine, 1, 1, 1);
    int64_t guest_draft = new_draft(f, &token, 1, 1, 1);
    char ref[24];
    ord_order d;
    ord_order_init(&d);

    /* Creating: a guest may not name a customer (401), a customer may not
     * name another customer or use a guest token (403). */
    assert_int_equal(ord_create_draft(f->svc, &guest, &mine, NULL, 0, NULL, NULL, &d),
                     ORD_EUNAUTHORIZED);
    assert_int_equal(ord_create_draft(f->svc, &self, &theirs, NULL, 0, NULL, NULL, &d),
                     ORD_EFORBIDDEN);
    assert_int_equal(ord_create_draft(f->svc, &self, &token, NULL, 0, NULL, NULL, &d),
                     ORD_EFORBIDDEN);

    /* Changing: a customer finds neither another's draft nor a guest's. */
    assert_int_equal(ord_set_draft_line(f->svc, &stranger, fx_ref(customer_draft, ref), &theirs,
                                        1, 2, NULL, &d),
                     ORD_ENOTFOUND);
    assert_int_equal(ord_set_draft_line(f->svc, &self, fx_ref(guest_draft, ref), &mine, 1, 2,
                                        NULL, &d),
                     ORD_ENOTFOUND);
    assert_int_equal(ord_set_draft_line(f->svc, &self, fx_ref(guest_draft, ref), &token, 1, 2,
                                        NULL, &d),
                     ORD_EFORBIDDEN);
    assert_int_equal(ord_set_draft_line(f->svc, &stranger, fx_ref(customer_draft, ref), &mine,
                                        1, 2, NULL, &d),
                     ORD_EFORBIDDEN);
    /* A guest with its token does not reach the customer's draft. */
    assert_int_equal(ord_set_draft_line(f->svc, &guest, fx_ref(customer_draft, ref), &token, 1, 2,
                                        NULL, &d),
                     ORD_EUNAUTHORIZED);
    assert_int_equal(ord_set_draft_line(f->svc, &guest, fx_ref(customer_draft, ref), &mine, 1, 2,
                                        NULL, &d),
                     ORD_EUNAUTHORIZED);
    /* Each reaches its own. */
    assert_int_equal(ord_set_draft_line(f->svc, &self, fx_ref(customer_draft, ref), &mine, 1, 2,
                                        NULL, &d),
                     ORD_OK);
    ord_order_free(&d);
    assert_int_equal(ord_set_draft_line(f->svc, &guest, fx_ref(guest_draft, ref), &token, 1, 2,
                                        NULL, &d),
                     ORD_OK);
    ord_order_free(&d);

    ord_place_result res = {0};
    ord_checkout_request req = {.owner = mine, .delivery_address = FX_ADDRESS};
    assert_int_equal(ord_checkout_draft(f->svc, &self, NULL, fx_ref(guest_draft, ref), &req, NULL,
                                        &res),
                     ORD_OK);
    assert_int_equal(res.outcome, ORD_PLACE_DRAFT_NOT_FOUND);
    ord_place_result_free(&res);
    req.owner = token;
    assert_int_equal(ord_checkout_draft(f->svc, &guest, NULL, fx_ref(customer_draft, ref), &req,
                                        NULL, &res),
                     ORD_OK);
    assert_int_equal(res.outcome, ORD_PLACE_NOT_OWNER);
    ord_place_result_free(&res);
}

static ord_error set_line(fx *f, int64_t id, const ord_draft_owner *owner, int64_t product,
                          int64_t quantity, ord_order *out)
{
    char ref[24];
    return ord_set_draft_line(f->svc, &admin, fx_ref(id, ref), owner, product, quantity, NULL, out);
}

static void test_set_line_adds_changes_and_removes(void **state)
{
    fx *f = *state;
    ord_draft_owner owner = {.customer_id = FX_CUSTOMER};
    int64_t id = new_draft(f, &owner, 1, 1, 1);
    ord_order d;
    ord_order_init(&d);
    assert_int_equal(set_line(f, id, &owner, 2, 3, &d), ORD_OK);
    assert_int_equal(d.item_count, 2);
    assert_int_equal(ord_order_find_item(&d, 2)->quantity, 3);
    int64_t v = d.version;

    assert_int_equal(set_line(f, id, &owner, 1, 5, &d), ORD_OK);
    assert_int_equal(ord_order_find_item(&d, 1)->quantity, 5);
    assert_true(d.version > v);

    assert_int_equal(set_line(f, id, &owner, 1, 0, &d), ORD_OK);
    assert_int_equal(d.item_count, 1);
    assert_null(ord_order_find_item(&d, 1));
    ord_order_free(&d);

    ord_order stored;
    ord_order_init(&stored);
    fx_load(f, id, &stored);
    assert_int_equal(stored.item_count, 1);
    assert_int_equal(stored.items[0].product_id, 2);
    assert_int_equal(stored.status, ORD_STATUS_DRAFT);
    assert_int_equal(stored.history_count, 1);
    ord_order_free(&stored);
}

static void test_set_line_refuses_wrong_owner(void **state)
{
    fx *f = *state;
    ord_draft_owner owner = {.customer_id = FX_CUSTOMER};
    ord_draft_owner guest = {.guest_token = GUEST};
    int64_t mine = new_draft(f, &owner, 1, 1, 1);
    int64_t theirs = new_draft(f, &guest, 1, 1, 1);
    ord_draft_owner other = {.customer_id = FX_OTHER_CUSTOMER};
    ord_draft_owner wrong_token = {.guest_token = "guest-abd"};
    ord_order d;
    ord_order_init(&d);
    assert_int_equal(set_line(f, mine, &other, 2, 1, &d), ORD_EUNAUTHORIZED);
    assert_int_equal(set_line(f, mine, &guest, 2, 1, &d), ORD_EUNAUTHORIZED);
    assert_int_equal(set_line(f, theirs, &wrong_token, 2, 1, &d), ORD_EUNAUTHORIZED);
    assert_int_equal(set_line(f, theirs, &owner, 2, 1, &d), ORD_EUNAUTHORIZED);
    assert_int_equal(set_line(f, theirs, &guest, 2, 1, &d), ORD_OK);
    assert_int_equal(d.item_count, 2);
    ord_order_free(&d);

    ord_order stored;
    ord_order_init(&stored);
    fx_load(f, mine, &stored);
    assert_int_equal(stored.item_count, 1);
    ord_order_free(&stored);
}

static void test_set_line_refuses_bad_values_and_non_drafts(void **state)
{
    fx *f = *state;
    ord_draft_owner owner = {.customer_id = FX_CUSTOMER};
    int64_t id = new_draft(f, &owner, 1, 1, 1);
    char ref[24];
    ord_field_errors errors = {0};
    ord_order d;
    ord_order_init(&d);
    assert_int_equal(ord_set_draft_line(f->svc, &admin, fx_ref(id, ref), &owner, 1, -1, &errors, &d),
                     ORD_EINVALID);
    assert_true(ord_field_errors_has(&errors, "quantity"));
    ord_field_errors_free(&errors);
    assert_int_equal(set_line(f, 999999, &owner, 1, 1, &d), ORD_ENOTFOUND);

    ord_place_result res = {0};
    assert_int_equal(checkout(f, id, &owner, &res), ORD_OK);
    assert_int_equal(res.outcome, ORD_PLACED);
    ord_place_result_free(&res);
    assert_int_equal(set_line(f, id, &owner, 2, 1, &d), ORD_ETRANSITION);
    ord_order_free(&d);
}

static void test_set_line_retries_after_losing_a_version_race(void **state)
{
    fx *f = *state;
    ord_draft_owner owner = {.customer_id = FX_CUSTOMER};
    int64_t id = new_draft(f, &owner, 1, 1, 1);
    fx_fail(f, FX_STORE, ORD_MEM_ORDER_UPDATE, ORD_FAULT_BEFORE, ORD_ECONFLICT, 0, 2);
    ord_order d;
    ord_order_init(&d);
    assert_int_equal(set_line(f, id, &owner, 3, 7, &d), ORD_OK);
    assert_int_equal(ord_order_find_item(&d, 3)->quantity, 7);
    ord_order_free(&d);
    assert_int_equal(ord_memory_store_calls(f->store, ORD_MEM_ORDER_UPDATE), 3);

    /* A draft that keeps changing under us is a conflict, and nothing is written. */
    fx_fail(f, FX_STORE, ORD_MEM_ORDER_UPDATE, ORD_FAULT_BEFORE, ORD_ECONFLICT, 0, -1);
    assert_int_equal(set_line(f, id, &owner, 2, 1, &d), ORD_ECONFLICT);
    fx_heal(f, FX_STORE, ORD_MEM_ORDER_UPDATE);
    fx_load(f, id, &d);
    assert_null(ord_order_find_item(&d, 2));
    ord_order_free(&d);
}

static void test_checkout_places_the_draft_with_prices_fixed_now(void **state)
{
    fx *f = *state;
    ord_draft_owner owner = {.customer_id = FX_CUSTOMER};
    int64_t id = new_draft(f, &owner, 1, 1, 2);
    ord_place_result res = {0};
    assert_int_equal(checkout(f, id, &owner, &res), ORD_OK);
    assert_int_equal(res.outcome, ORD_PLACED);
    const ord_order *o = &res.order;
    assert_int_equal(o->id, id);
    assert_int_equal(o->status, ORD_STATUS_CONFIRMED);
    assert_true(o->items[0].has_price);
    assert_int_equal(o->items[0].unit_price.minor, 9999);
    assert_int_equal(o->total.minor, 19998);
    assert_string_equal(o->delivery_address, FX_ADDRESS);
    assert_string_equal(o->customer_name, "Grace Hopper");
    assert_string_equal(o->carrier, "DHL");
    assert_non_null(o->tracking_number);
    assert_int_equal(o->history_count, 3);
    assert_int_equal(o->history[1].from, ORD_STATUS_DRAFT);
    assert_int_equal(o->history[1].to, ORD_STATUS_PENDING_CHECK);
    assert_int_equal(o->history[2].to, ORD_STATUS_CONFIRMED);
    assert_int_equal(fx_stock(f, 1).reserved, 2);
    ord_place_result_free(&res);
}

static void test_checkout_guest_draft_with_its_token(void **state)
{
    fx *f = *state;
    ord_draft_owner guest = {.guest_token = GUEST};
    int64_t id = new_draft(f, &guest, 1, 3, 4);
    ord_place_result res = {0};
    ord_draft_owner wrong = {.guest_token = "nope"};
    assert_int_equal(checkout(f, id, &wrong, &res), ORD_OK);
    assert_int_equal(res.outcome, ORD_PLACE_NOT_OWNER);
    ord_place_result_free(&res);
    assert_int_equal(checkout(f, id, &guest, &res), ORD_OK);
    assert_int_equal(res.outcome, ORD_PLACED);
    assert_int_equal(res.order.customer_id, 0);
    assert_int_equal(res.order.total.minor, 80);
    ord_place_result_free(&res);
}

static void test_checkout_of_empty_draft_is_refused(void **state)
{
    fx *f = *state;
    ord_draft_owner owner = {.customer_id = FX_CUSTOMER};
    int64_t id = new_draft(f, &owner, 0, 0, 0);
    ord_place_result res = {0};
    assert_int_equal(checkout(f, id, &owner, &res), ORD_OK);
    assert_int_equal(res.outcome, ORD_PLACE_EMPTY_DRAFT);
    ord_place_result_free(&res);
    assert_int_equal(ord_memory_downstream_calls(f->ds, ORD_MEM_CATALOG), 0);
}

static void test_checkout_by_someone_else_is_not_owner(void **state)
{
    fx *f = *state;
    ord_draft_owner owner = {.customer_id = FX_CUSTOMER};
    int64_t id = new_draft(f, &owner, 1, 1, 1);
    ord_draft_owner other = {.customer_id = FX_OTHER_CUSTOMER};
    ord_draft_owner nobody = {0};
    ord_place_result res = {0};
    assert_int_equal(checkout(f, id, &other, &res), ORD_OK);
    assert_int_equal(res.outcome, ORD_PLACE_NOT_OWNER);
    ord_place_result_free(&res);
    assert_int_equal(checkout(f, id, &nobody, &res), ORD_OK);
    assert_int_equal(res.outcome, ORD_PLACE_NOT_OWNER);
    ord_place_result_free(&res);

    /* A customer principal cannot speak for another customer. */
    ord_principal stranger = fx_customer(FX_OTHER_CUSTOMER);
    char ref[24];
    ord_checkout_request req = {.owner = owner, .delivery_address = FX_ADDRESS};
    assert_int_equal(ord_checkout_draft(f->svc, &stranger, NULL, fx_ref(id, ref), &req, NULL, &res),
                     ORD_OK);
    assert_int_equal(res.outcome, ORD_PLACE_FORBIDDEN);
    ord_place_result_free(&res);
    /* Speaking for itself, it does not find the other customer's draft. */
    req.owner = other;
    assert_int_equal(ord_checkout_draft(f->svc, &stranger, NULL, fx_ref(id, ref), &req, NULL, &res),
                     ORD_OK);
    assert_int_equal(res.outcome, ORD_PLACE_DRAFT_NOT_FOUND);
    ord_place_result_free(&res);
    /* Nobody signed in cannot speak for a customer at all. */
    ord_principal guest = {.kind = ORD_PRINCIPAL_GUEST};
    req.owner = owner;
    assert_int_equal(ord_checkout_draft(f->svc, &guest, NULL, fx_ref(id, ref), &req, NULL, &res),
                     ORD_OK);
    assert_int_equal(res.outcome, ORD_PLACE_NOT_OWNER);
    ord_place_result_free(&res);

    ord_order d;
    ord_order_init(&d);
    fx_load(f, id, &d);
    assert_int_equal(d.status, ORD_STATUS_DRAFT);
    ord_order_free(&d);
}

static void test_checkout_of_unknown_or_placed_order(void **state)
{
    fx *f = *state;
    ord_draft_owner owner = {.customer_id = FX_CUSTOMER};
    ord_place_result res = {0};
    assert_int_equal(checkout(f, 777777, &owner, &res), ORD_OK);
    assert_int_equal(res.outcome, ORD_PLACE_DRAFT_NOT_FOUND);
    ord_place_result_free(&res);

    int64_t id = new_draft(f, &owner, 1, 1, 1);
    assert_int_equal(checkout(f, id, &owner, &res), ORD_OK);
    assert_int_equal(res.outcome, ORD_PLACED);
    ord_place_result_free(&res);
    assert_int_equal(checkout(f, id, &owner, &res), ORD_OK);
    assert_int_equal(res.outcome, ORD_PLACE_NOT_DRAFT);
    ord_place_result_free(&res);
    assert_int_equal(fx_stock(f, 1).reserved, 1);
}

static void test_checkout_validates_delivery_fields(void **state)
{
    fx *f = *state;
    ord_draft_owner owner = {.customer_id = FX_CUSTOMER};
    int64_t id = new_draft(f, &owner, 1, 1, 1);
    char ref[24];
    ord_checkout_request req = {.owner = owner, .delivery_address = "  "};
    ord_place_result res = {0};
    assert_int_equal(ord_checkout_draft(f->svc, &admin, NULL, fx_ref(id, ref), &req, NULL, &res),
                     ORD_OK);
    assert_int_equal(res.outcome, ORD_PLACE_INVALID);
    assert_true(ord_field_errors_has(&res.fields, "deliveryAddress"));
    ord_place_result_free(&res);
}

/* A precheck port that, on its first call, runs a complete second checkout
 * of the same draft: the two checkouts overlap exactly where a real race
 * would. */
typedef struct racing_precheck {
    ord_precheck inner;
    fx *f;
    int64_t draft_id;
    int calls;
    ord_place_outcome inner_outcome;
} racing_precheck;

static ord_error racing_check(void *self, const ord_call_context *ctx, int64_t customer_id,
                              ord_product_price *prices, size_t count, ord_precheck_result *result)
{
    racing_precheck *r = self;
    if (r->calls++ == 0) {
        ord_draft_owner owner = {.customer_id = FX_CUSTOMER};
        ord_place_result inner = {0};
        assert_int_equal(checkout(r->f, r->draft_id, &owner, &inner), ORD_OK);
        r->inner_outcome = inner.outcome;
        ord_place_result_free(&inner);
    }
    return r->inner.ops->check(r->inner.self, ctx, customer_id, prices, count, result);
}

static const ord_precheck_ops racing_ops = {.version = ORD_PRECHECK_VERSION, .check = racing_check};

static void test_second_of_two_concurrent_checkouts_conflicts(void **state)
{
    fx *f = *state;
    ord_draft_owner owner = {.customer_id = FX_CUSTOMER};
    int64_t id = new_draft(f, &owner, 1, 1, 2);
    racing_precheck r = {.inner = f->ports.precheck, .f = f, .draft_id = id};
    f->ports.precheck = (ord_precheck){.ops = &racing_ops, .self = &r};
    fx_rebuild(f);

    ord_place_result res = {0};
    assert_int_equal(checkout(f, id, &owner, &res), ORD_OK);
    assert_int_equal(r.inner_outcome, ORD_PLACED);
    assert_int_equal(res.outcome, ORD_PLACE_CONFLICT);
    ord_place_result_free(&res);
    assert_int_equal(ord_memory_downstream_calls(f->ds, ORD_MEM_RESERVE), 1);
    assert_int_equal(fx_stock(f, 1).reserved, 2);
}

static void test_checkout_with_key_replays_and_resumes(void **state)
{
    fx *f = *state;
    ord_draft_owner owner = {.customer_id = FX_CUSTOMER};
    int64_t id = new_draft(f, &owner, 1, 1, 1);
    char ref[24];
    ord_checkout_request req = {.owner = owner, .delivery_address = FX_ADDRESS};
    ord_idempotency idem = {.key = "checkout-1", .fingerprint = "POST checkout body"};
    fx_fail(f, FX_DOWNSTREAM, ORD_MEM_RESERVE, ORD_FAULT_BEFORE, ORD_EUNAVAILABLE, 0, 1);

    ord_place_result res = {0};
    ord_principal self = fx_customer(FX_CUSTOMER);
    assert_int_equal(ord_checkout_draft(f->svc, &self, NULL, fx_ref(id, ref), &req, &idem, &res),
                     ORD_OK);
    assert_int_equal(res.outcome, ORD_PLACE_INVENTORY_UNAVAILABLE);
    assert_string_equal(res.idempotency_scope, "customer:12345");
    assert_int_equal(ord_place_finish(f->svc, &idem, &res, 503, "{}"), ORD_OK);
    ord_place_result_free(&res);

    assert_int_equal(ord_checkout_draft(f->svc, &self, NULL, ref, &req, &idem, &res), ORD_OK);
    assert_int_equal(res.outcome, ORD_PLACED);
    assert_int_equal(res.order.id, id);
    assert_int_equal(ord_place_finish(f->svc, &idem, &res, 201, "{\"orderId\":1}"), ORD_OK);
    ord_place_result_free(&res);

    assert_int_equal(ord_checkout_draft(f->svc, &self, NULL, ref, &req, &idem, &res), ORD_OK);
    assert_int_equal(res.outcome, ORD_PLACE_REPLAYED);
    assert_string_equal(res.replay_body, "{\"orderId\":1}");
    ord_place_result_free(&res);
    assert_int_equal(fx_stock(f, 1).reserved, 1);
}

static void test_guest_checkout_key_is_scoped_by_token_hash(void **state)
{
    fx *f = *state;
    ord_draft_owner guest = {.guest_token = GUEST};
    int64_t id = new_draft(f, &guest, 1, 2, 1);
    char ref[24];
    ord_checkout_request req = {.owner = guest, .delivery_address = FX_ADDRESS};
    ord_idempotency idem = {.key = "k", .fingerprint = "body"};
    ord_place_result res = {0};
    ord_principal nobody = {.kind = ORD_PRINCIPAL_GUEST};
    assert_int_equal(ord_checkout_draft(f->svc, &nobody, NULL, fx_ref(id, ref), &req, &idem, &res),
                     ORD_OK);
    assert_int_equal(res.outcome, ORD_PLACED);
    char hash[ORD_SHA256_HEX_SIZE];
    ord_sha256_hex(hash, GUEST, strlen(GUEST));
    assert_memory_equal(res.idempotency_scope, "guest:", 6);
    assert_string_equal(res.idempotency_scope + 6, hash);
    assert_null(strstr(res.idempotency_scope, GUEST));
    ord_place_result_free(&res);
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
        T(test_create_customer_draft_without_prices),
        T(test_create_guest_draft_stores_only_the_token_hash),
        T(test_create_draft_needs_an_owner),
        T(test_create_draft_reports_bad_lines),
        T(test_customer_creates_drafts_only_for_itself),
        T(test_weak_guest_tokens_are_refused),
        T(test_server_issues_a_guest_token_when_none_is_sent),
        T(test_guests_and_customers_never_reach_each_others_drafts),
        T(test_set_line_adds_changes_and_removes),
        T(test_set_line_refuses_wrong_owner),
        T(test_set_line_refuses_bad_values_and_non_drafts),
        T(test_set_line_retries_after_losing_a_version_race),
        T(test_checkout_places_the_draft_with_prices_fixed_now),
        T(test_checkout_guest_draft_with_its_token),
        T(test_checkout_of_empty_draft_is_refused),
        T(test_checkout_by_someone_else_is_not_owner),
        T(test_checkout_of_unknown_or_placed_order),
        T(test_checkout_validates_delivery_fields),
        T(test_second_of_two_concurrent_checkouts_conflicts),
        T(test_checkout_with_key_replays_and_resumes),
        T(test_guest_checkout_key_is_scoped_by_token_hash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* The bearer authenticator in the API: the Authorization header read
 * strictly, the RFC 6750 challenges, guests on the draft routes, the admin
 * scope for operator actions and (when asked) /metrics, and who may reach
 * which order. The verifier is a stand-in: "admin" is an admin,
 * "customer-<id>" that customer, anything else is refused. */
#include "fixture.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int verify_calls;

static bool fake_verify(void *ctx, const char *token, size_t len, ord_principal *who, char *subject,
                        size_t cap, const char **why)
{
    (void)ctx;
    verify_calls++;
    assert_int_equal(strlen(token), len);
    assert_null(who->subject);
    if (strcmp(token, "admin") == 0) {
        who->kind = ORD_PRINCIPAL_ADMIN;
        snprintf(subject, cap, "ops");
        return true;
    }
    if (strncmp(token, "customer-", 9) == 0) {
        who->kind = ORD_PRINCIPAL_CUSTOMER;
        who->customer_id = strtoll(token + 9, NULL, 10);
        snprintf(subject, cap, "%s", token + 9);
        return true;
    }
    *why = "The token has expired";
    return false;
}

static void rebuild_api(rx *x, bool metrics_need_admin)
{
    ord_rest_api_free(x->api);
    ord_rest_bearer_config bc = ORD_REST_BEARER_CONFIG_INIT;
    bc.verify = fake_verify;
    bc.admin_scope = "orders:admin";
    ord_rest_api_config cfg = ORD_REST_API_CONFIG_INIT;
    assert_int_equal(ord_rest_auth_bearer(&cfg.authenticator, &bc), ORD_OK);
    cfg.service = rx_service_callback();
    cfg.service_ctx = x;
    cfg.metrics = x->metrics;
    cfg.metrics_need_admin = metrics_need_admin;
    assert_int_equal(ord_rest_api_new(&x->api, &cfg), ORD_OK);
    assert_string_equal(ord_rest_api_auth_name(x->api), "bearer");
}

static int setup(void **state)
{
    rx_setup(state);
    rebuild_api(*state, false);
    verify_calls = 0;
    return 0;
}

/* Send with an Authorization header (NULL: none) and a JSON body. */
static ord_rest_response send_auth(rx *x, const char *method, const char *path, const char *body,
                                   const char *authorization)
{
    if (authorization == NULL)
        return rx_send(x, method, path, NULL, body, NULL);
    return rx_send(x, method, path, NULL, body, "Authorization", authorization, NULL);
}

static void assert_challenge(const ord_rest_response *res, const char *challenge)
{
    rx_assert_problem(res, 401, "Unauthorized");
    rx_assert_problem_type(res, "unauthorized");
    rx_assert_header(res, "WWW-Authenticate", challenge);
}

static int64_t place_as(rx *x, const char *authorization, int64_t customer)
{
    char body[400];
    snprintf(body, sizeof body,
             "{\"customerId\":%lld,\"items\":[{\"productId\":2,\"quantity\":1}],"
             "\"deliveryAddress\":\"1 Road\"}",
             (long long)customer);
    ord_rest_response res = send_auth(x, "POST", "/api/v1/orders", body, authorization);
    if (res.status != 201)
        fail_msg("place: %d %s", res.status, res.body);
    cJSON *json = rx_json(&res);
    int64_t id = rx_int(json, "orderId");
    cJSON_Delete(json);
    ord_rest_response_free(&res);
    return id;
}

static void test_missing_or_malformed_authorization_is_401_with_a_challenge(void **state)
{
    rx *x = *state;
    ord_rest_response res = send_auth(x, "GET", "/api/v1/orders/1", NULL, NULL);
    assert_challenge(&res, "Bearer");
    ord_rest_response_free(&res);

    res = send_auth(x, "GET", "/api/v1/orders/1", NULL, "Basic dXNlcjpwdw==");
    assert_challenge(&res, "Bearer");
    ord_rest_response_free(&res);
    res = send_auth(x, "GET", "/api/v1/orders/1", NULL, "Bearer");
    assert_challenge(&res, "Bearer error=\"invalid_request\"");
    ord_rest_response_free(&res);
    res = send_auth(x, "GET", "/api/v1/orders/1", NULL, "Beareradmin");
    assert_challenge(&res, "Bearer");
    ord_rest_response_free(&res);
    /* Not a b64token: never reaches the verifier. */
    static const char *const malformed[] = {"Bearer ad min", "Bearer admin\"", "Bearer =admin",
                                            "Bearer a=b", "Bearer admin;", "Bearer \xc3\xa9"};
    for (size_t i = 0; i < sizeof malformed / sizeof malformed[0]; i++) {
        res = send_auth(x, "GET", "/api/v1/orders/1", NULL, malformed[i]);
        assert_challenge(&res, "Bearer error=\"invalid_token\"");
        ord_rest_response_free(&res);
    }
    char *huge = malloc(ORD_REST_MAX_BEARER_BYTES + 16);
    assert_non_null(huge);
    memcpy(huge, "Bearer ", 7);
    memset(huge + 7, 'a', ORD_REST_MAX_BEARER_BYTES + 1);
    huge[7 + ORD_REST_MAX_BEARER_BYTES + 1] = '\0';
    res = send_auth(x, "GET", "/api/v1/orders/1", NULL, huge);
    assert_challenge(&res, "Bearer error=\"invalid_token\"");
    ord_rest_response_free(&res);
    free(huge);
    assert_int_equal(verify_calls, 0);

    /* Refused by the verifier: its reason, and invalid_token. */
    res = send_auth(x, "GET", "/api/v1/orders/1", NULL, "Bearer stale");
    assert_challenge(&res, "Bearer error=\"invalid_token\"");
    assert_non_null(strstr(res.body, "The token has expired"));
    ord_rest_response_free(&res);
    assert_int_equal(verify_calls, 1);
}

static void test_two_authorization_headers_are_refused(void **state)
{
    rx *x = *state;
    ord_rest_response res = rx_send(x, "GET", "/api/v1/orders/customer/7", NULL, NULL,
                                    "Authorization", "Bearer customer-7", "Authorization",
                                    "Bearer admin", NULL);
    assert_challenge(&res, "Bearer error=\"invalid_request\"");
    ord_rest_response_free(&res);
    assert_int_equal(verify_calls, 0);
}

static void test_scheme_is_case_insensitive_and_query_tokens_are_ignored(void **state)
{
    rx *x = *state;
    ord_rest_response res = send_auth(x, "GET", "/api/v1/orders/customer/7", NULL, "bearer customer-7");
    assert_int_equal(res.status, 200);
    ord_rest_response_free(&res);
    res = send_auth(x, "GET", "/api/v1/orders/customer/7", NULL, "BEARER   customer-7");
    assert_int_equal(res.status, 200);
    ord_rest_response_free(&res);
    res = rx_send(x, "GET", "/api/v1/orders/customer/7", "access_token=admin", NULL, NULL);
    assert_challenge(&res, "Bearer");
    ord_rest_response_free(&res);
}

static void test_operations_endpoints_stay_open(void **state)
{
    rx *x = *state;
    static const char *const open_paths[] = {"/health/live", "/health/ready", "/openapi.json",
                                             "/metrics"};
    for (size_t i = 0; i < 4; i++) {
        ord_rest_response res = send_auth(x, "GET", open_paths[i], NULL, NULL);
        assert_int_equal(res.status, 200);
        ord_rest_response_free(&res);
    }
}

static void test_metrics_behind_the_admin_scope_when_asked(void **state)
{
    rx *x = *state;
    rebuild_api(x, true);
    ord_rest_response res = send_auth(x, "GET", "/metrics", NULL, NULL);
    assert_challenge(&res, "Bearer");
    ord_rest_response_free(&res);
    res = send_auth(x, "GET", "/metrics", NULL, "Bearer customer-7");
    rx_assert_problem(&res, 403, "Forbidden");
    rx_assert_header(&res, "WWW-Authenticate",
                     "Bearer error=\"insufficient_scope\", scope=\"orders:admin\"");
    ord_rest_response_free(&res);
    res = send_auth(x, "GET", "/metrics", NULL, "Bearer admin");
    assert_int_equal(res.status, 200);
    ord_rest_response_free(&res);
    res = send_auth(x, "GET", "/health/live", NULL, NULL);
    assert_int_equal(res.status, 200);
    ord_rest_response_free(&res);
}

static void test_operator_actions_need_the_admin_scope(void **state)
{
    rx *x = *state;
    int64_t id = place_as(x, "Bearer customer-7", 7);
    char path[96];
    static const char *const actions[] = {"/ship", "/deliver"};
    for (size_t i = 0; i < 2; i++) {
        ord_rest_response res = send_auth(x, "PUT", rx_path(path, id, actions[i]), NULL,
                                          "Bearer customer-7");
        rx_assert_problem(&res, 403, "Forbidden");
        rx_assert_problem_type(&res, "insufficient-scope");
        rx_assert_header(&res, "WWW-Authenticate",
                         "Bearer error=\"insufficient_scope\", scope=\"orders:admin\"");
        ord_rest_response_free(&res);
    }
    ord_rest_response res = send_auth(x, "PUT", rx_path(path, id, "/ship"), NULL, "Bearer admin");
    assert_int_equal(res.status, 204);
    ord_rest_response_free(&res);
    res = send_auth(x, "PUT", rx_path(path, id, "/deliver"), NULL, "Bearer admin");
    assert_int_equal(res.status, 204);
    ord_rest_response_free(&res);
}

static void test_customers_reach_only_their_own_orders(void **state)
{
    rx *x = *state;
    int64_t id = place_as(x, "Bearer customer-7", 7);
    char path[96];
    /* Reading, cancelling: 404 for another customer, as if it did not exist. */
    ord_rest_response res = send_auth(x, "GET", rx_path(path, id, ""), NULL, "Bearer customer-8");
    rx_assert_problem(&res, 404, "Order not found");
    ord_rest_response_free(&res);
    res = send_auth(x, "PUT", rx_path(path, id, "/cancel"), NULL, "Bearer customer-8");
    rx_assert_problem(&res, 404, "Order not found");
    ord_rest_response_free(&res);
    /* Listing another customer's orders: 403. */
    res = send_auth(x, "GET", "/api/v1/orders/customer/7", NULL, "Bearer customer-8");
    rx_assert_problem(&res, 403, "Forbidden");
    rx_assert_problem_type(&res, "forbidden");
    ord_rest_response_free(&res);
    /* A body naming another customer: 403, and nothing stored. */
    res = send_auth(x, "POST", "/api/v1/orders",
                    "{\"customerId\":7,\"items\":[{\"productId\":2,\"quantity\":1}],"
                    "\"deliveryAddress\":\"1 Road\"}",
                    "Bearer customer-8");
    rx_assert_problem(&res, 403, "Forbidden");
    ord_rest_response_free(&res);
    assert_int_equal(ord_memory_store_order_count(x->store), 1);
    /* Without customerId the token says who the customer is. */
    res = send_auth(x, "POST", "/api/v1/orders",
                    "{\"items\":[{\"productId\":2,\"quantity\":1}],\"deliveryAddress\":\"1 Road\"}",
                    "Bearer customer-8");
    assert_int_equal(res.status, 201);
    cJSON *json = rx_json(&res);
    assert_int_equal(rx_int(json, "customerId"), 8);
    cJSON_Delete(json);
    ord_rest_response_free(&res);
    /* The owner and an admin do reach it. */
    res = send_auth(x, "GET", rx_path(path, id, ""), NULL, "Bearer customer-7");
    assert_int_equal(res.status, 200);
    ord_rest_response_free(&res);
    res = send_auth(x, "GET", rx_path(path, id, ""), NULL, "Bearer admin");
    assert_int_equal(res.status, 200);
    ord_rest_response_free(&res);
    res = send_auth(x, "PUT", rx_path(path, id, "/cancel"), NULL, "Bearer customer-7");
    assert_int_equal(res.status, 204);
    ord_rest_response_free(&res);
}

static void test_same_key_from_two_customers_places_two_orders(void **state)
{
    rx *x = *state;
    static const char body[] =
        "{\"items\":[{\"productId\":2,\"quantity\":1}],\"deliveryAddress\":\"1 Road\"}";
    int64_t ids[2];
    static const char *const tokens[] = {"Bearer customer-7", "Bearer customer-8"};
    for (int i = 0; i < 2; i++) {
        ord_rest_response res = rx_send(x, "POST", "/api/v1/orders", NULL, body, "Authorization",
                                        tokens[i], "Idempotency-Key", "same-key", NULL);
        assert_int_equal(res.status, 201);
        assert_null(ord_rest_response_header(&res, "Idempotent-Replayed"));
        cJSON *json = rx_json(&res);
        ids[i] = rx_int(json, "orderId");
        assert_int_equal(rx_int(json, "customerId"), 7 + i);
        cJSON_Delete(json);
        ord_rest_response_free(&res);
    }
    assert_int_not_equal(ids[0], ids[1]);
    ord_rest_response res = rx_send(x, "POST", "/api/v1/orders", NULL, body, "Authorization",
                                    tokens[0], "Idempotency-Key", "same-key", NULL);
    assert_int_equal(res.status, 201);
    rx_assert_header(&res, "Idempotent-Replayed", "true");
    ord_rest_response_free(&res);
    assert_int_equal(ord_memory_store_order_count(x->store), 2);
}

static void test_guests_use_drafts_without_credentials(void **state)
{
    rx *x = *state;
    ord_rest_response res = send_auth(x, "POST", "/api/v1/orders/drafts", "{}", NULL);
    assert_int_equal(res.status, 201);
    cJSON *json = rx_json(&res);
    int64_t id = rx_int(json, "orderId");
    char token[ORD_GUEST_TOKEN_SIZE];
    snprintf(token, sizeof token, "%s", rx_str(json, "guestToken"));
    cJSON_Delete(json);
    ord_rest_response_free(&res);
    char body[200], path[96];
    snprintf(body, sizeof body, "{\"productId\":2,\"quantity\":1,\"guestToken\":\"%s\"}", token);
    res = send_auth(x, "PUT", rx_path(path, id, "/items"), body, NULL);
    assert_int_equal(res.status, 200);
    ord_rest_response_free(&res);

    /* A guest cannot read orders, nor speak for a customer. */
    res = send_auth(x, "GET", rx_path(path, id, ""), NULL, NULL);
    assert_challenge(&res, "Bearer");
    ord_rest_response_free(&res);
    res = send_auth(x, "POST", "/api/v1/orders/drafts", "{\"customerId\":7}", NULL);
    assert_challenge(&res, "Bearer");
    ord_rest_response_free(&res);
    /* A customer's token never reaches the guest's draft. */
    res = send_auth(x, "PUT", rx_path(path, id, "/items"), body, "Bearer customer-7");
    rx_assert_problem(&res, 403, "Forbidden");
    ord_rest_response_free(&res);
    res = send_auth(x, "PUT", rx_path(path, id, "/items"), "{\"productId\":2,\"quantity\":1}",
                    "Bearer customer-7");
    rx_assert_problem(&res, 404, "Order not found");
    ord_rest_response_free(&res);
    /* A refused token is not taken for a guest. */
    res = send_auth(x, "PUT", rx_path(path, id, "/items"), body, "Bearer stale");
    assert_challenge(&res, "Bearer error=\"invalid_token\"");
    ord_rest_response_free(&res);

    snprintf(body, sizeof body, "{\"guestToken\":\"%s\",\"deliveryAddress\":\"9 Guest Rd\"}", token);
    res = send_auth(x, "POST", rx_path(path, id, "/checkout"), body, NULL);
    assert_int_equal(res.status, 201);
    ord_rest_response_free(&res);
}

static void test_customer_drafts_are_their_own(void **state)
{
    rx *x = *state;
    ord_rest_response res = send_auth(x, "POST", "/api/v1/orders/drafts", "{}", "Bearer customer-7");
    assert_int_equal(res.status, 201);
    cJSON *json = rx_json(&res);
    int64_t id = rx_int(json, "orderId");
    assert_int_equal(rx_int(json, "customerId"), 7);
    assert_null(cJSON_GetObjectItem(json, "guestToken"));
    cJSON_Delete(json);
    ord_rest_response_free(&res);
    char path[96];
    res = send_auth(x, "POST", "/api/v1/orders/drafts", "{\"customerId\":8}", "Bearer customer-7");
    rx_assert_problem(&res, 403, "Forbidden");
    ord_rest_response_free(&res);
    res = send_auth(x, "PUT", rx_path(path, id, "/items"), "{\"productId\":2,\"quantity\":1}",
                    "Bearer customer-8");
    rx_assert_problem(&res, 404, "Order not found");
    ord_rest_response_free(&res);
    res = send_auth(x, "PUT", rx_path(path, id, "/items"),
                    "{\"productId\":2,\"quantity\":1,\"customerId\":7}", "Bearer customer-8");
    rx_assert_problem(&res, 403, "Forbidden");
    ord_rest_response_free(&res);
    res = send_auth(x, "POST", rx_path(path, id, "/checkout"), "{\"deliveryAddress\":\"1 Road\"}",
                    "Bearer customer-8");
    rx_assert_problem(&res, 404, "Order not found");
    ord_rest_response_free(&res);
    res = send_auth(x, "PUT", rx_path(path, id, "/items"), "{\"productId\":2,\"quantity\":1}",
                    "Bearer customer-7");
    assert_int_equal(res.status, 200);
    ord_rest_response_free(&res);
    res = send_auth(x, "POST", rx_path(path, id, "/checkout"), "{\"deliveryAddress\":\"1 Road\"}",
                    "Bearer customer-7");
    assert_int_equal(res.status, 201);
    ord_rest_response_free(&res);
}

static void test_bearer_config_is_checked(void **state)
{
    (void)state;
    ord_rest_authenticator auth;
    ord_rest_bearer_config bc = ORD_REST_BEARER_CONFIG_INIT;
    assert_int_equal(ord_rest_auth_bearer(&auth, &bc), ORD_EINVALID);
    assert_null(auth.ops);
    bc.verify = fake_verify;
    bc.version = 99;
    assert_int_equal(ord_rest_auth_bearer(&auth, &bc), ORD_EINVALID);
    assert_int_equal(ord_rest_auth_bearer(NULL, &bc), ORD_EINVALID);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, rx_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_missing_or_malformed_authorization_is_401_with_a_challenge),
        T(test_two_authorization_headers_are_refused),
        T(test_scheme_is_case_insensitive_and_query_tokens_are_ignored),
        T(test_operations_endpoints_stay_open),
        T(test_metrics_behind_the_admin_scope_when_asked),
        T(test_operator_actions_need_the_admin_scope),
        T(test_customers_reach_only_their_own_orders),
        T(test_same_key_from_two_customers_places_two_orders),
        T(test_guests_use_drafts_without_credentials),
        T(test_customer_drafts_are_their_own),
        T(test_bearer_config_is_checked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

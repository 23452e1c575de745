/* bootstrap with authentication on (ORDER_AUTH=jwt, an HS256 secret): the
 * claims API Gateway verified decide when there are any; a request without
 * them goes to the configured bearer authenticator, as in the server: a
 * good token is its customer, no credentials are 401 (or a guest where
 * guests may go), and a customer's admin action is 403 with the scope it
 * lacks. */
#include "lambda_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "token.h"

#define SECRET "lambda-test-secret-of-more-than-32-bytes-0123456789"

static int setup(void **state)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/secret", getenv("ORD_E2E_DIR"));
    FILE *f = fopen(path, "w");
    if (f == NULL || fputs(SECRET, f) < 0 || fclose(f) != 0)
        return -1;
    static char setting[1100];
    snprintf(setting, sizeof setting, "ORDER_AUTH_HS256_SECRET_FILE=%s", path);
    const char *extra[] = {"ORDER_AUTH=jwt", setting, NULL};
    return lt_group_start(state, extra);
}

/* "Authorization: Bearer <token of @p sub>" (static storage). */
static const char *bearer(const char *sub, const char *scope)
{
    static char header[2048];
    char claims[256];
    snprintf(claims, sizeof claims, "{\"sub\":\"%s\",\"exp\":%lld%s%s%s}", sub,
             (long long)time(NULL) + 3600, scope != NULL ? ",\"scope\":\"" : "",
             scope != NULL ? scope : "", scope != NULL ? "\"" : "");
    char *token = tok_mint(NULL, (const unsigned char *)SECRET, strlen(SECRET), "HS256", NULL,
                           claims);
    assert_non_null(token);
    snprintf(header, sizeof header, "Authorization: Bearer %s", token);
    free(token);
    return header;
}

static void test_without_claims_a_bearer_token_is_verified_by_the_function(void **state)
{
    (void)state;
    char *body = e2e_order_body(3501, "[{\"productId\":1,\"quantity\":1}]");
    lt_request anonymous = {.method = "POST", .path = "/api/v1/orders", .body = body};
    lt_http h = lt_call(1, &anonymous);
    e2e_assert_problem(&h.reply, 401, "Unauthorized");
    char buf[256];
    assert_non_null(e2e_header(&h.reply, "WWW-Authenticate", buf, sizeof buf));
    lt_http_free(&h);

    lt_request with_token = {.method = "POST", .path = "/api/v1/orders", .body = body,
                             .headers = {bearer("3501", NULL)}};
    h = lt_call(2, &with_token);
    assert_int_equal(h.reply.status, 201);
    int64_t id = e2e_int(h.reply.json, "orderId");
    lt_http_free(&h);
    free(body);

    char path[96];
    e2e_path(path, sizeof path, id, "");
    lt_request other = {.method = "GET", .path = path, .headers = {bearer("3502", NULL)}};
    h = lt_call(1, &other);
    e2e_assert_problem(&h.reply, 404, "Order not found");
    lt_http_free(&h);
    lt_request forged = {.method = "GET", .path = path,
                         .headers = {"Authorization: Bearer e30.eyJzdWIiOiIzNTAxIn0.c2ln"}};
    h = lt_call(2, &forged);
    assert_int_equal(h.reply.status, 401);
    lt_http_free(&h);
}

static void test_claims_decide_when_the_gateway_verified_the_caller(void **state)
{
    (void)state;
    char *body = e2e_order_body(3503, "[{\"productId\":1,\"quantity\":1}]");
    lt_request req = {.method = "POST", .path = "/api/v1/orders", .body = body,
                      .claims = "{\"sub\":\"3503\"}"};
    lt_http h = lt_call(1, &req);
    free(body);
    assert_int_equal(h.reply.status, 201);
    int64_t id = e2e_int(h.reply.json, "orderId");
    lt_http_free(&h);

    /* A customer's admin action: 403 naming the scope it lacks. */
    char path[96];
    e2e_path(path, sizeof path, id, "/ship");
    lt_request ship = {.method = "PUT", .path = path, .claims = "{\"sub\":\"3503\"}"};
    h = lt_call(2, &ship);
    assert_int_equal(h.reply.status, 403);
    char buf[256];
    assert_non_null(e2e_header(&h.reply, "WWW-Authenticate", buf, sizeof buf));
    assert_non_null(strstr(buf, "insufficient_scope"));
    assert_non_null(strstr(buf, "orders:admin"));
    lt_http_free(&h);
    lt_request admin = {.method = "PUT", .path = path, .headers = {bearer("ops", "orders:admin")}};
    h = lt_call(1, &admin);
    assert_int_equal(h.reply.status, 204);
    lt_http_free(&h);
}

static void test_a_guest_without_credentials_keeps_a_draft(void **state)
{
    (void)state;
    lt_request draft = {.method = "POST", .path = "/api/v1/orders/drafts",
                        .body = "{\"guestToken\":\"lambdaGuestT0ken9Xy7Qw3Rz\"}"};
    lt_http h = lt_call(2, &draft);
    assert_int_equal(h.reply.status, 201);
    assert_string_equal(e2e_str(h.reply.json, "status"), "DRAFT");
    lt_http_free(&h);
    lt_request ready = {.method = "GET", .path = "/health/ready"};
    h = lt_call(1, &ready);
    assert_int_equal(h.reply.status, 200);
    const cJSON *deps = cJSON_GetObjectItemCaseSensitive(h.reply.json, "dependencies");
    assert_string_equal(e2e_str(deps, "auth_keys"), "UP");
    lt_http_free(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_without_claims_a_bearer_token_is_verified_by_the_function),
        cmocka_unit_test(test_claims_decide_when_the_gateway_verified_the_caller),
        cmocka_unit_test(test_a_guest_without_credentials_keeps_a_draft),
    };
    return cmocka_run_group_tests(tests, setup, lt_group_teardown);
}

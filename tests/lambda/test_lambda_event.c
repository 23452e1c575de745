/* The Lambda transport's translation, without processes: base64, API
 * Gateway events to requests (and what makes one malformed), responses to
 * answers, and the caller taken from verified claims. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

#include "claims.h"
#include "event.h"

static void test_event_kinds(void **state)
{
    (void)state;
    static const struct {
        const char *json;
        lam_event_kind kind;
    } cases[] = {
        {"{\"httpMethod\":\"GET\",\"path\":\"/\"}", LAM_EVENT_HTTP_V1},
        {"{\"version\":\"1.0\",\"httpMethod\":\"GET\",\"path\":\"/\"}", LAM_EVENT_HTTP_V1},
        {"{\"version\":\"2.0\",\"rawPath\":\"/\",\"requestContext\":{\"http\":{\"method\":\"GET\"}}}",
         LAM_EVENT_HTTP_V2},
        {"{\"source\":\"aws.events\",\"detail-type\":\"Scheduled Event\",\"detail\":{}}",
         LAM_EVENT_SCHEDULE},
        {"{\"source\":\"aws.s3\",\"detail-type\":\"Scheduled Event\"}", LAM_EVENT_UNKNOWN},
        {"{\"version\":\"2.0\",\"rawPath\":\"/\"}", LAM_EVENT_UNKNOWN},
        {"{\"httpMethod\":\"GET\"}", LAM_EVENT_UNKNOWN},
        {"[1,2]", LAM_EVENT_UNKNOWN},
        {"{}", LAM_EVENT_UNKNOWN},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cJSON *event = cJSON_Parse(cases[i].json);
        assert_non_null(event);
        assert_int_equal(lam_event_kind_of(event), cases[i].kind);
        cJSON_Delete(event);
    }
}

/* Read @p json as an event of its own kind; the caller frees both. */
static lam_event_status read_event(const char *json, cJSON **event, lam_http_request *r,
                                   const char **why)
{
    *event = cJSON_Parse(json);
    assert_non_null(*event);
    return lam_http_request_read(r, *event, lam_event_kind_of(*event), why);
}

static void test_v1_takes_multi_value_headers_and_encodes_the_query_maps(void **state)
{
    (void)state;
    cJSON *event;
    lam_http_request r;
    const char *why;
    assert_int_equal(
        read_event("{\"httpMethod\":\"GET\",\"path\":\"/api/v1/orders/a b\","
                   "\"headers\":{\"Accept\":\"b\"},"
                   "\"multiValueHeaders\":{\"Accept\":[\"a\",\"b\"],\"X-Empty\":null},"
                   "\"queryStringParameters\":{\"q\":\"2\"},"
                   "\"multiValueQueryStringParameters\":{\"q\":[\"1\",\"a b&c=d\"],\"z\":[\"\"]},"
                   "\"requestContext\":{\"requestId\":\"abc-123\"},\"body\":null}",
                   &event, &r, &why),
        LAM_EVENT_OK);
    assert_string_equal(r.req.method, "GET");
    assert_string_equal(r.req.path, "/api/v1/orders/a%20b");
    assert_string_equal(r.req.query, "q=1&q=a%20b%26c%3Dd&z=");
    assert_int_equal(r.req.header_count, 3);
    assert_string_equal(r.req.headers[0].value, "a");
    assert_string_equal(r.req.headers[1].value, "b");
    assert_string_equal(ord_rest_request_header(&r.req, "X-Request-Id"), "abc-123");
    assert_null(r.req.body);
    assert_null(r.claims);
    lam_http_request_free(&r);
    cJSON_Delete(event);
}

static void test_v2_strips_a_named_stage_and_joins_cookies(void **state)
{
    (void)state;
    cJSON *event;
    lam_http_request r;
    const char *why;
    assert_int_equal(
        read_event("{\"version\":\"2.0\",\"rawPath\":\"/prod/api/v1/orders\","
                   "\"rawQueryString\":\"limit=2\",\"cookies\":[\"a=1\",\"b=2\"],"
                   "\"headers\":{\"x-request-id\":\"mine\"},"
                   "\"requestContext\":{\"stage\":\"prod\",\"requestId\":\"JK+/=\","
                   "\"http\":{\"method\":\"POST\"},\"authorizer\":{\"jwt\":"
                   "{\"claims\":{\"sub\":\"7\"},\"scopes\":[\"orders:admin\"]}}},"
                   "\"body\":\"e30=\",\"isBase64Encoded\":true}",
                   &event, &r, &why),
        LAM_EVENT_OK);
    assert_string_equal(r.req.path, "/api/v1/orders");
    assert_string_equal(r.req.query, "limit=2");
    assert_string_equal(ord_rest_request_header(&r.req, "Cookie"), "a=1; b=2");
    assert_string_equal(ord_rest_request_header(&r.req, "X-Request-Id"), "mine");
    assert_int_equal(r.req.body_len, 2);
    assert_memory_equal(r.req.body, "{}", 2);
    assert_non_null(r.claims);
    assert_true(cJSON_IsArray(r.scopes));
    lam_http_request_free(&r);
    cJSON_Delete(event);

    /* $default keeps the path; a gateway id is spelt base64url, cut at 64. */
    assert_int_equal(
        read_event("{\"version\":\"2.0\",\"rawPath\":\"/$default/x\",\"requestContext\":"
                   "{\"stage\":\"$default\",\"http\":{\"method\":\"GET\"},\"requestId\":"
                   "\"a+b/c=0123456789012345678901234567890123456789012345678901234567890123\"}}",
                   &event, &r, &why),
        LAM_EVENT_OK);
    assert_string_equal(r.req.path, "/$default/x");
    const char *id = ord_rest_request_header(&r.req, "X-Request-Id");
    assert_int_equal(strlen(id), 64);
    assert_memory_equal(id, "a-b_c0123", 9);
    lam_http_request_free(&r);
    cJSON_Delete(event);
}

static void test_a_body_over_64_kib_is_left_to_the_api_as_too_large(void **state)
{
    (void)state;
    size_t n = ORD_REST_MAX_BODY_BYTES + 1;
    char *json = malloc(n + 100);
    assert_non_null(json);
    int head = sprintf(json, "{\"httpMethod\":\"POST\",\"path\":\"/api/v1/orders\",\"body\":\"");
    memset(json + head, 'x', n);
    strcpy(json + head + n, "\"}");
    cJSON *event;
    lam_http_request r;
    const char *why;
    assert_int_equal(read_event(json, &event, &r, &why), LAM_EVENT_OK);
    assert_true(r.req.body_too_large);
    assert_null(r.req.body);
    lam_http_request_free(&r);
    cJSON_Delete(event);
    free(json);
}

static void test_members_of_the_wrong_type_make_the_event_malformed(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "{\"httpMethod\":5,\"path\":\"/\"}",
        "{\"httpMethod\":\"get\",\"path\":\"/\"}",
        "{\"httpMethod\":\"GET\",\"path\":\"relative\"}",
        "{\"httpMethod\":\"GET\",\"path\":\"/\",\"headers\":[\"a\"]}",
        "{\"httpMethod\":\"GET\",\"path\":\"/\",\"headers\":{\"a\":1}}",
        "{\"httpMethod\":\"GET\",\"path\":\"/\",\"multiValueHeaders\":{\"a\":\"b\"}}",
        "{\"httpMethod\":\"GET\",\"path\":\"/\",\"queryStringParameters\":{\"a\":[1]}}",
        "{\"httpMethod\":\"GET\",\"path\":\"/\",\"body\":12}",
        "{\"httpMethod\":\"GET\",\"path\":\"/\",\"body\":\"x\",\"isBase64Encoded\":\"yes\"}",
        "{\"httpMethod\":\"GET\",\"path\":\"/\",\"body\":\"not base64!\",\"isBase64Encoded\":true}",
        "{\"httpMethod\":\"GET\",\"path\":\"/\",\"requestContext\":[]}",
        "{\"httpMethod\":\"GET\",\"path\":\"/\",\"requestContext\":{\"authorizer\":{\"claims\":\"sub\"}}}",
        "{\"httpMethod\":\"GET\",\"path\":\"/\",\"requestContext\":{\"authorizer\":{\"jwt\":{\"scopes\":\"x\"}}}}",
        "{\"version\":\"2.0\",\"rawPath\":\"/\",\"requestContext\":{\"http\":{\"method\":\"GET\"}},\"cookies\":\"a=1\"}",
        "{\"version\":\"2.0\",\"rawPath\":\"/\",\"rawQueryString\":7,\"requestContext\":{\"http\":{\"method\":\"GET\"}}}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cJSON *event;
        lam_http_request r;
        const char *why = NULL;
        assert_int_equal(read_event(bad[i], &event, &r, &why), LAM_EVENT_MALFORMED);
        assert_non_null(why);
        cJSON_Delete(event);
    }
}

static void test_too_many_headers_make_the_event_malformed(void **state)
{
    (void)state;
    cJSON *event = cJSON_Parse("{\"httpMethod\":\"GET\",\"path\":\"/\"}");
    cJSON *headers = cJSON_AddObjectToObject(event, "headers");
    for (int i = 0; i <= LAM_MAX_HEADERS; i++) {
        char name[16];
        snprintf(name, sizeof name, "h%d", i);
        cJSON_AddStringToObject(headers, name, "v");
    }
    lam_http_request r;
    const char *why = NULL;
    assert_int_equal(lam_http_request_read(&r, event, LAM_EVENT_HTTP_V1, &why), LAM_EVENT_MALFORMED);
    assert_string_equal(why, "too many headers");
    cJSON_Delete(event);
}

static cJSON *answer_of(const ord_rest_response *resp, lam_event_kind kind, bool head)
{
    lam_http_request r;
    memset(&r, 0, sizeof r);
    r.kind = kind;
    r.head = head;
    size_t len = 0;
    char *text = lam_http_answer(resp, &r, &len);
    assert_non_null(text);
    assert_int_equal(len, strlen(text));
    cJSON *answer = cJSON_Parse(text);
    cJSON_free(text);
    assert_non_null(answer);
    return answer;
}

static void test_answers_carry_every_header_value(void **state)
{
    (void)state;
    ord_rest_header headers[] = {{"Link", "<a>; rel=\"next\""}, {"Set-Cookie", "s=1"},
                                 {"link", "<b>; rel=\"prev\""}, {"ETag", "\"3\""}};
    char body[] = "{\"ok\":true}";
    ord_rest_response resp = {.status = 200, .headers = headers, .header_count = 4,
                              .body = body, .body_len = strlen(body)};
    cJSON *v1 = answer_of(&resp, LAM_EVENT_HTTP_V1, false);
    assert_int_equal(cJSON_GetObjectItemCaseSensitive(v1, "statusCode")->valueint, 200);
    const cJSON *multi = cJSON_GetObjectItemCaseSensitive(v1, "multiValueHeaders");
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(multi, "Link")), 2);
    const cJSON *single = cJSON_GetObjectItemCaseSensitive(v1, "headers");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(single, "Link")->valuestring,
                        "<b>; rel=\"prev\"");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(single, "ETag")->valuestring, "\"3\"");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(v1, "body")->valuestring, body);
    cJSON_Delete(v1);

    cJSON *v2 = answer_of(&resp, LAM_EVENT_HTTP_V2, false);
    const cJSON *h2 = cJSON_GetObjectItemCaseSensitive(v2, "headers");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(h2, "Link")->valuestring,
                        "<a>; rel=\"next\", <b>; rel=\"prev\"");
    assert_null(cJSON_GetObjectItemCaseSensitive(h2, "Set-Cookie"));
    const cJSON *cookies = cJSON_GetObjectItemCaseSensitive(v2, "cookies");
    assert_int_equal(cJSON_GetArraySize(cookies), 1);
    assert_string_equal(cJSON_GetArrayItem(cookies, 0)->valuestring, "s=1");
    assert_null(cJSON_GetObjectItemCaseSensitive(v2, "multiValueHeaders"));
    cJSON_Delete(v2);
}

static void test_binary_bodies_travel_in_base64_and_head_has_none(void **state)
{
    (void)state;
    char binary[] = {'a', (char)0xff, 0, 'b', 0};
    ord_rest_response resp = {.status = 200, .body = binary, .body_len = 4};
    cJSON *a = answer_of(&resp, LAM_EVENT_HTTP_V2, false);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(a, "isBase64Encoded")));
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(a, "body")->valuestring, "Yf8AYg==");
    cJSON_Delete(a);
    char text[] = "caf\xc3\xa9";
    resp.body = text;
    resp.body_len = strlen(text);
    a = answer_of(&resp, LAM_EVENT_HTTP_V1, false);
    assert_true(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(a, "isBase64Encoded")));
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(a, "body")->valuestring, text);
    cJSON_Delete(a);
    a = answer_of(&resp, LAM_EVENT_HTTP_V1, true);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(a, "body")->valuestring, "");
    cJSON_Delete(a);
}

/* A fallback that only counts its calls. */
static int fallback_calls;
static void fallback_authenticate(void *self, const ord_rest_header *headers, size_t count,
                                  ord_rest_auth_result *out)
{
    (void)self;
    (void)headers;
    (void)count;
    fallback_calls++;
    ord_rest_auth_refuse(out, 401, "Unauthorized", "fallback");
}
static const ord_rest_authenticator_ops fallback_ops = {
    .version = ORD_REST_AUTHENTICATOR_VERSION,
    .name = "test",
    .authenticate = fallback_authenticate,
};

static ord_rest_auth_result decide(ord_rest_authenticator *auth, lam_claims_auth *handle,
                                   const char *claims_json, const char *scopes_json)
{
    cJSON *claims = claims_json != NULL ? cJSON_Parse(claims_json) : NULL;
    cJSON *scopes = scopes_json != NULL ? cJSON_Parse(scopes_json) : NULL;
    lam_claims_auth_use(handle, claims, scopes);
    ord_rest_auth_result out;
    memset(&out, 0, sizeof out);
    auth->ops->authenticate(auth->self, NULL, 0, &out);
    lam_claims_auth_use(handle, NULL, NULL);
    cJSON_Delete(claims);
    cJSON_Delete(scopes);
    return out;
}

static void test_claims_make_a_customer_an_admin_or_a_refusal(void **state)
{
    (void)state;
    ord_rest_authenticator auth;
    lam_claims_auth *handle;
    lam_claims_config cfg = {"custom:customer_id", "orders:admin", "ops"};
    assert_int_equal(lam_claims_auth_new(&auth, &handle, &cfg,
                                         (ord_rest_authenticator){&fallback_ops, NULL}),
                     ORD_OK);
    static const struct {
        const char *claims, *scopes;
        int status;
        ord_principal_kind kind;
        int64_t customer;
    } cases[] = {
        {"{\"custom:customer_id\":\"42\",\"sub\":\"u\"}", NULL, 0, ORD_PRINCIPAL_CUSTOMER, 42},
        {"{\"custom:customer_id\":42}", NULL, 0, ORD_PRINCIPAL_CUSTOMER, 42},
        {"{\"custom:customer_id\":\"042\"}", NULL, 403, 0, 0},
        {"{\"custom:customer_id\":\"42a\"}", NULL, 403, 0, 0},
        {"{\"custom:customer_id\":\"9007199254740992\"}", NULL, 403, 0, 0},
        {"{\"custom:customer_id\":4.5}", NULL, 403, 0, 0},
        {"{\"sub\":\"42\"}", NULL, 403, 0, 0},
        {"{\"scope\":\"openid orders:admin\"}", NULL, 0, ORD_PRINCIPAL_ADMIN, 0},
        {"{\"scope\":\"openid orders:admin:x\"}", NULL, 403, 0, 0},
        {"{\"scp\":[\"orders:admin\"]}", NULL, 0, ORD_PRINCIPAL_ADMIN, 0},
        {"{\"scope\":\"[email orders:admin]\"}", NULL, 0, ORD_PRINCIPAL_ADMIN, 0},
        {"{\"scope\":\"email,orders:admin\"}", NULL, 403, 0, 0},
        {"{}", "[\"orders:admin\"]", 0, ORD_PRINCIPAL_ADMIN, 0},
        {"{\"cognito:groups\":\"readers,ops\"}", NULL, 0, ORD_PRINCIPAL_ADMIN, 0},
        {"{\"cognito:groups\":\"[readers ops]\"}", NULL, 0, ORD_PRINCIPAL_ADMIN, 0},
        {"{\"cognito:groups\":[\"ops\"],\"custom:customer_id\":\"9\"}", NULL, 0,
         ORD_PRINCIPAL_ADMIN, 9},
        {"{\"cognito:groups\":\"operators\"}", NULL, 403, 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ord_rest_auth_result r = decide(&auth, handle, cases[i].claims, cases[i].scopes);
        if (r.status != cases[i].status)
            fail_msg("case %zu (%s): status %d", i, cases[i].claims, r.status);
        if (r.status == 0) {
            assert_int_equal(r.principal.kind, cases[i].kind);
            assert_int_equal(r.principal.customer_id, cases[i].customer);
        }
    }
    ord_rest_auth_result r = decide(&auth, handle, "{\"custom:customer_id\":\"5\",\"sub\":\"abc\"}", NULL);
    assert_string_equal(r.principal.subject, "abc");

    /* No claims: the configured authenticator decides. */
    fallback_calls = 0;
    r = decide(&auth, handle, NULL, NULL);
    assert_int_equal(fallback_calls, 1);
    assert_int_equal(r.status, 401);
    auth.ops->free(auth.self);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_event_kinds),
        cmocka_unit_test(test_v1_takes_multi_value_headers_and_encodes_the_query_maps),
        cmocka_unit_test(test_v2_strips_a_named_stage_and_joins_cookies),
        cmocka_unit_test(test_a_body_over_64_kib_is_left_to_the_api_as_too_large),
        cmocka_unit_test(test_members_of_the_wrong_type_make_the_event_malformed),
        cmocka_unit_test(test_too_many_headers_make_the_event_malformed),
        cmocka_unit_test(test_answers_carry_every_header_value),
        cmocka_unit_test(test_binary_bodies_travel_in_base64_and_head_has_none),
        cmocka_unit_test(test_claims_make_a_customer_an_admin_or_a_refusal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

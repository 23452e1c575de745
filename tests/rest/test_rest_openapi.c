/* The OpenAPI document and the router describe the same API: every route
 * is documented and every documented operation is routed (HEAD wherever
 * GET is, as the router answers it). The statuses of
 * each operation are checked against the code by openapi_statuses.py. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

#include <orders/adapters/rest/api.h>

static const char *const HTTP_METHODS[] = {"get", "put", "post", "delete", "options", "head",
                                           "patch", "trace"};

static cJSON *load_document(void)
{
    size_t len = 0;
    const char *text = ord_rest_openapi_document(&len);
    assert_non_null(text);
    assert_true(len > 0);
    assert_int_equal(strlen(text), len);
    cJSON *doc = cJSON_ParseWithLength(text, len);
    assert_non_null(doc);
    return doc;
}

static void lower(char *out, const char *in, size_t cap)
{
    size_t i = 0;
    for (; in[i] != '\0' && i + 1 < cap; i++)
        out[i] = (char)(in[i] >= 'A' && in[i] <= 'Z' ? in[i] + 32 : in[i]);
    out[i] = '\0';
}

static void test_document_is_openapi_3(void **state)
{
    (void)state;
    cJSON *doc = load_document();
    const cJSON *version = cJSON_GetObjectItem(doc, "openapi");
    assert_true(cJSON_IsString(version));
    assert_true(strncmp(version->valuestring, "3.", 2) == 0);
    assert_true(cJSON_IsObject(cJSON_GetObjectItem(doc, "info")));
    assert_true(cJSON_IsObject(cJSON_GetObjectItem(doc, "paths")));
    cJSON_Delete(doc);
}

static void test_every_route_is_documented(void **state)
{
    (void)state;
    cJSON *doc = load_document();
    const cJSON *paths = cJSON_GetObjectItem(doc, "paths");
    size_t count = 0;
    const ord_rest_route_info *routes = ord_rest_routes(&count);
    assert_true(count > 0);
    for (size_t i = 0; i < count; i++) {
        const cJSON *item = cJSON_GetObjectItemCaseSensitive(paths, routes[i].path);
        char method[16];
        lower(method, routes[i].method, sizeof method);
        const cJSON *op = item != NULL ? cJSON_GetObjectItemCaseSensitive(item, method) : NULL;
        if (!cJSON_IsObject(op))
            fail_msg("%s %s is routed but not in openapi.json", routes[i].method, routes[i].path);
        const cJSON *responses = cJSON_GetObjectItem(op, "responses");
        if (!cJSON_IsObject(responses) || responses->child == NULL)
            fail_msg("%s %s has no responses", routes[i].method, routes[i].path);
    }
    cJSON_Delete(doc);
}

static bool routed(const char *method, const char *path)
{
    size_t count = 0;
    const ord_rest_route_info *routes = ord_rest_routes(&count);
    /* HEAD is answered by the GET route of the path. */
    const char *want = strcmp(method, "head") == 0 ? "get" : method;
    for (size_t i = 0; i < count; i++) {
        char m[16];
        lower(m, routes[i].method, sizeof m);
        if (strcmp(m, want) == 0 && strcmp(routes[i].path, path) == 0)
            return true;
    }
    return false;
}

static size_t get_route_count(void)
{
    size_t count = 0;
    size_t gets = 0;
    const ord_rest_route_info *routes = ord_rest_routes(&count);
    for (size_t i = 0; i < count; i++)
        gets += strcmp(routes[i].method, "GET") == 0;
    return gets;
}

static void test_every_documented_operation_is_routed(void **state)
{
    (void)state;
    cJSON *doc = load_document();
    const cJSON *path_item;
    size_t operations = 0;
    cJSON_ArrayForEach(path_item, cJSON_GetObjectItem(doc, "paths"))
    {
        for (size_t m = 0; m < sizeof HTTP_METHODS / sizeof HTTP_METHODS[0]; m++) {
            if (cJSON_GetObjectItemCaseSensitive(path_item, HTTP_METHODS[m]) == NULL)
                continue;
            operations++;
            if (!routed(HTTP_METHODS[m], path_item->string))
                fail_msg("%s %s is documented but not routed", HTTP_METHODS[m], path_item->string);
        }
    }
    size_t count = 0;
    ord_rest_routes(&count);
    assert_int_equal(operations, count + get_route_count());
    cJSON_Delete(doc);
}

/* Every GET route has its HEAD operation, with the same statuses. */
static void test_every_get_route_documents_head(void **state)
{
    (void)state;
    cJSON *doc = load_document();
    const cJSON *paths = cJSON_GetObjectItem(doc, "paths");
    size_t count = 0;
    const ord_rest_route_info *routes = ord_rest_routes(&count);
    for (size_t i = 0; i < count; i++) {
        if (strcmp(routes[i].method, "GET") != 0)
            continue;
        const cJSON *item = cJSON_GetObjectItemCaseSensitive(paths, routes[i].path);
        const cJSON *get = cJSON_GetObjectItemCaseSensitive(item, "get");
        const cJSON *head = cJSON_GetObjectItemCaseSensitive(item, "head");
        if (!cJSON_IsObject(head))
            fail_msg("HEAD %s is answered but not in openapi.json", routes[i].path);
        const cJSON *status;
        size_t statuses = 0;
        cJSON_ArrayForEach(status, cJSON_GetObjectItem(get, "responses"))
        {
            statuses++;
            const cJSON *answer = cJSON_GetObjectItemCaseSensitive(
                cJSON_GetObjectItem(head, "responses"), status->string);
            if (answer == NULL)
                fail_msg("HEAD %s lacks GET's %s", routes[i].path, status->string);
            if (cJSON_GetObjectItem(answer, "content") != NULL)
                fail_msg("HEAD %s %s documents a body", routes[i].path, status->string);
        }
        assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(head, "responses")), statuses);
    }
    cJSON_Delete(doc);
}

/* Every response of every operation names X-Request-Id, and the header
 * is required: the server sends it on every answer. */
static void test_every_response_carries_a_required_request_id(void **state)
{
    (void)state;
    cJSON *doc = load_document();
    const cJSON *shared = cJSON_GetObjectItem(
        cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "components"), "headers"), "X-Request-Id");
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(shared, "required")));
    const cJSON *path_item;
    cJSON_ArrayForEach(path_item, cJSON_GetObjectItem(doc, "paths"))
    {
        const cJSON *op;
        cJSON_ArrayForEach(op, path_item)
        {
            const cJSON *answer;
            cJSON_ArrayForEach(answer, cJSON_GetObjectItem(op, "responses"))
            {
                const cJSON *resolved = answer;
                const cJSON *ref = cJSON_GetObjectItem(answer, "$ref");
                if (cJSON_IsString(ref)) {
                    const char *name = strrchr(ref->valuestring, '/') + 1;
                    resolved = cJSON_GetObjectItem(
                        cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "components"), "responses"),
                        name);
                }
                /* Out of memory the server answers 500 with nothing at all. */
                if (cJSON_GetObjectItem(resolved, "content") == NULL &&
                    strcmp(answer->string, "500") == 0)
                    continue;
                const cJSON *header =
                    cJSON_GetObjectItem(cJSON_GetObjectItem(resolved, "headers"), "X-Request-Id");
                const cJSON *href = cJSON_GetObjectItem(header, "$ref");
                if (!cJSON_IsString(href) ||
                    strcmp(href->valuestring, "#/components/headers/X-Request-Id") != 0)
                    fail_msg("%s %s %s: no X-Request-Id", op->string, path_item->string,
                             answer->string);
            }
        }
    }
    cJSON_Delete(doc);
}

/* Resolve "#/components/..." references so a dangling one fails the test. */
static void check_refs(const cJSON *doc, const cJSON *node)
{
    const cJSON *child;
    cJSON_ArrayForEach(child, node)
    {
        if (child->string != NULL && strcmp(child->string, "$ref") == 0) {
            assert_true(cJSON_IsString(child));
            const char *ref = child->valuestring;
            assert_true(strncmp(ref, "#/", 2) == 0);
            const cJSON *target = doc;
            char part[128];
            const char *p = ref + 2;
            while (*p != '\0' && target != NULL) {
                const char *slash = strchr(p, '/');
                size_t n = slash != NULL ? (size_t)(slash - p) : strlen(p);
                assert_true(n < sizeof part);
                memcpy(part, p, n);
                part[n] = '\0';
                target = cJSON_GetObjectItemCaseSensitive(target, part);
                p += n;
                if (*p == '/')
                    p++;
            }
            if (target == NULL)
                fail_msg("dangling $ref %s", ref);
        }
        check_refs(doc, child);
    }
}

static void test_every_reference_resolves(void **state)
{
    (void)state;
    cJSON *doc = load_document();
    check_refs(doc, doc);
    cJSON_Delete(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_document_is_openapi_3),
        cmocka_unit_test(test_every_route_is_documented),
        cmocka_unit_test(test_every_documented_operation_is_routed),
        cmocka_unit_test(test_every_reference_resolves),
        cmocka_unit_test(test_every_get_route_documents_head),
        cmocka_unit_test(test_every_response_carries_a_required_request_id),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

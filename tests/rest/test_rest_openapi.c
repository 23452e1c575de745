/* The OpenAPI document and the router describe the same API: every route
 * is documented and every documented operation is routed. The statuses of
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
    for (size_t i = 0; i < count; i++) {
        char m[16];
        lower(m, routes[i].method, sizeof m);
        if (strcmp(m, method) == 0 && strcmp(routes[i].path, path) == 0)
            return true;
    }
    return false;
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
    assert_int_equal(operations, count);
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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Reading request bodies: typed members of a cJSON object, with a field
 * error for every member of the wrong type. */
#include <stdio.h>

#include "call.h"

/* A double holds every integer below 2^53 exactly; from 2^53 on, the
 * number sent may not be the number parsed (2^53 + 1 reads as 2^53), so
 * those are refused. */
#define REST_JSON_EXACT_LIMIT 9007199254740992.0

rest_json_int_result ord_rest_json_get_int(const cJSON *obj, const char *name, int64_t *out)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, name);
    if (item == NULL || cJSON_IsNull(item))
        return REST_JSON_ABSENT;
    if (!cJSON_IsNumber(item))
        return REST_JSON_WRONG;
    double v = item->valuedouble;
    /* The comparison is false for NaN too. */
    if (!(v > -REST_JSON_EXACT_LIMIT && v < REST_JSON_EXACT_LIMIT))
        return REST_JSON_WRONG;
    int64_t i = (int64_t)v;
    if ((double)i != v)
        return REST_JSON_WRONG;
    *out = i;
    return REST_JSON_OK;
}

bool ord_rest_json_get_string(const cJSON *obj, const char *name, const char **out)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, name);
    *out = NULL;
    if (item == NULL || cJSON_IsNull(item))
        return true;
    if (!cJSON_IsString(item) || item->valuestring == NULL)
        return false;
    *out = item->valuestring;
    return true;
}

bool ord_rest_json_get_items(rest_call *c, const cJSON *obj, const char *name,
                             ord_item_request **items, size_t *count, bool *present,
                             ord_field_errors *errors)
{
    *items = NULL;
    *count = 0;
    *present = false;
    const cJSON *array = cJSON_GetObjectItemCaseSensitive(obj, name);
    if (array == NULL || cJSON_IsNull(array))
        return true;
    *present = true;
    if (!cJSON_IsArray(array)) {
        ord_field_errors_add(errors, name, "must be an array");
        return true;
    }
    size_t n = (size_t)cJSON_GetArraySize(array);
    if (n == 0)
        return true;
    ord_item_request *out = ord_rest_arena_alloc(&c->arena, n * sizeof *out);
    if (out == NULL)
        return false;
    size_t i = 0;
    char path[ORD_FIELD_PATH_SIZE];
    for (const cJSON *el = array->child; el != NULL && i < n; el = el->next, i++) {
        if (!cJSON_IsObject(el)) {
            snprintf(path, sizeof path, "%s[%zu]", name, i);
            ord_field_errors_add(errors, path, "must be an object");
            continue;
        }
        rest_json_int_result r = ord_rest_json_get_int(el, "productId", &out[i].product_id);
        if (r != REST_JSON_OK) {
            snprintf(path, sizeof path, "%s[%zu].productId", name, i);
            ord_field_errors_add(errors, path,
                                 r == REST_JSON_ABSENT ? "is required" : "must be an integer");
        }
        r = ord_rest_json_get_int(el, "quantity", &out[i].quantity);
        if (r != REST_JSON_OK) {
            snprintf(path, sizeof path, "%s[%zu].quantity", name, i);
            ord_field_errors_add(errors, path,
                                 r == REST_JSON_ABSENT ? "is required" : "must be an integer");
        }
    }
    *items = out;
    *count = n;
    return true;
}

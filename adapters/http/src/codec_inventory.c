/* The inventory endpoints: reserve (and its "insufficient stock" answer),
 * release and commit. */
#include "codec.h"

#include <stdio.h>
#include <string.h>

bool ord_http_json_add_int(cJSON *object, const char *name, int64_t value)
{
    char text[24];
    snprintf(text, sizeof text, "%lld", (long long)value);
    return cJSON_AddRawToObject(object, name, text) != NULL;
}

/* Print a JSON body into the request (cJSON_free()d with it). */
static ord_error take_body(cJSON *json, bool ok, http_request *request)
{
    char *text = ok ? cJSON_PrintUnformatted(json) : NULL;
    cJSON_Delete(json);
    if (text == NULL)
        return ORD_ENOMEM;
    request->body_owned = text;
    request->body = text;
    return ORD_OK;
}

ord_error ord_http_encode_reserve(const void *args, http_request *request)
{
    const http_reserve_args *a = args;
    if (a->order_id <= 0 || a->count == 0 || a->count > ORD_MAX_ITEMS || a->items == NULL)
        return ORD_EINVALID;
    for (size_t i = 0; i < a->count; i++)
        if (a->items[i].product_id <= 0 || a->items[i].quantity <= 0)
            return ORD_EINVALID;
    cJSON *json = cJSON_CreateObject();
    cJSON *items = cJSON_AddArrayToObject(json, "items");
    bool ok = items != NULL && ord_http_json_add_int(json, "orderId", a->order_id);
    for (size_t i = 0; ok && i < a->count; i++) {
        cJSON *line = cJSON_CreateObject();
        if (line == NULL || !cJSON_AddItemToArray(items, line)) {
            cJSON_Delete(line);
            ok = false;
            break;
        }
        ok = ord_http_json_add_int(line, "productId", a->items[i].product_id) &&
             ord_http_json_add_int(line, "quantity", a->items[i].quantity);
    }
    return take_body(json, ok, request);
}

ord_error ord_http_decode_reserved(const cJSON *json, const void *args, void *out)
{
    (void)args;
    if (!cJSON_IsObject(json) || !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(json, "success")))
        return ORD_ECONTRACT;
    ord_reserve_result *r = out;
    r->reserved = true;
    r->unavailable_count = 0;
    return ORD_OK;
}

static bool asked_for(const http_reserve_args *a, int64_t product_id)
{
    for (size_t i = 0; i < a->count; i++)
        if (a->items[i].product_id == product_id)
            return true;
    return false;
}

ord_error ord_http_decode_short(const cJSON *json, const void *args, void *out)
{
    const http_reserve_args *a = args;
    ord_reserve_result *r = out;
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(json, "unavailableProducts");
    const cJSON *success = cJSON_GetObjectItemCaseSensitive(json, "success");
    /* Only a named shortage is "insufficient stock"; any other 400/409 is
     * outside the contract (a bad request of ours, for instance). */
    int n = cJSON_GetArraySize(list);
    if (!cJSON_IsObject(json) || !cJSON_IsArray(list) || n < 1 || n > ORD_MAX_ITEMS ||
        cJSON_IsTrue(success))
        return ORD_ECONTRACT;
    size_t count = 0;
    const cJSON *item;
    cJSON_ArrayForEach(item, list)
    {
        int64_t id = 0;
        if (!ord_http_json_int(item, 1, INT64_MAX, &id) || !asked_for(a, id))
            return ORD_ECONTRACT;
        r->unavailable[count++] = id;
    }
    r->reserved = false;
    r->unavailable_count = count;
    return ORD_OK;
}

ord_error ord_http_encode_order_id(const void *args, http_request *request)
{
    const http_order_args *a = args;
    if (a->order_id <= 0)
        return ORD_EINVALID;
    cJSON *json = cJSON_CreateObject();
    bool ok = json != NULL && ord_http_json_add_int(json, "orderId", a->order_id);
    return take_body(json, ok, request);
}

/* The catalog endpoint: GET products?ids=... and its price list. */
#include "codec.h"

#include <stdio.h>
#include <string.h>

ord_error ord_http_encode_products(const void *args, http_request *request)
{
    const http_products_args *a = args;
    char ids[ORD_MAX_ITEMS * 21];
    size_t n = 0;
    if (a->count == 0 || a->count > ORD_MAX_ITEMS)
        return ORD_EINVALID;
    for (size_t i = 0; i < a->count; i++) {
        if (a->asked[i].product_id <= 0)
            return ORD_EINVALID;
        n += (size_t)snprintf(ids + n, sizeof ids - n, "%s%lld", i > 0 ? "," : "",
                              (long long)a->asked[i].product_id);
    }
    return ord_http_request_var(request, "ids", ids);
}

/* One element of the answer: {"productId":1,"price":99.99,"currency":"USD",...}.
 * An element that names its product but prices it outside the contract is
 * that product's problem, not the service's: the product is reported with
 * an unusable price (precheck.h) and the answer still counts as good. An
 * element that names no product cannot be put down to any, and fails the
 * whole answer. */
static ord_error read_product(const cJSON *item, int64_t *id, ord_money *price)
{
    if (!cJSON_IsObject(item) ||
        !ord_http_json_int(cJSON_GetObjectItemCaseSensitive(item, "productId"), 1, INT64_MAX, id))
        return ORD_ECONTRACT;
    const cJSON *currency = cJSON_GetObjectItemCaseSensitive(item, "currency");
    if (!cJSON_IsString(currency) ||
        ord_http_json_money(cJSON_GetObjectItemCaseSensitive(item, "price"),
                            currency->valuestring, price) != ORD_OK)
        *price = (ord_money){.minor = -1, .currency = ""};
    return ORD_OK;
}

ord_error ord_http_decode_products(const cJSON *json, const void *args, void *out)
{
    const http_products_args *a = args;
    http_products_out *o = out;
    if (!cJSON_IsArray(json))
        return ORD_ECONTRACT;
    for (size_t i = 0; i < a->count; i++)
        o->prices[i] = (ord_product_price){.product_id = a->asked[i].product_id};
    const cJSON *item;
    cJSON_ArrayForEach(item, json)
    {
        int64_t id = 0;
        ord_money price;
        /* Every element must name a product, asked for or not. */
        if (read_product(item, &id, &price) != ORD_OK)
            return ORD_ECONTRACT;
        for (size_t i = 0; i < a->count; i++)
            if (o->prices[i].product_id == id && !o->prices[i].found) {
                o->prices[i].found = true;
                o->prices[i].price = price;
            }
    }
    o->unknown = false;
    for (size_t i = 0; i < a->count; i++)
        o->unknown = o->unknown || !o->prices[i].found;
    return ORD_OK;
}

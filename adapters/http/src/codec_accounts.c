/* The account-policy endpoints: restrictions and eligibility of a customer. */
#include "codec.h"

#include <stdio.h>

ord_error ord_http_encode_account(const void *args, http_request *request)
{
    const http_account_args *a = args;
    char id[24];
    if (a->customer_id <= 0)
        return ORD_EINVALID;
    snprintf(id, sizeof id, "%lld", (long long)a->customer_id);
    return ord_http_request_var(request, "customerId", id);
}

ord_error ord_http_decode_restrictions(const cJSON *json, const void *args, void *out)
{
    (void)args;
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(json, "restrictions");
    if (!cJSON_IsObject(json) || !cJSON_IsArray(list))
        return ORD_ECONTRACT;
    const cJSON *name;
    cJSON_ArrayForEach(name, list)
    {
        if (!cJSON_IsString(name))
            return ORD_ECONTRACT;
    }
    ((http_account_out *)out)->refused = cJSON_GetArraySize(list) > 0;
    return ORD_OK;
}

ord_error ord_http_decode_eligibility(const cJSON *json, const void *args, void *out)
{
    (void)args;
    const cJSON *eligible = cJSON_GetObjectItemCaseSensitive(json, "eligible");
    if (!cJSON_IsObject(json) || !cJSON_IsBool(eligible))
        return ORD_ECONTRACT;
    ((http_account_out *)out)->refused = cJSON_IsFalse(eligible);
    return ORD_OK;
}

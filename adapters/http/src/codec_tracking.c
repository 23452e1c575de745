/* The tracking endpoint: create (or find) the shipment of an order. */
#include "codec.h"

#include <string.h>

ord_error ord_http_encode_shipment(const void *args, http_request *request)
{
    const ord_shipment_request *a = args;
    if (a->order_id <= 0 || a->delivery_address == NULL || a->carrier == NULL)
        return ORD_EINVALID;
    cJSON *json = cJSON_CreateObject();
    bool ok = json != NULL && ord_http_json_add_int(json, "orderId", a->order_id) &&
              (a->customer_name == NULL ||
               cJSON_AddStringToObject(json, "customerName", a->customer_name) != NULL) &&
              cJSON_AddStringToObject(json, "deliveryAddress", a->delivery_address) != NULL &&
              cJSON_AddStringToObject(json, "carrier", a->carrier) != NULL;
    char *text = ok ? cJSON_PrintUnformatted(json) : NULL;
    cJSON_Delete(json);
    if (text == NULL)
        return ORD_ENOMEM;
    request->body_owned = text;
    request->body = text;
    return ORD_OK;
}

ord_error ord_http_decode_shipment(const cJSON *json, const void *args, void *out)
{
    (void)args;
    const cJSON *number = cJSON_GetObjectItemCaseSensitive(json, "trackingNumber");
    if (!cJSON_IsObject(json) || !cJSON_IsString(number))
        return ORD_ECONTRACT;
    size_t n = strlen(number->valuestring);
    if (n == 0 || n >= ORD_TRACKING_NUMBER_SIZE)
        return ORD_ECONTRACT;
    for (const char *p = number->valuestring; *p != '\0'; p++)
        if (*p < 0x21 || *p > 0x7e)
            return ORD_ECONTRACT; /* printable, no spaces: it goes into headers and URLs */
    memcpy(((http_shipment_out *)out)->number, number->valuestring, n + 1);
    return ORD_OK;
}

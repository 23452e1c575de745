/* Arguments, results, encoders and decoders of each downstream endpoint. */
#ifndef ORDERS_HTTP_CODEC_H
#define ORDERS_HTTP_CODEC_H

#include "internal.h"

#include <orders/domain/order.h>
#include <orders/ports/event_sink.h>
#include <orders/ports/inventory.h>
#include <orders/ports/precheck.h>
#include <orders/ports/tracking.h>

/* GET products: the ids asked for, and what the catalog said. */
typedef struct http_products_args {
    const ord_product_price *asked;
    size_t count;
} http_products_args;
typedef struct http_products_out {
    ord_product_price prices[ORD_MAX_ITEMS];
    bool unknown; /* some product is not in the catalog */
} http_products_out;

typedef struct http_account_args {
    int64_t customer_id;
} http_account_args;
typedef struct http_account_out {
    bool refused; /* restricted, or not eligible */
} http_account_out;

typedef struct http_reserve_args {
    int64_t order_id;
    const ord_order_item *items;
    size_t count;
} http_reserve_args;

typedef struct http_order_args {
    int64_t order_id;
} http_order_args;

typedef struct http_shipment_out {
    char number[ORD_TRACKING_NUMBER_SIZE];
} http_shipment_out;

/* Add an integer to a JSON object exactly (cJSON would print large ones
 * with an exponent). true on success. */
bool ord_http_json_add_int(cJSON *object, const char *name, int64_t value);

ord_error ord_http_encode_products(const void *args, http_request *request);
ord_error ord_http_decode_products(const cJSON *json, const void *args, void *out);
ord_error ord_http_encode_account(const void *args, http_request *request);
ord_error ord_http_decode_restrictions(const cJSON *json, const void *args, void *out);
ord_error ord_http_decode_eligibility(const cJSON *json, const void *args, void *out);
ord_error ord_http_encode_reserve(const void *args, http_request *request);
ord_error ord_http_decode_reserved(const cJSON *json, const void *args, void *out);
ord_error ord_http_decode_short(const cJSON *json, const void *args, void *out);
ord_error ord_http_encode_order_id(const void *args, http_request *request);
ord_error ord_http_encode_shipment(const void *args, http_request *request);
ord_error ord_http_decode_shipment(const cJSON *json, const void *args, void *out);
ord_error ord_http_encode_event(const void *args, http_request *request);

#endif

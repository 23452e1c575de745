/* Every downstream endpoint, declared as data: method, path template,
 * whether it is safe to repeat (and why), how to encode the request and how
 * to read each answer. Statuses not listed are 5xx (unavailable, retried)
 * or contract errors. */
#include "codec.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const http_decoder products_answers[] = {
    {200, 200, true, ORD_HTTP_OUTCOME_SUCCESS, ord_http_decode_products},
};
const http_endpoint ord_http_ep_products = {
    .name = "catalog.products",
    .service = ORD_HTTP_CATALOG,
    .method = "GET",
    .path = "/api/v1/inventory/products?ids={ids}",
    .retry_safe = true,
    .retry_reason = "a read",
    .encode = ord_http_encode_products,
    .decoders = products_answers,
    .decoder_count = COUNT(products_answers),
};

static const http_decoder restrictions_answers[] = {
    {200, 200, true, ORD_HTTP_OUTCOME_SUCCESS, ord_http_decode_restrictions},
};
const http_endpoint ord_http_ep_restrictions = {
    .name = "accounts.restrictions",
    .service = ORD_HTTP_RESTRICTIONS,
    .method = "GET",
    .path = "/api/v1/accounts/{customerId}/restrictions",
    .retry_safe = true,
    .retry_reason = "a read",
    .encode = ord_http_encode_account,
    .decoders = restrictions_answers,
    .decoder_count = COUNT(restrictions_answers),
};

static const http_decoder eligibility_answers[] = {
    {200, 200, true, ORD_HTTP_OUTCOME_SUCCESS, ord_http_decode_eligibility},
};
const http_endpoint ord_http_ep_eligibility = {
    .name = "accounts.eligibility",
    .service = ORD_HTTP_ELIGIBILITY,
    .method = "GET",
    .path = "/api/v1/accounts/{customerId}/eligibility",
    .retry_safe = true,
    .retry_reason = "a read",
    .encode = ord_http_encode_account,
    .decoders = eligibility_answers,
    .decoder_count = COUNT(eligibility_answers),
};

static const http_decoder reserve_answers[] = {
    {200, 200, true, ORD_HTTP_OUTCOME_SUCCESS, ord_http_decode_reserved},
    {400, 400, true, ORD_HTTP_OUTCOME_REJECTED, ord_http_decode_short},
    {409, 409, true, ORD_HTTP_OUTCOME_REJECTED, ord_http_decode_short},
};
const http_endpoint ord_http_ep_reserve = {
    .name = "inventory.reserve",
    .service = ORD_HTTP_INVENTORY,
    .method = "POST",
    .path = "/api/v1/inventory/reserve",
    .retry_safe = true,
    .retry_reason = "keyed by orderId: a repeat returns the first outcome",
    .encode = ord_http_encode_reserve,
    .decoders = reserve_answers,
    .decoder_count = COUNT(reserve_answers),
};

static const http_decoder done_answers[] = {
    {200, 299, false, ORD_HTTP_OUTCOME_SUCCESS, NULL},
};
const http_endpoint ord_http_ep_release = {
    .name = "inventory.release",
    .service = ORD_HTTP_INVENTORY,
    .method = "POST",
    .path = "/api/v1/inventory/release",
    .retry_safe = true,
    .retry_reason = "keyed by orderId: releasing twice releases once",
    .encode = ord_http_encode_order_id,
    .decoders = done_answers,
    .decoder_count = COUNT(done_answers),
};
const http_endpoint ord_http_ep_commit = {
    .name = "inventory.commit",
    .service = ORD_HTTP_INVENTORY,
    .method = "POST",
    .path = "/api/v1/inventory/commit",
    .retry_safe = true,
    .retry_reason = "keyed by orderId: committing twice commits once",
    .encode = ord_http_encode_order_id,
    .decoders = done_answers,
    .decoder_count = COUNT(done_answers),
};

static const http_decoder shipment_answers[] = {
    {200, 201, true, ORD_HTTP_OUTCOME_SUCCESS, ord_http_decode_shipment},
};
const http_endpoint ord_http_ep_shipment = {
    .name = "tracking.shipment",
    .service = ORD_HTTP_TRACKING,
    .method = "POST",
    .path = "/api/v1/tracking/shipment",
    .retry_safe = true,
    .retry_reason = "keyed by orderId: a repeat returns the same tracking number",
    .encode = ord_http_encode_shipment,
    .decoders = shipment_answers,
    .decoder_count = COUNT(shipment_answers),
};

const http_endpoint ord_http_ep_event = {
    .name = "events.deliver",
    .service = ORD_HTTP_EVENTS,
    .method = "POST",
    .path = "",
    .retry_safe = true,
    .retry_reason = "consumers de-duplicate on eventId",
    .encode = ord_http_encode_event,
    .decoders = done_answers,
    .decoder_count = COUNT(done_answers),
};

/* The request bodies of the REST API: create order, create draft, set a
 * draft line and checkout, each decoded from JSON into the use case's
 * request (ord_rest_json_get_int/_string/_items and the handlers), through
 * ord_rest_api_handle() against a fresh world per input (rest_world.h).
 *
 * Input: one byte, then the body. The byte's low two bits pick the route
 * (0 POST /api/v1/orders, 1 POST /api/v1/orders/drafts,
 * 2 PUT /api/v1/orders/3/items, 3 POST /api/v1/orders/3/checkout; order 3
 * is the world's draft); bit 2 adds an Idempotency-Key and sends the
 * request twice, and for create and checkout (which read the key) the
 * second answer must then be the first one again; bit 3 sends it as
 * customer 12345, else bit 4 as a guest (nobody signed in), else as an
 * admin. ("0{...}" is a create, "4{...}" a keyed create, "3{...}" a
 * checkout, "3" + 16 a guest's checkout.)
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "rest_world.h"

static const struct {
    const char *method;
    const char *path;
} ROUTES[] = {
    {"POST", "/api/v1/orders"},
    {"POST", "/api/v1/orders/drafts"},
    {"PUT", "/api/v1/orders/3/items"},
    {"POST", "/api/v1/orders/3/checkout"},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input in = {data, size};
    uint8_t pick = fuzz_u8(&in);
    size_t body_len = 0;
    char *body = fuzz_rest(&in, &body_len);

    ord_rest_header headers[2] = {{"Content-Type", "application/json"},
                                  {"Idempotency-Key", "fuzz-key-1"}};
    ord_principal caller = {ORD_PRINCIPAL_ADMIN, 0, "fuzz"};
    if ((pick & 8) != 0) {
        caller.kind = ORD_PRINCIPAL_CUSTOMER;
        caller.customer_id = FUZZ_CUSTOMER;
    } else if ((pick & 16) != 0) {
        caller.kind = ORD_PRINCIPAL_GUEST;
    }
    bool keyed = (pick & 4) != 0;
    ord_rest_request req;
    memset(&req, 0, sizeof req);
    req.method = ROUTES[pick & 3].method;
    req.path = ROUTES[pick & 3].path;
    req.headers = headers;
    req.header_count = keyed ? 2 : 1;
    req.body = body;
    req.body_len = body_len;
    req.body_too_large = body_len > ORD_REST_MAX_BODY_BYTES;
    req.principal = &caller;
    req.remote_addr = "192.0.2.7";

    fuzz_world world;
    fuzz_world_open(&world);
    ord_rest_response first;
    fuzz_world_answer(&world, &req, &first);
    if (keyed) {
        /* Every answer a key records is replayed byte for byte; the others
         * (validation errors, unpriced products...) record nothing, and the
         * same request then gets the same answer anyway. */
        ord_rest_response again;
        fuzz_world_answer(&world, &req, &again);
        bool reads_key = (pick & 3) == 0 || (pick & 3) == 3;
        FUZZ_CHECK(!reads_key || again.status == first.status);
        FUZZ_CHECK(!reads_key || again.body_len == first.body_len);
        FUZZ_CHECK(!reads_key || first.body_len == 0 ||
                   memcmp(again.body, first.body, first.body_len) == 0);
        ord_rest_response_free(&again);
    }
    ord_rest_response_free(&first);
    fuzz_world_close(&world);
    free(body);
    return 0;
}

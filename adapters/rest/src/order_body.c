/* An order as a response body, rendered by the application's
 * ord_order_to_json() so that REST and event payloads agree; REST only adds
 * "warnings" and the Location and ETag headers. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <orders/application/order_json.h>

#include "call.h"

void ord_rest_order_response(rest_call *c, int status, const ord_order *order,
                             const char *const *warnings, size_t warning_count, bool location)
{
    char *json = NULL;
    ord_error err = ord_order_to_json(&json, order, ORD_ORDER_JSON_FULL);
    if (err != ORD_OK || json == NULL) {
        free(json);
        if (err == ORD_ENOMEM)
            c->oom = true;
        ord_rest_problem_internal(c);
        return;
    }
    ord_json_writer_free(&c->body);
    c->status = status;
    size_t len = strlen(json);
    if (warning_count > 0 && len > 0 && json[len - 1] == '}') {
        ord_json_append(&c->body, json, len - 1);
        ord_json_raw(&c->body, ",\"warnings\":[");
        for (size_t i = 0; i < warning_count; i++) {
            if (i > 0)
                ord_json_raw(&c->body, ",");
            ord_json_string(&c->body, warnings[i]);
        }
        ord_json_raw(&c->body, "]}");
    } else {
        ord_json_append(&c->body, json, len);
    }
    free(json);
    ord_rest_set_header(c, "Content-Type", "application/json");
    ord_rest_set_headerf(c, "ETag", "\"%" PRId64 "\"", order->version);
    if (location)
        ord_rest_set_headerf(c, "Location", "/api/v1/orders/%" PRId64, order->id);
}

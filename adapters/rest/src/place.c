/* Answering create and checkout: the saga's outcome as status, body and
 * headers (docs/api.md, Placing an order and Idempotency), the
 * Idempotency-Key header, and recording the answer
 * under the key so that a retry gets the same one. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <orders/application/place_order.h>

#include "call.h"
#include "place.h"

#define TRACKING_PENDING_WARNING "Tracking number pending: tracking service unavailable"

static size_t header_count(const ord_rest_request *req, const char *name)
{
    size_t n = 0;
    for (size_t i = 0; req->headers != NULL && i < req->header_count; i++) {
        if (req->headers[i].name != NULL && strcasecmp(req->headers[i].name, name) == 0)
            n++;
    }
    return n;
}

bool ord_rest_read_idempotency(rest_call *c, ord_idempotency *idem, const ord_idempotency **use)
{
    *use = NULL;
    const char *key = ord_rest_request_header(c->req, "Idempotency-Key");
    if (key == NULL)
        return true;
    /* Two keys: which one the client meant is unknowable. */
    if (header_count(c->req, "Idempotency-Key") > 1) {
        ord_rest_problem(c, 400, REST_PROBLEM_INVALID_IDEMPOTENCY_KEY,
                         "Invalid Idempotency-Key", "Send one Idempotency-Key header, not several");
        return false;
    }
    if (!ord_idempotency_key_is_valid(key, strlen(key))) {
        ord_rest_problem(c, 400, REST_PROBLEM_INVALID_IDEMPOTENCY_KEY, "Invalid Idempotency-Key",
                         "Idempotency-Key must be 1 to 255 printable ASCII characters");
        return false;
    }
    /* Method, path and body identify the request; the key is scoped to the
     * caller by the use case. */
    const char *body = c->req->body;
    size_t body_len = body != NULL ? c->req->body_len : 0;
    size_t len = ord_idempotency_request_text(NULL, 0, c->req->method, c->req->path, body, body_len);
    char *text = len < SIZE_MAX ? ord_rest_arena_alloc(&c->arena, len + 1) : NULL;
    if (text != NULL)
        ord_idempotency_request_text(text, len + 1, c->req->method, c->req->path, body, body_len);
    if (text == NULL) {
        c->oom = true;
        ord_rest_problem_internal(c);
        return false;
    }
    idem->key = key;
    idem->fingerprint = text;
    *use = idem;
    return true;
}

static void product_list(ord_json_writer *b, const ord_place_result *r)
{
    ord_json_raw(b, "[");
    for (size_t i = 0; i < r->product_count && i < ORD_MAX_ITEMS; i++) {
        if (i > 0)
            ord_json_raw(b, ",");
        ord_json_int(b, r->products[i]);
    }
    ord_json_raw(b, "]");
}

/* "Product ID 1 has insufficient stock", "Product IDs 1, 5 have ..." */
static void product_sentence(char *out, size_t cap, const ord_place_result *r, const char *one,
                             const char *many)
{
    size_t n = r->product_count < ORD_MAX_ITEMS ? r->product_count : ORD_MAX_ITEMS;
    ord_json_writer b = {0};
    ord_json_raw(&b, n == 1 ? "Product ID " : "Product IDs ");
    for (size_t i = 0; i < n; i++)
        ord_json_printf(&b, i > 0 ? ", %" PRId64 : "%" PRId64, r->products[i]);
    ord_json_raw(&b, n == 1 ? one : many);
    if (b.failed || b.data == NULL || b.len >= cap)
        snprintf(out, cap, "Some products%s", many);
    else
        memcpy(out, b.data, b.len + 1);
    ord_json_writer_free(&b);
}

static const char *precheck_title(ord_precheck_service s)
{
    switch (s) {
    case ORD_PRECHECK_CATALOG:
        return "Catalog service unavailable";
    case ORD_PRECHECK_RESTRICTIONS:
        return "Account restrictions service unavailable";
    case ORD_PRECHECK_ELIGIBILITY:
        return "Account eligibility service unavailable";
    default:
        return "Service unavailable";
    }
}

/* A stored answer: its status and body; a 201 names the order the key is
 * bound to (Location, and its version as the ETag). */
static void answer_replay(rest_call *c, const ord_place_result *r)
{
    ord_json_writer_free(&c->body);
    c->status = r->replay_status;
    ord_json_raw(&c->body, r->replay_body != NULL ? r->replay_body : "");
    ord_rest_set_header(c, "Content-Type",
                        c->status >= 400 ? "application/problem+json" : "application/json");
    ord_rest_set_header(c, "Idempotent-Replayed", "true");
    if (c->status == 503)
        ord_rest_set_headerf(c, "Retry-After", "%d", c->api->config.retry_after_seconds);
    if (c->status != 201)
        return;
    if (r->order.id > 0)
        ord_rest_set_headerf(c, "Location", "/api/v1/orders/%" PRId64, r->order.id);
    if (r->order.version > 0)
        ord_rest_set_headerf(c, "ETag", "\"%" PRId64 "\"", r->order.version);
}

static void answer(rest_call *c, const ord_place_result *r, rest_place_answer own)
{
    char sentence[ORD_MAX_ITEMS * 24 + 64];
    if (own != NULL && own(c, r))
        return;
    switch (r->outcome) {
    case ORD_PLACED: {
        const char *warning = TRACKING_PENDING_WARNING;
        ord_rest_order_response(c, 201, &r->order, &warning, r->tracking_pending ? 1 : 0, true);
        break;
    }
    case ORD_PLACE_INVALID:
        ord_rest_problem_fields(c, &r->fields);
        break;
    case ORD_PLACE_FORBIDDEN:
        ord_rest_problem(c, 403, REST_PROBLEM_FORBIDDEN,
                         "Forbidden", "customerId is not the authenticated customer");
        break;
    case ORD_PLACE_UNKNOWN_PRODUCT:
        product_sentence(sentence, sizeof sentence, r, " does not exist", " do not exist");
        ord_rest_problem_begin(c, 400, REST_PROBLEM_UNKNOWN_PRODUCT, "Unknown product", sentence);
        ord_json_raw(&c->body, ",\"unknownProducts\":");
        product_list(&c->body, r);
        ord_rest_problem_end(c);
        break;
    case ORD_PLACE_UNPRICED_PRODUCT:
        product_sentence(sentence, sizeof sentence, r, " cannot be priced now",
                         " cannot be priced now");
        ord_rest_problem_begin(c, 422, REST_PROBLEM_PRODUCT_CANNOT_BE_PRICED,
                               "Product cannot be priced", sentence);
        ord_json_raw(&c->body, ",\"unpricedProducts\":");
        product_list(&c->body, r);
        ord_rest_problem_end(c);
        break;
    case ORD_PLACE_MIXED_CURRENCIES:
        product_sentence(sentence, sizeof sentence, r,
                         " is priced in another currency than the first line",
                         " are priced in another currency than the first line");
        ord_rest_problem_begin(c, 422, REST_PROBLEM_SEVERAL_CURRENCIES,
                               "Products priced in several currencies", sentence);
        ord_json_raw(&c->body, ",\"otherCurrencyProducts\":");
        product_list(&c->body, r);
        ord_rest_problem_end(c);
        break;
    case ORD_PLACE_RESTRICTED:
        ord_rest_problem(c, 403, REST_PROBLEM_ACCOUNT_RESTRICTED,
                         "Account has restrictions", "The account may not place orders");
        break;
    case ORD_PLACE_INELIGIBLE:
        ord_rest_problem(c, 403, REST_PROBLEM_ACCOUNT_INELIGIBLE,
                         "Account is not eligible", "The account may not place orders");
        break;
    case ORD_PLACE_PRECHECK_UNAVAILABLE:
        ord_rest_problem_unavailable(c, precheck_title(r->failed_service),
                                     "A service needed to check the order is unavailable; no order "
                                     "was stored; retry later");
        break;
    case ORD_PLACE_INSUFFICIENT_STOCK:
        product_sentence(sentence, sizeof sentence, r, " has insufficient stock",
                         " have insufficient stock");
        ord_rest_problem_begin(c, 400, REST_PROBLEM_INSUFFICIENT_STOCK,
                               "Insufficient stock", sentence);
        ord_json_printf(&c->body, ",\"orderId\":%" PRId64 ",\"unavailableProducts\":", r->order.id);
        product_list(&c->body, r);
        ord_rest_problem_end(c);
        break;
    case ORD_PLACE_INVENTORY_UNAVAILABLE:
        ord_rest_problem_begin(c, 503, REST_PROBLEM_INVENTORY_UNAVAILABLE,
                               "Inventory service unavailable",
                               "The order is stored and waits for stock; retry with the same "
                               "Idempotency-Key or check the order later");
        ord_json_printf(&c->body, ",\"orderId\":%" PRId64, r->order.id);
        ord_rest_problem_end(c);
        ord_rest_set_headerf(c, "Retry-After", "%d", c->api->config.retry_after_seconds);
        break;
    case ORD_PLACE_STORE_UNAVAILABLE:
        ord_rest_problem_unavailable(c, "Service unavailable", "The order store is unavailable; retry later");
        break;
    case ORD_PLACE_REPLAYED:
        answer_replay(c, r);
        break;
    case ORD_PLACE_KEY_MISMATCH:
        ord_rest_problem(c, 422, REST_PROBLEM_IDEMPOTENCY_KEY_MISMATCH,
                         "Idempotency key reused with a different request",
                         "This Idempotency-Key was used with another request body or path");
        break;
    case ORD_PLACE_KEY_IN_PROGRESS:
        ord_rest_problem(c, 409, REST_PROBLEM_IDEMPOTENCY_KEY_IN_PROGRESS,
                         "Request with this idempotency key is in progress",
                         "Wait for the first request to finish, then retry");
        ord_rest_set_headerf(c, "Retry-After", "%d", 1);
        break;
    case ORD_PLACE_CONFLICT:
        ord_rest_problem(c, 409, REST_PROBLEM_CONFLICT,
                         "Conflict", "The draft was changed or checked out concurrently");
        break;
    case ORD_PLACE_CUSTOMER_BUSY:
        ord_rest_problem(c, 409, REST_PROBLEM_CUSTOMER_BUSY,
                         "Another order of this customer is being placed",
                         "Orders of one customer are placed one at a time; nothing was stored; "
                         "retry when the other order is placed");
        ord_rest_set_headerf(c, "Retry-After", "%d", 1);
        break;
    default:
        ord_rest_problem_internal(c);
        break;
    }
}

void ord_rest_answer_place(rest_call *c, const ord_place_result *r, const ord_idempotency *idem,
                           rest_place_answer own)
{
    answer(c, r, own);
    /* An answer we could not build is not recorded: the key stays held until
     * its lock runs out and a retry then resumes the order. */
    if (idem == NULL || c->oom || c->body.failed)
        return;
    (void)ord_place_finish(c->svc, idem, r, c->status, c->body.data != NULL ? c->body.data : "");
}

/* POST /api/v1/orders, GET /api/v1/orders/{id} and
 * GET /api/v1/orders/customer/{customerId}. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <orders/application/order_json.h>
#include <orders/application/queries.h>
#include <orders/domain/order_ref.h>
#include <orders/domain/order_status.h>

#include "call.h"
#include "place.h"

static void string_member(const cJSON *obj, const char *name, const char **out,
                          ord_field_errors *errors)
{
    if (!ord_rest_json_get_string(obj, name, out))
        ord_field_errors_add(errors, name, "must be a string");
}

/* Whether @p field or a field containing it ("items[1]" for
 * "items[1].quantity") already has an error. */
static bool field_covered(const ord_field_errors *errors, const char *field)
{
    for (size_t i = 0; i < errors->count; i++) {
        size_t n = strlen(errors->items[i].field);
        if (strncmp(field, errors->items[i].field, n) == 0 && (field[n] == '\0' || field[n] == '.'))
            return true;
    }
    return false;
}

/* Report decoding errors together with the domain's rules, once per field. */
static void answer_decode_errors(rest_call *c, const ord_create_request *req,
                                 ord_field_errors *errors)
{
    ord_field_errors domain = {0};
    (void)ord_validate_create_request(req, &domain);
    for (size_t i = 0; i < domain.count; i++) {
        if (!field_covered(errors, domain.items[i].field))
            ord_field_errors_add(errors, domain.items[i].field, domain.items[i].message);
    }
    ord_field_errors_free(&domain);
    ord_rest_problem_fields(c, errors);
}

void ord_rest_handle_create_order(rest_call *c)
{
    ord_idempotency idem;
    const ord_idempotency *use = NULL;
    if (!ord_rest_read_idempotency(c, &idem, &use))
        return;
    ord_field_errors errors = {0};
    ord_create_request req;
    memset(&req, 0, sizeof req);
    switch (ord_rest_json_get_int(c->json, "customerId", &req.customer_id)) {
    case REST_JSON_OK:
        break;
    case REST_JSON_WRONG:
        ord_field_errors_add(&errors, "customerId", "must be an integer");
        break;
    case REST_JSON_ABSENT:
        /* With auth on, the token says who the customer is. */
        if (c->who->kind == ORD_PRINCIPAL_CUSTOMER)
            req.customer_id = c->who->customer_id;
        else
            ord_field_errors_add(&errors, "customerId", "is required");
        break;
    }
    string_member(c->json, "customerName", &req.customer_name, &errors);
    string_member(c->json, "deliveryAddress", &req.delivery_address, &errors);
    string_member(c->json, "carrier", &req.carrier, &errors);
    ord_item_request *items = NULL;
    bool present = false;
    if (!ord_rest_json_get_items(c, c->json, "items", &items, &req.item_count, &present, &errors)) {
        ord_field_errors_free(&errors);
        c->oom = true;
        return;
    }
    req.items = items;
    if (!present)
        ord_field_errors_add(&errors, "items", "is required");
    if (errors.count > 0 || errors.out_of_memory) {
        answer_decode_errors(c, &req, &errors);
        ord_field_errors_free(&errors);
        return;
    }
    ord_place_result result;
    memset(&result, 0, sizeof result);
    ord_error err = ord_place_order(c->svc, c->who, &c->trace, &req, use, &result);
    if (err == ORD_OK)
        ord_rest_answer_place(c, &result, use, NULL);
    else
        ord_rest_problem_for_error(c, err);
    ord_place_result_free(&result);
}

/* An {id} that is neither a number nor an order number is 404 everywhere. */
bool ord_rest_order_ref_ok(const char *ref)
{
    int64_t id = 0;
    char number[ORD_ORDER_NUMBER_SIZE];
    return ref != NULL && strlen(ref) < 64 && ord_order_ref_parse(ref, &id, number);
}

void ord_rest_handle_get_order(rest_call *c)
{
    const char *ref = c->params[0];
    if (!ord_rest_order_ref_ok(ref)) {
        ord_rest_problem_for_error(c, ORD_ENOTFOUND);
        return;
    }
    ord_order order;
    ord_order_init(&order);
    ord_error err = ord_get_order(c->svc, c->who, ref, &order);
    if (err == ORD_OK)
        ord_rest_order_response(c, 200, &order, NULL, 0, false);
    else
        ord_rest_problem_for_error(c, err);
    ord_order_free(&order);
}

static void bad_query(rest_call *c, const char *field, const char *message)
{
    ord_field_errors errors = {0};
    ord_field_errors_add(&errors, field, message);
    ord_rest_problem_fields(c, &errors);
    ord_field_errors_free(&errors);
}

static void list_body(rest_call *c, const ord_list_result *result)
{
    ord_json_writer_free(&c->body);
    ord_json_raw(&c->body, "[");
    for (size_t i = 0; i < result->page.count; i++) {
        char *json = NULL;
        ord_error err = ord_order_to_json(&json, &result->page.orders[i], ORD_ORDER_JSON_SUMMARY);
        if (err != ORD_OK) {
            free(json);
            if (err == ORD_ENOMEM)
                c->oom = true;
            ord_rest_problem_internal(c);
            return;
        }
        if (i > 0)
            ord_json_raw(&c->body, ",");
        ord_json_raw(&c->body, json);
        free(json);
    }
    ord_json_raw(&c->body, "]");
    c->status = 200;
    ord_rest_set_header(c, "Content-Type", "application/json");
}

static void link_header(rest_call *c, int64_t customer_id, size_t limit, const char *status,
                        const char *cursor)
{
    ord_json_writer link = {0};
    ord_json_printf(&link, "</api/v1/orders/customer/%" PRId64 "?limit=%zu", customer_id, limit);
    if (status != NULL) {
        ord_json_raw(&link, "&status=");
        ord_rest_buf_query_value(&link, status);
    }
    ord_json_raw(&link, "&cursor=");
    ord_rest_buf_query_value(&link, cursor);
    ord_json_raw(&link, ">; rel=\"next\"");
    if (link.failed)
        c->oom = true;
    else
        ord_rest_set_header(c, "Link", link.data);
    ord_json_writer_free(&link);
}

void ord_rest_handle_list_orders(rest_call *c)
{
    int64_t customer_id = 0;
    if (!ord_rest_parse_positive_id(c->params[0], &customer_id)) {
        ord_rest_problem(c, 404, REST_PROBLEM_NOT_FOUND,
                         "Not found", "customerId must be a positive integer");
        return;
    }
    const char *limit_text = NULL;
    const char *cursor = NULL;
    const char *status = NULL;
    int64_t limit = ORD_DEFAULT_PAGE_SIZE;
    if (ord_rest_query_get(c, "limit", &limit_text) < 0 ||
        (limit_text != NULL && (!ord_rest_parse_positive_id(limit_text, &limit) || limit > ORD_MAX_PAGE_SIZE))) {
        bad_query(c, "limit", "must be an integer from 1 to 100");
        return;
    }
    ord_status parsed;
    if (ord_rest_query_get(c, "status", &status) < 0 || (status != NULL && !ord_status_parse(&parsed, status))) {
        bad_query(c, "status",
                  "must be one of DRAFT, PENDING_CHECK, CONFIRMED, SHIPPED, DELIVERED, CANCELLED");
        return;
    }
    if (ord_rest_query_get(c, "cursor", &cursor) < 0 ||
        (cursor != NULL && (cursor[0] == '\0' || strlen(cursor) >= ORD_CURSOR_SIZE))) {
        bad_query(c, "cursor", "is not a cursor this API returned");
        return;
    }
    if (c->oom)
        return;
    ord_list_request req = {customer_id, (size_t)limit, cursor, status};
    ord_list_result result;
    memset(&result, 0, sizeof result);
    ord_error err = ord_list_orders(c->svc, c->who, &req, &result);
    if (err == ORD_OK) {
        list_body(c, &result);
        if (result.has_next && c->status == 200)
            link_header(c, customer_id, (size_t)limit, status, result.next_cursor);
    } else if (err == ORD_EINVALID) {
        /* limit and status were checked above: the cursor is what is wrong. */
        bad_query(c, "cursor", "is not a cursor this API returned");
    } else if (err == ORD_EFORBIDDEN) {
        ord_rest_problem(c, 403, REST_PROBLEM_FORBIDDEN,
                         "Forbidden", "A customer may list only their own orders");
    } else {
        ord_rest_problem_for_error(c, err);
    }
    ord_order_page_free(&result.page);
}

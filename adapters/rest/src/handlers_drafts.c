/* Drafts (a cart): POST /api/v1/orders/drafts, PUT /api/v1/orders/{id}/items
 * and POST /api/v1/orders/{id}/checkout. */
#include <string.h>

#include <orders/application/drafts.h>

#include "call.h"
#include "place.h"

/* The owner proof: customerId or guestToken from the body; with auth on, a
 * customer's token stands in when the body names neither. */
static void read_owner(rest_call *c, ord_draft_owner *owner, ord_field_errors *errors)
{
    memset(owner, 0, sizeof *owner);
    if (ord_rest_json_get_int(c->json, "customerId", &owner->customer_id) == REST_JSON_WRONG)
        ord_field_errors_add(errors, "customerId", "must be an integer");
    if (!ord_rest_json_get_string(c->json, "guestToken", &owner->guest_token))
        ord_field_errors_add(errors, "guestToken", "must be a string");
    if (owner->customer_id == 0 && owner->guest_token == NULL &&
        c->who->kind == ORD_PRINCIPAL_CUSTOMER)
        owner->customer_id = c->who->customer_id;
}

/* 401 for a draft: a guest naming a customer must sign in as that customer
 * (unauthorized); anyone else brought the wrong proof of the draft's owner
 * (draft-owner-mismatch). */
static void refuse_owner(rest_call *c)
{
    int64_t named = 0;
    bool guest = c->who->kind == ORD_PRINCIPAL_GUEST;
    if (guest && ord_rest_json_get_int(c->json, "customerId", &named) == REST_JSON_OK && named != 0)
        ord_rest_problem(c, 401, REST_PROBLEM_UNAUTHORIZED, "Unauthorized",
                         "A customer's draft needs the customer's bearer token");
    else
        ord_rest_problem(c, 401, REST_PROBLEM_DRAFT_OWNER_MISMATCH, "Unauthorized",
                         "customerId or guestToken does not match the draft's owner");
    /* Without credentials, a customer's draft needs the customer's token. */
    if (guest)
        ord_rest_set_header(c, "WWW-Authenticate", "Bearer");
}

static void answer_draft_error(rest_call *c, ord_error err, ord_field_errors *errors)
{
    switch (err) {
    case ORD_EINVALID:
        ord_rest_problem_fields(c, errors);
        break;
    case ORD_ETRANSITION:
        ord_rest_problem(c, 409, REST_PROBLEM_NOT_IN_DRAFT_STATE,
                         "Order is not in draft state", "Only a DRAFT order can be changed");
        break;
    case ORD_EFORBIDDEN:
        ord_rest_problem(c, 403, REST_PROBLEM_FORBIDDEN, "Forbidden",
                         "A signed-in customer acts only as itself: customerId must be the "
                         "authenticated customer, and guest tokens are for guests");
        break;
    case ORD_EUNAUTHORIZED:
        refuse_owner(c);
        break;
    default:
        ord_rest_problem_for_error(c, err);
        break;
    }
}

/* The token the server chose, once, in the 201 body: the client has no
 * other way to learn it, and the server keeps only its hash. */
static void add_issued_token(rest_call *c, const char *token)
{
    ord_json_writer *b = &c->body;
    if (token[0] == '\0' || b->failed || b->len == 0 || b->data[b->len - 1] != '}')
        return;
    b->len--;
    ord_json_raw(b, ",\"guestToken\":");
    ord_json_string(b, token);
    ord_json_raw(b, "}");
    ord_rest_set_header(c, "Cache-Control", "no-store");
}

void ord_rest_handle_create_draft(rest_call *c)
{
    ord_field_errors errors = {0};
    ord_draft_owner owner;
    read_owner(c, &owner, &errors);
    ord_item_request *items = NULL;
    size_t count = 0;
    bool present = false;
    if (!ord_rest_json_get_items(c, c->json, "items", &items, &count, &present, &errors)) {
        ord_field_errors_free(&errors);
        c->oom = true;
        return;
    }
    if (errors.count > 0 || errors.out_of_memory) {
        ord_rest_problem_fields(c, &errors);
        ord_field_errors_free(&errors);
        return;
    }
    char issued[ORD_GUEST_TOKEN_SIZE];
    ord_order draft;
    ord_order_init(&draft);
    ord_error err =
        ord_create_draft(c->svc, c->who, &owner, items, count, &errors, issued, &draft);
    if (err == ORD_OK) {
        ord_rest_order_response(c, 201, &draft, NULL, 0, true);
        add_issued_token(c, issued);
    } else {
        answer_draft_error(c, err, &errors);
    }
    memset(issued, 0, sizeof issued);
    ord_order_free(&draft);
    ord_field_errors_free(&errors);
}

static void required_int(const cJSON *json, const char *name, int64_t *out, ord_field_errors *errors)
{
    rest_json_int_result r = ord_rest_json_get_int(json, name, out);
    if (r != REST_JSON_OK)
        ord_field_errors_add(errors, name, r == REST_JSON_ABSENT ? "is required" : "must be an integer");
}

void ord_rest_handle_set_draft_line(rest_call *c)
{
    const char *ref = c->params[0];
    if (!ord_rest_order_ref_ok(ref)) {
        ord_rest_problem_for_error(c, ORD_ENOTFOUND);
        return;
    }
    ord_field_errors errors = {0};
    int64_t product_id = 0;
    int64_t quantity = 0;
    required_int(c->json, "productId", &product_id, &errors);
    required_int(c->json, "quantity", &quantity, &errors);
    ord_draft_owner owner;
    read_owner(c, &owner, &errors);
    if (errors.count > 0 || errors.out_of_memory) {
        ord_rest_problem_fields(c, &errors);
        ord_field_errors_free(&errors);
        return;
    }
    ord_order draft;
    ord_order_init(&draft);
    ord_error err = ord_set_draft_line(c->svc, c->who, ref, &owner, product_id, quantity, &errors,
                                       &draft);
    if (err == ORD_OK)
        ord_rest_order_response(c, 200, &draft, NULL, 0, false);
    else
        answer_draft_error(c, err, &errors);
    ord_order_free(&draft);
    ord_field_errors_free(&errors);
}

/* The outcomes of checkout that create cannot have: they concern the draft. */
static bool answer_draft_outcome(rest_call *c, const ord_place_result *r)
{
    switch (r->outcome) {
    case ORD_PLACE_DRAFT_NOT_FOUND:
        ord_rest_problem(c, 404, REST_PROBLEM_ORDER_NOT_FOUND,
                         "Order not found", "No draft with this id or number");
        return true;
    case ORD_PLACE_NOT_OWNER:
        refuse_owner(c);
        return true;
    case ORD_PLACE_NOT_DRAFT:
        ord_rest_problem(c, 400, REST_PROBLEM_NOT_IN_DRAFT_STATE,
                         "Order is not in draft state", "Only a DRAFT order can be checked out");
        return true;
    case ORD_PLACE_EMPTY_DRAFT:
        ord_rest_problem(c, 400, REST_PROBLEM_DRAFT_EMPTY,
                         "Draft is empty", "Add items to the draft before checking out");
        return true;
    default:
        return false;
    }
}

void ord_rest_handle_checkout(rest_call *c)
{
    const char *ref = c->params[0];
    if (!ord_rest_order_ref_ok(ref)) {
        ord_rest_problem_for_error(c, ORD_ENOTFOUND);
        return;
    }
    ord_idempotency idem;
    const ord_idempotency *use = NULL;
    if (!ord_rest_read_idempotency(c, &idem, &use))
        return;
    ord_field_errors errors = {0};
    ord_checkout_request req;
    memset(&req, 0, sizeof req);
    read_owner(c, &req.owner, &errors);
    if (!ord_rest_json_get_string(c->json, "deliveryAddress", &req.delivery_address))
        ord_field_errors_add(&errors, "deliveryAddress", "must be a string");
    if (!ord_rest_json_get_string(c->json, "carrier", &req.carrier))
        ord_field_errors_add(&errors, "carrier", "must be a string");
    if (!ord_rest_json_get_string(c->json, "customerName", &req.customer_name))
        ord_field_errors_add(&errors, "customerName", "must be a string");
    if (errors.count > 0 || errors.out_of_memory) {
        ord_field_errors domain = {0};
        (void)ord_validate_delivery(req.customer_name, req.delivery_address, req.carrier, &domain);
        for (size_t i = 0; i < domain.count; i++) {
            if (!ord_field_errors_has(&errors, domain.items[i].field))
                ord_field_errors_add(&errors, domain.items[i].field, domain.items[i].message);
        }
        ord_field_errors_free(&domain);
        ord_rest_problem_fields(c, &errors);
        ord_field_errors_free(&errors);
        return;
    }
    ord_place_result result;
    memset(&result, 0, sizeof result);
    ord_error err = ord_checkout_draft(c->svc, c->who, &c->trace, ref, &req, use, &result);
    if (err == ORD_OK)
        ord_rest_answer_place(c, &result, use, answer_draft_outcome);
    else
        ord_rest_problem_for_error(c, err);
    ord_place_result_free(&result);
}

/* PUT /api/v1/orders/{id}/cancel, /ship and /deliver: 204, with If-Match
 * turning a stale version into 412. */
#include "call.h"

#include <orders/application/lifecycle.h>

typedef ord_error (*lifecycle_op)(ord_service *svc, const ord_principal *who,
                                  const ord_call_context *ctx, const char *ref, int64_t if_match);

static void change_status(rest_call *c, lifecycle_op op, const char *forbidden)
{
    const char *ref = c->params[0];
    if (!ord_rest_order_ref_ok(ref)) {
        ord_rest_problem_for_error(c, ORD_ENOTFOUND);
        return;
    }
    int64_t if_match = ord_rest_if_match(c);
    if (if_match < 0) {
        ord_rest_problem(c, 412, REST_PROBLEM_PRECONDITION_FAILED, "Precondition failed",
                         "If-Match must be the order's current ETag (its version, quoted)");
        return;
    }
    ord_error err = op(c->svc, c->who, &c->trace, ref, if_match);
    switch (err) {
    case ORD_OK:
        c->status = 204;
        break;
    case ORD_ECONFLICT:
        if (if_match > 0)
            ord_rest_problem(c, 412, REST_PROBLEM_PRECONDITION_FAILED, "Precondition failed",
                             "The order has changed since the version in If-Match");
        else
            ord_rest_problem_for_error(c, err);
        break;
    case ORD_EFORBIDDEN:
        ord_rest_problem_insufficient_scope(c, forbidden);
        break;
    default:
        ord_rest_problem_for_error(c, err);
        break;
    }
}

void ord_rest_handle_cancel(rest_call *c)
{
    change_status(c, ord_cancel_order, "The caller may not cancel this order");
}

void ord_rest_handle_ship(rest_call *c)
{
    change_status(c, ord_ship_order, "Shipping an order needs the admin scope");
}

void ord_rest_handle_deliver(rest_call *c)
{
    change_status(c, ord_deliver_order, "Delivering an order needs the admin scope");
}

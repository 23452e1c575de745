/* Cancel, ship, deliver: one optimistic status change each, then the stock
 * operation it owes (release or commit), recorded on the order first so that
 * a failure is paid later by ord_recover_inventory_actions(). */
#include <orders/application/lifecycle.h>

#include "internal.h"

/* The stock operation a change into @p to owes, given where it comes from. */
static ord_inventory_action debt_of(ord_status from, ord_status to)
{
    if (to == ORD_STATUS_CANCELLED &&
        (from == ORD_STATUS_PENDING_CHECK || from == ORD_STATUS_CONFIRMED))
        return ORD_INVENTORY_RELEASE; /* a PENDING_CHECK order may hold a reservation */
    if (to == ORD_STATUS_SHIPPED)
        return ORD_INVENTORY_COMMIT;
    return ORD_INVENTORY_NONE;
}

/* Repeating a change that already happened succeeds without doing it again
 * (docs/api.md, Changing an order: a second cancel, ship or deliver is 204).
 * A stale If-Match is refused first: the caller's view is out of date
 * whatever it asked. On a lost race without If-Match we re-read and decide
 * again, so a cancel that loses to a ship reports the transition it can no
 * longer make. */
static ord_error change_order(ord_service *svc, const ord_principal *who,
                              const ord_call_context *ctx, const char *ref, int64_t if_match,
                              ord_status target, const char *reason)
{
    if (svc == NULL || who == NULL)
        return ORD_EINVALID;
    if (target != ORD_STATUS_CANCELLED && who->kind != ORD_PRINCIPAL_ADMIN)
        return ORD_EFORBIDDEN;
    app_run run = {.svc = svc, .ctx = ctx, .background = false};
    ord_order order;
    ord_order_init(&order);
    ord_error err = ORD_ECONFLICT;
    for (int attempt = 0; attempt < APP_MAX_RETRIES; attempt++) {
        err = ord_app_load_ref(svc, ref, &order);
        if (err != ORD_OK)
            break;
        if (!ord_principal_owns(who, order.customer_id)) {
            err = ORD_ENOTFOUND;
            break;
        }
        if (if_match != 0 && if_match != order.version) {
            err = ORD_ECONFLICT;
            break;
        }
        if (order.status == target) {
            err = ORD_OK;
            break;
        }
        if (ord_status_check_transition(order.status, target, NULL) != ORD_OK) {
            err = ORD_ETRANSITION;
            break;
        }
        ord_inventory_action debt = debt_of(order.status, target);
        err = ord_app_transition(&run, &order, target, reason,
                                 debt != ORD_INVENTORY_NONE ? ORD_UPDATE_INVENTORY : 0u, debt);
        if (err != ORD_ECONFLICT || if_match != 0)
            break;
    }
    /* The change is stored; a release or commit that fails now stays owed on
     * the order and does not fail the request. */
    if (err == ORD_OK && order.pending_inventory != ORD_INVENTORY_NONE)
        (void)ord_app_settle_inventory(&run, &order);
    ord_order_free(&order);
    return err;
}

ord_error ord_cancel_order(ord_service *svc, const ord_principal *who, const ord_call_context *ctx,
                           const char *ref, int64_t if_match)
{
    return change_order(svc, who, ctx, ref, if_match, ORD_STATUS_CANCELLED, "cancelled");
}

ord_error ord_ship_order(ord_service *svc, const ord_principal *who, const ord_call_context *ctx,
                         const char *ref, int64_t if_match)
{
    return change_order(svc, who, ctx, ref, if_match, ORD_STATUS_SHIPPED, "shipped");
}

ord_error ord_deliver_order(ord_service *svc, const ord_principal *who, const ord_call_context *ctx,
                            const char *ref, int64_t if_match)
{
    return change_order(svc, who, ctx, ref, if_match, ORD_STATUS_DELIVERED, "delivered");
}

/* Placing one order of a customer at a time: the repository's per-customer
 * lock, taken before the prechecks and held to the end of the saga when the
 * service is configured to serialise creates. */
#include "internal.h"

bool ord_app_lock_customer(const ord_service *svc, int64_t customer_id, app_customer_lock *held,
                           ord_place_result *out, ord_error *err)
{
    held->customer_id = 0;
    *err = ORD_OK;
    /* A guest has no customer id: nothing to serialise on. */
    if (!svc->lock_customers || customer_id <= 0)
        return true;
    const ord_order_repository *repo = &svc->ports.orders;
    ord_error rc = repo->ops->lock_customer(repo->self, customer_id);
    if (rc == ORD_OK) {
        held->customer_id = customer_id;
        return true;
    }
    if (rc == ORD_ECONFLICT) {
        out->outcome = ORD_PLACE_CUSTOMER_BUSY;
        return false;
    }
    /* The lock may have been taken before its answer got lost: unlocking
     * what this instance does not hold is harmless, keeping it is not. */
    (void)repo->ops->unlock_customer(repo->self, customer_id);
    if (rc == ORD_ENOMEM) {
        *err = rc;
        return false;
    }
    out->outcome = ORD_PLACE_STORE_UNAVAILABLE;
    out->cause = rc;
    return false;
}

void ord_app_unlock_customer(const ord_service *svc, app_customer_lock *held)
{
    if (held->customer_id <= 0)
        return;
    const ord_order_repository *repo = &svc->ports.orders;
    /* The repository lets go in any case (it drops the connection when it
     * cannot say so): there is nothing to do about a failure here. */
    (void)repo->ops->unlock_customer(repo->self, held->customer_id);
    held->customer_id = 0;
}

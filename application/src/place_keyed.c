/* Storing the order of a request that holds its Idempotency-Key, on a key
 * store that binds numbers (version 2): the key is bound to the order's
 * number before the order is stored, so that whatever becomes of the
 * create's reply, or of this process, a retry finds the order by number. */
#include "internal.h"

#include <stdio.h>
#include <string.h>

/* Numbers are random; one that an unrelated order already has is
 * astronomically rare, but gets the key another. */
#define NUMBER_ATTEMPTS 3

bool ord_app_keyed_order_is_ours(const ord_order *found, int64_t customer_id)
{
    return found->customer_id == customer_id;
}

static bool store_down(ord_error err)
{
    return err == ORD_EUNAVAILABLE || err == ORD_ETIMEOUT;
}

/* STORE_UNAVAILABLE; with @p number when the order may be stored under it,
 * so that ord_place_finish() keeps the key for a retry to look it up. */
static ord_error unavailable(ord_place_result *out, ord_error cause, const char *number)
{
    out->outcome = ORD_PLACE_STORE_UNAVAILABLE;
    out->cause = cause;
    if (number != NULL)
        snprintf(out->order.number, sizeof out->order.number, "%s", number);
    return ORD_OK;
}

/* Bind a fresh number to the key (in place of @p replaces, or of none) and
 * leave in @p number the one the key holds: ours (*ours), or another
 * attempt's that got there first. Returns false when out->outcome is set or
 * on error. */
static bool bind_fresh(const app_run *run, const ord_idempotency *idem, ord_place_result *out,
                       const char *replaces, char number[ORD_ORDER_NUMBER_SIZE], bool *ours,
                       ord_error *err)
{
    char uuid[ORD_UUID_SIZE];
    *err = ord_app_new_uuid(run->svc, uuid);
    if (*err != ORD_OK) {
        *err = *err == ORD_ENOMEM ? *err : ORD_EINTERNAL;
        return false;
    }
    char fresh[ORD_ORDER_NUMBER_SIZE];
    snprintf(fresh, sizeof fresh, "ORD-%s", uuid);
    *err = ord_app_idem_bind_number(run->svc, idem, out->idempotency_scope, replaces, fresh,
                                    number);
    *ours = *err == ORD_OK && strcmp(number, fresh) == 0;
    if (*err == ORD_OK)
        return true;
    /* Nothing is stored under the fresh number, and a number replaced was
     * an unrelated order's: the key may go. A key gone meanwhile (expired)
     * cannot be bound, so nothing is stored either. */
    if (store_down(*err) || *err == ORD_ENOTFOUND)
        *err = unavailable(out, *err, NULL);
    else if (*err != ORD_ENOMEM)
        *err = ORD_EINTERNAL;
    return false;
}

/* The create conflicted: either another attempt of this key stored the
 * number first (resume its order), or an unrelated order has it (*foreign),
 * or the store refused it for a concurrent create of the customer. */
static ord_error after_conflict(const app_run *run, ord_order *order, ord_place_result *out,
                                bool inherited, bool *stored, bool *foreign)
{
    const ord_order_repository *repo = &run->svc->ports.orders;
    ord_order found;
    ord_order_init(&found);
    ord_error err = repo->ops->get_by_number(repo->self, order->number, &found);
    if (err == ORD_OK && ord_app_keyed_order_is_ours(&found, order->customer_id)) {
        ord_order_free(order);
        ord_app_swap_orders(order, &found);
        *stored = true;
    } else if (err == ORD_OK) {
        *foreign = true;
    } else if (err == ORD_ENOTFOUND) {
        /* Nothing of ours is stored; a number this attempt did not choose
         * may still be stored by the attempt that did, so keep the key. */
        out->outcome = ORD_PLACE_CUSTOMER_BUSY;
        if (inherited)
            snprintf(out->order.number, sizeof out->order.number, "%s", order->number);
    } else if (store_down(err)) {
        unavailable(out, err, order->number);
    } else if (err != ORD_ENOMEM) {
        err = ORD_EINTERNAL;
    }
    ord_order_free(&found);
    return err == ORD_OK || err == ORD_ENOTFOUND || store_down(err) ? ORD_OK : err;
}

ord_error ord_app_create_keyed(const app_run *run, const ord_idempotency *idem, const char *held,
                               bool held_is_foreign, bool held_is_new, ord_order *order,
                               ord_place_result *out, bool *stored, bool *resumed)
{
    *stored = false;
    *resumed = false;
    const ord_order_repository *repo = &run->svc->ports.orders;
    char number[ORD_ORDER_NUMBER_SIZE];
    snprintf(number, sizeof number, "%s", held);
    bool foreign = held_is_foreign;
    bool inherited = number[0] != '\0' && !held_is_new;
    for (int attempt = 0; attempt < NUMBER_ATTEMPTS; attempt++) {
        if (number[0] == '\0' || foreign) {
            char replaces[ORD_ORDER_NUMBER_SIZE];
            snprintf(replaces, sizeof replaces, "%s", number);
            ord_error err = ORD_OK;
            bool ours = false;
            if (!bind_fresh(run, idem, out, foreign ? replaces : NULL, number, &ours, &err))
                return err;
            /* Another attempt's number, bound first, is used as our own. */
            inherited = !ours;
            foreign = false;
        }
        snprintf(order->number, sizeof order->number, "%s", number);
        ord_error err = repo->ops->create(repo->self, order);
        if (err == ORD_OK) {
            *stored = true;
            return ORD_OK;
        }
        if (store_down(err))
            return unavailable(out, err, number); /* maybe stored: keep the key */
        if (err != ORD_ECONFLICT)
            return err == ORD_ENOMEM ? err : ORD_EINTERNAL;
        err = after_conflict(run, order, out, inherited, stored, &foreign);
        if (err != ORD_OK || *stored || !foreign) {
            *resumed = *stored;
            return err;
        }
    }
    return ORD_EINTERNAL; /* the id source keeps repeating itself */
}

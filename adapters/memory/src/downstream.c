/* The in-memory downstream services: lifetime, seeding, fault arming and the
 * inspection hooks tests read. The ports live in downstream_<port>.c. */
#include "downstream_internal.h"

#include <stdlib.h>
#include <string.h>

void ord_mem_ds_lock(ord_memory_downstream *ds)
{
    pthread_mutex_lock(&ds->lock);
}

void ord_mem_ds_unlock(ord_memory_downstream *ds)
{
    pthread_mutex_unlock(&ds->lock);
}

ord_fault_mode ord_mem_ds_enter(ord_memory_downstream *ds, ord_memory_downstream_op op, ord_error *error)
{
    *error = ORD_OK;
    return ord_fault_slot_next(&ds->faults[op], error);
}

ord_error ord_memory_downstream_new(ord_memory_downstream **out)
{
    if (out == NULL)
        return ORD_EINVALID;
    *out = NULL;
    ord_memory_downstream *ds = calloc(1, sizeof *ds);
    if (ds == NULL)
        return ORD_ENOMEM;
    if (pthread_mutex_init(&ds->lock, NULL) != 0) {
        free(ds);
        return ORD_ENOMEM;
    }
    *out = ds;
    return ORD_OK;
}

void ord_memory_downstream_free(ord_memory_downstream *ds)
{
    if (ds == NULL)
        return;
    ord_mem_ds_reservations_clear(ds);
    ord_mem_ds_events_clear(ds);
    free(ds->products.items);
    free(ds->restricted.items);
    free(ds->ineligible.items);
    free(ds->shipments.items);
    pthread_mutex_destroy(&ds->lock);
    free(ds);
}

ord_precheck ord_memory_downstream_precheck(ord_memory_downstream *ds)
{
    return (ord_precheck){.ops = &ord_memory_precheck_ops, .self = ds};
}

ord_inventory ord_memory_downstream_inventory(ord_memory_downstream *ds)
{
    return (ord_inventory){.ops = &ord_memory_inventory_ops, .self = ds};
}

ord_tracking ord_memory_downstream_tracking(ord_memory_downstream *ds)
{
    return (ord_tracking){.ops = &ord_memory_tracking_ops, .self = ds};
}

ord_event_sink ord_memory_downstream_events(ord_memory_downstream *ds)
{
    return (ord_event_sink){.ops = &ord_memory_event_sink_ops, .self = ds};
}

ord_error ord_memory_downstream_set_product(ord_memory_downstream *ds, int64_t product_id,
                                            ord_money price, int64_t available)
{
    ord_money checked;
    if (ds == NULL || product_id <= 0 || price.minor < 0 || available < 0 ||
        ord_money_make(&checked, price.minor, price.currency) != ORD_OK)
        return ORD_EINVALID;
    ord_error err = ORD_OK;
    ord_mem_ds_lock(ds);
    bool found;
    size_t at = ord_mem_ds_vec_search(&ds->products, sizeof(ds_product), product_id, &found);
    if (found) {
        /* Stock held by reservations stays where it is. */
        ds_product *p = ord_mem_ds_vec_at(&ds->products, sizeof(ds_product), at);
        p->price = checked;
        p->available = available;
    } else {
        ds_product p = {.id = product_id, .price = checked, .available = available};
        err = ord_mem_ds_vec_insert(&ds->products, sizeof p, at, &p);
    }
    ord_mem_ds_unlock(ds);
    return err;
}

static ord_error set_flag(ord_memory_downstream *ds, ds_vec *set, int64_t customer_id, bool on)
{
    ord_error err = ORD_OK;
    ord_mem_ds_lock(ds);
    bool found;
    size_t at = ord_mem_ds_vec_search(set, sizeof(ds_account), customer_id, &found);
    if (on && !found) {
        ds_account a = {.customer_id = customer_id};
        err = ord_mem_ds_vec_insert(set, sizeof a, at, &a);
    } else if (!on && found) {
        ord_mem_ds_vec_remove(set, sizeof(ds_account), at);
    }
    ord_mem_ds_unlock(ds);
    return err;
}

ord_error ord_memory_downstream_set_restricted(ord_memory_downstream *ds, int64_t customer_id,
                                               bool restricted)
{
    if (ds == NULL || customer_id <= 0)
        return ORD_EINVALID;
    return set_flag(ds, &ds->restricted, customer_id, restricted);
}

ord_error ord_memory_downstream_set_ineligible(ord_memory_downstream *ds, int64_t customer_id,
                                               bool ineligible)
{
    if (ds == NULL || customer_id <= 0)
        return ORD_EINVALID;
    return set_flag(ds, &ds->ineligible, customer_id, ineligible);
}

static bool op_valid(ord_memory_downstream_op op)
{
    return (int)op >= 0 && op < ORD_MEM_DOWNSTREAM_OP_COUNT;
}

void ord_memory_downstream_inject(ord_memory_downstream *ds, ord_memory_downstream_op op,
                                  const ord_fault *fault)
{
    if (ds == NULL || !op_valid(op))
        return;
    ord_mem_ds_lock(ds);
    ord_fault_slot_arm(&ds->faults[op], fault);
    ord_mem_ds_unlock(ds);
}

size_t ord_memory_downstream_calls(ord_memory_downstream *ds, ord_memory_downstream_op op)
{
    if (ds == NULL || !op_valid(op))
        return 0;
    ord_mem_ds_lock(ds);
    size_t n = ds->faults[op].calls;
    ord_mem_ds_unlock(ds);
    return n;
}

ord_error ord_memory_downstream_stock(ord_memory_downstream *ds, int64_t product_id,
                                      ord_memory_stock *out)
{
    if (ds == NULL || out == NULL)
        return ORD_EINVALID;
    ord_error err = ORD_ENOTFOUND;
    ord_mem_ds_lock(ds);
    const ds_product *p = ord_mem_ds_vec_find(&ds->products, sizeof *p, product_id);
    if (p != NULL) {
        *out = (ord_memory_stock){
            .available = p->available, .reserved = p->reserved, .committed = p->committed};
        err = ORD_OK;
    }
    ord_mem_ds_unlock(ds);
    return err;
}

ord_memory_reservation ord_memory_downstream_reservation(ord_memory_downstream *ds, int64_t order_id)
{
    if (ds == NULL)
        return ORD_MEM_RESERVATION_NONE;
    ord_mem_ds_lock(ds);
    const ds_reservation *r = ord_mem_ds_vec_find(&ds->reservations, sizeof *r, order_id);
    ord_memory_reservation state = r != NULL ? r->state : ORD_MEM_RESERVATION_NONE;
    ord_mem_ds_unlock(ds);
    return state;
}

bool ord_memory_downstream_shipment(ord_memory_downstream *ds, int64_t order_id,
                                    char out[ORD_TRACKING_NUMBER_SIZE])
{
    if (ds == NULL || out == NULL)
        return false;
    ord_mem_ds_lock(ds);
    const ds_shipment *s = ord_mem_ds_vec_find(&ds->shipments, sizeof *s, order_id);
    if (s != NULL)
        memcpy(out, s->number, ORD_TRACKING_NUMBER_SIZE);
    else
        out[0] = '\0';
    ord_mem_ds_unlock(ds);
    return s != NULL;
}

size_t ord_memory_downstream_event_count(ord_memory_downstream *ds)
{
    if (ds == NULL)
        return 0;
    ord_mem_ds_lock(ds);
    size_t n = ds->events.count;
    ord_mem_ds_unlock(ds);
    return n;
}

size_t ord_memory_downstream_duplicate_events(ord_memory_downstream *ds)
{
    if (ds == NULL)
        return 0;
    ord_mem_ds_lock(ds);
    size_t n = ds->duplicate_events;
    ord_mem_ds_unlock(ds);
    return n;
}

/* The tracking port of the fakes: one tracking number per order id,
 * "TRK-" and UUID-shaped text counted up, the same on every repeat. */
#include "downstream_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static void format_number(char out[ORD_TRACKING_NUMBER_SIZE], uint64_t n)
{
    /* Shaped like a version 4 UUID so that clients that check the format
     * of the real service's numbers accept these too. */
    snprintf(out, ORD_TRACKING_NUMBER_SIZE, "TRK-%08" PRIx64 "-0000-4000-8000-%012" PRIx64,
             n >> 48, n & UINT64_C(0xffffffffffff));
}

static ord_error memory_create_shipment(void *self, const ord_call_context *ctx,
                                        const ord_shipment_request *request,
                                        char tracking_number[ORD_TRACKING_NUMBER_SIZE])
{
    (void)ctx;
    ord_memory_downstream *ds = self;
    if (tracking_number != NULL)
        tracking_number[0] = '\0';
    if (ds == NULL || request == NULL || tracking_number == NULL || request->order_id <= 0 ||
        request->delivery_address == NULL || request->carrier == NULL)
        return ORD_EINVALID;

    ord_mem_ds_lock(ds);
    ord_error fault_error;
    ord_fault_mode mode = ord_mem_ds_enter(ds, ORD_MEM_SHIPMENT, &fault_error);
    ord_error err = ORD_OK;
    if (mode == ORD_FAULT_BEFORE) {
        err = fault_error;
        goto done;
    }
    bool found;
    size_t at = ord_mem_ds_vec_search(&ds->shipments, sizeof(ds_shipment), request->order_id, &found);
    if (!found) {
        ds_shipment s = {.order_id = request->order_id};
        format_number(s.number, ds->shipments_issued + 1);
        err = ord_mem_ds_vec_insert(&ds->shipments, sizeof s, at, &s);
        if (err != ORD_OK)
            goto done;
        ds->shipments_issued++;
    }
    if (mode == ORD_FAULT_AFTER) {
        err = fault_error; /* the shipment exists; the reply was lost */
        goto done;
    }
    const ds_shipment *s = ord_mem_ds_vec_at(&ds->shipments, sizeof *s, at);
    memcpy(tracking_number, s->number, ORD_TRACKING_NUMBER_SIZE);
done:
    ord_mem_ds_unlock(ds);
    return err;
}

const ord_tracking_ops ord_memory_tracking_ops = {
    .version = ORD_TRACKING_VERSION,
    .create_shipment = memory_create_shipment,
};

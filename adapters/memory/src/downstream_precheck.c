/* The precheck port of the fakes: catalog, then restrictions, then
 * eligibility, in sequence, stopping at the first failure. */
#include "downstream_internal.h"

#include <string.h>

/* The catalog call: fills found and price of every entry. */
static ord_error lookup_prices(ord_memory_downstream *ds, ord_product_price *prices, size_t count,
                               ord_precheck_verdict *verdict)
{
    ord_error fault_error;
    if (ord_mem_ds_enter(ds, ORD_MEM_CATALOG, &fault_error) != ORD_FAULT_NONE)
        return fault_error; /* a read: before or after, the caller learns nothing */
    *verdict = ORD_PRECHECK_PASSED;
    for (size_t i = 0; i < count; i++) {
        const ds_product *p = ord_mem_ds_vec_find(&ds->products, sizeof *p, prices[i].product_id);
        prices[i].found = p != NULL;
        if (p != NULL) {
            prices[i].price = p->price;
        } else {
            memset(&prices[i].price, 0, sizeof prices[i].price);
            *verdict = ORD_PRECHECK_UNKNOWN_PRODUCTS;
        }
    }
    return ORD_OK;
}

/* A restrictions or eligibility call: is the customer on @p listed? */
static ord_error account_check(ord_memory_downstream *ds, ord_memory_downstream_op op,
                               const ds_vec *listed, int64_t customer_id, bool *refused)
{
    ord_error fault_error;
    ord_fault_mode mode = ord_mem_ds_enter(ds, op, &fault_error);
    if (mode != ORD_FAULT_NONE)
        return fault_error;
    *refused = ord_mem_ds_vec_find(listed, sizeof(ds_account), customer_id) != NULL;
    return ORD_OK;
}

static ord_error memory_check(void *self, const ord_call_context *ctx, int64_t customer_id,
                              ord_product_price *prices, size_t count, ord_precheck_result *result)
{
    (void)ctx;
    ord_memory_downstream *ds = self;
    if (result != NULL)
        *result = (ord_precheck_result){.verdict = ORD_PRECHECK_PASSED, .failed = ORD_PRECHECK_NONE};
    if (ds == NULL || result == NULL || prices == NULL || count == 0 || count > ORD_MAX_ITEMS ||
        customer_id < 0)
        return ORD_EINVALID;

    ord_mem_ds_lock(ds);
    ord_precheck_verdict verdict = ORD_PRECHECK_PASSED;
    ord_error err = lookup_prices(ds, prices, count, &verdict);
    if (err != ORD_OK) {
        result->failed = ORD_PRECHECK_CATALOG;
        goto done;
    }
    if (verdict != ORD_PRECHECK_PASSED || customer_id == 0) {
        result->verdict = verdict;
        goto done;
    }
    bool refused = false;
    err = account_check(ds, ORD_MEM_RESTRICTIONS, &ds->restricted, customer_id, &refused);
    if (err != ORD_OK) {
        result->failed = ORD_PRECHECK_RESTRICTIONS;
        goto done;
    }
    if (refused) {
        result->verdict = ORD_PRECHECK_RESTRICTED;
        goto done;
    }
    err = account_check(ds, ORD_MEM_ELIGIBILITY, &ds->ineligible, customer_id, &refused);
    if (err != ORD_OK) {
        result->failed = ORD_PRECHECK_ELIGIBILITY;
        goto done;
    }
    if (refused)
        result->verdict = ORD_PRECHECK_INELIGIBLE;
done:
    ord_mem_ds_unlock(ds);
    return err;
}

const ord_precheck_ops ord_memory_precheck_ops = {
    .version = ORD_PRECHECK_VERSION,
    .check = memory_check,
};

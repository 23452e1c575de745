/* The inventory port over HTTP: reserve, release, commit. */
#include "codec.h"

#include <string.h>

static ord_error run_one(ord_http_client *c, const ord_call_context *ctx,
                         const http_endpoint *endpoint, const void *args, void *out)
{
    http_call call;
    memset(&call, 0, sizeof call);
    call.endpoint = endpoint;
    call.args = args;
    call.out = out;
    size_t decisive;
    return ord_http_run(c, ctx, &call, 1, false, &decisive);
}

static ord_error http_inventory_reserve(void *self, const ord_call_context *ctx, int64_t order_id,
                                        const ord_order_item *items, size_t count,
                                        ord_reserve_result *result)
{
    if (result == NULL || items == NULL || count == 0 || count > ORD_MAX_ITEMS || order_id <= 0)
        return ORD_EINVALID;
    http_reserve_args args = {.order_id = order_id, .items = items, .count = count};
    ord_reserve_result answer;
    memset(&answer, 0, sizeof answer);
    ord_error rc = run_one(self, ctx, &ord_http_ep_reserve, &args, &answer);
    if (rc == ORD_OK)
        *result = answer;
    return rc;
}

static ord_error http_inventory_release(void *self, const ord_call_context *ctx, int64_t order_id)
{
    if (order_id <= 0)
        return ORD_EINVALID;
    http_order_args args = {.order_id = order_id};
    return run_one(self, ctx, &ord_http_ep_release, &args, NULL);
}

static ord_error http_inventory_commit(void *self, const ord_call_context *ctx, int64_t order_id)
{
    if (order_id <= 0)
        return ORD_EINVALID;
    http_order_args args = {.order_id = order_id};
    return run_one(self, ctx, &ord_http_ep_commit, &args, NULL);
}

static const ord_inventory_ops http_inventory_ops = {
    .version = ORD_INVENTORY_VERSION,
    .reserve = http_inventory_reserve,
    .release = http_inventory_release,
    .commit = http_inventory_commit,
};

ord_inventory ord_http_client_inventory(ord_http_client *client)
{
    return (ord_inventory){.ops = &http_inventory_ops, .self = client};
}

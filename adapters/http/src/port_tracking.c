/* The tracking port over HTTP. */
#include "codec.h"

#include <string.h>

static ord_error http_tracking_create(void *self, const ord_call_context *ctx,
                                      const ord_shipment_request *request,
                                      char tracking_number[ORD_TRACKING_NUMBER_SIZE])
{
    if (tracking_number == NULL)
        return ORD_EINVALID;
    tracking_number[0] = '\0';
    if (request == NULL || request->order_id <= 0 || request->delivery_address == NULL ||
        request->carrier == NULL)
        return ORD_EINVALID;
    http_shipment_out out = {{0}};
    http_call call;
    memset(&call, 0, sizeof call);
    call.endpoint = &ord_http_ep_shipment;
    call.args = request;
    call.out = &out;
    size_t decisive;
    ord_error rc = ord_http_run(self, ctx, &call, 1, false, &decisive);
    if (rc == ORD_OK)
        memcpy(tracking_number, out.number, ORD_TRACKING_NUMBER_SIZE);
    return rc;
}

static const ord_tracking_ops http_tracking_ops = {
    .version = ORD_TRACKING_VERSION,
    .create_shipment = http_tracking_create,
};

ord_tracking ord_http_client_tracking(ord_http_client *client)
{
    return (ord_tracking){.ops = &http_tracking_ops, .self = client};
}

/* The event sink port over HTTP: the webhook gets the payload as is. */
#include "codec.h"

#include <string.h>

static ord_error http_events_deliver(void *self, const ord_call_context *ctx,
                                     const ord_outbox_event *event)
{
    if (event == NULL || event->payload == NULL)
        return ORD_EINVALID;
    http_call call;
    memset(&call, 0, sizeof call);
    call.endpoint = &ord_http_ep_event;
    call.args = event;
    size_t decisive;
    return ord_http_run(self, ctx, &call, 1, false, &decisive);
}

static const ord_event_sink_ops http_event_sink_ops = {
    .version = ORD_EVENT_SINK_VERSION,
    .deliver = http_events_deliver,
};

ord_event_sink ord_http_client_events(ord_http_client *client)
{
    return (ord_event_sink){.ops = &http_event_sink_ops, .self = client};
}

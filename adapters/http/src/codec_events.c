/* The event webhook: the outbox payload is posted as is. */
#include "codec.h"

ord_error ord_http_encode_event(const void *args, http_request *request)
{
    const ord_outbox_event *event = args;
    if (event->payload == NULL || event->payload[0] == '\0')
        return ORD_EINVALID;
    request->body = event->payload; /* borrowed for the call */
    return ORD_OK;
}

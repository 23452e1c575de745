/* Building the URL and headers of a call. */
#ifndef ORDERS_HTTP_REQUEST_H
#define ORDERS_HTTP_REQUEST_H

#include "internal.h"

/* base + path with every {name} replaced by its escaped value; *out is
 * owned (free()). ORD_OK, ORD_ENOMEM, ORD_EINTERNAL (unset variable). */
ord_error ord_http_build_url(const char *base, const char *path, const http_request *request,
                             char **out);
/* Accept, Content-Type, X-Request-Id and traceparent, as a list made of
 * the call's own nodes and text (call->headers; nothing to free). */
void ord_http_build_headers(ord_http_client *client, const ord_call_context *ctx,
                            bool has_body, http_call *call);

#endif

/* Building the URL and headers of a call. */
#ifndef ORDERS_HTTP_REQUEST_H
#define ORDERS_HTTP_REQUEST_H

#include "internal.h"

/* base + path with every {name} replaced by its escaped value; *out is
 * owned (free()). ORD_OK, ORD_ENOMEM, ORD_EINTERNAL (unset variable). */
ord_error ord_http_build_url(const char *base, const char *path, const http_request *request,
                             char **out);
/* Accept, Content-Type, X-Request-Id and traceparent; *out is owned
 * (curl_slist_free_all). ORD_OK or ORD_ENOMEM. */
ord_error ord_http_build_headers(ord_http_client *client, const ord_call_context *ctx,
                                 bool has_body, struct curl_slist **out);

#endif

/**
 * @file fetch.h
 * @brief One bounded GET of a small document (a JWKS, say): limited in
 *        time and size, http and https only, no redirects, 200 only.
 */
#ifndef ORDERS_ADAPTERS_HTTP_FETCH_H
#define ORDERS_ADAPTERS_HTTP_FETCH_H

#include <stddef.h>

#include <orders/domain/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief GET @p url and return its body. Call ord_http_global_init() first
 *        (once per process). Thread-safe: each call has its own handle.
 * @param url http:// or https:// URL.
 * @param timeout_ms limit of the whole transfer (connection included), > 0.
 * @param max_bytes largest body accepted; a larger one is refused.
 * @param[out] body receives the body, malloc'd and NUL-terminated (free()
 *             it); NULL on failure.
 * @param[out] len receives its length.
 * @return ORD_OK; ORD_EINVALID (bad argument or URL); ORD_ETIMEOUT;
 *         ORD_EUNAVAILABLE (no connection, 5xx); ORD_ECONTRACT (another
 *         status, a redirect, a body too large); ORD_ENOMEM.
 */
ord_error ord_http_fetch(const char *url, long timeout_ms, size_t max_bytes, char **body,
                         size_t *len);

#ifdef __cplusplus
}
#endif
#endif

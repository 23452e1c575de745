/**
 * @file idempotency.h
 * @brief The Idempotency-Key of a request as every transport hands it to
 *        the keyed use cases (create and checkout), and what identifies the
 *        request behind it.
 *
 * A transport reads the key and describes the request
 * (ord_idempotency_request_text()); the use case checks the key, scopes it
 * to the caller, fingerprints the request and begins it, and the transport
 * records its answer with ord_place_finish() (place_order.h). A retry through
 * any transport is recognised as long as each describes requests alike.
 */
#ifndef ORDERS_APPLICATION_IDEMPOTENCY_H
#define ORDERS_APPLICATION_IDEMPOTENCY_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Bytes of an idempotency scope ("customer:12345", "guest:<hash>") with NUL. */
#define ORD_IDEMPOTENCY_SCOPE_SIZE 80

/** @brief An Idempotency-Key and what identifies the request. Borrowed. */
typedef struct ord_idempotency {
    const char *key;         /**< The header value; a malformed one (see
                                  ord_idempotency_key_is_valid()) is refused by the
                                  use case as a validation error. */
    const char *fingerprint; /**< Any text that differs when the request differs
                                  (ord_idempotency_request_text()); hashed by the
                                  use case. */
} ord_idempotency;

/**
 * @brief The text that identifies an HTTP request to its Idempotency-Key:
 *        method, path and body. Every transport describes requests with it,
 *        so that a key's retry matches whichever transport it comes through.
 * @param[out] out @p cap bytes, receives the text cut to fit and
 *             NUL-terminated; may be NULL when @p cap is 0.
 * @param cap bytes at @p out.
 * @param method the request method ("POST").
 * @param path the request path as sent ("/api/v1/orders").
 * @param body the body bytes; NULL only with @p body_len 0.
 * @param body_len bytes of body.
 * @return the length of the whole text without its NUL (as snprintf(): the
 *         text was cut when this is @p cap or more).
 */
size_t ord_idempotency_request_text(char *out, size_t cap, const char *method, const char *path,
                                    const char *body, size_t body_len);

#ifdef __cplusplus
}
#endif
#endif

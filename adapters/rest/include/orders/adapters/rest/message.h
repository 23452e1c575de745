/**
 * @file message.h
 * @brief Transport-independent HTTP messages: what a transport (civetweb, a
 *        Lambda runtime) hands to the API layer and what it gets back.
 */
#ifndef ORDERS_ADAPTERS_REST_MESSAGE_H
#define ORDERS_ADAPTERS_REST_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>

#include <orders/application/service.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Largest request body the API accepts (docs/api.md, Errors: 64 KiB); larger is 413. */
#define ORD_REST_MAX_BODY_BYTES 65536

/** @brief One header line. Names compare case-insensitively. */
typedef struct ord_rest_header {
    const char *name;  /**< NUL-terminated header name. */
    const char *value; /**< NUL-terminated value, surrounding blanks trimmed. */
} ord_rest_header;

/** @brief A request as the transport received it. Every pointer is borrowed
 *         for the duration of ord_rest_api_handle(). */
typedef struct ord_rest_request {
    const char *method;             /**< "GET", "POST", ... */
    const char *path;               /**< Path without the query ("/api/v1/orders/7"), as
                                         sent: still percent-encoded (the API decodes
                                         each segment). */
    const char *query;              /**< Query string without '?', or NULL. */
    const ord_rest_header *headers; /**< Request headers; may be NULL when none. */
    size_t header_count;            /**< Entries in headers. */
    const char *body;               /**< Body bytes (need not be NUL-terminated), or NULL. */
    size_t body_len;                /**< Bytes in body. */
    bool body_too_large;            /**< The transport stopped reading because the body
                                         exceeds ORD_REST_MAX_BODY_BYTES: answer 413. */
    const ord_principal *principal; /**< The caller when the transport authenticated it
                                         itself; NULL to let the API's authenticator
                                         decide from the headers. */
    void *thread_data;              /**< The transport's per-thread pointer, handed to the
                                         service callback (ord_rest_service_fn). */
    const char *remote_addr;        /**< The peer's IP address as text, or NULL when the
                                         transport does not know it (per-address limits are
                                         then not applied). */
} ord_rest_request;

/** @brief A response. Owned: release with ord_rest_response_free(). */
typedef struct ord_rest_response {
    int status;               /**< HTTP status. */
    ord_rest_header *headers; /**< Owned array; names and values owned too. */
    size_t header_count;      /**< Entries in headers. */
    char *body;               /**< Owned, NUL-terminated (body_len excludes the NUL); may be NULL. */
    size_t body_len;          /**< Bytes of body to send. */
    const char *route;        /**< Static route template ("/api/v1/orders/{id}") or
                                   "unmatched"; for transport logs. */
    bool close_connection;    /**< The transport should close the connection after
                                   answering (a request body was left unread). */
} ord_rest_response;

/** @brief Free what a response owns and zero it. Accepts NULL. */
void ord_rest_response_free(ord_rest_response *response);

/**
 * @brief Find a response header.
 * @param response the response.
 * @param name header name, compared case-insensitively.
 * @return the value (borrowed, lives as long as @p response), or NULL.
 */
const char *ord_rest_response_header(const ord_rest_response *response, const char *name);

/**
 * @brief Find a request header.
 * @param request the request.
 * @param name header name, compared case-insensitively.
 * @return the first value (borrowed from the request), or NULL.
 */
const char *ord_rest_request_header(const ord_rest_request *request, const char *name);

#ifdef __cplusplus
}
#endif
#endif

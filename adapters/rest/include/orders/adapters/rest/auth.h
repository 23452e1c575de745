/**
 * @file auth.h
 * @brief Who is calling: the authenticator interface the API layer asks for
 *        a principal, and the "auth off" implementation (every caller is an
 *        admin). A JWT authenticator only adds another implementation.
 */
#ifndef ORDERS_ADAPTERS_REST_AUTH_H
#define ORDERS_ADAPTERS_REST_AUTH_H

#include <stddef.h>

#include <orders/adapters/rest/message.h>
#include <orders/application/service.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Version of ord_rest_authenticator_ops this header describes. */
#define ORD_REST_AUTHENTICATOR_VERSION 1
/** Bytes of a principal's subject with NUL (longer subjects are cut). */
#define ORD_REST_SUBJECT_SIZE 128

/** @brief What an authenticator decided. */
typedef struct ord_rest_auth_result {
    int status;                          /**< 0: authenticated; 401 or 403: refused. */
    ord_principal principal;             /**< The caller when status is 0; its subject
                                              points into @ref subject. */
    char subject[ORD_REST_SUBJECT_SIZE]; /**< Storage for principal.subject. */
    const char *title;                   /**< Refused: static problem title ("Unauthorized"). */
    const char *detail;                  /**< Refused: static problem detail, no secrets. */
    const char *challenge;               /**< 401: static WWW-Authenticate value, or NULL. */
} ord_rest_auth_result;

/** @brief Operations of an authenticator. A static const table per implementation. */
typedef struct ord_rest_authenticator_ops {
    int version;      /**< ORD_REST_AUTHENTICATOR_VERSION. */
    const char *name; /**< Short static name for start-up logs ("off", "jwt"). */

    /**
     * @brief Decide who sends a request, from its headers.
     * @param self the implementation's state.
     * @param headers the request headers (borrowed).
     * @param count entries in @p headers.
     * @param[out] out zeroed by the caller; filled. Thread-safe: called from
     *        every worker thread at once.
     */
    void (*authenticate)(void *self, const ord_rest_header *headers, size_t count,
                         ord_rest_auth_result *out);

    /** @brief Free the state; may be NULL when there is nothing to free. */
    void (*free)(void *self);
} ord_rest_authenticator_ops;

/** @brief An authenticator: its operations and their state. */
typedef struct ord_rest_authenticator {
    const ord_rest_authenticator_ops *ops; /**< Method table. */
    void *self;                            /**< Passed back to every method. */
} ord_rest_authenticator;

/**
 * @brief The development authenticator: every caller is an admin. Programs
 *        using it must say so loudly at start (the civetweb transport logs a
 *        warning line).
 * @return a stateless authenticator; nothing to free.
 */
ord_rest_authenticator ord_rest_auth_off(void);

/**
 * @brief Set a refusal in @p out (helper for implementations).
 * @param[out] out the result to fill.
 * @param status 401 or 403.
 * @param title static problem title.
 * @param detail static problem detail.
 */
void ord_rest_auth_refuse(ord_rest_auth_result *out, int status, const char *title,
                          const char *detail);

#ifdef __cplusplus
}
#endif
#endif

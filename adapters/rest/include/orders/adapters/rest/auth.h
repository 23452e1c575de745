/**
 * @file auth.h
 * @brief Who is calling: the authenticator interface the API layer asks for
 *        a principal; the "auth off" implementation (every caller is an
 *        admin); and the bearer-token implementation, which reads
 *        `Authorization: Bearer <token>` strictly and hands the token to a
 *        verifier the program supplies (a JWT verifier, for one).
 */
#ifndef ORDERS_ADAPTERS_REST_AUTH_H
#define ORDERS_ADAPTERS_REST_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#include <orders/adapters/rest/message.h>
#include <orders/application/service.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Version of ord_rest_authenticator_ops this header describes. Version 2
 *  appended admin_scope and ord_rest_auth_result::anonymous; version 1
 *  tables are still accepted. */
#define ORD_REST_AUTHENTICATOR_VERSION 2
/** Longest bearer token accepted, in bytes; a longer one is refused unread. */
#define ORD_REST_MAX_BEARER_BYTES 8192
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
    bool anonymous;                      /**< Refused because no credentials were sent
                                              at all (version 2): routes open to guests
                                              then serve the caller as a guest. */
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

    /**
     * @brief Version 2, may be NULL: the scope an admin's credentials carry,
     *        named in the `WWW-Authenticate: Bearer error="insufficient_scope"`
     *        challenge of a 403 for an admin action.
     * @param self the implementation's state.
     * @return static or state-owned text, or NULL (no challenge is sent).
     */
    const char *(*admin_scope)(void *self);
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
 * @brief Checks one bearer token (a JWT, say). Called from every worker
 *        thread at once.
 * @param ctx ord_rest_bearer_config::ctx.
 * @param token the token's bytes as sent (syntax already checked: RFC 6750
 *        b64token, 1..ORD_REST_MAX_BEARER_BYTES bytes), NUL-terminated.
 * @param len bytes in @p token.
 * @param[out] who receives the caller when the token is good;
 *        who->subject must be left NULL (the authenticator points it at
 *        @p subject).
 * @param[out] subject @p subject_cap bytes for the token's subject (cut when
 *        longer), NUL-terminated.
 * @param subject_cap bytes of @p subject.
 * @param[out] why on refusal, static text for the problem detail (no secret,
 *        no token bytes), or left NULL.
 * @return true when the token is good.
 */
typedef bool (*ord_rest_bearer_verify_fn)(void *ctx, const char *token, size_t len,
                                          ord_principal *who, char *subject, size_t subject_cap,
                                          const char **why);

/** Version of ord_rest_bearer_config this header describes. */
#define ORD_REST_BEARER_CONFIG_VERSION 1

/** @brief Settings of the bearer authenticator; start from ORD_REST_BEARER_CONFIG_INIT. */
typedef struct ord_rest_bearer_config {
    int version;                      /**< ORD_REST_BEARER_CONFIG_VERSION. */
    ord_rest_bearer_verify_fn verify; /**< Required. */
    void *ctx;                        /**< Passed to @ref verify and @ref free_ctx. */
    void (*free_ctx)(void *ctx);      /**< Called when the authenticator is freed; may be NULL. */
    const char *admin_scope;          /**< Named in insufficient_scope challenges (copied);
                                           NULL: none. */
} ord_rest_bearer_config;

/** Defaults: nothing wired. */
#define ORD_REST_BEARER_CONFIG_INIT                                                    \
    {                                                                                  \
        ORD_REST_BEARER_CONFIG_VERSION, NULL, NULL, NULL, NULL                         \
    }

/**
 * @brief The bearer-token authenticator (RFC 6750, header form only: a
 *        token in the query string or the body is never read). Exactly one
 *        `Authorization` header with the scheme `Bearer` (any case) and a
 *        b64token of at most ORD_REST_MAX_BEARER_BYTES; anything else is
 *        401 with `WWW-Authenticate: Bearer`, plus `error="invalid_request"`
 *        for a malformed header and `error="invalid_token"` when the
 *        verifier refuses the token. No `Authorization` header at all is
 *        reported as anonymous (routes open to guests accept it).
 * @param[out] out receives the authenticator (hand it to the API, which frees
 *             it); zeroed on failure.
 * @param config copied.
 * @return ORD_OK; ORD_EINVALID without a verifier or with an unknown
 *         version; ORD_ENOMEM.
 */
ord_error ord_rest_auth_bearer(ord_rest_authenticator *out, const ord_rest_bearer_config *config);

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

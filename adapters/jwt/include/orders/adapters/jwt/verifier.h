/**
 * @file verifier.h
 * @brief JWT bearer tokens (RFC 7519, JWS compact form) verified against
 *        keys the operator configures: a JWKS document from a file or from
 *        a URL, and an HS256 secret from a file. Every key allows exactly one
 *        algorithm (its JWK "alg", else the one its type and curve imply);
 *        the token's header never chooses the algorithm or supplies a key.
 *
 * The adapter does no network I/O of its own: a JWKS URL is fetched through
 * a callback the program supplies (the order server wires an HTTP client),
 * on a background thread that refreshes the keys periodically and, at most
 * once per ord_jwt_config::jwks_min_refresh_s, when a token names a key it
 * does not know. A request waits for such a refresh at most
 * ord_jwt_config::jwks_wait_ms. A JWKS file is checked for changes at most
 * once a second, and at once when a token names an unknown key.
 */
#ifndef ORDERS_ADAPTERS_JWT_VERIFIER_H
#define ORDERS_ADAPTERS_JWT_VERIFIER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <orders/domain/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Version of ord_jwt_config this header describes. */
#define ORD_JWT_CONFIG_VERSION 1
/** Longest token accepted, in bytes. */
#define ORD_JWT_MAX_TOKEN_BYTES 8192
/** Largest JWKS document accepted (file or URL), in bytes. */
#define ORD_JWT_MAX_JWKS_BYTES (256 * 1024)
/** Most keys a JWKS document may hold. */
#define ORD_JWT_MAX_KEYS 64
/** Shortest HS256 secret, in bytes. */
#define ORD_JWT_MIN_SECRET_BYTES 32
/** Bytes of ord_jwt_identity::subject with NUL (longer subjects are cut). */
#define ORD_JWT_SUBJECT_SIZE 128

/**
 * @brief Fetches the current JWKS document (for a JWKS URL). Called on the
 *        verifier's own thread, never on a request's; must return within
 *        its own time limit.
 * @param ctx ord_jwt_config::fetch_ctx.
 * @param[out] body receives the document, malloc'd (the verifier frees it
 *             with free()); at most ORD_JWT_MAX_JWKS_BYTES.
 * @param[out] len receives its length.
 * @return ORD_OK, or a failure (ORD_EUNAVAILABLE, ORD_ETIMEOUT,
 *         ORD_ECONTRACT...): the keys in hand are kept.
 */
typedef ord_error (*ord_jwt_fetch_fn)(void *ctx, char **body, size_t *len);

/**
 * @brief Receives the verifier's log lines (key loads, skipped keys, fetch
 *        failures); never token contents. May be called from any thread.
 * @param ctx ord_jwt_config::log_ctx.
 * @param level "info", "warn" or "error".
 * @param message static text.
 * @param detail more text (a file name, a kid, a reason), or NULL.
 */
typedef void (*ord_jwt_log_fn)(void *ctx, const char *level, const char *message,
                               const char *detail);

/** @brief Settings; start from ORD_JWT_CONFIG_INIT. Strings are copied. */
typedef struct ord_jwt_config {
    int version;                /**< ORD_JWT_CONFIG_VERSION. */
    const char *jwks_file;      /**< JWKS file, re-read when it changes; NULL: none. */
    ord_jwt_fetch_fn fetch;     /**< JWKS from a URL through this callback; NULL: none. */
    void *fetch_ctx;            /**< Passed to @ref fetch. */
    const char *jwks_url;       /**< The URL @ref fetch reads, for log lines only. */
    const char *hs256_secret_file; /**< HS256 secret (at least 32 bytes; one trailing
                                        newline is dropped); NULL: none. Used for tokens
                                        without a "kid". */
    const char *issuer;         /**< Required "iss"; NULL: not checked. */
    const char *audience;       /**< Required in "aud" (a string or an array); NULL:
                                     not checked. */
    int64_t leeway_s;           /**< Clock skew allowed on exp, nbf and iat (0..3600). */
    const char *customer_claim; /**< Claim naming the customer; NULL: "sub". */
    const char *admin_scope;    /**< Scope making the caller an admin; NULL: "orders:admin". */
    int64_t jwks_refresh_s;     /**< Refresh URL keys this often (10..86400). */
    int64_t jwks_min_refresh_s; /**< Refresh for an unknown "kid" at most this often (1..3600). */
    int64_t jwks_wait_ms;       /**< Longest wait of a request for that refresh (0..10000). */
    int64_t (*now_s)(void *ctx); /**< Clock in Unix seconds; NULL: the system clock. */
    void *clock_ctx;            /**< Passed to @ref now_s. */
    ord_jwt_log_fn log;         /**< Optional. */
    void *log_ctx;              /**< Passed to @ref log. */
} ord_jwt_config;

/** Defaults: no keys, leeway 60 s, "sub", "orders:admin", refresh every
 *  300 s, unknown-kid refresh at most every 60 s, wait 1000 ms. */
#define ORD_JWT_CONFIG_INIT                                                              \
    {                                                                                    \
        ORD_JWT_CONFIG_VERSION, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 60, NULL,      \
            NULL, 300, 60, 1000, NULL, NULL, NULL, NULL                                  \
    }

/** @brief A verifier. Opaque; ord_jwt_verify() is safe from many threads at once. */
typedef struct ord_jwt_verifier ord_jwt_verifier;

/**
 * @brief Build a verifier: read the secret and the JWKS file (a bad one
 *        stops the start), fetch the JWKS URL once (when that fails the
 *        verifier starts without those keys and keeps trying in the
 *        background; see ord_jwt_verifier_has_keys()).
 * @param[out] out receives the verifier (ord_jwt_verifier_free()); NULL on failure.
 * @param config copied.
 * @param[out] err receives one line naming what is wrong; may be NULL.
 * @param err_cap bytes of @p err.
 * @return ORD_OK; ORD_EINVALID for a bad setting, no key source, or an
 *         unusable secret or JWKS file; ORD_ENOMEM; ORD_EINTERNAL when the
 *         refresh thread cannot start.
 */
ord_error ord_jwt_verifier_new(ord_jwt_verifier **out, const ord_jwt_config *config, char *err,
                               size_t err_cap);

/** @brief Stop the refresh thread and free the verifier. Accepts NULL. */
void ord_jwt_verifier_free(ord_jwt_verifier *verifier);

/** @brief Whether any key is in hand (the secret, or at least one JWKS key). */
bool ord_jwt_verifier_has_keys(ord_jwt_verifier *verifier);

/** @brief Why a token was refused. */
typedef enum ord_jwt_result {
    ORD_JWT_OK = 0,          /**< Good. */
    ORD_JWT_MALFORMED,       /**< Not three strict base64url parts of JSON objects. */
    ORD_JWT_ALGORITHM,       /**< "alg" is not the one its key allows (also "none"). */
    ORD_JWT_UNKNOWN_KEY,     /**< No key with this "kid" (or none at all). */
    ORD_JWT_SIGNATURE,       /**< The signature does not verify. */
    ORD_JWT_EXPIRED,         /**< "exp" missing or past. */
    ORD_JWT_NOT_YET_VALID,   /**< "nbf" or "iat" in the future. */
    ORD_JWT_ISSUER,          /**< "iss" is not the configured issuer. */
    ORD_JWT_AUDIENCE,        /**< "aud" does not hold the configured audience. */
    ORD_JWT_NO_CUSTOMER,     /**< Not an admin, and the customer claim is not a
                                  positive integer. */
    ORD_JWT_UNSUPPORTED      /**< A header this verifier does not understand ("crit",
                                  an unexpected "typ"). */
} ord_jwt_result;

/**
 * @brief Static English text for a result, fit for a problem detail.
 * @param result any value.
 * @return never NULL.
 */
const char *ord_jwt_result_text(ord_jwt_result result);

/** @brief Who a good token speaks for. */
typedef struct ord_jwt_identity {
    bool admin;                         /**< The admin scope is granted. */
    int64_t customer_id;                /**< The customer claim (> 0), or 0 for an admin
                                             token without one. */
    char subject[ORD_JWT_SUBJECT_SIZE]; /**< "sub", cut to fit; "" when absent. */
} ord_jwt_identity;

/**
 * @brief Verify one token: header, key, signature, then the claims.
 * @param verifier the verifier.
 * @param token the compact JWS; need not be NUL-terminated.
 * @param len its bytes (at most ORD_JWT_MAX_TOKEN_BYTES).
 * @param[out] out zeroed, then filled when the result is ORD_JWT_OK.
 * @return ORD_JWT_OK or why not.
 */
ord_jwt_result ord_jwt_verify(ord_jwt_verifier *verifier, const char *token, size_t len,
                              ord_jwt_identity *out);

#ifdef __cplusplus
}
#endif
#endif

/* The JWT adapter's internals: strict base64url, flat JSON objects, the
 * JOSE header read before any cryptography, key sets, claims, and the key
 * sources (secret, JWKS file, JWKS URL). */
#ifndef ORDERS_JWT_INTERNAL_H
#define ORDERS_JWT_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <cjose/jwk.h>
#include <cjson/cJSON.h>

#include <orders/adapters/jwt/verifier.h>

/* Longest "kid" and "alg" kept, with NUL. */
#define JWT_KID_SIZE 257
#define JWT_ALG_SIZE 8
/* Largest decoded header and payload. */
#define JWT_MAX_HEADER_BYTES 2048
#define JWT_MAX_PAYLOAD_BYTES 8192

/* One verification key and the one algorithm it allows. */
typedef struct jwt_key {
    char kid[JWT_KID_SIZE]; /* "" for the HS256 secret */
    char alg[JWT_ALG_SIZE];
    cjose_jwk_t *jwk;
} jwt_key;

/* Keys of one JWKS document; immutable once built, shared by reference. */
typedef struct jwt_keyset {
    atomic_int refs;
    size_t count;
    jwt_key keys[];
} jwt_keyset;

/* json.c: a JSON object from untrusted bytes: at most @p max_depth deep, no
 * member named twice at its top level, no trailing bytes. NULL otherwise. */
cJSON *ord_jwt_json_object(const char *text, size_t len, int max_depth);
/* Whether an object names a member twice (or has more than 512). */
bool ord_jwt_json_has_duplicate(const cJSON *object);

/* header.c: the JOSE header and where the signature part starts. */
typedef struct jwt_header {
    char alg[JWT_ALG_SIZE];
    char kid[JWT_KID_SIZE];
    bool has_kid;
} jwt_header;
ord_jwt_result ord_jwt_header_read(const char *token, size_t len, jwt_header *out);

/* keys.c */
void ord_jwt_keyset_release(jwt_keyset *set);
jwt_keyset *ord_jwt_keyset_retain(jwt_keyset *set);
const jwt_key *ord_jwt_keyset_find(const jwt_keyset *set, const char *kid);
/* Parse a JWKS document. Keys that cannot verify with one algorithm we
 * support are skipped (each logged); a document that is not a JWKS, or has
 * no usable key, is ORD_EINVALID with the reason in @p err. */
ord_error ord_jwt_keyset_parse(const char *doc, size_t len, ord_jwt_log_fn log, void *log_ctx,
                               jwt_keyset **out, char *err, size_t err_cap);
/* The HS256 secret from a file, as a key without kid. */
ord_error ord_jwt_secret_load(const char *path, jwt_key *out, char *err, size_t err_cap);
/* Read a whole file of at most @p max bytes (malloc'd, NUL-terminated). */
ord_error ord_jwt_read_file(const char *path, size_t max, char **out, size_t *len, char *err,
                            size_t err_cap);

/* claims.c: the claims of a verified payload. */
typedef struct jwt_rules {
    const char *issuer;
    const char *audience;
    int64_t leeway_s;
    const char *customer_claim;
    const char *admin_scope;
} jwt_rules;
ord_jwt_result ord_jwt_claims_check(const jwt_rules *rules, const unsigned char *payload,
                                    size_t len, int64_t now_s, ord_jwt_identity *out);

/* The verifier. */
typedef struct jwt_file_stamp {
    dev_t dev;
    ino_t ino;
    off_t size;
    int64_t mtime_ns;
    bool present;
} jwt_file_stamp;

struct ord_jwt_verifier {
    jwt_rules rules;
    char *issuer, *audience, *customer_claim, *admin_scope, *jwks_file, *jwks_url;
    int64_t refresh_s, min_refresh_s, wait_ms;
    int64_t (*now_s)(void *ctx);
    void *clock_ctx;
    ord_jwt_log_fn log;
    void *log_ctx;
    ord_jwt_fetch_fn fetch;
    void *fetch_ctx;

    jwt_key secret;
    bool has_secret;

    pthread_mutex_t lock; /* guards everything below */
    pthread_cond_t cond;  /* the refresh thread: asked to work, or done */
    jwt_keyset *file_keys;
    jwt_keyset *url_keys;
    jwt_file_stamp stamp;
    int64_t file_checked_ms; /* monotonic */
    bool file_checking;      /* one thread at a time re-reads the file */
    bool thread_started;
    bool stop;
    bool refresh_wanted;
    uint64_t fetches;        /* completed fetch attempts */
    int64_t last_fetch_ms;   /* monotonic time of the last attempt (or request) */
    pthread_t thread;
};

/* sources.c */
int64_t ord_jwt_monotonic_ms(void);
void ord_jwt_log(const ord_jwt_verifier *v, const char *level, const char *message,
                 const char *detail);
/* Load the JWKS file (at start: @p strict fails on a bad file). */
ord_error ord_jwt_file_load(ord_jwt_verifier *v, bool strict, char *err, size_t err_cap);
/* Re-read the file when it changed; @p force skips the once-a-second limit. */
void ord_jwt_file_check(ord_jwt_verifier *v, bool force);
/* Fetch once now (start), then start the refresh thread. */
ord_error ord_jwt_url_start(ord_jwt_verifier *v);
void ord_jwt_url_stop(ord_jwt_verifier *v);
/* An unknown kid: ask for a refresh (at most once per min_refresh_s) and
 * wait up to wait_ms for it. Returns true when new keys may be in hand. */
bool ord_jwt_url_refresh_for_unknown_kid(ord_jwt_verifier *v);

#endif

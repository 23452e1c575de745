/* Internals of the HTTP adapter shared by its files: the shared services
 * object, the per-thread client, and the "Feign-style" engine that runs
 * endpoints declared as data. */
#ifndef ORDERS_HTTP_INTERNAL_H
#define ORDERS_HTTP_INTERNAL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>

#include <orders/adapters/http/client.h>
#include <orders/adapters/http/services.h>
#include <orders/ports/call_context.h>

#include "breaker.h"

/* Easy handles per client: enough for the three concurrent pre-checks. */
#define HTTP_SLOTS 3
/* Longest base URL accepted in the options. */
#define HTTP_MAX_URL 2048

struct ord_http_services {
    char *base_url[ORD_HTTP_SERVICE_COUNT];
    int64_t connect_timeout_ms[ORD_HTTP_SERVICE_COUNT];
    int64_t timeout_ms[ORD_HTTP_SERVICE_COUNT];
    ord_http_retry_options retry;
    size_t max_response_bytes;
    bool sequential_precheck;
    int64_t (*monotonic_ms)(void *clock_self);
    void *clock_self;
    http_breaker breakers[ORD_HTTP_SERVICE_COUNT];
    atomic_uint_fast64_t outcomes[ORD_HTTP_SERVICE_COUNT][ORD_HTTP_OUTCOME_COUNT];
    atomic_uint_fast64_t retries[ORD_HTTP_SERVICE_COUNT];
};

/* The body received so far by one easy handle. */
typedef struct http_buffer {
    char *data;
    size_t len, cap;
    size_t limit;   /* more is a contract error */
    bool too_large;
} http_buffer;

struct ord_http_client {
    ord_http_services *services;
    CURLM *multi;
    CURL *easy[HTTP_SLOTS];
    http_buffer body[HTTP_SLOTS];
    bool busy[HTTP_SLOTS];
    uint64_t rng; /* xorshift state: backoff jitter and span ids */
};

/* Milliseconds on the breakers' clock (injected or CLOCK_MONOTONIC). */
int64_t ord_http_breaker_now(const ord_http_services *services);
/* Milliseconds on CLOCK_MONOTONIC: deadlines and backoff. */
int64_t ord_http_monotonic_ms(void);
/* Uniform random number from the client's generator. */
uint64_t ord_http_random(ord_http_client *client);
void ord_http_count(ord_http_services *services, ord_http_service service, ord_http_outcome outcome);

/* ---- endpoints as data ---- */

/* What an encoder produces: path variables and an optional body. */
#define HTTP_MAX_VARS 2
typedef struct http_request {
    const char *var_names[HTTP_MAX_VARS];
    char *var_values[HTTP_MAX_VARS]; /* owned (malloc) */
    size_t var_count;
    const char *body;  /* sent as is; NULL for none */
    char *body_owned;  /* printed by cJSON (cJSON_free), or NULL */
} http_request;

/* Builds the request from the port's arguments: ORD_OK, ORD_EINVALID, ORD_ENOMEM. */
typedef ord_error (*http_encode_fn)(const void *args, http_request *request);
/* Reads one answer into out: ORD_OK, or ORD_ECONTRACT when it breaks the
 * contract. json is NULL for a decoder that reads no body. */
typedef ord_error (*http_decode_fn)(const cJSON *json, const void *args, void *out);

/* How to read one range of statuses. */
typedef struct http_decoder {
    int status_min, status_max;
    bool json;                /* the body must be JSON */
    ord_http_outcome outcome; /* SUCCESS, or REJECTED for a business refusal */
    http_decode_fn decode;    /* NULL: nothing to read */
} http_decoder;

/* One downstream endpoint, declared rather than coded. */
typedef struct http_endpoint {
    const char *name;
    ord_http_service service;
    const char *method;       /* "GET" or "POST" */
    const char *path;         /* appended to the base URL; {name} is a variable */
    bool retry_safe;          /* repeating it cannot do harm */
    const char *retry_reason; /* why it is safe (documentation) */
    http_encode_fn encode;
    const http_decoder *decoders;
    size_t decoder_count;
} http_endpoint;

extern const http_endpoint ord_http_ep_products;
extern const http_endpoint ord_http_ep_restrictions;
extern const http_endpoint ord_http_ep_eligibility;
extern const http_endpoint ord_http_ep_reserve;
extern const http_endpoint ord_http_ep_release;
extern const http_endpoint ord_http_ep_commit;
extern const http_endpoint ord_http_ep_shipment;
extern const http_endpoint ord_http_ep_event;

/* Set a path variable (copied). ORD_OK or ORD_ENOMEM. */
ord_error ord_http_request_var(http_request *request, const char *name, const char *value);
void ord_http_request_free(http_request *request);

/* ---- the engine ---- */

typedef enum http_call_state {
    HTTP_CALL_PENDING = 0, /* not started, or waiting out a backoff */
    HTTP_CALL_RUNNING,
    HTTP_CALL_DONE,
    HTTP_CALL_CANCELLED
} http_call_state;

/* Headers of a call (Accept, Expect, Content-Type, X-Request-Id,
 * traceparent) and the longest line of one. */
#define HTTP_HEADERS 5
#define HTTP_HEADER_SIZE 300

/* One call of an endpoint. The caller fills the first four fields. */
typedef struct http_call {
    const http_endpoint *endpoint;
    const void *args;
    void *out;
    /* true when out holds a decided business "no" that ends a fail-fast
     * batch (restricted, ineligible, unknown products); may be NULL. */
    bool (*stops_batch)(const void *out);

    /* Set by the engine. */
    ord_error result;
    ord_http_outcome outcome;
    http_call_state state;
    int attempts;
    int slot;
    int64_t deadline_ms, next_at_ms;
    http_permit permit;
    char *url;
    struct curl_slist *headers; /* &header_nodes[0]: built in the call, nothing to free */
    struct curl_slist header_nodes[HTTP_HEADERS];
    char header_text[HTTP_HEADERS][HTTP_HEADER_SIZE];
    http_request request;
} http_call;

/*
 * Run calls concurrently on the client's multi handle (at most HTTP_SLOTS).
 * With fail_fast, the first call that fails or stops the batch cancels the
 * others. Returns ORD_OK when every call that ran succeeded (see each
 * call's result and out), else the first failure's error; *decisive
 * receives the index of the call that failed or stopped the batch first, or
 * SIZE_MAX.
 */
ord_error ord_http_run(ord_http_client *client, const ord_call_context *ctx, http_call *calls,
                       size_t count, bool fail_fast, size_t *decisive);

/* ---- transfer.c: one attempt on one easy handle ---- */
/* Set the options a slot's calls share, once, on its new easy handle. */
ord_error ord_http_transfer_init(ord_http_client *client, int slot);
/* Configure the slot's easy handle for the call's next attempt. */
ord_error ord_http_transfer_setup(ord_http_client *client, http_call *call, int64_t timeout_ms);
/* Classify a finished attempt: sets call->outcome and returns the error it
 * means (decoding the body into call->out on success). *retryable says
 * whether a repeat could help. */
ord_error ord_http_transfer_finish(ord_http_client *client, http_call *call, CURLcode code,
                                   bool *retryable);
/* Read one answer of @p ep: its status and body (@p len bytes, need not be
 * NUL-terminated; NULL with 0) decoded into @p out with @p args, or how it
 * breaks the contract. Sets *outcome and *retryable (whether a repeat could
 * help); returns ORD_OK, ORD_ECONTRACT or ORD_EUNAVAILABLE (a 5xx). */
ord_error ord_http_read_answer(const http_endpoint *ep, long status, const char *body, size_t len,
                               const void *args, void *out, ord_http_outcome *outcome,
                               bool *retryable);

/* ---- trace.c ---- */
#define HTTP_TRACEPARENT_SIZE 56
/* A traceparent for an outgoing call: the caller's trace id and flags with a
 * new span id, or a new trace when the caller sent none (or a bad one). */
void ord_http_traceparent(ord_http_client *client, const char *incoming,
                          char out[HTTP_TRACEPARENT_SIZE]);
/* Whether an X-Request-Id value can be passed on safely (no header injection). */
bool ord_http_request_id_ok(const char *request_id);

/* ---- json_value.c: reading untrusted JSON ---- */
/* Parse exactly len bytes as one JSON value; NULL when it is not. */
cJSON *ord_http_json_parse(const char *text, size_t len);
/* A whole number in [min, max], exactly representable. */
bool ord_http_json_int(const cJSON *item, int64_t min, int64_t max, int64_t *out);
/* A price: a JSON number >= 0 with at most the currency's decimals. */
ord_error ord_http_json_money(const cJSON *number, const char *currency, ord_money *out);

#endif

/* API Gateway events to the API's requests and its responses back: REST API
 * proxy events (payload 1.0) and HTTP API events (payload 2.0). Only
 * translation lives here; every endpoint is the REST adapter's. */
#ifndef ORDER_LAMBDA_EVENT_H
#define ORDER_LAMBDA_EVENT_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include <orders/adapters/rest/message.h>

/* Most headers (and cookies) one event may carry; API Gateway allows far
 * fewer. */
#define LAM_MAX_HEADERS 256

/* What an event is. */
typedef enum lam_event_kind {
    LAM_EVENT_UNKNOWN = 0,
    LAM_EVENT_HTTP_V1,  /* httpMethod, path, multiValueHeaders, queryStringParameters... */
    LAM_EVENT_HTTP_V2,  /* version "2.0": rawPath, rawQueryString, cookies... */
    LAM_EVENT_SCHEDULE  /* EventBridge: source "aws.events", detail-type "Scheduled Event" */
} lam_event_kind;

lam_event_kind lam_event_kind_of(const cJSON *event);

/* A request taken from an HTTP event. */
typedef struct lam_http_request {
    ord_rest_request req; /* for ord_rest_api_handle(): points into the event and below */
    lam_event_kind kind;
    bool head;            /* a HEAD request: the answer carries no body */
    const cJSON *claims;  /* requestContext.authorizer's claims (borrowed from the
                             event), or NULL when the gateway verified none */
    const cJSON *scopes;  /* payload 2.0 JWT authorizer's scopes array, or NULL */
    /* Storage. */
    ord_rest_header *headers;
    char **owned;
    size_t owned_count, owned_cap;
} lam_http_request;

typedef enum lam_event_status {
    LAM_EVENT_OK = 0,
    LAM_EVENT_MALFORMED = 1, /* *why names the problem (static text) */
    LAM_EVENT_NOMEM = 2
} lam_event_status;

/* Fill @p out from @p event, an HTTP event of @p kind. @p event must
 * outlive @p out. On failure @p out holds nothing to free. */
lam_event_status lam_http_request_read(lam_http_request *out, const cJSON *event,
                                       lam_event_kind kind, const char **why);

void lam_http_request_free(lam_http_request *r);

/* The answer API Gateway expects for @p response, as JSON text (free with
 * cJSON_free()): statusCode, headers, and multiValueHeaders (payload 1.0)
 * or cookies (2.0), body and isBase64Encoded (a body that is not UTF-8
 * text travels in base64). NULL when memory ran out. */
char *lam_http_answer(const ord_rest_response *response, const lam_http_request *request,
                      size_t *len);

#endif

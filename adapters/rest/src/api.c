/* The API pipeline: request id, routing (404/405), authentication, body
 * limits (413), content type (415), JSON parsing (400), the thread's
 * service, the route's handler, then metrics and the access log line. */
#include <orders/adapters/rest/api.h>

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "call.h"
#include "limiter.h"
#include "request_id.h"

extern const char ord_rest_openapi_text[];
extern const size_t ord_rest_openapi_length;

#define DEFAULT_RETRY_AFTER_SECONDS 5

ord_error ord_rest_api_new(ord_rest_api **out, const ord_rest_api_config *config)
{
    if (out == NULL)
        return ORD_EINVALID;
    *out = NULL;
    if (config == NULL || config->version < 1 || config->version > ORD_REST_API_CONFIG_VERSION ||
        config->service == NULL || config->authenticator.ops == NULL ||
        config->authenticator.ops->version < 1 ||
        config->authenticator.ops->version > ORD_REST_AUTHENTICATOR_VERSION ||
        config->authenticator.ops->authenticate == NULL || config->retry_after_seconds < 0)
        return ORD_EINVALID;
    ord_rest_api *api = calloc(1, sizeof *api);
    if (api == NULL)
        return ORD_ENOMEM;
    /* An older config ends before the fields its version lacks. */
    size_t known = config->version == 1   ? offsetof(ord_rest_api_config, metrics_need_admin)
                   : config->version == 2 ? offsetof(ord_rest_api_config, rate_limit_per_second)
                                          : sizeof *config;
    memcpy(&api->config, config, known);
    api->config.version = ORD_REST_API_CONFIG_VERSION;
    if (api->config.retry_after_seconds == 0)
        api->config.retry_after_seconds = DEFAULT_RETRY_AFTER_SECONDS;
    const ord_rest_api_config *c = &api->config;
    if (c->rate_limit_per_second < 0 || c->rate_limit_burst < 0 || c->auth_failures_per_minute < 0) {
        free(api);
        return ORD_EINVALID;
    }
    if (c->rate_limit_per_second > 0)
        api->requests = ord_rest_limiter_new(c->rate_limit_per_second,
                                             c->rate_limit_burst > 0 ? c->rate_limit_burst
                                                                     : 2 * c->rate_limit_per_second);
    if (c->auth_failures_per_minute > 0)
        api->failures = ord_rest_limiter_new(c->auth_failures_per_minute / 60.0,
                                             c->auth_failures_per_minute);
    if ((c->rate_limit_per_second > 0 && api->requests == NULL) ||
        (c->auth_failures_per_minute > 0 && api->failures == NULL)) {
        ord_rest_api_free(api);
        return ORD_ENOMEM;
    }
    *out = api;
    return ORD_OK;
}

void ord_rest_api_free(ord_rest_api *api)
{
    if (api == NULL)
        return;
    const ord_rest_authenticator *auth = &api->config.authenticator;
    if (auth->ops != NULL && auth->ops->free != NULL)
        auth->ops->free(auth->self);
    ord_rest_limiter_free(api->requests);
    ord_rest_limiter_free(api->failures);
    free(api);
}

const char *ord_rest_api_auth_name(const ord_rest_api *api)
{
    if (api == NULL || api->config.authenticator.ops->name == NULL)
        return "unknown";
    return api->config.authenticator.ops->name;
}

const char *ord_rest_openapi_document(size_t *len)
{
    if (len != NULL)
        *len = ord_rest_openapi_length;
    return ord_rest_openapi_text;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* application/json, with optional parameters (charset=utf-8). */
static bool is_json_content_type(const char *value)
{
    if (value == NULL)
        return false;
    while (*value == ' ')
        value++;
    static const char json[] = "application/json";
    size_t n = sizeof json - 1;
    if (strncasecmp(value, json, n) != 0)
        return false;
    const char *rest = value + n;
    while (*rest == ' ')
        rest++;
    return *rest == '\0' || *rest == ';';
}

static bool is_traceparent(const char *text)
{
    static const char shape[] = "xx-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx-xxxxxxxxxxxxxxxx-xx";
    if (strlen(text) != sizeof shape - 1)
        return false;
    for (size_t i = 0; shape[i] != '\0'; i++) {
        char ch = text[i];
        bool hex = (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f');
        if (shape[i] == '-' ? ch != '-' : !hex)
            return false;
    }
    return true;
}

static void take_request_id(rest_call *c)
{
    const char *incoming = ord_rest_request_header(c->req, "X-Request-Id");
    if (incoming != NULL && ord_rest_request_id_is_valid(incoming)) {
        strncpy(c->request_id, incoming, sizeof c->request_id - 1);
        c->request_id[sizeof c->request_id - 1] = '\0';
    } else {
        ord_rest_request_id_generate(c->request_id, sizeof c->request_id);
    }
    c->trace.request_id = c->request_id;
    /* Passed on to downstream calls as a header: only a well-formed W3C
     * traceparent (version-traceid-parentid-flags, lower-case hex). */
    const char *tp = ord_rest_request_header(c->req, "traceparent");
    c->trace.traceparent = tp != NULL && is_traceparent(tp) ? tp : NULL;
}

static bool authenticate(rest_call *c)
{
    if (c->req->principal != NULL) {
        c->who = c->req->principal;
        return true;
    }
    const ord_rest_authenticator *auth = &c->api->config.authenticator;
    memset(&c->auth, 0, sizeof c->auth);
    auth->ops->authenticate(auth->self, c->req->headers, c->req->headers != NULL ? c->req->header_count : 0,
                            &c->auth);
    if (c->auth.status == 0) {
        c->who = &c->auth.principal;
        return true;
    }
    /* Nobody signed in: routes open to guests serve a guest, who can only
     * reach drafts it proves with a guest token. A refused token is never
     * downgraded to a guest. */
    if ((c->route->flags & REST_ALLOWS_GUEST) && auth->ops->version >= 2 && c->auth.anonymous) {
        memset(&c->auth.principal, 0, sizeof c->auth.principal);
        c->auth.principal.kind = ORD_PRINCIPAL_GUEST;
        c->who = &c->auth.principal;
        return true;
    }
    const char *title = c->auth.title != NULL ? c->auth.title : "Unauthorized";
    const char *detail = c->auth.detail != NULL ? c->auth.detail : "Authentication is required";
    /* A caller the authenticator knows but refuses is 403; anything else 401. */
    if (c->auth.status == 403) {
        ord_rest_problem(c, 403, REST_PROBLEM_FORBIDDEN, title, detail);
        return false;
    }
    ord_rest_problem(c, 401, REST_PROBLEM_UNAUTHORIZED, title, detail);
    ord_rest_set_header(c, "WWW-Authenticate", c->auth.challenge != NULL ? c->auth.challenge : "Bearer");
    return false;
}

/* The client's address: the peer's, or behind the trusted proxy the last
 * entry of X-Forwarded-For (the one that proxy appended). NULL: unknown. */
static const char *client_address(rest_call *c, char *buf, size_t cap)
{
    const char *peer = c->req->remote_addr;
    const char *proxy = c->api->config.trusted_proxy;
    if (peer == NULL || proxy == NULL || strcmp(peer, proxy) != 0)
        return peer;
    const char *forwarded = ord_rest_request_header(c->req, "X-Forwarded-For");
    if (forwarded == NULL)
        return peer;
    const char *last = strrchr(forwarded, ',');
    last = last != NULL ? last + 1 : forwarded;
    while (*last == ' ' || *last == '\t')
        last++;
    size_t n = strcspn(last, " \t");
    if (n == 0 || n >= cap)
        return peer;
    memcpy(buf, last, n);
    buf[n] = '\0';
    return buf;
}

static void refuse_too_many(rest_call *c, double wait_s, const char *detail)
{
    ord_rest_problem(c, 429, REST_PROBLEM_TOO_MANY_REQUESTS, "Too many requests", detail);
    int seconds = (int)wait_s + 1;
    ord_rest_set_headerf(c, "Retry-After", "%d", seconds > 3600 ? 3600 : seconds);
}

/* An address that collected too many 401s lately (refused tokens, wrong
 * guest tokens) is refused before its credentials are even looked at:
 * guessing tokens, and making the server verify signatures in bulk, stops
 * there. */
static bool refuse_failing_address(rest_call *c)
{
    char buf[64];
    const char *address = client_address(c, buf, sizeof buf);
    if (c->api->failures == NULL || address == NULL)
        return true;
    char key[96];
    snprintf(key, sizeof key, "addr:%s", address);
    double wait_s = 0;
    if (ord_rest_limiter_has(c->api->failures, key, now_seconds(), &wait_s))
        return true;
    refuse_too_many(c, wait_s, "Too many failed authentication attempts from this address");
    return false;
}

/* A token bucket per client: the customer, the admin's subject, or the
 * address of a guest (and of everyone when authentication is off, where
 * every caller is the same admin). */
static bool rate_limit(rest_call *c)
{
    if (c->api->requests == NULL)
        return true;
    char buf[64];
    char key[96];
    bool auth_off = strcmp(ord_rest_api_auth_name(c->api), "off") == 0;
    if (c->who->kind == ORD_PRINCIPAL_CUSTOMER && !auth_off) {
        snprintf(key, sizeof key, "customer:%lld", (long long)c->who->customer_id);
    } else if (c->who->kind == ORD_PRINCIPAL_ADMIN && !auth_off && c->who->subject != NULL) {
        snprintf(key, sizeof key, "admin:%s", c->who->subject);
    } else {
        const char *address = client_address(c, buf, sizeof buf);
        if (address == NULL)
            return true;
        snprintf(key, sizeof key, "addr:%s", address);
    }
    double wait_s = 0;
    if (ord_rest_limiter_take(c->api->requests, key, now_seconds(), &wait_s))
        return true;
    refuse_too_many(c, wait_s, "This client sends requests faster than the server allows");
    return false;
}

/* After the answer: a 401 counts against the address. */
static void note_failure(rest_call *c)
{
    char buf[64];
    const char *address = client_address(c, buf, sizeof buf);
    if (c->api->failures == NULL || address == NULL || c->status != 401)
        return;
    char key[96];
    snprintf(key, sizeof key, "addr:%s", address);
    (void)ord_rest_limiter_take(c->api->failures, key, now_seconds(), NULL);
}

/* Routes for admins only. */
static bool require_admin(rest_call *c)
{
    if (c->who->kind == ORD_PRINCIPAL_ADMIN)
        return true;
    ord_rest_problem_insufficient_scope(c, "This resource needs the admin scope");
    return false;
}

/* GET /metrics: open, or for admins only when the API says so. */
static bool admin_when_asked(rest_call *c)
{
    if (!c->api->config.metrics_need_admin)
        return true;
    return authenticate(c) && require_admin(c);
}

static bool body_fits(rest_call *c)
{
    if (c->req->body_too_large || (c->req->body != NULL && c->req->body_len > ORD_REST_MAX_BODY_BYTES)) {
        ord_rest_problem(c, 413, REST_PROBLEM_PAYLOAD_TOO_LARGE,
                         "Payload too large", "The request body exceeds 64 KiB");
        return false;
    }
    return true;
}

static bool read_json_body(rest_call *c)
{
    if (!is_json_content_type(ord_rest_request_header(c->req, "Content-Type"))) {
        ord_rest_problem(c, 415, REST_PROBLEM_UNSUPPORTED_MEDIA_TYPE,
                         "Unsupported media type", "The body must be application/json");
        return false;
    }
    const char *body = c->req->body;
    size_t len = c->req->body != NULL ? c->req->body_len : 0;
    if (len == 0) {
        ord_rest_problem(c, 400, REST_PROBLEM_MALFORMED_JSON,
                         "Malformed JSON", "The request body is empty");
        return false;
    }
    const char *refused = ord_rest_json_scan(body, len);
    if (refused != NULL) {
        ord_rest_problem(c, 400, REST_PROBLEM_MALFORMED_JSON, "Malformed JSON", refused);
        return false;
    }
    const char *end = NULL;
    c->json = cJSON_ParseWithLengthOpts(body, len, &end, false);
    bool trailing = false;
    if (c->json != NULL && end != NULL) {
        for (const char *p = end; p < body + len; p++) {
            if (*p != ' ' && *p != '\t' && *p != '\r' && *p != '\n') {
                trailing = true;
                break;
            }
        }
    }
    if (c->json == NULL || trailing) {
        ord_rest_problem(c, 400, REST_PROBLEM_MALFORMED_JSON,
                         "Malformed JSON", "The request body is not valid JSON");
        return false;
    }
    if (!cJSON_IsObject(c->json)) {
        ord_rest_problem(c, 400, REST_PROBLEM_MALFORMED_JSON,
                         "Malformed JSON", "The request body must be a JSON object");
        return false;
    }
    bool failed = false;
    bool duplicate = ord_rest_json_has_duplicate_member(c->json, &failed);
    if (failed) {
        c->oom = true;
        ord_rest_problem_internal(c);
        return false;
    }
    if (duplicate) {
        ord_rest_problem(c, 400, REST_PROBLEM_MALFORMED_JSON,
                         "Malformed JSON", "An object in the request body names a member twice");
        return false;
    }
    return true;
}

static bool bind_service(rest_call *c)
{
    c->svc = c->api->config.service(c->api->config.service_ctx, c->req->thread_data);
    if (c->svc == NULL) {
        ord_rest_problem_unavailable(c, "Service unavailable", "The service is not ready; retry later");
        return false;
    }
    return true;
}

/* What a request passes between routing and its handler, in this order. A
 * stage runs for the routes whose flags hold its flag (0: for every route)
 * and answers the request itself when it returns false. This table is also
 * what tests/rest/openapi_statuses.py reads to learn which statuses each
 * route's stages can answer. */
static const struct {
    unsigned flag;
    bool (*run)(rest_call *c);
} STAGES[] = {
    {REST_NEEDS_AUTH, refuse_failing_address},
    {REST_NEEDS_AUTH, authenticate},
    {REST_NEEDS_AUTH, rate_limit},
    {REST_NEEDS_ADMIN, require_admin},
    {REST_NEEDS_ADMIN_WHEN_ASKED, admin_when_asked},
    {0, body_fits},
    {REST_NEEDS_BODY, read_json_body},
    {REST_NEEDS_SERVICE, bind_service},
};

static void dispatch(rest_call *c)
{
    const char *allow = NULL;
    int status = ord_rest_route_match(c, &allow);
    if (status == 404) {
        ord_rest_problem(c, 404, REST_PROBLEM_NOT_FOUND, "Not found", "No such resource");
        return;
    }
    if (status == 405) {
        ord_rest_problem(c, 405, REST_PROBLEM_METHOD_NOT_ALLOWED,
                         "Method not allowed", "This resource does not support the method");
        ord_rest_set_header(c, "Allow", allow);
        return;
    }
    if (status != 0) {
        ord_rest_problem_internal(c);
        return;
    }
    unsigned flags = c->route->flags;
    for (size_t i = 0; i < sizeof STAGES / sizeof STAGES[0]; i++) {
        bool applies = STAGES[i].flag == 0 || (flags & STAGES[i].flag) != 0;
        if (applies && !STAGES[i].run(c))
            return;
    }
    c->route->handler(c);
}

static const char *method_label(const char *method)
{
    static const char *const known[] = {"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"};
    for (size_t i = 0; method != NULL && i < sizeof known / sizeof known[0]; i++) {
        if (strcmp(method, known[i]) == 0)
            return known[i];
    }
    return "OTHER";
}

static void release_call(rest_call *c)
{
    for (size_t i = 0; i < c->header_count; i++) {
        free((char *)c->headers[i].name);
        free((char *)c->headers[i].value);
    }
    free(c->headers);
    ord_json_writer_free(&c->body);
    cJSON_Delete(c->json);
    ord_rest_arena_free(&c->arena);
}

ord_error ord_rest_api_handle(ord_rest_api *api, const ord_rest_request *request,
                              ord_rest_response *out)
{
    if (out == NULL)
        return ORD_EINVALID;
    memset(out, 0, sizeof *out);
    out->route = REST_UNMATCHED_ROUTE;
    if (api == NULL || request == NULL) {
        out->status = 500;
        return ORD_EINVALID;
    }
    double started = now_seconds();
    rest_call c;
    memset(&c, 0, sizeof c);
    c.api = api;
    c.req = request;
    size_t route_count = 0;
    ord_rest_route_table(&route_count);
    c.route_index = route_count;
    c.status = 500;
    take_request_id(&c);

    dispatch(&c);
    note_failure(&c);

    /* The body of a request we refused unread must not be taken for the
     * next request on a kept-alive connection. */
    if (request->body_too_large)
        c.close_connection = true;
    ord_rest_set_header(&c, "X-Request-Id", c.request_id);
    const char *method = method_label(request->method);
    const char *route = c.route != NULL ? c.route->path : REST_UNMATCHED_ROUTE;
    ord_error result = ORD_OK;
    if (c.oom || c.body.failed) {
        result = ORD_ENOMEM;
        out->status = 500;
    } else {
        out->status = c.status;
        out->body = ord_json_take(&c.body, &out->body_len);
        if (out->body == NULL) {
            result = ORD_ENOMEM;
            out->status = 500;
        } else {
            out->headers = c.headers;
            out->header_count = c.header_count;
            c.headers = NULL;
            c.header_count = 0;
        }
    }
    out->route = route;
    out->close_connection = c.close_connection;
    double seconds = now_seconds() - started;
    if (api->config.metrics != NULL)
        ord_rest_metrics_record(api->config.metrics, method, c.route_index, out->status, seconds);
    ord_rest_access_log(api->config.access_log, c.request_id, method, route, out->status, seconds);
    release_call(&c);
    return result;
}

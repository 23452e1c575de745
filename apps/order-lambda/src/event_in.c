/* HTTP events to ord_rest_request: method, path, query, headers (and
 * cookies), body (base64 when flagged), the gateway's request id and the
 * claims its authorizer verified. A member of the wrong type makes the
 * event malformed: API Gateway never sends one, so something else did. */
#include "event.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <orders/support/base64.h>

#define MAX_PATH_BYTES 8192

static const char hex[] = "0123456789ABCDEF";

static bool is_string(const cJSON *item)
{
    return cJSON_IsString(item) && item->valuestring != NULL;
}

/* Absent and null members are the same: API Gateway writes null for an
 * empty map. */
static const cJSON *member(const cJSON *obj, const char *name)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, name);
    return cJSON_IsNull(item) ? NULL : item;
}

lam_event_kind lam_event_kind_of(const cJSON *event)
{
    if (!cJSON_IsObject(event))
        return LAM_EVENT_UNKNOWN;
    const cJSON *version = member(event, "version");
    const cJSON *context = member(event, "requestContext");
    if (is_string(version) && strcmp(version->valuestring, "2.0") == 0 &&
        cJSON_IsObject(member(context, "http")))
        return LAM_EVENT_HTTP_V2;
    if (member(event, "httpMethod") != NULL && member(event, "path") != NULL)
        return LAM_EVENT_HTTP_V1;
    const cJSON *source = member(event, "source");
    const cJSON *type = member(event, "detail-type");
    if (is_string(source) && strcmp(source->valuestring, "aws.events") == 0 && is_string(type) &&
        strcmp(type->valuestring, "Scheduled Event") == 0)
        return LAM_EVENT_SCHEDULE;
    return LAM_EVENT_UNKNOWN;
}

/* Remember an allocation of the request; false (and @p p freed) when the
 * list cannot grow. */
static bool keep(lam_http_request *r, char *p)
{
    if (p == NULL)
        return false;
    if (r->owned_count == r->owned_cap) {
        size_t cap = r->owned_cap == 0 ? 8 : r->owned_cap * 2;
        char **bigger = realloc(r->owned, cap * sizeof *bigger);
        if (bigger == NULL) {
            free(p);
            return false;
        }
        r->owned = bigger;
        r->owned_cap = cap;
    }
    r->owned[r->owned_count++] = p;
    return true;
}

void lam_http_request_free(lam_http_request *r)
{
    for (size_t i = 0; i < r->owned_count; i++)
        free(r->owned[i]);
    free(r->owned);
    free(r->headers);
    memset(r, 0, sizeof *r);
}

/* The state of one reading: the request and the first problem. */
typedef struct reader {
    lam_http_request *r;
    lam_event_status status;
    const char *why;
} reader;

static bool malformed(reader *rd, const char *why)
{
    if (rd->status == LAM_EVENT_OK) {
        rd->status = LAM_EVENT_MALFORMED;
        rd->why = why;
    }
    return false;
}

static bool nomem(reader *rd)
{
    rd->status = LAM_EVENT_NOMEM;
    rd->why = "out of memory";
    return false;
}

static bool add_header(reader *rd, const char *name, const char *value)
{
    lam_http_request *r = rd->r;
    if (name[0] == '\0')
        return malformed(rd, "a header has an empty name");
    if (r->req.header_count == LAM_MAX_HEADERS)
        return malformed(rd, "too many headers");
    r->headers[r->req.header_count++] = (ord_rest_header){name, value};
    return true;
}

/* "headers": {"Name": "value"}; each value is one header. */
static bool read_single_headers(reader *rd, const cJSON *map)
{
    if (map == NULL)
        return true;
    if (!cJSON_IsObject(map))
        return malformed(rd, "headers is not an object");
    const cJSON *h;
    cJSON_ArrayForEach(h, map) {
        if (!is_string(h))
            return malformed(rd, "a header value is not a string");
        if (!add_header(rd, h->string, h->valuestring))
            return false;
    }
    return true;
}

/* "multiValueHeaders": {"Name": ["a", "b"]}; every value is a header. */
static bool read_multi_headers(reader *rd, const cJSON *map)
{
    if (!cJSON_IsObject(map))
        return malformed(rd, "multiValueHeaders is not an object");
    const cJSON *h;
    cJSON_ArrayForEach(h, map) {
        if (cJSON_IsNull(h))
            continue;
        if (!cJSON_IsArray(h))
            return malformed(rd, "a multiValueHeaders entry is not an array");
        const cJSON *v;
        cJSON_ArrayForEach(v, h) {
            if (!is_string(v))
                return malformed(rd, "a header value is not a string");
            if (!add_header(rd, h->string, v->valuestring))
                return false;
        }
    }
    return true;
}

/* Percent-encode everything but RFC 3986's unreserved characters, so the
 * API decodes exactly the value API Gateway decoded. */
static void put_encoded(char *out, size_t *n, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '.' || *p == '_' || *p == '~') {
            out[(*n)++] = (char)*p;
        } else {
            out[(*n)++] = '%';
            out[(*n)++] = hex[*p >> 4];
            out[(*n)++] = hex[*p & 15];
        }
    }
}

/* One "name=value" pair of the query; with @p out NULL only counts. */
static size_t put_pair(char *out, size_t n, const char *name, const char *value)
{
    if (out == NULL)
        return n + (n > 0 ? 1 : 0) + 3 * strlen(name) + 1 + 3 * strlen(value);
    if (n > 0)
        out[n++] = '&';
    put_encoded(out, &n, name);
    out[n++] = '=';
    put_encoded(out, &n, value);
    return n;
}

/* Payload 1.0 gives the query decoded, as maps: written back as a query
 * string (multiValueQueryStringParameters when present, as it has every
 * value). Two passes: size, then text. */
static bool read_query_maps(reader *rd, const cJSON *event)
{
    const cJSON *multi = member(event, "multiValueQueryStringParameters");
    const cJSON *single = member(event, "queryStringParameters");
    const cJSON *map = multi != NULL ? multi : single;
    if (map == NULL)
        return true;
    if (!cJSON_IsObject(map))
        return malformed(rd, "the query parameters are not an object");
    char *text = NULL;
    for (int pass = 0; pass < 2; pass++) {
        size_t n = 0;
        const cJSON *p;
        cJSON_ArrayForEach(p, map) {
            if (map == multi && cJSON_IsArray(p)) {
                const cJSON *v;
                cJSON_ArrayForEach(v, p) {
                    if (!is_string(v))
                        return malformed(rd, "a query value is not a string");
                    n = put_pair(text, n, p->string, v->valuestring);
                }
            } else if (is_string(p)) {
                n = put_pair(text, n, p->string, p->valuestring);
            } else if (!cJSON_IsNull(p)) {
                return malformed(rd, "a query value is not a string");
            }
        }
        if (pass == 0) {
            text = malloc(n + 1);
            if (!keep(rd->r, text))
                return nomem(rd);
        } else {
            text[n] = '\0';
        }
    }
    rd->r->req.query = text[0] != '\0' ? text : NULL;
    return true;
}

static bool read_body(reader *rd, const cJSON *event)
{
    const cJSON *body = member(event, "body");
    const cJSON *flag = member(event, "isBase64Encoded");
    if (body == NULL)
        return true;
    if (!is_string(body))
        return malformed(rd, "body is not a string");
    if (flag != NULL && !cJSON_IsBool(flag))
        return malformed(rd, "isBase64Encoded is not a boolean");
    const char *data = body->valuestring;
    size_t len = strlen(data);
    if (cJSON_IsTrue(flag)) {
        unsigned char *decoded = NULL;
        ord_base64_result rc =
            ord_base64_decode(data, len, ORD_BASE64_STANDARD, SIZE_MAX, &decoded, &len);
        if (rc != ORD_BASE64_OK)
            return rc == ORD_BASE64_NO_MEMORY ? nomem(rd)
                                              : malformed(rd, "body is flagged base64 but is not");
        if (!keep(rd->r, (char *)decoded))
            return nomem(rd);
        data = (const char *)decoded;
    }
    if (len > ORD_REST_MAX_BODY_BYTES) {
        rd->r->req.body_too_large = true; /* the API answers 413 */
        return true;
    }
    rd->r->req.body = data;
    rd->r->req.body_len = len;
    return true;
}

/* The gateway's request id as an X-Request-Id, unless the caller sent one:
 * in the characters the API echoes ([A-Za-z0-9._:-], at most 64), with an
 * HTTP API's base64 id spelt base64url ('+' '-', '/' '_', no '='). */
static bool add_request_id(reader *rd, const cJSON *context)
{
    lam_http_request *r = rd->r;
    const cJSON *id = member(context, "requestId");
    if (!is_string(id) || ord_rest_request_header(&r->req, "X-Request-Id") != NULL)
        return true;
    char *text = malloc(65);
    if (!keep(r, text))
        return nomem(rd);
    size_t n = 0;
    for (const char *p = id->valuestring; *p != '\0' && n < 64; p++) {
        char ch = *p == '+' ? '-' : *p == '/' ? '_' : *p;
        bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                  ch == '.' || ch == '_' || ch == ':' || ch == '-';
        if (ok)
            text[n++] = ch;
    }
    text[n] = '\0';
    return n == 0 || add_header(rd, "X-Request-Id", text);
}

/* requestContext.authorizer.claims (REST API with a Cognito authorizer) or
 * requestContext.authorizer.jwt.claims and .scopes (HTTP API with a JWT
 * authorizer). A Lambda authorizer's context has neither: no claims. */
static bool read_claims(reader *rd, const cJSON *context)
{
    const cJSON *auth = member(context, "authorizer");
    if (auth == NULL)
        return true;
    if (!cJSON_IsObject(auth))
        return malformed(rd, "requestContext.authorizer is not an object");
    const cJSON *claims = member(auth, "claims");
    const cJSON *jwt = member(auth, "jwt");
    if (jwt != NULL) {
        if (!cJSON_IsObject(jwt))
            return malformed(rd, "requestContext.authorizer.jwt is not an object");
        if (claims == NULL)
            claims = member(jwt, "claims");
        const cJSON *scopes = member(jwt, "scopes");
        if (scopes != NULL && !cJSON_IsArray(scopes))
            return malformed(rd, "requestContext.authorizer.jwt.scopes is not an array");
        rd->r->scopes = scopes;
    }
    if (claims != NULL && !cJSON_IsObject(claims))
        return malformed(rd, "the authorizer's claims are not an object");
    rd->r->claims = claims;
    return true;
}

static bool method_ok(const char *m)
{
    size_t len = strlen(m);
    if (len == 0 || len > 16)
        return false;
    for (const char *p = m; *p != '\0'; p++)
        if (*p < 'A' || *p > 'Z')
            return false;
    return true;
}

/* An HTTP API on a stage other than $default puts the stage in front of
 * the path ("/prod/api/v1/orders"); the API's routes start after it. */
static const char *without_stage(const char *path, const cJSON *context)
{
    const cJSON *stage = member(context, "stage");
    if (!is_string(stage) || strcmp(stage->valuestring, "$default") == 0)
        return path;
    size_t n = strlen(stage->valuestring);
    if (n > 0 && path[0] == '/' && strncmp(path + 1, stage->valuestring, n) == 0 &&
        path[n + 1] == '/')
        return path + n + 1;
    return path;
}

/* The path as the API takes it: still percent-encoded. Payload 1.0 gives
 * it decoded, so what cannot stand in a path (blanks, controls, '?', '#',
 * bytes beyond ASCII) is encoded again; NULL (with *why set) when it is not
 * an absolute path. */
static const char *read_path(reader *rd, const cJSON *item, const cJSON *context)
{
    if (!is_string(item) || item->valuestring[0] != '/' ||
        strlen(item->valuestring) > MAX_PATH_BYTES) {
        malformed(rd, "the path is not an absolute path");
        return NULL;
    }
    const char *path = context != NULL ? without_stage(item->valuestring, context)
                                       : item->valuestring;
    size_t extra = 0;
    for (const unsigned char *p = (const unsigned char *)path; *p != '\0'; p++)
        if (*p <= 0x20 || *p >= 0x7f || *p == '?' || *p == '#')
            extra += 2;
    if (extra == 0)
        return path;
    char *text = malloc(strlen(path) + extra + 1);
    if (!keep(rd->r, text)) {
        nomem(rd);
        return NULL;
    }
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)path; *p != '\0'; p++) {
        if (*p <= 0x20 || *p >= 0x7f || *p == '?' || *p == '#') {
            text[n++] = '%';
            text[n++] = hex[*p >> 4];
            text[n++] = hex[*p & 15];
        } else {
            text[n++] = (char)*p;
        }
    }
    text[n] = '\0';
    return text;
}

static bool read_v1(reader *rd, const cJSON *event)
{
    lam_http_request *r = rd->r;
    const cJSON *method = member(event, "httpMethod");
    if (!is_string(method) || !method_ok(method->valuestring))
        return malformed(rd, "httpMethod is not an HTTP method");
    r->req.method = method->valuestring;
    r->req.path = read_path(rd, member(event, "path"), NULL);
    if (r->req.path == NULL)
        return false;
    const cJSON *multi = member(event, "multiValueHeaders");
    bool ok = multi != NULL ? read_multi_headers(rd, multi)
                            : read_single_headers(rd, member(event, "headers"));
    return ok && read_query_maps(rd, event);
}

/* Payload 2.0 keeps cookies apart: one Cookie header again. */
static bool read_cookies(reader *rd, const cJSON *cookies)
{
    if (cookies == NULL)
        return true;
    if (!cJSON_IsArray(cookies))
        return malformed(rd, "cookies is not an array");
    size_t len = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, cookies) {
        if (!is_string(c))
            return malformed(rd, "a cookie is not a string");
        len += strlen(c->valuestring) + 2;
    }
    if (len == 0)
        return true;
    char *text = malloc(len + 1);
    if (!keep(rd->r, text))
        return nomem(rd);
    size_t n = 0;
    cJSON_ArrayForEach(c, cookies) {
        n += (size_t)sprintf(text + n, "%s%s", n > 0 ? "; " : "", c->valuestring);
    }
    return add_header(rd, "Cookie", text);
}

static bool read_v2(reader *rd, const cJSON *event)
{
    lam_http_request *r = rd->r;
    const cJSON *context = member(event, "requestContext");
    const cJSON *method = member(member(context, "http"), "method");
    const cJSON *query = member(event, "rawQueryString");
    if (!is_string(method) || !method_ok(method->valuestring))
        return malformed(rd, "requestContext.http.method is not an HTTP method");
    if (query != NULL && (!is_string(query) || strlen(query->valuestring) > MAX_PATH_BYTES))
        return malformed(rd, "rawQueryString is not a string");
    r->req.method = method->valuestring;
    r->req.path = read_path(rd, member(event, "rawPath"), context);
    if (r->req.path == NULL)
        return false;
    r->req.query = query != NULL && query->valuestring[0] != '\0' ? query->valuestring : NULL;
    return read_single_headers(rd, member(event, "headers")) &&
           read_cookies(rd, member(event, "cookies"));
}

lam_event_status lam_http_request_read(lam_http_request *out, const cJSON *event,
                                       lam_event_kind kind, const char **why)
{
    memset(out, 0, sizeof *out);
    out->kind = kind;
    reader rd = {out, LAM_EVENT_OK, NULL};
    out->headers = calloc(LAM_MAX_HEADERS, sizeof *out->headers);
    if (out->headers == NULL) {
        nomem(&rd);
    } else {
        out->req.headers = out->headers;
        const cJSON *context = member(event, "requestContext");
        if (context != NULL && !cJSON_IsObject(context))
            malformed(&rd, "requestContext is not an object");
        else if (kind != LAM_EVENT_HTTP_V1 && kind != LAM_EVENT_HTTP_V2)
            malformed(&rd, "not an HTTP event");
        else if ((kind == LAM_EVENT_HTTP_V1 ? read_v1(&rd, event) : read_v2(&rd, event)) &&
                 read_body(&rd, event) && add_request_id(&rd, context))
            read_claims(&rd, context);
    }
    if (rd.status != LAM_EVENT_OK) {
        lam_http_request_free(out);
        *why = rd.why;
        return rd.status;
    }
    /* HEAD is routed as GET by the API; the answer drops the body. */
    out->head = strcmp(out->req.method, "HEAD") == 0;
    *why = NULL;
    return LAM_EVENT_OK;
}

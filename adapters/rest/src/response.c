/* Building the response of a call: headers, JSON bodies and the
 * problem+json errors of docs/api.md, Errors (RFC 9457 members, a type URI
 * per kind of problem, plus error/message). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "call.h"

static char *dup_text(const char *text)
{
    size_t n = strlen(text) + 1;
    char *p = malloc(n);
    if (p != NULL)
        memcpy(p, text, n);
    return p;
}

void ord_rest_set_header(rest_call *c, const char *name, const char *value)
{
    for (size_t i = 0; i < c->header_count; i++) {
        if (strcasecmp(c->headers[i].name, name) == 0) {
            char *copy = dup_text(value);
            if (copy == NULL) {
                c->oom = true;
                return;
            }
            free((char *)c->headers[i].value);
            c->headers[i].value = copy;
            return;
        }
    }
    if (c->header_count == c->header_cap) {
        size_t cap = c->header_cap > 0 ? c->header_cap * 2 : 8;
        ord_rest_header *grown = realloc(c->headers, cap * sizeof *grown);
        if (grown == NULL) {
            c->oom = true;
            return;
        }
        c->headers = grown;
        c->header_cap = cap;
    }
    char *n = dup_text(name);
    char *v = dup_text(value);
    if (n == NULL || v == NULL) {
        free(n);
        free(v);
        c->oom = true;
        return;
    }
    c->headers[c->header_count].name = n;
    c->headers[c->header_count].value = v;
    c->header_count++;
}

void ord_rest_set_headerf(rest_call *c, const char *name, const char *fmt, ...)
{
    char value[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(value, sizeof value, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof value) {
        c->oom = true;
        return;
    }
    ord_rest_set_header(c, name, value);
}

void ord_rest_json_response(rest_call *c, int status, char *json)
{
    ord_json_writer_free(&c->body);
    c->status = status;
    if (json == NULL) {
        c->oom = true;
        return;
    }
    ord_json_raw(&c->body, json);
    free(json);
    ord_rest_set_header(c, "Content-Type", "application/json");
}

void ord_rest_problem_begin(rest_call *c, int status, rest_problem_type type, const char *title,
                            const char *detail)
{
    ord_json_writer_free(&c->body);
    c->status = status;
    ord_rest_set_header(c, "Content-Type", "application/problem+json");
    ord_json_writer *b = &c->body;
    ord_json_raw(b, "{\"type\":");
    ord_json_string(b, ord_rest_problem_type_uri(type));
    ord_json_raw(b, ",\"title\":");
    ord_json_string(b, title);
    ord_json_printf(b, ",\"status\":%d,\"detail\":", status);
    ord_json_string(b, detail);
    ord_json_raw(b, ",\"error\":");
    ord_json_string(b, title);
    ord_json_raw(b, ",\"message\":");
    ord_json_string(b, detail);
}

void ord_rest_problem_end(rest_call *c)
{
    ord_json_raw(&c->body, "}");
}

void ord_rest_problem(rest_call *c, int status, rest_problem_type type, const char *title,
                      const char *detail)
{
    ord_rest_problem_begin(c, status, type, title, detail);
    ord_rest_problem_end(c);
}

void ord_rest_problem_fields(rest_call *c, const ord_field_errors *errors)
{
    char detail[ORD_FIELD_PATH_SIZE + ORD_FIELD_MESSAGE_SIZE + 64];
    if (errors->count == 0) {
        snprintf(detail, sizeof detail, "The request is not valid");
    } else if (errors->count == 1) {
        snprintf(detail, sizeof detail, "%s %s", errors->items[0].field, errors->items[0].message);
    } else {
        snprintf(detail, sizeof detail, "%s %s (and %zu more)", errors->items[0].field,
                 errors->items[0].message, errors->count - 1);
    }
    ord_rest_problem_begin(c, 400, REST_PROBLEM_VALIDATION, "Validation failed", detail);
    ord_json_writer *b = &c->body;
    ord_json_raw(b, ",\"fields\":[");
    for (size_t i = 0; i < errors->count; i++) {
        ord_json_raw(b, i > 0 ? ",{\"field\":" : "{\"field\":");
        ord_json_string(b, errors->items[i].field);
        ord_json_raw(b, ",\"message\":");
        ord_json_string(b, errors->items[i].message);
        ord_json_raw(b, "}");
    }
    ord_json_raw(b, "]");
    ord_rest_problem_end(c);
    if (errors->out_of_memory)
        c->oom = true;
}

void ord_rest_problem_unavailable(rest_call *c, const char *title, const char *detail)
{
    ord_rest_problem(c, 503, REST_PROBLEM_UNAVAILABLE, title, detail);
    ord_rest_set_headerf(c, "Retry-After", "%d", c->api->config.retry_after_seconds);
}

/* A scope goes into a quoted-string: only scope-token characters (RFC 6749,
 * section 3.3) and spaces. */
static bool scope_is_quotable(const char *scope)
{
    if (scope == NULL || scope[0] == '\0' || strlen(scope) > 200)
        return false;
    for (const char *p = scope; *p != '\0'; p++) {
        unsigned char ch = (unsigned char)*p;
        if (ch < 0x20 || ch > 0x7e || ch == '"' || ch == '\\')
            return false;
    }
    return true;
}

void ord_rest_problem_insufficient_scope(rest_call *c, const char *detail)
{
    ord_rest_problem(c, 403, REST_PROBLEM_INSUFFICIENT_SCOPE, "Forbidden", detail);
    const ord_rest_authenticator *auth = &c->api->config.authenticator;
    const char *scope = NULL;
    if (auth->ops->version >= 2 && auth->ops->admin_scope != NULL)
        scope = auth->ops->admin_scope(auth->self);
    if (scope_is_quotable(scope))
        ord_rest_set_headerf(c, "WWW-Authenticate",
                             "Bearer error=\"insufficient_scope\", scope=\"%s\"", scope);
}

void ord_rest_problem_internal(rest_call *c)
{
    ord_rest_problem(c, 500, REST_PROBLEM_INTERNAL_ERROR, "Internal error",
                     "The server could not complete the request; it has been logged");
}

void ord_rest_problem_for_error(rest_call *c, ord_error err)
{
    switch (err) {
    case ORD_ENOTFOUND:
        ord_rest_problem(c, 404, REST_PROBLEM_ORDER_NOT_FOUND, "Order not found",
                         "No order with this id or number");
        break;
    case ORD_ETRANSITION:
        ord_rest_problem(c, 409, REST_PROBLEM_INVALID_TRANSITION, "Invalid status transition",
                         "The order's current status does not allow this change");
        break;
    case ORD_ECONFLICT:
        ord_rest_problem(c, 409, REST_PROBLEM_CONFLICT, "Conflict",
                         "The order was changed concurrently; try again");
        break;
    case ORD_EFORBIDDEN:
        ord_rest_problem(c, 403, REST_PROBLEM_FORBIDDEN, "Forbidden", "The caller may not do this");
        break;
    case ORD_EUNAUTHORIZED:
        ord_rest_problem(c, 401, REST_PROBLEM_UNAUTHORIZED, "Unauthorized",
                         "Authentication is required");
        ord_rest_set_header(c, "WWW-Authenticate", "Bearer");
        break;
    case ORD_EUNAVAILABLE:
    case ORD_ETIMEOUT:
    case ORD_ECONTRACT:
        ord_rest_problem_unavailable(c, "Service unavailable",
                                     "A dependency is unavailable; retry later");
        break;
    case ORD_ENOMEM:
        c->oom = true;
        ord_rest_problem_internal(c);
        break;
    default:
        ord_rest_problem_internal(c);
        break;
    }
}

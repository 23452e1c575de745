/* Building a call's request from its endpoint declaration: path variables
 * expanded and escaped into the URL, and the tracing headers. */
#include "request.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

ord_error ord_http_request_var(http_request *request, const char *name, const char *value)
{
    if (request->var_count == HTTP_MAX_VARS)
        return ORD_EINTERNAL;
    char *copy = strdup(value);
    if (copy == NULL)
        return ORD_ENOMEM;
    request->var_names[request->var_count] = name;
    request->var_values[request->var_count++] = copy;
    return ORD_OK;
}

void ord_http_request_free(http_request *request)
{
    for (size_t i = 0; i < request->var_count; i++)
        free(request->var_values[i]);
    if (request->body_owned != NULL)
        cJSON_free(request->body_owned);
    memset(request, 0, sizeof *request);
}

static bool unreserved(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '.' || c == '_' || c == '~' || c == ',';
}

static const char *var_value(const http_request *request, const char *name, size_t len)
{
    for (size_t i = 0; i < request->var_count; i++)
        if (strlen(request->var_names[i]) == len && strncmp(request->var_names[i], name, len) == 0)
            return request->var_values[i];
    return NULL;
}

ord_error ord_http_build_url(const char *base, const char *path, const http_request *request,
                             char **out)
{
    size_t cap = strlen(base) + strlen(path) + 1;
    for (size_t i = 0; i < request->var_count; i++)
        cap += 3 * strlen(request->var_values[i]);
    char *url = malloc(cap);
    if (url == NULL)
        return ORD_ENOMEM;
    size_t n = strlen(base);
    memcpy(url, base, n);
    for (const char *p = path; *p != '\0'; p++) {
        if (*p != '{') {
            url[n++] = *p;
            continue;
        }
        const char *close = strchr(p, '}');
        const char *value = close != NULL ? var_value(request, p + 1, (size_t)(close - p - 1)) : NULL;
        if (value == NULL) {
            free(url);
            return ORD_EINTERNAL; /* an endpoint declared a variable its encoder did not set */
        }
        for (const char *v = value; *v != '\0'; v++) {
            if (unreserved(*v))
                url[n++] = *v;
            else
                n += (size_t)snprintf(url + n, 4, "%%%02X", (unsigned char)*v);
        }
        p = close;
    }
    url[n] = '\0';
    *out = url;
    return ORD_OK;
}

void ord_http_build_headers(ord_http_client *client, const ord_call_context *ctx,
                            bool has_body, http_call *call)
{
    char traceparent[HTTP_TRACEPARENT_SIZE];
    ord_http_traceparent(client, ctx != NULL ? ctx->traceparent : NULL, traceparent);
    size_t n = 0;
    snprintf(call->header_text[n++], HTTP_HEADER_SIZE, "Accept: application/json");
    /* curl would otherwise wait for "100 Continue" before larger bodies. */
    snprintf(call->header_text[n++], HTTP_HEADER_SIZE, "Expect:");
    if (has_body)
        snprintf(call->header_text[n++], HTTP_HEADER_SIZE, "Content-Type: application/json");
    if (ctx != NULL && ord_http_request_id_ok(ctx->request_id))
        snprintf(call->header_text[n++], HTTP_HEADER_SIZE, "X-Request-Id: %s", ctx->request_id);
    snprintf(call->header_text[n++], HTTP_HEADER_SIZE, "traceparent: %s", traceparent);
    /* libcurl reads the list and never frees or changes it. */
    for (size_t i = 0; i < n; i++) {
        call->header_nodes[i].data = call->header_text[i];
        call->header_nodes[i].next = i + 1 < n ? &call->header_nodes[i + 1] : NULL;
    }
    call->headers = &call->header_nodes[0];
}

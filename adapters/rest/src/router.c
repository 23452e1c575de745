/* The route table and a small matcher for templates like
 * /api/v1/orders/{id}/cancel (civetweb 1.15 has no mg_match). */
#include <orders/adapters/rest/api.h>

#include <string.h>

#include "call.h"

/* The one place that lists what the API serves (method, template, needs,
 * handler); openapi.json must list the same (tests/rest checks both ways). */
#define AUTH_SVC (REST_NEEDS_AUTH | REST_NEEDS_SERVICE)
#define AUTH_BODY_SVC (REST_NEEDS_AUTH | REST_NEEDS_BODY | REST_NEEDS_SERVICE)
#define GUEST_BODY_SVC (REST_NEEDS_AUTH | REST_NEEDS_BODY | REST_NEEDS_SERVICE | REST_ALLOWS_GUEST)
#define REST_ROUTES(X)                                                                    \
    X("GET", "/health/live", 0, ord_rest_handle_live)                                         \
    X("GET", "/health/ready", 0, ord_rest_handle_ready)                                       \
    X("GET", "/metrics", REST_NEEDS_ADMIN_WHEN_ASKED, ord_rest_handle_metrics)                 \
    X("GET", "/openapi.json", 0, ord_rest_handle_openapi)                                     \
    X("POST", "/api/v1/orders", AUTH_BODY_SVC, ord_rest_handle_create_order)                  \
    X("POST", "/api/v1/orders/drafts", GUEST_BODY_SVC, ord_rest_handle_create_draft)           \
    X("GET", "/api/v1/orders/{id}", AUTH_SVC, ord_rest_handle_get_order)                      \
    X("GET", "/api/v1/orders/customer/{customerId}", AUTH_SVC, ord_rest_handle_list_orders)   \
    X("PUT", "/api/v1/orders/{id}/cancel", AUTH_SVC, ord_rest_handle_cancel)                  \
    X("PUT", "/api/v1/orders/{id}/ship", AUTH_SVC, ord_rest_handle_ship)                      \
    X("PUT", "/api/v1/orders/{id}/deliver", AUTH_SVC, ord_rest_handle_deliver)                \
    X("PUT", "/api/v1/orders/{id}/items", GUEST_BODY_SVC, ord_rest_handle_set_draft_line)      \
    X("POST", "/api/v1/orders/{id}/checkout", GUEST_BODY_SVC, ord_rest_handle_checkout)

#define AS_ROUTE(m, p, f, h) {.method = m, .path = p, .flags = f, .handler = h},
#define AS_INFO(m, p, f, h) {.method = m, .path = p},

static const rest_route ROUTES[] = {REST_ROUTES(AS_ROUTE)};
static const ord_rest_route_info ROUTE_INFO[] = {REST_ROUTES(AS_INFO)};

#define ROUTE_COUNT (sizeof ROUTES / sizeof ROUTES[0])

const rest_route *ord_rest_route_table(size_t *count)
{
    *count = ROUTE_COUNT;
    return ROUTES;
}

const ord_rest_route_info *ord_rest_routes(size_t *count)
{
    if (count != NULL)
        *count = ROUTE_COUNT;
    return ROUTE_INFO;
}

/* The path split at '/' and each segment percent-decoded, so that an
 * escaped '/' (%2F) stays inside its segment and %00 matches nothing. */
#define REST_MAX_SEGMENTS 8

typedef struct path_segments {
    const char *seg[REST_MAX_SEGMENTS];
    size_t count;
} path_segments;

/* Returns 0, 404 (not a path of ours) or 500 (out of memory). */
static int split_path(rest_call *c, const char *path, path_segments *out)
{
    out->count = 0;
    if (path == NULL || path[0] != '/')
        return 404;
    const char *p = path;
    while (*p == '/') {
        p++;
        const char *end = strchr(p, '/');
        size_t len = end != NULL ? (size_t)(end - p) : strlen(p);
        if (out->count == REST_MAX_SEGMENTS)
            return 404;
        char *decoded = ord_rest_path_segment_decode(c, p, len);
        if (decoded == NULL)
            return c->oom ? 500 : 404;
        out->seg[out->count++] = decoded;
        p += len;
    }
    return 0;
}

/* Match one template against the segments; a match counts its literal
 * segments so that /orders/drafts wins over /orders/{id}. Returns -1 for no
 * match. */
static int match_template(const char *tmpl, const path_segments *path,
                          const char *params[REST_MAX_PARAMS])
{
    int literals = 0;
    size_t nparams = 0;
    size_t i = 0;
    for (const char *t = tmpl; *t == '/'; i++) {
        t++;
        const char *tend = strchr(t, '/');
        size_t tlen = tend != NULL ? (size_t)(tend - t) : strlen(t);
        if (i >= path->count)
            return -1;
        const char *seg = path->seg[i];
        if (tlen >= 2 && t[0] == '{' && t[tlen - 1] == '}') {
            if (seg[0] == '\0' || nparams >= REST_MAX_PARAMS)
                return -1;
            params[nparams++] = seg;
        } else {
            if (strlen(seg) != tlen || memcmp(t, seg, tlen) != 0)
                return -1;
            literals++;
        }
        t += tlen;
    }
    return i == path->count ? literals : -1;
}

/* HEAD is answered as GET (the transport sends no body). */
static bool method_matches(const char *route_method, const char *method)
{
    return strcmp(route_method, method) == 0 ||
           (strcmp(method, "HEAD") == 0 && strcmp(route_method, "GET") == 0);
}

int ord_rest_route_match(rest_call *c, const char **allow)
{
    const char *method = c->req->method;
    *allow = NULL;
    if (method == NULL)
        return 404;
    path_segments path;
    int split = split_path(c, c->req->path, &path);
    if (split != 0)
        return split;
    int best = -1;
    bool path_known = false;
    const char *best_params[REST_MAX_PARAMS] = {NULL, NULL};
    for (size_t i = 0; i < ROUTE_COUNT; i++) {
        const char *params[REST_MAX_PARAMS] = {NULL, NULL};
        int literals = match_template(ROUTES[i].path, &path, params);
        if (literals < 0)
            continue;
        path_known = true;
        if (!method_matches(ROUTES[i].method, method) || literals <= best)
            continue;
        best = literals;
        c->route = &ROUTES[i];
        c->route_index = i;
        memcpy(best_params, params, sizeof params);
    }
    if (best >= 0) {
        memcpy(c->params, best_params, sizeof best_params);
        return 0;
    }
    if (!path_known)
        return 404;
    /* 405: list the methods of every route of this path, once each, with
     * HEAD after GET. */
    ord_json_writer methods = {0};
    for (size_t i = 0; i < ROUTE_COUNT; i++) {
        const char *params[REST_MAX_PARAMS] = {NULL, NULL};
        if (match_template(ROUTES[i].path, &path, params) < 0)
            continue;
        bool listed = false;
        for (size_t j = 0; j < i && !listed; j++) {
            listed = strcmp(ROUTES[j].method, ROUTES[i].method) == 0 &&
                     match_template(ROUTES[j].path, &path, params) >= 0;
        }
        if (listed)
            continue;
        if (methods.len > 0)
            ord_json_raw(&methods, ", ");
        ord_json_raw(&methods, ROUTES[i].method);
        if (strcmp(ROUTES[i].method, "GET") == 0)
            ord_json_raw(&methods, ", HEAD");
    }
    *allow = methods.failed ? NULL : ord_rest_arena_strndup(&c->arena, methods.data, methods.len);
    ord_json_writer_free(&methods);
    if (*allow == NULL) {
        c->oom = true;
        return 500;
    }
    return 405;
}

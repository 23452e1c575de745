/* The route table and a small matcher for templates like
 * /api/v1/orders/{id}/cancel (civetweb 1.15 has no mg_match). */
#include <orders/adapters/rest/api.h>

#include <string.h>

#include "call.h"

/* The one place that lists what the API serves (method, template, needs,
 * handler); openapi.json must list the same (tests/rest checks both ways). */
#define AUTH_SVC (REST_NEEDS_AUTH | REST_NEEDS_SERVICE)
#define AUTH_BODY_SVC (REST_NEEDS_AUTH | REST_NEEDS_BODY | REST_NEEDS_SERVICE)
#define REST_ROUTES(X)                                                                    \
    X("GET", "/health/live", 0, rest_handle_live)                                         \
    X("GET", "/health/ready", 0, rest_handle_ready)                                       \
    X("GET", "/metrics", 0, rest_handle_metrics)                                          \
    X("GET", "/openapi.json", 0, rest_handle_openapi)                                     \
    X("POST", "/api/v1/orders", AUTH_BODY_SVC, rest_handle_create_order)                  \
    X("POST", "/api/v1/orders/drafts", AUTH_BODY_SVC, rest_handle_create_draft)           \
    X("GET", "/api/v1/orders/{id}", AUTH_SVC, rest_handle_get_order)                      \
    X("GET", "/api/v1/orders/customer/{customerId}", AUTH_SVC, rest_handle_list_orders)   \
    X("PUT", "/api/v1/orders/{id}/cancel", AUTH_SVC, rest_handle_cancel)                  \
    X("PUT", "/api/v1/orders/{id}/ship", AUTH_SVC, rest_handle_ship)                      \
    X("PUT", "/api/v1/orders/{id}/deliver", AUTH_SVC, rest_handle_deliver)                \
    X("PUT", "/api/v1/orders/{id}/items", AUTH_BODY_SVC, rest_handle_set_draft_line)      \
    X("POST", "/api/v1/orders/{id}/checkout", AUTH_BODY_SVC, rest_handle_checkout)

#define AS_ROUTE(m, p, f, h) {.method = m, .path = p, .flags = f, .handler = h},
#define AS_INFO(m, p, f, h) {.method = m, .path = p},

static const rest_route ROUTES[] = {REST_ROUTES(AS_ROUTE)};
static const ord_rest_route_info ROUTE_INFO[] = {REST_ROUTES(AS_INFO)};

#define ROUTE_COUNT (sizeof ROUTES / sizeof ROUTES[0])

const rest_route *rest_route_table(size_t *count)
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

/* Match one template against the path; a match counts its literal segments
 * so that /orders/drafts wins over /orders/{id}. Returns -1 for no match. */
static int match_template(const char *tmpl, const char *path, const char *starts[REST_MAX_PARAMS],
                          size_t lens[REST_MAX_PARAMS])
{
    int literals = 0;
    size_t nparams = 0;
    const char *t = tmpl;
    const char *p = path;
    while (*t != '\0' || *p != '\0') {
        if (*t != '/' || *p != '/')
            return -1;
        t++;
        p++;
        const char *tend = strchr(t, '/');
        size_t tlen = tend != NULL ? (size_t)(tend - t) : strlen(t);
        const char *pend = strchr(p, '/');
        size_t plen = pend != NULL ? (size_t)(pend - p) : strlen(p);
        if (tlen >= 2 && t[0] == '{' && t[tlen - 1] == '}') {
            if (plen == 0 || nparams >= REST_MAX_PARAMS)
                return -1;
            starts[nparams] = p;
            lens[nparams] = plen;
            nparams++;
        } else {
            if (tlen != plen || memcmp(t, p, tlen) != 0)
                return -1;
            literals++;
        }
        t += tlen;
        p += plen;
    }
    return literals;
}

int rest_route_match(rest_call *c, const char **allow)
{
    const char *path = c->req->path;
    const char *method = c->req->method;
    *allow = NULL;
    if (path == NULL || path[0] != '/' || method == NULL)
        return 404;
    int best = -1;
    bool path_known = false;
    const char *best_starts[REST_MAX_PARAMS] = {NULL, NULL};
    size_t best_lens[REST_MAX_PARAMS] = {0, 0};
    for (size_t i = 0; i < ROUTE_COUNT; i++) {
        const char *starts[REST_MAX_PARAMS] = {NULL, NULL};
        size_t lens[REST_MAX_PARAMS] = {0, 0};
        int literals = match_template(ROUTES[i].path, path, starts, lens);
        if (literals < 0)
            continue;
        path_known = true;
        if (strcmp(ROUTES[i].method, method) != 0 || literals <= best)
            continue;
        best = literals;
        c->route = &ROUTES[i];
        c->route_index = i;
        memcpy(best_starts, starts, sizeof starts);
        memcpy(best_lens, lens, sizeof lens);
    }
    if (best >= 0) {
        for (size_t k = 0; k < REST_MAX_PARAMS; k++) {
            if (best_starts[k] == NULL)
                continue;
            c->params[k] = rest_arena_strndup(&c->arena, best_starts[k], best_lens[k]);
            if (c->params[k] == NULL) {
                c->oom = true;
                return 500;
            }
        }
        return 0;
    }
    if (!path_known)
        return 404;
    /* 405: list the methods of every route of this path, once each. */
    rest_buf methods = {0};
    for (size_t i = 0; i < ROUTE_COUNT; i++) {
        const char *starts[REST_MAX_PARAMS] = {NULL, NULL};
        size_t lens[REST_MAX_PARAMS] = {0, 0};
        if (match_template(ROUTES[i].path, path, starts, lens) < 0)
            continue;
        bool listed = false;
        for (size_t j = 0; j < i && !listed; j++) {
            listed = strcmp(ROUTES[j].method, ROUTES[i].method) == 0 &&
                     match_template(ROUTES[j].path, path, starts, lens) >= 0;
        }
        if (listed)
            continue;
        if (methods.len > 0)
            rest_buf_puts(&methods, ", ");
        rest_buf_puts(&methods, ROUTES[i].method);
    }
    *allow = methods.failed ? NULL : rest_arena_strndup(&c->arena, methods.data, methods.len);
    rest_buf_free(&methods);
    if (*allow == NULL) {
        c->oom = true;
        return 500;
    }
    return 405;
}

/* The one civetweb request handler: matches method and path to a service or
 * control handler, and wraps every service call in its fault injection and
 * in-flight accounting. */
#include "sim.h"

#include <stdlib.h>
#include <string.h>

#include <civetweb.h>

typedef enum route_kind {
    R_PRODUCTS,
    R_RESERVE,
    R_RELEASE,
    R_COMMIT,
    R_SHIPMENT,
    R_RESTRICTIONS,
    R_ELIGIBILITY,
    R_EVENTS,
    R_FAULTS,
    R_STATE,
    R_CATALOG,
    R_RESET,
    R_HEALTH,
    R_JWKS,
    R_JWKS_SET
} route_kind;

typedef struct route {
    const char *method;
    const char *path;
    route_kind kind;
    int service; /* sim_service, or -1 for the control API */
} route;

static const route routes[] = {
    {"GET", "/api/v1/inventory/products", R_PRODUCTS, SIM_CATALOG},
    {"POST", "/api/v1/inventory/reserve", R_RESERVE, SIM_INVENTORY},
    {"POST", "/api/v1/inventory/release", R_RELEASE, SIM_INVENTORY},
    {"POST", "/api/v1/inventory/commit", R_COMMIT, SIM_INVENTORY},
    {"POST", "/api/v1/tracking/shipment", R_SHIPMENT, SIM_TRACKING},
    {"GET", "/api/v1/accounts/*/restrictions", R_RESTRICTIONS, SIM_RESTRICTIONS},
    {"GET", "/api/v1/accounts/*/eligibility", R_ELIGIBILITY, SIM_ELIGIBILITY},
    {"POST", "/api/v1/events", R_EVENTS, SIM_EVENTS},
    {"GET", "/.well-known/jwks.json", R_JWKS, SIM_JWKS},
    {"PUT", "/sim/jwks", R_JWKS_SET, -1},
    {"PUT", "/sim/faults", R_FAULTS, -1},
    {"GET", "/sim/state", R_STATE, -1},
    {"PUT", "/sim/catalog", R_CATALOG, -1},
    {"POST", "/sim/reset", R_RESET, -1},
    {"GET", "/health", R_HEALTH, -1},
};

/* Match a path against a pattern where '*' stands for one segment of digits
 * (a customer id), which is stored in *id. */
static bool path_match(const char *pattern, const char *path, int64_t *id, bool *bad_id)
{
    while (*pattern != '\0') {
        if (*pattern == '*') {
            const char *start = path;
            int64_t value = 0;
            bool overflow = false;
            while (*path != '\0' && *path != '/') {
                if (*path < '0' || *path > '9' || value > (INT64_MAX - 9) / 10)
                    overflow = true;
                else
                    value = value * 10 + (*path - '0');
                path++;
            }
            if (path == start)
                return false;
            *bad_id = overflow || value <= 0;
            *id = value;
            pattern++;
            continue;
        }
        if (*pattern++ != *path++)
            return false;
    }
    return *path == '\0';
}

static int serve(struct mg_connection *conn, sim_state *st, const route *r, int64_t id,
                 const char *body, size_t len)
{
    switch (r->kind) {
    case R_PRODUCTS:
        return sim_handle_products(conn, st);
    case R_RESERVE:
        return sim_handle_reserve(conn, st, body, len);
    case R_RELEASE:
        return sim_handle_release(conn, st, body, len, false);
    case R_COMMIT:
        return sim_handle_release(conn, st, body, len, true);
    case R_SHIPMENT:
        return sim_handle_shipment(conn, st, body, len);
    case R_RESTRICTIONS:
        return sim_handle_restrictions(conn, st, id);
    case R_ELIGIBILITY:
        return sim_handle_eligibility(conn, st, id);
    case R_EVENTS:
        return sim_handle_event(conn, st, body, len);
    case R_FAULTS:
        return sim_handle_faults(conn, st, body, len);
    case R_STATE:
        return sim_handle_state(conn, st);
    case R_CATALOG:
        return sim_handle_catalog(conn, st, body, len);
    case R_RESET:
        return sim_handle_reset(conn, st);
    case R_HEALTH:
        sim_reply(conn, 200, "application/json", "{\"status\":\"UP\"}", 15);
        return 200;
    case R_JWKS:
        return sim_handle_jwks_get(conn, st);
    case R_JWKS_SET:
        return sim_handle_jwks_put(conn, st, body, len);
    }
    return 500;
}

int sim_route(struct mg_connection *conn, void *cbdata)
{
    sim_state *st = cbdata;
    const struct mg_request_info *info = mg_get_request_info(conn);
    const route *found = NULL;
    bool path_known = false, bad_id = false;
    int64_t id = 0;
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        bool bad = false;
        if (!path_match(routes[i].path, info->local_uri, &id, &bad))
            continue;
        path_known = true;
        if (strcmp(routes[i].method, info->request_method) == 0) {
            found = &routes[i];
            bad_id = bad;
            break;
        }
    }
    if (found == NULL) {
        sim_reply_error(conn, path_known ? 405 : 404,
                        path_known ? "Method not allowed" : "Not found");
        return path_known ? 405 : 404;
    }
    if (bad_id) {
        sim_reply_error(conn, 400, "customerId must be an integer > 0");
        return 400;
    }
    size_t len = 0;
    char *body = sim_read_body(conn, &len);
    if (body == NULL) {
        sim_reply_error(conn, 413, "request body too large or unreadable");
        return 413;
    }
    int status;
    if (found->service < 0) {
        status = serve(conn, st, found, id, body, len);
    } else {
        sim_fault fault;
        sim_note_headers(st, (sim_service)found->service, conn);
        sim_enter(st, (sim_service)found->service, &fault);
        if (sim_fault_play(st, (sim_service)found->service, &fault, conn))
            status = fault.mode == SIM_FAULT_ERROR ? 503 : 200;
        else
            status = serve(conn, st, found, id, body, len);
        free(fault.body);
        sim_leave(st, (sim_service)found->service);
    }
    free(body);
    return status;
}

/* One request being answered: what the pipeline (api.c) found out about it
 * and the response the handlers build. Shared by every handler file. */
#ifndef ORDERS_REST_CALL_H
#define ORDERS_REST_CALL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include <orders/adapters/rest/api.h>
#include <orders/application/service.h>
#include <orders/domain/text.h>
#include <orders/domain/validation.h>
#include <orders/ports/call_context.h>
#include <orders/support/json_scan.h>
#include <orders/support/json_writer.h>

#include "arena.h"
#include "problem.h"

/* Bytes of an X-Request-Id with NUL; longer incoming ids are replaced. */
#define REST_REQUEST_ID_SIZE 65

typedef struct rest_call rest_call;
typedef void (*rest_handler)(rest_call *c);

/* What a route needs before its handler runs. */
enum rest_route_flag {
    REST_NEEDS_AUTH = 1u << 0,    /* a principal (API routes) */
    REST_NEEDS_BODY = 1u << 1,    /* a JSON object body */
    REST_NEEDS_SERVICE = 1u << 2,  /* the thread's ord_service */
    REST_ALLOWS_GUEST = 1u << 3,   /* no credentials at all: served as a guest */
    REST_NEEDS_ADMIN = 1u << 4,    /* an admin principal, else 403 insufficient_scope */
    REST_NEEDS_ADMIN_WHEN_ASKED = 1u << 5 /* REST_NEEDS_AUTH and REST_NEEDS_ADMIN when the
                                             API's metrics_need_admin is set (GET /metrics) */
};

typedef struct rest_route {
    const char *method;
    const char *path; /* template; "{name}" matches one non-empty segment */
    unsigned flags;
    rest_handler handler;
} rest_route;

#define REST_MAX_PARAMS 2

struct ord_rest_api {
    ord_rest_api_config config;
    struct ord_rest_limiter *requests; /* per client, or NULL */
    struct ord_rest_limiter *failures; /* 401s per address, or NULL */
};

struct rest_call {
    ord_rest_api *api;
    const ord_rest_request *req;
    rest_arena arena;
    const rest_route *route;
    size_t route_index;                  /* index in the route table, or the count */
    const char *params[REST_MAX_PARAMS]; /* path parameters, in template order */
    const ord_principal *who;
    ord_rest_auth_result auth;
    ord_service *svc;
    cJSON *json; /* the parsed body for REST_NEEDS_BODY routes */
    char request_id[REST_REQUEST_ID_SIZE];
    ord_call_context trace;

    /* the response */
    int status;
    ord_json_writer body;
    ord_rest_header *headers;
    size_t header_count;
    size_t header_cap;
    bool close_connection;
    bool oom;
};

/* router.c */
const rest_route *ord_rest_route_table(size_t *count);
/* Find the route of method + path. On success fills c->route, c->route_index
 * and c->params and returns 0; else returns 404 or 405 (then *allow holds
 * the methods of the path, e.g. "GET, POST", in the arena). */
int ord_rest_route_match(rest_call *c, const char **allow);

/* response.c */
void ord_rest_set_header(rest_call *c, const char *name, const char *value);
void ord_rest_set_headerf(rest_call *c, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Status + JSON body taken from @p json (malloc'd text; freed here). */
void ord_rest_json_response(rest_call *c, int status, char *json);
/* Start a problem+json body of this kind (its type URI); the object stays
 * open so callers may add members (",\"fields\":[...]");
 * ord_rest_problem_end() closes it. */
void ord_rest_problem_begin(rest_call *c, int status, rest_problem_type type, const char *title,
                            const char *detail);
void ord_rest_problem_end(rest_call *c);
/* A complete problem+json response with no extra members. */
void ord_rest_problem(rest_call *c, int status, rest_problem_type type, const char *title,
                      const char *detail);
/* 400 Validation failed with every field error. */
void ord_rest_problem_fields(rest_call *c, const ord_field_errors *errors);
/* 503 service-unavailable with Retry-After. */
void ord_rest_problem_unavailable(rest_call *c, const char *title, const char *detail);
/* 403 for a caller without the admin scope, with the RFC 6750
 * insufficient_scope challenge when the authenticator names the scope. */
void ord_rest_problem_insufficient_scope(rest_call *c, const char *detail);
/* 500 with nothing internal in it. */
void ord_rest_problem_internal(rest_call *c);
/* The usual answer for a use case's failure (404, 409, 503, 500...). */
void ord_rest_problem_for_error(rest_call *c, ord_error err);

/* json_in.c: reading request bodies */
typedef enum rest_json_int_result {
    REST_JSON_ABSENT = 0, /* missing or null */
    REST_JSON_OK = 1,
    REST_JSON_WRONG = 2   /* present but not an integer */
} rest_json_int_result;
rest_json_int_result ord_rest_json_get_int(const cJSON *obj, const char *name, int64_t *out);
/* A string member; absent and null give NULL with true, another type false. */
bool ord_rest_json_get_string(const cJSON *obj, const char *name, const char **out);
/* Decode an "items" array into the arena; type errors go to @p errors. */
bool ord_rest_json_get_items(rest_call *c, const cJSON *obj, const char *name,
                             ord_item_request **items, size_t *count, bool *present,
                             ord_field_errors *errors);

/* json_guard.c: what cJSON does not check. Bodies nest at most
 * ORD_JSON_MAX_DEPTH deep (ours need three levels; cJSON's recursion must
 * fit a civetweb worker's stack of about 100 KiB).
 * Before parsing: NULL when the body is acceptable, else why not (nesting
 * too deep, \u0000 or a raw control character in a string). */
const char *ord_rest_json_scan(const char *body, size_t len);
/* After parsing: whether any object names a member twice; *failed is set
 * when memory ran out. */
bool ord_rest_json_has_duplicate_member(const cJSON *item, bool *failed);

/* Path parameters and query strings (params.c). */
bool ord_rest_parse_positive_id(const char *text, int64_t *out);
/* One path segment percent-decoded into the arena ('+' stays '+'); NULL
 * when an escape is malformed or decodes to NUL, or (c->oom) out of memory. */
char *ord_rest_path_segment_decode(rest_call *c, const char *segment, size_t len);
/* Value of a query parameter, percent-decoded into the arena. Returns 0 when
 * absent, 1 when found, -1 when repeated or malformed. */
int ord_rest_query_get(rest_call *c, const char *name, const char **value);
/* Percent-encode for a query value into @p b. */
void ord_rest_buf_query_value(ord_json_writer *b, const char *value);
/* Whether {id} is an orderId or an order number (else 404). */
bool ord_rest_order_ref_ok(const char *ref);
/* The If-Match header: 0 (none or "*"), a version, or -1 (matches nothing). */
int64_t ord_rest_if_match(const rest_call *c);

/* Handlers. */
void ord_rest_handle_live(rest_call *c);
void ord_rest_handle_ready(rest_call *c);
void ord_rest_handle_metrics(rest_call *c);
void ord_rest_handle_openapi(rest_call *c);
void ord_rest_handle_create_order(rest_call *c);
void ord_rest_handle_get_order(rest_call *c);
void ord_rest_handle_list_orders(rest_call *c);
void ord_rest_handle_cancel(rest_call *c);
void ord_rest_handle_ship(rest_call *c);
void ord_rest_handle_deliver(rest_call *c);
void ord_rest_handle_create_draft(rest_call *c);
void ord_rest_handle_set_draft_line(rest_call *c);
void ord_rest_handle_checkout(rest_call *c);

/* order_body.c: an order as the response body, with Location/ETag. */
void ord_rest_order_response(rest_call *c, int status, const ord_order *order,
                             const char *const *warnings, size_t warning_count, bool location);

/* metrics.c internals used by the pipeline */
void ord_rest_metrics_record(ord_rest_metrics *m, const char *method, size_t route_index, int status,
                             double seconds);

/* log.c */
void ord_rest_access_log(FILE *out, const char *request_id, const char *method, const char *route,
                         int status, double seconds);

/* The route label used for requests that matched no route. */
#define REST_UNMATCHED_ROUTE "unmatched"

#endif

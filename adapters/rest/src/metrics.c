/* Prometheus counters in fixed arrays of atomics, indexed by method, route
 * and status, so recording never locks or allocates. */
#include <orders/adapters/rest/metrics.h>

#include <inttypes.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <orders/domain/order_status.h>

#include "call.h"

#define METHOD_COUNT 8
#define ROUTE_SLOTS 32 /* routes of the table + "unmatched"; checked at creation */
#define BUCKET_COUNT 12

static const char *const METHODS[METHOD_COUNT] = {"GET",  "POST",    "PUT",  "DELETE",
                                                  "PATCH", "HEAD", "OPTIONS", "OTHER"};
static const int STATUSES[] = {200, 201, 204, 304, 400, 401, 403, 404, 405, 406, 408,
                               409, 412, 413, 415, 422, 429, 431, 500, 501, 503, 504};
#define STATUS_COUNT (sizeof STATUSES / sizeof STATUSES[0])
#define STATUS_SLOTS (STATUS_COUNT + 1) /* + "other" */

/* Upper bounds in microseconds: 1 ms .. 10 s. */
static const uint64_t BUCKETS_US[BUCKET_COUNT] = {1000,   2500,   5000,    10000,   25000,   50000,
                                                  100000, 250000, 500000, 1000000, 2500000, 10000000};
static const char *const BUCKET_LABELS[BUCKET_COUNT] = {"0.001", "0.0025", "0.005", "0.01",
                                                        "0.025", "0.05",   "0.1",   "0.25",
                                                        "0.5",   "1",      "2.5",   "10"};

typedef struct duration_histogram {
    atomic_uint_fast64_t buckets[BUCKET_COUNT]; /* not cumulative; summed when rendered */
    atomic_uint_fast64_t count;
    atomic_uint_fast64_t sum_us;
} duration_histogram;

/* Background steps name their actions with static text; each new name
 * takes a free slot once (compare-and-swap), later ones find it. */
#define ACTION_SLOTS 32

typedef struct action_slot {
    _Atomic(const char *) name;
    atomic_uint_fast64_t ok;
    atomic_uint_fast64_t failed;
} action_slot;

struct ord_rest_metrics {
    atomic_uint_fast64_t requests[METHOD_COUNT][ROUTE_SLOTS][STATUS_SLOTS];
    duration_histogram durations[METHOD_COUNT][ROUTE_SLOTS];
    atomic_uint_fast64_t orders_created;
    atomic_uint_fast64_t transitions[ORD_STATUS_COUNT][ORD_STATUS_COUNT];
    action_slot actions[ACTION_SLOTS];
};

ord_error ord_rest_metrics_new(ord_rest_metrics **out)
{
    if (out == NULL)
        return ORD_EINVALID;
    size_t routes = 0;
    ord_rest_route_table(&routes);
    if (routes + 1 > ROUTE_SLOTS) {
        *out = NULL;
        return ORD_EINTERNAL;
    }
    /* calloc gives all-zero bits, which is a valid zero for these atomics
     * on every platform we build for. */
    *out = calloc(1, sizeof **out);
    return *out != NULL ? ORD_OK : ORD_ENOMEM;
}

void ord_rest_metrics_free(ord_rest_metrics *metrics)
{
    free(metrics);
}

static void on_created(void *ctx, const ord_order *order)
{
    (void)order;
    ord_rest_metrics *m = ctx;
    atomic_fetch_add_explicit(&m->orders_created, 1, memory_order_relaxed);
}

static void on_status_changed(void *ctx, const ord_order *order, ord_status from, ord_status to)
{
    (void)order;
    ord_rest_metrics *m = ctx;
    if ((int)from < 0 || (int)from >= ORD_STATUS_COUNT || (int)to < 0 || (int)to >= ORD_STATUS_COUNT)
        return;
    atomic_fetch_add_explicit(&m->transitions[from][to], 1, memory_order_relaxed);
}

static void on_background_action(void *ctx, const char *what, int64_t order_id, ord_error result)
{
    (void)order_id;
    ord_rest_metrics *m = ctx;
    if (what == NULL)
        return;
    for (size_t i = 0; i < ACTION_SLOTS; i++) {
        action_slot *slot = &m->actions[i];
        const char *name = atomic_load(&slot->name);
        if (name == NULL) {
            const char *expected = NULL;
            if (atomic_compare_exchange_strong(&slot->name, &expected, what))
                name = what;
            else
                name = expected;
        }
        if (name == what || strcmp(name, what) == 0) {
            atomic_fetch_add_explicit(result == ORD_OK ? &slot->ok : &slot->failed, 1,
                                      memory_order_relaxed);
            return;
        }
    }
    /* More distinct actions than slots: not counted rather than unbounded. */
}

ord_service_observer ord_rest_metrics_observer(ord_rest_metrics *metrics)
{
    ord_service_observer obs = {metrics, on_created, on_status_changed, on_background_action};
    return obs;
}

uint64_t ord_rest_metrics_orders_created(const ord_rest_metrics *metrics)
{
    if (metrics == NULL)
        return 0;
    return atomic_load_explicit(&((ord_rest_metrics *)metrics)->orders_created,
                                memory_order_relaxed);
}

static size_t method_index(const char *method)
{
    for (size_t i = 0; method != NULL && i + 1 < METHOD_COUNT; i++) {
        if (strcmp(method, METHODS[i]) == 0)
            return i;
    }
    return METHOD_COUNT - 1;
}

static size_t status_index(int status)
{
    for (size_t i = 0; i < STATUS_COUNT; i++) {
        if (STATUSES[i] == status)
            return i;
    }
    return STATUS_COUNT;
}

void ord_rest_metrics_record(ord_rest_metrics *m, const char *method, size_t route_index, int status,
                             double seconds)
{
    size_t routes = 0;
    ord_rest_route_table(&routes);
    if (m == NULL || route_index > routes)
        return;
    size_t mi = method_index(method);
    atomic_fetch_add_explicit(&m->requests[mi][route_index][status_index(status)], 1,
                              memory_order_relaxed);
    uint64_t us = seconds > 0 ? (uint64_t)(seconds * 1e6) : 0;
    duration_histogram *h = &m->durations[mi][route_index];
    for (size_t b = 0; b < BUCKET_COUNT; b++) {
        if (us <= BUCKETS_US[b]) {
            atomic_fetch_add_explicit(&h->buckets[b], 1, memory_order_relaxed);
            break;
        }
    }
    atomic_fetch_add_explicit(&h->sum_us, us, memory_order_relaxed);
    atomic_fetch_add_explicit(&h->count, 1, memory_order_relaxed);
}

void ord_rest_metrics_record_request(ord_rest_metrics *metrics, const char *method,
                                     const char *route, int status, double seconds)
{
    size_t routes = 0;
    const rest_route *table = ord_rest_route_table(&routes);
    size_t index = routes;
    for (size_t i = 0; route != NULL && i < routes; i++) {
        if (strcmp(table[i].path, route) == 0) {
            index = i;
            break;
        }
    }
    ord_rest_metrics_record(metrics, method, index, status, seconds);
}

#define LOAD(x) ((uint64_t)atomic_load_explicit(&(x), memory_order_relaxed))

static const char *route_label(size_t index)
{
    size_t routes = 0;
    const rest_route *table = ord_rest_route_table(&routes);
    return index < routes ? table[index].path : REST_UNMATCHED_ROUTE;
}

static void render_requests(ord_rest_metrics *m, FILE *out, size_t routes)
{
    fputs("# HELP http_requests_total HTTP requests answered.\n"
          "# TYPE http_requests_total counter\n",
          out);
    for (size_t mi = 0; mi < METHOD_COUNT; mi++) {
        for (size_t r = 0; r <= routes; r++) {
            for (size_t s = 0; s < STATUS_SLOTS; s++) {
                uint64_t n = LOAD(m->requests[mi][r][s]);
                if (n == 0)
                    continue;
                char status[8];
                if (s < STATUS_COUNT)
                    snprintf(status, sizeof status, "%d", STATUSES[s]);
                else
                    snprintf(status, sizeof status, "other");
                fprintf(out, "http_requests_total{method=\"%s\",route=\"%s\",status=\"%s\"} %" PRIu64 "\n",
                        METHODS[mi], route_label(r), status, n);
            }
        }
    }
}

static void render_durations(ord_rest_metrics *m, FILE *out, size_t routes)
{
    fputs("# HELP http_request_duration_seconds Time to answer HTTP requests.\n"
          "# TYPE http_request_duration_seconds histogram\n",
          out);
    for (size_t mi = 0; mi < METHOD_COUNT; mi++) {
        for (size_t r = 0; r <= routes; r++) {
            duration_histogram *h = &m->durations[mi][r];
            uint64_t count = LOAD(h->count);
            if (count == 0)
                continue;
            const char *route = route_label(r);
            uint64_t cumulative = 0;
            for (size_t b = 0; b < BUCKET_COUNT; b++) {
                cumulative += LOAD(h->buckets[b]);
                fprintf(out,
                        "http_request_duration_seconds_bucket{method=\"%s\",route=\"%s\",le=\"%s\"} %" PRIu64 "\n",
                        METHODS[mi], route, BUCKET_LABELS[b], cumulative);
            }
            fprintf(out,
                    "http_request_duration_seconds_bucket{method=\"%s\",route=\"%s\",le=\"+Inf\"} %" PRIu64 "\n",
                    METHODS[mi], route, count);
            uint64_t sum = LOAD(h->sum_us);
            fprintf(out, "http_request_duration_seconds_sum{method=\"%s\",route=\"%s\"} %" PRIu64 ".%06" PRIu64 "\n",
                    METHODS[mi], route, sum / 1000000, sum % 1000000);
            fprintf(out, "http_request_duration_seconds_count{method=\"%s\",route=\"%s\"} %" PRIu64 "\n",
                    METHODS[mi], route, count);
        }
    }
}

static void render_orders(ord_rest_metrics *m, FILE *out)
{
    fprintf(out,
            "# HELP orders_created_total Orders stored (drafts and placed orders).\n"
            "# TYPE orders_created_total counter\n"
            "orders_created_total %" PRIu64 "\n",
            LOAD(m->orders_created));
    fputs("# HELP order_status_transitions_total Order status changes stored.\n"
          "# TYPE order_status_transitions_total counter\n",
          out);
    /* Every allowed transition is listed, also at zero, so dashboards see
     * the series from the start. */
    for (int from = 0; from < ORD_STATUS_COUNT; from++) {
        for (int to = 0; to < ORD_STATUS_COUNT; to++) {
            uint64_t n = LOAD(m->transitions[from][to]);
            if (n == 0 && ord_status_check_transition((ord_status)from, (ord_status)to, NULL) != ORD_OK)
                continue;
            fprintf(out, "order_status_transitions_total{from=\"%s\",to=\"%s\"} %" PRIu64 "\n",
                    ord_status_name((ord_status)from), ord_status_name((ord_status)to), n);
        }
    }
}

/* Label values are written unescaped: only plain identifiers qualify. */
static bool is_label_safe(const char *text)
{
    if (*text == '\0' || strlen(text) > 64)
        return false;
    for (const char *p = text; *p != '\0'; p++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '_' || *p == '.' || *p == '-'))
            return false;
    }
    return true;
}

static void render_actions(ord_rest_metrics *m, FILE *out)
{
    fputs("# HELP order_background_actions_total Actions of the background workers by outcome.\n"
          "# TYPE order_background_actions_total counter\n",
          out);
    for (size_t i = 0; i < ACTION_SLOTS; i++) {
        const char *name = atomic_load(&m->actions[i].name);
        if (name == NULL)
            break;
        if (!is_label_safe(name))
            continue;
        fprintf(out, "order_background_actions_total{action=\"%s\",result=\"ok\"} %" PRIu64 "\n",
                name, LOAD(m->actions[i].ok));
        fprintf(out, "order_background_actions_total{action=\"%s\",result=\"failed\"} %" PRIu64 "\n",
                name, LOAD(m->actions[i].failed));
    }
}

ord_error ord_rest_metrics_render(const ord_rest_metrics *metrics, FILE *out)
{
    if (metrics == NULL || out == NULL)
        return ORD_EINVALID;
    /* Loads of atomics do not change the counters; the cast only drops the
     * const that C11's atomic_load does not accept. */
    ord_rest_metrics *m = (ord_rest_metrics *)metrics;
    size_t routes = 0;
    ord_rest_route_table(&routes);
    render_requests(m, out, routes);
    render_durations(m, out, routes);
    render_orders(m, out);
    render_actions(m, out);
    return ferror(out) ? ORD_EINTERNAL : ORD_OK;
}

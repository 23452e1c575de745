/* The shared services object: copied configuration, one breaker and one set
 * of atomic counters per service, and the snapshot read for metrics. */
#include "internal.h"
#include "options.h"

#include <stdlib.h>
#include <string.h>

static const char *const service_names[ORD_HTTP_SERVICE_COUNT] = {
    "catalog", "inventory", "tracking", "restrictions", "eligibility", "events"};
static const char *const outcome_names[ORD_HTTP_OUTCOME_COUNT] = {
    "success", "rejected", "server_error", "timeout",
    "unreachable", "contract_error", "circuit_open", "cancelled"};
static const char *const state_names[] = {"CLOSED", "OPEN", "HALF_OPEN"};

const char *ord_http_service_name(ord_http_service service)
{
    return (int)service >= 0 && service < ORD_HTTP_SERVICE_COUNT ? service_names[service]
                                                                 : "unknown";
}

const char *ord_http_outcome_name(ord_http_outcome outcome)
{
    return (int)outcome >= 0 && outcome < ORD_HTTP_OUTCOME_COUNT ? outcome_names[outcome]
                                                                 : "unknown";
}

const char *ord_http_breaker_state_name(ord_http_breaker_state state)
{
    return (int)state >= 0 && state <= ORD_HTTP_BREAKER_HALF_OPEN ? state_names[state]
                                                                  : "UNKNOWN";
}

ord_error ord_http_services_new(ord_http_services **out, const ord_http_options *options,
                                char *err, size_t err_cap)
{
    if (out == NULL)
        return ORD_EINVALID;
    *out = NULL;
    ord_error rc = ord_http_options_check(options, err, err_cap);
    if (rc != ORD_OK)
        return rc;
    ord_http_services *s = calloc(1, sizeof *s);
    if (s == NULL)
        return ORD_ENOMEM;
    s->retry = options->retry;
    s->max_response_bytes = options->max_response_bytes;
    s->sequential_precheck = options->sequential_precheck;
    s->monotonic_ms = options->monotonic_ms;
    s->clock_self = options->clock_self;
    int ready = 0;
    for (int i = 0; i < ORD_HTTP_SERVICE_COUNT; i++, ready++) {
        const ord_http_endpoint_options *e = &options->services[i];
        s->connect_timeout_ms[i] = e->connect_timeout_ms;
        s->timeout_ms[i] = e->timeout_ms;
        for (int k = 0; k < ORD_HTTP_OUTCOME_COUNT; k++)
            atomic_init(&s->outcomes[i][k], 0);
        atomic_init(&s->retries[i], 0);
        if (e->base_url != NULL) {
            /* A trailing '/' would double the one every path starts with. */
            size_t n = strlen(e->base_url);
            while (n > 0 && e->base_url[n - 1] == '/' && i != ORD_HTTP_EVENTS)
                n--;
            s->base_url[i] = strndup(e->base_url, n);
        }
        if ((e->base_url != NULL && s->base_url[i] == NULL) ||
            ord_http_breaker_init(&s->breakers[i], &options->breaker) != 0) {
            free(s->base_url[i]);
            s->base_url[i] = NULL;
            break;
        }
    }
    if (ready < ORD_HTTP_SERVICE_COUNT) {
        for (int i = 0; i < ready; i++) {
            ord_http_breaker_destroy(&s->breakers[i]);
            free(s->base_url[i]);
        }
        free(s);
        return ORD_ENOMEM;
    }
    *out = s;
    return ORD_OK;
}

void ord_http_services_free(ord_http_services *services)
{
    if (services == NULL)
        return;
    for (int i = 0; i < ORD_HTTP_SERVICE_COUNT; i++) {
        ord_http_breaker_destroy(&services->breakers[i]);
        free(services->base_url[i]);
    }
    free(services);
}

bool ord_http_services_configured(const ord_http_services *services, ord_http_service service)
{
    return services != NULL && (int)service >= 0 && service < ORD_HTTP_SERVICE_COUNT &&
           services->base_url[service] != NULL;
}

int64_t ord_http_breaker_now(const ord_http_services *services)
{
    return services->monotonic_ms != NULL ? services->monotonic_ms(services->clock_self)
                                          : ord_http_monotonic_ms();
}

void ord_http_count(ord_http_services *services, ord_http_service service, ord_http_outcome outcome)
{
    atomic_fetch_add_explicit(&services->outcomes[service][outcome], 1, memory_order_relaxed);
}

ord_http_breaker_state ord_http_services_breaker(const ord_http_services *services,
                                                 ord_http_service service)
{
    if (services == NULL || (int)service < 0 || service >= ORD_HTTP_SERVICE_COUNT)
        return ORD_HTTP_BREAKER_CLOSED;
    /* The breaker's lock is the only thing written; the object stays const
     * for callers that only read. */
    ord_http_services *s = (ord_http_services *)(uintptr_t)services;
    return ord_http_breaker_state_at(&s->breakers[service], ord_http_breaker_now(services));
}

void ord_http_services_stats(const ord_http_services *services, ord_http_stats *out)
{
    if (out == NULL)
        return;
    memset(out, 0, sizeof *out);
    if (services == NULL)
        return;
    ord_http_services *s = (ord_http_services *)(uintptr_t)services;
    for (int i = 0; i < ORD_HTTP_SERVICE_COUNT; i++) {
        ord_http_service_stats *st = &out->services[i];
        st->configured = s->base_url[i] != NULL;
        st->state = ord_http_services_breaker(services, (ord_http_service)i);
        for (int k = 0; k < ORD_HTTP_OUTCOME_COUNT; k++)
            st->outcomes[k] = atomic_load_explicit(&s->outcomes[i][k], memory_order_relaxed);
        st->retries = atomic_load_explicit(&s->retries[i], memory_order_relaxed);
    }
}

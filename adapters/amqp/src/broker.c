/* The broker object: checked settings, the health every publisher reports
 * to (and a readiness probe when nobody reported lately), and counters. */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int64_t ord_amqp_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void ord_amqp_observe(ord_amqp_broker *b, bool up)
{
    atomic_store(&b->state, up ? ORD_AMQP_UP : ORD_AMQP_DOWN);
    atomic_store(&b->seen_at_ms, (long long)ord_amqp_now_ms());
}

void ord_amqp_count(ord_amqp_broker *b, ord_amqp_counter c)
{
    atomic_fetch_add(&b->counters[c], 1);
}

static char *copy_or_null(const char *s, bool *failed)
{
    if (s == NULL)
        return NULL;
    size_t n = strlen(s) + 1;
    char *c = malloc(n);
    if (c == NULL)
        *failed = true;
    else
        memcpy(c, s, n);
    return c;
}

static bool check_options(const ord_amqp_options *o, char *err, size_t cap)
{
    const char *bad = NULL;
    if (o->version < 1)
        bad = "version must be ORD_AMQP_OPTIONS_VERSION";
    else if (o->exchange == NULL || !ord_amqp_name_ok(o->exchange))
        bad = "exchange must be 1..255 of A-Z a-z 0-9 - _ . : and not start with amq.";
    else if (o->queue != NULL && !ord_amqp_name_ok(o->queue))
        bad = "queue must be 1..255 of A-Z a-z 0-9 - _ . : and not start with amq.";
    else if (o->confirm_timeout_ms < 1 || o->confirm_timeout_ms > 600000)
        bad = "confirm_timeout_ms must be from 1 to 600000";
    else if (o->connect_timeout_ms < 1 || o->connect_timeout_ms > 600000)
        bad = "connect_timeout_ms must be from 1 to 600000";
    else if (o->reconnect_min_ms < 1 || o->reconnect_max_ms < o->reconnect_min_ms ||
             o->reconnect_max_ms > 3600000)
        bad = "reconnect_min_ms must be at least 1 and at most reconnect_max_ms (<= 3600000)";
    else if (o->probe_interval_ms < 0 || o->probe_interval_ms > 3600000)
        bad = "probe_interval_ms must be from 0 to 3600000";
    else if (o->connection_name != NULL && strlen(o->connection_name) > 200)
        bad = "connection_name must be at most 200 bytes";
    if (bad != NULL && err != NULL && cap > 0)
        snprintf(err, cap, "%s", bad);
    return bad == NULL;
}

ord_error ord_amqp_broker_new(ord_amqp_broker **out, const ord_amqp_options *options,
                              char *err, size_t err_cap)
{
    if (err != NULL && err_cap > 0)
        err[0] = '\0';
    if (out == NULL)
        return ORD_EINVALID;
    *out = NULL;
    if (options == NULL)
        return ORD_EINVALID;
    if (!ord_amqp_url_ok(options->url, err, err_cap) || !check_options(options, err, err_cap))
        return ORD_EINVALID;
    ord_amqp_broker *b = calloc(1, sizeof *b);
    if (b == NULL)
        return ORD_ENOMEM;
    b->opt = *options;
    b->opt.url = NULL; /* only the parsed parts are kept */
    char scratch[ORD_AMQP_ERROR_MAX];
    ord_error rc = ord_amqp_target_parse(&b->target, options->url, scratch, sizeof scratch);
    bool failed = rc != ORD_OK;
    b->exchange = copy_or_null(options->exchange, &failed);
    b->queue = copy_or_null(options->queue, &failed);
    b->connection_name = copy_or_null(
        options->connection_name != NULL ? options->connection_name : "orders", &failed);
    if (failed || pthread_mutex_init(&b->probe_mu, NULL) != 0) {
        ord_amqp_target_free(&b->target);
        free(b->exchange);
        free(b->queue);
        free(b->connection_name);
        free(b);
        return ORD_ENOMEM;
    }
    b->opt.exchange = b->exchange;
    b->opt.queue = b->queue;
    b->opt.connection_name = b->connection_name;
    atomic_init(&b->state, ORD_AMQP_UNKNOWN);
    atomic_init(&b->seen_at_ms, 0);
    for (int i = 0; i < ORD_AMQP_C_COUNT; i++)
        atomic_init(&b->counters[i], 0);
    *out = b;
    return ORD_OK;
}

void ord_amqp_broker_free(ord_amqp_broker *b)
{
    if (b == NULL)
        return;
    pthread_mutex_destroy(&b->probe_mu);
    ord_amqp_target_free(&b->target);
    free(b->exchange);
    free(b->queue);
    free(b->connection_name);
    free(b);
}

bool ord_amqp_broker_check(ord_amqp_broker *b)
{
    if (b == NULL)
        return false;
    int64_t age = ord_amqp_now_ms() - (int64_t)atomic_load(&b->seen_at_ms);
    int state = atomic_load(&b->state);
    if (state != ORD_AMQP_UNKNOWN && age <= b->opt.probe_interval_ms)
        return state == ORD_AMQP_UP;
    if (pthread_mutex_trylock(&b->probe_mu) != 0)
        return state == ORD_AMQP_UP; /* someone is probing now */
    ord_error why = ORD_OK;
    char err[ORD_AMQP_ERROR_MAX];
    amqp_connection_state_t conn = ord_amqp_connect(b, false, &why, err, sizeof err);
    bool up = conn != NULL;
    ord_amqp_disconnect(conn, true);
    ord_amqp_observe(b, up);
    pthread_mutex_unlock(&b->probe_mu);
    return up;
}

void ord_amqp_broker_stats(const ord_amqp_broker *b, ord_amqp_stats *out)
{
    memset(out, 0, sizeof *out);
    if (b == NULL)
        return;
    ord_amqp_broker *m = (ord_amqp_broker *)b; /* atomics are read only */
    out->acked = atomic_load(&m->counters[ORD_AMQP_C_ACKED]);
    out->unroutable = atomic_load(&m->counters[ORD_AMQP_C_UNROUTABLE]);
    out->nacked = atomic_load(&m->counters[ORD_AMQP_C_NACKED]);
    out->refused = atomic_load(&m->counters[ORD_AMQP_C_REFUSED]);
    out->timeouts = atomic_load(&m->counters[ORD_AMQP_C_TIMEOUTS]);
    out->unavailable = atomic_load(&m->counters[ORD_AMQP_C_UNAVAILABLE]);
    out->protocol_errors = atomic_load(&m->counters[ORD_AMQP_C_PROTOCOL]);
    out->connections = atomic_load(&m->counters[ORD_AMQP_C_CONNECTIONS]);
    out->connect_failures = atomic_load(&m->counters[ORD_AMQP_C_CONNECT_FAILURES]);
}

/* Background worker threads. Each loops: run its steps, then sleep on a
 * condition variable until the interval passes or a stop wakes it. A step
 * that finds a full batch runs again at once. The relay polls less often
 * while it finds nothing (up to 4 intervals apart), and runs early when
 * this instance wrote events. */
#include "workers.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "steps.h"
#include "unit.h"

#define PURGE_INTERVAL_MS 60000 /* expired keys and old events can wait; no hurry */
#define MAX_WORKERS 2

typedef struct srv_worker srv_worker;
struct srv_worker {
    srv_workers *owner;
    const char *name;
    srv_unit *unit;
    int64_t interval_ms;
    bool (*tick)(srv_worker *w); /* true: a batch was full, run again at once */
    pthread_t thread;
    bool started;
    bool failing;          /* the last tick failed; only changes are logged */
    int64_t next_purge_ms;       /* monotonic: expired idempotency keys */
    int64_t next_event_purge_ms; /* monotonic: delivered outbox events */
    bool nudgeable;              /* the relay: events_written wakes it */
    bool idle;                   /* the last tick found nothing to do */
    int idle_ticks;              /* ticks in a row that found nothing */
    int64_t tick_started_ms;     /* monotonic */
};

struct srv_workers {
    srv_app *app;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop;
    bool relay_nudged; /* events were written since the relay's last pass */
    srv_worker w[MAX_WORKERS];
    size_t count;
};

static int64_t monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Log a step's health only when it changes, so an outage is two lines. */
static void health(srv_worker *w, const char *step, ord_error err)
{
    const srv_log *log = &w->owner->app->log;
    if (err != ORD_OK && !w->failing) {
        srv_field f[] = {SRV_STR("worker", w->name), SRV_STR("step", step),
                         SRV_STR("error", ord_strerror(err))};
        srv_log_write(log, SRV_WARN, "background step failing; will retry", f, 3);
        w->failing = true;
    } else if (err == ORD_OK && w->failing) {
        srv_field f[] = {SRV_STR("worker", w->name)};
        srv_log_write(log, SRV_INFO, "background steps working again", f, 1);
        w->failing = false;
    }
}

/* Run one step of a worker and remember the first failure of the tick. */
static void run_step(srv_worker *w, srv_step step, srv_step_outcome *o, ord_error *first,
                     const char **first_step)
{
    srv_step_run(w->unit, step, (size_t)w->owner->app->cfg.batch_size, o);
    if (o->err != ORD_OK && *first == ORD_OK) {
        *first = o->err;
        *first_step = srv_step_name(step);
    }
}

static bool recovery_tick(srv_worker *w)
{
    srv_step_outcome o;
    bool again = false;
    ord_error first = ORD_OK;
    const char *first_step = NULL;
    static const srv_step steps[] = {SRV_STEP_PENDING_ORDERS, SRV_STEP_INVENTORY_ACTIONS,
                                     SRV_STEP_TRACKING_NUMBERS};
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        run_step(w, steps[i], &o, &first, &first_step);
        again = again || o.more;
    }
    /* Expired keys and old events can wait: purged on their own interval. */
    if (first == ORD_OK && monotonic_ms() >= w->next_purge_ms) {
        run_step(w, SRV_STEP_PURGE_IDEMPOTENCY_KEYS, &o, &first, &first_step);
        if (o.err == ORD_OK)
            w->next_purge_ms = monotonic_ms() + PURGE_INTERVAL_MS;
    }
    if (first == ORD_OK && monotonic_ms() >= w->next_event_purge_ms) {
        run_step(w, SRV_STEP_PURGE_DELIVERED_EVENTS, &o, &first, &first_step);
        if (o.err == ORD_OK)
            w->next_event_purge_ms = o.more ? 0 : monotonic_ms() + PURGE_INTERVAL_MS;
        again = again || o.more;
    }
    health(w, first_step, first);
    return again;
}

static bool relay_tick(srv_worker *w)
{
    srv_step_outcome o;
    ord_error first = ORD_OK;
    const char *first_step = NULL;
    run_step(w, SRV_STEP_RELAY_EVENTS, &o, &first, &first_step);
    health(w, "relay_events", first);
    w->idle = first == ORD_OK && o.report.claimed == 0;
    return o.more;
}

static struct timespec monotonic_at(int64_t ms)
{
    return (struct timespec){.tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000L};
}

/* Sleep until the interval passes, a stop, or (the relay) a nudge once a
 * quarter of the interval has passed since its last pass began; false
 * when stopping. */
static bool wait_interval(srv_worker *w)
{
    srv_workers *ws = w->owner;
    int64_t interval = w->interval_ms;
    if (w->nudgeable) {
        w->idle_ticks = w->idle ? w->idle_ticks + 1 : 0;
        interval <<= w->idle_ticks < 2 ? w->idle_ticks : 2;
    }
    struct timespec until = monotonic_at(monotonic_ms() + interval);
    struct timespec earliest = monotonic_at(w->tick_started_ms + w->interval_ms / 4);
    pthread_mutex_lock(&ws->mu);
    bool nudged = false;
    while (!ws->stop && !nudged) {
        if (w->nudgeable && ws->relay_nudged) {
            /* Not before the quarter interval: a busy server's events go
             * out in batches, not a pass per event. */
            while (!ws->stop && pthread_cond_timedwait(&ws->cv, &ws->mu, &earliest) == 0)
                ;
            nudged = true;
            break;
        }
        if (pthread_cond_timedwait(&ws->cv, &ws->mu, &until) != 0)
            break; /* the interval passed */
    }
    if (w->nudgeable)
        ws->relay_nudged = false;
    bool running = !ws->stop;
    pthread_mutex_unlock(&ws->mu);
    return running;
}

void srv_workers_nudge_relay(void *workers)
{
    srv_workers *ws = workers;
    pthread_mutex_lock(&ws->mu);
    bool first = !ws->relay_nudged;
    ws->relay_nudged = true;
    if (first)
        pthread_cond_broadcast(&ws->cv);
    pthread_mutex_unlock(&ws->mu);
}

static bool stopping(srv_workers *ws)
{
    pthread_mutex_lock(&ws->mu);
    bool stop = ws->stop;
    pthread_mutex_unlock(&ws->mu);
    return stop;
}

static void *worker_main(void *arg)
{
    srv_worker *w = arg;
    srv_field f[] = {SRV_STR("worker", w->name), SRV_NUM("intervalMs", w->interval_ms)};
    srv_log_write(&w->owner->app->log, SRV_INFO, "background worker started", f, 2);
    do {
        w->tick_started_ms = monotonic_ms();
        while (w->tick(w) && !stopping(w->owner))
            ;
    } while (wait_interval(w));
    srv_log_write(&w->owner->app->log, SRV_INFO, "background worker stopped", f, 1);
    return NULL;
}

static bool add(srv_workers *ws, const char *name, int64_t interval_ms,
                bool (*tick)(srv_worker *))
{
    srv_worker *w = &ws->w[ws->count];
    w->owner = ws;
    w->name = name;
    w->interval_ms = interval_ms;
    w->tick = tick;
    /* Only the relay delivers events: no other thread holds a broker connection. */
    w->unit = srv_unit_new(&ws->app->unit_deps, name, tick == relay_tick ? SRV_UNIT_RELAY : 0);
    if (w->unit == NULL)
        return false;
    ws->count++;
    return true;
}

srv_workers *srv_workers_start(srv_app *app)
{
    srv_workers *ws = calloc(1, sizeof *ws);
    if (ws == NULL)
        return NULL;
    ws->app = app;
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&ws->cv, &attr);
    pthread_condattr_destroy(&attr);
    pthread_mutex_init(&ws->mu, NULL);

    bool ok = add(ws, "recovery", app->cfg.recovery_interval_ms, recovery_tick);
    if (ok && srv_config_events_on(&app->cfg)) {
        ok = add(ws, "relay", app->cfg.relay_interval_ms, relay_tick);
        if (ok)
            ws->w[ws->count - 1].nudgeable = true;
    } else if (ok) {
        srv_log_write(&app->log, SRV_WARN,
                      app->cfg.event_sink == SRV_SINK_OFF
                          ? "event sink is off: events stay in the outbox until one is configured"
                          : "event webhook is off: events stay in the outbox until one is "
                            "configured",
                      NULL, 0);
    }
    for (size_t i = 0; ok && i < ws->count; i++) {
        if (pthread_create(&ws->w[i].thread, NULL, worker_main, &ws->w[i]) != 0) {
            srv_log_write(&app->log, SRV_ERROR, "cannot start a background thread", NULL, 0);
            ok = false;
        } else {
            ws->w[i].started = true;
        }
    }
    if (!ok) {
        srv_workers_stop(ws);
        return NULL;
    }
    return ws;
}

void srv_workers_stop(srv_workers *ws)
{
    if (ws == NULL)
        return;
    pthread_mutex_lock(&ws->mu);
    ws->stop = true;
    pthread_cond_broadcast(&ws->cv);
    pthread_mutex_unlock(&ws->mu);
    for (size_t i = 0; i < ws->count; i++) {
        if (ws->w[i].started)
            pthread_join(ws->w[i].thread, NULL);
        srv_unit_free(ws->w[i].unit);
    }
    pthread_cond_destroy(&ws->cv);
    pthread_mutex_destroy(&ws->mu);
    free(ws);
}

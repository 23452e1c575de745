/* A fixed set of connections (links) handed out one call at a time: the
 * most recently returned first, so that idle connections stay idle and the
 * busy ones keep their prepared statements warm. */
#include <orders/adapters/postgres/pool.h>

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pg_internal.h"

struct ord_pg_pool {
    pthread_mutex_t lock;
    pthread_cond_t freed;
    pg_link *links;          /* size entries */
    pg_link **idle;          /* stack of free links; idle_count entries */
    size_t size;
    size_t idle_count;
    size_t waiting;          /* callers of take() asleep on freed */
    int acquire_timeout_ms;
    uint64_t waits;
    uint64_t timeouts;
    char *conninfo;
    char *application_name;
    ord_pg_options options;
};

ord_error ord_pg_pool_new(ord_pg_pool **out, const char *conninfo, const ord_pg_options *options,
                          size_t size, int acquire_timeout_ms)
{
    if (out == NULL)
        return ORD_EINVALID;
    *out = NULL;
    ord_pg_options defaults = ORD_PG_OPTIONS_INIT;
    const ord_pg_options *o = options != NULL ? options : &defaults;
    if (!ord_pg_options_ok(o, conninfo) || size == 0 || size > ORD_PG_POOL_MAX_SIZE ||
        acquire_timeout_ms < 0)
        return ORD_EINVALID;
    ord_pg_pool *pool = calloc(1, sizeof *pool);
    if (pool == NULL)
        return ORD_ENOMEM;
    pool->links = calloc(size, sizeof *pool->links);
    pool->idle = calloc(size, sizeof *pool->idle);
    pool->conninfo = strdup(conninfo);
    pool->application_name = strdup(o->application_name != NULL ? o->application_name : "orders");
    pthread_condattr_t attr;
    bool cond_ok = pthread_condattr_init(&attr) == 0 &&
                   pthread_condattr_setclock(&attr, CLOCK_MONOTONIC) == 0 &&
                   pthread_cond_init(&pool->freed, &attr) == 0;
    pthread_condattr_destroy(&attr);
    if (pool->links == NULL || pool->idle == NULL || pool->conninfo == NULL ||
        pool->application_name == NULL || !cond_ok ||
        pthread_mutex_init(&pool->lock, NULL) != 0) {
        if (cond_ok)
            pthread_cond_destroy(&pool->freed);
        free(pool->links);
        free(pool->idle);
        free(pool->conninfo);
        free(pool->application_name);
        free(pool);
        return ORD_ENOMEM;
    }
    pool->options = *o;
    pool->options.application_name = pool->application_name;
    pool->size = size;
    pool->acquire_timeout_ms = acquire_timeout_ms;
    /* Stacked so that the first link is the first handed out. */
    for (size_t i = 0; i < size; i++)
        pool->idle[i] = &pool->links[size - 1 - i];
    pool->idle_count = size;
    *out = pool;
    return ORD_OK;
}

void ord_pg_pool_free(ord_pg_pool *pool)
{
    if (pool == NULL)
        return;
    for (size_t i = 0; i < pool->size; i++)
        PQfinish(pool->links[i].conn);
    pthread_cond_destroy(&pool->freed);
    pthread_mutex_destroy(&pool->lock);
    free(pool->links);
    free(pool->idle);
    free(pool->conninfo);
    free(pool->application_name);
    free(pool);
}

static struct timespec deadline_after(int ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return ts;
}

pg_link *ord_pg_pool_take(ord_pg_pool *pool)
{
    if (pool == NULL)
        return NULL;
    pthread_mutex_lock(&pool->lock);
    if (pool->idle_count == 0) {
        pool->waits++;
        struct timespec until = deadline_after(pool->acquire_timeout_ms);
        int rc = 0;
        pool->waiting++;
        while (pool->idle_count == 0 && rc != ETIMEDOUT)
            rc = pthread_cond_timedwait(&pool->freed, &pool->lock, &until);
        pool->waiting--;
        if (pool->idle_count == 0) {
            pool->timeouts++;
            pthread_mutex_unlock(&pool->lock);
            return NULL;
        }
    }
    pg_link *link = pool->idle[--pool->idle_count];
    pthread_mutex_unlock(&pool->lock);
    return link;
}

void ord_pg_pool_give(ord_pg_pool *pool, pg_link *link)
{
    if (pool == NULL || link == NULL)
        return;
    pthread_mutex_lock(&pool->lock);
    pool->idle[pool->idle_count++] = link;
    bool wake = pool->waiting > 0;
    pthread_mutex_unlock(&pool->lock);
    /* After the unlock, so that the caller woken does not at once sleep
     * again on the lock; and only when someone waits (a system call). A
     * waiter that timed out meanwhile still takes the link: it looks
     * again before it gives up. */
    if (wake)
        pthread_cond_signal(&pool->freed);
}

const char *ord_pg_pool_conninfo(const ord_pg_pool *pool)
{
    return pool->conninfo;
}

const ord_pg_options *ord_pg_pool_options_of(const ord_pg_pool *pool)
{
    return &pool->options;
}

void ord_pg_pool_stats_get(ord_pg_pool *pool, ord_pg_pool_stats *out)
{
    if (out == NULL)
        return;
    memset(out, 0, sizeof *out);
    if (pool == NULL)
        return;
    pthread_mutex_lock(&pool->lock);
    out->size = pool->size;
    out->busy = pool->size - pool->idle_count;
    out->waits = pool->waits;
    out->timeouts = pool->timeouts;
    pthread_mutex_unlock(&pool->lock);
}

/* Where keys come from after start: the JWKS file, checked for a change
 * (device, inode, size, modification time) at most once a second or at
 * once for an unknown kid; and the JWKS URL, fetched by one background
 * thread: periodically, on request for an unknown kid (at most once per
 * min_refresh_s), and every second or so while no key is in hand. A bad
 * document or a failed fetch keeps the keys in hand. */
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

int64_t ord_jwt_monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void ord_jwt_log(const ord_jwt_verifier *v, const char *level, const char *message,
                 const char *detail)
{
    if (v->log != NULL)
        v->log(v->log_ctx, level, message, detail);
}

static jwt_file_stamp stamp_of(const char *path)
{
    jwt_file_stamp s;
    memset(&s, 0, sizeof s);
    struct stat st;
    if (stat(path, &st) != 0)
        return s;
    s.present = true;
    s.dev = st.st_dev;
    s.ino = st.st_ino;
    s.size = st.st_size;
    s.mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
    return s;
}

static bool same_stamp(const jwt_file_stamp *a, const jwt_file_stamp *b)
{
    return a->present == b->present && a->dev == b->dev && a->ino == b->ino &&
           a->size == b->size && a->mtime_ns == b->mtime_ns;
}

/* Swap in a new key set under the lock; the old one goes when its last
 * request is done with it. */
static void install(ord_jwt_verifier *v, jwt_keyset **slot, jwt_keyset *set)
{
    pthread_mutex_lock(&v->lock);
    jwt_keyset *old = *slot;
    *slot = set;
    pthread_mutex_unlock(&v->lock);
    ord_jwt_keyset_release(old);
}

static void log_loaded(const ord_jwt_verifier *v, const char *message, const char *where,
                       const jwt_keyset *set)
{
    char detail[1200];
    int n = snprintf(detail, sizeof detail, "%s: %zu key(s)", where, set->count);
    for (size_t i = 0; i < set->count && n > 0 && (size_t)n < sizeof detail; i++)
        n += snprintf(detail + n, sizeof detail - (size_t)n, "%s%s/%s", i == 0 ? " " : ", ",
                      set->keys[i].kid[0] != '\0' ? set->keys[i].kid : "(no kid)", set->keys[i].alg);
    ord_jwt_log(v, "info", message, detail);
}

ord_error ord_jwt_file_load(ord_jwt_verifier *v, bool strict, char *err, size_t err_cap)
{
    jwt_file_stamp before = stamp_of(v->jwks_file);
    char *doc = NULL;
    size_t len = 0;
    char why[300] = "";
    ord_error rc = ord_jwt_read_file(v->jwks_file, ORD_JWT_MAX_JWKS_BYTES, &doc, &len, why,
                                     sizeof why);
    jwt_keyset *set = NULL;
    if (rc == ORD_OK)
        rc = ord_jwt_keyset_parse(doc, len, v->log, v->log_ctx, &set, why, sizeof why);
    free(doc);
    pthread_mutex_lock(&v->lock);
    v->stamp = before; /* a change during the read is seen at the next check */
    pthread_mutex_unlock(&v->lock);
    if (rc != ORD_OK) {
        if (strict)
            snprintf(err, err_cap, "JWKS file %s: %s", v->jwks_file, why);
        else
            ord_jwt_log(v, "error", "JWKS file not reloaded; keeping the keys in hand", why);
        return rc;
    }
    log_loaded(v, strict ? "JWKS file loaded" : "JWKS file reloaded", v->jwks_file, set);
    install(v, &v->file_keys, set);
    return ORD_OK;
}

void ord_jwt_file_check(ord_jwt_verifier *v, bool force)
{
    if (v->jwks_file == NULL)
        return;
    int64_t now = ord_jwt_monotonic_ms();
    pthread_mutex_lock(&v->lock);
    bool due = force || now - v->file_checked_ms >= 1000;
    if (!due || v->file_checking) {
        pthread_mutex_unlock(&v->lock);
        return;
    }
    v->file_checking = true;
    v->file_checked_ms = now;
    jwt_file_stamp known = v->stamp;
    pthread_mutex_unlock(&v->lock);

    jwt_file_stamp current = stamp_of(v->jwks_file);
    if (!same_stamp(&known, &current)) {
        if (!current.present) {
            /* Gone (or being replaced): keep the keys, say so once. */
            ord_jwt_log(v, "warn", "JWKS file missing; keeping the keys in hand", v->jwks_file);
            pthread_mutex_lock(&v->lock);
            v->stamp = current;
            pthread_mutex_unlock(&v->lock);
        } else {
            (void)ord_jwt_file_load(v, false, NULL, 0);
        }
    }
    pthread_mutex_lock(&v->lock);
    v->file_checking = false;
    pthread_mutex_unlock(&v->lock);
}

/* One fetch of the URL and, when it gives a usable JWKS, its keys. */
static void fetch_once(ord_jwt_verifier *v)
{
    char *doc = NULL;
    size_t len = 0;
    ord_error rc = v->fetch(v->fetch_ctx, &doc, &len);
    char why[300] = "";
    jwt_keyset *set = NULL;
    if (rc == ORD_OK && (doc == NULL || len > ORD_JWT_MAX_JWKS_BYTES)) {
        rc = ORD_ECONTRACT;
        snprintf(why, sizeof why, "the answer is empty or too large");
    } else if (rc == ORD_OK) {
        rc = ord_jwt_keyset_parse(doc, len, v->log, v->log_ctx, &set, why, sizeof why);
    } else {
        snprintf(why, sizeof why, "%s", ord_strerror(rc));
    }
    free(doc);
    if (rc == ORD_OK) {
        log_loaded(v, "JWKS fetched", v->jwks_url != NULL ? v->jwks_url : "URL", set);
        install(v, &v->url_keys, set);
    } else {
        char detail[600];
        snprintf(detail, sizeof detail, "%s: %s", v->jwks_url != NULL ? v->jwks_url : "URL", why);
        ord_jwt_log(v, "warn", "JWKS fetch failed; keeping the keys in hand", detail);
    }
    pthread_mutex_lock(&v->lock);
    v->fetches++;
    v->last_fetch_ms = ord_jwt_monotonic_ms();
    pthread_cond_broadcast(&v->cond);
    pthread_mutex_unlock(&v->lock);
}

static void deadline_in(struct timespec *ts, int64_t ms)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
    ts->tv_sec += ms / 1000;
    ts->tv_nsec += (ms % 1000) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

static void *refresh_thread(void *arg)
{
    ord_jwt_verifier *v = arg;
    int64_t retry_ms = 1000; /* while no key is in hand: 1 s, doubling */
    pthread_mutex_lock(&v->lock);
    while (!v->stop) {
        bool empty = v->url_keys == NULL || v->url_keys->count == 0;
        int64_t wait_ms = empty ? retry_ms : v->refresh_s * 1000;
        int64_t due = v->last_fetch_ms + wait_ms;
        int64_t now = ord_jwt_monotonic_ms();
        if (!v->refresh_wanted && now < due) {
            struct timespec ts;
            deadline_in(&ts, due - now);
            pthread_cond_timedwait(&v->cond, &v->lock, &ts);
            continue;
        }
        v->refresh_wanted = false;
        pthread_mutex_unlock(&v->lock);
        fetch_once(v);
        pthread_mutex_lock(&v->lock);
        empty = v->url_keys == NULL || v->url_keys->count == 0;
        retry_ms = empty ? (retry_ms * 2 < v->min_refresh_s * 1000 ? retry_ms * 2
                                                                    : v->min_refresh_s * 1000)
                         : 1000;
    }
    pthread_mutex_unlock(&v->lock);
    return NULL;
}

ord_error ord_jwt_url_start(ord_jwt_verifier *v)
{
    if (v->fetch == NULL)
        return ORD_OK;
    fetch_once(v);
    if (pthread_create(&v->thread, NULL, refresh_thread, v) != 0)
        return ORD_EINTERNAL;
    v->thread_started = true;
    return ORD_OK;
}

void ord_jwt_url_stop(ord_jwt_verifier *v)
{
    if (!v->thread_started)
        return;
    pthread_mutex_lock(&v->lock);
    v->stop = true;
    pthread_cond_broadcast(&v->cond);
    pthread_mutex_unlock(&v->lock);
    pthread_join(v->thread, NULL);
    v->thread_started = false;
}

bool ord_jwt_url_refresh_for_unknown_kid(ord_jwt_verifier *v)
{
    if (!v->thread_started)
        return false;
    pthread_mutex_lock(&v->lock);
    int64_t now = ord_jwt_monotonic_ms();
    /* A refresh already asked for is joined; a new one only when the last
     * attempt is old enough, so unknown kids cannot hammer the key server. */
    if (!v->refresh_wanted && now - v->last_fetch_ms < v->min_refresh_s * 1000) {
        pthread_mutex_unlock(&v->lock);
        return false;
    }
    v->refresh_wanted = true;
    uint64_t seen = v->fetches;
    pthread_cond_broadcast(&v->cond);
    struct timespec ts;
    deadline_in(&ts, v->wait_ms);
    while (v->fetches == seen && !v->stop) {
        if (pthread_cond_timedwait(&v->cond, &v->lock, &ts) == ETIMEDOUT)
            break;
    }
    bool fetched = v->fetches != seen;
    pthread_mutex_unlock(&v->lock);
    return fetched;
}

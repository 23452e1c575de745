/* Several connections racing on one database, as several server instances
 * would: one winner per order change, no order or event claimed twice, one
 * winner per idempotency key. Every thread has its own store. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include <orders/adapters/postgres/store.h>

#include "pg_test.h"

#define T0 INT64_C(1767225600000)
#define THREADS 8

static int setup(void **state)
{
    (void)state;
    return pgt_truncate();
}

/* ---- cancel versus ship ---- */

typedef struct race_arm {
    pthread_barrier_t *start;
    int64_t order_id;
    ord_status to;
    ord_error result;
} race_arm;

static void *race_run(void *arg)
{
    race_arm *arm = arg;
    ord_pg_store *store = pgt_store();
    /* Connect before the start line; cmocka's asserts are for the main thread. */
    (void)ord_pg_ping(store);
    pthread_barrier_wait(arm->start);
    arm->result = pgt_move(store, arm->order_id, 2, ORD_STATUS_CONFIRMED, arm->to, T0 + 2, NULL);
    ord_pg_store_free(store);
    return NULL;
}

static void test_cancel_and_ship_racing_on_one_order_have_one_winner(void **state)
{
    (void)state;
    ord_pg_store *store = pgt_store();
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, 2);
    int cancels = 0;
    int ships = 0;
    for (int round = 0; round < 40; round++) {
        int64_t id = pgt_create(store, 10 + round, T0);
        assert_int_equal(pgt_move(store, id, 1, ORD_STATUS_PENDING_CHECK, ORD_STATUS_CONFIRMED,
                                  T0 + 1, NULL),
                         ORD_OK);
        race_arm arms[2] = {{&start, id, ORD_STATUS_CANCELLED, ORD_EINTERNAL},
                            {&start, id, ORD_STATUS_SHIPPED, ORD_EINTERNAL}};
        pthread_t threads[2];
        for (int i = 0; i < 2; i++)
            assert_int_equal(pthread_create(&threads[i], NULL, race_run, &arms[i]), 0);
        for (int i = 0; i < 2; i++)
            pthread_join(threads[i], NULL);

        int wins = (arms[0].result == ORD_OK) + (arms[1].result == ORD_OK);
        assert_int_equal(wins, 1);
        assert_int_equal(arms[0].result == ORD_OK ? arms[1].result : arms[0].result,
                         ORD_ECONFLICT);
        cancels += arms[0].result == ORD_OK;
        ships += arms[1].result == ORD_OK;

        /* The winner's change, history entry and event, and nothing of the loser's. */
        ord_order got;
        ord_order_init(&got);
        ord_order_repository repo = ord_pg_store_orders(store);
        assert_int_equal(repo.ops->get_by_id(repo.self, id, &got), ORD_OK);
        ord_status winner = arms[0].result == ORD_OK ? ORD_STATUS_CANCELLED : ORD_STATUS_SHIPPED;
        assert_int_equal(got.status, winner);
        assert_int_equal(got.version, 3);
        assert_int_equal(got.history_count, 3);
        assert_int_equal(got.history[2].to, winner);
        ord_order_free(&got);
        char sql[128];
        snprintf(sql, sizeof sql, "SELECT count(*) FROM outbox_events WHERE order_id = %lld",
                 (long long)id);
        assert_int_equal(pgt_scalar(sql), 2);
    }
    assert_int_equal(cancels + ships, 40);
    pthread_barrier_destroy(&start);
    ord_pg_store_free(store);
}

/* ---- claiming work ---- */

#define WORK_ORDERS 240

typedef struct claimer {
    pthread_barrier_t *start;
    int index;
    int64_t claimed[WORK_ORDERS];
    size_t count;
    ord_error failure;
} claimer;

static void *claim_run(void *arg)
{
    claimer *c = arg;
    ord_pg_store *store = pgt_store();
    ord_order_repository repo = ord_pg_store_orders(store);
    char owner[32];
    snprintf(owner, sizeof owner, "worker-%d", c->index);
    pthread_barrier_wait(c->start);
    for (;;) {
        int64_t ids[7];
        size_t n = 0;
        ord_work_claim claim = {.kind = ORD_WORK_STALE_PENDING, .now_ms = T0 + 100000,
                                .stale_before_ms = T0 + 50000,
                                .lease_until_ms = T0 + 10000000, .owner = owner, .max = 7};
        ord_error rc = repo.ops->claim(repo.self, &claim, ids, &n);
        if (rc != ORD_OK) {
            c->failure = rc;
            break;
        }
        if (n == 0)
            break;
        /* Work each claimed order (confirm it), so it needs no more work; a
         * second claimer would lose this race on the version. */
        for (size_t i = 0; i < n && c->count < WORK_ORDERS; i++) {
            c->claimed[c->count++] = ids[i];
            rc = pgt_move(store, ids[i], 1, ORD_STATUS_PENDING_CHECK, ORD_STATUS_CONFIRMED,
                          T0 + 200000, NULL);
            if (rc != ORD_OK)
                c->failure = rc;
        }
        if (c->failure != ORD_OK)
            break;
    }
    ord_pg_store_free(store);
    return NULL;
}

static void test_many_workers_claiming_never_claim_an_order_twice(void **state)
{
    (void)state;
    ord_pg_store *store = pgt_store();
    for (int i = 0; i < WORK_ORDERS; i++)
        pgt_create(store, 1 + i % 17, T0 + i);
    ord_pg_store_free(store);

    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, THREADS);
    static claimer claimers[THREADS];
    pthread_t threads[THREADS];
    for (int i = 0; i < THREADS; i++) {
        memset(&claimers[i], 0, sizeof claimers[i]);
        claimers[i].start = &start;
        claimers[i].index = i;
        assert_int_equal(pthread_create(&threads[i], NULL, claim_run, &claimers[i]), 0);
    }
    for (int i = 0; i < THREADS; i++)
        pthread_join(threads[i], NULL);
    pthread_barrier_destroy(&start);

    static int times[WORK_ORDERS + 1];
    memset(times, 0, sizeof times);
    size_t total = 0;
    for (int i = 0; i < THREADS; i++) {
        assert_int_equal(claimers[i].failure, ORD_OK);
        for (size_t k = 0; k < claimers[i].count; k++) {
            int64_t id = claimers[i].claimed[k];
            assert_true(id >= 1 && id <= WORK_ORDERS);
            times[id]++;
        }
        total += claimers[i].count;
    }
    assert_int_equal(total, WORK_ORDERS);
    for (int id = 1; id <= WORK_ORDERS; id++)
        assert_int_equal(times[id], 1);
    /* Each row names the worker that claimed it, and was worked once. */
    assert_int_equal(pgt_scalar("SELECT count(*) FROM orders WHERE lease_owner LIKE 'worker-%'"),
                     WORK_ORDERS);
    assert_int_equal(pgt_scalar("SELECT count(*) FROM orders WHERE status = 'CONFIRMED'"),
                     WORK_ORDERS);
}

/* ---- relaying events ---- */

#define EVENT_ORDERS 120

typedef struct relay {
    pthread_barrier_t *start;
    int index;
    int64_t delivered[EVENT_ORDERS * 2];
    size_t count;
    ord_error failure;
} relay;

static void *relay_run(void *arg)
{
    relay *r = arg;
    ord_pg_store *store = pgt_store();
    ord_outbox outbox = ord_pg_store_outbox(store);
    char owner[32];
    snprintf(owner, sizeof owner, "relay-%d", r->index);
    pthread_barrier_wait(r->start);
    long idle = 0;
    for (;;) {
        ord_outbox_batch batch = {0};
        ord_error rc = outbox.ops->claim(outbox.self, T0 + 1000, T0 + 1000000, owner, 5, &batch);
        if (rc != ORD_OK) {
            r->failure = rc;
            break;
        }
        if (batch.count == 0) {
            /* Events held back behind another relay's head are not done yet. */
            int64_t pending = 0, parked = 0;
            rc = outbox.ops->count(outbox.self, &pending, &parked);
            if (rc != ORD_OK || pending == 0 || ++idle > 200000) {
                r->failure = rc != ORD_OK || pending == 0 ? rc : ORD_ETIMEOUT;
                break;
            }
            /* Another relay holds the heads; let it work instead of spinning. */
            struct timespec pause = {.tv_nsec = 1000000};
            nanosleep(&pause, NULL);
            continue;
        }
        for (size_t i = 0; i < batch.count; i++) {
            if (r->count < EVENT_ORDERS * 2)
                r->delivered[r->count++] = batch.events[i].id;
            rc = outbox.ops->mark_delivered(outbox.self, batch.events[i].id);
            if (rc != ORD_OK)
                r->failure = rc;
        }
        ord_outbox_batch_free(&batch);
    }
    ord_pg_store_free(store);
    return NULL;
}

static void test_many_relays_deliver_every_event_once(void **state)
{
    (void)state;
    ord_pg_store *store = pgt_store();
    /* Two events per order: placed, then shipped. */
    for (int i = 0; i < EVENT_ORDERS; i++) {
        int64_t id = pgt_create(store, 1 + i % 5, T0);
        assert_int_equal(pgt_move(store, id, 1, ORD_STATUS_PENDING_CHECK, ORD_STATUS_CONFIRMED,
                                  T0 + 1, NULL),
                         ORD_OK);
        assert_int_equal(
            pgt_move(store, id, 2, ORD_STATUS_CONFIRMED, ORD_STATUS_SHIPPED, T0 + 2, NULL),
            ORD_OK);
    }
    ord_pg_store_free(store);

    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, THREADS);
    static relay relays[THREADS];
    pthread_t threads[THREADS];
    for (int i = 0; i < THREADS; i++) {
        memset(&relays[i], 0, sizeof relays[i]);
        relays[i].start = &start;
        relays[i].index = i;
        assert_int_equal(pthread_create(&threads[i], NULL, relay_run, &relays[i]), 0);
    }
    for (int i = 0; i < THREADS; i++)
        pthread_join(threads[i], NULL);
    pthread_barrier_destroy(&start);

    static int times[EVENT_ORDERS * 2 + 1];
    memset(times, 0, sizeof times);
    size_t total = 0;
    for (int i = 0; i < THREADS; i++) {
        assert_int_equal(relays[i].failure, ORD_OK);
        for (size_t k = 0; k < relays[i].count; k++) {
            int64_t id = relays[i].delivered[k];
            assert_true(id >= 1 && id <= EVENT_ORDERS * 2);
            times[id]++;
        }
        total += relays[i].count;
    }
    assert_int_equal(total, EVENT_ORDERS * 2);
    for (int id = 1; id <= EVENT_ORDERS * 2; id++)
        assert_int_equal(times[id], 1);
    assert_int_equal(pgt_scalar("SELECT count(*) FROM outbox_events WHERE NOT delivered"), 0);
}

/* ---- relaying in order ---- */

#define CHAIN_ORDERS 60
#define CHAIN_FIRST 2 /* sequence of an order's first event (CONFIRMED) */
#define CHAIN_LAST 4  /* ... and of its last (DELIVERED) */

/* What the relays have done, shared between them. */
typedef struct chain_log {
    pthread_mutex_t lock;
    bool marking[CHAIN_ORDERS + 1][CHAIN_LAST + 1]; /* mark_delivered called */
    int claims[CHAIN_ORDERS + 1][CHAIN_LAST + 1];
    int early; /* events claimed while their predecessor was not being marked */
} chain_log;

typedef struct chain_relay {
    pthread_barrier_t *start;
    chain_log *log;
    int index;
    ord_error failure;
} chain_relay;

static bool chain_event_ok(const ord_outbox_event *e)
{
    return e->order_id >= 1 && e->order_id <= CHAIN_ORDERS && e->sequence >= CHAIN_FIRST &&
           e->sequence <= CHAIN_LAST;
}

/* Claims, "delivers" slowly, then marks: an order's next event may only be
 * claimed once its previous one is being marked delivered. */
static void *chain_run(void *arg)
{
    chain_relay *r = arg;
    chain_log *log = r->log;
    ord_pg_store *store = pgt_store();
    ord_outbox outbox = ord_pg_store_outbox(store);
    char owner[32];
    snprintf(owner, sizeof owner, "relay-%d", r->index);
    pthread_barrier_wait(r->start);
    long idle = 0;
    while (r->failure == ORD_OK) {
        ord_outbox_batch batch = {0};
        ord_error rc = outbox.ops->claim(outbox.self, T0 + 1000, T0 + 1000000, owner, 3, &batch);
        if (rc != ORD_OK) {
            r->failure = rc;
            break;
        }
        if (batch.count == 0) {
            int64_t pending = 0, parked = 0;
            rc = outbox.ops->count(outbox.self, &pending, &parked);
            if (rc != ORD_OK || pending == 0 || ++idle > 200000) {
                r->failure = rc != ORD_OK || pending == 0 ? rc : ORD_ETIMEOUT;
                break;
            }
            struct timespec pause = {.tv_nsec = 500000};
            nanosleep(&pause, NULL);
            continue;
        }
        for (size_t i = 0; i < batch.count; i++) {
            const ord_outbox_event *e = &batch.events[i];
            if (!chain_event_ok(e)) {
                r->failure = ORD_ECONTRACT;
                break;
            }
            pthread_mutex_lock(&log->lock);
            log->claims[e->order_id][e->sequence]++;
            if (e->sequence > CHAIN_FIRST && !log->marking[e->order_id][e->sequence - 1])
                log->early++;
            pthread_mutex_unlock(&log->lock);
        }
        /* The delivery: long enough for the other relays to claim meanwhile. */
        struct timespec deliver = {.tv_nsec = 2000000};
        nanosleep(&deliver, NULL);
        for (size_t i = 0; i < batch.count && r->failure == ORD_OK; i++) {
            const ord_outbox_event *e = &batch.events[i];
            pthread_mutex_lock(&log->lock);
            log->marking[e->order_id][e->sequence] = true;
            pthread_mutex_unlock(&log->lock);
            rc = outbox.ops->mark_delivered(outbox.self, e->id);
            if (rc != ORD_OK)
                r->failure = rc;
        }
        ord_outbox_batch_free(&batch);
    }
    ord_pg_store_free(store);
    return NULL;
}

static void test_relays_never_claim_an_orders_next_event_before_its_previous_is_delivered(
    void **state)
{
    (void)state;
    ord_pg_store *store = pgt_store();
    /* Three events per order, made before any relay runs. */
    for (int i = 0; i < CHAIN_ORDERS; i++) {
        int64_t id = pgt_create(store, 1 + i % 5, T0);
        assert_int_equal(id, i + 1);
        assert_int_equal(pgt_move(store, id, 1, ORD_STATUS_PENDING_CHECK, ORD_STATUS_CONFIRMED,
                                  T0 + 1, NULL),
                         ORD_OK);
        assert_int_equal(
            pgt_move(store, id, 2, ORD_STATUS_CONFIRMED, ORD_STATUS_SHIPPED, T0 + 2, NULL),
            ORD_OK);
        assert_int_equal(
            pgt_move(store, id, 3, ORD_STATUS_SHIPPED, ORD_STATUS_DELIVERED, T0 + 3, NULL),
            ORD_OK);
    }
    ord_pg_store_free(store);

    static chain_log log;
    memset(&log, 0, sizeof log);
    pthread_mutex_init(&log.lock, NULL);
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, THREADS);
    chain_relay relays[THREADS];
    pthread_t threads[THREADS];
    for (int i = 0; i < THREADS; i++) {
        relays[i] = (chain_relay){.start = &start, .log = &log, .index = i};
        assert_int_equal(pthread_create(&threads[i], NULL, chain_run, &relays[i]), 0);
    }
    for (int i = 0; i < THREADS; i++)
        pthread_join(threads[i], NULL);
    pthread_barrier_destroy(&start);
    pthread_mutex_destroy(&log.lock);

    for (int i = 0; i < THREADS; i++)
        assert_int_equal(relays[i].failure, ORD_OK);
    assert_int_equal(log.early, 0);
    for (int order = 1; order <= CHAIN_ORDERS; order++)
        for (int seq = CHAIN_FIRST; seq <= CHAIN_LAST; seq++)
            assert_int_equal(log.claims[order][seq], 1);
    assert_int_equal(pgt_scalar("SELECT count(*) FROM outbox_events WHERE NOT delivered"), 0);
}

/* ---- one idempotency key, many first requests ---- */

typedef struct requester {
    pthread_barrier_t *start;
    const char *key;
    int64_t now_ms;
    ord_error rc;
    ord_idem_state state;
    int64_t order_id;
} requester;

static void *begin_run(void *arg)
{
    requester *q = arg;
    ord_pg_store *store = pgt_store();
    (void)ord_pg_ping(store);
    ord_idempotency_store idem = ord_pg_store_idempotency(store);
    ord_idem_begin b = {.scope = "customer:7", .key = q->key, .fingerprint = "same-request",
                        .now_ms = q->now_ms, .lock_until_ms = q->now_ms + 30000,
                        .expires_at_ms = q->now_ms + 86400000};
    ord_idem_record rec = {0};
    pthread_barrier_wait(q->start);
    q->rc = idem.ops->begin(idem.self, &b, &rec);
    q->state = rec.state;
    q->order_id = rec.order_id;
    ord_idem_record_free(&rec);
    /* Every holder lives on until all have asked, as a request does while
     * it works: a closed session gives its key up (migration 0007). */
    pthread_barrier_wait(q->start);
    ord_pg_store_free(store);
    return NULL;
}

static void test_concurrent_first_requests_with_one_key_have_one_winner(void **state)
{
    (void)state;
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, THREADS);
    for (int round = 0; round < 15; round++) {
        char key[32];
        snprintf(key, sizeof key, "key-%d", round);
        requester qs[THREADS];
        pthread_t threads[THREADS];
        for (int i = 0; i < THREADS; i++) {
            qs[i] = (requester){.start = &start, .key = key, .now_ms = T0, .rc = ORD_EINTERNAL};
            assert_int_equal(pthread_create(&threads[i], NULL, begin_run, &qs[i]), 0);
        }
        for (int i = 0; i < THREADS; i++)
            pthread_join(threads[i], NULL);
        int started = 0;
        for (int i = 0; i < THREADS; i++) {
            assert_int_equal(qs[i].rc, ORD_OK);
            if (qs[i].state == ORD_IDEM_STARTED)
                started++;
            else
                assert_int_equal(qs[i].state, ORD_IDEM_IN_PROGRESS);
        }
        assert_int_equal(started, 1);
    }
    pthread_barrier_destroy(&start);
    assert_int_equal(pgt_scalar("SELECT count(*) FROM idempotency_keys"), 15);
    /* The generated customer column follows the scope. */
    assert_int_equal(pgt_scalar("SELECT min(customer_id) FROM idempotency_keys"), 7);
}

/* Races @p THREADS first requests for @p key at @p now_ms; counts outcomes. */
static void race_begin(const char *key, int64_t now_ms, int counts[ORD_IDEM_MISMATCH + 1],
                       int64_t *order_id)
{
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, THREADS);
    requester qs[THREADS];
    pthread_t threads[THREADS];
    for (int i = 0; i < THREADS; i++) {
        qs[i] = (requester){.start = &start, .key = key, .now_ms = now_ms, .rc = ORD_EINTERNAL};
        assert_int_equal(pthread_create(&threads[i], NULL, begin_run, &qs[i]), 0);
    }
    for (int i = 0; i < THREADS; i++)
        pthread_join(threads[i], NULL);
    pthread_barrier_destroy(&start);
    memset(counts, 0, sizeof(int) * (ORD_IDEM_MISMATCH + 1));
    *order_id = -1;
    for (int i = 0; i < THREADS; i++) {
        assert_int_equal(qs[i].rc, ORD_OK);
        assert_true((unsigned)qs[i].state <= ORD_IDEM_MISMATCH);
        counts[qs[i].state]++;
        if (qs[i].state != ORD_IDEM_IN_PROGRESS)
            *order_id = qs[i].order_id;
    }
}

static void test_concurrent_retries_of_a_released_key_have_one_taker(void **state)
{
    (void)state;
    ord_pg_store *store = pgt_store();
    ord_idempotency_store idem = ord_pg_store_idempotency(store);
    ord_idem_begin b = {.scope = "customer:7", .key = "released", .fingerprint = "same-request",
                        .now_ms = T0, .lock_until_ms = T0 + 30000, .expires_at_ms = T0 + 86400000};
    ord_idem_record rec = {0};
    assert_int_equal(idem.ops->begin(idem.self, &b, &rec), ORD_OK);
    assert_int_equal(rec.state, ORD_IDEM_STARTED);
    assert_int_equal(idem.ops->release(idem.self, "customer:7", "released", 42), ORD_OK);
    ord_pg_store_free(store);

    int counts[ORD_IDEM_MISMATCH + 1];
    int64_t order_id = 0;
    race_begin("released", T0 + 1, counts, &order_id);
    assert_int_equal(counts[ORD_IDEM_RESUMABLE], 1);
    assert_int_equal(counts[ORD_IDEM_IN_PROGRESS], THREADS - 1);
    assert_int_equal(order_id, 42);
}

static void test_concurrent_first_requests_on_an_expired_key_have_one_winner(void **state)
{
    (void)state;
    ord_pg_store *store = pgt_store();
    ord_idempotency_store idem = ord_pg_store_idempotency(store);
    ord_idem_begin b = {.scope = "customer:7", .key = "expired", .fingerprint = "old-request",
                        .now_ms = T0, .lock_until_ms = T0 + 5, .expires_at_ms = T0 + 10};
    ord_idem_record rec = {0};
    assert_int_equal(idem.ops->begin(idem.self, &b, &rec), ORD_OK);
    assert_int_equal(idem.ops->complete(idem.self, "customer:7", "expired", 9, 201, "{}"),
                     ORD_OK);
    ord_pg_store_free(store);

    /* Expired: as if absent, so one new holder and no stored answer. */
    int counts[ORD_IDEM_MISMATCH + 1];
    int64_t order_id = -1;
    race_begin("expired", T0 + 100, counts, &order_id);
    assert_int_equal(counts[ORD_IDEM_STARTED], 1);
    assert_int_equal(counts[ORD_IDEM_IN_PROGRESS], THREADS - 1);
    assert_int_equal(order_id, 0);
}

/* ---- one held key, many numbers bound at once ---- */

typedef struct binder {
    pthread_barrier_t *start;
    char number[ORD_ORDER_NUMBER_SIZE];
    char bound[ORD_ORDER_NUMBER_SIZE];
    ord_error rc;
} binder;

static void *bind_run(void *arg)
{
    binder *b = arg;
    ord_pg_store *store = pgt_store();
    (void)ord_pg_ping(store);
    ord_idempotency_store idem = ord_pg_store_idempotency(store);
    pthread_barrier_wait(b->start);
    b->rc = idem.ops->bind_number(idem.self, "customer:7", "numbered", NULL, b->number, b->bound);
    ord_pg_store_free(store);
    return NULL;
}

/* Holders of one key (their locks ran out in turn) binding numbers at once
 * all learn the one number that won, so they all create that one order. */
static void test_concurrent_number_binds_of_one_key_agree_on_one_number(void **state)
{
    (void)state;
    ord_pg_store *store = pgt_store();
    ord_idempotency_store idem = ord_pg_store_idempotency(store);
    ord_idem_begin b = {.scope = "customer:7", .key = "numbered", .fingerprint = "same-request",
                        .now_ms = T0, .lock_until_ms = T0 + 30000, .expires_at_ms = T0 + 86400000};
    ord_idem_record rec = {0};
    assert_int_equal(idem.ops->begin(idem.self, &b, &rec), ORD_OK);
    assert_int_equal(rec.state, ORD_IDEM_STARTED);
    ord_pg_store_free(store);

    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, THREADS);
    binder bs[THREADS];
    pthread_t threads[THREADS];
    for (int i = 0; i < THREADS; i++) {
        bs[i] = (binder){.start = &start, .rc = ORD_EINTERNAL};
        pgt_number(bs[i].number);
        assert_int_equal(pthread_create(&threads[i], NULL, bind_run, &bs[i]), 0);
    }
    for (int i = 0; i < THREADS; i++)
        pthread_join(threads[i], NULL);
    pthread_barrier_destroy(&start);
    int winners = 0;
    for (int i = 0; i < THREADS; i++) {
        assert_int_equal(bs[i].rc, ORD_OK);
        assert_string_equal(bs[i].bound, bs[0].bound);
        if (strcmp(bs[i].bound, bs[i].number) == 0)
            winners++;
    }
    assert_int_equal(winners, 1);
    char sql[160];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM idempotency_keys WHERE key = 'numbered' AND order_number = '%s'",
             bs[0].bound);
    assert_int_equal(pgt_scalar(sql), 1);
}

int main(void)
{
    pgt_init("orders_test_concurrency");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_cancel_and_ship_racing_on_one_order_have_one_winner, setup),
        cmocka_unit_test_setup(test_many_workers_claiming_never_claim_an_order_twice, setup),
        cmocka_unit_test_setup(test_many_relays_deliver_every_event_once, setup),
        cmocka_unit_test_setup(
            test_relays_never_claim_an_orders_next_event_before_its_previous_is_delivered, setup),
        cmocka_unit_test_setup(test_concurrent_first_requests_with_one_key_have_one_winner,
                               setup),
        cmocka_unit_test_setup(test_concurrent_retries_of_a_released_key_have_one_taker, setup),
        cmocka_unit_test_setup(test_concurrent_first_requests_on_an_expired_key_have_one_winner,
                               setup),
        cmocka_unit_test_setup(test_concurrent_number_binds_of_one_key_agree_on_one_number,
                               setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* The in-memory store under concurrent callers: claims never hand one order
 * or event to two workers, begin() on one key starts exactly once, and of
 * racing updates from one read exactly one wins. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <orders/adapters/memory/store.h>

#define THREADS 8
#define ORDERS 400
#define T0 INT64_C(1767225600000)

typedef struct race {
    ord_memory_store *store;
    pthread_barrier_t start;   /* every thread leaves it at once */
    int64_t claimed[THREADS][ORDERS];
    size_t claimed_count[THREADS];
    ord_error result[THREADS];
    ord_idem_state state[THREADS];
    int round;
    const ord_order *read;     /* the order all updaters read */
} race;

typedef struct worker {
    race *race;
    int index;
} worker;

static void create_orders(ord_memory_store *store, int count, bool with_event)
{
    ord_order_repository repo = ord_memory_store_orders(store);
    for (int i = 0; i < count; i++) {
        ord_order o;
        ord_order_init(&o);
        snprintf(o.number, sizeof o.number, "ORD-00000000-0000-4000-8000-%012d", i + 1);
        o.customer_id = 1 + i % 7;
        assert_int_equal(ord_order_set_line(&o, 1, 1), ORD_OK);
        assert_int_equal(ord_money_make(&o.total, 0, "USD"), ORD_OK);
        assert_int_equal(ord_order_start(&o, ORD_STATUS_PENDING_CHECK, T0 + i, "created"), ORD_OK);
        assert_int_equal(repo.ops->create(repo.self, &o), ORD_OK);
        if (with_event) {
            ord_status_change change;
            assert_int_equal(ord_order_transition(&o, ORD_STATUS_CONFIRMED, T0 + i, "r", &change),
                             ORD_OK);
            ord_outbox_event event = {.type = ORD_EVENT_ORDER_PLACED, .order_id = o.id,
                                      .sequence = 2, .payload = "{}"};
            snprintf(event.event_id, sizeof event.event_id,
                     "5c0e1d2a-7b3f-4c6d-8e9f-%012d", i + 1);
            ord_order_update u = {.order = &o, .fields = ORD_UPDATE_STATUS, .change = &change,
                                  .event = &event};
            int64_t version = 0;
            assert_int_equal(repo.ops->update(repo.self, &u, &version), ORD_OK);
        }
        ord_order_free(&o);
    }
}

static void run_workers(race *r, void *(*fn)(void *))
{
    pthread_t threads[THREADS];
    worker workers[THREADS];
    assert_int_equal(pthread_barrier_init(&r->start, NULL, THREADS), 0);
    for (int i = 0; i < THREADS; i++) {
        workers[i] = (worker){.race = r, .index = i};
        assert_int_equal(pthread_create(&threads[i], NULL, fn, &workers[i]), 0);
    }
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_join(threads[i], NULL), 0);
    pthread_barrier_destroy(&r->start);
}

/* Works one claimed order as the recovery step would: confirm it and give
 * the lease back. */
static ord_error work_order(ord_order_repository repo, int64_t id)
{
    ord_order o;
    ord_order_init(&o);
    ord_error rc = repo.ops->get_by_id(repo.self, id, &o);
    ord_status_change change;
    if (rc == ORD_OK)
        rc = ord_order_transition(&o, ORD_STATUS_CONFIRMED, o.updated_at_ms, "reserved", &change);
    ord_order_update u = {.order = &o, .fields = ORD_UPDATE_STATUS, .change = &change,
                          .release_lease = true};
    int64_t version = 0;
    if (rc == ORD_OK)
        rc = repo.ops->update(repo.self, &u, &version);
    ord_order_free(&o);
    return rc;
}

/* Each worker claims small batches until none is left, then works them.
 * Every claim call names a new owner, so a row leased by any earlier call
 * must not come back. Failures are recorded, not asserted: cmocka may only
 * fail on its own thread. */
static void *claim_orders(void *arg)
{
    worker *w = arg;
    race *r = w->race;
    ord_order_repository repo = ord_memory_store_orders(r->store);
    pthread_barrier_wait(&r->start);
    ord_error rc = ORD_OK;
    for (int call = 0; rc == ORD_OK; call++) {
        char owner[32];
        snprintf(owner, sizeof owner, "worker-%d-%d", w->index, call);
        ord_work_claim c = {.kind = ORD_WORK_STALE_PENDING, .now_ms = T0 + ORDERS,
                            .stale_before_ms = T0 + ORDERS, .lease_until_ms = T0 + 3600000,
                            .owner = owner, .max = 3};
        int64_t ids[3];
        size_t n = 0;
        rc = repo.ops->claim(repo.self, &c, ids, &n);
        if (n == 0)
            break;
        for (size_t i = 0; i < n && rc == ORD_OK; i++) {
            if (r->claimed_count[w->index] == ORDERS)
                rc = ORD_EINTERNAL; /* more claims than orders: some twice */
            else
                r->claimed[w->index][r->claimed_count[w->index]++] = ids[i];
        }
    }
    for (size_t i = 0; i < r->claimed_count[w->index] && rc == ORD_OK; i++)
        rc = work_order(repo, r->claimed[w->index][i]);
    r->result[w->index] = rc;
    return NULL;
}

/* Asserts that every id 1..ORDERS was claimed by exactly one worker. */
static void assert_each_claimed_once(const race *r)
{
    static int seen[ORDERS + 1];
    memset(seen, 0, sizeof seen);
    size_t total = 0;
    for (int t = 0; t < THREADS; t++) {
        assert_int_equal(r->result[t], ORD_OK);
        for (size_t i = 0; i < r->claimed_count[t]; i++) {
            int64_t id = r->claimed[t][i];
            assert_true(id >= 1 && id <= ORDERS);
            seen[id]++;
            total++;
        }
    }
    assert_int_equal(total, ORDERS);
    for (int id = 1; id <= ORDERS; id++)
        assert_int_equal(seen[id], 1);
}

static void test_concurrent_claims_never_hand_an_order_to_two_workers(void **state)
{
    (void)state;
    static race r;
    memset(&r, 0, sizeof r);
    assert_int_equal(ord_memory_store_new(&r.store), ORD_OK);
    create_orders(r.store, ORDERS, false);
    run_workers(&r, claim_orders);
    assert_each_claimed_once(&r);
    /* Every order was worked: nothing stale is left. */
    ord_order_repository repo = ord_memory_store_orders(r.store);
    ord_work_claim c = {.kind = ORD_WORK_STALE_PENDING, .now_ms = T0 + ORDERS,
                        .stale_before_ms = T0 + ORDERS, .lease_until_ms = T0 + ORDERS + 1,
                        .owner = "late", .max = 3};
    int64_t ids[3];
    size_t n = 99;
    assert_int_equal(repo.ops->claim(repo.self, &c, ids, &n), ORD_OK);
    assert_int_equal(n, 0);
    ord_memory_store_free(r.store);
}

/* Each relay claims events and marks them delivered until none is due. */
static void *relay_events(void *arg)
{
    worker *w = arg;
    race *r = w->race;
    ord_outbox outbox = ord_memory_store_outbox(r->store);
    char owner[16];
    snprintf(owner, sizeof owner, "relay-%d", w->index);
    pthread_barrier_wait(&r->start);
    ord_error rc = ORD_OK;
    while (rc == ORD_OK) {
        ord_outbox_batch batch = {0};
        rc = outbox.ops->claim(outbox.self, T0 + ORDERS, T0 + 3600000, owner, 4, &batch);
        if (batch.count == 0)
            break;
        for (size_t i = 0; i < batch.count && rc == ORD_OK; i++) {
            if (r->claimed_count[w->index] == ORDERS)
                rc = ORD_EINTERNAL;
            else
                r->claimed[w->index][r->claimed_count[w->index]++] = batch.events[i].id;
            if (rc == ORD_OK)
                rc = outbox.ops->mark_delivered(outbox.self, batch.events[i].id);
        }
        ord_outbox_batch_free(&batch);
    }
    r->result[w->index] = rc;
    return NULL;
}

static void test_concurrent_relays_never_claim_an_event_twice(void **state)
{
    (void)state;
    static race r;
    memset(&r, 0, sizeof r);
    assert_int_equal(ord_memory_store_new(&r.store), ORD_OK);
    create_orders(r.store, ORDERS, true);
    run_workers(&r, relay_events);
    assert_each_claimed_once(&r);
    ord_outbox outbox = ord_memory_store_outbox(r.store);
    int64_t pending = -1;
    int64_t parked = -1;
    assert_int_equal(outbox.ops->count(outbox.self, &pending, &parked), ORD_OK);
    assert_int_equal(pending, 0);
    ord_memory_store_free(r.store);
}

static void *begin_one_key(void *arg)
{
    worker *w = arg;
    race *r = w->race;
    ord_idempotency_store idem = ord_memory_store_idempotency(r->store);
    char key[32];
    snprintf(key, sizeof key, "key-%d", r->round);
    ord_idem_begin a = {.scope = "customer:1", .key = key, .fingerprint = "fp", .now_ms = T0,
                        .lock_until_ms = T0 + 30000, .expires_at_ms = T0 + 86400000};
    ord_idem_record rec = {0};
    pthread_barrier_wait(&r->start);
    r->result[w->index] = idem.ops->begin(idem.self, &a, &rec);
    r->state[w->index] = rec.state;
    ord_idem_record_free(&rec);
    return NULL;
}

static void test_racing_begins_on_one_key_start_exactly_once(void **state)
{
    (void)state;
    static race r;
    memset(&r, 0, sizeof r);
    assert_int_equal(ord_memory_store_new(&r.store), ORD_OK);
    for (r.round = 0; r.round < 50; r.round++) {
        run_workers(&r, begin_one_key);
        int started = 0;
        for (int t = 0; t < THREADS; t++) {
            assert_int_equal(r.result[t], ORD_OK);
            if (r.state[t] == ORD_IDEM_STARTED)
                started++;
            else
                assert_int_equal(r.state[t], ORD_IDEM_IN_PROGRESS);
        }
        assert_int_equal(started, 1);
    }
    ord_memory_store_free(r.store);
}

static void *update_from_one_read(void *arg)
{
    worker *w = arg;
    race *r = w->race;
    ord_order_repository repo = ord_memory_store_orders(r->store);
    ord_order mine;
    ord_order_init(&mine);
    ord_status_change change;
    ord_error rc = ord_order_copy(&mine, r->read);
    if (rc == ORD_OK)
        rc = ord_order_transition(&mine, ORD_STATUS_CONFIRMED, T0 + 10 + w->index, "reserved",
                                  &change);
    ord_outbox_event event = {.type = ORD_EVENT_ORDER_PLACED, .order_id = mine.id, .sequence = 2,
                              .payload = "{}"};
    snprintf(event.event_id, sizeof event.event_id, "5c0e1d2a-7b3f-4c6d-8e9f-%012d", w->index);
    ord_order_update u = {.order = &mine, .fields = ORD_UPDATE_STATUS, .change = &change,
                          .event = &event};
    int64_t version = 0;
    pthread_barrier_wait(&r->start); /* every thread must reach it, or the others wait forever */
    if (rc == ORD_OK)
        rc = repo.ops->update(repo.self, &u, &version);
    r->result[w->index] = rc;
    ord_order_free(&mine);
    return NULL;
}

static void test_racing_updates_from_one_read_let_exactly_one_win(void **state)
{
    (void)state;
    static race r;
    memset(&r, 0, sizeof r);
    assert_int_equal(ord_memory_store_new(&r.store), ORD_OK);
    create_orders(r.store, 1, false);
    ord_order_repository repo = ord_memory_store_orders(r.store);
    ord_order read;
    ord_order_init(&read);
    assert_int_equal(repo.ops->get_by_id(repo.self, 1, &read), ORD_OK);
    r.read = &read;
    run_workers(&r, update_from_one_read);
    int won = 0;
    for (int t = 0; t < THREADS; t++) {
        if (r.result[t] == ORD_OK)
            won++;
        else
            assert_int_equal(r.result[t], ORD_ECONFLICT);
    }
    assert_int_equal(won, 1);
    ord_order after;
    ord_order_init(&after);
    assert_int_equal(repo.ops->get_by_id(repo.self, 1, &after), ORD_OK);
    assert_int_equal(after.version, 2);
    assert_int_equal(after.history_count, 2);
    assert_int_equal(ord_memory_store_event_count(r.store), 1);
    ord_order_free(&after);
    ord_order_free(&read);
    ord_memory_store_free(r.store);
}

int main(void)
{
    const struct CMUnitTest memory_store_threads[] = {
        cmocka_unit_test(test_concurrent_claims_never_hand_an_order_to_two_workers),
        cmocka_unit_test(test_concurrent_relays_never_claim_an_event_twice),
        cmocka_unit_test(test_racing_begins_on_one_key_start_exactly_once),
        cmocka_unit_test(test_racing_updates_from_one_read_let_exactly_one_win),
    };
    return cmocka_run_group_tests(memory_store_threads, NULL, NULL);
}

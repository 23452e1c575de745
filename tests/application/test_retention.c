/* Outbox retention (ord_purge_delivered_events): delivered events go once
 * outbox_retention_ms has passed since their delivery, in bounded batches;
 * undelivered and parked ones stay; 0 or an outbox without the method
 * keeps everything. */
#include "fixture.h"

#include <string.h>

#define DAY_MS INT64_C(86400000)
#define WEEK_MS (7 * DAY_MS)

/* Deliveries are timed by the test clock too, so they age with it. */
static int setup(void **state)
{
    int rc = fx_setup(state);
    fx *f = *state;
    ord_memory_store_use_clock(f->store, ord_manual_clock_port(f->clock));
    return rc;
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, fx_teardown)

static int64_t purge(fx *f)
{
    int64_t count = -1;
    assert_int_equal(ord_purge_delivered_events(f->svc, &count), ORD_OK);
    return count;
}

static void outbox_counts(fx *f, int64_t *pending, int64_t *parked)
{
    assert_int_equal(f->ports.outbox.ops->count(f->ports.outbox.self, pending, parked), ORD_OK);
}

static void test_default_retention_is_seven_days(void **state)
{
    (void)state;
    const ord_service_config c = ORD_SERVICE_CONFIG_INIT;
    assert_int_equal(c.outbox_retention_ms, WEEK_MS);
}

static void test_purge_deletes_events_delivered_longer_ago_than_the_retention(void **state)
{
    fx *f = *state;
    fx_place_confirmed(f);
    fx_relay_all(f);
    assert_int_equal(ord_memory_store_event_count(f->store), 1);

    ord_manual_clock_advance(f->clock, WEEK_MS - 1);
    assert_int_equal(purge(f), 0);
    ord_manual_clock_advance(f->clock, 1); /* exactly the retention: not yet */
    assert_int_equal(purge(f), 0);
    assert_int_equal(ord_memory_store_event_count(f->store), 1);

    /* A second order delivered now must outlive the first one's purge. */
    fx_place_confirmed(f);
    fx_relay_all(f);
    ord_manual_clock_advance(f->clock, 1);
    assert_int_equal(purge(f), 1);
    assert_int_equal(ord_memory_store_event_count(f->store), 1);
    assert_int_equal(purge(f), 0);

    ord_manual_clock_advance(f->clock, WEEK_MS);
    assert_int_equal(purge(f), 1);
    assert_int_equal(ord_memory_store_event_count(f->store), 0);
}

static void test_purge_keeps_undelivered_and_parked_events(void **state)
{
    fx *f = *state;
    f->config.outbox_max_attempts = 1; /* the first failure parks */
    fx_rebuild(f);
    fx_fail(f, FX_DOWNSTREAM, ORD_MEM_DELIVER_EVENT, ORD_FAULT_BEFORE, ORD_EUNAVAILABLE, 0, 1);
    fx_place_confirmed(f);
    fx_relay_all(f); /* parked */
    fx_place_confirmed(f); /* never relayed: pending */
    int64_t pending = -1, parked = -1;
    outbox_counts(f, &pending, &parked);
    assert_int_equal(pending, 1);
    assert_int_equal(parked, 1);

    ord_manual_clock_advance(f->clock, 30 * DAY_MS);
    assert_int_equal(purge(f), 0);
    outbox_counts(f, &pending, &parked);
    assert_int_equal(pending, 1);
    assert_int_equal(parked, 1);
    assert_int_equal(ord_memory_store_event_count(f->store), 2);
}

static void test_zero_retention_keeps_delivered_events_forever(void **state)
{
    fx *f = *state;
    f->config.outbox_retention_ms = 0;
    fx_rebuild(f);
    fx_place_confirmed(f);
    fx_relay_all(f);
    ord_manual_clock_advance(f->clock, 365 * DAY_MS);
    assert_int_equal(purge(f), 0);
    assert_int_equal(ord_memory_store_event_count(f->store), 1);
    assert_int_equal(ord_memory_store_calls(f->store, ORD_MEM_OUTBOX_OTHER), 0);
}

static void test_outbox_without_purge_keeps_delivered_events(void **state)
{
    fx *f = *state;
    fx_place_confirmed(f);
    fx_relay_all(f);
    ord_manual_clock_advance(f->clock, 30 * DAY_MS);

    ord_outbox_ops none = *f->ports.outbox.ops;
    none.purge_delivered = NULL;
    ord_outbox_ops v1 = *f->ports.outbox.ops;
    v1.version = 1; /* a version 1 table has no such field, whatever follows it */
    const ord_outbox_ops *tables[] = {&none, &v1};
    for (size_t i = 0; i < 2; i++) {
        ord_ports ports = f->ports;
        ports.outbox.ops = tables[i];
        ord_service *svc = NULL;
        assert_int_equal(ord_service_new(&svc, &ports, &f->config), ORD_OK);
        int64_t count = -1;
        assert_int_equal(ord_purge_delivered_events(svc, &count), ORD_OK);
        assert_int_equal(count, 0);
        ord_service_free(svc);
    }
    assert_int_equal(ord_memory_store_event_count(f->store), 1);
}

static void test_purge_reports_a_store_failure(void **state)
{
    fx *f = *state;
    fx_place_confirmed(f);
    fx_relay_all(f);
    ord_manual_clock_advance(f->clock, 30 * DAY_MS);
    fx_fail(f, FX_STORE, ORD_MEM_OUTBOX_OTHER, ORD_FAULT_BEFORE, ORD_EUNAVAILABLE, 0, 1);
    int64_t count = -1;
    assert_int_equal(ord_purge_delivered_events(f->svc, &count), ORD_EUNAVAILABLE);
    assert_int_equal(count, 0);
    assert_int_equal(ord_memory_store_event_count(f->store), 1);
    assert_int_equal(purge(f), 1);

    assert_int_equal(ord_purge_delivered_events(NULL, &count), ORD_EINVALID);
    assert_int_equal(count, 0);
}

/* ---- Batches, through an outbox that counts the calls. ---- */

/* Delegates to the memory outbox, except purge_delivered, which reports
 * the scripted counts (then full batches) and records what it was asked. */
typedef struct scripted_outbox {
    ord_outbox inner;
    int64_t script[4];
    size_t script_len;
    ord_error fail_at_call; /* ORD_OK: never; else returned by call fail_call */
    size_t fail_call;
    size_t calls;
    size_t max_sum;
    int64_t last_before;
} scripted_outbox;

static ord_error so_claim(void *self, int64_t now_ms, int64_t lease_until_ms, const char *owner,
                          size_t max, ord_outbox_batch *out)
{
    scripted_outbox *s = self;
    return s->inner.ops->claim(s->inner.self, now_ms, lease_until_ms, owner, max, out);
}

static ord_error so_delivered(void *self, int64_t id)
{
    scripted_outbox *s = self;
    return s->inner.ops->mark_delivered(s->inner.self, id);
}

static ord_error so_failed(void *self, int64_t id, int64_t retry_at_ms, bool park)
{
    scripted_outbox *s = self;
    return s->inner.ops->mark_failed(s->inner.self, id, retry_at_ms, park);
}

static ord_error so_count(void *self, int64_t *pending, int64_t *parked)
{
    scripted_outbox *s = self;
    return s->inner.ops->count(s->inner.self, pending, parked);
}

static ord_error so_redrive(void *self, int64_t id, int64_t *count)
{
    scripted_outbox *s = self;
    return s->inner.ops->redrive(s->inner.self, id, count);
}

static ord_error so_purge(void *self, int64_t delivered_before_ms, size_t max, int64_t *count)
{
    scripted_outbox *s = self;
    *count = 0;
    size_t call = s->calls++;
    s->max_sum += max;
    s->last_before = delivered_before_ms;
    if (s->fail_at_call != ORD_OK && call == s->fail_call)
        return s->fail_at_call;
    *count = call < s->script_len ? s->script[call] : (int64_t)max;
    return ORD_OK;
}

static const ord_outbox_ops scripted_ops = {
    .version = ORD_OUTBOX_VERSION,
    .claim = so_claim,
    .mark_delivered = so_delivered,
    .mark_failed = so_failed,
    .count = so_count,
    .redrive = so_redrive,
    .purge_delivered = so_purge,
};

static void use_scripted(fx *f, scripted_outbox *s)
{
    s->inner = f->ports.outbox;
    f->ports.outbox = (ord_outbox){.ops = &scripted_ops, .self = s};
    fx_rebuild(f);
}

static void test_purge_runs_batches_until_one_comes_back_short(void **state)
{
    fx *f = *state;
    scripted_outbox s = {.script = {1000, 1000, 300}, .script_len = 3};
    use_scripted(f, &s);
    assert_int_equal(purge(f), 2300);
    assert_int_equal(s.calls, 3);
    assert_int_equal(s.last_before, FX_START_MS - WEEK_MS);
}

static void test_purge_stops_at_its_bound_when_batches_stay_full(void **state)
{
    fx *f = *state;
    scripted_outbox s = {.script_len = 0};
    use_scripted(f, &s);
    assert_int_equal(purge(f), ORD_PURGE_EVENTS_MAX);
    assert_int_equal(s.max_sum, ORD_PURGE_EVENTS_MAX);
    assert_true(s.calls > 1); /* in batches, not one statement */
}

static void test_purge_failure_in_a_later_batch_reports_what_went_before(void **state)
{
    fx *f = *state;
    scripted_outbox s = {.script = {1000}, .script_len = 1, .fail_at_call = ORD_EUNAVAILABLE,
                         .fail_call = 1};
    use_scripted(f, &s);
    int64_t count = -1;
    assert_int_equal(ord_purge_delivered_events(f->svc, &count), ORD_EUNAVAILABLE);
    assert_int_equal(count, 1000);
    assert_int_equal(s.calls, 2);
}

static void test_purge_refuses_a_store_that_deletes_more_than_asked(void **state)
{
    fx *f = *state;
    scripted_outbox s = {.script = {100000}, .script_len = 1};
    use_scripted(f, &s);
    int64_t count = -1;
    assert_int_equal(ord_purge_delivered_events(f->svc, &count), ORD_EINTERNAL);
    assert_int_equal(count, 0);
    assert_int_equal(s.calls, 1);
}

/* ---- The setting. ---- */

static void expect_config(fx *f, const ord_service_config *c, ord_error expected)
{
    ord_service *svc = NULL;
    assert_int_equal(ord_service_new(&svc, &f->ports, c), expected);
    if (expected != ORD_OK)
        assert_null(svc);
    ord_service_free(svc);
}

static void test_retention_must_be_zero_or_at_most_a_year(void **state)
{
    fx *f = *state;
    ord_service_config c = f->config;
    c.outbox_retention_ms = -1;
    expect_config(f, &c, ORD_EINVALID);
    c.outbox_retention_ms = INT64_MIN;
    expect_config(f, &c, ORD_EINVALID);
    c.outbox_retention_ms = 366 * DAY_MS + 1;
    expect_config(f, &c, ORD_EINVALID);
    c.outbox_retention_ms = 366 * DAY_MS;
    expect_config(f, &c, ORD_OK);
    c.outbox_retention_ms = 1;
    expect_config(f, &c, ORD_OK);
    c.outbox_retention_ms = 0;
    expect_config(f, &c, ORD_OK);
}

static void test_version_2_config_gets_the_default_retention(void **state)
{
    fx *f = *state;
    /* Built against the version 2 header: the struct ends before the field,
     * so whatever lies there is neither checked nor used. */
    ord_service_config old = f->config;
    old.version = 2;
    old.outbox_retention_ms = -5;
    ord_service_free(f->svc);
    f->svc = NULL;
    assert_int_equal(ord_service_new(&f->svc, &f->ports, &old), ORD_OK);

    fx_place_confirmed(f);
    fx_relay_all(f);
    ord_manual_clock_advance(f->clock, WEEK_MS);
    assert_int_equal(purge(f), 0);
    ord_manual_clock_advance(f->clock, 1);
    assert_int_equal(purge(f), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_default_retention_is_seven_days),
        T(test_purge_deletes_events_delivered_longer_ago_than_the_retention),
        T(test_purge_keeps_undelivered_and_parked_events),
        T(test_zero_retention_keeps_delivered_events_forever),
        T(test_outbox_without_purge_keeps_delivered_events),
        T(test_purge_reports_a_store_failure),
        T(test_purge_runs_batches_until_one_comes_back_short),
        T(test_purge_stops_at_its_bound_when_batches_stay_full),
        T(test_purge_failure_in_a_later_batch_reports_what_went_before),
        T(test_purge_refuses_a_store_that_deletes_more_than_asked),
        T(test_retention_must_be_zero_or_at_most_a_year),
        T(test_version_2_config_gets_the_default_retention),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Fault injection on the in-memory store: BEFORE leaves nothing behind,
 * AFTER does the work and still reports the error, skip and times count
 * calls, and the call counters see faulted calls too. */
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <orders/adapters/memory/store.h>

#define T0 INT64_C(1767225600000)

typedef struct fixture {
    ord_memory_store *store;
    ord_order_repository orders;
    ord_outbox outbox;
    ord_idempotency_store idem;
    int serial;
} fixture;

static int setup(void **state)
{
    static fixture f;
    memset(&f, 0, sizeof f);
    if (ord_memory_store_new(&f.store) != ORD_OK)
        return -1;
    f.orders = ord_memory_store_orders(f.store);
    f.outbox = ord_memory_store_outbox(f.store);
    f.idem = ord_memory_store_idempotency(f.store);
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    ord_memory_store_free(f->store);
    return 0;
}

static void arm(fixture *f, ord_memory_store_op op, ord_fault_mode mode, ord_error error, int skip,
                int times)
{
    ord_fault fault = {.mode = mode, .error = error, .skip = skip, .times = times};
    ord_memory_store_inject(f->store, op, &fault);
}

static void build(fixture *f, ord_order *o)
{
    ord_order_init(o);
    snprintf(o->number, sizeof o->number, "ORD-00000000-0000-4000-8000-%012d", ++f->serial);
    o->customer_id = 1;
    assert_int_equal(ord_order_set_line(o, 1, 2), ORD_OK);
    assert_int_equal(ord_money_make(&o->total, 0, "USD"), ORD_OK);
    assert_int_equal(ord_order_start(o, ORD_STATUS_PENDING_CHECK, T0, "created"), ORD_OK);
}

static int64_t create(fixture *f)
{
    ord_order o;
    build(f, &o);
    assert_int_equal(f->orders.ops->create(f->orders.self, &o), ORD_OK);
    int64_t id = o.id;
    ord_order_free(&o);
    return id;
}

/* A confirm update of stored order @p id, with its event. */
static ord_error confirm(fixture *f, int64_t id, int64_t *version)
{
    ord_order o;
    ord_order_init(&o);
    assert_int_equal(f->orders.ops->get_by_id(f->orders.self, id, &o), ORD_OK);
    ord_status_change change;
    assert_int_equal(ord_order_transition(&o, ORD_STATUS_CONFIRMED, T0 + 1, "reserved", &change),
                     ORD_OK);
    ord_outbox_event event = {.type = ORD_EVENT_ORDER_PLACED, .order_id = id, .sequence = 2,
                              .payload = "{}"};
    strcpy(event.event_id, "5c0e1d2a-7b3f-4c6d-8e9f-000000000001");
    ord_order_update u = {.order = &o, .fields = ORD_UPDATE_STATUS, .change = &change,
                          .event = &event};
    ord_error rc = f->orders.ops->update(f->orders.self, &u, version);
    ord_order_free(&o);
    return rc;
}

static void load(fixture *f, int64_t id, ord_order *o)
{
    ord_order_init(o);
    assert_int_equal(f->orders.ops->get_by_id(f->orders.self, id, o), ORD_OK);
}

static void test_create_fault_before_stores_nothing(void **state)
{
    fixture *f = *state;
    arm(f, ORD_MEM_ORDER_CREATE, ORD_FAULT_BEFORE, ORD_EUNAVAILABLE, 0, 1);
    ord_order o;
    build(f, &o);
    assert_int_equal(f->orders.ops->create(f->orders.self, &o), ORD_EUNAVAILABLE);
    assert_int_equal(o.id, 0);
    assert_int_equal(ord_memory_store_order_count(f->store), 0);
    ord_order got;
    ord_order_init(&got);
    assert_int_equal(f->orders.ops->get_by_number(f->orders.self, o.number, &got), ORD_ENOTFOUND);
    /* Healed after one failure: the same order goes in now. */
    assert_int_equal(f->orders.ops->create(f->orders.self, &o), ORD_OK);
    assert_int_equal(ord_memory_store_order_count(f->store), 1);
    ord_order_free(&o);
}

static void test_create_fault_after_stores_but_reports_the_error(void **state)
{
    fixture *f = *state;
    arm(f, ORD_MEM_ORDER_CREATE, ORD_FAULT_AFTER, ORD_ETIMEOUT, 0, 1);
    ord_order o;
    build(f, &o);
    assert_int_equal(f->orders.ops->create(f->orders.self, &o), ORD_ETIMEOUT);
    assert_int_equal(o.id, 0); /* the caller never heard */
    assert_int_equal(ord_memory_store_order_count(f->store), 1);
    ord_order got;
    ord_order_init(&got);
    assert_int_equal(f->orders.ops->get_by_number(f->orders.self, o.number, &got), ORD_OK);
    assert_int_equal(got.version, 1);
    /* A retry of the same order now meets its own earlier write. */
    assert_int_equal(f->orders.ops->create(f->orders.self, &o), ORD_ECONFLICT);
    ord_order_free(&got);
    ord_order_free(&o);
}

static void test_update_fault_before_writes_nothing(void **state)
{
    fixture *f = *state;
    int64_t id = create(f);
    arm(f, ORD_MEM_ORDER_UPDATE, ORD_FAULT_BEFORE, ORD_EUNAVAILABLE, 0, 1);
    int64_t version = 0;
    assert_int_equal(confirm(f, id, &version), ORD_EUNAVAILABLE);
    assert_int_equal(version, 0);
    ord_order got;
    load(f, id, &got);
    assert_int_equal(got.version, 1);
    assert_int_equal(got.status, ORD_STATUS_PENDING_CHECK);
    assert_int_equal(got.history_count, 1);
    assert_int_equal(ord_memory_store_event_count(f->store), 0);
    ord_order_free(&got);
}

static void test_update_fault_after_writes_the_update_and_its_event(void **state)
{
    fixture *f = *state;
    int64_t id = create(f);
    arm(f, ORD_MEM_ORDER_UPDATE, ORD_FAULT_AFTER, ORD_EUNAVAILABLE, 0, 1);
    int64_t version = 0;
    assert_int_equal(confirm(f, id, &version), ORD_EUNAVAILABLE);
    ord_order got;
    load(f, id, &got);
    assert_int_equal(got.version, 2);
    assert_int_equal(got.status, ORD_STATUS_CONFIRMED);
    assert_int_equal(got.history_count, 2);
    assert_int_equal(ord_memory_store_event_count(f->store), 1);
    ord_order_free(&got);
}

static void test_get_fault_after_leaves_the_output_zeroed(void **state)
{
    fixture *f = *state;
    int64_t id = create(f);
    arm(f, ORD_MEM_ORDER_GET, ORD_FAULT_AFTER, ORD_EUNAVAILABLE, 0, 1);
    ord_order got;
    ord_order_init(&got);
    assert_int_equal(f->orders.ops->get_by_id(f->orders.self, id, &got), ORD_EUNAVAILABLE);
    assert_int_equal(got.id, 0);
    assert_null(got.items);
    assert_null(got.history);
    load(f, id, &got);
    assert_int_equal(got.id, id);
    ord_order_free(&got);
}

static void test_skip_lets_calls_pass_before_the_failures(void **state)
{
    fixture *f = *state;
    int64_t id = create(f);
    arm(f, ORD_MEM_ORDER_GET, ORD_FAULT_BEFORE, ORD_ECONTRACT, 2, 1);
    ord_error expected[5] = {ORD_OK, ORD_OK, ORD_ECONTRACT, ORD_OK, ORD_OK};
    for (int i = 0; i < 5; i++) {
        ord_order got;
        ord_order_init(&got);
        assert_int_equal(f->orders.ops->get_by_id(f->orders.self, id, &got), expected[i]);
        ord_order_free(&got);
    }
}

static void test_times_fails_that_many_calls_then_heals(void **state)
{
    fixture *f = *state;
    int64_t version = 0;
    assert_int_equal(confirm(f, create(f), &version), ORD_OK);
    arm(f, ORD_MEM_OUTBOX_OTHER, ORD_FAULT_BEFORE, ORD_EUNAVAILABLE, 1, 3);
    ord_error expected[6] = {ORD_OK, ORD_EUNAVAILABLE, ORD_EUNAVAILABLE, ORD_EUNAVAILABLE, ORD_OK,
                             ORD_OK};
    for (int i = 0; i < 6; i++) {
        int64_t pending = -1;
        int64_t parked = -1;
        assert_int_equal(f->outbox.ops->count(f->outbox.self, &pending, &parked), expected[i]);
        assert_int_equal(pending, expected[i] == ORD_OK ? 1 : 0);
    }
}

static void test_times_minus_one_fails_until_disarmed(void **state)
{
    fixture *f = *state;
    int64_t id = create(f);
    arm(f, ORD_MEM_ORDER_DEFER, ORD_FAULT_BEFORE, ORD_ECONFLICT, 0, -1);
    for (int i = 0; i < 20; i++)
        assert_int_equal(f->orders.ops->defer(f->orders.self, id + 5, "w", T0), ORD_ECONFLICT);
    ord_memory_store_inject(f->store, ORD_MEM_ORDER_DEFER, NULL);
    /* Disarmed: the real answers come back. */
    assert_int_equal(f->orders.ops->defer(f->orders.self, id, "w", T0), ORD_ECONFLICT);
    assert_int_equal(f->orders.ops->defer(f->orders.self, id + 5, "w", T0), ORD_ENOTFOUND);
    arm(f, ORD_MEM_ORDER_DEFER, ORD_FAULT_BEFORE, ORD_ETIMEOUT, 0, -1);
    assert_int_equal(f->orders.ops->defer(f->orders.self, id, "w", T0), ORD_ETIMEOUT);
    ord_fault none = {0};
    ord_memory_store_inject(f->store, ORD_MEM_ORDER_DEFER, &none);
    assert_int_equal(f->orders.ops->defer(f->orders.self, id + 5, "w", T0), ORD_ENOTFOUND);
}

static void test_fault_without_an_error_code_fails_unavailable(void **state)
{
    fixture *f = *state;
    arm(f, ORD_MEM_ORDER_LIST, ORD_FAULT_BEFORE, ORD_OK, 0, 1);
    ord_order_page page = {0};
    ord_order_query q = {.customer_id = 1, .limit = 10};
    assert_int_equal(f->orders.ops->list_by_customer(f->orders.self, &q, &page), ORD_EUNAVAILABLE);
    assert_int_equal(f->orders.ops->list_by_customer(f->orders.self, &q, &page), ORD_OK);
}

static void test_calls_are_counted_per_operation_faults_included(void **state)
{
    fixture *f = *state;
    int64_t id = create(f);
    arm(f, ORD_MEM_ORDER_GET, ORD_FAULT_BEFORE, ORD_EUNAVAILABLE, 0, 2);
    for (int i = 0; i < 3; i++) {
        ord_order got;
        ord_order_init(&got);
        f->orders.ops->get_by_id(f->orders.self, id, &got);
        ord_order_free(&got);
    }
    ord_order got;
    ord_order_init(&got);
    assert_int_equal(f->orders.ops->get_by_number(f->orders.self, "ORD-none", &got), ORD_ENOTFOUND);
    assert_int_equal(ord_memory_store_calls(f->store, ORD_MEM_ORDER_CREATE), 1);
    assert_int_equal(ord_memory_store_calls(f->store, ORD_MEM_ORDER_GET), 4);
    assert_int_equal(ord_memory_store_calls(f->store, ORD_MEM_ORDER_UPDATE), 0);
    assert_int_equal(ord_memory_store_calls(f->store, ORD_MEM_STORE_OP_COUNT), 0);
}

static void test_order_claim_fault_after_leases_what_it_did_not_return(void **state)
{
    fixture *f = *state;
    int64_t id = create(f);
    arm(f, ORD_MEM_ORDER_CLAIM, ORD_FAULT_AFTER, ORD_EUNAVAILABLE, 0, 1);
    ord_work_claim c = {.kind = ORD_WORK_STALE_PENDING, .now_ms = T0 + 10,
                        .stale_before_ms = T0 + 10, .lease_until_ms = T0 + 1000, .owner = "w1",
                        .max = 4};
    int64_t ids[4] = {0};
    size_t count = 7;
    assert_int_equal(f->orders.ops->claim(f->orders.self, &c, ids, &count), ORD_EUNAVAILABLE);
    assert_int_equal(count, 0);
    c.owner = "w2";
    assert_int_equal(f->orders.ops->claim(f->orders.self, &c, ids, &count), ORD_OK);
    assert_int_equal(count, 0);
    c.now_ms = T0 + 1001;
    assert_int_equal(f->orders.ops->claim(f->orders.self, &c, ids, &count), ORD_OK);
    assert_int_equal(count, 1);
    assert_int_equal(ids[0], id);
}

static void test_outbox_faults_before_and_after(void **state)
{
    fixture *f = *state;
    int64_t id = create(f);
    int64_t version = 0;
    assert_int_equal(confirm(f, id, &version), ORD_OK);

    ord_outbox_batch batch = {0};
    arm(f, ORD_MEM_OUTBOX_CLAIM, ORD_FAULT_BEFORE, ORD_EUNAVAILABLE, 0, 1);
    assert_int_equal(f->outbox.ops->claim(f->outbox.self, T0, T0 + 100, "r2", 5, &batch),
                     ORD_EUNAVAILABLE);
    assert_int_equal(batch.count, 0);
    assert_int_equal(f->outbox.ops->claim(f->outbox.self, T0, T0 + 100, "r1", 5, &batch), ORD_OK);
    assert_int_equal(batch.count, 1); /* the failed claim leased nothing */
    int64_t event = batch.events[0].id;
    ord_outbox_batch_free(&batch);

    arm(f, ORD_MEM_OUTBOX_MARK, ORD_FAULT_BEFORE, ORD_EUNAVAILABLE, 0, 1);
    assert_int_equal(f->outbox.ops->mark_delivered(f->outbox.self, event), ORD_EUNAVAILABLE);
    int64_t pending = 0;
    int64_t parked = 0;
    assert_int_equal(f->outbox.ops->count(f->outbox.self, &pending, &parked), ORD_OK);
    assert_int_equal(pending, 1);

    arm(f, ORD_MEM_OUTBOX_MARK, ORD_FAULT_AFTER, ORD_EUNAVAILABLE, 0, 1);
    assert_int_equal(f->outbox.ops->mark_delivered(f->outbox.self, event), ORD_EUNAVAILABLE);
    assert_int_equal(f->outbox.ops->count(f->outbox.self, &pending, &parked), ORD_OK);
    assert_int_equal(pending, 0);
    /* Repeating the mark after the lost reply is harmless. */
    assert_int_equal(f->outbox.ops->mark_delivered(f->outbox.self, event), ORD_OK);
}

static void test_outbox_claim_fault_after_leases_the_events(void **state)
{
    fixture *f = *state;
    int64_t id = create(f);
    int64_t version = 0;
    assert_int_equal(confirm(f, id, &version), ORD_OK);
    arm(f, ORD_MEM_OUTBOX_CLAIM, ORD_FAULT_AFTER, ORD_EUNAVAILABLE, 0, 1);
    ord_outbox_batch batch = {0};
    assert_int_equal(f->outbox.ops->claim(f->outbox.self, T0, T0 + 100, "r1", 5, &batch),
                     ORD_EUNAVAILABLE);
    assert_int_equal(batch.count, 0);
    assert_null(batch.events);
    assert_int_equal(f->outbox.ops->claim(f->outbox.self, T0 + 1, T0 + 100, "r2", 5, &batch),
                     ORD_OK);
    assert_int_equal(batch.count, 0);
    assert_int_equal(f->outbox.ops->claim(f->outbox.self, T0 + 100, T0 + 200, "r2", 5, &batch),
                     ORD_OK);
    assert_int_equal(batch.count, 1);
    ord_outbox_batch_free(&batch);
}

static ord_idem_state begin(fixture *f, const char *key, ord_error expect)
{
    ord_idem_begin a = {.scope = "customer:1", .key = key, .fingerprint = "fp", .now_ms = T0,
                        .lock_until_ms = T0 + 1000, .expires_at_ms = T0 + 100000};
    ord_idem_record r;
    assert_int_equal(f->idem.ops->begin(f->idem.self, &a, &r), expect);
    ord_idem_state s = r.state;
    if (expect != ORD_OK) {
        assert_int_equal(r.order_id, 0);
        assert_null(r.response_body);
    }
    ord_idem_record_free(&r);
    return s;
}

static void test_idempotency_begin_faults_before_and_after(void **state)
{
    fixture *f = *state;
    arm(f, ORD_MEM_IDEM_BEGIN, ORD_FAULT_BEFORE, ORD_EUNAVAILABLE, 0, 1);
    begin(f, "k1", ORD_EUNAVAILABLE);
    assert_int_equal(begin(f, "k1", ORD_OK), ORD_IDEM_STARTED);

    arm(f, ORD_MEM_IDEM_BEGIN, ORD_FAULT_AFTER, ORD_EUNAVAILABLE, 0, 1);
    begin(f, "k2", ORD_EUNAVAILABLE);
    /* The key was taken although its taker never heard. */
    assert_int_equal(begin(f, "k2", ORD_OK), ORD_IDEM_IN_PROGRESS);
}

static void test_idempotency_write_faults_before_and_after(void **state)
{
    fixture *f = *state;
    assert_int_equal(begin(f, "k", ORD_OK), ORD_IDEM_STARTED);
    arm(f, ORD_MEM_IDEM_WRITE, ORD_FAULT_BEFORE, ORD_EUNAVAILABLE, 0, 1);
    assert_int_equal(f->idem.ops->complete(f->idem.self, "customer:1", "k", 3, 201, "{}"),
                     ORD_EUNAVAILABLE);
    assert_int_equal(begin(f, "k", ORD_OK), ORD_IDEM_IN_PROGRESS);

    arm(f, ORD_MEM_IDEM_WRITE, ORD_FAULT_AFTER, ORD_EUNAVAILABLE, 0, 1);
    assert_int_equal(f->idem.ops->complete(f->idem.self, "customer:1", "k", 3, 201, "{}"),
                     ORD_EUNAVAILABLE);
    assert_int_equal(begin(f, "k", ORD_OK), ORD_IDEM_COMPLETED);

    arm(f, ORD_MEM_IDEM_WRITE, ORD_FAULT_BEFORE, ORD_EUNAVAILABLE, 0, 1);
    int64_t purged = -1;
    assert_int_equal(f->idem.ops->purge(f->idem.self, T0 + 200000, &purged), ORD_EUNAVAILABLE);
    assert_int_equal(purged, 0);
    assert_int_equal(begin(f, "k", ORD_OK), ORD_IDEM_COMPLETED);
}

/* Whether begin() at @p now_ms, after every lock ran out, finds @p number
 * bound to "k" (and takes the key over for a second). */
static bool resumes_with_number(fixture *f, int64_t now_ms, const char *number)
{
    ord_idem_begin a = {.scope = "customer:1", .key = "k", .fingerprint = "fp",
                        .now_ms = now_ms, .lock_until_ms = now_ms + 1000,
                        .expires_at_ms = T0 + 100000};
    ord_idem_record r;
    assert_int_equal(f->idem.ops->begin(f->idem.self, &a, &r), ORD_OK);
    bool found = r.state == ORD_IDEM_RESUMABLE && strcmp(r.order_number, number) == 0;
    ord_idem_record_free(&r);
    return found;
}

static void test_bind_number_faults_before_and_after(void **state)
{
    fixture *f = *state;
    const char *number = "ORD-00000000-0000-4000-8000-000000000001";
    char bound[ORD_ORDER_NUMBER_SIZE];
    assert_int_equal(begin(f, "k", ORD_OK), ORD_IDEM_STARTED);
    arm(f, ORD_MEM_IDEM_WRITE, ORD_FAULT_BEFORE, ORD_EUNAVAILABLE, 0, 1);
    assert_int_equal(f->idem.ops->bind_number(f->idem.self, "customer:1", "k", NULL, number, bound),
                     ORD_EUNAVAILABLE);
    assert_string_equal(bound, "");
    assert_true(resumes_with_number(f, T0 + 2000, ""));

    /* Bound, though the caller never heard. */
    arm(f, ORD_MEM_IDEM_WRITE, ORD_FAULT_AFTER, ORD_ETIMEOUT, 0, 1);
    assert_int_equal(f->idem.ops->bind_number(f->idem.self, "customer:1", "k", NULL, number, bound),
                     ORD_ETIMEOUT);
    assert_string_equal(bound, "");
    assert_true(resumes_with_number(f, T0 + 4000, number));
}

static void test_inject_on_an_unknown_operation_is_ignored(void **state)
{
    fixture *f = *state;
    ord_fault fault = {.mode = ORD_FAULT_BEFORE, .error = ORD_EUNAVAILABLE, .times = -1};
    ord_memory_store_inject(f->store, ORD_MEM_STORE_OP_COUNT, &fault);
    ord_memory_store_inject(f->store, (ord_memory_store_op)-1, &fault);
    create(f);
    assert_int_equal(ord_memory_store_order_count(f->store), 1);
}

int main(void)
{
    const struct CMUnitTest memory_store_faults[] = {
        cmocka_unit_test_setup_teardown(test_create_fault_before_stores_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_create_fault_after_stores_but_reports_the_error,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_update_fault_before_writes_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_update_fault_after_writes_the_update_and_its_event,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_get_fault_after_leaves_the_output_zeroed, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_skip_lets_calls_pass_before_the_failures, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_times_fails_that_many_calls_then_heals, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_times_minus_one_fails_until_disarmed, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_fault_without_an_error_code_fails_unavailable, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_calls_are_counted_per_operation_faults_included,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_order_claim_fault_after_leases_what_it_did_not_return,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_outbox_faults_before_and_after, setup, teardown),
        cmocka_unit_test_setup_teardown(test_outbox_claim_fault_after_leases_the_events, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_idempotency_begin_faults_before_and_after, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_idempotency_write_faults_before_and_after, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_bind_number_faults_before_and_after, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_inject_on_an_unknown_operation_is_ignored, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(memory_store_faults, NULL, NULL);
}

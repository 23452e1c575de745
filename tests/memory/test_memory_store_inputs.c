/* Bad input to the in-memory store: each call gets ORD_EINVALID (or
 * ORD_ENOTFOUND where the port says so), changes nothing and never crashes. */
#include <setjmp.h>
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
    int64_t id; /* one stored PENDING_CHECK order */
} fixture;

static void build(ord_order *o, const char *number)
{
    ord_order_init(o);
    strcpy(o->number, number);
    o->customer_id = 1;
    assert_int_equal(ord_order_set_line(o, 1, 2), ORD_OK);
    assert_int_equal(ord_money_make(&o->total, 0, "USD"), ORD_OK);
    assert_int_equal(ord_order_start(o, ORD_STATUS_PENDING_CHECK, T0, "created"), ORD_OK);
}

static int setup(void **state)
{
    static fixture f;
    memset(&f, 0, sizeof f);
    if (ord_memory_store_new(&f.store) != ORD_OK)
        return -1;
    f.orders = ord_memory_store_orders(f.store);
    f.outbox = ord_memory_store_outbox(f.store);
    f.idem = ord_memory_store_idempotency(f.store);
    ord_order o;
    build(&o, "ORD-00000000-0000-4000-8000-000000000001");
    if (f.orders.ops->create(f.orders.self, &o) != ORD_OK)
        return -1;
    f.id = o.id;
    ord_order_free(&o);
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    ord_memory_store_free(f->store);
    return 0;
}

static void assert_unchanged(fixture *f)
{
    assert_int_equal(ord_memory_store_order_count(f->store), 1);
    assert_int_equal(ord_memory_store_event_count(f->store), 0);
    ord_order o;
    ord_order_init(&o);
    assert_int_equal(f->orders.ops->get_by_id(f->orders.self, f->id, &o), ORD_OK);
    assert_int_equal(o.version, 1);
    assert_int_equal(o.history_count, 1);
    ord_order_free(&o);
}

static void test_new_without_an_output_is_invalid(void **state)
{
    (void)state;
    assert_int_equal(ord_memory_store_new(NULL), ORD_EINVALID);
    ord_memory_store_free(NULL);
    assert_int_equal(ord_memory_store_order_count(NULL), 0);
    assert_int_equal(ord_memory_store_calls(NULL, ORD_MEM_ORDER_GET), 0);
}

static void test_create_refuses_malformed_orders(void **state)
{
    fixture *f = *state;
    assert_int_equal(f->orders.ops->create(f->orders.self, NULL), ORD_EINVALID);
    ord_order o;
    build(&o, "");
    assert_int_equal(f->orders.ops->create(f->orders.self, &o), ORD_EINVALID); /* no number */
    ord_order_free(&o);

    build(&o, "ORD-00000000-0000-4000-8000-000000000002");
    o.status = (ord_status)42;
    assert_int_equal(f->orders.ops->create(f->orders.self, &o), ORD_EINVALID);
    o.status = ORD_STATUS_PENDING_CHECK;
    o.pending_inventory = (ord_inventory_action)9;
    assert_int_equal(f->orders.ops->create(f->orders.self, &o), ORD_EINVALID);
    o.pending_inventory = ORD_INVENTORY_NONE;
    o.customer_id = -4;
    assert_int_equal(f->orders.ops->create(f->orders.self, &o), ORD_EINVALID);
    o.customer_id = 1;
    o.history_count = 0; /* the first history entry is required */
    assert_int_equal(f->orders.ops->create(f->orders.self, &o), ORD_EINVALID);
    o.history_count = 1;
    memset(o.number, 'A', sizeof o.number); /* unterminated */
    assert_int_equal(f->orders.ops->create(f->orders.self, &o), ORD_EINVALID);
    assert_int_equal(o.id, 0);
    ord_order_free(&o);
    assert_unchanged(f);
}

static void test_get_with_null_arguments_is_invalid(void **state)
{
    fixture *f = *state;
    ord_order o;
    ord_order_init(&o);
    assert_int_equal(f->orders.ops->get_by_id(f->orders.self, f->id, NULL), ORD_EINVALID);
    assert_int_equal(f->orders.ops->get_by_number(f->orders.self, NULL, &o), ORD_EINVALID);
    assert_int_equal(f->orders.ops->get_by_id(f->orders.self, -1, &o), ORD_ENOTFOUND);
    assert_int_equal(f->orders.ops->get_by_id(f->orders.self, 0, &o), ORD_ENOTFOUND);
    assert_null(o.items);
}

static void test_list_refuses_a_bad_query(void **state)
{
    fixture *f = *state;
    ord_order_page page = {0};
    assert_int_equal(f->orders.ops->list_by_customer(f->orders.self, NULL, &page), ORD_EINVALID);
    ord_order_query q = {.customer_id = 1, .limit = 5, .has_status = true,
                         .status = (ord_status)17};
    assert_int_equal(f->orders.ops->list_by_customer(f->orders.self, &q, &page), ORD_EINVALID);
    assert_int_equal(f->orders.ops->list_by_customer(f->orders.self, &q, NULL), ORD_EINVALID);
    assert_int_equal(page.count, 0);
}

static void test_update_refuses_bad_input_and_changes_nothing(void **state)
{
    fixture *f = *state;
    int64_t version = 0;
    assert_int_equal(f->orders.ops->update(f->orders.self, NULL, &version), ORD_EINVALID);
    ord_order_update u = {.order = NULL, .fields = ORD_UPDATE_STATUS};
    assert_int_equal(f->orders.ops->update(f->orders.self, &u, &version), ORD_EINVALID);

    ord_order o;
    ord_order_init(&o);
    assert_int_equal(f->orders.ops->get_by_id(f->orders.self, f->id, &o), ORD_OK);
    u.order = &o;
    u.fields = 1u << 20; /* a field this store does not know */
    assert_int_equal(f->orders.ops->update(f->orders.self, &u, &version), ORD_EINVALID);

    u.fields = ORD_UPDATE_STATUS;
    o.status = (ord_status)-3;
    assert_int_equal(f->orders.ops->update(f->orders.self, &u, &version), ORD_EINVALID);
    o.status = ORD_STATUS_CONFIRMED;

    ord_status_change bad = {.to = (ord_status)99, .at_ms = T0};
    u.change = &bad;
    assert_int_equal(f->orders.ops->update(f->orders.self, &u, &version), ORD_EINVALID);
    u.change = NULL;

    ord_outbox_event event = {.type = ORD_EVENT_ORDER_PLACED, .order_id = f->id + 1,
                              .payload = "{}"};
    strcpy(event.event_id, "5c0e1d2a-7b3f-4c6d-8e9f-000000000001");
    u.event = &event; /* an event of another order */
    assert_int_equal(f->orders.ops->update(f->orders.self, &u, &version), ORD_EINVALID);
    event.order_id = f->id;
    event.payload = NULL;
    assert_int_equal(f->orders.ops->update(f->orders.self, &u, &version), ORD_EINVALID);
    event.payload = "{}";
    event.type = (ord_event_type)0;
    assert_int_equal(f->orders.ops->update(f->orders.self, &u, &version), ORD_EINVALID);

    u.event = NULL;
    u.fields = ORD_UPDATE_ITEMS;
    o.items[0].unit_price.minor = -5;
    o.items[0].has_price = true;
    assert_int_equal(f->orders.ops->update(f->orders.self, &u, &version), ORD_EINVALID);
    ord_order_free(&o);
    assert_int_equal(version, 0);
    assert_unchanged(f);
}

static void test_claim_and_defer_refuse_bad_owners(void **state)
{
    fixture *f = *state;
    char long_owner[ORD_OWNER_SIZE + 1];
    memset(long_owner, 'w', ORD_OWNER_SIZE);
    long_owner[ORD_OWNER_SIZE] = '\0';
    int64_t ids[4];
    size_t count = 9;
    ord_work_claim c = {.kind = ORD_WORK_STALE_PENDING, .now_ms = T0, .stale_before_ms = T0,
                        .lease_until_ms = T0 + 10, .owner = NULL, .max = 4};
    assert_int_equal(f->orders.ops->claim(f->orders.self, &c, ids, &count), ORD_EINVALID);
    assert_int_equal(count, 0);
    c.owner = "";
    assert_int_equal(f->orders.ops->claim(f->orders.self, &c, ids, &count), ORD_EINVALID);
    c.owner = long_owner;
    assert_int_equal(f->orders.ops->claim(f->orders.self, &c, ids, &count), ORD_EINVALID);
    c.owner = "w";
    c.kind = (ord_work_kind)7;
    assert_int_equal(f->orders.ops->claim(f->orders.self, &c, ids, &count), ORD_EINVALID);
    c.kind = ORD_WORK_STALE_PENDING;
    assert_int_equal(f->orders.ops->claim(f->orders.self, &c, NULL, &count), ORD_EINVALID);
    assert_int_equal(f->orders.ops->claim(f->orders.self, NULL, ids, &count), ORD_EINVALID);
    assert_int_equal(f->orders.ops->claim(f->orders.self, &c, ids, NULL), ORD_EINVALID);
    /* None of that leased anything. */
    c.owner = "other";
    assert_int_equal(f->orders.ops->claim(f->orders.self, &c, ids, &count), ORD_OK);
    assert_int_equal(count, 1);

    assert_int_equal(f->orders.ops->defer(f->orders.self, f->id, NULL, T0), ORD_EINVALID);
    assert_int_equal(f->orders.ops->defer(f->orders.self, f->id, long_owner, T0), ORD_EINVALID);
}

static void test_outbox_refuses_bad_input(void **state)
{
    fixture *f = *state;
    ord_outbox_batch batch = {0};
    assert_int_equal(f->outbox.ops->claim(f->outbox.self, T0, T0 + 1, NULL, 5, &batch),
                     ORD_EINVALID);
    assert_int_equal(f->outbox.ops->claim(f->outbox.self, T0, T0 + 1, "r", 5, NULL), ORD_EINVALID);
    assert_int_equal(f->outbox.ops->claim(f->outbox.self, T0, T0 + 1, "r", 0, &batch), ORD_OK);
    assert_int_equal(batch.count, 0);
    int64_t n = 0;
    assert_int_equal(f->outbox.ops->count(f->outbox.self, NULL, &n), ORD_EINVALID);
    assert_int_equal(f->outbox.ops->mark_delivered(f->outbox.self, 0), ORD_ENOTFOUND);
    assert_int_equal(f->outbox.ops->mark_failed(f->outbox.self, -1, T0, true), ORD_ENOTFOUND);
    assert_int_equal(f->outbox.ops->redrive(f->outbox.self, 0, NULL), ORD_OK);
}

static void test_idempotency_refuses_bad_keys_and_arguments(void **state)
{
    fixture *f = *state;
    char long_key[300];
    memset(long_key, 'k', 256);
    long_key[256] = '\0';
    ord_idem_begin a = {.scope = "customer:1", .key = long_key, .fingerprint = "fp",
                        .now_ms = T0, .lock_until_ms = T0 + 10, .expires_at_ms = T0 + 100};
    ord_idem_record r;
    assert_int_equal(f->idem.ops->begin(f->idem.self, &a, &r), ORD_EINVALID);
    long_key[255] = '\0'; /* 255 is the longest allowed */
    assert_int_equal(f->idem.ops->begin(f->idem.self, &a, &r), ORD_OK);
    assert_int_equal(r.state, ORD_IDEM_STARTED);
    a.key = "";
    assert_int_equal(f->idem.ops->begin(f->idem.self, &a, &r), ORD_EINVALID);
    a.key = "tab\there";
    assert_int_equal(f->idem.ops->begin(f->idem.self, &a, &r), ORD_EINVALID);
    a.key = "caf\xc3\xa9";
    assert_int_equal(f->idem.ops->begin(f->idem.self, &a, &r), ORD_EINVALID);
    a.key = "ok";
    a.scope = NULL;
    assert_int_equal(f->idem.ops->begin(f->idem.self, &a, &r), ORD_EINVALID);
    a.scope = "customer:1";
    a.fingerprint = NULL;
    assert_int_equal(f->idem.ops->begin(f->idem.self, &a, &r), ORD_EINVALID);
    assert_int_equal(f->idem.ops->begin(f->idem.self, NULL, &r), ORD_EINVALID);
    a.fingerprint = "fp";
    assert_int_equal(f->idem.ops->begin(f->idem.self, &a, NULL), ORD_EINVALID);
    assert_int_equal(f->idem.ops->complete(f->idem.self, "customer:1", long_key, 1, 200, NULL),
                     ORD_EINVALID);
    assert_int_equal(f->idem.ops->bind(f->idem.self, NULL, "ok", 1), ORD_EINVALID);
    assert_int_equal(f->idem.ops->forget(f->idem.self, "customer:1", NULL), ORD_EINVALID);
    /* "ok" was never stored by the refused calls. */
    assert_int_equal(f->idem.ops->begin(f->idem.self, &a, &r), ORD_OK);
    assert_int_equal(r.state, ORD_IDEM_STARTED);
    /* The long key is still held, untouched by the refused complete. */
    a.key = long_key;
    assert_int_equal(f->idem.ops->begin(f->idem.self, &a, &r), ORD_OK);
    assert_int_equal(r.state, ORD_IDEM_IN_PROGRESS);
}

int main(void)
{
    const struct CMUnitTest memory_store_inputs[] = {
        cmocka_unit_test(test_new_without_an_output_is_invalid),
        cmocka_unit_test_setup_teardown(test_create_refuses_malformed_orders, setup, teardown),
        cmocka_unit_test_setup_teardown(test_get_with_null_arguments_is_invalid, setup, teardown),
        cmocka_unit_test_setup_teardown(test_list_refuses_a_bad_query, setup, teardown),
        cmocka_unit_test_setup_teardown(test_update_refuses_bad_input_and_changes_nothing, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_claim_and_defer_refuse_bad_owners, setup, teardown),
        cmocka_unit_test_setup_teardown(test_outbox_refuses_bad_input, setup, teardown),
        cmocka_unit_test_setup_teardown(test_idempotency_refuses_bad_keys_and_arguments, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(memory_store_inputs, NULL, NULL);
}

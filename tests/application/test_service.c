/* Building the service: every required port and method is checked once, a
 * port newer than the library is refused, settings are range-checked and
 * copied; and who owns which order. */
#include "fixture.h"

#include <stdlib.h>
#include <string.h>

static void expect_refused(const ord_ports *ports, const ord_service_config *config)
{
    ord_service *svc = (ord_service *)&svc; /* any non-NULL value */
    assert_int_equal(ord_service_new(&svc, ports, config), ORD_EINVALID);
    assert_null(svc);
}

static void test_service_with_defaults_is_built(void **state)
{
    fx *f = *state;
    ord_service *svc = NULL;
    assert_int_equal(ord_service_new(&svc, &f->ports, NULL), ORD_OK);
    assert_non_null(svc);
    ord_service_free(svc);
    ord_service_free(NULL);
    assert_int_equal(ord_service_new(NULL, &f->ports, NULL), ORD_EINVALID);
    expect_refused(NULL, NULL);
}

static void test_service_refuses_each_missing_port(void **state)
{
    fx *f = *state;
    for (int i = 0; i < 8; i++) {
        ord_ports ports = f->ports;
        switch (i) {
        case 0: ports.orders.ops = NULL; break;
        case 1: ports.outbox.ops = NULL; break;
        case 2: ports.idempotency.ops = NULL; break;
        case 3: ports.precheck.ops = NULL; break;
        case 4: ports.inventory.ops = NULL; break;
        case 5: ports.tracking.ops = NULL; break;
        case 6: ports.clock.ops = NULL; break;
        case 7: ports.ids.ops = NULL; break;
        }
        expect_refused(&ports, NULL);
    }
    /* The event sink is only needed by the relay. */
    ord_ports ports = f->ports;
    memset(&ports.events, 0, sizeof ports.events);
    ord_service *svc = NULL;
    assert_int_equal(ord_service_new(&svc, &ports, NULL), ORD_OK);
    ord_service_free(svc);
}

static void test_service_refuses_a_missing_method_or_a_newer_port(void **state)
{
    fx *f = *state;
    ord_inventory_ops inventory = *f->ports.inventory.ops;
    inventory.commit = NULL;
    ord_ports ports = f->ports;
    ports.inventory.ops = &inventory;
    expect_refused(&ports, NULL);

    ord_order_repository_ops repo = *f->ports.orders.ops;
    repo.defer = NULL;
    ports = f->ports;
    ports.orders.ops = &repo;
    expect_refused(&ports, NULL);

    ord_event_sink_ops sink = *f->ports.events.ops;
    sink.deliver = NULL;
    ports = f->ports;
    ports.events.ops = &sink;
    expect_refused(&ports, NULL);

    ord_tracking_ops tracking = *f->ports.tracking.ops;
    tracking.version = ORD_TRACKING_VERSION + 1;
    ports = f->ports;
    ports.tracking.ops = &tracking;
    expect_refused(&ports, NULL);
    tracking.version = 0;
    expect_refused(&ports, NULL);
}

static void test_service_refuses_settings_out_of_range(void **state)
{
    fx *f = *state;
    const ord_service_config good = ORD_SERVICE_CONFIG_INIT;
    ord_service_config c;

    c = good; c.version = ORD_SERVICE_CONFIG_VERSION + 1; expect_refused(&f->ports, &c);
    c = good; c.pending_stale_ms = 0; expect_refused(&f->ports, &c);
    c = good; c.pending_deadline_ms = -5; expect_refused(&f->ports, &c);
    c = good; c.lease_ms = 0; expect_refused(&f->ports, &c);
    c = good; c.tracking_backoff_min_ms = c.tracking_backoff_max_ms + 1; expect_refused(&f->ports, &c);
    c = good; c.outbox_backoff_min_ms = c.outbox_backoff_max_ms + 1; expect_refused(&f->ports, &c);
    c = good; c.outbox_max_attempts = 0; expect_refused(&f->ports, &c);
    c = good; c.idempotency_ttl_ms = c.idempotency_lock_ms - 1; expect_refused(&f->ports, &c);
    c = good; c.idempotency_ttl_ms = INT64_MAX; expect_refused(&f->ports, &c);
    c = good; c.worker_id = ""; expect_refused(&f->ports, &c);
    char name[ORD_OWNER_SIZE + 1];
    memset(name, 'w', ORD_OWNER_SIZE);
    name[ORD_OWNER_SIZE] = '\0'; /* one byte longer than a lease owner can be */
    c = good; c.worker_id = name; expect_refused(&f->ports, &c);
    name[ORD_OWNER_SIZE - 1] = '\0'; /* the longest that fits */
    c = good; c.worker_id = name;
    ord_service *svc = NULL;
    assert_int_equal(ord_service_new(&svc, &f->ports, &c), ORD_OK);
    ord_service_free(svc);
}

static void test_service_copies_the_worker_name(void **state)
{
    fx *f = *state;
    char *name = strdup("worker-a");
    assert_non_null(name);
    f->config.worker_id = name;
    fx_rebuild(f);
    free(name); /* gone: a service that kept the pointer reads freed memory (ASan, valgrind) */
    f->config.worker_id = NULL;

    /* The service still works its leases under its own copy of the name. */
    fx_fail(f, FX_DOWNSTREAM, ORD_MEM_SHIPMENT, ORD_FAULT_BEFORE, ORD_EUNAVAILABLE, 0, -1);
    fx_place_confirmed(f);
    ord_manual_clock_advance(f->clock, f->config.tracking_backoff_min_ms);
    ord_work_report report;
    assert_int_equal(ord_recover_tracking_numbers(f->svc, 10, &report), ORD_OK);
    assert_int_equal(report.claimed, 1);
    assert_int_equal(report.failed, 1);
    assert_string_equal(f->seen.last_background_what, "tracking_number");
}

static void test_principal_owns_its_orders_and_admin_owns_all(void **state)
{
    (void)state;
    ord_principal admin = fx_admin();
    ord_principal customer = fx_customer(FX_CUSTOMER);
    assert_true(ord_principal_owns(&admin, FX_CUSTOMER));
    assert_true(ord_principal_owns(&admin, 0));
    assert_true(ord_principal_owns(&customer, FX_CUSTOMER));
    assert_false(ord_principal_owns(&customer, FX_OTHER_CUSTOMER));
    assert_false(ord_principal_owns(&customer, 0));
    ord_principal nobody = fx_customer(0);
    assert_false(ord_principal_owns(&nobody, 0));
    ord_principal odd = {.kind = (ord_principal_kind)9, .customer_id = FX_CUSTOMER};
    assert_false(ord_principal_owns(&odd, FX_CUSTOMER));
    assert_false(ord_principal_owns(NULL, FX_CUSTOMER));
}

#define T(name) cmocka_unit_test_setup_teardown(name, fx_setup, fx_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_service_with_defaults_is_built),
        T(test_service_refuses_each_missing_port),
        T(test_service_refuses_a_missing_method_or_a_newer_port),
        T(test_service_refuses_settings_out_of_range),
        T(test_service_copies_the_worker_name),
        cmocka_unit_test(test_principal_owns_its_orders_and_admin_owns_all),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

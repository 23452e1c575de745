/* The event sink port over HTTP: the webhook receives payloads as is, and
 * only a 2xx counts as delivered. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sim_control.h"

static int setup(void **state)
{
    *state = http_fixture_open(NULL);
    return *state != NULL ? 0 : -1;
}

static int teardown(void **state)
{
    http_fixture_close(*state);
    return 0;
}

static ord_error deliver(http_fixture *fx, const char *payload)
{
    ord_outbox_event event = {.id = 1, .type = ORD_EVENT_ORDER_PLACED, .order_id = 7,
                              .payload = (char *)(uintptr_t)payload};
    ord_event_sink port = ord_http_client_events(fx->client);
    return port.ops->deliver(port.self, NULL, &event);
}

static const char payload[] =
    "{\"eventId\":\"0f8fad5b-d9cb-469f-a165-70867728950e\",\"eventType\":\"OrderPlaced\","
    "\"orderId\":7,\"sequence\":2,\"order\":{\"totalPrice\":0.30}}";

static void test_event_reaches_the_webhook_as_sent(void **state)
{
    assert_int_equal(deliver(*state, payload), ORD_OK);
    cJSON *st = sim_state();
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(st, "events")), 1);
    cJSON_Delete(st);
    /* Byte for byte: the simulator keeps the body as received. */
    char *raw = NULL;
    assert_int_equal(sim_http("GET", "/sim/state", NULL, &raw), 200);
    assert_non_null(strstr(raw, payload));
    free(raw);
}

static void test_redelivery_is_counted_as_a_duplicate(void **state)
{
    assert_int_equal(deliver(*state, payload), ORD_OK);
    assert_int_equal(deliver(*state, payload), ORD_OK);
    assert_int_equal(sim_state_number("duplicateEvents", NULL), 1);
}

static void test_sink_outage_is_unavailable(void **state)
{
    assert_true(sim_fault("{\"service\":\"events\",\"mode\":\"error\"}"));
    assert_int_equal(deliver(*state, payload), ORD_EUNAVAILABLE);
    assert_int_equal(sim_state_number("requests", "events"), 3);
}

static void test_hanging_sink_times_out(void **state)
{
    assert_true(sim_fault("{\"service\":\"events\",\"mode\":\"hang\"}"));
    assert_int_equal(deliver(*state, payload), ORD_ETIMEOUT);
}

static void test_any_2xx_means_delivered(void **state)
{
    assert_true(sim_fault("{\"service\":\"events\",\"mode\":\"garbage\",\"status\":202,"
                          "\"body\":\"queued\"}"));
    assert_int_equal(deliver(*state, payload), ORD_OK);
}

static void test_refusal_by_the_sink_is_a_contract_error(void **state)
{
    assert_int_equal(deliver(*state, "{\"no\":\"eventId\"}"), ORD_ECONTRACT);
    assert_int_equal(sim_state_number("requests", "events"), 1);
}

static void test_missing_payload_is_refused(void **state)
{
    http_fixture *fx = *state;
    ord_event_sink port = ord_http_client_events(fx->client);
    ord_outbox_event event = {.id = 1, .payload = NULL};
    assert_int_equal(port.ops->deliver(port.self, NULL, &event), ORD_EINVALID);
    assert_int_equal(port.ops->deliver(port.self, NULL, NULL), ORD_EINVALID);
    assert_int_equal(deliver(fx, ""), ORD_EINVALID);
    assert_int_equal(sim_state_number("requests", "events"), 0);
}

static void without_webhook(ord_http_options *options)
{
    options->services[ORD_HTTP_EVENTS].base_url = NULL;
}

static void test_unconfigured_webhook_is_unavailable(void **state)
{
    (void)state;
    http_fixture *fx = http_fixture_open(without_webhook);
    assert_non_null(fx);
    assert_int_equal(deliver(fx, payload), ORD_EUNAVAILABLE);
    http_fixture_close(fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_event_reaches_the_webhook_as_sent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_redelivery_is_counted_as_a_duplicate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sink_outage_is_unavailable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hanging_sink_times_out, setup, teardown),
        cmocka_unit_test_setup_teardown(test_any_2xx_means_delivered, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refusal_by_the_sink_is_a_contract_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_payload_is_refused, setup, teardown),
        cmocka_unit_test(test_unconfigured_webhook_is_unavailable),
    };
    return cmocka_run_group_tests(tests, http_group_setup, http_group_teardown);
}

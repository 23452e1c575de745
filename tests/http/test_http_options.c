/* Options, shared services and their metrics snapshot, without the network. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <orders/adapters/http/client.h>
#include <orders/adapters/http/services.h>

static void test_defaults_follow_resilience4j(void **state)
{
    (void)state;
    ord_http_options o;
    ord_http_options_init(&o);
    assert_int_equal(o.version, ORD_HTTP_OPTIONS_VERSION);
    assert_int_equal(o.breaker.window_size, 20);
    assert_int_equal(o.breaker.minimum_calls, 10);
    assert_int_equal(o.breaker.failure_rate_percent, 50);
    assert_int_equal(o.breaker.open_wait_ms, 5000);
    assert_int_equal(o.breaker.half_open_calls, 3);
    assert_int_equal(o.retry.max_attempts, 3);
    assert_int_equal(o.retry.base_delay_ms, 50);
    assert_int_equal(o.max_response_bytes, 1024 * 1024);
    assert_false(o.sequential_precheck);
    for (int i = 0; i < ORD_HTTP_SERVICE_COUNT; i++)
        assert_null(o.services[i].base_url);
}

static void test_point_all_names_the_webhook(void **state)
{
    (void)state;
    ord_http_options o;
    ord_http_options_init(&o);
    char webhook[64];
    assert_int_equal(ord_http_options_point_all(&o, "http://127.0.0.1:8091/", webhook, sizeof webhook),
                     ORD_OK);
    assert_string_equal(webhook, "http://127.0.0.1:8091/api/v1/events");
    assert_string_equal(o.services[ORD_HTTP_INVENTORY].base_url, "http://127.0.0.1:8091/");
    assert_ptr_equal(o.services[ORD_HTTP_EVENTS].base_url, webhook);
    char tiny[8];
    assert_int_equal(ord_http_options_point_all(&o, "http://127.0.0.1:8091", tiny, sizeof tiny),
                     ORD_EINVALID);
}

static ord_error build(const ord_http_options *o, char *err, size_t cap)
{
    ord_http_services *s = NULL;
    ord_error rc = ord_http_services_new(&s, o, err, cap);
    assert_true(rc == ORD_OK ? s != NULL : s == NULL);
    ord_http_services_free(s);
    return rc;
}

static void test_bad_settings_are_named(void **state)
{
    (void)state;
    char err[200];
    ord_http_options o;

    ord_http_options_init(&o);
    o.services[ORD_HTTP_TRACKING].base_url = "ftp://example";
    assert_int_equal(build(&o, err, sizeof err), ORD_EINVALID);
    assert_non_null(strstr(err, "tracking base URL"));

    ord_http_options_init(&o);
    o.services[ORD_HTTP_CATALOG].base_url = "http://host name";
    assert_int_equal(build(&o, err, sizeof err), ORD_EINVALID);
    assert_non_null(strstr(err, "catalog"));

    ord_http_options_init(&o);
    o.services[ORD_HTTP_EVENTS].timeout_ms = 0;
    assert_int_equal(build(&o, err, sizeof err), ORD_EINVALID);
    assert_non_null(strstr(err, "timeout"));

    ord_http_options_init(&o);
    o.breaker.minimum_calls = 21;
    assert_int_equal(build(&o, err, sizeof err), ORD_EINVALID);
    assert_non_null(strstr(err, "minimum calls"));

    ord_http_options_init(&o);
    o.breaker.failure_rate_percent = 0;
    assert_int_equal(build(&o, err, sizeof err), ORD_EINVALID);
    assert_non_null(strstr(err, "failure rate"));

    ord_http_options_init(&o);
    o.retry.max_attempts = 0;
    assert_int_equal(build(&o, err, sizeof err), ORD_EINVALID);
    assert_non_null(strstr(err, "attempts"));

    ord_http_options_init(&o);
    o.retry.max_delay_ms = 10;
    assert_int_equal(build(&o, err, sizeof err), ORD_EINVALID);
    assert_non_null(strstr(err, "delays"));

    ord_http_options_init(&o);
    o.max_response_bytes = 10;
    assert_int_equal(build(&o, err, sizeof err), ORD_EINVALID);
    assert_non_null(strstr(err, "response"));

    ord_http_options_init(&o);
    o.version = 99;
    assert_int_equal(build(&o, err, sizeof err), ORD_EINVALID);
    assert_int_equal(build(NULL, NULL, 0), ORD_EINVALID);
    assert_int_equal(ord_http_services_new(NULL, &o, NULL, 0), ORD_EINVALID);
}

static void test_fresh_services_report_closed_breakers_and_no_calls(void **state)
{
    (void)state;
    ord_http_options o;
    ord_http_options_init(&o);
    o.services[ORD_HTTP_INVENTORY].base_url = "http://127.0.0.1:1";
    ord_http_services *s = NULL;
    assert_int_equal(ord_http_services_new(&s, &o, NULL, 0), ORD_OK);
    ord_http_stats stats;
    ord_http_services_stats(s, &stats);
    for (int i = 0; i < ORD_HTTP_SERVICE_COUNT; i++) {
        assert_int_equal(stats.services[i].state, ORD_HTTP_BREAKER_CLOSED);
        assert_int_equal(stats.services[i].configured, i == ORD_HTTP_INVENTORY);
        for (int k = 0; k < ORD_HTTP_OUTCOME_COUNT; k++)
            assert_int_equal(stats.services[i].outcomes[k], 0);
    }
    assert_true(ord_http_services_configured(s, ORD_HTTP_INVENTORY));
    assert_false(ord_http_services_configured(s, ORD_HTTP_CATALOG));
    ord_http_services_free(s);
}

static void test_metric_labels(void **state)
{
    (void)state;
    assert_string_equal(ord_http_service_name(ORD_HTTP_CATALOG), "catalog");
    assert_string_equal(ord_http_service_name(ORD_HTTP_EVENTS), "events");
    assert_string_equal(ord_http_service_name((ord_http_service)42), "unknown");
    assert_string_equal(ord_http_outcome_name(ORD_HTTP_OUTCOME_TIMEOUT), "timeout");
    assert_string_equal(ord_http_outcome_name(ORD_HTTP_OUTCOME_CIRCUIT_OPEN), "circuit_open");
    assert_string_equal(ord_http_outcome_name(ORD_HTTP_OUTCOME_COUNT), "unknown");
    assert_string_equal(ord_http_breaker_state_name(ORD_HTTP_BREAKER_HALF_OPEN), "HALF_OPEN");
    assert_string_equal(ord_http_breaker_state_name((ord_http_breaker_state)-1), "UNKNOWN");
}

static void test_client_needs_services(void **state)
{
    (void)state;
    ord_http_client *c = (ord_http_client *)&c;
    assert_int_equal(ord_http_client_new(&c, NULL), ORD_EINVALID);
    assert_null(c);
    assert_int_equal(ord_http_client_new(NULL, NULL), ORD_EINVALID);
    ord_http_client_free(NULL);
    ord_http_services_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_follow_resilience4j),
        cmocka_unit_test(test_point_all_names_the_webhook),
        cmocka_unit_test(test_bad_settings_are_named),
        cmocka_unit_test(test_fresh_services_report_closed_breakers_and_no_calls),
        cmocka_unit_test(test_metric_labels),
        cmocka_unit_test(test_client_needs_services),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

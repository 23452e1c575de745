/* The AMQP adapter without a broker: URL checks and redaction, name and
 * option checks, and refusals that must not even try to connect. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <orders/adapters/amqp/broker.h>
#include <orders/adapters/amqp/publisher.h>

static void assert_url_refused(const char *url, const char *reason_part)
{
    char err[256] = "";
    assert_false(ord_amqp_url_ok(url, err, sizeof err));
    assert_non_null(strstr(err, reason_part));
    /* The reason never quotes the URL (it may hold a password). */
    if (url != NULL && strstr(url, "s3cret") != NULL)
        assert_null(strstr(err, "s3cret"));
}

static void test_usable_urls_are_accepted(void **state)
{
    (void)state;
    assert_true(ord_amqp_url_ok("amqp://localhost", NULL, 0));
    assert_true(ord_amqp_url_ok("amqp://guest:guest@127.0.0.1:5672", NULL, 0));
    assert_true(ord_amqp_url_ok("amqp://u:p%40ss%3Aw%2Frd@broker.example:5673/%2f", NULL, 0));
    assert_true(ord_amqp_url_ok("amqp://user@[::1]:5672/orders", NULL, 0));
    assert_true(ord_amqp_url_ok("amqp://u:p@h/prod", NULL, 0));
}

static void test_bad_urls_are_refused_with_a_reason_and_no_secret(void **state)
{
    (void)state;
    assert_url_refused(NULL, "empty");
    assert_url_refused("", "empty");
    assert_url_refused("http://u:s3cret@host", "must start with amqp://");
    assert_url_refused("amqps://u:s3cret@host", "not supported");
    assert_url_refused("amqp://u:s3cret@host:0", "port");
    assert_url_refused("amqp://u:s3cret@host:65536", "not amqp://");
    assert_url_refused("amqp://u:s3cret@host:56x", "not amqp://");
    assert_url_refused("amqp://u:s3cret@host/", "vhost is empty");
    assert_url_refused("amqp://u:s3cret@host/a/b", "not amqp://");
    assert_url_refused("amqp://u:s3cret@host?heartbeat=5", "not amqp://");
    assert_url_refused("amqp://u:s3cr et@host", "printable");
    assert_url_refused("amqp://u:s3cret\n@host", "printable");
    assert_url_refused("amqp://u:s3cret%zz@host", "not amqp://");
    assert_url_refused("amqp://u:s3cret%00@host", "%00");
    assert_url_refused("amqp://:s3cret@host", "user is empty");
    char long_url[1100];
    memset(long_url, 'a', sizeof long_url);
    memcpy(long_url, "amqp://", 7);
    long_url[sizeof long_url - 1] = '\0';
    assert_url_refused(long_url, "longer than 1000");
}

static void test_redaction_hides_only_the_password(void **state)
{
    (void)state;
    char out[128];
    assert_string_equal(ord_amqp_url_redact("amqp://orders:s3cret@127.0.0.1:5672/%2f", out,
                                            sizeof out),
                        "amqp://orders:***@127.0.0.1:5672/%2f");
    assert_string_equal(ord_amqp_url_redact("amqp://orders@host", out, sizeof out),
                        "amqp://orders@host");
    assert_string_equal(ord_amqp_url_redact("amqp://host:5672/v", out, sizeof out),
                        "amqp://host:5672/v");
    /* '@' in the vhost path is not the userinfo's. */
    assert_string_equal(ord_amqp_url_redact("amqp://u:s3cret@h/x@y", out, sizeof out),
                        "amqp://u:***@h/x@y");
    assert_string_equal(ord_amqp_url_redact(NULL, out, sizeof out), "");
    char small[16];
    ord_amqp_url_redact("amqp://orders:s3cret@a-long-host-name", small, sizeof small);
    assert_int_equal(strlen(small), sizeof small - 1);
    assert_null(strstr(small, "s3cret"));
    assert_string_equal(small + sizeof small - 4, "...");
}

static void test_exchange_and_queue_names(void **state)
{
    (void)state;
    assert_true(ord_amqp_name_ok("orders.events"));
    assert_true(ord_amqp_name_ok("Orders-Events_v2:eu"));
    assert_false(ord_amqp_name_ok(NULL));
    assert_false(ord_amqp_name_ok(""));
    assert_false(ord_amqp_name_ok("amq.topic"));
    assert_false(ord_amqp_name_ok("orders events"));
    assert_false(ord_amqp_name_ok("orders/events"));
    char name[300];
    memset(name, 'q', sizeof name);
    name[255] = '\0';
    assert_true(ord_amqp_name_ok(name));
    name[255] = 'q';
    name[256] = '\0';
    assert_false(ord_amqp_name_ok(name));
}

static void test_broker_options_are_checked(void **state)
{
    (void)state;
    ord_amqp_broker *b = (ord_amqp_broker *)1;
    char err[256];
    ord_amqp_options o = ORD_AMQP_OPTIONS_INIT;
    assert_int_equal(ord_amqp_broker_new(&b, &o, err, sizeof err), ORD_EINVALID);
    assert_null(b);
    o.url = "amqp://u:s3cret@127.0.0.1:1";
    o.exchange = "amq.direct";
    assert_int_equal(ord_amqp_broker_new(&b, &o, err, sizeof err), ORD_EINVALID);
    assert_non_null(strstr(err, "exchange"));
    o.exchange = "orders.events";
    o.queue = "with space";
    assert_int_equal(ord_amqp_broker_new(&b, &o, err, sizeof err), ORD_EINVALID);
    assert_non_null(strstr(err, "queue"));
    o.queue = NULL;
    o.confirm_timeout_ms = 0;
    assert_int_equal(ord_amqp_broker_new(&b, &o, err, sizeof err), ORD_EINVALID);
    assert_non_null(strstr(err, "confirm_timeout_ms"));
    o.confirm_timeout_ms = 5000;
    o.reconnect_min_ms = 5000;
    o.reconnect_max_ms = 100;
    assert_int_equal(ord_amqp_broker_new(&b, &o, err, sizeof err), ORD_EINVALID);
    o.reconnect_max_ms = 10000;
    assert_int_equal(ord_amqp_broker_new(&b, &o, err, sizeof err), ORD_OK);
    assert_non_null(b);
    assert_int_equal(ord_amqp_broker_new(NULL, &o, NULL, 0), ORD_EINVALID);
    assert_int_equal(ord_amqp_publisher_new(NULL, b), ORD_EINVALID);
    ord_amqp_publisher *p = (ord_amqp_publisher *)1;
    assert_int_equal(ord_amqp_publisher_new(&p, NULL), ORD_EINVALID);
    assert_null(p);
    ord_amqp_broker_free(b);
    ord_amqp_broker_free(NULL);
    ord_amqp_publisher_free(NULL);
    assert_string_equal(ord_amqp_publisher_last_error(NULL), "");
}

/* Nothing worth sending is refused before any connection is tried (the
 * broker at port 1 would be a connection failure). */
static void test_unpublishable_events_are_refused_without_connecting(void **state)
{
    (void)state;
    ord_amqp_options o = ORD_AMQP_OPTIONS_INIT;
    o.url = "amqp://u:s3cret@127.0.0.1:1";
    ord_amqp_broker *b = NULL;
    assert_int_equal(ord_amqp_broker_new(&b, &o, NULL, 0), ORD_OK);
    ord_amqp_publisher *p = NULL;
    assert_int_equal(ord_amqp_publisher_new(&p, b), ORD_OK);
    ord_event_sink sink = ord_amqp_publisher_sink(p);
    ord_outbox_event ev = {.type = ORD_EVENT_ORDER_PLACED, .order_id = 1, .sequence = 2};
    strcpy(ev.event_id, "0f8fad5b-d9cb-469f-a165-70867728950e");
    assert_int_equal(sink.ops->deliver(sink.self, NULL, NULL), ORD_EINVALID);
    assert_int_equal(sink.ops->deliver(sink.self, NULL, &ev), ORD_EINVALID); /* no payload */
    ev.payload = "";
    assert_int_equal(sink.ops->deliver(sink.self, NULL, &ev), ORD_EINVALID);
    ev.payload = "{}";
    ev.type = (ord_event_type)9;
    assert_int_equal(sink.ops->deliver(sink.self, NULL, &ev), ORD_EINVALID);
    ev.type = ORD_EVENT_ORDER_PLACED;
    memset(ev.event_id, 'f', sizeof ev.event_id); /* no end: never read past it */
    assert_int_equal(sink.ops->deliver(sink.self, NULL, &ev), ORD_EINVALID);
    ev.event_id[0] = '\0';
    assert_int_equal(sink.ops->deliver(sink.self, NULL, &ev), ORD_EINVALID);
    assert_true(strlen(ord_amqp_publisher_last_error(p)) > 0);
    ord_amqp_stats st;
    ord_amqp_broker_stats(b, &st);
    assert_int_equal(st.connect_failures, 0);
    assert_int_equal(st.connections, 0);
    ord_amqp_publisher_free(p);
    ord_amqp_broker_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_usable_urls_are_accepted),
        cmocka_unit_test(test_bad_urls_are_refused_with_a_reason_and_no_secret),
        cmocka_unit_test(test_redaction_hides_only_the_password),
        cmocka_unit_test(test_exchange_and_queue_names),
        cmocka_unit_test(test_broker_options_are_checked),
        cmocka_unit_test(test_unpublishable_events_are_refused_without_connecting),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

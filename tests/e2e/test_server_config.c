/* The order server's settings: defaults, ORDER_* variables, flags (which
 * win), one-line errors naming the setting, and password redaction in logs. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

#include "config.h"
#include "log.h"


/* Serving needs keys (authentication is on by default): every load gets
 * a secret file setting first, which the parser only records. */
#define KEYS "ORDER_AUTH_HS256_SECRET_FILE=/dev/null"

static srv_config_result load_exact(srv_config *c, char **argv, char **env, char *err)
{
    int argc = 0;
    while (argv[argc] != NULL)
        argc++;
    return srv_config_load(c, argc, argv, env, err, 256);
}

static srv_config_result load(srv_config *c, char **argv, char **env, char *err)
{
    char *with_keys[32] = {KEYS};
    size_t n = 1;
    for (size_t i = 0; env != NULL && env[i] != NULL && n < 31; i++)
        with_keys[n++] = env[i];
    with_keys[n] = NULL;
    return load_exact(c, argv, with_keys, err);
}

static void test_defaults_are_those_of_the_api_contract(void **state)
{
    (void)state;
    srv_config c;
    char err[256];
    char *argv[] = {"order-server", NULL};
    assert_int_equal(load(&c, argv, NULL, err), SRV_CONFIG_OK);
    assert_int_equal(c.command, SRV_SERVE);
    assert_int_equal(c.port, 8090);
    assert_int_equal(c.recovery_interval_ms, 2000);
    assert_int_equal(c.pending_stale_ms, 10000);
    assert_int_equal(c.pending_deadline_ms, 900000);
    assert_int_equal(c.tracking_backoff_min_ms, 1000);
    assert_int_equal(c.tracking_backoff_max_ms, 60000);
    assert_int_equal(c.relay_interval_ms, 500);
    assert_int_equal(c.outbox_max_attempts, 20);
    assert_int_equal(c.log_level, SRV_INFO);
    assert_string_equal(c.downstream_url, "http://127.0.0.1:8091");
    assert_int_equal(c.database_pool_size, 10);
    assert_int_equal(c.database_pool_timeout_ms, 2000);
}

static void test_environment_variable_sets_a_setting(void **state)
{
    (void)state;
    srv_config c;
    char err[256];
    char *argv[] = {"order-server", NULL};
    char *env[] = {"PATH=/bin", "ORDER_PORT=9000", "ORDER_PENDING_STALE_MS=1500",
                   "ORDER_DATABASE_URL=postgresql://db/orders", NULL};
    assert_int_equal(load(&c, argv, env, err), SRV_CONFIG_OK);
    assert_int_equal(c.port, 9000);
    assert_int_equal(c.pending_stale_ms, 1500);
    assert_string_equal(c.database_url, "postgresql://db/orders");
}

static void test_flag_wins_over_environment_variable(void **state)
{
    (void)state;
    srv_config c;
    char err[256];
    char *argv[] = {"order-server", "--port", "9100", "--threads=4", NULL};
    char *env[] = {"ORDER_PORT=9000", "ORDER_THREADS=8", NULL};
    assert_int_equal(load(&c, argv, env, err), SRV_CONFIG_OK);
    assert_int_equal(c.port, 9100);
    assert_int_equal(c.threads, 4);
}

static void test_port_out_of_range_names_the_flag(void **state)
{
    (void)state;
    srv_config c;
    char err[256];
    char *argv[] = {"order-server", "--port", "70000", NULL};
    assert_int_equal(load(&c, argv, NULL, err), SRV_CONFIG_ERROR);
    assert_non_null(strstr(err, "--port"));
    assert_non_null(strstr(err, "0 to 65535"));
    assert_null(strchr(err, '\n'));
}

static void test_bad_environment_value_names_the_variable(void **state)
{
    (void)state;
    srv_config c;
    char err[256];
    char *argv[] = {"order-server", NULL};
    char *env[] = {"ORDER_THREADS=12abc", NULL};
    assert_int_equal(load(&c, argv, env, err), SRV_CONFIG_ERROR);
    assert_non_null(strstr(err, "ORDER_THREADS"));
    assert_non_null(strstr(err, "12abc"));
}

static void test_zero_or_negative_durations_are_refused(void **state)
{
    (void)state;
    srv_config c;
    char err[256];
    char *zero[] = {"order-server", "--pending-deadline-ms", "0", NULL};
    assert_int_equal(load(&c, zero, NULL, err), SRV_CONFIG_ERROR);
    assert_non_null(strstr(err, "--pending-deadline-ms"));
    char *negative[] = {"order-server", "--recovery-interval-ms=-5", NULL};
    assert_int_equal(load(&c, negative, NULL, err), SRV_CONFIG_ERROR);
    assert_non_null(strstr(err, "--recovery-interval-ms"));
}

static void test_url_without_http_scheme_is_refused_without_echoing_it(void **state)
{
    (void)state;
    srv_config c;
    char err[256];
    char *argv[] = {"order-server", "--inventory-url", "ftp://user:hunter2@host", NULL};
    assert_int_equal(load(&c, argv, NULL, err), SRV_CONFIG_ERROR);
    assert_non_null(strstr(err, "--inventory-url"));
    assert_null(strstr(err, "hunter2"));
}

static void test_account_checks_can_be_turned_off(void **state)
{
    (void)state;
    srv_config c;
    char err[256];
    char buf[256];
    char *argv[] = {"order-server", "--restrictions-url", "off", "--downstream-url",
                    "http://sim:1/", NULL};
    assert_int_equal(load(&c, argv, NULL, err), SRV_CONFIG_OK);
    assert_null(srv_config_service_url(&c, ORD_HTTP_RESTRICTIONS, buf, sizeof buf));
    assert_string_equal(srv_config_service_url(&c, ORD_HTTP_ELIGIBILITY, buf, sizeof buf),
                        "http://sim:1/");
    assert_string_equal(srv_config_service_url(&c, ORD_HTTP_EVENTS, buf, sizeof buf),
                        "http://sim:1/api/v1/events");
}

static void test_required_service_cannot_be_turned_off(void **state)
{
    (void)state;
    srv_config c;
    char err[256];
    char *argv[] = {"order-server", "--inventory-url", "off", NULL};
    assert_int_equal(load(&c, argv, NULL, err), SRV_CONFIG_ERROR);
    assert_non_null(strstr(err, "--inventory-url"));
}

static void test_unknown_option_is_refused(void **state)
{
    (void)state;
    srv_config c;
    char err[256];
    char *argv[] = {"order-server", "--prot", "1", NULL};
    assert_int_equal(load(&c, argv, NULL, err), SRV_CONFIG_ERROR);
    assert_non_null(strstr(err, "--prot"));
}

static void test_option_without_value_is_refused(void **state)
{
    (void)state;
    srv_config c;
    char err[256];
    char *argv[] = {"order-server", "--port", NULL};
    assert_int_equal(load(&c, argv, NULL, err), SRV_CONFIG_ERROR);
    assert_non_null(strstr(err, "--port needs a value"));
}

static void test_help_wins_over_bad_settings(void **state)
{
    (void)state;
    srv_config c;
    char err[256];
    char *argv[] = {"order-server", "--port", "x", "--help", NULL};
    assert_int_equal(load(&c, argv, NULL, err), SRV_CONFIG_HELP);
}

static void test_migrate_command_is_recognised_and_others_refused(void **state)
{
    (void)state;
    srv_config c;
    char err[256];
    char *migrate[] = {"order-server", "migrate", "--database-url", "postgresql:///x", NULL};
    assert_int_equal(load(&c, migrate, NULL, err), SRV_CONFIG_OK);
    assert_int_equal(c.command, SRV_MIGRATE);
    char *other[] = {"order-server", "destroy", NULL};
    assert_int_equal(load(&c, other, NULL, err), SRV_CONFIG_ERROR);
    assert_non_null(strstr(err, "destroy"));
}

static void test_log_level_is_parsed_and_checked(void **state)
{
    (void)state;
    srv_config c;
    char err[256];
    char *ok[] = {"order-server", "--log-level", "warn", NULL};
    assert_int_equal(load(&c, ok, NULL, err), SRV_CONFIG_OK);
    assert_int_equal(c.log_level, SRV_WARN);
    char *bad[] = {"order-server", "--log-level", "loud", NULL};
    assert_int_equal(load(&c, bad, NULL, err), SRV_CONFIG_ERROR);
    assert_non_null(strstr(err, "--log-level"));
}

static void test_backoff_minimum_above_maximum_is_refused(void **state)
{
    (void)state;
    srv_config c;
    char err[256];
    char *argv[] = {"order-server", "--tracking-backoff-min-ms", "5000",
                    "--tracking-backoff-max-ms", "1000", NULL};
    assert_int_equal(load(&c, argv, NULL, err), SRV_CONFIG_ERROR);
    assert_non_null(strstr(err, "tracking-backoff-min-ms"));
}

static void test_host_must_be_an_ipv4_address(void **state)
{
    (void)state;
    srv_config c;
    char err[256];
    char *argv[] = {"order-server", "--host", "localhost", NULL};
    assert_int_equal(load(&c, argv, NULL, err), SRV_CONFIG_ERROR);
    assert_non_null(strstr(err, "--host"));
    char *ok[] = {"order-server", "--host", "0.0.0.0", NULL};
    assert_int_equal(load(&c, ok, NULL, err), SRV_CONFIG_OK);
}

static void test_unknown_order_variable_is_kept_for_a_warning(void **state)
{
    (void)state;
    srv_config c;
    char err[256];
    char *argv[] = {"order-server", NULL};
    char *env[] = {"ORDER_PROT=1", "ORDER_PORT=1", NULL};
    assert_int_equal(load(&c, argv, env, err), SRV_CONFIG_OK);
    assert_string_equal(c.unknown_env, "ORDER_PROT=1");
    assert_int_equal(c.port, 1);
}

static void test_customer_serialisation_is_off_unless_switched_on(void **state)
{
    (void)state;
    srv_config c;
    char err[256];
    char *plain[] = {"order-server", NULL};
    assert_int_equal(load(&c, plain, NULL, err), SRV_CONFIG_OK);
    assert_false(c.serialize_customer_creates);

    char *on[] = {"ORDER_SERIALIZE_CUSTOMER_CREATES=true", NULL};
    assert_int_equal(load(&c, plain, on, err), SRV_CONFIG_OK);
    assert_true(c.serialize_customer_creates);
    /* A flag wins; a bare flag means true and leaves the command alone. */
    char *off[] = {"order-server", "--serialize-customer-creates=false", NULL};
    assert_int_equal(load(&c, off, on, err), SRV_CONFIG_OK);
    assert_false(c.serialize_customer_creates);
    char *bare[] = {"order-server", "--serialize-customer-creates", "migrate", NULL};
    assert_int_equal(load(&c, bare, NULL, err), SRV_CONFIG_OK);
    assert_true(c.serialize_customer_creates);
    assert_int_equal(c.command, SRV_MIGRATE);
    char *words[] = {"ORDER_SERIALIZE_CUSTOMER_CREATES=off", NULL};
    char *yes[] = {"order-server", "--serialize-customer-creates=yes", NULL};
    assert_int_equal(load(&c, yes, words, err), SRV_CONFIG_OK);
    assert_true(c.serialize_customer_creates);
    assert_int_equal(load(&c, plain, words, err), SRV_CONFIG_OK);
    assert_false(c.serialize_customer_creates);
}

static void test_customer_serialisation_takes_only_true_or_false(void **state)
{
    (void)state;
    srv_config c;
    char err[256];
    char *argv[] = {"order-server", NULL};
    char *env[] = {"ORDER_SERIALIZE_CUSTOMER_CREATES=maybe", NULL};
    assert_int_equal(load(&c, argv, env, err), SRV_CONFIG_ERROR);
    assert_non_null(strstr(err, "ORDER_SERIALIZE_CUSTOMER_CREATES must be true or false"));
    char *empty[] = {"order-server", "--serialize-customer-creates=", NULL};
    assert_int_equal(load(&c, empty, NULL, err), SRV_CONFIG_ERROR);
    assert_non_null(strstr(err, "--serialize-customer-creates"));
}

static void test_outbox_retention_is_a_week_in_seconds_and_zero_keeps_events(void **state)
{
    (void)state;
    srv_config c;
    char err[256];
    char *plain[] = {"order-server", NULL};
    assert_int_equal(load(&c, plain, NULL, err), SRV_CONFIG_OK);
    assert_int_equal(c.outbox_retention_s, 604800);

    char *keep[] = {"ORDER_OUTBOX_RETENTION_S=0", NULL};
    assert_int_equal(load(&c, plain, keep, err), SRV_CONFIG_OK);
    assert_int_equal(c.outbox_retention_s, 0);
    char *hour[] = {"order-server", "--outbox-retention-s", "3600", NULL};
    assert_int_equal(load(&c, hour, keep, err), SRV_CONFIG_OK);
    assert_int_equal(c.outbox_retention_s, 3600);
    /* The service takes at most a year (366 days), in milliseconds. */
    char *year[] = {"order-server", "--outbox-retention-s", "31622400", NULL};
    assert_int_equal(load(&c, year, NULL, err), SRV_CONFIG_OK);
    assert_int_equal(c.outbox_retention_s * 1000, (int64_t)366 * 24 * 3600 * 1000);

    char *longer[] = {"order-server", "--outbox-retention-s", "31622401", NULL};
    assert_int_equal(load(&c, longer, NULL, err), SRV_CONFIG_ERROR);
    assert_non_null(strstr(err, "--outbox-retention-s must be an integer from 0 to 31622400"));
    char *negative[] = {"ORDER_OUTBOX_RETENTION_S=-1", NULL};
    assert_int_equal(load(&c, plain, negative, err), SRV_CONFIG_ERROR);
    assert_non_null(strstr(err, "ORDER_OUTBOX_RETENTION_S must be an integer"));
}

/* A key is held for as long as a create can take, no longer: the pre-checks,
 * the reservation and the shipment, each with all its attempts (at most the
 * adapter's 5 s per call), plus the database allowance. */
static void test_idempotency_lock_follows_the_downstream_limits(void **state)
{
    (void)state;
    srv_config c;
    char err[256];
    char *plain[] = {"order-server", NULL};
    assert_int_equal(load(&c, plain, NULL, err), SRV_CONFIG_OK);
    assert_int_equal(srv_config_create_limit_ms(&c), 3 * 5000 + SRV_DATABASE_ALLOWANCE_MS);
    assert_int_equal(srv_config_idempotency_lock_ms(&c), 20000);

    /* One attempt of 1 s each: 1 + 1 + 1 s, plus the allowance. */
    char *quick[] = {"order-server", "--retry-attempts", "1", "--catalog-timeout-ms", "1000",
                     "--restrictions-timeout-ms", "1000", "--eligibility-timeout-ms", "200",
                     "--inventory-timeout-ms", "1000", "--tracking-timeout-ms", "1000", NULL};
    assert_int_equal(load(&c, quick, NULL, err), SRV_CONFIG_OK);
    assert_int_equal(srv_config_idempotency_lock_ms(&c), 3000 + SRV_DATABASE_ALLOWANCE_MS);

    char *set[] = {"ORDER_IDEMPOTENCY_LOCK_MS=45000", NULL};
    assert_int_equal(load(&c, plain, set, err), SRV_CONFIG_OK);
    assert_int_equal(srv_config_idempotency_lock_ms(&c), 45000);

    /* Shorter than a create may take: a retry would take over a live request. */
    char *short_lock[] = {"order-server", "--idempotency-lock-ms", "19999", NULL};
    assert_int_equal(load(&c, short_lock, NULL, err), SRV_CONFIG_ERROR);
    assert_non_null(strstr(err, "idempotency-lock-ms must be at least 20000"));
    char *over_ttl[] = {"order-server", "--idempotency-lock-ms", "70000",
                        "--idempotency-ttl-ms", "60000", NULL};
    assert_int_equal(load(&c, over_ttl, NULL, err), SRV_CONFIG_ERROR);
    assert_non_null(strstr(err, "must not exceed idempotency-ttl-ms"));
}

static void test_event_sink_is_the_webhook_unless_chosen(void **state)
{
    (void)state;
    srv_config c;
    char err[256];
    char *argv[] = {"order-server", NULL};
    assert_int_equal(load(&c, argv, NULL, err), SRV_CONFIG_OK);
    assert_int_equal(c.event_sink, SRV_SINK_WEBHOOK);
    assert_true(srv_config_events_on(&c));
    assert_string_equal(c.event_amqp_url, "amqp://guest:guest@127.0.0.1:5672");
    assert_string_equal(c.event_amqp_exchange, "orders.events");
    assert_null(c.event_amqp_queue);
    assert_int_equal(c.event_amqp_confirm_timeout_ms, 5000);

    char *env[] = {"ORDER_EVENT_SINK=amqp", "ORDER_EVENT_AMQP_URL=amqp://o:s3cret@mq:5673/prod",
                   "ORDER_EVENT_AMQP_EXCHANGE=shop.orders", "ORDER_EVENT_AMQP_QUEUE=audit",
                   "ORDER_EVENT_AMQP_CONFIRM_TIMEOUT_MS=250", NULL};
    assert_int_equal(load(&c, argv, env, err), SRV_CONFIG_OK);
    assert_int_equal(c.event_sink, SRV_SINK_AMQP);
    assert_string_equal(c.event_amqp_url, "amqp://o:s3cret@mq:5673/prod");
    assert_string_equal(c.event_amqp_exchange, "shop.orders");
    assert_string_equal(c.event_amqp_queue, "audit");
    assert_int_equal(c.event_amqp_confirm_timeout_ms, 250);
    /* The webhook is not configured for the HTTP adapter then. */
    ord_http_options o;
    char buf[1100];
    srv_config_http_options(&c, &o, buf, sizeof buf);
    assert_null(o.services[ORD_HTTP_EVENTS].base_url);

    char *off[] = {"order-server", "--event-sink", "off", NULL};
    assert_int_equal(load(&c, off, env, err), SRV_CONFIG_OK);
    assert_int_equal(c.event_sink, SRV_SINK_OFF);
    assert_false(srv_config_events_on(&c));
    char *no_hook[] = {"order-server", "--event-webhook-url", "off", NULL};
    assert_int_equal(load(&c, no_hook, NULL, err), SRV_CONFIG_OK);
    assert_false(srv_config_events_on(&c));
    char *bad[] = {"order-server", "--event-sink", "kafka", NULL};
    assert_int_equal(load(&c, bad, NULL, err), SRV_CONFIG_ERROR);
    assert_non_null(strstr(err, "--event-sink must be webhook, amqp or off"));
}

static void test_bad_broker_url_is_one_line_without_the_password(void **state)
{
    (void)state;
    srv_config c;
    char err[256];
    char *argv[] = {"order-server", NULL};
    static char *const urls[] = {"ORDER_EVENT_AMQP_URL=http://o:s3cret@mq",
                                 "ORDER_EVENT_AMQP_URL=amqps://o:s3cret@mq",
                                 "ORDER_EVENT_AMQP_URL=amqp://o:s3cret@mq:99999",
                                 "ORDER_EVENT_AMQP_URL=amqp://o:s3cret@mq/",
                                 "ORDER_EVENT_AMQP_URL="};
    for (size_t i = 0; i < sizeof urls / sizeof urls[0]; i++) {
        char *env[] = {urls[i], NULL};
        assert_int_equal(load(&c, argv, env, err), SRV_CONFIG_ERROR);
        assert_non_null(strstr(err, "ORDER_EVENT_AMQP_URL must be amqp://"));
        assert_null(strstr(err, "s3cret"));
        assert_null(strchr(err, '\n'));
    }
    char *flag[] = {"order-server", "--event-amqp-url", "amqp://o:s3cret@mq:0", NULL};
    assert_int_equal(load(&c, flag, NULL, err), SRV_CONFIG_ERROR);
    assert_non_null(strstr(err, "--event-amqp-url must be amqp://"));
    assert_null(strstr(err, "s3cret"));
}

static void test_exchange_and_queue_names_are_checked(void **state)
{
    (void)state;
    srv_config c;
    char err[256];
    char *reserved[] = {"order-server", "--event-amqp-exchange", "amq.topic", NULL};
    assert_int_equal(load(&c, reserved, NULL, err), SRV_CONFIG_ERROR);
    assert_non_null(strstr(err, "--event-amqp-exchange must be 1 to 255 letters"));
    char *spaced[] = {"order-server", "--event-amqp-queue", "my queue", NULL};
    assert_int_equal(load(&c, spaced, NULL, err), SRV_CONFIG_ERROR);
    assert_non_null(strstr(err, "--event-amqp-queue must be"));
    char *zero[] = {"order-server", "--event-amqp-confirm-timeout-ms", "0", NULL};
    assert_int_equal(load(&c, zero, NULL, err), SRV_CONFIG_ERROR);
    assert_non_null(strstr(err, "--event-amqp-confirm-timeout-ms must be an integer"));
}

static void test_help_lists_every_variable_of_the_readme(void **state)
{
    (void)state;
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    assert_non_null(out);
    srv_config_usage(out);
    fclose(out);
    static const char *const names[] = {
        "ORDER_PORT", "ORDER_THREADS", "ORDER_DATABASE_URL", "ORDER_DOWNSTREAM_URL",
        "ORDER_INVENTORY_URL", "ORDER_INVENTORY_TIMEOUT_MS", "ORDER_BREAKER_OPEN_MS",
        "ORDER_PENDING_DEADLINE_MS", "ORDER_RECOVERY_INTERVAL_MS", "ORDER_EVENT_WEBHOOK_URL",
        "ORDER_LOG_LEVEL", "ORDER_SERIALIZE_CUSTOMER_CREATES", "--serialize-customer-creates",
        "ORDER_OUTBOX_RETENTION_S", "--outbox-retention-s", "ORDER_IDEMPOTENCY_LOCK_MS",
        "--idempotency-lock-ms", "ORDER_DATABASE_POOL_SIZE", "--database-pool-timeout-ms",
        "ORDER_AUTH", "--auth jwt|off",
        "ORDER_AUTH_JWKS_FILE", "ORDER_AUTH_JWKS_URL", "ORDER_AUTH_HS256_SECRET_FILE",
        "ORDER_AUTH_ISSUER", "ORDER_AUTH_AUDIENCE", "ORDER_AUTH_LEEWAY_S",
        "ORDER_AUTH_CUSTOMER_CLAIM", "ORDER_AUTH_ADMIN_SCOPE", "ORDER_AUTH_METRICS_ADMIN",
        "ORDER_AUTH_JWKS_REFRESH_S", "ORDER_AUTH_JWKS_MIN_REFRESH_S", "ORDER_AUTH_JWKS_WAIT_MS",
        "ORDER_AUTH_JWKS_TIMEOUT_MS",
        "ORDER_EVENT_SINK", "--event-sink", "ORDER_EVENT_AMQP_URL", "--event-amqp-url",
        "ORDER_EVENT_AMQP_EXCHANGE", "--event-amqp-exchange", "ORDER_EVENT_AMQP_QUEUE",
        "--event-amqp-queue", "ORDER_EVENT_AMQP_CONFIRM_TIMEOUT_MS",
        "--event-amqp-confirm-timeout-ms"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strstr(text, names[i]) == NULL)
            fail_msg("--help does not mention %s", names[i]);
    free(text);
}

static void test_authentication_is_on_and_needs_keys_to_serve(void **state)
{
    (void)state;
    srv_config c;
    char err[256];
    char *serve[] = {"order-server", NULL};
    assert_int_equal(load_exact(&c, serve, NULL, err), SRV_CONFIG_ERROR);
    assert_non_null(strstr(err, "authentication is on (ORDER_AUTH=jwt) but no keys are configured"));
    /* Migrating needs no keys. */
    char *migrate[] = {"order-server", "migrate", NULL};
    assert_int_equal(load_exact(&c, migrate, NULL, err), SRV_CONFIG_OK);
    /* Any one source of keys will do; every setting has its variable. */
    char *env[] = {"ORDER_AUTH_JWKS_URL=https://idp.test/.well-known/jwks.json",
                   "ORDER_AUTH_ISSUER=https://idp.test/", "ORDER_AUTH_AUDIENCE=orders",
                   "ORDER_AUTH_LEEWAY_S=30", "ORDER_AUTH_CUSTOMER_CLAIM=custom:id",
                   "ORDER_AUTH_ADMIN_SCOPE=ops/admin", "ORDER_AUTH_METRICS_ADMIN=true",
                   "ORDER_AUTH_JWKS_REFRESH_S=600", "ORDER_AUTH_JWKS_MIN_REFRESH_S=5",
                   "ORDER_AUTH_JWKS_WAIT_MS=200", "ORDER_AUTH_JWKS_TIMEOUT_MS=1500", NULL};
    assert_int_equal(load_exact(&c, serve, env, err), SRV_CONFIG_OK);
    assert_false(c.auth_off);
    assert_string_equal(c.auth_jwks_url, "https://idp.test/.well-known/jwks.json");
    assert_string_equal(c.auth_issuer, "https://idp.test/");
    assert_string_equal(c.auth_audience, "orders");
    assert_int_equal(c.auth_leeway_s, 30);
    assert_string_equal(c.auth_customer_claim, "custom:id");
    assert_string_equal(c.auth_admin_scope, "ops/admin");
    assert_true(c.auth_metrics_admin);
    assert_int_equal(c.auth_jwks_refresh_s, 600);
    assert_int_equal(c.auth_jwks_min_refresh_s, 5);
    assert_int_equal(c.auth_jwks_wait_ms, 200);
    assert_int_equal(c.auth_jwks_timeout_ms, 1500);
    /* Defaults. */
    char *file[] = {"order-server", "--auth-jwks-file", "/etc/orders/jwks.json", NULL};
    assert_int_equal(load_exact(&c, file, NULL, err), SRV_CONFIG_OK);
    assert_int_equal(c.auth_leeway_s, 60);
    assert_string_equal(c.auth_customer_claim, "sub");
    assert_string_equal(c.auth_admin_scope, "orders:admin");
    assert_false(c.auth_metrics_admin);
    assert_null(c.auth_issuer);
}

static void test_authentication_off_only_on_loopback(void **state)
{
    (void)state;
    srv_config c;
    char err[256];
    char *argv[] = {"order-server", "--host", "0.0.0.0", NULL};
    char *off[] = {"ORDER_AUTH=off", NULL};
    assert_int_equal(load_exact(&c, argv, off, err), SRV_CONFIG_ERROR);
    assert_non_null(strstr(err, "--host must be a loopback address"));
    char *local[] = {"order-server", "--host", "127.0.0.1", NULL};
    assert_int_equal(load_exact(&c, local, off, err), SRV_CONFIG_OK);
    assert_true(c.auth_off);
    char *bad[] = {"ORDER_AUTH=none", NULL};
    assert_int_equal(load_exact(&c, local, bad, err), SRV_CONFIG_ERROR);
    assert_non_null(strstr(err, "ORDER_AUTH must be jwt or off"));
    char *claim[] = {"order-server", "--auth-customer-claim", "a b", NULL};
    assert_int_equal(load(&c, claim, NULL, err), SRV_CONFIG_ERROR);
    assert_non_null(strstr(err, "--auth-customer-claim must be a claim name"));
}

static void test_password_of_a_database_url_is_redacted(void **state)
{
    (void)state;
    char out[256];
    assert_string_equal(srv_redact_url("postgresql://app:s3cret@db:5432/orders", out,
                                                sizeof out),
                        "postgresql://app:***@db:5432/orders");
    assert_string_equal(srv_redact_url("postgres://app:p%40ss@db/orders?sslmode=require",
                                                out, sizeof out),
                        "postgres://app:***@db/orders?sslmode=require");
    assert_string_equal(srv_redact_url("postgresql:///orders?user=a&password=s3cret&port=5",
                                                out, sizeof out),
                        "postgresql:///orders?user=a&password=***&port=5");
    assert_string_equal(srv_redact_url("host=db password = 's3 cret' dbname=orders", out,
                                                sizeof out),
                        "host=db password=*** dbname=orders");
    assert_string_equal(srv_redact_url("postgresql://app@db/orders", out, sizeof out),
                        "postgresql://app@db/orders");
}

/* libpq decodes the keywords of a URL's query; keywords are any case here,
 * and sslpassword (a client key's passphrase) is a secret too. */
static void test_every_spelling_of_a_password_keyword_is_redacted(void **state)
{
    (void)state;
    char out[256];
    assert_string_equal(srv_redact_url("postgresql:///orders?pass%77ord=s3cret", out, sizeof out),
                        "postgresql:///orders?pass%77ord=***");
    assert_string_equal(srv_redact_url("postgresql:///orders?%70%61%73%73%77%6F%72%64=x&a=b",
                                       out, sizeof out),
                        "postgresql:///orders?%70%61%73%73%77%6F%72%64=***&a=b");
    assert_string_equal(srv_redact_url("postgresql://db/o?PASSWORD=x&sslpassword=y#f", out,
                                       sizeof out),
                        "postgresql://db/o?PASSWORD=***&sslpassword=***#f");
    assert_string_equal(srv_redact_url("host=db SSLPassword=key-pass", out, sizeof out),
                        "host=db SSLPassword=***");
    /* A keyword that only starts like one is not a secret. */
    assert_string_equal(srv_redact_url("postgresql:///o?passwordless=1", out, sizeof out),
                        "postgresql:///o?passwordless=1");
}

/* Service and broker URLs may carry credentials too. */
static void test_user_info_of_any_url_is_redacted(void **state)
{
    (void)state;
    char out[256];
    assert_string_equal(srv_redact_url("https://svc:t0ken@inventory.internal:8443/api", out,
                                       sizeof out),
                        "https://svc:***@inventory.internal:8443/api");
    assert_string_equal(srv_redact_url("amqp://guest:guest@127.0.0.1:5672/vhost", out, sizeof out),
                        "amqp://guest:***@127.0.0.1:5672/vhost");
    assert_string_equal(srv_redact_url("http://127.0.0.1:8091", out, sizeof out),
                        "http://127.0.0.1:8091");
    /* The last '@' of the authority ends the user info. */
    assert_string_equal(srv_redact_url("http://a:b@c@host/p?q=@", out, sizeof out),
                        "http://a:***@host/p?q=@");
}

static void test_log_line_is_one_json_object_with_time_and_level(void **state)
{
    (void)state;
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    assert_non_null(out);
    srv_log log = {out, SRV_INFO};
    srv_field f[] = {SRV_STR("action", "say \"hi\"\n"), SRV_NUM("orderId", 42)};
    srv_log_write(&log, SRV_WARN, "background action", f, 2);
    srv_log_write(&log, SRV_DEBUG, "not written below the level", NULL, 0);
    fclose(out);
    assert_non_null(strchr(text, '\n'));
    assert_int_equal(strchr(text, '\n') - text + 1, (long)len);
    cJSON *json = cJSON_Parse(text);
    assert_non_null(json);
    assert_string_equal(cJSON_GetObjectItem(json, "level")->valuestring, "warn");
    assert_string_equal(cJSON_GetObjectItem(json, "action")->valuestring, "say \"hi\"\n");
    assert_int_equal(cJSON_GetObjectItem(json, "orderId")->valueint, 42);
    assert_true(cJSON_IsString(cJSON_GetObjectItem(json, "time")));
    cJSON_Delete(json);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_are_those_of_the_api_contract),
        cmocka_unit_test(test_event_sink_is_the_webhook_unless_chosen),
        cmocka_unit_test(test_bad_broker_url_is_one_line_without_the_password),
        cmocka_unit_test(test_exchange_and_queue_names_are_checked),
        cmocka_unit_test(test_environment_variable_sets_a_setting),
        cmocka_unit_test(test_flag_wins_over_environment_variable),
        cmocka_unit_test(test_port_out_of_range_names_the_flag),
        cmocka_unit_test(test_bad_environment_value_names_the_variable),
        cmocka_unit_test(test_zero_or_negative_durations_are_refused),
        cmocka_unit_test(test_url_without_http_scheme_is_refused_without_echoing_it),
        cmocka_unit_test(test_account_checks_can_be_turned_off),
        cmocka_unit_test(test_required_service_cannot_be_turned_off),
        cmocka_unit_test(test_unknown_option_is_refused),
        cmocka_unit_test(test_option_without_value_is_refused),
        cmocka_unit_test(test_help_wins_over_bad_settings),
        cmocka_unit_test(test_migrate_command_is_recognised_and_others_refused),
        cmocka_unit_test(test_log_level_is_parsed_and_checked),
        cmocka_unit_test(test_backoff_minimum_above_maximum_is_refused),
        cmocka_unit_test(test_host_must_be_an_ipv4_address),
        cmocka_unit_test(test_unknown_order_variable_is_kept_for_a_warning),
        cmocka_unit_test(test_customer_serialisation_is_off_unless_switched_on),
        cmocka_unit_test(test_customer_serialisation_takes_only_true_or_false),
        cmocka_unit_test(test_outbox_retention_is_a_week_in_seconds_and_zero_keeps_events),
        cmocka_unit_test(test_idempotency_lock_follows_the_downstream_limits),
        cmocka_unit_test(test_help_lists_every_variable_of_the_readme),
        cmocka_unit_test(test_authentication_is_on_and_needs_keys_to_serve),
        cmocka_unit_test(test_authentication_off_only_on_loopback),
        cmocka_unit_test(test_password_of_a_database_url_is_redacted),
        cmocka_unit_test(test_every_spelling_of_a_password_keyword_is_redacted),
        cmocka_unit_test(test_user_info_of_any_url_is_redacted),
        cmocka_unit_test(test_log_line_is_one_json_object_with_time_and_level),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* One settings table, two programs: the Lambda program reads the server's
 * ORDER_* variables except its listeners, threads and timers, and has the
 * claim settings of its own; each one's --help lists what it reads. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"

/* Load with @p env and, unless it sets ORDER_AUTH, authentication off (on,
 * the default, it needs keys). */
static srv_config_result load(srv_program program, char **argv, char **env, srv_config *c,
                              char *err)
{
    int argc = 0;
    while (argv[argc] != NULL)
        argc++;
    char *all[16];
    size_t n = 0;
    bool auth_set = false;
    for (size_t i = 0; env != NULL && env[i] != NULL && n < 14; i++) {
        auth_set = auth_set || strncmp(env[i], "ORDER_AUTH=", 11) == 0;
        all[n++] = env[i];
    }
    if (!auth_set)
        all[n++] = "ORDER_AUTH=off";
    all[n] = NULL;
    return srv_config_load_for(c, program, argc, argv, all, err, 256);
}

static void test_lambda_ignores_the_server_settings_with_a_warning(void **state)
{
    (void)state;
    srv_config c;
    char err[256];
    char *argv[] = {"bootstrap", NULL};
    char *env[] = {"ORDER_PORT=9000", "ORDER_THREADS=0", "ORDER_PENDING_STALE_MS=700", NULL};
    srv_config defaults;
    assert_int_equal(load(SRV_PROGRAM_LAMBDA, argv, NULL, &defaults, err), SRV_CONFIG_OK);
    assert_int_equal(load(SRV_PROGRAM_LAMBDA, argv, env, &c, err), SRV_CONFIG_OK);
    assert_int_equal(c.port, defaults.port);
    assert_int_equal(c.threads, defaults.threads);
    assert_int_equal(c.pending_stale_ms, 700);
    assert_string_equal(c.unknown_env, "ORDER_PORT=9000");
}

static void test_lambda_refuses_server_flags_and_commands(void **state)
{
    (void)state;
    srv_config c;
    char err[256];
    char *port[] = {"bootstrap", "--port", "9000", NULL};
    assert_int_equal(load(SRV_PROGRAM_LAMBDA, port, NULL, &c, err), SRV_CONFIG_ERROR);
    assert_non_null(strstr(err, "unknown option \"--port\""));
    char *command[] = {"bootstrap", "migrate", NULL};
    assert_int_equal(load(SRV_PROGRAM_LAMBDA, command, NULL, &c, err), SRV_CONFIG_ERROR);
    assert_non_null(strstr(err, "unexpected argument \"migrate\""));
    char *shared[] = {"bootstrap", "--retry-attempts", "2", NULL};
    assert_int_equal(load(SRV_PROGRAM_LAMBDA, shared, NULL, &c, err), SRV_CONFIG_OK);
    assert_int_equal(c.retry_attempts, 2);
}

static void test_claim_settings_default_and_are_checked(void **state)
{
    (void)state;
    srv_config c;
    char err[256];
    char *argv[] = {"bootstrap", NULL};
    assert_int_equal(load(SRV_PROGRAM_LAMBDA, argv, NULL, &c, err), SRV_CONFIG_OK);
    assert_string_equal(c.auth_customer_claim, "sub");
    assert_string_equal(c.auth_admin_scope, "orders:admin");
    assert_null(c.auth_admin_group);

    char *good[] = {"ORDER_AUTH_CUSTOMER_CLAIM=custom:customer_id",
                    "ORDER_AUTH_ADMIN_SCOPE=https://orders.example/admin",
                    "ORDER_AUTH_ADMIN_GROUP=orders-admins", NULL};
    assert_int_equal(load(SRV_PROGRAM_LAMBDA, argv, good, &c, err), SRV_CONFIG_OK);
    assert_string_equal(c.auth_customer_claim, "custom:customer_id");
    assert_string_equal(c.auth_admin_scope, "https://orders.example/admin");
    assert_string_equal(c.auth_admin_group, "orders-admins");

    char *claim[] = {"ORDER_AUTH_CUSTOMER_CLAIM=customer id", NULL};
    assert_int_equal(load(SRV_PROGRAM_LAMBDA, argv, claim, &c, err), SRV_CONFIG_ERROR);
    assert_non_null(strstr(err, "ORDER_AUTH_CUSTOMER_CLAIM must be a claim name"));
    char *scope[] = {"ORDER_AUTH_ADMIN_SCOPE=orders admin", NULL};
    assert_int_equal(load(SRV_PROGRAM_LAMBDA, argv, scope, &c, err), SRV_CONFIG_ERROR);
    assert_non_null(strstr(err, "ORDER_AUTH_ADMIN_SCOPE must be one scope"));
    char *group[] = {"ORDER_AUTH_ADMIN_GROUP=", NULL};
    assert_int_equal(load(SRV_PROGRAM_LAMBDA, argv, group, &c, err), SRV_CONFIG_ERROR);
    assert_non_null(strstr(err, "ORDER_AUTH_ADMIN_GROUP must be 1 to 128 bytes long"));
}

static void test_server_does_not_read_the_lambda_settings(void **state)
{
    (void)state;
    srv_config c;
    char err[256];
    char *argv[] = {"order-server", NULL};
    char *env[] = {"ORDER_AUTH_ADMIN_GROUP=ops", NULL};
    assert_int_equal(load(SRV_PROGRAM_SERVER, argv, env, &c, err), SRV_CONFIG_OK);
    assert_null(c.auth_admin_group);
    assert_string_equal(c.unknown_env, "ORDER_AUTH_ADMIN_GROUP=ops");
    char *flag[] = {"order-server", "--auth-admin-group", "ops", NULL};
    assert_int_equal(load(SRV_PROGRAM_SERVER, flag, NULL, &c, err), SRV_CONFIG_ERROR);
}

static void test_lambda_with_authentication_on_needs_keys_like_the_server(void **state)
{
    (void)state;
    srv_config c;
    char err[256];
    char *argv[] = {"bootstrap", NULL};
    char *none[] = {"ORDER_AUTH=jwt", NULL};
    assert_int_equal(load(SRV_PROGRAM_LAMBDA, argv, none, &c, err), SRV_CONFIG_ERROR);
    assert_non_null(strstr(err, "no keys are configured"));
    char *url[] = {"ORDER_AUTH=jwt",
                   "ORDER_AUTH_JWKS_URL=https://cognito-idp.eu-west-1.amazonaws.com/pool/"
                   ".well-known/jwks.json",
                   NULL};
    assert_int_equal(load(SRV_PROGRAM_LAMBDA, argv, url, &c, err), SRV_CONFIG_OK);
    assert_false(c.auth_off);
}

static char *usage_of(srv_program program)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    assert_non_null(out);
    srv_config_usage_settings(out, program);
    fclose(out);
    return text;
}

/* The scheduled pass runs the relay: the sink settings are the Lambda's
 * too, checked the same way, and a bad broker URL never echoes its password. */
static void test_lambda_reads_the_event_sink_settings(void **state)
{
    (void)state;
    srv_config c;
    char err[256];
    char *argv[] = {"bootstrap", NULL};
    char *env[] = {"ORDER_EVENT_SINK=amqp",
                   "ORDER_EVENT_AMQP_URL=amqp://o:pw@mq.internal:5673/orders",
                   "ORDER_EVENT_AMQP_EXCHANGE=shop.events",
                   "ORDER_EVENT_AMQP_CONFIRM_TIMEOUT_MS=2000", NULL};
    assert_int_equal(load(SRV_PROGRAM_LAMBDA, argv, env, &c, err), SRV_CONFIG_OK);
    assert_int_equal(c.event_sink, SRV_SINK_AMQP);
    assert_string_equal(c.event_amqp_url, "amqp://o:pw@mq.internal:5673/orders");
    assert_string_equal(c.event_amqp_exchange, "shop.events");
    assert_int_equal(c.event_amqp_confirm_timeout_ms, 2000);
    assert_null(c.unknown_env);
    assert_true(srv_config_events_on(&c));

    char *flags[] = {"bootstrap", "--event-sink", "off", NULL};
    assert_int_equal(load(SRV_PROGRAM_LAMBDA, flags, NULL, &c, err), SRV_CONFIG_OK);
    assert_false(srv_config_events_on(&c));

    char *bad[] = {"ORDER_EVENT_SINK=amqp", "ORDER_EVENT_AMQP_URL=amqps://o:hunter22@mq:5671",
                   NULL};
    assert_int_equal(load(SRV_PROGRAM_LAMBDA, argv, bad, &c, err), SRV_CONFIG_ERROR);
    assert_non_null(strstr(err, "ORDER_EVENT_AMQP_URL must be amqp://"));
    assert_null(strstr(err, "hunter22"));
}

static void test_each_help_lists_what_its_program_reads(void **state)
{
    (void)state;
    char *lambda = usage_of(SRV_PROGRAM_LAMBDA);
    char *server = usage_of(SRV_PROGRAM_SERVER);
    assert_non_null(strstr(lambda, "ORDER_AUTH_ADMIN_GROUP"));
    assert_non_null(strstr(lambda, "ORDER_DATABASE_URL"));
    assert_non_null(strstr(lambda, "ORDER_EVENT_SINK"));
    assert_non_null(strstr(lambda, "ORDER_EVENT_AMQP_URL"));
    assert_null(strstr(lambda, "ORDER_PORT\n"));
    assert_null(strstr(lambda, "ORDER_WORKER_ID"));
    assert_non_null(strstr(server, "ORDER_PORT\n"));
    assert_null(strstr(server, "ORDER_AUTH_ADMIN_GROUP"));
    free(lambda);
    free(server);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lambda_ignores_the_server_settings_with_a_warning),
        cmocka_unit_test(test_lambda_refuses_server_flags_and_commands),
        cmocka_unit_test(test_claim_settings_default_and_are_checked),
        cmocka_unit_test(test_server_does_not_read_the_lambda_settings),
        cmocka_unit_test(test_lambda_with_authentication_on_needs_keys_like_the_server),
        cmocka_unit_test(test_lambda_reads_the_event_sink_settings),
        cmocka_unit_test(test_each_help_lists_what_its_program_reads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

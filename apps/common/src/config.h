/* The programs' settings: defaults, then ORDER_* environment variables,
 * then command-line flags (flags win), each checked with a one-line error
 * that names the setting. The order server and the Lambda program read the
 * same table; a few settings belong to one of them only. */
#ifndef ORDER_SERVER_CONFIG_H
#define ORDER_SERVER_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <orders/adapters/http/services.h>

/* What the program was asked to do. */
typedef enum srv_command {
    SRV_SERVE = 0,          /* migrate, then serve until SIGTERM/SIGINT */
    SRV_MIGRATE = 1,        /* migrate and exit */
    SRV_REDRIVE_EVENTS = 2  /* migrate, put parked outbox events back in the queue, exit */
} srv_command;

/* Who reads the settings. */
typedef enum srv_program {
    SRV_PROGRAM_SERVER = 1, /* order-server: listeners, worker threads, commands */
    SRV_PROGRAM_LAMBDA = 2  /* order-lambda's bootstrap: one request at a time, no command */
} srv_program;

/* Where the outbox relay delivers events. */
typedef enum srv_event_sink {
    SRV_SINK_WEBHOOK = 0, /* HTTP POST to the event webhook */
    SRV_SINK_AMQP = 1,    /* a RabbitMQ broker */
    SRV_SINK_OFF = 2      /* nowhere: events stay in the outbox */
} srv_event_sink;

typedef enum srv_level {
    SRV_DEBUG = 0,
    SRV_INFO = 1,
    SRV_WARN = 2,
    SRV_ERROR = 3
} srv_level;

/* Every setting. Strings are borrowed from argv or the environment, which
 * live as long as the process. */
typedef struct srv_config {
    srv_command command;

    const char *host;      /* IPv4 address to bind */
    int64_t port;          /* 0: any free port */
    const char *port_file; /* receives the bound port once serving; NULL: none */
    int64_t threads;       /* HTTP worker threads = connections served at once */
    int64_t request_timeout_ms;    /* deadline of a whole request, headers and body */
    int64_t keep_alive_timeout_ms; /* an idle kept-alive connection ends after this */
    int64_t ops_port;              /* operations listener; -1: none */
    const char *ops_port_file;     /* receives its bound port; NULL: none */
    int64_t ops_threads;
    int64_t retry_after_s;
    int64_t shutdown_timeout_ms; /* longest wait for requests in flight at stop */
    int64_t drain_grace_ms;      /* SIGTERM: not-ready, still serving, this long */

    const char *database_url;
    int64_t database_connect_timeout_s;
    int64_t database_pool_size;       /* connections the HTTP workers share */
    int64_t database_pool_timeout_ms; /* longest a request waits for one */
    int64_t migrate_wait_s; /* how long start-up waits for the database */

    srv_event_sink event_sink;
    const char *event_amqp_url;      /* amqp://... (its password never logged) */
    const char *event_amqp_exchange;
    const char *event_amqp_queue;    /* NULL: none declared */
    int64_t event_amqp_confirm_timeout_ms;

    const char *downstream_url;                  /* default base of every service */
    const char *service_url[ORD_HTTP_SERVICE_COUNT]; /* NULL: from downstream_url;
                                                        "off": not configured */
    int64_t service_timeout_ms[ORD_HTTP_SERVICE_COUNT];
    int64_t connect_timeout_ms;
    int64_t retry_attempts;
    int64_t breaker_window;
    int64_t breaker_minimum_calls;
    int64_t breaker_failure_rate;
    int64_t breaker_open_ms;
    int64_t breaker_half_open_calls;

    int64_t recovery_interval_ms;
    int64_t relay_interval_ms;
    int64_t pending_stale_ms;
    int64_t pending_deadline_ms;
    int64_t tracking_backoff_min_ms;
    int64_t tracking_backoff_max_ms;
    int64_t outbox_max_attempts;
    int64_t outbox_backoff_min_ms;
    int64_t outbox_backoff_max_ms;
    int64_t lease_ms;
    int64_t idempotency_ttl_ms;
    int64_t idempotency_lock_ms; /* 0: srv_config_create_limit_ms() */
    int64_t outbox_retention_s; /* delete delivered events this long after delivery; 0: keep */
    int64_t batch_size;
    const char *worker_id; /* NULL: "<hostname>-<pid>" */
    bool serialize_customer_creates; /* one create of a customer at a time (409 when busy) */

    /* Authentication: on (jwt) unless told off; see auth.c. */
    bool auth_off;                   /* ORDER_AUTH=off: every caller is an admin */
    const char *auth_jwks_file;      /* NULL: none */
    const char *auth_jwks_url;       /* NULL: none */
    const char *auth_hs256_secret_file; /* NULL: none */
    const char *auth_issuer;         /* NULL: not checked */
    const char *auth_audience;       /* NULL: not checked */
    int64_t auth_leeway_s;
    const char *auth_customer_claim;
    const char *auth_admin_scope;
    bool auth_metrics_admin;         /* GET /metrics needs the admin scope */
    int64_t rate_limit_rps;          /* requests a second per client; 0: no limit */
    int64_t rate_limit_burst;        /* its bucket; 0: twice the rate */
    int64_t auth_failure_limit;      /* 401s an address may collect a minute; 0: no limit */
    const char *trusted_proxy;       /* its last X-Forwarded-For entry names the client */
    int64_t auth_jwks_refresh_s;
    int64_t auth_jwks_min_refresh_s;
    int64_t auth_jwks_wait_ms;
    int64_t auth_jwks_timeout_ms;
    const char *auth_admin_group;    /* Cognito group that makes an admin (the Lambda
                                        program); NULL: none */

    srv_level log_level;
    const char *unknown_env; /* first ORDER_* variable that names no setting of the
                                program, for a warning */
} srv_config;

/* Outcome of srv_config_load(). */
typedef enum srv_config_result {
    SRV_CONFIG_OK = 0,
    SRV_CONFIG_HELP = 1,   /* --help was asked for: print srv_config_usage() */
    SRV_CONFIG_ERROR = -1  /* err holds one line naming the setting */
} srv_config_result;

/* Fill @p cfg from the defaults, then @p env (environ format: "NAME=value",
 * NULL-terminated; may be NULL), then the arguments after argv[0], as
 * @p program reads them: another program's settings are unknown options,
 * and their variables are ignored (the first is kept in unknown_env). */
srv_config_result srv_config_load_for(srv_config *cfg, srv_program program, int argc,
                                      char *const *argv, char *const *env, char *err,
                                      size_t err_cap);

/* srv_config_load_for() for the order server. */
srv_config_result srv_config_load(srv_config *cfg, int argc, char *const *argv,
                                  char *const *env, char *err, size_t err_cap);

/* The order server's --help text. */
void srv_config_usage(FILE *out);

/* The settings @p program reads, as --help lists them, and --help itself. */
void srv_config_usage_settings(FILE *out, srv_program program);

/* The URL of one service after defaults and "off": NULL when not configured.
 * @p buf receives the webhook URL derived from downstream_url. */
const char *srv_config_service_url(const srv_config *cfg, ord_http_service service, char *buf,
                                   size_t cap);

/* The HTTP adapter's options from the settings. @p webhook_buf receives the
 * webhook URL derived from downstream_url and must outlive the options. */
void srv_config_http_options(const srv_config *cfg, ord_http_options *options, char *webhook_buf,
                             size_t cap);

/* The longest a create or checkout can take once its key is held: the
 * pre-checks, the reservation and the shipment, each with every attempt
 * its downstream settings allow, plus SRV_DATABASE_ALLOWANCE_MS. */
int64_t srv_config_create_limit_ms(const srv_config *cfg);

/* Time allowed for a create's database statements in that limit. */
#define SRV_DATABASE_ALLOWANCE_MS 5000

/* How long a request holds its Idempotency-Key before another may take
 * it over: idempotency-lock-ms, or the create limit when unset. */
int64_t srv_config_idempotency_lock_ms(const srv_config *cfg);

/* Whether the relay has somewhere to deliver: the webhook sink with a
 * webhook URL, or the amqp sink. */
bool srv_config_events_on(const srv_config *cfg);

/* Name of an event sink ("webhook", "amqp", "off"). */
const char *srv_event_sink_name(srv_event_sink sink);

/* Name of a log level ("debug", "info", "warn", "error"). */
const char *srv_level_name(srv_level level);

#endif

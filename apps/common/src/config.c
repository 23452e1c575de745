/* Settings of the programs as one table: each row is a flag, its ORDER_*
 * variable (the flag in upper case), its kind, range, help and the programs
 * that read it, so parsing, checking and --help never disagree. */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <orders/adapters/amqp/broker.h>

typedef enum kind {
    K_INT,     /* integer in [min, max] */
    K_STRING,  /* non-empty text */
    K_URL,     /* http(s)://... */
    K_URL_OFF, /* http(s)://... or "off" */
    K_HOST,    /* dotted IPv4 address */
    K_LEVEL,   /* debug|info|warn|error */
    K_DB_URL,  /* libpq URL or key=value text */
    K_BOOL,    /* true|false (also 1|0, yes|no, on|off); a bare flag means true */
    K_PORT_OFF, /* 0..65535, or "off" (-1) */
    K_AUTH,    /* jwt|off */
    K_SCOPE,   /* one OAuth scope token: printable ASCII, no space, quote or backslash */
    K_CLAIM,   /* a claim name: 1..64 letters, digits, '_', '-', ':', '.' */
    K_SINK,    /* webhook|amqp|off */
    K_AMQP_URL, /* amqp://... */
    K_AMQP_NAME /* an exchange or queue name */
} kind;

typedef struct setting {
    const char *flag; /* without "--"; the variable is ORDER_ + upper-cased flag */
    kind kind;
    size_t offset;
    int64_t min, max;
    const char *meta; /* value placeholder in --help */
    const char *help;
} setting;

#define OFF(field) offsetof(srv_config, field)
#define INT(flag, field, min, max, help) {flag, K_INT, OFF(field), min, max, "N", help}
#define MS_MAX ((int64_t)366 * 24 * 3600 * 1000) /* the service refuses longer durations */

static const setting settings[] = {
    {"host", K_HOST, OFF(host), 0, 0, "ADDR", "IPv4 address to listen on (default 127.0.0.1)"},
    INT("port", port, 0, 65535, "port to listen on (default 8090; 0: any free port)"),
    {"port-file", K_STRING, OFF(port_file), 0, 0, "FILE",
     "write the bound port to FILE once serving"},
    INT("threads", threads, 1, 4096,
        "HTTP worker threads, one per connection served, idle kept-alive and slow ones "
        "included (default 128); they share the database pool"),
    INT("request-timeout-ms", request_timeout_ms, 100, 600000,
        "deadline of a whole request, headers and body, from its start (default 10000); "
        "then 408 and the connection closes"),
    INT("keep-alive-timeout-ms", keep_alive_timeout_ms, 100, 600000,
        "an idle kept-alive connection is closed after this (default 5000)"),
    {"ops-port", K_PORT_OFF, OFF(ops_port), 0, 65535, "N|off",
     "port of the operations listener (/health/live, /health/ready, /metrics) with its "
     "own workers, on the same address (default 8081; 0: any free port; off: none)"},
    {"ops-port-file", K_STRING, OFF(ops_port_file), 0, 0, "FILE",
     "write the operations listener's bound port to FILE once serving"},
    INT("ops-threads", ops_threads, 1, 64,
        "worker threads of the operations listener (default 2)"),
    INT("retry-after-s", retry_after_s, 1, 3600, "Retry-After of 503 answers (default 5)"),
    INT("shutdown-timeout-ms", shutdown_timeout_ms, 1, 600000,
        "on SIGTERM/SIGINT, longest wait for requests in flight (default 30000)"),
    INT("drain-grace-ms", drain_grace_ms, 0, 600000,
        "on SIGTERM, time between reporting not-ready and no longer accepting connections, "
        "serving meanwhile with every answer closing its connection; longer than a load "
        "balancer's checks take to see it (default 5000; SIGINT skips it)"),

    {"database-url", K_DB_URL, OFF(database_url), 0, 0, "URL",
     "PostgreSQL URL or key=value string (default postgresql:///orders)"},
    INT("database-connect-timeout-s", database_connect_timeout_s, 1, 300,
        "seconds one connection attempt may take (default 5)"),
    INT("database-pool-size", database_pool_size, 1, 1000,
        "database connections the HTTP workers share, each borrowed for one statement "
        "(default 10; the background workers have 2 more of their own)"),
    INT("database-pool-timeout-ms", database_pool_timeout_ms, 0, 600000,
        "longest a request waits for a free database connection before it is answered "
        "503 (default 2000)"),
    INT("migrate-wait-s", migrate_wait_s, 0, 3600,
        "how long start-up waits for the database to answer (default 30)"),

    {"event-sink", K_SINK, OFF(event_sink), 0, 0, "webhook|amqp|off",
     "where the outbox relay delivers events: webhook (POST to --event-webhook-url), amqp "
     "(a RabbitMQ broker, --event-amqp-*) or off (they stay in the outbox) (default webhook)"},
    {"event-amqp-url", K_AMQP_URL, OFF(event_amqp_url), 0, 0, "URL",
     "RabbitMQ broker of the amqp sink, amqp://USER:PASSWORD@HOST:PORT/VHOST, parts "
     "percent-encoded (default amqp://guest:guest@127.0.0.1:5672; the password is never "
     "logged)"},
    {"event-amqp-exchange", K_AMQP_NAME, OFF(event_amqp_exchange), 0, 0, "NAME",
     "durable topic exchange declared at connect; routing key = event type "
     "(default orders.events)"},
    {"event-amqp-queue", K_AMQP_NAME, OFF(event_amqp_queue), 0, 0, "NAME",
     "also declare this durable queue, bound to the exchange with # (default none: queues "
     "belong to consumers)"},
    INT("event-amqp-confirm-timeout-ms", event_amqp_confirm_timeout_ms, 1, 600000,
        "longest wait for the broker's confirm of one event, and for its login and "
        "declarations (default 5000)"),

    {"downstream-url", K_URL, OFF(downstream_url), 0, 0, "URL",
     "base URL of every downstream service not set below (default http://127.0.0.1:8091)"},
    {"catalog-url", K_URL, OFF(service_url[ORD_HTTP_CATALOG]), 0, 0, "URL",
     "catalog (prices) base URL"},
    {"inventory-url", K_URL, OFF(service_url[ORD_HTTP_INVENTORY]), 0, 0, "URL",
     "inventory base URL"},
    {"tracking-url", K_URL, OFF(service_url[ORD_HTTP_TRACKING]), 0, 0, "URL",
     "tracking base URL"},
    {"restrictions-url", K_URL_OFF, OFF(service_url[ORD_HTTP_RESTRICTIONS]), 0, 0, "URL|off",
     "account restrictions base URL; off: skip the check"},
    {"eligibility-url", K_URL_OFF, OFF(service_url[ORD_HTTP_ELIGIBILITY]), 0, 0, "URL|off",
     "account eligibility base URL; off: skip the check"},
    {"event-webhook-url", K_URL_OFF, OFF(service_url[ORD_HTTP_EVENTS]), 0, 0, "URL|off",
     "where events are POSTed (default DOWNSTREAM_URL/api/v1/events); off: keep them"},
    INT("catalog-timeout-ms", service_timeout_ms[ORD_HTTP_CATALOG], 1, 600000,
        "limit of one catalog request (default 3000)"),
    INT("inventory-timeout-ms", service_timeout_ms[ORD_HTTP_INVENTORY], 1, 600000,
        "limit of one inventory request (default 3000)"),
    INT("tracking-timeout-ms", service_timeout_ms[ORD_HTTP_TRACKING], 1, 600000,
        "limit of one tracking request (default 3000)"),
    INT("restrictions-timeout-ms", service_timeout_ms[ORD_HTTP_RESTRICTIONS], 1, 600000,
        "limit of one restrictions request (default 3000)"),
    INT("eligibility-timeout-ms", service_timeout_ms[ORD_HTTP_ELIGIBILITY], 1, 600000,
        "limit of one eligibility request (default 3000)"),
    INT("event-webhook-timeout-ms", service_timeout_ms[ORD_HTTP_EVENTS], 1, 600000,
        "limit of one event delivery (default 3000)"),
    INT("connect-timeout-ms", connect_timeout_ms, 1, 600000,
        "connection set-up limit of every downstream call (default 1000)"),
    INT("retry-attempts", retry_attempts, 1, 10,
        "attempts per downstream call, the first included (default 3)"),
    INT("breaker-window", breaker_window, 1, 1000,
        "calls a circuit breaker judges the failure rate over (default 20)"),
    INT("breaker-minimum-calls", breaker_minimum_calls, 1, 1000,
        "calls needed before a breaker may open (default 10)"),
    INT("breaker-failure-rate", breaker_failure_rate, 1, 100,
        "failure percentage that opens a breaker (default 50)"),
    INT("breaker-open-ms", breaker_open_ms, 1, MS_MAX,
        "time a breaker stays open before trial calls (default 5000)"),
    INT("breaker-half-open-calls", breaker_half_open_calls, 1, 100,
        "trial calls of a half-open breaker (default 3)"),

    INT("recovery-interval-ms", recovery_interval_ms, 10, MS_MAX,
        "how often the recovery worker looks for work (default 2000)"),
    INT("relay-interval-ms", relay_interval_ms, 10, MS_MAX,
        "how often the outbox relay polls, up to 4 times as long apart while idle (default 500)"),
    INT("pending-stale-ms", pending_stale_ms, 1, MS_MAX,
        "resume a PENDING_CHECK order untouched this long (default 10000)"),
    INT("pending-deadline-ms", pending_deadline_ms, 1, MS_MAX,
        "cancel a PENDING_CHECK order this old (default 900000)"),
    INT("tracking-backoff-min-ms", tracking_backoff_min_ms, 1, MS_MAX,
        "first wait before asking tracking again (default 1000)"),
    INT("tracking-backoff-max-ms", tracking_backoff_max_ms, 1, MS_MAX,
        "longest wait between tracking attempts (default 60000)"),
    INT("outbox-max-attempts", outbox_max_attempts, 1, 1000,
        "park an event after this many failed deliveries (default 20)"),
    INT("outbox-backoff-min-ms", outbox_backoff_min_ms, 1, MS_MAX,
        "first wait before delivering an event again (default 500)"),
    INT("outbox-backoff-max-ms", outbox_backoff_max_ms, 1, MS_MAX,
        "longest wait between deliveries (default 60000)"),
    INT("lease-ms", lease_ms, 1, MS_MAX,
        "how long a claim of background work holds (default 30000)"),
    INT("idempotency-ttl-ms", idempotency_ttl_ms, 60000, MS_MAX,
        "keep idempotency keys at least this long (default 86400000)"),
    INT("idempotency-lock-ms", idempotency_lock_ms, 1, MS_MAX,
        "how long a request holds its Idempotency-Key before a retry may take it over "
        "(default: the longest a create can take with the downstream timeouts and "
        "attempts, 20000 with their defaults; a key whose server died is taken over "
        "at once)"),
    INT("outbox-retention-s", outbox_retention_s, 0, MS_MAX / 1000,
        "delete outbox events this long after their delivery (default 604800, 7 days; "
        "0: keep them)"),
    {"serialize-customer-creates", K_BOOL, OFF(serialize_customer_creates), 0, 0, "",
     "place one order of a customer at a time, across every instance on the database; "
     "a create or checkout meanwhile is answered 409 (default false)"},
    INT("batch-size", batch_size, 1, 10000,
        "most orders or events one background step takes (default 100)"),
    {"worker-id", K_STRING, OFF(worker_id), 1, 42, "NAME",
     "lease owner name of this instance, 1..42 bytes (default HOSTNAME-PID)"},

    {"auth", K_AUTH, OFF(auth_off), 0, 0, "jwt|off",
     "jwt: every API call needs a bearer JWT (the default; keys below are required); "
     "off: every caller is an admin (development only; loopback --host only)"},
    {"auth-jwks-file", K_STRING, OFF(auth_jwks_file), 0, 0, "FILE",
     "JWKS file of verification keys (chosen by kid), re-read when it changes"},
    {"auth-jwks-url", K_URL, OFF(auth_jwks_url), 0, 0, "URL",
     "JWKS URL (Cognito, Auth0, Keycloak...): fetched at start, refreshed in the background"},
    {"auth-hs256-secret-file", K_STRING, OFF(auth_hs256_secret_file), 0, 0, "FILE",
     "HS256 secret (at least 32 bytes) for tokens without kid"},
    {"auth-issuer", K_STRING, OFF(auth_issuer), 0, 0, "ISS",
     "required iss claim (default: not checked)"},
    {"auth-audience", K_STRING, OFF(auth_audience), 0, 0, "AUD",
     "required in the aud claim, a string or an array (default: not checked)"},
    INT("auth-leeway-s", auth_leeway_s, 0, 3600,
        "clock skew allowed on exp, nbf and iat (default 60)"),
    {"auth-customer-claim", K_CLAIM, OFF(auth_customer_claim), 0, 0, "CLAIM",
     "claim holding the customer id, a positive integer (default sub)"},
    {"auth-admin-scope", K_SCOPE, OFF(auth_admin_scope), 0, 0, "SCOPE",
     "scope (in scope or scp) that makes the caller an admin (default orders:admin)"},
    {"auth-metrics-admin", K_BOOL, OFF(auth_metrics_admin), 0, 0, "",
     "GET /metrics needs the admin scope too (default false)"},
    INT("auth-jwks-refresh-s", auth_jwks_refresh_s, 10, 86400,
        "refresh the JWKS URL's keys this often (default 300)"),
    INT("auth-jwks-min-refresh-s", auth_jwks_min_refresh_s, 1, 3600,
        "refresh for an unknown kid at most this often (default 60)"),
    INT("auth-jwks-wait-ms", auth_jwks_wait_ms, 0, 10000,
        "longest wait of a request for that refresh (default 1000)"),
    INT("auth-jwks-timeout-ms", auth_jwks_timeout_ms, 100, 60000,
        "limit of one JWKS fetch (default 3000)"),
    {"auth-admin-group", K_STRING, OFF(auth_admin_group), 1, 128, "GROUP",
     "Cognito group (in cognito:groups) that makes the caller an admin (default: none)"},

    INT("rate-limit-rps", rate_limit_rps, 0, 1000000,
        "requests a second each client may make on the API, sustained: per customer, per "
        "admin subject, per address for guests and with auth off; then 429 with Retry-After "
        "(default 100; 0: no limit)"),
    INT("rate-limit-burst", rate_limit_burst, 0, 1000000,
        "requests a client may make at once above its rate (default 200; 0: twice the rate)"),
    INT("auth-failure-limit", auth_failure_limit, 0, 1000000,
        "401 answers (refused tokens, wrong guest tokens) an address may collect a minute "
        "before its requests are refused 429 unread (default 20; 0: no limit)"),
    {"trusted-proxy", K_HOST, OFF(trusted_proxy), 0, 0, "ADDR",
     "address of the reverse proxy in front: for its requests the client is the last "
     "X-Forwarded-For entry (default: none)"},

    {"log-level", K_LEVEL, OFF(log_level), 0, 0, "LEVEL",
     "debug, info, warn or error (default info)"},
};

#define SETTING_COUNT (sizeof settings / sizeof settings[0])

/* Settings one program reads alone; every other one is read by all. The
 * server's listeners, threads and timers mean nothing in a Lambda function
 * (and one worker id shared by its instances would break the leases); only
 * the Lambda program sees Cognito groups (in claims a gateway verified). */
static const struct {
    const char *flag;
    srv_program program;
} owned[] = {
    {"host", SRV_PROGRAM_SERVER},
    {"port", SRV_PROGRAM_SERVER},
    {"port-file", SRV_PROGRAM_SERVER},
    {"threads", SRV_PROGRAM_SERVER},
    {"request-timeout-ms", SRV_PROGRAM_SERVER},
    {"keep-alive-timeout-ms", SRV_PROGRAM_SERVER},
    {"ops-port", SRV_PROGRAM_SERVER},
    {"ops-port-file", SRV_PROGRAM_SERVER},
    {"ops-threads", SRV_PROGRAM_SERVER},
    {"shutdown-timeout-ms", SRV_PROGRAM_SERVER},
    {"drain-grace-ms", SRV_PROGRAM_SERVER},
    {"database-pool-size", SRV_PROGRAM_SERVER},
    {"database-pool-timeout-ms", SRV_PROGRAM_SERVER},
    {"migrate-wait-s", SRV_PROGRAM_SERVER},
    {"recovery-interval-ms", SRV_PROGRAM_SERVER},
    {"relay-interval-ms", SRV_PROGRAM_SERVER},
    {"worker-id", SRV_PROGRAM_SERVER},
    {"auth-admin-group", SRV_PROGRAM_LAMBDA},
};

static void defaults(srv_config *c)
{
    memset(c, 0, sizeof *c);
    c->command = SRV_SERVE;
    c->host = "127.0.0.1";
    c->port = 8090;
    c->threads = 128;
    c->rate_limit_rps = 100;
    c->rate_limit_burst = 200;
    c->auth_failure_limit = 20;
    c->request_timeout_ms = 10000;
    c->keep_alive_timeout_ms = 5000;
    c->ops_port = 8081;
    c->ops_threads = 2;
    c->retry_after_s = 5;
    c->shutdown_timeout_ms = 30000;
    c->drain_grace_ms = 5000;
    c->database_url = "postgresql:///orders";
    c->database_connect_timeout_s = 5;
    c->database_pool_size = 10;
    c->database_pool_timeout_ms = 2000;
    c->migrate_wait_s = 30;
    c->event_sink = SRV_SINK_WEBHOOK;
    c->event_amqp_url = "amqp://guest:guest@127.0.0.1:5672";
    c->event_amqp_exchange = "orders.events";
    c->event_amqp_confirm_timeout_ms = 5000;
    c->downstream_url = "http://127.0.0.1:8091";
    for (int i = 0; i < ORD_HTTP_SERVICE_COUNT; i++)
        c->service_timeout_ms[i] = 3000;
    c->connect_timeout_ms = 1000;
    c->retry_attempts = 3;
    c->breaker_window = 20;
    c->breaker_minimum_calls = 10;
    c->breaker_failure_rate = 50;
    c->breaker_open_ms = 5000;
    c->breaker_half_open_calls = 3;
    c->recovery_interval_ms = 2000;
    c->relay_interval_ms = 500;
    c->pending_stale_ms = 10000;
    c->pending_deadline_ms = 900000;
    c->tracking_backoff_min_ms = 1000;
    c->tracking_backoff_max_ms = 60000;
    c->outbox_max_attempts = 20;
    c->outbox_backoff_min_ms = 500;
    c->outbox_backoff_max_ms = 60000;
    c->lease_ms = 30000;
    c->idempotency_ttl_ms = 86400000;
    c->outbox_retention_s = 604800;
    c->batch_size = 100;
    c->auth_leeway_s = 60;
    c->auth_customer_claim = "sub";
    c->auth_admin_scope = "orders:admin";
    c->auth_jwks_refresh_s = 300;
    c->auth_jwks_min_refresh_s = 60;
    c->auth_jwks_wait_ms = 1000;
    c->auth_jwks_timeout_ms = 3000;
    c->log_level = SRV_INFO;
}

/* "database-url" -> "ORDER_DATABASE_URL". */
static void env_name(const setting *s, char *out, size_t cap)
{
    size_t n = (size_t)snprintf(out, cap, "ORDER_");
    for (const char *p = s->flag; *p != '\0' && n + 1 < cap; p++)
        out[n++] = *p == '-' ? '_' : (char)toupper((unsigned char)*p);
    out[n] = '\0';
}

/* How a setting is named in an error: the way the user gave it. */
static void source_name(const setting *s, bool from_env, char *out, size_t cap)
{
    if (from_env)
        env_name(s, out, cap);
    else
        snprintf(out, cap, "--%s", s->flag);
}

static bool url_ok(const char *v)
{
    size_t scheme = strncmp(v, "http://", 7) == 0 ? 7 : strncmp(v, "https://", 8) == 0 ? 8 : 0;
    if (scheme == 0 || v[scheme] == '\0' || v[scheme] == '/' || strlen(v) > 1000)
        return false;
    for (const char *p = v; *p != '\0'; p++)
        if (*p <= 0x20 || *p >= 0x7f)
            return false;
    return true;
}

/* Set one setting from text; on failure write the reason to err. Values of
 * URLs are never echoed: they may carry credentials. */
static bool apply(srv_config *c, const setting *s, const char *value, bool from_env, char *err,
                  size_t cap)
{
    char name[80];
    source_name(s, from_env, name, sizeof name);
    void *field = (char *)c + s->offset;
    switch (s->kind) {
    case K_INT: {
        char *end = NULL;
        errno = 0;
        long long v = strtoll(value, &end, 10);
        if (*value == '\0' || isspace((unsigned char)*value) || *end != '\0' || errno != 0 ||
            v < s->min || v > s->max) {
            snprintf(err, cap, "%s must be an integer from %lld to %lld (got \"%.40s\")", name,
                     (long long)s->min, (long long)s->max, value);
            return false;
        }
        *(int64_t *)field = v;
        return true;
    }
    case K_STRING: {
        size_t len = strlen(value);
        if (len == 0 || (s->max > 0 && (int64_t)len > s->max)) {
            if (s->max > 0)
                snprintf(err, cap, "%s must be %lld to %lld bytes long", name, (long long)s->min,
                         (long long)s->max);
            else
                snprintf(err, cap, "%s must not be empty", name);
            return false;
        }
        *(const char **)field = value;
        return true;
    }
    case K_URL_OFF:
        if (strcmp(value, "off") == 0) {
            *(const char **)field = value;
            return true;
        }
        /* fall through */
    case K_URL:
        if (!url_ok(value)) {
            snprintf(err, cap, "%s must be a URL starting with http:// or https://%s", name,
                     s->kind == K_URL_OFF ? ", or off" : "");
            return false;
        }
        *(const char **)field = value;
        return true;
    case K_HOST: {
        struct in_addr addr;
        if (inet_pton(AF_INET, value, &addr) != 1) {
            snprintf(err, cap, "%s must be an IPv4 address such as 127.0.0.1 or 0.0.0.0 (got \"%.40s\")",
                     name, value);
            return false;
        }
        *(const char **)field = value;
        return true;
    }
    case K_LEVEL: {
        static const char *const names[] = {"debug", "info", "warn", "error"};
        for (int i = 0; i < 4; i++)
            if (strcmp(value, names[i]) == 0) {
                *(srv_level *)field = (srv_level)i;
                return true;
            }
        snprintf(err, cap, "%s must be debug, info, warn or error (got \"%.40s\")", name, value);
        return false;
    }
    case K_BOOL: {
        static const char *const yes[] = {"true", "1", "yes", "on"};
        static const char *const no[] = {"false", "0", "no", "off"};
        for (int i = 0; i < 4; i++) {
            if (strcmp(value, yes[i]) == 0 || strcmp(value, no[i]) == 0) {
                *(bool *)field = strcmp(value, yes[i]) == 0;
                return true;
            }
        }
        snprintf(err, cap, "%s must be true or false (got \"%.40s\")", name, value);
        return false;
    }
    case K_PORT_OFF: {
        if (strcmp(value, "off") == 0) {
            *(int64_t *)field = -1;
            return true;
        }
        char *end = NULL;
        errno = 0;
        long long v = strtoll(value, &end, 10);
        if (*value == '\0' || !isdigit((unsigned char)*value) || *end != '\0' || errno != 0 ||
            v < s->min || v > s->max) {
            snprintf(err, cap, "%s must be a port from 0 to 65535, or off (got \"%.40s\")", name,
                     value);
            return false;
        }
        *(int64_t *)field = v;
        return true;
    }
    case K_AUTH:
        if (strcmp(value, "jwt") != 0 && strcmp(value, "off") != 0) {
            snprintf(err, cap, "%s must be jwt or off (got \"%.40s\")", name, value);
            return false;
        }
        *(bool *)field = strcmp(value, "off") == 0;
        return true;
    case K_SCOPE:
    case K_CLAIM: {
        size_t len = strlen(value);
        bool ok = len > 0 && len <= (s->kind == K_CLAIM ? 64 : 200);
        for (const char *p = value; ok && *p != '\0'; p++) {
            unsigned char ch = (unsigned char)*p;
            ok = s->kind == K_SCOPE ? ch > 0x20 && ch < 0x7f && ch != '"' && ch != '\\'
                                    : isalnum(ch) || ch == '_' || ch == '-' || ch == ':' || ch == '.';
        }
        if (!ok) {
            snprintf(err, cap, "%s must be %s (got \"%.40s\")", name,
                     s->kind == K_SCOPE ? "one scope: printable ASCII without spaces or quotes"
                                        : "a claim name of letters, digits, _ - : .",
                     value);
            return false;
        }
        *(const char **)field = value;
        return true;
    }
    case K_SINK: {
        static const char *const names[] = {"webhook", "amqp", "off"};
        for (int i = 0; i < 3; i++)
            if (strcmp(value, names[i]) == 0) {
                *(srv_event_sink *)field = (srv_event_sink)i;
                return true;
            }
        snprintf(err, cap, "%s must be webhook, amqp or off (got \"%.40s\")", name, value);
        return false;
    }
    case K_AMQP_URL: {
        char why[200] = "";
        if (!ord_amqp_url_ok(value, why, sizeof why)) {
            snprintf(err, cap, "%s must be amqp://USER:PASSWORD@HOST:PORT/VHOST: %s", name, why);
            return false;
        }
        *(const char **)field = value;
        return true;
    }
    case K_AMQP_NAME:
        if (!ord_amqp_name_ok(value)) {
            snprintf(err, cap,
                     "%s must be 1 to 255 letters, digits, '-', '_', '.' or ':', not starting "
                     "with amq. (got \"%.40s\")",
                     name, value);
            return false;
        }
        *(const char **)field = value;
        return true;
    case K_DB_URL:
        if (*value == '\0' || strlen(value) > 4000) {
            snprintf(err, cap, "%s must be a PostgreSQL URL or key=value string", name);
            return false;
        }
        *(const char **)field = value;
        return true;
    }
    return false;
}

static bool read_by(const setting *s, srv_program program)
{
    for (size_t i = 0; i < sizeof owned / sizeof owned[0]; i++)
        if (strcmp(owned[i].flag, s->flag) == 0)
            return owned[i].program == program;
    return true;
}

static const setting *find_flag(srv_program program, const char *flag, size_t len)
{
    for (size_t i = 0; i < SETTING_COUNT; i++)
        if (read_by(&settings[i], program) && strlen(settings[i].flag) == len &&
            strncmp(settings[i].flag, flag, len) == 0)
            return &settings[i];
    return NULL;
}

static bool load_env(srv_config *c, srv_program program, char *const *env, char *err,
                     size_t cap)
{
    if (env == NULL)
        return true;
    for (char *const *e = env; *e != NULL; e++) {
        if (strncmp(*e, "ORDER_", 6) != 0)
            continue;
        const char *eq = strchr(*e, '=');
        if (eq == NULL)
            continue;
        const setting *found = NULL;
        for (size_t i = 0; i < SETTING_COUNT && found == NULL; i++) {
            if (!read_by(&settings[i], program))
                continue; /* another program's: ignored here, with a warning */
            char name[80];
            env_name(&settings[i], name, sizeof name);
            if (strlen(name) == (size_t)(eq - *e) && strncmp(name, *e, (size_t)(eq - *e)) == 0)
                found = &settings[i];
        }
        if (found == NULL) {
            if (c->unknown_env == NULL)
                c->unknown_env = *e;
            continue;
        }
        if (!apply(c, found, eq + 1, true, err, cap))
            return false;
    }
    return true;
}

void srv_config_http_options(const srv_config *c, ord_http_options *o, char *webhook_buf,
                             size_t cap)
{
    ord_http_options_init(o);
    for (int s = 0; s < ORD_HTTP_SERVICE_COUNT; s++) {
        o->services[s].base_url = srv_config_service_url(c, (ord_http_service)s, webhook_buf, cap);
        if (s == ORD_HTTP_EVENTS && c->event_sink != SRV_SINK_WEBHOOK)
            o->services[s].base_url = NULL; /* events go elsewhere, or nowhere */
        o->services[s].timeout_ms = c->service_timeout_ms[s];
        o->services[s].connect_timeout_ms = c->connect_timeout_ms;
    }
    o->retry.max_attempts = (int)c->retry_attempts;
    o->breaker.window_size = (int)c->breaker_window;
    o->breaker.minimum_calls = (int)c->breaker_minimum_calls;
    o->breaker.failure_rate_percent = (int)c->breaker_failure_rate;
    o->breaker.open_wait_ms = c->breaker_open_ms;
    o->breaker.half_open_calls = (int)c->breaker_half_open_calls;
}

int64_t srv_config_create_limit_ms(const srv_config *c)
{
    ord_http_options o;
    char webhook[1100];
    srv_config_http_options(c, &o, webhook, sizeof webhook);
    /* The three pre-checks run at once: the slowest one counts. */
    static const ord_http_service checks[] = {ORD_HTTP_CATALOG, ORD_HTTP_RESTRICTIONS,
                                              ORD_HTTP_ELIGIBILITY};
    int64_t precheck = 0;
    for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++) {
        int64_t limit = ord_http_options_call_limit_ms(&o, checks[i]);
        if (o.services[checks[i]].base_url != NULL && limit > precheck)
            precheck = limit;
    }
    return precheck + ord_http_options_call_limit_ms(&o, ORD_HTTP_INVENTORY) +
           ord_http_options_call_limit_ms(&o, ORD_HTTP_TRACKING) + SRV_DATABASE_ALLOWANCE_MS;
}

int64_t srv_config_idempotency_lock_ms(const srv_config *c)
{
    return c->idempotency_lock_ms > 0 ? c->idempotency_lock_ms : srv_config_create_limit_ms(c);
}

/* Rules between settings, checked after all sources are read. */
static bool cross_check(const srv_config *c, char *err, size_t cap)
{
    /* A shorter lock lets a retry take over a request that is still working. */
    int64_t limit = srv_config_create_limit_ms(c);
    if (c->idempotency_lock_ms > 0 && c->idempotency_lock_ms < limit) {
        snprintf(err, cap,
                 "idempotency-lock-ms must be at least %lld: a create may take that long with "
                 "the downstream timeouts and retry attempts set",
                 (long long)limit);
        return false;
    }
    if (srv_config_idempotency_lock_ms(c) > c->idempotency_ttl_ms) {
        snprintf(err, cap, "idempotency-lock-ms must not exceed idempotency-ttl-ms");
        return false;
    }
    if (c->tracking_backoff_min_ms > c->tracking_backoff_max_ms) {
        snprintf(err, cap, "tracking-backoff-min-ms must not exceed tracking-backoff-max-ms");
        return false;
    }
    if (c->outbox_backoff_min_ms > c->outbox_backoff_max_ms) {
        snprintf(err, cap, "outbox-backoff-min-ms must not exceed outbox-backoff-max-ms");
        return false;
    }
    if (c->breaker_minimum_calls > c->breaker_window) {
        snprintf(err, cap, "breaker-minimum-calls must not exceed breaker-window");
        return false;
    }
    if (c->ops_port > 0 && c->ops_port == c->port) {
        snprintf(err, cap, "ops-port must differ from port");
        return false;
    }
    if (c->pending_stale_ms > c->pending_deadline_ms) {
        snprintf(err, cap, "pending-stale-ms must not exceed pending-deadline-ms");
        return false;
    }
    if (c->command != SRV_SERVE)
        return true;
    /* On by default: serving without keys is refused, not silently open. */
    if (!c->auth_off && c->auth_jwks_file == NULL && c->auth_jwks_url == NULL &&
        c->auth_hs256_secret_file == NULL) {
        snprintf(err, cap,
                 "authentication is on (ORDER_AUTH=jwt) but no keys are configured: set "
                 "ORDER_AUTH_JWKS_FILE, ORDER_AUTH_JWKS_URL or ORDER_AUTH_HS256_SECRET_FILE "
                 "(or ORDER_AUTH=off for local development)");
        return false;
    }
    /* Without authentication every caller is an admin: never on a network. */
    if (c->auth_off && strncmp(c->host, "127.", 4) != 0) {
        snprintf(err, cap,
                 "--host must be a loopback address (127.x.x.x) while authentication is off "
                 "(ORDER_AUTH=off); got \"%.40s\"",
                 c->host);
        return false;
    }
    return true;
}

srv_config_result srv_config_load(srv_config *cfg, int argc, char *const *argv,
                                  char *const *env, char *err, size_t err_cap)
{
    return srv_config_load_for(cfg, SRV_PROGRAM_SERVER, argc, argv, env, err, err_cap);
}

srv_config_result srv_config_load_for(srv_config *cfg, srv_program program, int argc,
                                      char *const *argv, char *const *env, char *err,
                                      size_t err_cap)
{
    defaults(cfg);
    if (err_cap > 0)
        err[0] = '\0';
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return SRV_CONFIG_HELP;
    if (!load_env(cfg, program, env, err, err_cap))
        return SRV_CONFIG_ERROR;
    bool have_command = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strncmp(a, "--", 2) != 0 && program != SRV_PROGRAM_SERVER) {
            snprintf(err, err_cap, "unexpected argument \"%.40s\" (this program takes no command)",
                     a);
            return SRV_CONFIG_ERROR;
        }
        if (strncmp(a, "--", 2) != 0) {
            static const struct {
                const char *name;
                srv_command command;
            } commands[] = {{"serve", SRV_SERVE},
                            {"migrate", SRV_MIGRATE},
                            {"redrive-events", SRV_REDRIVE_EVENTS}};
            size_t k = 0;
            while (k < sizeof commands / sizeof commands[0] && strcmp(a, commands[k].name) != 0)
                k++;
            if (have_command || k == sizeof commands / sizeof commands[0]) {
                snprintf(err, err_cap,
                         "unexpected argument \"%.40s\" (commands: serve, migrate, redrive-events)",
                         a);
                return SRV_CONFIG_ERROR;
            }
            cfg->command = commands[k].command;
            have_command = true;
            continue;
        }
        const char *flag = a + 2;
        const char *eq = strchr(flag, '=');
        size_t len = eq != NULL ? (size_t)(eq - flag) : strlen(flag);
        const setting *s = find_flag(program, flag, len);
        if (s == NULL) {
            snprintf(err, err_cap, "unknown option \"%.*s\" (see --help)", (int)(len + 2 > 60 ? 60 : len + 2), a);
            return SRV_CONFIG_ERROR;
        }
        /* A switch stands alone: "--serialize-customer-creates serve" keeps
         * "serve" as the command. */
        const char *value = eq != NULL                ? eq + 1
                            : s->kind == K_BOOL       ? "true"
                            : i + 1 < argc            ? argv[++i]
                                                      : NULL;
        if (value == NULL) {
            snprintf(err, err_cap, "--%s needs a value", s->flag);
            return SRV_CONFIG_ERROR;
        }
        if (!apply(cfg, s, value, false, err, err_cap))
            return SRV_CONFIG_ERROR;
    }
    return cross_check(cfg, err, err_cap) ? SRV_CONFIG_OK : SRV_CONFIG_ERROR;
}

void srv_config_usage(FILE *out)
{
    fputs("Usage: order-server [serve|migrate|redrive-events] [OPTIONS]\n"
          "The order service over HTTP: applies the database migrations, then serves\n"
          "the API with its background workers (saga recovery, tracking numbers,\n"
          "outbox relay) until SIGTERM or SIGINT. 'migrate' only applies migrations.\n"
          "'redrive-events' puts every parked (dead) outbox event back in the queue,\n"
          "due at once, for the running servers' relays to deliver.\n"
          "\n"
          "Every option can also be set as an environment variable, ORDER_ followed\n"
          "by the option in upper case with '_' for '-' (--port: ORDER_PORT); an\n"
          "option on the command line wins. Durations are in milliseconds (_ms) or\n"
          "seconds (_s).\n"
          "\n",
          out);
    srv_config_usage_settings(out, SRV_PROGRAM_SERVER);
    fputs("\n"
          "Authentication is on by default: API calls need Authorization: Bearer <JWT>\n"
          "verified with the keys above, and 'serve' refuses to start without keys.\n"
          "ORDER_AUTH=off (development only) makes every caller an admin and allows\n"
          "only a loopback --host. Exit status: 0 after a clean stop, 1 when start-up\n"
          "fails, 2 for an invalid setting.\n",
          out);
}

void srv_config_usage_settings(FILE *out, srv_program program)
{
    for (size_t i = 0; i < SETTING_COUNT; i++) {
        if (!read_by(&settings[i], program))
            continue;
        char env[80];
        env_name(&settings[i], env, sizeof env);
        if (settings[i].kind == K_BOOL)
            fprintf(out, "  --%s[=true|false], %s=true|false\n        %s\n", settings[i].flag,
                    env, settings[i].help);
        else
            fprintf(out, "  --%s %s, %s\n        %s\n", settings[i].flag, settings[i].meta, env,
                    settings[i].help);
    }
    fputs("  --help\n        show this text\n", out);
}

const char *srv_config_service_url(const srv_config *cfg, ord_http_service service, char *buf,
                                   size_t cap)
{
    const char *v = cfg->service_url[service];
    if (v != NULL)
        return strcmp(v, "off") == 0 ? NULL : v;
    if (service != ORD_HTTP_EVENTS)
        return cfg->downstream_url;
    size_t n = strlen(cfg->downstream_url);
    while (n > 0 && cfg->downstream_url[n - 1] == '/')
        n--;
    int written = snprintf(buf, cap, "%.*s/api/v1/events", (int)n, cfg->downstream_url);
    return written > 0 && (size_t)written < cap ? buf : NULL;
}

bool srv_config_events_on(const srv_config *cfg)
{
    switch (cfg->event_sink) {
    case SRV_SINK_WEBHOOK: /* unset: derived from downstream_url */
        return cfg->service_url[ORD_HTTP_EVENTS] == NULL ||
               strcmp(cfg->service_url[ORD_HTTP_EVENTS], "off") != 0;
    case SRV_SINK_AMQP:
        return true;
    case SRV_SINK_OFF:
        return false;
    }
    return false;
}

const char *srv_event_sink_name(srv_event_sink sink)
{
    switch (sink) {
    case SRV_SINK_WEBHOOK: return "webhook";
    case SRV_SINK_AMQP: return "amqp";
    case SRV_SINK_OFF: return "off";
    }
    return "off";
}

const char *srv_level_name(srv_level level)
{
    switch (level) {
    case SRV_DEBUG: return "debug";
    case SRV_INFO: return "info";
    case SRV_WARN: return "warn";
    case SRV_ERROR: return "error";
    }
    return "info";
}

/* Default options of the HTTP adapter and their checks. */
#include "options.h"

#include <stdio.h>
#include <string.h>

void ord_http_options_init(ord_http_options *options)
{
    if (options == NULL)
        return;
    memset(options, 0, sizeof *options);
    options->version = ORD_HTTP_OPTIONS_VERSION;
    for (int i = 0; i < ORD_HTTP_SERVICE_COUNT; i++)
        options->services[i] = (ord_http_endpoint_options){
            .base_url = NULL, .connect_timeout_ms = 1000, .timeout_ms = 3000};
    options->retry = (ord_http_retry_options){
        .max_attempts = 3, .base_delay_ms = 50, .max_delay_ms = 1000, .max_total_ms = 5000};
    options->breaker = (ord_http_breaker_options){.window_size = 20,
                                                  .minimum_calls = 10,
                                                  .failure_rate_percent = 50,
                                                  .open_wait_ms = 5000,
                                                  .half_open_calls = 3};
    options->max_response_bytes = 1024 * 1024;
}

ord_error ord_http_options_point_all(ord_http_options *options, const char *base_url,
                                     char *webhook_buf, size_t webhook_cap)
{
    if (options == NULL || base_url == NULL || webhook_buf == NULL)
        return ORD_EINVALID;
    size_t n = strlen(base_url);
    while (n > 0 && base_url[n - 1] == '/')
        n--; /* "http://h:1/" and "http://h:1" name the same server */
    int written = snprintf(webhook_buf, webhook_cap, "%.*s/api/v1/events", (int)n, base_url);
    if (written < 0 || (size_t)written >= webhook_cap)
        return ORD_EINVALID;
    for (int i = 0; i < ORD_HTTP_SERVICE_COUNT; i++)
        options->services[i].base_url = base_url;
    options->services[ORD_HTTP_EVENTS].base_url = webhook_buf;
    return ORD_OK;
}

int64_t ord_http_options_call_limit_ms(const ord_http_options *options, ord_http_service service)
{
    if (options == NULL || (unsigned)service >= ORD_HTTP_SERVICE_COUNT)
        return 0;
    const ord_http_retry_options *r = &options->retry;
    int attempts = r->max_attempts > 0 ? r->max_attempts : 1;
    int64_t each = options->services[service].timeout_ms;
    int64_t all = each * attempts + r->max_delay_ms * (attempts - 1);
    return all < r->max_total_ms ? all : r->max_total_ms;
}

static ord_error bad(char *err, size_t cap, const char *what)
{
    if (err != NULL && cap > 0)
        snprintf(err, cap, "%s", what);
    return ORD_EINVALID;
}

static bool url_ok(const char *url)
{
    size_t n = strlen(url);
    if (n >= HTTP_MAX_URL)
        return false;
    size_t scheme = strncmp(url, "http://", 7) == 0 ? 7 : strncmp(url, "https://", 8) == 0 ? 8 : 0;
    if (scheme == 0 || n == scheme)
        return false;
    for (const char *p = url; *p != '\0'; p++)
        if (*p <= 0x20 || *p >= 0x7f)
            return false; /* no spaces or control characters in a URL */
    return true;
}

ord_error ord_http_options_check(const ord_http_options *o, char *err, size_t cap)
{
    static const char *const url_errors[ORD_HTTP_SERVICE_COUNT] = {
        "catalog base URL must be http(s)://host[:port][/prefix]",
        "inventory base URL must be http(s)://host[:port][/prefix]",
        "tracking base URL must be http(s)://host[:port][/prefix]",
        "restrictions base URL must be http(s)://host[:port][/prefix]",
        "eligibility base URL must be http(s)://host[:port][/prefix]",
        "event webhook URL must be http(s)://host[:port]/path"};
    if (o == NULL)
        return bad(err, cap, "options are missing");
    if (o->version < 1 || o->version > ORD_HTTP_OPTIONS_VERSION)
        return bad(err, cap, "options version is not supported (use ord_http_options_init)");
    for (int i = 0; i < ORD_HTTP_SERVICE_COUNT; i++) {
        const ord_http_endpoint_options *s = &o->services[i];
        if (s->base_url != NULL && !url_ok(s->base_url))
            return bad(err, cap, url_errors[i]);
        if (s->connect_timeout_ms <= 0 || s->connect_timeout_ms > 600000)
            return bad(err, cap, "connect timeout must be 1..600000 ms");
        if (s->timeout_ms <= 0 || s->timeout_ms > 600000)
            return bad(err, cap, "request timeout must be 1..600000 ms");
    }
    const ord_http_retry_options *r = &o->retry;
    if (r->max_attempts < 1 || r->max_attempts > 10)
        return bad(err, cap, "retry attempts must be 1..10");
    if (r->base_delay_ms < 0 || r->max_delay_ms < r->base_delay_ms || r->max_delay_ms > 60000)
        return bad(err, cap, "retry delays must satisfy 0 <= base <= max <= 60000 ms");
    if (r->max_total_ms <= 0 || r->max_total_ms > 600000)
        return bad(err, cap, "retry total time must be 1..600000 ms");
    const ord_http_breaker_options *b = &o->breaker;
    if (b->window_size < 1 || b->window_size > 1000)
        return bad(err, cap, "breaker window size must be 1..1000 calls");
    if (b->minimum_calls < 1 || b->minimum_calls > b->window_size)
        return bad(err, cap, "breaker minimum calls must be 1..window size");
    if (b->failure_rate_percent < 1 || b->failure_rate_percent > 100)
        return bad(err, cap, "breaker failure rate must be 1..100 percent");
    if (b->open_wait_ms <= 0 || b->open_wait_ms > 3600000)
        return bad(err, cap, "breaker open wait must be 1..3600000 ms");
    if (b->half_open_calls < 1 || b->half_open_calls > 100)
        return bad(err, cap, "breaker half-open calls must be 1..100");
    if (o->max_response_bytes < 1024 || o->max_response_bytes > 64u * 1024 * 1024)
        return bad(err, cap, "largest response must be 1 KiB..64 MiB");
    return ORD_OK;
}

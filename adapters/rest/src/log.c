/* JSON log lines: one per request (access log) and start-up events. Each
 * line is written with one stdio call, so lines of concurrent requests never
 * interleave. Nothing from headers or bodies is logged, so no secret is. */
#include <orders/adapters/rest/api.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "call.h"

static void log_time(ord_json_writer *b)
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    ord_json_printf(b, "{\"time\":\"%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ\"", tm.tm_year + 1900,
                    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                    ts.tv_nsec / 1000000);
}

static void emit(FILE *out, ord_json_writer *b)
{
    ord_json_raw(b, "}\n");
    if (!b->failed) {
        fputs(b->data, out);
        fflush(out);
    }
    ord_json_writer_free(b);
}

void ord_rest_access_log(FILE *out, const char *request_id, const char *method, const char *route,
                         int status, double seconds)
{
    if (out == NULL)
        return;
    ord_json_writer b = {0};
    log_time(&b);
    ord_json_raw(&b, ",\"level\":");
    ord_json_string(&b, status >= 500 ? "error" : "info");
    ord_json_raw(&b, ",\"requestId\":");
    ord_json_string(&b, request_id);
    ord_json_raw(&b, ",\"method\":");
    ord_json_string(&b, method);
    ord_json_raw(&b, ",\"route\":");
    ord_json_string(&b, route);
    ord_json_printf(&b, ",\"status\":%d,\"durationMs\":%.3f", status, seconds * 1000.0);
    emit(out, &b);
}

void ord_rest_log_event(FILE *out, const char *level, const char *message)
{
    if (out == NULL || level == NULL || message == NULL)
        return;
    ord_json_writer b = {0};
    log_time(&b);
    ord_json_raw(&b, ",\"level\":");
    ord_json_string(&b, level);
    ord_json_raw(&b, ",\"message\":");
    ord_json_string(&b, message);
    emit(out, &b);
}

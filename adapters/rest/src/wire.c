/* Answers written whole: the status line with our own reason phrase (never
 * text from the request), the headers and the body go out in one write, and
 * a "Connection: close" answer really closes (civetweb would otherwise keep
 * the connection and drain whatever body was left unread). */
#include "transport.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <orders/support/json_writer.h>

#include "request_id.h"

const char *ord_rest_wire_reason(int status)
{
    switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 412: return "Precondition Failed";
    case 413: return "Content Too Large";
    case 415: return "Unsupported Media Type";
    case 417: return "Expectation Failed";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return status < 400 ? "OK" : status < 500 ? "Bad Request" : "Internal Server Error";
    }
}

static size_t http_date(char *out, size_t cap)
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    return strftime(out, cap, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

int ord_rest_wire_send(struct mg_connection *conn, const rest_wire_answer *a)
{
    bool has_body = a->status >= 200 && a->status != 204 && a->status != 304;
    size_t body_len = a->body != NULL && has_body ? a->body_len : 0;
    char date[64];
    size_t date_len = http_date(date, sizeof date);
    size_t cap = 128 + date_len + (a->head ? 0 : body_len);
    for (size_t i = 0; i < a->header_count; i++)
        cap += strlen(a->headers[i].name) + strlen(a->headers[i].value) + 4;
    char *out = malloc(cap);
    if (out == NULL) {
        mg_disable_connection_keep_alive(conn);
        return -1;
    }
    size_t n = (size_t)snprintf(out, cap, "HTTP/1.1 %d %s\r\nDate: %s\r\n", a->status,
                                ord_rest_wire_reason(a->status), date);
    for (size_t i = 0; i < a->header_count; i++)
        n += (size_t)snprintf(out + n, cap - n, "%s: %s\r\n", a->headers[i].name,
                              a->headers[i].value);
    if (has_body)
        n += (size_t)snprintf(out + n, cap - n, "Content-Length: %zu\r\n", body_len);
    n += (size_t)snprintf(out + n, cap - n, "Connection: %s\r\n\r\n",
                          a->close ? "close" : "keep-alive");
    if (!a->head && body_len > 0) {
        memcpy(out + n, a->body, body_len);
        n += body_len;
    }
    int written = mg_write(conn, out, n);
    free(out);
    if (a->close || written != (int)n)
        mg_disable_connection_keep_alive(conn);
    return written == (int)n ? 0 : -1;
}

int ord_rest_wire_problem(struct mg_connection *conn, int status, rest_problem_type type,
                          const char *title, const char *detail, int retry_after_s, bool head,
                          char request_id_out[65])
{
    ord_rest_request_id_generate(request_id_out, 65);
    ord_json_writer b = {0};
    ord_json_raw(&b, "{\"type\":");
    ord_json_string(&b, ord_rest_problem_type_uri(type));
    ord_json_raw(&b, ",\"title\":");
    ord_json_string(&b, title);
    ord_json_printf(&b, ",\"status\":%d,\"detail\":", status);
    ord_json_string(&b, detail);
    ord_json_raw(&b, ",\"error\":");
    ord_json_string(&b, title);
    ord_json_raw(&b, ",\"message\":");
    ord_json_string(&b, detail);
    ord_json_raw(&b, "}");
    if (b.failed) {
        ord_json_writer_free(&b);
        mg_disable_connection_keep_alive(conn);
        return -1;
    }
    char retry[16];
    snprintf(retry, sizeof retry, "%d", retry_after_s);
    ord_rest_header headers[3] = {
        {"Content-Type", "application/problem+json"},
        {"X-Request-Id", request_id_out},
        {"Retry-After", retry},
    };
    rest_wire_answer a = {
        .status = status,
        .headers = headers,
        .header_count = retry_after_s > 0 ? 3 : 2,
        .body = b.data,
        .body_len = b.len,
        .head = head,
        .close = true,
    };
    int rc = ord_rest_wire_send(conn, &a);
    ord_json_writer_free(&b);
    return rc;
}

int64_t ord_rest_monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

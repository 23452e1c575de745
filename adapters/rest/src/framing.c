/* Strict request framing before any handler runs (RFC 9112 6.3): a request
 * whose body boundaries two parsers could read differently (a proxy in front
 * and this server) is refused, so that no request can be smuggled behind
 * another. civetweb 1.15 accepts Content-Length beside Transfer-Encoding,
 * several Content-Length values, "81abc" as 81 and a blank before the colon;
 * this check runs on what it parsed. */
#include "transport.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

/* civetweb turns "Name :" into "Name\0\0" and "Name:" into "Name\0", then
 * points the value past the blanks that follow: more than one NUL between
 * the name's end and its value means a blank stood before the colon, which
 * RFC 9112 5.1 says must be refused. */
static bool blank_before_colon(const char *name, const char *value)
{
    const char *p = name + strlen(name);
    if (value <= p || value - p > 4096)
        return false; /* not civetweb's layout: nothing to tell */
    int nuls = 0;
    for (; p < value; p++)
        nuls += *p == '\0';
    return nuls > 1;
}

/* The value without trailing blanks (civetweb skips leading ones). */
static size_t trimmed_length(const char *value)
{
    size_t n = strlen(value);
    while (n > 0 && (value[n - 1] == ' ' || value[n - 1] == '\t'))
        n--;
    return n;
}

/* 1*DIGIT, at most 18 of them (an int64 always holds it). */
static bool parse_length(const char *value, int64_t *out)
{
    size_t n = trimmed_length(value);
    if (n == 0 || n > 18)
        return false;
    int64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isdigit((unsigned char)value[i]))
            return false;
        v = v * 10 + (value[i] - '0');
    }
    *out = v;
    return true;
}

static bool equals_token(const char *value, const char *token)
{
    size_t n = trimmed_length(value);
    return n == strlen(token) && strncasecmp(value, token, n) == 0;
}

static void refuse(rest_framing *out, int status, const char *detail)
{
    if (out->refuse_status == 0) {
        out->refuse_status = status;
        out->refuse_detail = detail;
    }
}

void ord_rest_check_framing(const struct mg_request_info *info, rest_framing *out)
{
    memset(out, 0, sizeof *out);
    out->content_length = -1;
    const char *length = NULL;
    const char *encoding = NULL;
    const char *expect = NULL;
    int lengths = 0, encodings = 0, expects = 0;
    for (int i = 0; i < info->num_headers; i++) {
        const char *name = info->http_headers[i].name;
        const char *value = info->http_headers[i].value != NULL ? info->http_headers[i].value : "";
        if (blank_before_colon(name, value))
            refuse(out, 400, "A header field name is followed by a blank before its colon");
        if (strcasecmp(name, "Content-Length") == 0) {
            lengths++;
            length = value;
        } else if (strcasecmp(name, "Transfer-Encoding") == 0) {
            encodings++;
            encoding = value;
        } else if (strcasecmp(name, "Expect") == 0) {
            expects++;
            expect = value;
        }
    }
    if (lengths > 0 && encodings > 0)
        refuse(out, 400, "Content-Length and Transfer-Encoding must not be sent together");
    if (lengths > 1)
        refuse(out, 400, "Content-Length must be sent once");
    if (lengths == 1 && !parse_length(length, &out->content_length))
        refuse(out, 400, "Content-Length must be a decimal number of bytes");
    if (encodings > 1 || (encodings == 1 && !equals_token(encoding, "chunked")))
        refuse(out, 400, "The only transfer coding accepted is chunked");
    if (encodings == 1 && info->http_version != NULL && strcmp(info->http_version, "1.0") == 0)
        refuse(out, 400, "Transfer-Encoding is not allowed in an HTTP/1.0 request");
    out->chunked = encodings == 1;
    if (expects > 1 || (expects == 1 && !equals_token(expect, "100-continue")))
        refuse(out, 417, "The only expectation supported is 100-continue");
    out->expect_continue = expects == 1 && out->refuse_status == 0;
    if (out->refuse_status != 0) {
        out->content_length = -1;
        out->chunked = false;
    }
}

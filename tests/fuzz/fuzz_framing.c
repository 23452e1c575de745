/* The transport's framing check, ord_rest_check_framing(), over request
 * headers laid out as civetweb 1.15 lays them out (civetweb's own parser is
 * not ours to fuzz): one buffer, each name ended by NULs where its colon and
 * any blanks before the colon stood, each value starting after the blanks
 * that follow the colon and ending at its line end.
 *
 * Input, as text: the HTTP version ("1.1"), then header lines ("Name:
 * value", "\r\n" or "\n"); parsing stops, as civetweb's does, at an empty
 * line or a line that is not a header.
 *
 * Besides the sanitizers, the verdict is checked against a plain model of
 * RFC 9112 6.3: which counts of Content-Length and Transfer-Encoding are
 * refused, the length read, chunked only alone, and 417 for an Expect other
 * than 100-continue.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fuzz.h"
#include "transport.h"

/* Split @p buf in place into headers; *blank_before_colon tells whether
 * some name had blanks before its colon. */
static int lay_out(char *buf, struct mg_header *hdr, bool *blank_before_colon)
{
    int n = 0;
    char *p = buf;
    *blank_before_colon = false;
    while (n < MG_MAX_HEADERS) {
        char *name = p;
        while (*p != ':' && *p > ' ' && *p < 0x7f)
            p++;
        if (p == name)
            break; /* an empty line, or the end */
        bool blanks = false;
        while (*p == ' ') {
            *p++ = '\0';
            blanks = true;
        }
        if (*p != ':')
            break; /* not a header line: civetweb refuses the request */
        *p++ = '\0';
        while (*p == ' ' || *p == '\t')
            p++;
        hdr[n].name = name;
        hdr[n].value = p;
        n++;
        *blank_before_colon = *blank_before_colon || blanks;
        while (*p != '\0' && *p != '\r' && *p != '\n')
            p++;
        if (*p == '\r')
            *p++ = '\0';
        if (*p != '\n')
            break;
        *p++ = '\0';
    }
    return n;
}

static size_t trimmed(const char *v)
{
    size_t n = strlen(v);
    while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
        n--;
    return n;
}

static bool is_token(const char *v, const char *token)
{
    return trimmed(v) == strlen(token) && strncasecmp(v, token, strlen(token)) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input in = {data, size};
    char *version = fuzz_line(&in, NULL);
    char *buf = fuzz_rest_string(&in);

    struct mg_request_info info;
    memset(&info, 0, sizeof info);
    info.request_method = "POST";
    info.http_version = version;
    info.content_length = -1;
    bool blank = false;
    info.num_headers = lay_out(buf, info.http_headers, &blank);

    rest_framing f;
    ord_rest_check_framing(&info, &f);

    /* The model. */
    int lengths = 0, encodings = 0, expects = 0;
    const char *length = NULL, *encoding = NULL, *expect = NULL;
    for (int i = 0; i < info.num_headers; i++) {
        const char *name = info.http_headers[i].name;
        if (strcasecmp(name, "Content-Length") == 0)
            lengths++, length = info.http_headers[i].value;
        else if (strcasecmp(name, "Transfer-Encoding") == 0)
            encodings++, encoding = info.http_headers[i].value;
        else if (strcasecmp(name, "Expect") == 0)
            expects++, expect = info.http_headers[i].value;
    }
    bool length_ok = true;
    long long announced = -1;
    if (lengths == 1) {
        size_t n = trimmed(length);
        length_ok = n >= 1 && n <= 18;
        for (size_t i = 0; length_ok && i < n; i++)
            length_ok = isdigit((unsigned char)length[i]) != 0;
        if (length_ok)
            announced = strtoll(length, NULL, 10);
    }
    bool bad_400 = blank || (lengths > 0 && encodings > 0) || lengths > 1 || !length_ok ||
                   encodings > 1 || (encodings == 1 && !is_token(encoding, "chunked")) ||
                   (encodings == 1 && strcmp(version, "1.0") == 0);
    bool bad_417 = expects > 1 || (expects == 1 && !is_token(expect, "100-continue"));

    if (bad_400 || bad_417) {
        FUZZ_CHECK(f.refuse_status == (bad_400 ? 400 : 417));
        FUZZ_CHECK(f.refuse_detail != NULL && f.refuse_detail[0] != '\0');
        FUZZ_CHECK(f.content_length == -1 && !f.chunked && !f.expect_continue);
    } else {
        FUZZ_CHECK(f.refuse_status == 0);
        FUZZ_CHECK(f.content_length == announced);
        FUZZ_CHECK(f.chunked == (encodings == 1));
        FUZZ_CHECK(f.expect_continue == (expects == 1));
    }
    free(buf);
    free(version);
    return 0;
}

/* Path parameters, query strings and the If-Match header. */
#include <ctype.h>
#include <string.h>

#include "call.h"

bool ord_rest_parse_positive_id(const char *text, int64_t *out)
{
    if (text == NULL || text[0] == '\0' || strlen(text) > 18)
        return false;
    int64_t v = 0;
    for (const char *p = text; *p != '\0'; p++) {
        if (*p < '0' || *p > '9')
            return false;
        v = v * 10 + (*p - '0');
    }
    if (v <= 0)
        return false;
    *out = v;
    return true;
}

static int hex_value(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* Percent-decode ('+' as space in queries only); NULL when malformed or
 * holding a NUL. */
static char *decode(rest_call *c, const char *s, size_t len, bool plus_is_space, bool *bad)
{
    char *out = ord_rest_arena_alloc(&c->arena, len + 1);
    if (out == NULL) {
        c->oom = true;
        return NULL;
    }
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '%') {
            int hi = i + 2 < len ? hex_value(s[i + 1]) : -1;
            int lo = i + 2 < len ? hex_value(s[i + 2]) : -1;
            if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
                *bad = true;
                return NULL;
            }
            out[n++] = (char)(hi * 16 + lo);
            i += 2;
        } else if (s[i] == '+' && plus_is_space) {
            out[n++] = ' ';
        } else {
            out[n++] = s[i];
        }
    }
    out[n] = '\0';
    return out;
}

char *ord_rest_path_segment_decode(rest_call *c, const char *segment, size_t len)
{
    bool bad = false;
    return decode(c, segment, len, false, &bad);
}

int ord_rest_query_get(rest_call *c, const char *name, const char **value)
{
    *value = NULL;
    const char *q = c->req->query;
    if (q == NULL)
        return 0;
    size_t name_len = strlen(name);
    int found = 0;
    while (*q != '\0') {
        const char *end = strchr(q, '&');
        size_t len = end != NULL ? (size_t)(end - q) : strlen(q);
        const char *eq = memchr(q, '=', len);
        size_t key_len = eq != NULL ? (size_t)(eq - q) : len;
        if (key_len == name_len && memcmp(q, name, name_len) == 0) {
            if (found)
                return -1;
            found = 1;
            bool bad = false;
            const char *v = eq != NULL ? eq + 1 : q + len;
            *value = decode(c, v, (size_t)(q + len - v), true, &bad);
            if (*value == NULL)
                return -1;
        }
        q += len;
        if (*q == '&')
            q++;
    }
    return found;
}

void ord_rest_buf_query_value(ord_json_writer *b, const char *value)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)value; *p != '\0'; p++) {
        if (isalnum(*p) || *p == '-' || *p == '_' || *p == '.' || *p == '~') {
            ord_json_append(b, (const char *)p, 1);
        } else {
            char esc[3] = {'%', hex[*p >> 4], hex[*p & 15]};
            ord_json_append(b, esc, 3);
        }
    }
}

int64_t ord_rest_if_match(const rest_call *c)
{
    const char *v = ord_rest_request_header(c->req, "If-Match");
    if (v == NULL)
        return 0;
    while (*v == ' ' || *v == '\t')
        v++;
    if (strcmp(v, "*") == 0)
        return 0;
    /* A single strong tag "<version>"; anything else matches no version. */
    size_t len = strlen(v);
    while (len > 0 && (v[len - 1] == ' ' || v[len - 1] == '\t'))
        len--;
    if (len < 3 || v[0] != '"' || v[len - 1] != '"' || len - 2 > 18)
        return -1;
    int64_t version = 0;
    for (size_t i = 1; i + 1 < len; i++) {
        if (v[i] < '0' || v[i] > '9')
            return -1;
        version = version * 10 + (v[i] - '0');
    }
    return version > 0 ? version : -1;
}

/* JSON log lines of the order server and password redaction. */
#include "log.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <orders/support/json_writer.h>

/* A bounded text builder for redaction: appends what fits, remembers
 * truncation. */
typedef struct text {
    char *data;
    size_t len, cap;
    bool cut;
} text;

static void put_n(text *t, const char *s, size_t n)
{
    if (t->cap == 0)
        return;
    size_t room = t->cap - 1 - t->len;
    if (n > room) {
        n = room;
        t->cut = true;
    }
    memcpy(t->data + t->len, s, n);
    t->len += n;
    t->data[t->len] = '\0';
}

static void put(text *t, const char *s)
{
    put_n(t, s, strlen(s));
}

bool srv_log_enabled(const srv_log *log, srv_level level)
{
    return log != NULL && log->out != NULL && level >= log->min;
}

/* Longest line written, newline included; a longer one loses its fields. */
#define LINE_MAX_BYTES 2048

void srv_log_write(const srv_log *log, srv_level level, const char *message,
                   const srv_field *fields, size_t count)
{
    if (!srv_log_enabled(log, level))
        return;
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    char stamp[128];
    snprintf(stamp, sizeof stamp, "{\"time\":\"%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ\",\"level\":",
             tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
             ts.tv_nsec / 1000000);
    ord_json_writer w = {0};
    ord_json_raw(&w, stamp);
    ord_json_string(&w, srv_level_name(level));
    ord_json_raw(&w, ",\"message\":");
    ord_json_string(&w, message);
    for (size_t i = 0; i < count; i++) {
        ord_json_key(&w, fields[i].key, false);
        if (fields[i].str != NULL)
            ord_json_string(&w, fields[i].str);
        else
            ord_json_int(&w, fields[i].num);
    }
    /* Drop the fields rather than the line. */
    if (w.failed || w.len + 2 >= LINE_MAX_BYTES) {
        ord_json_writer_free(&w);
        ord_json_raw(&w, stamp);
        ord_json_string(&w, srv_level_name(level));
        ord_json_raw(&w, ",\"message\":\"log line too long\"");
    }
    ord_json_raw(&w, "}\n");
    if (!w.failed) {
        fputs(w.data, log->out);
        fflush(log->out);
    }
    ord_json_writer_free(&w);
}

void srv_log_migrated(const srv_log *log, const ord_pg_migration_report *report)
{
    srv_field f[] = {SRV_NUM("fromVersion", report->from_version),
                     SRV_NUM("toVersion", report->to_version), SRV_NUM("applied", report->applied)};
    srv_log_write(log, SRV_INFO, "database schema is up to date", f, 3);
}

void srv_log_unknown_env(const srv_log *log, const srv_config *cfg)
{
    if (cfg->unknown_env == NULL)
        return;
    char name[80];
    size_t n = strcspn(cfg->unknown_env, "=");
    snprintf(name, sizeof name, "%.*s", (int)(n < 79 ? n : 79), cfg->unknown_env);
    srv_field f[] = {SRV_STR("variable", name)};
    srv_log_write(log, SRV_WARN, "ignoring an ORDER_ variable that names no setting of this program",
                  f, 1);
}

/* Whether a connection keyword names a secret: libpq's password and
 * sslpassword, in any case, after percent-decoding (libpq decodes the
 * keywords of a URL's query, so "pass%77ord" is "password"). */
static bool secret_keyword(const char *key, size_t len)
{
    char decoded[16];
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        char c = key[i];
        if (c == '%' && i + 2 < len && isxdigit((unsigned char)key[i + 1]) &&
            isxdigit((unsigned char)key[i + 2])) {
            char hex[3] = {key[i + 1], key[i + 2], '\0'};
            c = (char)strtol(hex, NULL, 16);
            i += 2;
        }
        if (n + 1 >= sizeof decoded)
            return false; /* longer than any secret keyword */
        decoded[n++] = (char)tolower((unsigned char)c);
    }
    decoded[n] = '\0';
    return strcmp(decoded, "password") == 0 || strcmp(decoded, "sslpassword") == 0;
}

static void redact_url(text *t, const char *url, size_t scheme_len)
{
    put_n(t, url, scheme_len);
    const char *p = url + scheme_len;
    size_t authority = strcspn(p, "/?#");
    const char *at = NULL;
    for (size_t i = 0; i < authority; i++)
        if (p[i] == '@')
            at = p + i;
    const char *colon = at != NULL ? memchr(p, ':', (size_t)(at - p)) : NULL;
    if (colon != NULL) {
        put_n(t, p, (size_t)(colon - p) + 1);
        put(t, "***");
        put_n(t, at, authority - (size_t)(at - p));
    } else {
        put_n(t, p, authority);
    }
    p += authority;
    while (*p != '\0') {
        bool param_start = p[-1] == '?' || p[-1] == '&';
        size_t key_len = param_start ? strcspn(p, "=&#") : 0;
        if (param_start && p[key_len] == '=' && secret_keyword(p, key_len)) {
            put_n(t, p, key_len + 1);
            put(t, "***");
            p += strcspn(p, "&#");
        } else {
            put_n(t, p, 1);
            p++;
        }
    }
}

static void redact_keywords(text *t, const char *s)
{
    const char *p = s;
    while (*p != '\0') {
        while (isspace((unsigned char)*p))
            put_n(t, p++, 1);
        size_t key_len = strcspn(p, "= \t\n");
        bool secret = secret_keyword(p, key_len);
        put_n(t, p, key_len);
        p += key_len;
        while (isspace((unsigned char)*p))
            p++;
        if (*p != '=')
            continue;
        put(t, "=");
        p++;
        while (isspace((unsigned char)*p))
            p++;
        const char *value = p;
        if (*p == '\'') {
            p++;
            while (*p != '\0' && *p != '\'') {
                if (*p == '\\' && p[1] != '\0')
                    p++;
                p++;
            }
            if (*p == '\'')
                p++;
        } else {
            while (*p != '\0' && !isspace((unsigned char)*p))
                p++;
        }
        if (secret)
            put(t, "***");
        else
            put_n(t, value, (size_t)(p - value));
    }
}

char *srv_redact_url(const char *url, char *out, size_t cap)
{
    if (out == NULL || cap == 0)
        return out;
    out[0] = '\0';
    if (url == NULL)
        return out;
    text t = {out, 0, cap, false};
    const char *scheme_end = strstr(url, "://");
    size_t scheme_len = scheme_end != NULL ? (size_t)(scheme_end - url) : 0;
    bool is_url = scheme_len > 0 && strspn(url, "abcdefghijklmnopqrstuvwxyz"
                                                "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-") ==
                                        scheme_len;
    if (is_url)
        redact_url(&t, url, scheme_len + 3);
    else
        redact_keywords(&t, url);
    if (t.cut && cap > 4)
        memcpy(out + cap - 4, "...", 4);
    return out;
}

/* Broker URLs: checking, parsing into decoded parts, and redaction for logs.
 * No message ever quotes the URL: it may carry the password. */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void say(char *err, size_t cap, const char *text)
{
    if (err != NULL && cap > 0)
        snprintf(err, cap, "%s", text);
}

static char *dup_text(const char *s)
{
    size_t n = strlen(s) + 1;
    char *copy = malloc(n);
    if (copy != NULL)
        memcpy(copy, s, n);
    return copy;
}

/* Cheap checks before librabbitmq's parser (which accepts amqps, port 0,
 * an empty vhost and decoded NUL bytes). */
static bool shape_ok(const char *url, char *err, size_t cap)
{
    if (url == NULL || url[0] == '\0') {
        say(err, cap, "the broker URL is empty");
        return false;
    }
    if (strlen(url) > ORD_AMQP_URL_MAX) {
        say(err, cap, "the broker URL is longer than 1000 bytes");
        return false;
    }
    for (const char *p = url; *p != '\0'; p++) {
        if (*p <= 0x20 || *p >= 0x7f) {
            say(err, cap, "the broker URL holds spaces or bytes outside printable ASCII "
                          "(percent-encode them)");
            return false;
        }
        if (p[0] == '%' && p[1] == '0' && p[2] == '0') {
            say(err, cap, "the broker URL holds %00");
            return false;
        }
    }
    if (strncmp(url, "amqps://", 8) == 0) {
        say(err, cap, "amqps:// (TLS) is not supported; use amqp://");
        return false;
    }
    if (strncmp(url, "amqp://", 7) != 0) {
        say(err, cap, "the broker URL must start with amqp://");
        return false;
    }
    return true;
}

ord_error ord_amqp_target_parse(ord_amqp_target *out, const char *url, char *err, size_t cap)
{
    memset(out, 0, sizeof *out);
    if (!shape_ok(url, err, cap))
        return ORD_EINVALID;
    char *work = dup_text(url);
    if (work == NULL)
        return ORD_ENOMEM;
    struct amqp_connection_info info;
    ord_error rc = ORD_OK;
    if (amqp_parse_url(work, &info) != AMQP_STATUS_OK) {
        say(err, cap, "the broker URL is not amqp://[USER[:PASSWORD]@]HOST[:PORT][/VHOST] "
                      "(percent-encode '@', ':' and '/' inside the parts)");
        rc = ORD_EINVALID;
    } else if (info.port < 1 || info.port > 65535) {
        say(err, cap, "the broker URL's port must be from 1 to 65535");
        rc = ORD_EINVALID;
    } else if (info.host[0] == '\0') {
        say(err, cap, "the broker URL has no host");
        rc = ORD_EINVALID;
    } else if (info.vhost[0] == '\0') {
        say(err, cap, "the broker URL's vhost is empty (the default vhost / is %2f, "
                      "or leave out the path)");
        rc = ORD_EINVALID;
    } else if (info.user[0] == '\0') {
        say(err, cap, "the broker URL's user is empty");
        rc = ORD_EINVALID;
    }
    if (rc == ORD_OK) {
        out->port = info.port;
        out->host = dup_text(info.host);
        out->user = dup_text(info.user);
        out->password = dup_text(info.password);
        out->vhost = dup_text(info.vhost);
        if (out->host == NULL || out->user == NULL || out->password == NULL ||
            out->vhost == NULL) {
            ord_amqp_target_free(out);
            rc = ORD_ENOMEM;
        }
    }
    /* The copy held the password too. */
    memset(work, 0, strlen(url));
    free(work);
    return rc;
}

void ord_amqp_target_free(ord_amqp_target *t)
{
    if (t->password != NULL) {
        volatile char *p = t->password;
        while (*p != '\0')
            *p++ = '\0';
    }
    free(t->host);
    free(t->user);
    free(t->password);
    free(t->vhost);
    memset(t, 0, sizeof *t);
}

bool ord_amqp_url_ok(const char *url, char *err, size_t err_cap)
{
    ord_amqp_target t;
    ord_error rc = ord_amqp_target_parse(&t, url, err, err_cap);
    if (rc == ORD_ENOMEM)
        say(err, err_cap, "out of memory while checking the broker URL");
    ord_amqp_target_free(&t);
    return rc == ORD_OK;
}

char *ord_amqp_url_redact(const char *url, char *out, size_t cap)
{
    if (cap == 0)
        return out;
    out[0] = '\0';
    if (url == NULL)
        return out;
    /* The authority runs from "://" to the next '/'; its password from the
     * first ':' of the userinfo to the last '@'. */
    const char *scheme = strstr(url, "://");
    const char *auth = scheme != NULL ? scheme + 3 : url;
    const char *auth_end = auth + strcspn(auth, "/");
    const char *at = NULL;
    for (const char *p = auth; p < auth_end; p++)
        if (*p == '@')
            at = p;
    const char *colon = NULL;
    if (at != NULL)
        colon = memchr(auth, ':', (size_t)(at - auth));
    int n;
    if (colon != NULL)
        n = snprintf(out, cap, "%.*s***%s", (int)(colon + 1 - url), url, at);
    else
        n = snprintf(out, cap, "%s", url);
    if (n >= 0 && (size_t)n >= cap && cap >= 4)
        memcpy(out + cap - 4, "...", 4);
    return out;
}

bool ord_amqp_name_ok(const char *name)
{
    if (name == NULL)
        return false;
    size_t len = strlen(name);
    if (len == 0 || len > 255 || strncmp(name, "amq.", 4) == 0)
        return false;
    for (const char *p = name; *p != '\0'; p++) {
        char c = *p;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_' || c == '.' || c == ':';
        if (!ok)
            return false;
    }
    return true;
}

void ord_amqp_clean_text(char *out, size_t cap, const void *text, size_t len)
{
    if (cap == 0)
        return;
    const unsigned char *in = text;
    size_t n = 0;
    for (size_t i = 0; i < len && n + 1 < cap && in != NULL; i++)
        out[n++] = in[i] >= 0x20 && in[i] < 0x7f ? (char)in[i] : '?';
    out[n] = '\0';
}

/* Runtime API client: one easy handle, reset for each request and kept for
 * its connection to the endpoint. */
#include "runtime.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>

#define API_PATH "/2018-06-01/runtime"
#define CONNECT_TIMEOUT_MS 2000L
#define POST_TIMEOUT_MS 10000L
#define MAX_ANSWER_BYTES 65536 /* the endpoint's replies to our posts: read and dropped */

struct lam_runtime {
    CURL *curl;
    char base[300]; /* "http://host:port/2018-06-01/runtime" */
    volatile sig_atomic_t *stop;
};

/* host:port with the characters of a host name, an IPv4 or a bracketed
 * IPv6 address, and a decimal port. */
static bool endpoint_ok(const char *endpoint)
{
    size_t len = strlen(endpoint);
    const char *colon = strrchr(endpoint, ':');
    if (len == 0 || len > 255 || colon == NULL || colon == endpoint || colon[1] == '\0' ||
        strlen(colon + 1) > 5)
        return false;
    for (const char *p = endpoint; p < colon; p++)
        if (!isalnum((unsigned char)*p) && strchr(".-:[]", *p) == NULL)
            return false;
    for (const char *p = colon + 1; *p != '\0'; p++)
        if (!isdigit((unsigned char)*p))
            return false;
    return true;
}

ord_error lam_runtime_new(lam_runtime **out, const char *endpoint, volatile sig_atomic_t *stop)
{
    *out = NULL;
    if (endpoint == NULL || !endpoint_ok(endpoint))
        return ORD_EINVALID;
    lam_runtime *rt = calloc(1, sizeof *rt);
    if (rt == NULL)
        return ORD_ENOMEM;
    rt->curl = curl_easy_init();
    if (rt->curl == NULL) {
        free(rt);
        return ORD_ENOMEM;
    }
    snprintf(rt->base, sizeof rt->base, "http://%s" API_PATH, endpoint);
    rt->stop = stop;
    *out = rt;
    return ORD_OK;
}

void lam_runtime_free(lam_runtime *rt)
{
    if (rt == NULL)
        return;
    curl_easy_cleanup(rt->curl);
    free(rt);
}

void lam_invocation_clear(lam_invocation *inv)
{
    free(inv->event);
    memset(inv, 0, sizeof *inv);
}

/* What one GET next collects. */
typedef struct reading {
    lam_invocation *inv;
    size_t cap;
    bool too_large;
    bool has_id;
} reading;

static bool id_ok(const char *v, size_t len)
{
    if (len == 0 || len >= LAM_REQUEST_ID_SIZE)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!isalnum((unsigned char)v[i]) && v[i] != '-' && v[i] != '_' && v[i] != '.')
            return false;
    return true;
}

static bool printable(const char *v, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (v[i] < 0x20 || v[i] > 0x7e)
            return false;
    return true;
}

/* Epoch milliseconds: 1 to 15 digits, nothing else. */
static int64_t deadline_of(const char *v, size_t len)
{
    if (len == 0 || len > 15)
        return 0;
    int64_t ms = 0;
    for (size_t i = 0; i < len; i++) {
        if (!isdigit((unsigned char)v[i]))
            return 0;
        ms = ms * 10 + (v[i] - '0');
    }
    return ms;
}

static bool named(const char *line, size_t name_len, const char *name)
{
    return strlen(name) == name_len && strncasecmp(line, name, name_len) == 0;
}

static size_t on_header(char *line, size_t size, size_t nmemb, void *userdata)
{
    reading *r = userdata;
    size_t n = size * nmemb;
    const char *colon = memchr(line, ':', n);
    if (colon == NULL)
        return n; /* the status line, or the blank line that ends the headers */
    size_t name_len = (size_t)(colon - line);
    const char *v = colon + 1;
    size_t len = n - name_len - 1;
    while (len > 0 && (*v == ' ' || *v == '\t')) {
        v++;
        len--;
    }
    while (len > 0 && (v[len - 1] == '\r' || v[len - 1] == '\n' || v[len - 1] == ' '))
        len--;
    lam_invocation *inv = r->inv;
    if (named(line, name_len, "Lambda-Runtime-Aws-Request-Id")) {
        r->has_id = id_ok(v, len);
        if (r->has_id) {
            memcpy(inv->request_id, v, len);
            inv->request_id[len] = '\0';
        }
    } else if (named(line, name_len, "Lambda-Runtime-Deadline-Ms")) {
        inv->deadline_ms = deadline_of(v, len);
    } else if (named(line, name_len, "Lambda-Runtime-Trace-Id")) {
        if (len < LAM_TRACE_ID_SIZE && printable(v, len)) {
            memcpy(inv->trace_id, v, len);
            inv->trace_id[len] = '\0';
        }
    } else if (named(line, name_len, "Content-Length")) {
        /* Refuse a declared size at once instead of reading up to it. */
        if (len > 9 || deadline_of(v, len) > LAM_MAX_EVENT_BYTES)
            r->too_large = true;
    }
    return n;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *userdata)
{
    reading *r = userdata;
    size_t n = size * nmemb;
    lam_invocation *inv = r->inv;
    if (r->too_large || n > LAM_MAX_EVENT_BYTES - inv->event_len) {
        r->too_large = true;
        return 0; /* aborts the transfer */
    }
    if (inv->event_len + n + 1 > r->cap) {
        size_t cap = r->cap == 0 ? 16384 : r->cap;
        while (cap < inv->event_len + n + 1)
            cap *= 2;
        char *bigger = realloc(inv->event, cap);
        if (bigger == NULL)
            return 0;
        inv->event = bigger;
        r->cap = cap;
    }
    memcpy(inv->event + inv->event_len, data, n);
    inv->event_len += n;
    inv->event[inv->event_len] = '\0';
    return n;
}

static int on_progress(void *userdata, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
    (void)dltotal;
    (void)dlnow;
    (void)ultotal;
    (void)ulnow;
    lam_runtime *rt = userdata;
    return *rt->stop ? 1 : 0;
}

lam_next_result lam_runtime_next(lam_runtime *rt, lam_invocation *inv, char *why, size_t cap)
{
    memset(inv, 0, sizeof *inv);
    if (*rt->stop)
        return LAM_NEXT_STOP;
    reading r = {.inv = inv};
    char url[400];
    snprintf(url, sizeof url, "%s/invocation/next", rt->base);
    CURL *c = rt->curl;
    curl_easy_reset(c);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http");
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, CONNECT_TIMEOUT_MS);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &r);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
    /* No time limit (the poll lasts until an invocation arrives), but the
     * stop flag is looked at about once a second. */
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, rt);
    CURLcode rc = curl_easy_perform(c);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    lam_next_result result = LAM_NEXT_EVENT;
    if (rc == CURLE_ABORTED_BY_CALLBACK) {
        result = LAM_NEXT_STOP;
    } else if (r.too_large && r.has_id && status == 200) {
        snprintf(why, cap, "the event is larger than %d bytes", LAM_MAX_EVENT_BYTES);
        result = LAM_NEXT_REFUSED;
    } else if (rc != CURLE_OK) {
        snprintf(why, cap, "next invocation: %s", curl_easy_strerror(rc));
        result = LAM_NEXT_FAILED;
    } else if (status != 200) {
        snprintf(why, cap, "next invocation: status %ld", status);
        result = LAM_NEXT_FAILED;
    } else if (!r.has_id) {
        snprintf(why, cap, "next invocation: no valid Lambda-Runtime-Aws-Request-Id");
        result = LAM_NEXT_FAILED;
    } else if (inv->event == NULL) {
        inv->event = calloc(1, 1); /* an empty event: the program refuses it */
        if (inv->event == NULL) {
            snprintf(why, cap, "out of memory");
            result = LAM_NEXT_FAILED;
        }
    }
    if (result != LAM_NEXT_EVENT) {
        free(inv->event);
        inv->event = NULL;
        inv->event_len = 0;
    }
    return result;
}

static size_t drop(char *data, size_t size, size_t nmemb, void *userdata)
{
    (void)data;
    size_t *seen = userdata;
    size_t n = size * nmemb;
    if (n > MAX_ANSWER_BYTES - *seen)
        return 0;
    *seen += n;
    return n;
}

static ord_error post(lam_runtime *rt, const char *path, const char *body, size_t len,
                      const char *error_type)
{
    char url[600];
    snprintf(url, sizeof url, "%s%s", rt->base, path);
    struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: application/json");
    char type_header[160];
    if (headers != NULL && error_type != NULL) {
        snprintf(type_header, sizeof type_header, "Lambda-Runtime-Function-Error-Type: %s",
                 error_type);
        struct curl_slist *more = curl_slist_append(headers, type_header);
        if (more == NULL) {
            curl_slist_free_all(headers);
            headers = NULL;
        }
    }
    if (headers == NULL)
        return ORD_ENOMEM;
    size_t seen = 0;
    CURL *c = rt->curl;
    curl_easy_reset(c);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http");
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, CONNECT_TIMEOUT_MS);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, POST_TIMEOUT_MS);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, drop);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &seen);
    CURLcode rc = curl_easy_perform(c);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
    curl_slist_free_all(headers);
    return rc == CURLE_OK && status >= 200 && status < 300 ? ORD_OK : ORD_EUNAVAILABLE;
}

ord_error lam_runtime_respond(lam_runtime *rt, const char *request_id, const char *body, size_t len)
{
    char path[LAM_REQUEST_ID_SIZE + 40];
    snprintf(path, sizeof path, "/invocation/%s/response", request_id);
    return post(rt, path, body, len, NULL);
}

/* {"errorMessage":..., "errorType":..., "stackTrace":[]} */
static ord_error post_error(lam_runtime *rt, const char *path, const char *type,
                            const char *message)
{
    cJSON *o = cJSON_CreateObject();
    char *text = NULL;
    if (o != NULL && cJSON_AddStringToObject(o, "errorMessage", message) != NULL &&
        cJSON_AddStringToObject(o, "errorType", type) != NULL &&
        cJSON_AddArrayToObject(o, "stackTrace") != NULL)
        text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (text == NULL)
        return ORD_ENOMEM;
    ord_error rc = post(rt, path, text, strlen(text), type);
    cJSON_free(text);
    return rc;
}

ord_error lam_runtime_fail(lam_runtime *rt, const char *request_id, const char *type,
                           const char *message)
{
    char path[LAM_REQUEST_ID_SIZE + 40];
    snprintf(path, sizeof path, "/invocation/%s/error", request_id);
    return post_error(rt, path, type, message);
}

ord_error lam_runtime_init_error(lam_runtime *rt, const char *type, const char *message)
{
    return post_error(rt, "/init/error", type, message);
}

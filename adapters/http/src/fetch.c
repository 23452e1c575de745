/* A bounded one-off GET (for documents such as a JWKS): its own easy
 * handle, a time limit, a size limit enforced while reading, no redirects. */
#include <orders/adapters/http/fetch.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

typedef struct sink {
    char *data;
    size_t len;
    size_t max;
    bool too_large;
} sink;

static size_t collect(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    sink *s = userdata;
    size_t n = size * nmemb;
    if (n > s->max - s->len) {
        s->too_large = true;
        return 0; /* aborts the transfer */
    }
    char *grown = realloc(s->data, s->len + n + 1);
    if (grown == NULL)
        return 0;
    s->data = grown;
    memcpy(s->data + s->len, ptr, n);
    s->len += n;
    s->data[s->len] = '\0';
    return n;
}

ord_error ord_http_fetch(const char *url, long timeout_ms, size_t max_bytes, char **body,
                         size_t *len)
{
    if (body != NULL)
        *body = NULL;
    if (len != NULL)
        *len = 0;
    if (url == NULL || body == NULL || len == NULL || timeout_ms <= 0 || max_bytes == 0 ||
        (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0))
        return ORD_EINVALID;
    CURL *easy = curl_easy_init();
    if (easy == NULL)
        return ORD_ENOMEM;
    sink s = {NULL, 0, max_bytes, false};
    bool ok = curl_easy_setopt(easy, CURLOPT_URL, url) == CURLE_OK;
    ok = ok && curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L) == CURLE_OK;
    ok = ok && curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https") == CURLE_OK;
    ok = ok && curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L) == CURLE_OK;
    ok = ok && curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, timeout_ms) == CURLE_OK;
    ok = ok && curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms) == CURLE_OK;
    ok = ok && curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, collect) == CURLE_OK;
    ok = ok && curl_easy_setopt(easy, CURLOPT_WRITEDATA, &s) == CURLE_OK;
    ok = ok && curl_easy_setopt(easy, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)max_bytes) == CURLE_OK;
    ok = ok && curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, NULL) == CURLE_OK;
    if (!ok) {
        curl_easy_cleanup(easy);
        return ORD_EINVALID;
    }
    CURLcode rc = curl_easy_perform(easy);
    long status = 0;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(easy);
    ord_error err = ORD_OK;
    if (s.too_large || rc == CURLE_FILESIZE_EXCEEDED)
        err = ORD_ECONTRACT;
    else if (rc == CURLE_OPERATION_TIMEDOUT)
        err = ORD_ETIMEOUT;
    else if (rc == CURLE_OUT_OF_MEMORY || (rc == CURLE_WRITE_ERROR && !s.too_large))
        err = ORD_ENOMEM;
    else if (rc != CURLE_OK)
        err = ORD_EUNAVAILABLE;
    else if (status >= 500)
        err = ORD_EUNAVAILABLE;
    else if (status != 200)
        err = ORD_ECONTRACT;
    if (err != ORD_OK) {
        free(s.data);
        return err;
    }
    if (s.data == NULL) {
        s.data = calloc(1, 1);
        if (s.data == NULL)
            return ORD_ENOMEM;
    }
    *body = s.data;
    *len = s.len;
    return ORD_OK;
}

/* One attempt of one call on one easy handle: the libcurl options that keep
 * an untrusted peer from hurting us (size cap, no redirects, timeouts, low
 * speed limit), and the classification of what came back. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

/* Receives the body; refuses (aborting the transfer) past the limit, so a
 * huge answer is never read whole. */
static size_t on_body(char *data, size_t size, size_t count, void *userdata)
{
    http_buffer *buf = userdata;
    size_t n = size * count;
    if (n > buf->limit - buf->len) {
        buf->too_large = true;
        return 0;
    }
    if (buf->len + n + 1 > buf->cap) {
        size_t cap = buf->cap == 0 ? 4096 : buf->cap;
        while (cap < buf->len + n + 1)
            cap *= 2;
        char *grown = realloc(buf->data, cap);
        if (grown == NULL)
            return 0;
        buf->data = grown;
        buf->cap = cap;
    }
    memcpy(buf->data + buf->len, data, n);
    buf->len += n;
    buf->data[buf->len] = '\0';
    return n;
}

/* The options every call of a slot shares, set once when the handle is
 * made: a call then sets only what is its own (URL, limits, headers,
 * method). Nothing else sets options on these handles. */
ord_error ord_http_transfer_init(ord_http_client *client, int slot)
{
    CURL *easy = client->easy[slot];
    bool ok = curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L) == CURLE_OK;
    ok = ok && curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https") == CURLE_OK;
    ok = ok && curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L) == CURLE_OK;
    ok = ok && curl_easy_setopt(easy, CURLOPT_LOW_SPEED_LIMIT, 1L) == CURLE_OK;
    ok = ok && curl_easy_setopt(easy, CURLOPT_MAXFILESIZE_LARGE,
                                (curl_off_t)client->services->max_response_bytes) == CURLE_OK;
    ok = ok && curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L) == CURLE_OK;
    ok = ok && curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body) == CURLE_OK;
    ok = ok && curl_easy_setopt(easy, CURLOPT_WRITEDATA, (void *)&client->body[slot]) == CURLE_OK;
    return ok ? ORD_OK : ORD_EINTERNAL;
}

ord_error ord_http_transfer_setup(ord_http_client *client, http_call *call, int64_t timeout_ms)
{
    const http_endpoint *ep = call->endpoint;
    ord_http_services *s = client->services;
    CURL *easy = client->easy[call->slot];
    http_buffer *buf = &client->body[call->slot];
    buf->len = 0;
    buf->too_large = false;
    if (buf->cap > 256 * 1024) {
        /* Do not keep a large buffer alive for the next, small, answer. */
        free(buf->data);
        buf->data = NULL;
        buf->cap = 0;
    }
    int64_t connect_ms = s->connect_timeout_ms[ep->service];
    if (connect_ms > timeout_ms)
        connect_ms = timeout_ms;
    /* A trickle of at least a byte a second would dodge only the low-speed
     * limit; the total timeout stops it too. */
    long low_speed_s = (long)(timeout_ms / 1000);
    if (low_speed_s < 1)
        low_speed_s = 1;

    bool ok = curl_easy_setopt(easy, CURLOPT_URL, call->url) == CURLE_OK;
    ok = ok && curl_easy_setopt(easy, CURLOPT_PRIVATE, (void *)call) == CURLE_OK;
    ok = ok && curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, (long)connect_ms) == CURLE_OK;
    ok = ok && curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, (long)timeout_ms) == CURLE_OK;
    ok = ok && curl_easy_setopt(easy, CURLOPT_LOW_SPEED_TIME, low_speed_s) == CURLE_OK;
    ok = ok && curl_easy_setopt(easy, CURLOPT_HTTPHEADER, call->headers) == CURLE_OK;
    if (strcmp(ep->method, "POST") == 0) {
        /* The body's size and pointer make it a POST. */
        const char *body = call->request.body != NULL ? call->request.body : "";
        ok = ok && curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE,
                                    (curl_off_t)strlen(body)) == CURLE_OK;
        ok = ok && curl_easy_setopt(easy, CURLOPT_POSTFIELDS, body) == CURLE_OK;
    } else {
        /* No pointer left to an earlier call's body, then back to GET. */
        ok = ok && curl_easy_setopt(easy, CURLOPT_POSTFIELDS, NULL) == CURLE_OK;
        ok = ok && curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L) == CURLE_OK;
    }
    return ok ? ORD_OK : ORD_EINTERNAL;
}

static const http_decoder *decoder_for(const http_endpoint *ep, long status)
{
    for (size_t i = 0; i < ep->decoder_count; i++)
        if (status >= ep->decoders[i].status_min && status <= ep->decoders[i].status_max)
            return &ep->decoders[i];
    return NULL;
}

ord_error ord_http_read_answer(const http_endpoint *ep, long status, const char *body, size_t len,
                               const void *args, void *out, ord_http_outcome *outcome,
                               bool *retryable)
{
    *retryable = false;
    const http_decoder *dec = decoder_for(ep, status);
    if (dec == NULL) {
        if (status >= 500 && status <= 599) {
            *outcome = ORD_HTTP_OUTCOME_SERVER_ERROR;
            *retryable = true;
            return ORD_EUNAVAILABLE;
        }
        /* A redirect, an unexpected 2xx or 4xx: never retried, and never
         * taken for a business answer. */
        *outcome = ORD_HTTP_OUTCOME_CONTRACT;
        return ORD_ECONTRACT;
    }
    ord_error rc = ORD_OK;
    if (dec->json) {
        cJSON *json = ord_http_json_parse(body, len);
        rc = json == NULL ? ORD_ECONTRACT : dec->decode(json, args, out);
        cJSON_Delete(json);
    } else if (dec->decode != NULL) {
        rc = dec->decode(NULL, args, out);
    }
    *outcome = rc == ORD_OK ? dec->outcome : ORD_HTTP_OUTCOME_CONTRACT;
    return rc == ORD_OK ? ORD_OK : ORD_ECONTRACT;
}

ord_error ord_http_transfer_finish(ord_http_client *client, http_call *call, CURLcode code,
                                   bool *retryable)
{
    *retryable = false;
    const http_buffer *buf = &client->body[call->slot];
    switch (code) {
    case CURLE_OK: {
        long status = 0;
        curl_easy_getinfo(client->easy[call->slot], CURLINFO_RESPONSE_CODE, &status);
        return ord_http_read_answer(call->endpoint, status, buf->data, buf->len, call->args,
                                    call->out, &call->outcome, retryable);
    }
    case CURLE_OPERATION_TIMEDOUT:
        call->outcome = ORD_HTTP_OUTCOME_TIMEOUT;
        *retryable = true;
        return ORD_ETIMEOUT;
    case CURLE_FILESIZE_EXCEEDED:
    case CURLE_WRITE_ERROR:
        /* Our body callback refused it: larger than the limit. */
        call->outcome = buf->too_large || code == CURLE_FILESIZE_EXCEEDED
                            ? ORD_HTTP_OUTCOME_CONTRACT
                            : ORD_HTTP_OUTCOME_UNREACHABLE;
        return call->outcome == ORD_HTTP_OUTCOME_CONTRACT ? ORD_ECONTRACT : ORD_EUNAVAILABLE;
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_BAD_CONTENT_ENCODING:
        call->outcome = ORD_HTTP_OUTCOME_CONTRACT;
        return ORD_ECONTRACT;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_GOT_NOTHING:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_PARTIAL_FILE:
    case CURLE_SSL_CONNECT_ERROR:
        call->outcome = ORD_HTTP_OUTCOME_UNREACHABLE;
        *retryable = true;
        return ORD_EUNAVAILABLE;
    default:
        call->outcome = ORD_HTTP_OUTCOME_UNREACHABLE;
        return ORD_EUNAVAILABLE;
    }
}

/* The engine: runs declared endpoint calls concurrently on the client's
 * multi handle, with per-service breakers, retries with backoff and full
 * jitter for calls safe to repeat, a cap on attempts and on total time, and
 * fail-fast cancellation. */
#include "internal.h"
#include "request.h"

#include <stdlib.h>
#include <string.h>

typedef struct run {
    ord_http_client *client;
    http_call *calls;
    size_t count;
    bool fail_fast;
    size_t decisive;
} run;

static void prepare(run *r, const ord_call_context *ctx, http_call *call, int64_t now)
{
    ord_http_services *s = r->client->services;
    const http_endpoint *ep = call->endpoint;
    call->state = HTTP_CALL_PENDING;
    call->result = ORD_OK;
    call->outcome = ORD_HTTP_OUTCOME_SUCCESS;
    call->attempts = 0;
    call->slot = -1;
    call->url = NULL;
    call->headers = NULL;
    memset(&call->request, 0, sizeof call->request);
    call->deadline_ms = now + s->retry.max_total_ms;
    call->next_at_ms = now;
    call->permit = (http_permit){0};
    if (s->base_url[ep->service] == NULL) {
        call->result = ORD_EUNAVAILABLE; /* not configured */
        call->state = HTTP_CALL_DONE;
        return;
    }
    ord_error rc = ep->encode(call->args, &call->request);
    if (rc == ORD_OK)
        rc = ord_http_build_url(s->base_url[ep->service], ep->path, &call->request, &call->url);
    if (rc == ORD_OK)
        ord_http_build_headers(r->client, ctx, call->request.body != NULL, call);
    if (rc != ORD_OK) {
        call->result = rc;
        call->state = HTTP_CALL_DONE;
    }
}

static void release(run *r, http_call *call)
{
    if (call->state == HTTP_CALL_RUNNING) {
        curl_multi_remove_handle(r->client->multi, r->client->easy[call->slot]);
        r->client->busy[call->slot] = false;
        call->slot = -1;
    }
}

static bool decides(const http_call *call)
{
    return call->result != ORD_OK ||
           (call->stops_batch != NULL && call->stops_batch(call->out));
}

static void cancel_others(run *r, size_t except)
{
    ord_http_services *s = r->client->services;
    for (size_t i = 0; i < r->count; i++) {
        http_call *call = &r->calls[i];
        if (i == except || call->state == HTTP_CALL_DONE || call->state == HTTP_CALL_CANCELLED)
            continue;
        bool running = call->state == HTTP_CALL_RUNNING;
        release(r, call);
        if (running)
            ord_http_breaker_record(&s->breakers[call->endpoint->service], ord_http_breaker_now(s),
                                    &call->permit, HTTP_BREAKER_IGNORE);
        ord_http_count(s, call->endpoint->service, ORD_HTTP_OUTCOME_CANCELLED);
        call->outcome = ORD_HTTP_OUTCOME_CANCELLED;
        call->result = ORD_OK;
        call->state = HTTP_CALL_CANCELLED;
    }
}

static void done(run *r, http_call *call)
{
    call->state = HTTP_CALL_DONE;
    size_t index = (size_t)(call - r->calls);
    if (r->decisive == SIZE_MAX && decides(call)) {
        r->decisive = index;
        if (r->fail_fast)
            cancel_others(r, index);
    }
}

static int free_slot(const ord_http_client *client)
{
    for (int i = 0; i < HTTP_SLOTS; i++)
        if (!client->busy[i])
            return i;
    return -1;
}

static void start_attempt(run *r, http_call *call, int64_t now)
{
    ord_http_services *s = r->client->services;
    ord_http_service svc = call->endpoint->service;
    int64_t remaining = call->deadline_ms - now;
    int slot = free_slot(r->client);
    if (slot < 0)
        return; /* every handle busy: start when one frees */
    if (remaining <= 0) {
        if (call->attempts == 0)
            call->result = ORD_ETIMEOUT;
        done(r, call);
        return;
    }
    ord_http_breaker_acquire(&s->breakers[svc], ord_http_breaker_now(s), &call->permit);
    if (!call->permit.granted) {
        /* An open breaker answers at once, also between retries. */
        ord_http_count(s, svc, ORD_HTTP_OUTCOME_CIRCUIT_OPEN);
        call->outcome = ORD_HTTP_OUTCOME_CIRCUIT_OPEN;
        call->result = ORD_EUNAVAILABLE;
        done(r, call);
        return;
    }
    int64_t timeout = s->timeout_ms[svc] < remaining ? s->timeout_ms[svc] : remaining;
    call->slot = slot;
    if (ord_http_transfer_setup(r->client, call, timeout) != ORD_OK ||
        curl_multi_add_handle(r->client->multi, r->client->easy[slot]) != CURLM_OK) {
        call->slot = -1;
        ord_http_breaker_record(&s->breakers[svc], ord_http_breaker_now(s), &call->permit,
                                HTTP_BREAKER_IGNORE);
        call->result = ORD_EINTERNAL;
        done(r, call);
        return;
    }
    r->client->busy[slot] = true;
    call->state = HTTP_CALL_RUNNING;
    if (call->attempts++ > 0)
        atomic_fetch_add_explicit(&s->retries[svc], 1, memory_order_relaxed);
}

/* Backoff before the next attempt: random in [0, base * 2^(attempts-1)],
 * capped ("full jitter"). */
static int64_t backoff(run *r, const http_call *call)
{
    const ord_http_retry_options *p = &r->client->services->retry;
    int64_t ceiling = p->base_delay_ms;
    for (int i = 1; i < call->attempts && ceiling < p->max_delay_ms; i++)
        ceiling *= 2;
    if (ceiling > p->max_delay_ms)
        ceiling = p->max_delay_ms;
    return ceiling <= 0 ? 0 : (int64_t)(ord_http_random(r->client) % (uint64_t)(ceiling + 1));
}

static void finish_attempt(run *r, http_call *call, CURLcode code)
{
    ord_http_services *s = r->client->services;
    ord_http_service svc = call->endpoint->service;
    bool retryable = false;
    ord_error rc = ord_http_transfer_finish(r->client, call, code, &retryable);
    release(r, call);
    call->state = HTTP_CALL_PENDING;
    ord_http_count(s, svc, call->outcome);
    bool failure = call->outcome != ORD_HTTP_OUTCOME_SUCCESS &&
                   call->outcome != ORD_HTTP_OUTCOME_REJECTED;
    ord_http_breaker_record(&s->breakers[svc], ord_http_breaker_now(s), &call->permit,
                            failure ? HTTP_BREAKER_FAILURE : HTTP_BREAKER_SUCCESS);
    call->result = rc;
    if (rc != ORD_OK && retryable && call->endpoint->retry_safe &&
        call->attempts < s->retry.max_attempts) {
        int64_t now = ord_http_monotonic_ms();
        int64_t wait = backoff(r, call);
        if (now + wait < call->deadline_ms) {
            call->next_at_ms = now + wait;
            return; /* stays PENDING until then */
        }
    }
    done(r, call);
}

static void drain_messages(run *r)
{
    CURLMsg *msg;
    int left = 0;
    while ((msg = curl_multi_info_read(r->client->multi, &left)) != NULL) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        void *tag = NULL;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &tag);
        http_call *call = tag;
        /* A call cancelled meanwhile was removed already and sends nothing. */
        if (call != NULL && call->state == HTTP_CALL_RUNNING)
            finish_attempt(r, call, msg->data.result);
    }
}

ord_error ord_http_run(ord_http_client *client, const ord_call_context *ctx, http_call *calls,
                       size_t count, bool fail_fast, size_t *decisive)
{
    run r = {.client = client, .calls = calls, .count = count, .fail_fast = fail_fast,
             .decisive = SIZE_MAX};
    *decisive = SIZE_MAX;
    if (count > HTTP_SLOTS)
        return ORD_EINTERNAL; /* more calls than handles: a bug of the caller */
    int64_t now = ord_http_monotonic_ms();
    for (size_t i = 0; i < count; i++)
        prepare(&r, ctx, &calls[i], now);
    for (size_t i = 0; i < count; i++)
        if (calls[i].state == HTTP_CALL_DONE && r.decisive == SIZE_MAX && decides(&calls[i])) {
            r.decisive = i;
            if (fail_fast)
                cancel_others(&r, i);
        }

    for (;;) {
        now = ord_http_monotonic_ms();
        for (size_t i = 0; i < count; i++)
            if (calls[i].state == HTTP_CALL_PENDING && calls[i].next_at_ms <= now)
                start_attempt(&r, &calls[i], now);
        int running = 0;
        curl_multi_perform(client->multi, &running);
        drain_messages(&r);

        now = ord_http_monotonic_ms();
        bool active = false;
        int64_t wake = now + 1000;
        for (size_t i = 0; i < count; i++) {
            const http_call *call = &calls[i];
            if (call->state == HTTP_CALL_PENDING && call->next_at_ms < wake)
                wake = call->next_at_ms > now ? call->next_at_ms : now;
            active = active || call->state == HTTP_CALL_PENDING ||
                     call->state == HTTP_CALL_RUNNING;
        }
        if (!active)
            break;
        /* Sleeps until a socket is ready, curl's own timer, or the next
         * retry is due. */
        curl_multi_poll(client->multi, NULL, 0, (int)(wake - now), NULL);
    }

    ord_error result = ORD_OK;
    if (r.decisive != SIZE_MAX)
        result = calls[r.decisive].result;
    for (size_t i = 0; i < count; i++) {
        if (result == ORD_OK && calls[i].state == HTTP_CALL_DONE)
            result = calls[i].result;
        release(&r, &calls[i]);
        free(calls[i].url);
        calls[i].url = NULL;
        calls[i].headers = NULL;
        ord_http_request_free(&calls[i].request);
    }
    *decisive = r.decisive;
    return result;
}

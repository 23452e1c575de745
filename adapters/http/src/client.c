/* The per-thread client: one multi handle (its connection cache keeps the
 * downstream connections alive between calls) and HTTP_SLOTS easy handles. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

ord_error ord_http_client_new(ord_http_client **out, ord_http_services *services)
{
    if (out == NULL)
        return ORD_EINVALID;
    *out = NULL;
    if (services == NULL)
        return ORD_EINVALID;
    ord_http_client *c = calloc(1, sizeof *c);
    if (c == NULL)
        return ORD_ENOMEM;
    c->services = services;
    if (getrandom(&c->rng, sizeof c->rng, GRND_NONBLOCK) != (ssize_t)sizeof c->rng)
        c->rng = (uint64_t)ord_http_monotonic_ms() ^ (uint64_t)(uintptr_t)c;
    c->rng |= 1u; /* xorshift must not start at zero */
    c->multi = curl_multi_init();
    bool ok = c->multi != NULL;
    for (int i = 0; ok && i < HTTP_SLOTS; i++) {
        c->easy[i] = curl_easy_init();
        c->body[i].limit = services->max_response_bytes;
        ok = c->easy[i] != NULL && ord_http_transfer_init(c, i) == ORD_OK;
    }
    if (!ok) {
        ord_http_client_free(c);
        return ORD_EINTERNAL;
    }
    *out = c;
    return ORD_OK;
}

void ord_http_client_free(ord_http_client *client)
{
    if (client == NULL)
        return;
    for (int i = 0; i < HTTP_SLOTS; i++) {
        if (client->easy[i] != NULL)
            curl_easy_cleanup(client->easy[i]);
        free(client->body[i].data);
    }
    if (client->multi != NULL)
        curl_multi_cleanup(client->multi);
    free(client);
}

uint64_t ord_http_random(ord_http_client *client)
{
    /* xorshift64*: jitter and span ids need spread, not secrecy. */
    uint64_t x = client->rng;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    client->rng = x;
    return x * 0x2545f4914f6cdd1dULL;
}

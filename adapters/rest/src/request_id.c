/* Request ids: incoming ones are echoed only when they cannot inject
 * anything into headers or logs; new ones are random UUIDs. */
#include "request_id.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include <orders/support/uuid.h>

bool ord_rest_request_id_is_valid(const char *id)
{
    size_t len = 0;
    for (const char *p = id; *p != '\0'; p++, len++) {
        char ch = *p;
        bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                  ch == '.' || ch == '_' || ch == ':' || ch == '-';
        if (!ok || len >= 64)
            return false;
    }
    return len > 0;
}

/* Random bytes for ids, fetched from the kernel a batch at a time: one
 * getrandom() per 32 requests of a worker thread instead of one each. Only
 * uniqueness matters for a request id, so a pool kept in memory (and
 * shared by a forked child) costs nothing that matters. */
#define ID_POOL_SIZE 512
static _Thread_local unsigned char id_pool[ID_POOL_SIZE];
static _Thread_local size_t id_pool_used = ID_POOL_SIZE;

static void fill_pool(void)
{
    if (getrandom(id_pool, sizeof id_pool, GRND_NONBLOCK) != (ssize_t)sizeof id_pool) {
        /* The kernel pool is not ready: mix time and the stack address. */
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        uint64_t x = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^ (uint64_t)(uintptr_t)&ts;
        for (size_t i = 0; i < sizeof id_pool; i++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            id_pool[i] = (unsigned char)x;
        }
    }
    id_pool_used = 0;
}

void ord_rest_request_id_generate(char *out, size_t cap)
{
    enum { UUID_BYTES = 16 };
    if (cap == 0)
        return;
    if (id_pool_used + UUID_BYTES > sizeof id_pool)
        fill_pool();
    unsigned char *b = id_pool + id_pool_used;
    id_pool_used += UUID_BYTES;
    ord_uuid_mark_v4(b);
    char text[ORD_UUID_TEXT_SIZE];
    ord_uuid_format(b, text);
    size_t len = strlen(text);
    len = len < cap - 1 ? len : cap - 1;
    memcpy(out, text, len);
    out[len] = '\0';
}

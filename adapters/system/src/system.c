/* The real clock and random UUIDs: the only place the core's time and
 * randomness come from in a running program. */
#include <orders/adapters/system/system.h>

#include <stdio.h>
#include <sys/random.h>
#include <time.h>

static int64_t system_now_ms(void *self)
{
    (void)self;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static ord_error system_uuid_v4(void *self, char out[ORD_UUID_SIZE])
{
    (void)self;
    unsigned char b[16];
    size_t got = 0;
    while (got < sizeof b) {
        ssize_t n = getrandom(b + got, sizeof b - got, 0);
        if (n < 0) {
            out[0] = '\0';
            return ORD_EINTERNAL;
        }
        got += (size_t)n;
    }
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
    snprintf(out, ORD_UUID_SIZE,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
             b[13], b[14], b[15]);
    return ORD_OK;
}

static const ord_clock_ops system_clock_ops = {
    .version = ORD_CLOCK_VERSION,
    .now_ms = system_now_ms,
};

static const ord_id_source_ops system_id_ops = {
    .version = ORD_ID_SOURCE_VERSION,
    .uuid_v4 = system_uuid_v4,
};

ord_clock ord_system_clock(void)
{
    return (ord_clock){.ops = &system_clock_ops, .self = NULL};
}

ord_id_source ord_system_ids(void)
{
    return (ord_id_source){.ops = &system_id_ops, .self = NULL};
}

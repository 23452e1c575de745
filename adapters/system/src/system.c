/* The real clock and random UUIDs: the only place the core's time and
 * randomness come from in a running program. */
#include <orders/adapters/system/system.h>

#include <sys/random.h>
#include <time.h>

#include <orders/support/uuid.h>

static int64_t system_now_ms(void *self)
{
    (void)self;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

_Static_assert(ORD_UUID_SIZE == ORD_UUID_TEXT_SIZE, "one UUID text size");

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
    ord_uuid_mark_v4(b);
    ord_uuid_format(b, out);
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

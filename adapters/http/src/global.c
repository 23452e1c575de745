/* Process-wide libcurl set-up and the monotonic clock the engine times with. */
#include "internal.h"

#include <time.h>

ord_error ord_http_global_init(void)
{
    /* Not thread-safe in libcurl: the program calls this before threads. */
    return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? ORD_OK : ORD_EINTERNAL;
}

void ord_http_global_cleanup(void)
{
    curl_global_cleanup();
}

int64_t ord_http_monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* SIGTERM and SIGINT are taken synchronously: blocked in every thread from
 * the start, and waited for by the main thread. */
#ifndef ORDER_SERVER_SIGNALS_H
#define ORDER_SERVER_SIGNALS_H

#include <stdint.h>

/* Call first, before any thread exists (threads inherit the mask). */
void srv_signals_block(void);

/* Wait for SIGTERM or SIGINT, at most @p timeout_ms (< 0: forever).
 * Returns the signal, or 0 when the time ran out. */
int srv_signals_wait(int64_t timeout_ms);

/* "SIGTERM", "SIGINT" or "signal". */
const char *srv_signal_name(int sig);

#endif

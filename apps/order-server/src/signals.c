/* Stop signals without handlers doing work: the main thread waits for them
 * with sigwait(), so shutdown runs as ordinary code. */
#include "signals.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <time.h>

static void ignore(int sig)
{
    (void)sig;
}

static void stop_set(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGTERM);
    sigaddset(set, SIGINT);
}

void srv_signals_block(void)
{
    /* A background job inherits SIGINT ignored, and an ignored signal is
     * discarded even when blocked: give both a handler so they stay pending. */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = ignore;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    /* A peer closing its socket early must not kill the server. */
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);
    sigset_t set;
    stop_set(&set);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
}

int srv_signals_wait(int64_t timeout_ms)
{
    sigset_t set;
    stop_set(&set);
    if (timeout_ms < 0) {
        int sig = 0;
        while (sigwait(&set, &sig) != 0)
            ;
        return sig;
    }
    struct timespec ts = {(time_t)(timeout_ms / 1000), (long)(timeout_ms % 1000) * 1000000L};
    for (;;) {
        int sig = sigtimedwait(&set, NULL, &ts);
        if (sig > 0)
            return sig;
        if (errno == EAGAIN)
            return 0;
        /* EINTR: another signal's handler ran; wait again (slightly longer
         * than asked at worst). */
    }
}

const char *srv_signal_name(int sig)
{
    return sig == SIGTERM ? "SIGTERM" : sig == SIGINT ? "SIGINT" : "signal";
}

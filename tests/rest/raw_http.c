/* Raw HTTP/1.1 over loopback sockets (see raw_http.h). */
#define _GNU_SOURCE /* strcasestr, MSG_NOSIGNAL */
#include "raw_http.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

double raw_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int raw_connect(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

bool raw_send(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = send(fd, data, len, MSG_NOSIGNAL);
        if (n <= 0)
            return false;
        data += n;
        len -= (size_t)n;
    }
    return true;
}

bool raw_send_text(int fd, const char *text)
{
    return raw_send(fd, text, strlen(text));
}

/* Wait up to @p ms for input; 1 readable, 0 not yet, -1 error. */
static int readable(int fd, int ms)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    int rc = poll(&p, 1, ms < 0 ? 0 : ms);
    return rc < 0 ? -1 : rc;
}

char *raw_read_all(int fd, int timeout_ms, bool *closed)
{
    size_t cap = 4096, len = 0;
    char *out = malloc(cap);
    if (out == NULL)
        return NULL;
    *closed = false;
    double end = raw_now() + timeout_ms / 1000.0;
    for (;;) {
        int left = (int)((end - raw_now()) * 1000);
        if (left <= 0 || readable(fd, left) <= 0)
            break;
        if (len + 1024 >= cap) {
            char *grown = realloc(out, cap * 2);
            if (grown == NULL)
                break;
            out = grown;
            cap *= 2;
        }
        ssize_t n = recv(fd, out + len, cap - len - 1, 0);
        if (n <= 0) {
            *closed = true;
            break;
        }
        len += (size_t)n;
    }
    out[len] = '\0';
    return out;
}

int raw_read_answer(int fd, int timeout_ms, char *out, size_t cap)
{
    char buf[65536];
    size_t len = 0;
    double end = raw_now() + timeout_ms / 1000.0;
    long body = -1;
    size_t head = 0;
    for (;;) {
        if (head > 0 && len >= head + (size_t)body)
            break;
        int left = (int)((end - raw_now()) * 1000);
        if (left <= 0 || readable(fd, left) <= 0 || len + 1 >= sizeof buf)
            return -1;
        ssize_t n = recv(fd, buf + len, sizeof buf - len - 1, 0);
        if (n <= 0)
            return -1;
        len += (size_t)n;
        buf[len] = '\0';
        if (head == 0) {
            char *end_of_head = strstr(buf, "\r\n\r\n");
            if (end_of_head != NULL) {
                head = (size_t)(end_of_head - buf) + 4;
                const char *cl = strcasestr(buf, "\r\nContent-Length:");
                body = cl != NULL && cl < end_of_head ? strtol(cl + 17, NULL, 10) : 0;
                /* An interim 100 Continue is not the answer. */
                if (strncmp(buf, "HTTP/1.1 100", 12) == 0) {
                    memmove(buf, buf + head, len - head + 1);
                    len -= head;
                    head = 0;
                    body = -1;
                }
            }
        }
    }
    if (out != NULL && cap > 0) {
        size_t n = len < cap - 1 ? len : cap - 1;
        memcpy(out, buf, n);
        out[n] = '\0';
    }
    int status = -1;
    if (sscanf(buf, "HTTP/1.%*d %d", &status) != 1)
        return -1;
    return status;
}

bool raw_wait_closed(int fd, int timeout_ms)
{
    bool closed = false;
    free(raw_read_all(fd, timeout_ms, &closed));
    return closed;
}

int raw_request(int port, const char *request, int timeout_ms, double *seconds)
{
    double start = raw_now();
    int fd = raw_connect(port);
    int status = -1;
    if (fd >= 0 && raw_send_text(fd, request))
        status = raw_read_answer(fd, timeout_ms, NULL, 0);
    if (fd >= 0)
        close(fd);
    if (seconds != NULL)
        *seconds = raw_now() - start;
    return status;
}

/* ---- attackers ---- */

typedef struct raw_peer {
    int fd;
    bool closed;   /* by the server */
    bool answered; /* a status line arrived */
} raw_peer;

struct raw_attack {
    raw_attack_kind kind;
    int interval_ms;
    raw_peer *peers;
    int count;
    atomic_bool stop;
    atomic_int closed;
    atomic_int answered;
    pthread_t thread;
};

const char *raw_attack_name(raw_attack_kind kind)
{
    static const char *const names[] = {"idle", "slow-headers", "slow-body", "oversize"};
    return (unsigned)kind < 4 ? names[kind] : "?";
}

static const char *opening(raw_attack_kind kind)
{
    switch (kind) {
    case RAW_ATTACK_SLOW_HEADERS:
        return "GET /health/live HTTP/1.1\r\nHost: x\r\nX-Slow: ";
    case RAW_ATTACK_SLOW_BODY:
        return "POST /api/v1/orders HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
               "Content-Length: 1000\r\n\r\n";
    case RAW_ATTACK_OVERSIZE:
        return "POST /api/v1/orders HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
               "Content-Length: 10000000\r\n\r\n";
    case RAW_ATTACK_IDLE:
        break;
    }
    return "";
}

/* Note what the server did on a peer: an answer, or the close. */
static void observe(raw_attack *a, raw_peer *p)
{
    while (!p->closed && readable(p->fd, 0) > 0) {
        char buf[4096];
        ssize_t n = recv(p->fd, buf, sizeof buf - 1, MSG_DONTWAIT);
        if (n > 0) {
            buf[n] = '\0';
            if (!p->answered && strncmp(buf, "HTTP/1.", 7) == 0) {
                p->answered = true;
                atomic_fetch_add(&a->answered, 1);
            }
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        p->closed = true;
        atomic_fetch_add(&a->closed, 1);
    }
}

static void *drive(void *arg)
{
    raw_attack *a = arg;
    while (!atomic_load(&a->stop)) {
        for (int i = 0; i < a->count; i++) {
            raw_peer *p = &a->peers[i];
            observe(a, p);
            if (!p->closed && a->kind != RAW_ATTACK_IDLE && !raw_send(p->fd, "a", 1)) {
                p->closed = true;
                atomic_fetch_add(&a->closed, 1);
            }
        }
        for (int waited = 0; waited < a->interval_ms && !atomic_load(&a->stop); waited += 10) {
            struct timespec tick = {0, 10 * 1000000L};
            nanosleep(&tick, NULL);
        }
    }
    return NULL;
}

raw_attack *raw_attack_start(int port, raw_attack_kind kind, int connections, int interval_ms)
{
    raw_attack *a = calloc(1, sizeof *a);
    if (a == NULL)
        return NULL;
    a->peers = calloc((size_t)connections, sizeof *a->peers);
    if (a->peers == NULL) {
        free(a);
        return NULL;
    }
    a->kind = kind;
    a->interval_ms = interval_ms;
    for (int i = 0; i < connections; i++) {
        int fd = raw_connect(port);
        if (fd < 0)
            break;
        raw_send_text(fd, opening(kind));
        a->peers[a->count++] = (raw_peer){.fd = fd};
    }
    if (a->count == 0 || pthread_create(&a->thread, NULL, drive, a) != 0) {
        for (int i = 0; i < a->count; i++)
            close(a->peers[i].fd);
        free(a->peers);
        free(a);
        return NULL;
    }
    return a;
}

int raw_attack_closed(raw_attack *attack)
{
    return atomic_load(&attack->closed);
}

int raw_attack_answered(raw_attack *attack)
{
    return atomic_load(&attack->answered);
}

int raw_attack_opened(const raw_attack *attack)
{
    return attack->count;
}

int raw_attack_stop(raw_attack *attack)
{
    if (attack == NULL)
        return 0;
    atomic_store(&attack->stop, true);
    pthread_join(attack->thread, NULL);
    for (int i = 0; i < attack->count; i++) {
        observe(attack, &attack->peers[i]);
        close(attack->peers[i].fd);
    }
    int closed = atomic_load(&attack->closed);
    free(attack->peers);
    free(attack);
    return closed;
}

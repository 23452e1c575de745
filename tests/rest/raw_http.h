/* Raw HTTP/1.1 over loopback sockets for hostile-client tests and the
 * attack benchmark: exact bytes out, answers and closes observed, and
 * attackers (slow, idle, oversize) driven from a thread of their own. */
#ifndef ORDERS_TESTS_RAW_HTTP_H
#define ORDERS_TESTS_RAW_HTTP_H

#include <stdbool.h>
#include <stddef.h>

/* A connected socket to 127.0.0.1:port, or -1. */
int raw_connect(int port);

/* Send all of @p data; false when the peer is gone. */
bool raw_send(int fd, const char *data, size_t len);
bool raw_send_text(int fd, const char *text);

/* Read whatever arrives until the peer closes or @p timeout_ms passes:
 * malloc'd, NUL-terminated (free()). *closed tells whether it closed. */
char *raw_read_all(int fd, int timeout_ms, bool *closed);

/* Read one whole answer (headers, then Content-Length bytes) within
 * @p timeout_ms; returns its status, or -1. @p out (may be NULL) receives
 * the answer text, cut to @p cap - 1 bytes. */
int raw_read_answer(int fd, int timeout_ms, char *out, size_t cap);

/* Whether the peer closes the connection within @p timeout_ms (data it
 * sends meanwhile is read and dropped). */
bool raw_wait_closed(int fd, int timeout_ms);

/* One request on a fresh connection: its status within @p timeout_ms, or -1;
 * *seconds receives how long the answer took. */
int raw_request(int port, const char *request, int timeout_ms, double *seconds);

/* Monotonic seconds. */
double raw_now(void);

/* ---- attackers ---- */

typedef enum raw_attack_kind {
    RAW_ATTACK_IDLE = 0,         /* connect, send nothing */
    RAW_ATTACK_SLOW_HEADERS = 1, /* a request line, then a header byte at a time */
    RAW_ATTACK_SLOW_BODY = 2,    /* whole headers announcing 1000 bytes, a byte at a time */
    RAW_ATTACK_OVERSIZE = 3      /* headers announcing 10 MB, then body bytes slowly */
} raw_attack_kind;

typedef struct raw_attack raw_attack;

/* Open @p connections connections to @p port and keep each doing @p kind,
 * a byte every @p interval_ms, from a thread, until raw_attack_stop().
 * NULL when not even one connection could be opened. */
raw_attack *raw_attack_start(int port, raw_attack_kind kind, int connections, int interval_ms);

/* Connections the server has closed so far. */
int raw_attack_closed(raw_attack *attack);

/* Connections that got an answer (a status line) so far. */
int raw_attack_answered(raw_attack *attack);

/* Connections the attack opened. */
int raw_attack_opened(const raw_attack *attack);

/* Stop, close what is left and free; returns how many the server closed. */
int raw_attack_stop(raw_attack *attack);

/* "idle", "slow-headers", "slow-body", "oversize". */
const char *raw_attack_name(raw_attack_kind kind);

#endif

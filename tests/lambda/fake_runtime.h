/* A fake of the Lambda Runtime API for the tests, served by civetweb in the
 * test process: it hands out queued invocations to GET .../next (holding
 * the request until there is one, as AWS does) and records what the
 * program posts to .../response, .../error and /init/error. */
#ifndef ORDERS_TESTS_FAKE_RUNTIME_H
#define ORDERS_TESTS_FAKE_RUNTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct fake_rt fake_rt;

/* What the program posted for one invocation, or at start. */
typedef struct fake_post {
    bool error;            /* .../error or /init/error; false: .../response */
    char error_type[128];  /* Lambda-Runtime-Function-Error-Type */
    char *body;            /* malloc'd, NUL-terminated */
    size_t body_len;
} fake_post;

/* Start on a free port of 127.0.0.1; NULL on failure. */
fake_rt *fake_rt_start(void);
int fake_rt_port(const fake_rt *rt);
void fake_rt_stop(fake_rt *rt);

/* Queue an invocation. @p request_id is sent as Lambda-Runtime-Aws-Request-Id
 * as given (NULL: "req-N", written to @p id_out of 64 bytes); @p deadline_ms
 * is Lambda-Runtime-Deadline-Ms (0: the header is left out). */
void fake_rt_push(fake_rt *rt, const char *event, size_t len, const char *request_id,
                  int64_t deadline_ms, char *id_out);

/* Wait up to @p timeout_ms for the post about @p request_id (NULL: the init
 * error); false on time-out. The caller frees post->body. */
bool fake_rt_wait(fake_rt *rt, const char *request_id, int timeout_ms, fake_post *post);

/* Requests to .../next waiting now. */
int fake_rt_waiting(fake_rt *rt);

/* Forget the programs polling now: their waiting requests end without an
 * invocation, so a program started next takes every queued one. */
void fake_rt_drop_waiters(fake_rt *rt);

#endif

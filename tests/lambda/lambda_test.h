/* Support of the Lambda program's tests: the fake Runtime API, bootstrap
 * processes against the real PostgreSQL and simulator of the backing
 * fixture (ORD_E2E_DIR), and API Gateway events of both payload versions
 * whose answers read like HTTP replies (e2e_reply). */
#ifndef ORDERS_TESTS_LAMBDA_TEST_H
#define ORDERS_TESTS_LAMBDA_TEST_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "e2e.h"
#include "fake_runtime.h"

/* Longest wait for one invocation's answer. */
#define LT_ANSWER_MS 30000

/* Group setup/teardown: the simulator, the fake runtime and one bootstrap
 * (the fixture's database and simulator, ORDER_AUTH=off,
 * ORDER_AUTH_ADMIN_GROUP=orders-admins and short background intervals);
 * teardown stops it with SIGTERM and fails unless it exits 0 without a
 * sanitizer report or the database password in any bootstrap log. */
int lt_group_setup(void **state);
/* The same with @p extra settings ("NAME=value", NULL-terminated) that win. */
int lt_group_start(void **state, const char *const *extra);
int lt_group_teardown(void **state);

fake_rt *lt_runtime(void);

/* Start another bootstrap on the fake runtime with the standard settings
 * and @p extra ("NAME=value" entries, NULL-terminated; they win), its
 * output going to @p log_name in the fixture directory. */
pid_t lt_bootstrap_start(const char *const *extra, const char *log_name);
/* Send @p sig (0: none) and wait up to @p timeout_s for the exit; returns
 * the exit status, 128 + signal when killed, -1 when still running. */
int lt_bootstrap_wait(pid_t pid, int sig, int timeout_s);
/* The group's bootstrap. */
pid_t lt_bootstrap(void);
/* The fixture's database URL (with its password). */
const char *lt_database_url(void);

/* One request as an API Gateway event. */
typedef struct lt_request {
    const char *method;
    const char *path;
    const char *query;       /* raw query text ("limit=2&cursor=x"); payload 1.0 gets maps */
    const char *body;
    bool base64;             /* send the body base64-encoded */
    const char *headers[8];  /* "Name: value" lines, NULL-terminated */
    const char *claims;      /* the authorizer's claims, JSON object text; NULL: none */
    const char *scopes;      /* payload 2.0 JWT scopes, JSON array text; NULL: none */
    const char *request_id;  /* requestContext.requestId; NULL: "gw-N" */
} lt_request;

/* The event text for payload @p version (1 or 2); free(). */
char *lt_event(int version, const lt_request *req);

/* The answer to an event: an HTTP reply (headers as "Name: value\r\n"
 * lines from headers/multiValueHeaders/cookies, the body decoded), and the
 * raw answer in json. Fails the test when the invocation errored. */
typedef struct lt_http {
    e2e_reply reply;
    cJSON *answer; /* the posted JSON */
} lt_http;
lt_http lt_call(int version, const lt_request *req);
void lt_http_free(lt_http *h);

/* Push raw event text and wait for what the program posts. */
fake_post lt_invoke_raw(const char *event, size_t len, int64_t deadline_ms);

#endif

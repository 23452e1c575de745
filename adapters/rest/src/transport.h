/* Private parts of the civetweb transport (server.c): writing whole answers
 * in one write, strict request framing, and reading a body against the
 * request's deadline. Only the transport files include this header. */
#ifndef ORDERS_REST_TRANSPORT_H
#define ORDERS_REST_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <civetweb.h>

#include <orders/adapters/rest/message.h>

#include "problem.h"

/* ---- wire.c: answers ---- */

/* The reason phrase of a status we send ("Not Found"); never the client's text. */
const char *ord_rest_wire_reason(int status);

/* An answer as the transport writes it. */
typedef struct rest_wire_answer {
    int status;
    const ord_rest_header *headers; /* sent as given */
    size_t header_count;
    const char *body;               /* may be NULL */
    size_t body_len;
    bool head;                      /* the request was HEAD: headers only */
    bool close;                     /* "Connection: close", and civetweb closes */
} rest_wire_answer;

/* Write status line, headers (plus Date, Content-Length unless 1xx/204,
 * Connection) and body with one write. Returns 0, or -1 when the connection
 * failed or memory ran out (the connection is then closed). */
int ord_rest_wire_send(struct mg_connection *conn, const rest_wire_answer *answer);

/* A transport-level refusal in the problem shape (its type URI, title =
 * error, detail = message), with a fresh X-Request-Id and Retry-After when @p retry_after_s
 * > 0; always closes the connection. Returns what ord_rest_wire_send() does. */
int ord_rest_wire_problem(struct mg_connection *conn, int status, rest_problem_type type,
                          const char *title, const char *detail, int retry_after_s, bool head,
                          char request_id_out[65]);

/* ---- framing.c: what may reach a handler ---- */

/* How the body of a request is framed, once the framing is known sound. */
typedef struct rest_framing {
    int64_t content_length; /* bytes announced, or -1 (chunked or none) */
    bool chunked;           /* Transfer-Encoding: chunked */
    bool expect_continue;   /* the client waits for "100 Continue" */
    int refuse_status;      /* 0: sound; else 400 or 417 */
    const char *refuse_detail; /* static text naming the fault */
} rest_framing;

/* Check the framing civetweb parsed, strictly (RFC 9112 6.3): exactly one
 * well-formed Content-Length or one Transfer-Encoding that is exactly
 * "chunked", never both; no blank before a header name's colon; an Expect
 * other than 100-continue is 417. */
void ord_rest_check_framing(const struct mg_request_info *info, rest_framing *out);

/* ---- body.c: the request body ---- */

typedef enum rest_body_status {
    REST_BODY_OK = 0,
    REST_BODY_TOO_LARGE,  /* over ORD_REST_MAX_BODY_BYTES (known early or found while reading) */
    REST_BODY_TIMEOUT,    /* the request's deadline passed while reading */
    REST_BODY_BROKEN,     /* the client went away or sent a broken chunked body */
    REST_BODY_NO_MEMORY
} rest_body_status;

/* Read the body in bounded pieces until its end, the size limit or
 * @p deadline_ms (monotonic), whichever comes first. On REST_BODY_OK *out is
 * the NUL-terminated body (free()) or NULL when empty. */
rest_body_status ord_rest_read_body(struct mg_connection *conn, const rest_framing *framing,
                                    int64_t deadline_ms, char **out, size_t *len);

/* ---- socket_of.c ---- */

/* The socket descriptor civetweb serves this request's connection on, or
 * -1 when it cannot be found (Linux /proc). */
int ord_rest_socket_of(const struct mg_request_info *info);

/* Close civetweb's listening socket on @p port (this process's, any
 * address) without stopping civetweb: connection attempts are refused from
 * then on. Returns false when no such socket was found. */
bool ord_rest_close_listener(int port);

/* Monotonic milliseconds. */
int64_t ord_rest_monotonic_ms(void);

#endif

/* Reading a request body against the request's deadline. A read blocks in
 * civetweb until its piece is whole, however slowly the bytes trickle in:
 * the transport's watchdog ends a read past the deadline by shutting the
 * socket's read side, and the deadline is checked between pieces. */
#include "transport.h"

#include <stdlib.h>
#include <string.h>

/* Bytes asked of one read. */
#define PIECE 16384

rest_body_status ord_rest_read_body(struct mg_connection *conn, const rest_framing *framing,
                                    int64_t deadline_ms, char **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    int64_t announced = framing->content_length;
    if (announced > (int64_t)ORD_REST_MAX_BODY_BYTES)
        return REST_BODY_TOO_LARGE; /* refused before a byte of it is read */
    if (announced == 0 || (announced < 0 && !framing->chunked))
        return REST_BODY_OK;
    if (framing->expect_continue) {
        static const char go_on[] = "HTTP/1.1 100 Continue\r\n\r\n";
        if (mg_write(conn, go_on, sizeof go_on - 1) != (int)(sizeof go_on - 1))
            return REST_BODY_BROKEN;
    }
    /* Room for one byte past the limit, so that a body of exactly the limit
     * reads to its end. */
    size_t cap = announced > 0 ? (size_t)announced + 1 : PIECE;
    char *body = malloc(cap);
    if (body == NULL)
        return REST_BODY_NO_MEMORY;
    size_t have = 0;
    rest_body_status status = REST_BODY_OK;
    for (;;) {
        if (ord_rest_monotonic_ms() >= deadline_ms) {
            status = REST_BODY_TIMEOUT;
            break;
        }
        if (have + 1 >= cap) {
            if (cap >= ORD_REST_MAX_BODY_BYTES + 2) {
                status = REST_BODY_TOO_LARGE;
                break;
            }
            size_t grown_cap = cap * 2 > ORD_REST_MAX_BODY_BYTES + 2 ? ORD_REST_MAX_BODY_BYTES + 2
                                                                      : cap * 2;
            char *grown = realloc(body, grown_cap);
            if (grown == NULL) {
                status = REST_BODY_NO_MEMORY;
                break;
            }
            body = grown;
            cap = grown_cap;
        }
        size_t want = cap - 1 - have < PIECE ? cap - 1 - have : PIECE;
        int n = mg_read(conn, body + have, want);
        if (n < 0) {
            /* Past the deadline the transport's watchdog shut the read side. */
            status = ord_rest_monotonic_ms() >= deadline_ms ? REST_BODY_TIMEOUT : REST_BODY_BROKEN;
            break;
        }
        if (n == 0) {
            /* The end; or, short of the announced length, a client that
             * closed (at once) or fell silent (civetweb gave up waiting). */
            if (announced > 0 && have < (size_t)announced)
                status = ord_rest_monotonic_ms() >= deadline_ms ? REST_BODY_TIMEOUT
                                                                : REST_BODY_BROKEN;
            break;
        }
        have += (size_t)n;
        if (have > ORD_REST_MAX_BODY_BYTES) {
            status = REST_BODY_TOO_LARGE;
            break;
        }
        if (announced > 0 && have == (size_t)announced)
            break;
    }
    if (status != REST_BODY_OK) {
        free(body);
        return status;
    }
    body[have] = '\0';
    *out = body;
    *len = have;
    return REST_BODY_OK;
}

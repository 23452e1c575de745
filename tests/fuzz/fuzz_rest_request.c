/* The REST API as a client reaches it: method, path, query, headers and
 * body through ord_rest_api_handle() - the router and its percent-decoding
 * of path segments, the query parameters (limit, status, cursor), the
 * headers the API reads (Authorization, Content-Type, Idempotency-Key,
 * If-Match, X-Request-Id, traceparent, and X-Forwarded-For: each request
 * comes from the trusted proxy) and the body decoders - against a fresh
 * world per input (rest_world.h), checking every answer.
 *
 * Input, as text:
 *   [@WHO]               optional first line: the caller as a transport that
 *                        authenticated it itself would say - @admin, @guest or
 *                        @CUSTOMER-ID; without it the bearer authenticator
 *                        decides from the Authorization header (jwt_world.h)
 *   METHOD TARGET        TARGET is the path, then ?query if any
 *   Name: value          any number of header lines (at most 64 are used)
 *                        an empty line
 *   body                 everything after it, as sent (not NUL-terminated)
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "rest_world.h"

#define MAX_HEADERS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input in = {data, size};
    char *lines[1 + MAX_HEADERS + 1] = {NULL};
    size_t nlines = 0;

    ord_principal caller = {ORD_PRINCIPAL_CUSTOMER, 0, "fuzz"};
    const ord_principal *who = NULL;
    char *line = fuzz_line(&in, NULL);
    lines[nlines++] = line;
    if (line[0] == '@') {
        if (strcmp(line, "@admin") == 0)
            caller.kind = ORD_PRINCIPAL_ADMIN;
        else if (strcmp(line, "@guest") == 0)
            caller.kind = ORD_PRINCIPAL_GUEST;
        else
            caller.customer_id = strtoll(line + 1, NULL, 10);
        who = &caller;
        line = fuzz_line(&in, NULL);
        lines[nlines++] = line;
    }
    ord_rest_request req;
    memset(&req, 0, sizeof req);
    req.principal = who;
    /* From the trusted proxy: the client is the last X-Forwarded-For entry. */
    req.remote_addr = FUZZ_PROXY;
    char *space = strchr(line, ' ');
    req.method = line;
    req.path = "";
    if (space != NULL) {
        *space = '\0';
        req.path = space + 1;
        char *query = strchr(space + 1, '?');
        if (query != NULL) {
            *query = '\0';
            req.query = query + 1;
        }
    }

    ord_rest_header headers[MAX_HEADERS];
    size_t count = 0;
    for (;;) {
        if (in.n == 0)
            break;
        char *h = fuzz_line(&in, NULL);
        if (h[0] == '\0') {
            free(h);
            break;
        }
        if (count == MAX_HEADERS) {
            free(h);
            continue;
        }
        lines[nlines++] = h;
        char *colon = strchr(h, ':');
        char *value = colon != NULL ? colon + 1 : h + strlen(h);
        if (colon != NULL)
            *colon = '\0';
        /* The transport hands values over with surrounding blanks trimmed. */
        while (*value == ' ' || *value == '\t')
            value++;
        size_t vlen = strlen(value);
        while (vlen > 0 && (value[vlen - 1] == ' ' || value[vlen - 1] == '\t'))
            value[--vlen] = '\0';
        headers[count].name = h;
        headers[count].value = value;
        count++;
    }
    req.headers = count > 0 ? headers : NULL;
    req.header_count = count;
    size_t body_len = 0;
    char *body = fuzz_rest(&in, &body_len);
    req.body = body;
    req.body_len = body_len;
    req.body_too_large = body_len > ORD_REST_MAX_BODY_BYTES;

    fuzz_world world;
    fuzz_world_open(&world);
    fuzz_world_answer(&world, &req, NULL);
    fuzz_world_close(&world);

    free(body);
    for (size_t i = 0; i < nlines; i++)
        free(lines[i]);
    return 0;
}

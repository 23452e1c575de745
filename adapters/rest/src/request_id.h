/* X-Request-Id: keep a sane incoming id, else make a random UUID. */
#ifndef ORDERS_REST_REQUEST_ID_H
#define ORDERS_REST_REQUEST_ID_H

#include <stdbool.h>
#include <stddef.h>

/* Whether an incoming id is 1..64 characters of [A-Za-z0-9._:-]. */
bool ord_rest_request_id_is_valid(const char *id);
/* A random UUID v4 into @p out (at least 37 bytes). */
void ord_rest_request_id_generate(char *out, size_t cap);

#endif

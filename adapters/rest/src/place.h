/* Create and checkout share the saga's answers and idempotency handling. */
#ifndef ORDERS_REST_PLACE_H
#define ORDERS_REST_PLACE_H

#include <orders/application/place_order.h>

#include "call.h"

/* Read Idempotency-Key: false (400 answered) when malformed; *use is NULL
 * when the request has none, else @p idem filled (fingerprint in the arena). */
bool ord_rest_read_idempotency(rest_call *c, ord_idempotency *idem, const ord_idempotency **use);
/* Answers outcomes only one use case has (checkout's draft outcomes):
 * true when it answered @p r. */
typedef bool (*rest_place_answer)(rest_call *c, const ord_place_result *r);

/* Answer a result (first by @p own, when not NULL, then the outcomes create
 * and checkout share) and record the answer under the key. */
void ord_rest_answer_place(rest_call *c, const ord_place_result *r, const ord_idempotency *idem,
                           rest_place_answer own);

#endif

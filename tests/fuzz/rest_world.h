/* A fresh API over the in-memory adapters for each input of the REST
 * targets (so that no input depends on what an earlier one left), served
 * by one API with the bearer authenticator over the JWT verifier of
 * jwt_world.h and the per-client limits on (out of reach), and the
 * properties every answer of the API must have. */
#ifndef ORDERS_TESTS_FUZZ_REST_WORLD_H
#define ORDERS_TESTS_FUZZ_REST_WORLD_H

#include <orders/adapters/memory/downstream.h>
#include <orders/adapters/memory/store.h>
#include <orders/adapters/memory/test_clock.h>
#include <orders/adapters/rest/api.h>

/* What the world holds before the input's request: the catalog of the REST
 * tests (products 1 to 5 in USD; customer 666 restricted, 777 ineligible),
 * orders 1 and 2 of customer 12345 (CONFIRMED, a millisecond apart, so
 * that a page of one has a next page) and order 3, a draft of the guest
 * FUZZ_GUEST_TOKEN with one line. */
#define FUZZ_CUSTOMER 12345
#define FUZZ_GUEST_TOKEN "f3a9c2d17b4e5a6f8091c3d2e4f5a6b7"
/* The reverse proxy the API trusts for X-Forwarded-For. */
#define FUZZ_PROXY "10.0.0.1"

typedef struct fuzz_world {
    ord_memory_store *store;
    ord_memory_downstream *ds;
    ord_manual_clock *clock;
    ord_counting_ids *ids;
    ord_service *svc;
    ord_rest_api *api; /* shared by every world; not the world's to free */
} fuzz_world;

void fuzz_world_open(fuzz_world *w);
void fuzz_world_close(fuzz_world *w);

/* Answer @p req and check the answer: a status the API may send (never
 * 500: nothing a client sends may be an internal error), an X-Request-Id,
 * header names and values without CR, LF or other control characters, and
 * a JSON body that parses whenever the answer says it is JSON. The answer
 * goes to @p keep (ord_rest_response_free()) when it is not NULL. With
 * ORDERS_FUZZ_VERBOSE set, each answer's status and body go to stderr. */
void fuzz_world_answer(fuzz_world *w, const ord_rest_request *req, ord_rest_response *keep);

#endif

/* The page cursor of GET /api/v1/orders/customer/{customerId}: the codec of
 * application/src/queries.c, through ord_list_orders() over a world of 25
 * orders of one customer (rest_world.h and more; listing changes nothing,
 * so one world serves every input).
 *
 * Input: one byte for the customer (even: the world's customer 12345, odd:
 * customer 4242), one for the page size (1 + byte % 100), then the cursor
 * text (all of it; empty means no cursor).
 *
 * A cursor is accepted or refused (ORD_EINVALID), nothing else; an accepted
 * one gives a page of orders older than nothing it skipped; and every
 * cursor the service hands out is accepted again, leads to strictly older
 * orders and, walked to the end, visits each order once. With
 * ORDERS_FUZZ_VERBOSE set, the cursors handed out go to stderr.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <orders/orders.h>

#include "fuzz.h"
#include "rest_world.h"

#define WORLD_ORDERS 25

static fuzz_world world;
static const ord_principal ADMIN = {ORD_PRINCIPAL_ADMIN, 0, "fuzz"};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_world_open(&world);
    /* Two orders of the customer are there; add more, some in the same
     * millisecond, so that ties of created_at are ordered by id. */
    for (int i = 0; i < WORLD_ORDERS - 2; i++) {
        ord_item_request line = {2, 1};
        ord_create_request req = {FUZZ_CUSTOMER, NULL, "1 Penny Lane", NULL, &line, 1};
        ord_place_result result;
        memset(&result, 0, sizeof result);
        FUZZ_CHECK(ord_place_order(world.svc, &ADMIN, NULL, &req, NULL, &result) == ORD_OK);
        FUZZ_CHECK(result.outcome == ORD_PLACED);
        ord_place_result_free(&result);
        if (i % 3 == 0)
            ord_manual_clock_advance(world.clock, 1);
    }
    return 0;
}

/* (created, id) of @p a is strictly before (newer than) that of @p b. */
static bool newer(const ord_order *a, const ord_order *b)
{
    return a->created_at_ms > b->created_at_ms ||
           (a->created_at_ms == b->created_at_ms && a->id > b->id);
}

static void check_page(const ord_list_result *r, size_t limit)
{
    FUZZ_CHECK(r->page.count <= limit);
    for (size_t i = 1; i < r->page.count; i++)
        FUZZ_CHECK(newer(&r->page.orders[i - 1], &r->page.orders[i]));
    if (r->has_next) {
        FUZZ_CHECK(r->page.count == limit);
        FUZZ_CHECK(strlen(r->next_cursor) > 0 && strlen(r->next_cursor) < ORD_CURSOR_SIZE);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input in = {data, size};
    int64_t customer = (fuzz_u8(&in) & 1) == 0 ? FUZZ_CUSTOMER : 4242;
    size_t limit = 1 + fuzz_u8(&in) % ORD_MAX_PAGE_SIZE;
    char *cursor = fuzz_rest_string(&in);

    ord_list_request req = {customer, limit, cursor[0] != '\0' ? cursor : NULL, NULL};
    ord_list_result r;
    ord_error err = ord_list_orders(world.svc, &ADMIN, &req, &r);
    FUZZ_CHECK(err == ORD_OK || err == ORD_EINVALID);
    size_t seen = 0;
    while (err == ORD_OK) {
        check_page(&r, limit);
        seen += r.page.count;
        FUZZ_CHECK(seen <= WORLD_ORDERS);
        if (!r.has_next)
            break;
        if (getenv("ORDERS_FUZZ_VERBOSE") != NULL)
            fprintf(stderr, "customer %lld limit %zu: next cursor %s\n", (long long)customer,
                    limit, r.next_cursor);
        /* The cursor handed out is accepted and moves on. */
        char next[ORD_CURSOR_SIZE];
        memcpy(next, r.next_cursor, sizeof next);
        ord_order last = r.page.orders[r.page.count - 1];
        ord_list_request more = {customer, limit, next, NULL};
        ord_list_result r2;
        err = ord_list_orders(world.svc, &ADMIN, &more, &r2);
        FUZZ_CHECK(err == ORD_OK);
        FUZZ_CHECK(r2.page.count == 0 || newer(&last, &r2.page.orders[0]));
        ord_order_page_free(&r.page);
        r = r2;
    }
    /* From the start, the walk visits every order of the customer once. */
    if (err == ORD_OK && req.cursor == NULL)
        FUZZ_CHECK(seen == (customer == FUZZ_CUSTOMER ? WORLD_ORDERS : 0));
    if (err == ORD_OK)
        ord_order_page_free(&r.page);
    free(cursor);
    return 0;
}

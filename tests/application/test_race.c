/* Cancel racing ship on the same order from two threads: exactly one wins,
 * the other sees the transition it can no longer make, and the stock in the
 * fake inventory matches the winners. */
#include "fixture.h"

#include <pthread.h>
#include <string.h>

#define PAIRS 8
#define ROUNDS 5
#define QUANTITY 2 /* 5 rounds x 8 orders x 2 fit the 100 in stock even if every ship wins */

typedef struct racer {
    fx *f;
    pthread_barrier_t *start;
    int64_t order_id;
    bool ship;
    ord_error result;
} racer;

static void *race(void *arg)
{
    racer *r = arg;
    ord_principal admin = fx_admin();
    char ref[24];
    fx_ref(r->order_id, ref);
    pthread_barrier_wait(r->start);
    r->result = r->ship ? ord_ship_order(r->f->svc, &admin, NULL, ref, 0)
                        : ord_cancel_order(r->f->svc, &admin, NULL, ref, 0);
    return NULL;
}

static int64_t place(fx *f)
{
    fx_request r;
    fx_request_init(&r, FX_CUSTOMER, 1, 2, QUANTITY);
    ord_place_result res = {0};
    fx_place(f, &r, &res);
    assert_int_equal(res.outcome, ORD_PLACED);
    int64_t id = res.order.id;
    ord_place_result_free(&res);
    return id;
}

static void test_cancel_and_ship_race_has_exactly_one_winner_per_order(void **state)
{
    fx *f = *state;
    /* The fixture's observer counts without locks; this test runs without it. */
    memset(&f->config.observer, 0, sizeof f->config.observer);
    fx_rebuild(f);

    size_t shipped = 0;
    for (int round = 0; round < ROUNDS; round++) {
        racer racers[2 * PAIRS];
        pthread_t threads[2 * PAIRS];
        pthread_barrier_t start;
        assert_int_equal(pthread_barrier_init(&start, NULL, 2 * PAIRS), 0);
        for (int i = 0; i < PAIRS; i++) {
            int64_t id = place(f);
            racers[2 * i] = (racer){.f = f, .start = &start, .order_id = id, .ship = false};
            racers[2 * i + 1] = (racer){.f = f, .start = &start, .order_id = id, .ship = true};
        }
        for (int i = 0; i < 2 * PAIRS; i++)
            assert_int_equal(pthread_create(&threads[i], NULL, race, &racers[i]), 0);
        for (int i = 0; i < 2 * PAIRS; i++)
            assert_int_equal(pthread_join(threads[i], NULL), 0);
        pthread_barrier_destroy(&start);

        for (int i = 0; i < PAIRS; i++) {
            const racer *c = &racers[2 * i];
            const racer *s = &racers[2 * i + 1];
            bool cancel_won = c->result == ORD_OK;
            bool ship_won = s->result == ORD_OK;
            assert_true(cancel_won != ship_won);
            assert_int_equal(cancel_won ? s->result : c->result, ORD_ETRANSITION);

            ord_order o;
            ord_order_init(&o);
            fx_load(f, c->order_id, &o);
            assert_int_equal(o.status, cancel_won ? ORD_STATUS_CANCELLED : ORD_STATUS_SHIPPED);
            assert_int_equal(o.pending_inventory, ORD_INVENTORY_NONE);
            /* One status change after CONFIRMED, never both. */
            assert_int_equal(o.history[o.history_count - 2].to, ORD_STATUS_CONFIRMED);
            ord_order_free(&o);
            assert_int_equal(ord_memory_downstream_reservation(f->ds, c->order_id),
                             cancel_won ? ORD_MEM_RESERVATION_RELEASED
                                        : ORD_MEM_RESERVATION_COMMITTED);
            if (ship_won)
                shipped++;
        }
    }
    ord_memory_stock s = fx_stock(f, 2);
    assert_int_equal(s.reserved, 0);
    assert_int_equal(s.committed, (int64_t)(shipped * QUANTITY));
    assert_int_equal(s.available, 100 - (int64_t)(shipped * QUANTITY));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_cancel_and_ship_race_has_exactly_one_winner_per_order,
                                        fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* The storage contract run against the in-memory store; the second connection
 * of the lock tests is an ord_memory_store_connection, and deliveries at a
 * chosen time go through a manual clock lent to the store. */
#include <orders/adapters/memory/store.h>
#include <orders/adapters/memory/test_clock.h>

#include "contract.h"

/* The one open connection of the current test, closed at teardown. */
static ord_memory_store_connection *second;

static int memory_setup(ord_store_fixture *fixture)
{
    ord_memory_store *store = NULL;
    if (ord_memory_store_new(&store) != ORD_OK)
        return -1;
    fixture->state = store;
    fixture->orders = ord_memory_store_orders(store);
    fixture->outbox = ord_memory_store_outbox(store);
    fixture->idempotency = ord_memory_store_idempotency(store);
    return 0;
}

static void memory_teardown(ord_store_fixture *fixture)
{
    ord_memory_store_connection_free(second);
    second = NULL;
    ord_memory_store_free(fixture->state);
    fixture->state = NULL;
}

static int memory_second_connection(ord_store_fixture *fixture, ord_order_repository *out)
{
    if (second == NULL && ord_memory_store_connection_new(fixture->state, &second) != ORD_OK)
        return -1;
    *out = ord_memory_store_connection_orders(second);
    return 0;
}

static int memory_deliver_at(ord_store_fixture *fixture, int64_t id, int64_t at_ms)
{
    ord_manual_clock *clock = NULL;
    if (ord_manual_clock_new(&clock, at_ms) != ORD_OK)
        return -1;
    ord_memory_store_use_clock(fixture->state, ord_manual_clock_port(clock));
    ord_error rc = fixture->outbox.ops->mark_delivered(fixture->outbox.self, id);
    ord_memory_store_use_clock(fixture->state, (ord_clock){NULL, NULL});
    ord_manual_clock_free(clock);
    return rc == ORD_OK ? 0 : -1;
}

int main(void)
{
    const ord_store_factory factory = {
        .name = "memory",
        .setup = memory_setup,
        .teardown = memory_teardown,
        .second_connection = memory_second_connection,
        .deliver_at = memory_deliver_at,
    };
    return ord_run_store_contract(&factory) == 0 ? 0 : 1;
}

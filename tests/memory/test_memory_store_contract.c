/* The storage contract run against the in-memory store. */
#include <orders/adapters/memory/store.h>

#include "contract.h"

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
    ord_memory_store_free(fixture->state);
    fixture->state = NULL;
}

int main(void)
{
    const ord_store_factory factory = {
        .name = "memory",
        .setup = memory_setup,
        .teardown = memory_teardown,
    };
    return ord_run_store_contract(&factory) == 0 ? 0 : 1;
}

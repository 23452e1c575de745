/* The downstream contract run against the in-memory fakes, seeded with the
 * catalog contract.h describes. */
#include <stdlib.h>

#include <orders/adapters/memory/downstream.h>

#include "contract.h"

static ord_money usd(int64_t minor)
{
    ord_money m;
    ord_money_make(&m, minor, "USD");
    return m;
}

static int seed(ord_memory_downstream *ds)
{
    int failed = 0;
    failed |= ord_memory_downstream_set_product(ds, 1, usd(9999), 10) != ORD_OK;
    failed |= ord_memory_downstream_set_product(ds, 2, usd(10), 100) != ORD_OK;
    failed |= ord_memory_downstream_set_product(ds, 3, usd(20), 100) != ORD_OK;
    failed |= ord_memory_downstream_set_product(ds, 4, usd(14999), 0) != ORD_OK;
    failed |= ord_memory_downstream_set_restricted(ds, ORD_CONTRACT_RESTRICTED_CUSTOMER, true) != ORD_OK;
    failed |= ord_memory_downstream_set_ineligible(ds, ORD_CONTRACT_INELIGIBLE_CUSTOMER, true) != ORD_OK;
    return failed;
}

static int memory_setup(ord_downstream_fixture *fixture)
{
    ord_memory_downstream *ds;
    if (ord_memory_downstream_new(&ds) != ORD_OK)
        return -1;
    if (seed(ds) != 0) {
        ord_memory_downstream_free(ds);
        return -1;
    }
    fixture->state = ds;
    fixture->precheck = ord_memory_downstream_precheck(ds);
    fixture->inventory = ord_memory_downstream_inventory(ds);
    fixture->tracking = ord_memory_downstream_tracking(ds);
    fixture->events = ord_memory_downstream_events(ds);
    return 0;
}

static void memory_teardown(ord_downstream_fixture *fixture)
{
    ord_memory_downstream_free(fixture->state);
    fixture->state = NULL;
}

static int memory_stock(ord_downstream_fixture *fixture, int64_t product_id, int64_t *available,
                        int64_t *reserved, int64_t *committed)
{
    ord_memory_stock s;
    if (ord_memory_downstream_stock(fixture->state, product_id, &s) != ORD_OK)
        return -1;
    *available = s.available;
    *reserved = s.reserved;
    *committed = s.committed;
    return 0;
}

static int64_t memory_events_received(ord_downstream_fixture *fixture)
{
    return (int64_t)ord_memory_downstream_event_count(fixture->state);
}

int main(void)
{
    const ord_downstream_factory factory = {
        .name = "memory",
        .setup = memory_setup,
        .teardown = memory_teardown,
        .stock = memory_stock,
        .events_received = memory_events_received,
    };
    return ord_run_downstream_contract(&factory) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

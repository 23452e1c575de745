/* The event sink contract run against the in-memory fake. */
#include <stdlib.h>
#include <string.h>

#include <orders/adapters/memory/downstream.h>

#include "contract.h"

static int memory_setup(ord_event_sink_fixture *fixture)
{
    ord_memory_downstream *ds;
    if (ord_memory_downstream_new(&ds) != ORD_OK)
        return -1;
    fixture->state = ds;
    fixture->sink = ord_memory_downstream_events(ds);
    return 0;
}

static void memory_teardown(ord_event_sink_fixture *fixture)
{
    ord_memory_downstream_free(fixture->state);
    fixture->state = NULL;
}

static int memory_received(ord_event_sink_fixture *fixture, ord_outbox_event *out, size_t cap,
                           size_t *count)
{
    *count = ord_memory_downstream_event_count(fixture->state);
    for (size_t i = 0; i < *count && i < cap; i++)
        if (ord_memory_downstream_event(fixture->state, i, &out[i]) != ORD_OK)
            return -1;
    return 0;
}

int main(void)
{
    const ord_event_sink_factory factory = {
        .name = "memory",
        .setup = memory_setup,
        .teardown = memory_teardown,
        .received = memory_received,
    };
    return ord_run_event_sink_contract(&factory) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

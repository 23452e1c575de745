/* The storage contract run against the PostgreSQL store: every test gets a
 * new connection to a database whose tables were just emptied, and the lock
 * tests a second store (a second connection) on it. A delivery at a chosen
 * time is a real one whose recorded time is then set in SQL. */
#include <stdio.h>

#include <orders/adapters/postgres/store.h>

#include "contract.h"
#include "pg_test.h"

/* The second store of the current test, freed at teardown. */
static ord_pg_store *second;

static int pg_setup(ord_store_fixture *fixture)
{
    if (pgt_truncate() != 0)
        return -1;
    ord_pg_store *store = pgt_store();
    fixture->state = store;
    fixture->orders = ord_pg_store_orders(store);
    fixture->outbox = ord_pg_store_outbox(store);
    fixture->idempotency = ord_pg_store_idempotency(store);
    return 0;
}

static void pg_teardown(ord_store_fixture *fixture)
{
    ord_pg_store *store = fixture->state;
    /* A failing test leaves the server's own words here for the log. */
    if (ord_pg_store_last_error(store)[0] != '\0')
        fprintf(stderr, "last PostgreSQL error: %s\n", ord_pg_store_last_error(store));
    ord_pg_store_free(store);
    fixture->state = NULL;
    ord_pg_store_free(second);
    second = NULL;
}

static int pg_second_connection(ord_store_fixture *fixture, ord_order_repository *out)
{
    (void)fixture;
    if (second == NULL)
        second = pgt_store();
    *out = ord_pg_store_orders(second);
    return 0;
}


static int deliver_at(ord_store_fixture *fixture, int64_t id, int64_t at_ms)
{
    return pgt_deliver_at(fixture->outbox, id, at_ms);
}

int main(void)
{
    pgt_init("orders_test_contract");
    const ord_store_factory factory = {
        .name = "postgres",
        .setup = pg_setup,
        .teardown = pg_teardown,
        .second_connection = pg_second_connection,
        .deliver_at = deliver_at,
    };
    return ord_run_store_contract(&factory) == 0 ? 0 : 1;
}

/* The storage contract run against stores that borrow their connections
 * from a pool: two connections shared by the test's stores, so that every
 * call may run on another session than the last one. */
#include <stdio.h>

#include <orders/adapters/postgres/pool.h>

#include "contract.h"
#include "pg_test.h"

#define POOL_SIZE 2

static ord_pg_pool *pool;
/* The second store of the current test, freed at teardown. */
static ord_pg_store *second;

static ord_pg_store *pooled_store(void)
{
    ord_pg_store *store = NULL;
    if (ord_pg_store_new_pooled(&store, pool) != ORD_OK)
        abort();
    return store;
}

static int pool_setup(ord_store_fixture *fixture)
{
    if (pgt_truncate() != 0)
        return -1;
    ord_pg_store *store = pooled_store();
    fixture->state = store;
    fixture->orders = ord_pg_store_orders(store);
    fixture->outbox = ord_pg_store_outbox(store);
    fixture->idempotency = ord_pg_store_idempotency(store);
    return 0;
}

static void pool_teardown(ord_store_fixture *fixture)
{
    ord_pg_store *store = fixture->state;
    if (ord_pg_store_last_error(store)[0] != '\0')
        fprintf(stderr, "last PostgreSQL error: %s\n", ord_pg_store_last_error(store));
    ord_pg_store_free(store);
    fixture->state = NULL;
    ord_pg_store_free(second);
    second = NULL;
    ord_pg_pool_stats stats;
    ord_pg_pool_stats_get(pool, &stats);
    if (stats.busy != 0) {
        fprintf(stderr, "%zu pooled connections were not given back\n", stats.busy);
        abort();
    }
}

static int pool_second_connection(ord_store_fixture *fixture, ord_order_repository *out)
{
    (void)fixture;
    if (second == NULL)
        second = pooled_store();
    *out = ord_pg_store_orders(second);
    return 0;
}


static int deliver_at(ord_store_fixture *fixture, int64_t id, int64_t at_ms)
{
    return pgt_deliver_at(fixture->outbox, id, at_ms);
}

int main(void)
{
    pgt_init("orders_test_pool_contract");
    if (ord_pg_pool_new(&pool, pgt_conninfo(), NULL, POOL_SIZE, 5000) != ORD_OK)
        return 1;
    const ord_store_factory factory = {
        .name = "postgres-pool",
        .setup = pool_setup,
        .teardown = pool_teardown,
        .second_connection = pool_second_connection,
        .deliver_at = deliver_at,
    };
    int failed = ord_run_store_contract(&factory);
    ord_pg_pool_free(pool);
    return failed == 0 ? 0 : 1;
}

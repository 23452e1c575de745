/* Places one order with the in-memory adapters and reads it back: the
 * smallest program that uses the installed library. Exits 0 only when the
 * order is CONFIRMED and reads back as it was placed. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <orders/adapters/memory/downstream.h>
#include <orders/adapters/memory/store.h>
#include <orders/adapters/system/system.h>
#include <orders/orders.h>

#define PRODUCT_ID 42
#define CUSTOMER_ID 7

static bool ok(ord_error err, const char *what)
{
    if (err != ORD_OK) {
        fprintf(stderr, "place-order: %s: %s\n", what, ord_strerror(err));
        return false;
    }
    return true;
}

static bool same_text(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* What the caller placed must be what a later read returns. */
static bool same_order(const ord_order *a, const ord_order *b)
{
    if (a->id != b->id || strcmp(a->number, b->number) != 0 ||
        a->customer_id != b->customer_id || a->status != b->status ||
        !ord_money_equal(a->total, b->total) || a->created_at_ms != b->created_at_ms ||
        !same_text(a->delivery_address, b->delivery_address) ||
        !same_text(a->carrier, b->carrier) || a->item_count != b->item_count) {
        return false;
    }
    for (size_t i = 0; i < a->item_count; i++) {
        if (a->items[i].product_id != b->items[i].product_id ||
            a->items[i].quantity != b->items[i].quantity ||
            !ord_money_equal(a->items[i].unit_price, b->items[i].unit_price)) {
            return false;
        }
    }
    return true;
}

/* Seeds the catalog, places an order for three units and reads it back. */
static bool run(ord_service *svc)
{
    const ord_principal customer = {ORD_PRINCIPAL_CUSTOMER, CUSTOMER_ID, "example"};
    const ord_item_request items[] = {{PRODUCT_ID, 3}};
    const ord_create_request request = {
        .customer_id = CUSTOMER_ID,
        .customer_name = "Ada Lovelace",
        .delivery_address = "12 St James's Square, London",
        .carrier = NULL,
        .items = items,
        .item_count = sizeof items / sizeof items[0],
    };
    ord_place_result placed;
    ord_order loaded;
    char *json = NULL;
    bool good = false;

    memset(&placed, 0, sizeof placed);
    ord_order_init(&loaded);

    if (!ok(ord_place_order(svc, &customer, NULL, &request, NULL, &placed), "place")) {
        goto done;
    }
    if (placed.outcome != ORD_PLACED || placed.order.status != ORD_STATUS_CONFIRMED) {
        fprintf(stderr, "place-order: outcome %d, status %s; expected a CONFIRMED order\n",
                (int)placed.outcome, ord_status_name(placed.order.status));
        goto done;
    }
    if (!ok(ord_get_order(svc, &customer, placed.order.number, &loaded), "get")) {
        goto done;
    }
    if (!same_order(&placed.order, &loaded)) {
        fprintf(stderr, "place-order: order %s reads back different\n", placed.order.number);
        goto done;
    }
    if (!ok(ord_order_to_json(&json, &loaded, ORD_ORDER_JSON_FULL), "render")) {
        goto done;
    }
    printf("%s\n", json);
    good = true;

done:
    free(json);
    ord_order_free(&loaded);
    ord_place_result_free(&placed);
    return good;
}

int main(void)
{
    ord_memory_store *store = NULL;
    ord_memory_downstream *downstream = NULL;
    ord_service *svc = NULL;
    ord_money price;
    bool good = false;

    if (!ok(ord_memory_store_new(&store), "store") ||
        !ok(ord_memory_downstream_new(&downstream), "downstream") ||
        !ok(ord_money_make(&price, 1999, "EUR"), "price") ||
        !ok(ord_memory_downstream_set_product(downstream, PRODUCT_ID, price, 10), "product")) {
        goto done;
    }

    const ord_ports ports = {
        .orders = ord_memory_store_orders(store),
        .outbox = ord_memory_store_outbox(store),
        .idempotency = ord_memory_store_idempotency(store),
        .precheck = ord_memory_downstream_precheck(downstream),
        .inventory = ord_memory_downstream_inventory(downstream),
        .tracking = ord_memory_downstream_tracking(downstream),
        .events = ord_memory_downstream_events(downstream),
        .clock = ord_system_clock(),
        .ids = ord_system_ids(),
    };
    if (!ok(ord_service_new(&svc, &ports, NULL), "service")) {
        goto done;
    }
    good = run(svc);

done:
    ord_service_free(svc);
    ord_memory_downstream_free(downstream);
    ord_memory_store_free(store);
    return good ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* The downstream port contract, run against the HTTP adapters and the
 * simulator: each fixture resets the simulator and loads the contract's
 * catalog; the inspection hooks read GET /sim/state. */
#include <stdio.h>
#include <stdlib.h>

#include "contract.h"
#include "sim_control.h"

static const char contract_catalog[] =
    "{\"products\":["
    "{\"productId\":1,\"name\":\"Keyboard\",\"price\":99.99,\"currency\":\"USD\",\"available\":10},"
    "{\"productId\":2,\"name\":\"Cable tie\",\"price\":0.10,\"currency\":\"USD\",\"available\":100},"
    "{\"productId\":3,\"name\":\"Sticker\",\"price\":0.20,\"currency\":\"USD\",\"available\":100},"
    "{\"productId\":4,\"name\":\"Monitor\",\"price\":149.99,\"currency\":\"USD\",\"available\":0}],"
    "\"restricted\":[{\"customerId\":666,\"restrictions\":[\"FRAUD\"]}],"
    "\"ineligible\":[777]}";

static int http_setup(ord_downstream_fixture *fixture)
{
    if (!sim_reset() || !sim_catalog(contract_catalog))
        return -1;
    http_fixture *fx = calloc(1, sizeof *fx);
    if (fx == NULL)
        return -1;
    ord_http_options options;
    sim_test_options(&options, fx->webhook);
    if (ord_http_services_new(&fx->services, &options, NULL, 0) != ORD_OK ||
        ord_http_client_new(&fx->client, fx->services) != ORD_OK) {
        http_fixture_close(fx);
        return -1;
    }
    fixture->state = fx;
    fixture->precheck = ord_http_client_precheck(fx->client);
    fixture->inventory = ord_http_client_inventory(fx->client);
    fixture->tracking = ord_http_client_tracking(fx->client);
    fixture->events = ord_http_client_events(fx->client);
    return 0;
}

static void http_teardown(ord_downstream_fixture *fixture)
{
    http_fixture_close(fixture->state);
    fixture->state = NULL;
}

static int http_stock(ord_downstream_fixture *fixture, int64_t product_id, int64_t *available,
                      int64_t *reserved, int64_t *committed)
{
    (void)fixture;
    return sim_stock(product_id, available, reserved, committed) ? 0 : -1;
}

static int64_t http_events_received(ord_downstream_fixture *fixture)
{
    (void)fixture;
    cJSON *state = sim_state();
    const cJSON *events = cJSON_GetObjectItemCaseSensitive(state, "events");
    int64_t n = cJSON_IsArray(events) ? cJSON_GetArraySize(events) : -1;
    cJSON_Delete(state);
    return n;
}

int main(void)
{
    if (ord_http_global_init() != ORD_OK || sim_base_url() == NULL) {
        fprintf(stderr, "no simulator: set ORD_SIM_PORT_FILE (run through ctest)\n");
        return 1;
    }
    static const ord_downstream_factory factory = {
        .name = "http + downstream-sim",
        .setup = http_setup,
        .teardown = http_teardown,
        .stock = http_stock,
        .events_received = http_events_received,
    };
    int failed = ord_run_downstream_contract(&factory);
    ord_http_global_cleanup();
    return failed == 0 ? 0 : 1;
}

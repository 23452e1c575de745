/* The REST targets' world: see rest_world.h. */
#include "rest_world.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include <orders/orders.h>

#include "fuzz.h"
#include "jwt_world.h"

#define WORLD_START_MS 1772980200000LL /* 2026-03-08T14:30:00Z */

static void must(ord_error err)
{
    FUZZ_CHECK(err == ORD_OK);
}

/* One API for every world: it keeps the per-client limiters (large
 * tables, too costly to build per input) and the authenticator, and serves
 * the world of the input being run. Its limits are far out of reach and
 * the limit on failed authentications is off, so what one input did never
 * changes another's answers. */
static fuzz_world *current;

static ord_service *world_service(void *ctx, void *thread_data)
{
    (void)ctx;
    (void)thread_data;
    return current != NULL ? current->svc : NULL;
}

static ord_rest_api *shared_api(void)
{
    static ord_rest_api *api;
    if (api != NULL)
        return api;
    ord_rest_api_config config = ORD_REST_API_CONFIG_INIT;
    config.service = world_service;
    config.authenticator = fuzz_bearer_authenticator();
    config.rate_limit_per_second = 1e9;
    config.rate_limit_burst = 1000000000;
    config.auth_failures_per_minute = 0;
    /* X-Forwarded-For is read for requests from FUZZ_PROXY. */
    config.trusted_proxy = FUZZ_PROXY;
    must(ord_rest_api_new(&api, &config));
    return api;
}

static void add_product(fuzz_world *w, int64_t id, int64_t minor, int64_t stock)
{
    ord_money price;
    must(ord_money_make(&price, minor, "USD"));
    must(ord_memory_downstream_set_product(w->ds, id, price, stock));
}

/* The world's orders are placed through the use cases, not the API: the
 * same result at half the cost, which each input pays. */
static const ord_principal WORLD_ADMIN = {ORD_PRINCIPAL_ADMIN, 0, "fuzz-world"};

static void place(fuzz_world *w, const char *name, const ord_item_request *items, size_t count)
{
    ord_create_request req = {FUZZ_CUSTOMER, name, "123 Main St", "DHL", items, count};
    ord_place_result result;
    memset(&result, 0, sizeof result);
    must(ord_place_order(w->svc, &WORLD_ADMIN, NULL, &req, NULL, &result));
    FUZZ_CHECK(result.outcome == ORD_PLACED);
    ord_place_result_free(&result);
}

void fuzz_world_open(fuzz_world *w)
{
    memset(w, 0, sizeof *w);
    must(ord_memory_store_new(&w->store));
    must(ord_memory_downstream_new(&w->ds));
    must(ord_manual_clock_new(&w->clock, WORLD_START_MS));
    must(ord_counting_ids_new(&w->ids));
    add_product(w, 1, 9999, 10);
    add_product(w, 2, 10, 100);
    add_product(w, 3, 20, 100);
    add_product(w, 4, 14999, 0);
    add_product(w, 5, 14999, 10);
    must(ord_memory_downstream_set_restricted(w->ds, 666, true));
    must(ord_memory_downstream_set_ineligible(w->ds, 777, true));

    ord_ports ports;
    memset(&ports, 0, sizeof ports);
    ports.orders = ord_memory_store_orders(w->store);
    ports.outbox = ord_memory_store_outbox(w->store);
    ports.idempotency = ord_memory_store_idempotency(w->store);
    ports.precheck = ord_memory_downstream_precheck(w->ds);
    ports.inventory = ord_memory_downstream_inventory(w->ds);
    ports.tracking = ord_memory_downstream_tracking(w->ds);
    ports.events = ord_memory_downstream_events(w->ds);
    ports.clock = ord_manual_clock_port(w->clock);
    ports.ids = ord_counting_ids_port(w->ids);
    ord_service_config config = ORD_SERVICE_CONFIG_INIT;
    must(ord_service_new(&w->svc, &ports, &config));

    w->api = shared_api();
    current = w;

    const ord_item_request first[] = {{1, 2}, {5, 1}};
    const ord_item_request second[] = {{3, 1}};
    place(w, "Ada Lovelace", first, 2);
    ord_manual_clock_advance(w->clock, 1);
    place(w, NULL, second, 1);
    const ord_item_request line[] = {{2, 3}};
    ord_draft_owner guest = {0, FUZZ_GUEST_TOKEN};
    ord_field_errors errors = {0};
    ord_order draft;
    ord_order_init(&draft);
    must(ord_create_draft(w->svc, &WORLD_ADMIN, &guest, line, 1, &errors, NULL, &draft));
    ord_order_free(&draft);
    ord_field_errors_free(&errors);
    /* Later orders are created a millisecond apart, so pages have an order. */
    ord_manual_clock_advance(w->clock, 1);
}

void fuzz_world_close(fuzz_world *w)
{
    current = NULL;
    ord_service_free(w->svc);
    ord_counting_ids_free(w->ids);
    ord_manual_clock_free(w->clock);
    ord_memory_downstream_free(w->ds);
    ord_memory_store_free(w->store);
    memset(w, 0, sizeof *w);
}

/* A field-value or field-name the transport may write as it is: visible
 * ASCII, and blanks inside values. */
static bool header_text_ok(const char *text, bool value)
{
    if (text == NULL || (!value && text[0] == '\0'))
        return false;
    for (const unsigned char *p = (const unsigned char *)text; *p != '\0'; p++) {
        bool ok = (*p > 0x20 && *p < 0x7f) || (value && (*p == ' ' || *p == '\t'));
        if (!ok)
            return false;
    }
    return true;
}

void fuzz_world_answer(fuzz_world *w, const ord_rest_request *req, ord_rest_response *keep)
{
    ord_rest_response res;
    ord_error err = ord_rest_api_handle(w->api, req, &res);
    FUZZ_CHECK(err == ORD_OK);
    /* For whoever writes seeds: what each one gets. */
    if (getenv("ORDERS_FUZZ_VERBOSE") != NULL)
        fprintf(stderr, "%s %s -> %d %.*s\n", req->method != NULL ? req->method : "-",
                req->path != NULL ? req->path : "-", res.status,
                (int)(res.body_len > 300 ? 300 : res.body_len), res.body != NULL ? res.body : "");
    for (size_t i = 0; getenv("ORDERS_FUZZ_VERBOSE") != NULL && i < res.header_count; i++)
        fprintf(stderr, "  %s: %s\n", res.headers[i].name, res.headers[i].value);
    FUZZ_CHECK(res.status >= 200 && res.status <= 599 && res.status != 500);
    FUZZ_CHECK(res.route != NULL);
    const char *id = ord_rest_response_header(&res, "X-Request-Id");
    FUZZ_CHECK(id != NULL && id[0] != '\0');
    for (size_t i = 0; i < res.header_count; i++) {
        FUZZ_CHECK(header_text_ok(res.headers[i].name, false));
        FUZZ_CHECK(header_text_ok(res.headers[i].value, true));
    }
    const char *type = ord_rest_response_header(&res, "Content-Type");
    if (type != NULL && (strncasecmp(type, "application/json", 16) == 0 ||
                         strncasecmp(type, "application/problem+json", 24) == 0)) {
        FUZZ_CHECK(res.body != NULL);
        const char *end = NULL;
        cJSON *json = cJSON_ParseWithLengthOpts(res.body, res.body_len, &end, false);
        FUZZ_CHECK(json != NULL && end != NULL);
        while (end < res.body + res.body_len && (*end == '\n' || *end == ' '))
            end++;
        FUZZ_CHECK(end == res.body + res.body_len);
        /* A problem names its status. */
        if (res.status >= 400) {
            const cJSON *status = cJSON_GetObjectItemCaseSensitive(json, "status");
            FUZZ_CHECK(cJSON_IsNumber(status) && status->valueint == res.status);
        }
        cJSON_Delete(json);
    }
    if (keep != NULL)
        *keep = res;
    else
        ord_rest_response_free(&res);
}

/* The REST test world: API, service and in-memory adapters. */
#include "fixture.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static ord_money usd(int64_t minor)
{
    ord_money m;
    assert_int_equal(ord_money_make(&m, minor, "USD"), ORD_OK);
    return m;
}

static ord_service *service_for_thread(void *ctx, void *thread_data)
{
    rx *x = ctx;
    if (x->thread_marker != NULL && thread_data != x->thread_marker)
        x->wrong_thread_data++;
    return x->no_service ? NULL : x->svc;
}

static size_t readiness(void *ctx, void *thread_data, ord_rest_dependency *deps, size_t cap)
{
    (void)thread_data;
    rx *x = ctx;
    assert_true(cap >= 2);
    strcpy(deps[0].name, "database");
    deps[0].up = x->ready.database_up;
    deps[0].required = true;
    strcpy(deps[1].name, "inventory");
    deps[1].up = x->ready.inventory_up;
    deps[1].required = false;
    return 2;
}

static void extra_metrics(void *ctx, void *thread_data, FILE *out)
{
    (void)ctx;
    (void)thread_data;
    fputs("circuit_breaker_state{service=\"inventory\"} 0\n", out);
}

static ord_error outbox_counts(void *ctx, void *thread_data, int64_t *pending, int64_t *parked)
{
    (void)thread_data;
    rx *x = ctx;
    ord_outbox outbox = ord_memory_store_outbox(x->store);
    return outbox.ops->count(outbox.self, pending, parked);
}

void rx_rebuild_service(rx *x)
{
    ord_service_free(x->svc);
    x->svc = NULL;
    assert_int_equal(ord_service_new(&x->svc, &x->ports, &x->config), ORD_OK);
}

int rx_setup(void **state)
{
    rx *x = calloc(1, sizeof *x);
    assert_non_null(x);
    assert_int_equal(ord_memory_store_new(&x->store), ORD_OK);
    assert_int_equal(ord_memory_downstream_new(&x->ds), ORD_OK);
    assert_int_equal(ord_manual_clock_new(&x->clock, RX_START_MS), ORD_OK);
    assert_int_equal(ord_counting_ids_new(&x->ids), ORD_OK);
    assert_int_equal(ord_memory_downstream_set_product(x->ds, 1, usd(9999), 10), ORD_OK);
    assert_int_equal(ord_memory_downstream_set_product(x->ds, 2, usd(10), 100), ORD_OK);
    assert_int_equal(ord_memory_downstream_set_product(x->ds, 3, usd(20), 100), ORD_OK);
    assert_int_equal(ord_memory_downstream_set_product(x->ds, 4, usd(14999), 0), ORD_OK);
    assert_int_equal(ord_memory_downstream_set_product(x->ds, 5, usd(14999), 10), ORD_OK);
    assert_int_equal(ord_memory_downstream_set_restricted(x->ds, 666, true), ORD_OK);
    assert_int_equal(ord_memory_downstream_set_ineligible(x->ds, 777, true), ORD_OK);
    assert_int_equal(ord_rest_metrics_new(&x->metrics), ORD_OK);

    ord_ports ports;
    memset(&ports, 0, sizeof ports);
    ports.orders = ord_memory_store_orders(x->store);
    ports.outbox = ord_memory_store_outbox(x->store);
    ports.idempotency = ord_memory_store_idempotency(x->store);
    ports.precheck = ord_memory_downstream_precheck(x->ds);
    ports.inventory = ord_memory_downstream_inventory(x->ds);
    ports.tracking = ord_memory_downstream_tracking(x->ds);
    ports.events = ord_memory_downstream_events(x->ds);
    ports.clock = ord_manual_clock_port(x->clock);
    ports.ids = ord_counting_ids_port(x->ids);
    ord_service_config config = ORD_SERVICE_CONFIG_INIT;
    config.observer = ord_rest_metrics_observer(x->metrics);
    x->ports = ports;
    x->config = config;
    rx_rebuild_service(x);

    x->log = tmpfile();
    assert_non_null(x->log);
    x->ready.database_up = true;
    x->ready.inventory_up = true;
    ord_rest_api_config api_config = ORD_REST_API_CONFIG_INIT;
    api_config.service = service_for_thread;
    api_config.service_ctx = x;
    api_config.authenticator = ord_rest_auth_off();
    api_config.metrics = x->metrics;
    api_config.access_log = x->log;
    api_config.retry_after_seconds = 7;
    api_config.hooks.ctx = x;
    api_config.hooks.readiness = readiness;
    api_config.hooks.metrics = extra_metrics;
    api_config.hooks.outbox_counts = outbox_counts;
    assert_int_equal(ord_rest_api_new(&x->api, &api_config), ORD_OK);
    *state = x;
    return 0;
}

int rx_teardown(void **state)
{
    rx *x = *state;
    ord_rest_api_free(x->api);
    ord_service_free(x->svc);
    ord_rest_metrics_free(x->metrics);
    ord_counting_ids_free(x->ids);
    ord_manual_clock_free(x->clock);
    ord_memory_downstream_free(x->ds);
    ord_memory_store_free(x->store);
    fclose(x->log);
    free(x);
    return 0;
}

ord_rest_response rx_send_as(rx *x, const ord_principal *who, const char *method, const char *path,
                             const char *query, const char *body, const ord_rest_header *headers,
                             size_t header_count)
{
    ord_rest_request req;
    memset(&req, 0, sizeof req);
    req.method = method;
    req.path = path;
    req.query = query;
    req.headers = headers;
    req.header_count = header_count;
    req.body = body;
    req.body_len = body != NULL ? strlen(body) : 0;
    req.principal = who;
    ord_rest_response res;
    assert_int_equal(ord_rest_api_handle(x->api, &req, &res), ORD_OK);
    return res;
}

ord_rest_response rx_send(rx *x, const char *method, const char *path, const char *query,
                          const char *body, ...)
{
    ord_rest_header headers[16];
    size_t n = 0;
    bool has_type = false;
    va_list ap;
    va_start(ap, body);
    for (;;) {
        const char *name = va_arg(ap, const char *);
        if (name == NULL)
            break;
        const char *value = va_arg(ap, const char *);
        assert_true(n < 15);
        headers[n].name = name;
        headers[n].value = value;
        if (strcasecmp(name, "Content-Type") == 0)
            has_type = true;
        n++;
    }
    va_end(ap);
    if (body != NULL && !has_type) {
        headers[n].name = "Content-Type";
        headers[n].value = "application/json";
        n++;
    }
    return rx_send_as(x, NULL, method, path, query, body, headers, n);
}

cJSON *rx_json(const ord_rest_response *res)
{
    assert_non_null(res->body);
    cJSON *json = cJSON_ParseWithLength(res->body, res->body_len);
    if (json == NULL)
        fail_msg("not JSON: %s", res->body);
    return json;
}

int64_t rx_int(const cJSON *obj, const char *name)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, name);
    if (!cJSON_IsNumber(item))
        fail_msg("member %s is not a number", name);
    return (int64_t)item->valuedouble;
}

const char *rx_str(const cJSON *obj, const char *name)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, name);
    if (!cJSON_IsString(item))
        fail_msg("member %s is not a string", name);
    return item->valuestring;
}

void rx_assert_header(const ord_rest_response *res, const char *name, const char *value)
{
    const char *got = ord_rest_response_header(res, name);
    if (got == NULL)
        fail_msg("header %s missing", name);
    assert_string_equal(got, value);
}

/* The problem types a title may carry (docs/api.md, Errors): one for most,
 * two where a title names two kinds. Written out here, not taken from the
 * adapter, so that a changed URI fails the tests. */
static const struct {
    const char *title;
    const char *types[2];
} PROBLEM_TYPES[] = {
    {"Malformed JSON", {"malformed-json"}},
    {"Validation failed", {"validation-failed"}},
    {"Invalid Idempotency-Key", {"invalid-idempotency-key"}},
    {"Payload too large", {"payload-too-large"}},
    {"Unsupported media type", {"unsupported-media-type"}},
    {"Not found", {"not-found"}},
    {"Method not allowed", {"method-not-allowed"}},
    {"Unauthorized", {"unauthorized", "draft-owner-mismatch"}},
    {"Forbidden", {"forbidden", "insufficient-scope"}},
    {"Too many requests", {"too-many-requests"}},
    {"Order not found", {"order-not-found"}},
    {"Invalid status transition", {"invalid-status-transition"}},
    {"Conflict", {"conflict"}},
    {"Precondition failed", {"precondition-failed"}},
    {"Order is not in draft state", {"not-in-draft-state"}},
    {"Draft is empty", {"draft-empty"}},
    {"Unknown product", {"unknown-product"}},
    {"Product cannot be priced", {"product-cannot-be-priced"}},
    {"Products priced in several currencies", {"several-currencies"}},
    {"Account has restrictions", {"account-restricted"}},
    {"Account is not eligible", {"account-ineligible"}},
    {"Insufficient stock", {"insufficient-stock"}},
    {"Inventory service unavailable", {"inventory-unavailable"}},
    {"Another order of this customer is being placed", {"customer-busy"}},
    {"Idempotency key reused with a different request", {"idempotency-key-mismatch"}},
    {"Request with this idempotency key is in progress", {"idempotency-key-in-progress"}},
    {"Service unavailable", {"service-unavailable"}},
    {"Catalog service unavailable", {"service-unavailable"}},
    {"Account restrictions service unavailable", {"service-unavailable"}},
    {"Account eligibility service unavailable", {"service-unavailable"}},
    {"Internal error", {"internal-error"}},
};

static bool problem_type_fits(const char *title, const char *type)
{
    static const char prefix[] = RX_PROBLEM_TYPE_PREFIX;
    if (strncmp(type, prefix, sizeof prefix - 1) != 0)
        return false;
    for (size_t i = 0; i < sizeof PROBLEM_TYPES / sizeof PROBLEM_TYPES[0]; i++) {
        if (strcmp(PROBLEM_TYPES[i].title, title) != 0)
            continue;
        for (size_t k = 0; k < 2; k++) {
            const char *name = PROBLEM_TYPES[i].types[k];
            if (name != NULL && strcmp(type + sizeof prefix - 1, name) == 0)
                return true;
        }
    }
    return false;
}

void rx_assert_problem_type(const ord_rest_response *res, const char *type)
{
    cJSON *json = rx_json(res);
    char want[160];
    snprintf(want, sizeof want, "%s%s", RX_PROBLEM_TYPE_PREFIX, type);
    assert_string_equal(rx_str(json, "type"), want);
    cJSON_Delete(json);
}

void rx_assert_problem(const ord_rest_response *res, int status, const char *error)
{
    if (res->status != status)
        fail_msg("status %d, expected %d: %s", res->status, status, res->body ? res->body : "");
    rx_assert_header(res, "Content-Type", "application/problem+json");
    cJSON *json = rx_json(res);
    assert_string_equal(rx_str(json, "error"), error);
    assert_string_equal(rx_str(json, "title"), error);
    if (!problem_type_fits(error, rx_str(json, "type")))
        fail_msg("problem \"%s\" has type %s", error, rx_str(json, "type"));
    assert_int_equal(rx_int(json, "status"), status);
    assert_string_equal(rx_str(json, "message"), rx_str(json, "detail"));
    cJSON_Delete(json);
}

int64_t rx_place(rx *x)
{
    ord_rest_response res = rx_send(x, "POST", "/api/v1/orders", NULL, RX_ORDER_BODY, NULL);
    if (res.status != 201)
        fail_msg("place: %d %s", res.status, res.body);
    cJSON *json = rx_json(&res);
    int64_t id = rx_int(json, "orderId");
    cJSON_Delete(json);
    ord_rest_response_free(&res);
    return id;
}

const char *rx_path(char buf[96], int64_t id, const char *suffix)
{
    snprintf(buf, 96, "/api/v1/orders/%" PRId64 "%s", id, suffix);
    return buf;
}

ord_principal rx_customer(int64_t customer_id)
{
    ord_principal p = {ORD_PRINCIPAL_CUSTOMER, customer_id, "test-customer"};
    return p;
}

ord_rest_service_fn rx_service_callback(void)
{
    return service_for_thread;
}

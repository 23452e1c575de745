/* Test helper: the simulator's control API over libcurl. */
#include "sim_control.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

static char base_url[64];

const char *sim_base_url(void)
{
    if (base_url[0] != '\0')
        return base_url;
    const char *file = getenv("ORD_SIM_PORT_FILE");
    FILE *f = file != NULL ? fopen(file, "r") : NULL;
    int port = 0;
    if (f == NULL)
        return NULL;
    if (fscanf(f, "%d", &port) != 1 || port <= 0 || port > 65535)
        port = 0;
    fclose(f);
    if (port == 0)
        return NULL;
    snprintf(base_url, sizeof base_url, "http://127.0.0.1:%d", port);
    return base_url;
}

typedef struct grow {
    char *data;
    size_t len;
} grow;

static size_t collect(char *data, size_t size, size_t count, void *userdata)
{
    grow *g = userdata;
    size_t n = size * count;
    char *bigger = realloc(g->data, g->len + n + 1);
    if (bigger == NULL)
        return 0;
    g->data = bigger;
    memcpy(g->data + g->len, data, n);
    g->len += n;
    g->data[g->len] = '\0';
    return n;
}

int sim_http(const char *method, const char *path, const char *body, char **body_out)
{
    const char *base = sim_base_url();
    if (body_out != NULL)
        *body_out = NULL;
    if (base == NULL)
        return -1;
    char url[512];
    snprintf(url, sizeof url, "%s%s", base, path);
    CURL *easy = curl_easy_init();
    if (easy == NULL)
        return -1;
    grow g = {0};
    struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: application/json");
    curl_easy_setopt(easy, CURLOPT_URL, url);
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, 10000L);
    curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, (void *)&g);
    if (body != NULL)
        curl_easy_setopt(easy, CURLOPT_POSTFIELDS, body);
    long status = -1;
    if (curl_easy_perform(easy) == CURLE_OK)
        curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(headers);
    curl_easy_cleanup(easy);
    if (body_out != NULL)
        *body_out = g.data;
    else
        free(g.data);
    return (int)status;
}

bool sim_reset(void)
{
    return sim_http("POST", "/sim/reset", NULL, NULL) == 204;
}

bool sim_fault(const char *json)
{
    return sim_http("PUT", "/sim/faults", json, NULL) == 200;
}

bool sim_catalog(const char *json)
{
    return sim_http("PUT", "/sim/catalog", json, NULL) == 204;
}

cJSON *sim_state(void)
{
    char *body = NULL;
    cJSON *json = NULL;
    if (sim_http("GET", "/sim/state", NULL, &body) == 200 && body != NULL)
        json = cJSON_Parse(body);
    free(body);
    return json;
}

int64_t sim_state_number(const char *section, const char *key)
{
    cJSON *state = sim_state();
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(state, section);
    if (key != NULL)
        item = cJSON_GetObjectItemCaseSensitive(item, key);
    int64_t value = cJSON_IsNumber(item) ? (int64_t)item->valuedouble : -1;
    cJSON_Delete(state);
    return value;
}

static int64_t number_in(const cJSON *object, const char *key)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, key);
    return cJSON_IsNumber(item) ? (int64_t)item->valuedouble : -1;
}

bool sim_stock(int64_t product_id, int64_t *available, int64_t *reserved, int64_t *committed)
{
    cJSON *state = sim_state();
    const cJSON *p;
    bool found = false;
    cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(state, "products"))
    {
        if (number_in(p, "productId") != product_id)
            continue;
        *available = number_in(p, "available");
        *reserved = number_in(p, "reserved");
        *committed = number_in(p, "committed");
        found = true;
    }
    cJSON_Delete(state);
    return found;
}

void sim_wait_idle(void)
{
    static const char *const services[] = {"catalog",      "inventory",   "tracking",
                                           "restrictions", "eligibility", "events"};
    for (int tries = 0; tries < 500; tries++) {
        cJSON *state = sim_state();
        const cJSON *in_flight = cJSON_GetObjectItemCaseSensitive(state, "inFlight");
        int busy = 0;
        for (size_t i = 0; i < sizeof services / sizeof services[0]; i++) {
            const cJSON *n = cJSON_GetObjectItemCaseSensitive(in_flight, services[i]);
            busy += cJSON_IsNumber(n) ? (int)n->valuedouble : 1;
        }
        cJSON_Delete(state);
        if (busy == 0)
            return;
        struct timespec pause = {.tv_sec = 0, .tv_nsec = 20 * 1000000L};
        nanosleep(&pause, NULL);
    }
}

void sim_test_options(ord_http_options *options, char *webhook)
{
    ord_http_options_init(options);
    ord_http_options_point_all(options, sim_base_url(), webhook, 300);
    for (int i = 0; i < ORD_HTTP_SERVICE_COUNT; i++) {
        options->services[i].connect_timeout_ms = 1000;
        options->services[i].timeout_ms = 300;
    }
    options->retry = (ord_http_retry_options){
        .max_attempts = 3, .base_delay_ms = 10, .max_delay_ms = 50, .max_total_ms = 2000};
    /* Tests that count on the breaker set it up themselves; the others must
     * never see it open. */
    options->breaker = (ord_http_breaker_options){.window_size = 100,
                                                  .minimum_calls = 100,
                                                  .failure_rate_percent = 100,
                                                  .open_wait_ms = 1000,
                                                  .half_open_calls = 1};
}

http_fixture *http_fixture_open(void (*tweak)(ord_http_options *options))
{
    if (sim_base_url() == NULL || !sim_reset())
        return NULL;
    http_fixture *fx = calloc(1, sizeof *fx);
    if (fx == NULL)
        return NULL;
    ord_http_options options;
    sim_test_options(&options, fx->webhook);
    if (tweak != NULL)
        tweak(&options);
    char err[200];
    if (ord_http_services_new(&fx->services, &options, err, sizeof err) != ORD_OK ||
        ord_http_client_new(&fx->client, fx->services) != ORD_OK) {
        fprintf(stderr, "http fixture: %s\n", err);
        http_fixture_close(fx);
        return NULL;
    }
    return fx;
}

void http_fixture_close(http_fixture *fx)
{
    if (fx == NULL)
        return;
    ord_http_client_free(fx->client);
    ord_http_services_free(fx->services);
    free(fx);
}

int http_group_setup(void **state)
{
    (void)state;
    if (ord_http_global_init() != ORD_OK)
        return -1;
    if (sim_base_url() == NULL) {
        fprintf(stderr, "no simulator: set ORD_SIM_PORT_FILE (run through ctest)\n");
        return -1;
    }
    return 0;
}

int http_group_teardown(void **state)
{
    (void)state;
    ord_http_global_cleanup();
    return 0;
}

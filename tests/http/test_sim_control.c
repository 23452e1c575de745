/* The downstream simulator's own behaviour, as other test suites rely on it:
 * the downstream APIs' edge cases and the /sim control API. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "sim_control.h"

static int setup(void **state)
{
    (void)state;
    return sim_reset() ? 0 : -1;
}

static void test_product_lookup_leaves_unknown_ids_out(void **state)
{
    (void)state;
    char *body = NULL;
    assert_int_equal(sim_http("GET", "/api/v1/inventory/products?ids=1,999,5", NULL, &body), 200);
    cJSON *list = cJSON_Parse(body);
    assert_int_equal(cJSON_GetArraySize(list), 2);
    assert_int_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(list, 1), "productId")->valueint, 5);
    assert_non_null(strstr(body, "\"price\":99.99"));
    cJSON_Delete(list);
    free(body);
}

static void test_product_lookup_needs_valid_ids(void **state)
{
    (void)state;
    assert_int_equal(sim_http("GET", "/api/v1/inventory/products", NULL, NULL), 400);
    assert_int_equal(sim_http("GET", "/api/v1/inventory/products?ids=1,x", NULL, NULL), 400);
    assert_int_equal(sim_http("GET", "/api/v1/inventory/products?ids=-3", NULL, NULL), 400);
}

static void test_malformed_reserve_is_400_without_products(void **state)
{
    (void)state;
    char *body = NULL;
    assert_int_equal(sim_http("POST", "/api/v1/inventory/reserve", "{\"orderId\":1}", &body), 400);
    assert_null(strstr(body, "unavailableProducts"));
    free(body);
    assert_int_equal(sim_http("POST", "/api/v1/inventory/reserve", "not json", NULL), 400);
}

static void test_refused_reserve_stays_refused_when_stock_returns(void **state)
{
    (void)state;
    const char *order = "{\"orderId\":77,\"items\":[{\"productId\":1,\"quantity\":101}]}";
    assert_int_equal(sim_http("POST", "/api/v1/inventory/reserve", order, NULL), 400);
    assert_true(sim_catalog("{\"products\":[{\"productId\":1,\"price\":1,\"available\":500}]}"));
    assert_int_equal(sim_http("POST", "/api/v1/inventory/reserve", order, NULL), 400);
    int64_t a, r, c;
    assert_true(sim_stock(1, &a, &r, &c));
    assert_int_equal(a, 500);
    assert_int_equal(r, 0);
}

static const char *reservation_status(int64_t order_id)
{
    static char status[32];
    cJSON *st = sim_state();
    const cJSON *res;
    status[0] = '\0';
    cJSON_ArrayForEach(res, cJSON_GetObjectItem(st, "reservations"))
    {
        if (cJSON_GetObjectItem(res, "orderId")->valuedouble == (double)order_id)
            strcpy(status, cJSON_GetObjectItem(res, "status")->valuestring);
    }
    cJSON_Delete(st);
    return status;
}

static void test_state_tracks_reservation_status(void **state)
{
    (void)state;
    assert_int_equal(sim_http("POST", "/api/v1/inventory/reserve",
                              "{\"orderId\":5,\"items\":[{\"productId\":2,\"quantity\":1}]}", NULL),
                     200);
    assert_string_equal(reservation_status(5), "RESERVED");
    assert_int_equal(sim_http("POST", "/api/v1/inventory/commit", "{\"orderId\":5}", NULL), 204);
    assert_string_equal(reservation_status(5), "COMMITTED");
    assert_int_equal(sim_http("POST", "/api/v1/inventory/reserve",
                              "{\"orderId\":6,\"items\":[{\"productId\":2,\"quantity\":1}]}", NULL),
                     200);
    assert_int_equal(sim_http("POST", "/api/v1/inventory/release", "{\"orderId\":6}", NULL), 204);
    assert_string_equal(reservation_status(6), "RELEASED");
    assert_int_equal(sim_http("POST", "/api/v1/inventory/release", "{}", NULL), 400);
}

static void test_stock_held_in_a_replaced_catalog_does_not_return(void **state)
{
    (void)state;
    assert_int_equal(sim_http("POST", "/api/v1/inventory/reserve",
                              "{\"orderId\":8,\"items\":[{\"productId\":1,\"quantity\":5}]}", NULL),
                     200);
    assert_int_equal(sim_http("POST", "/api/v1/inventory/reserve",
                              "{\"orderId\":9,\"items\":[{\"productId\":2,\"quantity\":3}]}", NULL),
                     200);
    assert_true(sim_catalog("{\"products\":[{\"productId\":1,\"price\":1,\"available\":10},"
                            "{\"productId\":2,\"price\":1,\"available\":10}]}"));
    assert_int_equal(sim_http("POST", "/api/v1/inventory/release", "{\"orderId\":8}", NULL), 204);
    assert_int_equal(sim_http("POST", "/api/v1/inventory/commit", "{\"orderId\":9}", NULL), 204);
    assert_string_equal(reservation_status(8), "RELEASED");
    assert_string_equal(reservation_status(9), "COMMITTED");
    for (int64_t id = 1; id <= 2; id++) {
        int64_t a, r, c;
        assert_true(sim_stock(id, &a, &r, &c));
        assert_int_equal(a, 10);
        assert_int_equal(r, 0);
        assert_int_equal(c, 0);
    }
}

static void test_bad_catalog_is_refused_and_changes_nothing(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "nope",
        "{}",
        "{\"products\":[{\"productId\":1,\"price\":-1,\"available\":1}]}",
        "{\"products\":[{\"productId\":1,\"price\":1.001,\"available\":1}]}",
        /* parses to the double nearest 9999999999999.002: not the price sent */
        "{\"products\":[{\"productId\":1,\"price\":9999999999999.001,\"currency\":\"KWD\","
        "\"available\":1}]}",
        "{\"products\":[{\"productId\":1,\"price\":1,\"available\":1},"
        "{\"productId\":1,\"price\":2,\"available\":1}]}",
        "{\"products\":[{\"productId\":0,\"price\":1,\"available\":1}]}",
        "{\"products\":[],\"ineligible\":[\"x\"]}",
        "{\"products\":[],\"restricted\":[{\"customerId\":5,\"restrictions\":[1]}]}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(sim_http("PUT", "/sim/catalog", bad[i], NULL), 400);
    int64_t a, r, c;
    assert_true(sim_stock(20, &a, &r, &c));
    assert_int_equal(a, 100);
}

static void test_negative_zero_price_is_zero(void **state)
{
    (void)state;
    assert_true(sim_catalog("{\"products\":[{\"productId\":1,\"price\":-0,\"available\":1},"
                            "{\"productId\":2,\"price\":-0.0,\"currency\":\"JPY\",\"available\":1}]}"));
    char *body = NULL;
    assert_int_equal(sim_http("GET", "/api/v1/inventory/products?ids=1,2", NULL, &body), 200);
    assert_non_null(strstr(body, "\"productId\":1,\"name\":\"Product 1\",\"price\":0.00,"));
    assert_non_null(strstr(body, "\"productId\":2,\"name\":\"Product 2\",\"price\":0,"));
    free(body);
}

static void test_catalog_replaces_account_lists(void **state)
{
    (void)state;
    assert_true(sim_catalog("{\"products\":[{\"productId\":3,\"price\":2.5,\"available\":1}],"
                            "\"restricted\":[{\"customerId\":5,\"restrictions\":[\"KYC\"]}],"
                            "\"ineligible\":[6]}"));
    char *body = NULL;
    assert_int_equal(sim_http("GET", "/api/v1/accounts/5/restrictions", NULL, &body), 200);
    assert_string_equal(body, "{\"restrictions\":[\"KYC\"]}");
    free(body);
    assert_int_equal(sim_http("GET", "/api/v1/accounts/666/restrictions", NULL, &body), 200);
    assert_string_equal(body, "{\"restrictions\":[]}");
    free(body);
    assert_int_equal(sim_http("GET", "/api/v1/accounts/6/eligibility", NULL, &body), 200);
    assert_string_equal(body, "{\"eligible\":false}");
    free(body);
    assert_int_equal(sim_http("GET", "/api/v1/accounts/abc/eligibility", NULL, NULL), 400);
}

static void test_reset_restores_the_start_catalog_and_forgets_activity(void **state)
{
    (void)state;
    assert_true(sim_catalog("{\"products\":[{\"productId\":1,\"price\":1,\"available\":1}]}"));
    assert_int_equal(sim_http("POST", "/api/v1/events", "{\"eventId\":\"e1\"}", NULL), 204);
    assert_true(sim_fault("{\"service\":\"catalog\",\"mode\":\"error\"}"));
    assert_true(sim_reset());
    cJSON *st = sim_state();
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(st, "products")), 20);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(st, "events")), 0);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(st, "reservations")), 0);
    cJSON_Delete(st);
    assert_int_equal(sim_http("GET", "/api/v1/inventory/products?ids=1", NULL, NULL), 200);
}

static void test_fault_requests_are_checked(void **state)
{
    (void)state;
    assert_int_equal(sim_http("PUT", "/sim/faults", "{\"service\":\"dns\",\"mode\":\"error\"}", NULL), 400);
    assert_int_equal(sim_http("PUT", "/sim/faults", "{\"service\":\"catalog\",\"mode\":\"boom\"}", NULL), 400);
    assert_int_equal(sim_http("PUT", "/sim/faults",
                              "{\"service\":\"catalog\",\"mode\":\"error\",\"errorRate\":2}", NULL),
                     400);
    assert_int_equal(sim_http("PUT", "/sim/faults", "[]", NULL), 400);
}

static void test_deeply_nested_request_is_400_and_the_simulator_lives_on(void **state)
{
    (void)state;
    /* 900 levels: under cJSON's own limit, deep enough to overflow a
     * civetweb thread's stack if it were parsed. */
    char body[1801];
    memset(body, '[', 900);
    memset(body + 900, ']', 900);
    body[1800] = '\0';
    assert_int_equal(sim_http("PUT", "/sim/faults", body, NULL), 400);
    assert_int_equal(sim_http("PUT", "/sim/catalog", body, NULL), 400);
    int64_t a, r, c;
    assert_true(sim_stock(1, &a, &r, &c)); /* still answering */
}

static void test_error_rate_fails_that_fraction_of_calls(void **state)
{
    (void)state;
    assert_true(sim_fault("{\"service\":\"eligibility\",\"mode\":\"error\",\"errorRate\":0.5}"));
    int failed = 0;
    for (int i = 0; i < 10; i++)
        failed += sim_http("GET", "/api/v1/accounts/1/eligibility", NULL, NULL) == 503;
    assert_int_equal(failed, 5);
    assert_true(sim_fault("{\"service\":\"all\",\"mode\":\"ok\"}"));
    assert_int_equal(sim_http("GET", "/api/v1/accounts/1/eligibility", NULL, NULL), 200);
}

static void test_ok_with_error_rate_answers_503(void **state)
{
    (void)state;
    assert_true(sim_fault("{\"service\":\"tracking\",\"mode\":\"ok\",\"errorRate\":1.0}"));
    assert_int_equal(sim_http("POST", "/api/v1/tracking/shipment",
                              "{\"orderId\":1,\"deliveryAddress\":\"x\",\"carrier\":\"DHL\"}", NULL),
                     503);
}

static void test_events_need_an_event_id_and_duplicates_are_counted(void **state)
{
    (void)state;
    assert_int_equal(sim_http("POST", "/api/v1/events", "{\"eventId\":\"a\"}", NULL), 204);
    assert_int_equal(sim_http("POST", "/api/v1/events", "{\"eventId\":\"a\",\"retry\":1}", NULL), 204);
    assert_int_equal(sim_http("POST", "/api/v1/events", "{\"eventId\":\"b\"}", NULL), 204);
    assert_int_equal(sim_http("POST", "/api/v1/events", "{\"id\":\"c\"}", NULL), 400);
    assert_int_equal(sim_state_number("duplicateEvents", NULL), 1);
    cJSON *st = sim_state();
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(st, "events")), 2);
    cJSON_Delete(st);
}

static void test_unknown_routes_and_methods(void **state)
{
    (void)state;
    assert_int_equal(sim_http("GET", "/nothing", NULL, NULL), 404);
    assert_int_equal(sim_http("DELETE", "/sim/state", NULL, NULL), 405);
    assert_int_equal(sim_http("GET", "/api/v1/inventory/reserve", NULL, NULL), 405);
}

static void *slow_lookup(void *arg)
{
    (void)arg;
    sim_http("GET", "/api/v1/inventory/products?ids=1", NULL, NULL);
    return NULL;
}

static void test_in_flight_maximum_counts_overlapping_calls(void **state)
{
    (void)state;
    assert_true(sim_fault("{\"service\":\"catalog\",\"mode\":\"slow\",\"latencyMs\":300}"));
    pthread_t threads[3];
    for (int i = 0; i < 3; i++)
        assert_int_equal(pthread_create(&threads[i], NULL, slow_lookup, NULL), 0);
    for (int i = 0; i < 3; i++)
        pthread_join(threads[i], NULL);
    assert_int_equal(sim_state_number("inFlightMax", "catalog"), 3);
    assert_int_equal(sim_state_number("inFlightMax", "inventory"), 0);
    assert_int_equal(sim_state_number("inFlight", "catalog"), 0);
}

static size_t ignore_body(char *data, size_t size, size_t count, void *userdata)
{
    (void)data;
    (void)userdata;
    return size * count;
}

/* n requests to a hanging service from clients that give up after 300 ms. */
static void give_up_on_hanging_calls(int n)
{
    enum { MAX = 16 };
    char url[512];
    snprintf(url, sizeof url, "%s/api/v1/inventory/release", sim_base_url());
    CURLM *multi = curl_multi_init();
    CURL *easy[MAX];
    assert_true(n <= MAX);
    for (int i = 0; i < n; i++) {
        easy[i] = curl_easy_init();
        curl_easy_setopt(easy[i], CURLOPT_URL, url);
        curl_easy_setopt(easy[i], CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(easy[i], CURLOPT_TIMEOUT_MS, 300L);
        curl_easy_setopt(easy[i], CURLOPT_POSTFIELDS, "{\"orderId\":1}");
        curl_easy_setopt(easy[i], CURLOPT_WRITEFUNCTION, ignore_body);
        curl_multi_add_handle(multi, easy[i]);
    }
    int running = 1;
    while (running > 0) {
        curl_multi_perform(multi, &running);
        curl_multi_poll(multi, NULL, 0, 100, NULL);
    }
    CURLMsg *msg;
    int left = 0, timed_out = 0;
    while ((msg = curl_multi_info_read(multi, &left)) != NULL)
        timed_out += msg->msg == CURLMSG_DONE && msg->data.result == CURLE_OPERATION_TIMEDOUT;
    for (int i = 0; i < n; i++) {
        curl_multi_remove_handle(multi, easy[i]);
        curl_easy_cleanup(easy[i]);
    }
    curl_multi_cleanup(multi);
    assert_int_equal(timed_out, n);
}

static void test_hang_ends_when_the_client_hangs_up(void **state)
{
    (void)state;
    /* A held request occupies one of the simulator's worker threads: one
     * still held after its client left would starve every other service. */
    assert_true(sim_fault("{\"service\":\"inventory\",\"mode\":\"hang\"}"));
    give_up_on_hanging_calls(8);
    int64_t held = -1;
    for (int tries = 0; tries < 100 && held != 0; tries++) {
        struct timespec pause = {.tv_sec = 0, .tv_nsec = 50 * 1000000L};
        nanosleep(&pause, NULL);
        held = sim_state_number("inFlight", "inventory");
    }
    assert_int_equal(held, 0);
    /* Still hanging for the next caller: only the gone clients were let go. */
    cJSON *st = sim_state();
    const cJSON *mode = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(st, "faults"), "inventory"),
        "mode");
    assert_true(cJSON_IsString(mode));
    assert_string_equal(mode->valuestring, "hang");
    cJSON_Delete(st);
    assert_int_equal(sim_state_number("requests", "inventory"), 8);
}

/* Order servers keep keep-alive connections to every downstream service
 * (several services per worker, several workers per instance, several
 * instances): idle ones must not hold back a new caller. */
#define KEEP_ALIVE_CALLERS 200

static int connect_to_sim(void)
{
    const char *base = sim_base_url();
    const char *colon = base != NULL ? strrchr(base, ':') : NULL;
    if (colon == NULL)
        return -1;
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(colon + 1))};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd >= 0 && connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        close(fd);
        fd = -1;
    }
    return fd;
}

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_idle_keep_alive_connections_do_not_hold_back_new_callers(void **state)
{
    (void)state;
    static const char request[] = "GET /api/v1/accounts/1/eligibility HTTP/1.1\r\n"
                                  "Host: sim\r\n\r\n";
    int fds[KEEP_ALIVE_CALLERS];
    for (int i = 0; i < KEEP_ALIVE_CALLERS; i++) {
        fds[i] = connect_to_sim();
        assert_true(fds[i] >= 0);
        /* Answered and then kept alive: the connection stays open, idle. */
        assert_int_equal(send(fds[i], request, sizeof request - 1, 0), (ssize_t)(sizeof request - 1));
    }
    double start = seconds_now();
    int status = sim_http("GET", "/api/v1/accounts/1/eligibility", NULL, NULL);
    double waited = seconds_now() - start;
    for (int i = 0; i < KEEP_ALIVE_CALLERS; i++)
        close(fds[i]);
    assert_int_equal(status, 200);
    /* Queued behind the idle connections, it would wait for their keep-alive
     * timeouts (2 s each round); served at once, it takes milliseconds. */
    assert_true(waited < 1.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_product_lookup_leaves_unknown_ids_out, setup),
        cmocka_unit_test_setup(test_product_lookup_needs_valid_ids, setup),
        cmocka_unit_test_setup(test_malformed_reserve_is_400_without_products, setup),
        cmocka_unit_test_setup(test_refused_reserve_stays_refused_when_stock_returns, setup),
        cmocka_unit_test_setup(test_state_tracks_reservation_status, setup),
        cmocka_unit_test_setup(test_stock_held_in_a_replaced_catalog_does_not_return, setup),
        cmocka_unit_test_setup(test_bad_catalog_is_refused_and_changes_nothing, setup),
        cmocka_unit_test_setup(test_negative_zero_price_is_zero, setup),
        cmocka_unit_test_setup(test_catalog_replaces_account_lists, setup),
        cmocka_unit_test_setup(test_reset_restores_the_start_catalog_and_forgets_activity, setup),
        cmocka_unit_test_setup(test_fault_requests_are_checked, setup),
        cmocka_unit_test_setup(test_deeply_nested_request_is_400_and_the_simulator_lives_on, setup),
        cmocka_unit_test_setup(test_error_rate_fails_that_fraction_of_calls, setup),
        cmocka_unit_test_setup(test_ok_with_error_rate_answers_503, setup),
        cmocka_unit_test_setup(test_events_need_an_event_id_and_duplicates_are_counted, setup),
        cmocka_unit_test_setup(test_unknown_routes_and_methods, setup),
        cmocka_unit_test_setup(test_in_flight_maximum_counts_overlapping_calls, setup),
        cmocka_unit_test_setup(test_hang_ends_when_the_client_hangs_up, setup),
        cmocka_unit_test_setup(test_idle_keep_alive_connections_do_not_hold_back_new_callers,
                               setup),
    };
    return cmocka_run_group_tests(tests, http_group_setup, http_group_teardown);
}

/* Benchmark (not a test): latency of the three pre-checks (prices,
 * restrictions, eligibility) against the simulator with a fixed latency per
 * service, run concurrently on one multi handle versus one after another.
 *   precheck_bench --url http://127.0.0.1:PORT [--latency-ms 50] [--iterations 100] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include <orders/adapters/http/client.h>
#include <orders/adapters/http/services.h>

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static size_t discard(char *data, size_t size, size_t count, void *userdata)
{
    (void)data;
    (void)userdata;
    return size * count;
}

static int put_fault(const char *base, int latency_ms)
{
    char url[512], body[160];
    snprintf(url, sizeof url, "%s/sim/faults", base);
    snprintf(body, sizeof body, "{\"service\":\"all\",\"mode\":\"%s\",\"latencyMs\":%d}",
             latency_ms > 0 ? "slow" : "ok", latency_ms);
    CURL *easy = curl_easy_init();
    if (easy == NULL)
        return -1;
    curl_easy_setopt(easy, CURLOPT_URL, url);
    curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, "PUT");
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, discard);
    long status = 0;
    if (curl_easy_perform(easy) == CURLE_OK)
        curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(easy);
    return status == 200 ? 0 : -1;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int run(const char *base, bool sequential, int iterations)
{
    ord_http_options options;
    ord_http_options_init(&options);
    char webhook[600];
    if (ord_http_options_point_all(&options, base, webhook, sizeof webhook) != ORD_OK)
        return -1;
    options.sequential_precheck = sequential;
    ord_http_services *services = NULL;
    ord_http_client *client = NULL;
    char err[200] = "";
    if (ord_http_services_new(&services, &options, err, sizeof err) != ORD_OK ||
        ord_http_client_new(&client, services) != ORD_OK) {
        fprintf(stderr, "precheck_bench: %s\n", err);
        ord_http_services_free(services);
        return -1;
    }
    ord_precheck port = ord_http_client_precheck(client);
    double *samples = calloc((size_t)iterations, sizeof *samples);
    int rc = samples != NULL ? 0 : -1;
    /* Three warm-up rounds open the keep-alive connections first. */
    for (int i = -3; rc == 0 && i < iterations; i++) {
        ord_product_price prices[2] = {{.product_id = 1}, {.product_id = 5}};
        ord_precheck_result result;
        double start = now_ms();
        ord_error e = port.ops->check(port.self, NULL, 42, prices, 2, &result);
        double took = now_ms() - start;
        if (e != ORD_OK || result.verdict != ORD_PRECHECK_PASSED) {
            fprintf(stderr, "precheck_bench: precheck failed: %s\n", ord_strerror(e));
            rc = -1;
        } else if (i >= 0) {
            samples[i] = took;
        }
    }
    if (rc == 0) {
        double sum = 0;
        for (int i = 0; i < iterations; i++)
            sum += samples[i];
        qsort(samples, (size_t)iterations, sizeof *samples, by_value);
        printf("%-11s n=%d  mean %7.2f ms  p50 %7.2f ms  p95 %7.2f ms  min %7.2f ms  max %7.2f ms\n",
               sequential ? "sequential" : "concurrent", iterations, sum / iterations,
               samples[iterations / 2], samples[(iterations * 95) / 100 < iterations ? (iterations * 95) / 100 : iterations - 1],
               samples[0], samples[iterations - 1]);
    }
    free(samples);
    ord_http_client_free(client);
    ord_http_services_free(services);
    return rc;
}

int main(int argc, char **argv)
{
    const char *base = NULL;
    int latency = 50, iterations = 100;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--url") == 0 && i + 1 < argc)
            base = argv[++i];
        else if (strcmp(argv[i], "--latency-ms") == 0 && i + 1 < argc)
            latency = atoi(argv[++i]);
        else if (strcmp(argv[i], "--iterations") == 0 && i + 1 < argc)
            iterations = atoi(argv[++i]);
        else {
            fprintf(stderr, "usage: precheck_bench --url URL [--latency-ms N] [--iterations N]\n");
            return 2;
        }
    }
    if (base == NULL || latency < 0 || iterations < 1) {
        fprintf(stderr, "usage: precheck_bench --url URL [--latency-ms N] [--iterations N]\n");
        return 2;
    }
    if (ord_http_global_init() != ORD_OK || put_fault(base, latency) != 0) {
        fprintf(stderr, "precheck_bench: cannot reach the simulator at %s\n", base);
        return 1;
    }
    printf("three pre-checks (prices, restrictions, eligibility), %d ms simulated latency each\n",
           latency);
    int rc = run(base, false, iterations) == 0 && run(base, true, iterations) == 0 ? 0 : 1;
    put_fault(base, 0);
    ord_http_global_cleanup();
    return rc;
}

/* Cold start and warm invocation latency of bootstrap against the fake
 * Runtime API of the tests (tests/lambda/fake_runtime.c), a real
 * PostgreSQL and the simulator. Run by lambda_bench.sh, which starts them.
 *   lambda_bench --bootstrap PATH --database-url URL --downstream-url URL
 *                [--warm N] [--cold N]
 * Cold: process start (fork) to the first response posted, a GET of one
 * order, each run a fresh process on an up-to-date schema; and, for the
 * share that is not the database's, process start to the init error of a
 * bad setting. Warm: one
 * process, N invocations each of GET /health/live (the transport alone),
 * GET of an order (one read) and POST of an order (the whole saga), timed
 * from the event's hand-over to the response's arrival. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fake_runtime.h"

extern char **environ;

static const char *bootstrap_path, *database_url, *downstream_url;

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static pid_t start(fake_rt *rt, const char *extra)
{
    static char api[64], db[1100], sim[256];
    snprintf(api, sizeof api, "AWS_LAMBDA_RUNTIME_API=127.0.0.1:%d", fake_rt_port(rt));
    snprintf(db, sizeof db, "ORDER_DATABASE_URL=%s", database_url);
    snprintf(sim, sizeof sim, "ORDER_DOWNSTREAM_URL=%s", downstream_url);
    /* Authentication off: requests carry neither claims nor tokens here. */
    char *env[] = {(char *)(extra != NULL ? extra : "ORDER_LOG_LEVEL=warn"), api, db, sim,
                   "ORDER_AUTH=off", "ORDER_LOG_LEVEL=warn", "PATH=/usr/bin:/bin", NULL};
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 1);
        dup2(null, 2);
        char *argv[] = {"bootstrap", NULL};
        execve(bootstrap_path, argv, env);
        _exit(127);
    }
    return pid;
}

static void stop(fake_rt *rt, pid_t pid)
{
    kill(pid, SIGTERM);
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "lambda_bench: bootstrap did not exit 0 after SIGTERM\n");
        exit(1);
    }
    fake_rt_drop_waiters(rt);
}

/* Hand over one event and wait for its answer; the answer's text in
 * @p body (malloc'd) when asked for. Exits on an error answer. */
static double invoke(fake_rt *rt, const char *event, char **body)
{
    char id[64];
    double t0 = now_ms();
    fake_rt_push(rt, event, strlen(event), NULL, 0, id);
    fake_post post;
    if (!fake_rt_wait(rt, id, 60000, &post) || post.error) {
        fprintf(stderr, "lambda_bench: invocation %s failed: %s\n", id,
                post.body != NULL ? post.body : "no answer");
        exit(1);
    }
    double t1 = now_ms();
    if (body != NULL)
        *body = post.body;
    else
        free(post.body);
    return t1 - t0;
}

static char *http_event(const char *method, const char *path, const char *body)
{
    char *event = malloc(4096);
    if (event == NULL)
        exit(1);
    snprintf(event, 4096,
             "{\"version\":\"2.0\",\"routeKey\":\"$default\",\"rawPath\":\"%s\","
             "\"rawQueryString\":\"\",\"headers\":{\"content-type\":\"application/json\"},"
             "\"requestContext\":{\"http\":{\"method\":\"%s\",\"path\":\"%s\"},"
             "\"requestId\":\"bench\",\"stage\":\"$default\"},%s%s%s\"isBase64Encoded\":false}",
             path, method, path, body != NULL ? "\"body\":\"" : "", body != NULL ? body : "",
             body != NULL ? "\"," : "");
    return event;
}

static int compare(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void report(const char *what, double *ms, int n)
{
    qsort(ms, (size_t)n, sizeof *ms, compare);
    double sum = 0;
    for (int i = 0; i < n; i++)
        sum += ms[i];
    printf("%-28s n=%-5d mean %7.2f ms  p50 %7.2f  p90 %7.2f  p99 %7.2f  max %7.2f\n", what, n,
           sum / n, ms[n / 2], ms[n * 9 / 10], ms[n * 99 / 100], ms[n - 1]);
}

int main(int argc, char **argv)
{
    int warm = 1000, cold = 20;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--bootstrap") == 0)
            bootstrap_path = argv[i + 1];
        else if (strcmp(argv[i], "--database-url") == 0)
            database_url = argv[i + 1];
        else if (strcmp(argv[i], "--downstream-url") == 0)
            downstream_url = argv[i + 1];
        else if (strcmp(argv[i], "--warm") == 0)
            warm = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--cold") == 0)
            cold = atoi(argv[i + 1]);
    }
    if (bootstrap_path == NULL || database_url == NULL || downstream_url == NULL || warm < 1 ||
        cold < 1) {
        fputs("usage: lambda_bench --bootstrap PATH --database-url URL --downstream-url URL "
              "[--warm N] [--cold N]\n",
              stderr);
        return 2;
    }
    fake_rt *rt = fake_rt_start();
    if (rt == NULL)
        return 1;
    const char order[] = "{\\\"customerId\\\":4242,\\\"items\\\":[{\\\"productId\\\":1,"
                         "\\\"quantity\\\":1}],\\\"deliveryAddress\\\":\\\"1 Bench Rd\\\"}";
    char *create = http_event("POST", "/api/v1/orders", order);
    char *live = http_event("GET", "/health/live", NULL);

    /* The first process applies the migrations and places the order read
     * below; its own start is not counted. */
    pid_t pid = start(rt, NULL);
    char *answer = NULL;
    invoke(rt, create, &answer);
    const char *id_at = strstr(answer, "orderId\\\":");
    long order_id = id_at != NULL ? atol(id_at + 10) : 0;
    free(answer);
    if (order_id <= 0) {
        fprintf(stderr, "lambda_bench: the first order was not placed\n");
        return 1;
    }
    char path[64];
    snprintf(path, sizeof path, "/api/v1/orders/%ld", order_id);
    char *get = http_event("GET", path, NULL);

    double *ms = malloc(sizeof *ms * (size_t)(warm > cold ? warm : cold));
    if (ms == NULL)
        return 1;
    const struct {
        const char *what;
        const char *event;
    } series[] = {{"warm GET /health/live", live},
                  {"warm GET /api/v1/orders/{id}", get},
                  {"warm POST /api/v1/orders", create}};
    for (size_t s = 0; s < 3; s++) {
        for (int i = 0; i < 20; i++)
            invoke(rt, series[s].event, NULL); /* connections and statements ready */
        double t0 = now_ms();
        for (int i = 0; i < warm; i++)
            ms[i] = invoke(rt, series[s].event, NULL);
        double seconds = (now_ms() - t0) / 1000.0;
        report(series[s].what, ms, warm);
        printf("%-28s %.0f invocations/s one after another\n", "", warm / seconds);
    }
    stop(rt, pid);

    for (int i = 0; i < cold; i++) {
        char id[64];
        fake_rt_push(rt, get, strlen(get), NULL, 0, id);
        double t0 = now_ms();
        pid = start(rt, NULL);
        fake_post post;
        if (!fake_rt_wait(rt, id, 60000, &post) || post.error) {
            fprintf(stderr, "lambda_bench: cold start %d failed\n", i);
            return 1;
        }
        ms[i] = now_ms() - t0;
        free(post.body);
        stop(rt, pid);
    }
    report("cold start to first answer", ms, cold);

    /* The part of a cold start that is not the database's: the process,
     * its libraries and settings, up to the init error of a bad setting. */
    for (int i = 0; i < cold; i++) {
        double t0 = now_ms();
        pid = start(rt, "ORDER_RETRY_ATTEMPTS=0");
        fake_post post;
        if (!fake_rt_wait(rt, NULL, 60000, &post) || !post.error) {
            fprintf(stderr, "lambda_bench: no init error\n");
            return 1;
        }
        ms[i] = now_ms() - t0;
        free(post.body);
        int status = 0;
        waitpid(pid, &status, 0);
    }
    report("cold start to init error", ms, cold);

    free(ms);
    free(create);
    free(live);
    free(get);
    fake_rt_stop(rt);
    return 0;
}

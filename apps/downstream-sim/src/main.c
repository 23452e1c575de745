/* downstream-sim: one HTTP server playing every downstream service of the
 * order service (inventory, tracking, account policy, event sink) with state
 * in memory and a control API for tests (docs/api.md, The simulator). */
#include "sim.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <civetweb.h>

typedef struct options {
    long port;
    const char *host;
    const char *port_file;
    const char *catalog;
    long threads;
    long hang_max_ms;
} options;

static void usage(FILE *out)
{
    fputs("Usage: downstream-sim [OPTIONS]\n"
          "Serves the order service's downstream APIs (inventory, tracking, account\n"
          "restrictions and eligibility, event sink) and the /sim control API.\n"
          "\n"
          "  --port N          port to listen on (default 8091; 0 picks a free one)\n"
          "  --host ADDR       address to bind (default 127.0.0.1)\n"
          "  --port-file FILE  write the port actually bound to FILE once serving\n"
          "  --catalog FILE    start catalog (JSON, as PUT /sim/catalog) instead of the\n"
          "                    seed: products 1..20 with 100 in stock, customer 666\n"
          "                    restricted [\"FRAUD\"], customer 777 ineligible\n"
          "  --threads N       worker threads, i.e. concurrent connections, idle\n"
          "                    keep-alive ones included (default 512)\n"
          "  --hang-max-ms N   longest a 'hang' fault holds a request (default 30000)\n"
          "  --help            show this text\n"
          "\n"
          "Stops on SIGINT or SIGTERM.\n",
          out);
}

static int parse_long(const char *flag, const char *text, long min, long max, long *out)
{
    char *end = NULL;
    errno = 0;
    long v = text != NULL ? strtol(text, &end, 10) : 0;
    if (text == NULL || *text == '\0' || *end != '\0' || errno != 0 || v < min || v > max) {
        fprintf(stderr, "downstream-sim: %s needs an integer %ld..%ld\n", flag, min, max);
        return -1;
    }
    *out = v;
    return 0;
}

/* 0: run; 1: stop successfully (--help); -1: bad usage. */
static int parse_args(int argc, char **argv, options *opt)
{
    *opt = (options){.port = 8091, .host = "127.0.0.1", .threads = 512, .hang_max_ms = 30000};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        int rc = 0;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 1;
        } else if (strcmp(a, "--port") == 0) {
            rc = parse_long(a, v, 0, 65535, &opt->port);
        } else if (strcmp(a, "--threads") == 0) {
            rc = parse_long(a, v, 1, 8192, &opt->threads);
        } else if (strcmp(a, "--hang-max-ms") == 0) {
            rc = parse_long(a, v, 1, 3600000, &opt->hang_max_ms);
        } else if (strcmp(a, "--host") == 0 || strcmp(a, "--port-file") == 0 ||
                   strcmp(a, "--catalog") == 0) {
            if (v == NULL || *v == '\0') {
                fprintf(stderr, "downstream-sim: %s needs a value\n", a);
                return -1;
            }
            *(strcmp(a, "--host") == 0       ? &opt->host
              : strcmp(a, "--port-file") == 0 ? &opt->port_file
                                              : &opt->catalog) = v;
        } else {
            fprintf(stderr, "downstream-sim: unknown option %s (try --help)\n", a);
            return -1;
        }
        if (rc != 0)
            return -1;
        i++;
    }
    return 0;
}

static int load_catalog(const char *path, sim_catalog *out)
{
    if (path == NULL)
        return sim_catalog_seed(out);
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "downstream-sim: --catalog %s: %s\n", path, strerror(errno));
        return -1;
    }
    size_t cap = 1 << 16, len = 0;
    char *text = malloc(cap);
    size_t n;
    while (text != NULL && (n = fread(text + len, 1, cap - len, f)) > 0) {
        len += n;
        if (len == cap && cap < SIM_MAX_BODY) {
            char *bigger = realloc(text, cap * 2);
            if (bigger == NULL) {
                free(text);
                text = NULL;
            } else {
                text = bigger;
                cap *= 2;
            }
        } else if (len == cap) {
            break;
        }
    }
    fclose(f);
    char err[256] = "out of memory or file too large";
    int rc = text != NULL && len < cap ? sim_catalog_parse(out, text, len, err, sizeof err) : -1;
    if (rc != 0)
        fprintf(stderr, "downstream-sim: --catalog %s: %s\n", path, err);
    free(text);
    return rc;
}

static int write_port_file(const char *path, int port)
{
    char tmp[PATH_MAX];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
        return -1;
    FILE *f = fopen(tmp, "w");
    if (f == NULL)
        return -1;
    int ok = fprintf(f, "%d\n", port) > 0;
    ok = (fclose(f) == 0) && ok;
    /* rename() makes the file appear whole: a watcher never reads half of it. */
    return ok && rename(tmp, path) == 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
    options opt;
    int parsed = parse_args(argc, argv, &opt);
    if (parsed != 0)
        return parsed > 0 ? 0 : 2;

    sim_catalog catalog;
    if (load_catalog(opt.catalog, &catalog) != 0)
        return 1;
    static sim_state state;
    if (sim_state_init(&state, &catalog, (int)opt.hang_max_ms) != 0) {
        sim_catalog_free(&catalog);
        fputs("downstream-sim: out of memory\n", stderr);
        return 1;
    }

    /* Wait for SIGINT/SIGTERM with sigwait: block them before any thread. */
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
    signal(SIGPIPE, SIG_IGN);

    char listen[300], threads[16];
    snprintf(listen, sizeof listen, "%s:%ld", opt.host, opt.port);
    snprintf(threads, sizeof threads, "%ld", opt.threads);
    const char *mg_options[] = {"listening_ports", listen,
                                "num_threads", threads,
                                "enable_keep_alive", "yes",
                                "keep_alive_timeout_ms", "2000",
                                "request_timeout_ms", "60000",
                                "linger_timeout_ms", "0",
                                /* Headers and body go out in separate writes:
                                 * without this, Nagle and delayed ACKs add
                                 * 40 ms to every answer. */
                                "tcp_nodelay", "1",
                                NULL};
    mg_init_library(0);
    struct mg_callbacks callbacks;
    memset(&callbacks, 0, sizeof callbacks);
    struct mg_context *ctx = mg_start(&callbacks, &state, mg_options);
    if (ctx == NULL) {
        fprintf(stderr, "downstream-sim: cannot listen on %s\n", listen);
        sim_state_destroy(&state);
        mg_exit_library();
        return 1;
    }
    mg_set_request_handler(ctx, "/", sim_route, &state);

    struct mg_server_port ports[4];
    int port = mg_get_server_ports(ctx, 4, ports) > 0 ? ports[0].port : (int)opt.port;
    if (opt.port_file != NULL && write_port_file(opt.port_file, port) != 0) {
        fprintf(stderr, "downstream-sim: cannot write --port-file %s\n", opt.port_file);
        mg_stop(ctx);
        sim_state_destroy(&state);
        mg_exit_library();
        return 1;
    }
    printf("downstream-sim listening on %s:%d\n", opt.host, port);
    fflush(stdout);

    int sig = 0;
    sigwait(&stop_signals, &sig);
    sim_state_stop(&state); /* ends hangs and trickles, so mg_stop returns */
    mg_stop(ctx);
    sim_state_destroy(&state);
    mg_exit_library();
    return 0;
}

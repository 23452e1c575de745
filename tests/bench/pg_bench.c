/* Benchmark: order creations per second through the PostgreSQL store
 * (create, then the CONFIRMED update with its history entry and event),
 * next to pgbench running the very same statements (their text is taken
 * from the adapter) on the same database, and the ratio of the two.
 * Prints numbers; asserts nothing. See pg_bench.sh for a complete run. */
#include <inttypes.h>
#include <pthread.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#include <orders/adapters/postgres/store.h>
#include <orders/domain/event.h>

#include "pg_internal.h"

extern char **environ;

typedef struct bench_config {
    const char *url;
    const char *pgbench;
    const char *script;
    int threads;
    int seconds;
    int rounds;
} bench_config;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- The same values on both sides. ---- */

#define CUSTOMERS 100000
#define PAYLOAD                                                                                \
    "{\"eventType\":\"OrderPlaced\",\"status\":\"CONFIRMED\",\"sequence\":2,"                  \
    "\"order\":{\"items\":[{\"productId\":1,\"quantity\":1,\"priceAtPurchase\":1.99},"          \
    "{\"productId\":2,\"quantity\":2,\"priceAtPurchase\":2.99},"                               \
    "{\"productId\":3,\"quantity\":3,\"priceAtPurchase\":3.99}],\"totalPrice\":19.94,"         \
    "\"currency\":\"USD\",\"deliveryAddress\":\"1 Main St, Springfield\",\"carrier\":\"DHL\"}}"

/* splitmix64: fast, per thread, enough for unique random UUIDs here. */
static uint64_t next_random(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static void random_uuid(uint64_t *seed, char out[ORD_UUID_SIZE])
{
    uint64_t hi = next_random(seed), lo = next_random(seed);
    hi = (hi & ~UINT64_C(0xf000)) | UINT64_C(0x4000);
    lo = (lo & ~(UINT64_C(0xc) << 60)) | (UINT64_C(0x8) << 60);
    snprintf(out, ORD_UUID_SIZE, "%08" PRIx64 "-%04" PRIx64 "-%04" PRIx64 "-%04" PRIx64
             "-%012" PRIx64, hi >> 32, (hi >> 16) & 0xffff, hi & 0xffff, lo >> 48,
             lo & UINT64_C(0xffffffffffff));
}

static void build_order(ord_order *o, uint64_t *seed, int64_t at_ms)
{
    ord_order_init(o);
    char uuid[ORD_UUID_SIZE];
    random_uuid(seed, uuid);
    snprintf(o->number, sizeof o->number, "ORD-%s", uuid);
    o->customer_id = 1 + (int64_t)(next_random(seed) % CUSTOMERS);
    ord_order_item items[3];
    for (int i = 0; i < 3; i++) {
        items[i] = (ord_order_item){.product_id = i + 1, .quantity = i + 1, .has_price = true};
        ord_money_make(&items[i].unit_price, 100 * (i + 1) + 99, "USD");
    }
    ord_order_set_items(o, items, 3);
    ord_order_compute_total(o, &o->total, "USD");
    ord_order_set_text(&o->customer_name, "Bench Customer");
    ord_order_set_text(&o->delivery_address, "1 Main St, Springfield");
    ord_order_set_text(&o->carrier, "DHL");
    ord_order_start(o, ORD_STATUS_PENDING_CHECK, at_ms, "created");
}

/* ---- The adapter side. ---- */

typedef struct worker {
    const bench_config *config;
    int index;
    pthread_barrier_t *ready; /* every worker connected: the clock starts */
    atomic_bool *stop;
    int64_t done;
    int64_t failed;
} worker;

static void *worker_run(void *arg)
{
    worker *w = arg;
    ord_pg_store *store = NULL;
    /* Connected before the clock starts, as pgbench reports its rate
     * "without initial connection time". */
    if (ord_pg_store_new(&store, w->config->url, NULL) != ORD_OK || ord_pg_ping(store) != ORD_OK)
        w->failed++;
    pthread_barrier_wait(w->ready);
    if (w->failed > 0) {
        ord_pg_store_free(store);
        return NULL;
    }
    ord_order_repository repo = ord_pg_store_orders(store);
    uint64_t seed = (uint64_t)wall_ms() * 1000003u + (uint64_t)w->index * 7919u;
    while (!atomic_load(w->stop)) {
        int64_t at = wall_ms();
        ord_order o;
        build_order(&o, &seed, at);
        ord_error rc = repo.ops->create(repo.self, &o);
        if (rc == ORD_OK) {
            ord_order next;
            ord_order_init(&next);
            next.id = o.id;
            next.version = 1;
            next.status = ORD_STATUS_CONFIRMED;
            next.updated_at_ms = at;
            ord_status_change change = {.has_from = true, .from = ORD_STATUS_PENDING_CHECK,
                                        .to = ORD_STATUS_CONFIRMED, .at_ms = at};
            snprintf(change.reason, sizeof change.reason, "confirmed");
            ord_outbox_event e = {.type = ORD_EVENT_ORDER_PLACED, .order_id = o.id,
                                  .customer_id = o.customer_id, .sequence = 2,
                                  .occurred_at_ms = at, .payload = PAYLOAD};
            random_uuid(&seed, e.event_id);
            ord_order_update u = {.order = &next, .fields = ORD_UPDATE_STATUS,
                                  .change = &change, .event = &e};
            rc = repo.ops->update(repo.self, &u, NULL);
        }
        if (rc == ORD_OK)
            w->done++;
        else
            w->failed++;
        ord_order_free(&o);
    }
    ord_pg_store_free(store);
    return NULL;
}

static double run_adapter(const bench_config *c, int64_t *failures)
{
    atomic_bool stop = false;
    worker *workers = calloc((size_t)c->threads, sizeof *workers);
    pthread_t *threads = calloc((size_t)c->threads, sizeof *threads);
    if (workers == NULL || threads == NULL) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    pthread_barrier_t ready;
    pthread_barrier_init(&ready, NULL, (unsigned)c->threads + 1);
    for (int i = 0; i < c->threads; i++) {
        workers[i] = (worker){.config = c, .index = i, .ready = &ready, .stop = &stop};
        pthread_create(&threads[i], NULL, worker_run, &workers[i]);
    }
    pthread_barrier_wait(&ready);
    double start = now_s();
    struct timespec pause = {.tv_sec = c->seconds};
    nanosleep(&pause, NULL);
    atomic_store(&stop, true);
    int64_t done = 0;
    *failures = 0;
    for (int i = 0; i < c->threads; i++) {
        pthread_join(threads[i], NULL);
        done += workers[i].done;
        *failures += workers[i].failed;
    }
    double elapsed = now_s() - start;
    pthread_barrier_destroy(&ready);
    free(workers);
    free(threads);
    return (double)done / elapsed;
}

/* ---- The pgbench side: the adapter's statements, parameters as variables. ---- */

/* What each $n of a statement becomes in the pgbench script: a variable
 * (":name", its value given with -D), or SQL text in place. */
typedef struct param_map {
    const char *replacement;
    const char *value; /* for -D when replacement is a variable */
} param_map;

static const param_map create_params[21] = {
    {"('ORD-' || gen_random_uuid())", NULL}, /* unique per transaction */
    {":customer", NULL},
    {"''", NULL}, /* pgbench -D refuses an empty value */
    {":name", "Bench Customer"},
    {":address", "1 Main St, Springfield"},
    {":carrier", "DHL"},
    {"NULL", NULL},
    {":pending", "PENDING_CHECK"},
    {":total", "1994"},
    {":currency", "USD"},
    {":now", NULL},
    {":now", NULL},
    {":zero", "0"},
    {":products", "{1,2,3}"},
    {":quantities", "{1,2,3}"},
    {":prices", "{199,299,399}"},
    {":currencies", "{\"USD\",\"USD\",\"USD\"}"},
    {"NULL", NULL},
    {":pending", NULL},
    {":now", NULL},
    {":created", "created"},
};

static const param_map update_params[26] = {
    {":id", NULL},
    {":one", "1"},
    {":one", NULL},
    {":confirmed", "CONFIRMED"},
    {"NULL", NULL},
    {"NULL", NULL},
    {"NULL", NULL},
    {"NULL", NULL},
    {"NULL", NULL},
    {"NULL", NULL},
    {":zero", NULL},
    {":now", NULL},
    {":false", "f"},
    {":empty", "{}"},
    {":empty", NULL},
    {":empty", NULL},
    {":empty", NULL},
    {":pending", NULL},
    {":confirmed", NULL},
    {":now", NULL},
    {":reason", "confirmed"},
    {"gen_random_uuid()", NULL}, /* unique per transaction */
    {":one", NULL},
    {":two", "2"},
    {":now", NULL},
    {":payload", PAYLOAD},
};

/* Writes @p sql with every $n replaced as @p map says. */
static void write_statement(FILE *f, const char *sql, const param_map *map, int count)
{
    for (const char *p = sql; *p != '\0'; p++) {
        if (*p == '$' && p[1] >= '0' && p[1] <= '9') {
            char *end = NULL;
            long n = strtol(p + 1, &end, 10);
            if (n < 1 || n > count) {
                fprintf(stderr, "unexpected parameter $%ld\n", n);
                exit(1);
            }
            fputs(map[n - 1].replacement, f);
            p = end - 1;
        } else {
            fputc(*p, f);
        }
    }
}

static void write_script(const char *path)
{
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        perror(path);
        exit(1);
    }
    fprintf(f, "\\set customer random(1, %d)\n", CUSTOMERS);
    /* The adapter side reads the clock per order too. */
    fprintf(f, "\\set now 1767225600000 + :client_id\n");
    write_statement(f, ord_pg_statement(PG_ORDER_CREATE)->sql, create_params, 21);
    fprintf(f, " \\gset\n");
    write_statement(f, ord_pg_statement(PG_ORDER_UPDATE)->sql, update_params, 26);
    fprintf(f, ";\n");
    fclose(f);
}

/* One flag string, so that its values can be told apart by address. */
static char define_flag[] = "-D";

static void add_define(char **argv, int *argc, char *buf, size_t cap, const param_map *map,
                       int count)
{
    for (int i = 0; i < count; i++) {
        if (map[i].value == NULL)
            continue;
        int n = snprintf(buf, cap, "%s=%s", map[i].replacement + 1, map[i].value);
        if (n < 0 || (size_t)n >= cap) {
            fprintf(stderr, "define too long\n");
            exit(1);
        }
        argv[(*argc)++] = define_flag;
        argv[(*argc)++] = strdup(buf);
    }
}

/* Runs pgbench and returns its tps (one transaction = one creation). */
static double run_pgbench(const bench_config *c)
{
    char *argv[128];
    int argc = 0;
    char clients[16], seconds[16], define[2048];
    snprintf(clients, sizeof clients, "%d", c->threads);
    snprintf(seconds, sizeof seconds, "%d", c->seconds);
    argv[argc++] = (char *)c->pgbench;
    argv[argc++] = "-n";
    argv[argc++] = "-M";
    argv[argc++] = "prepared";
    argv[argc++] = "-c";
    argv[argc++] = clients;
    argv[argc++] = "-j";
    argv[argc++] = clients;
    argv[argc++] = "-T";
    argv[argc++] = seconds;
    argv[argc++] = "-f";
    argv[argc++] = (char *)c->script;
    add_define(argv, &argc, define, sizeof define, create_params, 21);
    add_define(argv, &argc, define, sizeof define, update_params, 26);
    argv[argc++] = (char *)c->url;
    argv[argc] = NULL;

    int out[2];
    if (pipe(out) != 0) {
        perror("pipe");
        exit(1);
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    pid_t pid;
    if (posix_spawn(&pid, c->pgbench, &actions, NULL, argv, environ) != 0) {
        fprintf(stderr, "cannot run %s\n", c->pgbench);
        exit(1);
    }
    posix_spawn_file_actions_destroy(&actions);
    close(out[1]);
    FILE *f = fdopen(out[0], "r");
    char line[512];
    double tps = -1;
    while (fgets(line, sizeof line, f) != NULL) {
        double v;
        if (sscanf(line, "tps = %lf (without initial connection time)", &v) == 1)
            tps = v;
        if (strncmp(line, "number of failed", 16) == 0 || strncmp(line, "tps", 3) == 0)
            fprintf(stderr, "  pgbench: %s", line);
    }
    fclose(f);
    int status = 0;
    waitpid(pid, &status, 0);
    /* The -D values are the only strings this function allocated. */
    for (int i = argc - 1; i > 0; i--)
        if (argv[i - 1] == define_flag)
            free(argv[i]);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || tps < 0) {
        fprintf(stderr, "pgbench failed (exit status %d)\n", WEXITSTATUS(status));
        exit(1);
    }
    return tps;
}

/* Same starting point for every phase: empty tables, a checkpoint. */
static void reset_tables(const char *url)
{
    PGconn *conn = PQconnectdb(url);
    const char *sql[] = {"TRUNCATE orders, order_items, order_status_history, outbox_events, "
                         "idempotency_keys, order_numbers RESTART IDENTITY",
                         "CHECKPOINT"};
    for (size_t i = 0; i < 2; i++) {
        PGresult *r = PQexec(conn, sql[i]);
        if (PQresultStatus(r) != PGRES_COMMAND_OK) {
            fprintf(stderr, "%s failed: %s", sql[i], PQerrorMessage(conn));
            exit(1);
        }
        PQclear(r);
    }
    PQfinish(conn);
}

static void usage(void)
{
    printf("Usage: pg_bench --url URL [--threads N] [--seconds S] [--rounds R]\n"
           "                [--pgbench PATH] [--script FILE]\n"
           "Order creations per second (create + confirm) through the PostgreSQL\n"
           "store with N threads, then pgbench with N clients running the same SQL\n"
           "(written to FILE), alternating R times; prints both and the ratio.\n"
           "The database must be migrated; its order tables are emptied.\n");
}

int main(int argc, char **argv)
{
    bench_config c = {.pgbench = "pgbench", .script = "pg_bench_create.sql", .threads = 4,
                      .seconds = 10, .rounds = 2};
    for (int i = 1; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(argv[i], "--help") == 0) {
            usage();
            return 0;
        } else if (strcmp(argv[i], "--url") == 0 && v) {
            c.url = v;
        } else if (strcmp(argv[i], "--threads") == 0 && v) {
            c.threads = atoi(v);
        } else if (strcmp(argv[i], "--seconds") == 0 && v) {
            c.seconds = atoi(v);
        } else if (strcmp(argv[i], "--rounds") == 0 && v) {
            c.rounds = atoi(v);
        } else if (strcmp(argv[i], "--pgbench") == 0 && v) {
            c.pgbench = v;
        } else if (strcmp(argv[i], "--script") == 0 && v) {
            c.script = v;
        } else {
            usage();
            return 2;
        }
        i++;
    }
    if (c.url == NULL || c.threads < 1 || c.threads > 100 || c.seconds < 1 || c.rounds < 1) {
        usage();
        return 2;
    }
    write_script(c.script);

    double adapter_sum = 0, pgbench_sum = 0;
    for (int round = 1; round <= c.rounds; round++) {
        reset_tables(c.url);
        int64_t failures = 0;
        double a = run_adapter(&c, &failures);
        reset_tables(c.url);
        double p = run_pgbench(&c);
        printf("round %d: adapter %.0f creations/s (%" PRId64 " failed), pgbench %.0f creations/s,"
               " ratio %.3f\n",
               round, a, failures, p, a / p);
        fflush(stdout);
        adapter_sum += a;
        pgbench_sum += p;
    }
    double a = adapter_sum / c.rounds, p = pgbench_sum / c.rounds;
    printf("threads/clients %d, %d s x %d rounds\n", c.threads, c.seconds, c.rounds);
    printf("adapter: %.0f creations/s\n", a);
    printf("pgbench: %.0f creations/s\n", p);
    printf("ratio:   %.3f\n", a / p);
    reset_tables(c.url);
    return 0;
}

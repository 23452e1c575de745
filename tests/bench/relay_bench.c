/* Outbox relay throughput: events per second that ord_relay_events moves
 * from the store to an event sink (the HTTP webhook or RabbitMQ with
 * publisher confirms), as the server's relay thread does it: batches of
 * --batch, one delivery after another. Orders are placed first (not timed)
 * through the in-memory downstream fakes; each order gives two events
 * (OrderPlaced, then OrderCancelled). Prints numbers; asserts nothing.
 *
 *   relay_bench --sink webhook|amqp --target URL [--store memory|PG_URL]
 *               [--events N] [--batch N] [--queue NAME]
 *
 * --target is the webhook's base URL (the events go to /api/v1/events) or
 * the broker's amqp:// URL; each amqp run has an exchange of its own;
 * --queue is the durable queue bound to it (amqp only; default: one per
 * run, deleted by nobody; "none":
 * no queue, so the broker confirms without storing: the protocol's cost
 * alone).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <orders/adapters/amqp/publisher.h>
#include <orders/adapters/http/client.h>
#include <orders/adapters/http/services.h>
#include <orders/adapters/memory/downstream.h>
#include <orders/adapters/memory/store.h>
#include <orders/adapters/postgres/store.h>
#include <orders/adapters/system/system.h>
#include <orders/orders.h>

typedef struct args {
    const char *sink;
    const char *target;
    const char *store;
    long events;
    long batch;
    const char *queue;
} args;

static void usage(void)
{
    fprintf(stderr, "usage: relay_bench --sink webhook|amqp --target URL "
                    "[--store memory|PG_URL] [--events N] [--batch N] [--queue NAME]\n");
    exit(2);
}

static args parse(int argc, char **argv)
{
    args a = {NULL, NULL, "memory", 2000, 100, NULL};
    for (int i = 1; i < argc; i++) {
        if (i + 1 >= argc)
            usage();
        const char *v = argv[++i];
        if (strcmp(argv[i - 1], "--sink") == 0)
            a.sink = v;
        else if (strcmp(argv[i - 1], "--target") == 0)
            a.target = v;
        else if (strcmp(argv[i - 1], "--store") == 0)
            a.store = v;
        else if (strcmp(argv[i - 1], "--events") == 0)
            a.events = strtol(v, NULL, 10);
        else if (strcmp(argv[i - 1], "--batch") == 0)
            a.batch = strtol(v, NULL, 10);
        else if (strcmp(argv[i - 1], "--queue") == 0)
            a.queue = v;
        else
            usage();
    }
    if (a.sink == NULL || a.target == NULL || a.events < 2 || a.batch < 1 ||
        (strcmp(a.sink, "webhook") != 0 && strcmp(a.sink, "amqp") != 0))
        usage();
    return a;
}

static void die(const char *what, ord_error err)
{
    fprintf(stderr, "relay_bench: %s: %s\n", what, ord_strerror(err));
    exit(1);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    args a = parse(argc, argv);
    if (ord_http_global_init() != ORD_OK)
        die("libcurl", ORD_EINTERNAL);

    /* The store. */
    ord_memory_store *mem = NULL;
    ord_pg_store *pg = NULL;
    ord_ports ports;
    memset(&ports, 0, sizeof ports);
    ord_error err;
    if (strcmp(a.store, "memory") == 0) {
        if ((err = ord_memory_store_new(&mem)) != ORD_OK)
            die("memory store", err);
        ports.orders = ord_memory_store_orders(mem);
        ports.outbox = ord_memory_store_outbox(mem);
        ports.idempotency = ord_memory_store_idempotency(mem);
    } else {
        if ((err = ord_pg_store_new(&pg, a.store, NULL)) != ORD_OK)
            die("PostgreSQL store", err);
        ports.orders = ord_pg_store_orders(pg);
        ports.outbox = ord_pg_store_outbox(pg);
        ports.idempotency = ord_pg_store_idempotency(pg);
    }

    /* The downstream services of the placing, faked. */
    ord_memory_downstream *ds = NULL;
    if ((err = ord_memory_downstream_new(&ds)) != ORD_OK)
        die("fakes", err);
    ord_money price;
    ord_money_make(&price, 1250, "USD");
    ord_memory_downstream_set_product(ds, 1, price, 100000000);
    ports.precheck = ord_memory_downstream_precheck(ds);
    ports.inventory = ord_memory_downstream_inventory(ds);
    ports.tracking = ord_memory_downstream_tracking(ds);
    ports.clock = ord_system_clock();
    ports.ids = ord_system_ids();

    /* The sink. */
    ord_http_services *http = NULL;
    ord_http_client *client = NULL;
    ord_amqp_broker *broker = NULL;
    ord_amqp_publisher *publisher = NULL;
    char queue[96];
    char exchange[96];
    if (strcmp(a.sink, "webhook") == 0) {
        ord_http_options o;
        ord_http_options_init(&o);
        char webhook[1100];
        snprintf(webhook, sizeof webhook, "%s/api/v1/events", a.target);
        o.services[ORD_HTTP_EVENTS].base_url = webhook;
        char why[256] = "";
        if ((err = ord_http_services_new(&http, &o, why, sizeof why)) != ORD_OK) {
            fprintf(stderr, "relay_bench: %s\n", why);
            die("webhook settings", err);
        }
        if ((err = ord_http_client_new(&client, http)) != ORD_OK)
            die("HTTP client", err);
        ports.events = ord_http_client_events(client);
    } else {
        /* An exchange of this run only: no queue of another run is bound. */
        snprintf(exchange, sizeof exchange, "relay-bench.%ld.events", (long)getpid());
        if (a.queue == NULL)
            snprintf(queue, sizeof queue, "relay-bench.%ld", (long)getpid());
        ord_amqp_options o = ORD_AMQP_OPTIONS_INIT;
        o.url = a.target;
        o.exchange = exchange;
        o.queue = a.queue != NULL ? a.queue : queue; /* a consumer's queue: messages are kept */
        if (a.queue != NULL && strcmp(a.queue, "none") == 0)
            o.queue = NULL;
        char why[256] = "";
        if ((err = ord_amqp_broker_new(&broker, &o, why, sizeof why)) != ORD_OK) {
            fprintf(stderr, "relay_bench: %s\n", why);
            die("broker settings", err);
        }
        if ((err = ord_amqp_publisher_new(&publisher, broker)) != ORD_OK)
            die("publisher", err);
        ports.events = ord_amqp_publisher_sink(publisher);
    }

    ord_service_config sc = ORD_SERVICE_CONFIG_INIT;
    sc.worker_id = "relay-bench";
    ord_service *svc = NULL;
    if ((err = ord_service_new(&svc, &ports, &sc)) != ORD_OK)
        die("service", err);

    /* Events to relay: OrderPlaced and OrderCancelled of each order. */
    ord_principal admin = {.kind = ORD_PRINCIPAL_ADMIN, .customer_id = 0, .subject = "bench"};
    ord_item_request item = {.product_id = 1, .quantity = 1};
    long orders = a.events / 2;
    for (long i = 0; i < orders; i++) {
        ord_create_request req = {.customer_id = 500000 + i,
                                  .customer_name = "Bench",
                                  .delivery_address = "1 Bench Rd",
                                  .items = &item,
                                  .item_count = 1};
        ord_place_result res;
        memset(&res, 0, sizeof res);
        if ((err = ord_place_order(svc, &admin, NULL, &req, NULL, &res)) != ORD_OK)
            die("placing an order", err);
        char ref[24];
        snprintf(ref, sizeof ref, "%lld", (long long)res.order.id);
        ord_place_result_free(&res);
        if ((err = ord_cancel_order(svc, &admin, NULL, ref, 0)) != ORD_OK)
            die("cancelling an order", err);
    }
    int64_t pending = 0, parked = 0;
    ports.outbox.ops->count(ports.outbox.self, &pending, &parked);

    /* The relay, timed. */
    size_t delivered = 0, failed = 0, steps = 0;
    double start = now_s();
    for (;;) {
        ord_work_report r;
        if ((err = ord_relay_events(svc, (size_t)a.batch, &r)) != ORD_OK)
            die("relay", err);
        steps++;
        delivered += r.completed;
        failed += r.failed;
        if (r.claimed == 0 || failed > 0)
            break;
    }
    double seconds = now_s() - start;
    const char *to = strcmp(a.sink, "webhook") == 0        ? "simulator"
                     : a.queue != NULL && strcmp(a.queue, "none") == 0 ? "no-queue"
                                                                      : "durable-queue";
    printf("sink=%s (%s) store=%s events=%zu failed=%zu steps=%zu seconds=%.3f "
           "events_per_s=%.0f\n",
           a.sink, to, pg != NULL ? "postgres" : "memory", delivered, failed, steps, seconds,
           (double)delivered / seconds);
    if (failed > 0 || (int64_t)delivered != pending)
        fprintf(stderr, "relay_bench: %lld events were pending, %zu delivered, %zu failed\n",
                (long long)pending, delivered, failed);

    ord_service_free(svc);
    ord_amqp_publisher_free(publisher);
    ord_amqp_broker_free(broker);
    ord_http_client_free(client);
    ord_http_services_free(http);
    ord_memory_downstream_free(ds);
    ord_memory_store_free(mem);
    ord_pg_store_free(pg);
    ord_http_global_cleanup();
    return failed > 0 ? 1 : 0;
}

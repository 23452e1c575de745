/* The relay tests' world (see relay_world.h). */
#include "relay_world.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define START_MS 1772980200000LL

static ord_money usd(int64_t minor)
{
    ord_money m;
    assert_int_equal(ord_money_make(&m, minor, "USD"), ORD_OK);
    return m;
}

static void on_background(void *ctx, const char *what, int64_t order_id, ord_error result)
{
    world *w = ctx;
    (void)order_id;
    (void)result;
    if (strcmp(what, "event_parked") == 0)
        w->parked_actions++;
}

static void build_service(world *w, int max_attempts)
{
    ord_ports ports = {
        .orders = ord_memory_store_orders(w->store),
        .outbox = ord_memory_store_outbox(w->store),
        .idempotency = ord_memory_store_idempotency(w->store),
        .precheck = ord_memory_downstream_precheck(w->ds),
        .inventory = ord_memory_downstream_inventory(w->ds),
        .tracking = ord_memory_downstream_tracking(w->ds),
        .events = ord_amqp_publisher_sink(w->publisher),
        .clock = ord_manual_clock_port(w->clock),
        .ids = ord_counting_ids_port(w->ids),
    };
    ord_service_config c = ORD_SERVICE_CONFIG_INIT;
    c.worker_id = "amqp-test";
    c.outbox_max_attempts = max_attempts;
    c.outbox_backoff_min_ms = 100;
    c.outbox_backoff_max_ms = 1000;
    c.observer = (ord_service_observer){.ctx = w, .background_action = on_background};
    ord_service_free(w->svc);
    w->svc = NULL;
    assert_int_equal(ord_service_new(&w->svc, &ports, &c), ORD_OK);
}

static void open_publisher(world *w, const char *url)
{
    ord_amqp_options o = ORD_AMQP_OPTIONS_INIT;
    o.url = url != NULL ? url : at_url();
    o.exchange = w->exchange;
    o.reconnect_min_ms = 100;
    o.reconnect_max_ms = 1000;
    o.confirm_timeout_ms = 5000;
    char err[256] = "";
    assert_int_equal(ord_amqp_broker_new(&w->broker, &o, err, sizeof err), ORD_OK);
    assert_int_equal(ord_amqp_publisher_new(&w->publisher, w->broker), ORD_OK);
}

void world_open(world *w, const char *url, int max_attempts)
{
    memset(w, 0, sizeof *w);
    w->max_attempts = max_attempts;
    assert_int_equal(ord_memory_store_new(&w->store), ORD_OK);
    assert_int_equal(ord_memory_downstream_new(&w->ds), ORD_OK);
    assert_int_equal(ord_manual_clock_new(&w->clock, START_MS), ORD_OK);
    assert_int_equal(ord_counting_ids_new(&w->ids), ORD_OK);
    assert_int_equal(ord_memory_downstream_set_product(w->ds, 1, usd(1250), 1000000), ORD_OK);
    at_unique(w->exchange, sizeof w->exchange, "events");
    at_unique(w->queue, sizeof w->queue, "consumer");
    amqp_connection_state_t c = at_connect();
    at_declare_bound_queue(c, w->queue, w->exchange);
    at_close(c);
    open_publisher(w, url);
    build_service(w, max_attempts);
}

void world_use_broker(world *w, const char *url)
{
    ord_service_free(w->svc);
    w->svc = NULL;
    ord_amqp_publisher_free(w->publisher);
    ord_amqp_broker_free(w->broker);
    open_publisher(w, url);
    build_service(w, w->max_attempts);
}

void world_close(world *w)
{
    ord_service_free(w->svc);
    ord_amqp_publisher_free(w->publisher);
    ord_amqp_broker_free(w->broker);
    amqp_connection_state_t c = at_connect();
    at_delete_queue(c, w->queue);
    at_delete_exchange(c, w->exchange);
    at_close(c);
    ord_memory_store_free(w->store);
    ord_memory_downstream_free(w->ds);
    ord_manual_clock_free(w->clock);
    ord_counting_ids_free(w->ids);
}

static ord_principal admin(void)
{
    return (ord_principal){.kind = ORD_PRINCIPAL_ADMIN, .customer_id = 0, .subject = "ops"};
}

int64_t world_place(world *w)
{
    static int64_t customer = 70000;
    ord_item_request item = {.product_id = 1, .quantity = 1};
    ord_create_request req = {.customer_id = ++customer,
                              .customer_name = "Grace Hopper",
                              .delivery_address = "1 Relay Rd",
                              .items = &item,
                              .item_count = 1};
    ord_principal who = admin();
    ord_place_result res;
    memset(&res, 0, sizeof res);
    assert_int_equal(ord_place_order(w->svc, &who, NULL, &req, NULL, &res), ORD_OK);
    assert_int_equal(res.outcome, ORD_PLACED);
    int64_t id = res.order.id;
    ord_place_result_free(&res);
    return id;
}

static const char *ref(int64_t id, char buf[24])
{
    snprintf(buf, 24, "%lld", (long long)id);
    return buf;
}

void world_ship(world *w, int64_t id)
{
    char b[24];
    ord_principal who = admin();
    assert_int_equal(ord_ship_order(w->svc, &who, NULL, ref(id, b), 0), ORD_OK);
}

void world_deliver(world *w, int64_t id)
{
    char b[24];
    ord_principal who = admin();
    assert_int_equal(ord_deliver_order(w->svc, &who, NULL, ref(id, b), 0), ORD_OK);
}

void world_cancel(world *w, int64_t id)
{
    char b[24];
    ord_principal who = admin();
    assert_int_equal(ord_cancel_order(w->svc, &who, NULL, ref(id, b), 0), ORD_OK);
}

ord_work_report world_relay_once(world *w)
{
    ord_manual_clock_advance(w->clock, 1001);
    ord_work_report r;
    assert_int_equal(ord_relay_events(w->svc, 100, &r), ORD_OK);
    assert_int_equal(r.claimed, r.completed + r.failed);
    return r;
}

void world_relay_all(world *w)
{
    for (int round = 0; round < 1000; round++)
        if (world_relay_once(w).claimed == 0)
            return;
    fail_msg("the relay never ran dry");
}

void world_outbox(world *w, int64_t *pending, int64_t *parked)
{
    ord_outbox o = ord_memory_store_outbox(w->store);
    assert_int_equal(o.ops->count(o.self, pending, parked), ORD_OK);
}

/* Per order: the highest sequence read so far. */
typedef struct order_seen {
    int64_t order_id;
    int64_t last_sequence;
} order_seen;

typedef struct id_seen {
    char id[64];
    int64_t order_id;
    int64_t sequence;
} id_seen;

static int64_t json_number(const char *body, const char *key)
{
    char pattern[64];
    snprintf(pattern, sizeof pattern, "\"%s\":", key);
    const char *at = strstr(body, pattern);
    assert_non_null(at);
    return strtoll(at + strlen(pattern), NULL, 10);
}

consumed world_consume(world *w, amqp_connection_state_t conn)
{
    consumed out = {0};
    size_t cap = 4096;
    order_seen *orders = calloc(cap, sizeof *orders);
    id_seen *ids = calloc(cap, sizeof *ids);
    assert_non_null(orders);
    assert_non_null(ids);
    size_t n_orders = 0;
    at_message m;
    while (at_get(conn, w->queue, &m)) {
        out.messages++;
        /* The properties describe the body's event. */
        assert_string_equal(m.content_type, "application/json");
        assert_int_equal(m.delivery_mode, 2);
        assert_true(m.has_order_id && m.has_sequence);
        assert_int_equal(m.order_id, json_number(m.body, "orderId"));
        assert_int_equal(m.sequence, json_number(m.body, "sequence"));
        assert_string_equal(m.type, m.routing_key);
        char id_in_body[80];
        snprintf(id_in_body, sizeof id_in_body, "\"eventId\":\"%.63s\"", m.message_id);
        assert_non_null(strstr(m.body, id_in_body));

        size_t k = 0;
        while (k < out.distinct && strcmp(ids[k].id, m.message_id) != 0)
            k++;
        size_t o = 0;
        while (o < n_orders && orders[o].order_id != m.order_id)
            o++;
        if (k < out.distinct) {
            /* A repeat: the same event again, never one older than what
             * its order already moved past. */
            assert_int_equal(ids[k].sequence, m.sequence);
            assert_true(o < n_orders);
            assert_true(m.sequence <= orders[o].last_sequence);
            out.duplicates++;
        } else {
            assert_true(out.distinct < cap);
            snprintf(ids[out.distinct].id, sizeof ids[out.distinct].id, "%.63s", m.message_id);
            ids[out.distinct].order_id = m.order_id;
            ids[out.distinct].sequence = m.sequence;
            out.distinct++;
            if (o == n_orders) {
                assert_true(n_orders < cap);
                orders[n_orders].order_id = m.order_id;
                orders[n_orders].last_sequence = 0;
                n_orders++;
            }
            /* A new event of an order comes after every earlier one. */
            assert_true(m.sequence > orders[o].last_sequence);
            orders[o].last_sequence = m.sequence;
        }
        at_message_free(&m);
    }
    free(orders);
    free(ids);
    return out;
}

/* Test database plumbing for the PostgreSQL adapter's tests: one database
 * per program (so programs may run in parallel), migrated through the
 * library, truncated between tests. */
#include "pg_test.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <orders/adapters/postgres/migrate.h>
#include <orders/domain/event.h>

static char conninfo[1024];
static char server_conninfo[1024];
static char cluster_dir[512];
static char cluster_script[512];

static void fail(const char *what, const char *detail)
{
    fprintf(stderr, "pg test setup: %s%s%s\n", what, detail != NULL ? ": " : "",
            detail != NULL ? detail : "");
    exit(1);
}

/* Appends key='value' with the quoting libpq's key=value syntax wants. */
static void append_param(char *buf, size_t cap, const char *key, const char *value)
{
    size_t len = strlen(buf);
    int n = snprintf(buf + len, cap - len, "%s%s='", len > 0 ? " " : "", key);
    if (n < 0 || (size_t)n >= cap - len)
        fail("connection string too long", NULL);
    len += (size_t)n;
    for (const char *c = value; *c != '\0'; c++) {
        if (len + 3 >= cap)
            fail("connection string too long", NULL);
        if (*c == '\'' || *c == '\\')
            buf[len++] = '\\';
        buf[len++] = *c;
    }
    buf[len++] = '\'';
    buf[len] = '\0';
}

/* The cluster's URL with its database replaced by @p dbname. */
static void build_conninfo(char *out, size_t cap, const char *url, const char *dbname)
{
    char *err = NULL;
    PQconninfoOption *opts = PQconninfoParse(url, &err);
    if (opts == NULL)
        fail("cannot parse the cluster URL", err);
    out[0] = '\0';
    for (PQconninfoOption *o = opts; o->keyword != NULL; o++) {
        if (o->val == NULL || o->val[0] == '\0' || strcmp(o->keyword, "dbname") == 0)
            continue;
        append_param(out, cap, o->keyword, o->val);
    }
    append_param(out, cap, "dbname", dbname);
    PQconninfoFree(opts);
}

static void read_url(char *out, size_t cap)
{
    char path[600];
    snprintf(path, sizeof path, "%s/url", cluster_dir);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        fail("no cluster URL (was the pg_cluster fixture started?)", path);
    if (fgets(out, (int)cap, f) == NULL)
        fail("empty cluster URL file", path);
    fclose(f);
    out[strcspn(out, "\r\n")] = '\0';
}

static void exec_or_fail(PGconn *conn, const char *sql)
{
    PGresult *r = PQexec(conn, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
        fail(sql, PQresultErrorMessage(r));
    PQclear(r);
}

static void recreate_database(const char *name)
{
    PGconn *admin = PQconnectdb(server_conninfo);
    if (PQstatus(admin) != CONNECTION_OK)
        fail("cannot connect to the test cluster", PQerrorMessage(admin));
    char sql[256];
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS \"%s\" WITH (FORCE)", name);
    exec_or_fail(admin, sql);
    snprintf(sql, sizeof sql, "CREATE DATABASE \"%s\"", name);
    exec_or_fail(admin, sql);
    PQfinish(admin);
}

void pgt_fresh_database(const char *name, char *out, size_t cap)
{
    char url[1024];
    read_url(url, sizeof url);
    build_conninfo(out, cap, url, name);
    recreate_database(name);
}

void pgt_init(const char *name)
{
    const char *dir = getenv("ORDERS_TEST_PG_DIR");
    const char *script = getenv("ORDERS_PG_CLUSTER_SCRIPT");
    if (dir == NULL || script == NULL)
        fail("ORDERS_TEST_PG_DIR and ORDERS_PG_CLUSTER_SCRIPT must be set (run through ctest)",
             NULL);
    snprintf(cluster_dir, sizeof cluster_dir, "%s", dir);
    snprintf(cluster_script, sizeof cluster_script, "%s", script);

    char url[1024];
    read_url(url, sizeof url);
    build_conninfo(server_conninfo, sizeof server_conninfo, url, "postgres");
    build_conninfo(conninfo, sizeof conninfo, url, name);

    recreate_database(name);

    ord_pg_migration_report report;
    if (ord_pg_migrate(conninfo, &report) != ORD_OK)
        fail("migration failed", report.detail);
}

const char *pgt_conninfo(void)
{
    return conninfo;
}

PGconn *pgt_connect(void)
{
    PGconn *conn = PQconnectdb(conninfo);
    if (PQstatus(conn) != CONNECTION_OK)
        fail("cannot connect to the test database", PQerrorMessage(conn));
    return conn;
}

int pgt_exec(const char *sql)
{
    PGconn *conn = pgt_connect();
    PGresult *r = PQexec(conn, sql);
    int rc = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK ? 0 : -1;
    if (rc != 0)
        fprintf(stderr, "pgt_exec: %s", PQresultErrorMessage(r));
    PQclear(r);
    PQfinish(conn);
    return rc;
}

int64_t pgt_scalar(const char *sql)
{
    PGconn *conn = pgt_connect();
    PGresult *r = PQexec(conn, sql);
    int64_t v = -1;
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 && !PQgetisnull(r, 0, 0))
        v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    else if (PQresultStatus(r) != PGRES_TUPLES_OK)
        fprintf(stderr, "pgt_scalar: %s", PQresultErrorMessage(r));
    PQclear(r);
    PQfinish(conn);
    return v;
}

int pgt_truncate(void)
{
    return pgt_exec("TRUNCATE orders, order_items, order_status_history, outbox_events, "
                    "idempotency_keys, order_numbers RESTART IDENTITY");
}

ord_pg_store *pgt_store(void)
{
    ord_pg_store *store = NULL;
    ord_pg_options options = ORD_PG_OPTIONS_INIT;
    /* Tests wait for a restarted server in a loop; retry connecting often. */
    options.reconnect_interval_ms = 50;
    if (ord_pg_store_new(&store, conninfo, &options) != ORD_OK)
        fail("ord_pg_store_new failed", NULL);
    return store;
}

static int cluster(const char *action)
{
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "'%s' %s '%s' >/dev/null", cluster_script, action, cluster_dir);
    return system(cmd) == 0 ? 0 : -1;
}

int pgt_restart_cluster(void)
{
    return cluster("restart");
}

int pgt_stop_cluster(void)
{
    return cluster("stop");
}

int pgt_start_cluster(void)
{
    return cluster("start");
}

void pgt_uuid(char out[ORD_UUID_SIZE])
{
    unsigned char b[16];
    FILE *f = fopen("/dev/urandom", "rb");
    if (f == NULL || fread(b, 1, sizeof b, f) != sizeof b)
        fail("cannot read /dev/urandom", NULL);
    fclose(f);
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    snprintf(out, ORD_UUID_SIZE,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
             b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
             b[15]);
}

void pgt_number(char out[ORD_ORDER_NUMBER_SIZE])
{
    char uuid[ORD_UUID_SIZE];
    pgt_uuid(uuid);
    snprintf(out, ORD_ORDER_NUMBER_SIZE, "ORD-%s", uuid);
}

void pgt_build_order(ord_order *o, int64_t customer, int64_t at_ms, size_t lines)
{
    ord_order_init(o);
    pgt_number(o->number);
    o->customer_id = customer;
    ord_order_item items[ORD_MAX_ITEMS];
    for (size_t i = 0; i < lines && i < ORD_MAX_ITEMS; i++) {
        items[i] = (ord_order_item){.product_id = (int64_t)i + 1, .quantity = (int32_t)i + 1,
                                    .has_price = true};
        if (ord_money_make(&items[i].unit_price, 100 * ((int64_t)i + 1) + 99, "USD") != ORD_OK)
            fail("ord_money_make", NULL);
    }
    if (ord_order_set_items(o, items, lines) != ORD_OK ||
        ord_order_compute_total(o, &o->total, "USD") != ORD_OK ||
        ord_order_set_text(&o->delivery_address, "1 Main St, Springfield") != ORD_OK ||
        ord_order_set_text(&o->carrier, "DHL") != ORD_OK ||
        ord_order_start(o, ORD_STATUS_PENDING_CHECK, at_ms, "created") != ORD_OK)
        fail("building an order", NULL);
}

int64_t pgt_create(ord_pg_store *store, int64_t customer, int64_t at_ms)
{
    ord_order o;
    pgt_build_order(&o, customer, at_ms, 2);
    ord_order_repository repo = ord_pg_store_orders(store);
    ord_error rc = repo.ops->create(repo.self, &o);
    if (rc != ORD_OK)
        fail("create failed", ord_pg_store_last_error(store));
    int64_t id = o.id;
    ord_order_free(&o);
    return id;
}

ord_error pgt_move(ord_pg_store *store, int64_t id, int64_t version, ord_status from,
                   ord_status to, int64_t at_ms, int64_t *new_version)
{
    ord_order o;
    ord_order_init(&o);
    o.id = id;
    o.version = version;
    o.status = to;
    o.updated_at_ms = at_ms;
    ord_status_change change = {.has_from = true, .from = from, .to = to, .at_ms = at_ms};
    snprintf(change.reason, sizeof change.reason, "%s", ord_status_name(to));
    ord_outbox_event event = {.order_id = id, .sequence = version + 1, .occurred_at_ms = at_ms};
    char payload[128];
    snprintf(payload, sizeof payload, "{\"orderId\":%" PRId64 ",\"version\":%" PRId64 "}", id,
             version + 1);
    event.payload = payload;
    pgt_uuid(event.event_id);
    bool raises = ord_event_type_for_status(&event.type, to);
    ord_order_update u = {.order = &o, .fields = ORD_UPDATE_STATUS, .change = &change,
                          .event = raises ? &event : NULL};
    ord_order_repository repo = ord_pg_store_orders(store);
    return repo.ops->update(repo.self, &u, new_version);
}

int pgt_deliver_at(ord_outbox outbox, int64_t id, int64_t at_ms)
{
    if (outbox.ops->mark_delivered(outbox.self, id) != ORD_OK)
        return -1;
    char sql[160];
    snprintf(sql, sizeof sql,
             "UPDATE outbox_events SET delivered_at_ms = %" PRId64 " WHERE id = %" PRId64, at_ms,
             id);
    return pgt_exec(sql);
}

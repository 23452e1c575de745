/* The PostgreSQL store beyond the port contract: verbatim strings, error
 * mapping, atomicity of failed writes, the statement timeout, and the
 * handling of an unreachable database. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <orders/adapters/postgres/store.h>

#include "pg_test.h"

#define T0 INT64_C(1767225600123)

static int setup(void **state)
{
    if (pgt_truncate() != 0)
        return -1;
    *state = pgt_store();
    return 0;
}

static int teardown(void **state)
{
    ord_pg_store_free(*state);
    return 0;
}

static ord_order_repository repo_of(void **state)
{
    return ord_pg_store_orders(*state);
}

static void assert_text_equal(const char *expected, const char *actual)
{
    if (expected == NULL) {
        assert_null(actual);
        return;
    }
    assert_non_null(actual);
    assert_string_equal(expected, actual);
}

static void test_every_field_round_trips_exactly(void **state)
{
    ord_order_repository repo = repo_of(state);
    ord_order o;
    pgt_build_order(&o, 77, T0, 3);
    o.updated_at_ms = T0 + 1;
    o.pending_inventory = ORD_INVENTORY_RELEASE;
    memset(o.guest_token_hash, 'a', 64);
    o.guest_token_hash[64] = '\0';
    assert_int_equal(ord_order_set_text(&o.customer_name, "Ada Lovelace"), ORD_OK);
    assert_int_equal(ord_order_set_text(&o.tracking_number, "TRK-1"), ORD_OK);
    o.items[1].has_price = false; /* a line without a snapshot yet */
    assert_int_equal(repo.ops->create(repo.self, &o), ORD_OK);
    assert_true(o.id > 0);
    assert_int_equal(o.version, 1);

    ord_order got;
    ord_order_init(&got);
    assert_int_equal(repo.ops->get_by_id(repo.self, o.id, &got), ORD_OK);
    assert_int_equal(got.id, o.id);
    assert_string_equal(got.number, o.number);
    assert_int_equal(got.customer_id, 77);
    assert_string_equal(got.guest_token_hash, o.guest_token_hash);
    assert_text_equal("Ada Lovelace", got.customer_name);
    assert_text_equal(o.delivery_address, got.delivery_address);
    assert_text_equal("DHL", got.carrier);
    assert_text_equal("TRK-1", got.tracking_number);
    assert_int_equal(got.status, ORD_STATUS_PENDING_CHECK);
    assert_true(ord_money_equal(got.total, o.total));
    assert_int_equal(got.created_at_ms, T0);
    assert_int_equal(got.updated_at_ms, T0 + 1);
    assert_int_equal(got.pending_inventory, ORD_INVENTORY_RELEASE);
    assert_int_equal(got.item_count, 3);
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(got.items[i].product_id, o.items[i].product_id);
        assert_int_equal(got.items[i].quantity, o.items[i].quantity);
        assert_int_equal(got.items[i].has_price, o.items[i].has_price);
        if (o.items[i].has_price)
            assert_true(ord_money_equal(got.items[i].unit_price, o.items[i].unit_price));
    }
    assert_int_equal(got.history_count, 1);
    assert_false(got.history[0].has_from);
    assert_int_equal(got.history[0].to, ORD_STATUS_PENDING_CHECK);
    assert_int_equal(got.history[0].at_ms, T0);
    assert_string_equal(got.history[0].reason, "created");
    ord_order_free(&got);
    ord_order_free(&o);
}

/* Quotes, backslashes, SQL fragments and non-ASCII text, as clients send them. */
static const char *const awkward[] = {
    "O'Brien \"the\" \\ back\\slash \\\\ double",
    "'); DROP TABLE orders; --",
    "Robert'); DELETE FROM order_items WHERE ('1'='1",
    "Straße 1, 東京都, Ελλάδα, emoji \xF0\x9F\x9A\x9A and \xE2\x82\xAC",
    "{\"json\": [1, \"two\"], \"nested\": {\"q\": \"\\\"\"}}",
    "$1 $$ $tag$ :name %s %n ? E'\\x41' \\N NULL",
    "tab\there, newline\nthere, carriage\rreturn",
};

static void test_awkward_strings_are_stored_and_read_back_verbatim(void **state)
{
    ord_order_repository repo = repo_of(state);
    for (size_t i = 0; i < sizeof awkward / sizeof awkward[0]; i++) {
        ord_order o;
        pgt_build_order(&o, 5, T0, 1);
        assert_int_equal(ord_order_set_text(&o.customer_name, awkward[i]), ORD_OK);
        assert_int_equal(ord_order_set_text(&o.delivery_address, awkward[i]), ORD_OK);
        assert_int_equal(ord_order_set_text(&o.carrier, awkward[i]), ORD_OK);
        assert_int_equal(ord_order_set_text(&o.tracking_number, awkward[i]), ORD_OK);
        snprintf(o.history[0].reason, sizeof o.history[0].reason, "%.40s", awkward[i]);
        assert_int_equal(repo.ops->create(repo.self, &o), ORD_OK);

        ord_order got;
        ord_order_init(&got);
        assert_int_equal(repo.ops->get_by_number(repo.self, o.number, &got), ORD_OK);
        assert_string_equal(got.customer_name, awkward[i]);
        assert_string_equal(got.delivery_address, awkward[i]);
        assert_string_equal(got.carrier, awkward[i]);
        assert_string_equal(got.tracking_number, awkward[i]);
        assert_string_equal(got.history[0].reason, o.history[0].reason);
        ord_order_free(&got);
        ord_order_free(&o);
    }
    assert_int_equal(pgt_scalar("SELECT count(*) FROM orders"), 7);
    assert_int_equal(pgt_scalar("SELECT count(*) FROM order_items"), 7);
}

static void test_awkward_event_payloads_and_idempotency_values_are_verbatim(void **state)
{
    ord_pg_store *store = *state;
    int64_t id = pgt_create(store, 5, T0);
    ord_order o;
    ord_order_init(&o);
    o.id = id;
    o.version = 1;
    o.status = ORD_STATUS_CONFIRMED;
    o.updated_at_ms = T0 + 5;
    ord_status_change change = {.has_from = true, .from = ORD_STATUS_PENDING_CHECK,
                                .to = ORD_STATUS_CONFIRMED, .at_ms = T0 + 5};
    snprintf(change.reason, sizeof change.reason, "it's \"confirmed\" \\o/");
    ord_outbox_event e = {.type = ORD_EVENT_ORDER_PLACED, .order_id = id, .customer_id = 5,
                          .sequence = 2, .occurred_at_ms = T0 + 5, .payload = (char *)awkward[4]};
    pgt_uuid(e.event_id);
    ord_order_update u = {.order = &o, .fields = ORD_UPDATE_STATUS, .change = &change, .event = &e};
    ord_order_repository repo = ord_pg_store_orders(store);
    assert_int_equal(repo.ops->update(repo.self, &u, NULL), ORD_OK);

    ord_outbox outbox = ord_pg_store_outbox(store);
    ord_outbox_batch batch = {0};
    assert_int_equal(outbox.ops->claim(outbox.self, T0 + 10, T0 + 1000, "relay'; --", 10, &batch),
                     ORD_OK);
    assert_int_equal(batch.count, 1);
    assert_string_equal(batch.events[0].payload, awkward[4]);
    assert_string_equal(batch.events[0].event_id, e.event_id);
    assert_int_equal(batch.events[0].occurred_at_ms, T0 + 5);
    ord_outbox_batch_free(&batch);

    ord_idempotency_store idem = ord_pg_store_idempotency(store);
    const char *key = "k'ey\\with \"quotes\"; DROP TABLE idempotency_keys; --";
    const char *scope = "customer:5 \xE2\x82\xAC'";
    ord_idem_begin b = {.scope = scope, .key = key, .fingerprint = "f'p", .now_ms = T0,
                        .lock_until_ms = T0 + 1000, .expires_at_ms = T0 + 100000};
    ord_idem_record rec = {0};
    assert_int_equal(idem.ops->begin(idem.self, &b, &rec), ORD_OK);
    assert_int_equal(rec.state, ORD_IDEM_STARTED);
    assert_int_equal(idem.ops->complete(idem.self, scope, key, id, 201, awkward[3]), ORD_OK);
    ord_idem_record_free(&rec);
    assert_int_equal(idem.ops->begin(idem.self, &b, &rec), ORD_OK);
    assert_int_equal(rec.state, ORD_IDEM_COMPLETED);
    assert_int_equal(rec.response_status, 201);
    assert_int_equal(rec.order_id, id);
    assert_string_equal(rec.response_body, awkward[3]);
    ord_idem_record_free(&rec);
}

static void test_sql_fragment_as_order_number_is_simply_not_found(void **state)
{
    ord_order_repository repo = repo_of(state);
    pgt_create(*state, 1, T0);
    ord_order got;
    ord_order_init(&got);
    assert_int_equal(repo.ops->get_by_number(repo.self, "' OR '1'='1", &got), ORD_ENOTFOUND);
    assert_int_equal(got.id, 0);
}

static void test_duplicate_order_number_is_conflict_and_stores_nothing(void **state)
{
    ord_order_repository repo = repo_of(state);
    ord_order a, b;
    pgt_build_order(&a, 1, T0, 2);
    pgt_build_order(&b, 2, T0, 3);
    memcpy(b.number, a.number, sizeof a.number);
    assert_int_equal(repo.ops->create(repo.self, &a), ORD_OK);
    assert_int_equal(repo.ops->create(repo.self, &b), ORD_ECONFLICT);
    assert_int_equal(b.id, 0);
    assert_int_equal(pgt_scalar("SELECT count(*) FROM orders"), 1);
    assert_int_equal(pgt_scalar("SELECT count(*) FROM order_items"), 2);
    assert_int_equal(pgt_scalar("SELECT count(*) FROM order_status_history"), 1);
    /* The server's text is kept for an operator, never returned. */
    assert_true(strlen(ord_pg_store_last_error(*state)) > 0);
    ord_order_free(&a);
    ord_order_free(&b);
}

static void test_rows_breaking_table_rules_are_invalid_and_store_nothing(void **state)
{
    ord_order_repository repo = repo_of(state);
    ord_order o;

    pgt_build_order(&o, 1, T0, 2);
    o.items[1].quantity = 0; /* CHECK quantity BETWEEN 1 AND 10000 */
    assert_int_equal(repo.ops->create(repo.self, &o), ORD_EINVALID);
    ord_order_free(&o);

    pgt_build_order(&o, 1, T0, 2);
    o.items[1].product_id = o.items[0].product_id; /* a product at most once */
    assert_int_equal(repo.ops->create(repo.self, &o), ORD_EINVALID);
    ord_order_free(&o);

    pgt_build_order(&o, 1, T0, 1);
    snprintf(o.number, sizeof o.number, "ORD-not-a-uuid");
    assert_int_equal(repo.ops->create(repo.self, &o), ORD_EINVALID);
    ord_order_free(&o);

    pgt_build_order(&o, 1, T0, 1);
    o.customer_id = -4;
    assert_int_equal(repo.ops->create(repo.self, &o), ORD_EINVALID);
    ord_order_free(&o);

    pgt_build_order(&o, 1, T0, 1);
    assert_int_equal(ord_order_set_text(&o.customer_name, "bad \xC3\x28 utf-8"), ORD_OK);
    assert_int_equal(repo.ops->create(repo.self, &o), ORD_EINVALID);
    ord_order_free(&o);

    pgt_build_order(&o, 1, T0, 1);
    o.status = (ord_status)42;
    assert_int_equal(repo.ops->create(repo.self, &o), ORD_EINVALID);
    ord_order_free(&o);

    assert_int_equal(pgt_scalar("SELECT count(*) FROM orders"), 0);
    assert_int_equal(pgt_scalar("SELECT count(*) FROM order_items"), 0);
    assert_int_equal(pgt_scalar("SELECT count(*) FROM order_status_history"), 0);
}

/* @p chars copies of @p unit (one character of any width); free() it. */
static char *repeat_text(const char *unit, size_t chars)
{
    size_t len = strlen(unit);
    char *s = malloc(len * chars + 1);
    assert_non_null(s);
    for (size_t i = 0; i < chars; i++)
        memcpy(s + i * len, unit, len);
    s[len * chars] = '\0';
    return s;
}

static ord_error create_with_texts(ord_order_repository repo, size_t name_chars,
                                   size_t address_chars, size_t carrier_chars)
{
    ord_order o;
    pgt_build_order(&o, 6, T0, 1);
    /* Two-byte characters: the limits count characters, not bytes. */
    char *name = repeat_text("\xC3\xA9", name_chars);
    char *address = repeat_text("\xC3\xA9", address_chars);
    char *carrier = repeat_text("\xC3\xA9", carrier_chars);
    assert_int_equal(ord_order_set_text(&o.customer_name, name), ORD_OK);
    assert_int_equal(ord_order_set_text(&o.delivery_address, address), ORD_OK);
    assert_int_equal(ord_order_set_text(&o.carrier, carrier), ORD_OK);
    ord_error rc = repo.ops->create(repo.self, &o);
    free(name);
    free(address);
    free(carrier);
    ord_order_free(&o);
    return rc;
}

static void test_text_longer_than_the_domain_allows_is_invalid_and_stores_nothing(void **state)
{
    ord_order_repository repo = repo_of(state);
    assert_int_equal(create_with_texts(repo, ORD_MAX_NAME_CHARS, ORD_MAX_ADDRESS_CHARS,
                                       ORD_MAX_CARRIER_CHARS),
                     ORD_OK);
    assert_int_equal(create_with_texts(repo, ORD_MAX_NAME_CHARS + 1, 1, 1), ORD_EINVALID);
    assert_int_equal(create_with_texts(repo, 1, ORD_MAX_ADDRESS_CHARS + 1, 1), ORD_EINVALID);
    assert_int_equal(create_with_texts(repo, 1, 1, ORD_MAX_CARRIER_CHARS + 1), ORD_EINVALID);
    assert_int_equal(pgt_scalar("SELECT count(*) FROM orders"), 1);

    /* An update is held to the same limits, and writes nothing either. */
    int64_t id = pgt_scalar("SELECT id FROM orders");
    ord_order o;
    ord_order_init(&o);
    o.id = id;
    o.version = 1;
    o.updated_at_ms = T0 + 1;
    o.carrier = repeat_text("x", ORD_MAX_CARRIER_CHARS + 1);
    ord_order_update u = {.order = &o, .fields = ORD_UPDATE_DELIVERY};
    assert_int_equal(repo.ops->update(repo.self, &u, NULL), ORD_EINVALID);
    assert_int_equal(pgt_scalar("SELECT version FROM orders"), 1);
    ord_order_free(&o);
}

static void test_scope_too_large_for_the_key_index_is_invalid_and_stores_nothing(void **state)
{
    /* Random text, so that compression cannot make it fit the index. */
    enum { UUIDS = 240 };
    char *scope = malloc(UUIDS * (ORD_UUID_SIZE - 1) + 1);
    assert_non_null(scope);
    for (size_t i = 0; i < UUIDS; i++)
        pgt_uuid(scope + i * (ORD_UUID_SIZE - 1));
    ord_idempotency_store idem = ord_pg_store_idempotency(*state);
    ord_idem_begin b = {.scope = scope, .key = "k", .fingerprint = "f", .now_ms = T0,
                        .lock_until_ms = T0 + 1000, .expires_at_ms = T0 + 100000};
    ord_idem_record rec = {0};
    assert_int_equal(idem.ops->begin(idem.self, &b, &rec), ORD_EINVALID);
    assert_null(rec.response_body);
    assert_int_equal(pgt_scalar("SELECT count(*) FROM idempotency_keys"), 0);
    free(scope);
}

static void test_stale_version_is_conflict_and_writes_nothing(void **state)
{
    ord_pg_store *store = *state;
    int64_t id = pgt_create(store, 3, T0);
    int64_t v = 0;
    assert_int_equal(pgt_move(store, id, 1, ORD_STATUS_PENDING_CHECK, ORD_STATUS_CONFIRMED, T0 + 1,
                              &v),
                     ORD_OK);
    assert_int_equal(v, 2);
    assert_int_equal(pgt_move(store, id, 1, ORD_STATUS_PENDING_CHECK, ORD_STATUS_CANCELLED,
                              T0 + 2, &v),
                     ORD_ECONFLICT);
    assert_int_equal(pgt_scalar("SELECT version FROM orders"), 2);
    assert_int_equal(pgt_scalar("SELECT count(*) FROM order_status_history"), 2);
    assert_int_equal(pgt_scalar("SELECT count(*) FROM outbox_events"), 1);
    assert_int_equal(pgt_scalar("SELECT count(*) FROM orders WHERE status = 'CONFIRMED'"), 1);
    assert_int_equal(pgt_move(store, id + 100, 1, ORD_STATUS_PENDING_CHECK, ORD_STATUS_CONFIRMED,
                              T0 + 2, &v),
                     ORD_ENOTFOUND);
}

static void test_update_with_a_bad_event_rolls_back_the_status_change(void **state)
{
    ord_pg_store *store = *state;
    int64_t id = pgt_create(store, 3, T0);
    ord_order o;
    ord_order_init(&o);
    o.id = id;
    o.version = 1;
    o.status = ORD_STATUS_CONFIRMED;
    o.updated_at_ms = T0 + 1;
    ord_status_change change = {.has_from = true, .from = ORD_STATUS_PENDING_CHECK,
                                .to = ORD_STATUS_CONFIRMED, .at_ms = T0 + 1};
    ord_outbox_event e = {.type = ORD_EVENT_ORDER_PLACED, .order_id = id, .sequence = 2,
                          .payload = "{}"};
    snprintf(e.event_id, sizeof e.event_id, "not-a-uuid"); /* refused by the uuid column */
    ord_order_update u = {.order = &o, .fields = ORD_UPDATE_STATUS, .change = &change, .event = &e};
    ord_order_repository repo = ord_pg_store_orders(store);
    assert_int_equal(repo.ops->update(repo.self, &u, NULL), ORD_EINVALID);
    assert_int_equal(pgt_scalar("SELECT version FROM orders"), 1);
    assert_int_equal(pgt_scalar("SELECT count(*) FROM orders WHERE status = 'PENDING_CHECK'"), 1);
    assert_int_equal(pgt_scalar("SELECT count(*) FROM order_status_history"), 1);
    assert_int_equal(pgt_scalar("SELECT count(*) FROM outbox_events"), 0);
}

static void test_replacing_items_may_reuse_products_and_lines(void **state)
{
    ord_order_repository repo = repo_of(state);
    ord_order o;
    pgt_build_order(&o, 9, T0, 3);
    assert_int_equal(repo.ops->create(repo.self, &o), ORD_OK);
    /* Reverse the lines: every product moves to another line number. */
    ord_order_item reversed[3] = {o.items[2], o.items[1], o.items[0]};
    reversed[1].quantity = 7;
    assert_int_equal(ord_order_set_items(&o, reversed, 3), ORD_OK);
    assert_int_equal(ord_order_compute_total(&o, &o.total, "USD"), ORD_OK);
    o.updated_at_ms = T0 + 9;
    ord_order_update u = {.order = &o, .fields = ORD_UPDATE_ITEMS};
    int64_t v = 0;
    assert_int_equal(repo.ops->update(repo.self, &u, &v), ORD_OK);
    assert_int_equal(v, 2);

    ord_order got;
    ord_order_init(&got);
    assert_int_equal(repo.ops->get_by_id(repo.self, o.id, &got), ORD_OK);
    assert_int_equal(got.item_count, 3);
    assert_int_equal(got.items[0].product_id, 3);
    assert_int_equal(got.items[1].quantity, 7);
    assert_int_equal(got.items[2].product_id, 1);
    assert_true(ord_money_equal(got.total, o.total));
    assert_int_equal(got.updated_at_ms, T0 + 9);
    ord_order_free(&got);
    ord_order_free(&o);
}

static void test_statement_cut_off_by_the_timeout_is_timeout_and_writes_nothing(void **state)
{
    int64_t id = pgt_create(*state, 8, T0);
    ord_pg_options options = ORD_PG_OPTIONS_INIT;
    options.statement_timeout_ms = 200;
    ord_pg_store *limited = NULL;
    assert_int_equal(ord_pg_store_new(&limited, pgt_conninfo(), &options), ORD_OK);

    /* Another session holds the row, so the update waits until cut off. */
    PGconn *other = pgt_connect();
    PGresult *r = PQexec(other, "BEGIN");
    PQclear(r);
    r = PQexec(other, "SELECT id FROM orders FOR UPDATE");
    assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
    PQclear(r);
    assert_int_equal(pgt_move(limited, id, 1, ORD_STATUS_PENDING_CHECK, ORD_STATUS_CONFIRMED,
                              T0 + 1, NULL),
                     ORD_ETIMEOUT);
    r = PQexec(other, "ROLLBACK");
    PQclear(r);
    PQfinish(other);

    assert_int_equal(pgt_scalar("SELECT version FROM orders"), 1);
    assert_int_equal(pgt_scalar("SELECT count(*) FROM order_status_history"), 1);
    /* The connection is still good for the next call. */
    int64_t v = 0;
    assert_int_equal(pgt_move(limited, id, 1, ORD_STATUS_PENDING_CHECK, ORD_STATUS_CONFIRMED,
                              T0 + 2, &v),
                     ORD_OK);
    assert_int_equal(v, 2);
    ord_pg_store_free(limited);
}

static void test_bad_connection_strings_and_options_are_refused(void **state)
{
    (void)state;
    ord_pg_store *s = (ord_pg_store *)&s; /* must be reset to NULL */
    assert_int_equal(ord_pg_store_new(&s, "host='unterminated", NULL), ORD_EINVALID);
    assert_null(s);
    assert_int_equal(ord_pg_store_new(&s, NULL, NULL), ORD_EINVALID);
    ord_pg_options bad = ORD_PG_OPTIONS_INIT;
    bad.connect_timeout_s = 0;
    assert_int_equal(ord_pg_store_new(&s, pgt_conninfo(), &bad), ORD_EINVALID);
    bad = (ord_pg_options)ORD_PG_OPTIONS_INIT;
    bad.version = 99;
    assert_int_equal(ord_pg_store_new(&s, pgt_conninfo(), &bad), ORD_EINVALID);
    bad = (ord_pg_options)ORD_PG_OPTIONS_INIT;
    bad.statement_timeout_ms = -1;
    assert_int_equal(ord_pg_store_new(&s, pgt_conninfo(), &bad), ORD_EINVALID);
    assert_int_equal(ord_pg_ping(NULL), ORD_EINVALID);
    ord_pg_store_free(NULL);
}

static void test_unreachable_database_makes_every_port_unavailable(void **state)
{
    (void)state;
    ord_pg_store *s = NULL;
    /* A socket directory where no server listens. */
    assert_int_equal(ord_pg_store_new(&s, "host=/nonexistent port=1 dbname=x user=x", NULL),
                     ORD_OK);
    assert_int_equal(ord_pg_ping(s), ORD_EUNAVAILABLE);
    assert_true(strlen(ord_pg_store_last_error(s)) > 0);

    ord_order_repository repo = ord_pg_store_orders(s);
    ord_order o;
    pgt_build_order(&o, 1, T0, 1);
    assert_int_equal(repo.ops->create(repo.self, &o), ORD_EUNAVAILABLE);
    ord_order got;
    ord_order_init(&got);
    assert_int_equal(repo.ops->get_by_id(repo.self, 1, &got), ORD_EUNAVAILABLE);
    ord_outbox outbox = ord_pg_store_outbox(s);
    int64_t pending = -1, parked = -1;
    assert_int_equal(outbox.ops->count(outbox.self, &pending, &parked), ORD_EUNAVAILABLE);
    ord_idempotency_store idem = ord_pg_store_idempotency(s);
    ord_idem_begin b = {.scope = "s", .key = "k", .fingerprint = "f"};
    ord_idem_record rec;
    assert_int_equal(idem.ops->begin(idem.self, &b, &rec), ORD_EUNAVAILABLE);
    ord_order_free(&o);
    ord_pg_store_free(s);
}

static void test_ping_answers_for_a_running_database(void **state)
{
    assert_int_equal(ord_pg_ping(*state), ORD_OK);
    assert_string_equal(ord_pg_store_last_error(*state), "");
}

/* A key held by a request whose process died (its session closed) is taken
 * over at once by a retry, with the number it was bound to; while the
 * holder's session lives, the key stays in progress until its lock ends. */
static void test_key_of_a_closed_session_is_resumable_at_once(void **state)
{
    ord_pg_store *holder = pgt_store();
    ord_idempotency_store held = ord_pg_store_idempotency(holder);
    ord_idempotency_store other = ord_pg_store_idempotency(*state);
    ord_idem_begin b = {.scope = "customer:9", .key = "k-dead", .fingerprint = "fp",
                        .now_ms = T0, .lock_until_ms = T0 + 60000, .expires_at_ms = T0 + 86400000};
    ord_idem_record rec = {0};
    assert_int_equal(held.ops->begin(held.self, &b, &rec), ORD_OK);
    assert_int_equal(rec.state, ORD_IDEM_STARTED);
    char number[ORD_ORDER_NUMBER_SIZE];
    pgt_number(number);
    char bound[ORD_ORDER_NUMBER_SIZE];
    assert_int_equal(held.ops->bind_number(held.self, b.scope, b.key, NULL, number, bound), ORD_OK);
    ord_idem_record_free(&rec);

    b.now_ms = T0 + 1000;
    assert_int_equal(other.ops->begin(other.self, &b, &rec), ORD_OK);
    assert_int_equal(rec.state, ORD_IDEM_IN_PROGRESS);
    ord_idem_record_free(&rec);

    ord_pg_store_free(holder); /* its session ends, as a killed server's does */
    /* The server notices the closed socket quickly, but not synchronously. */
    for (int i = 0; i < 100 && pgt_scalar("SELECT count(*) FROM pg_stat_activity "
                                          "WHERE datname = current_database()") > 1;
         i++)
        pgt_exec("SELECT pg_sleep(0.05)");
    b.now_ms = T0 + 2000;
    assert_int_equal(other.ops->begin(other.self, &b, &rec), ORD_OK);
    assert_int_equal(rec.state, ORD_IDEM_RESUMABLE);
    assert_string_equal(rec.order_number, number);
    ord_idem_record_free(&rec);

    /* The new holder's session lives: in progress again for anyone else. */
    ord_pg_store *third = pgt_store();
    ord_idempotency_store again = ord_pg_store_idempotency(third);
    b.now_ms = T0 + 3000;
    assert_int_equal(again.ops->begin(again.self, &b, &rec), ORD_OK);
    assert_int_equal(rec.state, ORD_IDEM_IN_PROGRESS);
    ord_idem_record_free(&rec);
    ord_pg_store_free(third);
}

int main(void)
{
    pgt_init("orders_test_store");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_every_field_round_trips_exactly, setup, teardown),
        cmocka_unit_test_setup_teardown(test_awkward_strings_are_stored_and_read_back_verbatim,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_awkward_event_payloads_and_idempotency_values_are_verbatim, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sql_fragment_as_order_number_is_simply_not_found,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_duplicate_order_number_is_conflict_and_stores_nothing,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_rows_breaking_table_rules_are_invalid_and_store_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_text_longer_than_the_domain_allows_is_invalid_and_stores_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_scope_too_large_for_the_key_index_is_invalid_and_stores_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stale_version_is_conflict_and_writes_nothing, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_update_with_a_bad_event_rolls_back_the_status_change,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_replacing_items_may_reuse_products_and_lines, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            test_statement_cut_off_by_the_timeout_is_timeout_and_writes_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_connection_strings_and_options_are_refused,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_unreachable_database_makes_every_port_unavailable,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_key_of_a_closed_session_is_resumable_at_once, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_ping_answers_for_a_running_database, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

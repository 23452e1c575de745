/* The SQL of every store operation. Each write is one statement (data-
 * modifying CTEs), hence atomic on its own and one round trip. */
#include "pg_internal.h"

/* The order's own columns, in the order pg_orders_read.c decodes them. */
#define ORDER_COLUMNS                                                                          \
    "o.id, o.order_number, o.customer_id, o.guest_token_hash, o.customer_name, "               \
    "o.delivery_address, o.carrier, o.tracking_number, o.status, o.total_minor, o.currency, "  \
    "o.version, o.created_at_ms, o.updated_at_ms, o.pending_inventory"

/* An order with its items and history in one statement (one snapshot). */
#define ORDER_WITH_CHILDREN                                                                    \
    "SELECT " ORDER_COLUMNS ", i.products, i.quantities, i.prices, i.currencies, "             \
    "h.froms, h.tos, h.ats, h.reasons "                                                        \
    "FROM orders o "                                                                           \
    "CROSS JOIN LATERAL (SELECT array_agg(product_id ORDER BY line_no) AS products, "          \
    "array_agg(quantity ORDER BY line_no) AS quantities, "                                     \
    "array_agg(unit_price_minor ORDER BY line_no) AS prices, "                                 \
    "array_agg(currency ORDER BY line_no) AS currencies "                                      \
    "FROM order_items WHERE order_id = o.id) i "                                               \
    "CROSS JOIN LATERAL (SELECT array_agg(from_status ORDER BY id) AS froms, "                 \
    "array_agg(to_status ORDER BY id) AS tos, array_agg(at_ms ORDER BY id) AS ats, "           \
    "array_agg(reason ORDER BY id) AS reasons "                                                \
    "FROM order_status_history WHERE order_id = o.id) h "

/* Lines of an order from four parallel arrays; line numbers from 1. */
#define ITEMS_FROM(src, a, b, c, d)                                                            \
    "INSERT INTO order_items (order_id, customer_id, line_no, product_id, quantity, "          \
    "unit_price_minor, currency) "                                                             \
    "SELECT " src ".id, " src ".customer_id, t.n, t.p, t.q, t.pr, t.c FROM " src ", "          \
    "unnest(" a "::bigint[], " b "::integer[], " c "::bigint[], " d "::text[]) "               \
    "WITH ORDINALITY AS t(p, q, pr, c, n)"

/* An order's changes with their lines (@p lines: the CTEs that replace
 * them, or ones that only name $14-$17), history entry and event, in one
 * statement. $1 id, $2 expected version, $3 field mask, $4-$13 the order's
 * columns, $14-$17 lines, $18-$21 status change, $22-$26 event. */
#define ORDER_UPDATE(lines)                                                                    \
    "WITH u AS (UPDATE orders o SET "                                                          \
    "status = CASE WHEN $3::integer & 1 <> 0 THEN $4::text ELSE o.status END, "                \
    "total_minor = CASE WHEN $3::integer & 2 <> 0 THEN $5::bigint ELSE o.total_minor END, "    \
    "currency = CASE WHEN $3::integer & 2 <> 0 THEN $6::text ELSE o.currency END, "            \
    "customer_name = CASE WHEN $3::integer & 4 <> 0 THEN $7::text ELSE o.customer_name END, "  \
    "delivery_address = CASE WHEN $3::integer & 4 <> 0 THEN $8::text "                         \
    "ELSE o.delivery_address END, "                                                            \
    "carrier = CASE WHEN $3::integer & 4 <> 0 THEN $9::text ELSE o.carrier END, "              \
    "tracking_number = CASE WHEN $3::integer & 8 <> 0 THEN $10::text "                         \
    "ELSE o.tracking_number END, "                                                             \
    "pending_inventory = CASE WHEN $3::integer & 16 <> 0 THEN $11::smallint "                  \
    "ELSE o.pending_inventory END, "                                                           \
    "updated_at_ms = $12::bigint, "                                                            \
    "lease_owner = CASE WHEN $13::boolean THEN NULL ELSE o.lease_owner END, "                  \
    "lease_until_ms = CASE WHEN $13::boolean THEN NULL ELSE o.lease_until_ms END, "            \
    "version = o.version + 1 "                                                                 \
    "WHERE o.id = $1::bigint AND o.version = $2::bigint "                                      \
    "RETURNING o.id, o.customer_id, o.version), "                                              \
    lines                                                                                      \
    "h AS (INSERT INTO order_status_history (order_id, customer_id, from_status, "             \
    "to_status, at_ms, reason) SELECT u.id, u.customer_id, $18::text, $19::text, "             \
    "$20::bigint, $21::text FROM u WHERE $19::text IS NOT NULL), "                             \
    "e AS (INSERT INTO outbox_events (event_id, event_type, order_id, customer_id, "           \
    "sequence, occurred_at_ms, payload) SELECT $22::uuid, $23::smallint, u.id, "               \
    "u.customer_id, $24::bigint, $25::bigint, $26::text FROM u WHERE $22::uuid IS NOT NULL) "  \
    "SELECT (SELECT version FROM u), EXISTS (SELECT 1 FROM orders WHERE id = $1::bigint)"

/* Orders needing one kind of work, oldest first (by creation: the work
 * indexes of 0009), leased to the caller. A
 * lease holds against its own owner too: defer() uses it as backoff.
 * $1 stale_before_ms, $2 now_ms, $3 owner, $4 lease_until_ms, $5 max. */
#define CLAIM_ORDERS(predicate)                                                                \
    "WITH c AS (SELECT id FROM orders WHERE " predicate " AND updated_at_ms <= $1::bigint "    \
    "AND (lease_owner IS NULL OR lease_until_ms <= $2::bigint) "                               \
    "ORDER BY created_at_ms, id LIMIT $5::bigint FOR UPDATE SKIP LOCKED), "                    \
    "u AS (UPDATE orders o SET lease_owner = $3::text, lease_until_ms = $4::bigint FROM c "    \
    "WHERE o.id = c.id RETURNING o.id, o.created_at_ms) "                                      \
    "SELECT id FROM u ORDER BY created_at_ms, id"

static const pg_statement statements[PG_STMT_COUNT] = {
    /* $1 number, $2 customer, $3 guest hash, $4 name, $5 address, $6 carrier,
     * $7 tracking, $8 status, $9 total, $10 currency, $11 created, $12 updated,
     * $13 pending inventory, $14-$17 items, $18-$21 first history entry.
     * Result: id. */
    [PG_ORDER_CREATE] = {"ord_order_create",
        "WITH o AS (INSERT INTO orders (order_number, customer_id, guest_token_hash, "
        "customer_name, delivery_address, carrier, tracking_number, status, total_minor, "
        "currency, created_at_ms, updated_at_ms, pending_inventory) "
        "VALUES ($1::text, $2::bigint, $3::text, $4::text, $5::text, $6::text, $7::text, "
        "$8::text, $9::bigint, $10::text, $11::bigint, $12::bigint, $13::smallint) "
        "RETURNING id, customer_id), "
        "i AS (" ITEMS_FROM("o", "$14", "$15", "$16", "$17") "), "
        "h AS (INSERT INTO order_status_history (order_id, customer_id, from_status, "
        "to_status, at_ms, reason) SELECT o.id, o.customer_id, $18::text, $19::text, "
        "$20::bigint, $21::text FROM o), "
        /* The number's directory entry: unique across customers (0008). */
        "n AS (INSERT INTO order_numbers (order_number, customer_id, order_id) "
        "SELECT $1::text, o.customer_id, o.id FROM o) "
        "SELECT id FROM o",
        21},

    [PG_ORDER_GET_BY_ID] = {"ord_order_get_by_id",
        ORDER_WITH_CHILDREN "WHERE o.id = $1::bigint", 1},

    /* Through the numbers' directory, which has the only key on numbers. */
    [PG_ORDER_GET_BY_NUMBER] = {"ord_order_get_by_number",
        ORDER_WITH_CHILDREN
        "WHERE o.id = (SELECT n.order_id FROM order_numbers n WHERE n.order_number = $1::text) "
        "AND o.customer_id = (SELECT n.customer_id FROM order_numbers n "
        "WHERE n.order_number = $1::text)",
        1},

    /* $1 customer, $2 status or NULL, $3/$4 keyset position, $5 rows. */
    [PG_ORDER_LIST] = {"ord_order_list",
        "SELECT " ORDER_COLUMNS " FROM orders o WHERE o.customer_id = $1::bigint "
        "AND ($2::text IS NULL OR o.status = $2::text) "
        "AND (o.created_at_ms, o.id) < ($3::bigint, $4::bigint) "
        "ORDER BY o.created_at_ms DESC, o.id DESC LIMIT $5::bigint",
        5},

    /* $1 id, $2 expected version, $3 field bits, $4 status, $5 total,
     * $6 currency, $7 name, $8 address, $9 carrier, $10 tracking,
     * $11 pending inventory, $12 updated, $13 release lease, $14-$17 items,
     * $18-$21 history entry (to NULL: none), $22-$26 event (id NULL: none).
     * Result: new version (NULL when not updated), whether the row exists. */
    [PG_ORDER_UPDATE] = {"ord_order_update",
        ORDER_UPDATE(
            /* Old and new lines may share keys: the deferrable constraints
             * are checked at the end of the statement, when the old ones
             * are gone. */
            "d AS (DELETE FROM order_items x USING u "
            "WHERE $3::integer & 2 <> 0 AND x.order_id = u.id), "
            "i AS (" ITEMS_FROM("u", "$14", "$15", "$16", "$17") " WHERE $3::integer & 2 <> 0), "),
        26},

    /* The same for a change that keeps the lines (a status change, the
     * tracking number, delivery fields): without the lines' DELETE and
     * INSERT, whose setup (the table, its indexes and foreign-key trigger)
     * each run paid even when they wrote nothing. The CTE that only names
     * the lines' parameters gives them their types; it is never run. */
    [PG_ORDER_UPDATE_KEEP_LINES] = {"ord_order_update_keep_lines",
        ORDER_UPDATE("i AS (SELECT $14::bigint[], $15::integer[], $16::bigint[], $17::text[]), "),
        26},

    [PG_ORDER_CLAIM_PENDING] = {"ord_order_claim_pending",
        CLAIM_ORDERS("status = 'PENDING_CHECK'"), 5},

    [PG_ORDER_CLAIM_TRACKING] = {"ord_order_claim_tracking",
        CLAIM_ORDERS("status IN ('CONFIRMED', 'SHIPPED', 'DELIVERED') "
                     "AND (tracking_number IS NULL OR tracking_number = '')"),
        5},

    [PG_ORDER_CLAIM_INVENTORY] = {"ord_order_claim_inventory",
        CLAIM_ORDERS("pending_inventory <> 0"), 5},

    /* $1 id, $2 owner, $3 until. Result: updated, exists. */
    [PG_ORDER_DEFER] = {"ord_order_defer",
        "WITH u AS (UPDATE orders SET lease_until_ms = $3::bigint "
        "WHERE id = $1::bigint AND lease_owner = $2::text RETURNING id) "
        "SELECT EXISTS (SELECT 1 FROM u), EXISTS (SELECT 1 FROM orders WHERE id = $1::bigint)",
        3},

    /* Session-level, so held until unlocked or the connection ends; never
     * waits. $1 customer key (pg_lock.c). Result: taken. */
    [PG_ORDER_LOCK_CUSTOMER] = {"ord_order_lock_customer",
        "SELECT pg_try_advisory_lock(" PG_CUSTOMER_LOCK_SPACE ", $1::integer)", 1},

    /* $1 customer key. Result: whether this connection held it. */
    [PG_ORDER_UNLOCK_CUSTOMER] = {"ord_order_unlock_customer",
        "SELECT pg_advisory_unlock(" PG_CUSTOMER_LOCK_SPACE ", $1::integer)", 1},

    /* The oldest undelivered event of each order, when due and free.
     * $1 now, $2 lease until, $3 owner, $4 max. The heads come from the
     * undelivered events alone (a short list while the relay keeps up), one
     * per order, before the filters: a parked or leased head holds its
     * order's later events back. */
    [PG_OUTBOX_CLAIM] = {"ord_outbox_claim",
        "WITH h AS (SELECT DISTINCT ON (order_id) id FROM outbox_events "
        "WHERE NOT delivered ORDER BY order_id, id), "
        "c AS (SELECT e.id FROM outbox_events e JOIN h ON h.id = e.id "
        "WHERE NOT e.delivered AND NOT e.parked "
        "AND (e.next_attempt_ms IS NULL OR e.next_attempt_ms <= $1::bigint) "
        "AND (e.lease_owner IS NULL OR e.lease_owner = $3::text "
        "OR e.lease_until_ms <= $1::bigint) "
        "ORDER BY e.id LIMIT $4::bigint FOR UPDATE OF e SKIP LOCKED), "
        "u AS (UPDATE outbox_events o SET lease_owner = $3::text, lease_until_ms = $2::bigint "
        "FROM c WHERE o.id = c.id RETURNING o.id, o.event_id, o.event_type, o.order_id, "
        "o.customer_id, o.sequence, o.occurred_at_ms, o.payload, o.attempts) "
        "SELECT id, event_id, event_type, order_id, customer_id, sequence, occurred_at_ms, "
        "payload, attempts FROM u ORDER BY id",
        4},

    /* The first delivery's time stays; it is the database's clock, one for
     * every instance. */
    [PG_OUTBOX_DELIVERED] = {"ord_outbox_delivered",
        "UPDATE outbox_events SET delivered = true, lease_owner = NULL, lease_until_ms = NULL, "
        "delivered_at_ms = CASE WHEN delivered THEN delivered_at_ms "
        "ELSE (extract(epoch FROM clock_timestamp()) * 1000)::bigint END "
        "WHERE id = $1::bigint",
        1},

    /* The same for a relay pass's deliveries, in one commit. $1 bigint[]. */
    [PG_OUTBOX_DELIVERED_MANY] = {"ord_outbox_delivered_many",
        "UPDATE outbox_events SET delivered = true, lease_owner = NULL, lease_until_ms = NULL, "
        "delivered_at_ms = CASE WHEN delivered THEN delivered_at_ms "
        "ELSE (extract(epoch FROM clock_timestamp()) * 1000)::bigint END "
        "WHERE id = ANY($1::bigint[])",
        1},

    /* A late failure report on a delivered event changes nothing but the lease. */
    [PG_OUTBOX_FAILED] = {"ord_outbox_failed",
        "UPDATE outbox_events SET "
        "attempts = CASE WHEN delivered THEN attempts ELSE attempts + 1 END, "
        "next_attempt_ms = CASE WHEN delivered THEN next_attempt_ms ELSE $2::bigint END, "
        "parked = CASE WHEN delivered THEN parked ELSE $3::boolean END, "
        "lease_owner = NULL, lease_until_ms = NULL WHERE id = $1::bigint",
        3},

    [PG_OUTBOX_COUNT] = {"ord_outbox_count",
        "SELECT count(*) FILTER (WHERE NOT parked), count(*) FILTER (WHERE parked) "
        "FROM outbox_events WHERE NOT delivered",
        0},

    [PG_OUTBOX_REDRIVE_ONE] = {"ord_outbox_redrive_one",
        "UPDATE outbox_events SET parked = false, attempts = 0, next_attempt_ms = NULL, "
        "lease_owner = NULL, lease_until_ms = NULL "
        "WHERE id = $1::bigint AND parked AND NOT delivered",
        1},

    [PG_OUTBOX_REDRIVE_ALL] = {"ord_outbox_redrive_all",
        "UPDATE outbox_events SET parked = false, attempts = 0, next_attempt_ms = NULL, "
        "lease_owner = NULL, lease_until_ms = NULL WHERE parked AND NOT delivered",
        0},

    /* $1 delivered before, $2 most rows. The expressions match
     * outbox_events_delivered_idx (0004); SKIP LOCKED lets two instances
     * purge side by side. */
    [PG_OUTBOX_PURGE] = {"ord_outbox_purge",
        "DELETE FROM outbox_events WHERE id IN (SELECT id FROM outbox_events "
        "WHERE delivered AND NOT parked AND COALESCE(delivered_at_ms, 0) < $1::bigint "
        "ORDER BY COALESCE(delivered_at_ms, 0), id LIMIT $2::bigint FOR UPDATE SKIP LOCKED)",
        2},

    /* $1 scope, $2 key, $3 fingerprint, $4 now, $5 lock until, $6 expires. */
    [PG_IDEM_BEGIN] = {"ord_idem_begin",
        "SELECT state, order_id, response_status, response_body, order_number "
        "FROM orders_idempotency_begin("
        "$1::text, $2::text, $3::text, $4::bigint, $5::bigint, $6::bigint, $7::text)",
        7},

    [PG_IDEM_BIND] = {"ord_idem_bind",
        "UPDATE idempotency_keys SET order_id = $3::bigint "
        "WHERE scope = $1::text AND key = $2::text",
        3},

    [PG_IDEM_COMPLETE] = {"ord_idem_complete",
        "UPDATE idempotency_keys SET state = 'COMPLETED', order_id = $3::bigint, "
        "response_status = $4::integer, response_body = $5::text "
        "WHERE scope = $1::text AND key = $2::text",
        5},

    /* A stored final answer outlives a late release. */
    [PG_IDEM_RELEASE] = {"ord_idem_release",
        "UPDATE idempotency_keys SET "
        "order_id = CASE WHEN state = 'COMPLETED' THEN order_id ELSE $3::bigint END, "
        "state = CASE WHEN state = 'COMPLETED' THEN state ELSE 'RELEASED' END "
        "WHERE scope = $1::text AND key = $2::text",
        3},

    [PG_IDEM_FORGET] = {"ord_idem_forget",
        "DELETE FROM idempotency_keys WHERE scope = $1::text AND key = $2::text", 2},

    [PG_IDEM_PURGE] = {"ord_idem_purge",
        "DELETE FROM idempotency_keys WHERE expires_at_ms < $1::bigint", 1},

    /* $3 the number replaced (NULL: none bound yet), $4 the new one. The
     * first number bound wins: a concurrent bind waits for the row and
     * re-evaluates the CASE on the winner's version of it. */
    [PG_IDEM_BIND_NUMBER] = {"ord_idem_bind_number",
        "UPDATE idempotency_keys SET order_number = CASE "
        "WHEN order_number = COALESCE($3::text, '') THEN $4::text ELSE order_number END "
        "WHERE scope = $1::text AND key = $2::text RETURNING order_number",
        4},
};

const pg_statement *ord_pg_statement(pg_stmt id)
{
    return &statements[id];
}

-- Less work for the database on every write (docs/performance.md).
--
-- Work indexes keyed by created_at_ms, which never changes, instead of
-- updated_at_ms, which every write changes: a write that changes no other
-- indexed column (a draft's delivery fields or lines, a lease) can then be
-- a HOT update, which adds no index entry at all. The claims take orders
-- oldest first by creation and read updated_at_ms from the row.
DROP INDEX orders_stale_pending_idx;
CREATE INDEX orders_stale_pending_idx ON orders (created_at_ms, id)
    WHERE status = 'PENDING_CHECK';
DROP INDEX orders_missing_tracking_idx;
CREATE INDEX orders_missing_tracking_idx ON orders (created_at_ms, id)
    WHERE status IN ('CONFIRMED', 'SHIPPED', 'DELIVERED')
      AND (tracking_number IS NULL OR tracking_number = '');
DROP INDEX orders_pending_inventory_idx;
CREATE INDEX orders_pending_inventory_idx ON orders (created_at_ms, id)
    WHERE pending_inventory <> 0;

-- An order number is unique through order_numbers (0008), which also
-- routes a lookup by number: orders' own (order_number, customer_id) key
-- enforced nothing more, and cost an entry on every insert and every
-- status change. During a rolling upgrade a server of the previous version
-- reads by number with a scan of orders until it is replaced.
ALTER TABLE orders DROP CONSTRAINT orders_number_unique;

-- Event ids are random UUIDs written once, in the statement that changes
-- the order's version, so a repeated request cannot write one twice; no
-- statement looks an event up by it. Its key cost two entries per event
-- (the insert and the delivery).
ALTER TABLE outbox_events DROP CONSTRAINT outbox_events_event_id_unique;

-- The relay finds the oldest undelivered event of each order among the
-- undelivered ones (outbox_events_pending_idx) instead of probing this
-- index once per candidate, past the entries of delivered events.
DROP INDEX outbox_events_order_pending_idx;

-- CHECK constraints that only repeated the domain's rules, which the
-- server checks before it writes (adapters/postgres/src/pg_orders_write.c,
-- the idempotency store's key and number checks): formats, lengths and
-- ranges of ids, texts, versions, reasons, event types. Kept: what guards
-- money and stock even against a faulty writer: totals and prices not
-- negative, currencies, quantities, the known statuses, the owed inventory
-- action, and the idempotency keys' states and stored answers.
ALTER TABLE orders
    DROP CONSTRAINT orders_number_format,
    DROP CONSTRAINT orders_customer_id_range,
    DROP CONSTRAINT orders_guest_token_hash_format,
    DROP CONSTRAINT orders_version_positive,
    DROP CONSTRAINT orders_lease_owner_length,
    DROP CONSTRAINT orders_customer_name_length,
    DROP CONSTRAINT orders_delivery_address_length,
    DROP CONSTRAINT orders_carrier_length;
ALTER TABLE order_items
    DROP CONSTRAINT order_items_line_positive,
    DROP CONSTRAINT order_items_product_positive;
ALTER TABLE order_status_history
    DROP CONSTRAINT order_status_history_from_known,
    DROP CONSTRAINT order_status_history_to_known,
    DROP CONSTRAINT order_status_history_reason_length;
ALTER TABLE outbox_events
    DROP CONSTRAINT outbox_events_type_known,
    DROP CONSTRAINT outbox_events_attempts_not_negative,
    DROP CONSTRAINT outbox_events_sequence_positive;
ALTER TABLE idempotency_keys
    DROP CONSTRAINT idempotency_keys_key_format,
    DROP CONSTRAINT idempotency_keys_order_number_size;

-- Room on each page for the next version of its rows: an order changes
-- once or twice soon after it is written (confirmed, shipped), an event
-- twice (leased, delivered). A new version on the same page is logged as
-- what changed, not as the whole row (an event's payload, an order's
-- texts), and is a HOT update when no indexed column changed (a lease).
ALTER TABLE orders SET (fillfactor = 75);
ALTER TABLE outbox_events SET (fillfactor = 50);

-- Every key includes customer_id, so that the schema can be distributed by
-- customer (Citus: create_distributed_table on customer_id, docs/scaling.md)
-- without changing a constraint: a distributed table's primary keys and
-- unique constraints must contain its distribution column, and its foreign
-- keys must join on it. The foreign keys already did (customer_id, order_id);
-- the primary and unique keys now do too. tests/postgres/test_pg_schema_rules.c
-- checks these rules against the catalog after every migration.
--
-- Nothing a query relies on changes: an order's id and number stay the
-- leading columns of their keys, so lookups by either alone use them as
-- before; ids are identities, unique by construction. An order number must
-- be unique across customers (the repository's contract), which no key of a
-- table distributed by customer can enforce: order_numbers, a directory
-- keyed by the number alone (distributed by it, docs/scaling.md), enforces
-- it, and routes a lookup by number that does not know the customer. The
-- create statement writes it in the same round trip.
-- Two indexes fewer to maintain on every create: orders' separate
-- (customer_id, id) key is now the primary key, and the history's key also
-- serves its per-order reads.
--
-- The keys are rebuilt inside the migration's transaction, locking the
-- tables meanwhile (docs/scaling.md: migrating a large database).

ALTER TABLE order_items DROP CONSTRAINT order_items_order_fk;
ALTER TABLE order_status_history DROP CONSTRAINT order_status_history_order_fk;
ALTER TABLE outbox_events DROP CONSTRAINT outbox_events_order_fk;

ALTER TABLE orders
    DROP CONSTRAINT orders_pkey,
    DROP CONSTRAINT orders_customer_id_unique,
    DROP CONSTRAINT orders_number_unique,
    ADD CONSTRAINT orders_pkey PRIMARY KEY (id, customer_id),
    ADD CONSTRAINT orders_number_unique UNIQUE (order_number, customer_id);

-- Deferrable as before: one statement replaces every line of an order.
ALTER TABLE order_items
    DROP CONSTRAINT order_items_pkey,
    DROP CONSTRAINT order_items_product_once,
    ADD CONSTRAINT order_items_pkey PRIMARY KEY (order_id, line_no, customer_id)
        DEFERRABLE INITIALLY IMMEDIATE,
    ADD CONSTRAINT order_items_product_once UNIQUE (order_id, product_id, customer_id)
        DEFERRABLE INITIALLY IMMEDIATE;

-- An order's history in entry order, straight from its key.
DROP INDEX order_status_history_order_idx;
ALTER TABLE order_status_history
    DROP CONSTRAINT order_status_history_pkey,
    ADD CONSTRAINT order_status_history_pkey PRIMARY KEY (order_id, id, customer_id);

ALTER TABLE outbox_events
    DROP CONSTRAINT outbox_events_pkey,
    DROP CONSTRAINT outbox_events_event_id_unique,
    ADD CONSTRAINT outbox_events_pkey PRIMARY KEY (id, customer_id),
    ADD CONSTRAINT outbox_events_event_id_unique UNIQUE (event_id, customer_id);

-- customer_id follows from the scope, so the key is as unique as before;
-- orders_idempotency_begin() names this constraint in its ON CONFLICT.
ALTER TABLE idempotency_keys
    DROP CONSTRAINT idempotency_keys_pkey,
    ADD CONSTRAINT idempotency_keys_pkey PRIMARY KEY (scope, key, customer_id);

ALTER TABLE order_items ADD CONSTRAINT order_items_order_fk FOREIGN KEY (customer_id, order_id)
    REFERENCES orders (customer_id, id) ON DELETE CASCADE;
ALTER TABLE order_status_history ADD CONSTRAINT order_status_history_order_fk
    FOREIGN KEY (customer_id, order_id) REFERENCES orders (customer_id, id) ON DELETE CASCADE;
ALTER TABLE outbox_events ADD CONSTRAINT outbox_events_order_fk FOREIGN KEY (customer_id, order_id)
    REFERENCES orders (customer_id, id) ON DELETE CASCADE;

-- The directory of order numbers: one row per order, never changed.
CREATE TABLE order_numbers (
    order_number text NOT NULL,
    customer_id  bigint NOT NULL,
    order_id     bigint NOT NULL,
    CONSTRAINT order_numbers_pkey PRIMARY KEY (order_number)
);
INSERT INTO order_numbers (order_number, customer_id, order_id)
    SELECT order_number, customer_id, id FROM orders;

-- The floor's tables (tests/bench/perf_floor.sql): what a crash-safe create
-- needs and nothing more. Keys only, plus the two indexes the service cannot
-- do without: a customer's orders newest first, and the queue of
-- undelivered events.
CREATE TABLE orders (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_number    text NOT NULL UNIQUE,
    customer_id     bigint NOT NULL,
    customer_name   text,
    delivery_address text,
    carrier         text,
    tracking_number text,
    status          text NOT NULL,
    total_minor     bigint NOT NULL,
    currency        text NOT NULL,
    version         bigint NOT NULL,
    created_at_ms   bigint NOT NULL,
    updated_at_ms   bigint NOT NULL
);
CREATE INDEX orders_customer_idx ON orders (customer_id, created_at_ms DESC, id DESC);
CREATE TABLE order_items (
    order_id         bigint NOT NULL,
    line_no          integer NOT NULL,
    product_id       bigint NOT NULL,
    quantity         integer NOT NULL,
    unit_price_minor bigint NOT NULL,
    currency         text NOT NULL,
    PRIMARY KEY (order_id, line_no)
);
CREATE TABLE order_status_history (
    order_id    bigint NOT NULL,
    id          bigint GENERATED ALWAYS AS IDENTITY,
    from_status text,
    to_status   text NOT NULL,
    at_ms       bigint NOT NULL,
    reason      text NOT NULL,
    PRIMARY KEY (order_id, id)
);
CREATE TABLE outbox_events (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id    bigint NOT NULL,
    payload     text NOT NULL,
    delivered   boolean NOT NULL DEFAULT false
);
CREATE INDEX outbox_events_pending_idx ON outbox_events (id) WHERE NOT delivered;

-- The floor of a crash-safe create (tests/bench/perf.sh): two durable
-- commits. First the PENDING_CHECK order with its lines and first history
-- entry (stored before stock is reserved); then CONFIRMED with its tracking
-- number, history entry and outbox event in one commit. One statement each.
\set customer random(1, 1000000)
\set n random(1, 3)
\set p random(1, 20)
\set now 1700000000000
WITH o AS (
  INSERT INTO orders (order_number, customer_id, customer_name, delivery_address, carrier,
                      status, total_minor, currency, version, created_at_ms, updated_at_ms)
  VALUES ('ORD-' || gen_random_uuid(), :customer, 'Bench', '1 Bench Street', 'DHL',
          'PENDING_CHECK', :n * 1099, 'USD', 1, :now::bigint, :now::bigint)
  RETURNING id),
i AS (
  INSERT INTO order_items (order_id, line_no, product_id, quantity, unit_price_minor, currency)
  SELECT o.id, k + 1, (:p + k) % 20 + 1, 1, 1099, 'USD' FROM o, generate_series(0, :n - 1) AS k),
h AS (
  INSERT INTO order_status_history (order_id, from_status, to_status, at_ms, reason)
  SELECT o.id, NULL, 'PENDING_CHECK', :now::bigint, 'created' FROM o)
SELECT id AS order_id FROM o \gset
WITH u AS (
  UPDATE orders SET status = 'CONFIRMED', tracking_number = 'TRK-' || gen_random_uuid(),
         version = version + 1, updated_at_ms = :now::bigint + 1
   WHERE id = :order_id AND version = 1
  RETURNING id),
h AS (
  INSERT INTO order_status_history (order_id, from_status, to_status, at_ms, reason)
  SELECT id, 'PENDING_CHECK', 'CONFIRMED', :now::bigint + 1, 'stock_reserved' FROM u),
e AS (
  INSERT INTO outbox_events (order_id, payload)
  SELECT id, '{"type":"OrderPlaced","orderId":' || id || ',"status":"CONFIRMED","items":[{"productId":1,"quantity":1,"unitPrice":"10.99"}],"total":"10.99","currency":"USD"}' FROM u)
SELECT id FROM u;

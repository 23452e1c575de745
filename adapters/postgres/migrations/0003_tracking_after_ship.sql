-- Orders shipped before the tracking service answered still need their
-- number: the missing-tracking work covers SHIPPED as well as CONFIRMED.

DROP INDEX orders_missing_tracking_idx;
CREATE INDEX orders_missing_tracking_idx ON orders (updated_at_ms, id)
    WHERE status IN ('CONFIRMED', 'SHIPPED') AND (tracking_number IS NULL OR tracking_number = '');

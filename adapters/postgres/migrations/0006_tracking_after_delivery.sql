-- An order delivered before the tracking service answered is still owed its
-- number (the customer's reference, and the shipment the tracking service
-- must know of): the missing-tracking work covers DELIVERED as well.

DROP INDEX orders_missing_tracking_idx;
CREATE INDEX orders_missing_tracking_idx ON orders (updated_at_ms, id)
    WHERE status IN ('CONFIRMED', 'SHIPPED', 'DELIVERED')
      AND (tracking_number IS NULL OR tracking_number = '');

-- The domain's limits that 0001 left to the C side: text lengths in
-- characters (code points, as the validators count them; see
-- domain/include/orders/domain/order.h) and event sequences, which are order
-- versions and so start at 1. NULL passes, as before.

ALTER TABLE orders
    ADD CONSTRAINT orders_customer_name_length CHECK (char_length(customer_name) <= 200),
    ADD CONSTRAINT orders_delivery_address_length CHECK (char_length(delivery_address) <= 500),
    ADD CONSTRAINT orders_carrier_length CHECK (char_length(carrier) <= 50);

ALTER TABLE outbox_events
    ADD CONSTRAINT outbox_events_sequence_positive CHECK (sequence >= 1);

-- Idempotency keys bound to their order's number before the order is stored
-- (idempotency store version 2): a retry finds the order by that number even
-- when the create's reply was lost, so one key never places two orders.

ALTER TABLE idempotency_keys
    ADD COLUMN order_number text NOT NULL DEFAULT '',
    -- ORD_ORDER_NUMBER_SIZE - 1 bytes; '' means none bound yet.
    ADD CONSTRAINT idempotency_keys_order_number_size CHECK (octet_length(order_number) <= 40);

-- begin() as in 0001, returning the bound number as well; an expired key
-- restarts without one. Replaced rather than redefined because its result
-- gains a column: a server of the previous version, still running during a
-- rolling upgrade, names the columns it reads and so keeps working.
DROP FUNCTION orders_idempotency_begin(text, text, text, bigint, bigint, bigint);

CREATE FUNCTION orders_idempotency_begin(p_scope text, p_key text, p_fingerprint text,
                                         p_now_ms bigint, p_lock_until_ms bigint,
                                         p_expires_at_ms bigint,
                                         OUT state text, OUT order_id bigint,
                                         OUT response_status integer, OUT response_body text,
                                         OUT order_number text)
LANGUAGE plpgsql AS $$
DECLARE
    r idempotency_keys%ROWTYPE;
BEGIN
    LOOP
        INSERT INTO idempotency_keys AS k (scope, key, fingerprint, state, lock_until_ms, expires_at_ms)
        VALUES (p_scope, p_key, p_fingerprint, 'HELD', p_lock_until_ms, p_expires_at_ms)
        ON CONFLICT ON CONSTRAINT idempotency_keys_pkey DO NOTHING;
        IF FOUND THEN
            state := 'STARTED';
            order_id := 0;
            order_number := '';
            RETURN;
        END IF;

        SELECT * INTO r FROM idempotency_keys k WHERE k.scope = p_scope AND k.key = p_key FOR UPDATE;
        IF NOT FOUND THEN
            CONTINUE; -- forgotten meanwhile: try the insert again
        END IF;

        IF r.expires_at_ms < p_now_ms THEN
            -- An expired key counts as absent.
            UPDATE idempotency_keys k
               SET fingerprint = p_fingerprint, state = 'HELD', order_id = 0, order_number = '',
                   lock_until_ms = p_lock_until_ms, expires_at_ms = p_expires_at_ms,
                   response_status = NULL, response_body = NULL
             WHERE k.scope = p_scope AND k.key = p_key;
            state := 'STARTED';
            order_id := 0;
            order_number := '';
        ELSIF r.fingerprint <> p_fingerprint THEN
            state := 'MISMATCH';
            order_id := 0;
            order_number := '';
        ELSIF r.state = 'COMPLETED' THEN
            state := 'COMPLETED';
            order_id := r.order_id;
            order_number := r.order_number;
            response_status := r.response_status;
            response_body := r.response_body;
        ELSIF r.state = 'HELD' AND p_now_ms < r.lock_until_ms THEN
            state := 'IN_PROGRESS';
            order_id := r.order_id;
            order_number := r.order_number;
        ELSE
            -- Released, or its holder's lock ran out: the caller takes over.
            UPDATE idempotency_keys k
               SET state = 'HELD', lock_until_ms = p_lock_until_ms, expires_at_ms = p_expires_at_ms
             WHERE k.scope = p_scope AND k.key = p_key;
            state := 'RESUMABLE';
            order_id := r.order_id;
            order_number := r.order_number;
        END IF;
        RETURN;
    END LOOP;
END
$$;

-- begin() binds a new key to the order number the caller proposes
-- (idempotency store version 3): a keyed create then takes its key and
-- binds its number in one commit instead of two. The rest of the rule is
-- 0007's. The six-argument function of 0007 stays, proposing none, so that
-- a server of the previous version keeps working during a rolling upgrade.

CREATE FUNCTION orders_idempotency_begin(p_scope text, p_key text, p_fingerprint text,
                                         p_now_ms bigint, p_lock_until_ms bigint,
                                         p_expires_at_ms bigint, p_order_number text,
                                         OUT state text, OUT order_id bigint,
                                         OUT response_status integer,
                                         OUT response_body text,
                                         OUT order_number text)
LANGUAGE plpgsql AS $$
DECLARE
    r idempotency_keys%ROWTYPE;
    proposed text := coalesce(p_order_number, '');
BEGIN
    LOOP
        INSERT INTO idempotency_keys AS k (scope, key, fingerprint, state, lock_until_ms,
                                           expires_at_ms, holder_pid, order_number)
        VALUES (p_scope, p_key, p_fingerprint, 'HELD', p_lock_until_ms, p_expires_at_ms,
                pg_backend_pid(), proposed)
        ON CONFLICT ON CONSTRAINT idempotency_keys_pkey DO NOTHING;
        IF FOUND THEN
            state := 'STARTED';
            order_id := 0;
            order_number := proposed;
            RETURN;
        END IF;

        SELECT * INTO r FROM idempotency_keys k WHERE k.scope = p_scope AND k.key = p_key FOR UPDATE;
        IF NOT FOUND THEN
            CONTINUE; -- forgotten meanwhile: try the insert again
        END IF;

        IF r.expires_at_ms < p_now_ms THEN
            -- An expired key counts as absent.
            UPDATE idempotency_keys k
               SET fingerprint = p_fingerprint, state = 'HELD', order_id = 0,
                   order_number = proposed, lock_until_ms = p_lock_until_ms,
                   expires_at_ms = p_expires_at_ms, response_status = NULL,
                   response_body = NULL, holder_pid = pg_backend_pid()
             WHERE k.scope = p_scope AND k.key = p_key;
            state := 'STARTED';
            order_id := 0;
            order_number := proposed;
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
        ELSIF r.state = 'HELD' AND p_now_ms < r.lock_until_ms
              AND (r.holder_pid IS NULL
                   OR EXISTS (SELECT 1 FROM pg_stat_get_activity(r.holder_pid))) THEN
            state := 'IN_PROGRESS';
            order_id := r.order_id;
            order_number := r.order_number;
        ELSE
            -- Released, its holder's lock ran out, or its holder is gone:
            -- the caller takes over, with the number the key holds.
            UPDATE idempotency_keys k
               SET state = 'HELD', lock_until_ms = p_lock_until_ms, expires_at_ms = p_expires_at_ms,
                   holder_pid = pg_backend_pid()
             WHERE k.scope = p_scope AND k.key = p_key;
            state := 'RESUMABLE';
            order_id := r.order_id;
            order_number := r.order_number;
        END IF;
        RETURN;
    END LOOP;
END
$$;

CREATE OR REPLACE FUNCTION orders_idempotency_begin(p_scope text, p_key text, p_fingerprint text,
                                                    p_now_ms bigint, p_lock_until_ms bigint,
                                                    p_expires_at_ms bigint,
                                                    OUT state text, OUT order_id bigint,
                                                    OUT response_status integer,
                                                    OUT response_body text,
                                                    OUT order_number text)
LANGUAGE sql AS $$
    SELECT * FROM orders_idempotency_begin(p_scope, p_key, p_fingerprint, p_now_ms,
                                           p_lock_until_ms, p_expires_at_ms, NULL::text)
$$;

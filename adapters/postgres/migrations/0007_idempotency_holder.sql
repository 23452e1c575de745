-- A key held by a request whose server died is taken over at once, instead
-- of blocking every retry until its lock runs out: begin() records the
-- database session that holds the key (holder_pid), and a later begin()
-- treats the key as released when that session is gone. A killed server's
-- sessions end as soon as PostgreSQL sees their sockets close.
--
-- The check can only err towards "alive": a session id reused by a new
-- session, or a pooler (PgBouncer) that keeps its server sessions, leave the
-- key held until lock_until_ms, as before. The other way round, a holder
-- whose session dropped (a database restart) while its request goes on may
-- be resumed by a retry meanwhile; the saga is safe to run twice (keyed
-- downstream calls, versioned updates, the number bound to the key).

ALTER TABLE idempotency_keys ADD COLUMN holder_pid integer;

CREATE OR REPLACE FUNCTION orders_idempotency_begin(p_scope text, p_key text, p_fingerprint text,
                                                    p_now_ms bigint, p_lock_until_ms bigint,
                                                    p_expires_at_ms bigint,
                                                    OUT state text, OUT order_id bigint,
                                                    OUT response_status integer,
                                                    OUT response_body text,
                                                    OUT order_number text)
LANGUAGE plpgsql AS $$
DECLARE
    r idempotency_keys%ROWTYPE;
BEGIN
    LOOP
        INSERT INTO idempotency_keys AS k (scope, key, fingerprint, state, lock_until_ms,
                                           expires_at_ms, holder_pid)
        VALUES (p_scope, p_key, p_fingerprint, 'HELD', p_lock_until_ms, p_expires_at_ms,
                pg_backend_pid())
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
                   response_status = NULL, response_body = NULL, holder_pid = pg_backend_pid()
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
        ELSIF r.state = 'HELD' AND p_now_ms < r.lock_until_ms
              AND (r.holder_pid IS NULL
                   OR EXISTS (SELECT 1 FROM pg_stat_get_activity(r.holder_pid))) THEN
            state := 'IN_PROGRESS';
            order_id := r.order_id;
            order_number := r.order_number;
        ELSE
            -- Released, its holder's lock ran out, or its holder is gone:
            -- the caller takes over.
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

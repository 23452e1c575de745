-- Outbox retention: when each event was delivered, so that delivered events
-- can be deleted after a while instead of growing the table forever.

ALTER TABLE outbox_events ADD COLUMN delivered_at_ms bigint;

-- Events delivered before this migration: the best known time is when they
-- happened (delivery follows within seconds unless the sink was down).
UPDATE outbox_events SET delivered_at_ms = occurred_at_ms WHERE delivered;

-- The purge walks delivered events oldest delivery first (parked ones are
-- never purged). A server of the previous version, still running during a
-- rolling upgrade, marks events delivered without a time: those read as
-- delivered at 0, so they are purged first instead of never.
CREATE INDEX outbox_events_delivered_idx ON outbox_events ((COALESCE(delivered_at_ms, 0)), id)
    WHERE delivered AND NOT parked;

-- The delivery job pages through a live's undelivered webhooks in event-id order (keyset): this index makes each
-- page a short range scan instead of collecting and sorting every undelivered row of the live per page.
CREATE INDEX merchant_webhooks_pending_idx ON merchant_webhooks (live_id, event_id) WHERE delivered_at IS NULL;

-- Settlement's record that a live's Redis commerce keys were handed back: written before they are deleted or
-- set to expire, so a later settlement run reads the ledger only and never mistakes the missing keys for a
-- mismatch.
CREATE TABLE commerce_settlements (
  live_id          uuid PRIMARY KEY REFERENCES lives (id),
  keys_retain_sec  integer NOT NULL,
  keys_released_at timestamptz NOT NULL DEFAULT now()
);

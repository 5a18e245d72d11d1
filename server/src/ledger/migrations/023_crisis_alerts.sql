-- 023_crisis_alerts: the audit log of crisis alerts (one row per episode that raised `moderation:alert`), with
-- the window's figures and sample comments as the host and moderators saw them.
CREATE TABLE crisis_alerts (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  live_id    uuid NOT NULL REFERENCES lives (id),
  negative   integer NOT NULL CHECK (negative >= 0),
  total      integer NOT NULL CHECK (total >= 0),
  window_sec integer NOT NULL,
  ratio      double precision NOT NULL,
  samples    jsonb NOT NULL,
  raised_at  timestamptz NOT NULL
);
CREATE INDEX crisis_alerts_live_idx ON crisis_alerts (live_id, id);

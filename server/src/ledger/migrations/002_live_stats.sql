-- Audience figures per live, written once by the end-of-live `live-stats` step.
CREATE TABLE live_stats (
  live_id uuid PRIMARY KEY REFERENCES lives(id),
  peak_online integer NOT NULL,
  unique_viewers integer NOT NULL,
  room_events bigint NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now()
);

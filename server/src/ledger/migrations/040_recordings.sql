-- 040_recordings: replays (issue #17). One recording per live, written as runs (one ffmpeg process each): a
-- host reconnect, a worker restart or a crashed ffmpeg ends a run and the next one continues the recording
-- after a gap. The runs' wall-clock spans map room-log times to offsets in the stitched playlist (chapters).
CREATE TABLE recordings (
  live_id      uuid PRIMARY KEY REFERENCES lives (id),
  status       text NOT NULL CHECK (status IN ('recording', 'ended', 'stopped')),
  -- Why recording stopped before the live ended ('disk-full', 'quota'); NULL otherwise.
  stop_reason  text,
  published    boolean NOT NULL DEFAULT false,
  bytes        bigint NOT NULL DEFAULT 0,
  duration_ms  bigint NOT NULL DEFAULT 0,
  -- [{ type, label, at (epoch ms), offsetMs, productId? }] built after the live from the room log.
  chapters     jsonb,
  started_at   timestamptz NOT NULL,
  ended_at     timestamptz
);

CREATE TABLE recording_runs (
  live_id     uuid NOT NULL REFERENCES recordings (live_id) ON DELETE CASCADE,
  run         integer NOT NULL CHECK (run > 0),
  started_at  timestamptz NOT NULL,
  ended_at    timestamptz,
  -- producer-closed | tracks-changed | room-closed | ffmpeg-exited | stopped | disk-full
  end_reason  text,
  -- Seconds of media its playlist holds, filled when the recording finished (chapters map times with it).
  seconds     double precision,
  PRIMARY KEY (live_id, run)
);

-- 042_replay_comments: the comments of a recorded live, archived at its end from the room log for the replay's
-- read-only overlay (#17). One row per published comment still visible at the end (deleted ones are left out).
CREATE TABLE replay_comments (
  live_id     uuid NOT NULL REFERENCES lives (id) ON DELETE CASCADE,
  seq         bigint NOT NULL,
  comment_id  text NOT NULL,
  at          timestamptz NOT NULL,
  author_name text NOT NULL,
  text        text NOT NULL,
  PRIMARY KEY (live_id, seq)
);

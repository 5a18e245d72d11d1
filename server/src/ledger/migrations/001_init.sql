-- 001_init: accounts, lives and the live lifecycle record.

-- Registered accounts only; guests live in their tokens.
CREATE TABLE users (
  id            text PRIMARY KEY,
  username      text UNIQUE,
  display_name  text NOT NULL,
  password_hash text,
  role          text NOT NULL CHECK (role IN ('host', 'moderator', 'viewer')),
  created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE lives (
  id           uuid PRIMARY KEY,
  host_id      text NOT NULL REFERENCES users (id),
  title        text NOT NULL,
  status       text NOT NULL CHECK (status IN ('scheduled', 'live', 'ended')),
  scheduled_at timestamptz,
  started_at   timestamptz,
  ended_at     timestamptz,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX lives_status_created_at_idx ON lives (status, created_at);

-- One row per status a live entered (from_status NULL = created). The unique constraint is the last line
-- of defence against recording a transition twice.
CREATE TABLE live_transitions (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  live_id     uuid NOT NULL REFERENCES lives (id),
  from_status text,
  to_status   text NOT NULL,
  actor_id    text NOT NULL,
  at          timestamptz NOT NULL DEFAULT now(),
  UNIQUE (live_id, to_status)
);

-- 005_interaction: Q&A (questions, one upvote per user), polls and their results, follows of hosts, and the
-- share attribution of each live (written by the end-of-live `interaction-stats` step).
CREATE TABLE questions (
  id          uuid PRIMARY KEY,
  live_id     uuid NOT NULL REFERENCES lives (id),
  author_id   text NOT NULL,
  author_name text NOT NULL,
  text        text NOT NULL,
  votes       integer NOT NULL DEFAULT 0 CHECK (votes >= 0),
  status      text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'answered', 'dismissed')),
  pinned      boolean NOT NULL DEFAULT false,
  created_at  timestamptz NOT NULL DEFAULT now(),
  answered_at timestamptz
);
CREATE INDEX questions_live_rank_idx ON questions (live_id, votes DESC, created_at);

CREATE TABLE question_votes (
  question_id uuid NOT NULL REFERENCES questions (id),
  user_id     text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (question_id, user_id)
);

CREATE TABLE polls (
  id          uuid PRIMARY KEY,
  live_id     uuid NOT NULL REFERENCES lives (id),
  question    text NOT NULL,
  options     jsonb NOT NULL,
  created_by  text NOT NULL,
  opened_at   timestamptz NOT NULL,
  closes_at   timestamptz NOT NULL,
  closed_at   timestamptz,
  -- option index -> votes, written once when the poll closes
  tallies     jsonb,
  total_votes integer
);
CREATE INDEX polls_live_idx ON polls (live_id, opened_at);

CREATE TABLE poll_votes (
  poll_id uuid NOT NULL REFERENCES polls (id),
  user_id text NOT NULL,
  option  integer NOT NULL,
  PRIMARY KEY (poll_id, user_id)
);

CREATE TABLE follows (
  host_id    text NOT NULL,
  user_id    text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (host_id, user_id)
);

CREATE TABLE live_shares (
  live_id   uuid NOT NULL REFERENCES lives (id),
  sharer_id text NOT NULL,
  shares    integer NOT NULL,
  joins     integer NOT NULL,
  PRIMARY KEY (live_id, sharer_id)
);

CREATE TABLE live_interaction_stats (
  live_id     uuid PRIMARY KEY REFERENCES lives (id),
  likes       bigint NOT NULL,
  comments    integer NOT NULL,
  questions   integer NOT NULL,
  polls       integer NOT NULL,
  shares      integer NOT NULL,
  share_joins integer NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now()
);

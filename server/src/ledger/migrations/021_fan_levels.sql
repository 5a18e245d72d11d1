-- 021_fan_levels: who attended which live (written by the end-of-live `growth-points` step from the room's
-- viewers, with what each did), the merchant's fan-level thresholds, each fan's level and badges (recomputed
-- set-based after each live and on demand).

CREATE TABLE live_attendance (
  live_id     uuid NOT NULL REFERENCES lives (id),
  merchant_id text NOT NULL,
  user_id     text NOT NULL,
  watch_ms    bigint NOT NULL CHECK (watch_ms >= 0),
  comments    integer NOT NULL CHECK (comments >= 0),
  likes       integer NOT NULL CHECK (likes >= 0),
  -- Joined through a share link (first attribution).
  via_share   boolean NOT NULL,
  ended_at    timestamptz NOT NULL,
  PRIMARY KEY (live_id, user_id)
);
CREATE INDEX live_attendance_merchant_idx ON live_attendance (merchant_id, user_id);

CREATE TABLE fan_level_rules (
  merchant_id text PRIMARY KEY REFERENCES users (id),
  rules       jsonb NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE fan_levels (
  merchant_id text NOT NULL,
  user_id     text NOT NULL,
  level       text NOT NULL CHECK (level IN ('normal', 'active', 'loyal', 'high_value')),
  points      bigint NOT NULL,
  lives       integer NOT NULL,
  orders      integer NOT NULL,
  spend       bigint NOT NULL,
  computed_at timestamptz NOT NULL,
  PRIMARY KEY (merchant_id, user_id)
);
CREATE INDEX fan_levels_level_idx ON fan_levels (merchant_id, level);

-- Badges: one row per (fan, badge, source); source names the live, lottery or question that earned it
-- ('' for badges earned once: first purchase, lives attended).
CREATE TABLE fan_badges (
  merchant_id text NOT NULL,
  user_id     text NOT NULL,
  badge       text NOT NULL CHECK (badge IN ('first_purchase', 'lives_3', 'lives_10', 'top_liker',
                                             'lottery_winner', 'question_answered')),
  source      text NOT NULL,
  awarded_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (merchant_id, user_id, badge, source)
);

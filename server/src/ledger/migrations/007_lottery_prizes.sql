-- 007_lottery_prizes: one row per prize handed to a user. A slot (0..K-1) is first offered to its winner
-- (attempt 0); when the claim deadline passes unclaimed the row is forfeited and the slot passes to the next
-- unused runner-up (attempt + 1). Primary key and the per-user unique index make every award exactly once.
CREATE TABLE lottery_prizes (
  lottery_id     uuid NOT NULL REFERENCES lottery_draws (lottery_id),
  slot           integer NOT NULL CHECK (slot >= 0),
  attempt        integer NOT NULL CHECK (attempt >= 0),
  user_id        text NOT NULL,
  prize          jsonb NOT NULL,
  status         text NOT NULL CHECK (status IN ('awarded', 'claimed', 'forfeited')),
  claim_deadline timestamptz NOT NULL,
  claimed_at     timestamptz,
  shipping       jsonb,
  awarded_at     timestamptz NOT NULL,
  PRIMARY KEY (lottery_id, slot, attempt)
);
CREATE UNIQUE INDEX lottery_prizes_user_idx ON lottery_prizes (lottery_id, user_id);

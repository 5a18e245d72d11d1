-- 020_points: the growth loop's points ledger per merchant (a host account). Append-only: every award, spend
-- and reversal is one row, unique per (merchant, user, source) so a replayed or retried award inserts nothing;
-- a reversal is a compensating row pointing at the row it reverses. The balance row is the running sum and
-- may never go negative (CHECK): concurrent spends of one balance serialize on it.

CREATE TABLE points_rules (
  merchant_id text PRIMARY KEY REFERENCES users (id),
  rules       jsonb NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE points_ledger (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  merchant_id text NOT NULL,
  user_id     text NOT NULL,
  kind        text NOT NULL CHECK (kind IN ('watch', 'comment', 'like', 'share', 'follow', 'purchase', 'lottery',
                                            'spend', 'reversal')),
  -- The event that caused the row: live:<id> (per-live rules), order:<id>, lottery:<id>, follow, spend:<id>,
  -- reverse:<source>. With kind it names the row: (merchant, user, kind, source) is unique.
  source      text NOT NULL,
  live_id     uuid,
  quantity    bigint NOT NULL CHECK (quantity >= 0),
  -- Awards add, spends take; a reversal takes back what the balance still held of its award (maybe 0).
  delta       bigint NOT NULL,
  reverses    bigint UNIQUE REFERENCES points_ledger (id),
  created_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (merchant_id, user_id, kind, source),
  CHECK (CASE kind WHEN 'spend' THEN delta < 0 WHEN 'reversal' THEN delta <= 0 ELSE delta > 0 END),
  CHECK ((kind = 'reversal') = (reverses IS NOT NULL))
);
CREATE INDEX points_ledger_user_idx ON points_ledger (merchant_id, user_id, id);
CREATE INDEX points_ledger_live_idx ON points_ledger (live_id);

CREATE FUNCTION points_ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'points_ledger is append-only';
END $$;
CREATE TRIGGER points_ledger_no_change BEFORE UPDATE OR DELETE ON points_ledger
  FOR EACH ROW EXECUTE FUNCTION points_ledger_append_only();

CREATE TABLE points_balances (
  merchant_id text NOT NULL,
  user_id     text NOT NULL,
  balance     bigint NOT NULL CHECK (balance >= 0),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (merchant_id, user_id)
);

-- What a spend bought (its ledger row is the `spend` row; note holds item, coupon and claim): a replayed
-- redemption with the same Idempotency-Key answers from here.
CREATE TABLE points_spends (
  merchant_id text NOT NULL,
  user_id     text NOT NULL,
  source      text NOT NULL,
  entry_id    bigint NOT NULL UNIQUE REFERENCES points_ledger (id),
  note        jsonb NOT NULL,
  PRIMARY KEY (merchant_id, user_id, source)
);

-- Points shop: an item issues one claim of a coupon of one of the merchant's lives per redemption.
CREATE TABLE points_shop_items (
  id          uuid PRIMARY KEY,
  merchant_id text NOT NULL REFERENCES users (id),
  title       text NOT NULL,
  cost        bigint NOT NULL CHECK (cost > 0),
  live_id     uuid NOT NULL REFERENCES lives (id),
  coupon_id   uuid NOT NULL REFERENCES coupons (id),
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX points_shop_items_merchant_idx ON points_shop_items (merchant_id, created_at);

-- One row per live whose per-live awards (watch, comments, likes, shares, lotteries) were written: the
-- room-keys step waits for it before releasing the Redis keys those awards are read from.
CREATE TABLE points_live_runs (
  live_id     uuid PRIMARY KEY REFERENCES lives (id),
  merchant_id text NOT NULL,
  rules       jsonb NOT NULL,
  awarded     integer NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

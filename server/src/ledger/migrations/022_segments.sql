-- 022_segments: lifecycle segments per merchant (new / active / dormant / churned), recomputed set-based from
-- attendance and orders after each live, on demand and on a schedule; and coupons issued to a segment, once
-- per (coupon, user) however often the grant is retried.

CREATE TABLE segment_rules (
  merchant_id text PRIMARY KEY REFERENCES users (id),
  rules       jsonb NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE fan_segments (
  merchant_id      text NOT NULL,
  user_id          text NOT NULL,
  segment          text NOT NULL CHECK (segment IN ('new', 'active', 'dormant', 'churned')),
  -- First and last activity (a live attended or an order placed) with the merchant.
  first_seen_at    timestamptz NOT NULL,
  last_seen_at     timestamptz NOT NULL,
  last_attended_at timestamptz,
  last_bought_at   timestamptz,
  lives            integer NOT NULL,
  orders           integer NOT NULL,
  spend            bigint NOT NULL,
  computed_at      timestamptz NOT NULL,
  PRIMARY KEY (merchant_id, user_id)
);
CREATE INDEX fan_segments_segment_idx ON fan_segments (merchant_id, segment, user_id);

-- One row per user a coupon was issued to through a segment: the primary key makes the grant exactly once
-- per user; claim_no is the coupon_claims row it wrote.
CREATE TABLE segment_coupon_grants (
  coupon_id   uuid NOT NULL REFERENCES coupons (id),
  user_id     text NOT NULL,
  merchant_id text NOT NULL,
  segment     text NOT NULL,
  claim_no    integer NOT NULL,
  granted_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (coupon_id, user_id)
);

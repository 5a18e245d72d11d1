-- 030_group_buys: group buys (拼团, issue #14). Redis decides seats, holds and expiry; these tables are the
-- record: the offer, each group's outcome, each member (with the sharer a join is attributed to) and one row
-- per refund of an expired group's paid member — the primary key is what makes a refund happen once.
CREATE TABLE group_buy_offers (
  id           uuid PRIMARY KEY,
  live_id      uuid NOT NULL REFERENCES lives (id),
  sale_id      uuid NOT NULL UNIQUE REFERENCES sales (id),
  product_id   uuid NOT NULL REFERENCES products (id),
  group_price  bigint NOT NULL CHECK (group_price > 0),
  group_size   integer NOT NULL CHECK (group_size >= 2),
  units        integer NOT NULL CHECK (units >= group_size),
  limit_ms     bigint NOT NULL CHECK (limit_ms > 0),
  closes_at    timestamptz NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX group_buy_offers_live_idx ON group_buy_offers (live_id, created_at);

CREATE TABLE group_buy_groups (
  id           uuid PRIMARY KEY,
  offer_id     uuid NOT NULL REFERENCES group_buy_offers (id),
  live_id      uuid NOT NULL REFERENCES lives (id),
  leader_id    text NOT NULL,
  status       text NOT NULL CHECK (status IN ('filled', 'expired')),
  members      integer NOT NULL CHECK (members > 0),
  decided_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX group_buy_groups_live_idx ON group_buy_groups (live_id, status);

CREATE TABLE group_buy_members (
  group_id       uuid NOT NULL REFERENCES group_buy_groups (id),
  user_id        text NOT NULL,
  reservation_id uuid NOT NULL UNIQUE,
  -- The leader whose signed share link brought this member (NULL: joined without one).
  via_user_id    text,
  joined_at      timestamptz NOT NULL,
  PRIMARY KEY (group_id, user_id)
);

CREATE TABLE group_buy_refunds (
  group_id    uuid NOT NULL REFERENCES group_buy_groups (id),
  user_id     text NOT NULL,
  payment_id  uuid NOT NULL UNIQUE REFERENCES payments (id),
  amount      bigint NOT NULL CHECK (amount >= 0),
  refunded_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (group_id, user_id)
);

-- A paid order of an expired group is refunded: it stays on record but no longer counts as a sale.
ALTER TABLE orders DROP CONSTRAINT orders_status_check;
ALTER TABLE orders ADD CONSTRAINT orders_status_check CHECK (status IN ('paid', 'settled', 'refunded'));

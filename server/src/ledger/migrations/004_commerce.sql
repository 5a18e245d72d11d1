-- 004_commerce: products, flash sales, coupons, payments, orders and the after-live settlement record.
-- Redis is the admission gate during the live; these tables are the record. Their unique constraints are the
-- last line of defence: one order per reservation, one per payment, one per (user, Idempotency-Key), one
-- redemption per claimed coupon.

CREATE TABLE products (
  id             uuid PRIMARY KEY,
  live_id        uuid NOT NULL REFERENCES lives (id),
  title          text NOT NULL,
  image_url      text,
  price          bigint NOT NULL CHECK (price >= 0),
  currency       text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  stock          integer NOT NULL CHECK (stock >= 0),
  -- 0: no limit. Caps one buyer's units over every sale of the product.
  per_user_limit integer NOT NULL CHECK (per_user_limit >= 0),
  -- Units promised to sales (each sale draws its units from the product's stock when scheduled).
  allocated      integer NOT NULL DEFAULT 0 CHECK (allocated >= 0 AND allocated <= stock),
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  deleted_at     timestamptz
);
CREATE INDEX products_live_idx ON products (live_id, created_at);

CREATE TABLE sales (
  id             uuid PRIMARY KEY,
  live_id        uuid NOT NULL REFERENCES lives (id),
  product_id     uuid NOT NULL REFERENCES products (id),
  deal_price     bigint NOT NULL CHECK (deal_price >= 0),
  currency       text NOT NULL,
  units          integer NOT NULL CHECK (units > 0),
  per_user_limit integer NOT NULL CHECK (per_user_limit > 0),
  countdown_at   timestamptz NOT NULL,
  opens_at       timestamptz NOT NULL,
  closes_at      timestamptz NOT NULL CHECK (closes_at > opens_at),
  fair_window_ms integer NOT NULL CHECK (fair_window_ms >= 0),
  closed_at      timestamptz,
  created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sales_live_idx ON sales (live_id, opens_at);

CREATE TABLE coupons (
  id             uuid PRIMARY KEY,
  live_id        uuid NOT NULL REFERENCES lives (id),
  kind           text NOT NULL CHECK (kind IN ('amount_off', 'percent_off')),
  title          text NOT NULL,
  currency       text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  amount_off     bigint,
  min_spend      bigint,
  percent_off    integer,
  max_discount   bigint,
  quota          integer NOT NULL CHECK (quota > 0),
  per_user_limit integer NOT NULL CHECK (per_user_limit > 0),
  like_goal_id   text,
  created_at     timestamptz NOT NULL DEFAULT now(),
  CHECK (
    (kind = 'amount_off' AND amount_off > 0 AND min_spend >= 0 AND percent_off IS NULL)
    OR (kind = 'percent_off' AND percent_off BETWEEN 1 AND 99 AND max_discount > 0 AND amount_off IS NULL)
  )
);
CREATE INDEX coupons_live_idx ON coupons (live_id, created_at);

-- One row per coupon a user claimed (claim_no = 1..per_user_limit).
CREATE TABLE coupon_claims (
  coupon_id  uuid NOT NULL REFERENCES coupons (id),
  user_id    text NOT NULL,
  claim_no   integer NOT NULL CHECK (claim_no > 0),
  claimed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (coupon_id, user_id, claim_no)
);

-- Payment outcomes reported by the provider (pending payments live in Redis only).
CREATE TABLE payments (
  id              uuid PRIMARY KEY,
  live_id         uuid NOT NULL REFERENCES lives (id),
  reservation_id  uuid NOT NULL,
  user_id         text NOT NULL,
  provider        text NOT NULL,
  provider_ref    text,
  amount          bigint NOT NULL CHECK (amount >= 0),
  currency        text NOT NULL,
  status          text NOT NULL CHECK (status IN ('succeeded', 'failed', 'refunded')),
  idempotency_key text NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX payments_one_success_per_reservation ON payments (reservation_id) WHERE status = 'succeeded';

CREATE TABLE orders (
  id              uuid PRIMARY KEY,
  live_id         uuid NOT NULL REFERENCES lives (id),
  reservation_id  uuid NOT NULL UNIQUE,
  payment_id      uuid NOT NULL UNIQUE REFERENCES payments (id),
  user_id         text NOT NULL,
  idempotency_key text NOT NULL,
  sale_id         uuid NOT NULL REFERENCES sales (id),
  product_id      uuid NOT NULL REFERENCES products (id),
  quantity        integer NOT NULL CHECK (quantity > 0),
  unit_price      bigint NOT NULL CHECK (unit_price >= 0),
  subtotal        bigint NOT NULL CHECK (subtotal = unit_price * quantity),
  discount        bigint NOT NULL CHECK (discount >= 0 AND discount <= subtotal),
  total           bigint NOT NULL CHECK (total = subtotal - discount),
  currency        text NOT NULL,
  coupon_id       uuid REFERENCES coupons (id),
  status          text NOT NULL CHECK (status IN ('paid', 'settled')),
  created_at      timestamptz NOT NULL DEFAULT now(),
  settled_at      timestamptz,
  UNIQUE (live_id, user_id, idempotency_key)
);
CREATE INDEX orders_live_idx ON orders (live_id, status);
CREATE INDEX orders_sale_idx ON orders (sale_id);

CREATE TABLE coupon_redemptions (
  coupon_id   uuid NOT NULL,
  user_id     text NOT NULL,
  claim_no    integer NOT NULL,
  order_id    uuid NOT NULL UNIQUE REFERENCES orders (id),
  discount    bigint NOT NULL CHECK (discount >= 0),
  redeemed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (coupon_id, user_id, claim_no),
  FOREIGN KEY (coupon_id, user_id, claim_no) REFERENCES coupon_claims (coupon_id, user_id, claim_no)
);

-- Signed provider webhooks accepted (replay audit: an event id is processed once).
CREATE TABLE payment_events (
  provider    text NOT NULL,
  event_id    text NOT NULL,
  payment_id  uuid NOT NULL,
  type        text NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (provider, event_id)
);

-- Settlement: Redis counters checked against the ledger, one row per sale (the first run's verdict).
CREATE TABLE commerce_reconciliations (
  live_id    uuid NOT NULL REFERENCES lives (id),
  sale_id    uuid NOT NULL REFERENCES sales (id),
  ok         boolean NOT NULL,
  redis      jsonb NOT NULL,
  ledger     jsonb NOT NULL,
  problems   jsonb NOT NULL,
  checked_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (live_id, sale_id)
);

-- Outbox of signed merchant webhooks; event_id is what the receiver deduplicates on.
CREATE TABLE merchant_webhooks (
  event_id     text PRIMARY KEY,
  live_id      uuid NOT NULL REFERENCES lives (id),
  type         text NOT NULL,
  payload      jsonb NOT NULL,
  attempts     integer NOT NULL DEFAULT 0,
  last_error   text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  delivered_at timestamptz
);
CREATE INDEX merchant_webhooks_live_idx ON merchant_webhooks (live_id, delivered_at);

-- The post-live commerce report, written once by settlement.
CREATE TABLE commerce_reports (
  live_id        uuid PRIMARY KEY REFERENCES lives (id),
  orders         integer NOT NULL,
  units          integer NOT NULL,
  buyers         integer NOT NULL,
  unique_viewers integer NOT NULL,
  report         jsonb NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now()
);

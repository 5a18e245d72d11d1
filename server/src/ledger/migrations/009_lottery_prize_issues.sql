-- 009_lottery_prize_issues: a lottery prize becomes real when its winner claims it, never before (a forfeited
-- winner never held anything, so nothing needs revoking): a coupon prize becomes a coupon claim, a product prize
-- a zero-price prize order (kind 'prize': no sale, reservation or payment; idempotency_key
-- `prize:<lotteryId>:<slot>:<attempt>`). The prize row records what it issued, in the claim's transaction.
ALTER TABLE orders ADD COLUMN kind text NOT NULL DEFAULT 'sale' CHECK (kind IN ('sale', 'prize'));
ALTER TABLE orders ALTER COLUMN reservation_id DROP NOT NULL;
ALTER TABLE orders ALTER COLUMN payment_id DROP NOT NULL;
ALTER TABLE orders ALTER COLUMN sale_id DROP NOT NULL;
ALTER TABLE orders ADD COLUMN shipping jsonb;
ALTER TABLE orders ADD CONSTRAINT orders_kind_shape CHECK (
  (kind = 'sale' AND reservation_id IS NOT NULL AND payment_id IS NOT NULL AND sale_id IS NOT NULL)
  OR (kind = 'prize' AND reservation_id IS NULL AND payment_id IS NULL AND sale_id IS NULL AND total = 0)
);
CREATE UNIQUE INDEX orders_one_per_prize ON orders (idempotency_key) WHERE kind = 'prize';

ALTER TABLE lottery_prizes ADD COLUMN issued_at timestamptz;
ALTER TABLE lottery_prizes ADD COLUMN coupon_claim_no integer;
ALTER TABLE lottery_prizes ADD COLUMN order_id uuid UNIQUE REFERENCES orders (id);
ALTER TABLE lottery_prizes ADD CONSTRAINT lottery_prizes_issued_once_claimed
  CHECK ((status = 'claimed') = (issued_at IS NOT NULL)) NOT VALID;

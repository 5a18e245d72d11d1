-- 024_coupon_min_level: a level-gated perk — a coupon only fans of at least this level with the merchant may claim.
ALTER TABLE coupons ADD COLUMN min_level text CHECK (min_level IN ('normal', 'active', 'loyal', 'high_value'));

-- 041_replay_orders: buying from the replay (#17). A replay sale is a normal sale row marked `replay` (one per
-- product, at the product's list price, drawing the product's unallocated stock); its orders are ordinary orders
-- marked `replay` that carry where in the recording the buyer was. Attribution is written when the viewer
-- reserves (keyed by reservation) and copied onto the order when the order is recorded.

ALTER TABLE sales ADD COLUMN source text NOT NULL DEFAULT 'live' CHECK (source IN ('live', 'replay'));
CREATE UNIQUE INDEX sales_one_replay_per_product ON sales (product_id) WHERE source = 'replay';

CREATE TABLE replay_attributions (
  reservation_id uuid PRIMARY KEY,
  live_id        uuid NOT NULL REFERENCES lives (id),
  user_id        text NOT NULL,
  -- Position in the stitched recording when the viewer bought, and the chapter showing there (index into the
  -- recording's chapters; null before the first chapter).
  offset_ms      integer NOT NULL CHECK (offset_ms >= 0),
  chapter        integer CHECK (chapter >= 0),
  created_at     timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE orders ADD COLUMN source text NOT NULL DEFAULT 'live' CHECK (source IN ('live', 'replay'));
ALTER TABLE orders ADD COLUMN replay_offset_ms integer;
ALTER TABLE orders ADD COLUMN replay_chapter integer;
ALTER TABLE orders ADD CONSTRAINT orders_replay_shape
  CHECK (source = 'replay' OR (replay_offset_ms IS NULL AND replay_chapter IS NULL));
CREATE INDEX orders_replay_idx ON orders (live_id, status) WHERE source = 'replay';

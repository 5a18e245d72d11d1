-- 006_lottery: lotteries (rules, prize, commitment; the seed stays server-side until the draw) and their one
-- draw (primary key = lottery id: a second draw of the same lottery is refused by the ledger itself).
CREATE TABLE lotteries (
  id             uuid PRIMARY KEY,
  live_id        uuid NOT NULL REFERENCES lives (id),
  title          text NOT NULL,
  prize          jsonb NOT NULL,
  winners_count  integer NOT NULL CHECK (winners_count >= 1),
  runners_up     integer NOT NULL CHECK (runners_up >= 0),
  rules          jsonb NOT NULL,
  commitment     text NOT NULL,
  seed           text NOT NULL,
  created_by     text NOT NULL,
  opens_at       timestamptz NOT NULL,
  closes_at      timestamptz NOT NULL
);
CREATE INDEX lotteries_live_idx ON lotteries (live_id);

CREATE TABLE lottery_draws (
  lottery_id     uuid PRIMARY KEY REFERENCES lotteries (id),
  entrants       jsonb NOT NULL,
  entrants_hash  text NOT NULL,
  winners        jsonb NOT NULL,
  runners_up     jsonb NOT NULL,
  drawn_by       text NOT NULL,
  drawn_at       timestamptz NOT NULL
);

/**
 * The points ledger (`points_ledger`, append-only) and its running balances (`points_balances`, never
 * negative): awards (idempotent per source), spends (refused when the balance is short) and reversals (one
 * compensating row per reversed award). Every write that moves a balance is in the same transaction as its row.
 */
import { AppError } from '@lc/contracts/errors';
import type { PointsEntry, PointsKind } from '@lc/contracts/growth.schema';
import type { Db, Queryable } from './db';

export interface Award {
  merchantId: string;
  userId: string;
  kind: Exclude<PointsKind, 'spend' | 'reversal'>;
  source: string;
  liveId: string | null;
  quantity: number;
  delta: number;
}

const CHUNK = 1000;

/**
 * Inserts the awards that are new (a row already recorded for the same merchant, user, kind and source is
 * skipped) and adds what was inserted to the balances. Returns the rows inserted.
 * NOTE: balances are upserted in (merchant, user) order, so concurrent awards and spends lock rows in one
 * order and never deadlock each other.
 */
export async function insertAwards(q: Queryable, awards: readonly Award[]): Promise<number> {
  let inserted = 0;
  const rows = awards.filter((a) => a.delta > 0);
  for (let i = 0; i < rows.length; i += CHUNK) {
    const chunk = rows.slice(i, i + CHUNK);
    const params: unknown[] = [];
    const values = chunk.map((a, j) => {
      params.push(a.merchantId, a.userId, a.kind, a.source, a.liveId, a.quantity, a.delta);
      const b = 7 * j;
      return `($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5}::uuid, $${b + 6}::bigint, $${b + 7}::bigint)`;
    });
    const res = await q.query<{ merchant_id: string; user_id: string; delta: string }>(
      `INSERT INTO points_ledger (merchant_id, user_id, kind, source, live_id, quantity, delta)
       VALUES ${values.join(', ')}
       ON CONFLICT (merchant_id, user_id, kind, source) DO NOTHING
       RETURNING merchant_id, user_id, delta`,
      params,
    );
    inserted += res.rows.length;
    const sums = new Map<string, { m: string; u: string; d: number }>();
    for (const r of res.rows) {
      const k = `${r.merchant_id}\n${r.user_id}`;
      const s = sums.get(k) ?? { m: r.merchant_id, u: r.user_id, d: 0 };
      s.d += Number(r.delta);
      sums.set(k, s);
    }
    const ordered = [...sums.values()].sort((a, b) => (`${a.m}\n${a.u}` < `${b.m}\n${b.u}` ? -1 : 1));
    if (ordered.length === 0) continue;
    const bp: unknown[] = [];
    const bv = ordered.map((s, j) => {
      bp.push(s.m, s.u, s.d);
      return `($${3 * j + 1}, $${3 * j + 2}, $${3 * j + 3}::bigint)`;
    });
    await q.query(
      `INSERT INTO points_balances (merchant_id, user_id, balance) VALUES ${bv.join(', ')}
       ON CONFLICT (merchant_id, user_id)
       DO UPDATE SET balance = points_balances.balance + EXCLUDED.balance, updated_at = now()`,
      bp,
    );
  }
  return inserted;
}

export interface SpendOutcome {
  entryId: string;
  balance: number;
  note: Record<string, unknown>;
  replayed: boolean;
}

export function createPointsRepo(db: Db) {
  const spendOnce = (
    p: { merchantId: string; userId: string; source: string; cost: number },
    then: (q: Queryable) => Promise<Record<string, unknown>>,
  ): Promise<SpendOutcome> =>
    db.tx(async (q) => {
      const prior = await q.query<{ id: string; note: Record<string, unknown> }>(
        `SELECT entry_id AS id, note FROM points_spends WHERE merchant_id = $1 AND user_id = $2 AND source = $3`,
        [p.merchantId, p.userId, p.source],
      );
      if (prior.rows[0]) {
        const balance = await q.query<{ balance: string }>(
          'SELECT balance FROM points_balances WHERE merchant_id = $1 AND user_id = $2',
          [p.merchantId, p.userId],
        );
        return {
          entryId: prior.rows[0].id,
          note: prior.rows[0].note,
          balance: Number(balance.rows[0]?.balance ?? 0),
          replayed: true,
        };
      }
      // NOTE: the conditional UPDATE takes the balance row's lock: concurrent spends of one balance run one
      // after the other, and each sees the balance the previous one left.
      const upd = await q.query<{ balance: string }>(
        `UPDATE points_balances SET balance = balance - $3, updated_at = now()
         WHERE merchant_id = $1 AND user_id = $2 AND balance >= $3 RETURNING balance`,
        [p.merchantId, p.userId, p.cost],
      );
      if (!upd.rows[0]) {
        const cur = await q.query<{ balance: string }>(
          'SELECT balance FROM points_balances WHERE merchant_id = $1 AND user_id = $2',
          [p.merchantId, p.userId],
        );
        const balance = Number(cur.rows[0]?.balance ?? 0);
        throw new AppError('POINTS_INSUFFICIENT', `the balance holds ${balance} points`, {
          balance,
          cost: p.cost,
        });
      }
      const note = await then(q);
      const ins = await q.query<{ id: string }>(
        `INSERT INTO points_ledger (merchant_id, user_id, kind, source, live_id, quantity, delta)
         VALUES ($1, $2, 'spend', $3, NULL, $4, $5) RETURNING id`,
        [p.merchantId, p.userId, p.source, p.cost, -p.cost],
      );
      const entryId = ins.rows[0]!.id;
      await q.query(
        `INSERT INTO points_spends (merchant_id, user_id, source, entry_id, note) VALUES ($1, $2, $3, $4, $5::jsonb)`,
        [p.merchantId, p.userId, p.source, entryId, JSON.stringify(note)],
      );
      return { entryId, note, balance: Number(upd.rows[0].balance), replayed: false };
    });

  return {
    insertAwards: (awards: readonly Award[]) => db.tx((q) => insertAwards(q, awards)),

    async balance(merchantId: string, userId: string): Promise<number> {
      const { rows } = await db.query<{ balance: string }>(
        'SELECT balance FROM points_balances WHERE merchant_id = $1 AND user_id = $2',
        [merchantId, userId],
      );
      return Number(rows[0]?.balance ?? 0);
    },

    async entries(merchantId: string, userId: string, limit = 100): Promise<PointsEntry[]> {
      const { rows } = await db.query<{
        id: string;
        kind: PointsKind;
        source: string;
        live_id: string | null;
        quantity: string;
        delta: string;
        created_at: Date;
      }>(
        `SELECT id, kind, source, live_id, quantity, delta, created_at FROM points_ledger
         WHERE merchant_id = $1 AND user_id = $2 ORDER BY id DESC LIMIT $3`,
        [merchantId, userId, limit],
      );
      return rows.map((r) => ({
        id: r.id,
        kind: r.kind,
        source: r.source,
        liveId: r.live_id,
        quantity: Number(r.quantity),
        delta: Number(r.delta),
        at: r.created_at.toISOString(),
      }));
    },

    /**
     * Spends `cost` points once per `source` (a replay returns the first outcome with `replayed`), running
     * `then` in the same transaction (it issues what was bought; a throw there undoes the spend).
     * @throws POINTS_INSUFFICIENT (details { balance, cost })
     */
    async spend(
      p: { merchantId: string; userId: string; source: string; cost: number },
      then: (q: Queryable) => Promise<Record<string, unknown>>,
    ): Promise<SpendOutcome> {
      try {
        return await spendOnce(p, then);
      } catch (err) {
        // NOTE: the same source spent concurrently: the loser hit the unique row; answer the winner's outcome.
        if ((err as { code?: string }).code === '23505') return spendOnce(p, then);
        throw err;
      }
    },

    /**
     * Reverses one award (kind + source) with a compensating row, once. Takes back what the balance still
     * holds of it (a balance is never driven negative); `shortfall` is the rest.
     */
    async reverse(p: {
      merchantId: string;
      userId: string;
      kind: Award['kind'];
      source: string;
    }): Promise<{ reversed: number; shortfall: number; found: boolean }> {
      return db.tx(async (q) => {
        const award = await q.query<{ id: string; delta: string }>(
          `SELECT id, delta FROM points_ledger
           WHERE merchant_id = $1 AND user_id = $2 AND kind = $3 AND source = $4`,
          [p.merchantId, p.userId, p.kind, p.source],
        );
        const row = award.rows[0];
        if (!row) return { reversed: 0, shortfall: 0, found: false };
        const done = await q.query<{ delta: string; quantity: string }>(
          'SELECT delta, quantity FROM points_ledger WHERE reverses = $1',
          [row.id],
        );
        if (done.rows[0]) {
          const reversed = -Number(done.rows[0].delta);
          return { reversed, shortfall: Number(done.rows[0].quantity) - reversed, found: true };
        }
        const bal = await q.query<{ balance: string }>(
          `SELECT balance FROM points_balances WHERE merchant_id = $1 AND user_id = $2 FOR UPDATE`,
          [p.merchantId, p.userId],
        );
        const awarded = Number(row.delta);
        const reversed = Math.min(awarded, Number(bal.rows[0]?.balance ?? 0));
        const ins = await q.query(
          `INSERT INTO points_ledger (merchant_id, user_id, kind, source, live_id, quantity, delta, reverses)
           SELECT merchant_id, user_id, 'reversal', 'reverse:' || kind || ':' || source, live_id, $2, $3, id
           FROM points_ledger WHERE id = $1
           ON CONFLICT DO NOTHING`,
          [row.id, awarded, -reversed],
        );
        if (ins.rowCount === 1 && reversed > 0) {
          await q.query(
            `UPDATE points_balances SET balance = balance - $3, updated_at = now()
             WHERE merchant_id = $1 AND user_id = $2`,
            [p.merchantId, p.userId, reversed],
          );
        }
        return { reversed, shortfall: awarded - reversed, found: true };
      });
    },
  };
}
export type PointsRepo = ReturnType<typeof createPointsRepo>;

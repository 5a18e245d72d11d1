/**
 * Lottery prizes (`lottery_prizes`): awarded once per winner slot, claimed with a shipping address before the
 * deadline, or forfeited to the next unused runner-up. Every write is idempotent or guarded by its status.
 */
import type { LotteryPrize } from '../contracts/lottery.schema';
import type { Db } from './db';

export interface PrizeRow {
  lotteryId: string;
  slot: number;
  attempt: number;
  userId: string;
  prize: LotteryPrize;
  status: 'awarded' | 'claimed' | 'forfeited';
  claimDeadline: number;
  claimedAt: number | null;
}

const ms = (v: unknown) => (v == null ? null : new Date(v as string).getTime());
const json = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;

export function createLotteryPrizesRepo(db: Db) {
  const list = async (lotteryId: string): Promise<PrizeRow[]> => {
    const { rows } = await db.query<Record<string, unknown>>(
      `SELECT lottery_id, slot, attempt, user_id, prize, status, claim_deadline, claimed_at
         FROM lottery_prizes WHERE lottery_id = $1 ORDER BY slot, attempt`,
      [lotteryId],
    );
    return rows.map((r) => ({
      lotteryId: String(r.lottery_id),
      slot: Number(r.slot),
      attempt: Number(r.attempt),
      userId: String(r.user_id),
      prize: json(r.prize),
      status: r.status as PrizeRow['status'],
      claimDeadline: ms(r.claim_deadline)!,
      claimedAt: ms(r.claimed_at),
    }));
  };

  return {
    list,

    /** Drawn lotteries of a live (ids), for the settlement step. */
    async drawnOfLive(liveId: string): Promise<string[]> {
      const { rows } = await db.query<{ id: string }>(
        `SELECT l.id FROM lotteries l JOIN lottery_draws d ON d.lottery_id = l.id WHERE l.live_id = $1`,
        [liveId],
      );
      return rows.map((r) => String(r.id));
    },

    /** The earliest claim deadline among the live's prizes still awaiting a claim (epoch ms), or null. */
    async nextDeadline(liveId: string): Promise<number | null> {
      const { rows } = await db.query<{ at: unknown }>(
        `SELECT min(p.claim_deadline) AS at FROM lottery_prizes p JOIN lotteries l ON l.id = p.lottery_id
          WHERE l.live_id = $1 AND p.status = 'awarded'`,
        [liveId],
      );
      return ms(rows[0]?.at);
    },

    /** Awards each winner's slot (attempt 0) once; returns how many rows this call created. */
    async awardWinners(lotteryId: string, claimDeadline: number, now: number): Promise<number> {
      const { rows } = await db.query<{ n: number }>(
        `WITH w AS (
           SELECT d.lottery_id, l.prize, x.user_id, (x.ord - 1)::int AS slot
             FROM lottery_draws d JOIN lotteries l ON l.id = d.lottery_id,
                  jsonb_array_elements_text(d.winners) WITH ORDINALITY AS x(user_id, ord)
            WHERE d.lottery_id = $1)
         , ins AS (
           INSERT INTO lottery_prizes (lottery_id, slot, attempt, user_id, prize, status, claim_deadline, awarded_at)
           SELECT lottery_id, slot, 0, user_id, prize, 'awarded', $2, $3 FROM w
           ON CONFLICT DO NOTHING RETURNING 1)
         SELECT count(*)::int AS n FROM ins`,
        [lotteryId, new Date(claimDeadline), new Date(now)],
      );
      return rows[0]!.n;
    },

    /**
     * Forfeits every awarded prize past its deadline and offers the slot to the next runner-up not yet
     * offered a prize (claim window `claimMs` from now). Returns the new awards.
     */
    async forfeitExpired(lotteryId: string, now: number, claimMs: number): Promise<PrizeRow[]> {
      const { rows: draws } = await db.query<{ runners_up: unknown }>(
        'SELECT runners_up FROM lottery_draws WHERE lottery_id = $1',
        [lotteryId],
      );
      if (!draws[0]) return [];
      const runnersUp = json<string[]>(draws[0].runners_up);
      const created: PrizeRow[] = [];
      await db.tx(async (q) => {
        const { rows: expired } = await q.query<Record<string, unknown>>(
          `UPDATE lottery_prizes SET status = 'forfeited'
            WHERE lottery_id = $1 AND status = 'awarded' AND claim_deadline <= $2
            RETURNING slot, attempt, prize`,
          [lotteryId, new Date(now)],
        );
        if (expired.length === 0) return;
        const { rows: offered } = await q.query<{ user_id: string }>(
          'SELECT user_id FROM lottery_prizes WHERE lottery_id = $1',
          [lotteryId],
        );
        const used = new Set(offered.map((r) => r.user_id));
        const next = runnersUp.filter((u) => !used.has(u));
        for (const e of [...expired].sort((a, b) => Number(a.slot) - Number(b.slot))) {
          const userId = next.shift();
          if (!userId) break; // NOTE: no runner-up left: the slot stays forfeited.
          const row: PrizeRow = {
            lotteryId,
            slot: Number(e.slot),
            attempt: Number(e.attempt) + 1,
            userId,
            prize: json(e.prize),
            status: 'awarded',
            claimDeadline: now + claimMs,
            claimedAt: null,
          };
          await q.query(
            `INSERT INTO lottery_prizes (lottery_id, slot, attempt, user_id, prize, status, claim_deadline, awarded_at)
             VALUES ($1, $2, $3, $4, $5::jsonb, 'awarded', $6, $7)`,
            [
              lotteryId,
              row.slot,
              row.attempt,
              userId,
              JSON.stringify(row.prize),
              new Date(row.claimDeadline),
              new Date(now),
            ],
          );
          created.push(row);
        }
      });
      return created;
    },

    /** Claims the user's awarded prize with a shipping address before its deadline; false otherwise. */
    async claim(lotteryId: string, userId: string, shipping: unknown, now: number): Promise<boolean> {
      const { rows } = await db.query(
        `UPDATE lottery_prizes SET status = 'claimed', claimed_at = $3, shipping = $4::jsonb
          WHERE lottery_id = $1 AND user_id = $2 AND status = 'awarded' AND claim_deadline > $3
          RETURNING slot`,
        [lotteryId, userId, new Date(now), JSON.stringify(shipping)],
      );
      return rows.length === 1;
    },
  };
}
export type LotteryPrizesRepo = ReturnType<typeof createLotteryPrizesRepo>;

/**
 * Lottery prizes (`lottery_prizes`): offered once per winner slot, claimed with a shipping address before the
 * deadline, or forfeited to the next unused runner-up. A claim issues the real prize (a coupon claim or a
 * zero-price prize order) in the same transaction and records it on the row, so each slot is issued at most
 * once and a forfeited offer never held anything. Every write is idempotent or guarded by its status.
 */
import type { LotteryPrize, MyPrize } from '@lc/contracts/lottery.schema';
import type { Db, Queryable } from './db';

export interface PrizeRow extends MyPrize {
  userId: string;
}

/** What a claim hands to the issuer: the offer being claimed and the address given. */
export interface PrizeToIssue {
  liveId: string;
  lotteryId: string;
  slot: number;
  attempt: number;
  userId: string;
  prize: LotteryPrize;
  shipping: unknown;
}
export type PrizeIssuer = (
  q: Queryable,
  p: PrizeToIssue,
) => Promise<{ couponClaimNo: number | null; orderId: string | null }>;

/** The deterministic key of one offer: the prize order's idempotency key. */
export const prizeKey = (lotteryId: string, slot: number, attempt: number) =>
  `prize:${lotteryId}:${slot}:${attempt}`;

const ms = (v: unknown) => (v == null ? null : new Date(v as string).getTime());
const json = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;

const COLUMNS = `l.live_id, l.title, p.lottery_id, p.slot, p.attempt, p.user_id, p.prize, p.status, p.claim_deadline,
  p.claimed_at, p.issued_at, p.coupon_claim_no, p.order_id`;

const toRow = (r: Record<string, unknown>): PrizeRow => ({
  liveId: String(r.live_id),
  lotteryId: String(r.lottery_id),
  title: String(r.title),
  slot: Number(r.slot),
  attempt: Number(r.attempt),
  userId: String(r.user_id),
  prize: json(r.prize),
  status: r.status as PrizeRow['status'],
  claimDeadline: ms(r.claim_deadline)!,
  claimedAt: ms(r.claimed_at),
  issued:
    r.issued_at == null
      ? null
      : {
          couponClaimNo: r.coupon_claim_no == null ? null : Number(r.coupon_claim_no),
          orderId: r.order_id == null ? null : String(r.order_id),
        },
});

export function createLotteryPrizesRepo(db: Db) {
  const list = async (lotteryId: string, q: Queryable = db): Promise<PrizeRow[]> => {
    const { rows } = await q.query<Record<string, unknown>>(
      `SELECT ${COLUMNS} FROM lottery_prizes p JOIN lotteries l ON l.id = p.lottery_id
        WHERE p.lottery_id = $1 ORDER BY p.slot, p.attempt`,
      [lotteryId],
    );
    return rows.map(toRow);
  };

  return {
    list,

    /** Every prize offered to a user (newest first, at most 200), in any live. */
    async listByUser(userId: string): Promise<PrizeRow[]> {
      const { rows } = await db.query<Record<string, unknown>>(
        `SELECT ${COLUMNS} FROM lottery_prizes p JOIN lotteries l ON l.id = p.lottery_id
          WHERE p.user_id = $1 ORDER BY p.awarded_at DESC, p.lottery_id, p.slot LIMIT 200`,
        [userId],
      );
      return rows.map(toRow);
    },

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

    /** Awards each winner's slot (attempt 0) once; returns the rows this call created. */
    async awardWinners(lotteryId: string, claimDeadline: number, now: number): Promise<PrizeRow[]> {
      const { rows } = await db.query<{ slot: number }>(
        `WITH w AS (
           SELECT d.lottery_id, l.prize, x.user_id, (x.ord - 1)::int AS slot
             FROM lottery_draws d JOIN lotteries l ON l.id = d.lottery_id,
                  jsonb_array_elements_text(d.winners) WITH ORDINALITY AS x(user_id, ord)
            WHERE d.lottery_id = $1)
         , ins AS (
           INSERT INTO lottery_prizes (lottery_id, slot, attempt, user_id, prize, status, claim_deadline, awarded_at)
           SELECT lottery_id, slot, 0, user_id, prize, 'awarded', $2, $3 FROM w
           ON CONFLICT DO NOTHING RETURNING slot)
         SELECT slot FROM ins`,
        [lotteryId, new Date(claimDeadline), new Date(now)],
      );
      if (rows.length === 0) return [];
      const created = new Set(rows.map((r) => Number(r.slot)));
      return (await list(lotteryId)).filter((p) => p.attempt === 0 && created.has(p.slot));
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
      const created: Array<{ slot: number; attempt: number }> = [];
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
          const row = { slot: Number(e.slot), attempt: Number(e.attempt) + 1, prize: json(e.prize) };
          await q.query(
            `INSERT INTO lottery_prizes (lottery_id, slot, attempt, user_id, prize, status, claim_deadline, awarded_at)
             VALUES ($1, $2, $3, $4, $5::jsonb, 'awarded', $6, $7)`,
            [
              lotteryId,
              row.slot,
              row.attempt,
              userId,
              JSON.stringify(row.prize),
              new Date(now + claimMs),
              new Date(now),
            ],
          );
          created.push(row);
        }
      });
      if (created.length === 0) return [];
      const isNew = (p: PrizeRow) => created.some((c) => c.slot === p.slot && c.attempt === p.attempt);
      return (await list(lotteryId)).filter(isNew);
    },

    /**
     * Claims the user's awarded prize with a shipping address before its deadline and issues it (`issue`, in
     * the same transaction: a failed issue leaves the offer unclaimed). Returns the claimed row, or null when
     * the user holds no claimable offer in this lottery.
     */
    async claim(
      lotteryId: string,
      userId: string,
      shipping: unknown,
      now: number,
      issue: PrizeIssuer,
    ): Promise<PrizeRow | null> {
      const done = await db.tx(async (q) => {
        const { rows } = await q.query<Record<string, unknown>>(
          `UPDATE lottery_prizes p SET status = 'claimed', claimed_at = $3, shipping = $4::jsonb, issued_at = $3
            FROM lotteries l
            WHERE l.id = p.lottery_id AND p.lottery_id = $1 AND p.user_id = $2 AND p.status = 'awarded'
              AND p.claim_deadline > $3
            RETURNING l.live_id, p.slot, p.attempt, p.prize`,
          [lotteryId, userId, new Date(now), JSON.stringify(shipping)],
        );
        const r = rows[0];
        if (!r) return false;
        const slot = Number(r.slot);
        const attempt = Number(r.attempt);
        const issued = await issue(q, {
          liveId: String(r.live_id),
          lotteryId,
          slot,
          attempt,
          userId,
          prize: json(r.prize),
          shipping,
        });
        await q.query(
          `UPDATE lottery_prizes SET coupon_claim_no = $4, order_id = $5
            WHERE lottery_id = $1 AND slot = $2 AND attempt = $3`,
          [lotteryId, slot, attempt, issued.couponClaimNo, issued.orderId],
        );
        return true;
      });
      if (!done) return null;
      return (await list(lotteryId)).find((p) => p.userId === userId) ?? null;
    },

    /** Counts of what the lottery's claims issued (the audit of "each prize issued once"). */
    async issuedCounts(
      lotteryId: string,
    ): Promise<{ claimed: number; couponClaims: number; prizeOrders: number }> {
      const { rows } = await db.query<{ claimed: number; coupons: number; orders: number }>(
        `SELECT count(*) FILTER (WHERE status = 'claimed')::int AS claimed,
                count(coupon_claim_no)::int AS coupons, count(order_id)::int AS orders
           FROM lottery_prizes WHERE lottery_id = $1`,
        [lotteryId],
      );
      const r = rows[0]!;
      return { claimed: r.claimed, couponClaims: r.coupons, prizeOrders: r.orders };
    },
  };
}
export type LotteryPrizesRepo = ReturnType<typeof createLotteryPrizesRepo>;

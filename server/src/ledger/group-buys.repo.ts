/**
 * Group buys (`group_buy_*`): the offer, each group's outcome with its members (and the sharer each join is
 * attributed to), and one row per refund of an expired group's paid member. Redis decides; every write here
 * is idempotent, and the refund row's primary key is what makes a member's refund happen once.
 */
import type { Db } from './db';

export interface NewGroupBuyOffer {
  id: string;
  liveId: string;
  saleId: string;
  productId: string;
  groupPrice: number;
  groupSize: number;
  units: number;
  limitMs: number;
  closesAt: number;
}

export interface DecidedGroup {
  id: string;
  offerId: string;
  liveId: string;
  leaderId: string;
  status: 'filled' | 'expired';
  members: { userId: string; reservationId: string; via: string | null; joinedAt: number }[];
}

export interface GroupRefund {
  groupId: string;
  userId: string;
  reservationId: string;
  paymentId: string;
  amount: number;
}

export function createGroupBuysRepo(db: Db) {
  return {
    async insertOffer(o: NewGroupBuyOffer): Promise<void> {
      await db.query(
        `INSERT INTO group_buy_offers (id, live_id, sale_id, product_id, group_price, group_size, units, limit_ms,
           closes_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING`,
        [
          o.id,
          o.liveId,
          o.saleId,
          o.productId,
          o.groupPrice,
          o.groupSize,
          o.units,
          o.limitMs,
          new Date(o.closesAt),
        ],
      );
    },

    /** The group's outcome and its members, in one transaction; again changes nothing. */
    recordDecision(g: DecidedGroup): Promise<void> {
      return db.tx(async (q) => {
        await q.query(
          `INSERT INTO group_buy_groups (id, offer_id, live_id, leader_id, status, members)
           VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING`,
          [g.id, g.offerId, g.liveId, g.leaderId, g.status, g.members.length],
        );
        for (const m of g.members) {
          await q.query(
            `INSERT INTO group_buy_members (group_id, user_id, reservation_id, via_user_id, joined_at)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
            [g.id, m.userId, m.reservationId, m.via, new Date(m.joinedAt)],
          );
        }
      });
    },

    /**
     * Records a paid member's refund once: the refund row, the payment `refunded` and the order `refunded`.
     * 'wait' when the order is not in the ledger yet (its payment webhook is still being recorded): try later.
     */
    recordRefund(r: GroupRefund): Promise<'recorded' | 'already' | 'wait'> {
      return db.tx(async (q) => {
        const { rows } = await q.query<{ id: string }>(
          'SELECT id FROM orders WHERE reservation_id = $1 FOR UPDATE',
          [r.reservationId],
        );
        if (rows.length === 0) return 'wait';
        const ins = await q.query(
          `INSERT INTO group_buy_refunds (group_id, user_id, payment_id, amount) VALUES ($1, $2, $3, $4)
           ON CONFLICT DO NOTHING`,
          [r.groupId, r.userId, r.paymentId, r.amount],
        );
        if (ins.rowCount === 0) return 'already';
        await q.query(
          `UPDATE payments SET status = 'refunded', updated_at = now() WHERE id = $1 AND status = 'succeeded'`,
          [r.paymentId],
        );
        // NOTE: 'settled' too: the end-of-live settlement may have settled it before the group's expiry ran.
        await q.query(
          `UPDATE orders SET status = 'refunded' WHERE reservation_id = $1 AND status IN ('paid', 'settled')`,
          [r.reservationId],
        );
        return 'recorded';
      });
    },

    async refunds(groupId: string): Promise<{ userId: string; paymentId: string; amount: number }[]> {
      const { rows } = await db.query<{ user_id: string; payment_id: string; amount: string }>(
        'SELECT user_id, payment_id, amount FROM group_buy_refunds WHERE group_id = $1 ORDER BY user_id',
        [groupId],
      );
      return rows.map((r) => ({ userId: r.user_id, paymentId: r.payment_id, amount: Number(r.amount) }));
    },
  };
}
export type GroupBuysRepo = ReturnType<typeof createGroupBuysRepo>;

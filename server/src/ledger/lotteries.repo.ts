/** Lotteries and their one draw (`lotteries`, `lottery_draws`); the audit record is read from here. */
import type { LotteryAudit, LotteryPrize, LotteryRules } from '@lc/contracts/lottery.schema';
import type { Db } from './db';

export interface LotteryRow {
  id: string;
  liveId: string;
  title: string;
  prize: LotteryPrize;
  winners: number;
  runnersUp: number;
  rules: LotteryRules;
  commitment: string;
  seed: string;
  createdBy: string;
  opensAt: number;
  closesAt: number;
}

const json = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;

export function createLotteriesRepo(db: Db) {
  return {
    async insert(l: LotteryRow) {
      await db.query(
        `INSERT INTO lotteries (id, live_id, title, prize, winners_count, runners_up, rules, commitment, seed,
           created_by, opens_at, closes_at)
         VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7::jsonb, $8, $9, $10, $11, $12)`,
        [
          l.id,
          l.liveId,
          l.title,
          JSON.stringify(l.prize),
          l.winners,
          l.runnersUp,
          JSON.stringify(l.rules),
          l.commitment,
          l.seed,
          l.createdBy,
          new Date(l.opensAt),
          new Date(l.closesAt),
        ],
      );
    },
    /**
     * Records the draw; false when this lottery already has one (the primary key refuses a second draw even
     * if the Redis guard were bypassed).
     */
    async recordDraw(d: {
      lotteryId: string;
      entrants: string[];
      entrantsHash: string;
      winners: string[];
      runnersUp: string[];
      drawnBy: string;
      drawnAt: number;
    }): Promise<boolean> {
      const { rows } = await db.query<{ lottery_id: string }>(
        `INSERT INTO lottery_draws (lottery_id, entrants, entrants_hash, winners, runners_up, drawn_by, drawn_at)
         VALUES ($1, $2::jsonb, $3, $4::jsonb, $5::jsonb, $6, $7)
         ON CONFLICT (lottery_id) DO NOTHING RETURNING lottery_id`,
        [
          d.lotteryId,
          JSON.stringify(d.entrants),
          d.entrantsHash,
          JSON.stringify(d.winners),
          JSON.stringify(d.runnersUp),
          d.drawnBy,
          new Date(d.drawnAt),
        ],
      );
      return rows.length === 1;
    },
    async countDraws(lotteryId: string): Promise<number> {
      const { rows } = await db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM lottery_draws WHERE lottery_id = $1',
        [lotteryId],
      );
      return rows[0]!.n;
    },
    /** The audit record of a drawn lottery of this live; null when unknown or not drawn yet. */
    async audit(liveId: string, lotteryId: string): Promise<LotteryAudit | null> {
      const { rows } = await db.query<Record<string, unknown>>(
        `SELECT l.id, l.live_id, l.prize, l.rules, l.commitment, l.seed, l.winners_count, l.runners_up AS ru,
                d.entrants, d.entrants_hash, d.winners, d.runners_up, d.drawn_at
           FROM lotteries l JOIN lottery_draws d ON d.lottery_id = l.id
          WHERE l.id = $1 AND l.live_id = $2`,
        [lotteryId, liveId],
      );
      const r = rows[0];
      if (!r) return null;
      return {
        lotteryId: String(r.id),
        liveId: String(r.live_id),
        algorithm: 'hmac-sha256-min-k/v1',
        rules: json(r.rules),
        prize: json(r.prize),
        commitment: String(r.commitment),
        seed: String(r.seed),
        entrants: json(r.entrants),
        entrantsHash: String(r.entrants_hash),
        k: Number(r.winners_count),
        runnersUpCount: Number(r.ru),
        winners: json(r.winners),
        runnersUp: json(r.runners_up),
        drawnAt: new Date(r.drawn_at as string).getTime(),
      };
    },
  };
}
export type LotteriesRepo = ReturnType<typeof createLotteriesRepo>;

/**
 * Reconciliation: a sale's Redis counters against its reservations and against the ledger. Invariant:
 * sold + reserved + remaining = initial, sold = units of the sale's orders, reserved = units still held.
 * A mismatch is stored (`commerce_reconciliations`) and logged — never "fixed": a wrong counter is a bug or
 * an incident for a person to look at, and moving stock to hide it would destroy the evidence.
 */
import type { Reconciliation } from '@lc/contracts/commerce.schema';
import type { Db } from '../../../ledger/db';

export interface RedisSaleFacts {
  saleId: string;
  counters: { initial: number; remaining: number; reserved: number; sold: number };
  /** Units by reservation status, from the reservation records. */
  held: number;
  paid: number;
}

export async function reconcileSale(
  db: Db,
  liveId: string,
  facts: RedisSaleFacts,
  opts: { settled: boolean },
): Promise<Reconciliation> {
  const { rows } = await db.query<{ units: number; orders: number; sale_units: number }>(
    `SELECT s.units AS sale_units,
       (SELECT count(*)::int FROM orders o WHERE o.sale_id = s.id AND o.status <> 'refunded') AS orders,
       (SELECT coalesce(sum(o.quantity), 0)::int FROM orders o WHERE o.sale_id = s.id AND o.status <> 'refunded') AS units
     FROM sales s WHERE s.id = $1`,
    [facts.saleId],
  );
  const ledger = {
    initial: rows[0]?.sale_units ?? 0,
    orders: rows[0]?.orders ?? 0,
    sold: rows[0]?.units ?? 0,
  };
  const c = facts.counters;
  const problems: string[] = [];
  if (c.sold + c.reserved + c.remaining !== c.initial) {
    problems.push(
      `sold + reserved + remaining = ${c.sold + c.reserved + c.remaining}, initial = ${c.initial}`,
    );
  }
  if (c.remaining < 0 || c.reserved < 0 || c.sold < 0) problems.push('a counter is negative');
  if (c.initial !== ledger.initial)
    problems.push(`initial ${c.initial} in Redis, ${ledger.initial} in the ledger`);
  if (c.sold !== ledger.sold) problems.push(`sold ${c.sold} in Redis, ${ledger.sold} units in ledger orders`);
  if (c.sold !== facts.paid) problems.push(`sold ${c.sold}, paid reservations hold ${facts.paid}`);
  if (c.reserved !== facts.held)
    problems.push(`reserved ${c.reserved}, unpaid reservations hold ${facts.held}`);
  if (opts.settled && c.reserved !== 0) problems.push(`${c.reserved} units still reserved after settlement`);
  const result: Reconciliation = {
    saleId: facts.saleId,
    ok: problems.length === 0,
    redis: { ...c, held: facts.held, paid: facts.paid },
    ledger,
    problems,
  };
  await db.query(
    `INSERT INTO commerce_reconciliations (live_id, sale_id, ok, redis, ledger, problems)
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (live_id, sale_id) DO NOTHING`,
    [
      liveId,
      facts.saleId,
      result.ok,
      JSON.stringify(result.redis),
      JSON.stringify(result.ledger),
      JSON.stringify(problems),
    ],
  );
  return result;
}

/** The stored verdicts of a live (the first run's). */
export async function storedReconciliations(db: Db, liveId: string): Promise<Reconciliation[]> {
  const { rows } = await db.query<{
    sale_id: string;
    ok: boolean;
    redis: Record<string, number>;
    ledger: Record<string, number>;
    problems: string[];
  }>(
    'SELECT sale_id, ok, redis, ledger, problems FROM commerce_reconciliations WHERE live_id = $1 ORDER BY sale_id',
    [liveId],
  );
  return rows.map((r) => ({
    saleId: r.sale_id,
    ok: r.ok,
    redis: r.redis,
    ledger: r.ledger,
    problems: r.problems,
  }));
}

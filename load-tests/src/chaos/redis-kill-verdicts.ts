/**
 * Verdicts of `chaos redis`: what must hold after redis-server was SIGKILLed mid flash sale and started again
 * from its AOF (everysec). Pure: fed the storm's answers, the sale read back from Redis after the restart and the
 * ledger's orders after settlement, so a test can feed it a broken run.
 */
import type { CommerceReport, Order } from '@lc/contracts/commerce.schema';
import type { SaleState } from '../commerce/sale-audit';
import type { Verdict } from '../scenario';
import type { StormAnswer } from './reserve-storm';

/** appendfsync everysec: writes acknowledged in the last second before a kill may be lost (plus this margin). */
export const AOF_LOSS_WINDOW_MS = 1500;

export interface RedisKillRun {
  units: number;
  perUserLimit: number;
  answers: StormAnswer[];
  replaysSent: number;
  /** Wall-clock times: SIGKILL sent, the process seen gone, Redis answering again, the API node ready again. */
  killAt: number;
  downAt: number;
  restartAt: number;
  readyAt: number | null;
  /** Reservation ids paid (orders in the ledger) before the kill. */
  paidBefore: Set<string>;
  sale: SaleState;
  report?: CommerceReport;
  /** Every buyer's orders after settlement. */
  orders: Order[];
}

const OK_CODES = new Set(['CREATED', 'SOLD_OUT', 'PURCHASE_LIMIT']);
/** After the node is ready again, 503s may still come for this long (connections finishing their reconnect). */
export const RECOVERY_GRACE_MS = 2000;

export function redisKillVerdicts(r: RedisKillRun): Verdict[] {
  const { initial, remaining, reserved, sold } = r.sale.counters;
  const taken = sold + reserved;
  const live = r.sale.reservations.filter((x) => x.status !== 'expired');
  const heldUnits = live.reduce((a, x) => a + x.quantity, 0);
  const known = new Set(r.sale.reservations.map((x) => x.id));

  // Requests sent while Redis was gone: refused with 503 SERVICE_UNAVAILABLE (the node waits for a few
  // reconnect attempts first), or, when Redis came back before that, decided normally. Those in flight at the
  // kill may have been decided by Redis before it died.
  const sentDown = r.answers.filter((a) => a.sentAt >= r.downAt && a.sentAt < r.restartAt);
  const refused = sentDown.filter((a) => a.status === 503 && a.code === 'SERVICE_UNAVAILABLE');
  const notClosed = sentDown.filter(
    (a) =>
      !(a.status === 503 && a.code === 'SERVICE_UNAVAILABLE') &&
      (a.at < r.restartAt || !OK_CODES.has(a.code)),
  );
  const strange = r.answers.filter((a) => !OK_CODES.has(a.code) && a.code !== 'SERVICE_UNAVAILABLE');
  const readyAt = r.readyAt ?? Number.POSITIVE_INFINITY;
  const after = r.answers.filter((a) => a.sentAt >= readyAt + RECOVERY_GRACE_MS);
  const code = (as: StormAnswer[]) => {
    const m: Record<string, number> = {};
    for (const a of as) m[a.code] = (m[a.code] ?? 0) + 1;
    return m;
  };
  const lateUnavailable = after.filter((a) => a.code === 'SERVICE_UNAVAILABLE').length;
  // Any answer the reserve script decided (PURCHASE_LIMIT too: a tiny storm's buyers may all be at their limit by
  // then) shows Redis is serving again.
  const resumed = after.filter((a) => OK_CODES.has(a.code)).length;

  // One reservation per key: in Redis (each of the storm's reservations owned by exactly one key record) and as
  // answered (a key never named two reservations that both exist).
  const owners = new Map<string, number>();
  for (const rec of r.sale.records)
    if (rec.c === 1 && rec.reservationId)
      owners.set(rec.reservationId, (owners.get(rec.reservationId) ?? 0) + 1);
  const stormRes = r.sale.reservations.filter((x) => !r.paidBefore.has(x.id));
  const unowned = stormRes.filter((x) => owners.get(x.id) !== 1).length;
  const idsPerKey = new Map<string, Set<string>>();
  for (const a of r.answers)
    if (a.reservationId && known.has(a.reservationId))
      idsPerKey.set(a.key, (idsPerKey.get(a.key) ?? new Set()).add(a.reservationId));
  const twoPerKey = [...idsPerKey.values()].filter((s) => s.size > 1).length;
  const perUser = new Map<string, number>();
  for (const x of live) perUser.set(x.userId, (perUser.get(x.userId) ?? 0) + x.quantity);
  const overLimit = [...perUser.values()].filter((n) => n > r.perUserLimit).length;

  // Acknowledged holds that the restart lost: only those acked within the AOF fsync window before the kill (or
  // decided just before it and answered after).
  const acked = r.answers.filter((a) => a.code === 'CREATED' && a.at < r.restartAt && a.reservationId);
  const lost = acked.filter((a) => !known.has(a.reservationId as string));
  const lostEarly = lost.filter((a) => a.at < r.killAt - AOF_LOSS_WINDOW_MS);

  // Orders paid before the kill: each exactly once in the ledger, settled, and settlement reconciled.
  const perRes = new Map<string, number>();
  for (const o of r.orders) perRes.set(o.reservationId ?? '', (perRes.get(o.reservationId ?? '') ?? 0) + 1);
  const missing = [...r.paidBefore].filter((id) => !perRes.has(id)).length;
  const duplicated = [...perRes.values()].filter((n) => n > 1).length;
  const unsettled = r.orders.filter((o) => r.paidBefore.has(o.reservationId ?? '') && o.status !== 'settled');
  const rec = r.report?.reconciliation ?? [];
  const reconciled = rec.length > 0 && rec.every((x) => x.ok);

  return [
    {
      name: 'oversold = 0 after the restart',
      pass:
        initial === r.units &&
        remaining >= 0 &&
        taken <= initial &&
        taken + remaining === initial &&
        heldUnits === taken,
      detail: `sold ${sold} + reserved ${reserved} + remaining ${remaining} = ${taken + remaining} of initial ${initial} (${r.units} put on sale); reservation records hold ${heldUnits}`,
    },
    {
      name: 'one reservation per Idempotency-Key, per-user limit held',
      pass: unowned === 0 && twoPerKey === 0 && overLimit === 0,
      detail: `${stormRes.length} storm reservations, ${unowned} not owned by exactly one key record; ${twoPerKey} keys answered with two live reservations (${r.replaysSent} keys repeated); ${overLimit} buyers over ${r.perUserLimit}`,
    },
    {
      name: 'fail closed during the outage: 503 SERVICE_UNAVAILABLE',
      pass: refused.length > 0 && notClosed.length === 0 && strange.length === 0,
      detail: `${sentDown.length} requests sent while Redis was down (${r.restartAt - r.killAt} ms): ${JSON.stringify(code(sentDown))}, ${notClosed.length} neither refused nor decided after the restart; answers outside 201/SOLD_OUT/PURCHASE_LIMIT/503 over the run: ${strange.length ? JSON.stringify(code(strange)) : 'none'}`,
    },
    {
      name: 'service resumed after the restart',
      pass: r.readyAt !== null && resumed > 0 && lateUnavailable === 0,
      detail:
        r.readyAt === null
          ? 'the API node never became ready again'
          : `ready ${r.readyAt - r.restartAt} ms after Redis answered; then ${after.length} answers (${JSON.stringify(code(after))}), ${lateUnavailable} still 503 after a ${RECOVERY_GRACE_MS} ms grace`,
    },
    {
      name: `acknowledged holds kept (only the last ${AOF_LOSS_WINDOW_MS} ms before the kill may be lost)`,
      pass: lostEarly.length === 0,
      detail: `${acked.length} holds acknowledged before the kill, ${lost.length} missing after the restart (${lostEarly.length} acknowledged earlier than the fsync window)`,
    },
    {
      name: 'every order paid before the kill settled exactly once after it',
      pass: missing === 0 && duplicated === 0 && unsettled.length === 0 && reconciled,
      detail: `${r.paidBefore.size} paid before the kill: ${missing} without an order, ${duplicated} reservations with two orders, ${unsettled.length} not settled; ${r.orders.length} orders in the ledger; settlement reconciliation ${rec.length ? (reconciled ? 'ok (Redis = ledger)' : JSON.stringify(rec)) : 'missing (no report)'}`,
    },
  ];
}

/**
 * The settlement scenario's correctness checks, from what a client and a merchant can see (REST, webhooks)
 * plus the server's Redis: every paid reservation became exactly one settled order, unpaid holds went back to
 * stock, the reconciliation holds, each webhook event id arrived once, the commerce keys were released, and a
 * second run changed nothing.
 */

import type { CommerceReport, Order, SaleCounters } from '@lc/contracts/commerce.schema';
import type { Redis } from 'ioredis';
import { commerceKeysOf, createKeys } from '../../../server/src/testkit';
import type { Verdict } from '../scenario';
import type { MerchantReceiver } from './merchant-receiver';
import type { Purchases, SaleSetup } from './settlement-setup';

/** What the `commerce-settlement` step returns (settlement.step.ts). */
export interface StepResult {
  releasedUnits: number;
  orders: number;
  settled: number;
  reconciled: boolean;
  problems: string[];
  keysReleased: number;
  /** Wall time per phase of the step. */
  phasesMs?: Record<string, number>;
}

/** The live's commerce keys: how many still exist, and how many of those have no expiry. */
export async function commerceKeyState(redis: Redis, prefix: string, sale: SaleSetup) {
  const keys = createKeys(prefix);
  const names = commerceKeysOf(keys, sale.liveId, [sale.saleId], [sale.productId]);
  const pipe = redis.pipeline();
  for (const k of names) pipe.pttl(k);
  pipe.zscore(keys.activeSales, `${sale.liveId}/${sale.saleId}`);
  const out = (await pipe.exec()) ?? [];
  const ttls = out.slice(0, names.length).map(([, v]) => Number(v));
  return {
    keys: names.length,
    present: ttls.filter((t) => t !== -2).length,
    /** Present with no expiry: would stay forever. */
    persistent: names.filter((_, i) => ttls[i] === -1),
    activeSale: out[names.length]?.[1] !== null,
  };
}
type KeyState = Awaited<ReturnType<typeof commerceKeyState>>;

const stable = (orders: Order[]) =>
  JSON.stringify([...orders].sort((a, b) => a.id.localeCompare(b.id)).map((o) => [o.id, o.status]));

export function settlementVerdicts(i: {
  bought: Purchases;
  before: Order[];
  stockBefore: SaleCounters;
  report?: CommerceReport;
  first?: StepResult;
  after: Order[];
  keysAfter: KeyState;
  receiver: MerchantReceiver;
  rerun: { result?: StepResult; error?: string };
  afterRerun: { report?: CommerceReport; orders: Order[]; keys: KeyState; deliveries: number };
}): Verdict[] {
  const paid = i.bought.paid;
  const unpaid = i.bought.unpaid.size;
  const setupErrors = Object.entries(i.bought.errors);
  const byReservation = new Map<string, number>();
  for (const o of i.after)
    byReservation.set(o.reservationId ?? '', (byReservation.get(o.reservationId ?? '') ?? 0) + 1);
  const missing = [...paid.keys()].filter((r) => !byReservation.has(r)).length;
  const twice = [...byReservation.values()].filter((n) => n > 1).length;
  const strangers = [...byReservation.keys()].filter((r) => !paid.has(r)).length;
  const notSettled = i.after.filter((o) => o.status !== 'settled').length;

  const rec = i.report?.reconciliation ?? [];
  const recOk = rec.length === 1 && rec.every((r) => r.ok);
  const c = rec[0]?.redis as Record<string, number> | undefined;
  const sums = c
    ? `sold ${c.sold} + reserved ${c.reserved} + remaining ${c.remaining} = initial ${c.initial}`
    : 'no reconciliation';

  const orderEvents = [...i.receiver.events.values()].filter((e) => e.type === 'order.settled');
  const liveEvents = [...i.receiver.events.values()].filter((e) => e.type === 'live.settled');
  const dupIds = [...i.receiver.deliveries.values()].filter((n) => n > 1).length;
  const expectedIds = new Set(i.after.map((o) => `order-${o.id}`));
  const hookMissing = [...expectedIds].filter((id) => !i.receiver.events.has(id)).length;

  const r2 = i.rerun.result;
  const sameReport = JSON.stringify(i.afterRerun.report) === JSON.stringify(i.report);
  const sameOrders = stable(i.afterRerun.orders) === stable(i.after);
  const keysReleased = (k: KeyState) => k.persistent.length === 0 && !k.activeSale;

  return [
    {
      name: 'setup: every reserve and pay accepted, every payment an order before the end',
      pass: setupErrors.length === 0 && i.before.length === paid.size && i.stockBefore.sold === paid.size,
      detail: `${paid.size} paid, ${unpaid} unpaid; errors ${setupErrors.length ? JSON.stringify(i.bought.errors) : 'none'}; ${i.before.length} orders in the ledger and sold ${i.stockBefore.sold} before the end`,
    },
    {
      name: 'every paid order settled exactly once in the ledger',
      pass:
        missing === 0 && twice === 0 && strangers === 0 && notSettled === 0 && i.after.length === paid.size,
      detail: `${i.after.length} orders read back per buyer for ${paid.size} paid reservations: ${missing} missing, ${twice} twice, ${strangers} not ours, ${notSettled} not settled; report says ${i.report?.orders ?? '—'} orders; step settled ${i.first?.settled ?? '—'}`,
    },
    {
      name: 'unpaid holds expired and their stock released',
      pass: i.first?.releasedUnits === unpaid && c?.reserved === 0 && c?.remaining === unpaid,
      detail: `step released ${i.first?.releasedUnits ?? '—'} units for ${unpaid} unpaid holds; after settlement reserved ${c?.reserved ?? '—'}, remaining ${c?.remaining ?? '—'}`,
    },
    {
      name: 'reconciliation: sold + reserved + remaining = initial, Redis = ledger',
      pass: recOk && i.first?.reconciled === true && c?.sold === paid.size,
      detail: `${sums}; ${rec.flatMap((r) => r.problems).join('; ') || 'no problem'}`,
    },
    {
      name: 'merchant webhooks: each event id received exactly once, signed',
      pass:
        hookMissing === 0 &&
        dupIds === 0 &&
        orderEvents.length === paid.size &&
        liveEvents.length === 1 &&
        i.receiver.badSignatures === 0 &&
        i.receiver.malformed === 0,
      detail: `${orderEvents.length} order.settled + ${liveEvents.length} live.settled distinct ids for ${paid.size} orders; ${hookMissing} missing, ${dupIds} ids delivered more than once, ${i.receiver.badSignatures} bad signatures, ${i.receiver.malformed} malformed`,
    },
    {
      name: 'commerce keys released after settlement',
      pass: keysReleased(i.keysAfter) && (i.first?.keysReleased ?? 0) > 0,
      detail: `${i.keysAfter.present} of ${i.keysAfter.keys} commerce keys still present (deleted or expiring), ${i.keysAfter.persistent.length} without expiry, active-sale entry ${i.keysAfter.activeSale ? 'still there' : 'gone'}`,
    },
    {
      name: 'a second settlement run changes nothing',
      pass:
        !!r2 &&
        r2.settled === 0 &&
        r2.reconciled &&
        r2.problems.length === 0 &&
        sameReport &&
        sameOrders &&
        i.afterRerun.deliveries === 0 &&
        keysReleased(i.afterRerun.keys) &&
        i.afterRerun.keys.present <= i.keysAfter.present,
      detail: r2
        ? `rerun settled ${r2.settled}, reconciled ${r2.reconciled}, problems ${r2.problems.length}; report ${sameReport ? 'identical' : 'CHANGED'}, orders ${sameOrders ? 'identical' : 'CHANGED'}, ${i.afterRerun.deliveries} new webhook deliveries, ${i.afterRerun.keys.present} keys present`
        : `second run failed: ${i.rerun.error}`,
    },
  ];
}

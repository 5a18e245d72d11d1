/**
 * The flash-sale verdicts, read back after a storm from the server's own records — the sale's counters, every
 * reservation, every Idempotency-Key record and the per-user holds in Redis (keys built by the server's own
 * keys.ts) — and checked against what the generator was answered.
 */
import type { Redis } from 'ioredis';
import { createKeys } from '../../../server/src/testkit';
import type { Verdict } from '../scenario';
import { EXPECTED_CODES, type OutcomeTally } from './buyer-mix';

export interface SaleTarget {
  liveId: string;
  saleId: string;
  /** Units the kit put on sale (the ledger allocated them from the product's stock when scheduling). */
  units: number;
  perUserLimit: number;
  /** Idempotency keys of this round start with it. */
  keyPrefix: string;
}

interface ReservationRec {
  id: string;
  saleId: string;
  userId: string;
  quantity: number;
  status: string;
}

export interface SaleState {
  counters: { initial: number; remaining: number; reserved: number; sold: number };
  reservations: ReservationRec[];
  /** Idempotency records of this round: status code and, when reserved, the reservation id. */
  records: { field: string; c: number; reservationId?: string }[];
  holds: Map<string, number>;
  queued: number;
}

async function hscanAll(redis: Redis, key: string, onEntry: (field: string, value: string) => void) {
  let cursor = '0';
  do {
    const [next, flat] = await redis.hscan(key, cursor, 'COUNT', 5000);
    for (let i = 0; i < flat.length; i += 2) onEntry(flat[i]!, flat[i + 1]!);
    cursor = next;
  } while (cursor !== '0');
}

/** Everything the verdicts need about one sale, read from Redis after the storm. */
export async function readSaleState(redis: Redis, prefix: string, t: SaleTarget): Promise<SaleState> {
  const keys = createKeys(prefix);
  const h = await redis.hgetall(keys.sale(t.liveId, t.saleId));
  const reservations: ReservationRec[] = [];
  await hscanAll(redis, keys.reservations(t.liveId), (_id, raw) => {
    const r = JSON.parse(raw) as ReservationRec;
    if (r.saleId === t.saleId) reservations.push(r);
  });
  const records: SaleState['records'] = [];
  const marker = `\n${t.keyPrefix}-`;
  await hscanAll(redis, keys.idempotency(t.liveId), (field, raw) => {
    if (!field.includes(marker)) return;
    const rec = JSON.parse(raw) as { c: number; b?: { id?: string } };
    records.push({ field, c: rec.c, reservationId: rec.b?.id });
  });
  const holds = new Map<string, number>();
  for (const [u, n] of Object.entries(await redis.hgetall(keys.saleUsers(t.liveId, t.saleId))))
    holds.set(u, Number(n));
  return {
    counters: {
      initial: Number(h.initial),
      remaining: Number(h.remaining),
      reserved: Number(h.reserved),
      sold: Number(h.sold),
    },
    reservations,
    records,
    holds,
    queued: await redis.zcard(keys.saleFair(t.liveId, t.saleId)),
  };
}

/** The four correctness verdicts of one round, plus "only expected answers". */
export function saleVerdicts(
  t: SaleTarget,
  s: SaleState,
  client: { tally: OutcomeTally; replaysSent: number; failed: number },
): Verdict[] {
  const { initial, remaining, reserved, sold } = s.counters;
  const taken = sold + reserved;
  const held = s.reservations.filter((r) => r.status !== 'expired');
  const heldUnits = held.reduce((a, r) => a + r.quantity, 0);
  const oversold = Math.max(0, taken - initial, heldUnits - initial);

  const byRes = new Map<string, number>();
  for (const r of s.records)
    if (r.c === 1 && r.reservationId) byRes.set(r.reservationId, (byRes.get(r.reservationId) ?? 0) + 1);
  const orphans = s.reservations.filter((r) => byRes.get(r.id) !== 1).length;
  const known = new Set(s.reservations.map((r) => r.id));
  const dangling = [...byRes.keys()].filter((id) => !known.has(id)).length;
  const pending = s.records.filter((r) => r.c === 0).length;
  const unknownAnswers = [...client.tally.reservations.keys()].filter((id) => !known.has(id)).length;
  const repeatAnswers = client.tally.created - client.tally.reservations.size;
  const mismatches = client.tally.byCode.get('IDEMPOTENCY_MISMATCH') ?? 0;

  const perUser = new Map<string, number>();
  for (const r of held) perUser.set(r.userId, (perUser.get(r.userId) ?? 0) + r.quantity);
  const overLimit = [...perUser].filter(([, n]) => n > t.perUserLimit).length;
  const holdsOver = [...s.holds].filter(([, n]) => n > t.perUserLimit).length;
  const maxPerUser = Math.max(0, ...perUser.values());

  const unexpected = Object.entries(client.tally.codes()).filter(([c]) => !EXPECTED_CODES.has(c));
  return [
    {
      name: 'oversold = 0',
      pass: oversold === 0 && remaining >= 0 && initial === t.units,
      detail:
        oversold > 0 || remaining < 0
          ? `OVERSOLD by ${Math.max(oversold, -remaining)} units: ${taken} sold+reserved (${heldUnits} in reservation records) of ${initial} units, remaining ${remaining}`
          : `${taken} sold+reserved of ${initial} units (${t.units} put on sale), remaining ${remaining}; ${held.length} reservation records hold ${heldUnits} units`,
    },
    {
      name: 'sold + reserved + remaining = initial',
      pass: taken + remaining === initial && heldUnits === taken,
      detail: `${sold} + ${reserved} + ${remaining} = ${taken + remaining} (initial ${initial}); reservation records hold ${heldUnits}`,
    },
    {
      name: 'one reservation per Idempotency-Key',
      pass:
        orphans === 0 &&
        dangling === 0 &&
        pending === 0 &&
        s.queued === 0 &&
        unknownAnswers === 0 &&
        mismatches === 0 &&
        client.tally.unparsed === 0 &&
        repeatAnswers <= client.replaysSent,
      detail:
        `${s.records.length} keys recorded, ${byRes.size} reserved; ${orphans} reservations not owned by exactly one key, ` +
        `${dangling} keys pointing at no reservation, ${pending} undecided, ${s.queued} still queued; ` +
        `${client.tally.created} answers 201 name ${client.tally.reservations.size} reservations ` +
        `(${repeatAnswers} repeats ≤ ${client.replaysSent} repeated keys sent), ${unknownAnswers} unknown to Redis, ${mismatches} IDEMPOTENCY_MISMATCH`,
    },
    {
      name: `per-user limit (${t.perUserLimit}) respected`,
      pass: overLimit === 0 && holdsOver === 0,
      detail: `${perUser.size} buyers hold units, at most ${maxPerUser} each; ${overLimit} over the limit in reservation records, ${holdsOver} in the per-user holds`,
    },
    {
      name: 'only expected answers',
      pass: unexpected.length === 0 && client.failed === 0,
      detail: `201 × ${client.tally.created}, ${JSON.stringify(client.tally.codes())}; ${client.failed} errors/timeouts`,
    },
  ];
}

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ledgerBackends } from '../../../test/ledger-backends';
import { type Db, openDb } from './db';
import { runMigrations } from './migrate';
import { type Award, createPointsRepo } from './points.repo';

const SLOW = 120_000;

describe.each(ledgerBackends())('the points ledger on $kind', (backend) => {
  let db: Db;
  beforeAll(async () => {
    db = await openDb(await backend.fresh());
    await runMigrations(db);
  }, SLOW);
  afterAll(async () => {
    await db.close();
    await backend.dispose();
  }, SLOW);

  const merchant = () => `m_${randomUUID()}`;
  const award = (m: string, userId: string, source: string, delta: number): Award => ({
    merchantId: m,
    userId,
    kind: 'watch',
    source,
    liveId: randomUUID(),
    quantity: delta,
    delta,
  });
  const sum = async (m: string, u: string) =>
    Number(
      (
        await db.query<{ s: string }>(
          'SELECT coalesce(sum(delta), 0) AS s FROM points_ledger WHERE merchant_id = $1 AND user_id = $2',
          [m, u],
        )
      ).rows[0]!.s,
    );

  it('awards once per source: a replayed batch inserts nothing and the balance is the sum of the rows', async () => {
    const repo = createPointsRepo(db);
    const m = merchant();
    const batch = [award(m, 'a', 'live:1', 5), award(m, 'a', 'live:2', 7), award(m, 'b', 'live:1', 3)];
    expect(await repo.insertAwards(batch)).toBe(3);
    expect(await repo.insertAwards(batch)).toBe(0);
    expect(await repo.insertAwards([...batch, award(m, 'b', 'live:3', 1)])).toBe(1);
    expect(await repo.balance(m, 'a')).toBe(12);
    expect(await repo.balance(m, 'b')).toBe(4);
    expect(await sum(m, 'a')).toBe(12);
  });

  it(
    'never goes negative under 200 concurrent spends of one balance',
    async () => {
      const repo = createPointsRepo(db);
      const m = merchant();
      await repo.insertAwards([award(m, 'u', 'live:x', 1000)]);
      const results = await Promise.allSettled(
        Array.from({ length: 200 }, (_, i) =>
          repo.spend({ merchantId: m, userId: 'u', source: `spend:${i}`, cost: 30 }, async () => ({ i })),
        ),
      );
      const ok = results.filter((r) => r.status === 'fulfilled');
      const refused = results.filter((r) => r.status === 'rejected');
      expect(ok).toHaveLength(33);
      for (const r of refused)
        expect((r as PromiseRejectedResult).reason).toMatchObject({ code: 'POINTS_INSUFFICIENT' });
      expect(await repo.balance(m, 'u')).toBe(10);
      expect(await sum(m, 'u')).toBe(10);
      const low = await db.query<{ min: string }>(
        'SELECT min(balance) AS min FROM points_balances WHERE merchant_id = $1',
        [m],
      );
      expect(Number(low.rows[0]!.min)).toBeGreaterThanOrEqual(0);
    },
    SLOW,
  );

  it('answers a replayed spend with its first outcome and spends nothing more', async () => {
    const repo = createPointsRepo(db);
    const m = merchant();
    await repo.insertAwards([award(m, 'u', 'live:y', 100)]);
    const spend = () =>
      repo.spend({ merchantId: m, userId: 'u', source: 'shop:k1', cost: 40 }, async () => ({ claimNo: 1 }));
    const [a, b] = await Promise.all([spend(), spend()]);
    const c = await spend();
    expect([a.replayed, b.replayed].sort()).toEqual([false, true]);
    expect(c).toMatchObject({
      replayed: true,
      entryId: a.replayed ? b.entryId : a.entryId,
      note: { claimNo: 1 },
    });
    expect(await repo.balance(m, 'u')).toBe(60);
  });

  it('undoes the spend when what it buys fails', async () => {
    const repo = createPointsRepo(db);
    const m = merchant();
    await repo.insertAwards([award(m, 'u', 'live:z', 50)]);
    await expect(
      repo.spend({ merchantId: m, userId: 'u', source: 'shop:k2', cost: 20 }, async () => {
        throw new Error('coupon gone');
      }),
    ).rejects.toThrow('coupon gone');
    expect(await repo.balance(m, 'u')).toBe(50);
    expect(await sum(m, 'u')).toBe(50);
  });

  it('reverses an award once with a compensating row, never below zero', async () => {
    const repo = createPointsRepo(db);
    const m = merchant();
    const order = { ...award(m, 'u', 'order:o1', 80), kind: 'purchase' as const };
    await repo.insertAwards([order, award(m, 'u', 'live:w', 20)]);
    await repo.spend({ merchantId: m, userId: 'u', source: 'shop:s', cost: 70 }, async () => ({}));
    const first = await repo.reverse({ merchantId: m, userId: 'u', kind: 'purchase', source: 'order:o1' });
    expect(first).toEqual({ reversed: 30, shortfall: 50, found: true });
    const again = await repo.reverse({ merchantId: m, userId: 'u', kind: 'purchase', source: 'order:o1' });
    expect(again).toEqual(first);
    expect(await repo.balance(m, 'u')).toBe(0);
    const rows = await db.query<{ kind: string; delta: string; reverses: string | null }>(
      "SELECT kind, delta, reverses FROM points_ledger WHERE merchant_id = $1 AND kind = 'reversal'",
      [m],
    );
    expect(rows.rows).toHaveLength(1);
    expect(Number(rows.rows[0]!.delta)).toBe(-30);
    expect(
      await repo.reverse({ merchantId: m, userId: 'u', kind: 'purchase', source: 'order:none' }),
    ).toEqual({
      reversed: 0,
      shortfall: 0,
      found: false,
    });
  });

  it('is append-only: rows cannot be changed or deleted', async () => {
    const repo = createPointsRepo(db);
    const m = merchant();
    await repo.insertAwards([award(m, 'u', 'live:v', 5)]);
    await expect(
      db.query('UPDATE points_ledger SET delta = 500 WHERE merchant_id = $1', [m]),
    ).rejects.toThrow(/append-only/);
    await expect(db.query('DELETE FROM points_ledger WHERE merchant_id = $1', [m])).rejects.toThrow(
      /append-only/,
    );
  });
});

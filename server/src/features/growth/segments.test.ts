import { randomUUID } from 'node:crypto';
import type { Coupon } from '@lc/contracts/commerce.schema';
import {
  DEFAULT_SEGMENT_RULES,
  SEGMENT_CSV_COLUMNS,
  SEGMENTS,
  type Segment,
  type SegmentCouponResult,
  type SegmentPage,
  type SegmentRun,
  type SegmentsSummary,
} from '@lc/contracts/segments.schema';
import { parse } from 'csv-parse/sync';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  http,
  registerHost,
  sharedEnv,
  startServer,
  type TestServer,
  waitFor,
} from '../../../../test/server';
import { loadConfig } from '../../config';
import type { Db } from '../../ledger/db';
import { buildWorker } from '../../worker-app';

const DAY = 86_400_000;
const FANS = 300;
const PRICE = 1990;
/** Names a CSV must quote or defuse (a formula), and Chinese text. */
const NAMES = ['Li, "Bob"', '=HYPERLINK("http://x.test")', '张三', '+1 555', 'plain'];

/**
 * The seeded history, as "days ago" (plus 0.3 so no activity sits on a threshold): fan i attended two lives
 * and one fan in ten also bought once.
 */
const activityOf = (i: number) => {
  const d1 = (i % 5 === 0 ? i % 6 : (i * 13) % 150) + 0.3;
  const d2 = d1 + (i % 4 === 0 ? 1 : (i % 40) + 1);
  const bought = i % 10 === 5 ? ((i * 7) % 120) + 0.3 : null;
  return { attended: [d1, d2], bought };
};

/** The segment of fan i, computed here from the seeding formula (not from the ledger). */
function expectedSegment(i: number): Segment {
  const { attended, bought } = activityOf(i);
  const all = bought === null ? attended : [...attended, bought];
  const first = Math.max(...all);
  const last = Math.min(...all);
  const r = DEFAULT_SEGMENT_RULES;
  if (first < r.newDays) return 'new';
  if (last < r.activeDays) return 'active';
  if (last < r.churnedDays) return 'dormant';
  return 'churned';
}

async function seedHistory(db: Db, hostId: string, now: number) {
  const days = new Set<number>();
  for (let i = 0; i < FANS; i++) for (const d of activityOf(i).attended) days.add(d);
  const liveOf = new Map<number, string>();
  for (const d of days) liveOf.set(d, randomUUID());
  const at = (d: number) => new Date(now - d * DAY);
  await db.query(
    `INSERT INTO lives (id, host_id, title, status, started_at, ended_at)
     SELECT id, $1, 'past live', 'ended', e - interval '1 hour', e FROM unnest($2::uuid[], $3::timestamptz[]) AS t(id, e)`,
    [hostId, [...liveOf.values()], [...liveOf.keys()].map(at)],
  );
  const users: string[] = [];
  const names: string[] = [];
  const att: Array<[string, string, Date]> = [];
  for (let i = 0; i < FANS; i++) {
    users.push(`fan-${String(i).padStart(3, '0')}`);
    names.push(`${NAMES[i % NAMES.length]} ${i}`);
    for (const d of activityOf(i).attended) att.push([liveOf.get(d)!, users[i]!, at(d)]);
  }
  await db.query(
    `INSERT INTO users (id, display_name, role) SELECT u, n, 'viewer' FROM unnest($1::text[], $2::text[]) AS t(u, n)`,
    [users, names],
  );
  await db.query(
    `INSERT INTO live_attendance (live_id, merchant_id, user_id, watch_ms, comments, likes, via_share, ended_at)
     SELECT l, $1, u, 60000, 0, 0, false, e FROM unnest($2::uuid[], $3::text[], $4::timestamptz[]) AS t(l, u, e)`,
    [hostId, att.map((a) => a[0]), att.map((a) => a[1]), att.map((a) => a[2])],
  );
  // One product and sale on one past live; each buyer's order placed `bought` days ago.
  const saleLive = liveOf.values().next().value!;
  const productId = randomUUID();
  const saleId = randomUUID();
  await db.query(
    `INSERT INTO products (id, live_id, title, price, currency, stock, per_user_limit)
     VALUES ($1, $2, 'p', $3, 'CNY', 1000, 0)`,
    [productId, saleLive, PRICE],
  );
  await db.query(
    `INSERT INTO sales (id, live_id, product_id, deal_price, currency, units, per_user_limit, countdown_at, opens_at,
                        closes_at, fair_window_ms)
     VALUES ($1, $2, $3, $4, 'CNY', 1000, 1, now(), now(), now() + interval '1 hour', 0)`,
    [saleId, saleLive, productId, PRICE],
  );
  for (let i = 0; i < FANS; i++) {
    const { bought } = activityOf(i);
    if (bought === null) continue;
    const [pay, oid, resv] = [randomUUID(), randomUUID(), randomUUID()];
    await db.query(
      `INSERT INTO payments (id, live_id, reservation_id, user_id, provider, amount, currency, status, idempotency_key)
       VALUES ($1, $2, $3, $4, 'test', $5, 'CNY', 'succeeded', $6)`,
      [pay, saleLive, resv, users[i], PRICE, oid],
    );
    await db.query(
      `INSERT INTO orders (id, live_id, reservation_id, payment_id, user_id, idempotency_key, sale_id, product_id,
                           quantity, unit_price, subtotal, discount, total, currency, status, created_at)
       VALUES ($1, $2, $3, $4, $5, $10, $6, $7, 1, $8, $8, 0, $8, 'CNY', 'settled', $9)`,
      [oid, saleLive, resv, pay, users[i], saleId, productId, PRICE, at(bought), `key-${oid}`],
    );
  }
  return users;
}

describe('lifecycle segments on the real stack', () => {
  let a: TestServer;
  let b: TestServer;
  let worker: Awaited<ReturnType<typeof buildWorker>>;
  let host: Awaited<ReturnType<typeof registerHost>>;
  let users: string[];
  const expected = new Map<Segment, string[]>(SEGMENTS.map((s) => [s, []]));

  beforeAll(async () => {
    a = await startServer({ ledger: 'postgres' });
    b = await startServer({ env: sharedEnv(a) });
    worker = await buildWorker(loadConfig(a.env), pino({ level: 'silent' }));
    host = await registerHost(a);
    users = await seedHistory(a.built.deps.db, host.user.id, Date.now());
    for (const [i, u] of users.entries()) expected.get(expectedSegment(i))!.push(u);
    for (const s of SEGMENTS) expect(expected.get(s)!.length, s).toBeGreaterThan(10);
  }, 120_000);

  afterAll(async () => {
    await worker?.close();
    await b?.close();
    await a?.close();
  });

  it('refuses bad thresholds with VALIDATION and keeps the defaults', async () => {
    const put = (body: unknown) =>
      http<{ error: { code: string } }>(a, 'PUT', '/api/growth/segments/rules', body, host.token);
    for (const bad of [
      { newDays: -1 },
      { activeDays: 0 },
      { newDays: 40, activeDays: 30 },
      { activeDays: 90, churnedDays: 90 },
      { dormantDays: 10 },
    ]) {
      const r = await put(bad);
      expect(r.status, JSON.stringify(bad)).toBe(400);
      expect(r.body.error.code).toBe('VALIDATION');
    }
    const viewer = await http<{ token: string }>(a, 'POST', '/api/auth/guest', { displayName: 'nosy' });
    expect((await http(a, 'GET', '/api/growth/segments', undefined, viewer.body.token)).status).toBe(403);
    expect((await http(a, 'GET', '/api/growth/segments/rules', undefined, host.token)).body).toEqual(
      DEFAULT_SEGMENT_RULES,
    );
  });

  it('recomputes on demand as a job whose progress the merchant polls; counts match the seeding formula', async () => {
    const req = await http<{ runId: string }>(
      a,
      'POST',
      '/api/growth/segments/recompute',
      undefined,
      host.token,
    );
    expect(req.status).toBe(202);
    const run = await waitFor(
      async () => {
        const r = await http<SegmentRun>(
          b,
          'GET',
          `/api/growth/segments/runs/${req.body.runId}`,
          undefined,
          host.token,
        );
        expect(r.status).toBe(200);
        return r.body.state === 'completed' || r.body.state === 'failed' ? r.body : undefined;
      },
      60_000,
      'the recompute run',
    );
    expect(run.error).toBeNull();
    expect(run.progress).toEqual({ pct: 100, phase: 'done' });
    const counts = Object.fromEntries(SEGMENTS.map((s) => [s, expected.get(s)!.length]));
    expect(run.result).toMatchObject({ fans: FANS, counts });
    const other = await registerHost(a);
    const foreign = await http(
      a,
      'GET',
      `/api/growth/segments/runs/${req.body.runId}`,
      undefined,
      other.token,
    );
    expect(foreign.status).toBe(404);
    const summary = await http<SegmentsSummary>(a, 'GET', '/api/growth/segments', undefined, host.token);
    expect(summary.body).toEqual({ merchantId: host.user.id, counts, computedAt: run.result!.computedAt });
  });

  it('lists every segment in keyset pages and exports it as CSV with stable headers and safe cells', async () => {
    for (const segment of SEGMENTS) {
      const listed: string[] = [];
      let after = '';
      for (;;) {
        const q = after ? `?limit=37&after=${encodeURIComponent(after)}` : '?limit=37';
        const page = await http<SegmentPage>(
          a,
          'GET',
          `/api/growth/segments/${segment}${q}`,
          undefined,
          host.token,
        );
        expect(page.status).toBe(200);
        expect(page.body.items.every((m) => m.segment === segment)).toBe(true);
        listed.push(...page.body.items.map((m) => m.userId));
        if (!page.body.next) break;
        after = page.body.next;
      }
      expect(listed).toEqual([...expected.get(segment)!].sort());

      const res = await fetch(`${a.url}/api/growth/segments/${segment}/export.csv`, {
        headers: { authorization: `Bearer ${host.token}` },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      // A UTF-8 BOM first, so spreadsheet apps read the Chinese names right.
      const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(await res.arrayBuffer());
      expect(text.charCodeAt(0)).toBe(0xfeff);
      const rows = parse(text.slice(1)) as string[][];
      expect(rows[0]).toEqual([...SEGMENT_CSV_COLUMNS]);
      const body = rows.slice(1);
      expect(body.map((r) => r[0])).toEqual(listed);
      for (const r of body) {
        const i = users.indexOf(r[0]!);
        const name = `${NAMES[i % NAMES.length]} ${i}`;
        // Formula-looking cells come back prefixed with a quote; everything else exactly as stored.
        expect(r[1]).toBe(/^[=+\-@]/.test(name) ? `'${name}` : name);
        expect(r[2]).toBe(segment);
        const { attended, bought } = activityOf(i);
        expect(Number(r[7])).toBe(attended.length);
        expect(Number(r[8])).toBe(bought === null ? 0 : 1);
        expect(Number(r[9])).toBe(bought === null ? 0 : PRICE);
      }
    }
    const bad = await http<{ error: { code: string } }>(
      a,
      'GET',
      '/api/growth/segments/vip',
      undefined,
      host.token,
    );
    expect(bad.body.error.code).toBe('VALIDATION');
  });

  it('issues a coupon to a segment exactly once per user under 20 concurrent retries on two nodes', async () => {
    const { db } = a.built.deps;
    const live = await http<{ id: string }>(a, 'POST', '/api/lives', { title: 'Win-back' }, host.token);
    await http(a, 'POST', `/api/lives/${live.body.id}/start`, undefined, host.token);
    const coupon = await http<Coupon>(
      a,
      'POST',
      `/api/lives/${live.body.id}/coupons`,
      {
        kind: 'amount_off',
        title: '回归券',
        currency: 'CNY',
        amountOff: 500,
        minSpend: 0,
        quota: 10,
        perUserLimit: 1,
      },
      host.token,
    );
    expect(coupon.status).toBe(201);
    const path = '/api/growth/segments/dormant/coupon-grants';
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, k) =>
        http<SegmentCouponResult>(k % 2 ? a : b, 'POST', path, { couponId: coupon.body.id }, host.token),
      ),
    );
    const dormant = expected.get('dormant')!;
    for (const r of answers) {
      expect(r.status).toBe(200);
      expect(r.body.audience).toBe(dormant.length);
      expect(r.body.granted + r.body.alreadyGranted).toBe(dormant.length);
    }
    expect(answers.reduce((n, r) => n + r.body.granted, 0)).toBe(dormant.length);
    const claims = await db.query<{ user_id: string; n: number }>(
      'SELECT user_id, count(*)::int AS n FROM coupon_claims WHERE coupon_id = $1 GROUP BY user_id ORDER BY user_id',
      [coupon.body.id],
    );
    expect(claims.rows).toEqual([...dormant].sort().map((u) => ({ user_id: u, n: 1 })));
    const again = await http<SegmentCouponResult>(a, 'POST', path, { couponId: coupon.body.id }, host.token);
    expect(again.body).toMatchObject({ granted: 0, alreadyGranted: dormant.length });

    const other = await registerHost(a);
    const foreign = await http<{ error: { code: string } }>(
      a,
      'POST',
      path,
      { couponId: coupon.body.id },
      other.token,
    );
    expect(foreign.body.error.code).toBe('COUPON_NOT_FOUND');
    const junk = await http<{ error: { code: string } }>(a, 'POST', path, { couponId: 'x' }, host.token);
    expect(junk.body.error.code).toBe('VALIDATION');

    // Ending the live runs the growth step, which recomputes the segments after the levels.
    const before = (await http<SegmentsSummary>(a, 'GET', '/api/growth/segments', undefined, host.token))
      .body;
    await http(a, 'POST', `/api/lives/${live.body.id}/end`, undefined, host.token);
    await waitFor(
      async () => {
        const s = (await http<SegmentsSummary>(a, 'GET', '/api/growth/segments', undefined, host.token)).body;
        return s.computedAt !== before.computedAt ? s : undefined;
      },
      60_000,
      'the end-of-live recompute',
    );
  }, 120_000);
});

/**
 * Acceptance: a seeded history of 20 lives × 1,000 viewers; every figure the analytics route answers, per live
 * and per week, equals what this test computes itself in JS from the raw ledger rows.
 */
import type { AnalyticsFigures, MerchantAnalytics } from '@lc/contracts/analytics.schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, registerHost, startServer, type TestServer } from '../../../../test/server';

const DAY = 86_400_000;
const LIVES = 20;
const PER_LIVE = 1000;
const POOL = 3000;

type Att = {
  live: string;
  user: string;
  watch: number;
  comments: number;
  likes: number;
  via: boolean;
  ended: number;
};
type Ord = { live: string; user: string; total: number; currency: string; ended: number };

/** The independent computation: the same definitions (README "Cross-live analytics"), over plain rows. */
function compute(
  att: Att[],
  ord: Ord[],
  asked: Set<string>,
  reports: Map<string, { impressions: number; clickers: number }>,
  group: (live: string, ended: number) => { key: string; start: number },
): Map<string, AnalyticsFigures> {
  const first = new Map<string, number>();
  const mine = new Map<string, number[]>();
  for (const a of att) {
    first.set(a.user, Math.min(first.get(a.user) ?? Infinity, a.ended));
    mine.set(a.user, [...(mine.get(a.user) ?? []), a.ended]);
  }
  const firstBuy = new Map<string, number>();
  for (const o of ord) firstBuy.set(o.user, Math.min(firstBuy.get(o.user) ?? Infinity, o.ended));
  const interacted = (live: string, user: string, a?: Att) =>
    (a !== undefined && (a.comments > 0 || a.likes > 0)) || asked.has(`${live}|${user}`);
  const attOf = new Map(att.map((a) => [`${a.live}|${a.user}`, a]));
  const out = new Map<string, AnalyticsFigures>();
  const keys = new Set([
    ...att.map((a) => group(a.live, a.ended).key),
    ...ord.map((o) => group(o.live, o.ended).key),
  ]);
  for (const key of keys) {
    const rows = att.filter((a) => group(a.live, a.ended).key === key);
    const start = rows[0] ? group(rows[0].live, rows[0].ended).start : 0;
    const users = new Set(rows.map((a) => a.user));
    const cohort = new Set(rows.filter((a) => a.ended === first.get(a.user)).map((a) => a.user));
    const back = (days: number) =>
      [...cohort].filter((u) => {
        const f = first.get(u)!;
        return mine.get(u)!.some((t) => t > f && t - f <= days * DAY);
      }).length;
    const newViewers = [...users].filter((u) => first.get(u)! >= start).length;
    const os = ord.filter((o) => group(o.live, o.ended).key === key);
    const buyers = new Set(os.map((o) => o.user));
    const inter = os.filter((o) => interacted(o.live, o.user, attOf.get(`${o.live}|${o.user}`)));
    const others = os.filter((o) => !inter.includes(o));
    const liveIds = new Set([...rows.map((a) => a.live), ...os.map((o) => o.live)]);
    let imp = 0;
    let clk = 0;
    for (const l of liveIds) {
      imp += reports.get(l)?.impressions ?? 0;
      clk += reports.get(l)?.clickers ?? 0;
    }
    const r = (a: number, b: number) => (b > 0 ? a / b : 0);
    const gmv: Record<string, number> = {};
    for (const o of os) gmv[o.currency] = (gmv[o.currency] ?? 0) + o.total;
    const sum = (xs: Ord[]) => xs.reduce((n, o) => n + o.total, 0);
    out.set(key, {
      lives: liveIds.size,
      uniqueViewers: users.size,
      returningViewers: [...users].filter((u) => first.get(u)! < start).length,
      newViewers,
      retentionD1: r(back(1), newViewers),
      retentionD7: r(back(7), newViewers),
      retentionD30: r(back(30), newViewers),
      averageWatchMs: r(
        rows.reduce((n, a) => n + a.watch, 0),
        rows.length,
      ),
      interactionRate: r(
        new Set(rows.filter((a) => interacted(a.live, a.user, a)).map((a) => a.user)).size,
        users.size,
      ),
      ctr: r(clk, imp),
      buyers: buyers.size,
      orders: os.length,
      conversion: r(buyers.size, users.size),
      gmv,
      repurchaseRate: r(
        new Set(os.filter((o) => firstBuy.get(o.user)! < o.ended).map((o) => o.user)).size,
        buyers.size,
      ),
      aovInteracting: r(sum(inter), inter.length),
      aovOthers: r(sum(others), others.length),
      shareJoins: rows.filter((a) => a.via).length,
    });
  }
  return out;
}

function expectFigures(got: AnalyticsFigures, want: AnalyticsFigures, what: string) {
  for (const [k, v] of Object.entries(want)) {
    const g = (got as Record<string, unknown>)[k];
    if (typeof v === 'number') expect(g, `${what} ${k}`).toBeCloseTo(v, 9);
    else expect(g, `${what} ${k}`).toEqual(v);
  }
}

describe('cross-live analytics of 20 lives × 1,000 viewers', () => {
  let s: TestServer;
  let host: Awaited<ReturnType<typeof registerHost>>;
  const now = Date.now();

  beforeAll(async () => {
    s = await startServer({ ledger: 'postgres' });
    host = await registerHost(s);
    const { db } = s.built.deps;
    const h = host.user.id;
    // Lives 17 hours, then about three days apart, over the last 60 days; live j's viewers are 1,000 of a pool
    // of 3,000 (so many return); who comments, likes, asks, shares and buys follows simple formulas.
    // NOTE: one script (one connection): the temporary tables live in it.
    await db.exec(`
      CREATE TEMP TABLE seed_lives AS
        SELECT gen_random_uuid() AS id, j, '${new Date(now).toISOString()}'::timestamptz - interval '60 days'
               + j * interval '2 days 3 hours' - (j % 2) * interval '1 day 10 hours' AS ended_at
        FROM generate_series(0, ${LIVES - 1}) j;
      INSERT INTO lives (id, host_id, title, status, started_at, ended_at)
        SELECT id, '${h}', 'live ' || j, 'ended', ended_at - interval '1 hour', ended_at FROM seed_lives;
      CREATE TEMP TABLE seed_att AS
        SELECT l.id AS live_id, l.j, l.ended_at, (l.j * 337 + k * 7) % ${POOL} AS u
        FROM seed_lives l, generate_series(0, ${PER_LIVE - 1}) k;
      INSERT INTO live_attendance (live_id, merchant_id, user_id, watch_ms, comments, likes, via_share, ended_at)
        SELECT live_id, '${h}', 'v' || u, ((u * 31 + j) % 90) * 60000, CASE WHEN (u + j) % 5 = 0 THEN 2 ELSE 0 END,
               CASE WHEN (u * 5 + j) % 7 = 0 THEN 3 ELSE 0 END, (u + 2 * j) % 23 = 0, ended_at
        FROM seed_att;
      INSERT INTO questions (id, live_id, author_id, author_name, text)
        SELECT gen_random_uuid(), live_id, 'v' || u, 'v', 'q?' FROM seed_att WHERE (u + j) % 50 = 1;
      INSERT INTO products (id, live_id, title, price, currency, stock, per_user_limit)
        SELECT gen_random_uuid(), id, 'p', 1000, 'CNY', 100000, 0 FROM seed_lives;
      INSERT INTO sales (id, live_id, product_id, deal_price, currency, units, per_user_limit, countdown_at, opens_at,
                         closes_at, fair_window_ms)
        SELECT gen_random_uuid(), p.live_id, p.id, 1000, 'CNY', 100000, 1, now(), now(), now() + interval '1 hour', 0
        FROM products p JOIN seed_lives l ON l.id = p.live_id;
      CREATE TEMP TABLE seed_ord AS
        SELECT gen_random_uuid() AS pay, gen_random_uuid() AS oid, gen_random_uuid() AS resv, a.live_id, 'v' || a.u AS user_id,
               1000 + (a.u % 10) * 100 AS total, s.id AS sale_id, s.product_id
        FROM seed_att a JOIN sales s ON s.live_id = a.live_id WHERE (a.u + a.j * 3) % 9 = 0;
      INSERT INTO payments (id, live_id, reservation_id, user_id, provider, amount, currency, status, idempotency_key)
        SELECT pay, live_id, resv, user_id, 'seed', total, 'CNY', 'succeeded', oid::text FROM seed_ord;
      INSERT INTO orders (id, live_id, reservation_id, payment_id, user_id, idempotency_key, sale_id, product_id, quantity,
                          unit_price, subtotal, discount, total, currency, status)
        SELECT oid, live_id, resv, pay, user_id, oid::text, sale_id, product_id, 1, total, total, 0, total, 'CNY', 'settled'
        FROM seed_ord;
      INSERT INTO commerce_reports (live_id, orders, units, buyers, unique_viewers, report)
        SELECT id, 0, 0, 0, ${PER_LIVE}, jsonb_build_object('products', jsonb_build_array(
                 jsonb_build_object('impressions', 900 + j, 'clickers', 100 + 3 * j, 'clicks', 400),
                 jsonb_build_object('impressions', 500, 'clickers', 20 + j, 'clicks', 40)))
        FROM seed_lives;
    `);
  }, 180_000);

  afterAll(() => s?.close());

  it('answers per-live and per-week figures equal to an independent computation from the raw rows', async () => {
    const { db } = s.built.deps;
    const h = host.user.id;
    const att = (
      await db.query<{
        live_id: string;
        user_id: string;
        watch_ms: string;
        comments: number;
        likes: number;
        via_share: boolean;
        ended_at: Date;
      }>('SELECT * FROM live_attendance WHERE merchant_id = $1', [h])
    ).rows.map((a) => ({
      live: a.live_id,
      user: a.user_id,
      watch: Number(a.watch_ms),
      comments: a.comments,
      likes: a.likes,
      via: a.via_share,
      ended: a.ended_at.getTime(),
    }));
    expect(att).toHaveLength(LIVES * PER_LIVE);
    const ord = (
      await db.query<{ live_id: string; user_id: string; total: string; currency: string; ended_at: Date }>(
        `SELECT o.live_id, o.user_id, o.total, o.currency, l.ended_at FROM orders o, lives l
         WHERE l.id = o.live_id AND l.host_id = $1 AND o.kind = 'sale'`,
        [h],
      )
    ).rows.map((o) => ({
      live: o.live_id,
      user: o.user_id,
      total: Number(o.total),
      currency: o.currency,
      ended: o.ended_at.getTime(),
    }));
    const asked = new Set(
      (await db.query<{ k: string }>("SELECT live_id || '|' || author_id AS k FROM questions")).rows.map(
        (r) => r.k,
      ),
    );
    const reports = new Map<string, { impressions: number; clickers: number }>();
    for (const r of (
      await db.query<{
        live_id: string;
        report: { products: Array<{ impressions: number; clickers: number }> };
      }>('SELECT live_id, report FROM commerce_reports')
    ).rows)
      reports.set(r.live_id, {
        impressions: r.report.products.reduce((n, p) => n + p.impressions, 0),
        clickers: r.report.products.reduce((n, p) => n + p.clickers, 0),
      });

    const res = await http<MerchantAnalytics>(
      s,
      'GET',
      '/api/growth/analytics?by=week',
      undefined,
      host.token,
    );
    expect(res.status).toBe(200);
    expect(res.body.lives).toHaveLength(LIVES);
    const perLive = compute(att, ord, asked, reports, (live, ended) => ({ key: live, start: ended }));
    for (const l of res.body.lives) expectFigures(l, perLive.get(l.liveId)!, `live ${l.title}`);
    // The history is built so every figure is exercised.
    const all = res.body.lives;
    expect(all.some((l) => l.retentionD1 > 0 && l.retentionD1 < l.retentionD7)).toBe(true);
    expect(all.some((l) => l.retentionD7 < l.retentionD30)).toBe(true);
    expect(all.some((l) => l.repurchaseRate > 0 && l.returningViewers > 0)).toBe(true);
    expect(all.every((l) => l.aovInteracting > 0 && l.aovOthers > 0 && l.shareJoins > 0 && l.ctr > 0)).toBe(
      true,
    );

    const monday = (t: number) => {
      const d = new Date(t);
      const start =
        Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - ((d.getUTCDay() + 6) % 7) * DAY;
      return { key: new Date(start).toISOString().slice(0, 10), start };
    };
    const perWeek = compute(att, ord, asked, reports, (_l, ended) => monday(ended));
    expect(res.body.periods.map((p) => p.period)).toEqual([...perWeek.keys()].sort());
    for (const p of res.body.periods) expectFigures(p, perWeek.get(p.period)!, `week ${p.period}`);
  }, 180_000);

  it('refuses a bad range with VALIDATION and other roles with 403', async () => {
    const bad = await http<{ error: { code: string } }>(
      s,
      'GET',
      '/api/growth/analytics?from=2026-01-02&to=2026-01-01',
      undefined,
      host.token,
    );
    expect(bad.body.error.code).toBe('VALIDATION');
    const junk = await http<{ error: { code: string } }>(
      s,
      'GET',
      '/api/growth/analytics?by=year',
      undefined,
      host.token,
    );
    expect(junk.body.error.code).toBe('VALIDATION');
    const viewer = await http<{ token: string }>(s, 'POST', '/api/auth/guest', { displayName: 'peek' });
    expect((await http(s, 'GET', '/api/growth/analytics', undefined, viewer.body.token)).status).toBe(403);
  });
});

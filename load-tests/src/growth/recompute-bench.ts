/**
 * Benchmark #10: the growth recompute after a live — fan levels, badges and lifecycle segments of N fans
 * (default 100k) of one merchant, levels mirrored to Redis — against a seeded ledger (PGlite in this process by
 * default, so the process CPU is the ledger's too; `--database-url` for PostgreSQL). Exactness in the same run:
 * levels and segments are also computed here, in JS, from the seeding formula, and must match the ledger's counts.
 *
 *   npx tsx load-tests/src/growth/recompute-bench.ts [--fans 100000] [--rounds 3] [--database-url postgres://…]
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_FAN_LEVEL_RULES, type FanLevel, type Tier } from '@lc/contracts/growth.schema';
import { DEFAULT_SEGMENT_RULES, type Segment } from '@lc/contracts/segments.schema';
import { Redis } from 'ioredis';
import {
  createFanLevels,
  createKeys,
  createSegments,
  openDb,
  runMigrations,
  startLocalRedis,
} from '../../../server/src/testkit';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const FANS = Number(arg('fans', '100000'));
const ROUNDS = Number(arg('rounds', '3'));
const LIVES = 20;
const PRICE = 9900;

// The seeding formula, shared by the SQL below and the independent check.
const livesOf = (f: number) => f % 6;
const ordersOf = (f: number) => (f % 3 === 0 ? f % 4 : 0);
const pointsOf = (f: number) => f % 200;
/** Live n ended n × GAP_DAYS days ago; fan f attended lives f%4 … f%4 + f%6 − 1 and ordered f%4 × GAP_DAYS days ago. */
const GAP_DAYS = 35;

function expectedSegments(): Record<Segment, number> {
  const r = DEFAULT_SEGMENT_RULES;
  const out = { new: 0, active: 0, dormant: 0, churned: 0 };
  for (let f = 1; f <= FANS; f++) {
    const days = Array.from({ length: livesOf(f) }, (_, i) => ((f % 4) + i) * GAP_DAYS);
    if (ordersOf(f) > 0) days.push((f % 4) * GAP_DAYS);
    if (days.length === 0) continue; // points only: no activity, no segment
    // NOTE: seconds pass between seeding and the recompute, so "0 days ago" is a little more than 0.
    const first = Math.max(...days) + 0.001;
    const last = Math.min(...days) + 0.001;
    if (first < r.newDays) out.new++;
    else if (last < r.activeDays) out.active++;
    else if (last < r.churnedDays) out.dormant++;
    else out.churned++;
  }
  return out;
}

function expectedLevels(): Record<FanLevel, number> {
  const r = DEFAULT_FAN_LEVEL_RULES;
  const meets = (t: Tier, f: number) =>
    pointsOf(f) >= t.points &&
    livesOf(f) >= t.lives &&
    ordersOf(f) >= t.orders &&
    ordersOf(f) * PRICE >= t.spend;
  const out = { normal: 0, active: 0, loyal: 0, high_value: 0 };
  for (let f = 1; f <= FANS; f++) {
    if (livesOf(f) === 0 && ordersOf(f) === 0 && pointsOf(f) === 0) continue; // not a fan
    if (meets(r.highValue, f)) out.high_value++;
    else if (meets(r.loyal, f)) out.loyal++;
    else if (meets(r.active, f)) out.active++;
    else out.normal++;
  }
  return out;
}

async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), 'lc-growth-bench-'));
  const databaseUrl = arg('database-url', '');
  const db = await openDb({ dataDir, ...(databaseUrl ? { databaseUrl } : {}) });
  const redisLocal = await startLocalRedis({ dataDir, appendonly: false });
  const redis = new Redis(redisLocal.url);
  try {
    await runMigrations(db);
    const host = `bench-host-${randomUUID().slice(0, 8)}`;
    const t0 = performance.now();
    await db.exec(`
      INSERT INTO users (id, display_name, role) VALUES ('${host}', 'bench host', 'host');
      CREATE TEMP TABLE bench_lives AS SELECT gen_random_uuid() AS id, n FROM generate_series(0, ${LIVES - 1}) n;
      INSERT INTO lives (id, host_id, title, status, started_at, ended_at)
        SELECT id, '${host}', 'bench ' || n, 'ended', now() - n * interval '${GAP_DAYS} days' - interval '1 hour',
               now() - n * interval '${GAP_DAYS} days' FROM bench_lives;
      INSERT INTO live_attendance (live_id, merchant_id, user_id, watch_ms, comments, likes, via_share, ended_at)
        SELECT l.id, '${host}', 'f' || f, 60000 * (f % 30), f % 5, (f * 7 + l.n) % 40, f % 17 = 0,
               now() - l.n * interval '${GAP_DAYS} days'
        FROM generate_series(1, ${FANS}) f JOIN bench_lives l ON l.n >= f % 4 AND l.n < f % 4 + f % 6;
      INSERT INTO points_ledger (merchant_id, user_id, kind, source, live_id, quantity, delta)
        SELECT '${host}', 'f' || f, 'watch', 'live:bench', NULL, f % 200, f % 200 FROM generate_series(1, ${FANS}) f
        WHERE f % 200 > 0;
      INSERT INTO products (id, live_id, title, price, currency, stock, per_user_limit)
        SELECT gen_random_uuid(), id, 'p', ${PRICE}, 'CNY', 1000000, 0 FROM bench_lives WHERE n = 0;
      INSERT INTO sales (id, live_id, product_id, deal_price, currency, units, per_user_limit, countdown_at, opens_at,
                         closes_at, fair_window_ms)
        SELECT gen_random_uuid(), p.live_id, p.id, ${PRICE}, 'CNY', 1000000, 100, now(), now(), now() + interval '1 hour', 0
        FROM products p JOIN bench_lives l ON l.id = p.live_id;
      CREATE TEMP TABLE bench_orders AS
        SELECT gen_random_uuid() AS pay, gen_random_uuid() AS oid, gen_random_uuid() AS resv, 'f' || f AS user_id, k,
               now() - (f % 4) * interval '${GAP_DAYS} days' AS at
        FROM generate_series(1, ${FANS}) f, generate_series(1, 3) k WHERE f % 3 = 0 AND k <= f % 4;
      INSERT INTO payments (id, live_id, reservation_id, user_id, provider, amount, currency, status, idempotency_key)
        SELECT o.pay, s.live_id, o.resv, o.user_id, 'bench', ${PRICE}, 'CNY', 'succeeded', o.oid::text
        FROM bench_orders o, sales s;
      INSERT INTO orders (id, live_id, reservation_id, payment_id, user_id, idempotency_key, sale_id, product_id, quantity,
                          unit_price, subtotal, discount, total, currency, status, created_at)
        SELECT o.oid, s.live_id, o.resv, o.pay, o.user_id, o.oid::text, s.id, s.product_id, 1, ${PRICE}, ${PRICE}, 0,
               ${PRICE}, 'CNY', 'settled', o.at
        FROM bench_orders o, sales s;
    `);
    const seedMs = performance.now() - t0;
    const levels = createFanLevels({ db, redis, keys: createKeys('bench') });
    const segments = createSegments({ db });
    const expected = expectedLevels();
    const expectedSeg = expectedSegments();
    const rounds = [];
    for (let i = 0; i < ROUNDS; i++) {
      const cpu0 = process.cpuUsage();
      const w0 = performance.now();
      const r = await levels.recompute(host);
      const cpu = process.cpuUsage(cpu0);
      const ms = Math.round(performance.now() - w0);
      const s0 = process.cpuUsage();
      const w1 = performance.now();
      const seg = await segments.recompute(host);
      const segCpu = process.cpuUsage(s0);
      rounds.push({
        ...r,
        ms,
        recomputeMs: r.ms,
        cpuSec: (cpu.user + cpu.system) / 1e6,
        segments: {
          ...seg,
          ms: Math.round(performance.now() - w1),
          cpuSec: (segCpu.user + segCpu.system) / 1e6,
        },
      });
    }
    const mirrored = await redis.hlen(createKeys('bench').fanLevels(host));
    const last = rounds.at(-1)!;
    const exactSegments = JSON.stringify(last.segments.counts) === JSON.stringify(expectedSeg);
    const exact =
      exactSegments &&
      JSON.stringify(last.byLevel) === JSON.stringify(expected) &&
      mirrored === expected.active + expected.loyal + expected.high_value;
    const sorted = rounds.map((r) => r.ms).sort((a, b) => a - b);
    const result = {
      benchmark: 'growth-recompute',
      node: process.version,
      ledger: databaseUrl ? 'postgres' : 'pglite (in process)',
      fans: FANS,
      lives: LIVES,
      attendanceRows: Number(
        (await db.query<{ n: string }>('SELECT count(*) AS n FROM live_attendance')).rows[0]!.n,
      ),
      orders: Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM orders')).rows[0]!.n),
      seedMs: Math.round(seedMs),
      medianMs: sorted[Math.floor(sorted.length / 2)],
      rounds,
      expected,
      expectedSegments: expectedSeg,
      mirrored,
      verdicts: {
        exactAgainstIndependentComputation: exact,
        withinTarget10s: sorted[Math.floor(sorted.length / 2)]! <= 10_000,
      },
      peakRssMb: Math.round(process.memoryUsage().rss / 1e6),
    };
    const dir = join(process.cwd(), 'load-tests/results', new Date().toISOString().slice(0, 10));
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `growth-recompute-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    console.log(JSON.stringify(result, null, 2));
    console.log(`${exact ? 'PASS' : 'FAIL'} written ${file}`);
    process.exitCode = exact ? 0 : 1;
  } finally {
    redis.disconnect();
    await redisLocal.stop();
    await db.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

void main();

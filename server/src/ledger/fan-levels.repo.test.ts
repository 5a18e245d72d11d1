import { randomUUID } from 'node:crypto';
import { DEFAULT_FAN_LEVEL_RULES } from '@lc/contracts/growth.schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ledgerBackends } from '../../../test/ledger-backends';
import { type Db, openDb } from './db';
import { createFanLevelsRepo } from './fan-levels.repo';
import { runMigrations } from './migrate';

const SLOW = 120_000;

describe.each(ledgerBackends())('fan levels and badges on $kind', (backend) => {
  let db: Db;
  beforeAll(async () => {
    db = await openDb(await backend.fresh());
    await runMigrations(db);
  }, SLOW);
  afterAll(async () => {
    await db.close();
    await backend.dispose();
  }, SLOW);

  it('levels fans by the thresholds and awards top liker, lottery winner, answered question and lives badges', async () => {
    const host = `h_${randomUUID()}`;
    await db.query(`INSERT INTO users (id, display_name, role) VALUES ($1, 'h', 'host')`, [host]);
    const lives = [randomUUID(), randomUUID(), randomUUID()];
    for (const id of lives)
      await db.query(`INSERT INTO lives (id, host_id, title, status) VALUES ($1, $2, 't', 'ended')`, [
        id,
        host,
      ]);
    // ann attends 3 lives and tops the likes of the first; bob attends 2 and ties nobody; cat attends 1.
    const attend = async (live: string, user: string, likes: number) =>
      db.query(
        `INSERT INTO live_attendance (live_id, merchant_id, user_id, watch_ms, comments, likes, via_share, ended_at)
         VALUES ($1, $2, $3, 0, 0, $4, false, now())`,
        [live, host, user, likes],
      );
    await attend(lives[0]!, 'ann', 50);
    await attend(lives[1]!, 'ann', 1);
    await attend(lives[2]!, 'ann', 0);
    await attend(lives[0]!, 'bob', 10);
    await attend(lives[1]!, 'bob', 9);
    await attend(lives[2]!, 'cat', 0);
    const lottery = randomUUID();
    await db.query(
      `INSERT INTO lotteries (id, live_id, title, prize, winners_count, runners_up, rules, commitment, seed, created_by,
         opens_at, closes_at) VALUES ($1, $2, 'l', '{}'::jsonb, 1, 0, '{}'::jsonb, 'c', 's', $3, now(), now())`,
      [lottery, lives[0], host],
    );
    await db.query(
      `INSERT INTO lottery_draws (lottery_id, entrants, entrants_hash, winners, runners_up, drawn_by, drawn_at)
       VALUES ($1, '["bob","cat"]'::jsonb, 'x', '["cat"]'::jsonb, '[]'::jsonb, $2, now())`,
      [lottery, host],
    );
    const question = randomUUID();
    await db.query(
      `INSERT INTO questions (id, live_id, author_id, author_name, text, status) VALUES ($1, $2, 'bob', 'bob', 'q?', 'answered')`,
      [question, lives[1]],
    );
    const repo = createFanLevelsRepo(db);
    const first = await repo.recompute(host, DEFAULT_FAN_LEVEL_RULES, new Date());
    expect(first.byLevel).toEqual({ normal: 1, active: 2, loyal: 0, high_value: 0 });
    const badges = async (u: string) =>
      (await repo.status(host, u)).badges.map((b) => `${b.badge} ${b.source}`).sort();
    expect(await badges('ann')).toEqual(['lives_3 ', `top_liker live:${lives[0]}`].sort());
    expect(await badges('bob')).toEqual(
      [`question_answered question:${question}`, `top_liker live:${lives[1]}`].sort(),
    );
    expect(await badges('cat')).toEqual([`lottery_winner lottery:${lottery}`]);
    expect((await repo.status(host, 'ann')).level).toBe('active');
    // Stricter thresholds take effect on the next recompute; badges already earned stay, none twice.
    const strict = { ...DEFAULT_FAN_LEVEL_RULES, active: { points: 0, lives: 3, orders: 0, spend: 0 } };
    const second = await repo.recompute(host, strict, new Date());
    expect(second).toEqual({ byLevel: { normal: 2, active: 1, loyal: 0, high_value: 0 }, badges: 0 });
  });
});

/**
 * The lives feature's end-of-live steps:
 * - `live-stats` records the room's audience figures (peak, unique viewers, room events) in the ledger.
 *   Idempotent: the first run writes the row, later runs find it and change nothing.
 * - `room-keys` hands an ended live's room and interaction keys (room log, presence, comments, likes, Q&A,
 *   polls, shares, moderation) back to Redis. Commerce keys are settlement's (it releases them after a clean
 *   reconcile) and lottery/watch-time keys are left alone. Steps that read these keys declare it
 *   (`EndOfLiveStep.roomKeys`): the cheap ones run again here first (they are idempotent), and the release
 *   waits for the others by asking to be run again later. Keys are deleted (retain 0) or set to expire with
 *   `EXPIRE … NX` (never extended), so a second run is harmless; the grace keeps late reconnects served from
 *   the log until then.
 */
import type { EndOfLiveStep, StepContext } from '../../jobs/end-of-live';
import type { Keys } from '../../redis/keys';

export const liveStatsStep: EndOfLiveStep = {
  name: 'live-stats',
  roomKeys: 'reads',
  async run({ liveId, db, redis, keys }) {
    const res = await redis
      .multi()
      .get(keys.peak(liveId))
      .scard(keys.uniqueViewers(liveId))
      .get(keys.seq(liveId))
      .exec();
    const n = (i: number) => Number(res?.[i]?.[1] ?? 0);
    const { rowCount } = await db.query(
      `INSERT INTO live_stats (live_id, peak_online, unique_viewers, room_events)
       VALUES ($1, $2, $3, $4) ON CONFLICT (live_id) DO NOTHING`,
      [liveId, n(0), n(1), n(2)],
    );
    return { written: rowCount === 1, peakOnline: n(0), uniqueViewers: n(1), roomEvents: n(2) };
  },
};

/**
 * Suffixes (after `{live:<id>}:`) of the keys this step releases: an allowlist, so unknown keys stay. Auctions',
 * invites' and group buys' keys are here too (group buys' once their step finished): the hold and order behind an auction are commerce's (settlement's keys).
 */
const ROOM_KEY =
  /^(?:seq|log|moments|conns|online|peak|viewers|status|mods|chat|kw|bans|devices|shadow|comments|comment|cidx|redacted|held|pinned|likes|likes:slot|lb:likes|goals|goal|goals:reached|qa:voters|poll|shares|sharejoins|refjoined|(?:joins|leaves|node|mute|crl|slow|cps|own|rl):.+|poll:[^:]+:(?:voters|tally)|auctions|auction:.+|invite|invite:.+|gb:.+|gbg:.+)$/;

/** Every room/interaction key of a live that exists now (SCAN of its hash tag, filtered by `ROOM_KEY`). */
export async function roomKeysOf(redis: StepContext['redis'], keys: Keys, liveId: string): Promise<string[]> {
  const base = `${keys.prefix}:{live:${liveId}}:`;
  const pattern = `${base.replace(/[*?[\]\\]/g, '\\$&')}*`;
  const out: string[] = [];
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    for (const k of found) if (ROOM_KEY.test(k.slice(base.length))) out.push(k);
  } while (cursor !== '0');
  return [...new Set(out)];
}

export function roomKeysStep(opts: {
  /** Config ROOM_KEYS_RETAIN_SEC: 0 deletes the keys, else they expire after this many seconds. */
  retainSec: number;
  /** Every registered step, read when this one runs: the readers of the room keys declare `roomKeys`. */
  steps: () => EndOfLiveStep[];
  /** Schedules another run of this step at `at` (epoch ms), while a reader has not finished. */
  rerunAt?: (liveId: string, endedAt: string, at: number) => Promise<unknown>;
  now?: () => number;
}): EndOfLiveStep {
  const now = opts.now ?? Date.now;
  return {
    name: 'room-keys',
    async run(ctx) {
      const { liveId, redis, keys, log } = ctx;
      const steps = opts.steps();
      for (const step of steps) if (step.roomKeys === 'reads') await step.run(ctx);
      let waiting: string | null = null;
      for (const step of steps) {
        if (typeof step.roomKeys === 'object' && !(await step.roomKeys.done(ctx))) {
          waiting = step.name;
          break;
        }
      }
      if (waiting) {
        // Back off with the live's age (5 s … 1 h): a stuck reader is retried, never spun on.
        const age = Math.max(0, now() - Date.parse(ctx.endedAt));
        const at = now() + Math.min(3_600_000, Math.max(5_000, Math.round(age / 4)));
        if (age > 3_600_000) log.warn({ liveId, waiting }, 'room keys still held: a reader has not finished');
        await opts.rerunAt?.(liveId, ctx.endedAt, at);
        return { released: 0, waiting, rerunAt: at };
      }
      const all = await roomKeysOf(redis, keys, liveId);
      if (all.length === 0) return { released: 0 };
      const pipe = redis.pipeline();
      if (opts.retainSec === 0) pipe.unlink(...all);
      else for (const k of all) pipe.expire(k, opts.retainSec, 'NX');
      const failed = (await pipe.exec())?.find(([err]) => err);
      if (failed) throw failed[0];
      return { released: all.length, retainSec: opts.retainSec };
    },
  };
}

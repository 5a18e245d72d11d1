/**
 * Crisis alert: every comment said in a live (and every one held or blocked) is counted on this node, those
 * matching the negative lexicon (the comments feature's keyword engine: substrings, Chinese without spaces)
 * or held/blocked as negative; once a second each node adds its counts to the live's rolling window in one
 * script call (crisis-tick-3.lua), which starts an episode exactly once across nodes when the negative share
 * passes the threshold. The node whose call started it tells the host and moderators (`moderation:alert`)
 * and records it in the audit log (`crisis_alerts`).
 */
import type { ModerationAlert } from '@lc/contracts/growth.schema';
import type { FeatureLog } from '../../composition/feature';
import type { RoomActions } from '../../realtime/room-actions';
import type { Keys } from '../../redis/keys';
import type { Scripts } from '../../redis/scripts';
// NOTE: the keyword engine is a pure module of the comments feature, reused as the issue asks.
import { buildKeywordMatcher } from '../comments/keyword-matcher';

export interface CrisisLimits {
  windowSec: number;
  ratio: number;
  minNegative: number;
  terms: string[];
  /** How often each node adds its counts (ms). */
  tickMs: number;
}

const BUCKET_MS = 5_000;
const MAX_SAMPLES = 5;

export function createCrisisWatch(deps: {
  scripts: Scripts;
  keys: Keys;
  actions: Pick<RoomActions, 'toStaff'>;
  log: FeatureLog;
  limits: CrisisLimits;
  /** Writes the alert to the audit log (the ledger). */
  record?: (alert: ModerationAlert) => Promise<unknown>;
  now?: () => number;
}) {
  const { limits } = deps;
  const now = deps.now ?? Date.now;
  const matcher = buildKeywordMatcher([{ action: 'block', terms: limits.terms }]);
  const pending = new Map<string, { total: number; negative: number; samples: string[] }>();
  let timer: NodeJS.Timeout | null = null;
  let ticking: Promise<void> | null = null;

  const count = (liveId: string, text: string, negative: boolean) => {
    let p = pending.get(liveId);
    if (!p) {
      p = { total: 0, negative: 0, samples: [] };
      pending.set(liveId, p);
    }
    p.total++;
    if (negative) {
      p.negative++;
      p.samples.push(text);
      if (p.samples.length > MAX_SAMPLES) p.samples.shift();
    }
  };

  const tickRoom = async (liveId: string, p: { total: number; negative: number; samples: string[] }) => {
    const windowMs = limits.windowSec * 1000;
    const res = await deps.scripts.run<(number | string)[]>(
      'crisis-tick',
      [deps.keys.crisis(liveId), deps.keys.crisisOn(liveId), deps.keys.crisisSamples(liveId)],
      [now(), BUCKET_MS, windowMs, p.total, p.negative, limits.ratio, limits.minNegative, ...p.samples],
    );
    if (Number(res[0]) !== 1) return;
    const alert: ModerationAlert = {
      liveId,
      kind: 'negative-comments',
      negative: Number(res[1]),
      total: Number(res[2]),
      windowSec: limits.windowSec,
      ratio: limits.ratio,
      samples: res.slice(3).map(String),
      at: now(),
    };
    deps.actions.toStaff(liveId, 'moderation:alert', alert);
    deps.log.warn(
      { liveId, negative: alert.negative, total: alert.total, samples: alert.samples },
      'crisis alert',
    );
    await deps.record?.(alert);
  };

  const tick = async () => {
    const batch = [...pending];
    pending.clear();
    const results = await Promise.allSettled(batch.map(([liveId, p]) => tickRoom(liveId, p)));
    for (const r of results)
      if (r.status === 'rejected') deps.log.warn({ err: r.reason }, 'crisis tick failed');
  };

  return {
    /** A comment said in the room (published or sampled). */
    said(liveId: string, text: string) {
      count(liveId, text, matcher.check(text).action === 'block');
    },
    /** A comment held for review or blocked by a keyword list: negative whatever its words. */
    moderated(liveId: string, text: string) {
      count(liveId, text, true);
    },
    /** Adds this node's counts now (the timer does it every tickMs). */
    flush(): Promise<void> {
      ticking = (ticking ?? Promise.resolve()).then(tick);
      return ticking;
    },
    start() {
      if (timer) return;
      timer = setInterval(() => void this.flush(), limits.tickMs);
      timer.unref();
    },
    async close() {
      if (timer) clearInterval(timer);
      timer = null;
      await this.flush();
    },
  };
}
export type CrisisWatch = ReturnType<typeof createCrisisWatch>;

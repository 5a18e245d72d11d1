/**
 * The points rules applied to a live's raw facts: a pure function, so a test can apply the same rules to the
 * same raw events and compare with the ledger. Each award names its source; the ledger makes it once.
 */
import type { PointsRules } from '@lc/contracts/growth.schema';
import type { Award } from '../../ledger/points.repo';

/** What one live recorded, per user. The merchant's own activity earns nothing. */
export interface LiveFacts {
  merchantId: string;
  liveId: string;
  watchMs: ReadonlyMap<string, number>;
  comments: ReadonlyMap<string, number>;
  likes: ReadonlyMap<string, number>;
  /** sharer → viewers who joined through their links (first attribution only). */
  shareJoins: ReadonlyMap<string, number>;
  /** Everyone who joined the live, and who of them came through a share link. */
  viewers: readonly string[];
  viaShare: ReadonlySet<string>;
}

export interface OrderFact {
  orderId: string;
  userId: string;
  /** Minor units paid. */
  total: number;
}

export interface LotteryFact {
  lotteryId: string;
  entrants: readonly string[];
}

/** Per-live awards (source `live:<id>`): watch minutes, comments, likes, share joins. */
export function liveAwards(rules: PointsRules, f: LiveFacts): Award[] {
  const out: Award[] = [];
  const source = `live:${f.liveId}`;
  const add = (kind: Award['kind'], userId: string, quantity: number, delta: number) => {
    if (userId !== f.merchantId && delta > 0)
      out.push({ merchantId: f.merchantId, userId, kind, source, liveId: f.liveId, quantity, delta });
  };
  for (const [u, ms] of f.watchMs) {
    const minutes = Math.floor(ms / 60_000);
    add('watch', u, minutes, Math.min(minutes, rules.watchMaxMinutes) * rules.watchPerMinute);
  }
  for (const [u, n] of f.comments) add('comment', u, n, Math.min(n, rules.commentMaxPerLive) * rules.comment);
  for (const [u, taps] of f.likes) {
    const pts = rules.likesPerPoint > 0 ? Math.floor(taps / rules.likesPerPoint) : 0;
    add('like', u, taps, Math.min(pts, rules.likeMaxPointsPerLive));
  }
  for (const [u, joins] of f.shareJoins) add('share', u, joins, joins * rules.shareJoin);
  return out;
}

/** One award per paid order (source `order:<id>`): whole major units × purchasePerYuan. */
export function orderAwards(
  rules: PointsRules,
  merchantId: string,
  liveId: string,
  orders: readonly OrderFact[],
) {
  return orders
    .filter((o) => o.userId !== merchantId)
    .map<Award>((o) => ({
      merchantId,
      userId: o.userId,
      kind: 'purchase',
      source: `order:${o.orderId}`,
      liveId,
      quantity: o.total,
      delta: Math.floor(o.total / 100) * rules.purchasePerYuan,
    }))
    .filter((a) => a.delta > 0);
}

/** One award per entrant of each drawn lottery (source `lottery:<id>`). */
export function lotteryAwards(
  rules: PointsRules,
  merchantId: string,
  liveId: string,
  lotteries: readonly LotteryFact[],
) {
  const out: Award[] = [];
  if (rules.lotteryEntry <= 0) return out;
  for (const l of lotteries)
    for (const userId of l.entrants)
      if (userId !== merchantId)
        out.push({
          merchantId,
          userId,
          kind: 'lottery',
          source: `lottery:${l.lotteryId}`,
          liveId,
          quantity: 1,
          delta: rules.lotteryEntry,
        });
  return out;
}

/** Following the merchant: once per user ever (source `follow`). */
export function followAwards(
  rules: PointsRules,
  merchantId: string,
  liveId: string,
  followers: readonly string[],
) {
  if (rules.follow <= 0) return [];
  return followers
    .filter((u) => u !== merchantId)
    .map<Award>((userId) => ({
      merchantId,
      userId,
      kind: 'follow',
      source: 'follow',
      liveId,
      quantity: 1,
      delta: rules.follow,
    }));
}

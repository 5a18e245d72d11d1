/**
 * Follows and shares. Follows of a host are ledger rows (`follows`) mirrored in a Redis set, which is what
 * followers-only chat, counts and the lottery read. Share links carry the sharer's id plus an HMAC over
 * (live, sharer), so attribution can't be forged; the first join of each viewer through a link counts once
 * for its sharer (Lua). Counts live in Redis; the end-of-live step writes them to the ledger.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { TokenClaims } from '@lc/contracts/auth.schema';
import { AppError } from '@lc/contracts/errors';
import type { FollowState, ShareLink, ShareStats, SocialSnapshot } from '@lc/contracts/social.schema';
import type { Redis } from 'ioredis';
import type { Db } from '../../ledger/db';
import type { Keys } from '../../redis/keys';
import type { Scripts } from '../../redis/scripts';

export function createSocialService(deps: {
  redis: Redis;
  scripts: Scripts;
  keys: Keys;
  db: Db;
  lives: { hostOf(liveId: string): Promise<string> };
  secret: string;
  publicUrl: string;
}) {
  const { redis, keys, db } = deps;
  const sign = (liveId: string, sharerId: string) =>
    createHmac('sha256', deps.secret).update(`share|${liveId}|${sharerId}`).digest('base64url').slice(0, 16);

  const follow = async (user: TokenClaims, hostId: string, on: boolean): Promise<FollowState> => {
    if (hostId === user.sub) throw new AppError('CONFLICT', 'a host cannot follow themselves');
    if (on) {
      await db.query('INSERT INTO follows (host_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [
        hostId,
        user.sub,
      ]);
      await redis.sadd(keys.followers(hostId), user.sub);
    } else {
      await db.query('DELETE FROM follows WHERE host_id = $1 AND user_id = $2', [hostId, user.sub]);
      await redis.srem(keys.followers(hostId), user.sub);
    }
    return { following: on, followers: await redis.scard(keys.followers(hostId)) };
  };

  return {
    follow,
    /** Follow / unfollow the host of a live. @throws LIVE_NOT_FOUND, CONFLICT (the host itself) */
    async followLive(user: TokenClaims, liveId: string, on: boolean) {
      return follow(user, await deps.lives.hostOf(liveId), on);
    },
    isFollower: async (hostId: string, userId: string) =>
      (await redis.sismember(keys.followers(hostId), userId)) === 1,
    async followState(hostId: string, userId?: string): Promise<FollowState> {
      const [followers, following] = await Promise.all([
        redis.scard(keys.followers(hostId)),
        userId ? redis.sismember(keys.followers(hostId), userId) : Promise.resolve(0),
      ]);
      return { followers, following: following === 1 };
    },
    /** Follower counts of the hosts of these rooms (bounded-rate broadcast). */
    async followerCounts(liveIds: string[]): Promise<Map<string, number>> {
      const hosts = await Promise.all(liveIds.map((id) => deps.lives.hostOf(id)));
      const counts = await Promise.all(hosts.map((h) => redis.scard(keys.followers(h))));
      return new Map(liveIds.map((id, i) => [id, counts[i]!]));
    },

    /** A share link for the caller (counted as one share). */
    async share(user: TokenClaims, liveId: string): Promise<ShareLink> {
      const ref = `${user.sub}.${sign(liveId, user.sub)}`;
      const shares = await redis.hincrby(keys.shares(liveId), user.sub, 1);
      return { url: `${deps.publicUrl}/?live=${liveId}&ref=${encodeURIComponent(ref)}`, ref, shares };
    },

    /** After-join hook: attributes the first join through a valid share link to its sharer. */
    async attributeJoin(liveId: string, user: TokenClaims, ref: string | undefined): Promise<boolean> {
      if (!ref) return false;
      const dot = ref.lastIndexOf('.');
      if (dot <= 0) return false;
      const sharerId = ref.slice(0, dot);
      const given = Buffer.from(ref.slice(dot + 1));
      const expected = Buffer.from(sign(liveId, sharerId));
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return false;
      if (sharerId === user.sub) return false;
      const n = await deps.scripts.run<number>(
        'share-join',
        [keys.refJoined(liveId), keys.shareJoins(liveId)],
        [user.sub, sharerId],
      );
      return n === 1;
    },

    async shareStats(liveId: string): Promise<ShareStats> {
      const [shares, joins] = await Promise.all([
        redis.hgetall(keys.shares(liveId)),
        redis.hgetall(keys.shareJoins(liveId)),
      ]);
      const ids = [...new Set([...Object.keys(shares), ...Object.keys(joins)])].sort();
      const bySharer = ids.map((sharerId) => ({
        sharerId,
        shares: Number(shares[sharerId] ?? 0),
        joins: Number(joins[sharerId] ?? 0),
      }));
      return {
        shares: bySharer.reduce((n, s) => n + s.shares, 0),
        joins: bySharer.reduce((n, s) => n + s.joins, 0),
        bySharer: bySharer.sort((a, b) => b.joins - a.joins || b.shares - a.shares),
      };
    },

    /** The follower count every viewer of the live shares (`following` comes from `viewerSnapshot`). */
    async roomSnapshot(hostId: string): Promise<SocialSnapshot> {
      return { followers: await redis.scard(keys.followers(hostId)), following: false };
    },

    async viewerSnapshot(hostId: string, user: TokenClaims, room: SocialSnapshot): Promise<SocialSnapshot> {
      return {
        followers: room.followers,
        following: (await redis.sismember(keys.followers(hostId), user.sub)) === 1,
      };
    },
  };
}
export type SocialService = ReturnType<typeof createSocialService>;

/**
 * Invites / assists (助力): a live's invite campaign (goal + reward coupon), signed invite links carrying the
 * sharer's id and device, and the join hook that counts an invitee once (invite-join-7.lua) and grants the
 * reward once, recorded in the ledger like any coupon claim.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { TokenClaims } from '@lc/contracts/auth.schema';
import { AppError } from '@lc/contracts/errors';
import type {
  InviteCampaign,
  InviteCampaignPayload,
  InviteLink,
  InviteProgress,
  InvitesSnapshot,
} from '@lc/contracts/invite.schema';
import type { Redis } from 'ioredis';
import type { CouponsRepo } from '../../ledger/coupons.repo';
import type { Db } from '../../ledger/db';
import type { Keys } from '../../redis/keys';
import { guardRedis, runScript } from '../../redis/outage';
import type { Scripts } from '../../redis/scripts';

const PREFIX = 'inv';

export function createInvitesService(deps: {
  redis: Redis;
  scripts: Scripts;
  keys: Keys;
  db: Db;
  couponsRepo: Pick<CouponsRepo, 'recordClaim'>;
  coupons: { def(liveId: string, couponId: string): Promise<unknown> };
  requireHost(user: TokenClaims, liveId: string): Promise<void>;
  secret: string;
  publicUrl: string;
  notify(sharerId: string, p: InviteProgress): void;
}) {
  const { redis, keys } = deps;
  const sign = (liveId: string, sharerId: string, dev: string) =>
    createHmac('sha256', deps.secret)
      .update(`invite|${liveId}|${sharerId}|${dev}`)
      .digest('base64url')
      .slice(0, 22);

  const campaign = async (liveId: string): Promise<InviteCampaign | null> => {
    const [goal, couponId] = await guardRedis(() => redis.hmget(keys.invite(liveId), 'goal', 'couponId'));
    return goal && couponId ? { goal: Number(goal), couponId } : null;
  };

  /** The sharer and device a ref names, when its signature holds for this live. */
  const parseRef = (liveId: string, ref: string | undefined) => {
    const parts = ref?.split('.');
    if (parts?.length !== 4 || parts[0] !== PREFIX) return undefined;
    const [, sharerId, dev, sig] = parts as [string, string, string, string];
    const given = Buffer.from(sig);
    const expected = Buffer.from(sign(liveId, sharerId, dev));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    return { sharerId, dev };
  };

  return {
    campaign,
    /** Sets the live's invite goal and reward. @throws FORBIDDEN, LIVE_ENDED, COUPON_NOT_FOUND */
    async setCampaign(user: TokenClaims, p: InviteCampaignPayload): Promise<InviteCampaign> {
      await deps.requireHost(user, p.liveId);
      await deps.coupons.def(p.liveId, p.couponId);
      await guardRedis(() => redis.hset(keys.invite(p.liveId), 'goal', p.goal, 'couponId', p.couponId));
      return { goal: p.goal, couponId: p.couponId };
    },
    /** The caller's signed invite link. @throws NOT_FOUND (no campaign in this live) */
    async link(user: TokenClaims, liveId: string): Promise<InviteLink> {
      const c = await campaign(liveId);
      if (!c) throw new AppError('NOT_FOUND', 'this live has no invite campaign');
      const dev = user.dev ?? '';
      const ref = `${PREFIX}.${user.sub}.${dev}.${sign(liveId, user.sub, dev)}`;
      const progress = Number((await redis.hget(keys.inviteProgress(liveId), user.sub)) ?? 0);
      return {
        url: `${deps.publicUrl}/?live=${liveId}&ref=${encodeURIComponent(ref)}`,
        ref,
        progress,
        goal: c.goal,
      };
    },
    /** After-join hook: counts a join through a valid invite link; true when it counted. */
    async onJoin(liveId: string, user: TokenClaims, ref: string | undefined): Promise<boolean> {
      const from = parseRef(liveId, ref);
      if (!from) return false;
      const [code, count, claimNo] = await runScript<[number, number, number]>(
        deps.scripts,
        'invite-join',
        [
          keys.invite(liveId),
          keys.inviteUsers(liveId),
          keys.inviteDevices(liveId),
          keys.inviteProgress(liveId),
          keys.inviteRewarded(liveId),
          keys.couponClaims(liveId),
          keys.coupons(liveId),
        ],
        [user.sub, user.dev ?? '', from.sharerId, from.dev],
      );
      if (code !== 1) return false;
      const c = await campaign(liveId);
      let reward: InviteProgress['reward'] = null;
      if (claimNo > 0 && c) {
        // NOTE: Redis decided (once); the ledger records the claim (idempotent on coupon, user, claim number).
        await deps.couponsRepo.recordClaim(deps.db, c.couponId, from.sharerId, claimNo);
        reward = { couponId: c.couponId, claimNo };
      }
      deps.notify(from.sharerId, { liveId, count, goal: c?.goal ?? 0, reward });
      return true;
    },
    async snapshot(
      liveId: string,
      userId: string,
      room: { campaign: InviteCampaign | null },
    ): Promise<InvitesSnapshot> {
      const [count, claimNo] = await Promise.all([
        redis.hget(keys.inviteProgress(liveId), userId),
        redis.hget(keys.inviteRewarded(liveId), userId),
      ]);
      return {
        campaign: room.campaign,
        mine: { count: Number(count ?? 0), rewardClaimNo: claimNo ? Number(claimNo) : null },
      };
    },
  };
}
export type InvitesService = ReturnType<typeof createInvitesService>;

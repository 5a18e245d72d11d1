/**
 * Moderation of a live: moderators (host appoints), mute, ban, shadow-ban, pinned announcement, and the
 * audit trail of every action. Comment deletion and review live in the comments service (same audit).
 *
 * Bans bind to the user id and to the device id the token carries (guests get a new user id per token, but
 * the client keeps its device id; the server records it at join). Limits, said plainly: a client that wipes
 * its storage gets a new device id, and a registered account is stable only through its user id.
 */

import type { TokenClaims } from '@lc/contracts/auth.schema';
import { AppError } from '@lc/contracts/errors';
import type { Role } from '@lc/contracts/ids';
import { MODERATION_EVENT, type ModerationSnapshot, type Pinned } from '@lc/contracts/moderation.schema';
import type { Redis } from 'ioredis';
import type { ModerationLogRepo } from '../../ledger/moderation-log.repo';
import type { JoinContext } from '../../realtime/join-hooks';
import type { RoomActions } from '../../realtime/room-actions';
import type { RoomLog } from '../../realtime/room-log';
import { type AppSocket, staffRoom } from '../../realtime/types';
import type { Keys } from '../../redis/keys';
import type { ModeratorsStore } from './moderators.store';

type Actor = Pick<TokenClaims, 'sub' | 'name'>;

export function createModerationService(deps: {
  redis: Redis;
  keys: Keys;
  roomLog: RoomLog;
  moderators: ModeratorsStore;
  lives: { hostOf(liveId: string): Promise<string> };
  audit: ModerationLogRepo;
  actions: RoomActions;
  now?: () => number;
}) {
  const { redis, keys, moderators, actions } = deps;
  const now = deps.now ?? Date.now;
  const record = (
    actor: Actor,
    liveId: string,
    action: Parameters<ModerationLogRepo['record']>[0]['action'],
    targetUserId: string | null,
    detail?: Record<string, unknown>,
  ) =>
    deps.audit.record({ liveId, actor: { id: actor.sub, name: actor.name }, action, targetUserId, detail });

  /** Staff act on viewers; only the host acts on a moderator; nobody acts on the host. @throws FORBIDDEN */
  const assertTargetable = async (actorRole: Role, liveId: string, userId: string) => {
    if ((await deps.lives.hostOf(liveId)) === userId)
      throw new AppError('FORBIDDEN', 'the host cannot be moderated');
    if (actorRole !== 'host' && (await moderators.has(liveId, userId))) {
      throw new AppError('FORBIDDEN', 'only the host can act on a moderator');
    }
  };

  return {
    moderators: (liveId: string) => moderators.list(liveId),

    /** Host: appoint a moderator; their sockets join the staff room and learn their role at once. */
    async appoint(actor: Actor, liveId: string, userId: string): Promise<{ moderators: string[] }> {
      if ((await deps.lives.hostOf(liveId)) === userId)
        throw new AppError('CONFLICT', 'the host already moderates');
      if (await moderators.add(liveId, userId)) {
        await deps.roomLog.append(liveId, MODERATION_EVENT.appointed, { userId });
        actions.setStaff(userId, liveId, true);
        actions.toUser(userId, 'room:role', { liveId, role: 'moderator' });
        await record(actor, liveId, 'appoint', userId);
      }
      return { moderators: await moderators.list(liveId) };
    },

    async revoke(actor: Actor, liveId: string, userId: string): Promise<{ moderators: string[] }> {
      if (await moderators.remove(liveId, userId)) {
        await deps.roomLog.append(liveId, MODERATION_EVENT.revoked, { userId });
        actions.setStaff(userId, liveId, false);
        actions.toUser(userId, 'room:role', { liveId, role: 'viewer' });
        await record(actor, liveId, 'revoke', userId);
      }
      return { moderators: await moderators.list(liveId) };
    },

    /** Mutes a user for `durationSec` (comments refused with MUTED until then). @throws FORBIDDEN */
    async mute(actor: Actor, actorRole: Role, liveId: string, userId: string, durationSec: number) {
      await assertTargetable(actorRole, liveId, userId);
      const until = now() + durationSec * 1000;
      await redis.set(keys.mute(liveId, userId), until, 'PX', durationSec * 1000);
      await record(actor, liveId, 'mute', userId, { durationSec, until });
      return { until };
    },

    async unmute(actor: Actor, liveId: string, userId: string) {
      const unmuted = (await redis.del(keys.mute(liveId, userId))) === 1;
      if (unmuted) await record(actor, liveId, 'unmute', userId);
      return { unmuted };
    },

    /**
     * Bans a user and the device they joined from: every socket of theirs is told (`room:closed` BANNED) and
     * disconnected on every node; later joins (any guest token on that device) answer BANNED.
     * @throws FORBIDDEN
     */
    async ban(actor: Actor, actorRole: Role, liveId: string, userId: string, reason?: string) {
      await assertTargetable(actorRole, liveId, userId);
      const deviceId = await redis.hget(keys.devices(liveId), userId);
      await redis.sadd(keys.bans(liveId), `u:${userId}`, ...(deviceId ? [`d:${deviceId}`] : []));
      actions.expel(liveId, { userId, deviceId }, 'BANNED');
      await record(actor, liveId, 'ban', userId, { reason: reason ?? null, device: deviceId !== null });
      return { banned: true as const };
    },

    async unban(actor: Actor, liveId: string, userId: string) {
      const deviceId = await redis.hget(keys.devices(liveId), userId);
      const n = await redis.srem(keys.bans(liveId), `u:${userId}`, ...(deviceId ? [`d:${deviceId}`] : []));
      if (n > 0) await record(actor, liveId, 'unban', userId);
      return { unbanned: n > 0 };
    },

    /** Shadow-ban on/off: the user's comments reach only the user. @throws FORBIDDEN */
    async shadow(actor: Actor, actorRole: Role, liveId: string, userId: string, on: boolean) {
      await assertTargetable(actorRole, liveId, userId);
      const changed = on
        ? await redis.sadd(keys.shadow(liveId), userId)
        : await redis.srem(keys.shadow(liveId), userId);
      if (changed) await record(actor, liveId, on ? 'shadow' : 'unshadow', userId);
      return { shadowed: on };
    },

    /** Pins an announcement (replacing the previous one). */
    async pin(actor: Actor, liveId: string, text: string): Promise<{ seq: number }> {
      const pinned: Pinned = { text, by: { id: actor.sub, name: actor.name }, at: now() };
      await redis.set(keys.pinned(liveId), JSON.stringify(pinned));
      const ev = await deps.roomLog.append(liveId, MODERATION_EVENT.pinned, pinned);
      await record(actor, liveId, 'pin', null, { text });
      return { seq: ev.seq };
    },

    async unpin(actor: Actor, liveId: string): Promise<{ unpinned: boolean }> {
      const unpinned = (await redis.del(keys.pinned(liveId))) === 1;
      if (unpinned) {
        await deps.roomLog.append(liveId, MODERATION_EVENT.unpinned, {
          by: { id: actor.sub, name: actor.name },
        });
        await record(actor, liveId, 'unpin', null);
      }
      return { unpinned };
    },

    /** Join guard: refuses banned users and devices. @throws BANNED */
    async guard(ctx: JoinContext): Promise<void> {
      if (ctx.role === 'host') return;
      const members = [`u:${ctx.user.sub}`, ...(ctx.user.dev ? [`d:${ctx.user.dev}`] : [])];
      const hits = await redis.smismember(keys.bans(ctx.live.id), ...members);
      if (hits.some((h) => h === 1)) throw new AppError('BANNED', 'you are banned from this live');
    },

    /** After join: remember the device (for bans) and put staff in the staff room. */
    async afterJoin(ctx: JoinContext & { socket: AppSocket }): Promise<void> {
      if (ctx.user.dev) await redis.hset(keys.devices(ctx.live.id), ctx.user.sub, ctx.user.dev);
      if (ctx.role !== 'viewer') ctx.socket.join(staffRoom(ctx.live.id));
    },

    async snapshot(liveId: string): Promise<ModerationSnapshot> {
      const [pinned, mods] = await Promise.all([redis.get(keys.pinned(liveId)), moderators.list(liveId)]);
      return { pinned: pinned ? (JSON.parse(pinned) as Pinned) : null, moderators: mods };
    },

    log: (liveId: string, q: { limit: number; before?: number }) => deps.audit.list(liveId, q),
  };
}
export type ModerationService = ReturnType<typeof createModerationService>;

/**
 * Lives: create, list, start, end. The ledger holds the lifecycle; the room log announces each change;
 * ending enqueues the end-of-live job. Called by HTTP routes and socket handlers alike.
 */
import { randomUUID } from 'node:crypto';
import type { TokenClaims } from '@lc/contracts/auth.schema';
import { AppError } from '@lc/contracts/errors';
import type { Role } from '@lc/contracts/ids';
import type { CreateLiveBody, Live, LiveStatus } from '@lc/contracts/live.schema';
import { ROOM_EVENT } from '@lc/contracts/room.schema';
import type { Queue } from 'bullmq';
import { EndOfLivePayload, jobId } from '../../jobs/queues';
import type { createLivesRepo } from '../../ledger/lives.repo';
import type { RoomLog } from '../../realtime/room-log';

type LivesRepo = ReturnType<typeof createLivesRepo>;

export function createLivesService(deps: {
  lives: LivesRepo;
  roomLog: RoomLog;
  endOfLiveQueue: Queue;
  /** Per-live moderators (appointed by the host); without it only moderator accounts moderate. */
  moderators?: { has(liveId: string, userId: string): Promise<boolean> };
  now?: () => Date;
  /** At most this old is the live that `roleIn` hands to joins and snapshot reads (default 1000 ms). */
  liveCacheMs?: number;
}) {
  const now = deps.now ?? (() => new Date());
  const endedListeners: Array<(liveId: string) => void> = [];

  /** liveId → hostId: a live never changes host, so this cache is never stale (bounded, oldest dropped). */
  const hosts = new Map<string, string>();

  const get = async (liveId: string): Promise<Live> => {
    const live = await deps.lives.findById(liveId);
    if (!live) throw new AppError('LIVE_NOT_FOUND', `live ${liveId} not found`);
    if (!hosts.has(live.id)) {
      if (hosts.size >= 10_000) hosts.delete(hosts.keys().next().value!);
      hosts.set(live.id, live.hostId);
    }
    return live;
  };

  const hostOf = async (liveId: string): Promise<string> => hosts.get(liveId) ?? (await get(liveId)).hostId;

  /**
   * liveId → a recent read, for joins and snapshot reads that only need the host and the id (the snapshot's
   * own `live` is read fresh per seq). Dropped on a lifecycle change seen here or in the room log, and after
   * `liveCacheMs` at most (a node that does not tail the room).
   */
  const recent = new Map<string, { live: Live; until: number }>();
  const liveCacheMs = deps.liveCacheMs ?? 1000;
  const cached = async (liveId: string): Promise<Live> => {
    const t = Date.now();
    const hit = recent.get(liveId);
    if (hit && hit.until > t) return hit.live;
    const live = await get(liveId);
    if (recent.size >= 10_000) recent.delete(recent.keys().next().value!);
    recent.set(liveId, { live, until: t + liveCacheMs });
    return live;
  };

  const roleFor = async (user: TokenClaims, liveId: string, hostId: string): Promise<Role> => {
    if (hostId === user.sub || user.role === 'moderator') return resolveRole(user, { hostId });
    return resolveRole(user, { hostId }, (await deps.moderators?.has(liveId, user.sub)) ?? false);
  };

  const requireHost = async (user: TokenClaims, liveId: string): Promise<Live> => {
    const live = await get(liveId);
    if (live.hostId !== user.sub) throw new AppError('FORBIDDEN', 'only the host of this live can do that');
    return live;
  };

  const transition = async (user: TokenClaims, liveId: string, from: LiveStatus[], to: LiveStatus) => {
    await requireHost(user, liveId);
    const { live, changed } = await deps.lives.transition({ liveId, from, to, actorId: user.sub, at: now() });
    recent.delete(liveId);
    if (changed) await deps.roomLog.append(liveId, ROOM_EVENT.liveStatus, { status: live.status });
    return { live, changed };
  };

  return {
    /** Called on this node when a live ends (e.g. close its media room). Other nodes learn it from the room log. */
    onEnded(fn: (liveId: string) => void): void {
      endedListeners.push(fn);
    },
    get,
    /** The role a user has in a live's room, with a recent read of the live. @throws LIVE_NOT_FOUND */
    async roleIn(user: TokenClaims, liveId: string): Promise<{ live: Live; role: Role }> {
      const live = await cached(liveId);
      return { live, role: await roleFor(user, liveId, live.hostId) };
    },
    /**
     * The role only, read fresh (moderators from Redis) with the host id cached: what every privileged
     * command checks, so an appointment or a revocation applies to sockets that joined before it.
     * @throws LIVE_NOT_FOUND
     */
    async roleOf(user: TokenClaims, liveId: string): Promise<Role> {
      return roleFor(user, liveId, await hostOf(liveId));
    },
    /** @throws LIVE_NOT_FOUND */
    hostOf,
    /** Forgets the cached read of a live (its status changed on another node). */
    forget(liveId: string) {
      recent.delete(liveId);
    },
    /** @throws FORBIDDEN when the account is not a host */
    async create(user: TokenClaims, body: CreateLiveBody): Promise<Live> {
      if (user.role !== 'host') throw new AppError('FORBIDDEN', 'only host accounts create lives');
      const id = randomUUID();
      await deps.lives.insert({
        id,
        hostId: user.sub,
        title: body.title,
        scheduledAt: body.scheduledAt ? new Date(body.scheduledAt) : null,
      });
      return get(id);
    },
    list: (q: { status?: LiveStatus; limit: number }) => deps.lives.list(q),
    /** scheduled → live; starting a live that is live is a no-op. @throws FORBIDDEN, LIVE_NOT_FOUND, INVALID_TRANSITION */
    async start(user: TokenClaims, liveId: string): Promise<Live> {
      return (await transition(user, liveId, ['scheduled'], 'live')).live;
    },
    /**
     * scheduled|live → ended; ending twice is a no-op. Always (re-)enqueues the end-of-live job: its id is
     * deterministic, so a retry after a crash between the ledger write and the enqueue still settles once.
     * @throws FORBIDDEN, LIVE_NOT_FOUND
     */
    async end(user: TokenClaims, liveId: string): Promise<Live> {
      const { live } = await transition(user, liveId, ['scheduled', 'live'], 'ended');
      for (const fn of endedListeners) fn(liveId);
      const payload = EndOfLivePayload.parse({ liveId, endedAt: live.endedAt ?? now().toISOString() });
      await deps.endOfLiveQueue.add('end-live', payload, { jobId: jobId.endLive(liveId) });
      return live;
    },
  };
}
export type LivesService = ReturnType<typeof createLivesService>;

/** Host of this live → host; moderator account or appointed moderator of this live → moderator; else viewer. */
export function resolveRole(user: TokenClaims, live: Pick<Live, 'hostId'>, appointed = false): Role {
  if (live.hostId === user.sub) return 'host';
  if (user.role === 'moderator' || appointed) return 'moderator';
  return 'viewer';
}

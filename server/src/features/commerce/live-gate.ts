/**
 * What commerce needs to know about a live, cheaply: who hosts it (never changes) and whether it is on
 * (cached for a second per node; `ended` is final and cached for good). Keeps ledger reads off the
 * reserve path.
 */
import type { TokenClaims } from '@lc/contracts/auth.schema';
import { AppError } from '@lc/contracts/errors';
import type { Live, LiveStatus } from '@lc/contracts/live.schema';

export interface LiveLookup {
  /** @throws LIVE_NOT_FOUND */
  get(liveId: string): Promise<Live>;
}

export function createLiveGate(deps: { lives: LiveLookup; now?: () => number; ttlMs?: number }) {
  const now = deps.now ?? Date.now;
  const ttl = deps.ttlMs ?? 1000;
  const cache = new Map<string, { hostId: string; status: LiveStatus; at: number }>();

  const read = async (liveId: string, fresh = false) => {
    const hit = cache.get(liveId);
    if (hit && !fresh && (hit.status === 'ended' || now() - hit.at < ttl)) return hit;
    const live = await deps.lives.get(liveId);
    if (cache.size >= 10_000) cache.delete(cache.keys().next().value!);
    const entry = { hostId: live.hostId, status: live.status, at: now() };
    cache.set(liveId, entry);
    return entry;
  };

  return {
    /** @throws LIVE_NOT_FOUND */
    status: async (liveId: string) => (await read(liveId)).status,
    /** @throws LIVE_NOT_FOUND */
    hostOf: async (liveId: string) => (await read(liveId)).hostId,
    /** The status, read fresh unless a recent read said `live` (so a live that just started is on at once). */
    async liveStatus(liveId: string) {
      const cached = await read(liveId);
      return cached.status === 'live' ? cached.status : (await read(liveId, true)).status;
    },
    /** @throws LIVE_NOT_FOUND, FORBIDDEN (not the host), LIVE_ENDED (when `open` is required) */
    async requireHost(user: TokenClaims, liveId: string, opts: { open?: boolean } = {}): Promise<void> {
      const live = await read(liveId, true);
      if (live.hostId !== user.sub) throw new AppError('FORBIDDEN', 'only the host of this live can do that');
      if (opts.open && live.status === 'ended') throw new AppError('LIVE_ENDED', 'the live has ended');
    },
  };
}
export type LiveGate = ReturnType<typeof createLiveGate>;

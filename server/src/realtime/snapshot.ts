/**
 * Builds the join snapshot: live, role, seq, presence, recent events, and per-feature state from registered
 * contributors (sale, lottery, pinned product …). Features add contributors; this module never changes.
 */
import type { TokenClaims } from '../contracts/auth.schema';
import type { Role } from '../contracts/ids';
import type { Live } from '../contracts/live.schema';
import type { RoomSnapshot } from '../contracts/room.schema';
import type { PresenceStore } from './presence';
import type { RoomLog } from './room-log';

export type SnapshotContributor = (ctx: { live: Live; user: TokenClaims; role: Role }) => Promise<unknown>;

export function createSnapshots(deps: {
  roomLog: RoomLog;
  presence: PresenceStore;
  recentCount: number;
  now?: () => number;
}) {
  const contributors = new Map<string, SnapshotContributor>();
  const now = deps.now ?? Date.now;
  return {
    contribute(name: string, fn: SnapshotContributor) {
      if (contributors.has(name)) throw new Error(`snapshot contributor ${name} registered twice`);
      contributors.set(name, fn);
    },
    async build(live: Live, user: TokenClaims, role: Role): Promise<RoomSnapshot> {
      const [{ seq, recent }, presence, features] = await Promise.all([
        deps.roomLog.head(live.id, deps.recentCount),
        deps.presence.get(live.id),
        Promise.all(
          [...contributors].map(async ([name, fn]) => [name, await fn({ live, user, role })] as const),
        ),
      ]);
      return { live, role, seq, serverTime: now(), presence, recent, features: Object.fromEntries(features) };
    },
  };
}
export type Snapshots = ReturnType<typeof createSnapshots>;

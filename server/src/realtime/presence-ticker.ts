/**
 * Broadcasts presence of every room this node serves at a bounded rate, only when it changed. A room with many
 * local sockets is told less often (every `ceil(sockets / socketsPerTick)` ticks): the writes per tick stay
 * bounded while a join storm moves the count every tick.
 */
import type { PresenceStore } from './presence';
import type { RoomTail } from './room-tail';
import { type AppServer, roomName } from './types';

export function startPresenceTicker(deps: {
  io: AppServer;
  presence: PresenceStore;
  tail: RoomTail;
  intervalMs: number;
  /** 0: every room every tick. */
  socketsPerTick?: number;
  onError?: (err: unknown) => void;
}) {
  const last = new Map<string, string>();
  /** Ticks since the room's last push. */
  const waited = new Map<string, number>();
  const perTick = deps.socketsPerTick ?? 0;
  const due = (liveId: string): boolean => {
    if (perTick <= 0) return true;
    const sockets = deps.io.of('/').adapter.rooms.get(roomName(liveId))?.size ?? 0;
    const every = Math.max(1, Math.ceil(sockets / perTick));
    const n = (waited.get(liveId) ?? 0) + 1;
    if (n < every) {
      waited.set(liveId, n);
      return false;
    }
    return true;
  };
  let busy = false;
  const timer = setInterval(async () => {
    if (busy) return; // NOTE: a slow Redis must not stack ticks.
    busy = true;
    try {
      const rooms = deps.tail.tracked();
      for (const id of last.keys()) if (!rooms.includes(id)) last.delete(id);
      for (const id of waited.keys()) if (!rooms.includes(id)) waited.delete(id);
      await Promise.all(
        rooms.map(async (liveId) => {
          if (!due(liveId)) return;
          const p = await deps.presence.get(liveId);
          const key = JSON.stringify(p);
          if (last.get(liveId) === key) return;
          last.set(liveId, key);
          waited.set(liveId, 0);
          deps.io.local.to(roomName(liveId)).emit('room:presence', { liveId, ...p });
        }),
      );
    } catch (err) {
      deps.onError?.(err);
    } finally {
      busy = false;
    }
  }, deps.intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

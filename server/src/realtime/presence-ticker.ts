/** Broadcasts presence of every room this node serves at a bounded rate, only when it changed. */
import type { PresenceStore } from './presence';
import type { RoomTail } from './room-tail';
import { type AppServer, roomName } from './types';

export function startPresenceTicker(deps: {
  io: AppServer;
  presence: PresenceStore;
  tail: RoomTail;
  intervalMs: number;
  onError?: (err: unknown) => void;
}) {
  const last = new Map<string, string>();
  let busy = false;
  const timer = setInterval(async () => {
    if (busy) return; // NOTE: a slow Redis must not stack ticks.
    busy = true;
    try {
      const rooms = deps.tail.tracked();
      for (const id of last.keys()) if (!rooms.includes(id)) last.delete(id);
      await Promise.all(
        rooms.map(async (liveId) => {
          const p = await deps.presence.get(liveId);
          const key = JSON.stringify(p);
          if (last.get(liveId) === key) return;
          last.set(liveId, key);
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

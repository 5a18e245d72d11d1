/**
 * Bounded-rate per-room broadcaster for counters that are not room-log events (like totals, poll tallies,
 * follower counts): every `intervalMs` it reads the value of each room this node serves and emits it to the
 * node's local sockets when it changed. Cost per room: one read per interval per node, whatever the event rate.
 */
import type { RoomTail } from './room-tail';

export function startRoomTicker<T>(deps: {
  tail: Pick<RoomTail, 'tracked'>;
  intervalMs: number;
  /** Current values of these rooms; a room missing from the map has nothing to show. */
  read(liveIds: string[]): Promise<Map<string, T>>;
  emit(liveId: string, value: T): void;
  onError?: (err: unknown) => void;
}) {
  const last = new Map<string, string>();
  let busy = false;
  const tick = async () => {
    if (busy) return; // NOTE: a slow Redis must not stack ticks.
    busy = true;
    try {
      const rooms = deps.tail.tracked();
      for (const id of last.keys()) if (!rooms.includes(id)) last.delete(id);
      if (rooms.length === 0) return;
      const values = await deps.read(rooms);
      for (const [liveId, value] of values) {
        const key = JSON.stringify(value);
        if (last.get(liveId) === key) continue;
        last.set(liveId, key);
        deps.emit(liveId, value);
      }
    } catch (err) {
      deps.onError?.(err);
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(tick, deps.intervalMs);
  timer.unref();
  return {
    /** Forget what was sent for a room, so its next value goes out even if unchanged (e.g. after a reset). */
    forget: (liveId: string) => last.delete(liveId),
    stop: () => clearInterval(timer),
  };
}

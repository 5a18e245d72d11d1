/**
 * Per-node broadcaster: tails the event logs of rooms that have sockets on this node and hands each room its
 * new events as one frame. One blocking XREAD serves every room, so a busy room costs one emit per frame per
 * socket, never one per message, and frames keep seq order across nodes (the stream is the single order).
 */

import type { RoomEvent } from '@lc/contracts/room.schema';
import type { Redis } from 'ioredis';
import type { Keys } from '../redis/keys';
import { parseEntry, type RawEntry } from './room-log';

export interface RoomTail {
  /** Start tailing a room from its current seq. Resolves once the start point is fixed. */
  track(liveId: string): Promise<void>;
  untrack(liveId: string): void;
  tracked(): string[];
  close(): Promise<void>;
}

export function createRoomTail(deps: {
  /** A dedicated connection: XREAD BLOCK occupies it. */
  redis: Redis;
  /** The shared command connection, for reads while the tail blocks. */
  cmd: Redis;
  keys: Keys;
  frameMs: number;
  /** Max events read per room per frame; the rest follow in the next frame. */
  batch?: number;
  onFrame: (liveId: string, events: RoomEvent[]) => void;
  onError?: (err: unknown) => void;
}): RoomTail {
  const { redis, keys, frameMs } = deps;
  const batch = deps.batch ?? 1000;
  /** liveId → last seq handed out. */
  const rooms = new Map<string, number>();
  const pending = new Map<string, Promise<void>>();
  let running = true;
  let wake: (() => void) | null = null;
  const sleep = (ms: number) =>
    new Promise<void>((r) => {
      const t = setTimeout(r, ms);
      wake = () => {
        clearTimeout(t);
        r();
      };
    });

  async function loop(): Promise<void> {
    while (running) {
      const started = Date.now();
      const ids = [...rooms.keys()];
      if (ids.length === 0) {
        await sleep(1000);
        continue;
      }
      try {
        const res = (await redis.xread(
          'COUNT',
          batch,
          'BLOCK',
          frameMs,
          'STREAMS',
          ...ids.map((id) => keys.log(id)),
          ...ids.map((id) => `${rooms.get(id)}-0`),
        )) as [string, RawEntry[]][] | null;
        for (const [key, entries] of res ?? []) {
          const liveId = ids[ids.findIndex((id) => keys.log(id) === key)];
          if (!liveId || !rooms.has(liveId) || entries.length === 0) continue;
          const events = entries.map(parseEntry);
          rooms.set(liveId, events[events.length - 1]!.seq);
          deps.onFrame(liveId, events);
        }
      } catch (err) {
        if (!running) return;
        deps.onError?.(err);
        await sleep(Math.max(frameMs, 250));
      }
      // NOTE: frames per room are bounded to one per frameMs whatever the event rate.
      const elapsed = Date.now() - started;
      if (running && elapsed < frameMs) await sleep(frameMs - elapsed);
    }
  }
  const done = loop();

  return {
    track(liveId) {
      if (rooms.has(liveId)) return Promise.resolve();
      const inflight = pending.get(liveId);
      if (inflight) return inflight;
      const p = deps.cmd
        .get(keys.seq(liveId))
        .then((v) => {
          if (!rooms.has(liveId)) rooms.set(liveId, Number(v ?? 0));
          wake?.();
        })
        .finally(() => pending.delete(liveId));
      pending.set(liveId, p);
      return p;
    },
    untrack(liveId) {
      rooms.delete(liveId);
    },
    tracked: () => [...rooms.keys()],
    async close() {
      running = false;
      wake?.();
      redis.disconnect();
      await done.catch(() => {});
    },
  };
}

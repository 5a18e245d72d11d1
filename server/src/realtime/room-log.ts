/**
 * The per-room event log: a monotonically increasing `seq` and a capped Redis Stream whose entry ids are
 * `<seq>-0`. Every fact a room broadcasts is appended here first; nodes tail the stream to broadcast.
 * Reads for snapshots and replays apply redactions (a deleted comment's data is replaced by a tombstone);
 * live frames don't need to: the deletion event follows the comment.
 */

import { isChapterMoment } from '@lc/contracts/replay.schema';
import type { RoomEvent } from '@lc/contracts/room.schema';
import type { Redis } from 'ioredis';
import type { Keys } from '../redis/keys';
import type { Scripts } from '../redis/scripts';

export type RawEntry = [id: string, fields: string[]];

export function parseEntry([id, fields]: RawEntry): RoomEvent {
  const f: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i]!] = fields[i + 1]!;
  return {
    seq: Number.parseInt(id, 10),
    type: f.t ?? '',
    at: Number(f.at ?? 0),
    data: JSON.parse(f.d ?? 'null'),
  };
}

export type SinceResult =
  | { ok: true; seq: number; events: RoomEvent[] }
  | { ok: false; seq: number; reason: 'gap-too-old' | 'ahead-of-log' };

export interface RoomLog {
  /** Appends one event and returns it with its seq. */
  append<T>(liveId: string, type: string, data: T): Promise<RoomEvent<T>>;
  /** Exactly the events after `lastSeq`, or why they can't be given. */
  since(liveId: string, lastSeq: number): Promise<SinceResult>;
  /** The current seq and up to `count` most recent events (ascending), read atomically. */
  head(liveId: string, count: number): Promise<{ seq: number; recent: RoomEvent[] }>;
  currentSeq(liveId: string): Promise<number>;
}

export function createRoomLog(deps: {
  redis: Redis;
  scripts: Scripts;
  keys: Keys;
  maxLen: number;
  now?: () => number;
  onAppend?: (type: string) => void;
}): RoomLog {
  const { redis, scripts, keys, maxLen } = deps;
  const now = deps.now ?? Date.now;
  return {
    async append(liveId, type, data) {
      const at = now();
      const seq = await scripts.run<number>(
        'room-append',
        [keys.seq(liveId), keys.log(liveId)],
        [type, JSON.stringify(data ?? null), at, maxLen],
      );
      deps.onAppend?.(type);
      // NOTE: the log is capped; what a replay's chapters are made of is also kept in full (not atomic with the
      // append: the chapters step merges both by seq, so only an event lost here *and* dropped by the cap is missed).
      if (isChapterMoment(type, data)) {
        await redis.rpush(keys.moments(liveId), JSON.stringify({ seq, type, at, data: data ?? null }));
      }
      return { seq, type, at, data };
    },
    async since(liveId, lastSeq) {
      const [code, seq, entries] = await scripts.run<[number, number, RawEntry[]]>(
        'room-since',
        [keys.seq(liveId), keys.log(liveId), keys.redacted(liveId)],
        [lastSeq, maxLen],
      );
      if (code === 1) return { ok: true, seq, events: entries.map(parseEntry) };
      return { ok: false, seq, reason: code === -2 ? 'ahead-of-log' : 'gap-too-old' };
    },
    async head(liveId, count) {
      // NOTE: one script makes the seq and the recent entries one consistent read, redactions applied.
      const [seq, entries] = await scripts.run<[number, RawEntry[]]>(
        'room-head',
        [keys.seq(liveId), keys.log(liveId), keys.redacted(liveId)],
        [Math.max(count, 1)],
      );
      return { seq: Number(seq), recent: count > 0 ? entries.map(parseEntry).reverse() : [] };
    },
    async currentSeq(liveId) {
      return Number((await redis.get(keys.seq(liveId))) ?? 0);
    },
  };
}

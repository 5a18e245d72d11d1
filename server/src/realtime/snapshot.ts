/**
 * Builds the join snapshot: live, role, seq, presence, recent events, and per-feature state from registered
 * contributors (sale, lottery, pinned product …). Features add contributors; this module never changes.
 *
 * The room-wide part (live, seq, recent, presence, each contributor's `room` part) is the same for every viewer
 * at one seq, so it is built once per room per seq and shared for up to `roomCacheMs`; only the viewer's own
 * parts are read per call. NOTE: a cached part is used only while the room's seq has not moved past it, so
 * everything the log orders is exact at the snapshot's seq; counters that change without a log event
 * (presence, like total, entrant counts) can be up to `roomCacheMs` old — their periodic broadcasts carry
 * absolute values that correct them.
 */
import { hash } from 'node:crypto';
import type { TokenClaims } from '@lc/contracts/auth.schema';
import type { Role } from '@lc/contracts/ids';
import type { Live } from '@lc/contracts/live.schema';
import { type Presence, type RoomEvent, RoomSnapshot } from '@lc/contracts/room.schema';
import type { PresenceStore } from './presence';
import type { RoomLog } from './room-log';

const RoomSnapshotShared = RoomSnapshot.pick({ live: true, seq: true, presence: true, recent: true });

export interface SnapshotContext {
  live: Live;
  user: TokenClaims;
  role: Role;
}
/** A contributor read for every snapshot (its state is the viewer's own, or not worth splitting). */
export type SnapshotContributor = (ctx: SnapshotContext) => Promise<unknown>;
/** A contributor split into a room-wide part (shared per seq) and the viewer's own part merged into it. */
export interface RoomContributor<R> {
  room: (live: Live) => Promise<R>;
  /** Merges the caller's own state into the room part; absent when the feature has no per-viewer state. */
  viewer?: (ctx: SnapshotContext, room: R) => unknown | Promise<unknown>;
}

interface RoomPart {
  live: Live;
  seq: number;
  recent: RoomEvent[];
  presence: Presence;
  features: Map<string, unknown>;
  /** JSON of the shared values, made on the first `buildJson` at this part (see `jsonOf`). */
  json?: {
    live: string;
    presence: string;
    recent: string;
    known: WeakMap<object, string>;
    /** Digest of live, seq, presence and recent: the room's share of every ETag at this part. */
    tag: string;
  };
}
interface CacheEntry {
  seq: number;
  expires: number;
  part: Promise<RoomPart>;
}

const MAX_CACHED_ROOMS = 1000;

/** JSON of the room part's values and of their own object properties: what viewer parts mostly reuse. */
function jsonOf(part: RoomPart): NonNullable<RoomPart['json']> {
  if (part.json) return part.json;
  // The shared part is checked against the contract once here, not on every response that reuses it.
  RoomSnapshotShared.parse(part);
  const known = new WeakMap<object, string>();
  for (const value of part.features.values()) {
    if (value === null || typeof value !== 'object') continue;
    known.set(value, JSON.stringify(value));
    for (const v of Object.values(value))
      if (v !== null && typeof v === 'object') known.set(v, JSON.stringify(v));
  }
  const live = JSON.stringify(part.live);
  const presence = JSON.stringify(part.presence);
  const recent = JSON.stringify(part.recent);
  const tag = hash('sha1', `${part.seq}\n${live}\n${presence}\n${recent}`, 'base64url');
  part.json = { live, presence, recent, known, tag };
  return part.json;
}

/** JSON.stringify, splicing in the stringified shared values a viewer part kept (one level deep). */
function stringifyReusing(value: unknown, known: WeakMap<object, string>): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  const whole = known.get(value);
  if (whole !== undefined) return whole;
  if (Array.isArray(value) || Object.getPrototypeOf(value) !== Object.prototype) return JSON.stringify(value);
  const out: string[] = [];
  for (const [k, v] of Object.entries(value)) {
    if (v === undefined || typeof v === 'function') continue;
    const hit = v !== null && typeof v === 'object' ? known.get(v) : undefined;
    out.push(`${JSON.stringify(k)}:${hit ?? JSON.stringify(v)}`);
  }
  return `{${out.join(',')}}`;
}

export function createSnapshots(deps: {
  roomLog: RoomLog;
  presence: PresenceStore;
  /** The live as the ledger has it now. @throws LIVE_NOT_FOUND */
  live: (liveId: string) => Promise<Live>;
  recentCount: number;
  /** How long a room part may be shared at one seq (0: built for every call). */
  roomCacheMs: number;
  now?: () => number;
}) {
  // biome-ignore lint/suspicious/noExplicitAny: each contributor's room type is its own
  const contributors = new Map<string, SnapshotContributor | RoomContributor<any>>();
  const now = deps.now ?? Date.now;
  const cache = new Map<string, CacheEntry>();

  const buildRoom = async (liveId: string): Promise<RoomPart> => {
    const shared = [...contributors].filter(
      // biome-ignore lint/suspicious/noExplicitAny: see contributors
      (e): e is [string, RoomContributor<any>] => typeof e[1] !== 'function',
    );
    // NOTE: the log head first, then the state: the state is never older than the seq it is served at.
    const { seq, recent } = await deps.roomLog.head(liveId, deps.recentCount);
    const live = await deps.live(liveId);
    const [presence, parts] = await Promise.all([
      deps.presence.get(liveId),
      Promise.all(shared.map(async ([name, c]) => [name, await c.room(live)] as const)),
    ]);
    return { live, seq, recent, presence, features: new Map(parts) };
  };

  /** The room part at `seq` or later: a cached one when the log has not moved past it. */
  const roomAt = (liveId: string, seq: number): Promise<RoomPart> => {
    const t = now();
    const hit = cache.get(liveId);
    if (hit && hit.seq >= seq && hit.expires > t) return hit.part;
    const entry: CacheEntry = { seq, expires: t + deps.roomCacheMs, part: buildRoom(liveId) };
    if (deps.roomCacheMs <= 0) return entry.part;
    if (cache.size >= MAX_CACHED_ROOMS) {
      for (const [id, e] of cache) if (e.expires <= t) cache.delete(id);
      if (cache.size >= MAX_CACHED_ROOMS) cache.delete(cache.keys().next().value!);
    }
    cache.set(liveId, entry);
    entry.part.then(
      (p) => {
        entry.seq = p.seq;
      },
      () => {
        if (cache.get(liveId) === entry) cache.delete(liveId);
      },
    );
    return entry.part;
  };

  const assemble = async (liveId: string, user: TokenClaims, role: Role) => {
    const room = await roomAt(liveId, await deps.roomLog.currentSeq(liveId));
    const ctx: SnapshotContext = { live: room.live, user, role };
    const features = await Promise.all(
      [...contributors].map(async ([name, c]): Promise<[string, unknown]> => {
        if (typeof c === 'function') return [name, await c(ctx)];
        const part = room.features.get(name);
        return [name, c.viewer ? await c.viewer(ctx, part) : part];
      }),
    );
    return { room, features };
  };

  return {
    contribute<R>(name: string, fn: SnapshotContributor | RoomContributor<R>) {
      if (contributors.has(name)) throw new Error(`snapshot contributor ${name} registered twice`);
      contributors.set(name, fn);
    },
    /** The snapshot of a live's room as `user` (with `role`) sees it. @throws LIVE_NOT_FOUND */
    async build(liveId: string, user: TokenClaims, role: Role): Promise<RoomSnapshot> {
      const { room, features } = await assemble(liveId, user, role);
      return {
        live: room.live,
        role,
        seq: room.seq,
        serverTime: now(),
        presence: room.presence,
        recent: room.recent,
        features: Object.fromEntries(features),
      };
    },
    /**
     * The same snapshot as JSON text (the REST route), reusing the room part's JSON: per call only the
     * viewer's own parts are stringified. `etag` is a digest of everything in it but `serverTime`: two calls
     * answer the same tag exactly when they would send the same snapshot. @throws LIVE_NOT_FOUND
     */
    async buildJson(liveId: string, user: TokenClaims, role: Role): Promise<{ json: string; etag: string }> {
      const { room, features } = await assemble(liveId, user, role);
      const j = jsonOf(room);
      const parts = features.map(([name, v]) => `${JSON.stringify(name)}:${stringifyReusing(v, j.known)}`);
      const featuresJson = `{${parts.join(',')}}`;
      const etag = `"${j.tag}.${hash('sha1', `${role}\n${featuresJson}`, 'base64url')}"`;
      const json =
        `{"live":${j.live},"role":${JSON.stringify(role)},"seq":${room.seq},"serverTime":${now()},` +
        `"presence":${j.presence},"recent":${j.recent},"features":${featuresJson}}`;
      return { json, etag };
    },
    /** Drops the cached room part (tests, or a change the log does not order). */
    forget(liveId: string) {
      cache.delete(liveId);
    },
  };
}
export type Snapshots = ReturnType<typeof createSnapshots>;

/**
 * The live-client façade: owns the socket, the session token and the room's ordered event stream.
 * Views subscribe to its callbacks and never touch the socket directly.
 */

import type { AuthResponse } from '@lc/contracts/auth.schema';
import type { Ack, ClientToServerEvents, ServerToClientEvents } from '@lc/contracts/events';
import type { Live, LiveStatus } from '@lc/contracts/live.schema';
import type { JoinResult, Presence, RoomEvent, RoomSnapshot } from '@lc/contracts/room.schema';
import { SeqTracker } from '@lc/contracts/seq-tracker';
import type { MediaKind } from '@lc/contracts/sfu.schema';
import { io, type Socket } from 'socket.io-client';
import { type MediaHandlers, MediaSession } from './media';

export type Conn = 'connecting' | 'online' | 'reconnecting' | 'offline';

export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export async function api<T>(
  method: string,
  path: string,
  body?: unknown,
  token?: string,
  headers: Record<string, string> = {},
): Promise<T> {
  const res = await fetch(path, {
    method,
    headers: {
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const data = res.status === 204 ? undefined : await res.json().catch(() => undefined);
  if (!res.ok) throw new ApiError(data?.error?.code ?? 'INTERNAL', data?.error?.message ?? res.statusText);
  return data as T;
}

/**
 * Did the server cut the connection off for an oversized message? WebSocket: close code 1009 ("message too big",
 * reason MESSAGE_TOO_LARGE); long-polling: HTTP 413. `details` is what Socket.IO passes with `disconnect`.
 */
export function cutOffForSize(details: unknown): boolean {
  const d = details as { description?: unknown; context?: { code?: unknown; reason?: unknown } } | undefined;
  return d?.context?.code === 1009 || d?.context?.reason === 'MESSAGE_TOO_LARGE' || d?.description === 413;
}

const SESSION_KEY = 'lc.session';
const DEVICE_KEY = 'lc.device';
/** The device id this browser keeps and sends with guest sessions (bans follow it; see the server). */
export const device = {
  get: () => localStorage.getItem(DEVICE_KEY) ?? undefined,
  set: (id: string | undefined) => id && localStorage.setItem(DEVICE_KEY, id),
};

export const session = {
  get(): AuthResponse | null {
    const raw = localStorage.getItem(SESSION_KEY);
    if (!raw) return null;
    const s = JSON.parse(raw) as AuthResponse;
    return new Date(s.expiresAt).getTime() > Date.now() + 60_000 ? s : null;
  },
  set(s: AuthResponse) {
    localStorage.setItem(SESSION_KEY, JSON.stringify(s));
  },
  clear() {
    localStorage.removeItem(SESSION_KEY);
  },
};

export interface RoomHandlers {
  onSnapshot(s: RoomSnapshot): void;
  onEvents(events: RoomEvent[]): void;
  onPresence(p: Presence): void;
  onConn(c: Conn, detail?: string): void;
  /** The room's like total (bounded-rate broadcast). */
  onLikes?(total: number): void;
  /** Facts outside the seq log: held comments (staff), poll tallies, lottery entrants and prizes won, followers, own role. */
  onFact?(f: RoomFact): void;
}

const FACTS = [
  'comment:held',
  'poll:tally',
  'lottery:count',
  'lottery:won',
  'follow:count',
  'room:role',
  'order:paid',
  'payment:failed',
  'room:closed',
  'auction:outbid',
  'auction:won',
] as const;
export type RoomFactName = (typeof FACTS)[number];
export type RoomFact = {
  [K in RoomFactName]: { name: K; payload: Parameters<ServerToClientEvents[K]>[0] };
}[RoomFactName];

export class LiveClient {
  private socket: Socket<ServerToClientEvents, ClientToServerEvents>;
  private tracker = new SeqTracker();
  private joined = false;
  private status: LiveStatus | null = null;
  /** Set by a disconnect: the next join is on a new server-side socket. */
  private socketReplaced = false;
  private media: { session: MediaSession; mode: 'publish' | 'watch'; stream?: MediaStream } | null = null;
  /** Commands waiting for their ack: failed at once when the server cuts the connection off. */
  private pending = new Set<(err: ApiError) => void>();
  live: Live | null = null;

  constructor(
    token: string,
    private readonly liveId: string,
    private readonly h: RoomHandlers,
  ) {
    this.socket = io({ auth: { token }, transports: ['websocket', 'polling'] });
    h.onConn('connecting');
    this.socket.on('connect', () => void this.join());
    this.socket.on('disconnect', (reason, details) => {
      this.socketReplaced = true;
      // NOTE: after a server-side disconnect (ban, kick) Socket.IO does not reconnect: that is `offline`.
      const gone = reason === 'io client disconnect' || reason === 'io server disconnect';
      // A message over the server's limit: its command (and any other in flight) fails with the server's code.
      const tooLarge = cutOffForSize(details);
      if (tooLarge) {
        const err = new ApiError('MESSAGE_TOO_LARGE', 'the message was too large for the server');
        for (const fail of this.pending) fail(err);
      }
      h.onConn(gone ? 'offline' : 'reconnecting', tooLarge ? 'MESSAGE_TOO_LARGE' : reason);
    });
    this.socket.on('connect_error', (err) =>
      h.onConn('reconnecting', (err as Error & { data?: { code?: string } }).data?.code ?? err.message),
    );
    this.socket.on('room:events', (f) => {
      if (f.liveId !== this.liveId || !this.joined) return;
      const { fresh, gap } = this.tracker.accept(f.events);
      if (fresh.length) this.onEvents(fresh);
      // NOTE: a gap that outlives one frame means we missed events: ask for them.
      if (gap) setTimeout(() => this.tracker.waiting && void this.join(), 500);
    });
    this.socket.on('room:presence', (p) => p.liveId === this.liveId && h.onPresence(p));
    this.socket.on('like:total', (p) => p.liveId === this.liveId && h.onLikes?.(p.total));
    const untyped = this.socket as unknown as { on(e: string, fn: (p: { liveId: string }) => void): void };
    for (const name of FACTS) {
      untyped.on(name, (p) => p.liveId === this.liveId && h.onFact?.({ name, payload: p } as RoomFact));
    }
    this.socket.on(
      'sfu:producer:new',
      (p) => p.liveId === this.liveId && this.media?.session.onProducerNew(p.producerId),
    );
    this.socket.on(
      'sfu:producer:closed',
      (p) => p.liveId === this.liveId && this.media?.session.onProducerClosed(p.producerId),
    );
    this.socket.on('sfu:reconnect', (p) => p.liveId === this.liveId && this.media?.session.restart(p.reason));
  }

  /**
   * Media for this page: `watch` plays the host's stream (handlers.onStream), `publish` sends `stream` (the host).
   * It runs while the live is `live`: started and stopped by the live's status, re-established after reconnects.
   */
  enableMedia(mode: 'publish' | 'watch', handlers: MediaHandlers, stream?: MediaStream): void {
    const request = <T>(event: keyof ClientToServerEvents, payload: unknown) =>
      this.command<T>(event, payload);
    this.media = { session: new MediaSession(request, this.liveId, handlers), mode, stream };
    this.syncMedia();
  }

  /** Viewer: preferred simulcast layer of the video (0 = lowest, 2 = full; null = the server's choice). */
  setVideoLayer(spatial: number | null): void {
    this.media?.session.preferLayer(spatial);
  }

  /** Host: a new camera/microphone selection; the published tracks are replaced in place. */
  async setOutgoingStream(stream: MediaStream): Promise<void> {
    if (!this.media) return;
    this.media.stream = stream;
    for (const track of stream.getTracks()) {
      await this.media.session.replaceTrack(track.kind as MediaKind, track);
    }
    if (!this.media.session.active) this.syncMedia();
  }

  private setStatus(status: LiveStatus): void {
    this.status = status;
    this.syncMedia();
  }

  private syncMedia(): void {
    const m = this.media;
    if (!m) return;
    if (this.status !== 'live') {
      if (m.session.active) m.session.stop();
      return;
    }
    if (m.session.active) return;
    if (m.mode === 'watch') m.session.watch();
    else if (m.stream) m.session.publish(m.stream);
  }

  private onEvents(events: RoomEvent[]): void {
    this.h.onEvents(events);
    for (const e of events) {
      if (e.type === 'live:status') this.setStatus((e.data as { status: LiveStatus }).status);
    }
  }

  private async join(): Promise<void> {
    // A share link's `ref` is sent with the first join: the server attributes the join to the sharer.
    const ref = new URLSearchParams(location.search).get('ref') ?? undefined;
    const payload = this.joined
      ? { liveId: this.liveId, lastSeq: this.tracker.seq }
      : { liveId: this.liveId, ...(ref ? { ref } : {}) };
    const res = await this.command<JoinResult>('live:join', payload);
    if (res.mode === 'snapshot') {
      this.tracker.reset(res.snapshot.seq);
      this.live = res.snapshot.live;
      this.h.onSnapshot(res.snapshot);
      this.status = res.snapshot.live.status;
      const held = this.tracker.accept([]).fresh;
      if (held.length) this.onEvents(held);
    } else {
      const { fresh } = this.tracker.accept(res.events);
      if (fresh.length) this.onEvents(fresh);
      this.h.onPresence(res.presence);
    }
    this.joined = true;
    this.h.onConn('online');
    // NOTE: the server dropped this socket's media when it disconnected: start it over on the new socket.
    if (this.socketReplaced && this.media?.session.active) this.media.session.restart('socket-reconnected');
    this.socketReplaced = false;
    this.syncMedia();
  }

  /** Sends a command; resolves with its data or throws ApiError with the server's code. */
  async command<T>(event: keyof ClientToServerEvents, payload: unknown): Promise<T> {
    let fail: (err: ApiError) => void = () => {};
    const cutOff = new Promise<never>((_, reject) => {
      fail = reject;
    });
    this.pending.add(fail);
    try {
      const res = (await Promise.race([
        (this.socket.timeout(10_000) as unknown as { emitWithAck(e: string, p: unknown): Promise<Ack<T>> })
          .emitWithAck(event, payload)
          .catch(() => ({
            ok: false,
            error: { code: 'UNAVAILABLE', message: 'no answer from the server' },
          })),
        cutOff,
      ])) as Ack<T>;
      if (!res.ok) throw new ApiError(res.error.code, res.error.message);
      return res.data;
    } finally {
      this.pending.delete(fail);
    }
  }

  close() {
    this.media?.session.stop();
    this.socket.close();
  }
}

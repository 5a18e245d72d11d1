/**
 * A viewer that survives its node dying, with the web client's reconnect logic (client/src/live-client.ts): a
 * socket.io-client that reconnects by itself, joins again with `lastSeq` on every connect and applies the missed
 * events through the seq tracker; a gap that persists 500 ms triggers a rejoin. `resume: false` is the proof
 * run's broken client: it rejoins as a newcomer and drops the snapshot, so it misses what happened while away.
 */
import type { Ack } from '@lc/contracts/events';
import type { JoinResult, RoomEvent } from '@lc/contracts/room.schema';
import { io, type Socket } from 'socket.io-client';
import { GapChecker } from '../realtime/gap-checker';

export interface ResumingViewer {
  readonly socket: Socket;
  checker?: GapChecker;
  /** Joined on the current connection. */
  joined: boolean;
  drops: number;
  /** Joins after a drop that succeeded. */
  rejoins: number;
  snapshotRejoins: number;
  /** Applied events, in order (only when `keepEvents`). */
  applied: RoomEvent[];
  close(): void;
}

export function resumingViewer(
  url: string,
  token: string,
  liveId: string,
  opts: { resume: boolean; keepEvents?: boolean; onJoined?: () => void },
): ResumingViewer {
  const socket = io(url, {
    transports: ['websocket'],
    auth: { token },
    forceNew: true,
    reconnectionDelay: 200,
    reconnectionDelayMax: 2000,
    randomizationFactor: 0.5,
    timeout: 10_000,
  });
  const v: ResumingViewer = {
    socket,
    joined: false,
    drops: 0,
    rejoins: 0,
    snapshotRejoins: 0,
    applied: [],
    close: () => socket.close(),
  };
  let gapTimer: NodeJS.Timeout | undefined;
  let dropped = false;
  const apply = (events: readonly RoomEvent[]) => {
    if (!v.checker) return;
    const fresh = v.checker.accept(events);
    if (opts.keepEvents) v.applied.push(...fresh);
    if (v.checker.verdict(0).waiting > 0 && !gapTimer) {
      gapTimer = setTimeout(() => {
        gapTimer = undefined;
        if (v.checker && v.checker.verdict(0).waiting > 0) void join();
      }, 500);
    }
  };
  const join = async () => {
    const again = v.checker !== undefined;
    const payload = again && opts.resume ? { liveId, lastSeq: v.checker!.seq } : { liveId };
    const res = (await socket
      .timeout(10_000)
      .emitWithAck('live:join', payload)
      .catch(() => undefined)) as Ack<JoinResult> | undefined;
    if (!res?.ok) return;
    const r = res.data;
    if (r.mode === 'snapshot') {
      if (!v.checker) v.checker = new GapChecker(r.snapshot.seq);
      else if (opts.resume) v.snapshotRejoins++;
    } else apply(r.events);
    if (dropped) v.rejoins++;
    dropped = false;
    v.joined = true;
    opts.onJoined?.();
  };
  socket.on('connect', () => void join());
  socket.on('disconnect', () => {
    if (v.joined) v.drops++;
    dropped ||= v.joined;
    v.joined = false;
  });
  socket.on('room:events', (f: { liveId: string; events: RoomEvent[] }) => {
    // NOTE: as the web client, frames are applied from the first join on, also while a rejoin is in flight.
    if (f.liveId === liveId) apply(f.events);
  });
  return v;
}

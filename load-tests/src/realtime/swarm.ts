/**
 * A swarm of viewers: connect and `live:join` N clients (as fast as `concurrency` allows, or spread evenly over a
 * window), each with its own gap checker fed by its `room:events` frames. Failures are counted by stage and reason,
 * never thrown; join latency (connect start → join ack) goes to a histogram.
 */
import type { JoinResult } from '@lc/contracts/room.schema';
import { LatencyHistogram, nowMs } from '../lib/stats';
import { GapChecker } from './gap-checker';
import { type ClientKind, connectClient, type RoomClient, type RoomFrame } from './room-client';

export interface Viewer {
  index: number;
  client: RoomClient;
  checker: GapChecker;
  /** Set when the connection ended before the scenario closed it. */
  lost?: string;
}

export interface SwarmOptions {
  kind: ClientKind;
  url: string;
  liveId: string;
  tokens: readonly string[];
  /** Connections in flight at once. */
  concurrency: number;
  /** Spread the starts evenly over this many ms (0: as fast as `concurrency` allows). */
  windowMs?: number;
  timeoutMs?: number;
  onFrame?: (viewer: Viewer, frame: RoomFrame, at: number) => void;
  onProgress?: (s: { started: number; joined: number; failed: number }) => void;
  signal?: AbortSignal;
}

export interface SwarmResult {
  viewers: Viewer[];
  failures: Record<string, number>;
  failed: number;
  joinLatency: LatencyHistogram;
  /** From the first start to the last successful join ack. */
  seconds: number;
  /** Joins completed per second since the first start, by second. */
  perSecond: number[];
}

/** Ephemeral ports run out near 28k connections from one source address; spread big swarms over 127.0.0.x. */
const SOCKETS_PER_SOURCE = 20_000;

export async function joinSwarm(opts: SwarmOptions): Promise<SwarmResult> {
  const n = opts.tokens.length;
  const sources = Math.ceil(n / SOCKETS_PER_SOURCE);
  const viewers: Viewer[] = [];
  const failures: Record<string, number> = {};
  const joinLatency = new LatencyHistogram();
  const perSecond: number[] = [];
  let started = 0;
  let failed = 0;
  let lastJoin = 0;
  const t0 = nowMs();
  const fail = (stage: string, err: unknown) => {
    failed++;
    const reason = `${stage}: ${(err instanceof Error ? err.message : String(err)).replace(/\d+/g, 'N').slice(0, 120)}`;
    failures[reason] = (failures[reason] ?? 0) + 1;
  };
  const progress = () => opts.onProgress?.({ started, joined: viewers.length, failed });

  const one = async (i: number) => {
    const begin = nowMs();
    let client: RoomClient;
    try {
      client = await connectClient(opts.kind, opts.url, opts.tokens[i]!, {
        timeoutMs: opts.timeoutMs,
        ...(sources > 1 ? { localAddress: `127.0.0.${1 + (i % sources)}` } : {}),
      });
    } catch (err) {
      fail('connect', err);
      return;
    }
    // NOTE: listen before joining: frames can arrive before the join ack, and the checker needs its start seq
    // only when applying, so frames are buffered until then.
    let checker: GapChecker | undefined;
    const early: RoomFrame[] = [];
    const viewer: Viewer = { index: i, client, checker: undefined as unknown as GapChecker };
    client.on('room:events', (data) => {
      const frame = data as RoomFrame;
      if (frame.liveId !== opts.liveId) return;
      if (!checker) early.push(frame);
      else opts.onFrame?.(viewer, frame, nowMs());
    });
    client.onClose((reason) => {
      viewer.lost ??= reason;
    });
    try {
      const res = await client.call<JoinResult>('live:join', { liveId: opts.liveId }, opts.timeoutMs);
      if (!res.ok) throw new Error(`${res.error.code}: ${res.error.message}`);
      const seq = res.data.mode === 'snapshot' ? res.data.snapshot.seq : res.data.seq;
      checker = new GapChecker(seq);
      viewer.checker = checker;
      const at = nowMs();
      for (const f of early) opts.onFrame?.(viewer, f, at);
      early.length = 0;
      viewers.push(viewer);
      joinLatency.record(at - begin);
      lastJoin = at;
      const sec = Math.floor((at - t0) / 1000);
      perSecond[sec] = (perSecond[sec] ?? 0) + 1;
    } catch (err) {
      fail('join', err);
      client.close();
    }
  };

  const windowMs = opts.windowMs ?? 0;
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < n; i = next++) {
      if (opts.signal?.aborted) return;
      if (windowMs > 0) {
        const due = t0 + (i * windowMs) / n - nowMs();
        if (due > 1) await new Promise((r) => setTimeout(r, due));
      }
      started++;
      await one(i);
      progress();
    }
  };
  const ticker = setInterval(progress, 250);
  try {
    await Promise.all(Array.from({ length: Math.min(n, opts.concurrency) }, worker));
  } finally {
    clearInterval(ticker);
  }
  for (let s = 0; s < perSecond.length; s++) perSecond[s] ??= 0;
  viewers.sort((a, b) => a.index - b.index);
  return {
    viewers,
    failures,
    failed,
    joinLatency,
    seconds: viewers.length ? (lastJoin - t0) / 1000 : 0,
    perSecond,
  };
}

/** Closes every client and waits up to `waitMs` for their connections to end. */
export async function closeSwarm(viewers: readonly Viewer[], waitMs = 5000): Promise<void> {
  const closed = viewers.map(
    (v) =>
      new Promise<void>((r) => {
        if (!v.client.connected) return r();
        v.client.onClose(() => r());
        v.client.close();
      }),
  );
  await Promise.race([Promise.all(closed), new Promise((r) => setTimeout(r, waitMs))]);
}

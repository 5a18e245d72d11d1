/**
 * The media benchmark's peers on the wire: a host publishing through MscPublisher and viewers (MscViewer), each
 * with its own Socket.IO connection (the kit's light `wire` client) joined to the live, as a browser would be.
 */
import type { ConsumerStatsInfo } from '@lc/contracts/sfu.schema';
import { connectClient, type RoomClient } from '../realtime/room-client';
import { MscPublisher, MscViewer, type PublisherOptions, type Signaling } from './msc-peers';

const CALL_TIMEOUT_MS = 30_000;

export function wireSignaling(client: RoomClient): Signaling {
  return {
    async request<T>(event: string, payload: unknown): Promise<T> {
      const res = await client.call<T>(event, payload, CALL_TIMEOUT_MS);
      if (!res.ok) throw new Error(`${event}: ${res.error.code}: ${res.error.message}`);
      return res.data;
    },
    on: (event, fn) => client.on(event, fn),
  };
}

async function joined(url: string, token: string, liveId: string): Promise<RoomClient> {
  const client = await connectClient('wire', url, token, { timeoutMs: CALL_TIMEOUT_MS });
  const res = await client.call('live:join', { liveId }, CALL_TIMEOUT_MS);
  if (!res.ok) {
    client.close();
    throw new Error(`live:join: ${res.error.code}: ${res.error.message}`);
  }
  return client;
}

export interface MediaPeer<P> {
  client: RoomClient;
  peer: P;
  sig: Signaling;
}

export async function startPublisher(
  url: string,
  token: string,
  liveId: string,
  opts: PublisherOptions,
): Promise<MediaPeer<MscPublisher>> {
  const client = await joined(url, token, liveId);
  const sig = wireSignaling(client);
  const peer = new MscPublisher(sig, liveId, opts);
  await peer.start();
  return { client, peer, sig };
}

export async function startViewer(url: string, token: string, liveId: string): Promise<MediaPeer<MscViewer>> {
  const client = await joined(url, token, liveId);
  const sig = wireSignaling(client);
  const peer = new MscViewer(sig, liveId);
  try {
    await peer.start();
  } catch (err) {
    peer.close();
    client.close();
    throw err;
  }
  return { client, peer, sig };
}

/** What the worker sent on the viewer's (first) consumer, and what its producer had received. */
export async function workerSent(v: MediaPeer<MscViewer>): Promise<ConsumerStatsInfo | undefined> {
  const consumerId = v.peer.consumerIds[0];
  if (!consumerId) return undefined;
  return v.sig
    .request<ConsumerStatsInfo>('sfu:consumer:stats', { liveId: v.peer.liveId, consumerId })
    .catch(() => undefined);
}

/** Runs `fn` over `items` with at most `limit` in flight; results in order. */
export async function pool<T, R>(items: T[], limit: number, fn: (item: T, i: number) => Promise<R>) {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) out[i] = await fn(items[i]!, i);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

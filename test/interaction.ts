/**
 * Helpers for interaction tests: joined clients that record the room events (ordered by seq) and the other
 * facts they receive, and guests with a chosen device id.
 */
import { randomBytes } from 'node:crypto';
import type { AuthResponse } from '@lc/contracts/auth.schema';
import type { JoinResult, RoomEvent, RoomSnapshot } from '@lc/contracts/room.schema';
import { SeqTracker } from '@lc/contracts/seq-tracker';
import { call, connect, http, type TestClient, type TestServer, waitFor } from './server';

export interface RoomClient {
  socket: TestClient;
  auth: AuthResponse;
  snapshot: RoomSnapshot;
  /** Room events applied in seq order. */
  events: RoomEvent[];
  /** Other server→client facts, by event name. */
  facts: Map<string, unknown[]>;
  tracker: SeqTracker;
  ofType<T = unknown>(type: string): T[];
  close(): void;
}

export const deviceId = () => randomBytes(12).toString('hex');

export async function guestOn(s: TestServer, name = 'viewer', device?: string): Promise<AuthResponse> {
  const r = await http<AuthResponse>(s, 'POST', '/api/auth/guest', {
    displayName: name,
    ...(device ? { deviceId: device } : {}),
  });
  if (r.status !== 200) throw new Error(`guest failed: ${JSON.stringify(r.body)}`);
  return r.body;
}

const FACTS = ['comment:held', 'room:role', 'room:closed', 'like:total', 'poll:tally', 'follow:count'];

/** Connects with `auth`, joins the live and records everything. Throws with the join error. */
export async function joinAs(
  s: Pick<TestServer, 'url'>,
  auth: AuthResponse,
  liveId: string,
): Promise<RoomClient> {
  const socket = await connect(s, auth.token);
  const facts = new Map<string, unknown[]>();
  for (const f of FACTS) {
    (socket as unknown as { on(e: string, fn: (p: unknown) => void): void }).on(f, (p) => {
      if (!facts.has(f)) facts.set(f, []);
      facts.get(f)!.push(p);
    });
  }
  const res = await call<JoinResult>(socket, 'live:join', { liveId });
  if (!res.ok) {
    socket.close();
    throw Object.assign(new Error(`join failed: ${res.error.code}`), { code: res.error.code });
  }
  if (res.data.mode !== 'snapshot') throw new Error('expected a snapshot');
  const tracker = new SeqTracker(res.data.snapshot.seq);
  const events: RoomEvent[] = [];
  socket.on('room:events', (f) => {
    if (f.liveId === liveId) events.push(...tracker.accept(f.events).fresh);
  });
  return {
    socket,
    auth,
    snapshot: res.data.snapshot,
    events,
    facts,
    tracker,
    ofType: <T>(type: string) => events.filter((e) => e.type === type).map((e) => e.data as T),
    close: () => socket.close(),
  };
}

/** Waits until every client has applied events up to `seq`. */
export async function allReach(clients: RoomClient[], seq: number, what = 'events'): Promise<void> {
  await waitFor(() => clients.every((c) => c.tracker.seq >= seq), 5000, `${what} up to seq ${seq}`);
}

export { call };

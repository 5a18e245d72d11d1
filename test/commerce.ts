/**
 * Helpers for commerce tests: a live with a product and a sale, reserve / pay calls with an Idempotency-Key,
 * and raw HTTP for exact response bodies.
 */
import { randomUUID } from 'node:crypto';
import type { AuthResponse } from '@lc/contracts/auth.schema';
import type { Product, Reservation, Sale } from '@lc/contracts/commerce.schema';
import type { JoinResult, RoomEvent, RoomSnapshot } from '@lc/contracts/room.schema';
import { SeqTracker } from '@lc/contracts/seq-tracker';
import { call, connect, guest, hostWithLive, http, type TestClient, type TestServer } from './server';

export type Json<T = unknown> = { status: number; body: T; text: string };

/** A request with extra headers; keeps the raw response text (to compare replays byte for byte). */
export async function request<T = unknown>(
  s: Pick<TestServer, 'url'>,
  method: string,
  path: string,
  opts: { body?: unknown; token?: string; headers?: Record<string, string> } = {},
): Promise<Json<T>> {
  const res = await fetch(`${s.url}${path}`, {
    method,
    headers: {
      ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
      ...opts.headers,
    },
    body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T, text };
}

export async function addProduct(
  s: TestServer,
  token: string,
  liveId: string,
  over: Partial<{ title: string; price: number; currency: string; stock: number; perUserLimit: number }> = {},
): Promise<Product> {
  const r = await http<Product>(
    s,
    'POST',
    `/api/lives/${liveId}/products`,
    { title: 'Tea 龙井', price: 9900, currency: 'CNY', stock: 1000, ...over },
    token,
  );
  if (r.status !== 201) throw new Error(`add product failed: ${JSON.stringify(r.body)}`);
  return r.body;
}

export async function scheduleSale(
  s: TestServer,
  token: string,
  liveId: string,
  productId: string,
  over: Partial<{
    dealPrice: number;
    units: number;
    perUserLimit: number;
    opensAt: number;
    durationSec: number;
    countdownSec: number;
    /** opensAt = now + this many ms, taken as the request is sent (a loaded machine can take seconds to get here). */
    opensInMs: number;
  }> = {},
): Promise<Sale> {
  const { opensInMs, ...rest } = over;
  const r = await http<Sale>(
    s,
    'POST',
    `/api/lives/${liveId}/sales`,
    {
      productId,
      dealPrice: 4900,
      units: 50,
      perUserLimit: 1,
      opensAt: Date.now(),
      durationSec: 600,
      ...rest,
      ...(opensInMs === undefined ? {} : { opensAt: Date.now() + opensInMs }),
    },
    token,
  );
  if (r.status !== 201) throw new Error(`schedule failed: ${JSON.stringify(r.body)}`);
  return r.body;
}

/** A started live with one product and one sale open now (fair window configured by the server env). */
export async function liveWithSale(
  s: TestServer,
  sale: Parameters<typeof scheduleSale>[4] = {},
  product: Parameters<typeof addProduct>[3] = {},
) {
  const { host, liveId } = await hostWithLive(s);
  const p = await addProduct(s, host.token, liveId, product);
  const sl = await scheduleSale(s, host.token, liveId, p.id, sale);
  return { host, liveId, product: p, sale: sl };
}

export const reserve = (
  s: Pick<TestServer, 'url'>,
  token: string,
  liveId: string,
  saleId: string,
  key: string | null = randomUUID(),
  body: unknown = { quantity: 1 },
) =>
  request<Reservation & { error?: { code: string } }>(
    s,
    'POST',
    `/api/lives/${liveId}/sales/${saleId}/reservations`,
    {
      token,
      body,
      headers: key === null ? {} : { 'idempotency-key': key },
    },
  );

export const pay = (
  s: Pick<TestServer, 'url'>,
  token: string,
  liveId: string,
  reservationId: string,
  key: string | null = randomUUID(),
  body: unknown = {},
) =>
  request<{ paymentId: string; total: number; discount: number; error?: { code: string } }>(
    s,
    'POST',
    `/api/lives/${liveId}/reservations/${reservationId}/pay`,
    { token, body, headers: key === null ? {} : { 'idempotency-key': key } },
  );

/** `n` guest viewers (tokens). */
export const guests = (s: TestServer, n: number) =>
  Promise.all(Array.from({ length: n }, (_, i) => guest(s, `buyer${i}`)));

export const saleCounters = async (s: TestServer, liveId: string, saleId: string) => {
  const h = await s.built.deps.redis.hgetall(s.built.deps.keys.sale(liveId, saleId));
  return {
    initial: Number(h.initial),
    remaining: Number(h.remaining),
    reserved: Number(h.reserved),
    sold: Number(h.sold),
  };
};

export interface Watcher {
  socket: TestClient;
  auth: AuthResponse;
  snapshot: RoomSnapshot;
  /** Room events applied in seq order. */
  events: RoomEvent[];
  /** Facts sent to this user (`order:paid`, `payment:failed`). */
  facts: Array<{ event: string; payload: unknown }>;
  ofType<T = unknown>(type: string): T[];
  close(): void;
}

/** Connects, joins the live and records its room events and the user's own facts. */
export async function watchRoom(
  s: Pick<TestServer, 'url'>,
  auth: AuthResponse,
  liveId: string,
): Promise<Watcher> {
  const socket = await connect(s, auth.token);
  const facts: Watcher['facts'] = [];
  for (const event of ['order:paid', 'payment:failed'] as const) {
    socket.on(event, (payload: unknown) => facts.push({ event, payload }));
  }
  const res = await call<JoinResult>(socket, 'live:join', { liveId });
  if (!res.ok || res.data.mode !== 'snapshot') throw new Error(`join failed: ${JSON.stringify(res)}`);
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
    ofType: <T>(type: string) => events.filter((e) => e.type === type).map((e) => e.data as T),
    close: () => socket.close(),
  };
}

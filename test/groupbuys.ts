/** Helpers for group-buy tests: a live with a product and the host socket, an offer, members that join and pay, a worker in its own process. */
import type { GroupBuyJoinResult, GroupBuyOffer } from '@lc/contracts/groupbuy.schema';
import type { Bidder } from './auctions';
import { addProduct, pay } from './commerce';
import { call, connect, hostWithLive, type TestServer, waitFor } from './server';

export async function groupBuyLive(s: TestServer, product: Parameters<typeof addProduct>[3] = {}) {
  const { host, liveId } = await hostWithLive(s);
  const p = await addProduct(s, host.token, liveId, { stock: 50, price: 2000, ...product });
  const hostSocket = await connect(s, host.token);
  const joined = await call(hostSocket, 'live:join', { liveId });
  if (!joined.ok) throw new Error(`host join failed: ${JSON.stringify(joined)}`);
  const offer = async (over: Record<string, unknown> = {}) => {
    const r = await call<{ offer: GroupBuyOffer }>(hostSocket, 'groupbuy:offer', {
      liveId,
      productId: p.id,
      groupPrice: 1500,
      groupSize: 5,
      units: 20,
      limitSec: 60,
      ...over,
    });
    if (!r.ok) throw new Error(`groupbuy:offer failed: ${JSON.stringify(r.error)}`);
    return r.data.offer;
  };
  return { host, liveId, product: p, hostSocket, offer };
}

export const joinGroup = (b: Bidder, liveId: string, offerId: string, groupId?: string, ref?: string) =>
  call<GroupBuyJoinResult>(b.socket, 'groupbuy:join', {
    liveId,
    offerId,
    ...(groupId ? { groupId } : {}),
    ...(ref ? { ref } : {}),
  });

/** Pays a member's hold and waits until the provider's webhook made it `paid`. */
export async function payHold(s: TestServer, b: Bidder, liveId: string, reservationId: string) {
  const r = await pay(s, b.auth.token, liveId, reservationId);
  if (r.status !== 202) throw new Error(`pay failed: ${r.status} ${r.text}`);
  await waitFor(
    async () => (await holdStatus(s, liveId, reservationId)) === 'paid',
    20_000,
    `hold ${reservationId} paid`,
  );
  return r.body.paymentId;
}

export async function holdStatus(s: TestServer, liveId: string, reservationId: string) {
  const { redis, keys } = s.built.deps;
  const raw = await redis.hget(keys.reservations(liveId), reservationId);
  return raw ? (JSON.parse(raw) as { status: string }).status : undefined;
}

/** The job worker (`server/src/worker.ts`) in its own process, sharing `env` with an in-test node. */
export async function spawnWorker(env: Record<string, string>) {
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/src/worker.ts'], {
    env: { ...process.env, MEDIA_ENABLED: 'false', ...env, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    pid: child.pid!,
    /** SIGKILL: a crash — no shutdown code runs. */
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

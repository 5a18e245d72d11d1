import type { JoinResult } from '@lc/contracts/room.schema';
import { afterEach, describe, expect, it } from 'vitest';
import {
  call,
  connect,
  guest,
  hostWithLive,
  sharedEnv,
  spawnNode,
  startServer,
  type TestClient,
  type TestServer,
  waitFor,
} from '../../../test/server';

// Fast heartbeats so a dead node is swept within a second or two.
const FAST = { NODE_HEARTBEAT_MS: '200', NODE_DEAD_AFTER_MS: '600' };
const open: Array<{ close(): unknown }> = [];
afterEach(async () => {
  for (const c of open.splice(0).reverse()) await c.close();
});

async function viewers(s: Pick<TestServer, 'url'>, tokenOf: TestServer, liveId: string, n: number) {
  const users = await Promise.all(Array.from({ length: n }, (_, i) => guest(tokenOf, `v${i}`)));
  const sockets: TestClient[] = [];
  // Batches: a few dozen handshakes at a time hold up on a loaded machine.
  for (let i = 0; i < users.length; i += 25) {
    const batch = await Promise.all(users.slice(i, i + 25).map((u) => connect(s, u.token)));
    for (const socket of batch) {
      const joined = await call<JoinResult>(socket, 'live:join', { liveId });
      if (!joined.ok) throw new Error(`join failed: ${JSON.stringify(joined)}`);
    }
    sockets.push(...batch);
  }
  open.push({
    close: () => {
      for (const x of sockets) x.close();
    },
  });
  return { users, sockets };
}

const online = (s: TestServer, liveId: string) => s.built.deps.presence.get(liveId).then((p) => p.online);

describe('crashed-node sweep', () => {
  it('takes a SIGKILLed node’s 100 viewers out of the online count, once, and closes their watch time at its last heartbeat', async () => {
    const a = await startServer({ ledger: 'postgres', env: FAST });
    open.push(a);
    const b = await spawnNode({ ...sharedEnv(a), REDIS_URL: a.env.REDIS_URL!, NODE_ENV: 'test', ...FAST });
    open.push({ close: () => b.stop() });
    const { liveId } = await hostWithLive(a);
    await viewers(a, a, liveId, 5);
    await viewers(b, a, liveId, 99);
    // One more viewer on B, timed alone: its watch session starts between t0 and t1.
    const t0 = Date.now();
    const timed = await viewers(b, a, liveId, 1);
    const t1 = Date.now();
    await waitFor(async () => (await online(a, liveId)) === 105, 20_000, '105 online');
    const { redis, keys } = a.built.deps;
    expect(Object.keys(await redis.hgetall(keys.nodes))).toHaveLength(2);

    // A heartbeat of node B after the timed join, so that viewer watched for a while before B's last beat.
    const bId = (await redis.hkeys(keys.nodes)).find((id) => id !== a.built.config.NODE_ID)!;
    await waitFor(async () => Number(await redis.hget(keys.nodes, bId)) > t1 + 250, 10_000, 'a later beat');
    const killedAt = Date.now();
    await b.kill();
    const lastBeat = Number(/(\d+)$/.exec((await redis.hget(keys.nodes, bId)) ?? '')?.[1]);
    await waitFor(async () => (await online(a, liveId)) === 5, 20_000, 'online back to the 5 on node A');
    // Exactly once: 100 leaves recorded, the dead node unlisted, its rooms and per-room connections gone.
    await waitFor(async () => !(await redis.hexists(keys.nodes, bId)), 10_000, 'node B unlisted');
    expect(await leavesRecently(a, liveId)).toBe(100);
    expect(Object.keys(await redis.hgetall(keys.nodes))).toEqual([a.built.config.NODE_ID]);
    expect(await redis.exists(keys.nodeRooms(bId))).toBe(0);
    expect(Object.keys(await redis.hgetall(keys.conns(liveId)))).toHaveLength(5);
    // Watch sessions of node B's viewers ended at its last heartbeat (before the kill, not at the sweep ≥ 600 ms
    // after it), and stay closed.
    const viewer = timed.users[0]!.user.id;
    const watched = await a.built.deps.presence.watchedMs(liveId, viewer);
    expect(await redis.hget(keys.watchSince(liveId), viewer)).toBeNull();
    expect(watched).toBeGreaterThanOrEqual(lastBeat - t1);
    expect(watched).toBeLessThanOrEqual(lastBeat - t0);
    expect(lastBeat).toBeLessThanOrEqual(killedAt);
    await new Promise((r) => setTimeout(r, 300));
    expect(await a.built.deps.presence.watchedMs(liveId, viewer)).toBe(watched);
  }, 120_000);

  it('records the connections of a node swept while stalled again, counted once', async () => {
    const a = await startServer({ ledger: 'postgres', env: FAST });
    open.push(a);
    const b = await startServer({ env: { ...sharedEnv(a), ...FAST } });
    open.push(b);
    const { liveId } = await hostWithLive(a);
    await viewers(a, a, liveId, 3);
    const onB = await viewers(b, a, liveId, 7);
    await waitFor(async () => (await online(a, liveId)) === 10, 10_000, '10 online');

    // Node B stalls (no heartbeat): node A sweeps it while its sockets are still connected.
    b.built.deps.nodes.stop();
    await waitFor(async () => (await online(a, liveId)) === 3, 10_000, 'node B swept');
    // It wakes up: its next beat learns it was swept, and it records its 7 connections again.
    await b.built.deps.nodes.start();
    await waitFor(async () => (await online(a, liveId)) === 10, 10_000, 'node B repaired');
    const conns = await a.built.deps.redis.hgetall(a.built.deps.keys.conns(liveId));
    expect(Object.values(conns).every((n) => n === '1')).toBe(true);
    expect(Object.keys(conns)).toHaveLength(10);
    // Its viewers leaving now counts each once; nothing is left behind.
    for (const s of onB.sockets) s.close();
    await waitFor(async () => (await online(a, liveId)) === 3, 10_000, 'B viewers left');
    expect(Object.keys(await a.built.deps.redis.hgetall(a.built.deps.keys.conns(liveId)))).toHaveLength(3);
  });

  it('lets one of two survivors sweep a dead node; the other finds nothing to do', async () => {
    const a = await startServer({
      ledger: 'postgres',
      env: { NODE_HEARTBEAT_MS: '60000', NODE_DEAD_AFTER_MS: '60001' },
    });
    open.push(a);
    const env = { ...sharedEnv(a), NODE_HEARTBEAT_MS: '60000', NODE_DEAD_AFTER_MS: '60001' };
    const c = await startServer({ env });
    open.push(c);
    const b = await startServer({ env });
    const { liveId } = await hostWithLive(a);
    const onB = await viewers(b, a, liveId, 4);
    await waitFor(async () => (await online(a, liveId)) === 4, 10_000, '4 online');
    // Node B "dies": its heartbeat stops and its entry is older than any dead-after.
    b.built.deps.nodes.stop();
    const { redis, keys } = a.built.deps;
    await redis.hset(keys.nodes, b.built.config.NODE_ID, String(Date.now() - 120_000));
    const [sa, sc] = await Promise.all([a.built.deps.nodes.sweep(), c.built.deps.nodes.sweep()]);
    expect(sa + sc).toBe(1);
    expect(await online(a, liveId)).toBe(0);
    expect(await leavesRecently(a, liveId)).toBe(4);
    expect(await redis.hexists(keys.nodes, b.built.config.NODE_ID)).toBe(0);
    for (const s of onB.sockets) s.close();
    await b.close();
  });
});

/** Leaves recorded over the last minute (presence keeps per-second buckets summed over a rolling minute). */
async function leavesRecently(s: TestServer, liveId: string): Promise<number> {
  return (await s.built.deps.presence.get(liveId)).leavesLastMinute;
}

import type { AuthResponse } from '@lc/contracts/auth.schema';
import type { Coupon } from '@lc/contracts/commerce.schema';
import type { InviteLink, InviteProgress, InvitesSnapshot } from '@lc/contracts/invite.schema';
import type { JoinResult } from '@lc/contracts/room.schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  connect,
  guest,
  hostWithLive,
  http,
  sharedEnv,
  startServer,
  type TestServer,
  waitFor,
} from '../../../../test/server';

const join = async (s: TestServer, auth: AuthResponse, liveId: string, ref?: string) => {
  const socket = await connect(s, auth.token);
  const r = await call<JoinResult>(socket, 'live:join', ref ? { liveId, ref } : { liveId });
  if (!r.ok) throw new Error(`join failed: ${JSON.stringify(r.error)}`);
  return { socket, result: r.data };
};

describe('invites across two nodes (PostgreSQL ledger)', () => {
  let a: TestServer;
  let b: TestServer;
  beforeAll(async () => {
    a = await startServer({ ledger: 'postgres' });
    b = await startServer({ env: sharedEnv(a) });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('counts 12 distinct invitees once each (not repeats, not self, not the same device) and rewards once', async () => {
    const { host, liveId } = await hostWithLive(a);
    const coupon = await http<Coupon>(
      a,
      'POST',
      `/api/lives/${liveId}/coupons`,
      { kind: 'amount_off', title: '助力券', currency: 'CNY', amountOff: 500, minSpend: 0, quota: 100 },
      host.token,
    );
    expect(coupon.status).toBe(201);
    const hostSide = await join(a, host, liveId);
    // A viewer cannot set the campaign; a missing coupon is refused.
    const sharer = await guest(a, 'sharer');
    const sharerSide = await join(a, sharer, liveId);
    expect(
      await call(sharerSide.socket, 'invite:campaign', { liveId, goal: 10, couponId: coupon.body.id }),
    ).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await call(sharerSide.socket, 'invite:create', { liveId })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });
    expect(
      await call(hostSide.socket, 'invite:campaign', {
        liveId,
        goal: 10,
        couponId: '00000000-0000-4000-8000-000000000000',
      }),
    ).toMatchObject({ ok: false, error: { code: 'COUPON_NOT_FOUND' } });
    expect(
      await call(hostSide.socket, 'invite:campaign', { liveId, goal: 10, couponId: coupon.body.id }),
    ).toMatchObject({ ok: true, data: { campaign: { goal: 10 } } });

    const progress: InviteProgress[] = [];
    sharerSide.socket.on('invite:progress', (p) => progress.push(p));
    const link = await call<InviteLink>(sharerSide.socket, 'invite:create', { liveId });
    if (!link.ok) throw new Error('no link');
    const { ref } = link.data;
    expect(link.data).toMatchObject({ progress: 0, goal: 10 });
    // A forged ref (another sharer id under this signature) counts for nobody.
    const forged = ref.replace(sharer.user.id, host.user.id);

    const invitees = await Promise.all(Array.from({ length: 12 }, (_, i) => guest(a, `invitee${i}`)));
    const sameDevice = await http<AuthResponse>(a, 'POST', '/api/auth/guest', {
      displayName: 'twin',
      deviceId: sharer.deviceId,
    });
    const sockets = await Promise.all([
      // 12 distinct invitees, half on each node, all at once.
      ...invitees.map((inv, i) => join(i % 2 ? b : a, inv, liveId, ref)),
      // 3 repeats (invitees joining again on another tab and node), the self-invite, the sharer's device,
      // the forged link.
      ...invitees.slice(0, 3).map((inv, i) => join(i % 2 ? a : b, inv, liveId, ref)),
      join(b, sharer, liveId, ref),
      join(b, sameDevice.body, liveId, ref),
      join(a, await guest(a, 'forged'), liveId, forged),
    ]);

    await waitFor(() => progress.length === 12, 10_000, '12 progress notices');
    await new Promise((r) => setTimeout(r, 500));
    expect(progress.map((p) => p.count).sort((x, y) => x - y)).toEqual(
      Array.from({ length: 12 }, (_, i) => i + 1),
    );
    const rewards = progress.filter((p) => p.reward);
    expect(rewards).toEqual([
      expect.objectContaining({ count: 10, reward: { couponId: coupon.body.id, claimNo: 1 } }),
    ]);
    const { redis, keys } = b.built.deps;
    expect(await redis.hgetall(keys.inviteProgress(liveId))).toEqual({ [sharer.user.id]: '12' });
    expect(await redis.hget(keys.couponClaims(liveId), `${coupon.body.id}:${sharer.user.id}`)).toBe('1');
    const { rows } = await a.built.deps.db.query<{ user_id: string; claim_no: number }>(
      'SELECT user_id, claim_no FROM coupon_claims WHERE coupon_id = $1',
      [coupon.body.id],
    );
    expect(rows).toEqual([{ user_id: sharer.user.id, claim_no: 1 }]);
    // The sharer's snapshot shows the progress; the coupon is theirs to use.
    const again = await join(b, sharer, liveId);
    const snap = again.result.mode === 'snapshot' ? again.result.snapshot : undefined;
    expect(snap?.features.invites as InvitesSnapshot).toEqual({
      campaign: { goal: 10, couponId: coupon.body.id },
      mine: { count: 12, rewardClaimNo: 1 },
    });
    expect(snap?.features.commerce).toMatchObject({
      coupons: [expect.objectContaining({ id: coupon.body.id })],
    });
    for (const x of [...sockets, hostSide, sharerSide, again]) x.socket.close();
  }, 60_000);
});

/** What the lottery storm asks of the project server: a coupon to give away, lotteries, the draw and its audit. */
import type { Lottery } from '@lc/contracts/lottery.schema';
import type { RoomClient } from '../realtime/room-client';

export const KEYWORD = '抽奖GO';

/** The user id (`sub`) inside a token the server issued (read, not verified: the server already did). */
export function userIdOf(token: string): string {
  const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
    sub?: string;
  };
  if (!payload.sub) throw new Error('token without a subject');
  return payload.sub;
}

async function rest<T>(
  url: string,
  method: string,
  path: string,
  token?: string,
  body?: unknown,
): Promise<T> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 200)}`);
  return JSON.parse(text) as T;
}

/** The prize: a coupon of the live (the host issues it). */
export async function giveawayCoupon(url: string, liveId: string, hostToken: string): Promise<string> {
  const c = await rest<{ id: string }>(url, 'POST', `/api/lives/${liveId}/coupons`, hostToken, {
    kind: 'amount_off',
    amountOff: 1000,
    title: 'Lottery prize',
    currency: 'CNY',
    quota: 1000,
  });
  return c.id;
}

export async function createLottery(
  host: RoomClient,
  liveId: string,
  couponId: string,
  winners: number,
  keyword: boolean,
): Promise<Lottery> {
  const r = await host.call<{ lottery: Lottery }>(
    'lottery:create',
    {
      liveId,
      title: keyword ? 'Keyword giveaway' : 'Giveaway',
      prize: { kind: 'coupon', couponId },
      winners,
      durationSec: 3600,
      rules: keyword ? { keyword: KEYWORD } : {},
    },
    30_000,
  );
  if (!r.ok) throw new Error(`lottery:create failed: ${r.error.code} ${r.error.message}`);
  return r.data.lottery;
}

/** The host draws now; returns the public audit record (raw JSON, as anyone would fetch it). */
export async function drawAndAudit(host: RoomClient, url: string, liveId: string, lotteryId: string) {
  const r = await host.call<{ lottery: Lottery }>('lottery:draw', { liveId, lotteryId }, 60_000);
  if (!r.ok) throw new Error(`lottery:draw failed: ${r.error.code} ${r.error.message}`);
  return rest<unknown>(url, 'GET', `/api/lives/${liveId}/lotteries/${lotteryId}/audit`);
}

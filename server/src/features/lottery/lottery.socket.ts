/** Socket commands of lotteries: create and draw (host), enter (joined sockets), claim and my prizes (any user). */

import { LotteryClaimPayload, LotteryCreatePayload, LotteryRefPayload } from '@lc/contracts/lottery.schema';
import { z } from 'zod';
import { defineHandler } from '../../realtime/define-handler';
import { requireJoined } from '../comments/comments.socket';
import type { LotteryService } from './lottery.service';
import type { LotteryClaims } from './lottery-claims';

export function lotterySocketHandlers(deps: { lottery: LotteryService; claims: LotteryClaims }) {
  const { lottery, claims } = deps;
  return [
    defineHandler({
      event: 'lottery:create',
      schema: LotteryCreatePayload,
      roles: ['host'],
      run: ({ socket }, p) => lottery.create(socket.data.user, p),
    }),
    defineHandler({
      event: 'lottery:enter',
      schema: LotteryRefPayload,
      async run({ socket }, { liveId, lotteryId }) {
        requireJoined(socket, liveId);
        return lottery.enter(socket.data.user, liveId, lotteryId);
      },
    }),
    defineHandler({
      event: 'lottery:draw',
      schema: LotteryRefPayload,
      roles: ['host'],
      run: (_ctx, { liveId, lotteryId }) => lottery.drawNow(liveId, lotteryId),
    }),
    // NOTE: no role and no join: a winner claims after the live ended, from any page.
    defineHandler({
      event: 'lottery:claim',
      schema: LotteryClaimPayload,
      run: ({ socket }, p) => claims.claim(socket.data.user, p.liveId, p.lotteryId, p.shipping),
    }),
    defineHandler({
      event: 'lottery:prizes',
      // NOTE: live-scoped like every command (GET /api/me/prizes lists every live's).
      schema: z.object({ liveId: z.string().uuid() }).strict(),
      run: async ({ socket }, { liveId }) => {
        const { prizes } = await claims.mine(socket.data.user);
        return { prizes: prizes.filter((p) => p.liveId === liveId) };
      },
    }),
  ];
}

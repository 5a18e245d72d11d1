/** Socket commands of lotteries: create and draw (host), enter (joined sockets). */
import { LotteryCreatePayload, LotteryRefPayload } from '../../contracts/lottery.schema';
import { defineHandler } from '../../realtime/define-handler';
import { requireJoined } from '../comments/comments.socket';
import type { LotteryService } from './lottery.service';

export function lotterySocketHandlers(deps: { lottery: LotteryService }) {
  const { lottery } = deps;
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
  ];
}

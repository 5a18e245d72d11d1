/** Socket commands for likes: batched taps (joined sockets) and like goals (host). */
import { LikeGoalAddPayload, LikeGoalRemovePayload, LikeTapPayload } from '@lc/contracts/likes.schema';
import { defineHandler } from '../../realtime/define-handler';
import { requireJoined } from '../comments/comments.socket';
import type { LikesService } from './likes.service';

export function likesSocketHandlers(deps: { likes: LikesService }) {
  const { likes } = deps;
  return [
    defineHandler({
      event: 'like:tap',
      schema: LikeTapPayload,
      async run({ socket }, { liveId, count }) {
        requireJoined(socket, liveId);
        return likes.tap(socket.data.user, liveId, count);
      },
    }),
    defineHandler({
      event: 'like:goal:add',
      schema: LikeGoalAddPayload,
      roles: ['host'],
      run: async (_ctx, { liveId, threshold, label }) => ({
        goal: await likes.addGoal(liveId, threshold, label),
      }),
    }),
    defineHandler({
      event: 'like:goal:remove',
      schema: LikeGoalRemovePayload,
      roles: ['host'],
      run: (_ctx, { liveId, goalId }) => likes.removeGoal(liveId, goalId),
    }),
  ];
}

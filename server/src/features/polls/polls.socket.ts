/** Socket commands of polls: create and close (host), vote (joined sockets). */
import { PollClosePayload, PollCreatePayload, PollVotePayload } from '@lc/contracts/poll.schema';
import { defineHandler } from '../../realtime/define-handler';
import { requireJoined } from '../comments/comments.socket';
import type { PollsService } from './polls.service';

export function pollsSocketHandlers(deps: { polls: PollsService }) {
  const { polls } = deps;
  return [
    defineHandler({
      event: 'poll:create',
      schema: PollCreatePayload,
      roles: ['host'],
      run: ({ socket }, { liveId, ...p }) => polls.create(socket.data.user, liveId, p),
    }),
    defineHandler({
      event: 'poll:vote',
      schema: PollVotePayload,
      async run({ socket }, { liveId, pollId, option }) {
        requireJoined(socket, liveId);
        return polls.vote(socket.data.user, liveId, pollId, option);
      },
    }),
    defineHandler({
      event: 'poll:close',
      schema: PollClosePayload,
      roles: ['host'],
      run: (_ctx, { liveId, pollId }) => polls.closeNow(liveId, pollId),
    }),
  ];
}

/** Socket commands of Q&A: ask and upvote (joined sockets), moderate (host, moderators). */
import {
  QaModeratePayload,
  QaVotePayload,
  QUESTION_MAX_CHARS_DEFAULT,
  qaAskPayload,
} from '@lc/contracts/qa.schema';
import { defineHandler } from '../../realtime/define-handler';
import { requireJoined } from '../comments/comments.socket';
import type { QaService } from './qa.service';

export function qaSocketHandlers(deps: { qa: QaService; maxChars?: number }) {
  const { qa } = deps;
  return [
    defineHandler({
      event: 'qa:ask',
      schema: qaAskPayload(deps.maxChars ?? QUESTION_MAX_CHARS_DEFAULT),
      async run({ socket }, { liveId, text }) {
        requireJoined(socket, liveId);
        return { question: await qa.ask(socket.data.user, liveId, text) };
      },
    }),
    defineHandler({
      event: 'qa:vote',
      schema: QaVotePayload,
      async run({ socket }, { liveId, questionId }) {
        requireJoined(socket, liveId);
        return qa.vote(socket.data.user, liveId, questionId);
      },
    }),
    defineHandler({
      event: 'qa:moderate',
      schema: QaModeratePayload,
      roles: ['host', 'moderator'],
      run: (_ctx, { liveId, questionId, action }) => qa.moderate(liveId, questionId, action),
    }),
  ];
}

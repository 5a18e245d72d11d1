/** Socket commands of the comments feature: send (joined sockets), delete, review, chat settings (staff). */
import {
  ChatSettingsPayload,
  COMMENT_MAX_CHARS_DEFAULT,
  commentSendPayload,
} from '@lc/contracts/comment.schema';
import { AppError } from '@lc/contracts/errors';
import { CommentRefPayload, ReviewPayload } from '@lc/contracts/moderation.schema';
import { defineHandler } from '../../realtime/define-handler';
import type { AppSocket } from '../../realtime/types';
import type { CommentReview } from './comment-review.service';
import type { CommentsService } from './comments.service';

const STAFF = ['host', 'moderator'] as const;

/** Interaction commands need the socket in the room (joined, so bans and roles were checked). */
export function requireJoined(socket: AppSocket, liveId: string): void {
  if (!socket.data.joined.has(liveId)) throw new AppError('NOT_JOINED', 'join the live first');
}

export function commentsSocketHandlers(deps: {
  comments: CommentsService;
  review: CommentReview;
  maxChars?: number;
}) {
  const { comments, review } = deps;
  return [
    defineHandler({
      event: 'comment:send',
      schema: commentSendPayload(deps.maxChars ?? COMMENT_MAX_CHARS_DEFAULT),
      roles: ['viewer', 'moderator', 'host'],
      async run({ socket, role }, { liveId, text }) {
        requireJoined(socket, liveId);
        return comments.send(socket.data.user, role!, liveId, text);
      },
    }),
    defineHandler({
      event: 'comment:delete',
      schema: CommentRefPayload,
      roles: STAFF,
      run: ({ socket }, { liveId, commentId }) => review.remove(socket.data.user, liveId, commentId),
    }),
    defineHandler({
      event: 'comment:review',
      schema: ReviewPayload,
      roles: STAFF,
      run: ({ socket }, { liveId, commentId, approve }) =>
        review.review(socket.data.user, liveId, commentId, approve),
    }),
    defineHandler({
      event: 'chat:settings',
      schema: ChatSettingsPayload,
      roles: STAFF,
      run: ({ socket }, payload) => review.setSettings(socket.data.user, payload),
    }),
  ];
}

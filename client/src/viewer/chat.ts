/** Chat: the comment form (own comments appear from the ack at once; staff badges come from room-view). */
import type { CommentSendResult } from '../../../server/src/contracts/comment.schema';
import { $ } from '../dom';
import { t } from '../i18n';
import { showOwnComment } from '../room-view';
import { errorText, type Panel, type ViewerCtx } from './panel';

export function chatPanel(ctx: ViewerCtx, onSent: (text: string) => void): Panel {
  const input = $<HTMLInputElement>('#comment-text');
  const error = $('#comment-error');
  $<HTMLFormElement>('#comment-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const text = input.value;
    try {
      const res = await ctx.client.command<CommentSendResult>('comment:send', { liveId: ctx.liveId, text });
      showOwnComment(res.comment);
      input.value = '';
      error.textContent = res.status === 'held' ? t('chat.held') : '';
      onSent(text);
    } catch (err) {
      error.textContent = errorText(err);
    }
  });
  return {};
}

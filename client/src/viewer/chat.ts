/**
 * Chat: the comment form (own comments appear from the ack at once; staff badges come from room-view), and for a
 * viewer appointed moderator (snapshot role or `room:role`) a Delete button on each comment (`comment:delete`).
 */
import type { CommentSendResult } from '@lc/contracts/comment.schema';
import type { Role } from '@lc/contracts/ids';
import { $, el } from '../dom';
import { t } from '../i18n';
import { showOwnComment } from '../room-view';
import { errorText, type Panel, type ViewerCtx } from './panel';

export function chatPanel(ctx: ViewerCtx, onSent: (text: string) => void): Panel {
  const input = $<HTMLInputElement>('#comment-text');
  const error = $('#comment-error');
  const list = $('#events');
  let role: Role = 'viewer';

  /** Staff get a Delete button on every comment (added once per list item). */
  function decorate() {
    const staff = role === 'host' || role === 'moderator';
    document.body.dataset.role = role;
    for (const li of list.querySelectorAll<HTMLElement>('li[data-comment-id]')) {
      const existing = li.querySelector('button.delete');
      if (!staff) {
        existing?.remove();
        continue;
      }
      if (existing) continue;
      const id = li.dataset.commentId!;
      const del = el('button', { type: 'button', class: 'delete' }, t('chat.delete'));
      del.setAttribute('aria-label', t('chat.deleteLabel', { text: li.textContent ?? '' }));
      del.addEventListener('click', async () => {
        try {
          await ctx.client.command('comment:delete', { liveId: ctx.liveId, commentId: id });
          li.remove();
        } catch (err) {
          error.textContent = errorText(err);
        }
      });
      li.append(' ', del);
    }
  }

  $<HTMLFormElement>('#comment-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const text = input.value;
    try {
      const res = await ctx.client.command<CommentSendResult>('comment:send', { liveId: ctx.liveId, text });
      showOwnComment(res.comment);
      input.value = '';
      error.textContent = res.status === 'held' ? t('chat.held') : '';
      onSent(text);
      decorate();
    } catch (err) {
      error.textContent = errorText(err);
    }
  });
  return {
    snapshot(s) {
      role = s.role;
      decorate();
    },
    event(e) {
      if (e.type === 'comment:new') decorate();
    },
    fact(f) {
      if (f.name !== 'room:role') return;
      role = f.payload.role;
      decorate();
    },
  };
}

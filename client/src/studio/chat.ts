/**
 * Chat moderation: the room's comments with per-author actions (delete, mute, ban, shadow-ban) and the review
 * queue of comments held by a `hold` keyword list (approve / reject). Comment text is rendered as text only.
 */
import type { Comment, CommentsSnapshot } from '@lc/contracts/comment.schema';
import type { RoomEvent, RoomSnapshot } from '@lc/contracts/room.schema';
import { el } from '../dom';
import { t } from '../i18n';
import { button, errorLine, field, hostOnly, type Panel, type StudioCtx, section, select, tr } from './ui';

const MAX_ROWS = 200;

export function chatPanel(ctx: StudioCtx, mount: HTMLElement): Panel {
  const { client, liveId } = ctx;
  const list = el('ol', { id: 'chat', class: 'chat', 'aria-labelledby': 'chat-panel-title', tabindex: '0' });
  const heldList = el('ol', { id: 'held', class: 'chat' });
  const muteFor = select('mute-for', [
    ['60', 'chat.mute.1m'],
    ['600', 'chat.mute.10m'],
    ['3600', 'chat.mute.1h'],
    ['86400', 'chat.mute.1d'],
  ]);
  muteFor.value = '600';
  const err = errorLine('chat-error');
  mount.append(
    section(
      'chat-panel',
      'chat.title',
      el('div', { class: 'row' }, ...field('chat.muteFor', muteFor)),
      list,
      err.line,
      tr('h3', 'chat.held'),
      heldList,
      tr('p', 'chat.heldNone', { id: 'held-empty', class: 'muted' }),
    ),
  );

  const author = (c: Comment) =>
    el(
      'span',
      { class: 'author' },
      c.by.role !== 'viewer' ? el('span', { class: `badge ${c.by.role}` }, t(`role.${c.by.role}`)) : '',
      // Fan level with this host (growth loop); the strings live with the room view's badges.
      c.by.level && c.by.level !== 'normal'
        ? el('span', { class: 'badge badge-fan', 'data-level': c.by.level }, t(`room.level.${c.by.level}`))
        : '',
      c.by.name,
    );
  const action = (key: string, fn: () => Promise<unknown>) => {
    const b = button(key);
    b.onclick = () => err.run(fn);
    return b;
  };

  const row = (c: Comment) => {
    ctx.names.set(c.by.id, c.by.name);
    const li = el(
      'li',
      { 'data-comment-id': c.id, 'data-user-id': c.by.id },
      author(c),
      ': ',
      el('span', { class: 'text' }, c.text),
      ' ',
    );
    const actions = el('span', { class: 'actions' });
    actions.append(
      action('chat.delete', () => client.command('comment:delete', { liveId, commentId: c.id })),
    );
    if (c.by.role === 'viewer') {
      const uid = c.by.id;
      actions.append(
        action('chat.muteUser', () =>
          client.command('mod:mute', { liveId, userId: uid, durationSec: Number(muteFor.value) }),
        ),
        action('chat.ban', () => client.command('mod:ban', { liveId, userId: uid })),
        action('chat.shadow', () => client.command('mod:shadow', { liveId, userId: uid, on: true })),
        hostOnly(action('chat.appoint', () => client.command('mod:appoint', { liveId, userId: uid }))),
      );
    }
    li.append(actions, ' ', el('time', { class: 'muted' }, new Date(c.at).toLocaleTimeString()));
    return li;
  };
  const add = (c: Comment & { deleted?: boolean }) => {
    if (c.deleted || list.querySelector(`[data-comment-id="${CSS.escape(c.id)}"]`)) return;
    list.append(row(c));
    while (list.children.length > MAX_ROWS) list.firstElementChild?.remove();
    list.scrollTop = list.scrollHeight;
  };
  const syncHeldEmpty = () => {
    (document.getElementById('held-empty') as HTMLElement).hidden = heldList.children.length > 0;
  };
  const addHeld = (c: Comment) => {
    if (heldList.querySelector(`[data-comment-id="${CSS.escape(c.id)}"]`)) return;
    const li = el(
      'li',
      { 'data-comment-id': c.id },
      author(c),
      ': ',
      el('span', { class: 'text' }, c.text),
      ' ',
    );
    const review = (approve: boolean) => async () => {
      await client.command('comment:review', { liveId, commentId: c.id, approve });
      li.remove();
      syncHeldEmpty();
    };
    li.append(action('chat.approve', review(true)), action('chat.reject', review(false)));
    heldList.append(li);
    syncHeldEmpty();
  };

  return {
    onSnapshot(s: RoomSnapshot) {
      const cs = s.features.comments as CommentsSnapshot | undefined;
      list.replaceChildren();
      heldList.replaceChildren();
      for (const c of cs?.recent ?? []) add(c);
      for (const c of cs?.held ?? []) addHeld(c);
      syncHeldEmpty();
    },
    onEvent(e: RoomEvent) {
      if (e.type === 'comment:new') add(e.data as Comment);
      if (e.type === 'comment:deleted') {
        const id = (e.data as { id: string }).id;
        list.querySelector(`[data-comment-id="${CSS.escape(id)}"]`)?.remove();
      }
    },
    onFact(f) {
      if (f.name === 'comment:held') addHeld(f.payload.comment);
    },
    onLang() {
      for (const b of mount.querySelectorAll<HTMLElement>('#chat .badge, #held .badge')) {
        const role = [...b.classList].find((c) => c !== 'badge');
        if (role) b.textContent = t(`role.${role}`);
      }
    },
  };
}

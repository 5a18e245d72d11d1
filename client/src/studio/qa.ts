/** Q&A board: viewers' questions sorted by votes or time; answer, pin / unpin, dismiss / reopen (`qa:moderate`). */
import type { QaSnapshot, Question } from '@lc/contracts/qa.schema';
import type { RoomEvent, RoomSnapshot } from '@lc/contracts/room.schema';
import { el } from '../dom';
import { t } from '../i18n';
import { button, errorLine, field, keepFocus, type Panel, type StudioCtx, section, select } from './ui';

export function qaPanel(ctx: StudioCtx, mount: HTMLElement): Panel {
  const questions = new Map<string, Question>();
  const list = el('ol', { id: 'questions', class: 'items' });
  const err = errorLine('qa-error');
  const sort = select('qa-sort', [
    ['votes', 'qa.sort.votes'],
    ['time', 'qa.sort.time'],
  ]);
  const showDismissed = el('input', { id: 'qa-dismissed', type: 'checkbox' });
  mount.append(
    section(
      'qa-panel',
      'qa.title',
      el('div', { class: 'row' }, ...field('qa.sort', sort), ...field('qa.showDismissed', showDismissed)),
      err.line,
      list,
    ),
  );

  const moderate = (q: Question, action: string) =>
    err.run(() => ctx.client.command('qa:moderate', { liveId: ctx.liveId, questionId: q.id, action }));
  const act = (key: string, q: Question, action: string) => {
    const b = button(key);
    b.onclick = () => moderate(q, action);
    return b;
  };
  const render = () => {
    const items = [...questions.values()]
      .filter((q) => showDismissed.checked || q.status !== 'dismissed')
      .sort(
        (a, b) =>
          Number(b.pinned) - Number(a.pinned) ||
          (sort.value === 'votes' ? b.votes - a.votes || a.at - b.at : b.at - a.at),
      );
    keepFocus(list, () =>
      list.replaceChildren(
        ...items.map((q) =>
          el(
            'li',
            { 'data-question-id': q.id, 'data-status': q.status, ...(q.pinned ? { class: 'pinned' } : {}) },
            el('span', { class: 'votes', title: t('qa.votes') }, `▲ ${q.votes}`),
            ' ',
            el('b', {}, q.by.name),
            ': ',
            el('span', { class: 'text' }, q.text),
            ' ',
            el(
              'span',
              { class: 'muted' },
              `${t(`qa.status.${q.status}`)}${q.pinned ? ` · ${t('qa.pinned')}` : ''}`,
            ),
            ' ',
            q.status === 'open' ? act('qa.answer', q, 'answer') : '',
            q.pinned ? act('qa.unpin', q, 'unpin') : act('qa.pin', q, 'pin'),
            q.status === 'dismissed' ? act('qa.reopen', q, 'reopen') : act('qa.dismiss', q, 'dismiss'),
          ),
        ),
      ),
    );
  };
  sort.onchange = render;
  showDismissed.onchange = render;

  return {
    onSnapshot(s: RoomSnapshot) {
      questions.clear();
      for (const q of (s.features.qa as QaSnapshot | undefined)?.questions ?? []) questions.set(q.id, q);
      render();
    },
    onEvent(e: RoomEvent) {
      if (e.type === 'qa:asked' || e.type === 'qa:updated') {
        const q = e.data as Question;
        questions.set(q.id, q);
        ctx.names.set(q.by.id, q.by.name);
        if (q.pinned) for (const o of questions.values()) if (o.id !== q.id) o.pinned = false;
      } else if (e.type === 'qa:votes') {
        for (const [id, votes] of Object.entries((e.data as { votes: Record<string, number> }).votes)) {
          const q = questions.get(id);
          if (q) q.votes = votes;
        }
      } else return;
      render();
    },
    onLang: render,
  };
}

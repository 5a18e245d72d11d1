/** Q&A: ask (`qa:ask`), toggle an upvote (`qa:vote`); pinned first, then by votes; dismissed ones hidden. */
import type { QaSnapshot, Question } from '@lc/contracts/qa.schema';
import { $, el } from '../dom';
import { t } from '../i18n';
import { QA_EVENT } from './events';
import { errorText, feature, type Panel, type ViewerCtx } from './panel';

export function qaPanel(ctx: ViewerCtx): Panel {
  const list = $('#qa-list');
  const input = $<HTMLInputElement>('#qa-text');
  const error = $('#qa-error');
  const questions = new Map<string, Question>();
  const mine = new Set<string>();

  $<HTMLFormElement>('#qa-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      const r = await ctx.client.command<{ question: Question }>('qa:ask', {
        liveId: ctx.liveId,
        text: input.value,
      });
      questions.set(r.question.id, r.question);
      input.value = '';
      error.textContent = '';
      render();
    } catch (err) {
      error.textContent = errorText(err);
    }
  });

  async function vote(q: Question) {
    try {
      const r = await ctx.client.command<{ voted: boolean; votes: number }>('qa:vote', {
        liveId: ctx.liveId,
        questionId: q.id,
      });
      q.votes = r.votes;
      if (r.voted) mine.add(q.id);
      else mine.delete(q.id);
      error.textContent = '';
    } catch (err) {
      error.textContent = errorText(err);
    }
    render();
  }

  function render() {
    const shown = [...questions.values()]
      .filter((q) => q.status !== 'dismissed')
      .sort((a, b) => Number(b.pinned) - Number(a.pinned) || b.votes - a.votes || a.at - b.at);
    if (!shown.length) {
      list.replaceChildren(el('li', { class: 'muted' }, t('qa.empty')));
      return;
    }
    // Keep keyboard focus on the same question's button across re-renders.
    const focused = (document.activeElement?.closest('[data-question-id]') as HTMLElement | null)?.dataset
      .questionId;
    list.replaceChildren(
      ...shown.map((q) => {
        const up = el('button', { type: 'button', class: 'upvote' }, t('qa.upvote', { n: q.votes }));
        up.setAttribute('aria-pressed', String(mine.has(q.id)));
        up.setAttribute('aria-label', t('qa.upvoteLabel', { text: q.text, n: q.votes }));
        up.addEventListener('click', () => void vote(q));
        return el(
          'li',
          { 'data-question-id': q.id, 'data-status': q.status },
          ...(q.pinned ? [el('span', { class: 'badge' }, t('qa.pinned')), ' '] : []),
          ...(q.status === 'answered'
            ? [el('span', { class: 'badge badge-ok' }, t('qa.answered')), ' ']
            : []),
          el('span', { class: 'q-text' }, q.text),
          ' ',
          el('span', { class: 'muted' }, `— ${q.by.name}`),
          ' ',
          up,
        );
      }),
    );
    if (focused)
      list.querySelector<HTMLElement>(`[data-question-id="${CSS.escape(focused)}"] button`)?.focus();
  }

  return {
    snapshot(s) {
      const snap = feature<QaSnapshot>(s, 'qa');
      questions.clear();
      mine.clear();
      for (const q of snap?.questions ?? []) questions.set(q.id, q);
      for (const id of snap?.myVotes ?? []) mine.add(id);
      render();
    },
    event(e) {
      if (e.type === QA_EVENT.asked || e.type === QA_EVENT.updated) {
        const q = e.data as Question;
        questions.set(q.id, q);
      } else if (e.type === QA_EVENT.votes) {
        for (const [id, n] of Object.entries((e.data as { votes: Record<string, number> }).votes)) {
          const q = questions.get(id);
          if (q) q.votes = n;
        }
      } else return;
      render();
    },
    relabel: render,
  };
}

/** Polls: vote once (`poll:vote`), live tallies from `poll:tally`, closes on the server clock. */
import type { Poll, PollSnapshot } from '@lc/contracts/poll.schema';
import { $, el } from '../dom';
import { t } from '../i18n';
import { POLL_EVENT } from './events';
import { countdown, errorText, feature, type Panel, type ViewerCtx } from './panel';

export function pollPanel(ctx: ViewerCtx): Panel {
  const section = $('#poll');
  let poll: Poll | null = null;
  let myVote: number | null = null;
  let error = '';

  const heading = el('h2', { id: 'poll-heading' });
  const question = el('p', { id: 'poll-question', class: 'product-title' });
  const options = el('ul', { id: 'poll-options', class: 'plain poll-options' });
  const foot = el('p', { id: 'poll-foot', class: 'muted' });
  const status = el('p', { class: 'error', role: 'alert' });
  section.append(heading, question, options, foot, status);

  async function vote(option: number) {
    if (!poll) return;
    try {
      await ctx.client.command('poll:vote', { liveId: ctx.liveId, pollId: poll.id, option });
      myVote = option;
      error = '';
    } catch (err) {
      error = errorText(err);
    }
    render();
  }

  function render() {
    section.hidden = !poll;
    if (!poll) return;
    const p = poll;
    const now = ctx.clock.now();
    const open = p.status === 'open' && now < p.closesAt;
    heading.textContent = t('poll.heading');
    question.textContent = p.question;
    section.dataset.status = open ? 'open' : 'closed';
    options.replaceChildren(
      ...p.options.map((text, i) => {
        const votes = p.tallies[i] ?? 0;
        const pct = p.total ? Math.round((votes / p.total) * 100) : 0;
        const button = el('button', { type: 'button', class: 'poll-option' }, text);
        button.disabled = !open || myVote !== null;
        button.setAttribute('aria-label', t('poll.voteLabel', { option: text }));
        if (myVote === i) button.setAttribute('aria-current', 'true');
        button.addEventListener('click', () => void vote(i));
        const bar = el('span', { class: 'bar', 'aria-hidden': 'true' });
        bar.style.width = `${pct}%`;
        return el(
          'li',
          { 'data-option': String(i) },
          button,
          ' ',
          el('span', { class: 'tally', 'data-votes': String(votes) }, `${votes} · ${pct}%`),
          bar,
        );
      }),
    );
    renderFoot();
    status.textContent = error;
  }

  function renderFoot() {
    if (!poll) return;
    const now = ctx.clock.now();
    foot.textContent =
      poll.status === 'open' && now < poll.closesAt
        ? `${t('poll.closesIn', { time: countdown(poll.closesAt - now) })} · ${t('poll.total', { total: poll.total })}`
        : t('poll.closed', { total: poll.total });
  }

  return {
    snapshot(s) {
      const snap = feature<PollSnapshot>(s, 'poll');
      poll = snap?.poll ?? null;
      myVote = snap?.myVote ?? null;
      render();
    },
    event(e) {
      if (e.type !== POLL_EVENT.opened && e.type !== POLL_EVENT.closed) return;
      const next = e.data as Poll;
      if (next.id !== poll?.id) {
        myVote = null;
        error = '';
      }
      poll = next;
      render();
    },
    fact(f) {
      if (f.name !== 'poll:tally' || !poll || f.payload.pollId !== poll.id) return;
      poll.tallies = f.payload.tallies;
      poll.total = f.payload.total;
      render();
    },
    // Only the footer moves between events (re-rendering the buttons would drop keyboard focus).
    tick() {
      if (!poll) return;
      const wasOpen = section.dataset.status === 'open';
      if (wasOpen && ctx.clock.now() >= poll.closesAt) render();
      else renderFoot();
    },
    relabel: render,
  };
}

/** Polls: open one (question, 2-6 options, duration on the server clock), watch live tallies, close it early. */
import type { Poll, PollSnapshot } from '@lc/contracts/poll.schema';
import type { RoomEvent, RoomSnapshot } from '@lc/contracts/room.schema';
import { el } from '../dom';
import { t } from '../i18n';
import {
  button,
  clockText,
  errorLine,
  field,
  input,
  keepFocus,
  num,
  type Panel,
  type StudioCtx,
  section,
  tr,
  val,
} from './ui';

export function pollsPanel(ctx: StudioCtx, mount: HTMLElement): Panel {
  let poll: Poll | null = null;
  const err = errorLine('poll-error');
  const options = el('textarea', { id: 'poll-options', name: 'poll-options', rows: '3', required: '' });
  const form = el(
    'form',
    { id: 'poll-form' },
    ...field('polls.question', input('poll-question', { required: '', maxlength: '200' })),
    ...field('polls.options', options),
    ...field(
      'polls.duration',
      input('poll-duration', { type: 'number', min: '5', max: '3600', value: '60' }),
    ),
    tr('button', 'polls.create', { type: 'submit' }),
  );
  const view = el('div', { id: 'poll-current', 'aria-live': 'polite' });
  mount.append(section('polls-panel', 'polls.title', form, err.line, view));

  form.onsubmit = (ev) => {
    ev.preventDefault();
    void err.run(async () => {
      const opts = options.value
        .split('\n')
        .map((o) => o.trim())
        .filter(Boolean);
      const r = await ctx.client.command<{ poll: Poll }>('poll:create', {
        liveId: ctx.liveId,
        question: val('poll-question'),
        options: opts,
        durationSec: num('poll-duration'),
      });
      set(r.poll);
      form.reset();
    });
  };

  const set = (p: Poll | null) => {
    // A late `poll:opened` must not reopen a poll we already saw closed.
    if (p && poll && p.id === poll.id && poll.status === 'closed' && p.status === 'open') return;
    poll = p;
    render();
  };
  const render = () => keepFocus(view, draw);
  const draw = () => {
    const p = poll;
    if (!p) {
      view.replaceChildren(tr('p', 'polls.none', { class: 'muted' }));
      return;
    }
    const close = button('polls.close', { id: 'poll-close' });
    close.disabled = p.status !== 'open';
    close.onclick = () =>
      err.run(async () => {
        const r = await ctx.client.command<{ poll: Poll }>('poll:close', {
          liveId: ctx.liveId,
          pollId: p.id,
        });
        set(r.poll);
      });
    const max = Math.max(1, p.total);
    view.replaceChildren(
      el('p', {}, el('b', {}, p.question), ` · ${t(`polls.status.${p.status}`)}`),
      el(
        'ul',
        { id: 'poll-tallies', class: 'tallies' },
        ...p.options.map((o, i) => {
          const n = p.tallies[i] ?? 0;
          const bar = el('meter', { min: '0', max: String(max), value: String(n), 'aria-label': o });
          return el('li', { 'data-option': String(i) }, el('span', {}, o), ' ', bar, ` ${n}`);
        }),
      ),
      el(
        'p',
        {},
        t('polls.total', { total: p.total }),
        ' ',
        el('span', { id: 'poll-countdown', role: 'timer' }),
      ),
      close,
    );
    tick();
  };
  const tick = () => {
    const n = document.getElementById('poll-countdown');
    if (n && poll)
      n.textContent =
        poll.status === 'open' ? t('polls.closesIn', { time: clockText(poll.closesAt - ctx.now()) }) : '';
  };

  return {
    onSnapshot(s: RoomSnapshot) {
      poll = (s.features.poll as PollSnapshot | undefined)?.poll ?? null;
      render();
    },
    onEvent(e: RoomEvent) {
      if (e.type === 'poll:opened' || e.type === 'poll:closed') set(e.data as Poll);
    },
    onFact(f) {
      if (f.name !== 'poll:tally' || !poll || f.payload.pollId !== poll.id || poll.status !== 'open') return;
      poll.tallies = f.payload.tallies;
      poll.total = f.payload.total;
      render();
    },
    onTick: tick,
    onLang: render,
  };
}

/**
 * The lottery panel: prize, entrants (`lottery:count`), countdown to the draw on the server clock, entry
 * (explicit, or by a keyword comment), the result for this viewer and a link to the verify page.
 */
import type { Lottery, LotterySnapshot } from '@lc/contracts/lottery.schema';
import { $, el } from '../dom';
import { t } from '../i18n';
import { toast } from '../toast';
import { LOTTERY_EVENT } from './events';
import { countdown, errorText, feature, type Panel, type ViewerCtx } from './panel';

type Me = LotterySnapshot['me'] | 'sent';

export interface LotteryPanel extends Panel {
  /** The viewer sent a chat message: it enters them when it holds the keyword. */
  commented(text: string): void;
}

export function lotteryPanel(ctx: ViewerCtx): LotteryPanel {
  const section = $('#lottery');
  let lottery: Lottery | null = null;
  let me: Me = 'none';
  let error = '';

  const heading = el('h2', { id: 'lottery-heading' });
  const title = el('p', { id: 'lottery-title', class: 'product-title' });
  const prize = el('p', { id: 'lottery-prize' });
  const entrants = el('p', { id: 'lottery-entrants' });
  const timer = el('p', { id: 'lottery-countdown', class: 'countdown' });
  const hint = el('p', { id: 'lottery-hint' });
  const enter = el('button', { id: 'lottery-enter', type: 'button', class: 'primary' });
  const status = el('p', { id: 'lottery-status', role: 'status', 'aria-live': 'polite' });
  const verify = el('a', { id: 'lottery-verify' });
  section.append(heading, title, prize, entrants, timer, hint, enter, status, verify);

  enter.addEventListener('click', async () => {
    if (!lottery) return;
    try {
      await ctx.client.command('lottery:enter', { liveId: ctx.liveId, lotteryId: lottery.id });
      me = 'entered';
      error = '';
    } catch (err) {
      if ((err as { code?: string }).code === 'ALREADY_ENTERED') me = 'entered';
      error = errorText(err);
    }
    render();
  });

  function resultFor(l: Lottery): Me {
    const r = l.result;
    if (!r) return me;
    if (r.winners.includes(ctx.auth.user.id)) return 'won';
    if (r.runnersUp.includes(ctx.auth.user.id)) return 'runner-up';
    return me === 'entered' || me === 'sent' ? 'lost' : me === 'none' ? 'none' : me;
  }

  function render() {
    section.hidden = !lottery;
    if (!lottery) return;
    const l = lottery;
    const now = ctx.clock.now();
    heading.textContent = t('lottery.heading');
    title.textContent = l.title;
    prize.textContent = l.prize.kind === 'coupon' ? t('lottery.prizeCoupon') : t('lottery.prizeProduct');
    prize.append(' · ', t('lottery.winnersCount', { n: l.winners }));
    entrants.textContent = t('lottery.entrants', { n: l.entrants });
    entrants.dataset.count = String(l.entrants);
    section.dataset.status = l.status;
    const open = l.status === 'open' && now < l.closesAt;
    timer.hidden = l.status === 'drawn';
    timer.dataset.deadline = String(l.closesAt);
    timer.textContent = open
      ? t('lottery.closesIn', { time: countdown(l.closesAt - now) })
      : t('lottery.drawing');
    const keyword = l.rules.keyword;
    hint.hidden = !keyword || !open;
    hint.textContent = keyword ? t('lottery.keyword', { keyword }) : '';
    enter.textContent = t('lottery.enter');
    enter.hidden = !!keyword || !open || me !== 'none';
    const mine = l.status === 'drawn' ? resultFor(l) : me;
    status.dataset.me = mine;
    status.textContent =
      error ||
      {
        none: l.result ? t('lottery.drawn', { n: l.result.winners.length, total: l.entrants }) : '',
        sent: t('lottery.sent'),
        entered: t('lottery.entered'),
        won: t('lottery.won'),
        'runner-up': t('lottery.runnerUp'),
        lost: t('lottery.lost'),
      }[mine];
    verify.hidden = l.status !== 'drawn';
    verify.textContent = t('lottery.verify');
    verify.setAttribute(
      'href',
      `/verify.html?live=${encodeURIComponent(ctx.liveId)}&lottery=${encodeURIComponent(l.id)}`,
    );
  }

  /** The draw's outcome for this viewer as a toast (the sheet may be closed). */
  function announce(mine: Me) {
    const open = { label: t('lottery.view'), run: () => ctx.sheets.open('lottery-sheet') };
    if (mine === 'won') toast(t('lottery.won'), 'success', open);
    else if (mine === 'runner-up') toast(t('lottery.runnerUp'), 'info', open);
    else if (mine === 'lost') toast(t('lottery.lost'), 'info');
  }

  return {
    commented(text) {
      const kw = lottery?.rules.keyword;
      if (
        lottery?.status === 'open' &&
        kw &&
        me === 'none' &&
        text.toLowerCase().includes(kw.toLowerCase())
      ) {
        me = 'sent';
        render();
      }
    },
    snapshot(s) {
      const snap = feature<LotterySnapshot>(s, 'lottery');
      lottery = snap?.lottery ?? null;
      me = snap?.me ?? 'none';
      error = '';
      render();
    },
    event(e) {
      if (e.type !== LOTTERY_EVENT.created && e.type !== LOTTERY_EVENT.drawn) return;
      const next = (e.data as { lottery: Lottery }).lottery;
      if (e.type === LOTTERY_EVENT.created || next.id !== lottery?.id) {
        me = 'none';
        error = '';
      }
      lottery = next;
      render();
      if (e.type === LOTTERY_EVENT.drawn) announce(resultFor(next));
    },
    fact(f) {
      if (f.name !== 'lottery:count' || !lottery || f.payload.lotteryId !== lottery.id) return;
      lottery.entrants = f.payload.entrants;
      render();
    },
    tick: render,
    relabel: render,
  };
}

/**
 * Lottery: create (prize from this live's products or coupons, K winners, entry window, rules incl. keyword),
 * watch entrants, draw, show winners with links to the in-browser verifier and the raw audit record.
 */
import type { Lottery, LotterySnapshot } from '@lc/contracts/lottery.schema';
import type { RoomEvent, RoomSnapshot } from '@lc/contracts/room.schema';
import { el } from '../dom';
import { t } from '../i18n';
import type { CouponsView } from './coupons';
import type { ProductsView } from './products';
import {
  button,
  checkbox,
  checked,
  clockText,
  errorLine,
  field,
  input,
  num,
  type Panel,
  type StudioCtx,
  section,
  select,
  tr,
  val,
} from './ui';

export function lotteryPanel(
  ctx: StudioCtx,
  mount: HTMLElement,
  products: ProductsView,
  coupons: CouponsView,
): Panel {
  let current: Lottery | null = null;
  const err = errorLine('lottery-error');
  const prizeKind = select('lottery-prize-kind', [
    ['product', 'lottery.prize.product'],
    ['coupon', 'lottery.prize.coupon'],
  ]);
  const prize = el('select', { id: 'lottery-prize', name: 'lottery-prize', required: '' });
  const form = el(
    'form',
    { id: 'lottery-form' },
    ...field('lottery.name', input('lottery-title', { required: '', maxlength: '120' })),
    ...field('lottery.prizeKind', prizeKind),
    ...field('lottery.prizeItem', prize),
    ...field(
      'lottery.winners',
      input('lottery-winners', { type: 'number', min: '1', max: '1000', value: '1' }),
    ),
    ...field('lottery.duration', input('lottery-duration', { type: 'number', min: '5', value: '120' })),
    ...field('lottery.keyword', input('lottery-keyword', { maxlength: '40' })),
    ...field('lottery.minWatch', input('lottery-min-watch', { type: 'number', min: '1', max: '600' })),
    checkbox('lottery-follows', 'lottery.rule.followsHost'),
    checkbox('lottery-bought', 'lottery.rule.boughtInLive'),
    checkbox('lottery-present', 'lottery.rule.presentAtDraw'),
    checkbox('lottery-exclude-staff', 'lottery.rule.excludeStaff', true),
    tr('button', 'lottery.create', { type: 'submit' }),
  );
  const status = el('div', { id: 'lottery-current', 'aria-live': 'polite' });
  mount.append(section('lottery-panel', 'lottery.title', form, err.line, status));

  const fillPrizes = () => {
    const items =
      prizeKind.value === 'product'
        ? products.products().map((p) => [p.id, p.title] as const)
        : coupons.coupons().map((c) => [c.id, c.title] as const);
    const keep = prize.value;
    prize.replaceChildren(...items.map(([id, title]) => el('option', { value: id }, title)));
    if (keep) prize.value = keep;
  };
  prizeKind.onchange = fillPrizes;
  products.onChange(fillPrizes);
  coupons.onChange(fillPrizes);

  form.onsubmit = (ev) => {
    ev.preventDefault();
    void err.run(async () => {
      const keyword = val('lottery-keyword').trim();
      const minWatch = val('lottery-min-watch');
      const r = await ctx.client.command<{ lottery: Lottery }>('lottery:create', {
        liveId: ctx.liveId,
        title: val('lottery-title'),
        prize:
          prizeKind.value === 'product'
            ? { kind: 'product', productId: prize.value }
            : { kind: 'coupon', couponId: prize.value },
        winners: num('lottery-winners'),
        durationSec: num('lottery-duration'),
        rules: {
          ...(keyword ? { keyword } : {}),
          ...(minWatch ? { minWatchMinutes: Number(minWatch) } : {}),
          followsHost: checked('lottery-follows'),
          boughtInLive: checked('lottery-bought'),
          presentAtDraw: checked('lottery-present'),
          excludeStaff: checked('lottery-exclude-staff'),
        },
      });
      set(r.lottery);
    });
  };

  const nameOf = (id: string) => ctx.names.get(id) ?? id;
  const set = (l: Lottery | null) => {
    if (l && current && l.id === current.id && current.status === 'drawn' && l.status !== 'drawn') return;
    current = l;
    render();
  };
  const render = () => {
    const l = current;
    if (!l) {
      status.replaceChildren(tr('p', 'lottery.none', { class: 'muted' }));
      return;
    }
    const draw = button('lottery.draw', { id: 'lottery-draw' });
    draw.disabled = l.status !== 'open';
    draw.onclick = () =>
      err.run(async () => {
        const r = await ctx.client.command<{ lottery: Lottery }>('lottery:draw', {
          liveId: ctx.liveId,
          lotteryId: l.id,
        });
        set(r.lottery);
      });
    const rules = [
      l.rules.keyword ? t('lottery.ruleText.keyword', { keyword: l.rules.keyword }) : '',
      l.rules.followsHost ? t('lottery.rule.followsHost') : '',
      l.rules.minWatchMinutes ? t('lottery.ruleText.minWatch', { min: l.rules.minWatchMinutes }) : '',
      l.rules.boughtInLive ? t('lottery.rule.boughtInLive') : '',
      l.rules.presentAtDraw ? t('lottery.rule.presentAtDraw') : '',
    ].filter(Boolean);
    const children: Node[] = [
      el('p', {}, el('b', {}, l.title), ` · ${t(`lottery.status.${l.status}`)}`),
      el('p', {}, t('lottery.entrants'), ' ', el('b', { id: 'lottery-entrants' }, String(l.entrants))),
      el('p', { class: 'muted' }, rules.join(' · ')),
      el('p', { class: 'muted mono' }, `${t('lottery.commitment')} ${l.commitment}`),
    ];
    if (l.status === 'open') {
      children.push(
        el(
          'p',
          { id: 'lottery-countdown', role: 'timer' },
          t('lottery.closesIn', { time: clockText(l.closesAt - ctx.now()) }),
        ),
      );
    }
    children.push(draw);
    if (l.result) {
      const q = `live=${encodeURIComponent(ctx.liveId)}&lottery=${encodeURIComponent(l.id)}`;
      children.push(
        tr('h3', 'lottery.winnersTitle'),
        el(
          'ol',
          { id: 'lottery-winners' },
          ...(l.result.winners.length
            ? l.result.winners.map((w) => el('li', { 'data-user-id': w }, nameOf(w)))
            : [el('li', { class: 'muted' }, t('lottery.noEntrants'))]),
        ),
        el(
          'p',
          {},
          el(
            'a',
            { id: 'lottery-verify', href: `/verify.html?${q}`, target: '_blank', rel: 'noopener' },
            t('lottery.verify'),
          ),
          ' · ',
          el(
            'a',
            {
              id: 'lottery-audit',
              href: `/api/lives/${encodeURIComponent(ctx.liveId)}/lotteries/${encodeURIComponent(l.id)}/audit`,
              target: '_blank',
              rel: 'noopener',
            },
            t('lottery.audit'),
          ),
        ),
      );
    }
    // Keep keyboard focus on the draw button across re-renders.
    const hadFocus = document.activeElement?.id === 'lottery-draw';
    status.replaceChildren(...children);
    if (hadFocus) draw.focus();
  };

  return {
    onSnapshot(s: RoomSnapshot) {
      current = (s.features.lottery as LotterySnapshot | undefined)?.lottery ?? null;
      fillPrizes();
      render();
    },
    onEvent(e: RoomEvent) {
      if (e.type === 'lottery:created' || e.type === 'lottery:drawn')
        set((e.data as { lottery: Lottery }).lottery);
      if (e.type === 'comment:new') {
        const by = (e.data as { by?: { id: string; name: string } }).by;
        if (by) ctx.names.set(by.id, by.name);
      }
    },
    onFact(f) {
      if (f.name !== 'lottery:count' || !current || f.payload.lotteryId !== current.id) return;
      current.entrants = f.payload.entrants;
      const n = document.getElementById('lottery-entrants');
      if (n) n.textContent = String(f.payload.entrants);
    },
    onTick() {
      const n = document.getElementById('lottery-countdown');
      if (n && current)
        n.textContent = t('lottery.closesIn', { time: clockText(current.closesAt - ctx.now()) });
    },
    onLang() {
      fillPrizes();
      render();
    },
  };
}

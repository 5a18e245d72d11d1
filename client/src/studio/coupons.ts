/** Coupons: create amount-off (满减) or percent-off (折扣) with a quota and per-user limit; list with claims. */
import type { CommerceSnapshot, Coupon } from '@lc/contracts/commerce.schema';
import type { RoomEvent, RoomSnapshot } from '@lc/contracts/room.schema';
import { el } from '../dom';
import { t } from '../i18n';
import type { GoalsView } from './goals';
import {
  button,
  errorLine,
  field,
  input,
  minor,
  money,
  num,
  type Panel,
  type StudioCtx,
  section,
  select,
  tr,
  val,
} from './ui';

export interface CouponsView extends Panel {
  coupons(): Coupon[];
  onChange(fn: () => void): void;
}

export function couponsPanel(ctx: StudioCtx, mount: HTMLElement, goals: GoalsView): CouponsView {
  const coupons = new Map<string, Coupon>();
  const listeners: Array<() => void> = [];
  const list = el('ul', { id: 'coupons', class: 'items' });
  const err = errorLine('coupon-error');
  const kind = select('coupon-kind', [
    ['amount_off', 'coupons.kind.amount_off'],
    ['percent_off', 'coupons.kind.percent_off'],
  ]);
  const goalSelect = el('select', { id: 'coupon-goal', name: 'coupon-goal' });
  const fillGoals = () => {
    const keep = goalSelect.value;
    goalSelect.replaceChildren(
      el('option', { value: '' }, t('coupons.noGoal')),
      ...goals
        .goals()
        .map((g) => el('option', { value: g.id }, `❤ ${g.threshold}${g.label ? ` ${g.label}` : ''}`)),
    );
    goalSelect.value = keep;
    if (goalSelect.selectedIndex < 0) goalSelect.value = '';
  };
  goals.onChange(fillGoals);
  const amountFields = el(
    'span',
    { class: 'row', id: 'coupon-amount-fields' },
    ...field('coupons.amountOff', input('coupon-amount', { type: 'number', min: '0.01', step: '0.01' })),
    ...field('coupons.minSpend', input('coupon-min', { type: 'number', min: '0', step: '0.01', value: '0' })),
  );
  const percentFields = el(
    'span',
    { class: 'row', id: 'coupon-percent-fields', hidden: '' },
    ...field('coupons.percentOff', input('coupon-percent', { type: 'number', min: '1', max: '99' })),
    ...field('coupons.maxDiscount', input('coupon-max', { type: 'number', min: '0.01', step: '0.01' })),
  );
  kind.onchange = () => {
    amountFields.hidden = kind.value !== 'amount_off';
    percentFields.hidden = kind.value !== 'percent_off';
  };
  const form = el(
    'form',
    { id: 'coupon-form' },
    ...field('coupons.name', input('coupon-title', { required: '', maxlength: '60' })),
    ...field('coupons.kind', kind),
    amountFields,
    percentFields,
    ...field('coupons.currency', input('coupon-currency', { value: 'CNY', pattern: '[A-Z]{3}', size: '4' })),
    ...field(
      'coupons.quota',
      input('coupon-quota', { type: 'number', min: '1', value: '100', required: '' }),
    ),
    ...field('coupons.perUser', input('coupon-limit', { type: 'number', min: '1', max: '10', value: '1' })),
    ...field('coupons.goal', goalSelect),
    tr('button', 'coupons.create', { type: 'submit' }),
  );
  const refresh = button('coupons.refresh');
  mount.append(section('coupons-panel', 'coupons.title', form, err.line, refresh, list));

  form.onsubmit = (ev) => {
    ev.preventDefault();
    void err.run(async () => {
      const common = {
        title: val('coupon-title'),
        currency: val('coupon-currency') || 'CNY',
        quota: num('coupon-quota'),
        perUserLimit: num('coupon-limit'),
        ...(goalSelect.value ? { likeGoalId: goalSelect.value } : {}),
      };
      const body =
        kind.value === 'amount_off'
          ? {
              kind: 'amount_off',
              amountOff: minor(val('coupon-amount')),
              minSpend: minor(val('coupon-min') || '0'),
              ...common,
            }
          : {
              kind: 'percent_off',
              percentOff: num('coupon-percent'),
              maxDiscount: minor(val('coupon-max')),
              ...common,
            };
      const c = await ctx.rest<Coupon>('POST', '/coupons', body);
      coupons.set(c.id, c);
      render();
    });
  };
  refresh.onclick = () =>
    err.run(async () => {
      const r = await ctx.rest<{ coupons: Coupon[] }>('GET', '/coupons');
      for (const c of r.coupons) coupons.set(c.id, c);
      render();
    });

  const describe = (c: Coupon) =>
    c.kind === 'amount_off'
      ? t('coupons.amountText', {
          off: money(c.amountOff ?? 0, c.currency),
          min: money(c.minSpend ?? 0, c.currency),
        })
      : t('coupons.percentText', { pct: c.percentOff ?? 0, max: money(c.maxDiscount ?? 0, c.currency) });
  const render = () => {
    list.replaceChildren(
      ...[...coupons.values()].map((c) =>
        el(
          'li',
          { 'data-coupon-id': c.id },
          el('b', {}, c.title),
          ` ${describe(c)} · ${t('coupons.claimed', { claimed: c.claimed, quota: c.quota })}`,
          c.locked ? ` · ${t('coupons.locked')}` : '',
        ),
      ),
    );
    for (const fn of listeners) fn();
  };

  return {
    coupons: () => [...coupons.values()],
    onChange: (fn) => listeners.push(fn),
    onSnapshot(s: RoomSnapshot) {
      coupons.clear();
      for (const c of (s.features.commerce as CommerceSnapshot | undefined)?.coupons ?? [])
        coupons.set(c.id, c);
      render();
    },
    onEvent(e: RoomEvent) {
      if (e.type === 'coupon:created') {
        const c = (e.data as { coupon: Coupon }).coupon;
        coupons.set(c.id, { ...coupons.get(c.id), ...c });
      } else if (e.type === 'coupon:unlocked') {
        const c = coupons.get((e.data as { couponId: string }).couponId);
        if (c) c.locked = false;
      } else return;
      render();
    },
    onLang() {
      fillGoals();
      render();
    },
  };
}
